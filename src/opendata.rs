//! Open data: the register as downloadable files, and what the "Open data"
//! page says about them.
//!
//! This module owns, under `data/`: `registry.json` (spec/records.md section
//! 5), its JSON Schema `registry.schema.json`, `registry.csv` with its CSV on
//! the Web metadata `registry.csv-metadata.json`, `registry.xlsx`, and the
//! DCAT-AP-NL catalogue `catalog.jsonld`; plus one JSON file per organisation
//! (its `registry.json` object) at [`urls::organisation_json_path`].
//!
//! Only the aggregates of spec section 5 are published: never target-group
//! rows, persons counts, purchase amounts or supplier turnover. Record text
//! reaches the files only through serde_json, the csv writer and the xlsx
//! writer; text cells of the CSV and the spreadsheet that could start a
//! formula are neutralised with [`neutralise`] (spec section 6).
//!
//! Every text for people in these files (titles, descriptions, the column
//! documentation, keywords) comes from the `[open_data]` table of the theme's
//! strings file, through [`OpenDataWords`]; the column names, the data
//! sheet's name and the values are the same in every language.
//!
//! Every file is deterministic: the same registry, configuration and
//! reference date give the same bytes (the spreadsheet's creation time is the
//! reference date, and its zip entries carry a fixed timestamp).

use std::borrow::Cow;

use jiff::civil::Date;
use rayon::prelude::*;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError,
};
use serde::Serialize;
use serde_json::{Value, json};

use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;
use crate::ladder::{CertificateStatus, Level};
use crate::output::OutputFile;
use crate::records::{self, PROVINCES};
use crate::registry::{Computed, Registry};
use crate::render::fill_placeholders;
use crate::urls::{self, Urls};

/// `registry.json`.
pub const REGISTRY_JSON_PATH: &str = "data/registry.json";
/// The JSON Schema of `registry.json`.
pub const SCHEMA_PATH: &str = "data/registry.schema.json";
/// The register as CSV.
pub const CSV_PATH: &str = "data/registry.csv";
/// The CSVW metadata of the CSV (the name CSVW looks for beside it).
pub const CSV_METADATA_PATH: &str = "data/registry.csv-metadata.json";
/// The register as a spreadsheet.
pub const XLSX_PATH: &str = "data/registry.xlsx";
/// The DCAT-AP-NL catalogue.
pub const CATALOG_PATH: &str = "data/catalog.jsonld";
/// The "Open data" page, the catalogue's landing page.
pub const PAGE_PATH: &str = "open-data/";
/// The "Open data" page's file.
pub const PAGE_FILE: &str = "open-data/index.html";

/// The longest text an Excel cell holds.
const XLSX_MAX_TEXT: usize = 32_767;
/// The name of the spreadsheet's data sheet: like the column names, the
/// same in every language, so scripts can rely on it. (The sheet documenting
/// the columns is named in the strings file.)
pub const XLSX_SHEET: &str = "Register";

/// The type of a column, named as in CSV on the Web (XML Schema types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Datatype {
    /// Text.
    #[serde(rename = "string")]
    String,
    /// A whole number.
    #[serde(rename = "integer")]
    Integer,
    /// A decimal number with a `.` as decimal separator.
    #[serde(rename = "decimal")]
    Decimal,
    /// `true` or `false`.
    #[serde(rename = "boolean")]
    Boolean,
    /// An ISO 8601 date, `YYYY-MM-DD`.
    #[serde(rename = "date")]
    Date,
    /// An absolute URL.
    #[serde(rename = "anyURI")]
    AnyUri,
}

impl Datatype {
    /// The CSVW / XML Schema name.
    pub fn key(self) -> &'static str {
        match self {
            Datatype::String => "string",
            Datatype::Integer => "integer",
            Datatype::Decimal => "decimal",
            Datatype::Boolean => "boolean",
            Datatype::Date => "date",
            Datatype::AnyUri => "anyURI",
        }
    }

    /// Every type, in a fixed order.
    pub const ALL: [Datatype; 6] = [
        Datatype::String,
        Datatype::Integer,
        Datatype::Decimal,
        Datatype::Boolean,
        Datatype::Date,
        Datatype::AnyUri,
    ];
}

/// One column of the CSV and the spreadsheet. What it holds is documented
/// in the theme's strings file (`[open_data.column_descriptions]`, by name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The header, also the CSVW name; the same in every language.
    pub name: &'static str,
    /// The values' type.
    pub datatype: Datatype,
    /// Whether every row has a value.
    pub required: bool,
}

const fn col(name: &'static str, datatype: Datatype, required: bool) -> Column {
    Column {
        name,
        datatype,
        required,
    }
}

/// The columns of `registry.csv` and `registry.xlsx`, in order.
pub const COLUMNS: [Column; 25] = [
    col("id", Datatype::String, true),
    col("naam", Datatype::String, true),
    col("kvk", Datatype::String, true),
    col("plaats", Datatype::String, true),
    col("provincie", Datatype::String, true),
    col("sector", Datatype::String, true),
    col("website", Datatype::AnyUri, false),
    col("url", Datatype::AnyUri, true),
    col("badge", Datatype::AnyUri, true),
    col("trede", Datatype::String, true),
    col("pso30plus", Datatype::Boolean, true),
    col("direct_pct", Datatype::Decimal, true),
    col("indirect_pct", Datatype::Decimal, true),
    col("totaal_pct", Datatype::Decimal, true),
    col("omvang", Datatype::Integer, true),
    col("norm_basistrede", Datatype::Decimal, true),
    col("norm_trede_1", Datatype::Decimal, true),
    col("norm_trede_2", Datatype::Decimal, true),
    col("norm_trede_3", Datatype::Decimal, true),
    col("peiljaar", Datatype::Integer, true),
    col("certificaatnummer", Datatype::String, true),
    col("certificerende_instelling", Datatype::String, true),
    col("uitgegeven", Datatype::Date, true),
    col("geldig_tot", Datatype::Date, true),
    col("status", Datatype::String, true),
];

/// The SPDX identifiers (lower case) with a known licence URI, each with a
/// name in `[open_data.licences]` of the strings file.
const KNOWN_LICENCES: [(&str, &str); 6] = [
    (
        "cc0-1.0",
        "http://creativecommons.org/publicdomain/zero/1.0/",
    ),
    ("cc-by-4.0", "https://creativecommons.org/licenses/by/4.0/"),
    (
        "cc-by-sa-4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    ("odbl-1.0", "http://opendatacommons.org/licenses/odbl/1-0/"),
    ("odc-by-1.0", "http://opendatacommons.org/licenses/by/1-0/"),
    ("pddl-1.0", "http://opendatacommons.org/licenses/pddl/1-0/"),
];

/// The parts of `registry.schema.json` described in `[open_data.schema]` of
/// the strings file (dotted below it).
const SCHEMA_KEYS: [&str; 27] = [
    "title",
    "description",
    "generated",
    "organisations",
    "url",
    "norms",
    "organisation.id",
    "organisation.name",
    "organisation.kvk",
    "organisation.city",
    "organisation.province",
    "organisation.sector",
    "organisation.website",
    "organisation.url",
    "organisation.badge",
    "organisation.level",
    "organisation.pso30plus",
    "organisation.direct_pct",
    "organisation.indirect_pct",
    "organisation.total_pct",
    "organisation.size",
    "organisation.measurement_year",
    "certificate.number",
    "certificate.body",
    "certificate.issued",
    "certificate.expires",
    "certificate.status",
];

/// A title and a description.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Described {
    title: String,
    description: String,
}

/// The words of the open data files and of the "Open data" page's list of
/// downloads, from the `[open_data]` table of the theme's strings file, so
/// that the data speaks the site's language (the column names, the data
/// sheet's name and the values stay the same in every language). Every key
/// is required: a missing one is an error naming the strings file and key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OpenDataWords {
    /// The site's language code (`nl`), for `@language` in JSON-LD.
    language: String,
    /// How text cells are protected (`neutralisation_note`).
    neutralisation_note: String,
    /// `datasets.<key>`, in [`FILE_KINDS`] order.
    datasets: Vec<Described>,
    /// `column_descriptions.<name>`, in [`COLUMNS`] order.
    columns: Vec<String>,
    /// `column_types.<datatype>`, in [`Datatype::ALL`] order.
    types: Vec<String>,
    /// `licences.<spdx>`, in [`KNOWN_LICENCES`] order.
    licences: Vec<String>,
    /// `csvw.title`, `csvw.description`.
    csvw: Described,
    /// `xlsx.title`, `xlsx.comment`.
    xlsx: Described,
    /// `xlsx.columns_sheet`.
    xlsx_columns_sheet: String,
    /// `xlsx.column_name`, `xlsx.column_type`, `xlsx.column_description`.
    xlsx_column_headers: [String; 3],
    /// `catalog.dataset_title`, `catalog.dataset_description`.
    catalog: Described,
    /// `catalog.keywords`.
    catalog_keywords: Vec<String>,
    /// `catalog.language`: the EU vocabulary URI of the language.
    catalog_language: String,
    /// `schema.<key>`, in [`SCHEMA_KEYS`] order.
    schema: Vec<String>,
}

/// Reads texts below `[open_data]`, remembering the missing ones.
struct Lookup<'a> {
    table: Option<&'a toml::Table>,
    missing: Vec<String>,
}

impl Lookup<'_> {
    fn value(&self, path: &[&str]) -> Option<&toml::Value> {
        let (first, rest) = path.split_first()?;
        let mut value = self.table?.get(*first)?;
        for part in rest {
            value = value.as_table()?.get(*part)?;
        }
        Some(value)
    }

    fn missing(&mut self, path: &[&str]) {
        let shown: Vec<String> = path
            .iter()
            .map(|p| {
                if p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    p.to_string()
                } else {
                    format!("\"{p}\"")
                }
            })
            .collect();
        self.missing.push(format!("open_data.{}", shown.join(".")));
    }

    fn text(&mut self, path: &[&str]) -> String {
        match self.value(path).and_then(toml::Value::as_str) {
            Some(text) => text.to_string(),
            None => {
                self.missing(path);
                String::new()
            }
        }
    }

    fn described(&mut self, table: &[&str], title: &str, description: &str) -> Described {
        let key = |last| [table, &[last]].concat();
        Described {
            title: self.text(&key(title)),
            description: self.text(&key(description)),
        }
    }

    fn list(&mut self, path: &[&str]) -> Vec<String> {
        let texts: Option<Vec<String>> =
            self.value(path)
                .and_then(toml::Value::as_array)
                .and_then(|items| {
                    items
                        .iter()
                        .map(|v| v.as_str().map(str::to_string))
                        .collect()
                });
        texts.unwrap_or_else(|| {
            self.missing(path);
            Vec::new()
        })
    }
}

