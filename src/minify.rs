//! HTML minification with minify-html, in two places.
//!
//! - **Templates**, once, when the renderer parses them: every HTML
//!   template is minified with Tera's `{{ }}`, `{% %}` and `{# #}` kept as
//!   they are, so each of the site's pages comes out of its template
//!   minified. At 100,000 organisations minifying each registry page after
//!   rendering cost more CPU than the rest of the build together; this costs
//!   a millisecond. A template whose tags or template syntax minify-html
//!   would change (template syntax between attributes, say) is kept as it
//!   was written: the result must be the template the author wrote.
//! - **Pages** other than organisation and register pages, after
//!   rendering: the pages with markdown, charts and the like, whose HTML
//!   does not all come from a template.

use std::panic::{AssertUnwindSafe, catch_unwind};

/// The settings every minification uses. Closing tags stay: a template does
/// not know what follows `</p>` in every branch, and the site's tests read
/// the HTML with strict expectations. CSS and JS are separate files.
fn settings() -> minify_html::Cfg {
    let mut cfg = minify_html::Cfg::new();
    cfg.keep_closing_tags = true;
    cfg.keep_html_and_head_opening_tags = true;
    cfg.minify_css = false;
    cfg.minify_js = false;
    cfg
}

/// Whether the file at `path` (relative to the output) is a page minified
/// after rendering: every HTML page but the organisation and register
/// pages, which come out of their minified templates.
pub fn after_rendering(path: &str) -> bool {
    path.ends_with(".html") && !path.starts_with("organisaties/") && !path.starts_with("register/")
}

/// A rendered page, minified; `None` when minify-html fails on it (it can
/// panic on odd input), so the page is written as it was.
pub fn page(html: &[u8]) -> Option<Vec<u8>> {
    let cfg = settings();
    catch_unwind(AssertUnwindSafe(|| minify_html::minify(html, &cfg))).ok()
}

/// An HTML template, minified with its template syntax kept; `None` when
/// minifying would change what the template says: a different sequence of
/// HTML tags (minify-html reads a template as HTML and may drop or move
/// what it does not understand) or of template tags.
pub fn template(text: &str) -> Option<String> {
    let mut cfg = settings();
    cfg.preserve_brace_template_syntax = true;
    let minified = catch_unwind(AssertUnwindSafe(|| {
        minify_html::minify(text.as_bytes(), &cfg)
    }))
    .ok()?;
    let minified = String::from_utf8(minified).ok()?;
    let kept = skeleton(text)?;
    (skeleton(&minified)? == kept).then_some(minified)
}

/// What a template must keep through minification: its template tags,
/// whole, and its HTML start and end tags by name, in order; within a start
/// tag, the template tags of its quoted attribute values (minify-html may
/// reorder attributes, which changes nothing). `None` for a template with
/// template syntax in a tag but outside a quoted value, where minify-html
/// would take it for attribute names. Comments and `<!doctype>` are left
/// out (minify-html removes or rewrites them).
fn skeleton(text: &str) -> Option<Vec<String>> {
    let template_tag = |at: usize| -> Option<usize> {
        let close = match text.as_bytes().get(at..at + 2)? {
            b"{{" => "}}",
            b"{%" => "%}",
            b"{#" => "#}",
            _ => return None,
        };
        Some(
            text[at + 2..]
                .find(close)
                .map_or(text.len(), |e| at + 2 + e + 2),
        )
    };
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(end) = template_tag(i) {
            parts.push(text[i..end].to_string());
            i = end;
        } else if bytes[i..].starts_with(b"<!--") {
            i = text[i..].find("-->").map_or(text.len(), |e| i + e + 3);
        } else if bytes[i] == b'<' {
            let rest = &text[i + 1..];
            let (end_tag, name) = rest.strip_prefix('/').map_or(("", rest), |n| ("/", n));
            let len = name
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(name.len());
            i += 1;
            if len == 0 || !name.as_bytes()[0].is_ascii_alphabetic() {
                continue;
            }
            parts.push(format!("<{end_tag}{}", name[..len].to_ascii_lowercase()));
            i += end_tag.len() + len;
            // The tag's attributes, up to its `>`.
            let mut in_values = Vec::new();
            while i < bytes.len() && bytes[i] != b'>' {
                if template_tag(i).is_some() {
                    return None;
                }
                if let quote @ (b'"' | b'\'') = bytes[i] {
                    let close = text[i + 1..]
                        .find(quote as char)
                        .map_or(text.len(), |e| i + 1 + e);
                    let mut j = i + 1;
                    while j < close {
                        match template_tag(j) {
                            Some(end) => {
                                in_values.push(text[j..end].to_string());
                                j = end;
                            }
                            None => j += 1,
                        }
                    }
                    i = close;
                }
                i += 1;
            }
            in_values.sort();
            parts.extend(in_values);
        } else {
            i += 1;
        }
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_keeps_its_syntax_and_loses_what_html_does_not_need() {
        let text = "<ul class=\"nav\">\n  {% for item in items %}\n  <li><a href=\"{{ item.url }}\">{{ item.name }}</a></li>\n  {% endfor %}\n</ul>\n";
        let minified = template(text).expect("minifies");
        assert_eq!(
            minified,
            "<ul class=nav>{% for item in items %} <li><a href=\"{{ item.url }}\">{{ item.name }}</a></li>{% endfor %}</ul>"
        );
    }

    #[test]
    fn template_syntax_between_attributes_keeps_the_template_as_written() {
        // minify-html would read `{% if %}` here as attribute names and
        // reorder them.
        let text = "<input type=\"checkbox\" name=\"s\"{% if on %} checked{% endif %}>\n";
        assert_eq!(template(text), None);
    }

    #[test]
    fn lost_end_tags_keep_the_template_as_written() {
        // With `td` left open, minify-html drops `</tbody></table>`.
        let text = "<table><tbody>\n{% for o in rows %}\n<tr><td>{{ o }}\n{% endfor %}\n</tbody>\n</table>\n<p>x</p>";
        assert_eq!(template(text), None);
    }

    #[test]
    fn every_template_of_the_default_theme_is_minified() {
        let theme = crate::theme::load(
            std::path::Path::new("/nonexistent"),
            "default",
            "nl",
            &mut crate::diagnostics::Diagnostics::default(),
        )
        .expect("the default theme loads");
        let not_minified: Vec<&str> = theme
            .templates
            .values()
            .filter(|file| template(&file.text).is_none())
            .map(|file| file.name.as_str())
            .collect();
        assert_eq!(not_minified, Vec::<&str>::new());
    }

    #[test]
    fn a_page_is_minified() {
        let page = page(b"<p class=\"a\">\n  x\n</p>\n").expect("minifies");
        assert_eq!(page, b"<p class=a>x</p>");
    }
}
