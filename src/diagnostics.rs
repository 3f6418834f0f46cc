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
/// typo (used for "did you mean" hints): the highest Jaro-Winkler
/// similarity of the lowercased strings above 0.8, the last of equals.
///
/// For many words against one long list, [`Nearest`] gives the same
/// answers without comparing each word with every candidate.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word_lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&word_lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// [`nearest`] over a list of candidates prepared once, for many words
/// (an unknown supplier id against every id of the registry).
///
/// Each candidate keeps a count of its characters. How many characters two
/// strings have in common bounds their Jaro similarity from above (Jaro
/// counts matching characters), so a candidate whose bound cannot reach the
/// best score found so far is never compared in full. The candidate with
/// the highest bound is compared first: the best score is then usually
/// known at once and almost every other candidate is skipped. The answers
/// are exactly those of [`nearest`] (a test compares the two).
#[derive(Debug)]
pub struct Nearest<'a> {
    candidates: Vec<Prepared<'a>>,
}

#[derive(Debug)]
struct Prepared<'a> {
    original: &'a str,
    lower: std::borrow::Cow<'a, str>,
    /// Characters of `lower`, per [`char_class`]; `None` when a count does
    /// not fit in a byte (no bound, always compared).
    counts: Option<CharCounts>,
    chars: usize,
}

/// Characters counted by class; two strings have at most
/// `sum of min(count)` characters in common.
type CharCounts = [u8; 64];

/// The class of a (lowercased) character: letters, digits, `-` and `_`
/// each their own, other ASCII characters shared by a few, every other
/// character one class. Sharing a class only loosens the bound.
fn char_class(c: char) -> usize {
    match c {
        'a'..='z' => c as usize - 'a' as usize,
        '0'..='9' => 26 + (c as usize - '0' as usize),
        '-' => 36,
        '_' => 37,
        _ if c.is_ascii() => 38 + c as usize % 25,
        _ => 63,
    }
}

fn char_counts(text: &str) -> (Option<CharCounts>, usize) {
    let mut counts = [0u8; 64];
    let mut chars = 0;
    let mut fits = true;
    for c in text.chars() {
        chars += 1;
        let count = &mut counts[char_class(c)];
        match count.checked_add(1) {
            Some(n) => *count = n,
            None => fits = false,
        }
    }
    (fits.then_some(counts), chars)
}

fn lowercase(text: &str) -> std::borrow::Cow<'_, str> {
    if text
        .bytes()
        .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
    {
        std::borrow::Cow::Owned(text.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

impl<'a> Nearest<'a> {
    /// Prepares `candidates`, in the order [`nearest`] would see them.
    pub fn new(candidates: impl IntoIterator<Item = &'a str>) -> Self {
        let candidates = candidates
            .into_iter()
            .map(|original| {
                let lower = lowercase(original);
                let (counts, chars) = char_counts(&lower);
                Prepared {
                    original,
                    lower,
                    counts,
                    chars,
                }
            })
            .collect();
        Nearest { candidates }
    }

    /// What [`nearest`] gives for `word` and these candidates.
    pub fn nearest(&self, word: &str) -> Option<&'a str> {
        let word_lower = word.to_lowercase();
        let (word_counts, word_chars) = char_counts(&word_lower);
        let prefix: Vec<char> = word_lower.chars().take(4).collect();
        // An upper bound of each candidate's score (`None`: not bounded).
        let bounds: Vec<Option<f64>> = self
            .candidates
            .iter()
            .map(|c| {
                let (Some(a), Some(b)) = (&word_counts, &c.counts) else {
                    return None;
                };
                let common: u32 = a.iter().zip(b).map(|(x, y)| u32::from(*x.min(y))).sum();
                Some(score_bound(
                    common as usize,
                    word_chars,
                    c.chars,
                    &prefix,
                    &c.lower,
                ))
            })
            .collect();
        let score = |i: usize| strsim::jaro_winkler(&word_lower, &self.candidates[i].lower);
        // (score, index) of the best so far; the first guess is the
        // candidate with the highest bound.
        let mut best: Option<(f64, usize)> = None;
        let first = bounds
            .iter()
            .enumerate()
            .filter_map(|(i, b)| b.map(|b| (b, i)))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, i)) = first {
            let s = score(i);
            if s > 0.8 {
                best = Some((s, i));
            }
        }
        for (i, bound) in bounds.iter().enumerate() {
            // The bound carries a margin for the rounding of the score's
            // last steps; a candidate that may equal the best is compared,
            // as the later of equal scores wins.
            if let Some(bound) = bound {
                let beaten = match best {
                    Some((best, _)) => bound + 1e-9 < best,
                    None => bound + 1e-9 <= 0.8,
                };
                if beaten {
                    continue;
                }
            }
            if best.is_some_and(|(_, b)| b == i) {
                continue;
            }
            let s = score(i);
            if s > 0.8 && best.is_none_or(|(b, at)| s > b || (s == b && i > at)) {
                best = Some((s, i));
            }
        }
        best.map(|(_, i)| self.candidates[i].original)
    }
}