impl OpenDataWords {
    /// The `[open_data]` words of `strings`, the strings file of the site's
    /// theme for its language (named in errors as
    /// `themes/<theme>/strings/<language>.toml`).
    pub fn from_strings(strings: &toml::Table, config: &SiteConfig) -> Result<Self, Diagnostic> {
        let origin = crate::theme::strings_origin(&config.theme, &config.language);
        let mut lookup = Lookup {
            table: strings.get("open_data").and_then(toml::Value::as_table),
            missing: Vec::new(),
        };
        let l = &mut lookup;
        let words = OpenDataWords {
            language: config.language.clone(),
            neutralisation_note: l.text(&["neutralisation_note"]),
            datasets: FILE_KINDS
                .iter()
                .map(|k| l.described(&["datasets", k.key], "title", "description"))
                .collect(),
            columns: COLUMNS
                .iter()
                .map(|c| l.text(&["column_descriptions", c.name]))
                .collect(),
            types: Datatype::ALL
                .iter()
                .map(|t| l.text(&["column_types", t.key()]))
                .collect(),
            licences: KNOWN_LICENCES
                .iter()
                .map(|(spdx, _)| l.text(&["licences", spdx]))
                .collect(),
            csvw: l.described(&["csvw"], "title", "description"),
            xlsx: l.described(&["xlsx"], "title", "comment"),
            xlsx_columns_sheet: l.text(&["xlsx", "columns_sheet"]),
            xlsx_column_headers: [
                l.text(&["xlsx", "column_name"]),
                l.text(&["xlsx", "column_type"]),
                l.text(&["xlsx", "column_description"]),
            ],
            catalog: l.described(&["catalog"], "dataset_title", "dataset_description"),
            catalog_keywords: l.list(&["catalog", "keywords"]),
            catalog_language: l.text(&["catalog", "language"]),
            schema: SCHEMA_KEYS
                .iter()
                .map(|key| {
                    let path: Vec<&str> = ["schema"].into_iter().chain(key.split('.')).collect();
                    l.text(&path)
                })
                .collect(),
        };
        if let Some(first) = lookup.missing.first() {
            let message = match lookup.missing.as_slice() {
                [one] => format!("the strings file has no text for `{one}`"),
                many => format!(
                    "the strings file has no text for {} open data keys: {}",
                    many.len(),
                    many.iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            return Err(Diagnostic::error(message)
                .in_file(origin)
                .key(first.clone())
                .hint(
                    "the open data files need every [open_data] key of trede's default theme \
                     (themes/default/strings/nl.toml): copy the missing ones and translate them",
                ));
        }
        if let Some(problem) = sheet_name_problem(&words.xlsx_columns_sheet) {
            return Err(Diagnostic::error(format!(
                "`open_data.xlsx.columns_sheet` is no valid spreadsheet sheet name: {problem}"
            ))
            .in_file(origin)
            .key("open_data.xlsx.columns_sheet")
            .hint(format!(
                "use 1 to 31 characters, none of : \\ / ? * [ ], and a name other than `{XLSX_SHEET}`"
            )));
        }
        Ok(words)
    }

    /// The title and description of a downloadable file, by key.
    fn dataset(&self, key: &str) -> &Described {
        let i = FILE_KINDS
            .iter()
            .position(|k| k.key == key)
            .expect("every file kind has words");
        &self.datasets[i]
    }

    /// A column type for people ("geheel getal").
    pub fn type_label(&self, datatype: Datatype) -> &str {
        let i = Datatype::ALL
            .iter()
            .position(|t| *t == datatype)
            .expect("every type is listed");
        &self.types[i]
    }

    /// What the column at `index` of [`COLUMNS`] holds.
    pub fn column_description(&self, index: usize) -> &str {
        &self.columns[index]
    }

    /// A description in the JSON Schema, by its key below `[open_data.schema]`.
    fn schema(&self, key: &str) -> &str {
        let i = SCHEMA_KEYS
            .iter()
            .position(|k| *k == key)
            .expect("every schema description is listed");
        &self.schema[i]
    }

    /// Text tagged with the site's language, for JSON-LD.
    fn tagged(&self, text: &str) -> Value {
        json!({"@value": text, "@language": self.language})
    }
}

/// Why a spreadsheet would refuse `name` as the name of the column sheet.
fn sheet_name_problem(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        Some("it is empty")
    } else if name.chars().count() > 31 {
        Some("it is longer than 31 characters")
    } else if name.contains([':', '\\', '/', '?', '*', '[', ']']) {
        Some("it contains one of : \\ / ? * [ ]")
    } else if name.starts_with('\'') || name.ends_with('\'') {
        Some("it starts or ends with an apostrophe")
    } else if name.to_lowercase() == XLSX_SHEET.to_lowercase()
        || name.eq_ignore_ascii_case("history")
    {
        Some("that name is taken")
    } else {
        None
    }
}

/// Neutralises spreadsheet formula injection (spec section 6): text that
/// starts with `=`, `+`, `-`, `@` (or their full-width forms), a tab or a
/// line break gets a leading `'`. Other text is returned unchanged.
///
/// ```
/// use trede::opendata::neutralise;
/// assert_eq!(neutralise("=1+1"), "'=1+1");
/// assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
/// assert_eq!(neutralise("Kiwa"), "Kiwa");
/// ```
pub fn neutralise(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n' | '＝' | '＋' | '－' | '＠') => {
            Cow::Owned(format!("'{text}"))
        }
        _ => Cow::Borrowed(text),
    }
}

/// A licence for the open data, from an SPDX identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Licence {
    /// The SPDX identifier, e.g. `CC0-1.0`.
    pub id: String,
    /// A name for people.
    pub name: String,
    /// The licence's canonical URI.
    pub url: String,
}

/// The licence for an SPDX identifier: the canonical URI of the usual open
/// data licences (`CC0-1.0` is `http://creativecommons.org/publicdomain/zero/1.0/`),
/// named as the strings file names them, otherwise the SPDX licence page and
/// the identifier as name.
pub fn licence(spdx: &str, words: &OpenDataWords) -> Licence {
    let spdx = spdx.trim();
    let lower = spdx.to_ascii_lowercase();
    match KNOWN_LICENCES.iter().position(|(id, _)| *id == lower) {
        Some(i) => Licence {
            id: spdx.to_string(),
            name: words.licences[i].clone(),
            url: KNOWN_LICENCES[i].1.to_string(),
        },
        None => {
            let safe: String = spdx
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
                .collect();
            Licence {
                id: spdx.to_string(),
                name: spdx.to_string(),
                url: format!("https://spdx.org/licenses/{safe}.html"),
            }
        }
    }
}

/// Every open-data file: `registry.json`, its schema, the CSV and its CSVW
/// metadata, the spreadsheet, one JSON file per organisation, and the
/// DCAT-AP-NL catalogue (last, as it states the others' sizes). Their
/// titles and descriptions are `words`.
/// The open data files.
pub fn files(
    registry: &Registry,
    config: &SiteConfig,
    urls: &Urls,
    words: &OpenDataWords,
) -> Vec<OutputFile> {
    let mut files = tables(registry, config, urls, words);
    files.push(OutputFile::new(
        XLSX_PATH,
        xlsx(registry, config, urls, words),
    ));
    files.push(catalog_file(registry, config, urls, words, &files));
    files
}

/// The data files but the spreadsheet and the catalog: `registry.json`,
/// its schema, the CSV with its metadata, and each organisation's JSON.
pub fn tables(
    registry: &Registry,
    config: &SiteConfig,
    urls: &Urls,
    words: &OpenDataWords,
) -> Vec<OutputFile> {
    let mut document = registry.to_json(urls);
    let organisations = std::mem::take(&mut document.organisations);
    let (objects, csv_bytes) = rayon::join(
        || {
            organisations
                .par_iter()
                .map(|object| serde_json::to_vec(object).expect("registry JSON serialises"))
                .collect::<Vec<Vec<u8>>>()
        },
        || csv(registry, urls),
    );
    let json_bytes = registry_json(&document, &objects);
    let own: Vec<OutputFile> = registry
        .organisations
        .iter()
        .zip(objects)
        .map(|(computed, mut object)| {
            object.push(b'\n');
            OutputFile::new(urls::organisation_json_path(&computed.org.id), object)
        })
        .collect();
    let mut files = Vec::with_capacity(own.len() + 6);
    files.push(OutputFile::new(REGISTRY_JSON_PATH, json_bytes));
    files.push(OutputFile::new(SCHEMA_PATH, pretty(&schema(urls, words))));
    files.push(OutputFile::new(CSV_PATH, csv_bytes));
    files.push(OutputFile::new(
        CSV_METADATA_PATH,
        pretty(&csv_metadata(config, urls, registry.reference_date, words)),
    ));
    files.extend(own);
    files
}

/// `registry.json` from the document without its organisations and their
/// objects, each serialised once (they are also the organisations' own
/// JSON files): what serialising the whole document gives.
fn registry_json(document: &crate::registry::RegistryJson<'_>, objects: &[Vec<u8>]) -> Vec<u8> {
    debug_assert!(document.organisations.is_empty());
    let empty = json_line(document);
    let list = b"\"organisations\":[]";
    let at = empty
        .windows(list.len())
        .position(|w| w == list)
        .expect("registry.json has its organisations")
        + list.len()
        - 1;
    let size: usize = objects.iter().map(|o| o.len() + 1).sum();
    let mut bytes = Vec::with_capacity(empty.len() + size);
    bytes.extend_from_slice(&empty[..at]);
    for (i, object) in objects.iter().enumerate() {
        if i > 0 {
            bytes.push(b',');
        }
        bytes.extend_from_slice(object);
    }
    bytes.extend_from_slice(&empty[at..]);
    bytes
}

/// The DCAT catalog of the data `files` (which include the spreadsheet).
pub fn catalog_file(
    registry: &Registry,
    config: &SiteConfig,
    urls: &Urls,
    words: &OpenDataWords,
    files: &[OutputFile],
) -> OutputFile {
    let catalog = catalog(config, urls, registry.reference_date, files, words);
    OutputFile::new(CATALOG_PATH, pretty(&catalog))
}

