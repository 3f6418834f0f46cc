//! Reading TOML written by users: syntax and type errors as diagnostics with
//! file, line and column, every unknown key reported with the nearest valid
//! key, and TOML dates turned into real dates.
//!
//! serde stops at the first problem in a document, so unknown keys are found
//! first by walking the spanned document against a [`Schema`], and each
//! wrong value serde meets is reported and left out before the rest is read
//! again; that way one run lists all of them.

use std::borrow::Cow;
use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue};
use toml::value::Datetime;

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
    /// A key that must be written, holding what the inner schema says.
    Required(&'static Schema),
}

impl Schema {
    /// What a key holds, and whether it must be written.
    pub fn unwrap_required(self) -> (Schema, bool) {
        match self {
            Schema::Required(inner) => (inner.unwrap_required().0, true),
            other => (other, false),
        }
    }
}

/// Parses `source` into `T`, reporting a syntax error, or every unknown key,
/// every value of a wrong type and every key missing that the schema marks
/// required.
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
    let mut walk = Walk::default();
    if let Schema::Table(keys) = schema {
        let top = Table {
            keys,
            path: "",
            part: None,
            span: None,
        };
        check_table(source, offset, document.get_ref(), &top, &mut walk);
    }
    // serde stops at the first wrong value: it is reported and left out,
    // and the rest read again. Each round leaves out one more part, so the
    // rounds end.
    let mut parsed = Some(document);
    // The text parsed before, so it parses again.
    while let Some(mut document) = parsed.take().or_else(|| DeTable::parse(text).ok()) {
        remove_parts(document.get_mut(), &walk.left_out);
        let error = match T::deserialize(toml::de::Deserializer::from(document)) {
            Ok(value) if walk.problems.is_empty() => return Ok(value),
            Ok(_) => break,
            Err(error) => error,
        };
        let message = error.message();
        if message.starts_with("unknown field") {
            // Reported by the schema walk, with a suggestion, unless there
            // is no schema.
            if walk.problems.is_empty() {
                walk.problems
                    .push(serde_error(source, &error, offset, None));
            }
            break;
        }
        if message.starts_with("missing field") {
            // Reported already by the schema walk, or explained by a key
            // written wrongly or left out for a wrong value. The table that
            // misses it is left out in turn, so that serde reads on.
            let field = between_backticks(message).unwrap_or_default();
            let mut tables = walk
                .explained
                .iter()
                .filter(|(key, _)| *key == field)
                .map(|(_, table)| *table)
                .peekable();
            if tables.peek().is_none() {
                walk.problems
                    .push(serde_error(source, &error, offset, None));
                break;
            }
            // Only the top table left: it cannot be left out.
            let Some(table) = tables.flatten().find(|t| !walk.left_out.contains(t)) else {
                break;
            };
            walk.left_out.push(table);
            if let Some((_, Some(key), holder)) = walk.tables.iter().find(|(t, ..)| *t == table) {
                walk.explained.push((key.clone(), *holder));
            }
            continue;
        }
        // The document serde read has parts left out; this one is whole.
        let Ok(fresh) = DeTable::parse(text) else {
            break;
        };
        let culprit = error
            .span()
            .and_then(|span| entry_at(fresh.get_ref(), span.start, "", None));
        let problem = serde_error(source, &error, offset, culprit.as_ref());
        walk.problems.push(problem);
        match culprit {
            Some(entry) if !walk.left_out.contains(&entry.start) => {
                walk.left_out.push(entry.start);
                walk.explained.push((entry.name.to_string(), entry.table));
            }
            _ => break,
        }
    }
    // Tables iterate in key order, and serde's rounds come after the walk;
    // report in file order.
    walk.problems
        .sort_by_key(|p| p.span.as_ref().map(|s| s.start));
    Err(walk.problems)
}

