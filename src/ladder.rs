//! The ladder computation of spec/records.md section 3: pure functions, no I/O.
//!
//! One function per step of section 3, named after it, each with a worked
//! example: [`direct_weighted_fte`] (3.1), [`indirect_fte`] (3.2),
//! [`cap_indirect`] (3.3), [`percentages`] (3.4), [`norms_for_size`] and
//! [`level`] (3.5), [`default_expiry`] (3.6), [`declared_level_differs`]
//! (3.7), [`pso30plus`] (3.8) and [`status_on`] (3.9). [`compute`] runs steps
//! 1 to 5 and 8 for one organisation.
//!
//! Sums over target-group rows and purchases add their terms in a fixed
//! (sorted) order, so a result never depends on the order of the rows in a
//! record, not even in the last bit.

use std::fmt;

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::tables::{NormTable, Weights};

/// A level of the ladder, lowest first (the derived order is the ladder order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Aspirant,
    Basistrede,
    #[serde(rename = "trede-1")]
    Trede1,
    #[serde(rename = "trede-2")]
    Trede2,
    #[serde(rename = "trede-3")]
    Trede3,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 5] = [
        Level::Aspirant,
        Level::Basistrede,
        Level::Trede1,
        Level::Trede2,
        Level::Trede3,
    ];

    /// The key used in records and registry.json (`"trede-1"`, ...).
    pub fn key(self) -> &'static str {
        match self {
            Level::Aspirant => "aspirant",
            Level::Basistrede => "basistrede",
            Level::Trede1 => "trede-1",
            Level::Trede2 => "trede-2",
            Level::Trede3 => "trede-3",
        }
    }

    /// The level with this key, `None` for an unknown key.
    pub fn parse(key: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|level| level.key() == key)
    }

    /// The level above this one, `None` for trede-3.
    pub fn next(self) -> Option<Level> {
        match self {
            Level::Aspirant => Some(Level::Basistrede),
            Level::Basistrede => Some(Level::Trede1),
            Level::Trede1 => Some(Level::Trede2),
            Level::Trede2 => Some(Level::Trede3),
            Level::Trede3 => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The certificate status as written in a record (`certificate.status`).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum RecordedStatus {
    #[default]
    Active,
    Suspended,
    Withdrawn,
}

impl RecordedStatus {
    pub const ALL: [RecordedStatus; 3] = [
        RecordedStatus::Active,
        RecordedStatus::Suspended,
        RecordedStatus::Withdrawn,
    ];

    pub fn key(self) -> &'static str {
        match self {
            RecordedStatus::Active => "active",
            RecordedStatus::Suspended => "suspended",
            RecordedStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(key: &str) -> Option<RecordedStatus> {
        RecordedStatus::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// The certificate status on the reference date (step 9), as published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CertificateStatus {
    Valid,
    Expiring,
    Expired,
    Suspended,
    Withdrawn,
}

impl CertificateStatus {
    pub const ALL: [CertificateStatus; 5] = [
        CertificateStatus::Valid,
        CertificateStatus::Expiring,
        CertificateStatus::Expired,
        CertificateStatus::Suspended,
        CertificateStatus::Withdrawn,
    ];

    pub fn key(self) -> &'static str {
        match self {
            CertificateStatus::Valid => "valid",
            CertificateStatus::Expiring => "expiring",
            CertificateStatus::Expired => "expired",
            CertificateStatus::Suspended => "suspended",
            CertificateStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(key: &str) -> Option<CertificateStatus> {
        CertificateStatus::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// One `[[measurement.target_group]]` row. Deliberately not `Serialize`:
/// per-row figures are never published (spec section 5).
#[derive(Debug, Clone, PartialEq)]
pub struct TargetGroupRow {
    pub position: Key,
    pub contract: Key,
    pub fte: f64,
    pub persons: u32,
}

/// A target-group row's position or contract key, kept inline up to 24
/// bytes (every key of the reference tables), without an allocation of its
/// own: a registry of 100,000 organisations has some 430,000 of them. It
/// reads as a `str`. `compact_str` is already built for minify-html.
pub type Key = compact_str::CompactString;

/// One `[[measurement.purchases]]` row, in one of its two forms. Deliberately
/// not `Serialize`: purchase amounts and supplier turnover are never published.
#[derive(Debug, Clone, PartialEq)]
pub enum Purchase {
    /// Form (a): a supplier in this registry, by id.
    Registry { supplier: String, amount_eur: f64 },
    /// Form (b): a supplier outside the registry, with its own figures.
    External {
        supplier_name: String,
        amount_eur: f64,
        supplier_revenue_eur: f64,
        supplier_direct_fte: f64,
    },
}

/// What the computation knows of a registry supplier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SupplierFigures {
    /// The supplier's own direct weighted FTE (step 1 on its record).
    pub direct_fte: f64,
    /// The supplier's `revenue_eur`.
    pub revenue_eur: f64,
    /// Whether the supplier's certificate status is `withdrawn`.
    pub withdrawn: bool,
}

/// The four norms (percent of total FTE) for one size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Norms {
    pub basistrede: f64,
    #[serde(rename = "trede-1")]
    pub trede1: f64,
    #[serde(rename = "trede-2")]
    pub trede2: f64,
    #[serde(rename = "trede-3")]
    pub trede3: f64,
}

impl Norms {
    /// The norm of a level; `None` for aspirant, which has no norm.
    /// (Named `for_level` because `for` is a Rust keyword.)
    pub fn for_level(&self, level: Level) -> Option<f64> {
        match level {
            Level::Aspirant => None,
            Level::Basistrede => Some(self.basistrede),
            Level::Trede1 => Some(self.trede1),
            Level::Trede2 => Some(self.trede2),
            Level::Trede3 => Some(self.trede3),
        }
    }

    /// The norms rounded with [`round2`], as published in registry.json.
    pub fn rounded(&self) -> Norms {
        Norms {
            basistrede: round2(self.basistrede),
            trede1: round2(self.trede1),
            trede2: round2(self.trede2),
            trede3: round2(self.trede3),
        }
    }
}

/// How the norms were found: the table rows used and the interpolation fraction, so pages can explain it in plain Dutch.
///
/// `norms = lower row + fraction x (upper row - lower row)`. When the size is
/// exactly a table row, or outside the table, `lower_size == upper_size` and
/// `fraction` is 0; `clamped` says the size lay outside the table (below the
/// first row or above the last).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct NormLookup {
    /// Unrounded.
    pub norms: Norms,
    pub lower_size: u32,
    pub upper_size: u32,
    pub fraction: f64,
    pub clamped: bool,
}

/// Step 1: the direct weighted FTE, D = sum of `fte x weight(position) x weight(contract)`.
///
/// Worked example: 2.0 FTE `wajong` (1) on `regulier` (1) gives 2.0; 1.0 FTE
/// `ww` (0.75) on `detachering` (0.9) gives 0.675; D = 2.675. An unknown key
/// counts as weight 0 (validation rejects it before this point).
///
/// ```
/// use trede::ladder::{direct_weighted_fte, TargetGroupRow};
/// let row = |position: &str, contract: &str, fte| TargetGroupRow {
///     position: position.into(), contract: contract.into(), fte, persons: 1 };
/// let rows = [row("wajong", "regulier", 2.0), row("ww", "detachering", 1.0)];
/// let d = direct_weighted_fte(&rows, &trede::tables::Weights::embedded());
/// assert!((d - 2.675).abs() < 1e-12);
/// ```
pub fn direct_weighted_fte(rows: &[TargetGroupRow], weights: &Weights) -> f64 {
    sum_in_order(rows.iter().map(|row| {
        direct_term(
            row.fte,
            weights.position(&row.position),
            weights.contract(&row.contract),
        )
    }))
}

/// One row's term of [`direct_weighted_fte`], given its weights (an unknown
/// key weighs 0).
pub(crate) fn direct_term(fte: f64, position: Option<f64>, contract: Option<f64>) -> f64 {
    fte * position.unwrap_or(0.0) * contract.unwrap_or(0.0)
}

/// The indirect FTE of a record's purchases (step 2).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndirectFte {
    /// I, before the cap.
    pub total: f64,
    /// Ids of registry suppliers skipped because their certificate is
    /// withdrawn (a warning upstream), sorted, without duplicates.
    pub withdrawn_suppliers: Vec<String>,
}

/// Step 2: the indirect FTE, I = sum of `amount_eur x D_s / revenue_eur_s`.
///
/// For a registry supplier D_s is its *direct* weighted FTE only (no chains,
/// so purchase cycles are harmless); a withdrawn supplier counts 0 and is
/// listed; an id the closure does not know counts 0. A revenue of 0 counts 0.
///
/// Worked example: EUR 42,000 from a registry supplier with D_s = 20 and
/// revenue EUR 1,400,000 gives 42,000 x 20 / 1,400,000 = 0.6; EUR 18,000 from
/// an SW-bedrijf with 310 FTE on EUR 12,000,000 gives 0.465; I = 1.065.
///
/// ```
/// use trede::ladder::{indirect_fte, Purchase, SupplierFigures};
/// let purchases = [
///     Purchase::Registry { supplier: "de-ster".into(), amount_eur: 42_000.0 },
///     Purchase::External { supplier_name: "Werkbedrijf".into(), amount_eur: 18_000.0,
///         supplier_revenue_eur: 12_000_000.0, supplier_direct_fte: 310.0 },
/// ];
/// let figures = SupplierFigures { direct_fte: 20.0, revenue_eur: 1_400_000.0, withdrawn: false };
/// let i = indirect_fte(&purchases, |id| (id == "de-ster").then_some(figures));
/// assert!((i.total - 1.065).abs() < 1e-12);
/// ```
pub fn indirect_fte(
    purchases: &[Purchase],
    supplier: impl Fn(&str) -> Option<SupplierFigures>,
) -> IndirectFte {
    indirect_fte_indexed(purchases, |_, id| supplier(id))
}

/// [`indirect_fte`], with `supplier` also given the index of the purchase
/// in `purchases`, for a caller that has looked every supplier up already.
pub fn indirect_fte_indexed(
    purchases: &[Purchase],
    supplier: impl Fn(usize, &str) -> Option<SupplierFigures>,
) -> IndirectFte {
    let mut withdrawn_suppliers = Vec::new();
    let mut terms = Terms::default();
    for (index, purchase) in purchases.iter().enumerate() {
        match purchase {
            Purchase::Registry {
                supplier: id,
                amount_eur,
            } => match supplier(index, id) {
                Some(figures) if figures.withdrawn => withdrawn_suppliers.push(id.clone()),
                Some(figures) => {
                    terms.push(pro_rata(
                        *amount_eur,
                        figures.direct_fte,
                        figures.revenue_eur,
                    ));
                }
                None => {}
            },
            Purchase::External {
                amount_eur,
                supplier_revenue_eur,
                supplier_direct_fte,
                ..
            } => terms.push(pro_rata(
                *amount_eur,
                *supplier_direct_fte,
                *supplier_revenue_eur,
            )),
        }
    }
    withdrawn_suppliers.sort();
    withdrawn_suppliers.dedup();
    IndirectFte {
        total: terms.sum(),
        withdrawn_suppliers,
    }
}

fn pro_rata(amount_eur: f64, direct_fte: f64, revenue_eur: f64) -> f64 {
    if revenue_eur > 0.0 {
        amount_eur * direct_fte / revenue_eur
    } else {
        0.0
    }
}

/// Sums in ascending order, so the result does not depend on the input order.
fn sum_in_order(terms: impl IntoIterator<Item = f64>) -> f64 {
    let mut in_order = Terms::default();
    terms.into_iter().for_each(|t| in_order.push(t));
    in_order.sum()
}

/// Terms to add in ascending order; a record has a handful, kept on the
/// stack (no allocation per record).
#[derive(Default)]
pub(crate) struct Terms {
    small: [f64; 8],
    len: usize,
    more: Vec<f64>,
}

impl Terms {
    pub(crate) fn push(&mut self, term: f64) {
        if self.len < self.small.len() {
            self.small[self.len] = term;
            self.len += 1;
        } else {
            if self.more.is_empty() {
                self.more.extend_from_slice(&self.small);
            }
            self.more.push(term);
        }
    }

    pub(crate) fn sum(mut self) -> f64 {
        let terms = if self.more.is_empty() {
            &mut self.small[..self.len]
        } else {
            &mut self.more[..]
        };
        terms.sort_by(f64::total_cmp);
        terms.iter().sum()
    }
}

/// Step 3: the cap, Ic = min(I, 4 x D), so the indirect part is at most 80% of the total.
///
/// Worked example: D = 0.5, I = 3 gives Ic = 2 (cap engaged); D = 1, I = 3
/// gives Ic = 3 (not engaged).
///
/// ```
/// assert_eq!(trede::ladder::cap_indirect(3.0, 0.5), 2.0);
/// assert_eq!(trede::ladder::cap_indirect(3.0, 1.0), 3.0);
/// ```
pub fn cap_indirect(indirect: f64, direct: f64) -> f64 {
    indirect.min(4.0 * direct)
}

/// The three percentages of step 4, unrounded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Percentages {
    pub direct: f64,
    pub indirect: f64,
    pub total: f64,
}

/// Step 4: direct = 100 x D / (T + Ic), indirect = 100 x Ic / (T + Ic), total = direct + indirect.
///
/// Worked example: D = 2, Ic = 1, T = 49: direct = 200 / 50 = 4, indirect =
/// 100 / 50 = 2, total = 6. A non-positive T + Ic (rejected upstream) gives 0.
///
/// ```
/// let p = trede::ladder::percentages(2.0, 1.0, 49.0);
/// assert_eq!((p.direct, p.indirect, p.total), (4.0, 2.0, 6.0));
/// ```
pub fn percentages(direct: f64, capped_indirect: f64, total_fte: f64) -> Percentages {
    let denominator = total_fte + capped_indirect;
    if denominator <= 0.0 {
        return Percentages {
            direct: 0.0,
            indirect: 0.0,
            total: 0.0,
        };
    }
    let direct = 100.0 * direct / denominator;
    let indirect = 100.0 * capped_indirect / denominator;
    Percentages {
        direct,
        indirect,
        total: direct + indirect,
    }
}

/// Rounds to two decimals, half away from zero, as a person would round the
/// decimal number: `1.005 -> 1.01`, `4.325 -> 4.33`, `2.675 -> 2.68`,
/// `-1.005 -> -1.01`.
///
/// Binary floats cannot hold most decimals exactly (1.005 is stored as
/// 1.00499999999999989...), and arithmetic adds errors in the last bits. So
/// the value is first written as a decimal with nine decimals (correctly
/// rounded), which snaps such representation and arithmetic errors back onto
/// the intended decimal, and that decimal is rounded half away from zero. A
/// consequence: a value within 5e-10 below a half (e.g. 1.0049999996) rounds
/// up. The result is the float nearest the two-decimal number, so rounding
/// twice changes nothing. NaN, infinities and magnitudes of 1e13 or more are
/// returned unchanged.
///
/// ```
/// use trede::ladder::round2;
/// assert_eq!(round2(1.005), 1.01);
/// assert_eq!(round2(4.325), 4.33);
/// assert_eq!(round2(1.004999), 1.0);
/// ```
pub fn round2(x: f64) -> f64 {
    if !x.is_finite() || x.abs() >= 1e13 {
        return x;
    }
    // In integers, exactly what writing `{:.9}` and rounding that text
    // would give (a property test compares the two on many values):
    // first |x| in billionths, rounded half to even as the formatter does,
    // then to hundredths, half up.
    let nanos = billionths(x.abs());
    let cents = match u64::try_from(nanos) {
        Ok(nanos) => nanos / 10_000_000 + u64::from(nanos % 10_000_000 >= 5_000_000),
        // |x| of 1.8e10 and more (below 1e13): cents < 10^15 fit in u64.
        Err(_) => ((nanos + 5_000_000) / 10_000_000) as u64,
    };
    if cents == 0 {
        return 0.0;
    }
    // cents < 2^53, so both conversions are exact and the division is
    // correctly rounded.
    let magnitude = cents as f64 / 100.0;
    if x < 0.0 { -magnitude } else { magnitude }
}

/// `x` (finite, non-negative, below 1e13) times 10^9, rounded to the
/// nearest integer, ties to even: the digits `format!("{x:.9}")` writes.
/// (A tie is a multiple of 1/1024 and never next to a half cent, so the
/// tie rule cannot change [`round2`]; it is kept to match the text anyway.)
fn billionths(x: f64) -> u128 {
    let bits = x.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    // x = mantissa x 2^power exactly.
    let (mantissa, power) = if exponent == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), exponent - 1075)
    };
    // mantissa < 2^53 and 10^9 < 2^30: the product fits in 83 bits.
    let scaled = u128::from(mantissa) * 1_000_000_000;
    if power >= 0 {
        // x < 1e13 < 2^44, so x itself is an integer of at most 44 bits.
        scaled << power
    } else if power <= -100 {
        0 // x < 2^53 x 2^-100, far below half a billionth
    } else {
        let shift = power.unsigned_abs();
        let whole = scaled >> shift;
        let rest = scaled & ((1u128 << shift) - 1);
        let half = 1u128 << (shift - 1);
        whole + u128::from(rest > half || (rest == half && whole & 1 == 1))
    }
}

