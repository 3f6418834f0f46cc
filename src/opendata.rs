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
use crate::ladder::{CertificateStatus, Level};
use crate::output::OutputFile;
use crate::records::{self, PROVINCES};
use crate::registry::{Computed, Registry};
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
/// The name of the spreadsheet's data sheet.
pub const XLSX_SHEET: &str = "Register";
/// The name of the spreadsheet's sheet documenting the columns.
pub const XLSX_COLUMNS_SHEET: &str = "Kolommen";

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

    /// A Dutch description for people.
    pub fn label(self) -> &'static str {
        match self {
            Datatype::String => "tekst",
            Datatype::Integer => "geheel getal",
            Datatype::Decimal => "decimaal getal (punt als decimaalteken)",
            Datatype::Boolean => "waar/onwaar (true/false)",
            Datatype::Date => "datum (JJJJ-MM-DD)",
            Datatype::AnyUri => "URL",
        }
    }
}

/// One column of the CSV and the spreadsheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The header, also the CSVW name.
    pub name: &'static str,
    /// The values' type.
    pub datatype: Datatype,
    /// Whether every row has a value.
    pub required: bool,
    /// What the column holds, in Dutch.
    pub description: &'static str,
}

const fn col(
    name: &'static str,
    datatype: Datatype,
    required: bool,
    description: &'static str,
) -> Column {
    Column {
        name,
        datatype,
        required,
        description,
    }
}

/// The columns of `registry.csv` and `registry.xlsx`, in order.
pub const COLUMNS: [Column; 25] = [
    col(
        "id",
        Datatype::String,
        true,
        "Vaste identificatie van de organisatie in dit register; ook het laatste deel van de URL van haar pagina.",
    ),
    col("naam", Datatype::String, true, "Naam van de organisatie."),
    col(
        "kvk",
        Datatype::String,
        true,
        "KvK-nummer: 8 cijfers, als tekst zodat voorloopnullen blijven staan.",
    ),
    col("plaats", Datatype::String, true, "Vestigingsplaats."),
    col(
        "provincie",
        Datatype::String,
        true,
        "Provincie, in de officiële spelling (Fryslân).",
    ),
    col(
        "sector",
        Datatype::String,
        true,
        "Sector, zoals de organisatie die zelf omschrijft.",
    ),
    col(
        "website",
        Datatype::AnyUri,
        false,
        "Website van de organisatie; leeg als die niet bekend is.",
    ),
    col(
        "url",
        Datatype::AnyUri,
        true,
        "Pagina van de organisatie in dit register.",
    ),
    col(
        "badge",
        Datatype::AnyUri,
        true,
        "Het PSO-embleem (SVG) van de organisatie, om op een eigen website te tonen.",
    ),
    col(
        "trede",
        Datatype::String,
        true,
        "Bereikte trede: aspirant, basistrede, trede-1, trede-2 of trede-3.",
    ),
    col(
        "pso30plus",
        Datatype::Boolean,
        true,
        "PSO 30+: ten minste 30% van de medewerkers in loondienst hoort bij de doelgroep (true of false).",
    ),
    col(
        "direct_pct",
        Datatype::Decimal,
        true,
        "Directe sociale bijdrage: gewogen fte uit de doelgroep in procenten van het totaal aantal fte, op twee decimalen.",
    ),
    col(
        "indirect_pct",
        Datatype::Decimal,
        true,
        "Indirecte sociale bijdrage via inkoop bij sociale ondernemingen, in procenten, na de begrenzing (hoogstens 80% van de totale score); twee decimalen.",
    ),
    col(
        "totaal_pct",
        Datatype::Decimal,
        true,
        "Totale score: directe plus indirecte bijdrage, in procenten; twee decimalen.",
    ),
    col(
        "omvang",
        Datatype::Integer,
        true,
        "Aantal medewerkers (personen): de omvang waarvoor de normen gelden.",
    ),
    col(
        "norm_basistrede",
        Datatype::Decimal,
        true,
        "Norm voor de basistrede bij deze omvang, in procenten.",
    ),
    col(
        "norm_trede_1",
        Datatype::Decimal,
        true,
        "Norm voor trede 1 bij deze omvang, in procenten.",
    ),
    col(
        "norm_trede_2",
        Datatype::Decimal,
        true,
        "Norm voor trede 2 bij deze omvang, in procenten.",
    ),
    col(
        "norm_trede_3",
        Datatype::Decimal,
        true,
        "Norm voor trede 3 bij deze omvang, in procenten.",
    ),
    col(
        "peiljaar",
        Datatype::Integer,
        true,
        "Jaar waarover de meting gaat.",
    ),
    col(
        "certificaatnummer",
        Datatype::String,
        true,
        "Nummer van het PSO-certificaat.",
    ),
    col(
        "certificerende_instelling",
        Datatype::String,
        true,
        "Instelling die het certificaat heeft afgegeven.",
    ),
    col(
        "uitgegeven",
        Datatype::Date,
        true,
        "Datum waarop het certificaat is afgegeven.",
    ),
    col(
        "geldig_tot",
        Datatype::Date,
        true,
        "Laatste dag waarop het certificaat geldig is (tot en met).",
    ),
    col(
        "status",
        Datatype::String,
        true,
        "Status van het certificaat op de peildatum: valid (geldig), expiring (verloopt binnen 90 dagen), expired (verlopen), suspended (geschorst) of withdrawn (ingetrokken).",
    ),
];

