//! Escaping text for markup: one implementation for XML and HTML text and
//! attribute values, used by the SVG graphics, the feeds and the views.

use std::fmt;

/// Whether XML 1.0 allows the character.
pub fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Displays text escaped for XML and HTML text and attribute values
/// (`& < > " '`), dropping the characters XML 1.0 does not allow (most
/// control characters), so the document always parses. Writing through
/// `Display` saves an allocation where the text goes into a larger string.
pub struct Markup<'a>(pub &'a str);

impl fmt::Display for Markup<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) =
            rest.find(|c: char| matches!(c, '&' | '<' | '>' | '"' | '\'') || !xml_char(c))
        {
            f.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().expect("found a char");
            f.write_str(match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&apos;",
                _ => "",
            })?;
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

/// [`Markup`] as a string.
pub fn markup(text: &str) -> String {
    Markup(text).to_string()
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
}
