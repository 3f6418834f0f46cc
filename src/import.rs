//! `trede import`: one record per row of a CSV export of a spreadsheet,
//! checked with the same rules and messages as a build (row and column
//! named), written only when every row is valid, and never over an existing
//! record without `--force`.
//!
//! Columns (header row, any order; empty cells are absent values):
//! `id`, `name`, `kvk`, `city`, `province`, `sector`, `website`, `summary`,
//! `description`, `certificate_number`, `certificate_body`, `issued`,
//! `expires`, `status`, `declared_level`, `aspirant_plan`,
//! `aspirant_extensions`, `quality_met`, `measurement_year`, `employees`,
//! `total_fte`, `revenue_eur`, `target_group`, `purchases`,
//! `external_purchases`.
//! `target_group` holds `position:contract:fte:persons` entries separated by
//! `;` (`wajong:regulier:2.4:3; ww:stage:1:1`), `purchases` holds
//! `supplier-id:amount` entries, and `external_purchases` holds
//! `name|amount|supplier_revenue|supplier_direct_fte` entries.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use toml::{Table, Value};

use crate::diagnostics::{Diagnostic, Diagnostics, Source, list_keys, nearest};
use crate::records::{self, RECORDS_DIR};
use crate::registry::Registry;
use crate::tables::Weights;

/// Every column `import` understands.
pub const COLUMNS: [&str; 25] = [
    "id",
    "name",
    "kvk",
    "city",
    "province",
    "sector",
    "website",
    "summary",
    "description",
    "certificate_number",
    "certificate_body",
    "issued",
    "expires",
    "status",
    "declared_level",
    "aspirant_plan",
    "aspirant_extensions",
    "quality_met",
    "measurement_year",
    "employees",
    "total_fte",
    "revenue_eur",
    "target_group",
    "purchases",
    "external_purchases",
];

/// Where a record key comes from in the CSV.
fn column_of(key: &str) -> &str {
    let head = key.split('[').next().unwrap_or(key);
    match head {
        "certificate.number" => "certificate_number",
        "certificate.body" => "certificate_body",
        "measurement.year" => "measurement_year",
        "measurement.target_group" => "target_group",
        "measurement.purchases" => "purchases",
        other => other.rsplit('.').next().unwrap_or(other),
    }
}

/// One row turned into a record, before checks.
struct Row {
    line: u64,
    id: String,
    toml: String,
}

/// What an import did.
#[derive(Debug)]
pub struct Imported {
    /// Files written.
    pub written: Vec<PathBuf>,
}