/// Step 5, first half: the norms for E employees, interpolated linearly
/// between the table rows on either side.
///
/// Below the first row the first row is used, from the last row up the last
/// row (with the default table: below 2 uses row 2, 105 and more row 105).
///
/// Worked example (default table): 54 lies between rows 50 (2.2, 3.0, 3.7,
/// 6.8) and 60 (1.8, 2.6, 3.4, 5.7), fraction (54 - 50) / (60 - 50) = 0.4:
/// basistrede 2.2 - 0.4 x 0.4 = 2.04, trede-1 3.0 - 0.4 x 0.4 = 2.84,
/// trede-2 3.7 - 0.4 x 0.3 = 3.58, trede-3 6.8 - 0.4 x 1.1 = 6.36.
///
/// ```
/// use trede::ladder::norms_for_size;
/// let lookup = norms_for_size(&trede::tables::NormTable::embedded(), 54);
/// assert_eq!((lookup.lower_size, lookup.upper_size, lookup.fraction), (50, 60, 0.4));
/// assert_eq!(lookup.norms.rounded().trede2, 3.58);
/// ```
///
/// # Panics
///
/// When the table has no rows ([`NormTable::parse`] never returns such a table).
pub fn norms_for_size(table: &NormTable, employees: u32) -> NormLookup {
    let rows = &table.rows;
    let first = rows.first().expect("a norm table has at least one row");
    let last = rows.last().expect("a norm table has at least one row");
    let at_row = |row: &crate::tables::NormRow, clamped: bool| NormLookup {
        norms: Norms {
            basistrede: row.basistrede,
            trede1: row.trede1,
            trede2: row.trede2,
            trede3: row.trede3,
        },
        lower_size: row.size,
        upper_size: row.size,
        fraction: 0.0,
        clamped,
    };
    if employees <= first.size {
        return at_row(first, employees < first.size);
    }
    if employees >= last.size {
        return at_row(last, employees > last.size);
    }
    // first.size < employees < last.size: rows[i - 1].size <= employees < rows[i].size.
    let i = rows.partition_point(|row| row.size <= employees);
    let (lower, upper) = (&rows[i - 1], &rows[i]);
    if lower.size == employees {
        return at_row(lower, false);
    }
    let fraction = f64::from(employees - lower.size) / f64::from(upper.size - lower.size);
    let between = |low: f64, high: f64| low + fraction * (high - low);
    NormLookup {
        norms: Norms {
            basistrede: between(lower.basistrede, upper.basistrede),
            trede1: between(lower.trede1, upper.trede1),
            trede2: between(lower.trede2, upper.trede2),
            trede3: between(lower.trede3, upper.trede3),
        },
        lower_size: lower.size,
        upper_size: upper.size,
        fraction,
        clamped: false,
    }
}