/// How text cells are protected, for the CSV and spreadsheet descriptions.
pub const NEUTRALISATION_NOTE: &str = "Tekst die begint met =, +, - of @ (ook de brede varianten), een tab of een regeleinde staat er met een ' ervoor, zodat een spreadsheet er geen formule van maakt.";

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
/// otherwise the SPDX licence page.
pub fn licence(spdx: &str) -> Licence {
    let spdx = spdx.trim();
    let known = match spdx.to_ascii_lowercase().as_str() {
        "cc0-1.0" => Some((
            "CC0 1.0 Universeel (publiek domein)",
            "http://creativecommons.org/publicdomain/zero/1.0/",
        )),
        "cc-by-4.0" => Some((
            "Creative Commons Naamsvermelding 4.0",
            "https://creativecommons.org/licenses/by/4.0/",
        )),
        "cc-by-sa-4.0" => Some((
            "Creative Commons Naamsvermelding-GelijkDelen 4.0",
            "https://creativecommons.org/licenses/by-sa/4.0/",
        )),
        "odbl-1.0" => Some((
            "Open Database License 1.0",
            "http://opendatacommons.org/licenses/odbl/1-0/",
        )),
        "odc-by-1.0" => Some((
            "Open Data Commons Attribution License 1.0",
            "http://opendatacommons.org/licenses/by/1-0/",
        )),
        "pddl-1.0" => Some((
            "Open Data Commons Public Domain Dedication and License 1.0",
            "http://opendatacommons.org/licenses/pddl/1-0/",
        )),
        _ => None,
    };
    match known {
        Some((name, url)) => Licence {
            id: spdx.to_string(),
            name: name.to_string(),
            url: url.to_string(),
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
/// DCAT-AP-NL catalogue (last, as it states the others' sizes).
pub fn files(registry: &Registry, config: &SiteConfig, urls: &Urls) -> Vec<OutputFile> {
    let document = registry.to_json(urls);
    // The spreadsheet takes longest (about 4 s for 90,000 organisations in a
    // release build): write it while the rest is serialised.
    let (xlsx_bytes, (json_bytes, csv_bytes, own)) = rayon::join(
        || xlsx(registry, config, urls),
        || {
            let own: Vec<OutputFile> = registry
                .organisations
                .par_iter()
                .zip(document.organisations.par_iter())
                .map(|(computed, object)| {
                    OutputFile::new(
                        urls::organisation_json_path(&computed.org.id),
                        json_line(object),
                    )
                })
                .collect();
            (json_line(&document), csv(registry, urls), own)
        },
    );
    let mut files = Vec::with_capacity(own.len() + 6);
    files.push(OutputFile::new(REGISTRY_JSON_PATH, json_bytes));
    files.push(OutputFile::new(SCHEMA_PATH, pretty(&schema(urls))));
    files.push(OutputFile::new(CSV_PATH, csv_bytes));
    files.push(OutputFile::new(
        CSV_METADATA_PATH,
        pretty(&csv_metadata(config, urls, registry.reference_date)),
    ));
    files.push(OutputFile::new(XLSX_PATH, xlsx_bytes));
    files.extend(own);
    let catalog = catalog(config, urls, registry.reference_date, &files);
    files.push(OutputFile::new(CATALOG_PATH, pretty(&catalog)));
    files
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
/// keys enumerated.
pub fn schema(urls: &Urls) -> Value {
    let levels: Vec<&str> = Level::ALL.iter().map(|l| l.key()).collect();
    let statuses: Vec<&str> = CertificateStatus::ALL.iter().map(|s| s.key()).collect();
    let certificate = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["number", "body", "issued", "expires", "status"],
        "properties": {
            "number": {"$ref": "#/$defs/text", "description": "Certificaatnummer."},
            "body": {"$ref": "#/$defs/text", "description": "Certificerende instelling."},
            "issued": {"$ref": "#/$defs/date", "description": "Datum van afgifte."},
            "expires": {"$ref": "#/$defs/date", "description": "Geldig tot en met."},
            "status": {"enum": statuses, "description": "Status op de peildatum."}
        }
    });
    let norms = json!({
        "type": "object",
        "description": "Normen voor deze omvang, in procenten.",
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
                "description": "Vaste identificatie in dit register."
            },
            "name": {"$ref": "#/$defs/text", "description": "Naam."},
            "kvk": {"type": "string", "pattern": "^[0-9]{8}$", "description": "KvK-nummer."},
            "city": {"$ref": "#/$defs/text", "description": "Vestigingsplaats."},
            "province": {"enum": PROVINCES, "description": "Provincie."},
            "sector": {"$ref": "#/$defs/text", "description": "Sector."},
            "website": {"$ref": "#/$defs/url", "description": "Website; ontbreekt als die niet bekend is."},
            "url": {"$ref": "#/$defs/url", "description": "Pagina in dit register."},
            "badge": {"$ref": "#/$defs/url", "description": "PSO-embleem (SVG)."},
            "level": {"enum": levels, "description": "Bereikte trede."},
            "pso30plus": {"type": "boolean", "description": "PSO 30+."},
            "direct_pct": {"$ref": "#/$defs/percentage", "description": "Directe bijdrage in procenten, twee decimalen."},
            "indirect_pct": {"$ref": "#/$defs/percentage", "description": "Indirecte bijdrage in procenten na de begrenzing, twee decimalen."},
            "total_pct": {"$ref": "#/$defs/percentage", "description": "Totale score in procenten, twee decimalen."},
            "size": {"type": "integer", "minimum": 1, "description": "Aantal medewerkers."},
            "norms": norms,
            "measurement_year": {"type": "integer", "description": "Peiljaar van de meting."},
            "certificate": certificate
        }
    });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": urls.absolute(SCHEMA_PATH),
        "title": "PSO-register (registry.json)",
        "description": "Alle organisaties in het register met hun trede op de Prestatieladder Socialer Ondernemen, hun scores, de normen voor hun omvang en hun certificaat. Alleen totalen: geen gegevens over personen, inkoopbedragen of omzet.",
        "type": "object",
        "required": ["generated", "organisations"],
        "additionalProperties": false,
        "properties": {
            "generated": {
                "$ref": "#/$defs/date",
                "description": "Peildatum: de datum waarop de statussen van de certificaten zijn bepaald."
            },
            "organisations": {
                "type": "array",
                "description": "De organisaties, gesorteerd op id.",
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
                "description": "Absolute http- of https-URL."
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
/// column its name, title, datatype and Dutch description.
pub fn csv_metadata(config: &SiteConfig, urls: &Urls, reference_date: Date) -> Value {
    let licence = licence(&config.license);
    let columns: Vec<Value> = COLUMNS
        .iter()
        .map(|c| {
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
                "dc:description": c.description,
            })
        })
        .collect();
    json!({
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "nl"}],
        "@id": urls.absolute(CSV_METADATA_PATH),
        "url": "registry.csv",
        "dc:title": format!("{}: register (CSV)", config.title),
        "dc:description": format!(
            "Eén regel per organisatie in het register, gesorteerd op id. UTF-8 zonder byte-order mark, komma als scheidingsteken, RFC 4180. {NEUTRALISATION_NOTE}"
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
/// documents the columns. Byte-identical for the same input.
pub fn xlsx(registry: &Registry, config: &SiteConfig, urls: &Urls) -> Vec<u8> {
    build_xlsx(registry, config, urls).expect("the register fits a spreadsheet")
}

fn build_xlsx(registry: &Registry, config: &SiteConfig, urls: &Urls) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    // The creation time goes into docProps/core.xml: the reference date
    // instead of the clock keeps the file reproducible.
    let created = excel_date(registry.reference_date)
        .map_or_else(|| ExcelDateTime::from_ymd(2000, 1, 1), Ok)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!("{}: register", config.title))
            .set_author(publisher_name(config))
            .set_comment(format!(
                "Peildatum {}. Licentie: {}. {NEUTRALISATION_NOTE}",
                registry.reference_date,
                licence(&config.license).name
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

    let sheet = workbook.add_worksheet();
    sheet.set_name(XLSX_SHEET)?;
    let mut widths: Vec<usize> = COLUMNS.iter().map(|c| c.name.chars().count()).collect();
    for (c, column) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, column.name, &header)?;
    }
    for (r, computed) in registry.organisations.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row(computed, urls).iter().enumerate() {
            let col = c as u16;
            let shown = match cell {
                Cell::Text(s) => {
                    let s = xlsx_text(s);
                    sheet.write_string_with_format(r, col, s.as_ref(), &text)?;
                    s.chars().count()
                }
                Cell::Empty => 0,
                Cell::Bool(b) => {
                    sheet.write_boolean(r, col, *b)?;
                    5
                }
                Cell::Decimal(x) => {
                    sheet.write_number_with_format(r, col, *x + 0.0, &decimal)?;
                    format!("{x:.2}").len()
                }
                Cell::Integer(n) => {
                    sheet.write_number_with_format(r, col, *n as f64, &integer)?;
                    n.to_string().len()
                }
                Cell::Date(d) => {
                    match excel_date(*d) {
                        Some(excel) => sheet.write_date_with_format(r, col, &excel, &date)?,
                        None => sheet.write_string_with_format(r, col, d.to_string(), &text)?,
                    };
                    10
                }
            };
            widths[c] = widths[c].max(shown);
        }
    }
    let last_row = registry.organisations.len() as u32;
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last_row, COLUMNS.len() as u16 - 1)?;
    set_widths(sheet, &widths)?;

    let docs = workbook.add_worksheet();
    docs.set_name(XLSX_COLUMNS_SHEET)?;
    let wrap = Format::new().set_text_wrap();
    for (c, title) in ["kolom", "type", "omschrijving"].iter().enumerate() {
        docs.write_string_with_format(0, c as u16, *title, &header)?;
    }
    for (r, column) in COLUMNS.iter().enumerate() {
        let r = r as u32 + 1;
        docs.write_string(r, 0, column.name)?;
        docs.write_string(r, 1, column.datatype.label())?;
        docs.write_string_with_format(r, 2, column.description, &wrap)?;
    }
    let note_row = COLUMNS.len() as u32 + 2;
    docs.write_string_with_format(note_row, 2, NEUTRALISATION_NOTE, &wrap)?;
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