/// What reading a document against its schema found so far.
#[derive(Default)]
struct Walk {
    problems: Vec<Diagnostic>,
    /// The parts of the TOML left out of what serde reads next, by where
    /// they start: keys (with their values), and tables in arrays.
    left_out: Vec<usize>,
    /// Keys whose absence is reported already, each with the table that
    /// misses it (by where it starts as a part; `None` for the top table):
    /// keys reported missing, the keys an unknown key was probably meant to
    /// be, and keys left out for a wrong value.
    explained: Vec<(String, Option<usize>)>,
    /// The tables below the top one, by where they start as parts: their
    /// key (`None` for a table in an array) and the table they are in.
    tables: Vec<(usize, Option<String>, Option<usize>)>,
}

/// A table of the document as the schema walk sees it.
struct Table<'s> {
    /// The keys it may hold.
    keys: &'s [(&'static str, Schema)],
    /// Its key with the tables it is in (empty for the top table).
    path: &'s str,
    /// Where it starts as a part (see [`Walk::left_out`]), `None` for the
    /// top table.
    part: Option<usize>,
    /// Its span in the TOML, where a missing key is reported.
    span: Option<Range<usize>>,
}

/// Removes the parts that start at one of `starts` (see [`Walk::left_out`])
/// from `table` and every table inside it.
fn remove_parts(table: &mut DeTable<'_>, starts: &[usize]) {
    if starts.is_empty() {
        return;
    }
    let doomed: Vec<_> = table
        .iter()
        .filter(|(key, _)| starts.contains(&key.span().start))
        .map(|(key, _)| key.clone())
        .collect();
    for key in &doomed {
        table.remove(key);
    }
    for (_, value) in table.iter_mut() {
        match value.get_mut() {
            DeValue::Table(inner) => remove_parts(inner, starts),
            DeValue::Array(items) => {
                if items.iter().any(|item| starts.contains(&item.span().start)) {
                    // `DeArray` has no `retain`; its one flag matters only
                    // while parsing.
                    *items = std::mem::replace(items, toml::de::DeArray::new())
                        .into_iter()
                        .filter(|item| !starts.contains(&item.span().start))
                        .collect();
                }
                for item in items.iter_mut() {
                    if let DeValue::Table(inner) = item.get_mut() {
                        remove_parts(inner, starts);
                    }
                }
            }
            _ => {}
        }
    }
}

/// A key as messages name it: with the tables it is in (`table` is theirs,
/// empty for the top table).
fn key_path(table: &str, key: &str) -> String {
    if table.is_empty() {
        key.to_string()
    } else {
        format!("{table}.{key}")
    }
}

/// Where the key at `path` (`pagination.register`) is written in the TOML
/// `text`, from its spanned document: for checks made after serde, on
/// values that carry no span.
pub fn key_span(text: &str, path: &str) -> Option<Range<usize>> {
    let document = DeTable::parse(text).ok()?;
    let mut table = document.get_ref();
    let mut keys = path.split('.').peekable();
    while let Some(name) = keys.next() {
        let (key, value) = table.iter().find(|(key, _)| key.get_ref() == name)?;
        if keys.peek().is_none() {
            return Some(key.span());
        }
        let DeValue::Table(inner) = value.get_ref() else {
            return None;
        };
        table = inner;
    }
    None
}

/// A key-value entry of a document.
struct Entry<'t> {
    /// Where its key starts in the TOML.
    start: usize,
    /// The key.
    name: &'t str,
    /// The key with the tables it is in, as messages name keys
    /// (`measurement.target_group[1].fte`).
    path: String,
    /// The table it is in (see [`Walk::explained`]).
    table: Option<usize>,
    /// What its value is: `toml`'s name of the type (`datetime`, ...).
    kind: &'static str,
}

