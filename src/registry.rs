//! The computed registry: the checks that need every record (duplicates,
//! supplier references, levels), the ladder outcome of every organisation,
//! and `registry.json` (spec/records.md sections 4 and 5).

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use jiff::civil::Date;
use rayon::prelude::*;
use serde::Serialize;

use crate::diagnostics::{Diagnostic, Diagnostics, Source};
use crate::ladder::{self, CertificateStatus, Level, Norms, Outcome, Purchase, SupplierFigures};
use crate::records::{self, Organisation, RecordSpans};
use crate::tables::{NormTable, Weights};
use crate::urls::{self, Urls};

/// One organisation with everything computed for it.
#[derive(Debug, Clone)]
pub struct Computed {
    /// The validated record.
    pub org: Organisation,
    /// The full computation, for the "Waarom deze trede?" explanation.
    pub outcome: Outcome,
    /// The level reached.
    pub level: Level,
    /// The certificate's status on the reference date.
    pub status: CertificateStatus,
    /// Direct percentage, rounded to two decimals.
    pub direct_pct: f64,
    /// Indirect percentage (after the cap), rounded.
    pub indirect_pct: f64,
    /// Total percentage, rounded.
    pub total_pct: f64,
    /// The norms for this organisation's size, rounded.
    pub norms: Norms,
    /// Registry organisations this one buys from (ids, sorted).
    pub suppliers: Vec<Arc<str>>,
    /// Registry organisations that buy from this one (ids, sorted).
    pub customers: Vec<Arc<str>>,
}

/// Every organisation of the registry on a reference date, sorted by id.
#[derive(Debug, Clone)]
pub struct Registry {
    /// The date statuses are computed for.
    pub reference_date: Date,
    /// The organisations, sorted by id.
    pub organisations: Vec<Computed>,
    index: IdIndex,
}

/// Records loaded by [`Registry::load`] for [`Registry::compute_loaded`]:
/// each already in the room its [`Computed`] takes, its figures not yet
/// computed.
#[derive(Debug)]
pub struct LoadedRecords(Vec<Computed>);

impl LoadedRecords {
    /// The number of records loaded.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no record was loaded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Computed {
    /// A record whose figures are still to be computed (by
    /// `Registry::compute_records`, which sets every other field).
    fn pending(org: Organisation) -> Computed {
        Computed {
            org,
            outcome: Outcome::default(),
            level: Level::Aspirant,
            status: CertificateStatus::Valid,
            direct_pct: 0.0,
            indirect_pct: 0.0,
            total_pct: 0.0,
            norms: ladder::Norms::default(),
            suppliers: Vec::new(),
            customers: Vec::new(),
        }
    }
}

impl Registry {
    /// Runs the registry-wide checks and the computation over validated
    /// records. Records with registry-wide errors are left out; the errors
    /// and warnings go into `diagnostics`.
    ///
    /// The records are moved into a vector of [`Computed`] first, so the
    /// two vectors are live at once; a build loads them with
    /// [`Registry::load`] instead, straight into that room.
    pub fn compute(
        records: Vec<Organisation>,
        weights: &Weights,
        norms: &NormTable,
        reference_date: Date,
        diagnostics: &mut Diagnostics,
    ) -> Registry {
        let records = records.into_iter().map(Computed::pending).collect();
        Registry::compute_records(records, weights, norms, reference_date, diagnostics)
    }

    /// [`records::load_all_cached`] for [`Registry::compute_loaded`]: the
    /// same records and messages, each record loaded into the room of its
    /// [`Computed`]. With [`Registry::load`] and `compute_loaded` the
    /// records are never moved into a second vector, which at 100,000
    /// records was 48 MB of fresh memory (the kernel zeroes each page)
    /// and its copy.
    pub fn load(
        root: &std::path::Path,
        weights: &Weights,
        reference: Date,
        diagnostics: &mut Diagnostics,
        cache: Option<&mut records::RecordCache>,
    ) -> LoadedRecords {
        LoadedRecords(records::load_all_as(
            root,
            weights,
            reference,
            diagnostics,
            cache,
            Computed::pending,
        ))
    }

    /// [`Registry::compute`] over records from [`Registry::load`].
    pub fn compute_loaded(
        records: LoadedRecords,
        weights: &Weights,
        norms: &NormTable,
        reference_date: Date,
        diagnostics: &mut Diagnostics,
    ) -> Registry {
        Registry::compute_records(records.0, weights, norms, reference_date, diagnostics)
    }

