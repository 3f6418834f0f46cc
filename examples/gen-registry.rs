//! Generates a deterministic, realistic PSO registry for benchmarks and tests.
//!
//! ```text
//! cargo run --release --example gen-registry -- --count N --out DIR [--seed S] [--force] [--verify]
//! ```
//!
//! Writes a complete site folder into DIR: `site.toml`, N records under
//! `content/organisations/` (spec/records.md section 2, every one valid on
//! the reference date 2026-11-30, its `declared_level` equal to the level the
//! build computes), a home page, explainers under `content/uitleg/` and blog
//! posts under `content/blog/`. The same N and seed always give byte-identical
//! files. Everything in the output is fictitious.
//!
//! `--verify` loads the written folder with the library (`trede::config`,
//! `trede::records::load_all`, `trede::registry::Registry::compute`), prints
//! the errors, warnings and counts, and fails unless there are no errors, no
//! warnings and every organisation got the level and status generated for it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use rayon::prelude::*;
use trede::diagnostics::Diagnostics;
use trede::ladder::{CertificateStatus, Level, RecordedStatus};
use trede::registry::Registry;
use trede::tables::{NormTable, Weights};

#[path = "gen_registry/orgs.rs"]
mod orgs;
#[path = "gen_registry/pages.rs"]
mod pages;
#[path = "gen_registry/rng.rs"]
mod rng;
#[path = "gen_registry/text.rs"]
mod text;
#[path = "gen_registry/words.rs"]
mod words;

use orgs::{Buy, Ctx, External, Org, REFERENCE};
use text::{quote, quote_multiline};

/// The default seed ("PSO-REGI").
const DEFAULT_SEED: u64 = 0x5053_4F2D_5245_4749;

