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
#[derive(Debug, Clone, PartialEq, Eq)]
struct Described {
    title: String,
    description: String,
}

/// The words of the open data files and of the "Open data" page's list of
/// downloads, from the `[open_data]` table of the theme's strings file, so
/// that the data speaks the site's language (the column names, the data
/// sheet's name and the values stay the same in every language). Every key
/// is required: a missing one is an error naming the strings file and key.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// The day number of `date` in Excel's 1900 date system, for a date Excel
/// can show (1900-01-01 to 9999-12-31).
fn excel_serial(date: Date) -> Option<i64> {
    if !(1900..=9999).contains(&date.year()) {
        return None;
    }
    // Excel counts the 29th of February 1900, which did not exist: from
    // March 1900 on, its day numbers count from 1899-12-30.
    let epoch = if date < jiff::civil::date(1900, 3, 1) {
        jiff::civil::date(1899, 12, 31)
    } else {
        jiff::civil::date(1899, 12, 30)
    };
    epoch
        .until(date)
        .ok()
        .map(|span| i64::from(span.get_days()))
}

/// `registry.xlsx`: sheet "Register" with the same rows as the CSV, typed
/// (numbers, dates with a `yyyy-mm-dd` format, booleans, text stored as
/// text and [`neutralise`]d, never a formula), a frozen header row, an
/// auto-filter and column widths fitted to the content; sheet "Kolommen"
/// documents the columns (named, like the documentation, by `words`).
/// Byte-identical for the same input.
///
/// The workbook is written here rather than with a spreadsheet library: its
/// parts are the ones rust_xlsxwriter writes for the same cells (a test
/// compares them part by part), made in a fifth of the time, since the
/// spreadsheet is the longest single task of a build and of a rebuild in
/// `serve`.
pub fn xlsx(
    registry: &Registry,
    config: &SiteConfig,
    urls: &Urls,
    words: &OpenDataWords,
) -> Vec<u8> {
    let rows: Vec<[Cell; 25]> = registry
        .organisations
        .iter()
        .map(|computed| {
            let mut cells = row(computed, urls);
            for cell in &mut cells {
                match cell {
                    Cell::Text(text) => {
                        if let Cow::Owned(shown) = xlsx_text(text) {
                            *text = shown;
                        }
                    }
                    // A date Excel cannot show is written as text.
                    Cell::Date(date) if excel_serial(*date).is_none() => {
                        *cell = Cell::Text(date.to_string());
                    }
                    _ => {}
                }
            }
            cells
        })
        .collect();
    assert!(
        rows.len() <= XLSX_MAX_ROWS,
        "the register fits a spreadsheet"
    );
    let mut strings = SharedStrings::with_capacity(rows.len() * 8 + 128);
    let register = register_sheet(&rows, &mut strings);
    let columns = columns_sheet(words, &mut strings);
    let shared = strings.xml();
    drop(strings);
    drop(rows);

    let title = fill_placeholders(
        &words.xlsx.title,
        [("title", config.title.as_str())].into_iter(),
    );
    let comment = fill_placeholders(
        &words.xlsx.description,
        [
            ("date", registry.reference_date.to_string().as_str()),
            ("licence", licence(&config.license, words).name.as_str()),
            ("note", words.neutralisation_note.as_str()),
        ]
        .into_iter(),
    );
    // The creation time is the reference date, not the clock, so that the
    // file is reproducible.
    let created = match excel_serial(registry.reference_date) {
        Some(_) => registry.reference_date,
        None => jiff::civil::date(2000, 1, 1),
    };
    let last_row = registry.organisations.len() + 1;
    let parts: [(&str, Vec<u8>); 11] = [
        ("[Content_Types].xml", XLSX_CONTENT_TYPES.into()),
        ("_rels/.rels", XLSX_ROOT_RELS.into()),
        ("xl/_rels/workbook.xml.rels", XLSX_WORKBOOK_RELS.into()),
        ("xl/theme/theme1.xml", XLSX_THEME.into()),
        ("xl/styles.xml", XLSX_STYLES.into()),
        (
            "xl/workbook.xml",
            workbook_xml(&words.xlsx_columns_sheet, last_row).into_bytes(),
        ),
        ("xl/worksheets/sheet1.xml", register),
        ("xl/worksheets/sheet2.xml", columns),
        ("xl/sharedStrings.xml", shared),
        (
            "docProps/core.xml",
            core_xml(&title, publisher_name(config), &comment, created).into_bytes(),
        ),
        (
            "docProps/app.xml",
            app_xml(&words.xlsx_columns_sheet).into_bytes(),
        ),
    ];
    zip(&parts)
}

/// Excel's last row is 1,048,576; the header takes one.
const XLSX_MAX_ROWS: usize = 1_048_575;

/// The cell formats of [`XLSX_STYLES`], by index.
const XF_HEADER: u32 = 1;
const XF_TEXT: u32 = 2;
const XF_DECIMAL: u32 = 3;
const XF_INTEGER: u32 = 4;
const XF_DATE: u32 = 5;
const XF_WRAP: u32 = 6;

/// The format of a column of the register sheet (cells take their column's
/// format, and empty cells below the data keep it, so that a KvK number
/// typed there stays text).
fn column_format(datatype: Datatype) -> u32 {
    match datatype {
        Datatype::Integer => XF_INTEGER,
        Datatype::Decimal => XF_DECIMAL,
        Datatype::Date => XF_DATE,
        Datatype::Boolean => 0,
        Datatype::String | Datatype::AnyUri => XF_TEXT,
    }
}

/// The spreadsheet's table of texts: each distinct text once, in the order
/// of first use, referred to by number from the cells.
struct SharedStrings<'a> {
    index: std::collections::HashMap<&'a str, u32, std::hash::BuildHasherDefault<FxHasher>>,
    order: Vec<&'a str>,
    /// Text cells, repeats included.
    uses: u32,
}

impl<'a> SharedStrings<'a> {
    fn with_capacity(capacity: usize) -> Self {
        SharedStrings {
            index: std::collections::HashMap::with_capacity_and_hasher(
                capacity,
                Default::default(),
            ),
            order: Vec::with_capacity(capacity),
            uses: 0,
        }
    }

    fn id(&mut self, text: &'a str) -> u32 {
        self.uses += 1;
        let next = self.order.len() as u32;
        *self.index.entry(text).or_insert_with(|| {
            self.order.push(text);
            next
        })
    }

    fn xml(&self) -> Vec<u8> {
        let size: usize = self.order.iter().map(|s| s.len() + 16).sum();
        let mut x = Xml::with_capacity(size + 256);
        x.raw(XML_DECLARATION);
        x.raw("<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"");
        x.number(u64::from(self.uses));
        x.raw("\" uniqueCount=\"");
        x.number(self.order.len() as u64);
        x.raw("\">");
        for text in &self.order {
            if text.starts_with(['\t', '\n', ' ']) || text.ends_with(['\t', '\n', ' ']) {
                x.raw("<si><t xml:space=\"preserve\">");
            } else {
                x.raw("<si><t>");
            }
            x.cell_text(text);
            x.raw("</t></si>");
        }
        x.raw("</sst>");
        x.0
    }
}

/// A small fast hash for the shared-strings table (FxHash, as in rustc):
/// the texts are the register's own, so resistance to chosen collisions
/// is not needed.
#[derive(Default)]
struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &byte in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// An XML part being written.
struct Xml(Vec<u8>);

const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

impl Xml {
    fn with_capacity(capacity: usize) -> Self {
        Xml(Vec::with_capacity(capacity))
    }