    /// [`Registry::compute`], each record's figures set in its place.
    fn compute_records(
        mut records: Vec<Computed>,
        weights: &Weights,
        norms: &NormTable,
        reference_date: Date,
        diagnostics: &mut Diagnostics,
    ) -> Registry {
        // Loaded records come in id order nearly always; a sort would still
        // set aside room for half of them (364 bytes a record) first.
        if !records.is_sorted_by(|a, b| a.org.id <= b.org.id) {
            records.sort_by(|a, b| a.org.id.cmp(&b.org.id));
        }
        check_duplicates(&records, diagnostics);
        // Every supplier reference is looked up once, here; after that the
        // records refer to each other by index. With a repeated id (only
        // possible when a caller passes such records) the last one counts.
        let ids = IdBlock::new(&records);
        let positions = IdIndex::new((0..records.len()).map(|i| ids.get(i)));
        let links = Links::new(&records, &positions, |i| ids.get(i));
        // The last record of each run of equal ids (the one the index
        // finds): two records have the same id exactly when they share it.
        let mut last_of_run = vec![0; records.len()];
        for r in (0..records.len()).rev() {
            last_of_run[r] = if r + 1 < records.len() && ids.get(r + 1) == ids.get(r) {
                last_of_run[r + 1]
            } else {
                r
            };
        }
        check_purchases(&records, &links, &last_of_run, diagnostics);

        // Step 1 for everyone first: indirect contributions use only the
        // suppliers' direct figures, so cycles need no special handling.
        // Records checked against the same weights have it already.
        let print = records::weights_print(weights);
        let figures: Vec<SupplierFigures> = records
            .par_iter()
            .map(|c| &c.org)
            .map(|r| SupplierFigures {
                direct_fte: r.measurement.direct_weighted_fte(weights, print),
                revenue_eur: r.measurement.revenue_eur.unwrap_or(0.0),
                withdrawn: r.certificate.status == ladder::RecordedStatus::Withdrawn,
            })
            .collect();
        let customers = Customers::new(&links, &last_of_run);
        // Each id once, shared by the supplier and customer lists that
        // name it.
        let shared: Vec<Arc<str>> = (0..records.len()).map(|i| Arc::from(ids.get(i))).collect();
        let count = records.len();
        let problems = std::sync::Mutex::new(Vec::new());
        // Steps 2 to 9 and the lists, record by record.
        let kept: Vec<bool> = records
            .par_iter_mut()
            .enumerate()
            .map(|(r, computed)| {
                let org = &computed.org;
                let links = links.suppliers(r);
                let input = org.ladder_input();
                let payroll = org.measurement.sums.payroll_persons;
                let outcome = ladder::compute_given_direct(
                    &input,
                    figures[r].direct_fte,
                    payroll,
                    norms,
                    |p, _| links[p].get().map(|s| figures[s]),
                );
                let mut suppliers: Vec<usize> = Vec::new();
                let mut unknown: Vec<&str> = Vec::new();
                for (purchase, found) in org.measurement.purchases.iter().zip(links) {
                    match (purchase, found.get()) {
                        (Purchase::Registry { .. }, Some(s)) if s != last_of_run[r] => {
                            suppliers.push(s)
                        }
                        (Purchase::Registry { supplier, .. }, None) => unknown.push(supplier),
                        _ => {}
                    }
                }
                // The records are sorted by id and a repeated id is always
                // found at the same record: index order is id order.
                suppliers.sort_unstable();
                suppliers.dedup();
                let mut suppliers: Vec<Arc<str>> =
                    suppliers.iter().map(|&s| Arc::clone(&shared[s])).collect();
                if !unknown.is_empty() {
                    suppliers.extend(unknown.into_iter().map(Arc::from));
                    suppliers.sort();
                    suppliers.dedup();
                }
                let customers = customers
                    .of(last_of_run[r])
                    .iter()
                    .map(|&c| Arc::clone(&shared[c as usize]))
                    .collect();
                let mut found = Vec::new();
                let kept = finish(
                    computed,
                    outcome,
                    reference_date,
                    suppliers,
                    customers,
                    &mut found,
                );
                if !found.is_empty() {
                    let mut problems = problems.lock().unwrap_or_else(|e| e.into_inner());
                    problems.extend(found.into_iter().map(|d| (r, d)));
                }
                kept
            })
            .collect();
        // In record order, as a sequential loop would have reported them.
        let mut problems = problems.into_inner().unwrap_or_else(|e| e.into_inner());
        problems.sort_by_key(|(r, _)| *r);
        problems.into_iter().for_each(|(_, d)| diagnostics.push(d));
        // In place.
        let mut organisations = records;
        if kept.contains(&false) {
            let mut kept = kept.into_iter();
            organisations.retain(|_| kept.next().unwrap_or(false));
        }
        // With every record kept, the positions are the same.
        let index = if organisations.len() == count {
            positions
        } else {
            IdIndex::new(organisations.iter().map(|c| c.org.id.as_str()))
        };
        Registry {
            reference_date,
            organisations,
            index,
        }
    }

