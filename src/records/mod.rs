//! Organisation records: loading `content/organisations/<id>.toml`, checking
//! each file on its own (spec/records.md sections 1, 2 and 4), and the typed
//! model the rest of the pipeline uses. Reading the folder is in `files`,
//! reading one record's text into its raw form in `raw`, the checks that
//! turn it into an [`Organisation`] in `check`.
//!
//! Checks that need the whole registry (duplicates, supplier references,
//! levels) live in [`crate::registry`].

use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use jiff::civil::Date;
use toml::Spanned;

use crate::diagnostics::{Diagnostic, Source, list_keys};
use crate::ladder::{self, Level, Purchase, RecordedStatus, TargetGroupRow};
use crate::tables::Weights;
use crate::toml_input::{self, OutsideSubset, Schema};

mod check;
mod files;
mod raw;

use check::Checker;
pub(crate) use files::load_all_as;
pub use files::{RecordCache, RecordFiles, load_all, load_all_cached};
use raw::{RawRecord, fast_raw};

/// The folder, under the site root, that holds the records.
pub const RECORDS_DIR: &str = "content/organisations";

/// The twelve provinces in their canonical spelling (spec 2.1).
pub const PROVINCES: [&str; 12] = [
    "Groningen",
    "Fryslân",
    "Drenthe",
    "Overijssel",
    "Flevoland",
    "Gelderland",
    "Utrecht",
    "Noord-Holland",
    "Zuid-Holland",
    "Zeeland",
    "Noord-Brabant",
    "Limburg",
];

/// Contracts on the payroll (defined with the computation that uses them).
pub use ladder::PAYROLL_CONTRACTS;

/// A validated organisation record.
#[derive(Debug, Clone)]
pub struct Organisation {
    /// The permanent identifier: the file stem.
    pub id: String,
    /// The record's file, for diagnostics that involve several records.
    pub file: RecordFile,
    /// Registered name.
    pub name: String,
    /// Chamber of Commerce number, 8 digits.
    pub kvk: String,
    /// City.
    pub city: String,
    /// Province, canonical spelling.
    pub province: &'static str,
    /// Sector, free text.
    pub sector: String,
    /// Website, an absolute http(s) URL.
    pub website: Option<String>,
    /// Markdown summary (untrusted: sanitised when rendered).
    pub summary: Option<SharedStr>,
    /// Markdown description (untrusted).
    pub description: Option<SharedStr>,
    /// English summary.
    pub summary_en: Option<SharedStr>,
    /// English description.
    pub description_en: Option<SharedStr>,
    /// The certificate.
    pub certificate: Certificate,
    /// The measurement behind the level.
    pub measurement: Measurement,
}

/// A record's file: its name as messages show it, and its text, kept or
/// read again when a message needs it.
#[derive(Debug, Clone)]
pub struct RecordFile {
    /// The path relative to the site root, as messages show it.
    pub name: String,
    text: RecordText,
}

/// A record's text, as [`Keep`] says.
#[derive(Debug, Clone)]
enum RecordText {
    /// The text as read.
    Kept(Arc<str>),
    /// Not kept: read again from the file under this site root.
    ReadFrom(Arc<Path>),
}

/// What a checked record keeps of its file's text.
#[derive(Clone, Copy)]
pub(crate) enum Keep<'a> {
    /// The whole text (a rebuild compares it; the markdown fields are parts
    /// of it).
    Text,
    /// Nothing: the markdown fields are copied and a message reads the file
    /// again from under this site root. A build keeps 100,000 texts for the
    /// few records a message is about otherwise, and allocating them was
    /// half of the memory the kernel had to clear for the ladder engine.
    ReadAgainFrom(&'a Arc<Path>),
}

impl Organisation {
    /// The record's file with its text, for a message: the text kept, or
    /// read again. A file that can no longer be read gives an empty text,
    /// so the message names the file without a line.
    pub fn source(&self) -> Source {
        Source::new(self.file.name.clone(), self.text())
    }

    /// The record's text, kept or read again (see [`Organisation::source`]).
    pub fn text(&self) -> Arc<str> {
        match &self.file.text {
            RecordText::Kept(text) => Arc::clone(text),
            RecordText::ReadFrom(root) => std::fs::read_to_string(root.join(&self.file.name))
                .map(Arc::from)
                .unwrap_or_else(|_| Arc::from("")),
        }
    }