    fn raw(&mut self, text: &str) {
        self.0.extend_from_slice(text.as_bytes());
    }

    fn number(&mut self, mut n: u64) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.0.extend_from_slice(&digits[at..]);
    }

    /// A number as Rust writes an `f64` (the shortest text that reads back
    /// the same, no exponent), which is what spreadsheet programs read.
    fn float(&mut self, x: f64) {
        if x.fract() == 0.0 && x.abs() < 1e15 {
            if x.is_sign_negative() {
                self.0.push(b'-');
            }
            self.number(x.abs() as u64);
        } else {
            use std::io::Write as _;
            let _ = write!(self.0, "{x}");
        }
    }

    /// Text for element content: `&`, `<` and `>` escaped, control
    /// characters and the non-characters U+FFFE and U+FFFF written as
    /// Excel's `_xHHHH_`, and a literal `_xHHHH_` kept literal.
    fn cell_text(&mut self, text: &str) {
        let text = escape_excel_escapes(text);
        self.data(&text);
    }

    /// Text for element content: `&`, `<` and `>` escaped, and control
    /// characters but tab and line feed, and the non-characters U+FFFE and
    /// U+FFFF, as Excel's `_xHHHH_`.
    fn data(&mut self, text: &str) {
        let plain = |b: &u8| {
            !matches!(b, b'&' | b'<' | b'>' | 0xEF) && (*b >= 0x20 || *b == b'\t' || *b == b'\n')
        };
        if text.as_bytes().iter().all(plain) {
            self.raw(text);
            return;
        }
        for c in text.chars() {
            match c {
                '&' => self.raw("&amp;"),
                '<' => self.raw("&lt;"),
                '>' => self.raw("&gt;"),
                '\t' | '\n' => self.0.push(c as u8),
                '\u{0}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => {
                    self.raw(&format!("_x{:04X}_", u32::from(c)));
                }
                _ => {
                    let mut buf = [0u8; 4];
                    self.raw(c.encode_utf8(&mut buf));
                }
            }
        }
    }

    /// An attribute value: `&`, `"`, `<`, `>` and line ends escaped.
    fn attribute(&mut self, text: &str) {
        for c in text.chars() {
            match c {
                '&' => self.raw("&amp;"),
                '"' => self.raw("&quot;"),
                '<' => self.raw("&lt;"),
                '>' => self.raw("&gt;"),
                '\n' => self.raw("&#xA;"),
                _ => {
                    let mut buf = [0u8; 4];
                    self.raw(c.encode_utf8(&mut buf));
                }
            }
        }
    }

    /// `<c r="B7"`, with ` s="n"` for a format.
    fn cell_start(&mut self, column: &str, row: usize, format: u32) {
        self.raw("<c r=\"");
        self.raw(column);
        self.number(row as u64);
        if format > 0 {
            self.raw("\" s=\"");
            self.number(u64::from(format));
        }
        self.0.push(b'"');
    }

    /// A text cell, or nothing for empty text; but a blank cell when the
    /// format is `explicit` (not the column's), as Excel keeps a formatted
    /// blank.
    fn string_cell<'a>(
        &mut self,
        strings: &mut SharedStrings<'a>,
        column: &str,
        row: usize,
        text: &'a str,
        format: u32,
        explicit: bool,
    ) {
        if text.is_empty() {
            if explicit && format > 0 {
                self.cell_start(column, row, format);
                self.raw("/>");
            }
            return;
        }
        self.cell_start(column, row, format);
        self.raw(" t=\"s\"><v>");
        self.number(u64::from(strings.id(text)));
        self.raw("</v></c>");
    }

    /// A number cell; a spreadsheet has no NaN or infinity, so those are
    /// written as text.
    fn number_cell<'a>(
        &mut self,
        strings: &mut SharedStrings<'a>,
        column: &str,
        row: usize,
        x: f64,
        format: u32,
    ) {
        if !x.is_finite() {
            let text = if x.is_nan() {
                "NAN"
            } else if x > 0.0 {
                "INF"
            } else {
                "-INF"
            };
            return self.string_cell(strings, column, row, text, format, false);
        }
        self.cell_start(column, row, format);
        self.raw("><v>");
        self.float(x);
        self.raw("</v></c>");
    }

    /// `<sheetViews>` with the first row frozen; `selected` for the sheet
    /// that opens first.
    fn frozen_header_view(&mut self, selected: bool) {
        self.raw("<sheetViews><sheetView ");
        if selected {
            self.raw("tabSelected=\"1\" ");
        }
        self.raw("workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/><selection pane=\"bottomLeft\"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>");
    }

    /// `<cols>`: each column's width (in characters, clamped to 8-60 with
    /// two for the filter button) and format; neighbours that are alike
    /// share one element.
    fn columns(&mut self, widths: &[usize], formats: &[u32]) {
        // Excel stores a width in characters of the default font's widest
        // digit (7 pixels) plus 5 pixels of padding, rounded down to 1/256.
        let stored = |width: usize| -> f64 {
            let pixels = (width + 2).clamp(8, 60) as u64 * 7 + 5;
            (pixels * 256 / 7) as f64 / 256.0
        };
        self.raw("<cols>");
        let mut first = 0;
        while first < widths.len() {
            let key = |c: usize| (stored(widths[c]).to_bits(), formats[c]);
            let mut last = first;
            while last + 1 < widths.len() && key(last + 1) == key(first) {
                last += 1;
            }
            self.raw("<col min=\"");
            self.number(first as u64 + 1);
            self.raw("\" max=\"");
            self.number(last as u64 + 1);
            self.raw("\" width=\"");
            self.float(stored(widths[first]));
            self.0.push(b'"');
            if formats[first] > 0 {
                self.raw(" style=\"");
                self.number(u64::from(formats[first]));
                self.0.push(b'"');
            }
            self.raw(" customWidth=\"1\"/>");
            first = last + 1;
        }
        self.raw("</cols>");
    }

    /// `<row r="n" spans="a:b">`.
    fn row_start(&mut self, row: usize, span: (usize, usize)) {
        self.raw("<row r=\"");
        self.number(row as u64);
        self.raw("\" spans=\"");
        self.number(span.0 as u64);
        self.0.push(b':');
        self.number(span.1 as u64);
        self.raw("\">");
    }
}