/// Compact JSON and a final newline.
fn json_line<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(value).expect("registry JSON serialises");
    bytes.push(b'\n');
    bytes
}

/// Indented JSON and a final newline, for documents people read.
fn pretty(value: &Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("JSON values serialise");
    bytes.push(b'\n');
    bytes
}

/// The JSON Schema (draft 2020-12) of `registry.json`: every key required
/// except `website`, no other keys allowed, the level, status and province
/// keys enumerated; the descriptions are `words`.
pub fn schema(urls: &Urls, words: &OpenDataWords) -> Value {
    let d = |key: &str| words.schema(key);
    let levels: Vec<&str> = Level::ALL.iter().map(|l| l.key()).collect();
    let statuses: Vec<&str> = CertificateStatus::ALL.iter().map(|s| s.key()).collect();
    let certificate = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["number", "body", "issued", "expires", "status"],
        "properties": {
            "number": {"$ref": "#/$defs/text", "description": d("certificate.number")},
            "body": {"$ref": "#/$defs/text", "description": d("certificate.body")},
            "issued": {"$ref": "#/$defs/date", "description": d("certificate.issued")},
            "expires": {"$ref": "#/$defs/date", "description": d("certificate.expires")},
            "status": {"enum": statuses, "description": d("certificate.status")}
        }
    });
    let norms = json!({
        "type": "object",
        "description": d("norms"),
        "additionalProperties": false,
        "required": ["basistrede", "trede-1", "trede-2", "trede-3"],
        "properties": {
            "basistrede": {"$ref": "#/$defs/percentage"},
            "trede-1": {"$ref": "#/$defs/percentage"},
            "trede-2": {"$ref": "#/$defs/percentage"},
            "trede-3": {"$ref": "#/$defs/percentage"}
        }
    });
    let organisation = json!({
        "type": "object",
        "additionalProperties": false,
        "required": [
            "id", "name", "kvk", "city", "province", "sector", "url", "badge",
            "level", "pso30plus", "direct_pct", "indirect_pct", "total_pct",
            "size", "norms", "measurement_year", "certificate"
        ],
        "properties": {
            "id": {
                "type": "string",
                "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
                "maxLength": 80,
                "description": d("organisation.id")
            },
            "name": {"$ref": "#/$defs/text", "description": d("organisation.name")},
            "kvk": {"type": "string", "pattern": "^[0-9]{8}$", "description": d("organisation.kvk")},
            "city": {"$ref": "#/$defs/text", "description": d("organisation.city")},
            "province": {"enum": PROVINCES, "description": d("organisation.province")},
            "sector": {"$ref": "#/$defs/text", "description": d("organisation.sector")},
            "website": {"$ref": "#/$defs/url", "description": d("organisation.website")},
            "url": {"$ref": "#/$defs/url", "description": d("organisation.url")},
            "badge": {"$ref": "#/$defs/url", "description": d("organisation.badge")},
            "level": {"enum": levels, "description": d("organisation.level")},
            "pso30plus": {"type": "boolean", "description": d("organisation.pso30plus")},
            "direct_pct": {"$ref": "#/$defs/percentage", "description": d("organisation.direct_pct")},
            "indirect_pct": {"$ref": "#/$defs/percentage", "description": d("organisation.indirect_pct")},
            "total_pct": {"$ref": "#/$defs/percentage", "description": d("organisation.total_pct")},
            "size": {"type": "integer", "minimum": 1, "description": d("organisation.size")},
            "norms": norms,
            "measurement_year": {"type": "integer", "description": d("organisation.measurement_year")},
            "certificate": certificate
        }
    });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": urls.absolute(SCHEMA_PATH),
        "title": d("title"),
        "description": d("description"),
        "type": "object",
        "required": ["generated", "organisations"],
        "additionalProperties": false,
        "properties": {
            "generated": {
                "$ref": "#/$defs/date",
                "description": d("generated")
            },
            "organisations": {
                "type": "array",
                "description": d("organisations"),
                "items": {"$ref": "#/$defs/organisation"}
            }
        },
        "$defs": {
            "date": {
                "type": "string",
                "format": "date",
                "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
            },
            "text": {"type": "string", "minLength": 1},
            "percentage": {"type": "number", "minimum": 0, "maximum": 100},
            // Records accept any absolute http(s) URL without whitespace
            // (non-ASCII hosts and paths included), so no `format: uri`.
            "url": {
                "type": "string",
                "pattern": "^https?://[^\\s/?#]+([/?#]\\S*)?$",
                "description": d("url")
            },
            "organisation": organisation
        }
    })
}

/// One value of a row, typed for the spreadsheet.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Text(String),
    Empty,
    Bool(bool),
    Decimal(f64),
    Integer(i64),
    Date(Date),
}

impl std::hash::Hash for Cell {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Cell::Text(text) => text.hash(state),
            Cell::Empty => {}
            Cell::Bool(b) => b.hash(state),
            Cell::Decimal(x) => x.to_bits().hash(state),
            Cell::Integer(n) => n.hash(state),
            Cell::Date(d) => d.hash(state),
        }
    }
}

impl Cell {
    /// The CSV text: neutralised text, numbers and dates as written by Rust
    /// (no exponent, `.` as decimal separator), booleans as `true`/`false`.
    fn csv_text(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(text) => neutralise(text),
            Cell::Empty => Cow::Borrowed(""),
            Cell::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            // `+ 0.0` turns a negative zero into zero.
            Cell::Decimal(x) => Cow::Owned((x + 0.0).to_string()),
            Cell::Integer(n) => Cow::Owned(n.to_string()),
            Cell::Date(d) => Cow::Owned(d.to_string()),
        }
    }
}

/// The cells of one organisation, in [`COLUMNS`] order.
fn row(computed: &Computed, urls: &Urls) -> [Cell; 25] {
    let org = &computed.org;
    let text = |s: &str| Cell::Text(s.to_string());
    [
        text(&org.id),
        text(&org.name),
        text(&org.kvk),
        text(&org.city),
        text(org.province),
        text(&org.sector),
        org.website.as_deref().map_or(Cell::Empty, text),
        Cell::Text(urls.absolute(&urls::organisation_dir(&org.id))),
        Cell::Text(urls.absolute(&urls::badge_path(&org.id))),
        text(computed.level.key()),
        Cell::Bool(computed.outcome.pso30plus),
        Cell::Decimal(computed.direct_pct),
        Cell::Decimal(computed.indirect_pct),
        Cell::Decimal(computed.total_pct),
        Cell::Integer(i64::from(org.measurement.employees)),
        Cell::Decimal(computed.norms.basistrede),
        Cell::Decimal(computed.norms.trede1),
        Cell::Decimal(computed.norms.trede2),
        Cell::Decimal(computed.norms.trede3),
        Cell::Integer(i64::from(org.measurement.year)),
        text(&org.certificate.number),
        text(&org.certificate.body),
        Cell::Date(org.certificate.issued),
        Cell::Date(org.certificate.expires),
        text(computed.status.key()),
    ]
}

/// `registry.csv`: RFC 4180 (comma, double quotes where needed, CRLF line
/// ends), UTF-8 without a byte-order mark, a header row of [`COLUMNS`], one
/// row per organisation in id order, text cells [`neutralise`]d.
pub fn csv(registry: &Registry, urls: &Urls) -> Vec<u8> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(256 * (registry.organisations.len() + 1)));
    let write = |writer: &mut ::csv::Writer<Vec<u8>>, record: &[Cow<'_, str>]| {
        writer
            .write_record(record.iter().map(|c| c.as_bytes()))
            .expect("writing CSV to memory cannot fail");
    };
    let header: Vec<Cow<'_, str>> = COLUMNS.iter().map(|c| Cow::Borrowed(c.name)).collect();
    write(&mut writer, &header);
    for computed in &registry.organisations {
        let cells = row(computed, urls);
        let record: Vec<Cow<'_, str>> = cells.iter().map(Cell::csv_text).collect();
        write(&mut writer, &record);
    }
    writer
        .into_inner()
        .expect("flushing CSV to memory cannot fail")
}

/// The CSV on the Web (W3C) metadata of `registry.csv`: the dialect, and per
/// column its name, title, datatype and description (from `words`).
pub fn csv_metadata(
    config: &SiteConfig,
    urls: &Urls,
    reference_date: Date,
    words: &OpenDataWords,
) -> Value {
    let licence = licence(&config.license, words);
    let columns: Vec<Value> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let datatype = match c.name {
                "kvk" => json!({"base": "string", "format": "^[0-9]{8}$"}),
                _ if c.datatype == Datatype::Date => {
                    json!({"base": "date", "format": "yyyy-MM-dd"})
                }
                _ => json!(c.datatype.key()),
            };
            json!({
                "name": c.name,
                "titles": c.name,
                "datatype": datatype,
                "required": c.required,
                "dc:description": words.column_description(i),
            })
        })
        .collect();
    json!({
        "@context": ["http://www.w3.org/ns/csvw", {"@language": words.language}],
        "@id": urls.absolute(CSV_METADATA_PATH),
        "url": "registry.csv",
        "dc:title": fill_placeholders(&words.csvw.title, [("title", config.title.as_str())].into_iter()),
        "dc:description": fill_placeholders(
            &words.csvw.description,
            [("note", words.neutralisation_note.as_str())].into_iter()
        ),
        "dc:publisher": publisher_name(config),
        "dc:license": {"@id": licence.url},
        "dc:modified": {"@value": reference_date.to_string(), "@type": "xsd:date"},
        "dialect": {
            "encoding": "utf-8",
            "delimiter": ",",
            "quoteChar": "\"",
            "doubleQuote": true,
            "header": true,
            "headerRowCount": 1,
            "lineTerminators": ["\r\n"],
            "skipInitialSpace": false,
            "trim": false
        },
        "tableSchema": {
            "columns": columns,
            "primaryKey": "id",
            "aboutUrl": "{+url}"
        }
    })
}

fn publisher_name(config: &SiteConfig) -> &str {
    if config.publisher.name.trim().is_empty() {
        &config.title
    } else {
        &config.publisher.name
    }
}

/// Text for a spreadsheet cell: neutralised, and cut to Excel's limit.
fn xlsx_text(text: &str) -> Cow<'_, str> {
    let safe = neutralise(text);
    if safe.chars().count() <= XLSX_MAX_TEXT {
        safe
    } else {
        Cow::Owned(safe.chars().take(XLSX_MAX_TEXT).collect())
    }
}