    /// [`Organisation::source`] and where the keys are written in it, for
    /// the messages of the checks that need the whole registry.
    pub fn source_and_spans(&self) -> (Source, RecordSpans) {
        let source = self.source();
        let spans = RecordSpans::read(&source);
        (source, spans)
    }

    /// What the ladder computation reads of this record.
    pub fn ladder_input(&self) -> ladder::OrgInput<'_> {
        ladder::OrgInput {
            employees: self.measurement.employees,
            total_fte: self.measurement.total_fte,
            target_group: &self.measurement.target_group,
            purchases: &self.measurement.purchases,
            quality_met: self.certificate.quality_met,
            aspirant_plan: self.certificate.aspirant_plan,
        }
    }
}

/// The certificate part of a record.
#[derive(Debug, Clone)]
pub struct Certificate {
    /// Certificate number, unique in the registry.
    pub number: String,
    /// Certifying body.
    pub body: String,
    /// Date of issue.
    pub issued: Date,
    /// Expiry date, explicit or the default of spec 3.6.
    pub expires: Date,
    /// Recorded status.
    pub status: RecordedStatus,
    /// The level printed on the certificate, for the cross-check.
    pub declared_level: Option<Level>,
    /// An accepted plan of approach.
    pub aspirant_plan: bool,
    /// Extensions of the aspirant status, at most 2.
    pub aspirant_extensions: u8,
    /// Whether the audit's quality criteria were met.
    pub quality_met: bool,
}

/// The measurement part of a record.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// Measurement year.
    pub year: i32,
    /// Headcount.
    pub employees: u32,
    /// Total FTE.
    pub total_fte: f64,
    /// Turnover, needed when others buy from this organisation.
    pub revenue_eur: Option<f64>,
    /// Target-group employment.
    pub target_group: Vec<TargetGroupRow>,
    /// Purchases from certified suppliers.
    pub purchases: Vec<Purchase>,
    /// Sums over the rows worked out while they were checked.
    pub(crate) sums: RowSums,
}

/// What the rows add up to, worked out while a record's rows are checked
/// (which looks every weight up already), so that `Registry::compute` does
/// not read the rows again.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowSums {
    /// Step 1, D, and the fingerprint of the weights it was computed with
    /// (none when the caller gave none).
    direct: Option<(u64, f64)>,
    /// [`ladder::payroll_persons`].
    pub(crate) payroll_persons: u64,
}

impl Measurement {
    /// Step 1, D, with the weights `weights` whose fingerprint is `print`
    /// ([`weights_print`]): from the check when it used the same weights.
    pub(crate) fn direct_weighted_fte(&self, weights: &Weights, print: u64) -> f64 {
        match self.sums.direct {
            Some((checked_with, direct)) if checked_with == print => direct,
            _ => ladder::direct_weighted_fte(&self.target_group, weights),
        }
    }
}

/// A markdown field of a record, the longest values a record has. Where the
/// record's text is kept (a rebuild, see `Keep`) it is a part of that
/// text, not a copy; a build, which keeps no texts, copies the field. It
/// reads as a `str`.
#[derive(Clone)]
pub struct SharedStr {
    text: Arc<str>,
    start: u32,
    end: u32,
}

