//! Reading TOML written by users: syntax and type errors as diagnostics with
//! file, line and column, every unknown key reported with the nearest valid
//! key, and TOML dates turned into real dates.
//!
//! serde stops at the first problem in a document, so unknown keys are found
//! first by walking the spanned document against a [`Schema`]; that way one
//! run lists all of them.

use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostics::{Diagnostic, Source, list_keys, nearest};

/// The keys a TOML table may contain.
#[derive(Debug, Clone, Copy)]
pub enum Schema {
    /// A plain value (string, number, date, array of values).
    Value,
    /// A table with exactly these keys.
    Table(&'static [(&'static str, Schema)]),
    /// An array of tables with these keys.
    ArrayOfTables(&'static [(&'static str, Schema)]),
    /// Anything goes (free `[extra]` tables).
    Free,
}

/// Parses `source` into `T`, reporting syntax errors, every unknown key and
/// the first type error (serde cannot go on after one).
pub fn parse<T: DeserializeOwned>(source: &Source, schema: Schema) -> Result<T, Vec<Diagnostic>> {
    parse_part(source, 0..source.text.len(), schema)
}

/// Like [`parse`], for the TOML in `range` of a larger file (front matter),
/// with every reported position relative to the whole file.
pub fn parse_part<T: DeserializeOwned>(
    source: &Source,
    range: Range<usize>,
    schema: Schema,
) -> Result<T, Vec<Diagnostic>> {
    let offset = range.start;
    let text = &source.text[range];
    let document = match DeTable::parse(text) {
        Ok(document) => document,
        Err(error) => return Err(vec![syntax_error(source, &error, offset)]),
    };
    let mut problems = Vec::new();
    if let Schema::Table(keys) = schema {
        check_table(source, offset, document.get_ref(), keys, "", &mut problems);
        // Tables iterate in key order; report in file order.
        problems.sort_by_key(|p| p.span.as_ref().map(|s| s.start));
    }
    // One parse: the checked document is handed to serde as it is.
    match T::deserialize(toml::de::Deserializer::from(document)) {
        Ok(value) if problems.is_empty() => Ok(value),
        Ok(_) => Err(problems),
        Err(error) => {
            // Unknown keys are already reported, each with a suggestion.
            if problems.is_empty() || !error.message().starts_with("unknown field") {
                problems.push(serde_error(source, &error, offset));
            }
            Err(problems)
        }
    }
}

fn shift(span: Option<Range<usize>>, offset: usize) -> Option<Range<usize>> {
    span.map(|s| s.start + offset..s.end + offset)
}

fn syntax_error(source: &Source, error: &toml::de::Error, offset: usize) -> Diagnostic {
    let message = first_line(error.message());
    Diagnostic::error(format!("invalid TOML: {message}"))
        .at(source, shift(error.span(), offset))
        .hint("see https://toml.io for the syntax; strings need double quotes")
}

fn serde_error(source: &Source, error: &toml::de::Error, offset: usize) -> Diagnostic {
    let message = first_line(error.message());
    let span = shift(error.span(), offset);
    let key = span.as_ref().and_then(|s| key_at(&source.text, s.clone()));
    let mut diagnostic = if let Some(field) =
        between_backticks(&message).filter(|_| message.starts_with("missing field"))
    {
        Diagnostic::error(format!("missing required key `{field}`"))
            .hint(format!("add `{field} = ...` to this table"))
            .key(field)
    } else {
        let mut d = Diagnostic::error(message.clone());
        if message.starts_with("invalid type") {
            d = d.hint(
                "check the value's type: strings in quotes, numbers without, dates as YYYY-MM-DD",
            );
        }
        if let Some(key) = key {
            d = d.key(key);
        }
        d
    };
    diagnostic = diagnostic.at(source, span);
    diagnostic
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or("").trim().to_string()
}

fn between_backticks(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(message[start..end].to_string())
}

/// The key written at the start of the line that holds `span`, as a hint for
/// type errors whose message does not name it.
fn key_at(text: &str, span: Range<usize>) -> Option<String> {
    let line_start = text[..span.start.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_string())
}