/// One downloadable file of the "Open data" page and the catalogue.
#[derive(Debug, Clone, Copy)]
struct FileKind {
    key: &'static str,
    path: &'static str,
    title: &'static str,
    description: &'static str,
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
        title: "Register (JSON)",
        description: "Alle organisaties met hun trede, scores, normen en certificaat, zoals beschreven in het JSON Schema.",
        format: "JSON",
        media_type: "application/json",
        eu_file_type: "JSON",
        distribution: true,
        tabular: false,
    },
    FileKind {
        key: "csv",
        path: CSV_PATH,
        title: "Register (CSV)",
        description: "Eén regel per organisatie; UTF-8 zonder byte-order mark, komma als scheidingsteken (RFC 4180).",
        format: "CSV",
        media_type: "text/csv",
        eu_file_type: "CSV",
        distribution: true,
        tabular: true,
    },
    FileKind {
        key: "xlsx",
        path: XLSX_PATH,
        title: "Register (Excel)",
        description: "Dezelfde gegevens als de CSV als spreadsheet, met getallen, datums en een filter op de kolommen.",
        format: "XLSX",
        media_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        eu_file_type: "XLSX",
        distribution: true,
        tabular: true,
    },
    FileKind {
        key: "schema",
        path: SCHEMA_PATH,
        title: "JSON Schema van het register",
        description: "Beschrijft de opbouw van registry.json (JSON Schema, draft 2020-12).",
        format: "JSON Schema",
        media_type: "application/json",
        eu_file_type: "JSON",
        distribution: true,
        tabular: false,
    },
    FileKind {
        key: "csvw",
        path: CSV_METADATA_PATH,
        title: "CSVW-metadata van de CSV",
        description: "Beschrijft de kolommen van registry.csv volgens CSV on the Web (W3C).",
        format: "CSVW (JSON-LD)",
        media_type: "application/csvm+json",
        eu_file_type: "JSON_LD",
        distribution: true,
        tabular: false,
    },
    FileKind {
        key: "catalog",
        path: CATALOG_PATH,
        title: "Datacatalogus (DCAT-AP-NL)",
        description: "Beschrijving van deze dataset en haar bestanden voor dataportalen (DCAT-AP-NL 3.0, JSON-LD).",
        format: "JSON-LD",
        media_type: "application/ld+json",
        eu_file_type: "JSON_LD",
        distribution: false,
        tabular: false,
    },
    FileKind {
        key: "feed",
        path: crate::feeds::REGISTRY_FEED_PATH,
        title: "Wijzigingen in het register (Atom-feed)",
        description: "Nieuwe certificaten, certificaten die binnenkort verlopen of verlopen zijn, schorsingen en intrekkingen.",
        format: "Atom",
        media_type: "application/atom+xml",
        eu_file_type: "ATOM",
        distribution: false,
        tabular: false,
    },
];