impl SharedStr {
    /// `part` as the slice of `text` it is, when it is one (a value without
    /// escapes read by the fast reader), else as a text of its own.
    fn within(text: &Arc<str>, part: Cow<'_, str>) -> SharedStr {
        if let Cow::Borrowed(part) = part {
            let offset = (part.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
            if offset <= text.len()
                && part.len() <= text.len() - offset
                && let (Ok(start), Ok(end)) =
                    (u32::try_from(offset), u32::try_from(offset + part.len()))
            {
                return SharedStr {
                    text: Arc::clone(text),
                    start,
                    end,
                };
            }
        }
        SharedStr::from(&*part)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.text[self.start as usize..self.end as usize]
    }
}

impl From<&str> for SharedStr {
    fn from(text: &str) -> SharedStr {
        SharedStr {
            end: u32::try_from(text.len()).expect("a record's text is under 4 GB"),
            start: 0,
            text: Arc::from(text),
        }
    }
}

// It reads, compares, hashes and prints as its `str`.
impl std::ops::Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for SharedStr {
    fn eq(&self, other: &SharedStr) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for SharedStr {}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::hash::Hash for SharedStr {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl std::fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for SharedStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for SharedStr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Byte spans of keys that cross-record checks point at
/// ([`Organisation::source_and_spans`]).
#[derive(Debug, Clone, Default)]
pub struct RecordSpans {
    /// `kvk`.
    pub kvk: Range<usize>,
    /// `certificate.number`.
    pub certificate_number: Range<usize>,
    /// `certificate.declared_level`.
    pub declared_level: Option<Range<usize>>,
    /// `certificate.issued`.
    pub issued: Range<usize>,
    /// Each purchase's supplier reference (or the row's amount).
    pub purchases: Vec<Range<usize>>,
}

const V: Schema = Schema::Value;
/// A required plain value.
const R: Schema = Schema::Required(&V);

/// The keys of a record file and which of them must be written (as
/// `raw::RawRecord` has them), for the reports of unknown and missing keys.
pub const RECORD_SCHEMA: Schema = Schema::Table(&[
    ("name", R),
    ("kvk", R),
    ("city", R),
    ("province", R),
    ("sector", R),
    ("website", V),
    ("summary", V),
    ("description", V),
    ("summary_en", V),
    ("description_en", V),
    (
        "certificate",
        Schema::Required(&Schema::Table(&[
            ("number", R),
            ("body", R),
            ("issued", R),
            ("expires", V),
            ("status", V),
            ("declared_level", V),
            ("aspirant_plan", V),
            ("aspirant_extensions", V),
            ("quality_met", V),
        ])),
    ),
    (
        "measurement",
        Schema::Required(&Schema::Table(&[
            ("year", R),
            ("employees", R),
            ("total_fte", R),
            ("revenue_eur", V),
            (
                "target_group",
                Schema::ArrayOfTables(&[
                    ("position", R),
                    ("contract", R),
                    ("fte", R),
                    ("persons", R),
                ]),
            ),
            (
                "purchases",
                Schema::ArrayOfTables(&[
                    ("supplier", V),
                    ("supplier_name", V),
                    ("amount_eur", R),
                    ("supplier_revenue_eur", V),
                    ("supplier_direct_fte", V),
                ]),
            ),
        ])),
    ),
]);

/// Whether `id` is a valid record identifier (spec 1).
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 80
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The canonical spelling of a province, accepting `Friesland` and any case.
pub fn canonical_province(name: &str) -> Option<&'static str> {
    // The canonical spelling itself, by far the most common, without
    // lowercasing anything.
    let name = name.trim();
    if let Some(p) = PROVINCES.iter().copied().find(|p| *p == name) {
        return Some(p);
    }
    let lower = name.to_lowercase();
    if lower == "friesland" || lower == "fryslan" {
        return Some("Fryslân");
    }
    PROVINCES
        .iter()
        .copied()
        .find(|p| p.to_lowercase() == lower)
}

/// A fingerprint of the weights the records are checked against.
pub(crate) fn weights_print(weights: &Weights) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    format!("{weights:?}").hash(&mut hasher);
    hasher.finish()
}

/// A path relative to the site root, with forward slashes, for messages.
pub fn display_path(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative.to_string_lossy().replace('\\', "/")
}

/// Parses and checks one record file. Warnings travel in the `Err` side only
/// when there are also errors; a valid record's warnings come from the
/// registry checks.
///
/// Most records are plain TOML that [`toml_input::Lines`] reads several
/// times faster than `toml` builds its spanned document; such a record that
/// passes every check is done. Any other record, and any record with a
/// problem, is read again by [`toml_input::parse`] and checked again, so
/// every message is exactly what the full parser gives.
pub fn parse_record(
    id: &str,
    source: Source,
    weights: &Weights,
    reference: Date,
) -> Result<Organisation, Vec<Diagnostic>> {
    parse_record_as(
        Cow::Borrowed(id),
        source,
        (weights, None),
        reference,
        Keep::Text,
    )
}

/// The weights to check against, with their [`weights_print`] when the
/// caller has it (to keep step 1 for `Registry::compute`).
type CheckWeights<'a> = (&'a Weights, Option<u64>);