/// Step 5, second half: the level reached. `None` means "reaches no level",
/// an error upstream.
///
/// The total and each norm are rounded with [`round2`] and compared with
/// `>=`, from trede-3 down. If no norm is reached, or the quality criteria
/// were not met, the level is aspirant when a plan of approach was accepted.
///
/// Worked example (size 54, norms 2.04 / 2.84 / 3.58 / 6.36): a total of
/// 4.33 reaches trede-2; 3.575 rounds to 3.58 and still reaches trede-2;
/// 3.574 rounds to 3.57 and reaches trede-1; 1.5 reaches nothing, so it is
/// aspirant with a plan and `None` without one.
///
/// ```
/// use trede::ladder::{level, Level, Norms};
/// let norms = Norms { basistrede: 2.04, trede1: 2.84, trede2: 3.58, trede3: 6.36 };
/// assert_eq!(level(4.33, &norms, true, false), Some(Level::Trede2));
/// assert_eq!(level(1.5, &norms, true, true), Some(Level::Aspirant));
/// assert_eq!(level(9.0, &norms, false, false), None);
/// ```
pub fn level(
    total_pct: f64,
    norms: &Norms,
    quality_met: bool,
    aspirant_plan: bool,
) -> Option<Level> {
    let total = round2(total_pct);
    let reached = Level::ALL.into_iter().rev().find(|&level| {
        norms
            .for_level(level)
            .is_some_and(|norm| total >= round2(norm))
    });
    match reached {
        Some(level) if quality_met => Some(level),
        _ => aspirant_plan.then_some(Level::Aspirant),
    }
}

/// Step 6: the default expiry, the day before the second anniversary of
/// `issued`; the anniversary of 29 February in a non-leap year is 1 March.
///
/// Worked examples: issued 2025-04-01 expires 2027-03-31; issued 2024-02-29
/// has its second anniversary on 2026-03-01 and expires 2026-02-28.
/// Saturates at the last representable date (9999-12-31).
///
/// ```
/// use jiff::civil::date;
/// assert_eq!(trede::ladder::default_expiry(date(2024, 2, 29)), date(2026, 2, 28));
/// ```
pub fn default_expiry(issued: Date) -> Date {
    let year = issued.year().saturating_add(2);
    match Date::new(year, issued.month(), issued.day())
        .or_else(|_| Date::new(year, 3, 1)) // 29 February in a non-leap year
    {
        Ok(anniversary) => anniversary.yesterday().unwrap_or(anniversary),
        Err(_) => Date::MAX,
    }
}

/// Step 7: whether a declared level differs from the computed one (a warning).
/// Nothing is declared, or nothing computed (already an error), is no difference.
///
/// Worked example: declared trede-2, computed trede-1: differs.
pub fn declared_level_differs(declared: Option<Level>, computed: Option<Level>) -> bool {
    matches!((declared, computed), (Some(d), Some(c)) if d != c)
}

/// Step 8: PSO 30+, true when the persons of rows with contract `regulier` or
/// `begeleid-werken` number at least 30% of the employees.
///
/// Computed in integers (10 x persons >= 3 x E), so exactly 30% counts.
/// Worked example: E = 10 with 3 such persons: 30 >= 30, true; E = 10 with
/// 2 regulier persons and 5 on `stage`: 20 < 30, false. E = 0 is false.
///
/// ```
/// use trede::ladder::{pso30plus, TargetGroupRow};
/// let row = TargetGroupRow { position: "wajong".into(), contract: "regulier".into(),
///     fte: 2.0, persons: 3 };
/// assert!(pso30plus(&[row.clone()], 10));
/// assert!(!pso30plus(&[row], 11));
/// ```
pub fn pso30plus(rows: &[TargetGroupRow], employees: u32) -> bool {
    pso30plus_of(payroll_persons(rows), employees)
}

/// Contracts on the payroll, for PSO 30+ and the records' persons check.
pub const PAYROLL_CONTRACTS: [&str; 2] = ["regulier", "begeleid-werken"];

/// The persons of rows with a contract on the payroll
/// ([`PAYROLL_CONTRACTS`]), which [`pso30plus`] compares with the
/// employees.
pub fn payroll_persons(rows: &[TargetGroupRow]) -> u64 {
    rows.iter()
        .filter(|row| PAYROLL_CONTRACTS.contains(&row.contract.as_str()))
        .map(|row| u64::from(row.persons))
        .sum()
}

/// [`pso30plus`] given the [`payroll_persons`] of the rows.
pub fn pso30plus_of(payroll_persons: u64, employees: u32) -> bool {
    employees > 0 && 10 * payroll_persons >= 3 * u64::from(employees)
}