/// Excel reads `_xHHHH_` in a text as an escaped character; a text that
/// contains one literally gets its underscore escaped (`_x005F_xHHHH_`).
fn escape_excel_escapes(text: &str) -> Cow<'_, str> {
    if !text.contains("_x") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 12);
    let mut rest = text;
    while let Some(at) = rest.find("_x") {
        let escape = rest
            .as_bytes()
            .get(at + 2..at + 7)
            .is_some_and(|tail| tail[..4].iter().all(u8::is_ascii_hexdigit) && tail[4] == b'_');
        out.push_str(&rest[..at]);
        if escape {
            out.push_str("_x005F");
        }
        out.push_str("_x");
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Column letters of the register sheet (it has fewer than 27 columns).
const COLUMN_LETTERS: [&str; 26] = [
    "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S",
    "T", "U", "V", "W", "X", "Y", "Z",
];

/// The number of characters a value takes as shown, for the column widths.
fn shown_width(cell: &Cell) -> usize {
    /// Counts what is written to it.
    struct Count(usize);
    impl std::fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut count = Count(0);
    match cell {
        Cell::Text(text) => text.chars().count(),
        Cell::Empty => 0,
        Cell::Bool(_) => 5,
        Cell::Decimal(x) => {
            let _ = std::fmt::Write::write_fmt(&mut count, format_args!("{x:.2}"));
            count.0
        }
        Cell::Integer(n) => {
            let _ = std::fmt::Write::write_fmt(&mut count, format_args!("{n}"));
            count.0
        }
        Cell::Date(_) => 10,
    }
}

/// Whether a cell is written at all (for the rows' spans).
fn is_written(cell: &Cell, format: u32) -> bool {
    match cell {
        Cell::Empty => false,
        Cell::Text(text) => !text.is_empty() || format != XF_TEXT,
        _ => true,
    }
}

/// Sheet "Register": a header row and a row per organisation.
fn register_sheet<'a>(rows: &'a [[Cell; 25]], strings: &mut SharedStrings<'a>) -> Vec<u8> {
    let formats: Vec<u32> = COLUMNS.iter().map(|c| column_format(c.datatype)).collect();
    let mut widths: Vec<usize> = COLUMNS.iter().map(|c| c.name.chars().count()).collect();
    for cells in rows {
        for (width, cell) in widths.iter_mut().zip(cells) {
            *width = (*width).max(shown_width(cell));
        }
    }
    let last = COLUMN_LETTERS[COLUMNS.len() - 1];
    let mut x = Xml::with_capacity(rows.len() * 1024 + 4096);
    x.raw(XML_DECLARATION);
    x.raw(WORKSHEET_START);
    x.raw("<dimension ref=\"A1:");
    x.raw(last);
    x.number(rows.len() as u64 + 1);
    x.raw("\"/>");
    x.frozen_header_view(true);
    x.columns(&widths, &formats);
    x.raw("<sheetData>");
    // Excel notes, per block of 16 rows, the first and last column used;
    // a row without cells is left out.
    let used = |cells: &[Cell; 25]| -> Option<(usize, usize)> {
        let written = |&c: &usize| is_written(&cells[c], formats[c]);
        let first = (0..cells.len()).find(written)?;
        Some((first, (0..cells.len()).rfind(written).unwrap_or(first)))
    };
    let spans: Vec<(usize, usize)> = std::iter::once(Some((0, COLUMNS.len() - 1)))
        .chain(rows.iter().map(used))
        .collect::<Vec<_>>()
        .chunks(16)
        .map(|block| {
            let first = block.iter().flatten().map(|u| u.0).min().unwrap_or(0);
            let last = block.iter().flatten().map(|u| u.1).max().unwrap_or(0);
            (first + 1, last + 1)
        })
        .collect();
    x.row_start(1, spans[0]);
    for (c, column) in COLUMNS.iter().enumerate() {
        x.string_cell(strings, COLUMN_LETTERS[c], 1, column.name, XF_HEADER, true);
    }
    x.raw("</row>");
    for (i, cells) in rows.iter().enumerate() {
        if used(cells).is_none() {
            continue;
        }
        let r = i + 2;
        x.row_start(r, spans[(i + 1) / 16]);
        for (c, cell) in cells.iter().enumerate() {
            let letter = COLUMN_LETTERS[c];
            let format = formats[c];
            match cell {
                Cell::Text(text) => {
                    x.string_cell(strings, letter, r, text, XF_TEXT, format != XF_TEXT);
                }
                Cell::Empty => {}
                Cell::Bool(b) => {
                    x.cell_start(letter, r, format);
                    x.raw(if *b {
                        " t=\"b\"><v>1</v></c>"
                    } else {
                        " t=\"b\"><v>0</v></c>"
                    });
                }
                // `+ 0.0` turns a negative zero into zero.
                Cell::Decimal(v) => x.number_cell(strings, letter, r, *v + 0.0, XF_DECIMAL),
                Cell::Integer(n) => x.number_cell(strings, letter, r, *n as f64, XF_INTEGER),
                Cell::Date(d) => {
                    let day = excel_serial(*d).expect("dates Excel cannot show are text");
                    x.number_cell(strings, letter, r, day as f64, XF_DATE);
                }
            }
        }
        x.raw("</row>");
    }
    x.raw("</sheetData><autoFilter ref=\"A1:");
    x.raw(last);
    x.number(rows.len() as u64 + 1);
    x.raw("\"/>");
    x.raw(PAGE_MARGINS);
    x.0
}

/// Sheet "Kolommen": per column its name, type and description, then the
/// note on neutralised text.
fn columns_sheet<'a>(words: &'a OpenDataWords, strings: &mut SharedStrings<'a>) -> Vec<u8> {
    let mut x = Xml::with_capacity(16 * 1024);
    x.raw(XML_DECLARATION);
    x.raw(WORKSHEET_START);
    let note_row = COLUMNS.len() + 3;
    x.raw("<dimension ref=\"A1:C");
    x.number(note_row as u64);
    x.raw("\"/>");
    x.frozen_header_view(false);
    x.columns(&[26, 38, 90], &[0, 0, 0]);
    x.raw("<sheetData>");
    // Every row uses the three columns; the spans cover them.
    let span = (1, 3);
    x.row_start(1, span);
    for (c, title) in words.xlsx_column_headers.iter().enumerate() {
        x.string_cell(strings, COLUMN_LETTERS[c], 1, title, XF_HEADER, true);
    }
    x.raw("</row>");
    for (i, column) in COLUMNS.iter().enumerate() {
        let r = i + 2;
        x.row_start(r, span);
        x.string_cell(strings, "A", r, column.name, 0, false);
        x.string_cell(strings, "B", r, words.type_label(column.datatype), 0, false);
        x.string_cell(strings, "C", r, words.column_description(i), XF_WRAP, true);
        x.raw("</row>");
    }
    x.row_start(note_row, span);
    x.string_cell(
        strings,
        "C",
        note_row,
        &words.neutralisation_note,
        XF_WRAP,
        true,
    );
    x.raw("</row></sheetData>");
    x.raw(PAGE_MARGINS);
    x.0
}

const WORKSHEET_START: &str = "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">";

const PAGE_MARGINS: &str = "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/></worksheet>";

/// `xl/workbook.xml`: the two sheets and the register's filter range.
fn workbook_xml(columns_sheet: &str, last_row: usize) -> String {
    let mut x = Xml::with_capacity(1024);
    x.raw(XML_DECLARATION);
    x.raw("<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><fileVersion appName=\"xl\" lastEdited=\"4\" lowestEdited=\"4\" rupBuild=\"4505\"/><workbookPr defaultThemeVersion=\"124226\"/><bookViews><workbookView xWindow=\"240\" yWindow=\"15\" windowWidth=\"16095\" windowHeight=\"9660\"/></bookViews><sheets><sheet name=\"");
    x.attribute(XLSX_SHEET);
    x.raw("\" sheetId=\"1\" r:id=\"rId1\"/><sheet name=\"");
    x.attribute(columns_sheet);
    x.raw("\" sheetId=\"2\" r:id=\"rId2\"/></sheets><definedNames><definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"0\" hidden=\"1\">");
    x.data(XLSX_SHEET);
    x.raw("!$A$1:$");
    x.raw(COLUMN_LETTERS[COLUMNS.len() - 1]);
    x.raw("$");
    x.number(last_row as u64);
    x.raw(
        "</definedName></definedNames><calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/></workbook>",
    );
    String::from_utf8(x.0).expect("XML from text is text")
}