fn excel_date(date: Date) -> Option<ExcelDateTime> {
    let year = u16::try_from(date.year()).ok()?;
    ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8).ok()
}

/// `registry.xlsx`: sheet "Register" with the same rows as the CSV, typed
/// (numbers, dates with a `yyyy-mm-dd` format, booleans, text stored as
/// text and [`neutralise`]d, never a formula), a frozen header row, an
/// auto-filter and column widths fitted to the content; sheet "Kolommen"
/// documents the columns (named, like the documentation, by `words`).
/// Byte-identical for the same input.
pub fn xlsx(
    registry: &Registry,
    config: &SiteConfig,
    urls: &Urls,
    words: &OpenDataWords,
) -> Vec<u8> {
    Spreadsheet::new(registry, config, urls, words).bytes()
}

/// `registry.xlsx` to be made: its rows, and what else goes into it. A
/// rebuild compares its [`Spreadsheet::print`] with the last build's
/// before it makes the file, which is the longest single task of a build.
pub struct Spreadsheet<'a> {
    registry: &'a Registry,
    config: &'a SiteConfig,
    words: &'a OpenDataWords,
    /// The rows, text as it goes into the cells ([`xlsx_text`]).
    rows: Vec<[Cell; 25]>,
    /// Each column's widest value, in characters (the header included).
    widths: [usize; 25],
}

impl<'a> Spreadsheet<'a> {
    /// The spreadsheet of `registry`. The rows are prepared in parallel:
    /// the file itself is written on one thread.
    pub fn new(
        registry: &'a Registry,
        config: &'a SiteConfig,
        urls: &Urls,
        words: &'a OpenDataWords,
    ) -> Self {
        let rows: Vec<([Cell; 25], [usize; 25])> = registry
            .organisations
            .par_iter()
            .map(|computed| {
                let mut cells = row(computed, urls);
                let mut widths = [0; 25];
                for (cell, width) in cells.iter_mut().zip(&mut widths) {
                    if let Cell::Text(text) = cell
                        && let Cow::Owned(shown) = xlsx_text(text)
                    {
                        *text = shown;
                    }
                    *width = shown_width(cell);
                }
                (cells, widths)
            })
            .collect();
        let mut widths = COLUMNS.map(|c| c.name.chars().count());
        for (_, row_widths) in &rows {
            for (width, shown) in widths.iter_mut().zip(row_widths) {
                *width = (*width).max(*shown);
            }
        }
        Spreadsheet {
            registry,
            config,
            words,
            rows: rows.into_iter().map(|(cells, _)| cells).collect(),
            widths,
        }
    }

    /// A fingerprint of everything the file is made from: the same print,
    /// the same bytes.
    pub fn print(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let hash = |value: &dyn Fn(&mut std::hash::DefaultHasher)| {
            let mut hasher = std::hash::DefaultHasher::new();
            value(&mut hasher);
            hasher.finish()
        };
        let rows: Vec<u64> = self
            .rows
            .par_chunks(256)
            .map(|rows| hash(&|hasher| rows.hash(hasher)))
            .collect();
        hash(&|hasher| {
            rows.hash(hasher);
            self.registry.reference_date.hash(hasher);
            (&self.config.title, &self.config.license).hash(hasher);
            publisher_name(self.config).hash(hasher);
            self.words.hash(hasher);
        })
    }

    /// The file's bytes.
    pub fn bytes(&self) -> Vec<u8> {
        build_xlsx(self, Rows::ThroughTempFile).expect("the register fits a spreadsheet")
    }
}

/// The characters a value takes in its cell, for the column widths.
fn shown_width(cell: &Cell) -> usize {
    match cell {
        Cell::Text(text) => text.chars().count(),
        Cell::Empty => 0,
        Cell::Bool(_) => 5,
        Cell::Decimal(x) => shown_len(format_args!("{x:.2}")),
        Cell::Integer(n) => shown_len(format_args!("{n}")),
        Cell::Date(_) => 10,
    }
}

/// The number of characters `value` takes as written, for column widths.
fn shown_len(value: std::fmt::Arguments<'_>) -> usize {
    /// Counts what is written to it.
    struct Count(usize);
    impl std::fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = std::fmt::Write::write_fmt(&mut count, value);
    count.0
}

/// Where the data sheet's rows go while the file is made.
#[derive(Clone, Copy, PartialEq)]
enum Rows {
    /// Row by row through a temporary file ("constant memory" mode): kept
    /// in memory, the cells of 100,000 organisations took 600 MB, the
    /// largest part of a build's peak, and a third longer to write. Where
    /// no temporary file can be made, they are kept in memory after all.
    ThroughTempFile,
    /// In memory.
    InMemory,
}

fn build_xlsx(spreadsheet: &Spreadsheet<'_>, rows_go: Rows) -> Result<Vec<u8>, XlsxError> {
    let Spreadsheet {
        registry,
        config,
        words,
        rows,
        widths,
    } = spreadsheet;
    let mut workbook = Workbook::new();
    // The fastest deflate level: the spreadsheet is the longest single task
    // of a build (and of a rebuild in `serve`); level 1 takes about half
    // the time of the default level 6 for a file some 15% larger.
    workbook.set_zip_compression_level(1);
    // The creation time goes into docProps/core.xml: the reference date
    // instead of the clock keeps the file reproducible.
    let created = excel_date(registry.reference_date)
        .map_or_else(|| ExcelDateTime::from_ymd(2000, 1, 1), Ok)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(fill_placeholders(
                &words.xlsx.title,
                [("title", config.title.as_str())].into_iter(),
            ))
            .set_author(publisher_name(config))
            .set_comment(fill_placeholders(
                &words.xlsx.description,
                [
                    ("date", registry.reference_date.to_string().as_str()),
                    ("licence", licence(&config.license, words).name.as_str()),
                    ("note", words.neutralisation_note.as_str()),
                ]
                .into_iter(),
            ))
            .set_creation_datetime(&created),
    );

    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDE7F0))
        .set_border_bottom(FormatBorder::Thin);
    let text = Format::new().set_num_format("@");
    let decimal = Format::new().set_num_format("0.00");
    let integer = Format::new().set_num_format("0");
    let date = Format::new().set_num_format("yyyy-mm-dd");

    if rows_go == Rows::InMemory || workbook.add_worksheet_with_constant_memory().is_err() {
        workbook.add_worksheet();
    }
    let sheet = workbook.worksheet_from_index(0)?;
    sheet.set_name(XLSX_SHEET)?;
    // Widths before the rows: a row, once written, is in the file.
    set_widths(sheet, widths)?;
    for (c, column) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, column.name, &header)?;
    }
    // Each column's number format is set once, and cells of the column's
    // own kind are written without one: they take the column's format, and
    // rust_xlsxwriter need not hash a format for each of the many cells
    // (a quarter of the spreadsheet's time). Empty cells below the data
    // keep the format too, so a KvK number typed there stays text.
    let kinds: Vec<Option<&Format>> = COLUMNS
        .iter()
        .map(|column| match column.datatype {
            Datatype::Integer => Some(&integer),
            Datatype::Decimal => Some(&decimal),
            Datatype::Date => Some(&date),
            Datatype::Boolean => None,
            Datatype::String | Datatype::AnyUri => Some(&text),
        })
        .collect();
    for (c, kind) in kinds.iter().enumerate() {
        if let Some(format) = kind {
            sheet.set_column_format(c as u16, format)?;
        }
    }
    let own = |c: usize, format: &Format| kinds[c].is_some_and(|k| std::ptr::eq(k, format));
    // Text is neutralised and cut to Excel's limit already.
    for (r, cells) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in cells.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(s) => {
                    if own(c, &text) {
                        sheet.write_string(r, col, s)?;
                    } else {
                        sheet.write_string_with_format(r, col, s, &text)?;
                    }
                }
                Cell::Empty => {}
                Cell::Bool(b) => {
                    sheet.write_boolean(r, col, *b)?;
                }
                Cell::Decimal(x) => {
                    if own(c, &decimal) {
                        sheet.write_number(r, col, *x + 0.0)?;
                    } else {
                        sheet.write_number_with_format(r, col, *x + 0.0, &decimal)?;
                    }
                }
                Cell::Integer(n) => {
                    if own(c, &integer) {
                        sheet.write_number(r, col, *n as f64)?;
                    } else {
                        sheet.write_number_with_format(r, col, *n as f64, &integer)?;
                    }
                }
                Cell::Date(d) => {
                    match excel_date(*d) {
                        Some(excel) if own(c, &date) => sheet.write_datetime(r, col, &excel)?,
                        Some(excel) => sheet.write_date_with_format(r, col, &excel, &date)?,
                        None => sheet.write_string_with_format(r, col, d.to_string(), &text)?,
                    };
                }
            }
        }
    }
    let last_row = registry.organisations.len() as u32;
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last_row, COLUMNS.len() as u16 - 1)?;

    let docs = workbook.add_worksheet();
    docs.set_name(&words.xlsx_columns_sheet)?;
    let wrap = Format::new().set_text_wrap();
    for (c, title) in words.xlsx_column_headers.iter().enumerate() {
        docs.write_string_with_format(0, c as u16, title, &header)?;
    }
    for (i, column) in COLUMNS.iter().enumerate() {
        let r = i as u32 + 1;
        docs.write_string(r, 0, column.name)?;
        docs.write_string(r, 1, words.type_label(column.datatype))?;
        docs.write_string_with_format(r, 2, words.column_description(i), &wrap)?;
    }
    let note_row = COLUMNS.len() as u32 + 2;
    docs.write_string_with_format(note_row, 2, &words.neutralisation_note, &wrap)?;
    docs.set_freeze_panes(1, 0)?;
    set_widths(docs, &[26, 38, 90])?;

    workbook.save_to_buffer()
}

fn set_widths(sheet: &mut Worksheet, widths: &[usize]) -> Result<(), XlsxError> {
    for (c, width) in widths.iter().enumerate() {
        let width = (*width + 2).clamp(8, 60);
        sheet.set_column_width(c as u16, width as f64)?;
    }
    Ok(())
}

/// One downloadable file of the "Open data" page and the catalogue; its
/// title and description are in the strings file, by key.
#[derive(Debug, Clone, Copy)]
struct FileKind {
    key: &'static str,
    path: &'static str,
    format: &'static str,
    media_type: &'static str,
    /// The EU file-type vocabulary code.
    eu_file_type: &'static str,
    /// Whether the file is a distribution of the dataset in the catalogue.
    distribution: bool,
    /// Whether [`COLUMNS`] documents it.
    tabular: bool,
}

