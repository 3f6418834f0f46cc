//! Organisation records: loading `content/organisations/<id>.toml`, checking
//! each file on its own (spec/records.md sections 1, 2 and 4), and the typed
//! model the rest of the pipeline uses.
//!
//! Checks that need the whole registry (duplicates, supplier references,
//! levels) live in [`crate::registry`].

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{self, Read};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use jiff::civil::Date;
use rayon::prelude::*;
use serde::Deserialize;
use toml::Spanned;
use toml::value::Datetime;

use crate::diagnostics::{Diagnostic, Diagnostics, Source, list_keys};
use crate::ladder::{self, Level, Purchase, RecordedStatus, TargetGroupRow};
use crate::tables::Weights;
use crate::toml_input::{self, Line, OutsideSubset, Scalar, Schema};

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

/// Contracts on the payroll, for PSO 30+ and the persons check.
pub const PAYROLL_CONTRACTS: [&str; 2] = ["regulier", "begeleid-werken"];

/// A validated organisation record.
#[derive(Debug, Clone)]
pub struct Organisation {
    /// The permanent identifier: the file stem.
    pub id: String,
    /// The record's file, for diagnostics that involve several records.
    pub source: Source,
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

impl Organisation {
    /// Where some keys are written in the record, for the messages of the
    /// checks that need the whole registry. Only a record with such a
    /// problem needs them, so they are not kept but read again from the
    /// record's text, by the reader that read it (the same text gives the
    /// same spans).
    pub fn spans(&self) -> RecordSpans {
        match fast_raw(&self.source.text) {
            Ok(raw) => RecordSpans::of(&raw),
            Err(OutsideSubset) => toml_input::parse(&self.source, RECORD_SCHEMA)
                .map(|raw: RawRecord| RecordSpans::of(&raw))
                .unwrap_or_default(),
        }
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

/// Text of a record kept as a part of the record's source text, not
/// copied out of it: the markdown fields, the longest values of a record.
/// It reads as a `str`.
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

impl serde::Serialize for SharedStr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Byte spans of keys that cross-record checks point at
/// ([`Organisation::spans`]).
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

/// A record as written, before the checks. The strings borrow from the
/// text when the fast reader ([`fast_raw`]) read it, and are owned when
/// serde did (from `toml`'s spanned document).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecord<'a> {
    name: Spanned<Cow<'a, str>>,
    kvk: Spanned<Cow<'a, str>>,
    city: Spanned<Cow<'a, str>>,
    province: Spanned<Cow<'a, str>>,
    sector: Spanned<Cow<'a, str>>,
    website: Option<Spanned<Cow<'a, str>>>,
    summary: Option<Cow<'a, str>>,
    description: Option<Cow<'a, str>>,
    summary_en: Option<Cow<'a, str>>,
    description_en: Option<Cow<'a, str>>,
    certificate: RawCertificate<'a>,
    measurement: RawMeasurement<'a>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCertificate<'a> {
    number: Spanned<Cow<'a, str>>,
    body: Spanned<Cow<'a, str>>,
    issued: Spanned<Datetime>,
    expires: Option<Spanned<Datetime>>,
    status: Option<Spanned<Cow<'a, str>>>,
    declared_level: Option<Spanned<Cow<'a, str>>>,
    #[serde(default)]
    aspirant_plan: bool,
    aspirant_extensions: Option<Spanned<i64>>,
    quality_met: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeasurement<'a> {
    year: Spanned<i64>,
    employees: Spanned<i64>,
    total_fte: Spanned<f64>,
    revenue_eur: Option<Spanned<f64>>,
    #[serde(default)]
    target_group: Vec<RawRow<'a>>,
    #[serde(default)]
    purchases: Vec<RawPurchase<'a>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow<'a> {
    position: Spanned<Cow<'a, str>>,
    contract: Spanned<Cow<'a, str>>,
    fte: Spanned<f64>,
    persons: Spanned<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPurchase<'a> {
    supplier: Option<Spanned<Cow<'a, str>>>,
    supplier_name: Option<Spanned<Cow<'a, str>>>,
    amount_eur: Spanned<f64>,
    supplier_revenue_eur: Option<Spanned<f64>>,
    supplier_direct_fte: Option<Spanned<f64>>,
}

const V: Schema = Schema::Value;

/// The keys of a record file, for unknown-key reports.
pub const RECORD_SCHEMA: Schema = Schema::Table(&[
    ("name", V),
    ("kvk", V),
    ("city", V),
    ("province", V),
    ("sector", V),
    ("website", V),
    ("summary", V),
    ("description", V),
    ("summary_en", V),
    ("description_en", V),
    (
        "certificate",
        Schema::Table(&[
            ("number", V),
            ("body", V),
            ("issued", V),
            ("expires", V),
            ("status", V),
            ("declared_level", V),
            ("aspirant_plan", V),
            ("aspirant_extensions", V),
            ("quality_met", V),
        ]),
    ),
    (
        "measurement",
        Schema::Table(&[
            ("year", V),
            ("employees", V),
            ("total_fte", V),
            ("revenue_eur", V),
            (
                "target_group",
                Schema::ArrayOfTables(&[
                    ("position", V),
                    ("contract", V),
                    ("fte", V),
                    ("persons", V),
                ]),
            ),
            (
                "purchases",
                Schema::ArrayOfTables(&[
                    ("supplier", V),
                    ("supplier_name", V),
                    ("amount_eur", V),
                    ("supplier_revenue_eur", V),
                    ("supplier_direct_fte", V),
                ]),
            ),
        ]),
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

/// Loads every record under `root/content/organisations`, in id order.
/// Records with errors are left out and their errors added to `diagnostics`.
pub fn load_all(
    root: &Path,
    weights: &Weights,
    reference: Date,
    diagnostics: &mut Diagnostics,
) -> Vec<Organisation> {
    load_all_cached(root, weights, reference, diagnostics, None)
}

/// The records of a previous run, for a rebuild (`serve`) to read and parse
/// only the files that changed: by file name, with the size and
/// modification time the file had.
#[derive(Debug, Default)]
pub struct RecordCache {
    /// The weights and reference date the records were checked against.
    checked_with: Option<(u64, Date)>,
    records: HashMap<OsString, CachedRecord>,
}

#[derive(Debug)]
struct CachedRecord {
    len: u64,
    modified: std::time::SystemTime,
    result: Result<Organisation, Vec<Diagnostic>>,
}

impl RecordCache {
    /// Forgets the records of these files, so that they are read again
    /// even if an edit kept their size and time (two edits within the file
    /// system's clock tick).
    pub fn forget(&mut self, paths: &[std::path::PathBuf]) {
        for path in paths {
            if let Some(name) = path.file_name() {
                self.records.remove(name);
            }
        }
    }
}

/// [`load_all`], taking unchanged files from `cache` (and updating it).
pub fn load_all_cached(
    root: &Path,
    weights: &Weights,
    reference: Date,
    diagnostics: &mut Diagnostics,
    cache: Option<&mut RecordCache>,
) -> Vec<Organisation> {
    let dir = root.join(RECORDS_DIR);
    let mut names: Vec<OsString> = Vec::new();
    // Whether every file listed is a file of the folder itself (no link).
    let mut only_files = true;
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            // The entry's type comes with the listing; only a symbolic link
            // (or a file system that does not say) costs a `stat`.
            let is_file = match entry.file_type() {
                Ok(kind) if kind.is_file() => true,
                Ok(kind) if !kind.is_symlink() => false,
                _ => {
                    only_files = false;
                    entry.path().is_file()
                }
            };
            if is_file {
                names.push(entry.file_name());
            }
        }
    }
    // All in one folder: ordering the names orders the paths.
    names.sort_unstable();
    let folder = Folder::open(&dir, only_files);
    // Every file's path as messages show it, without building the path.
    let shown_dir = display_path(root, &dir);
    let print = weights_print(weights);
    let load = |name: &OsString| -> Option<Result<Organisation, Vec<Diagnostic>>> {
        let shown_name = lossy(name);
        let mut display = String::with_capacity(shown_dir.len() + 1 + shown_name.len());
        display.push_str(&shown_dir);
        display.push('/');
        if shown_name.contains('\\') {
            display.push_str(&shown_name.replace('\\', "/"));
        } else {
            display.push_str(&shown_name);
        }
        // The stem of `<stem>.toml`, as `Path::file_stem` reads it (a name
        // that is only `.toml` has no extension), without parsing a path.
        let Some(stem) = shown_name.strip_suffix(".toml").filter(|s| !s.is_empty()) else {
            return Some(Err(vec![
                Diagnostic::warning("ignored a file that is not a `.toml` record")
                    .in_file(display)
                    .hint(
                        "records are `content/organisations/<id>.toml`; move other files elsewhere",
                    ),
            ]));
        };
        let text = match folder.read_text(name) {
            Ok(text) => text,
            Err(error) => {
                return Some(Err(vec![
                    Diagnostic::error(format!("could not read the record: {error}"))
                        .in_file(display),
                ]));
            }
        };
        Some(parse_record_as(
            Cow::Borrowed(stem),
            Source::new(display, text),
            (weights, Some(print)),
            reference,
        ))
    };
    let results: Vec<Option<Result<Organisation, Vec<Diagnostic>>>> = match cache {
        // Indexed: each result is written where it belongs, once.
        None => names.par_iter().map(load).collect(),
        Some(cache) => {
            let checked_with = (print, reference);
            if cache.checked_with != Some(checked_with) {
                cache.records.clear();
                cache.checked_with = Some(checked_with);
            }
            let mut previous = std::mem::take(&mut cache.records);
            // `None`: unchanged, taken from `previous` below.
            let loaded: Vec<(OsString, Option<Option<CachedRecord>>)> = names
                .into_par_iter()
                .map(|name| {
                    // A file whose size and time are unchanged is taken as
                    // it was; anything else is read again.
                    let stamp = std::fs::metadata(dir.join(&name))
                        .ok()
                        .and_then(|m| Some((m.len(), m.modified().ok()?)));
                    if let (Some((len, modified)), Some(cached)) = (stamp, previous.get(&name))
                        && cached.len == len
                        && cached.modified == modified
                    {
                        return (name, None);
                    }
                    let record = load(&name).map(|result| {
                        // An unknown time never matches again.
                        let (len, modified) =
                            stamp.unwrap_or((u64::MAX, std::time::SystemTime::UNIX_EPOCH));
                        CachedRecord {
                            len,
                            modified,
                            result,
                        }
                    });
                    (name, Some(record))
                })
                .collect();
            let mut results = Vec::with_capacity(loaded.len());
            for (name, fresh) in loaded {
                let record = match fresh {
                    Some(fresh) => fresh,
                    None => previous.remove(&name),
                };
                if let Some(record) = record {
                    results.push(Some(record.result.clone()));
                    cache.records.insert(name, record);
                }
            }
            results
        }
    };
    // In place: the records take the room of the results.
    results
        .into_iter()
        .filter_map(|result| match result? {
            Ok(org) => Some(org),
            Err(problems) => {
                problems.into_iter().for_each(|p| diagnostics.push(p));
                None
            }
        })
        .collect()
}

/// `to_string_lossy`, checking a name that is valid UTF-8 (every name,
/// nearly) the faster way `to_str` does.
fn lossy(name: &std::ffi::OsStr) -> Cow<'_, str> {
    match name.to_str() {
        Some(name) => Cow::Borrowed(name),
        None => name.to_string_lossy(),
    }
}

/// A fingerprint of the weights the records are checked against.
pub(crate) fn weights_print(weights: &Weights) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    format!("{weights:?}").hash(&mut hasher);
    hasher.finish()
}

/// The records folder. On Unix it is opened once and each record is opened
/// relative to it (`openat`), so the kernel does not walk the folder's
/// path again for every file.
struct Folder {
    path: std::path::PathBuf,
    #[cfg(unix)]
    fd: Option<std::os::fd::OwnedFd>,
    /// Whether one read that returns less than a page and less than it was
    /// asked for is the whole file (see [`Folder::open`]).
    short_read_is_end: bool,
}

/// Below this size a file lies in one page of the page cache, which is read
/// whole or not at all.
const PAGE: usize = 4096;

impl Folder {
    /// The folder at `path`; `only_files` says that every name to read was
    /// listed as a regular file of the folder (not a link, which may lead
    /// to another file system).
    ///
    /// Reading a whole file takes a last `read` that returns 0, to see the
    /// end: 100,000 system calls for as many records. Linux's local file
    /// systems fill a read of a regular file up to its end, so there the
    /// first read of a file smaller than a page, asking for more than that,
    /// is known to be all of it. Other file systems (network and FUSE ones
    /// may return less) and other systems get the last read.
    fn open(path: &Path, only_files: bool) -> Folder {
        #[cfg(unix)]
        let fd = {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            rustix::fs::open(path, flags, Mode::empty()).ok()
        };
        #[cfg(target_os = "linux")]
        let short_read_is_end = only_files && fd.as_ref().is_some_and(reads_to_the_end);
        #[cfg(not(target_os = "linux"))]
        let short_read_is_end = {
            let _ = only_files;
            false
        };
        Folder {
            path: path.to_path_buf(),
            #[cfg(unix)]
            fd,
            short_read_is_end,
        }
    }

    /// Opens the file `name` of the folder for reading, as `File::open`
    /// would (the same flags, the same errors).
    fn open_file(&self, name: &std::ffi::OsStr) -> io::Result<std::fs::File> {
        #[cfg(unix)]
        if let Some(fd) = &self.fd {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::CLOEXEC;
            return match rustix::fs::openat(fd, name, flags, Mode::from_raw_mode(0o666)) {
                Ok(file) => Ok(std::fs::File::from(file)),
                Err(errno) => Err(io::Error::from(errno)),
            };
        }
        std::fs::File::open(self.path.join(name))
    }

    /// A whole file as text: one `open`, reads into a buffer each thread
    /// reuses, and one copy into the shared text (`std::fs::read_to_string`
    /// also asks the file's size and position first, two more system calls
    /// per record). Errors are those of `read_to_string`.
    fn read_text(&self, name: &std::ffi::OsStr) -> io::Result<Arc<str>> {
        thread_local! {
            static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
        }
        BUFFER.with_borrow_mut(|buffer| {
            let mut file = self.open_file(name)?;
            if buffer.len() < 64 * 1024 {
                buffer.resize(64 * 1024, 0);
            }
            let mut len = 0;
            loop {
                if len == buffer.len() {
                    buffer.resize(2 * len, 0);
                }
                match file.read(&mut buffer[len..]) {
                    Ok(0) => break,
                    // The first read, short of both the buffer and a page.
                    Ok(n) if self.short_read_is_end && len == 0 && n < PAGE => {
                        len = n;
                        break;
                    }
                    Ok(n) => len += n,
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                    Err(error) => return Err(error),
                }
            }
            match std::str::from_utf8(&buffer[..len]) {
                Ok(text) => Ok(Arc::from(text)),
                // The same error, worded as `read_to_string` words it.
                Err(_) => std::fs::read_to_string(self.path.join(name)).map(Arc::from),
            }
        })
    }
}

/// Whether the folder `fd` is on a file system known to fill every read of
/// a regular file up to the file's end: tmpfs, ext2/3/4, XFS, Btrfs and
/// overlayfs (which reads from one of those, in containers).
#[cfg(target_os = "linux")]
fn reads_to_the_end(fd: &std::os::fd::OwnedFd) -> bool {
    const LOCAL: [u32; 5] = [0x0102_1994, 0xEF53, 0x5846_5342, 0x9123_683E, 0x794C_7630];
    // `f_type` is a signed or unsigned word depending on the architecture.
    #[allow(clippy::unnecessary_cast)]
    rustix::fs::fstatfs(fd).is_ok_and(|fs| LOCAL.contains(&(fs.f_type as u32)))
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
    parse_record_as(Cow::Borrowed(id), source, (weights, None), reference)
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
) -> Result<Organisation, Vec<Diagnostic>> {
    let text = Arc::clone(&source.text);
    let source = match fast_raw(&text) {
        Ok(raw) => match check_record(&mut id, source, raw, weights, reference) {
            Ok(org) => return Ok(org),
            Err((_, source)) => source,
        },
        Err(OutsideSubset) => source,
    };
    let raw: RawRecord = toml_input::parse(&source, RECORD_SCHEMA)?;
    check_record(&mut id, source, raw, weights, reference).map_err(|(problems, _)| problems)
}

/// Every per-record check on a raw record; on failure the problems, and the
/// source back. The record takes `id` when it passes.
fn check_record(
    id_text: &mut Cow<'_, str>,
    source: Source,
    raw: RawRecord<'_>,
    weights: CheckWeights<'_>,
    reference: Date,
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
    let shared =
        |part: Option<Cow<'_, str>>| part.map(|part| SharedStr::within(&source.text, part));
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
        source,
    })
}

impl RecordSpans {
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

/// Where the fast reader is in a record.
#[derive(Clone, Copy, PartialEq)]
enum Section {
    Root,
    Certificate,
    Measurement,
    TargetGroup,
    Purchase,
}

/// Sets a field once: a key given twice is outside the fast path (the full
/// parser reports it).
fn once<T>(slot: &mut Option<T>, value: T) -> Result<(), OutsideSubset> {
    match slot {
        Some(_) => Err(OutsideSubset),
        None => {
            *slot = Some(value);
            Ok(())
        }
    }
}

/// The raw record of a plain TOML text, read with [`toml_input::Lines`]:
/// exactly what serde makes of `toml`'s document (the same values and
/// spans), or [`OutsideSubset`] for anything less plain, and for anything
/// the full path reports (an unknown or repeated key or table, a wrong type,
/// a missing key).
fn fast_raw(text: &str) -> Result<RawRecord<'_>, OutsideSubset> {
    type S<'a> = Spanned<Cow<'a, str>>;
    fn string<'a>(value: Scalar<'a>, span: Range<usize>) -> Result<S<'a>, OutsideSubset> {
        match value {
            Scalar::Str(s) => Ok(Spanned::new(span, s)),
            _ => Err(OutsideSubset),
        }
    }
    fn float(value: Scalar<'_>, span: Range<usize>) -> Result<Spanned<f64>, OutsideSubset> {
        match value {
            Scalar::Float(x) => Ok(Spanned::new(span, x)),
            // TOML integers are accepted where a float is expected (spec 2),
            // converted as serde converts them.
            Scalar::Int(n) => Ok(Spanned::new(span, n as f64)),
            _ => Err(OutsideSubset),
        }
    }
    fn int(value: Scalar<'_>, span: Range<usize>) -> Result<Spanned<i64>, OutsideSubset> {
        match value {
            Scalar::Int(n) => Ok(Spanned::new(span, n)),
            _ => Err(OutsideSubset),
        }
    }
    fn date(value: Scalar<'_>, span: Range<usize>) -> Result<Spanned<Datetime>, OutsideSubset> {
        match value {
            Scalar::Date(d) => Ok(Spanned::new(span, d)),
            _ => Err(OutsideSubset),
        }
    }
    fn boolean(value: Scalar<'_>) -> Result<bool, OutsideSubset> {
        match value {
            Scalar::Bool(b) => Ok(b),
            _ => Err(OutsideSubset),
        }
    }
    #[derive(Default)]
    struct Row<'a> {
        position: Option<S<'a>>,
        contract: Option<S<'a>>,
        fte: Option<Spanned<f64>>,
        persons: Option<Spanned<i64>>,
    }
    #[derive(Default)]
    struct Buy<'a> {
        supplier: Option<S<'a>>,
        supplier_name: Option<S<'a>>,
        amount_eur: Option<Spanned<f64>>,
        supplier_revenue_eur: Option<Spanned<f64>>,
        supplier_direct_fte: Option<Spanned<f64>>,
    }

    let (mut name, mut kvk, mut city, mut province, mut sector) = (None, None, None, None, None);
    let mut website = None;
    let (mut summary, mut description, mut summary_en, mut description_en) =
        (None, None, None, None);
    let (mut number, mut body, mut issued, mut expires, mut status) =
        (None, None, None, None, None);
    let (mut declared_level, mut aspirant_plan, mut aspirant_extensions, mut quality_met) =
        (None, None, None, None);
    let (mut year, mut employees, mut total_fte, mut revenue_eur) = (None, None, None, None);
    let mut rows: Vec<Row> = Vec::new();
    let mut buys: Vec<Buy> = Vec::new();
    let (mut seen_certificate, mut seen_measurement) = (false, false);

    let mut section = Section::Root;
    let mut lines = toml_input::Lines::new(text);
    while let Some(line) = lines.next()? {
        let (key, value, span) = match line {
            Line::Table { name, array } => {
                section = match (name, array) {
                    ("certificate", false) if !seen_certificate => {
                        seen_certificate = true;
                        Section::Certificate
                    }
                    ("measurement", false) if !seen_measurement => {
                        seen_measurement = true;
                        Section::Measurement
                    }
                    ("measurement.target_group", true) if seen_measurement => {
                        rows.push(Row::default());
                        Section::TargetGroup
                    }
                    ("measurement.purchases", true) if seen_measurement => {
                        buys.push(Buy::default());
                        Section::Purchase
                    }
                    _ => return Err(OutsideSubset),
                };
                continue;
            }
            Line::Pair { key, value, span } => (key, value, span),
        };
        match (section, key) {
            (Section::Root, "name") => once(&mut name, string(value, span)?)?,
            (Section::Root, "kvk") => once(&mut kvk, string(value, span)?)?,
            (Section::Root, "city") => once(&mut city, string(value, span)?)?,
            (Section::Root, "province") => once(&mut province, string(value, span)?)?,
            (Section::Root, "sector") => once(&mut sector, string(value, span)?)?,
            (Section::Root, "website") => once(&mut website, string(value, span)?)?,
            (Section::Root, "summary") => once(&mut summary, string(value, span)?.into_inner())?,
            (Section::Root, "description") => {
                once(&mut description, string(value, span)?.into_inner())?
            }
            (Section::Root, "summary_en") => {
                once(&mut summary_en, string(value, span)?.into_inner())?
            }
            (Section::Root, "description_en") => {
                once(&mut description_en, string(value, span)?.into_inner())?
            }
            (Section::Certificate, "number") => once(&mut number, string(value, span)?)?,
            (Section::Certificate, "body") => once(&mut body, string(value, span)?)?,
            (Section::Certificate, "issued") => once(&mut issued, date(value, span)?)?,
            (Section::Certificate, "expires") => once(&mut expires, date(value, span)?)?,
            (Section::Certificate, "status") => once(&mut status, string(value, span)?)?,
            (Section::Certificate, "declared_level") => {
                once(&mut declared_level, string(value, span)?)?
            }
            (Section::Certificate, "aspirant_plan") => once(&mut aspirant_plan, boolean(value)?)?,
            (Section::Certificate, "aspirant_extensions") => {
                once(&mut aspirant_extensions, int(value, span)?)?
            }
            (Section::Certificate, "quality_met") => once(&mut quality_met, boolean(value)?)?,
            (Section::Measurement, "year") => once(&mut year, int(value, span)?)?,
            (Section::Measurement, "employees") => once(&mut employees, int(value, span)?)?,
            (Section::Measurement, "total_fte") => once(&mut total_fte, float(value, span)?)?,
            (Section::Measurement, "revenue_eur") => once(&mut revenue_eur, float(value, span)?)?,
            (Section::TargetGroup, key) => {
                let row = rows.last_mut().ok_or(OutsideSubset)?;
                match key {
                    "position" => once(&mut row.position, string(value, span)?)?,
                    "contract" => once(&mut row.contract, string(value, span)?)?,
                    "fte" => once(&mut row.fte, float(value, span)?)?,
                    "persons" => once(&mut row.persons, int(value, span)?)?,
                    _ => return Err(OutsideSubset),
                }
            }
            (Section::Purchase, key) => {
                let buy = buys.last_mut().ok_or(OutsideSubset)?;
                match key {
                    "supplier" => once(&mut buy.supplier, string(value, span)?)?,
                    "supplier_name" => once(&mut buy.supplier_name, string(value, span)?)?,
                    "amount_eur" => once(&mut buy.amount_eur, float(value, span)?)?,
                    "supplier_revenue_eur" => {
                        once(&mut buy.supplier_revenue_eur, float(value, span)?)?
                    }
                    "supplier_direct_fte" => {
                        once(&mut buy.supplier_direct_fte, float(value, span)?)?
                    }
                    _ => return Err(OutsideSubset),
                }
            }
            _ => return Err(OutsideSubset),
        }
    }

    let target_group = rows
        .into_iter()
        .map(|row| {
            Ok(RawRow {
                position: row.position.ok_or(OutsideSubset)?,
                contract: row.contract.ok_or(OutsideSubset)?,
                fte: row.fte.ok_or(OutsideSubset)?,
                persons: row.persons.ok_or(OutsideSubset)?,
            })
        })
        .collect::<Result<_, OutsideSubset>>()?;
    let purchases = buys
        .into_iter()
        .map(|buy| {
            Ok(RawPurchase {
                supplier: buy.supplier,
                supplier_name: buy.supplier_name,
                amount_eur: buy.amount_eur.ok_or(OutsideSubset)?,
                supplier_revenue_eur: buy.supplier_revenue_eur,
                supplier_direct_fte: buy.supplier_direct_fte,
            })
        })
        .collect::<Result<_, OutsideSubset>>()?;
    Ok(RawRecord {
        name: name.ok_or(OutsideSubset)?,
        kvk: kvk.ok_or(OutsideSubset)?,
        city: city.ok_or(OutsideSubset)?,
        province: province.ok_or(OutsideSubset)?,
        sector: sector.ok_or(OutsideSubset)?,
        website,
        summary,
        description,
        summary_en,
        description_en,
        certificate: RawCertificate {
            number: number.ok_or(OutsideSubset)?,
            body: body.ok_or(OutsideSubset)?,
            issued: issued.ok_or(OutsideSubset)?,
            expires,
            status,
            declared_level,
            aspirant_plan: aspirant_plan.unwrap_or(false),
            aspirant_extensions,
            quality_met,
        },
        measurement: RawMeasurement {
            year: year.ok_or(OutsideSubset)?,
            employees: employees.ok_or(OutsideSubset)?,
            total_fte: total_fte.ok_or(OutsideSubset)?,
            revenue_eur,
            target_group,
            purchases,
        },
    })
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

