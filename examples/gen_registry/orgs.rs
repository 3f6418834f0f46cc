//! The organisation records: identities, certificates, target-group rows,
//! purchases and the computed levels.
//!
//! Three passes, each parallel over the records and each record drawing from
//! its own random stream: (1) [`base`] makes everything but the purchases,
//! aiming the direct contribution at a chosen level; (2) [`purchases`] adds
//! purchases from other records and from sheltered-work companies, sized to
//! bring the total to the aimed percentage; (3) [`settle`] computes the level
//! with the library (spec section 3) and makes `declared_level` (and, when no
//! level is reached, `aspirant_plan`) agree with it.

use std::collections::HashMap;

use jiff::ToSpan;
use jiff::civil::{Date, date};
use trede::ladder::{
    self, CertificateStatus, Level, OrgInput, Purchase, RecordedStatus, SupplierFigures,
    TargetGroupRow,
};
use trede::tables::{NormTable, Weights};

use crate::rng::Rng;
use crate::text;
use crate::words::{self, SECTORS, Sector};

/// The reference date every status is generated for.
pub const REFERENCE: Date = date(2026, 11, 30);
/// The first issue date.
pub const FIRST_ISSUE: Date = date(2024, 12, 1);
/// Largest headcount.
const MAX_EMPLOYEES: u32 = 5_000;
/// Records with an index below this get a fixed (level, status) pair, so
/// every combination occurs even in small registries.
const FORCED_COMBINATIONS: usize = 25;

// Random streams, one per purpose.
const STREAM_BASE: u64 = 1;
const STREAM_PURCHASES: u64 = 2;
const STREAM_SETTLE: u64 = 3;
const STREAM_EXTERNAL: u64 = 4;

/// Positions with their relative frequency (keys of pso-reference.md).
const POSITIONS: &[(&str, u32)] = &[
    ("wajong", 16),
    ("participatiewet", 18),
    ("participatiewet-lks", 12),
    ("wao-wia-waz", 8),
    ("sw-indicatie", 9),
    ("bbl-bol-1", 6),
    ("bbl-bol-2", 5),
    ("vso-pro", 6),
    ("ww", 7),
    ("wiw-id", 2),
    ("doelgroep-verloren", 3),
    ("jonggehandicapt", 3),
    ("doelgroepregister", 5),
];
/// Contracts with their relative frequency; `proefplaatsing` (weight 0) is
/// added separately.
const CONTRACTS: &[(&str, u32)] = &[
    ("regulier", 58),
    ("begeleid-werken", 12),
    ("detachering", 14),
    ("stage", 16),
];
const PAYROLL: &[(&str, u32)] = &[("regulier", 80), ("begeleid-werken", 20)];

/// One purchase, by index.
#[derive(Debug, Clone, Copy)]
pub enum Buy {
    Registry { supplier: usize, amount: u64 },
    External { external: usize, amount: u64 },
}

/// A sheltered-work company outside the registry (purchase form (b)).
#[derive(Debug, Clone)]
pub struct External {
    pub name: String,
    pub revenue: u64,
    pub direct_fte: f64,
}

/// What is fixed for the whole run.
pub struct Ctx {
    pub seed: u64,
    pub weights: Weights,
    pub norms: NormTable,
    /// Headcount ranges between the rows of the norm table (1, 2-4, 5-9, ...).
    pub size_classes: Vec<(u32, u32)>,
}

impl Ctx {
    pub fn new(seed: u64) -> Ctx {
        let norms = NormTable::embedded();
        let sizes: Vec<u32> = norms.rows.iter().map(|r| r.size).collect();
        let mut size_classes = Vec::new();
        if sizes[0] > 1 {
            size_classes.push((1, sizes[0] - 1));
        }
        for pair in sizes.windows(2) {
            size_classes.push((pair[0], pair[1] - 1));
        }
        size_classes.push((sizes[sizes.len() - 1], MAX_EMPLOYEES));
        Ctx {
            seed,
            weights: Weights::embedded(),
            norms,
            size_classes,
        }
    }
}