/// Imports `csv_path` into the site at `root`.
pub fn import(
    root: &Path,
    csv_path: &Path,
    weights: &Weights,
    reference: Date,
    force: bool,
    diagnostics: &mut Diagnostics,
) -> Option<Imported> {
    let shown = csv_path.display().to_string();
    let mut reader = match csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(csv_path)
    {
        Ok(reader) => reader,
        Err(error) => {
            diagnostics.push(
                Diagnostic::error(format!("could not read the CSV file: {error}")).in_file(shown),
            );
            return None;
        }
    };
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|s| s.trim().trim_start_matches('\u{feff}').to_string())
            .collect(),
        Err(error) => {
            diagnostics.push(
                Diagnostic::error(format!("could not read the header row: {error}")).in_file(shown),
            );
            return None;
        }
    };
    for header in &headers {
        if !COLUMNS.contains(&header.as_str()) {
            let hint = match nearest(header, COLUMNS) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("the columns are {}", list_keys(COLUMNS)),
            };
            diagnostics.push(
                Diagnostic::error(format!("unknown column `{header}`"))
                    .in_file(format!("{shown}:1"))
                    .key(header.clone())
                    .hint(hint),
            );
        }
    }
    if !headers.iter().any(|h| h == "id") {
        diagnostics.push(
            Diagnostic::error("the CSV file has no `id` column")
                .in_file(format!("{shown}:1"))
                .hint("add a column `id` with each organisation's identifier, e.g. `schoonmaak-de-ster`"),
        );
    }
    if diagnostics.has_errors(false) {
        return None;
    }
    let mut rows = Vec::new();
    for result in reader.records() {
        match result {
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                diagnostics.push(
                    Diagnostic::error(format!("unreadable row: {error}"))
                        .in_file(format!("{shown}:{line}")),
                );
            }
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                let cells: BTreeMap<&str, &str> = headers
                    .iter()
                    .map(String::as_str)
                    .zip(record.iter().map(str::trim))
                    .filter(|(_, v)| !v.is_empty())
                    .collect();
                match row_to_table(&cells) {
                    Ok(table) => rows.push(Row {
                        line,
                        id: cells.get("id").copied().unwrap_or("").to_string(),
                        toml: format!(
                            "# Imported from {} row {line}.\n{}",
                            csv_path
                                .file_name()
                                .map(|n| n.to_string_lossy())
                                .unwrap_or_default(),
                            toml::to_string(&table).unwrap_or_default()
                        ),
                    }),
                    Err(problems) => {
                        for (column, message, hint) in problems {
                            diagnostics.push(
                                Diagnostic::error(message)
                                    .in_file(format!("{shown}:{line}"))
                                    .key(column)
                                    .hint(hint),
                            );
                        }
                    }
                }
            }
        }
    }
    // Check each row as a record, then the register as a whole.
    let mut existing = records::load_all(root, weights, reference, &mut Diagnostics::new());
    let mut seen = BTreeMap::new();
    let mut new_records = Vec::new();
    for row in &rows {
        let place = format!("{shown}:{}", row.line);
        if let Some(first) = seen.insert(row.id.clone(), row.line) {
            diagnostics.push(
                Diagnostic::error(format!(
                    "id `{}` appears twice in the file (also on line {first})",
                    row.id
                ))
                .in_file(place.clone())
                .key("id"),
            );
        }
        let target = root.join(RECORDS_DIR).join(format!("{}.toml", row.id));
        if target.exists() && !force {
            diagnostics.push(
                Diagnostic::error(format!("a record for `{}` exists already", row.id))
                    .in_file(place.clone())
                    .key("id")
                    .hint("pass --force to replace existing records with the imported rows"),
            );
        }
        let source = Source::new(place.clone(), row.toml.clone());
        match records::parse_record(&row.id, source, weights, reference) {
            Ok(record) => new_records.push(record),
            Err(problems) => problems
                .into_iter()
                .for_each(|p| diagnostics.push(in_csv(p, &place))),
        }
    }
    let replaced: Vec<&str> = new_records.iter().map(|r| r.id.as_str()).collect();
    existing.retain(|r| !replaced.contains(&r.id.as_str()));
    existing.extend(new_records);
    let mut register = Diagnostics::new();
    let norms = crate::tables::NormTable::embedded();
    Registry::compute(existing, weights, &norms, reference, &mut register);
    for problem in register.sorted() {
        let place = problem.file.clone().unwrap_or_default();
        let diagnostic = if place.starts_with(&shown) {
            in_csv(problem.clone(), &place)
        } else {
            problem.clone()
        };
        diagnostics.push(diagnostic);
    }
    if diagnostics.has_errors(false) {
        return None;
    }
    let mut written = Vec::new();
    for row in rows {
        let path = root.join(RECORDS_DIR).join(format!("{}.toml", row.id));
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        if let Err(error) = std::fs::write(&path, row.toml) {
            diagnostics.push(Diagnostic::error(format!(
                "could not write {}: {error}",
                path.display()
            )));
            return None;
        }
        written.push(path);
    }
    Some(Imported { written })
}

