//! Diagnostics: the errors and warnings of a run, collected together and
//! reported like rustc does (what is wrong, where, and a hint).
//!
//! Every stage of the pipeline pushes into a [`Diagnostics`] instead of
//! stopping at the first problem, so that one run shows the user everything
//! that needs fixing.

use std::fmt::Write as _;
use std::ops::Range;
use std::sync::Arc;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Config};
use serde::Serialize;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Stops the build.
    Error,
    /// Reported; an error under `--strict`.
    Warning,
}

/// A source file that diagnostics point into, shared between them.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path shown to the user, relative to the site root where possible.
    pub name: String,
    /// The full text of the file.
    pub text: Arc<str>,
}

impl Source {
    /// A source with the given display name and text.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }

    /// One-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// One error or warning.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// One short sentence saying what is wrong.
    pub message: String,
    /// The file it is about, if any.
    pub file: Option<String>,
    /// The file's text, for showing the offending line.
    source: Option<Arc<str>>,
    /// Byte range in the file.
    pub span: Option<Range<usize>>,
    /// The key involved, as a dotted path (`certificate.expires`).
    pub key: Option<String>,
    /// What would be valid.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error with a message and nothing else yet.
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            file: None,
            source: None,
            span: None,
            key: None,
            hint: None,
        }
    }

    /// A warning with a message and nothing else yet.
    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    /// Names the file, without pointing at a place in it.
    pub fn in_file(mut self, name: impl Into<String>) -> Self {
        self.file = Some(name.into());
        self
    }

    /// Points at a span of a source file.
    pub fn at(mut self, source: &Source, span: Option<Range<usize>>) -> Self {
        self.file = Some(source.name.clone());
        self.source = Some(source.text.clone());
        self.span = span;
        self
    }

    /// Names the key involved.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Adds a hint saying what would be valid.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// One-based line and column, when the diagnostic points into a file.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        let (text, span) = (self.source.as_ref()?, self.span.as_ref()?);
        let source = Source {
            name: String::new(),
            text: text.clone(),
        };
        Some(source.line_col(span.start))
    }

    /// Renders the diagnostic as text, with the offending line when known.
    pub fn render(&self, color: bool) -> String {
        let severity = match self.severity {
            Severity::Error => codespan_reporting::diagnostic::Severity::Error,
            Severity::Warning => codespan_reporting::diagnostic::Severity::Warning,
        };
        let mut notes = Vec::new();
        if let Some(key) = &self.key {
            notes.push(format!("key: {key}"));
        }
        if let Some(hint) = &self.hint {
            notes.push(format!("help: {hint}"));
        }
        let mut out = String::new();
        match (&self.file, &self.source, &self.span) {
            (Some(file), Some(text), Some(span)) => {
                let files = SimpleFile::new(file.as_str(), text.as_ref());
                let start = floor_char_boundary(text, span.start.min(text.len()));
                let end = floor_char_boundary(text, span.end.min(text.len())).max(start);
                let diagnostic = CsDiagnostic::new(severity)
                    .with_message(&self.message)
                    .with_labels(vec![Label::primary((), start..end)])
                    .with_notes(notes.clone());
                let config = Config::default();
                if color {
                    let mut buffer = term::termcolor::Buffer::ansi();
                    if term::emit_to_write_style(&mut buffer, &config, &files, &diagnostic).is_ok()
                    {
                        return String::from_utf8_lossy(buffer.as_slice()).into_owned();
                    }
                } else if term::emit_to_string(&mut out, &config, &files, &diagnostic).is_ok() {
                    return out;
                }
                out.clear();
                self.render_plain(&mut out, &notes);
            }
            _ => self.render_plain(&mut out, &notes),
        }
        out
    }

    fn render_plain(&self, out: &mut String, notes: &[String]) {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{label}: {}", self.message);
        if let Some(file) = &self.file {
            let _ = writeln!(out, "  --> {file}");
        }
        for note in notes {
            let _ = writeln!(out, "  = {note}");
        }
        out.push('\n');
    }

    /// The machine-readable form used by `--format json`.
    pub fn to_json(&self) -> serde_json::Value {
        let (line, column) = self.line_col().unzip();
        serde_json::json!({
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "line": line,
            "column": column,
            "key": self.key,
            "hint": self.hint,
        })
    }
}

/// All diagnostics of a run.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty collection.
    pub fn new() -> Self {
        Diagnostics::default()
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Adds all diagnostics of another collection.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// Whether any error was reported (warnings count under `strict`).
    pub fn has_errors(&self, strict: bool) -> bool {
        self.items
            .iter()
            .any(|d| d.severity == Severity::Error || strict)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.count(Severity::Error)
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    /// Every diagnostic, errors first, then by file and position, so that
    /// output is deterministic whatever order the stages ran in.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut items: Vec<&Diagnostic> = self.items.iter().collect();
        items.sort_by(|a, b| {
            (
                a.severity,
                &a.file,
                a.span.as_ref().map(|s| s.start),
                &a.message,
            )
                .cmp(&(
                    b.severity,
                    &b.file,
                    b.span.as_ref().map(|s| s.start),
                    &b.message,
                ))
        });
        items
    }

    /// Whether nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Renders every diagnostic, ready for standard error.
    pub fn render(&self, color: bool) -> String {
        self.sorted().iter().map(|d| d.render(color)).collect()
    }

    /// The machine-readable list used by `--format json`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Array(self.sorted().iter().map(|d| d.to_json()).collect())
    }
}

/// The candidate nearest to `word`, if one is close enough to be a likely
/// typo (used for "did you mean" hints).
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word_lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&word_lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// "`a`, `b` or `c`": a list of valid keys for a hint.
pub fn list_keys<'a>(keys: impl IntoIterator<Item = &'a str>) -> String {
    let keys: Vec<String> = keys.into_iter().map(|k| format!("`{k}`")).collect();
    match keys.len() {
        0 => String::new(),
        1 => keys[0].clone(),
        n => format!("{} or {}", keys[..n - 1].join(", "), keys[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let source = Source::new("a.toml", "x = 1\nname = \"é\"\nkvk = 2\n");
        assert_eq!(source.line_col(0), (1, 1));
        assert_eq!(source.line_col(6), (2, 1));
        let kvk = source.text.find("kvk").unwrap();
        assert_eq!(source.line_col(kvk), (3, 1));
    }

    #[test]
    fn rendering_names_file_line_key_and_hint() {
        let source = Source::new("content/organisations/a.toml", "name = 1\nkvkk = \"1\"\n");
        let d = Diagnostic::error("unknown key `kvkk`")
            .at(&source, Some(9..13))
            .key("kvkk")
            .hint("did you mean `kvk`?");
        let text = d.render(false);
        assert!(text.contains("error: unknown key `kvkk`"), "{text}");
        assert!(text.contains("content/organisations/a.toml:2:1"), "{text}");
        assert!(text.contains("help: did you mean `kvk`?"), "{text}");
        assert_eq!(d.to_json()["line"], 2);
    }

    #[test]
    fn nearest_suggests_close_keys_only() {
        assert_eq!(nearest("titel", ["title", "base_url"]), Some("title"));
        assert_eq!(nearest("zzz", ["title", "base_url"]), None);
    }

    #[test]
    fn strict_turns_warnings_into_errors() {
        let mut all = Diagnostics::new();
        all.push(Diagnostic::warning("w"));
        assert!(!all.has_errors(false));
        assert!(all.has_errors(true));
    }
}
