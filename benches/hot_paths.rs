//! Micro-benchmarks of the build's hot paths, with divan.
//!
//! ```text
//! cargo bench --bench hot_paths              # everything
//! cargo bench --bench hot_paths -- registry  # only benchmarks whose path matches
//! ```
//!
//! Everything runs in memory: the records are made by a small generator in
//! this file (shaped like `examples/gen-registry`'s: one to three
//! target-group rows, up to four purchases, mostly from other records), the
//! theme is the built-in one and the site is a temporary folder with only
//! `site.toml`, so no file is read while a benchmark is timed. See
//! `bench/README.md` for the whole-build comparison with Hugo.

use std::fmt::Write as _;
use std::sync::OnceLock;

use divan::Bencher;
use divan::counter::{BytesCount, ItemsCount};
use jiff::civil::{Date, date};
use rayon::prelude::*;
use tera::Context;
use trede::config::{self, Loaded};
use trede::diagnostics::{Diagnostics, Source};
use trede::ladder::{self, SupplierFigures};
use trede::records::{self, Organisation, PROVINCES};
use trede::registry::Registry;
use trede::render::Renderer;
use trede::render::registry_pages;
use trede::render::views::{self, Vocabulary};
use trede::tables::{NormTable, Weights};
use trede::urls::Urls;

/// The reference date every benchmark computes for.
const REFERENCE: Date = date(2026, 11, 30);

/// Size of the registry the rendering and search benchmarks use.
const SITE_SIZE: usize = 1_000;

fn main() {
    divan::main();
}

// ---- a small deterministic record generator ----

/// SplitMix64: tiny, deterministic, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const TRADES: [&str; 10] = [
    "Schoonmaakbedrijf",
    "Groenvoorziening",
    "Installatiebedrijf",
    "Cateringbedrijf",
    "Drukkerij",
    "Bouwbedrijf",
    "Koeriersdienst",
    "Administratiekantoor",
    "Recyclingbedrijf",
    "Werkleerbedrijf",
];
const NAMES: [&str; 10] = [
    "De Ster",
    "Het Wilgenhof",
    "Gebr. Mulder",
    "Van den Heuvel & Zonen",
    "De Meerpaal",
    "Scheldeboog",
    "Het Kompas",
    "De Gouden Lepel",
    "IJsselmonde",
    "De Groene Kilometer",
];
const SECTORS: [&str; 8] = [
    "Schoonmaak",
    "Groenvoorziening",
    "Installatietechniek",
    "Catering",
    "Grafische industrie",
    "Bouw",
    "Logistiek",
    "Recycling",
];
const CITIES: [&str; 8] = [
    "Deventer",
    "Emmen",
    "Veendam",
    "Tilburg",
    "Middelburg",
    "Almere",
    "Leeuwarden",
    "Venlo",
];