/// `docProps/core.xml`: title, author, description and creation date.
fn core_xml(title: &str, author: &str, comment: &str, created: Date) -> String {
    let mut x = Xml::with_capacity(2048);
    x.raw(XML_DECLARATION);
    x.raw("<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">");
    if !title.is_empty() {
        x.raw("<dc:title>");
        x.data(title);
        x.raw("</dc:title>");
    }
    x.raw("<dc:creator>");
    x.data(author);
    x.raw("</dc:creator>");
    if !comment.is_empty() {
        x.raw("<dc:description>");
        x.data(comment);
        x.raw("</dc:description>");
    }
    x.raw("<cp:lastModifiedBy>");
    x.data(author);
    x.raw("</cp:lastModifiedBy>");
    let stamp = format!("{created}T00:00:00Z");
    for tag in ["created", "modified"] {
        x.raw("<dcterms:");
        x.raw(tag);
        x.raw(" xsi:type=\"dcterms:W3CDTF\">");
        x.raw(&stamp);
        x.raw("</dcterms:");
        x.raw(tag);
        x.raw(">");
    }
    x.raw("</cp:coreProperties>");
    String::from_utf8(x.0).expect("XML from text is text")
}

/// `docProps/app.xml`: the sheet names.
fn app_xml(columns_sheet: &str) -> String {
    let mut x = Xml::with_capacity(1024);
    x.raw(XML_DECLARATION);
    x.raw("<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\"><Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs><vt:vector size=\"2\" baseType=\"variant\"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>2</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts><vt:vector size=\"2\" baseType=\"lpstr\"><vt:lpstr>");
    x.data(XLSX_SHEET);
    x.raw("</vt:lpstr><vt:lpstr>");
    x.data(columns_sheet);
    x.raw("</vt:lpstr></vt:vector></TitlesOfParts><Company></Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>");
    String::from_utf8(x.0).expect("XML from text is text")
}

const XLSX_CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/><Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/><Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/><Override PartName=\"/xl/theme/theme1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.theme+xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/><Override PartName=\"/xl/worksheets/sheet2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/><Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/></Types>";

const XLSX_ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/><Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/></Relationships>";

const XLSX_WORKBOOK_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet2.xml\"/><Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme\" Target=\"theme/theme1.xml\"/><Relationship Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/><Relationship Id=\"rId5\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>";

/// The cell formats: 0 the default, [`XF_HEADER`] bold on a light blue
/// with a thin bottom border, [`XF_TEXT`] text (`@`), [`XF_DECIMAL`]
/// `0.00`, [`XF_INTEGER`] `0`, [`XF_DATE`] `yyyy-mm-dd`, [`XF_WRAP`]
/// wrapped text.
const XLSX_STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="4"><numFmt numFmtId="164" formatCode="@"/><numFmt numFmtId="165" formatCode="0.00"/><numFmt numFmtId="166" formatCode="0"/><numFmt numFmtId="167" formatCode="yyyy-mm-dd"/></numFmts><fonts count="2"><font><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font><font><b/><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font></fonts><fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFDDE7F0"/><bgColor indexed="64"/></patternFill></fill></fills><borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border><left/><right/><top/><bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="7"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="167" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment wrapText="1"/></xf></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/></styleSheet>"#;

/// Excel's default (2007) Office theme, which the styles' theme colours and
/// fonts refer to.
const XLSX_THEME: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="Office Theme"><a:themeElements><a:clrScheme name="Office"><a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1><a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1><a:dk2><a:srgbClr val="1F497D"/></a:dk2><a:lt2><a:srgbClr val="EEECE1"/></a:lt2><a:accent1><a:srgbClr val="4F81BD"/></a:accent1><a:accent2><a:srgbClr val="C0504D"/></a:accent2><a:accent3><a:srgbClr val="9BBB59"/></a:accent3><a:accent4><a:srgbClr val="8064A2"/></a:accent4><a:accent5><a:srgbClr val="4BACC6"/></a:accent5><a:accent6><a:srgbClr val="F79646"/></a:accent6><a:hlink><a:srgbClr val="0000FF"/></a:hlink><a:folHlink><a:srgbClr val="800080"/></a:folHlink></a:clrScheme><a:fontScheme name="Office"><a:majorFont><a:latin typeface="Cambria"/><a:ea typeface=""/><a:cs typeface=""/><a:font script="Jpan" typeface="ＭＳ Ｐゴシック"/><a:font script="Hang" typeface="맑은 고딕"/><a:font script="Hans" typeface="宋体"/><a:font script="Hant" typeface="新細明體"/><a:font script="Arab" typeface="Times New Roman"/><a:font script="Hebr" typeface="Times New Roman"/><a:font script="Thai" typeface="Tahoma"/><a:font script="Ethi" typeface="Nyala"/><a:font script="Beng" typeface="Vrinda"/><a:font script="Gujr" typeface="Shruti"/><a:font script="Khmr" typeface="MoolBoran"/><a:font script="Knda" typeface="Tunga"/><a:font script="Guru" typeface="Raavi"/><a:font script="Cans" typeface="Euphemia"/><a:font script="Cher" typeface="Plantagenet Cherokee"/><a:font script="Yiii" typeface="Microsoft Yi Baiti"/><a:font script="Tibt" typeface="Microsoft Himalaya"/><a:font script="Thaa" typeface="MV Boli"/><a:font script="Deva" typeface="Mangal"/><a:font script="Telu" typeface="Gautami"/><a:font script="Taml" typeface="Latha"/><a:font script="Syrc" typeface="Estrangelo Edessa"/><a:font script="Orya" typeface="Kalinga"/><a:font script="Mlym" typeface="Kartika"/><a:font script="Laoo" typeface="DokChampa"/><a:font script="Sinh" typeface="Iskoola Pota"/><a:font script="Mong" typeface="Mongolian Baiti"/><a:font script="Viet" typeface="Times New Roman"/><a:font script="Uigh" typeface="Microsoft Uighur"/></a:majorFont><a:minorFont><a:latin typeface="Calibri"/><a:ea typeface=""/><a:cs typeface=""/><a:font script="Jpan" typeface="ＭＳ Ｐゴシック"/><a:font script="Hang" typeface="맑은 고딕"/><a:font script="Hans" typeface="宋体"/><a:font script="Hant" typeface="新細明體"/><a:font script="Arab" typeface="Arial"/><a:font script="Hebr" typeface="Arial"/><a:font script="Thai" typeface="Tahoma"/><a:font script="Ethi" typeface="Nyala"/><a:font script="Beng" typeface="Vrinda"/><a:font script="Gujr" typeface="Shruti"/><a:font script="Khmr" typeface="DaunPenh"/><a:font script="Knda" typeface="Tunga"/><a:font script="Guru" typeface="Raavi"/><a:font script="Cans" typeface="Euphemia"/><a:font script="Cher" typeface="Plantagenet Cherokee"/><a:font script="Yiii" typeface="Microsoft Yi Baiti"/><a:font script="Tibt" typeface="Microsoft Himalaya"/><a:font script="Thaa" typeface="MV Boli"/><a:font script="Deva" typeface="Mangal"/><a:font script="Telu" typeface="Gautami"/><a:font script="Taml" typeface="Latha"/><a:font script="Syrc" typeface="Estrangelo Edessa"/><a:font script="Orya" typeface="Kalinga"/><a:font script="Mlym" typeface="Kartika"/><a:font script="Laoo" typeface="DokChampa"/><a:font script="Sinh" typeface="Iskoola Pota"/><a:font script="Mong" typeface="Mongolian Baiti"/><a:font script="Viet" typeface="Arial"/><a:font script="Uigh" typeface="Microsoft Uighur"/></a:minorFont></a:fontScheme><a:fmtScheme name="Office"><a:fillStyleLst><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:gradFill rotWithShape="1"><a:gsLst><a:gs pos="0"><a:schemeClr val="phClr"><a:tint val="50000"/><a:satMod val="300000"/></a:schemeClr></a:gs><a:gs pos="35000"><a:schemeClr val="phClr"><a:tint val="37000"/><a:satMod val="300000"/></a:schemeClr></a:gs><a:gs pos="100000"><a:schemeClr val="phClr"><a:tint val="15000"/><a:satMod val="350000"/></a:schemeClr></a:gs></a:gsLst><a:lin ang="16200000" scaled="1"/></a:gradFill><a:gradFill rotWithShape="1"><a:gsLst><a:gs pos="0"><a:schemeClr val="phClr"><a:shade val="51000"/><a:satMod val="130000"/></a:schemeClr></a:gs><a:gs pos="80000"><a:schemeClr val="phClr"><a:shade val="93000"/><a:satMod val="130000"/></a:schemeClr></a:gs><a:gs pos="100000"><a:schemeClr val="phClr"><a:shade val="94000"/><a:satMod val="135000"/></a:schemeClr></a:gs></a:gsLst><a:lin ang="16200000" scaled="0"/></a:gradFill></a:fillStyleLst><a:lnStyleLst><a:ln w="9525" cap="flat" cmpd="sng" algn="ctr"><a:solidFill><a:schemeClr val="phClr"><a:shade val="95000"/><a:satMod val="105000"/></a:schemeClr></a:solidFill><a:prstDash val="solid"/></a:ln><a:ln w="25400" cap="flat" cmpd="sng" algn="ctr"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:prstDash val="solid"/></a:ln><a:ln w="38100" cap="flat" cmpd="sng" algn="ctr"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:prstDash val="solid"/></a:ln></a:lnStyleLst><a:effectStyleLst><a:effectStyle><a:effectLst><a:outerShdw blurRad="40000" dist="20000" dir="5400000" rotWithShape="0"><a:srgbClr val="000000"><a:alpha val="38000"/></a:srgbClr></a:outerShdw></a:effectLst></a:effectStyle><a:effectStyle><a:effectLst><a:outerShdw blurRad="40000" dist="23000" dir="5400000" rotWithShape="0"><a:srgbClr val="000000"><a:alpha val="35000"/></a:srgbClr></a:outerShdw></a:effectLst></a:effectStyle><a:effectStyle><a:effectLst><a:outerShdw blurRad="40000" dist="23000" dir="5400000" rotWithShape="0"><a:srgbClr val="000000"><a:alpha val="35000"/></a:srgbClr></a:outerShdw></a:effectLst><a:scene3d><a:camera prst="orthographicFront"><a:rot lat="0" lon="0" rev="0"/></a:camera><a:lightRig rig="threePt" dir="t"><a:rot lat="0" lon="0" rev="1200000"/></a:lightRig></a:scene3d><a:sp3d><a:bevelT w="63500" h="25400"/></a:sp3d></a:effectStyle></a:effectStyleLst><a:bgFillStyleLst><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:gradFill rotWithShape="1"><a:gsLst><a:gs pos="0"><a:schemeClr val="phClr"><a:tint val="40000"/><a:satMod val="350000"/></a:schemeClr></a:gs><a:gs pos="40000"><a:schemeClr val="phClr"><a:tint val="45000"/><a:shade val="99000"/><a:satMod val="350000"/></a:schemeClr></a:gs><a:gs pos="100000"><a:schemeClr val="phClr"><a:shade val="20000"/><a:satMod val="255000"/></a:schemeClr></a:gs></a:gsLst><a:path path="circle"><a:fillToRect l="50000" t="-80000" r="50000" b="180000"/></a:path></a:gradFill><a:gradFill rotWithShape="1"><a:gsLst><a:gs pos="0"><a:schemeClr val="phClr"><a:tint val="80000"/><a:satMod val="300000"/></a:schemeClr></a:gs><a:gs pos="100000"><a:schemeClr val="phClr"><a:shade val="30000"/><a:satMod val="200000"/></a:schemeClr></a:gs></a:gsLst><a:path path="circle"><a:fillToRect l="50000" t="50000" r="50000" b="50000"/></a:path></a:gradFill></a:bgFillStyleLst></a:fmtScheme></a:themeElements><a:objectDefaults/><a:extraClrSchemeLst/></a:theme>
"#;

// ---------------------------------------------------------------------------
// The zip container and its compression.
// ---------------------------------------------------------------------------

/// A zip archive of `parts` in order, each compressed with [`deflate`],
/// dated 1980-01-01 00:00 (the zip epoch) so that the bytes depend on the
/// contents only.
fn zip(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    // The largest part on a thread of its own, the others on this one: the
    // spreadsheet is made beside the rest of a build, not in its thread
    // pool, whose threads would take it up only when they run out of work.
    let largest = (0..parts.len())
        .max_by_key(|&i| parts[i].1.len())
        .unwrap_or(0);
    let pack = |data: &[u8]| (deflate(data), crc32(data));
    let compressed: Vec<(Vec<u8>, u32)> = std::thread::scope(|scope| {
        let big = scope.spawn(|| parts.get(largest).map(|(_, data)| pack(data)));
        let mut rest: Vec<Option<(Vec<u8>, u32)>> = parts
            .iter()
            .enumerate()
            .map(|(i, (_, data))| (i != largest).then(|| pack(data)))
            .collect();
        if let Some(slot) = rest.get_mut(largest) {
            *slot = big
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        }
        rest.into_iter()
            .map(|part| part.expect("every part packed"))
            .collect()
    });
    let total: usize = compressed.iter().map(|(c, _)| c.len() + 128).sum();
    let mut out = Vec::with_capacity(total);
    let mut directory = Vec::with_capacity(parts.len() * 96);
    let size32 = |n: usize| u32::try_from(n).expect("a spreadsheet part under 4 GB");
    for ((name, data), (packed, crc)) in parts.iter().zip(&compressed) {
        let offset = size32(out.len());
        // Version 2.0, no flags, deflate, time 00:00, date 1980-01-01.
        let common = |buf: &mut Vec<u8>| {
            buf.extend_from_slice(&20u16.to_le_bytes());
            buf.extend_from_slice(&0u16.to_le_bytes());
            buf.extend_from_slice(&8u16.to_le_bytes());
            buf.extend_from_slice(&0u16.to_le_bytes());
            buf.extend_from_slice(&0x21u16.to_le_bytes());
            buf.extend_from_slice(&crc.to_le_bytes());
            buf.extend_from_slice(&size32(packed.len()).to_le_bytes());
            buf.extend_from_slice(&size32(data.len()).to_le_bytes());
            buf.extend_from_slice(&(name.len() as u16).to_le_bytes());
            buf.extend_from_slice(&0u16.to_le_bytes());
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(packed);

        directory.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        // Made by Unix, zip 2.0.
        directory.extend_from_slice(&0x0314u16.to_le_bytes());
        common(&mut directory);
        // No comment, disk 0, no internal attributes; a regular file,
        // readable and writable by its owner.
        directory.extend_from_slice(&[0; 6]);
        directory.extend_from_slice(&(0o100_600u32 << 16).to_le_bytes());
        directory.extend_from_slice(&offset.to_le_bytes());
        directory.extend_from_slice(name.as_bytes());
    }
    let directory_offset = size32(out.len());
    out.extend_from_slice(&directory);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    let entries = (parts.len() as u16).to_le_bytes();
    out.extend_from_slice(&entries);
    out.extend_from_slice(&entries);
    out.extend_from_slice(&size32(directory.len()).to_le_bytes());
    out.extend_from_slice(&directory_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// The CRC-32 of zip (IEEE, reflected), eight bytes at a time.
fn crc32(data: &[u8]) -> u32 {
    const fn tables() -> [[u32; 256]; 8] {
        let mut t = [[0u32; 256]; 8];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            t[0][i] = c;
            i += 1;
        }
        let mut i = 0;
        while i < 256 {
            let mut k = 1;
            while k < 8 {
                t[k][i] = (t[k - 1][i] >> 8) ^ t[0][(t[k - 1][i] & 0xFF) as usize];
                k += 1;
            }
            i += 1;
        }
        t
    }
    static T: [[u32; 256]; 8] = tables();
    let mut crc = !0u32;
    let mut chunks = data.chunks_exact(8);
    for chunk in &mut chunks {
        let lo = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]) ^ crc;
        let hi = u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]);
        crc = T[7][(lo & 0xFF) as usize]
            ^ T[6][((lo >> 8) & 0xFF) as usize]
            ^ T[5][((lo >> 16) & 0xFF) as usize]
            ^ T[4][(lo >> 24) as usize]
            ^ T[3][(hi & 0xFF) as usize]
            ^ T[2][((hi >> 8) & 0xFF) as usize]
            ^ T[1][((hi >> 16) & 0xFF) as usize]
            ^ T[0][(hi >> 24) as usize];
    }
    for &byte in chunks.remainder() {
        crc = T[0][((crc ^ u32::from(byte)) & 0xFF) as usize] ^ (crc >> 8);
    }
    !crc
}