/// The highest Jaro-Winkler score (as [`strsim::jaro_winkler`] computes
/// it, up to rounding) of two strings of `a_chars` and `b_chars`
/// characters with at most `common` characters in common; `prefix` is the
/// first four characters of the word, `b` the candidate.
fn score_bound(common: usize, a_chars: usize, b_chars: usize, prefix: &[char], b: &str) -> f64 {
    if a_chars == 0 || b_chars == 0 {
        return if a_chars == b_chars { 1.0 } else { 0.0 };
    }
    let m = common.min(a_chars).min(b_chars);
    if m == 0 {
        return 0.0;
    }
    // Jaro with `m` matches and no transpositions, its largest value.
    let jaro = (m as f64 / a_chars as f64 + m as f64 / b_chars as f64 + 1.0) / 3.0;
    if jaro <= 0.7 {
        return jaro;
    }
    let prefix_length = prefix
        .iter()
        .zip(b.chars())
        .take_while(|(x, y)| *x == y)
        .count();
    jaro + 0.1 * prefix_length as f64 * (1.0 - jaro)
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
    fn the_prepared_index_suggests_what_nearest_suggests() {
        use proptest::prelude::*;
        // Short strings over a small alphabet: many near misses and many
        // equal scores (where the last candidate wins).
        let word = "[abcdeé-]{0,9}|[a-e]{3}-[a-e]{2,4}";
        let config = ProptestConfig::with_cases(2000);
        proptest!(config, |(word in word, mut candidates in prop::collection::vec(word, 0..40), pick in 0usize..40)| {
            // Near misses of a candidate: a typo and one in capitals.
            if let Some(c) = candidates.get(pick % candidates.len().max(1)).cloned() {
                candidates.push(format!("{c}x"));
                candidates.push(c.to_uppercase());
                candidates.push(c);
            }
            let index = Nearest::new(candidates.iter().map(String::as_str));
            for w in [word.as_str(), candidates.last().map_or("", String::as_str)] {
                prop_assert_eq!(index.nearest(w), nearest(w, candidates.iter().map(String::as_str)), "{}", w);
            }
        });
        let ids = ["schoonmaak-de-ster", "schoonmaak-de-sterk", "groen-twee"];
        let index = Nearest::new(ids);
        assert_eq!(
            index.nearest("schoonmaak-de-str"),
            Some("schoonmaak-de-ster")
        );
        assert_eq!(index.nearest("zzz"), None);
    }

    #[test]
    fn strict_turns_warnings_into_errors() {
        let mut all = Diagnostics::new();
        all.push(Diagnostic::warning("w"));
        assert!(!all.has_errors(false));
        assert!(all.has_errors(true));
    }
}