/// Record `i` of `n`, as a TOML text like the ones gen-registry writes;
/// registry purchases point at other records of the same `n`.
fn record_text(i: usize, n: usize, weights: &Weights) -> String {
    let positions: Vec<&str> = weights.positions.keys().map(String::as_str).collect();
    let contracts: Vec<&str> = weights.contracts.keys().map(String::as_str).collect();
    let mut rng = Rng(0x5053_4F2D_4245_4E43 ^ (i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let mut s = String::with_capacity(1536);
    let city = rng.pick(&CITIES);
    let _ = writeln!(s, "# Gegenereerd voor de benchmarks: bestaat niet.\n");
    let _ = writeln!(
        s,
        "name = \"{} {} {i}\"",
        rng.pick(&TRADES),
        rng.pick(&NAMES)
    );
    let _ = writeln!(s, "kvk = \"{:08}\"", 10_000_000 + i);
    let _ = writeln!(s, "city = \"{city}\"");
    let _ = writeln!(s, "province = \"{}\"", rng.pick(&PROVINCES));
    let _ = writeln!(s, "sector = \"{}\"", rng.pick(&SECTORS));
    if rng.below(3) > 0 {
        let _ = writeln!(s, "website = \"https://org-{i}.example\"");
    }
    let _ = writeln!(
        s,
        "summary = \"Dienstverlening vanuit {city}, met werk voor mensen met een *afstand tot de arbeidsmarkt*.\""
    );
    if rng.below(3) == 0 {
        let _ = writeln!(
            s,
            "description = \"\"\"\nEen leerwerkplek op elke ploeg, onder begeleiding van een\nervaren collega.\n\nDe inkoop bij een werkleerbedrijf telt mee in de **indirecte** bijdrage.\n\"\"\""
        );
    }
    let issued = date(2025, 1, 1)
        .checked_add(jiff::Span::new().days(rng.below(690) as i64))
        .expect("a date in range");
    let _ = writeln!(s, "\n[certificate]");
    let _ = writeln!(s, "number = \"PSO-BENCH-{i:07}\"");
    let _ = writeln!(s, "body = \"Certificeringsbureau Noordkust (fictief)\"");
    let _ = writeln!(s, "issued = {issued}");
    // An accepted plan makes a record that reaches no norm an aspirant
    // rather than an error.
    s.push_str("aspirant_plan = true\n");
    match rng.below(40) {
        0 => s.push_str("status = \"suspended\"\n"),
        1 => s.push_str("status = \"withdrawn\"\n"),
        _ => {}
    }
    let employees = 10 + rng.below(400);
    let total_fte = (employees as f64 * 0.85 * 10.0).round() / 10.0;
    let _ = writeln!(s, "\n[measurement]");
    let _ = writeln!(s, "year = 2025");
    let _ = writeln!(s, "employees = {employees}");
    let _ = writeln!(s, "total_fte = {total_fte:?}");
    let _ = writeln!(s, "revenue_eur = {}", employees * 95_000);
    // Target-group employment of 0.5% to 9% of the staff, over one to three
    // rows: enough to reach anything from aspirant to trede-3.
    let rows = 1 + rng.below(3);
    let share = (50 + rng.below(850)) as f64 / 10_000.0;
    let fte = ((total_fte * share / rows as f64) * 100.0)
        .round()
        .max(10.0)
        / 100.0;
    for _ in 0..rows {
        let _ = writeln!(
            s,
            "\n[[measurement.target_group]]\nposition = \"{}\"\ncontract = \"{}\"\nfte = {fte:?}\npersons = {}",
            rng.pick(&positions),
            rng.pick(&contracts),
            fte.round().max(1.0) as u64
        );
    }
    for _ in 0..rng.below(5) {
        let amount = 2_000 + 100 * rng.below(400);
        if n > 1 && rng.below(5) > 0 {
            let supplier = (i + 1 + rng.below(n - 1)) % n;
            let _ = writeln!(
                s,
                "\n[[measurement.purchases]]\nsupplier = \"{}\"\namount_eur = {amount}",
                record_id(supplier)
            );
        } else {
            let _ = writeln!(
                s,
                "\n[[measurement.purchases]]\nsupplier_name = \"Werkvoorzieningsschap Drechtsteden\"\namount_eur = {amount}\nsupplier_revenue_eur = 64725000\nsupplier_direct_fte = 1012.3"
            );
        }
    }
    s
}

fn record_id(i: usize) -> String {
    format!("org-{i:07}")
}

/// `n` records as (id, text), in memory.
fn record_texts(n: usize, weights: &Weights) -> Vec<(String, String)> {
    (0..n)
        .map(|i| (record_id(i), record_text(i, n, weights)))
        .collect()
}

/// Parses and validates every text, as `records::load_all` does after
/// reading the files (in parallel, in id order).
fn parse_all(texts: &[(String, String)], weights: &Weights) -> Vec<Organisation> {
    texts
        .par_iter()
        .map(|(id, text)| {
            let source = Source::new(format!("content/organisations/{id}.toml"), text.as_str());
            records::parse_record(id, source, weights, REFERENCE)
                .unwrap_or_else(|e| panic!("generated record {id} is invalid: {e:?}"))
        })
        .collect()
}

/// A typical record: two target-group rows and some purchases.
fn typical_record(weights: &Weights) -> (String, String) {
    (0..)
        .map(|i| (record_id(i), record_text(i, SITE_SIZE, weights)))
        .find(|(_, text)| {
            text.matches("[[measurement.target_group]]").count() == 2
                && text.matches("[[measurement.purchases]]").count() >= 2
        })
        .expect("the generator makes such a record")
}

// ---- the site every rendering benchmark shares ----

struct Site {
    registry: Registry,
    content: trede::content::Content,
    renderer: Renderer,
    words: Vocabulary,
    /// One rendered organisation page, before minifying.
    page: String,
}

/// A built-in-theme site with `SITE_SIZE` generated organisations, set up
/// once (outside any timing).
fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = dir.path();
        std::fs::write(
            root.join("site.toml"),
            "title = \"Benchmarkregister\"\nbase_url = \"https://example.org/register/\"\n",
        )
        .expect("site.toml written");
        let mut diagnostics = Diagnostics::new();
        let Loaded {
            config,
            weights,
            norms,
        } = config::load(root, &mut diagnostics).expect("site.toml loads");
        let texts = record_texts(SITE_SIZE, &weights);
        let records = parse_all(&texts, &weights);
        let registry = Registry::compute(records, &weights, &norms, REFERENCE, &mut diagnostics);
        let urls = Urls::new(&config.base_url);
        let content = trede::content::load(
            root,
            &|d| urls.path_url(d),
            &|s| s.to_string(),
            &mut diagnostics,
        );
        let theme = trede::theme::load(root, &config.theme, &config.language, &mut diagnostics)
            .expect("the built-in theme loads");
        // The same setup as `pipeline` in src/build.rs: keep the two alike.
        let (mut renderer, _) = Renderer::new(
            &theme,
            &content.sections(),
            &config,
            urls,
            REFERENCE,
            &mut diagnostics,
        )
        .expect("the templates parse");
        renderer.set_page_urls(&content);
        assert!(
            !diagnostics.has_errors(false),
            "the benchmark site has errors: {:?}",
            diagnostics.sorted()
        );
        assert_eq!(registry.organisations.len(), SITE_SIZE);
        let levels = registry.count_by_level();
        assert!(
            levels.values().filter(|&&n| n > 0).count() >= 3,
            "the generated levels are not varied: {levels:?}"
        );
        let words = Vocabulary::new(&renderer);
        let page = render_page(&renderer, &words, &registry, SITE_SIZE / 2);
        Site {
            registry,
            content,
            renderer,
            words,
            page,
        }
    })
}