#[derive(Parser)]
#[command(
    name = "gen-registry",
    about = "Generate a deterministic, fictitious PSO registry site folder for benchmarks and tests"
)]
struct Args {
    /// Number of organisation records.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    count: u64,
    /// Output folder (created; must be empty unless --force).
    #[arg(long)]
    out: PathBuf,
    /// Random seed; the same count and seed give byte-identical files.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Write into a non-empty folder, first removing its `content/` and `site.toml` (only those).
    #[arg(long)]
    force: bool,
    /// After writing, load and compute the registry with the library and check it.
    #[arg(long)]
    verify: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("gen-registry: error: {error}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<bool, String> {
    let start = Instant::now();
    prepare_output(&args.out, args.force)?;
    let count = args.count as usize;
    let ctx = Ctx::new(args.seed);

    // Pass 1: records without purchases; pass 2: purchases; pass 3: levels.
    let mut orgs: Vec<Org> = (0..count)
        .into_par_iter()
        .map(|i| orgs::base(&ctx, i))
        .collect();
    let externals = orgs::externals(&ctx);
    let pools = orgs::Pools::new(&orgs);
    let buys: Vec<Vec<Buy>> = (0..count)
        .into_par_iter()
        .map(|i| orgs::purchases(&ctx, &orgs, &pools, &externals, i))
        .collect();
    for (org, buys) in orgs.iter_mut().zip(buys) {
        org.purchases = buys;
    }
    let settled: Vec<orgs::Settled> = {
        let ids: HashMap<&str, usize> = orgs
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.as_str(), i))
            .collect();
        if ids.len() != orgs.len() {
            return Err("internal error: generated ids are not unique".into());
        }
        (0..count)
            .into_par_iter()
            .map(|i| orgs::settle(&ctx, &orgs, &ids, &externals, i))
            .collect()
    };
    for (org, s) in orgs.iter_mut().zip(settled) {
        org.level = s.level;
        org.pso30plus = s.pso30plus;
        org.aspirant_plan = s.aspirant_plan;
        org.aspirant_extensions = s.aspirant_extensions;
        org.total_pct = s.total_pct;
        org.summary = s.summary;
        org.description = s.description;
    }
    check_generated(&orgs)?;

    let facts = pages::Facts {
        count,
        levels: count_levels(orgs.iter().map(|o| o.level))
            .into_iter()
            .collect(),
        statuses: count_statuses(orgs.iter().map(|o| o.status))
            .into_iter()
            .collect(),
        pso30plus: orgs.iter().filter(|o| o.pso30plus).count(),
    };
    let site_pages = pages::pages(args.seed, &facts, &ctx.weights, &ctx.norms);
    let generated = start.elapsed();

    // Write everything, records in parallel.
    let io_error = |what: &str, e: io::Error| format!("{what}: {e}");
    let records_dir = args.out.join(trede::records::RECORDS_DIR);
    for dir in [
        &records_dir,
        &args.out.join("content/uitleg"),
        &args.out.join("content/blog"),
    ] {
        fs::create_dir_all(dir).map_err(|e| io_error(&dir.display().to_string(), e))?;
    }
    let site = format!(
        "title = {}\nbase_url = \"https://example.org/register/\"\ndescription = {}\n",
        quote(&format!("Gegenereerd PSO-register ({count} organisaties)")),
        quote(&format!(
            "Fictief PSO-register met {count} gegenereerde organisaties (gen-registry, seed {}), voor benchmarks en tests.",
            args.seed
        )),
    );
    let site_path = args.out.join("site.toml");
    fs::write(&site_path, &site).map_err(|e| io_error(&site_path.display().to_string(), e))?;
    let record_bytes: usize = orgs
        .par_iter()
        .map(|org| {
            let text = record_toml(org, &orgs, &externals, args.seed);
            let path = records_dir.join(format!("{}.toml", org.id));
            fs::write(&path, &text).map_err(|e| io_error(&path.display().to_string(), e))?;
            Ok::<usize, String>(text.len())
        })
        .try_reduce(|| 0, |a, b| Ok(a + b))?;
    let page_bytes: usize = site_pages
        .par_iter()
        .map(|page| {
            let path = args.out.join(&page.path);
            fs::write(&path, &page.text).map_err(|e| io_error(&path.display().to_string(), e))?;
            Ok::<usize, String>(page.text.len())
        })
        .try_reduce(|| 0, |a, b| Ok(a + b))?;
    let files = 1 + orgs.len() + site_pages.len();
    let bytes = site.len() + record_bytes + page_bytes;
    let elapsed = start.elapsed();

    let registry_buys: usize = orgs
        .iter()
        .map(|o| {
            o.purchases
                .iter()
                .filter(|b| matches!(b, Buy::Registry { .. }))
                .count()
        })
        .sum();
    let external_buys: usize =
        orgs.iter().map(|o| o.purchases.len()).sum::<usize>() - registry_buys;
    eprintln!(
        "gen-registry: {count} organisations ({}; {}; pso30plus {}; {registry_buys} registry purchases ({:.2} per organisation), {external_buys} external, {} mutual pairs), {files} files, {bytes} bytes ({:.1} MB) in {:.2} s (generating {:.2} s) -> {}",
        format_counts(facts.levels.iter().map(|(l, n)| (l.key(), *n))),
        format_counts(facts.statuses.iter().map(|(s, n)| (s.key(), *n))),
        facts.pso30plus,
        registry_buys as f64 / count as f64,
        mutual_pairs(&orgs),
        bytes as f64 / 1e6,
        elapsed.as_secs_f64(),
        generated.as_secs_f64(),
        args.out.display(),
    );

    if args.verify {
        return Ok(verify(&args.out, &orgs));
    }
    Ok(true)
}

/// Creates DIR, or with `--force` empties the parts of it this tool writes.
fn prepare_output(out: &Path, force: bool) -> Result<(), String> {
    if out.exists() {
        if !out.is_dir() {
            return Err(format!("{} exists and is not a folder", out.display()));
        }
        let non_empty = fs::read_dir(out)
            .map_err(|e| format!("{}: {e}", out.display()))?
            .next()
            .is_some();
        if non_empty {
            if !force {
                return Err(format!(
                    "{} is not empty; pass --force to replace its content/ and site.toml",
                    out.display()
                ));
            }
            let content = out.join("content");
            if content.exists() {
                fs::remove_dir_all(&content).map_err(|e| format!("{}: {e}", content.display()))?;
            }
            let site = out.join("site.toml");
            if site.exists() {
                fs::remove_file(&site).map_err(|e| format!("{}: {e}", site.display()))?;
            }
        }
    }
    fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))
}