/// [`parse_record`], keeping `id` as the record's id when it is owned.
fn parse_record_as(
    mut id: Cow<'_, str>,
    source: Source,
    weights: CheckWeights<'_>,
    reference: Date,
    keep: Keep<'_>,
) -> Result<Organisation, Vec<Diagnostic>> {
    let text = Arc::clone(&source.text);
    let source = match fast_raw(&text) {
        Ok(raw) => match check_record(&mut id, source, raw, (weights, reference), keep) {
            Ok(org) => return Ok(org),
            Err((_, source)) => source,
        },
        Err(OutsideSubset) => source,
    };
    let raw: RawRecord = toml_input::parse(&source, RECORD_SCHEMA)?;
    check_record(&mut id, source, raw, (weights, reference), keep).map_err(|(problems, _)| problems)
}

/// Every per-record check on a raw record; on failure the problems, and the
/// source back. The record takes `id` when it passes.
fn check_record(
    id_text: &mut Cow<'_, str>,
    source: Source,
    raw: RawRecord<'_>,
    (weights, reference): (CheckWeights<'_>, Date),
    keep: Keep<'_>,
) -> Result<Organisation, (Vec<Diagnostic>, Source)> {
    let id: &str = id_text;
    let mut check = Checker {
        source: &source,
        problems: Vec::new(),
    };
    if !is_valid_id(id) {
        check.problems.push(
            Diagnostic::error(format!("`{id}` is not a valid organisation id"))
                .in_file(source.name.clone())
                .hint("rename the file: an id is lowercase letters and digits in groups joined by single hyphens, at most 80 characters (for example `schoonmaak-de-ster.toml`)"),
        );
    }
    let name = check.non_empty(&raw.name, "name");
    let city = check.non_empty(&raw.city, "city");
    let sector = check.non_empty(&raw.sector, "sector");
    let kvk: &str = raw.kvk.get_ref();
    if kvk.len() != 8 || !kvk.bytes().all(|b| b.is_ascii_digit()) {
        check.error(
            &raw.kvk,
            "kvk",
            format!("`kvk` must be exactly 8 digits, found \"{kvk}\""),
            "write the Chamber of Commerce number as a string of 8 digits, e.g. kvk = \"12345678\"",
        );
    }
    let province = canonical_province(raw.province.get_ref());
    if province.is_none() {
        check.error(
            &raw.province,
            "province",
            format!("unknown province \"{}\"", raw.province.get_ref()),
            format!("use one of {}", list_keys(PROVINCES)),
        );
    }
    if let Some(website) = &raw.website
        && !is_http_url(website.get_ref())
    {
        check.error(
            website,
            "website",
            "`website` must be an absolute http or https URL",
            "write the full address, e.g. website = \"https://example.nl\"",
        );
    }
    let certificate = check.certificate(&raw.certificate, reference);
    let measurement = check.measurement(&raw.measurement, weights);
    if !check.problems.is_empty() {
        return Err((check.problems, source));
    }
    let shared = |part: Option<Cow<'_, str>>| {
        part.map(|part| match keep {
            Keep::Text => SharedStr::within(&source.text, part),
            Keep::ReadAgainFrom(_) => SharedStr::from(&*part),
        })
    };
    Ok(Organisation {
        id: std::mem::take(id_text).into_owned(),
        name,
        kvk: raw.kvk.into_inner().into_owned(),
        city,
        province: province.unwrap_or_default(),
        sector,
        website: raw.website.map(|w| w.into_inner().into_owned()),
        summary: shared(raw.summary),
        description: shared(raw.description),
        summary_en: shared(raw.summary_en),
        description_en: shared(raw.description_en),
        certificate: certificate.expect("no errors means a certificate"),
        measurement: measurement.expect("no errors means a measurement"),
        file: RecordFile {
            text: match keep {
                Keep::Text => RecordText::Kept(source.text),
                Keep::ReadAgainFrom(root) => RecordText::ReadFrom(Arc::clone(root)),
            },
            name: source.name,
        },
    })
}