/// Step 9: the certificate status on the reference date.
///
/// `suspended` and `withdrawn` as recorded; otherwise `expired` when the
/// reference date is after `expires`, `expiring` when `expires` is at most 90
/// days after the reference date (inclusive; also on the expiry day itself),
/// else `valid`.
///
/// Worked example, reference 2026-11-30: expires 2027-02-28 (90 days later)
/// is expiring, 2027-03-01 (91 days) is valid, 2026-11-30 is expiring,
/// 2026-11-29 is expired.
///
/// ```
/// use jiff::civil::date;
/// use trede::ladder::{status_on, CertificateStatus, RecordedStatus};
/// let on = |expires| status_on(RecordedStatus::Active, expires, date(2026, 11, 30));
/// assert_eq!(on(date(2027, 2, 28)), CertificateStatus::Expiring);
/// assert_eq!(on(date(2027, 3, 1)), CertificateStatus::Valid);
/// ```
pub fn status_on(recorded: RecordedStatus, expires: Date, reference: Date) -> CertificateStatus {
    match recorded {
        RecordedStatus::Withdrawn => CertificateStatus::Withdrawn,
        RecordedStatus::Suspended => CertificateStatus::Suspended,
        RecordedStatus::Active if reference > expires => CertificateStatus::Expired,
        RecordedStatus::Active if expires <= reference.saturating_add(90.days()) => {
            CertificateStatus::Expiring
        }
        RecordedStatus::Active => CertificateStatus::Valid,
    }
}

/// Roughly how many extra FTE of target-group employment (new hires, weight 1, regular contract, which also raise total FTE) would bring the total to `target_pct`; accounts for the cap loosening as D grows. 0 when already reached.
///
/// With x extra FTE, D' = D + x, T' = T + x and Ic' = min(I, 4 D'); the total
/// rises with x (when D <= T), so the answer is where it equals the target p
/// (as a fraction, after [`round2`]):
/// - while capped (x < I/4 - D): 5 D' / (T' + 4 D') = p gives
///   x = p (T - D) / (5 (1 - p)) - D;
/// - otherwise: (D' + I) / (T' + I) = p gives x = (p (T + I) - D - I) / (1 - p).
///
/// Worked example: D = 1, I = 0, T = 50, target 4%: x = (2 - 1) / 0.96 =
/// 1.0417, and indeed 2.0417 / 51.0417 = 4%. With I = 10 and target 10% the
/// cap still binds: x = 0.1 x 49 / 4.5 - 1 = 0.0889. A target of 100% or more
/// that is not yet reached gives infinity.
///
/// ```
/// let x = trede::ladder::extra_fte_to_reach(4.0, 1.0, 0.0, 50.0);
/// assert!((x - 1.0 / 0.96).abs() < 1e-12);
/// ```
pub fn extra_fte_to_reach(target_pct: f64, direct: f64, indirect: f64, total_fte: f64) -> f64 {
    let target = round2(target_pct);
    let capped = cap_indirect(indirect, direct);
    if round2(percentages(direct, capped, total_fte).total) >= target {
        return 0.0;
    }
    let p = target / 100.0;
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let capped_until = indirect / 4.0 - direct;
    if capped_until > 0.0 {
        let x = p * (total_fte - direct) / (5.0 * (1.0 - p)) - direct;
        if x <= capped_until {
            return x.max(0.0);
        }
    }
    ((p * (total_fte + indirect) - direct - indirect) / (1.0 - p)).max(0.0)
}

/// Everything computed for one organisation.
///
/// Holds aggregates only, but `direct_fte` and `indirect_fte` are not in
/// registry.json; publish only what spec section 5 lists.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Outcome {
    /// D (step 1).
    pub direct_fte: f64,
    /// I before the cap (step 2).
    pub indirect_fte: f64,
    /// Ic (step 3).
    pub capped_indirect_fte: f64,
    /// Whether the cap lowered I.
    pub cap_applied: bool,
    /// Step 4, unrounded.
    pub percentages: Percentages,
    /// Step 5, the norms used.
    pub norm_lookup: NormLookup,
    /// Step 5; `None` is "reaches no level".
    pub level: Option<Level>,
    /// Step 8.
    pub pso30plus: bool,
    /// Registry suppliers skipped because withdrawn, sorted (a warning upstream).
    pub withdrawn_suppliers: Vec<String>,
}

/// The parts of one record the computation needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrgInput<'a> {
    pub employees: u32,
    pub total_fte: f64,
    pub target_group: &'a [TargetGroupRow],
    pub purchases: &'a [Purchase],
    pub quality_met: bool,
    pub aspirant_plan: bool,
}

/// Steps 1 to 5 and 8 for one organisation. `supplier` gives the figures of
/// a registry supplier by id (its direct FTE from step 1, not its outcome).
///
/// Worked example (default tables): E = 54, T = 46.2, 1.8 FTE wajong on a
/// regular contract (D = 1.8), EUR 18,000 from an SW-bedrijf with 310 FTE on
/// EUR 12,000,000 (I = 0.465, under the cap 7.2): direct = 180 / 46.665 =
/// 3.857, indirect = 46.5 / 46.665 = 0.996, total 4.854 -> 4.85, which reaches
/// trede-2 (3.58) but not trede-3 (6.36).
pub fn compute(
    input: &OrgInput,
    weights: &Weights,
    norms: &NormTable,
    supplier: impl Fn(&str) -> Option<SupplierFigures>,
) -> Outcome {
    let direct = direct_weighted_fte(input.target_group, weights);
    let payroll = payroll_persons(input.target_group);
    compute_given_direct(input, direct, payroll, norms, |_, id| supplier(id))
}