/// The entry, innermost first, whose value holds byte `at` of the TOML;
/// `path` and `part` are the table's own (empty and `None` for the top
/// table).
fn entry_at<'t>(
    table: &'t DeTable<'_>,
    at: usize,
    path: &str,
    part: Option<usize>,
) -> Option<Entry<'t>> {
    table.iter().find_map(|(key, value)| {
        let name: &str = key.get_ref().as_ref();
        let full = key_path(path, name);
        // A `[table]`'s span need not hold its keys: look inside first.
        let inner = match value.get_ref() {
            DeValue::Table(inner) => entry_at(inner, at, &full, Some(key.span().start)),
            DeValue::Array(items) => items.iter().enumerate().find_map(|(index, item)| match item
                .get_ref()
            {
                DeValue::Table(inner) => entry_at(
                    inner,
                    at,
                    &format!("{full}[{index}]"),
                    Some(item.span().start),
                ),
                _ => None,
            }),
            _ => None,
        };
        inner.or_else(|| {
            value.span().contains(&at).then(|| Entry {
                start: key.span().start,
                name,
                path: full,
                table: part,
                kind: value.get_ref().type_str(),
            })
        })
    })
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

/// serde's error as a diagnostic; `entry` is the entry it is about, when
/// the caller found it (else the key written on the error's line is named).
fn serde_error(
    source: &Source,
    error: &toml::de::Error,
    offset: usize,
    entry: Option<&Entry<'_>>,
) -> Diagnostic {
    let message = first_line(error.message());
    let span = shift(error.span(), offset);
    let key = match entry {
        Some(entry) => Some(entry.path.clone()),
        None => span.as_ref().and_then(|s| key_at(&source.text, s.clone())),
    };
    let mut diagnostic = if let Some(field) =
        between_backticks(&message).filter(|_| message.starts_with("missing field"))
    {
        Diagnostic::error(format!("missing required key `{field}`"))
            .hint(format!("add `{field} = ...` to this table"))
            .key(field)
    } else {
        let kind = entry.map(|entry| entry.kind);
        let mut d = match plain_type_error(&message, key.as_deref(), kind) {
            Some((message, hint)) => Diagnostic::error(message).hint(hint),
            None if message.starts_with("invalid type") => Diagnostic::error(message).hint(
                "check the value's type: strings in quotes, numbers without, dates as YYYY-MM-DD",
            ),
            None => Diagnostic::error(message),
        };
        if let Some(key) = key {
            d = d.key(key);
        }
        d
    };
    diagnostic = diagnostic.at(source, span);
    diagnostic
}