/// A record diagnostic re-addressed to the CSV line and column.
fn in_csv(problem: Diagnostic, place: &str) -> Diagnostic {
    let column = problem.key.as_deref().map(column_of).map(str::to_string);
    let mut message = problem.message.clone();
    for (record_key, column) in [
        ("certificate.number", "certificate_number"),
        ("certificate.body", "certificate_body"),
        ("certificate.issued", "issued"),
        ("certificate.expires", "expires"),
        ("measurement.employees", "employees"),
        ("measurement.total_fte", "total_fte"),
        ("measurement.revenue_eur", "revenue_eur"),
        ("measurement.year", "measurement_year"),
    ] {
        message = message.replace(&format!("`{record_key}`"), &format!("`{column}`"));
    }
    let mut d = match problem.severity {
        crate::diagnostics::Severity::Error => Diagnostic::error(message),
        crate::diagnostics::Severity::Warning => Diagnostic::warning(message),
    }
    .in_file(place.to_string());
    if let Some(column) = column {
        d = d.key(column);
    }
    if let Some(hint) = problem.hint {
        d = d.hint(hint);
    }
    d
}

type Problems = Vec<(String, String, String)>;

fn row_to_table(cells: &BTreeMap<&str, &str>) -> Result<Table, Problems> {
    let mut problems: Problems = Vec::new();
    let mut top = Table::new();
    let mut certificate = Table::new();
    let mut measurement = Table::new();
    let mut bad = |column: &str, expected: &str, value: &str| {
        problems.push((
            column.to_string(),
            format!("`{column}` must be {expected}, found \"{value}\""),
            format!("write {expected} in column `{column}`"),
        ));
    };
    for (&column, &value) in cells {
        let string = || Value::String(value.to_string());
        let (table, key, parsed) = match column {
            "id" => continue,
            "name" | "kvk" | "city" | "province" | "sector" | "website" | "summary"
            | "description" => (&mut top, column, Some(string())),
            "certificate_number" => (&mut certificate, "number", Some(string())),
            "certificate_body" => (&mut certificate, "body", Some(string())),
            "status" | "declared_level" => (&mut certificate, column, Some(string())),
            "issued" | "expires" => {
                let date = value
                    .parse::<toml::value::Datetime>()
                    .ok()
                    .filter(|d| d.time.is_none());
                if date.is_none() {
                    bad(column, "a date (YYYY-MM-DD)", value);
                }
                (&mut certificate, column, date.map(Value::Datetime))
            }
            "aspirant_plan" | "quality_met" => {
                let b = parse_bool(value);
                if b.is_none() {
                    bad(column, "ja/nee or true/false", value);
                }
                (&mut certificate, column, b.map(Value::Boolean))
            }
            "aspirant_extensions" | "measurement_year" | "employees" => {
                let n = value.parse::<i64>().ok();
                if n.is_none() {
                    bad(column, "a whole number", value);
                }
                let (table, key) = match column {
                    "aspirant_extensions" => (&mut certificate, column),
                    "measurement_year" => (&mut measurement, "year"),
                    _ => (&mut measurement, column),
                };
                (table, key, n.map(Value::Integer))
            }
            "total_fte" | "revenue_eur" => {
                let n = parse_number(value);
                if n.is_none() {
                    bad(column, "a number", value);
                }
                (&mut measurement, column, n.map(Value::Float))
            }
            "target_group" | "purchases" | "external_purchases" => continue,
            _ => continue,
        };
        if let Some(parsed) = parsed {
            table.insert(key.to_string(), parsed);
        }
    }
    let mut groups = Vec::new();
    for entry in entries(cells.get("target_group")) {
        let parts: Vec<&str> = entry.split(':').map(str::trim).collect();
        match parts.as_slice() {
            [position, contract, fte, persons] => match (parse_number(fte), persons.parse::<i64>())
            {
                (Some(fte), Ok(persons)) => {
                    let mut row = Table::new();
                    row.insert("position".into(), Value::String(position.to_string()));
                    row.insert("contract".into(), Value::String(contract.to_string()));
                    row.insert("fte".into(), Value::Float(fte));
                    row.insert("persons".into(), Value::Integer(persons));
                    groups.push(Value::Table(row));
                }
                _ => bad(
                    "target_group",
                    "position:contract:fte:persons with numbers for fte and persons",
                    entry,
                ),
            },
            _ => bad(
                "target_group",
                "entries position:contract:fte:persons separated by `;`",
                entry,
            ),
        }
    }
    let mut purchases = Vec::new();
    for entry in entries(cells.get("purchases")) {
        match entry
            .rsplit_once(':')
            .map(|(s, a)| (s.trim(), parse_number(a)))
        {
            Some((supplier, Some(amount))) if !supplier.is_empty() => {
                let mut row = Table::new();
                row.insert("supplier".into(), Value::String(supplier.to_string()));
                row.insert("amount_eur".into(), Value::Float(amount));
                purchases.push(Value::Table(row));
            }
            _ => bad(
                "purchases",
                "entries supplier-id:amount separated by `;`",
                entry,
            ),
        }
    }
    for entry in entries(cells.get("external_purchases")) {
        let parts: Vec<&str> = entry.split('|').map(str::trim).collect();
        match parts.as_slice() {
            [name, amount, revenue, direct] => match (
                parse_number(amount),
                parse_number(revenue),
                parse_number(direct),
            ) {
                (Some(amount), Some(revenue), Some(direct)) => {
                    let mut row = Table::new();
                    row.insert("supplier_name".into(), Value::String(name.to_string()));
                    row.insert("amount_eur".into(), Value::Float(amount));
                    row.insert("supplier_revenue_eur".into(), Value::Float(revenue));
                    row.insert("supplier_direct_fte".into(), Value::Float(direct));
                    purchases.push(Value::Table(row));
                }
                _ => bad(
                    "external_purchases",
                    "name|amount|supplier_revenue|supplier_direct_fte with numbers",
                    entry,
                ),
            },
            _ => bad(
                "external_purchases",
                "entries name|amount|supplier_revenue|supplier_direct_fte separated by `;`",
                entry,
            ),
        }
    }
    if !groups.is_empty() {
        measurement.insert("target_group".into(), Value::Array(groups));
    }
    if !purchases.is_empty() {
        measurement.insert("purchases".into(), Value::Array(purchases));
    }
    top.insert("certificate".into(), Value::Table(certificate));
    top.insert("measurement".into(), Value::Table(measurement));
    if problems.is_empty() {
        Ok(top)
    } else {
        Err(problems)
    }
}