/// Sanity checks on the generated data before anything is written.
fn check_generated(orgs: &[Org]) -> Result<(), String> {
    let mut kvk = HashSet::new();
    let mut numbers = HashSet::new();
    for org in orgs {
        if !trede::records::is_valid_id(&org.id) {
            return Err(format!("internal error: invalid id `{}`", org.id));
        }
        if !kvk.insert(org.kvk.as_str()) || !numbers.insert(org.cert_number.as_str()) {
            return Err(format!(
                "internal error: duplicate kvk or certificate number in `{}`",
                org.id
            ));
        }
    }
    Ok(())
}

fn count_levels(levels: impl Iterator<Item = Level>) -> Vec<(Level, usize)> {
    let mut counts: BTreeMap<Level, usize> = Level::ALL.iter().map(|&l| (l, 0)).collect();
    levels.for_each(|l| *counts.entry(l).or_default() += 1);
    counts.into_iter().collect()
}

fn count_statuses(
    statuses: impl Iterator<Item = CertificateStatus>,
) -> Vec<(CertificateStatus, usize)> {
    let mut counts: BTreeMap<CertificateStatus, usize> =
        CertificateStatus::ALL.iter().map(|&s| (s, 0)).collect();
    statuses.for_each(|s| *counts.entry(s).or_default() += 1);
    counts.into_iter().collect()
}