    /// The organisation with this id.
    pub fn get(&self, id: &str) -> Option<&Computed> {
        let organisations = &self.organisations;
        self.index
            .get(id, |i| organisations[i].org.id.as_str())
            .map(|i| &organisations[i])
    }

    /// Number of organisations per level, every level present.
    pub fn count_by_level(&self) -> BTreeMap<Level, usize> {
        let mut counts: BTreeMap<Level, usize> = Level::ALL.iter().map(|&l| (l, 0)).collect();
        for c in &self.organisations {
            *counts.entry(c.level).or_default() += 1;
        }
        counts
    }

    /// Number of organisations per certificate status, every status present.
    pub fn count_by_status(&self) -> BTreeMap<CertificateStatus, usize> {
        let mut counts: BTreeMap<CertificateStatus, usize> =
            CertificateStatus::ALL.iter().map(|&s| (s, 0)).collect();
        for c in &self.organisations {
            *counts.entry(c.status).or_default() += 1;
        }
        counts
    }

    /// The `registry.json` document of spec section 5.
    pub fn to_json(&self, urls: &Urls) -> RegistryJson<'_> {
        RegistryJson {
            generated: self.reference_date.to_string(),
            organisations: self.organisations.iter().map(|c| c.to_json(urls)).collect(),
        }
    }
}

/// Sets the computed fields of `computed` from `outcome`, or says that the
/// record is left out (false).
fn finish(
    computed: &mut Computed,
    outcome: Outcome,
    reference_date: Date,
    suppliers: Vec<Arc<str>>,
    customers: Vec<Arc<str>>,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let org = &computed.org;
    if !outcome.withdrawn_suppliers.is_empty() {
        let (source, spans) = org.source_and_spans();
        for withdrawn in &outcome.withdrawn_suppliers {
            let position = org.measurement.purchases.iter().position(
                |p| matches!(p, Purchase::Registry { supplier, .. } if supplier == withdrawn),
            );
            diagnostics.push(
                Diagnostic::warning(format!(
                    "purchase from `{withdrawn}`, whose certificate is withdrawn, does not count"
                ))
                .at(&source, position.and_then(|i| spans.purchases.get(i).cloned()))
                .key(format!("measurement.purchases[{}].supplier", position.unwrap_or(0)))
                .hint("remove the purchase, or keep it knowing it adds nothing to the indirect contribution"),
            );
        }
    }
    let Some(level) = outcome.level else {
        let hint = if !org.certificate.quality_met {
            "the quality criteria were not met (`certificate.quality_met = false`); only `aspirant_plan = true` makes this an aspirant"
        } else {
            "a registry lists only certified organisations: check the measurement, or set `certificate.aspirant_plan = true` for an aspirant"
        };
        let total = ladder::round2(outcome.percentages.total);
        let basis = ladder::round2(outcome.norm_lookup.norms.basistrede);
        diagnostics.push(
            Diagnostic::error(format!(
                "`{}` reaches no level: total {total:.2}% against a basistrede norm of {basis:.2}%",
                org.id
            ))
            .in_file(org.file.name.clone())
            .key("measurement")
            .hint(hint),
        );
        return false;
    };
    if let Some(declared) = org.certificate.declared_level
        && declared != level
    {
        let (source, spans) = org.source_and_spans();
        diagnostics.push(
            Diagnostic::warning(format!(
                "the certificate declares `{}` but the measurement gives `{}`",
                declared.key(),
                level.key()
            ))
            .at(&source, spans.declared_level)
            .key("certificate.declared_level")
            .hint("check the measurement against the audit report, or correct `declared_level`"),
        );
    }
    let status = ladder::status_on(
        org.certificate.status,
        org.certificate.expires,
        reference_date,
    );
    let n = &outcome.norm_lookup.norms;
    let norms = Norms {
        basistrede: ladder::round2(n.basistrede),
        trede1: ladder::round2(n.trede1),
        trede2: ladder::round2(n.trede2),
        trede3: ladder::round2(n.trede3),
    };
    computed.direct_pct = ladder::round2(outcome.percentages.direct);
    computed.indirect_pct = ladder::round2(outcome.percentages.indirect);
    computed.total_pct = ladder::round2(outcome.percentages.total);
    computed.customers = customers;
    computed.suppliers = suppliers;
    computed.norms = norms;
    computed.status = status;
    computed.level = level;
    computed.outcome = outcome;
    true
}