fn size_of(files: &[OutputFile], path: &str) -> Option<u64> {
    files
        .iter()
        .find(|f| f.path == path)
        .map(|f| f.contents.len() as u64)
}

fn iana(media_type: &str) -> String {
    format!("https://www.iana.org/assignments/media-types/{media_type}")
}

fn eu_file_type(code: &str) -> String {
    format!("http://publications.europa.eu/resource/authority/file-type/{code}")
}

fn nl(text: &str) -> Value {
    json!({"@value": text, "@language": "nl"})
}

fn id(iri: &str) -> Value {
    json!({"@id": iri})
}

/// The DCAT-AP-NL 3.0 catalogue (JSON-LD): a `dcat:Catalog` with one
/// `dcat:Dataset`, the register, whose `dcat:Distribution`s are the JSON,
/// CSV, spreadsheet, schema and CSVW files present in `files` (with their
/// sizes).
pub fn catalog(
    config: &SiteConfig,
    urls: &Urls,
    reference_date: Date,
    files: &[OutputFile],
) -> Value {
    let licence = licence(&config.license);
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
            let mut d = json!({
                "@id": format!("{catalog_url}#distributie-{}", k.key),
                "@type": "dcat:Distribution",
                "dct:title": nl(k.title),
                "dct:description": nl(k.description),
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
    let description = if config.description.trim().is_empty() {
        DATASET_DESCRIPTION.to_string()
    } else {
        format!("{} {DATASET_DESCRIPTION}", config.description.trim())
    };
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
        "dct:title": nl(&config.title),
        "dct:description": nl(&description),
        "dct:publisher": publisher.clone(),
        "foaf:homepage": id(urls.base_url()),
        "dct:language": id(LANGUAGE_NL),
        "dct:license": id(&licence.url),
        "dct:modified": modified.clone(),
        "dcat:dataset": [{
            "@id": dataset_id,
            "@type": "dcat:Dataset",
            "dct:identifier": dataset_id,
            "dct:title": nl(&format!("{}: register van PSO-gecertificeerde organisaties", config.title)),
            "dct:description": nl(&description),
            "dct:publisher": publisher,
            "dcat:contactPoint": contact,
            "dct:license": id(&licence.url),
            "dct:accessRights": id("http://publications.europa.eu/resource/authority/access-right/PUBLIC"),
            "dct:language": id(LANGUAGE_NL),
            "dct:spatial": id("http://publications.europa.eu/resource/authority/country/NLD"),
            "dct:modified": modified,
            "dcat:landingPage": id(&urls.absolute(PAGE_PATH)),
            "dcat:theme": [
                id("http://publications.europa.eu/resource/authority/data-theme/ECON"),
                id("http://publications.europa.eu/resource/authority/data-theme/SOCI")
            ],
            "dcat:keyword": [
                nl("Prestatieladder Socialer Ondernemen"),
                nl("PSO"),
                nl("sociaal ondernemen"),
                nl("certificering"),
                nl("arbeidsparticipatie")
            ],
            "dcat:distribution": distributions
        }]
    })
}

