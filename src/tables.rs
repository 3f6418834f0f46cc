//! Weights and norms tables: the data the ladder computation uses, embedded defaults and operator replacements.
//!
//! The defaults (`data/weights.toml`, `data/norms.toml`) are the public figures
//! of `pso-reference.md`, compiled into the binary. An operator may replace
//! either file; [`Weights::parse`] and [`NormTable::parse`] check a replacement
//! and report every problem they find at once, each with the dotted key path
//! and the byte span in the file text.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The text of the embedded default weights (`data/weights.toml`).
pub const EMBEDDED_WEIGHTS: &str = include_str!("../data/weights.toml");
/// The text of the embedded default norms (`data/norms.toml`).
pub const EMBEDDED_NORMS: &str = include_str!("../data/norms.toml");

/// The names of the norm columns, in ladder order, as written in norms files.
pub const NORM_COLUMNS: [&str; 4] = ["basistrede", "trede-1", "trede-2", "trede-3"];

/// One weight: a position at intake or a contract type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightEntry {
    /// Short Dutch description, shown on the method page.
    pub label: String,
    /// The weight, between 0 and 1.
    pub weight: f64,
}

/// The weights of the direct contribution, by record key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Weights {
    /// Where the numbers come from.
    pub source: String,
    /// Which version of the scheme they are.
    pub version: String,
    /// Position at intake, by record key (e.g. `wajong`).
    pub positions: BTreeMap<String, WeightEntry>,
    /// Contract type, by record key (e.g. `regulier`).
    pub contracts: BTreeMap<String, WeightEntry>,
}

/// One row of the norms table: the norms (percent of total FTE) for one size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NormRow {
    /// Number of employees.
    pub size: u32,
    pub basistrede: f64,
    #[serde(rename = "trede-1")]
    pub trede1: f64,
    #[serde(rename = "trede-2")]
    pub trede2: f64,
    #[serde(rename = "trede-3")]
    pub trede3: f64,
}

/// The norms by size, rows sorted by strictly increasing size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NormTable {
    /// Where the numbers come from.
    pub source: String,
    /// Which version of the norms they are.
    pub version: String,
    /// The columns (names in [`NORM_COLUMNS`]) that are estimates, not published figures.
    pub estimated: Vec<String>,
    /// At least one row; sizes strictly increasing.
    pub rows: Vec<NormRow>,
}

/// A problem in a tables file: what is wrong, the dotted key path (e.g. `rows[3].trede-2`), and the byte span in the file text when known.
///
/// Array indices in `key` count from 0 (`rows[0]` is the first `[[rows]]`).
/// `key` is empty for TOML syntax errors and for problems of the file as a
/// whole (such as a missing top-level key).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableError {
    pub message: String,
    pub key: String,
    pub span: Option<Range<usize>>,
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.key, self.message)
        }
    }
}

impl std::error::Error for TableError {}

impl Weights {
    /// Parses and checks a weights file: `source`, `version`, `[positions.<key>]`
    /// and `[contracts.<key>]` tables of `label` and `weight`. Unknown keys,
    /// weights outside 0..=1, empty labels and empty tables are errors.
    pub fn parse(text: &str) -> Result<Weights, Vec<TableError>> {
        let raw: RawWeights = deserialize(text)?;
        let mut errors = Vec::new();
        let source = non_empty(raw.source, "source", &mut errors);
        let version = non_empty(raw.version, "version", &mut errors);
        let positions = weight_table(raw.positions, "positions", &mut errors);
        let contracts = weight_table(raw.contracts, "contracts", &mut errors);
        if errors.is_empty() {
            Ok(Weights {
                source,
                version,
                positions,
                contracts,
            })
        } else {
            Err(errors)
        }
    }

    /// The default weights shipped with the project (`data/weights.toml`).
    pub fn embedded() -> Weights {
        Weights::parse(EMBEDDED_WEIGHTS).expect("the embedded data/weights.toml is valid")
    }