fn check_duplicates(records: &[Computed], diagnostics: &mut Diagnostics) {
    // A duplicate names the latest earlier record with its value, so a
    // third duplicate names the second.
    let (kvk, numbers) = rayon::join(
        || earlier_equal(records, |r| &r.org.kvk),
        || earlier_equal(records, |r| &r.org.certificate.number),
    );
    // In record order, a record's kvk before its certificate number.
    let mut found: Vec<(usize, bool, usize)> = kvk
        .into_iter()
        .map(|(i, first)| (i, false, first))
        .chain(numbers.into_iter().map(|(i, first)| (i, true, first)))
        .collect();
    found.sort_unstable();
    for (i, is_number, first) in found {
        let (record, first) = (&records[i].org, &records[first].org);
        let (source, spans) = record.source_and_spans();
        if !is_number {
            diagnostics.push(
                Diagnostic::error(format!("duplicate kvk {}: also in `{}`", record.kvk, first.file.name))
                    .at(&source, Some(spans.kvk))
                    .key("kvk")
                    .hint("each organisation has its own Chamber of Commerce number; merge the records or correct the number"),
            );
        } else {
            diagnostics.push(
                Diagnostic::error(format!(
                    "duplicate certificate number {}: also in `{}`",
                    record.certificate.number, first.file.name
                ))
                .at(&source, Some(spans.certificate_number))
                .key("certificate.number")
                .hint("certificate numbers are unique across the registry"),
            );
        }
    }
}

/// Each record (by position) whose `key` an earlier record has too, with
/// the latest such record, in no particular order. Sorting (hash, record) pairs brings equal keys together; that
/// reads the keys once, in order, where a hash map reads its table at
/// random for every record.
fn earlier_equal<T>(records: &[T], key: impl Fn(&T) -> &str) -> Vec<(usize, usize)> {
    let mut keyed: Vec<(u64, u32)> = records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut hasher = FxHasher::default();
            hasher.write(key(r).as_bytes());
            (
                hasher.finish(),
                u32::try_from(i).expect("under 2^32 records"),
            )
        })
        .collect();
    keyed.sort_unstable();
    let mut found = Vec::new();
    for run in keyed
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() > 1)
    {
        // In record order; another key may share the hash.
        for (j, &(_, i)) in run.iter().enumerate().skip(1) {
            let value = key(&records[i as usize]);
            if let Some(&(_, first)) = run[..j]
                .iter()
                .rev()
                .find(|(_, e)| key(&records[*e as usize]) == value)
            {
                found.push((i as usize, first as usize));
            }
        }
    }
    found
}

/// The registry supplier of every purchase, as an index into the sorted
/// records (none for a purchase outside the registry or an unknown id).
struct Links {
    /// Where each record's purchases start in `suppliers`.
    starts: Vec<usize>,
    suppliers: Vec<Link>,
}

/// A purchase's registry supplier, if any, in four bytes; it also tells a
/// purchase outside the registry from one naming an unknown id, so that
/// the checks need not read the purchases again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Link(u32);

impl Link {
    /// A registry supplier whose id no record has.
    const UNKNOWN: Link = Link(u32::MAX);
    /// A supplier outside the registry (`supplier_name`).
    const EXTERNAL: Link = Link(u32::MAX - 1);

    fn to(record: Option<usize>) -> Link {
        record.map_or(Link::UNKNOWN, |r| {
            Link(
                u32::try_from(r)
                    .ok()
                    .filter(|&r| r < Link::EXTERNAL.0)
                    .expect("under 2^32 - 2 records"),
            )
        })
    }

    /// The supplier's record, if the purchase names one that exists.
    fn get(self) -> Option<usize> {
        (self.0 < Link::EXTERNAL.0).then_some(self.0 as usize)
    }

    /// Whether the purchase names a registry supplier that does not exist.
    fn is_unknown(self) -> bool {
        self == Link::UNKNOWN
    }
}

impl Links {
    /// Looks every registry supplier up in `index`, whose ids `id_at`
    /// gives.
    fn new<'a>(records: &[Computed], index: &IdIndex, id_at: impl Fn(usize) -> &'a str) -> Links {
        let total = records
            .iter()
            .map(|r| r.org.measurement.purchases.len())
            .sum();
        let mut starts = Vec::with_capacity(records.len() + 1);
        let mut suppliers = vec![Link::EXTERNAL; total];
        // (where in `suppliers`, the id) of up to 64 registry purchases
        let mut wanted: [(usize, &str); 64] = [(0, ""); 64];
        let mut waiting = 0;
        let mut at = 0;
        for record in records {
            starts.push(at);
            for purchase in &record.org.measurement.purchases {
                if let Purchase::Registry { supplier, .. } = purchase {
                    if waiting == wanted.len() {
                        index
                            .get_each(&wanted, &id_at, |at, found| suppliers[at] = Link::to(found));
                        waiting = 0;
                    }
                    wanted[waiting] = (at, supplier);
                    waiting += 1;
                }
                at += 1;
            }
        }
        starts.push(at);
        index.get_each(&wanted[..waiting], &id_at, |at, found| {
            suppliers[at] = Link::to(found)
        });
        Links { starts, suppliers }
    }

    /// The suppliers of record `r`'s purchases, in purchase order.
    fn suppliers(&self, r: usize) -> &[Link] {
        &self.suppliers[self.starts[r]..self.starts[r + 1]]
    }
}