const LANGUAGE_NL: &str = "http://publications.europa.eu/resource/authority/language/NLD";

const DATASET_DESCRIPTION: &str = "Alle organisaties in dit register met hun trede op de Prestatieladder Socialer Ondernemen (PSO), hun directe, indirecte en totale score, de normen voor hun omvang en hun certificaat. Alleen totalen: geen gegevens over personen, inkoopbedragen of omzet.";

/// A column as the "Open data" page documents it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnInfo {
    /// Column name (CSV header).
    pub name: &'static str,
    /// CSVW datatype (`string`, `integer`, `decimal`, `boolean`, `date`, `anyURI`).
    pub datatype: &'static str,
    /// The type in Dutch.
    pub type_label: &'static str,
    /// Whether every row has a value.
    pub required: bool,
    /// What it holds, in Dutch.
    pub description: &'static str,
}

/// One downloadable file as the "Open data" page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatasetInfo {
    /// Short key: `json`, `csv`, `xlsx`, `schema`, `csvw`, `catalog`, `feed`.
    pub key: &'static str,
    /// Title, Dutch.
    pub title: &'static str,
    /// One sentence, Dutch.
    pub description: &'static str,
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
/// figures without an API change.
pub fn datasets(
    _registry: &Registry,
    config: &SiteConfig,
    urls: &Urls,
    files: &[OutputFile],
) -> Vec<DatasetInfo> {
    let licence = licence(&config.license);
    let columns: Vec<ColumnInfo> = COLUMNS
        .iter()
        .map(|c| ColumnInfo {
            name: c.name,
            datatype: c.datatype.key(),
            type_label: c.datatype.label(),
            required: c.required,
            description: c.description,
        })
        .collect();
    FILE_KINDS
        .iter()
        .filter_map(|k| {
            let size_bytes = size_of(files, k.path)?;
            Some(DatasetInfo {
                key: k.key,
                title: k.title,
                description: k.description,
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
        let files = files(&registry, &config, &urls);
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
        let files = files(&registry, &config, &urls);
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
        let files = files(&registry, &config, &urls);
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
        let files = files(&registry, &config, &urls);
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
        let files = files(&registry, &config, &urls);
        let bytes = &file(&files, XLSX_PATH).contents;
        let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
        assert_eq!(workbook.sheet_names(), [XLSX_SHEET, XLSX_COLUMNS_SHEET]);
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
        let docs = sheet(bytes, XLSX_COLUMNS_SHEET);
        assert_eq!(docs.get((1, 0)), Some(&Data::String("id".into())));
        assert_eq!(docs.get((25, 0)), Some(&Data::String("status".into())));
    }

    #[test]
    fn xlsx_is_byte_identical_for_the_same_input() {
        let (registry, config, urls) = registry();
        let first = xlsx(&registry, &config, &urls);
        // The writer's clock has one-second resolution: a write in a later
        // second would differ if any part of the file used the clock.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let second = xlsx(&registry, &config, &urls);
        assert!(first == second, "two writes differ");
        // And from a separate pipeline run (fresh records, fresh hash seeds).
        let (registry, config, urls) = super::test_support::registry();
        assert!(xlsx(&registry, &config, &urls) == first);
    }

    #[test]
    fn catalog_is_dcat_json_ld() {
        let (registry, config, urls) = registry();
        let files = files(&registry, &config, &urls);
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
        let files = files(&registry, &config, &urls);
        let mut texts: Vec<(String, String)> = files
            .iter()
            .filter(|f| f.path != XLSX_PATH)
            .map(|f| {
                (
                    f.path.clone(),
                    String::from_utf8(f.contents.clone()).unwrap(),
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
            files(&registry, &config, &urls),
            files(&registry, &config, &urls)
        );
    }

    #[test]
    fn datasets_report_real_sizes_and_columns() {
        let (registry, config, urls) = registry();
        let files = files(&registry, &config, &urls);
        let datasets = datasets(&registry, &config, &urls, &files);
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
        assert_eq!(
            licence("CC0-1.0").url,
            "http://creativecommons.org/publicdomain/zero/1.0/"
        );
        assert_eq!(
            licence("CC-BY-4.0").url,
            "https://creativecommons.org/licenses/by/4.0/"
        );
        assert_eq!(
            licence("MIT <x>").url,
            "https://spdx.org/licenses/MITx.html"
        );
        assert_eq!(human_size(999), "999 bytes");
        assert_eq!(human_size(12_345), "12,3 kB");
        assert_eq!(human_size(4_500_000), "4,5 MB");
    }
}