struct Checker<'a> {
    source: &'a Source,
    problems: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn error<T>(
        &mut self,
        at: &Spanned<T>,
        key: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.problems.push(
            Diagnostic::error(message)
                .at(self.source, Some(at.span()))
                .key(key)
                .hint(hint),
        );
    }

    fn non_empty(&mut self, value: &Spanned<Cow<'_, str>>, key: &str) -> String {
        let text = value.get_ref().trim();
        if text.is_empty() {
            self.error(
                value,
                key,
                format!("`{key}` must not be empty"),
                format!("fill in `{key}`"),
            );
        }
        text.to_string()
    }

    fn date(&mut self, value: &Spanned<Datetime>, key: &str) -> Option<Date> {
        toml_input::date(self.source, 0, value, key)
            .map_err(|d| self.problems.push(d))
            .ok()
    }

    fn certificate(&mut self, raw: &RawCertificate<'_>, reference: Date) -> Option<Certificate> {
        let number = self.non_empty(&raw.number, "certificate.number");
        let body = self.non_empty(&raw.body, "certificate.body");
        let issued = self.date(&raw.issued, "certificate.issued");
        let explicit_expiry = raw
            .expires
            .as_ref()
            .map(|e| (self.date(e, "certificate.expires"), e));
        if let Some(issued) = issued {
            if issued > reference {
                self.error(
                    &raw.issued,
                    "certificate.issued",
                    format!("`certificate.issued` ({issued}) is after the reference date ({reference})"),
                    "a certificate cannot be issued in the future; check the date or pass a later --date",
                );
            }
            if let Some((Some(expires), span)) = &explicit_expiry
                && *expires < issued
            {
                self.error(
                    span,
                    "certificate.expires",
                    format!("`certificate.expires` ({expires}) is before `certificate.issued` ({issued})"),
                    "an expiry date must be on or after the date of issue",
                );
            }
        }
        let status = match &raw.status {
            None => Some(RecordedStatus::Active),
            Some(s) => {
                let parsed = RecordedStatus::parse(s.get_ref());
                if parsed.is_none() {
                    self.error(
                        s,
                        "certificate.status",
                        format!("unknown certificate status \"{}\"", s.get_ref()),
                        format!(
                            "use one of {}",
                            list_keys(["active", "suspended", "withdrawn"])
                        ),
                    );
                }
                parsed
            }
        };
        let declared_level = match &raw.declared_level {
            None => Some(None),
            Some(l) => {
                let parsed = Level::parse(l.get_ref());
                if parsed.is_none() {
                    self.error(
                        l,
                        "certificate.declared_level",
                        format!("unknown level \"{}\"", l.get_ref()),
                        format!("use one of {}", list_keys(Level::ALL.map(Level::key))),
                    );
                }
                parsed.map(Some)
            }
        };
        let extensions = match &raw.aspirant_extensions {
            None => Some(0),
            Some(e) if (0..=2).contains(e.get_ref()) => Some(*e.get_ref() as u8),
            Some(e) => {
                self.error(
                    e,
                    "certificate.aspirant_extensions",
                    format!(
                        "`certificate.aspirant_extensions` is {}, at most 2 are allowed",
                        e.get_ref()
                    ),
                    "the aspirant status may be extended at most twice",
                );
                None
            }
        };
        let expires = match explicit_expiry {
            Some((expires, _)) => expires,
            None => issued.map(ladder::default_expiry),
        };
        Some(Certificate {
            number,
            body,
            issued: issued?,
            expires: expires?,
            status: status?,
            declared_level: declared_level?,
            aspirant_plan: raw.aspirant_plan,
            aspirant_extensions: extensions?,
            quality_met: raw.quality_met.unwrap_or(true),
        })
    }

    fn measurement(
        &mut self,
        raw: &RawMeasurement<'_>,
        (weights, print): CheckWeights<'_>,
    ) -> Option<Measurement> {
        let mut ok = true;
        let employees = *raw.employees.get_ref();
        if employees < 1 || employees > u32::MAX as i64 {
            self.error(
                &raw.employees,
                "measurement.employees",
                "`measurement.employees` must be at least 1",
                "give the headcount in the measurement year",
            );
            ok = false;
        }
        let total_fte = *raw.total_fte.get_ref();
        if !(total_fte > 0.0 && total_fte.is_finite()) {
            self.error(
                &raw.total_fte,
                "measurement.total_fte",
                "`measurement.total_fte` must be greater than 0",
                "give the total FTE in the measurement year",
            );
            ok = false;
        }
        let year = *raw.year.get_ref();
        if !(1900..=9999).contains(&year) {
            self.error(
                &raw.year,
                "measurement.year",
                format!("`measurement.year` {year} is not a plausible year"),
                "write the measurement year, e.g. year = 2024",
            );
            ok = false;
        }
        if let Some(revenue) = &raw.revenue_eur
            && !(revenue.get_ref().is_finite() && *revenue.get_ref() > 0.0)
        {
            self.error(
                revenue,
                "measurement.revenue_eur",
                "`measurement.revenue_eur` must be greater than 0",
                "give the turnover in euros",
            );
            ok = false;
        }
        let mut rows = Vec::with_capacity(raw.target_group.len());
        let (mut fte_sum, mut payroll_persons) = (0.0, 0i64);
        let mut direct = ladder::Terms::default();
        for (i, row) in raw.target_group.iter().enumerate() {
            // Built only for a message: most records have none.
            let key = || format!("measurement.target_group[{i}]");
            let position = weights.position(row.position.get_ref());
            let contract = weights.contract(row.contract.get_ref());
            if position.is_none() {
                self.error(
                    &row.position,
                    &format!("{}.position", key()),
                    format!("unknown position \"{}\"", row.position.get_ref()),
                    format!(
                        "valid positions are {}",
                        list_keys(weights.positions.keys().map(String::as_str))
                    ),
                );
                ok = false;
            }
            if contract.is_none() {
                self.error(
                    &row.contract,
                    &format!("{}.contract", key()),
                    format!("unknown contract \"{}\"", row.contract.get_ref()),
                    format!(
                        "valid contracts are {}",
                        list_keys(weights.contracts.keys().map(String::as_str))
                    ),
                );
                ok = false;
            }
            let fte = *row.fte.get_ref();
            if !(fte >= 0.0 && fte.is_finite()) {
                self.error(
                    &row.fte,
                    &format!("{}.fte", key()),
                    "`fte` must not be negative",
                    "give the FTE of this group, 0 or more",
                );
                ok = false;
            }
            let persons = *row.persons.get_ref();
            if persons < 0 || persons > u32::MAX as i64 {
                self.error(
                    &row.persons,
                    &format!("{}.persons", key()),
                    "`persons` must not be negative",
                    "give the number of people in this group, 0 or more",
                );
                ok = false;
            }
            direct.push(ladder::direct_term(fte, position, contract));
            fte_sum += fte.max(0.0);
            if PAYROLL_CONTRACTS.contains(&&**row.contract.get_ref()) {
                payroll_persons += persons.max(0);
            }
            rows.push(TargetGroupRow {
                position: row.position.get_ref().to_string(),
                contract: row.contract.get_ref().to_string(),
                fte,
                persons: persons.clamp(0, u32::MAX as i64) as u32,
            });
        }
        if fte_sum > total_fte + 1e-9 && total_fte > 0.0 {
            self.error(&raw.total_fte, "measurement.total_fte", format!("the target-group rows add up to {fte_sum:.2} FTE, more than `total_fte` ({total_fte})"), "the target group is part of the staff: check the rows' fte and total_fte");
            ok = false;
        }
        if payroll_persons > employees && employees >= 1 {
            self.error(&raw.employees, "measurement.employees", format!("{payroll_persons} target-group persons on the payroll (contracts regulier and begeleid-werken) exceed `employees` ({employees})"), "check the rows' persons and the headcount");
            ok = false;
        }
        let mut purchases = Vec::with_capacity(raw.purchases.len());
        for (i, p) in raw.purchases.iter().enumerate() {
            let key = || format!("measurement.purchases[{i}]");
            let amount = *p.amount_eur.get_ref();
            if !(amount > 0.0 && amount.is_finite()) {
                self.error(
                    &p.amount_eur,
                    &format!("{}.amount_eur", key()),
                    "`amount_eur` must be greater than 0",
                    "give the purchase value in euros",
                );
                ok = false;
            }
            match (&p.supplier, &p.supplier_name) {
                (Some(supplier), None) => {
                    for (extra, name) in [
                        (&p.supplier_revenue_eur, "supplier_revenue_eur"),
                        (&p.supplier_direct_fte, "supplier_direct_fte"),
                    ] {
                        if let Some(extra) = extra {
                            self.error(extra, &format!("{}.{name}", key()), format!("`{name}` belongs to a supplier outside the registry, not to one named by `supplier`"), "remove it: a registry supplier's own record gives its figures");
                            ok = false;
                        }
                    }
                    purchases.push(Purchase::Registry {
                        supplier: supplier.get_ref().to_string(),
                        amount_eur: amount,
                    });
                }
                (None, Some(name)) => {
                    let revenue = self.required_positive(
                        &p.supplier_revenue_eur,
                        &p.amount_eur,
                        &key,
                        "supplier_revenue_eur",
                        true,
                    );
                    let direct = self.required_positive(
                        &p.supplier_direct_fte,
                        &p.amount_eur,
                        &key,
                        "supplier_direct_fte",
                        false,
                    );
                    match (revenue, direct) {
                        (Some(supplier_revenue_eur), Some(supplier_direct_fte)) => {
                            purchases.push(Purchase::External {
                                supplier_name: name.get_ref().to_string(),
                                amount_eur: amount,
                                supplier_revenue_eur,
                                supplier_direct_fte,
                            })
                        }
                        _ => ok = false,
                    }
                }
                (Some(supplier), Some(_)) => {
                    self.error(supplier, &key(), "a purchase names both `supplier` and `supplier_name`", "use `supplier` for a registry organisation's id, or `supplier_name` with its figures for one outside the registry, not both");
                    ok = false;
                }
                (None, None) => {
                    self.error(&p.amount_eur, &key(), "a purchase names no supplier", "add `supplier = \"<id>\"` for a registry organisation, or `supplier_name`, `supplier_revenue_eur` and `supplier_direct_fte` for one outside it");
                    ok = false;
                }
            }
        }
        ok.then(|| Measurement {
            year: year as i32,
            employees: employees as u32,
            total_fte,
            revenue_eur: raw.revenue_eur.as_ref().map(|r| *r.get_ref()),
            target_group: rows,
            purchases,
            sums: RowSums {
                direct: print.map(|print| (print, direct.sum())),
                // Every row's persons are within 0..=u32::MAX here.
                payroll_persons: payroll_persons as u64,
            },
        })
    }

    fn required_positive(
        &mut self,
        value: &Option<Spanned<f64>>,
        row: &Spanned<f64>,
        key: &dyn Fn() -> String,
        name: &str,
        strictly: bool,
    ) -> Option<f64> {
        match value {
            None => {
                self.error(
                    row,
                    &format!("{}.{name}", key()),
                    format!("a purchase from a supplier outside the registry needs `{name}`"),
                    format!("add `{name} = ...` to this purchase"),
                );
                None
            }
            Some(v) => {
                let x = *v.get_ref();
                let valid = x.is_finite() && if strictly { x > 0.0 } else { x >= 0.0 };
                if !valid {
                    let bound = if strictly {
                        "greater than 0"
                    } else {
                        "0 or more"
                    };
                    self.error(
                        v,
                        &format!("{}.{name}", key()),
                        format!("`{name}` must be {bound}"),
                        format!("give the supplier's figure, {bound}"),
                    );
                    return None;
                }
                Some(x)
            }
        }
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
        assert!(std::ptr::eq(&*summary.text, &*org.source.text));
        // An escape: a text of its own, with the value toml gives.
        let escaped = parse(&record("Regel\\tmet tab", false));
        let summary = escaped.summary.unwrap();
        assert_eq!(summary, "Regel\tmet tab");
        assert!(!std::ptr::eq(&*summary.text, &*escaped.source.text));
        assert_eq!(format!("{summary:?}"), format!("{:?}", "Regel\tmet tab"));
        // The spans are those of the reader that read the record, fast or
        // full (a quoted key is outside the fast reader's subset).
        for text in [plain.clone(), record("Samenvatting.", true)] {
            let spans = parse(&text).spans();
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