/// For each record, the records that buy from it, in id order, once each:
/// the lists one after the other in one array.
struct Customers {
    /// Where each record's list starts in `list`, and where it ends.
    spans: Vec<(u32, u32)>,
    list: Vec<u32>,
}

impl Customers {
    /// From the supplier of every purchase; `last_of_run` is the last record
    /// of each record's run of equal ids. A purchase from the buyer's own id
    /// does not count; a repeated id's customers are listed at its last
    /// record, where the index finds it.
    fn new(links: &Links, last_of_run: &[usize]) -> Customers {
        let n = last_of_run.len();
        let buys = |r: usize| {
            links
                .suppliers(r)
                .iter()
                .filter_map(|link| link.get())
                .filter(move |&s| s != last_of_run[r])
        };
        let mut spans = vec![(0u32, 0u32); n];
        for r in 0..n {
            for s in buys(r) {
                spans[s].1 += 1;
            }
        }
        let mut start = 0;
        for span in &mut spans {
            let len = span.1;
            *span = (start, start);
            start += len;
        }
        let mut list = vec![0u32; start as usize];
        for r in 0..n {
            for s in buys(r) {
                let span = &mut spans[s];
                // Buyers come in id order: a second purchase from the same
                // buyer (or another record with its id) follows the first.
                let last = (span.1 > span.0).then(|| list[span.1 as usize - 1] as usize);
                if last.is_none_or(|c| last_of_run[c] != last_of_run[r]) {
                    list[span.1 as usize] = r as u32;
                    span.1 += 1;
                }
            }
        }
        Customers { spans, list }
    }

    /// The customers of record `s`.
    fn of(&self, s: usize) -> &[u32] {
        let (start, end) = self.spans[s];
        &self.list[start as usize..end as usize]
    }
}

/// Every record's id, one after the other in one string: looking an id up
/// then reads a few megabytes instead of one place in every record.
struct IdBlock {
    text: String,
    ends: Vec<usize>,
}

impl IdBlock {
    fn new(records: &[Computed]) -> IdBlock {
        let mut text = String::with_capacity(records.iter().map(|r| r.org.id.len()).sum());
        let ends = records
            .iter()
            .map(|r| {
                text.push_str(&r.org.id);
                text.len()
            })
            .collect();
        IdBlock { text, ends }
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }
}

/// The supplier references that are wrong: the record itself, an unknown
/// id, a supplier without turnover. Found from the links, without comparing
/// ids again (`last_of_run` as in [`Registry::compute`]).
fn check_purchases(
    records: &[Computed],
    links: &Links,
    last_of_run: &[usize],
    diagnostics: &mut Diagnostics,
) {
    // The nearest id to each distinct unknown supplier, found once, side
    // by side: with thousands of unknown suppliers (a registry where many
    // records fail) comparing each with every id took minutes.
    let mut unknown: Vec<&str> = Vec::new();
    for (r, record) in records.iter().map(|c| &c.org).enumerate() {
        for (i, found) in links.suppliers(r).iter().enumerate() {
            if found.is_unknown()
                && let Purchase::Registry { supplier, .. } = &record.measurement.purchases[i]
                && supplier != &record.id
            {
                unknown.push(supplier);
            }
        }
    }
    unknown.sort_unstable();
    unknown.dedup();
    let suggestions: FastMap<&str, Option<&str>> = if unknown.is_empty() {
        FastMap::default()
    } else {
        let ids = crate::diagnostics::Nearest::new(records.iter().map(|r| r.org.id.as_str()));
        unknown
            .par_iter()
            .map(|&word| (word, ids.nearest(word)))
            .collect()
    };
    let has_revenue: Vec<bool> = records
        .iter()
        .map(|r| r.org.measurement.revenue_eur.is_some())
        .collect();
    for (r, record) in records.iter().map(|c| &c.org).enumerate() {
        let suppliers = links.suppliers(r);
        // Read for the record's first problem, if it has one.
        let mut read: Option<(Source, RecordSpans)> = None;
        for (i, &found) in suppliers.iter().enumerate() {
            // Most purchases have no problem: the purchase itself is read
            // only for one that has.
            let fine = match found.get() {
                Some(s) => s != last_of_run[r] && has_revenue[s],
                None => !found.is_unknown(),
            };
            if fine {
                continue;
            }
            let Purchase::Registry { supplier, .. } = &record.measurement.purchases[i] else {
                continue;
            };
            // The record's own id is always found, at the end of its run.
            let problem = if found.get() == Some(last_of_run[r]) {
                Some((
                    "a purchase names the organisation itself as supplier".to_string(),
                    "purchases count only from other organisations".to_string(),
                ))
            } else {
                match found.get() {
                    None => {
                        let near = suggestions[supplier.as_str()];
                        Some((
                            format!("unknown supplier `{supplier}`"),
                            match near {
                                Some(near) => format!("did you mean `{near}`? A supplier is the id (file name) of another record; for one outside the registry use `supplier_name` with its figures"),
                                None => "a supplier is the id (file name) of another record; for one outside the registry use `supplier_name`, `supplier_revenue_eur` and `supplier_direct_fte`".to_string(),
                            },
                        ))
                    }
                    Some(s) if !has_revenue[s] => Some((
                        format!("supplier `{supplier}` has no `measurement.revenue_eur`"),
                        format!(
                            "add `revenue_eur` to {}: the indirect contribution is the purchase's share of the supplier's turnover",
                            records[s].org.file.name
                        ),
                    )),
                    Some(_) => None,
                }
            };
            if let Some((message, hint)) = problem {
                let (source, spans) = read.get_or_insert_with(|| record.source_and_spans());
                diagnostics.push(
                    Diagnostic::error(message)
                        .at(source, spans.purchases.get(i).cloned())
                        .key(format!("measurement.purchases[{i}].supplier"))
                        .hint(hint),
                );
            }
        }
    }
}