    /// The weight of a position key, `None` for an unknown key.
    pub fn position(&self, key: &str) -> Option<f64> {
        self.positions.get(key).map(|entry| entry.weight)
    }

    /// The weight of a contract key, `None` for an unknown key.
    pub fn contract(&self, key: &str) -> Option<f64> {
        self.contracts.get(key).map(|entry| entry.weight)
    }
}

impl NormTable {
    /// Parses and checks a norms file: `source`, `version`, optional
    /// `estimated` (column names) and `[[rows]]` of `size`, `basistrede`,
    /// `trede-1`, `trede-2`, `trede-3`. There must be at least one row, sizes
    /// must be at least 1 and strictly increasing, and in each row
    /// `0 < basistrede < trede-1 < trede-2 < trede-3 <= 100`.
    pub fn parse(text: &str) -> Result<NormTable, Vec<TableError>> {
        let raw: RawNorms = deserialize(text)?;
        let mut errors = Vec::new();
        let source = non_empty(raw.source, "source", &mut errors);
        let version = non_empty(raw.version, "version", &mut errors);

        let mut estimated = Vec::new();
        for (i, column) in raw.estimated.into_iter().enumerate() {
            let span = column.span();
            let column = column.into_inner();
            if NORM_COLUMNS.contains(&column.as_str()) {
                estimated.push(column);
            } else {
                errors.push(TableError {
                    message: format!(
                        "unknown column `{column}`; the columns are {}",
                        NORM_COLUMNS.join(", ")
                    ),
                    key: format!("estimated[{i}]"),
                    span: Some(span),
                });
            }
        }

        if raw.rows.is_empty() {
            errors.push(TableError {
                message: "the table needs at least one [[rows]] entry".to_owned(),
                key: "rows".to_owned(),
                span: None,
            });
        }
        let mut rows = Vec::with_capacity(raw.rows.len());
        let mut previous_size: Option<i64> = None;
        for (i, row) in raw.rows.into_iter().enumerate() {
            let at = |column: &str| format!("rows[{i}].{column}");
            let size = *row.size.get_ref();
            if size < 1 || size > i64::from(u32::MAX) {
                errors.push(TableError {
                    message: format!(
                        "size must be a whole number of employees of at least 1, not {size}"
                    ),
                    key: at("size"),
                    span: Some(row.size.span()),
                });
            } else if let Some(previous) = previous_size.filter(|&p| size <= p) {
                errors.push(TableError {
                    message: format!(
                        "sizes must increase strictly from row to row: {size} follows {previous}"
                    ),
                    key: at("size"),
                    span: Some(row.size.span()),
                });
            }
            previous_size = Some(previous_size.map_or(size, |p| p.max(size)));

            let values = [&row.basistrede, &row.trede1, &row.trede2, &row.trede3];
            for (column, value) in NORM_COLUMNS.iter().zip(values) {
                let v = *value.get_ref();
                if !(v > 0.0 && v <= 100.0) {
                    errors.push(TableError {
                        message: format!(
                            "{column} must be a percentage above 0 and at most 100, not {v}"
                        ),
                        key: at(column),
                        span: Some(value.span()),
                    });
                }
            }
            for k in 1..values.len() {
                let (low, high) = (*values[k - 1].get_ref(), *values[k].get_ref());
                if high <= low {
                    errors.push(TableError {
                        message: format!(
                            "{} ({high}) must be above {} ({low})",
                            NORM_COLUMNS[k],
                            NORM_COLUMNS[k - 1]
                        ),
                        key: at(NORM_COLUMNS[k]),
                        span: Some(values[k].span()),
                    });
                }
            }
            rows.push(NormRow {
                size: u32::try_from(size).unwrap_or(0),
                basistrede: row.basistrede.into_inner(),
                trede1: row.trede1.into_inner(),
                trede2: row.trede2.into_inner(),
                trede3: row.trede3.into_inner(),
            });
        }

        if errors.is_empty() {
            Ok(NormTable {
                source,
                version,
                estimated,
                rows,
            })
        } else {
            Err(errors)
        }
    }