/// "key n, key n, ..." in the given order.
fn format_counts<'a>(counts: impl IntoIterator<Item = (&'a str, usize)>) -> String {
    counts
        .into_iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Pairs of records that buy from each other.
fn mutual_pairs(orgs: &[Org]) -> usize {
    let edges: HashSet<(usize, usize)> = orgs
        .iter()
        .enumerate()
        .flat_map(|(i, o)| {
            o.purchases.iter().filter_map(move |b| match b {
                Buy::Registry { supplier, .. } => Some((i, *supplier)),
                Buy::External { .. } => None,
            })
        })
        .collect();
    edges
        .iter()
        .filter(|&&(a, b)| a < b && edges.contains(&(b, a)))
        .count()
}

/// One record file (spec section 2; no other keys).
fn record_toml(org: &Org, orgs: &[Org], externals: &[External], seed: u64) -> String {
    let mut s = String::with_capacity(1536);
    let _ = writeln!(
        s,
        "# Gegenereerd door gen-registry (seed {seed}): deze organisatie bestaat niet.\n"
    );
    let _ = writeln!(s, "name = {}", quote(&org.name));
    let _ = writeln!(s, "kvk = \"{}\"", org.kvk);
    let _ = writeln!(s, "city = {}", quote(org.city));
    let _ = writeln!(s, "province = {}", quote(org.province));
    let _ = writeln!(s, "sector = {}", quote(org.sector.name));
    if let Some(website) = &org.website {
        let _ = writeln!(s, "website = {}", quote(website));
    }
    let _ = writeln!(s, "summary = {}", quote(&org.summary));
    if let Some(description) = &org.description {
        let _ = writeln!(s, "description = {}", quote_multiline(description));
    }

    let _ = writeln!(s, "\n[certificate]");
    let _ = writeln!(s, "number = \"{}\"", org.cert_number);
    let _ = writeln!(s, "body = {}", quote(org.body));
    let _ = writeln!(s, "issued = {}", org.issued);
    if org.write_expires {
        let _ = writeln!(s, "expires = {}", org.expires);
    }
    if org.recorded != RecordedStatus::Active || org.write_active {
        let _ = writeln!(s, "status = \"{}\"", org.recorded.key());
    }
    let _ = writeln!(s, "declared_level = \"{}\"", org.level.key());
    if org.aspirant_plan {
        let _ = writeln!(s, "aspirant_plan = true");
    }
    if org.aspirant_extensions > 0 {
        let _ = writeln!(s, "aspirant_extensions = {}", org.aspirant_extensions);
    }
    if !org.quality_met {
        let _ = writeln!(s, "quality_met = false");
    }

    let _ = writeln!(s, "\n[measurement]");
    let _ = writeln!(s, "year = {}", org.year);
    let _ = writeln!(s, "employees = {}", org.employees);
    let _ = writeln!(s, "total_fte = {:?}", org.total_fte);
    let _ = writeln!(s, "revenue_eur = {}", org.revenue);
    for row in &org.rows {
        let _ = writeln!(
            s,
            "\n[[measurement.target_group]]\nposition = \"{}\"\ncontract = \"{}\"\nfte = {:?}\npersons = {}",
            row.position, row.contract, row.fte, row.persons
        );
    }
    for buy in &org.purchases {
        match *buy {
            Buy::Registry { supplier, amount } => {
                let _ = writeln!(
                    s,
                    "\n[[measurement.purchases]]\nsupplier = \"{}\"\namount_eur = {amount}",
                    orgs[supplier].id
                );
            }
            Buy::External { external, amount } => {
                let x = &externals[external];
                let _ = writeln!(
                    s,
                    "\n[[measurement.purchases]]\nsupplier_name = {}\namount_eur = {amount}\nsupplier_revenue_eur = {}\nsupplier_direct_fte = {:?}",
                    quote(&x.name),
                    x.revenue,
                    x.direct_fte
                );
            }
        }
    }
    s
}

/// Loads the written folder with the library and compares it with what was
/// generated. True when there are no errors, no warnings and no differences.
fn verify(out: &Path, orgs: &[Org]) -> bool {
    let start = Instant::now();
    let mut diagnostics = Diagnostics::new();
    let (weights, norms) = match trede::config::load(out, &mut diagnostics) {
        Some(loaded) => (loaded.weights, loaded.norms),
        None => (Weights::embedded(), NormTable::embedded()),
    };
    let records = trede::records::load_all(out, &weights, REFERENCE, &mut diagnostics);
    let loaded = records.len();
    let registry = Registry::compute(records, &weights, &norms, REFERENCE, &mut diagnostics);
    let elapsed = start.elapsed();

    let mut differences = Vec::new();
    if registry.organisations.len() != orgs.len() {
        differences.push(format!(
            "{} organisations generated, {} in the registry",
            orgs.len(),
            registry.organisations.len()
        ));
    }
    for org in orgs {
        match registry.get(&org.id) {
            None => differences.push(format!("`{}` is missing", org.id)),
            Some(c) => {
                if c.level != org.level
                    || c.status != org.status
                    || c.outcome.pso30plus != org.pso30plus
                    || c.total_pct != org.total_pct
                {
                    differences.push(format!(
                        "`{}`: generated {} / {} / {} / {}, computed {} / {} / {} / {}",
                        org.id,
                        org.level.key(),
                        org.status.key(),
                        org.pso30plus,
                        org.total_pct,
                        c.level.key(),
                        c.status.key(),
                        c.outcome.pso30plus,
                        c.total_pct
                    ));
                }
            }
        }
    }
    let levels = format_counts(
        registry
            .count_by_level()
            .into_iter()
            .map(|(l, n)| (l.key(), n)),
    );
    let statuses = format_counts(
        registry
            .count_by_status()
            .into_iter()
            .map(|(s, n)| (s.key(), n)),
    );
    let pso30plus = registry
        .organisations
        .iter()
        .filter(|c| c.outcome.pso30plus)
        .count();
    println!(
        "verify: {loaded} records loaded, {} organisations computed in {:.2} s: {} errors, {} warnings",
        registry.organisations.len(),
        elapsed.as_secs_f64(),
        diagnostics.error_count(),
        diagnostics.warning_count()
    );
    println!("verify: levels: {levels}");
    println!("verify: statuses: {statuses}");
    println!("verify: pso30plus: {pso30plus}");
    for diagnostic in diagnostics.sorted().into_iter().take(20) {
        println!("{}", diagnostic.render(false));
    }
    for difference in differences.iter().take(20) {
        println!("verify: difference: {difference}");
    }
    let ok = diagnostics.is_empty() && differences.is_empty();
    println!(
        "verify: {}",
        if ok {
            "OK (no errors, no warnings, every level and status as generated)".to_string()
        } else {
            format!("FAILED ({} differences)", differences.len())
        }
    );
    ok
}