/// Renders organisation `n` of the registry as `registry_pages::organisations`
/// does (its page only, without the badges).
fn render_page(r: &Renderer, words: &Vocabulary, registry: &Registry, n: usize) -> String {
    let c = &registry.organisations[n];
    let view = views::organisation(r, words, registry, c);
    let mut context = Context::new();
    context.insert("org", &view);
    context.insert("page_title", &c.org.name);
    context.insert("page_url", &view.url);
    r.render("organisation.html", &context)
        .expect("the page renders")
}

// ---- benchmarks ----

/// Parsing and validating one typical record (TOML with spans, then every
/// per-record check of spec sections 1, 2 and 4).
#[divan::bench]
fn parse_record(bencher: Bencher) {
    let weights = Weights::embedded();
    let (id, text) = typical_record(&weights);
    bencher.counter(BytesCount::of_str(&text)).bench(|| {
        let source = Source::new("content/organisations/x.toml", text.as_str());
        records::parse_record(divan::black_box(&id), source, &weights, REFERENCE).expect("valid")
    });
}

/// The ladder computation for one organisation (steps 1 to 5 and 8), its
/// registry suppliers answered from a fixed figure.
#[divan::bench]
fn ladder_compute(bencher: Bencher) {
    let weights = Weights::embedded();
    let norms = NormTable::embedded();
    let (id, text) = typical_record(&weights);
    let org = records::parse_record(&id, Source::new("x.toml", text), &weights, REFERENCE)
        .expect("valid");
    let supplier = |_: &str| {
        Some(SupplierFigures {
            direct_fte: 12.5,
            revenue_eur: 4_000_000.0,
            withdrawn: false,
        })
    };
    bencher.bench(|| {
        let input = org.ladder_input();
        ladder::compute(divan::black_box(&input), &weights, &norms, supplier)
    });
}