/// serde's "invalid type: X, expected Y" (and "invalid value: ..."), which
/// speaks of `i64` and `f64`, in the words of a TOML file: the message and
/// a hint with an example. `kind` is what the value is, when known (serde
/// sees a date as a table). `None` for any other message.
fn plain_type_error(
    message: &str,
    key: Option<&str>,
    kind: Option<&str>,
) -> Option<(String, String)> {
    let (problem, rest) = message.split_once(": ")?;
    if problem != "invalid type" && problem != "invalid value" {
        return None;
    }
    let (found, expected) = rest.rsplit_once(", expected ")?;
    // What is expected, and how it is written (`{}`: the key).
    let (wanted, example) = match expected {
        "i8" | "i16" | "i32" | "i64" => ("a whole number", "{} = 54"),
        "u8" | "u16" | "u32" | "u64" | "usize" => ("a whole number, 0 or more", "{} = 54"),
        "f32" | "f64" => ("a number", "{} = 46.2"),
        "a string" => ("text in double quotes", "{} = \"...\""),
        "a TOML datetime" => ("a date", "{} = 2025-04-01, without quotes"),
        "a boolean" => ("true or false", "{} = true, without quotes"),
        "a map" => ("a table", "a `[{}]` header with its keys below it"),
        "a sequence" => ("a list", "a `[[{}]]` table for each row"),
        other if other.starts_with("struct ") => {
            ("a table", "a `[{}]` header with its keys below it")
        }
        _ => return None,
    };
    let quoted = |s: &str| s.trim_matches('`').to_string();
    let found = match found.split_once(' ') {
        Some(("string", text)) => format!("the text {text}"),
        Some(("integer", n)) => format!("the whole number {}", quoted(n)),
        Some(("floating", point)) => {
            format!("the number {}", quoted(point.trim_start_matches("point ")))
        }
        Some(("boolean", b)) => quoted(b),
        _ => match found {
            "map" if kind == Some("datetime") => "a date".to_string(),
            "map" => "a table".to_string(),
            "sequence" => "a list".to_string(),
            other => other.to_string(),
        },
    };
    Some(match key {
        Some(key) => {
            // The example names the key as it is written in its table.
            let leaf = key.rsplit('.').next().unwrap_or(key);
            let leaf = if example.contains("`[") { key } else { leaf };
            (
                format!("{problem}: `{key}` must be {wanted}, found {found}"),
                format!("write {}", example.replace("{}", leaf)),
            )
        }
        None => (
            format!("{problem}: expected {wanted}, found {found}"),
            format!("write {}", example.replace("{}", "key")),
        ),
    })
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

/// Reports the unknown keys of `table` and of the tables inside it, and the
/// required keys they miss.
fn check_table(
    source: &Source,
    offset: usize,
    table: &DeTable<'_>,
    here: &Table<'_>,
    walk: &mut Walk,
) {
    let full = |name: &str| key_path(here.path, name);
    // The keys an unknown key here was probably meant to be.
    let mut meant = Vec::new();
    for (key, value) in table.iter() {
        let name = key.get_ref().as_ref();
        let Some((_, schema)) = here.keys.iter().find(|(k, _)| *k == name) else {
            let valid = here.keys.iter().map(|(k, _)| *k);
            let hint = match nearest(name, valid.clone()) {
                Some(near) => {
                    meant.push(near);
                    walk.explained.push((near.to_string(), here.part));
                    format!("did you mean `{near}`?")
                }
                None => format!("valid keys here are {}", list_keys(valid)),
            };
            walk.problems.push(
                Diagnostic::error(format!("unknown key `{}`", full(name)))
                    .at(source, shift(Some(key.span()), offset))
                    .key(full(name))
                    .hint(hint),
            );
            walk.left_out.push(key.span().start);
            continue;
        };
        match (schema.unwrap_required().0, value.get_ref()) {
            (Schema::Table(keys), DeValue::Table(inner)) => {
                let part = key.span().start;
                walk.tables.push((part, Some(name.to_string()), here.part));
                let inner_table = Table {
                    keys,
                    path: &full(name),
                    part: Some(part),
                    span: Some(value.span()),
                };
                check_table(source, offset, inner, &inner_table, walk);
            }
            (Schema::ArrayOfTables(keys), DeValue::Array(items)) => {
                for (index, item) in items.iter().enumerate() {
                    if let DeValue::Table(inner) = item.get_ref() {
                        let part = item.span().start;
                        walk.tables.push((part, None, here.part));
                        let inner_table = Table {
                            keys,
                            path: &format!("{}[{index}]", full(name)),
                            part: Some(part),
                            span: Some(item.span()),
                        };
                        check_table(source, offset, inner, &inner_table, walk);
                    }
                }
            }
            _ => {}
        }
    }
    for (name, schema) in here.keys {
        let (inner, required) = schema.unwrap_required();
        if !required || meant.contains(name) || table.iter().any(|(key, _)| key.get_ref() == name) {
            continue;
        }
        let hint = match (inner, here.part) {
            (Schema::Table(_), _) => format!("add a `[{}]` table", full(name)),
            (Schema::ArrayOfTables(_), _) => format!("add a `[[{}]]` table", full(name)),
            (_, None) => format!("add `{name} = ...` above the first `[table]` header"),
            (_, Some(_)) => format!("add `{name} = ...` to this table"),
        };
        walk.problems.push(
            Diagnostic::error(format!("missing required key `{}`", full(name)))
                .at(source, shift(here.span.clone(), offset))
                .key(full(name))
                .hint(hint),
        );
        walk.explained.push((name.to_string(), here.part));
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

/// A value of the small TOML subset that [`Lines`] reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar<'a> {
    /// A basic, multi-line basic or literal string, borrowed unless it had
    /// escapes.
    Str(Cow<'a, str>),
    /// A decimal integer.
    Int(i64),
    /// A decimal float without exponent.
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// A local date (`2025-04-01`), checked to exist.
    Date(Datetime),
}

/// One meaningful line of a document read by [`Lines`].
#[derive(Debug, Clone, PartialEq)]
pub enum Line<'a> {
    /// `[name]` (`array` false) or `[[name]]` (`array` true); `name` may be
    /// dotted (`measurement.purchases`).
    Table { name: &'a str, array: bool },
    /// `key = value`, with the value's byte span (what `toml` gives a
    /// `Spanned` value).
    Pair {
        key: &'a str,
        value: Scalar<'a>,
        span: Range<usize>,
    },
}

/// The document is outside the subset [`Lines`] reads (which says nothing
/// about its validity): read it with [`parse`] instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutsideSubset;

/// A fast reader for the plain TOML that records are written in, for the
/// fast path of a loader: bare keys, `[table]` and `[[array]]` headers
/// without spaces or quotes, comments, and values that are strings (basic
/// with the escapes `\" \\ \n \t \r \b \f`, single-line literal, multi-line
/// basic), decimal integers, decimal floats without exponent or
/// underscores, booleans and local dates.
///
/// It never misreads: whatever it accepts, `toml` reads as the same keys,
/// values and value spans. Anything else, valid TOML or not, gives
/// [`OutsideSubset`], and the caller falls back to [`parse`], which reports
/// problems with all their detail. It checks neither keys against a schema
/// nor duplicates: that is the caller's part.
pub struct Lines<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lines<'a> {
    /// A reader at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        Lines { text, pos: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    fn skip_blanks(&mut self) {
        while let Some(b' ' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    /// After a header or value: blanks, an optional comment, then a newline
    /// or the end.
    fn end_of_line(&mut self) -> Result<(), OutsideSubset> {
        self.skip_blanks();
        if self.peek() == Some(b'#') {
            self.comment()?;
        }
        self.newline()
    }

    fn newline(&mut self) -> Result<(), OutsideSubset> {
        match self.peek() {
            None => Ok(()),
            Some(b'\n') => {
                self.pos += 1;
                Ok(())
            }
            Some(b'\r') if self.bytes().get(self.pos + 1) == Some(&b'\n') => {
                self.pos += 2;
                Ok(())
            }
            Some(_) => Err(OutsideSubset),
        }
    }

    /// From `#` to the end of the line (not included).
    fn comment(&mut self) -> Result<(), OutsideSubset> {
        let bytes = self.bytes();
        loop {
            self.pos += plain_run(&bytes[self.pos..], &[]);
            let Some(&b) = bytes.get(self.pos) else {
                break;
            };
            match b {
                // `newline` then accepts only "\n" and "\r\n".
                b'\n' | b'\r' => return Ok(()),
                b'\t' => {}
                0..=0x1f | 0x7f => return Err(OutsideSubset),
                _ => {}
            }
            self.pos += 1;
        }
        Ok(())
    }

    /// The next header or key/value pair; `None` at the end.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Line<'a>>, OutsideSubset> {
        let bytes = self.bytes();
        loop {
            self.skip_blanks();
            match self.peek() {
                None => return Ok(None),
                Some(b'\n' | b'\r') => self.newline()?,
                Some(b'#') => {
                    self.comment()?;
                    self.newline()?;
                }
                Some(b'[') => {
                    let array = bytes.get(self.pos + 1) == Some(&b'[');
                    self.pos += 1 + usize::from(array);
                    let start = self.pos;
                    while let Some(b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-' | b'.') =
                        self.peek()
                    {
                        self.pos += 1;
                    }
                    let name = &self.text[start..self.pos];
                    let dots_ok = !name.is_empty()
                        && !name.starts_with('.')
                        && !name.ends_with('.')
                        && !name.contains("..");
                    let close: &[u8] = if array { b"]]" } else { b"]" };
                    if !dots_ok || !bytes[self.pos..].starts_with(close) {
                        return Err(OutsideSubset);
                    }
                    self.pos += close.len();
                    self.end_of_line()?;
                    return Ok(Some(Line::Table { name, array }));
                }
                Some(b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-') => {
                    let start = self.pos;
                    while let Some(b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-') =
                        self.peek()
                    {
                        self.pos += 1;
                    }
                    let key = &self.text[start..self.pos];
                    self.skip_blanks();
                    if self.peek() != Some(b'=') {
                        return Err(OutsideSubset);
                    }
                    self.pos += 1;
                    self.skip_blanks();
                    let value_start = self.pos;
                    let value = self.value()?;
                    let span = value_start..self.pos;
                    // A comment right after a number, boolean or date
                    // (`1#`): not worth knowing how `toml` reads that.
                    if !matches!(value, Scalar::Str(_)) && self.peek() == Some(b'#') {
                        return Err(OutsideSubset);
                    }
                    self.end_of_line()?;
                    return Ok(Some(Line::Pair { key, value, span }));
                }
                Some(_) => return Err(OutsideSubset),
            }
        }
    }

    fn value(&mut self) -> Result<Scalar<'a>, OutsideSubset> {
        let rest = &self.bytes()[self.pos..];
        match rest.first() {
            Some(b'"') if rest.starts_with(b"\"\"\"") => {
                self.pos += 3;
                // A newline right after the delimiter is not part of the string.
                if self.peek() == Some(b'\n') {
                    self.pos += 1;
                }
                self.string(true)
            }
            Some(b'"') => {
                self.pos += 1;
                self.string(false)
            }
            Some(b'\'') if !rest.starts_with(b"'''") => {
                self.pos += 1;
                let start = self.pos;
                loop {
                    match self.peek() {
                        Some(b'\'') => break,
                        None | Some(0..=0x08 | 0x0a..=0x1f | 0x7f) => return Err(OutsideSubset),
                        Some(_) => self.pos += 1,
                    }
                }
                let value = &self.text[start..self.pos];
                self.pos += 1;
                Ok(Scalar::Str(Cow::Borrowed(value)))
            }
            Some(b't') if rest.starts_with(b"true") => {
                self.pos += 4;
                Ok(Scalar::Bool(true))
            }
            Some(b'f') if rest.starts_with(b"false") => {
                self.pos += 5;
                Ok(Scalar::Bool(false))
            }
            Some(b'0'..=b'9') if is_date(rest) => self.date(),
            Some(b'0'..=b'9' | b'-') => self.number(),
            _ => Err(OutsideSubset),
        }
    }

    /// A basic string after its opening quote, or a multi-line basic one
    /// after its opening `"""` (and newline).
    fn string(&mut self, multi_line: bool) -> Result<Scalar<'a>, OutsideSubset> {
        let bytes = self.bytes();
        let start = self.pos;
        let mut owned: Option<String> = None;
        let mut copied = start;
        loop {
            self.pos += plain_run(&bytes[self.pos..], b"\"\\");
            let b = *bytes.get(self.pos).ok_or(OutsideSubset)?;
            match b {
                b'"' if !multi_line => break,
                b'"' if bytes[self.pos..].starts_with(b"\"\"\"") => {
                    // Quotes right before the closing delimiter belong to
                    // the string: leave those to the full parser.
                    if bytes.get(self.pos + 3) == Some(&b'"') {
                        return Err(OutsideSubset);
                    }
                    break;
                }
                b'\\' => {
                    // Short escapes only: no line-ending backslash, no
                    // `\u`, `\x` or `\e`.
                    let owned = owned.get_or_insert_with(String::new);
                    owned.push_str(&self.text[copied..self.pos]);
                    owned.push(escape(bytes.get(self.pos + 1).copied())?);
                    self.pos += 2;
                    copied = self.pos;
                    continue;
                }
                b'\n' if multi_line => {}
                0..=0x08 | 0x0a..=0x1f | 0x7f => return Err(OutsideSubset),
                _ => {}
            }
            self.pos += 1;
        }
        let value = match owned {
            None => Cow::Borrowed(&self.text[start..self.pos]),
            Some(mut owned) => {
                owned.push_str(&self.text[copied..self.pos]);
                Cow::Owned(owned)
            }
        };
        self.pos += if multi_line { 3 } else { 1 };
        Ok(Scalar::Str(value))
    }

    /// `YYYY-MM-DD` of a day that exists, not followed by a time.
    fn date(&mut self) -> Result<Scalar<'a>, OutsideSubset> {
        let b = &self.bytes()[self.pos..];
        let digits = |range: Range<usize>| {
            b[range]
                .iter()
                .fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'))
        };
        let (year, month, day) = (digits(0..4), digits(5..7), digits(8..10));
        // A time may follow after `T`, `t` or a space: leave that, and any
        // other continuation, to the full parser.
        match b.get(10) {
            None | Some(b'\n' | b'\r' | b'#' | b'\t') => {}
            Some(b' ') if !b.get(11).is_some_and(u8::is_ascii_digit) => {}
            Some(_) => return Err(OutsideSubset),
        }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(OutsideSubset),
        };
        if day < 1 || day > days {
            return Err(OutsideSubset);
        }
        self.pos += 10;
        Ok(Scalar::Date(Datetime {
            date: Some(toml::value::Date {
                year: year as u16,
                month: month as u8,
                day: day as u8,
            }),
            time: None,
            offset: None,
        }))
    }

    /// `-?` digits without a leading zero, then optionally `.` and digits.
    fn number(&mut self) -> Result<Scalar<'a>, OutsideSubset> {
        let bytes = self.bytes();
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits_start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        let int_digits = self.pos - digits_start;
        if int_digits == 0 || (int_digits > 1 && bytes[digits_start] == b'0') {
            return Err(OutsideSubset);
        }
        if self.peek() != Some(b'.') {
            let value = self.text[start..self.pos]
                .parse()
                .map_err(|_| OutsideSubset)?;
            return Ok(Scalar::Int(value));
        }
        self.pos += 1;
        let fraction_start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        if self.pos == fraction_start {
            return Err(OutsideSubset);
        }
        let value: f64 = self.text[start..self.pos]
            .parse()
            .map_err(|_| OutsideSubset)?;
        Ok(Scalar::Float(value))
    }
}

