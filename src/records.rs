//! Organisation records: loading `content/organisations/<id>.toml`, checking
//! each file on its own (spec/records.md sections 1, 2 and 4), and the typed
//! model the rest of the pipeline uses.
//!
//! Checks that need the whole registry (duplicates, supplier references,
//! levels) live in [`crate::registry`].

use std::ops::Range;
use std::path::Path;

use jiff::civil::Date;
use rayon::prelude::*;
use serde::Deserialize;
use toml::Spanned;
use toml::value::Datetime;

use crate::diagnostics::{Diagnostic, Diagnostics, Source, list_keys};
use crate::ladder::{self, Level, Purchase, RecordedStatus, TargetGroupRow};
use crate::tables::Weights;
use crate::toml_input::{self, Schema};

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
    pub summary: Option<String>,
    /// Markdown description (untrusted).
    pub description: Option<String>,
    /// English summary.
    pub summary_en: Option<String>,
    /// English description.
    pub description_en: Option<String>,
    /// The certificate.
    pub certificate: Certificate,
    /// The measurement behind the level.
    pub measurement: Measurement,
    /// Where some keys are, for cross-record diagnostics.
    pub spans: RecordSpans,
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
}

/// Byte spans of keys that cross-record checks point at.
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecord {
    name: Spanned<String>,
    kvk: Spanned<String>,
    city: Spanned<String>,
    province: Spanned<String>,
    sector: Spanned<String>,
    website: Option<Spanned<String>>,
    summary: Option<String>,
    description: Option<String>,
    summary_en: Option<String>,
    description_en: Option<String>,
    certificate: RawCertificate,
    measurement: RawMeasurement,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCertificate {
    number: Spanned<String>,
    body: Spanned<String>,
    issued: Spanned<Datetime>,
    expires: Option<Spanned<Datetime>>,
    status: Option<Spanned<String>>,
    declared_level: Option<Spanned<String>>,
    #[serde(default)]
    aspirant_plan: bool,
    aspirant_extensions: Option<Spanned<i64>>,
    quality_met: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeasurement {
    year: Spanned<i64>,
    employees: Spanned<i64>,
    total_fte: Spanned<f64>,
    revenue_eur: Option<Spanned<f64>>,
    #[serde(default)]
    target_group: Vec<RawRow>,
    #[serde(default)]
    purchases: Vec<RawPurchase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    position: Spanned<String>,
    contract: Spanned<String>,
    fte: Spanned<f64>,
    persons: Spanned<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPurchase {
    supplier: Option<Spanned<String>>,
    supplier_name: Option<Spanned<String>>,
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
    let lower = name.trim().to_lowercase();
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
    let dir = root.join(RECORDS_DIR);
    let mut files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();
    let results: Vec<Result<Organisation, Vec<Diagnostic>>> = files
        .par_iter()
        .filter_map(|path| {
            let display = display_path(root, path);
            if path.extension().and_then(|e| e.to_str()) != Some("toml") {
                return Some(Err(vec![
                    Diagnostic::warning("ignored a file that is not a `.toml` record")
                        .in_file(display)
                        .hint("records are `content/organisations/<id>.toml`; move other files elsewhere"),
                ]));
            }
            let text = match std::fs::read_to_string(path) {
                Ok(text) => text,
                Err(error) => {
                    return Some(Err(vec![
                        Diagnostic::error(format!("could not read the record: {error}")).in_file(display),
                    ]));
                }
            };
            let id = path.file_stem()?.to_string_lossy().into_owned();
            Some(parse_record(&id, Source::new(display, text), weights, reference))
        })
        .collect();
    let mut organisations = Vec::new();
    for result in results {
        match result {
            Ok(org) => organisations.push(org),
            Err(problems) => problems.into_iter().for_each(|p| diagnostics.push(p)),
        }
    }
    organisations
}

/// A path relative to the site root, with forward slashes, for messages.
pub fn display_path(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative.to_string_lossy().replace('\\', "/")
}

/// Parses and checks one record file. Warnings travel in the `Err` side only
/// when there are also errors; a valid record's warnings come from the
/// registry checks.
pub fn parse_record(
    id: &str,
    source: Source,
    weights: &Weights,
    reference: Date,
) -> Result<Organisation, Vec<Diagnostic>> {
    let raw: RawRecord = toml_input::parse(&source, RECORD_SCHEMA)?;
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
    let kvk = raw.kvk.get_ref().clone();
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
    if let Some(website) = &raw.website {
        if !is_http_url(website.get_ref()) {
            check.error(
                website,
                "website",
                "`website` must be an absolute http or https URL",
                "write the full address, e.g. website = \"https://example.nl\"",
            );
        }
    }
    let certificate = check.certificate(&raw.certificate, reference);
    let measurement = check.measurement(&raw.measurement, weights);
    let spans = RecordSpans {
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
    };
    if !check.problems.is_empty() {
        return Err(check.problems);
    }
    Ok(Organisation {
        id: id.to_string(),
        name,
        kvk,
        city,
        province: province.unwrap_or_default(),
        sector,
        website: raw.website.map(|w| w.into_inner()),
        summary: raw.summary,
        description: raw.description,
        summary_en: raw.summary_en,
        description_en: raw.description_en,
        certificate: certificate.expect("no errors means a certificate"),
        measurement: measurement.expect("no errors means a measurement"),
        spans,
        source,
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

    fn non_empty(&mut self, value: &Spanned<String>, key: &str) -> String {
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

    fn certificate(&mut self, raw: &RawCertificate, reference: Date) -> Option<Certificate> {
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
            if let Some((Some(expires), span)) = &explicit_expiry {
                if *expires < issued {
                    self.error(
                        span,
                        "certificate.expires",
                        format!("`certificate.expires` ({expires}) is before `certificate.issued` ({issued})"),
                        "an expiry date must be on or after the date of issue",
                    );
                }
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

    fn measurement(&mut self, raw: &RawMeasurement, weights: &Weights) -> Option<Measurement> {
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
        if let Some(revenue) = &raw.revenue_eur {
            if !(revenue.get_ref().is_finite() && *revenue.get_ref() > 0.0) {
                self.error(
                    revenue,
                    "measurement.revenue_eur",
                    "`measurement.revenue_eur` must be greater than 0",
                    "give the turnover in euros",
                );
                ok = false;
            }
        }
        let mut rows = Vec::new();
        let (mut fte_sum, mut payroll_persons) = (0.0, 0i64);
        for (i, row) in raw.target_group.iter().enumerate() {
            let key = format!("measurement.target_group[{i}]");
            if weights.position(row.position.get_ref()).is_none() {
                self.error(
                    &row.position,
                    &format!("{key}.position"),
                    format!("unknown position \"{}\"", row.position.get_ref()),
                    format!(
                        "valid positions are {}",
                        list_keys(weights.positions.keys().map(String::as_str))
                    ),
                );
                ok = false;
            }
            if weights.contract(row.contract.get_ref()).is_none() {
                self.error(
                    &row.contract,
                    &format!("{key}.contract"),
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
                    &format!("{key}.fte"),
                    "`fte` must not be negative",
                    "give the FTE of this group, 0 or more",
                );
                ok = false;
            }
            let persons = *row.persons.get_ref();
            if persons < 0 || persons > u32::MAX as i64 {
                self.error(
                    &row.persons,
                    &format!("{key}.persons"),
                    "`persons` must not be negative",
                    "give the number of people in this group, 0 or more",
                );
                ok = false;
            }
            fte_sum += fte.max(0.0);
            if PAYROLL_CONTRACTS.contains(&row.contract.get_ref().as_str()) {
                payroll_persons += persons.max(0);
            }
            rows.push(TargetGroupRow {
                position: row.position.get_ref().clone(),
                contract: row.contract.get_ref().clone(),
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
        let mut purchases = Vec::new();
        for (i, p) in raw.purchases.iter().enumerate() {
            let key = format!("measurement.purchases[{i}]");
            let amount = *p.amount_eur.get_ref();
            if !(amount > 0.0 && amount.is_finite()) {
                self.error(
                    &p.amount_eur,
                    &format!("{key}.amount_eur"),
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
                            self.error(extra, &format!("{key}.{name}"), format!("`{name}` belongs to a supplier outside the registry, not to one named by `supplier`"), "remove it: a registry supplier's own record gives its figures");
                            ok = false;
                        }
                    }
                    purchases.push(Purchase::Registry {
                        supplier: supplier.get_ref().clone(),
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
                                supplier_name: name.get_ref().clone(),
                                amount_eur: amount,
                                supplier_revenue_eur,
                                supplier_direct_fte,
                            })
                        }
                        _ => ok = false,
                    }
                }
                (Some(supplier), Some(_)) => {
                    self.error(supplier, &key, "a purchase names both `supplier` and `supplier_name`", "use `supplier` for a registry organisation's id, or `supplier_name` with its figures for one outside the registry, not both");
                    ok = false;
                }
                (None, None) => {
                    self.error(&p.amount_eur, &key, "a purchase names no supplier", "add `supplier = \"<id>\"` for a registry organisation, or `supplier_name`, `supplier_revenue_eur` and `supplier_direct_fte` for one outside it");
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
        })
    }

    fn required_positive(
        &mut self,
        value: &Option<Spanned<f64>>,
        row: &Spanned<f64>,
        key: &str,
        name: &str,
        strictly: bool,
    ) -> Option<f64> {
        match value {
            None => {
                self.error(
                    row,
                    &format!("{key}.{name}"),
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
                        &format!("{key}.{name}"),
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