impl RecordSpans {
    /// Where some keys are written in a record's text, for the messages of
    /// the checks that need the whole registry
    /// ([`Organisation::source_and_spans`]). Only a record with such a
    /// problem needs them, so they are not kept but read again, by the
    /// reader that read the record (the same text gives the same spans).
    fn read(source: &Source) -> RecordSpans {
        match fast_raw(&source.text) {
            Ok(raw) => RecordSpans::of(&raw),
            Err(OutsideSubset) => toml_input::parse(source, RECORD_SCHEMA)
                .map(|raw: RawRecord| RecordSpans::of(&raw))
                .unwrap_or_default(),
        }
    }

    fn of(raw: &RawRecord<'_>) -> RecordSpans {
        RecordSpans {
            kvk: raw.kvk.span(),
            certificate_number: raw.certificate.number.span(),
            declared_level: raw.certificate.declared_level.as_ref().map(|s| s.span()),
            issued: raw.certificate.issued.span(),
            purchases: raw
                .measurement
                .purchases
                .iter()
                .map(|p| {
                    p.supplier
                        .as_ref()
                        .map_or(p.amount_eur.span(), |s| s.span())
                })
                .collect(),
        }
    }
}

/// Whether `url` is an absolute http(s) URL with a host.
pub fn is_http_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !url.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loaded_result_takes_the_room_of_an_organisation() {
        // So that `load_all` keeps the records in the results' memory.
        assert_eq!(
            std::mem::size_of::<Option<Result<Organisation, Vec<Diagnostic>>>>(),
            std::mem::size_of::<Organisation>()
        );
    }

    #[test]
    fn the_sums_kept_from_the_check_are_those_of_the_rows() {
        let weights = Weights::embedded();
        let print = weights_print(&weights);
        let mut other = weights.clone();
        other
            .positions
            .values_mut()
            .for_each(|entry| entry.weight /= 2.0);
        for text in example_records() {
            let org = parse_record_as(
                Cow::Borrowed("org"),
                Source::new("org.toml", text.as_str()),
                (&weights, Some(print)),
                jiff::civil::date(2026, 11, 30),
                Keep::Text,
            )
            .unwrap();
            let m = &org.measurement;
            let direct = ladder::direct_weighted_fte(&m.target_group, &weights);
            assert_eq!(
                m.direct_weighted_fte(&weights, print).to_bits(),
                direct.to_bits()
            );
            // Other weights: computed again.
            let direct = ladder::direct_weighted_fte(&m.target_group, &other);
            let got = m.direct_weighted_fte(&other, weights_print(&other));
            assert_eq!(got.to_bits(), direct.to_bits());
            assert_eq!(
                m.sums.payroll_persons,
                ladder::payroll_persons(&m.target_group)
            );
        }
    }

    #[test]
    fn markdown_fields_share_the_text_and_spans_are_read_again() {
        let record = |summary: &str, quoted_key: bool| {
            format!(
                "{}name = \"Naam\"\nkvk = \"12345678\"\ncity = \"Deventer\"\nprovince = \"Overijssel\"\nsector = \"Bouw\"\nsummary = \"{summary}\"\n\n[certificate]\nnumber = \"PSO-1\"\nbody = \"Kiwa\"\nissued = 2025-04-01\ndeclared_level = \"trede-1\"\n\n[measurement]\nyear = 2024\nemployees = 10\ntotal_fte = 9\nrevenue_eur = 1000000\n\n[[measurement.target_group]]\nposition = \"wajong\"\ncontract = \"regulier\"\nfte = 2\npersons = 2\n\n[[measurement.purchases]]\nsupplier = \"ander\"\namount_eur = 5000\n",
                if quoted_key {
                    "\"website\" = \"https://a.example\"\n"
                } else {
                    ""
                }
            )
        };
        let parse = |text: &str| {
            let source = Source::new("content/organisations/naam.toml", text);
            parse_record(
                "naam",
                source,
                &Weights::embedded(),
                jiff::civil::date(2026, 1, 1),
            )
            .unwrap()
        };
        // The fast reader: the summary is a slice of the record's text.
        let plain = record("Een *korte* samenvatting.", false);
        let org = parse(&plain);
        let summary = org.summary.clone().unwrap();
        assert_eq!(summary, "Een *korte* samenvatting.");
        assert!(std::ptr::eq(&*summary.text, &*org.text()));
        // An escape: a text of its own, with the value toml gives.
        let escaped = parse(&record("Regel\\tmet tab", false));
        let summary = escaped.summary.clone().unwrap();
        assert_eq!(summary, "Regel\tmet tab");
        assert!(!std::ptr::eq(&*summary.text, &*escaped.text()));
        assert_eq!(format!("{summary:?}"), format!("{:?}", "Regel\tmet tab"));
        // The spans are those of the reader that read the record, fast or
        // full (a quoted key is outside the fast reader's subset).
        for text in [plain.clone(), record("Samenvatting.", true)] {
            let (_, spans) = parse(&text).source_and_spans();
            let at = |value: &str| {
                let start = text.find(value).unwrap();
                start..start + value.len()
            };
            assert_eq!(spans.kvk, at("\"12345678\""));
            assert_eq!(spans.certificate_number, at("\"PSO-1\""));
            assert_eq!(spans.declared_level, Some(at("\"trede-1\"")));
            assert_eq!(spans.issued, at("2025-04-01"));
            assert_eq!(spans.purchases, [at("\"ander\"")]);
        }
    }

    #[test]
    fn a_build_keeps_no_record_text_and_reads_it_again_for_a_message() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join(RECORDS_DIR);
        std::fs::create_dir_all(&dir).unwrap();
        let text = "name = \"A\"\nkvk = \"12345678\"\ncity = \"Utrecht\"\n\
            province = \"Utrecht\"\nsector = \"Schoonmaak\"\nsummary = \"Een *korte* tekst.\"\n\
            [certificate]\nnumber = \"PSO-1\"\nbody = \"B\"\nissued = 2026-01-01\n\
            [measurement]\nyear = 2025\nemployees = 40\ntotal_fte = 34.0\n";
        std::fs::write(dir.join("a.toml"), text).unwrap();
        let load = |cache: Option<&mut RecordCache>| {
            let mut diagnostics = crate::diagnostics::Diagnostics::default();
            let weights = Weights::embedded();
            let date = jiff::civil::date(2026, 11, 30);
            let mut orgs = load_all_cached(root.path(), &weights, date, &mut diagnostics, cache);
            assert_eq!(diagnostics.error_count(), 0);
            orgs.remove(0)
        };
        let built = load(None);
        assert!(
            matches!(built.file.text, RecordText::ReadFrom(_)),
            "a build keeps no text"
        );
        assert_eq!(built.summary.as_deref(), Some("Een *korte* tekst."));
        let (source, spans) = built.source_and_spans();
        assert_eq!(source.name, "content/organisations/a.toml");
        assert_eq!(&*source.text, text);
        let kvk = text.find("\"12345678\"").unwrap();
        assert_eq!(spans.kvk, kvk..kvk + 10);
        // A rebuild keeps the text: it compares it with the next one.
        let rebuilt = load(Some(&mut RecordCache::default()));
        assert!(matches!(rebuilt.file.text, RecordText::Kept(_)));
        // A file gone since gives an empty text: the message names the file.
        std::fs::remove_file(dir.join("a.toml")).unwrap();
        assert_eq!(&*built.source().text, "");
        assert_eq!(&*rebuilt.source().text, text);
    }

    /// A record with every key of spec section 2 (and both purchase forms
    /// in one row, which the checks reject but serde reads).
    const EVERY_KEY: &str = r#"name = "A"