/// [`compute`] for a caller that has the rows' sums done already (`direct`
/// is [`direct_weighted_fte`] of `input.target_group`, `payroll_persons`
/// their [`payroll_persons`]; the rows are not read) and every supplier
/// looked up: `supplier` is also given the index of the purchase in
/// `input.purchases` (see [`indirect_fte_indexed`]).
pub fn compute_given_direct(
    input: &OrgInput,
    direct: f64,
    payroll_persons: u64,
    norms: &NormTable,
    supplier: impl Fn(usize, &str) -> Option<SupplierFigures>,
) -> Outcome {
    let indirect = indirect_fte_indexed(input.purchases, supplier);
    let capped = cap_indirect(indirect.total, direct);
    let percentages = percentages(direct, capped, input.total_fte);
    let norm_lookup = norms_for_size(norms, input.employees);
    Outcome {
        direct_fte: direct,
        indirect_fte: indirect.total,
        capped_indirect_fte: capped,
        cap_applied: capped < indirect.total,
        percentages,
        norm_lookup,
        level: level(
            percentages.total,
            &norm_lookup.norms,
            input.quality_met,
            input.aspirant_plan,
        ),
        pso30plus: pso30plus_of(payroll_persons, input.employees),
        withdrawn_suppliers: indirect.withdrawn_suppliers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn row(position: &str, contract: &str, fte: f64, persons: u32) -> TargetGroupRow {
        TargetGroupRow {
            position: position.into(),
            contract: contract.into(),
            fte,
            persons,
        }
    }

    fn external(amount_eur: f64, supplier_revenue_eur: f64, supplier_direct_fte: f64) -> Purchase {
        Purchase::External {
            supplier_name: "Werkbedrijf".to_owned(),
            amount_eur,
            supplier_revenue_eur,
            supplier_direct_fte,
        }
    }

    fn registry(supplier: &str, amount_eur: f64) -> Purchase {
        Purchase::Registry {
            supplier: supplier.to_owned(),
            amount_eur,
        }
    }

    fn no_suppliers(_: &str) -> Option<SupplierFigures> {
        None
    }

    fn lookup(employees: u32) -> NormLookup {
        norms_for_size(&NormTable::embedded(), employees)
    }

    fn approx(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    // ---- keys ----

    #[test]
    fn a_row_key_reads_as_the_str_it_was_made_from() {
        let long = "een-positie-langer-dan-tweeentwintig-bytes";
        for text in [
            "",
            "ww",
            "participatiewet-lks",
            "abcdefghijklmnopqrstuv",
            long,
            "wéé",
        ] {
            let key = Key::from(text);
            assert_eq!(key.as_str(), text);
            assert_eq!(key, text);
            assert_eq!(key, Key::from(text.to_string()));
            assert_eq!(format!("{key} {key:?}"), format!("{text} {text:?}"));
            let hash = |value: &dyn Fn(&mut std::hash::DefaultHasher)| {
                use std::hash::Hasher;
                let mut hasher = std::hash::DefaultHasher::new();
                value(&mut hasher);
                hasher.finish()
            };
            use std::hash::Hash;
            assert_eq!(hash(&|h| key.hash(h)), hash(&|h| text.hash(h)));
        }
        assert_ne!(Key::from("ww"), Key::from("wwx"));
        assert_ne!(Key::from(long), Key::from(&long[1..]));
    }

    #[test]
    fn keys_parse_and_serialize_alike() {
        for level in Level::ALL {
            assert_eq!(Level::parse(level.key()), Some(level));
            let json = serde_json::to_string(&level).unwrap();
            assert_eq!(json, format!("\"{}\"", level.key()));
            assert_eq!(serde_json::from_str::<Level>(&json).unwrap(), level);
        }
        let keys: Vec<_> = Level::ALL.iter().map(|l| l.key()).collect();
        assert_eq!(
            keys,
            ["aspirant", "basistrede", "trede-1", "trede-2", "trede-3"]
        );
        assert_eq!(Level::parse("trede-4"), None);
        assert!(Level::Aspirant < Level::Basistrede && Level::Trede2 < Level::Trede3);
        assert_eq!(Level::Aspirant.next(), Some(Level::Basistrede));
        assert_eq!(Level::Trede2.next(), Some(Level::Trede3));
        assert_eq!(Level::Trede3.next(), None);
        assert_eq!(Level::Trede1.to_string(), "trede-1");

        for status in RecordedStatus::ALL {
            assert_eq!(RecordedStatus::parse(status.key()), Some(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.key());
        }
        assert_eq!(RecordedStatus::default(), RecordedStatus::Active);
        assert_eq!(RecordedStatus::parse("expired"), None);
        let keys: Vec<_> = CertificateStatus::ALL.iter().map(|s| s.key()).collect();
        assert_eq!(
            keys,
            ["valid", "expiring", "expired", "suspended", "withdrawn"]
        );
        for status in CertificateStatus::ALL {
            assert_eq!(CertificateStatus::parse(status.key()), Some(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.key());
        }
    }

    // ---- step 1 ----

    #[test]
    fn direct_weighted_fte_multiplies_both_weights() {
        let weights = Weights::embedded();
        // 2.0 x 1 x 1 + 1.0 x 0.75 x 0.9 + 4.0 x 0.25 x 0.75 + 3.0 x 1 x 0 = 2 + 0.675 + 0.75 + 0 = 3.425
        let rows = [
            row("wajong", "regulier", 2.0, 2),
            row("ww", "detachering", 1.0, 1),
            row("bbl-bol-2", "stage", 4.0, 5),
            row("sw-indicatie", "proefplaatsing", 3.0, 3),
        ];
        assert!(approx(direct_weighted_fte(&rows, &weights), 3.425));
        // Unknown keys count 0.
        let rows = [
            row("nope", "regulier", 2.0, 2),
            row("wajong", "nope", 1.0, 1),
        ];
        assert_eq!(direct_weighted_fte(&rows, &weights), 0.0);
        assert_eq!(direct_weighted_fte(&[], &weights), 0.0);
    }

    // ---- step 2 ----

    #[test]
    fn indirect_fte_from_registry_and_external_suppliers() {
        // Registry: 42,000 x 20 / 1,400,000 = 0.6. External: 18,000 x 310 / 12,000,000 = 0.465.
        let purchases = [
            registry("de-ster", 42_000.0),
            external(18_000.0, 12_000_000.0, 310.0),
        ];
        let figures = SupplierFigures {
            direct_fte: 20.0,
            revenue_eur: 1_400_000.0,
            withdrawn: false,
        };
        let i = indirect_fte(&purchases, |id| (id == "de-ster").then_some(figures));
        assert!(approx(i.total, 1.065), "{}", i.total);
        assert!(i.withdrawn_suppliers.is_empty());
        // An unknown id (rejected upstream) and a zero revenue count 0.
        let i = indirect_fte(&purchases, no_suppliers);
        assert!(approx(i.total, 0.465));
        let i = indirect_fte(&[external(1000.0, 0.0, 5.0)], no_suppliers);
        assert_eq!(i.total, 0.0);
    }

    #[test]
    fn a_withdrawn_supplier_does_not_count_and_is_listed_once() {
        // Only "ok" counts: 10,000 x 5 / 100,000 = 0.5.
        let purchases = [
            registry("weg", 50_000.0),
            registry("ok", 10_000.0),
            registry("weg", 20_000.0),
            registry("ander-weg", 1_000.0),
        ];
        let i = indirect_fte(&purchases, |id| {
            Some(SupplierFigures {
                direct_fte: 5.0,
                revenue_eur: 100_000.0,
                withdrawn: id != "ok",
            })
        });
        assert!(approx(i.total, 0.5));
        assert_eq!(i.withdrawn_suppliers, ["ander-weg", "weg"]);
    }

    #[test]
    fn a_purchase_cycle_counts_only_direct_figures() {
        // A: 2.0 FTE wajong regulier (D_A = 2), revenue 1,000,000, buys 100,000 from B.
        // B: 10.0 FTE sw-indicatie regulier (D_B = 10), revenue 2,000,000, buys 500,000 from A.
        // I_A = 100,000 x 10 / 2,000,000 = 0.5 and I_B = 500,000 x 2 / 1,000,000 = 1.0:
        // neither includes the other's indirect part, so there is nothing to loop over.
        let weights = Weights::embedded();
        let norms = NormTable::embedded();
        let rows_a = [row("wajong", "regulier", 2.0, 2)];
        let rows_b = [row("sw-indicatie", "regulier", 10.0, 12)];
        let buys_a = [registry("b", 100_000.0)];
        let buys_b = [registry("a", 500_000.0)];
        let supplier = |id: &str| {
            let (rows, revenue_eur): (&[TargetGroupRow], f64) = match id {
                "a" => (&rows_a, 1_000_000.0),
                "b" => (&rows_b, 2_000_000.0),
                _ => return None,
            };
            Some(SupplierFigures {
                direct_fte: direct_weighted_fte(rows, &weights),
                revenue_eur,
                withdrawn: false,
            })
        };
        let input = |rows, purchases| OrgInput {
            employees: 40,
            total_fte: 40.0,
            target_group: rows,
            purchases,
            quality_met: true,
            aspirant_plan: false,
        };
        let a = compute(&input(&rows_a, &buys_a), &weights, &norms, supplier);
        let b = compute(&input(&rows_b, &buys_b), &weights, &norms, supplier);
        assert!(approx(a.indirect_fte, 0.5) && approx(b.indirect_fte, 1.0));
        assert!(!a.cap_applied && !b.cap_applied);
    }

    // ---- steps 3 and 4 ----

    #[test]
    fn cap_engaged_and_not_engaged() {
        let weights = Weights::embedded();
        let norms = NormTable::embedded();
        // D = 0.5, I = 60,000 x 50 / 1,000,000 = 3, cap 4 x 0.5 = 2: Ic = 2.
        // T + Ic = 22: direct = 50 / 22 = 2.2727, indirect = 200 / 22 = 9.0909,
        // total = 11.3636, of which exactly 80% indirect.
        let rows = [row("wajong", "regulier", 0.5, 1)];
        let purchases = [external(60_000.0, 1_000_000.0, 50.0)];
        let input = OrgInput {
            employees: 20,
            total_fte: 20.0,
            target_group: &rows,
            purchases: &purchases,
            quality_met: true,
            aspirant_plan: false,
        };
        let out = compute(&input, &weights, &norms, no_suppliers);
        assert!(approx(out.indirect_fte, 3.0));
        assert!(approx(out.capped_indirect_fte, 2.0) && out.cap_applied);
        assert!(approx(out.percentages.direct, 50.0 / 22.0));
        assert!(approx(out.percentages.indirect, 200.0 / 22.0));
        assert!(approx(
            out.percentages.indirect,
            0.8 * out.percentages.total
        ));
        // Size 20 norms 4.0 / 5.7 / 7.3 / 10.8: 11.36 reaches trede-3.
        assert_eq!(out.level, Some(Level::Trede3));

        // D = 1 (cap 4), I = 3: not engaged. T + Ic = 23, total = 400 / 23 = 17.39.
        let rows = [row("wajong", "regulier", 1.0, 1)];
        let out = compute(
            &OrgInput {
                target_group: &rows,
                ..input
            },
            &weights,
            &norms,
            no_suppliers,
        );
        assert!(approx(out.capped_indirect_fte, 3.0) && !out.cap_applied);
        assert!(approx(out.percentages.total, 400.0 / 23.0));

        assert_eq!(cap_indirect(4.0, 1.0), 4.0); // exactly at the cap: nothing lowered
    }

    #[test]
    fn percentages_worked_example() {
        let p = percentages(2.0, 1.0, 49.0);
        assert_eq!((p.direct, p.indirect, p.total), (4.0, 2.0, 6.0));
        let p = percentages(0.0, 0.0, 0.0);
        assert_eq!((p.direct, p.indirect, p.total), (0.0, 0.0, 0.0));
    }

    // ---- rounding ----

    #[test]
    fn round2_rounds_the_decimal_half_away_from_zero() {
        assert_eq!(round2(1.005), 1.01); // stored as 1.00499999999999989...
        assert_eq!(round2(4.325), 4.33);
        assert_eq!(round2(2.675), 2.68); // stored as 2.67499999999999982...
        assert_eq!(round2(0.125), 0.13); // exact in binary: a true half
        assert_eq!(round2(-1.005), -1.01);
        assert_eq!(round2(-0.125), -0.13);
        assert_eq!(round2(1.0049), 1.0);
        assert_eq!(round2(1.004999), 1.0);
        assert_eq!(round2(0.1 + 0.2), 0.3);
        assert_eq!(round2(2.2 + 0.4 * (1.8 - 2.2)), 2.04);
        assert_eq!(round2(100.0), 100.0);
        assert_eq!(round2(99.995), 100.0);
        assert_eq!(round2(12_345_678.125), 12_345_678.13);
        assert_eq!(round2(0.0), 0.0);
        assert!(round2(-0.001).is_sign_positive()); // no negative zero
        assert!(round2(f64::NAN).is_nan());
        assert_eq!(round2(f64::INFINITY), f64::INFINITY);
        assert_eq!(round2(1e20), 1e20);
        // 4.325 reached through arithmetic lands on 4.324999999999999.
        let computed = 100.0 * 0.17300 / 4.0;
        assert_eq!(round2(computed), 4.33, "{computed}");
        // Rounding twice changes nothing.
        for x in [1.005, 4.325, 2.04, 3.575, 6.354, 0.01] {
            assert_eq!(round2(round2(x)), round2(x));
        }
    }

    /// `round2` as it was first written: through the text of `{:.9}`. The
    /// integer version must give the same bits for every value.
    fn round2_by_text(x: f64) -> f64 {
        if !x.is_finite() || x.abs() >= 1e13 {
            return x;
        }
        let text = format!("{:.9}", x.abs());
        let (whole, decimals) = text.split_once('.').unwrap();
        let whole: u64 = whole.parse().unwrap();
        let hundredths: u64 = decimals[..2].parse().unwrap();
        let round_up = u64::from(decimals.as_bytes()[2] >= b'5');
        let cents = whole * 100 + hundredths + round_up;
        if cents == 0 {
            return 0.0;
        }
        let magnitude = cents as f64 / 100.0;
        if x < 0.0 { -magnitude } else { magnitude }
    }

    fn same_as_by_text(x: f64) -> Result<(), TestCaseError> {
        let (new, old) = (round2(x), round2_by_text(x));
        prop_assert!(
            new.to_bits() == old.to_bits() || (new.is_nan() && old.is_nan()),
            "{x:e} ({:#x}): {new:e} against {old:e}",
            x.to_bits()
        );
        Ok(())
    }

    #[test]
    fn round2_matches_the_text_version_on_ties_and_edges() {
        let mut values = vec![
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            5e-324,
            4.9e-10,
            5e-10,
            5.1e-10,
            0.004_999_999_5,
            0.005,
            -0.005,
            0.004_999_999_499_999,
            1e13,
            1e13 - 1.0 / 512.0,
            -(1e13 - 1.0 / 512.0),
            9_999_999_999_999.995,
            1.8e10,
            18_446_744_073.709_55,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
        ];
        // Binary fractions whose tenth decimal is a 5: true ties at nine
        // decimals (1/1024 = 0.0009765625), on both sides of an even digit,
        // at many magnitudes; and the neighbouring floats of each.
        for scale in [
            1.0,
            3.0,
            17.0,
            100.0,
            4096.0,
            1e6,
            123_456_789.0,
            1e10,
            5e12,
        ] {
            for n in (1..4096u32).step_by(7) {
                let tie = scale + f64::from(n) / 1024.0;
                values.extend([tie, tie.next_up(), tie.next_down()]);
                let cent = (scale * 100.0 + f64::from(n)) / 100.0 + 0.005;
                values.extend([cent, cent.next_up(), cent.next_down()]);
                // Where the nine-decimal text turns from ...4999999 to ...5000000.
                let turn = cent - 5e-10;
                values.extend([turn, turn.next_up(), turn.next_down()]);
            }
        }
        for x in values {
            same_as_by_text(x).unwrap();
            same_as_by_text(-x).unwrap();
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn round2_matches_the_text_version_on_any_float(bits: u64) {
            same_as_by_text(f64::from_bits(bits))?;
        }

        #[test]
        fn round2_matches_the_text_version_on_percentages(
            x in -1.0..200.0f64,
            cents in 0..20_000u32,
            ulps in -4..=4i32,
        ) {
            same_as_by_text(x)?;
            // Near each half cent, and near where the nine-decimal text turns
            // from ...4999999 to ...5000000, a few floats either side.
            for offset in [0.005, 0.004_999_999_5] {
                let mut near = f64::from(cents) / 100.0 + offset;
                for _ in 0..ulps.abs() {
                    near = if ulps < 0 { near.next_down() } else { near.next_up() };
                }
                same_as_by_text(near)?;
                same_as_by_text(-near)?;
            }
        }

        #[test]
        fn round2_matches_the_text_version_at_every_magnitude(
            mantissa in 1.0..10.0f64,
            exponent in -12..13i32,
            sign: bool,
        ) {
            let x = mantissa * 10f64.powi(exponent);
            same_as_by_text(if sign { -x } else { x })?;
        }
    }

    // ---- step 5: norms ----

    #[test]
    fn norms_between_rows_54_as_in_the_spec_example() {
        // 54 between 50 (2.2, 3.0, 3.7, 6.8) and 60 (1.8, 2.6, 3.4, 5.7), fraction 0.4:
        // 2.2 - 0.16 = 2.04, 3.0 - 0.16 = 2.84, 3.7 - 0.12 = 3.58, 6.8 - 0.44 = 6.36.
        let l = lookup(54);
        assert_eq!((l.lower_size, l.upper_size, l.clamped), (50, 60, false));
        assert!(approx(l.fraction, 0.4));
        let n = l.norms.rounded();
        assert_eq!(
            (n.basistrede, n.trede1, n.trede2, n.trede3),
            (2.04, 2.84, 3.58, 6.36)
        );
        assert_eq!(
            serde_json::to_string(&n).unwrap(),
            r#"{"basistrede":2.04,"trede-1":2.84,"trede-2":3.58,"trede-3":6.36}"#
        );
        // And the spec's total of 4.33 is trede-2 there.
        assert_eq!(level(4.33, &l.norms, true, false), Some(Level::Trede2));
    }

    #[test]
    fn norms_between_other_rows() {
        // 3 between 2 (14.5, 21.4, 28, 33) and 5 (8, 12.6, 17, 22), fraction 1/3:
        // 14.5 - 6.5/3 = 12.333, 21.4 - 8.8/3 = 18.467, 28 - 11/3 = 24.333, 33 - 11/3 = 29.333.
        let l = lookup(3);
        assert_eq!((l.lower_size, l.upper_size), (2, 5));
        assert!(approx(l.fraction, 1.0 / 3.0));
        let n = l.norms.rounded();
        assert_eq!(
            (n.basistrede, n.trede1, n.trede2, n.trede3),
            (12.33, 18.47, 24.33, 29.33)
        );
        // 104 between 100 (0.9, 1.5, 2.1, 3.9) and 105 (0.9, 1.4, 1.9, 3.7), fraction 0.8:
        // 0.9, 1.5 - 0.08 = 1.42, 2.1 - 0.16 = 1.94, 3.9 - 0.16 = 3.74.
        let l = lookup(104);
        assert_eq!((l.lower_size, l.upper_size), (100, 105));
        let n = l.norms.rounded();
        assert_eq!(
            (n.basistrede, n.trede1, n.trede2, n.trede3),
            (0.9, 1.42, 1.94, 3.74)
        );
        // 55: halfway between 50 and 60: 2.0, 2.8, 3.55, 6.25.
        let n = lookup(55).norms.rounded();
        assert_eq!(
            (n.basistrede, n.trede1, n.trede2, n.trede3),
            (2.0, 2.8, 3.55, 6.25)
        );
    }

    #[test]
    fn norms_on_a_row_and_outside_the_table() {
        let row50 = Norms {
            basistrede: 2.2,
            trede1: 3.0,
            trede2: 3.7,
            trede3: 6.8,
        };
        let row2 = Norms {
            basistrede: 14.5,
            trede1: 21.4,
            trede2: 28.0,
            trede3: 33.0,
        };
        let row105 = Norms {
            basistrede: 0.9,
            trede1: 1.4,
            trede2: 1.9,
            trede3: 3.7,
        };
        let exact = |norms, size, clamped| NormLookup {
            norms,
            lower_size: size,
            upper_size: size,
            fraction: 0.0,
            clamped,
        };
        assert_eq!(lookup(50), exact(row50, 50, false));
        assert_eq!(lookup(2), exact(row2, 2, false));
        assert_eq!(lookup(1), exact(row2, 2, true)); // below size 2 uses row 2
        assert_eq!(lookup(0), exact(row2, 2, true));
        assert_eq!(lookup(105), exact(row105, 105, false));
        assert_eq!(lookup(106), exact(row105, 105, true)); // 105 and more
        assert_eq!(lookup(5000), exact(row105, 105, true));
        assert_eq!(lookup(u32::MAX), exact(row105, 105, true));
        // A one-row table.
        let mut table = NormTable::embedded();
        table.rows.truncate(1);
        assert_eq!(norms_for_size(&table, 40), exact(row2, 2, true));
    }

    // ---- step 5: level ----

    #[test]
    fn each_level_at_size_54() {
        // Norms 2.04 / 2.84 / 3.58 / 6.36.
        let n = lookup(54).norms;
        assert_eq!(level(7.0, &n, true, false), Some(Level::Trede3));
        assert_eq!(level(6.36, &n, true, false), Some(Level::Trede3));
        assert_eq!(level(5.0, &n, true, false), Some(Level::Trede2));
        assert_eq!(level(3.0, &n, true, false), Some(Level::Trede1));
        assert_eq!(level(2.5, &n, true, false), Some(Level::Basistrede));
        assert_eq!(level(2.0, &n, true, true), Some(Level::Aspirant));
        assert_eq!(level(2.0, &n, true, false), None);
        assert_eq!(level(0.0, &n, true, false), None);
        // A plan does not lower a reached level.
        assert_eq!(level(5.0, &n, true, true), Some(Level::Trede2));
    }

    #[test]
    fn rounding_at_a_norm_boundary() {
        let n = lookup(54).norms; // trede-2 norm 3.58 (3.7 - 0.4 x 0.3 in floats)
        // 3.575 rounds to 3.58: equal to the norm, reached (inclusive).
        assert_eq!(level(3.575, &n, true, false), Some(Level::Trede2));
        assert_eq!(level(3.58, &n, true, false), Some(Level::Trede2));
        // 3.5749 rounds to 3.57: just below.
        assert_eq!(level(3.5749, &n, true, false), Some(Level::Trede1));
        // The norm is rounded too: a norm of 3.584 counts as 3.58.
        let raised = Norms { trede2: 3.584, ..n };
        assert_eq!(level(3.58, &raised, true, false), Some(Level::Trede2));
        let raised = Norms { trede2: 3.585, ..n };
        assert_eq!(level(3.58, &raised, true, false), Some(Level::Trede1));
        // 2.035 rounds to 2.04 = basistrede; 2.0349 does not.
        assert_eq!(level(2.035, &n, true, false), Some(Level::Basistrede));
        assert_eq!(level(2.0349, &n, true, false), None);
    }

    #[test]
    fn quality_criteria_not_met() {
        let n = lookup(54).norms;
        assert_eq!(level(9.0, &n, false, true), Some(Level::Aspirant));
        assert_eq!(level(9.0, &n, false, false), None);
        assert_eq!(level(1.0, &n, false, true), Some(Level::Aspirant));
    }

    #[test]
    fn compute_worked_example() {
        // E = 54, T = 46.2, D = 1.8, I = 18,000 x 310 / 12,000,000 = 0.465 (cap 7.2).
        // direct = 180 / 46.665 = 3.8573, indirect = 46.5 / 46.665 = 0.9965, total 4.8537.
        let rows = [row("wajong", "regulier", 1.8, 2)];
        let purchases = [external(18_000.0, 12_000_000.0, 310.0)];
        let input = OrgInput {
            employees: 54,
            total_fte: 46.2,
            target_group: &rows,
            purchases: &purchases,
            quality_met: true,
            aspirant_plan: false,
        };
        let out = compute(
            &input,
            &Weights::embedded(),
            &NormTable::embedded(),
            no_suppliers,
        );
        assert!(approx(out.direct_fte, 1.8) && approx(out.indirect_fte, 0.465));
        assert!(!out.cap_applied);
        assert_eq!(round2(out.percentages.direct), 3.86);
        assert_eq!(round2(out.percentages.indirect), 1.0);
        assert_eq!(round2(out.percentages.total), 4.85);
        assert_eq!(out.level, Some(Level::Trede2));
        assert!(!out.pso30plus); // 2 of 54
        assert_eq!(
            (out.norm_lookup.lower_size, out.norm_lookup.upper_size),
            (50, 60)
        );
    }

    // ---- step 6 ----

    #[test]
    fn default_expiry_is_the_day_before_the_second_anniversary() {
        assert_eq!(default_expiry(date(2025, 4, 1)), date(2027, 3, 31));
        assert_eq!(default_expiry(date(2026, 1, 1)), date(2027, 12, 31));
        assert_eq!(default_expiry(date(2023, 3, 1)), date(2025, 2, 28));
        // Leap day: the anniversary in 2026 is 1 March, so it expires 28 February.
        assert_eq!(default_expiry(date(2024, 2, 29)), date(2026, 2, 28));
        // 28 February into a leap year: anniversary 2024-02-28, expiry the 27th.
        assert_eq!(default_expiry(date(2022, 2, 28)), date(2024, 2, 27));
        assert_eq!(default_expiry(date(9999, 1, 1)), Date::MAX);
    }

    // ---- step 7 ----

    #[test]
    fn declared_level_cross_check() {
        assert!(declared_level_differs(
            Some(Level::Trede2),
            Some(Level::Trede1)
        ));
        assert!(!declared_level_differs(
            Some(Level::Trede2),
            Some(Level::Trede2)
        ));
        assert!(!declared_level_differs(None, Some(Level::Trede2)));
        assert!(!declared_level_differs(Some(Level::Trede2), None));
    }

    // ---- step 8 ----

    #[test]
    fn pso30plus_at_exactly_30_percent_and_just_below() {
        let rows = [row("wajong", "regulier", 2.0, 3)];
        assert!(pso30plus(&rows, 10)); // 30 >= 30
        assert!(!pso30plus(&rows, 11)); // 30 < 33
        // 21 / 70 is 0.3 exactly only in decimals; integers get it right.
        assert!(pso30plus(&[row("wajong", "regulier", 20.0, 21)], 70));
        assert!(pso30plus(&[row("wajong", "regulier", 200.0, 300)], 1000));
        assert!(!pso30plus(&[row("wajong", "regulier", 200.0, 299)], 1000));
        // Regulier and begeleid-werken add up; other contracts do not count.
        let rows = [
            row("wajong", "regulier", 1.0, 2),
            row("wao-wia-waz", "begeleid-werken", 1.0, 1),
            row("ww", "stage", 4.0, 5),
            row("ww", "detachering", 4.0, 5),
        ];
        assert!(pso30plus(&rows, 10));
        assert!(!pso30plus(&rows[..1], 10));
        assert!(!pso30plus(&rows, 0));
    }

    // ---- step 9 ----

    #[test]
    fn every_status_on_the_reference_date() {
        let reference = date(2026, 11, 30);
        let active = |expires| status_on(RecordedStatus::Active, expires, reference);
        assert_eq!(active(date(2027, 2, 28)), CertificateStatus::Expiring); // +90 days
        assert_eq!(active(date(2027, 3, 1)), CertificateStatus::Valid); // +91 days
        assert_eq!(active(date(2027, 11, 30)), CertificateStatus::Valid);
        assert_eq!(active(reference), CertificateStatus::Expiring); // expires today
        assert_eq!(active(date(2026, 11, 29)), CertificateStatus::Expired);
        // Recorded statuses win, even over expiry.
        for expires in [date(2020, 1, 1), date(2027, 11, 30)] {
            let on = |recorded| status_on(recorded, expires, reference);
            assert_eq!(on(RecordedStatus::Suspended), CertificateStatus::Suspended);
            assert_eq!(on(RecordedStatus::Withdrawn), CertificateStatus::Withdrawn);
        }
        // Near the end of the calendar nothing overflows.
        assert_eq!(active(Date::MAX), CertificateStatus::Valid);
        let late = status_on(RecordedStatus::Active, Date::MAX, date(9999, 12, 1));
        assert_eq!(late, CertificateStatus::Expiring);
    }

    // ---- extra FTE ----

    fn total_after(x: f64, direct: f64, indirect: f64, total_fte: f64) -> f64 {
        let d = direct + x;
        percentages(d, cap_indirect(indirect, d), total_fte + x).total
    }

    #[test]
    fn extra_fte_to_reach_worked_examples() {
        // No indirect: (1 + x) / (50 + x) = 4%: x = (2 - 1) / 0.96 = 1.0417.
        let x = extra_fte_to_reach(4.0, 1.0, 0.0, 50.0);
        assert!(approx(x, 1.0 / 0.96));
        assert!(approx(total_after(x, 1.0, 0.0, 50.0), 4.0));
        // Capped throughout: D = 1, I = 10, T = 50, now 5 / 54 = 9.26%; for 10%:
        // x = 0.1 x 49 / 4.5 - 1 = 0.0889, still below I / 4 - D = 1.5.
        let x = extra_fte_to_reach(10.0, 1.0, 10.0, 50.0);
        assert!(approx(x, 4.9 / 4.5 - 1.0));
        assert!(approx(total_after(x, 1.0, 10.0, 50.0), 10.0));
        // The cap comes off on the way: D = 1, I = 5, T = 50, for 12%: the capped
        // formula gives 0.336 > 0.25, so x = (0.12 x 55 - 6) / 0.88 = 0.6818.
        let x = extra_fte_to_reach(12.0, 1.0, 5.0, 50.0);
        assert!(approx(x, 0.6 / 0.88));
        assert!(approx(total_after(x, 1.0, 5.0, 50.0), 12.0));
        // Already reached (after rounding), and unreachable.
        assert_eq!(extra_fte_to_reach(4.0, 2.0, 0.0, 50.0), 0.0);
        assert_eq!(extra_fte_to_reach(3.995, 2.0, 0.0, 50.0), 0.0);
        assert_eq!(extra_fte_to_reach(100.0, 2.0, 0.0, 50.0), f64::INFINITY);
    }

    // ---- properties ----

    const POSITIONS: [&str; 5] = ["wajong", "ww", "bbl-bol-1", "bbl-bol-2", "sw-indicatie"];
    const CONTRACTS: [&str; 5] = [
        "regulier",
        "begeleid-werken",
        "detachering",
        "stage",
        "proefplaatsing",
    ];

    /// Rows as (position, contract, share of the total FTE, persons).
    fn rows_strategy() -> impl Strategy<Value = Vec<(usize, usize, f64, u32)>> {
        prop::collection::vec((0..5usize, 0..5usize, 0.0..1.0f64, 0..20u32), 0..6)
    }

    fn purchases_strategy() -> impl Strategy<Value = Vec<Purchase>> {
        let purchase = prop_oneof![
            (1.0..1e6f64, 1e5..1e8f64, 0.0..500.0f64).prop_map(|(a, r, d)| external(a, r, d)),
            (prop::sample::select(vec!["a", "b", "weg"]), 1.0..1e6f64)
                .prop_map(|(id, a)| registry(id, a)),
        ];
        prop::collection::vec(purchase, 0..5)
    }

    fn test_supplier(id: &str) -> Option<SupplierFigures> {
        let (direct_fte, revenue_eur) = match id {
            "a" => (12.0, 3e6),
            "b" => (150.0, 2e7),
            "weg" => (40.0, 1e6),
            _ => return None,
        };
        Some(SupplierFigures {
            direct_fte,
            revenue_eur,
            withdrawn: id == "weg",
        })
    }

    /// Turns shares into rows whose FTE add up to at most `total_fte`.
    fn make_rows(shares: &[(usize, usize, f64, u32)], total_fte: f64) -> Vec<TargetGroupRow> {
        let n = shares.len().max(1) as f64;
        shares
            .iter()
            .map(|&(p, c, share, persons)| {
                row(POSITIONS[p], CONTRACTS[c], total_fte * share / n, persons)
            })
            .collect()
    }

    fn run(
        rows: &[TargetGroupRow],
        purchases: &[Purchase],
        total_fte: f64,
        employees: u32,
        plan: bool,
    ) -> Outcome {
        let input = OrgInput {
            employees,
            total_fte,
            target_group: rows,
            purchases,
            quality_met: true,
            aspirant_plan: plan,
        };
        compute(
            &input,
            &Weights::embedded(),
            &NormTable::embedded(),
            test_supplier,
        )
    }

    proptest! {
        #[test]
        fn more_target_group_fte_never_lowers_the_level(
            shares in rows_strategy(),
            purchases in purchases_strategy(),
            total_fte in 0.5..300.0f64,
            employees in 1..400u32,
            plan: bool,
            extra_share in 0.0..1.0f64,
            pick in 0..6usize,
            new_row in (0..5usize, 0..5usize),
        ) {
            let rows = make_rows(&shares, total_fte);
            let used: f64 = rows.iter().map(|r| r.fte).sum();
            let extra = (total_fte - used).max(0.0) * extra_share;
            let before = run(&rows, &purchases, total_fte, employees, plan);
            // More FTE on an existing row, or a new row.
            let mut grown = rows.clone();
            if grown.is_empty() || pick == 5 {
                grown.push(row(POSITIONS[new_row.0], CONTRACTS[new_row.1], extra, 1));
            } else {
                let i = pick % grown.len();
                grown[i].fte += extra;
            }
            let after = run(&grown, &purchases, total_fte, employees, plan);
            prop_assert!(after.level >= before.level, "{before:?} -> {after:?}");
            prop_assert!(after.percentages.total >= before.percentages.total - 1e-9);
        }

        #[test]
        fn percentages_stay_in_range_and_indirect_at_most_80_percent(
            shares in rows_strategy(),
            purchases in purchases_strategy(),
            total_fte in 0.5..300.0f64,
            employees in 1..400u32,
        ) {
            let rows = make_rows(&shares, total_fte);
            let out = run(&rows, &purchases, total_fte, employees, false);
            let p = out.percentages;
            prop_assert!(p.indirect <= 0.8 * p.total + 1e-9, "{p:?}");
            prop_assert!(out.capped_indirect_fte <= 4.0 * out.direct_fte + 1e-12);
            for v in [p.direct, p.indirect, p.total] {
                prop_assert!((0.0..=100.0 + 1e-9).contains(&v), "{p:?}");
            }
        }

        #[test]
        fn the_order_of_rows_and_purchases_does_not_matter(
            (shares, shuffled_shares) in rows_strategy()
                .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
            (purchases, shuffled_purchases) in purchases_strategy()
                .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
            total_fte in 0.5..300.0f64,
            employees in 1..400u32,
        ) {
            let a = run(&make_rows(&shares, total_fte), &purchases, total_fte, employees, true);
            let b = run(
                &make_rows(&shuffled_shares, total_fte),
                &shuffled_purchases,
                total_fte,
                employees,
                true,
            );
            prop_assert_eq!(a, b);
        }

        #[test]
        fn extra_fte_reaches_the_target(
            direct in 0.0..20.0f64,
            indirect in 0.0..60.0f64,
            slack in 0.0..100.0f64,
            target in 0.5..40.0f64,
        ) {
            let total_fte = direct + slack + 0.5;
            let x = extra_fte_to_reach(target, direct, indirect, total_fte);
            prop_assert!(x >= 0.0 && x.is_finite());
            let reached = total_after(x, direct, indirect, total_fte);
            prop_assert!(round2(reached) >= round2(target) - 1e-9, "{x} gives {reached}");
            if x > 1e-6 {
                // And not much more than needed.
                let less = total_after(x - 1e-6, direct, indirect, total_fte);
                prop_assert!(less < round2(target), "{less}");
            }
        }
    }
}