/// Raw DEFLATE (RFC 1951) of `data`: one block with the fixed Huffman
/// codes, and greedy matching against the last earlier position with the
/// same four bytes. This is the method of zlib's fastest level
/// (`deflate_quick` in zlib-ng and zlib-rs), which rust_xlsxwriter used
/// here: the spreadsheet's XML repeats itself so much that it loses little
/// to better codes and longer searches (about 5:1).
fn deflate(data: &[u8]) -> Vec<u8> {
    const WINDOW: usize = 32 * 1024;
    const MAX_MATCH: usize = 258;
    assert!(data.len() < u32::MAX as usize, "a part under 4 GB");
    let mut out = BitWriter {
        bytes: Vec::with_capacity(data.len() / 4 + 64),
        bits: 0,
        count: 0,
    };
    // The last block (1), with fixed codes (01).
    out.put(0b011, 3);
    // Each four-byte sequence's last position, plus one (0: none yet).
    // (A table no larger than the data: small parts are many.)
    let hash_bits = data.len().max(256).ilog2().min(16);
    let mut head = vec![0u32; 1 << hash_bits];
    let read4 =
        |at: usize| u32::from_le_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]);
    let mut at = 0;
    while at + 4 <= data.len() {
        let word = read4(at);
        let slot = (word.wrapping_mul(0x9E37_79B1) >> (32 - hash_bits)) as usize;
        let earlier = head[slot] as usize;
        head[slot] = at as u32 + 1;
        if earlier > 0 && at - (earlier - 1) <= WINDOW && read4(earlier - 1) == word {
            let from = earlier - 1;
            let end = data.len().min(at + MAX_MATCH);
            let length = 4 + common_prefix(&data[from + 4..], &data[at + 4..end]);
            out.put_match(length, at - from);
            at += length;
        } else {
            out.put_literal(data[at]);
            at += 1;
        }
    }
    for &byte in &data[at..] {
        out.put_literal(byte);
    }
    // End of block.
    out.put(
        u64::from(FIXED_LITERALS[256].0),
        u32::from(FIXED_LITERALS[256].1),
    );
    out.finish()
}