const FILE_KINDS: [FileKind; 7] = [
    FileKind {
        key: "json",
        path: REGISTRY_JSON_PATH,
        format: "JSON",
        media_type: "application/json",
        eu_file_type: "JSON",
        distribution: true,
        tabular: false,
    },
    FileKind {
        key: "csv",
        path: CSV_PATH,
        format: "CSV",
        media_type: "text/csv",
        eu_file_type: "CSV",
        distribution: true,
        tabular: true,
    },
    FileKind {
        key: "xlsx",
        path: XLSX_PATH,
        format: "XLSX",
        media_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        eu_file_type: "XLSX",
        distribution: true,
        tabular: true,
    },
    FileKind {
        key: "schema",
        path: SCHEMA_PATH,
        format: "JSON Schema",
        media_type: "application/json",
        eu_file_type: "JSON",
        distribution: true,
        tabular: false,
    },
    FileKind {
        key: "csvw",
        path: CSV_METADATA_PATH,
        format: "CSVW (JSON-LD)",
        media_type: "application/csvm+json",
        eu_file_type: "JSON_LD",
        distribution: true,
        tabular: false,
    },
    FileKind {
        key: "catalog",
        path: CATALOG_PATH,
        format: "JSON-LD",
        media_type: "application/ld+json",
        eu_file_type: "JSON_LD",
        distribution: false,
        tabular: false,
    },
    FileKind {
        key: "feed",
        path: crate::feeds::REGISTRY_FEED_PATH,
        format: "Atom",
        media_type: "application/atom+xml",
        eu_file_type: "ATOM",
        distribution: false,
        tabular: false,
    },
];

fn size_of(files: &[OutputFile], path: &str) -> Option<u64> {
    files.iter().find(|f| f.path == path).map(|f| f.size())
}

fn iana(media_type: &str) -> String {
    format!("https://www.iana.org/assignments/media-types/{media_type}")
}

fn eu_file_type(code: &str) -> String {
    format!("http://publications.europa.eu/resource/authority/file-type/{code}")
}

fn id(iri: &str) -> Value {
    json!({"@id": iri})
}

/// The DCAT-AP-NL 3.0 catalogue (JSON-LD): a `dcat:Catalog` with one
/// `dcat:Dataset`, the register, whose `dcat:Distribution`s are the JSON,
/// CSV, spreadsheet, schema and CSVW files present in `files` (with their
/// sizes). Titles, descriptions and keywords are `words`.
pub fn catalog(
    config: &SiteConfig,
    urls: &Urls,
    reference_date: Date,
    files: &[OutputFile],
    words: &OpenDataWords,
) -> Value {
    let licence = licence(&config.license, words);
    let tagged = |text: &str| words.tagged(text);
    let modified = json!({"@value": reference_date.to_string(), "@type": "xsd:date"});
    let catalog_url = urls.absolute(CATALOG_PATH);
    let dataset_id = format!("{catalog_url}#register");
    let publisher_url =
        records::is_http_url(&config.publisher.url).then(|| config.publisher.url.clone());
    let mut publisher = json!({
        "@type": "foaf:Agent",
        "foaf:name": publisher_name(config),
    });
    if let Some(url) = &publisher_url {
        publisher["@id"] = json!(url);
        publisher["foaf:homepage"] = id(url);
    }
    let mut contact = json!({
        "@type": "vcard:Organization",
        "vcard:fn": publisher_name(config),
        "vcard:hasURL": id(publisher_url.as_deref().unwrap_or(urls.base_url())),
    });
    let email = config.publisher.email.trim();
    if !email.is_empty() {
        contact["vcard:hasEmail"] = id(&format!("mailto:{email}"));
    }
    let distributions: Vec<Value> = FILE_KINDS
        .iter()
        .filter(|k| k.distribution)
        .filter_map(|k| {
            let size = size_of(files, k.path)?;
            let url = urls.absolute(k.path);
            let described = words.dataset(k.key);
            let mut d = json!({
                "@id": format!("{catalog_url}#distributie-{}", k.key),
                "@type": "dcat:Distribution",
                "dct:title": tagged(&described.title),
                "dct:description": tagged(&described.description),
                "dcat:accessURL": id(&url),
                "dcat:downloadURL": id(&url),
                "dcat:mediaType": id(&iana(k.media_type)),
                "dct:format": id(&eu_file_type(k.eu_file_type)),
                "dct:license": id(&licence.url),
                "dct:modified": modified.clone(),
                "dcat:byteSize": {"@value": size.to_string(), "@type": "xsd:nonNegativeInteger"},
            });
            match k.key {
                "json" => d["dct:conformsTo"] = id(&urls.absolute(SCHEMA_PATH)),
                "csv" => d["dct:conformsTo"] = id(&urls.absolute(CSV_METADATA_PATH)),
                _ => {}
            }
            Some(d)
        })
        .collect();
    let dataset_description = &words.catalog.description;
    let description = if config.description.trim().is_empty() {
        dataset_description.clone()
    } else {
        format!("{} {dataset_description}", config.description.trim())
    };
    let dataset_title = fill_placeholders(
        &words.catalog.title,
        [("title", config.title.as_str())].into_iter(),
    );
    let keywords: Vec<Value> = words.catalog_keywords.iter().map(|k| tagged(k)).collect();
    json!({
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#"
        },
        "@id": catalog_url,
        "@type": "dcat:Catalog",
        "dct:title": tagged(&config.title),
        "dct:description": tagged(&description),
        "dct:publisher": publisher.clone(),
        "foaf:homepage": id(urls.base_url()),
        "dct:language": id(&words.catalog_language),
        "dct:license": id(&licence.url),
        "dct:modified": modified.clone(),
        "dcat:dataset": [{
            "@id": dataset_id,
            "@type": "dcat:Dataset",
            "dct:identifier": dataset_id,
            "dct:title": tagged(&dataset_title),
            "dct:description": tagged(&description),
            "dct:publisher": publisher,
            "dcat:contactPoint": contact,
            "dct:license": id(&licence.url),
            "dct:accessRights": id("http://publications.europa.eu/resource/authority/access-right/PUBLIC"),
            "dct:language": id(&words.catalog_language),
            "dct:spatial": id("http://publications.europa.eu/resource/authority/country/NLD"),
            "dct:modified": modified,
            "dcat:landingPage": id(&urls.absolute(PAGE_PATH)),
            "dcat:theme": [
                id("http://publications.europa.eu/resource/authority/data-theme/ECON"),
                id("http://publications.europa.eu/resource/authority/data-theme/SOCI")
            ],
            "dcat:keyword": keywords,
            "dcat:distribution": distributions
        }]
    })
}

/// A column as the "Open data" page documents it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnInfo {
    /// Column name (CSV header).
    pub name: &'static str,
    /// CSVW datatype (`string`, `integer`, `decimal`, `boolean`, `date`, `anyURI`).
    pub datatype: &'static str,
    /// The type for people, from the strings file.
    pub type_label: String,
    /// Whether every row has a value.
    pub required: bool,
    /// What it holds, from the strings file.
    pub description: String,
}

/// One downloadable file as the "Open data" page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatasetInfo {
    /// Short key: `json`, `csv`, `xlsx`, `schema`, `csvw`, `catalog`, `feed`.
    pub key: &'static str,
    /// Title, from the strings file.
    pub title: String,
    /// One sentence, from the strings file.
    pub description: String,
    /// Output path.
    pub path: &'static str,
    /// Absolute URL.
    pub url: String,
    /// Format name for people (`CSV`).
    pub format: &'static str,
    /// Media type.
    pub media_type: &'static str,
    /// Size in bytes of the generated file.
    pub size_bytes: u64,
    /// Size for people, Dutch notation (`12,3 kB`).
    pub size: String,
    /// The licence.
    pub licence: Licence,
    /// The columns, for the CSV and the spreadsheet; empty otherwise.
    pub columns: Vec<ColumnInfo>,
}

/// The files the "Open data" page lists, in a fixed order, each with its
/// size taken from `files` (the generated output; files not in it are left
/// out). The registry is not read; it is a parameter so the page can grow
/// figures without an API change. Titles and descriptions are `words`.
pub fn datasets(
    _registry: &Registry,
    config: &SiteConfig,
    urls: &Urls,
    files: &[OutputFile],
    words: &OpenDataWords,
) -> Vec<DatasetInfo> {
    let licence = licence(&config.license, words);
    let columns: Vec<ColumnInfo> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| ColumnInfo {
            name: c.name,
            datatype: c.datatype.key(),
            type_label: words.type_label(c.datatype).to_string(),
            required: c.required,
            description: words.column_description(i).to_string(),
        })
        .collect();
    FILE_KINDS
        .iter()
        .filter_map(|k| {
            let size_bytes = size_of(files, k.path)?;
            let described = words.dataset(k.key);
            Some(DatasetInfo {
                key: k.key,
                title: described.title.clone(),
                description: described.description.clone(),
                path: k.path,
                url: urls.absolute(k.path),
                format: k.format,
                media_type: k.media_type,
                size_bytes,
                size: human_size(size_bytes),
                licence: licence.clone(),
                columns: if k.tabular {
                    columns.clone()
                } else {
                    Vec::new()
                },
            })
        })
        .collect()
}