kvk = "12345678"
city = "B"
province = "Utrecht"
sector = "C"
website = "https://a.example"
summary = "s"
description = "d"
summary_en = "s"
description_en = "d"

[certificate]
number = "PSO-1"
body = "Kiwa"
issued = 2025-04-01
expires = 2027-03-31
status = "active"
declared_level = "trede-1"
aspirant_plan = false
aspirant_extensions = 0
quality_met = true

[measurement]
year = 2024
employees = 10
total_fte = 9.5
revenue_eur = 100000

[[measurement.target_group]]
position = "wajong"
contract = "regulier"
fte = 1.0
persons = 1

[[measurement.purchases]]
supplier = "x"
supplier_name = "y"
amount_eur = 10
supplier_revenue_eur = 100
supplier_direct_fte = 1.0
"#;

    /// The schema reports a key as missing exactly when serde needs it, so
    /// that each missing key is reported once, by the schema walk, with its
    /// table: every key and table of [`EVERY_KEY`] is left out in turn.
    #[test]
    fn the_schema_requires_exactly_the_keys_serde_requires() {
        let source = |text: &str| Source::new("x.toml", text);
        assert!(toml_input::parse::<RawRecord>(&source(EVERY_KEY), RECORD_SCHEMA).is_ok());
        let lines: Vec<&str> = EVERY_KEY.lines().collect();
        let mut table = String::new();
        let mut checked = 0;
        for (at, line) in lines.iter().enumerate() {
            let (path, end) = if let Some(header) = line.strip_prefix('[') {
                // A table: its header and keys, and the tables inside it.
                table = header.trim_matches(|c| c == '[' || c == ']').to_string();
                let inside = |line: &str| {
                    let name = line.trim_matches(|c| c == '[' || c == ']');
                    name.strip_prefix(table.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
                };
                let end = (at + 1..lines.len())
                    .find(|&i| lines[i].starts_with('[') && !inside(lines[i]))
                    .unwrap_or(lines.len());
                (table.clone(), end)
            } else if let Some((key, _)) = line.split_once(" = ") {
                let path = if table.is_empty() {
                    key.to_string()
                } else {
                    format!("{table}.{key}")
                };
                (path, at + 1)
            } else {
                continue;
            };
            let without = [&lines[..at], &lines[end..]].concat().join("\n");
            // Serde alone: no schema walk.
            let serde_needs =
                toml_input::parse::<RawRecord>(&source(&without), Schema::Free).is_err();
            let mut schema = RECORD_SCHEMA;
            for part in path.split('.') {
                let keys = match schema.unwrap_required().0 {
                    Schema::Table(keys) | Schema::ArrayOfTables(keys) => keys,
                    other => panic!("{path}: {other:?} has no keys"),
                };
                schema = keys.iter().find(|(k, _)| *k == part).expect(&path).1;
            }
            let required = schema.unwrap_required().1;
            assert_eq!(required, serde_needs, "{path}");
            let errors = toml_input::parse::<RawRecord>(&source(&without), RECORD_SCHEMA)
                .err()
                .unwrap_or_default();
            if required {
                let shown = path
                    .replace("target_group.", "target_group[0].")
                    .replace("purchases.", "purchases[0].");
                let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
                assert_eq!(
                    messages,
                    [format!("missing required key `{shown}`")],
                    "{path}"
                );
            } else {
                assert!(errors.is_empty(), "{path}: {errors:?}");
            }
            checked += 1;
        }
        // 32 keys and 4 tables.
        assert_eq!(checked, 36);
    }

    /// What the full path makes of a text: `toml`'s spanned document
    /// through serde.
    fn slow_raw(text: &str) -> Result<RawRecord<'static>, Vec<Diagnostic>> {
        toml_input::parse(&Source::new("x.toml", text), RECORD_SCHEMA)
    }

    fn example_records() -> Vec<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(RECORDS_DIR);
        let mut texts: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        texts.sort();
        assert!(texts.len() > 10);
        texts
    }

    /// Records in every form the fast reader accepts, and some it leaves to
    /// the full parser.
    const EDGES: &str = r#"# comment with "quotes" and = signs	and a tab