/// Positions of ids in a list, without copying the ids: an open-addressing
/// table of (hash, position) that compares with the list's own ids. With a
/// repeated id the last position counts, as a map's `insert` would have it.
#[derive(Debug, Clone, Default)]
struct IdIndex {
    /// (high half of the hash, position + 1); 0 marks an empty slot.
    slots: Vec<(u32, u32)>,
}

impl IdIndex {
    fn new<'a>(ids: impl ExactSizeIterator<Item = &'a str>) -> IdIndex {
        let capacity = (ids.len() * 2).next_power_of_two().max(16);
        let mut index = IdIndex {
            slots: vec![(0, 0); capacity],
        };
        let mut stored: Vec<&str> = Vec::with_capacity(ids.len());
        for (position, id) in ids.enumerate() {
            let found = index.find(id, |i| stored[i]);
            let slot = &mut index.slots[found];
            *slot = (
                id_hash(id).1,
                u32::try_from(position + 1).expect("under 2^32 records"),
            );
            stored.push(id);
        }
        index
    }

    /// The slot holding `id`, or the empty slot where it would go.
    fn find<'a>(&self, id: &str, id_at: impl Fn(usize) -> &'a str) -> usize {
        let mask = self.slots.len() - 1;
        let (start, tag) = id_hash(id);
        let mut slot = start & mask;
        loop {
            let (t, position) = self.slots[slot];
            if position == 0 || (t == tag && id_at(position as usize - 1) == id) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
    }

    /// [`IdIndex::get`] of up to 64 ids at once, each given with a
    /// number that `found` receives with its position. The table is read
    /// for all of them before any id is compared, so that the processor
    /// waits for many reads from memory at once rather than one after
    /// another.
    fn get_each<'a>(
        &self,
        ids: &[(usize, &str)],
        id_at: impl Fn(usize) -> &'a str,
        mut found: impl FnMut(usize, Option<usize>),
    ) {
        assert!(ids.len() <= 64, "at most 64 ids at once");
        if self.slots.is_empty() {
            ids.iter().for_each(|&(at, _)| found(at, None));
            return;
        }
        let mask = self.slots.len() - 1;
        // The position in the first slot with the id's tag, or 0 for the
        // empty slot that ends its probe.
        let mut candidates = [0u32; 64];
        for (candidate, (_, id)) in candidates.iter_mut().zip(ids) {
            let (start, tag) = id_hash(id);
            let mut slot = start & mask;
            *candidate = loop {
                let (t, position) = self.slots[slot];
                if position == 0 || t == tag {
                    break position;
                }
                slot = (slot + 1) & mask;
            };
        }
        for (&(at, id), &position) in ids.iter().zip(&candidates) {
            let position = match position {
                0 => None,
                p if id_at(p as usize - 1) == id => Some(p as usize - 1),
                // Another id with the same tag: the whole probe.
                _ => self.get(id, &id_at),
            };
            found(at, position);
        }
    }

    /// The position of `id`, `id_at` giving the id at a position.
    fn get<'a>(&self, id: &str, id_at: impl Fn(usize) -> &'a str) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        match self.slots[self.find(id, id_at)] {
            (_, 0) => None,
            (_, position) => Some(position as usize - 1),
        }
    }
}