/// A size in Dutch notation: `512 bytes`, `12,3 kB`, `4,5 MB` (powers of
/// 1000).
pub fn human_size(bytes: u64) -> String {
    let with_comma = |x: f64, unit: &str| format!("{x:.1} {unit}").replace('.', ",");
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => with_comma(bytes as f64 / 1e3, "kB"),
        1_000_000..1_000_000_000 => with_comma(bytes as f64 / 1e6, "MB"),
        _ => with_comma(bytes as f64 / 1e9, "GB"),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! A small registry built through the real pipeline (records on disk,
    //! `records::load_all`, `Registry::compute`), with a record whose every
    //! text field carries markup and a leading formula character.

    use jiff::civil::date;

    use super::OpenDataWords;
    use crate::config::SiteConfig;
    use crate::diagnostics::Source;
    use crate::registry::Registry;
    use crate::urls::Urls;

    pub const EVIL_NAME: &str =
        "=HYPERLINK(\"https://evil.example/?a=1&b=2\",\"<script>alert('x')</script> & Co\")";
    pub const EVIL_CITY: &str = "+31 <b>Stad</b> & \"zo\"";
    pub const EVIL_SECTOR: &str = "-x <i>sector</i> & 'co'";
    pub const EVIL_BODY: &str = "@y <script>Kiwa</script>";
    pub const EVIL_NUMBER: &str = "=1+1 <nr> & \"PSO\"";
    /// Figures of the evil record that must never be published.
    pub const FORBIDDEN: [&str; 5] = ["42017", "12345679", "310.5", "9876543", "1.83"];

    fn toml_string(s: &str) -> String {
        serde_json::to_string(s).unwrap()
    }

    fn plain(name: &str, kvk: &str, number: &str, certificate: &str) -> String {
        format!(
            "name = \"{name}\"\nkvk = \"{kvk}\"\ncity = \"Deventer\"\nprovince = \"overijssel\"\nsector = \"Groen\"\n\n[certificate]\nnumber = \"{number}\"\nbody = \"Kiwa\"\n{certificate}\n\n[measurement]\nyear = 2024\nemployees = 54\ntotal_fte = 46.2\nrevenue_eur = 5000000\n\n[[measurement.target_group]]\nposition = \"wajong\"\ncontract = \"regulier\"\nfte = 1.8\npersons = 2\n"
        )
    }

    /// The record files, by id.
    pub fn records() -> Vec<(&'static str, String)> {
        let evil = format!(
            "name = {}\nkvk = \"01234567\"\ncity = {}\nprovince = \"Friesland\"\nsector = {}\nwebsite = \"https://évil.example/?a=1&b=<x>\"\nsummary = \"<script>alert(1)</script>\"\n\n[certificate]\nnumber = {}\nbody = {}\nissued = 2026-10-01\n\n[measurement]\nyear = 2025\nemployees = 54\ntotal_fte = 46.2\nrevenue_eur = 9876543\n\n[[measurement.target_group]]\nposition = \"wajong\"\ncontract = \"regulier\"\nfte = 1.83\npersons = 19\n\n[[measurement.purchases]]\nsupplier_name = \"Werkbedrijf <Noord>\"\namount_eur = 42017\nsupplier_revenue_eur = 12345679\nsupplier_direct_fte = 310.5\n",
            toml_string(EVIL_NAME),
            toml_string(EVIL_CITY),
            toml_string(EVIL_SECTOR),
            toml_string(EVIL_NUMBER),
            toml_string(EVIL_BODY),
        );
        vec![
            ("a-evil", evil),
            (
                "b-verloopt",
                plain(
                    "Verloopt Binnenkort B.V.",
                    "10000002",
                    "PSO-2",
                    "issued = 2025-01-16",
                ),
            ),
            (
                "c-verlopen",
                plain("Verlopen B.V.", "10000003", "PSO-3", "issued = 2024-07-01"),
            ),
            (
                "d-geschorst",
                plain(
                    "Schorsing B.V.",
                    "10000004",
                    "PSO-4",
                    "issued = 2025-05-01\nstatus = \"suspended\"",
                ),
            ),
            (
                "e-ingetrokken",
                plain(
                    "Intrekking B.V.",
                    "10000005",
                    "PSO-5",
                    "issued = 2025-05-01\nstatus = \"withdrawn\"",
                ),
            ),
            (
                "f-geldig",
                plain("Geldig B.V.", "10000006", "PSO-6", "issued = 2025-06-01"),
            ),
            (
                "g-lang-verlopen",
                plain(
                    "Lang Verlopen B.V.",
                    "10000007",
                    "PSO-7",
                    "issued = 2023-01-02",
                ),
            ),
        ]
    }

    /// The default theme's open data words for `config`.
    pub fn words(config: &SiteConfig) -> OpenDataWords {
        let strings = crate::theme::default_strings("nl").expect("the default theme speaks Dutch");
        OpenDataWords::from_strings(&strings, config).expect("the default theme has every key")
    }

    /// The registry on 2026-11-30 under `https://u.github.io/reg/`.
    pub fn registry() -> (Registry, SiteConfig, Urls) {
        let registry =
            crate::registry::test_support::compute_from_records(records(), date(2026, 11, 30));
        assert_eq!(registry.organisations.len(), 7);
        let config = SiteConfig::parse(&Source::new(
            "site.toml",
            "title = \"Register & co\"\nbase_url = \"https://u.github.io/reg\"\ndescription = \"Het <PSO>-register.\"\n[publisher]\nname = \"Stichting <Register>\"\nurl = \"https://stichting.example/\"\nemail = \"info@stichting.example\"\n",
        ))
        .unwrap();
        let urls = Urls::new(&config.base_url);
        (registry, config, urls)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::io::Cursor;

    use super::test_support::*;
    use super::*;
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

    fn file<'a>(files: &'a [OutputFile], path: &str) -> &'a OutputFile {
        files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("{path} is generated"))
    }

    fn json_of(files: &[OutputFile], path: &str) -> Value {
        serde_json::from_slice(&file(files, path).contents).unwrap()
    }

    fn validator(schema: &Value) -> jsonschema::Validator {
        jsonschema::meta::validate(schema).expect("the schema is valid draft 2020-12");
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(schema)
            .unwrap()
    }

    #[test]
    fn registry_json_has_the_spec_shape_and_validates() {
        let (registry, config, urls) = registry();
        let files = files(&registry, &config, &urls, &words(&config));
        let bytes = &file(&files, REGISTRY_JSON_PATH).contents;
        assert!(bytes.ends_with(b"}\n"));
        let json: Value = serde_json::from_slice(bytes).unwrap();
        let schema = json_of(&files, SCHEMA_PATH);
        let validator = validator(&schema);
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");

        assert_eq!(json["generated"], "2026-11-30");
        let orgs = json["organisations"].as_array().unwrap();
        let ids: Vec<&str> = orgs.iter().map(|o| o["id"].as_str().unwrap()).collect();
        assert_eq!(
            ids,
            [
                "a-evil",
                "b-verloopt",
                "c-verlopen",
                "d-geschorst",
                "e-ingetrokken",
                "f-geldig",
                "g-lang-verlopen"
            ]
        );
        let evil = &orgs[0];
        let keys: BTreeSet<&str> = evil
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let spec_keys: BTreeSet<&str> = [
            "id",
            "name",
            "kvk",
            "city",
            "province",
            "sector",
            "website",
            "url",
            "badge",
            "level",
            "pso30plus",
            "direct_pct",
            "indirect_pct",
            "total_pct",
            "size",
            "norms",
            "measurement_year",
            "certificate",
        ]
        .into();
        assert_eq!(keys, spec_keys);
        assert!(
            orgs[1].get("website").is_none(),
            "website is omitted when absent"
        );
        assert_eq!(evil["name"], EVIL_NAME);
        assert_eq!(evil["province"], "Fryslân");
        assert_eq!(evil["url"], "https://u.github.io/reg/organisaties/a-evil/");
        assert_eq!(
            evil["badge"],
            "https://u.github.io/reg/organisaties/a-evil/badge.svg"
        );
        assert_eq!(evil["level"], "trede-2");
        assert_eq!(evil["pso30plus"], true);
        assert_eq!(evil["direct_pct"], 3.87);
        assert_eq!(evil["indirect_pct"], 2.24);
        assert_eq!(evil["total_pct"], 6.11);
        assert_eq!(evil["size"], 54);
        assert_eq!(
            evil["norms"],
            json!({"basistrede": 2.04, "trede-1": 2.84, "trede-2": 3.58, "trede-3": 6.36})
        );
        assert_eq!(
            evil["certificate"],
            json!({"number": EVIL_NUMBER, "body": EVIL_BODY, "issued": "2026-10-01", "expires": "2028-09-30", "status": "valid"})
        );
        let statuses: Vec<&str> = orgs
            .iter()
            .map(|o| o["certificate"]["status"].as_str().unwrap())
            .collect();
        assert_eq!(
            statuses,
            [
                "valid",
                "expiring",
                "expired",
                "suspended",
                "withdrawn",
                "valid",
                "expired"
            ]
        );

        // The per-organisation file holds the same object.
        let own = json_of(&files, "organisaties/a-evil/organisatie.json");
        assert_eq!(&own, evil);
        assert!(validator.is_valid(&json!({"generated": "2026-11-30", "organisations": [own]})));
    }

    #[test]
    fn the_schema_rejects_what_the_spec_forbids() {
        let (registry, config, urls) = registry();
        let files = files(&registry, &config, &urls, &words(&config));
        let validator = validator(&json_of(&files, SCHEMA_PATH));
        let good = json_of(&files, REGISTRY_JSON_PATH);
        let broken = |f: &dyn Fn(&mut Value)| {
            let mut v = good.clone();
            f(&mut v);
            validator.is_valid(&v)
        };
        assert!(broken(&|_| {}));
        assert!(!broken(&|v| v["organisations"][0]["kvk"] = json!("1234567")));
        assert!(!broken(&|v| v["organisations"][0]["persons"] = json!(3)));
        assert!(!broken(
            &|v| v["organisations"][0]["level"] = json!("trede-4")
        ));
        assert!(!broken(
            &|v| v["organisations"][0]["certificate"]["status"] = json!("active")
        ));
        assert!(!broken(
            &|v| v["organisations"][0]["certificate"]["issued"] = json!("2026-13-01")
        ));
        assert!(!broken(
            &|v| v["organisations"][0]["province"] = json!("Friesland")
        ));
        assert!(!broken(
            &|v| v["organisations"][0]["norms"]["trede-4"] = json!(1.0)
        ));
        assert!(!broken(&|v| {
            v["organisations"][0]
                .as_object_mut()
                .unwrap()
                .remove("badge");
        }));
        assert!(!broken(
            &|v| v["organisations"][0]["website"] = json!("javascript:alert(1)")
        ));
        assert!(!broken(&|v| v["generated"] = json!("30-11-2026")));
        assert!(!broken(&|v| v["extra"] = json!(true)));
    }

    fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
        let mut reader = ::csv::Reader::from_reader(bytes);
        let header = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        let rows = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        (header, rows)
    }

    #[test]
    fn csv_parses_back_with_neutralised_cells() {
        let (registry, config, urls) = registry();
        let files = files(&registry, &config, &urls, &words(&config));
        let bytes = &file(&files, CSV_PATH).contents;
        assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "no byte-order mark");
        assert!(bytes.ends_with(b"\r\n"));
        let (header, rows) = read_csv(bytes);
        assert_eq!(header, COLUMNS.map(|c| c.name));
        assert_eq!(
            header.join(","),
            "id,naam,kvk,plaats,provincie,sector,website,url,badge,trede,pso30plus,direct_pct,indirect_pct,totaal_pct,omvang,norm_basistrede,norm_trede_1,norm_trede_2,norm_trede_3,peiljaar,certificaatnummer,certificerende_instelling,uitgegeven,geldig_tot,status"
        );
        assert_eq!(rows.len(), 7);
        let evil = &rows[0];
        let get = |name: &str| evil[header.iter().position(|h| h == name).unwrap()].as_str();
        assert_eq!(get("id"), "a-evil");
        assert_eq!(get("naam"), format!("'{EVIL_NAME}"));
        assert_eq!(get("plaats"), format!("'{EVIL_CITY}"));
        assert_eq!(get("sector"), format!("'{EVIL_SECTOR}"));
        assert_eq!(get("certificerende_instelling"), format!("'{EVIL_BODY}"));
        assert_eq!(get("certificaatnummer"), format!("'{EVIL_NUMBER}"));
        assert_eq!(get("kvk"), "01234567");
        assert_eq!(get("provincie"), "Fryslân");
        assert_eq!(get("website"), "https://évil.example/?a=1&b=<x>");
        assert_eq!(get("trede"), "trede-2");
        assert_eq!(get("pso30plus"), "true");
        assert_eq!(get("direct_pct"), "3.87");
        assert_eq!(get("totaal_pct"), "6.11");
        assert_eq!(get("norm_trede_3"), "6.36");
        assert_eq!(get("omvang"), "54");
        assert_eq!(get("peiljaar"), "2025");
        assert_eq!(get("uitgegeven"), "2026-10-01");
        assert_eq!(get("geldig_tot"), "2028-09-30");
        assert_eq!(get("status"), "valid");
        assert_eq!(
            rows[1][header.iter().position(|h| h == "website").unwrap()],
            ""
        );
        // No cell of any row could start a formula.
        for row in &rows {
            for cell in row {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{cell}"
                );
            }
        }
    }

    #[test]
    fn csvw_metadata_describes_every_column() {
        let (registry, config, urls) = registry();
        let files = files(&registry, &config, &urls, &words(&config));
        let meta = json_of(&files, CSV_METADATA_PATH);
        assert_eq!(meta["url"], "registry.csv");
        assert_eq!(meta["@context"][0], "http://www.w3.org/ns/csvw");
        assert_eq!(
            meta["dc:license"]["@id"],
            "http://creativecommons.org/publicdomain/zero/1.0/"
        );
        let columns = meta["tableSchema"]["columns"].as_array().unwrap();
        let (header, _) = read_csv(&file(&files, CSV_PATH).contents);
        let names: Vec<&str> = columns
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, header);
        let allowed = ["string", "integer", "decimal", "boolean", "date", "anyURI"];
        for c in columns {
            assert_eq!(c["titles"], c["name"]);
            let datatype = c["datatype"]
                .as_str()
                .or(c["datatype"]["base"].as_str())
                .unwrap();
            assert!(allowed.contains(&datatype), "{datatype}");
            assert!(c["dc:description"].as_str().unwrap().len() > 10);
        }
        let types: Vec<&str> = columns
            .iter()
            .map(|c| {
                c["datatype"]
                    .as_str()
                    .or(c["datatype"]["base"].as_str())
                    .unwrap()
            })
            .collect();
        assert_eq!(types[10], "boolean");
        assert_eq!(types[11], "decimal");
        assert_eq!(types[14], "integer");
        assert_eq!(types[22], "date");
        assert_eq!(types[7], "anyURI");
    }

    fn sheet(bytes: &[u8], name: &str) -> calamine::Range<Data> {
        let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
        workbook.worksheet_range(name).unwrap()
    }

    #[test]
    fn xlsx_reads_back_typed_and_neutralised() {
        let (registry, config, urls) = registry();
        let files = files(&registry, &config, &urls, &words(&config));
        let bytes = &file(&files, XLSX_PATH).contents;
        let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
        assert_eq!(workbook.sheet_names(), [XLSX_SHEET, "Kolommen"]);
        let formulas = workbook.worksheet_formula(XLSX_SHEET).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "no formulas"
        );

        let range = sheet(bytes, XLSX_SHEET);
        assert_eq!(range.get_size(), (8, 25));
        let header: Vec<String> = (0..25)
            .map(|c| range.get((0, c)).unwrap().to_string())
            .collect();
        assert_eq!(header, COLUMNS.map(|c| c.name));
        let cell = |row: usize, name: &str| {
            range
                .get((row, COLUMNS.iter().position(|c| c.name == name).unwrap()))
                .unwrap()
                .clone()
        };
        assert_eq!(cell(1, "naam"), Data::String(format!("'{EVIL_NAME}")));
        assert_eq!(cell(1, "plaats"), Data::String(format!("'{EVIL_CITY}")));
        assert_eq!(cell(1, "sector"), Data::String(format!("'{EVIL_SECTOR}")));
        assert_eq!(
            cell(1, "certificerende_instelling"),
            Data::String(format!("'{EVIL_BODY}"))
        );
        assert_eq!(cell(1, "kvk"), Data::String("01234567".into()));
        assert_eq!(cell(1, "pso30plus"), Data::Bool(true));
        assert_eq!(cell(1, "totaal_pct"), Data::Float(6.11));
        assert_eq!(cell(1, "omvang"), Data::Float(54.0));
        assert_eq!(cell(2, "website"), Data::Empty);
        let issued = cell(1, "uitgegeven");
        let Data::DateTime(excel) = issued else {
            panic!("a date cell, got {issued:?}");
        };
        // Serial day 46296 is 2026-10-01 in Excel's 1900 system.
        assert_eq!(excel.as_f64(), 46296.0);
        let Data::DateTime(expires) = cell(1, "geldig_tot") else {
            panic!("a date cell");
        };
        assert_eq!(expires.as_f64(), 46296.0 + 730.0);
        for (_, _, data) in range.used_cells() {
            if let Data::String(s) = data {
                assert!(!s.starts_with(['=', '+', '-', '@']), "{s}");
            }
        }
        let docs = sheet(bytes, "Kolommen");
        assert_eq!(docs.get((1, 0)), Some(&Data::String("id".into())));
        assert_eq!(docs.get((25, 0)), Some(&Data::String("status".into())));
    }

    #[test]
    fn xlsx_rows_through_a_temporary_file_or_in_memory_read_back_the_same() {
        let (registry, config, urls) = registry();
        let words = words(&config);
        let spreadsheet = Spreadsheet::new(&registry, &config, &urls, &words);
        let streamed = build_xlsx(&spreadsheet, Rows::ThroughTempFile).unwrap();
        let in_memory = build_xlsx(&spreadsheet, Rows::InMemory).unwrap();
        for name in [XLSX_SHEET, "Kolommen"] {
            let (a, b) = (sheet(&streamed, name), sheet(&in_memory, name));
            assert_eq!(a.get_size(), b.get_size(), "{name}");
            let cells = |r: &calamine::Range<Data>| {
                r.cells()
                    .map(|(row, col, d)| (row, col, d.clone()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(cells(&a), cells(&b), "{name}");
        }
        assert_eq!(spreadsheet.bytes(), streamed, "the build streams the rows");
    }

    #[test]
    fn registry_json_is_the_whole_document_serialised() {
        let (registry, config, urls) = registry();
        let files = files(&registry, &config, &urls, &words(&config));
        let whole = json_line(&registry.to_json(&urls));
        assert!(file(&files, REGISTRY_JSON_PATH).contents == whole);
        for (object, computed) in registry
            .to_json(&urls)
            .organisations
            .iter()
            .zip(&registry.organisations)
        {
            let path = urls::organisation_json_path(&computed.org.id);
            assert!(file(&files, &path).contents == json_line(object), "{path}");
        }
    }

    #[test]
    fn xlsx_is_byte_identical_for_the_same_input() {
        let (registry, config, urls) = registry();
        let first = xlsx(&registry, &config, &urls, &words(&config));
        // The writer's clock has one-second resolution: a write in a later
        // second would differ if any part of the file used the clock.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let second = xlsx(&registry, &config, &urls, &words(&config));
        assert!(first == second, "two writes differ");
        // And from a separate pipeline run (fresh records, fresh hash seeds).
        let (registry, config, urls) = super::test_support::registry();
        assert!(xlsx(&registry, &config, &urls, &words(&config)) == first);
    }

    #[test]
    fn catalog_is_dcat_json_ld() {
        let (registry, config, urls) = registry();
        let files = files(&registry, &config, &urls, &words(&config));
        let catalog = json_of(&files, CATALOG_PATH);
        assert_eq!(catalog["@type"], "dcat:Catalog");
        assert_eq!(catalog["@context"]["dcat"], "http://www.w3.org/ns/dcat#");
        assert_eq!(catalog["@context"]["dct"], "http://purl.org/dc/terms/");
        let dataset = &catalog["dcat:dataset"][0];
        assert_eq!(dataset["@type"], "dcat:Dataset");
        assert_eq!(
            dataset["dct:license"]["@id"],
            "http://creativecommons.org/publicdomain/zero/1.0/"
        );
        assert_eq!(dataset["dct:modified"]["@value"], "2026-11-30");
        assert_eq!(
            dataset["dct:publisher"]["foaf:name"],
            "Stichting <Register>"
        );
        assert_eq!(
            dataset["dcat:contactPoint"]["vcard:hasEmail"]["@id"],
            "mailto:info@stichting.example"
        );
        assert_eq!(
            dataset["dcat:landingPage"]["@id"],
            "https://u.github.io/reg/open-data/"
        );
        let distributions = dataset["dcat:distribution"].as_array().unwrap();
        assert_eq!(distributions.len(), 5);
        for d in distributions {
            assert_eq!(d["@type"], "dcat:Distribution");
            let url = d["dcat:downloadURL"]["@id"].as_str().unwrap();
            let path = url.strip_prefix("https://u.github.io/reg/").unwrap();
            let size: u64 = d["dcat:byteSize"]["@value"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            assert_eq!(size, file(&files, path).contents.len() as u64);
            assert!(
                d["dcat:mediaType"]["@id"]
                    .as_str()
                    .unwrap()
                    .starts_with("https://www.iana.org/assignments/media-types/")
            );
            assert!(
                d["dct:format"]["@id"]
                    .as_str()
                    .unwrap()
                    .starts_with("http://publications.europa.eu/resource/authority/file-type/")
            );
        }
        let formats: Vec<&str> = distributions
            .iter()
            .map(|d| {
                d["dct:format"]["@id"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
            })
            .collect();
        assert_eq!(formats, ["JSON", "CSV", "XLSX", "JSON", "JSON_LD"]);
    }

    #[test]
    fn no_forbidden_figures_in_any_data_file() {
        let (registry, config, urls) = registry();
        let files = files(&registry, &config, &urls, &words(&config));
        let mut texts: Vec<(String, String)> = files
            .iter()
            .filter(|f| f.path != XLSX_PATH)
            .map(|f| {
                (
                    f.path.clone(),
                    String::from_utf8(f.contents.to_vec()).unwrap(),
                )
            })
            .collect();
        let range = sheet(&file(&files, XLSX_PATH).contents, XLSX_SHEET);
        let cells: Vec<String> = range.used_cells().map(|(_, _, d)| d.to_string()).collect();
        texts.push(("xlsx cells".into(), cells.join("\n")));
        for (path, text) in &texts {
            for figure in FORBIDDEN {
                assert!(!text.contains(figure), "{path} contains {figure}");
            }
            for word in [
                "persons",
                "amount_eur",
                "revenue",
                "supplier",
                "target_group",
                "Werkbedrijf",
            ] {
                assert!(!text.contains(word), "{path} contains {word}");
            }
        }
        // The persons count (19) is no value anywhere in the data.
        let json = json_of(&files, REGISTRY_JSON_PATH);
        let mut numbers = Vec::new();
        collect_numbers(&json, &mut numbers);
        assert!(!numbers.contains(&19.0));
        let (_, rows) = read_csv(&file(&files, CSV_PATH).contents);
        assert!(rows.iter().flatten().all(|cell| cell != "19"));
    }

    fn collect_numbers(value: &Value, out: &mut Vec<f64>) {
        match value {
            Value::Number(n) => out.push(n.as_f64().unwrap()),
            Value::Array(items) => items.iter().for_each(|v| collect_numbers(v, out)),
            Value::Object(map) => map.values().for_each(|v| collect_numbers(v, out)),
            _ => {}
        }
    }

    #[test]
    fn files_are_deterministic() {
        let (registry, config, urls) = registry();
        assert_eq!(
            files(&registry, &config, &urls, &words(&config)),
            files(&registry, &config, &urls, &words(&config))
        );
    }

    #[test]
    fn datasets_report_real_sizes_and_columns() {
        let (registry, config, urls) = registry();
        let files = files(&registry, &config, &urls, &words(&config));
        let datasets = datasets(&registry, &config, &urls, &files, &words(&config));
        let keys: Vec<&str> = datasets.iter().map(|d| d.key).collect();
        assert_eq!(keys, ["json", "csv", "xlsx", "schema", "csvw", "catalog"]);
        for d in &datasets {
            assert_eq!(d.size_bytes, file(&files, d.path).contents.len() as u64);
            assert_eq!(d.licence.id, "CC0-1.0");
            assert_eq!(d.url, format!("https://u.github.io/reg/{}", d.path));
        }
        assert_eq!(datasets[1].columns.len(), 25);
        assert!(datasets[0].columns.is_empty());
        let value = serde_json::to_value(&datasets).unwrap();
        assert_eq!(value[1]["columns"][10]["datatype"], "boolean");
    }

    #[test]
    fn neutralises_risky_starts_only() {
        for risky in ["=A1", "+1", "-1", "@x", "\tx", "\rx", "\nx", "＝1"] {
            assert!(neutralise(risky).starts_with('\''), "{risky:?}");
        }
        for safe in ["", "A=1", "'=1", "Kiwa", " =1"] {
            assert_eq!(neutralise(safe), safe);
        }
    }

    #[test]
    fn licences_map_to_their_uris() {
        let (_, config, _) = registry();
        let words = words(&config);
        let cc0 = licence("CC0-1.0", &words);
        assert_eq!(cc0.url, "http://creativecommons.org/publicdomain/zero/1.0/");
        assert_eq!(cc0.name, "CC0 1.0 Universeel (publiek domein)");
        assert_eq!(
            licence("CC-BY-4.0", &words).url,
            "https://creativecommons.org/licenses/by/4.0/"
        );
        let other = licence("MIT <x>", &words);
        assert_eq!(other.url, "https://spdx.org/licenses/MITx.html");
        assert_eq!(other.name, "MIT <x>");
        assert_eq!(human_size(999), "999 bytes");
        assert_eq!(human_size(12_345), "12,3 kB");
        assert_eq!(human_size(4_500_000), "4,5 MB");
    }

    /// The default strings with `[open_data]` changed by `edit`.
    fn strings_with(edit: impl FnOnce(&mut toml::Table)) -> toml::Table {
        let mut strings = crate::theme::default_strings("nl").unwrap();
        let open_data = strings
            .get_mut("open_data")
            .and_then(toml::Value::as_table_mut)
            .unwrap();
        edit(open_data);
        strings
    }

    fn table<'a>(t: &'a mut toml::Table, key: &str) -> &'a mut toml::Table {
        t.get_mut(key)
            .and_then(toml::Value::as_table_mut)
            .unwrap_or_else(|| panic!("[open_data.{key}]"))
    }

    #[test]
    fn every_text_of_the_files_comes_from_the_strings() {
        let (registry, config, urls) = registry();
        let strings = strings_with(|o| {
            let csv = table(table(o, "datasets"), "csv");
            csv.insert("title".into(), "Register as CSV".into());
            csv.insert("description".into(), "One line per organisation.".into());
            table(o, "column_descriptions")
                .insert("kvk".into(), "Chamber of Commerce number.".into());
            table(o, "column_types").insert("integer".into(), "whole number".into());
            table(o, "licences").insert("cc0-1.0".into(), "CC0 1.0 Universal".into());
            table(o, "xlsx").insert("columns_sheet".into(), "Columns".into());
            table(o, "catalog").insert(
                "keywords".into(),
                toml::Value::Array(vec!["social enterprise".into()]),
            );
            table(o, "catalog").insert(
                "language".into(),
                "http://publications.europa.eu/resource/authority/language/ENG".into(),
            );
            table(table(o, "schema"), "organisation").insert(
                "kvk".into(),
                "Chamber of Commerce number (8 digits).".into(),
            );
            o.insert("neutralisation_note".into(), "Formulas are quoted.".into());
        });
        let words = OpenDataWords::from_strings(&strings, &config).unwrap();
        let files = files(&registry, &config, &urls, &words);

        let meta = json_of(&files, CSV_METADATA_PATH);
        let kvk = &meta["tableSchema"]["columns"][2];
        assert_eq!(kvk["name"], "kvk", "column names stay");
        assert_eq!(kvk["dc:description"], "Chamber of Commerce number.");
        assert!(
            meta["dc:description"]
                .as_str()
                .unwrap()
                .ends_with(" Formulas are quoted.")
        );

        let catalog = json_of(&files, CATALOG_PATH);
        let dataset = &catalog["dcat:dataset"][0];
        let csv = &dataset["dcat:distribution"][1];
        assert_eq!(csv["dct:title"]["@value"], "Register as CSV");
        assert_eq!(
            csv["dct:description"]["@value"],
            "One line per organisation."
        );
        assert_eq!(
            dataset["dcat:keyword"],
            json!([{"@value": "social enterprise", "@language": "nl"}])
        );
        assert_eq!(
            dataset["dct:language"]["@id"],
            "http://publications.europa.eu/resource/authority/language/ENG"
        );

        let schema = json_of(&files, SCHEMA_PATH);
        assert_eq!(
            schema["$defs"]["organisation"]["properties"]["kvk"]["description"],
            "Chamber of Commerce number (8 digits)."
        );

        let bytes = &file(&files, XLSX_PATH).contents;
        let docs = sheet(bytes, "Columns");
        assert_eq!(
            docs.get((3, 2)),
            Some(&Data::String("Chamber of Commerce number.".into()))
        );
        assert_eq!(
            docs.get((15, 1)),
            Some(&Data::String("whole number".into()))
        );

        let datasets = datasets(&registry, &config, &urls, &files, &words);
        assert_eq!(datasets[1].title, "Register as CSV");
        assert_eq!(
            datasets[1].columns[2].description,
            "Chamber of Commerce number."
        );
        assert_eq!(datasets[1].columns[14].type_label, "whole number");
        assert_eq!(datasets[1].licence.name, "CC0 1.0 Universal");
    }

    #[test]
    fn a_missing_string_names_the_file_and_key() {
        let (_, config, _) = registry();
        let strings = strings_with(|o| {
            table(table(o, "datasets"), "csv").remove("title");
        });
        let error = OpenDataWords::from_strings(&strings, &config).unwrap_err();
        assert_eq!(
            error.message,
            "the strings file has no text for `open_data.datasets.csv.title`"
        );
        assert_eq!(
            error.file.as_deref(),
            Some("themes/default/strings/nl.toml")
        );
        assert_eq!(error.key.as_deref(), Some("open_data.datasets.csv.title"));

        let strings = strings_with(|o| {
            table(o, "column_descriptions").remove("geldig_tot");
            table(o, "licences").remove("cc-by-4.0");
            table(o, "catalog").insert("keywords".into(), "PSO".into());
        });
        let error = OpenDataWords::from_strings(&strings, &config).unwrap_err();
        assert_eq!(
            error.message,
            "the strings file has no text for 3 open data keys: `open_data.column_descriptions.geldig_tot`, `open_data.licences.\"cc-by-4.0\"`, `open_data.catalog.keywords`"
        );

        let mut strings = crate::theme::default_strings("nl").unwrap();
        strings.remove("open_data");
        let error = OpenDataWords::from_strings(&strings, &config).unwrap_err();
        assert!(
            error.message.contains("`open_data.neutralisation_note`"),
            "{}",
            error.message
        );
    }

    #[test]
    fn the_column_sheet_name_must_suit_a_spreadsheet() {
        let (_, config, _) = registry();
        for bad in [
            "",
            "Register",
            "a/b",
            "[x]",
            "een heel erg lange naam voor een blad",
        ] {
            let strings = strings_with(|o| {
                table(o, "xlsx").insert("columns_sheet".into(), bad.into());
            });
            let error = OpenDataWords::from_strings(&strings, &config).unwrap_err();
            assert_eq!(
                error.key.as_deref(),
                Some("open_data.xlsx.columns_sheet"),
                "{bad}"
            );
        }
    }
}