fn check_table(
    source: &Source,
    offset: usize,
    table: &DeTable<'_>,
    keys: &[(&str, Schema)],
    path: &str,
    problems: &mut Vec<Diagnostic>,
) {
    for (key, value) in table.iter() {
        let name = key.get_ref().as_ref();
        let full = if path.is_empty() {
            name.to_string()
        } else {
            format!("{path}.{name}")
        };
        match keys.iter().find(|(k, _)| *k == name) {
            None => {
                let valid = keys.iter().map(|(k, _)| *k);
                let hint = match nearest(name, valid.clone()) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("valid keys here are {}", list_keys(valid)),
                };
                problems.push(
                    Diagnostic::error(format!("unknown key `{full}`"))
                        .at(source, shift(Some(key.span()), offset))
                        .key(full)
                        .hint(hint),
                );
            }
            Some((_, Schema::Table(inner))) => {
                if let DeValue::Table(t) = value.get_ref() {
                    check_table(source, offset, t, inner, &full, problems);
                }
            }
            Some((_, Schema::ArrayOfTables(inner))) => {
                if let DeValue::Array(items) = value.get_ref() {
                    for (index, item) in items.iter().enumerate() {
                        if let DeValue::Table(t) = item.get_ref() {
                            check_table(
                                source,
                                offset,
                                t,
                                inner,
                                &format!("{full}[{index}]"),
                                problems,
                            );
                        }
                    }
                }
            }
            Some((_, Schema::Value | Schema::Free)) => {}
        }
    }
}

/// A TOML local date (`2025-04-01`) as a date, or a diagnostic naming the
/// key. `offset` is where the TOML starts in the source (0 for a whole file).
pub fn date(
    source: &Source,
    offset: usize,
    value: &Spanned<toml::value::Datetime>,
    key: &str,
) -> Result<jiff::civil::Date, Diagnostic> {
    let datetime = value.get_ref();
    let invalid = || {
        Diagnostic::error(format!("`{key}` must be a date without time"))
            .at(source, shift(Some(value.span()), offset))
            .key(key)
            .hint("write a TOML local date such as 2025-04-01, without quotes")
    };
    if datetime.time.is_some() || datetime.offset.is_some() {
        return Err(invalid());
    }
    let d = datetime.date.ok_or_else(invalid)?;
    jiff::civil::Date::new(d.year as i16, d.month as i8, d.day as i8).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        title: String,
        inner: Option<Inner>,
    }
    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        size: u32,
    }
    const SCHEMA: Schema = Schema::Table(&[
        ("title", Schema::Value),
        ("inner", Schema::Table(&[("size", Schema::Value)])),
    ]);

    #[test]
    fn every_unknown_key_is_reported_with_a_suggestion() {
        let source = Source::new("x.toml", "titel = \"a\"\n[inner]\nsise = 1\n");
        let errors = parse::<Doc>(&source, SCHEMA).unwrap_err();
        let rendered: Vec<String> = errors.iter().map(|e| e.render(false)).collect();
        assert_eq!(errors.len(), 2, "{rendered:?}");
        assert!(rendered[0].contains("did you mean `title`?"));
        assert_eq!(errors[1].key.as_deref(), Some("inner.sise"));
        assert_eq!(errors[1].line_col(), Some((3, 1)));
    }

    #[test]
    fn missing_and_mistyped_keys_are_named() {
        let source = Source::new("x.toml", "[inner]\nsize = 1\n");
        let errors = parse::<Doc>(&source, SCHEMA).unwrap_err();
        assert_eq!(errors[0].message, "missing required key `title`");
        let source = Source::new("x.toml", "title = \"a\"\n[inner]\nsize = \"big\"\n");
        let errors = parse::<Doc>(&source, SCHEMA).unwrap_err();
        assert_eq!(errors[0].key.as_deref(), Some("size"));
        assert_eq!(errors[0].line_col(), Some((3, 8)));
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let source = Source::new("x.toml", "title = \"a\"\nsize = = 3\n");
        let errors = parse::<Doc>(&source, SCHEMA).unwrap_err();
        assert!(errors[0].message.starts_with("invalid TOML"));
        assert_eq!(errors[0].line_col().map(|(l, _)| l), Some(2));
    }
}