name = "Escapes \"quoted\" \\ back\tslash\nnewline" # trailing comment
kvk="12345678"
  city   =   'Letterlijk \n geen escape'
province = "friesland"
sector = "Bouw & Infra — ünicode"
website = "https://example.nl/pad?x=1#anker"
summary = ""
description = """
Regel één,
regel "twee" met ""twee"" aanhalingstekens.
"""
summary_en = """Direct."""

[certificate]
number = "PSO-1"
body = "Kiwa"
issued = 2024-02-29
expires = 2026-02-28 # a comment
status = "active"
declared_level = "trede-1"
aspirant_plan = true
aspirant_extensions = 0
quality_met = false

[measurement]
year = 2024
employees = 54
total_fte = 46
revenue_eur = 6200000.50

[[measurement.target_group]]
position = "wajong"
contract = "regulier"
fte = 0
persons = 0

[[measurement.purchases]]
supplier_name = "Werkbedrijf"
amount_eur = -0.0
supplier_revenue_eur = 12000000
supplier_direct_fte = 310.125

[certificate.extra]
"#;

    #[test]
    fn the_fast_reader_reads_records_exactly_as_toml_does() {
        let mut texts = example_records();
        texts.push(EDGES.replace("\n[certificate.extra]\n", ""));
        texts.push(texts[0].replace('\n', "\r\n"));
        for text in &texts {
            let fast = fast_raw(text).unwrap_or_else(|_| panic!("fast path reads:\n{text}"));
            let slow = slow_raw(text).unwrap();
            assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{text}");
        }
        // Outside the subset: left to the full parser, whatever it says.
        for outside in [
            EDGES,                                       // unknown table
            "name = \"a\\u00e9\"",                       // \u escape
            "name = \"a\"\nname = \"b\"",                // repeated key
            "name = \"\"\"a\"\"\"\"",                    // quote before the end
            "name = \"\"\"a\\\n  b\"\"\"",               // line-ending backslash
            "[measurement]\nyear = 2024-01-01T10:00:00", // a time
            "[measurement]\nyear = 2024-01-01 10:00:00", // a time after a space
            "[measurement]\nyear = 1_000",               // underscores
            "[measurement]\nyear = 1e3",                 // exponent
            "[measurement]\nyear = +3",                  // explicit plus
            "[measurement]\nyear = 03",                  // leading zero
            "[measurement]\nyear = 3#c",                 // comment glued on
            "[certificate]\nissued = 2025-02-29",        // no such day
            "[ certificate ]",                           // spaces in a header
            "\"name\" = \"a\"",                          // quoted key
            "certificate.number = \"a\"",                // dotted key
            "name = \"a\"\r",                            // bare carriage return
            "name = \"a\u{1}\"",                         // control character
            "[[measurement.purchases]]\namount_eur = 1", // array before its table
            "[measurement]\ntarget_group = []",          // inline array
        ] {
            assert_eq!(fast_raw(outside).err(), Some(OutsideSubset), "{outside}");
        }
    }

    /// Random edits of real records: whatever the fast reader accepts, the
    /// full parser accepts too, with the same values and spans.
    #[test]
    fn the_fast_reader_never_accepts_what_toml_reads_differently() {
        let mut state = 0x5eed_u64;
        let mut next = move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) as usize
        };
        let pieces = [
            "\"",
            "'",
            "\\",
            "#",
            "\n",
            "\r",
            " ",
            "=",
            "[",
            "]",
            ".",
            "-",
            "_",
            "0",
            "1",
            "e",
            "T",
            ":",
            "\t",
            "x",
            "é",
            "\"\"\"",
            "\\n",
            "\\u0041",
            "+",
            "1.5",
            "true",
            "2025-01-01",
            "[[measurement.purchases]]\n",
            "[measurement]\n",
            "name = \"x\"\n",
            "\u{7f}",
        ];
        let bases = example_records();
        let (mut accepted, mut tried) = (0, 0);
        for base in bases.iter().take(12) {
            for _ in 0..250 {
                let mut text = base.clone();
                for _ in 0..1 + next() % 3 {
                    let mut at = next() % (text.len() + 1);
                    while !text.is_char_boundary(at) {
                        at -= 1;
                    }
                    if next() % 3 == 0 {
                        let mut end = (at + 1 + next() % 4).min(text.len());
                        while !text.is_char_boundary(end) {
                            end += 1;
                        }
                        text.replace_range(at..end, "");
                    } else {
                        text.insert_str(at, pieces[next() % pieces.len()]);
                    }
                }
                tried += 1;
                if let Ok(fast) = fast_raw(&text) {
                    accepted += 1;
                    let slow = slow_raw(&text).unwrap_or_else(|e| {
                        panic!("toml rejects what the fast path read: {e:?}\n{text}")
                    });
                    assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{text}");
                }
            }
        }
        // The edits leave plenty of records inside the subset.
        assert!(accepted > tried / 10, "{accepted} of {tried}");
    }
}