/// Where to start looking for an id, and the tag to compare first.
fn id_hash(id: &str) -> (usize, u32) {
    let mut hasher = FxHasher::default();
    hasher.write(id.as_bytes());
    let hash = hasher.finish();
    // The multiply leaves the best-mixed bits at the top.
    ((hash >> 40) as usize, (hash >> 8) as u32)
}

/// A hash map with the Fx hash (rustc's): ids and numbers are not chosen
/// by an attacker here, and SipHash was a measurable part of the
/// computation at 100,000 organisations.
type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The Fx hash: a multiply and a rotate per word.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
        }
        let mut tail = [0u8; 8];
        let rest = chunks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        let word = u64::from_le_bytes(tail) ^ ((rest.len() as u64) << 59);
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }

    fn write_u8(&mut self, i: u8) {
        self.write(&[i]);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// `registry.json` (spec section 5).
#[derive(Debug, Serialize)]
pub struct RegistryJson<'a> {
    /// The reference date.
    pub generated: String,
    /// One object per organisation, sorted by id.
    pub organisations: Vec<OrganisationJson<'a>>,
}

/// One organisation in `registry.json`: aggregates only.
#[derive(Debug, Serialize)]
pub struct OrganisationJson<'a> {
    /// Permanent id.
    pub id: &'a str,
    /// Name.
    pub name: &'a str,
    /// Chamber of Commerce number.
    pub kvk: &'a str,
    /// City.
    pub city: &'a str,
    /// Province.
    pub province: &'a str,
    /// Sector.
    pub sector: &'a str,
    /// Website, omitted when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<&'a str>,
    /// Absolute URL of the organisation's page.
    pub url: String,
    /// Absolute URL of its badge.
    pub badge: String,
    /// Level key.
    pub level: Level,
    /// PSO 30+.
    pub pso30plus: bool,
    /// Direct percentage.
    pub direct_pct: f64,
    /// Indirect percentage.
    pub indirect_pct: f64,
    /// Total percentage.
    pub total_pct: f64,
    /// Headcount, the size the norms are taken for.
    pub size: u32,
    /// Norms for that size.
    pub norms: NormsJson,
    /// Measurement year.
    pub measurement_year: i32,
    /// The certificate.
    pub certificate: CertificateJson<'a>,
}

/// Norms keyed by level.
#[derive(Debug, Serialize)]
pub struct NormsJson {
    /// Basistrede.
    pub basistrede: f64,
    /// Trede 1.
    #[serde(rename = "trede-1")]
    pub trede1: f64,
    /// Trede 2.
    #[serde(rename = "trede-2")]
    pub trede2: f64,
    /// Trede 3.
    #[serde(rename = "trede-3")]
    pub trede3: f64,
}

/// The certificate in `registry.json`.
#[derive(Debug, Serialize)]
pub struct CertificateJson<'a> {
    /// Number.
    pub number: &'a str,
    /// Certifying body.
    pub body: &'a str,
    /// Issued, ISO date.
    pub issued: String,
    /// Expires, ISO date.
    pub expires: String,
    /// Status on the reference date.
    pub status: CertificateStatus,
}

impl Computed {
    /// This organisation's `registry.json` object.
    pub fn to_json(&self, urls: &Urls) -> OrganisationJson<'_> {
        let org = &self.org;
        OrganisationJson {
            id: &org.id,
            name: &org.name,
            kvk: &org.kvk,
            city: &org.city,
            province: org.province,
            sector: &org.sector,
            website: org.website.as_deref(),
            url: urls.absolute(&urls::organisation_dir(&org.id)),
            badge: urls.absolute(&urls::badge_path(&org.id)),
            level: self.level,
            pso30plus: self.outcome.pso30plus,
            direct_pct: self.direct_pct,
            indirect_pct: self.indirect_pct,
            total_pct: self.total_pct,
            size: org.measurement.employees,
            norms: NormsJson {
                basistrede: self.norms.basistrede,
                trede1: self.norms.trede1,
                trede2: self.norms.trede2,
                trede3: self.norms.trede3,
            },
            measurement_year: org.measurement.year,
            certificate: CertificateJson {
                number: &org.certificate.number,
                body: &org.certificate.body,
                issued: org.certificate.issued.to_string(),
                expires: org.certificate.expires.to_string(),
                status: self.status,
            },
        }
    }
}

