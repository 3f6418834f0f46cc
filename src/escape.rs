//! Escaping text for markup: one loop for XML and HTML text and attribute
//! values, in the variants the SVG graphics, the views, the feeds and the
//! sitemap need.

use std::fmt;

/// Whether XML 1.0 allows the character.
pub fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Writes `text` with each character that `replace` maps to something
/// written as that instead (an empty string drops the character). The one
/// loop behind every escaping context below.
fn write_escaped(
    out: &mut impl fmt::Write,
    text: &str,
    replace: impl Fn(char) -> Option<&'static str>,
) -> fmt::Result {
    let mut rest = text;
    while let Some(at) = rest.find(|c: char| replace(c).is_some()) {
        out.write_str(&rest[..at])?;
        let c = rest[at..].chars().next().expect("found a char");
        out.write_str(replace(c).expect("found a replaced char"))?;
        rest = &rest[at + c.len_utf8()..];
    }
    out.write_str(rest)
}

/// `& < >` as entities and the characters XML 1.0 forbids dropped: what
/// every context escapes.
fn common(c: char) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        c if !xml_char(c) => Some(""),
        _ => None,
    }
}

fn quotes(c: char) -> Option<&'static str> {
    match c {
        '"' => Some("&quot;"),
        '\'' => Some("&apos;"),
        _ => None,
    }
}

/// Displays text escaped for XML and HTML text and attribute values
/// (`& < > " '`), dropping the characters XML 1.0 does not allow (most
/// control characters), so the document always parses. Writing through
/// `Display` saves an allocation where the text goes into a larger string.
pub struct Markup<'a>(pub &'a str);

impl fmt::Display for Markup<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, self.0, |c| common(c).or_else(|| quotes(c)))
    }
}

/// [`Markup`] as a string.
pub fn markup(text: &str) -> String {
    Markup(text).to_string()
}

/// Text escaped for XML element content (feeds, sitemaps): as [`Markup`]
/// but quotes stay, and a carriage return becomes a character reference so
/// parsers keep it.
pub fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = write_escaped(&mut out, text, |c| {
        common(c).or(if c == '\r' { Some("&#13;") } else { None })
    });
    out
}

/// Text escaped for a double-quoted XML attribute: as [`Markup`], plus tab
/// and line breaks as character references (attribute-value normalisation
/// would turn them into spaces).
pub fn xml_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = write_escaped(&mut out, text, |c| {
        common(c).or_else(|| quotes(c)).or(match c {
            '\t' => Some("&#9;"),
            '\n' => Some("&#10;"),
            '\r' => Some("&#13;"),
            _ => None,
        })
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_drops_what_xml_forbids() {
        assert_eq!(
            markup("a<b>&\"c\"'\u{1}"),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;"
        );
        assert_eq!(markup("Fryslân"), "Fryslân");
    }

    #[test]
    fn xml_contexts_keep_what_their_parsers_would_lose() {
        assert_eq!(
            xml_text("a<b>&c\"'\r\u{1}\u{FFFE}"),
            "a&lt;b&gt;&amp;c\"'&#13;"
        );
        assert_eq!(
            xml_attr("\"x\"\n'\t\r<\u{1}"),
            "&quot;x&quot;&#10;&apos;&#9;&#13;&lt;"
        );
    }
}