/// Loading (parse and validate, in parallel like `records::load_all`, from
/// texts held in memory: no file reads) and computing a whole registry
/// (`Registry::compute`: cross-record checks and every level).
#[divan::bench(args = [1_000, 10_000], sample_count = 10)]
fn registry_load_validate_compute(bencher: Bencher, n: usize) {
    let weights = Weights::embedded();
    let norms = NormTable::embedded();
    let texts = record_texts(n, &weights);
    bencher.counter(ItemsCount::new(n)).bench(|| {
        let records = parse_all(&texts, &weights);
        let mut diagnostics = Diagnostics::new();
        Registry::compute(records, &weights, &norms, REFERENCE, &mut diagnostics)
    });
}

/// `Registry::compute` alone, on records already parsed (cloned per sample,
/// outside the timing).
#[divan::bench(args = [1_000, 10_000], sample_count = 10)]
fn registry_compute_only(bencher: Bencher, n: usize) {
    let weights = Weights::embedded();
    let norms = NormTable::embedded();
    let records = parse_all(&record_texts(n, &weights), &weights);
    bencher
        .counter(ItemsCount::new(n))
        .with_inputs(|| records.clone())
        .bench_values(|records| {
            let mut diagnostics = Diagnostics::new();
            Registry::compute(records, &weights, &norms, REFERENCE, &mut diagnostics)
        });
}

/// Rendering one organisation page (view model plus the Tera template) of a
/// 1,000-organisation registry, single-threaded.
#[divan::bench]
fn render_organisation_page(bencher: Bencher) {
    let s = site();
    let mut n = 0;
    bencher.counter(ItemsCount::new(1usize)).bench_local(|| {
        n = (n + 7) % SITE_SIZE;
        render_page(&s.renderer, &s.words, &s.registry, n)
    });
}

/// Every organisation page with its two badges, as the build does it
/// (`registry_pages::organisations`, in parallel): per-page throughput.
#[divan::bench(sample_count = 10)]
fn render_all_organisations(bencher: Bencher) {
    let s = site();
    bencher.counter(ItemsCount::new(SITE_SIZE)).bench(|| {
        registry_pages::organisations(&s.renderer, &s.words, &s.registry, None, None)
            .expect("renders")
    });
}

/// Minifying one organisation page after rendering, with the build's
/// settings (`trede::minify::page`; the build minifies templates instead,
/// so this is what a page would cost).
#[divan::bench]
fn minify_page(bencher: Bencher) {
    let page = site().page.as_bytes();
    bencher
        .counter(BytesCount::new(page.len()))
        .bench(|| trede::minify::page(divan::black_box(page)));
}

/// The static search index of a 1,000-organisation registry
/// (`search::files`: token shards, display chunks, exact lookup, facets).
#[divan::bench(sample_count = 20)]
fn search_index(bencher: Bencher) {
    let s = site();
    bencher
        .counter(ItemsCount::new(SITE_SIZE))
        .bench(|| trede::search::files(&s.registry, &s.content, &s.renderer, &s.words));
}