/// Test support: a registry computed through the real pipeline from record
/// texts, for the tests of the stages after this one.
#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use crate::records;

    /// Writes `records` (id, TOML text) into a temporary site, loads them
    /// with [`records::load_all`] and computes the registry on `reference`
    /// with the built-in tables. Panics, with the diagnostics, when a
    /// record is invalid: fixtures must be valid.
    pub fn compute_from_records<I, S>(records: I, reference: Date) -> Registry
    where
        I: IntoIterator<Item = (S, String)>,
        S: AsRef<str>,
    {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join(records::RECORDS_DIR);
        std::fs::create_dir_all(&folder).unwrap();
        for (id, text) in records {
            std::fs::write(folder.join(format!("{}.toml", id.as_ref())), text).unwrap();
        }
        let weights = Weights::embedded();
        let mut diagnostics = Diagnostics::new();
        let loaded = records::load_all(dir.path(), &weights, reference, &mut diagnostics);
        let registry = Registry::compute(
            loaded,
            &weights,
            &NormTable::embedded(),
            reference,
            &mut diagnostics,
        );
        assert!(
            !diagnostics.has_errors(false),
            "fixture records are valid: {}",
            diagnostics.render(false)
        );
        registry
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_key_names_the_latest_earlier_record_with_it() {
        let keys = ["a", "b", "a", "c", "a", "b", "d"];
        let mut found = earlier_equal(&keys, |k| k);
        found.sort();
        assert_eq!(found, [(2, 0), (4, 2), (5, 1)]);
        // Many different keys: no duplicate.
        let many: Vec<String> = (0..20_000).map(|i| format!("{i:08}")).collect();
        assert!(earlier_equal(&many, |k| k).is_empty());
    }

    #[test]
    fn a_loaded_result_takes_the_room_of_a_computed_organisation() {
        // So that `Registry::load` keeps the records in the results' memory.
        assert_eq!(
            std::mem::size_of::<Option<Result<Computed, Vec<Diagnostic>>>>(),
            std::mem::size_of::<Computed>()
        );
    }

    #[test]
    fn loading_for_the_registry_gives_what_load_all_and_compute_give() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let (weights, norms) = (Weights::embedded(), NormTable::embedded());
        let date = jiff::civil::date(2026, 11, 30);
        let urls = Urls::new("https://example.github.io/trede/");
        let (mut first, mut second) = (Diagnostics::new(), Diagnostics::new());
        let records = records::load_all(root, &weights, date, &mut first);
        let one = Registry::compute(records, &weights, &norms, date, &mut first);
        let loaded = Registry::load(root, &weights, date, &mut second, None);
        assert_eq!(loaded.len(), one.organisations.len());
        let two = Registry::compute_loaded(loaded, &weights, &norms, date, &mut second);
        assert_eq!(first.render(false), second.render(false));
        assert_eq!(
            serde_json::to_string(&one.to_json(&urls)).unwrap(),
            serde_json::to_string(&two.to_json(&urls)).unwrap()
        );
        assert!(one.organisations.len() > 10);
        for (a, b) in one.organisations.iter().zip(&two.organisations) {
            assert_eq!(a.outcome, b.outcome);
            assert_eq!((&a.suppliers, &a.customers), (&b.suppliers, &b.customers));
        }
    }

    #[test]
    fn the_id_index_finds_every_id_and_the_last_of_a_repeated_one() {
        let ids: Vec<String> = (0..1000).map(|i| format!("org-{i}")).collect();
        let mut with_repeats: Vec<&str> = ids.iter().map(String::as_str).collect();
        with_repeats.extend(["org-7", "org-999", "org-7"]);
        let index = IdIndex::new(with_repeats.iter().copied());
        let get = |id: &str| index.get(id, |i| with_repeats[i]);
        for (i, id) in ids
            .iter()
            .enumerate()
            .filter(|(i, _)| ![7, 999].contains(i))
        {
            assert_eq!(get(id), Some(i));
        }
        assert_eq!(get("org-7"), Some(1002));
        assert_eq!(get("org-999"), Some(1001));
        assert_eq!(get("org-1000"), None);
        assert_eq!(get(""), None);
        // Many at once, found or not, give the same.
        let wanted: Vec<(usize, String)> = (0..1300).map(|i| (i, format!("org-{i}"))).collect();
        let wanted: Vec<(usize, &str)> = wanted.iter().map(|(i, id)| (*i, id.as_str())).collect();
        let mut found = vec![None; wanted.len()];
        for chunk in wanted.chunks(64) {
            index.get_each(
                chunk,
                |i| with_repeats[i],
                |at, position| found[at] = Some(position),
            );
        }
        for (at, id) in &wanted {
            assert_eq!(found[*at], Some(get(id)), "{id}");
        }
        let empty = IdIndex::new(std::iter::empty());
        assert_eq!(empty.get("org-1", |_| unreachable!()), None);
        assert_eq!(IdIndex::default().get("org-1", |_| unreachable!()), None);
        IdIndex::default().get_each(
            &[(7, "org-1")],
            |_| unreachable!(),
            |at, position| assert_eq!((at, position), (7, None)),
        );
    }
}