/// One generated organisation.
#[derive(Debug, Clone)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub kvk: String,
    pub city: &'static str,
    pub province: &'static str,
    pub sector: &'static Sector,
    pub website: Option<String>,
    pub founded: i32,
    pub cert_number: String,
    pub body: &'static str,
    pub issued: Date,
    pub expires: Date,
    pub write_expires: bool,
    pub recorded: RecordedStatus,
    pub write_active: bool,
    pub year: i32,
    pub employees: u32,
    pub total_fte: f64,
    pub revenue: u64,
    pub rows: Vec<TargetGroupRow>,
    pub purchases: Vec<Buy>,
    pub quality_met: bool,
    /// The direct weighted FTE (step 1).
    pub direct_fte: f64,
    /// The total percentage aimed at.
    pub aim_pct: f64,
    /// Registry suppliers and external purchases planned.
    pub planned_suppliers: usize,
    pub planned_externals: usize,
    /// Set by [`settle`].
    pub level: Level,
    pub status: CertificateStatus,
    pub pso30plus: bool,
    pub aspirant_plan: bool,
    pub aspirant_extensions: u8,
    pub total_pct: f64,
    pub summary: String,
    pub description: Option<String>,
}

fn add_days(d: Date, n: i64) -> Date {
    d.checked_add(n.days())
        .expect("generated dates are in range")
}

fn days_between(a: Date, b: Date) -> i64 {
    i64::from(b.since(a).expect("generated dates are in range").get_days())
}

fn random_date(rng: &mut Rng, lo: Date, hi: Date) -> Date {
    add_days(lo, rng.between(0, days_between(lo, hi)))
}