fn entries<'a>(cell: Option<&&'a str>) -> impl Iterator<Item = &'a str> {
    cell.copied()
        .unwrap_or("")
        .split(';')
        .map(str::trim)
        .filter(|e| !e.is_empty())
}

/// A number as spreadsheets write it: `1234.5`, `1234,5` or `1.234,5`.
fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim().replace([' ', '\u{a0}'], "");
    let normalised = if t.contains(',') {
        t.replace('.', "").replace(',', ".")
    } else {
        t
    };
    normalised.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "ja" | "j" | "true" | "waar" | "1" | "yes" => Some(true),
        "nee" | "n" | "false" | "onwaar" | "0" | "no" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_numbers_and_booleans() {
        assert_eq!(parse_number("1.234,5"), Some(1234.5));
        assert_eq!(parse_number("46,2"), Some(46.2));
        assert_eq!(parse_number("6200000"), Some(6_200_000.0));
        assert_eq!(parse_bool("Ja"), Some(true));
        assert_eq!(parse_bool("misschien"), None);
    }

    #[test]
    fn record_keys_map_to_columns() {
        assert_eq!(column_of("certificate.number"), "certificate_number");
        assert_eq!(column_of("measurement.target_group[1].fte"), "target_group");
        assert_eq!(column_of("measurement.employees"), "employees");
        assert_eq!(column_of("kvk"), "kvk");
    }
}