/// How many bytes `a` and `b` have in common at their start (`a` is the
/// longer).
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let mut n = 0;
    while n + 8 <= b.len() {
        let x = u64::from_le_bytes(a[n..n + 8].try_into().expect("8 bytes"))
            ^ u64::from_le_bytes(b[n..n + 8].try_into().expect("8 bytes"));
        if x != 0 {
            return n + (x.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    while n < b.len() && a[n] == b[n] {
        n += 1;
    }
    n
}

/// Bits in DEFLATE order: each value's lowest bit first.
struct BitWriter {
    bytes: Vec<u8>,
    bits: u64,
    count: u32,
}

impl BitWriter {
    /// Adds the `count` (at most 32) lowest bits of `value`.
    #[inline]
    fn put(&mut self, value: u64, count: u32) {
        self.bits |= value << self.count;
        self.count += count;
        if self.count >= 32 {
            self.bytes
                .extend_from_slice(&(self.bits as u32).to_le_bytes());
            self.bits >>= 32;
            self.count -= 32;
        }
    }

    #[inline]
    fn put_literal(&mut self, byte: u8) {
        let (code, length) = FIXED_LITERALS[byte as usize];
        self.put(u64::from(code), u32::from(length));
    }

    /// A match of `length` (4 to 258) bytes `distance` (1 to 32,768) back:
    /// its length code with extra bits, then its distance code with extra
    /// bits, at most 31 bits in all.
    #[inline]
    fn put_match(&mut self, length: usize, distance: usize) {
        let (code, bits) = MATCH_LENGTHS[length];
        let d = distance - 1;
        let slot = if d < 256 {
            DISTANCE_SLOTS[d]
        } else {
            DISTANCE_SLOTS[256 + (d >> 7)]
        } as usize;
        let extra = DISTANCE_EXTRA[slot];
        let distance_code = u64::from(reverse_bits(slot as u32, 5))
            | ((distance - DISTANCE_BASE[slot] as usize) as u64) << 5;
        self.put(
            u64::from(code) | distance_code << bits,
            u32::from(bits) + 5 + u32::from(extra),
        );
    }

    fn finish(mut self) -> Vec<u8> {
        while self.count > 0 {
            self.bytes.push(self.bits as u8);
            self.bits >>= 8;
            self.count = self.count.saturating_sub(8);
        }
        self.bytes
    }
}

/// `value`'s lowest `count` bits in reverse order (Huffman codes go out
/// highest bit first, everything else lowest bit first).
const fn reverse_bits(value: u32, count: u32) -> u32 {
    value.reverse_bits() >> (32 - count)
}

/// The fixed Huffman code of each literal/length symbol (RFC 1951 3.2.6),
/// bit-reversed, with its length.
const FIXED_LITERALS: [(u16, u8); 288] = {
    let mut table = [(0u16, 0u8); 288];
    let mut symbol = 0;
    while symbol < 288 {
        let (code, length) = match symbol {
            0..=143 => (0x30 + symbol as u32, 8),
            144..=255 => (0x190 + (symbol as u32 - 144), 9),
            256..=279 => (symbol as u32 - 256, 7),
            _ => (0xC0 + (symbol as u32 - 280), 8),
        };
        table[symbol] = (reverse_bits(code, length) as u16, length as u8);
        symbol += 1;
    }
    table
};

const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DISTANCE_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DISTANCE_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

/// For each match length (3 to 258), its code and extra bits, ready to
/// write, and how many bits they are.
const MATCH_LENGTHS: [(u32, u8); 259] = {
    let mut table = [(0u32, 0u8); 259];
    let mut slot = 0;
    while slot < 29 {
        let base = LENGTH_BASE[slot] as usize;
        let end = if slot == 28 {
            259
        } else {
            LENGTH_BASE[slot + 1] as usize
        };
        let (code, length) = FIXED_LITERALS[257 + slot];
        let mut n = base;
        while n < end {
            let extra = (n - base) as u32;
            table[n] = (code as u32 | extra << length, length + LENGTH_EXTRA[slot]);
            n += 1;
        }
        slot += 1;
    }
    table
};

/// The distance slot of distance − 1 below 256 (`[d]`), and of larger ones
/// by their bits above the seventh (`[256 + (d >> 7)]`), as in zlib.
const DISTANCE_SLOTS: [u8; 512] = {
    let mut table = [0u8; 512];
    let mut slot = 0;
    while slot < 30 {
        let base = DISTANCE_BASE[slot] as usize - 1;
        let end = base + (1usize << DISTANCE_EXTRA[slot]);
        let mut d = base;
        while d < end {
            if d < 256 {
                table[d] = slot as u8;
            } else {
                table[256 + (d >> 7)] = slot as u8;
            }
            d += 1;
        }
        slot += 1;
    }
    table
};

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

    /// The parts of a zip archive, by name, inflated with [`inflate`].
    fn unzip(archive: &[u8]) -> Vec<(String, Vec<u8>)> {
        let u16_at = |at: usize| u16::from_le_bytes([archive[at], archive[at + 1]]) as usize;
        let u32_at =
            |at: usize| u32::from_le_bytes(archive[at..at + 4].try_into().unwrap()) as usize;
        let end = archive.len() - 22;
        assert_eq!(u32_at(end), 0x0605_4b50, "an end of central directory");
        let (count, mut at) = (u16_at(end + 10), u32_at(end + 16));
        let mut parts = Vec::new();
        for _ in 0..count {
            assert_eq!(u32_at(at), 0x0201_4b50, "a central directory entry");
            let (method, crc) = (u16_at(at + 10), u32_at(at + 16));
            let (packed, size) = (u32_at(at + 20), u32_at(at + 24));
            let name_len = u16_at(at + 28);
            let skip = name_len + u16_at(at + 30) + u16_at(at + 32);
            let name = String::from_utf8(archive[at + 46..at + 46 + name_len].to_vec()).unwrap();
            let local = u32_at(at + 42);
            assert_eq!(u32_at(local), 0x0403_4b50, "a local header");
            let data = local + 30 + u16_at(local + 26) + u16_at(local + 28);
            assert_eq!(method, 8, "{name} is deflated");
            let bytes = inflate(&archive[data..data + packed]);
            assert_eq!(bytes.len(), size, "{name}'s size");
            assert_eq!(crc32(&bytes) as usize, crc, "{name}'s CRC");
            parts.push((name, bytes));
            at += 46 + skip;
        }
        parts
    }

    /// Inflates DEFLATE data (RFC 1951), after Mark Adler's `puff.c`: the
    /// reference reader for [`deflate`]'s output and rust_xlsxwriter's.
    fn inflate(data: &[u8]) -> Vec<u8> {
        struct Reader<'a> {
            data: &'a [u8],
            bit: usize,
        }
        /// A canonical Huffman code: how many codes of each length, and the
        /// symbols in code order.
        struct Code {
            counts: [usize; 16],
            symbols: Vec<usize>,
        }
        fn code(lengths: &[usize]) -> Code {
            let mut counts = [0; 16];
            for &length in lengths {
                counts[length] += 1;
            }
            counts[0] = 0;
            let mut symbols = Vec::new();
            for length in 1..16 {
                symbols.extend((0..lengths.len()).filter(|&s| lengths[s] == length));
            }
            Code { counts, symbols }
        }
        impl Reader<'_> {
            /// `n` bits, lowest first.
            fn bits(&mut self, n: usize) -> usize {
                let mut value = 0;
                for i in 0..n {
                    value |= usize::from((self.data[self.bit / 8] >> (self.bit % 8)) & 1) << i;
                    self.bit += 1;
                }
                value
            }
            /// One symbol of `code` (codes come highest bit first).
            fn symbol(&mut self, code: &Code) -> usize {
                let (mut value, mut first, mut index) = (0, 0, 0);
                for length in 1..16 {
                    value |= self.bits(1);
                    let count = code.counts[length];
                    if value < first + count {
                        return code.symbols[index + value - first];
                    }
                    index += count;
                    first = (first + count) << 1;
                    value <<= 1;
                }
                panic!("not a symbol of the code");
            }
        }
        let mut input = Reader { data, bit: 0 };
        let mut out: Vec<u8> = Vec::new();
        loop {
            let last = input.bits(1) == 1;
            let (literals, distances) = match input.bits(2) {
                0 => {
                    let at = input.bit.div_ceil(8);
                    let length = usize::from(u16::from_le_bytes([data[at], data[at + 1]]));
                    let check = u16::from_le_bytes([data[at + 2], data[at + 3]]);
                    assert_eq!(check, !(length as u16), "a stored block's length check");
                    out.extend_from_slice(&data[at + 4..at + 4 + length]);
                    input.bit = (at + 4 + length) * 8;
                    if last {
                        return out;
                    }
                    continue;
                }
                1 => {
                    let lengths: Vec<usize> = (0..288)
                        .map(|s| match s {
                            0..=143 => 8,
                            144..=255 => 9,
                            256..=279 => 7,
                            _ => 8,
                        })
                        .collect();
                    (code(&lengths), code(&[5; 30]))
                }
                2 => {
                    let literals = input.bits(5) + 257;
                    let distances = input.bits(5) + 1;
                    let lengths_of_lengths = input.bits(4) + 4;
                    const ORDER: [usize; 19] = [
                        16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
                    ];
                    let mut lengths = [0; 19];
                    for &at in &ORDER[..lengths_of_lengths] {
                        lengths[at] = input.bits(3);
                    }
                    let lengths_code = code(&lengths);
                    let mut lengths = Vec::new();
                    while lengths.len() < literals + distances {
                        match input.symbol(&lengths_code) {
                            length @ 0..=15 => lengths.push(length),
                            16 => {
                                let previous = *lengths.last().expect("a length to repeat");
                                let times = 3 + input.bits(2);
                                lengths.extend(std::iter::repeat_n(previous, times));
                            }
                            17 => {
                                let times = 3 + input.bits(3);
                                lengths.extend(std::iter::repeat_n(0, times));
                            }
                            _ => {
                                let times = 11 + input.bits(7);
                                lengths.extend(std::iter::repeat_n(0, times));
                            }
                        }
                    }
                    (code(&lengths[..literals]), code(&lengths[literals..]))
                }
                kind => panic!("block type {kind}"),
            };
            loop {
                match input.symbol(&literals) {
                    symbol @ 0..=255 => out.push(symbol as u8),
                    256 => break,
                    symbol => {
                        let slot = symbol - 257;
                        let length = usize::from(LENGTH_BASE[slot])
                            + input.bits(usize::from(LENGTH_EXTRA[slot]));
                        let d = input.symbol(&distances);
                        let distance = usize::from(DISTANCE_BASE[d])
                            + input.bits(usize::from(DISTANCE_EXTRA[d]));
                        let from = out.len() - distance;
                        for i in 0..length {
                            out.push(out[from + i]);
                        }
                    }
                }
            }
            if last {
                return out;
            }
        }
    }

    #[test]
    fn crc32_and_deflate_round_trip() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        let mut long = Vec::new();
        for i in 0..100_000u32 {
            long.extend_from_slice(
                format!("<c r=\"A{i}\" s=\"2\"><v>{}</v></c>", i % 977).as_bytes(),
            );
        }
        let mut noise = Vec::new();
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..70_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            noise.push((seed % 7) as u8 + if seed.is_multiple_of(3) { 0 } else { 200 });
        }
        let cases: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"a".to_vec(),
            b"abc".to_vec(),
            b"abcd".to_vec(),
            b"abcdabcd".to_vec(),
            vec![0; 1000],
            vec![b'x'; 70_000],
            (0..=255u8).cycle().take(100_000).collect(),
            long,
            noise,
        ];
        for data in cases {
            let packed = deflate(&data);
            assert!(
                inflate(&packed) == data,
                "round trip of {} bytes",
                data.len()
            );
            assert_eq!(crc32(&data), {
                // Bit by bit, as the standard defines it.
                let mut crc = !0u32;
                for &byte in &data {
                    crc ^= u32::from(byte);
                    for _ in 0..8 {
                        crc = if crc & 1 == 1 {
                            0xEDB8_8320 ^ (crc >> 1)
                        } else {
                            crc >> 1
                        };
                    }
                }
                !crc
            });
        }
    }

    mod round_trips {
        use proptest::prelude::*;

        proptest! {
            /// Few distinct bytes make many matches of every length.
            #[test]
            fn deflate_round_trips(data in proptest::collection::vec(0u8..5, 0..5000)) {
                prop_assert!(super::inflate(&super::deflate(&data)) == data);
            }
        }
    }

    /// The spreadsheet as rust_xlsxwriter writes the same cells: the
    /// reference for [`xlsx`].
    fn xlsx_by_rust_xlsxwriter(
        registry: &Registry,
        config: &SiteConfig,
        urls: &Urls,
        words: &OpenDataWords,
    ) -> Vec<u8> {
        use rust_xlsxwriter::{
            Color, DocProperties, ExcelDateTime, Format, FormatBorder, Workbook,
        };
        let excel_date = |date: Date| {
            let year = u16::try_from(date.year()).ok()?;
            ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8).ok()
        };
        let mut workbook = Workbook::new();
        let created = excel_date(registry.reference_date)
            .unwrap_or_else(|| ExcelDateTime::from_ymd(2000, 1, 1).unwrap());
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
        let widths_of = |sheet: &mut rust_xlsxwriter::Worksheet, widths: &[usize]| {
            for (c, width) in widths.iter().enumerate() {
                let width = (*width + 2).clamp(8, 60);
                sheet.set_column_width(c as u16, width as f64).unwrap();
            }
        };
        let sheet = workbook.add_worksheet();
        sheet.set_name(XLSX_SHEET).unwrap();
        let mut widths: Vec<usize> = COLUMNS.iter().map(|c| c.name.chars().count()).collect();
        for (c, column) in COLUMNS.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, column.name, &header)
                .unwrap();
        }
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
                sheet.set_column_format(c as u16, format).unwrap();
            }
        }
        let own = |c: usize, format: &Format| kinds[c].is_some_and(|k| std::ptr::eq(k, format));
        for (r, computed) in registry.organisations.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row(computed, urls).iter().enumerate() {
                let col = c as u16;
                let shown = match cell {
                    Cell::Text(s) => {
                        let s = xlsx_text(s);
                        if own(c, &text) {
                            sheet.write_string(r, col, s.as_ref()).unwrap();
                        } else {
                            sheet
                                .write_string_with_format(r, col, s.as_ref(), &text)
                                .unwrap();
                        }
                        s.chars().count()
                    }
                    Cell::Empty => 0,
                    Cell::Bool(b) => {
                        sheet.write_boolean(r, col, *b).unwrap();
                        5
                    }
                    Cell::Decimal(x) => {
                        sheet.write_number(r, col, *x + 0.0).unwrap();
                        format!("{x:.2}").len()
                    }
                    Cell::Integer(n) => {
                        sheet.write_number(r, col, *n as f64).unwrap();
                        n.to_string().len()
                    }
                    Cell::Date(d) => {
                        match excel_date(*d) {
                            Some(excel) => sheet.write_datetime(r, col, &excel).unwrap(),
                            None => sheet
                                .write_string_with_format(r, col, d.to_string(), &text)
                                .unwrap(),
                        };
                        10
                    }
                };
                widths[c] = widths[c].max(shown);
            }
        }
        let last_row = registry.organisations.len() as u32;
        sheet.set_freeze_panes(1, 0).unwrap();
        sheet
            .autofilter(0, 0, last_row, COLUMNS.len() as u16 - 1)
            .unwrap();
        widths_of(sheet, &widths);

        let docs = workbook.add_worksheet();
        docs.set_name(&words.xlsx_columns_sheet).unwrap();
        let wrap = Format::new().set_text_wrap();
        for (c, title) in words.xlsx_column_headers.iter().enumerate() {
            docs.write_string_with_format(0, c as u16, title, &header)
                .unwrap();
        }
        for (i, column) in COLUMNS.iter().enumerate() {
            let r = i as u32 + 1;
            docs.write_string(r, 0, column.name).unwrap();
            docs.write_string(r, 1, words.type_label(column.datatype))
                .unwrap();
            docs.write_string_with_format(r, 2, words.column_description(i), &wrap)
                .unwrap();
        }
        let note_row = COLUMNS.len() as u32 + 2;
        docs.write_string_with_format(note_row, 2, &words.neutralisation_note, &wrap)
            .unwrap();
        docs.set_freeze_panes(1, 0).unwrap();
        widths_of(docs, &[26, 38, 90]);
        workbook.save_to_buffer().unwrap()
    }

    #[test]
    fn xlsx_has_the_parts_rust_xlsxwriter_writes() {
        let (mut registry, config, urls) = registry();
        let words = words(&config);
        let compare = |registry: &Registry, what: &str| {
            let ours = unzip(&xlsx(registry, &config, &urls, &words));
            let reference = unzip(&xlsx_by_rust_xlsxwriter(registry, &config, &urls, &words));
            let names = |parts: &[(String, Vec<u8>)]| -> Vec<String> {
                parts.iter().map(|p| p.0.clone()).collect()
            };
            assert_eq!(names(&ours), names(&reference), "{what}: the parts");
            for ((name, ours), (_, theirs)) in ours.iter().zip(&reference) {
                assert!(
                    ours == theirs,
                    "{what}: {name} differs:\n{}\n{}",
                    String::from_utf8_lossy(ours),
                    String::from_utf8_lossy(theirs)
                );
            }
        };
        compare(&registry, "the test registry");
        // Texts that need care in XML and in Excel: spaces at the ends, a
        // literal escape, control characters, non-characters; a long
        // text, and an empty one.
        let org = &mut registry.organisations[1].org;
        org.name = " _x0041_ a\u{1}b\r\tc\n\u{FFFE}".into();
        org.city = "Den Haag ".into();
        org.sector = "x".repeat(40_000);
        org.kvk = String::new();
        registry.organisations[2].direct_pct = -0.0;
        registry.organisations[2].total_pct = 1e16;
        registry.organisations[3].indirect_pct = f64::NAN;
        registry.organisations[4].org.certificate.expires = jiff::civil::date(1900, 2, 10);
        registry.organisations[5].org.certificate.issued = jiff::civil::date(1850, 1, 1);
        compare(&registry, "awkward cells");
        registry.organisations.truncate(0);
        compare(&registry, "an empty register");
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