/// Rounds to hundredths (an FTE as written in a record).
fn q2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Rounds to tenths.
fn q1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The id slug of a name: ASCII, lowercase, words joined by hyphens, at most
/// `max` characters (cut at a hyphen).
pub fn slug(name: &str, max: usize) -> String {
    let ascii = deunicode::deunicode(name).to_lowercase();
    let mut out = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') && c != '\'' {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.len() > max {
        out.truncate(max);
        if let Some(cut) = out.rfind('-') {
            out.truncate(cut);
        }
    }
    out
}

/// A unique 8-digit kvk number: an affine permutation of 10000000..=99999999.
fn kvk_number(seed: u64, index: usize) -> String {
    const SPAN: u64 = 90_000_000; // 2^7 x 3^2 x 5^7
    const MULTIPLIER: u64 = 48_271_013; // coprime with SPAN
    let offset = crate::rng::mix(seed) % SPAN;
    let n = (index as u64 % SPAN * MULTIPLIER + offset) % SPAN;
    format!("{}", 10_000_000 + n)
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A Dutch-sounding name and the part of it the id is made from (without a
/// legal form).
fn make_name(rng: &mut Rng, sector: &Sector, city: &str, province: &str) -> (String, String) {
    let prefix = *rng.pick(sector.prefixes);
    let core = *rng.pick(words::CORES);
    let surname = *rng.pick(words::SURNAMES);
    let pattern = rng.weighted(&[
        (0, 40),
        (1, 8),
        (2, 6),
        (3, 8),
        (4, 12),
        (5, 8),
        (6, 6),
        (7, 5),
        (8, 7),
    ]);
    let (base, legal) = match pattern {
        0 => (format!("{prefix} {core}"), true),
        1 => (format!("{prefix} {surname} & Zonen"), true),
        2 => {
            let other = *rng.pick(words::SURNAMES);
            (format!("{surname} & {other} {prefix}"), true)
        }
        3 => (format!("{core} {prefix}"), true),
        4 => {
            let place = if rng.chance(0.8) { city } else { province };
            (format!("{prefix} {place}"), true)
        }
        5 => {
            let form = if rng.chance(0.7) {
                "Stichting"
            } else {
                "Coöperatie"
            };
            (format!("{form} {prefix} {core}"), false)
        }
        6 => (format!("{prefix} Gebr. {}", capitalise(surname)), true),
        7 => (format!("{prefix} {core} & Co"), true),
        _ => (format!("{prefix} {surname}"), true),
    };
    let name = if legal {
        match rng.weighted(&[(0, 35), (1, 5), (2, 60)]) {
            0 => format!("{base} B.V."),
            1 => format!("{base} V.O.F."),
            _ => base.clone(),
        }
    } else {
        base.clone()
    };
    (name, base)
}

fn random_employees(rng: &mut Rng) -> u32 {
    match rng.weighted(&[
        (0, 15),
        (1, 270),
        (2, 300),
        (3, 200),
        (4, 160),
        (5, 45),
        (6, 10),
    ]) {
        0 => 1,
        1 => rng.between(2, 9) as u32,
        2 => rng.between(10, 49) as u32,
        3 => rng.between(50, 104) as u32,
        4 => rng.log_uniform(105, 499),
        5 => rng.log_uniform(500, 1999),
        _ => rng.log_uniform(2000, MAX_EMPLOYEES),
    }
}

/// The norms for a headcount, rounded as the comparison rounds them.
fn norms_for(ctx: &Ctx, employees: u32) -> ladder::Norms {
    ladder::norms_for_size(&ctx.norms, employees)
        .norms
        .rounded()
}

/// The level reached by a total percentage (quality met, no plan).
fn level_of(pct: f64, norms: &ladder::Norms) -> Option<Level> {
    ladder::level(pct, norms, true, false)
}

/// Pass 1: everything but the purchases.
pub fn base(ctx: &Ctx, index: usize) -> Org {
    let mut rng = Rng::for_item(ctx.seed, STREAM_BASE, index as u64);
    let forced = index < FORCED_COMBINATIONS;

    let sector = {
        let choices: Vec<(usize, u32)> = SECTORS
            .iter()
            .enumerate()
            .map(|(i, s)| (i, s.weight))
            .collect();
        &SECTORS[rng.weighted(&choices)]
    };
    let (province, cities) = {
        let choices: Vec<(usize, u32)> = words::PLACES
            .iter()
            .enumerate()
            .map(|(i, p)| (i, p.1))
            .collect();
        // The first records visit every province once.
        let i = if index < words::PLACES.len() {
            index
        } else {
            rng.weighted(&choices)
        };
        (words::PLACES[i].0, words::PLACES[i].2)
    };
    let city = *rng.pick(cities);
    let (name, base_name) = make_name(&mut rng, sector, city, province);
    let number = (index + 1).to_string();
    let id = format!("{}-{number}", slug(&base_name, 79 - number.len()));
    let website = rng
        .chance(0.6)
        .then(|| format!("https://{}.example", slug(&base_name, 50)));

    // Certificate status and dates.
    let plan = if forced {
        CertificateStatus::ALL[index / Level::ALL.len()]
    } else {
        rng.weighted(&[
            (CertificateStatus::Valid, 750),
            (CertificateStatus::Expiring, 80),
            (CertificateStatus::Expired, 100),
            (CertificateStatus::Suspended, 40),
            (CertificateStatus::Withdrawn, 30),
        ])
    };
    let (issued, expires, write_expires) = match plan {
        CertificateStatus::Valid => {
            // A default expiry of 2027-03-01 or later is 91+ days away.
            let issued = random_date(&mut rng, date(2025, 3, 2), REFERENCE);
            let default = ladder::default_expiry(issued);
            if rng.chance(0.25) {
                let shorter = add_days(default, -rng.between(1, 60));
                let expires = if rng.chance(0.5) && shorter > date(2027, 2, 28) {
                    shorter
                } else {
                    default
                };
                (issued, expires, true)
            } else {
                (issued, default, false)
            }
        }
        CertificateStatus::Expiring => {
            let issued = random_date(&mut rng, FIRST_ISSUE, date(2025, 3, 1));
            (issued, ladder::default_expiry(issued), rng.chance(0.25))
        }
        CertificateStatus::Expired => {
            // A shorter certificate (for example a one-year aspirant term)
            // that ended before the reference date.
            let issued = random_date(&mut rng, FIRST_ISSUE, date(2025, 11, 29));
            let max = days_between(issued, date(2026, 11, 29)).min(729);
            let length = rng.between(max.min(364), max);
            (issued, add_days(issued, length), true)
        }
        CertificateStatus::Suspended | CertificateStatus::Withdrawn => {
            let issued = random_date(&mut rng, FIRST_ISSUE, REFERENCE);
            (issued, ladder::default_expiry(issued), rng.chance(0.2))
        }
    };
    let recorded = match plan {
        CertificateStatus::Suspended => RecordedStatus::Suspended,
        CertificateStatus::Withdrawn => RecordedStatus::Withdrawn,
        _ => RecordedStatus::Active,
    };
    debug_assert_eq!(ladder::status_on(recorded, expires, REFERENCE), plan);
    let year = if issued.year() >= 2026 { 2025 } else { 2024 };

    // Size and turnover.
    let employees = if index < 2 * ctx.size_classes.len() {
        let (lo, hi) = ctx.size_classes[index % ctx.size_classes.len()];
        rng.between(i64::from(lo), i64::from(hi)) as u32
    } else {
        random_employees(&mut rng)
    };
    let total_fte = if employees == 1 {
        q1(rng.uniform(0.4, 1.0))
    } else {
        q1(f64::from(employees) * rng.uniform(0.55, 0.98)).max(1.0)
    };
    let revenue = {
        let per_fte = f64::from(sector.revenue_per_fte_k) * 1000.0 * rng.uniform(0.7, 1.4);
        ((total_fte * per_fte / 1000.0).round() as u64 * 1000).max(25_000)
    };

    // The level aimed at, and the share of it that comes from purchases.
    let mut target = if forced {
        Level::ALL[index % Level::ALL.len()]
    } else {
        rng.weighted(&[
            (Level::Aspirant, 4),
            (Level::Basistrede, 20),
            (Level::Trede1, 27),
            (Level::Trede2, 26),
            (Level::Trede3, 22),
        ])
    };
    let want30 = !forced && rng.chance(0.03);
    let norms = norms_for(ctx, employees);
    let between = |rng: &mut Rng, lo: f64, hi: f64| lo + rng.uniform(0.2, 0.8) * (hi - lo);
    let mut aim_pct = match target {
        Level::Aspirant if rng.chance(0.25) => 0.0,
        Level::Aspirant => norms.basistrede * rng.uniform(0.1, 0.8),
        Level::Basistrede => between(&mut rng, norms.basistrede, norms.trede1),
        Level::Trede1 => between(&mut rng, norms.trede1, norms.trede2),
        Level::Trede2 => between(&mut rng, norms.trede2, norms.trede3),
        Level::Trede3 => norms.trede3 * rng.uniform(1.08, 1.6),
    };
    if want30 {
        aim_pct = aim_pct.max(rng.uniform(32.0, 60.0));
        target = Level::Trede3;
    }
    let aim_pct = aim_pct.min(85.0);
    let (planned_suppliers, planned_externals) = if forced {
        (0, 0)
    } else {
        let suppliers = rng.weighted(&[
            (0, 10),
            (1, 12),
            (2, 16),
            (3, 18),
            (4, 16),
            (5, 12),
            (6, 8),
            (7, 5),
            (8, 3),
        ]);
        // Large organisations buy from the big sheltered-work companies.
        let external_chance = if employees >= 105 { 0.7 } else { 0.3 };
        let externals = if rng.chance(external_chance) {
            1 + usize::from(rng.chance(0.25))
        } else {
            0
        };
        (suppliers, externals)
    };
    // Purchases cost roughly EUR 500,000 per indirect FTE (the median of
    // the social firms' turnover per weighted FTE), and no organisation
    // spends more than about a quarter of its turnover on them: small
    // organisations, with high norms, rely mostly on their own staff.
    let affordable_fte = 0.25 * revenue as f64 / 500_000.0;
    let wanted_fte = aim_pct / 100.0 * total_fte;
    let max_share = if wanted_fte > 0.0 {
        (affordable_fte / wanted_fte).min(0.5)
    } else {
        0.5
    };
    let indirect_share = if planned_suppliers + planned_externals == 0 {
        0.0
    } else if max_share <= 0.05 {
        rng.uniform(0.0, max_share)
    } else {
        rng.uniform(0.05, max_share)
    };
    let direct_target = aim_pct * (1.0 - indirect_share) / 100.0 * total_fte;

    // Target-group rows; the forced records must reach their level directly.
    let mut rows = make_rows(
        &mut rng,
        &ctx.weights,
        direct_target,
        total_fte,
        employees,
        want30,
    );
    if forced {
        let reached = |rows: &[TargetGroupRow]| {
            let d = ladder::direct_weighted_fte(rows, &ctx.weights);
            level_of(ladder::percentages(d, 0.0, total_fte).total, &norms)
        };
        let wanted = (target != Level::Aspirant).then_some(target);
        for _ in 0..100 {
            if reached(&rows) == wanted {
                break;
            }
            rows = make_rows(
                &mut rng,
                &ctx.weights,
                direct_target,
                total_fte,
                employees,
                want30,
            );
        }
    }
    let direct_fte = ladder::direct_weighted_fte(&rows, &ctx.weights);

    Org {
        id,
        name,
        kvk: kvk_number(ctx.seed, index),
        city,
        province,
        sector,
        website,
        founded: rng.between(1952, 2022) as i32,
        cert_number: format!("PSO-{}-{:05}", issued.year(), index + 1),
        body: words::BODIES[rng.index(words::BODIES.len())],
        issued,
        expires,
        write_expires,
        recorded,
        write_active: recorded == RecordedStatus::Active && rng.chance(0.15),
        year,
        employees,
        total_fte,
        revenue,
        rows,
        purchases: Vec::new(),
        quality_met: forced || !rng.chance(0.006),
        direct_fte,
        aim_pct,
        planned_suppliers,
        planned_externals,
        level: Level::Aspirant,
        status: plan,
        pso30plus: false,
        aspirant_plan: false,
        aspirant_extensions: 0,
        total_pct: 0.0,
        summary: String::new(),
        description: None,
    }
}

/// Target-group rows whose direct weighted FTE is close to `target`, with
/// the FTE summing to at most 95% of `total_fte` and the payroll persons to
/// at most `employees` (and to at least 30% of them when `want30`).
fn make_rows(
    rng: &mut Rng,
    weights: &Weights,
    target: f64,
    total_fte: f64,
    employees: u32,
    want30: bool,
) -> Vec<TargetGroupRow> {
    if target < 0.005 {
        return Vec::new();
    }
    let max_rows = (employees as usize).clamp(1, 8);
    let by_size = 2 + target as usize;
    let n = 1 + rng.index(by_size.min(max_rows));
    let weight = |row: &TargetGroupRow| {
        weights.position(&row.position).unwrap_or(0.0)
            * weights.contract(&row.contract).unwrap_or(0.0)
    };
    let mut shares: Vec<f64> = (0..n).map(|_| rng.uniform(0.3, 1.0)).collect();
    let sum: f64 = shares.iter().sum();
    shares.iter_mut().for_each(|s| *s /= sum);
    let mut rows: Vec<TargetGroupRow> = shares
        .iter()
        .map(|&share| {
            let position = rng.weighted(POSITIONS).to_string();
            let contract = rng
                .weighted(if want30 { PAYROLL } else { CONTRACTS })
                .to_string();
            let mut row = TargetGroupRow {
                position: position.into(),
                contract: contract.into(),
                fte: 0.0,
                persons: 0,
            };
            row.fte = q2(share * target / weight(&row)).max(0.01);
            row
        })
        .collect();
    // Too many low-weight rows would need more FTE than there is: replace
    // the lowest-weighted by weight-1 rows until the rows fit.
    let fte_sum = |rows: &[TargetGroupRow]| rows.iter().map(|r| r.fte).sum::<f64>();
    while fte_sum(&rows) > 0.9 * total_fte {
        let Some((i, _)) = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| weight(r) < 1.0)
            .min_by(|a, b| weight(a.1).total_cmp(&weight(b.1)))
        else {
            break;
        };
        rows[i].position = "participatiewet".into();
        rows[i].contract = "regulier".into();
        rows[i].fte = q2(shares[i] * target).max(0.01);
    }
    // Fine-tune the heaviest row so D comes close to the target.
    let best = (0..rows.len())
        .max_by(|&a, &b| weight(&rows[a]).total_cmp(&weight(&rows[b])))
        .expect("at least one row");
    let w = weight(&rows[best]);
    let d = ladder::direct_weighted_fte(&rows, weights);
    let others = fte_sum(&rows) - rows[best].fte;
    rows[best].fte = q2(rows[best].fte + (target - d) / w)
        .min(q2(0.95 * total_fte - others))
        .max(0.01);
    // Now and then a trial placement, which weighs 0.
    let spare = 0.95 * total_fte - fte_sum(&rows);
    if rows.len() < max_rows && spare > 0.3 && !want30 && rng.chance(0.05) {
        rows.push(TargetGroupRow {
            position: rng.weighted(POSITIONS).into(),
            contract: "proefplaatsing".into(),
            fte: q2(rng.uniform(0.2, 1.0).min(spare - 0.05)),
            persons: 0,
        });
    }
    assign_persons(rng, &mut rows, employees, total_fte, want30);
    rows
}

fn is_payroll(row: &TargetGroupRow) -> bool {
    trede::records::PAYROLL_CONTRACTS.contains(&row.contract.as_str())
}

/// Persons per row: part-timers, at least one per row. With `want30` the
/// payroll (contracts `regulier` and `begeleid-werken`) is between 30% of the
/// headcount and the headcount; otherwise it stays below 30%, and a payroll
/// row that does not fit becomes a secondment (`detachering`) with the same
/// weighted FTE.
fn assign_persons(
    rng: &mut Rng,
    rows: &mut [TargetGroupRow],
    employees: u32,
    total_fte: f64,
    want30: bool,
) {
    let employees = i64::from(employees);
    let mut payroll_left = rows.iter().filter(|r| is_payroll(r)).count() as i64;
    let mut budget = if want30 {
        employees
    } else {
        (3 * employees - 1) / 10
    };
    let mut fte_sum: f64 = rows.iter().map(|r| r.fte).sum();
    for row in rows.iter_mut() {
        let part_time = rng.uniform(0.5, 1.0);
        let wanted = ((row.fte / part_time).ceil() as i64).max(1);
        if is_payroll(row) {
            payroll_left -= 1;
            if want30 {
                // Keep one person for every later payroll row.
                let p = wanted.min(budget - payroll_left).max(0);
                budget -= p;
                row.persons = p as u32;
                continue;
            }
            let minimum = (row.fte.ceil() as i64).max(1);
            if budget >= minimum {
                let p = wanted.clamp(minimum, budget);
                budget -= p;
                row.persons = p as u32;
                continue;
            }
            row.contract = "detachering".into();
            let more = (q2(row.fte / 0.9) - row.fte)
                .min(0.95 * total_fte - fte_sum)
                .max(0.0);
            row.fte = q2(row.fte + more);
            fte_sum += more;
        }
        row.persons = wanted as u32;
    }
    if want30 {
        let needed = (3 * employees + 9) / 10;
        let payroll: i64 = rows
            .iter()
            .filter(|r| is_payroll(r))
            .map(|r| i64::from(r.persons))
            .sum();
        if payroll < needed
            && let Some(row) = rows.iter_mut().find(|r| is_payroll(r))
        {
            row.persons += (needed - payroll) as u32;
        }
    }
}

/// Sheltered-work companies outside the registry, the same for every record.
pub fn externals(ctx: &Ctx) -> Vec<External> {
    let mut rng = Rng::for_item(ctx.seed, STREAM_EXTERNAL, 0);
    words::REGIONS
        .iter()
        .map(|region| {
            let kind = *rng.pick(words::EXTERNAL_KINDS);
            let revenue = rng.between(2_000, 80_000) as u64 * 1_000;
            let fte = revenue as f64 / rng.uniform(40_000.0, 80_000.0);
            External {
                name: format!("{kind} {region}"),
                revenue,
                direct_fte: q1(fte * rng.uniform(0.55, 0.9)),
            }
        })
        .collect()
}

/// Who may be chosen as a registry supplier.
pub struct Pools {
    /// Every record that is not withdrawn.
    pub eligible: Vec<usize>,
    /// Of those, the ones with a direct percentage of 10 or more: the social
    /// firms others buy from most.
    pub social: Vec<usize>,
}

impl Pools {
    pub fn new(orgs: &[Org]) -> Pools {
        let eligible: Vec<usize> = (0..orgs.len())
            .filter(|&i| orgs[i].recorded != RecordedStatus::Withdrawn)
            .collect();
        let social = eligible
            .iter()
            .copied()
            .filter(|&i| orgs[i].direct_fte >= 0.1 * orgs[i].total_fte)
            .collect();
        Pools { eligible, social }
    }
}

/// Deliberate purchase cycles: pairs (i <-> i+1 for i = 40, 80, ...) and
/// triangles (i -> i+1 -> i+2 -> i for i = 97, 194, ...).
fn cycle_partners(index: usize, count: usize) -> Vec<usize> {
    let mut partners = Vec::new();
    if index >= 40 {
        match index % 40 {
            0 if index + 1 < count => partners.push(index + 1),
            1 => partners.push(index - 1),
            _ => {}
        }
    }
    let start = index - index % 97;
    if start >= 97 && start + 2 < count {
        partners.push(match index - start {
            0 => start + 1,
            1 => start + 2,
            2 => start,
            _ => return partners,
        });
    }
    partners
}

/// Rounds a purchase amount down to a plausible invoice total.
fn round_amount(a: f64) -> u64 {
    let a = a.max(250.0);
    let step = if a >= 10_000.0 { 100.0 } else { 10.0 };
    ((a / step).floor() * step) as u64
}

/// Pass 2: the purchases of record `index`.
pub fn purchases(
    ctx: &Ctx,
    orgs: &[Org],
    pools: &Pools,
    externals: &[External],
    index: usize,
) -> Vec<Buy> {
    let org = &orgs[index];
    if index < FORCED_COMBINATIONS {
        return Vec::new();
    }
    let mut rng = Rng::for_item(ctx.seed, STREAM_PURCHASES, index as u64);
    let usable = |j: usize| j != index && orgs[j].recorded != RecordedStatus::Withdrawn;
    let mut suppliers: Vec<usize> = Vec::new();
    for j in cycle_partners(index, orgs.len()) {
        if usable(j) && !suppliers.contains(&j) {
            suppliers.push(j);
        }
    }
    for _ in 0..org.planned_suppliers {
        for _ in 0..10 {
            let pool = if !pools.social.is_empty() && rng.chance(0.7) {
                &pools.social
            } else {
                &pools.eligible
            };
            if pool.is_empty() {
                break;
            }
            let j = *rng.pick(pool);
            if usable(j) && !suppliers.contains(&j) {
                suppliers.push(j);
                break;
            }
        }
    }
    let mut chosen_externals: Vec<usize> = Vec::new();
    for _ in 0..org.planned_externals {
        let e = rng.index(externals.len());
        if !chosen_externals.contains(&e) {
            chosen_externals.push(e);
        }
    }
    if suppliers.is_empty() && chosen_externals.is_empty() {
        return Vec::new();
    }

    // Indirect FTE needed to bring the total to the aimed percentage,
    // (D + Ic) / (T + Ic) = p, kept under the cap.
    let p = org.aim_pct / 100.0;
    let needed = if p > 0.0 && p < 1.0 {
        ((p * org.total_fte - org.direct_fte) / (1.0 - p)).clamp(0.0, 3.8 * org.direct_fte)
    } else {
        0.0
    };
    // Each purchase: the supplier's weighted FTE per euro of its turnover,
    // and the most one customer buys from it (25% of a registry supplier's
    // turnover, 10% of a sheltered-work company's).
    let mut terms: Vec<(f64, f64)> = suppliers
        .iter()
        .map(|&j| {
            let s = &orgs[j];
            (s.direct_fte / s.revenue as f64, 0.25 * s.revenue as f64)
        })
        .collect();
    let external_term = |e: usize| {
        let x = &externals[e];
        (x.direct_fte / x.revenue as f64, 0.1 * x.revenue as f64)
    };
    terms.extend(chosen_externals.iter().map(|&e| external_term(e)));
    let mut shares: Vec<f64> = terms.iter().map(|_| rng.uniform(0.2, 1.0)).collect();
    let mut amounts = vec![0.0; terms.len()];
    // Spread the spending over the purchases by their random shares, so
    // that together they deliver the needed FTE; what a full supplier cannot
    // deliver goes to the others, a few rounds. When that is not enough, buy
    // from one more sheltered-work company.
    let mut remaining = needed;
    loop {
        for _ in 0..4 {
            let open: Vec<usize> = (0..terms.len())
                .filter(|&k| terms[k].0 > 0.0 && amounts[k] < terms[k].1)
                .collect();
            let fte_per_share: f64 = open.iter().map(|&k| shares[k] * terms[k].0).sum();
            if remaining <= 1e-9 || open.is_empty() {
                break;
            }
            let mut delivered = 0.0;
            for &k in &open {
                let (per_euro, most) = terms[k];
                let extra = (remaining * shares[k] / fte_per_share).min(most - amounts[k]);
                amounts[k] += extra;
                delivered += extra * per_euro;
            }
            remaining -= delivered;
        }
        if remaining <= 0.02 * needed || chosen_externals.len() >= 3 {
            break;
        }
        let e = rng.index(externals.len());
        if !chosen_externals.contains(&e) {
            chosen_externals.push(e);
            terms.push(external_term(e));
            shares.push(1.0);
            amounts.push(0.0);
        }
    }
    // Purchases that add nothing needed (direct already enough, or a
    // supplier without target-group staff) are small ones.
    for (k, amount) in amounts.iter_mut().enumerate() {
        if *amount < 1.0 {
            let small = if terms[k].0 > 0.0 {
                (0.002 * org.total_fte / terms[k].0).min(5_000.0)
            } else {
                rng.uniform(500.0, 25_000.0)
            };
            *amount = small.min(terms[k].1);
        }
    }
    // No organisation spends more than about a third of its turnover this way.
    let total: f64 = amounts.iter().sum();
    let limit = 0.35 * org.revenue as f64;
    if total > limit {
        amounts.iter_mut().for_each(|a| *a *= limit / total);
    }
    let mut buys: Vec<Buy> = suppliers
        .iter()
        .zip(&amounts)
        .map(|(&supplier, &a)| Buy::Registry {
            supplier,
            amount: round_amount(a),
        })
        .collect();
    buys.extend(
        chosen_externals
            .iter()
            .zip(&amounts[suppliers.len()..])
            .map(|(&external, &a)| Buy::External {
                external,
                amount: round_amount(a),
            }),
    );
    buys
}

/// The purchases of a record in the library's form.
pub fn library_purchases(org: &Org, orgs: &[Org], externals: &[External]) -> Vec<Purchase> {
    org.purchases
        .iter()
        .map(|buy| match *buy {
            Buy::Registry { supplier, amount } => Purchase::Registry {
                supplier: orgs[supplier].id.clone(),
                amount_eur: amount as f64,
            },
            Buy::External { external, amount } => {
                let x = &externals[external];
                Purchase::External {
                    supplier_name: x.name.clone(),
                    amount_eur: amount as f64,
                    supplier_revenue_eur: x.revenue as f64,
                    supplier_direct_fte: x.direct_fte,
                }
            }
        })
        .collect()
}

/// What pass 3 decides for one record.
pub struct Settled {
    pub level: Level,
    pub pso30plus: bool,
    pub aspirant_plan: bool,
    pub aspirant_extensions: u8,
    pub total_pct: f64,
    pub summary: String,
    pub description: Option<String>,
}

/// Pass 3: the level of record `index`, computed with the library exactly as
/// the build computes it (spec section 3).
pub fn settle(
    ctx: &Ctx,
    orgs: &[Org],
    ids: &HashMap<&str, usize>,
    externals: &[External],
    index: usize,
) -> Settled {
    let org = &orgs[index];
    let mut rng = Rng::for_item(ctx.seed, STREAM_SETTLE, index as u64);
    let purchases = library_purchases(org, orgs, externals);
    let supplier = |id: &str| {
        ids.get(id).map(|&j| SupplierFigures {
            direct_fte: orgs[j].direct_fte,
            revenue_eur: orgs[j].revenue as f64,
            withdrawn: orgs[j].recorded == RecordedStatus::Withdrawn,
        })
    };
    let mut input = OrgInput {
        employees: org.employees,
        total_fte: org.total_fte,
        target_group: &org.rows,
        purchases: &purchases,
        quality_met: org.quality_met,
        aspirant_plan: false,
    };
    let mut outcome = ladder::compute(&input, &ctx.weights, &ctx.norms, supplier);
    let aspirant_plan = outcome.level.is_none();
    if aspirant_plan {
        input.aspirant_plan = true;
        outcome = ladder::compute(&input, &ctx.weights, &ctx.norms, supplier);
    }
    assert!(
        outcome.withdrawn_suppliers.is_empty(),
        "{}: bought from a withdrawn supplier",
        org.id
    );
    let level = outcome.level.expect("an aspirant plan gives a level");
    let aspirant_extensions = if level == Level::Aspirant {
        rng.weighted(&[(0u8, 65), (1, 25), (2, 10)])
    } else {
        0
    };
    let summary = text::summary(&mut rng, org);
    let description = rng
        .chance(0.33)
        .then(|| text::description(&mut rng, org, level));
    Settled {
        level,
        pso30plus: outcome.pso30plus,
        aspirant_plan,
        aspirant_extensions,
        total_pct: ladder::round2(outcome.percentages.total),
        summary,
        description,
    }
}