/// How many bytes at the start of `bytes` are plain text: not a control
/// character (below 0x20, or DEL) and none of `stops`. Eight bytes at a
/// time: a string or comment is mostly such bytes, and the readers' loops
/// then look only at the bytes that end a run.
fn plain_run(bytes: &[u8], stops: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `w` below `n` (n <= 0x80). Borrows only
    // carry upwards, so the lowest flagged byte is always a true one.
    let below = |w: u64, n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w & HIGHS;
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let w = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        let mut found = below(w, 0x20) | below(w ^ (ONES * 0x7f), 1);
        for &stop in stops {
            found |= below(w ^ (ONES * u64::from(stop)), 1);
        }
        if found != 0 {
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + bytes[at..]
        .iter()
        .position(|&b| b < 0x20 || b == 0x7f || stops.contains(&b))
        .unwrap_or(bytes.len() - at)
}

/// The character of a short escape (the byte after the backslash).
fn escape(b: Option<u8>) -> Result<char, OutsideSubset> {
    Ok(match b.ok_or(OutsideSubset)? {
        b'"' => '"',
        b'\\' => '\\',
        b'n' => '\n',
        b't' => '\t',
        b'r' => '\r',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        _ => return Err(OutsideSubset),
    })
}

/// Whether `b` starts with `DDDD-DD-DD`.
fn is_date(b: &[u8]) -> bool {
    b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
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
        assert_eq!(errors[0].key.as_deref(), Some("inner.size"));
        assert_eq!(errors[0].line_col(), Some((3, 8)));
    }

    #[test]
    fn every_wrong_value_is_reported_and_a_misspelt_key_is_not_missing_too() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Record {
            name: String,
            city: String,
            size: u32,
            rows: Vec<Row>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Row {
            fte: f64,
        }
        const ROW: &[(&str, Schema)] = &[("fte", Schema::Value)];
        const RECORD: Schema = Schema::Table(&[
            ("name", Schema::Value),
            ("city", Schema::Value),
            ("size", Schema::Value),
            ("rows", Schema::ArrayOfTables(ROW)),
        ]);
        // Line 2 misspells `city`; lines 3, 5 and 7 hold values of the
        // wrong type, the last in the second row of a table array.
        let text = "name = \"a\"\ncitty = \"b\"\nsize = \"big\"\n[[rows]]\nfte = \"x\"\n[[rows]]\nfte = true\n";
        let errors = parse::<Record>(&Source::new("x.toml", text), RECORD).unwrap_err();
        let found: Vec<(Option<(usize, usize)>, &str)> = errors
            .iter()
            .map(|e| (e.line_col(), e.message.as_str()))
            .collect();
        assert_eq!(found.len(), 4, "{found:?}");
        assert_eq!(found[0], (Some((2, 1)), "unknown key `citty`"));
        let expected = [
            (
                3,
                "size",
                "a whole number, 0 or more, found the text \"big\"",
            ),
            (5, "rows[0].fte", "a number, found the text \"x\""),
            (7, "rows[1].fte", "a number, found true"),
        ];
        for (error, (line, key, what)) in errors[1..].iter().zip(expected) {
            assert_eq!(error.line_col().map(|(l, _)| l), Some(line), "{found:?}");
            assert_eq!(error.key.as_deref(), Some(key));
            assert_eq!(
                error.message,
                format!("invalid type: `{key}` must be {what}")
            );
        }
        assert_eq!(errors[1].hint.as_deref(), Some("write size = 54"));
        assert_eq!(errors[2].hint.as_deref(), Some("write fte = 46.2"));
        // Without the misspelt key, the missing one is reported, after the
        // wrong values.
        let text = text.replace("citty = \"b\"\n", "");
        let errors = parse::<Record>(&Source::new("x.toml", text.as_str()), RECORD).unwrap_err();
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(
            messages.contains(&"missing required key `city`"),
            "{messages:?}"
        );
    }

    #[test]
    fn a_plain_run_ends_at_the_first_control_character_or_stop() {
        let slow = |bytes: &[u8], stops: &[u8]| {
            bytes
                .iter()
                .position(|&b| b < 0x20 || b == 0x7f || stops.contains(&b))
                .unwrap_or(bytes.len())
        };
        let stops: &[&[u8]] = &[b"", b"\"\\"];
        let specials = [
            0u8, 9, 10, 13, 0x1f, 0x20, b'"', b'\\', 0x7e, 0x7f, 0x80, 0xc3, 0xff,
        ];
        for len in 0..20 {
            for at in 0..len {
                for &special in &specials {
                    for &other in &[b'a', 0x80, 0xff, b'"'] {
                        let mut bytes = vec![b'x'; len];
                        bytes[at] = special;
                        if at + 1 < len {
                            bytes[at + 1] = other;
                        }
                        for stop in stops {
                            assert_eq!(
                                plain_run(&bytes, stop),
                                slow(&bytes, stop),
                                "{bytes:?} {stop:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let source = Source::new("x.toml", "title = \"a\"\nsize = = 3\n");
        let errors = parse::<Doc>(&source, SCHEMA).unwrap_err();
        assert!(errors[0].message.starts_with("invalid TOML"));
        assert_eq!(errors[0].line_col().map(|(l, _)| l), Some(2));
    }
}