    /// The default norms shipped with the project (`data/norms.toml`).
    pub fn embedded() -> NormTable {
        NormTable::parse(EMBEDDED_NORMS).expect("the embedded data/norms.toml is valid")
    }

    /// Whether a column (a name in [`NORM_COLUMNS`]) is marked as an estimate.
    pub fn is_estimated(&self, column: &str) -> bool {
        self.estimated.iter().any(|c| c == column)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeights {
    source: Spanned<String>,
    version: Spanned<String>,
    positions: BTreeMap<String, RawWeightEntry>,
    contracts: BTreeMap<String, RawWeightEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeightEntry {
    label: Spanned<String>,
    weight: Spanned<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNorms {
    source: Spanned<String>,
    version: Spanned<String>,
    #[serde(default)]
    estimated: Vec<Spanned<String>>,
    #[serde(default)]
    rows: Vec<RawNormRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNormRow {
    size: Spanned<i64>,
    basistrede: Spanned<f64>,
    #[serde(rename = "trede-1")]
    trede1: Spanned<f64>,
    #[serde(rename = "trede-2")]
    trede2: Spanned<f64>,
    #[serde(rename = "trede-3")]
    trede3: Spanned<f64>,
}

/// Deserializes `text`, turning syntax errors (all of them) or the first
/// structural error (wrong type, missing or unknown key) into [`TableError`]s.
fn deserialize<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Vec<TableError>> {
    let (_, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        return Err(syntax
            .iter()
            .map(|e| TableError {
                message: e.message().to_owned(),
                key: String::new(),
                span: e.span(),
            })
            .collect());
    }
    toml::from_str(text).map_err(|e| {
        vec![TableError {
            message: e.message().to_owned(),
            key: e.span().map(|s| key_path_at(text, &s)).unwrap_or_default(),
            span: e.span(),
        }]
    })
}

/// The dotted key path of the innermost key or value whose span contains the
/// start of `span` ("" for an empty span, which toml uses for the whole file).
fn key_path_at(text: &str, span: &Range<usize>) -> String {
    if span.is_empty() {
        return String::new();
    }
    let (root, _) = DeTable::parse_recoverable(text);
    let mut best: Option<(usize, String)> = None;
    visit_table(root.get_ref(), "", span.start, &mut best);
    best.map(|(_, path)| path).unwrap_or_default()
}

/// Depth-first search for the smallest span containing `at`. Table values
/// of `[header]` tables span only their header, so every child is visited.
fn visit_table(table: &DeTable<'_>, prefix: &str, at: usize, best: &mut Option<(usize, String)>) {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        consider(key.span(), &path, at, best);
        visit_value(value, &path, at, best);
    }
}

fn visit_value(
    value: &Spanned<DeValue<'_>>,
    path: &str,
    at: usize,
    best: &mut Option<(usize, String)>,
) {
    consider(value.span(), path, at, best);
    match value.get_ref() {
        DeValue::Table(table) => visit_table(table, path, at, best),
        DeValue::Array(array) => {
            for (i, element) in array.iter().enumerate() {
                visit_value(element, &format!("{path}[{i}]"), at, best);
            }
        }
        _ => {}
    }
}

fn consider(span: Range<usize>, path: &str, at: usize, best: &mut Option<(usize, String)>) {
    if span.contains(&at) && best.as_ref().is_none_or(|(len, _)| span.len() < *len) {
        *best = Some((span.len(), path.to_owned()));
    }
}

fn non_empty(value: Spanned<String>, key: &str, errors: &mut Vec<TableError>) -> String {
    if value.get_ref().trim().is_empty() {
        errors.push(TableError {
            message: "must not be empty".to_owned(),
            key: key.to_owned(),
            span: Some(value.span()),
        });
    }
    value.into_inner()
}

fn weight_table(
    raw: BTreeMap<String, RawWeightEntry>,
    table: &str,
    errors: &mut Vec<TableError>,
) -> BTreeMap<String, WeightEntry> {
    if raw.is_empty() {
        errors.push(TableError {
            message: format!("[{table}] needs at least one entry"),
            key: table.to_owned(),
            span: None,
        });
    }
    let mut entries = BTreeMap::new();
    for (key, entry) in raw {
        let label = non_empty(entry.label, &format!("{table}.{key}.label"), errors);
        let weight = *entry.weight.get_ref();
        if !(0.0..=1.0).contains(&weight) {
            errors.push(TableError {
                message: format!("weight must lie between 0 and 1, not {weight}"),
                key: format!("{table}.{key}.weight"),
                span: Some(entry.weight.span()),
            });
        }
        entries.insert(key, WeightEntry { label, weight });
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small valid norms file; tests break one thing at a time.
    const NORMS: &str = r#"
source = "test"
version = "1"
estimated = ["basistrede"]

[[rows]]
size = 2
basistrede = 14.5
trede-1 = 21.4
trede-2 = 28
trede-3 = 33

[[rows]]
size = 5
basistrede = 8.0
trede-1 = 12.6
trede-2 = 17.0
trede-3 = 22.0
"#;

    const WEIGHTS: &str = r#"
source = "test"
version = "1"

[positions.wajong]
label = "Wajong"
weight = 1

[positions.ww]
label = "WW-uitkering"
weight = 0.75

[contracts.regulier]
label = "Regulier"
weight = 1.0
"#;

    fn norm_errors(text: &str) -> Vec<TableError> {
        NormTable::parse(text).expect_err("the text is invalid")
    }

    fn weight_errors(text: &str) -> Vec<TableError> {
        Weights::parse(text).expect_err("the text is invalid")
    }

    /// The text of the file that an error's span points at.
    fn spanned<'t>(text: &'t str, error: &TableError) -> &'t str {
        &text[error.span.clone().expect("the error has a span")]
    }

    fn keys(errors: &[TableError]) -> Vec<&str> {
        errors.iter().map(|e| e.key.as_str()).collect()
    }

    #[test]
    fn embedded_weights_are_the_reference_table() {
        let w = Weights::embedded();
        assert!(w.source.contains("PSO-Nederland"));
        assert!(!w.version.is_empty());
        assert_eq!(w.positions.len(), 13);
        assert_eq!(w.contracts.len(), 5);
        assert_eq!(w.position("wajong"), Some(1.0));
        assert_eq!(w.position("bbl-bol-1"), Some(0.5));
        assert_eq!(w.position("bbl-bol-2"), Some(0.25));
        assert_eq!(w.position("ww"), Some(0.75));
        assert_eq!(w.contract("regulier"), Some(1.0));
        assert_eq!(w.contract("begeleid-werken"), Some(1.0));
        assert_eq!(w.contract("detachering"), Some(0.9));
        assert_eq!(w.contract("stage"), Some(0.75));
        assert_eq!(w.contract("proefplaatsing"), Some(0.0));
        assert_eq!(w.position("regulier"), None);
        assert_eq!(w.contract("nope"), None);
        assert!(w.positions.values().all(|e| !e.label.is_empty()));
    }

    #[test]
    fn embedded_norms_are_the_reference_table() {
        let n = NormTable::embedded();
        assert!(n.source.contains("TNO"));
        assert_eq!(n.version, "PSO-normen 2023, publieke rijen");
        assert_eq!(n.estimated, ["basistrede"]);
        assert!(n.is_estimated("basistrede") && !n.is_estimated("trede-1"));
        let sizes: Vec<u32> = n.rows.iter().map(|r| r.size).collect();
        assert_eq!(
            sizes,
            [
                2, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100, 105
            ]
        );
        let row = |size| n.rows.iter().find(|r| r.size == size).unwrap().clone();
        assert_eq!(
            row(2),
            NormRow {
                size: 2,
                basistrede: 14.5,
                trede1: 21.4,
                trede2: 28.0,
                trede3: 33.0
            }
        );
        assert_eq!(
            row(50),
            NormRow {
                size: 50,
                basistrede: 2.2,
                trede1: 3.0,
                trede2: 3.7,
                trede3: 6.8
            }
        );
        assert_eq!(
            row(105),
            NormRow {
                size: 105,
                basistrede: 0.9,
                trede1: 1.4,
                trede2: 1.9,
                trede3: 3.7
            }
        );
        // The estimate is non-increasing in size, as pso-reference.md says.
        assert!(
            n.rows
                .windows(2)
                .all(|w| w[1].basistrede <= w[0].basistrede)
        );
    }

    #[test]
    fn small_valid_files_parse_and_integers_count_as_floats() {
        let n = NormTable::parse(NORMS).unwrap();
        assert_eq!(n.rows[0].trede2, 28.0);
        let w = Weights::parse(WEIGHTS).unwrap();
        assert_eq!(w.position("wajong"), Some(1.0));
        // `estimated` may be left out.
        let n = NormTable::parse(&NORMS.replace("estimated = [\"basistrede\"]", "")).unwrap();
        assert!(n.estimated.is_empty());
    }

    #[test]
    fn every_norm_violation_is_reported_with_its_key_and_span() {
        // Row 1: size 2 does not follow 2 strictly, and trede-2 (12.0) is
        // below trede-1 (12.6). Row 0: trede-3 above 100.
        let text = NORMS
            .replace("size = 5", "size = 2")
            .replace("trede-2 = 17.0", "trede-2 = 12.0")
            .replace("trede-3 = 33", "trede-3 = 133");
        let errors = norm_errors(&text);
        assert_eq!(
            keys(&errors),
            ["rows[0].trede-3", "rows[1].size", "rows[1].trede-2"]
        );
        assert!(
            errors[0].message.contains("at most 100"),
            "{}",
            errors[0].message
        );
        assert_eq!(spanned(&text, &errors[0]), "133");
        assert!(
            errors[1].message.contains("increase strictly"),
            "{}",
            errors[1].message
        );
        assert_eq!(spanned(&text, &errors[1]), "2");
        assert!(
            errors[2].message.contains("above trede-1"),
            "{}",
            errors[2].message
        );
        assert_eq!(spanned(&text, &errors[2]), "12.0");
        assert_eq!(
            errors[2].to_string(),
            "rows[1].trede-2: trede-2 (12) must be above trede-1 (12.6)"
        );
    }

    #[test]
    fn decreasing_sizes_zero_sizes_and_non_positive_norms_are_errors() {
        let text = NORMS.replace("size = 5", "size = 1");
        assert_eq!(keys(&norm_errors(&text)), ["rows[1].size"]);
        let text = NORMS.replace("size = 2", "size = 0");
        assert_eq!(keys(&norm_errors(&text)), ["rows[0].size"]);
        let text = NORMS.replace("size = 2", "size = -3");
        assert_eq!(keys(&norm_errors(&text)), ["rows[0].size"]);
        let text = NORMS.replace("basistrede = 8.0", "basistrede = 0");
        assert_eq!(keys(&norm_errors(&text)), ["rows[1].basistrede"]);
        let text = NORMS.replace("basistrede = 8.0", "basistrede = nan");
        assert_eq!(keys(&norm_errors(&text)), ["rows[1].basistrede"]);
        // Equal norms are not strictly increasing.
        let text = NORMS.replace("trede-1 = 12.6", "trede-1 = 8.0");
        assert_eq!(keys(&norm_errors(&text)), ["rows[1].trede-1"]);
    }

    #[test]
    fn a_table_without_rows_or_with_an_unknown_estimate_column_is_an_error() {
        let text = NORMS.split("[[rows]]").next().unwrap().to_owned();
        assert_eq!(keys(&norm_errors(&text)), ["rows"]);
        let text = NORMS.replace("[\"basistrede\"]", "[\"basistrede\", \"trede-4\"]");
        let errors = norm_errors(&text);
        assert_eq!(keys(&errors), ["estimated[1]"]);
        assert_eq!(spanned(&text, &errors[0]), "\"trede-4\"");
        let text = NORMS.replace("version = \"1\"", "version = \" \"");
        assert_eq!(keys(&norm_errors(&text)), ["version"]);
    }

    #[test]
    fn unknown_keys_are_named_with_their_path() {
        let text = NORMS.replace("trede-3 = 22.0", "trede-3 = 22.0\ntrede-4 = 30.0");
        let errors = norm_errors(&text);
        assert_eq!(keys(&errors), ["rows[1].trede-4"]);
        assert!(
            errors[0].message.contains("unknown field `trede-4`"),
            "{}",
            errors[0].message
        );
        assert_eq!(spanned(&text, &errors[0]), "trede-4");

        let text = WEIGHTS.replace("weight = 0.75", "weight = 0.75\nwieght = 1");
        let errors = weight_errors(&text);
        assert_eq!(keys(&errors), ["positions.ww.wieght"]);
        assert_eq!(spanned(&text, &errors[0]), "wieght");

        let text = format!("colour = \"red\"\n{WEIGHTS}");
        assert_eq!(keys(&weight_errors(&text)), ["colour"]);
    }

    #[test]
    fn weights_outside_zero_to_one_are_errors_naming_the_key() {
        let text = WEIGHTS
            .replace("weight = 0.75", "weight = 1.5")
            .replace("weight = 1.0", "weight = -0.1");
        let errors = weight_errors(&text);
        assert_eq!(
            keys(&errors),
            ["positions.ww.weight", "contracts.regulier.weight"]
        );
        assert_eq!(spanned(&text, &errors[0]), "1.5");
        assert!(
            errors[0].message.contains("between 0 and 1"),
            "{}",
            errors[0].message
        );
        assert_eq!(spanned(&text, &errors[1]), "-0.1");

        let text = WEIGHTS.replace("label = \"Wajong\"", "label = \"\"");
        assert_eq!(keys(&weight_errors(&text)), ["positions.wajong.label"]);
    }

    #[test]
    fn wrong_types_and_missing_keys_are_located() {
        let text = WEIGHTS.replace("weight = 0.75", "weight = \"high\"");
        let errors = weight_errors(&text);
        assert_eq!(keys(&errors), ["positions.ww.weight"]);
        assert_eq!(spanned(&text, &errors[0]), "\"high\"");

        let text = NORMS.replace("trede-3 = 22.0", "");
        let errors = norm_errors(&text);
        assert_eq!(keys(&errors), ["rows[1]"]);
        assert!(
            errors[0].message.contains("missing field `trede-3`"),
            "{}",
            errors[0].message
        );

        let text = WEIGHTS.replace("source = \"test\"", "");
        let errors = weight_errors(&text);
        assert_eq!(keys(&errors), [""]);
        assert!(
            errors[0].message.contains("missing field `source`"),
            "{}",
            errors[0].message
        );

        let text = format!("{WEIGHTS}\n[contracts]\n");
        let text = text.replace(
            "[contracts.regulier]\nlabel = \"Regulier\"\nweight = 1.0\n",
            "",
        );
        assert_eq!(keys(&weight_errors(&text)), ["contracts"]);
    }

    #[test]
    fn syntax_errors_carry_a_span() {
        let text = NORMS.replace("size = 5", "size = = 5");
        let errors = norm_errors(&text);
        assert!(!errors.is_empty());
        let span = errors[0].span.clone().unwrap();
        assert!(text[..span.start].ends_with("size = "), "{span:?}");
    }
}
