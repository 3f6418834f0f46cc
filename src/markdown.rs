//! Markdown to HTML with pulldown-cmark: tables, footnotes, strikethrough,
//! task lists, heading ids, a table of contents, links between pages by
//! source path (`@/uitleg/ladder.md#normen`), and sanitised rendering for
//! untrusted text from records.

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
use serde::Serialize;

/// One heading in a page's table of contents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TocEntry {
    /// Heading level, 1 to 6.
    pub level: u8,
    /// The heading's id, the anchor to link to.
    pub id: String,
    /// The heading's text.
    pub title: String,
}

/// A link by source path found in a page.
#[derive(Debug, Clone, PartialEq)]
pub struct InternalLink {
    /// Source path under `content/`, e.g. `uitleg/ladder.md`.
    pub target: String,
    /// The anchor after `#`, if any.
    pub anchor: Option<String>,
    /// Byte range of the link in the markdown text.
    pub span: Range<usize>,
}

/// A rendered markdown document.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The HTML.
    pub html: String,
    /// Every heading, in order.
    pub toc: Vec<TocEntry>,
    /// Every `@/` link, resolved or not.
    pub links: Vec<InternalLink>,
    /// `@/` links whose target page does not exist.
    pub broken: Vec<InternalLink>,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A heading id from its text: lowercase ASCII letters and digits joined by
/// hyphens (`Normen per omvang` becomes `normen-per-omvang`).
pub fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_lowercase();
    let mut slug = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// Renders trusted markdown (pages written by the operator), resolving `@/`
/// links with `resolve(target)` to a URL (`None` when the page is unknown).
pub fn render_page(text: &str, resolve: &dyn Fn(&str) -> Option<String>) -> Rendered {
    let mut rendered = Rendered::default();
    let mut events: Vec<Event> = Vec::new();
    let mut used_ids = HashSet::new();
    let mut heading: Option<(usize, HeadingLevel, Option<String>)> = None;
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                heading = Some((events.len(), level, id.map(|i| i.to_string())));
                events.push(Event::Start(Tag::Heading {
                    level,
                    id: None,
                    classes,
                    attrs,
                }));
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((start, level_start, explicit)) = heading.take() {
                    let title = heading_text(&events[start + 1..]);
                    let base = explicit.unwrap_or_else(|| {
                        let s = slugify(&title);
                        if s.is_empty() { "kop".to_string() } else { s }
                    });
                    let id = unique_id(&base, &mut used_ids);
                    if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[start] {
                        *slot = Some(CowStr::from(id.clone()));
                    }
                    rendered.toc.push(TocEntry {
                        level: level_start as u8,
                        id,
                        title,
                    });
                }
                events.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) if dest_url.starts_with("@/") => {
                let (path, anchor) = match dest_url[2..].split_once('#') {
                    Some((p, a)) => (p.to_string(), Some(a.to_string())),
                    None => (dest_url[2..].to_string(), None),
                };
                let link = InternalLink {
                    target: path.clone(),
                    anchor: anchor.clone(),
                    span: range,
                };
                let url = match resolve(&path) {
                    Some(url) => match &anchor {
                        Some(a) => format!("{url}#{a}"),
                        None => url,
                    },
                    None => {
                        rendered.broken.push(link.clone());
                        String::from("#")
                    }
                };
                rendered.links.push(link);
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from(url),
                    title,
                    id,
                }));
            }
            other => events.push(other),
        }
    }
    html::push_html(&mut rendered.html, events.into_iter());
    rendered.html = alignment_classes(&rendered.html);
    rendered
}

/// Table cell alignment as classes: pulldown-cmark writes `style`
/// attributes, which the site's Content-Security-Policy blocks.
fn alignment_classes(html: &str) -> String {
    if !html.contains(" style=\"text-align: ") {
        return html.to_string();
    }
    html.replace(" style=\"text-align: left\"", " class=\"align-left\"")
        .replace(" style=\"text-align: center\"", " class=\"align-center\"")
        .replace(" style=\"text-align: right\"", " class=\"align-right\"")
}

fn heading_text(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        if let Event::Text(t) | Event::Code(t) = event {
            text.push_str(t);
        }
    }
    text.trim().to_string()
}

fn unique_id(base: &str, used: &mut HashSet<String>) -> String {
    let mut id = base.to_string();
    let mut n = 1;
    while !used.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// Renders untrusted markdown from a record and sanitises the HTML to a safe
/// subset: no scripts, styles, iframes, forms, event handlers, or
/// `javascript:`/`data:` URLs. Headings are kept out of the page outline by
/// turning them into strong paragraphs.
pub fn render_untrusted(text: &str) -> String {
    let parser =
        Parser::new_ext(text, options() - Options::ENABLE_HEADING_ATTRIBUTES).map(|event| {
            match event {
                Event::Start(Tag::Heading { .. }) => Event::Html(CowStr::from("<p><strong>")),
                Event::End(TagEnd::Heading(_)) => Event::Html(CowStr::from("</strong></p>")),
                other => other,
            }
        });
    let mut raw = String::new();
    html::push_html(&mut raw, parser);
    let raw = alignment_classes(&raw);
    if needs_sanitising(text) {
        SANITISER.clean(&raw).to_string()
    } else {
        raw
    }
}

/// Whether markdown can produce anything unsafe: raw HTML and autolinks
/// need `<`, links and images need `](` or a reference definition `]:`.
/// Without them pulldown-cmark writes only escaped text and plain tags, and
/// ammonia (about seven times the cost of the markdown itself) is skipped.
fn needs_sanitising(text: &str) -> bool {
    text.contains('<') || text.contains("](") || text.contains("]:")
}

static SANITISER: std::sync::LazyLock<ammonia::Builder<'static>> = std::sync::LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .rm_tags(["img"]);
    builder
});

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn headings_get_ids_and_a_toc() {
        let r = render_page(
            "# Wat is de PSO?\n\n## Normen per omvang {#normen}\n\n## Wat is de PSO?\n",
            &none,
        );
        assert!(r.html.contains(r#"<h1 id="wat-is-de-pso">"#), "{}", r.html);
        assert!(r.html.contains(r#"<h2 id="normen">"#));
        assert!(r.html.contains(r#"<h2 id="wat-is-de-pso-1">"#));
        assert_eq!(r.toc[1].title, "Normen per omvang");
    }

    #[test]
    fn source_path_links_resolve_or_are_reported() {
        let resolve =
            |p: &str| (p == "uitleg/ladder.md").then(|| "/reg/uitleg/ladder/".to_string());
        let r = render_page(
            "Zie [normen](@/uitleg/ladder.md#normen) en [x](@/nope.md).",
            &resolve,
        );
        assert!(
            r.html.contains(r#"href="/reg/uitleg/ladder/#normen""#),
            "{}",
            r.html
        );
        assert_eq!(r.broken.len(), 1);
        assert_eq!(r.broken[0].target, "nope.md");
        assert_eq!(r.links[0].anchor.as_deref(), Some("normen"));
    }

    #[test]
    fn table_alignment_uses_classes_not_styles() {
        let r = render_page("| a | b |\n|:--|--:|\n| 1 | 2 |\n", &none);
        assert!(!r.html.contains("style="), "{}", r.html);
        assert!(r.html.contains("class=\"align-right\""));
        assert!(!render_untrusted("| a |\n|:-:|\n| 1 |\n").contains("style="));
    }

    #[test]
    fn extensions_are_on() {
        let r = render_page(
            "| a |\n|---|\n| 1 |\n\n~~weg~~\n\n- [x] klaar\n\nTekst[^1]\n\n[^1]: Noot.\n",
            &none,
        );
        for needle in ["<table>", "<del>", "checkbox", "footnote"] {
            assert!(r.html.contains(needle), "{needle} in {}", r.html);
        }
    }

    #[test]
    fn links_without_raw_html_are_still_checked() {
        for text in [
            "[x](javascript:alert(1))",
            "[x][r]\n\n[r]: javascript:alert(1)",
            "![i](data:text/html,x)",
        ] {
            let html = render_untrusted(text);
            assert!(
                !html.contains("javascript:") && !html.contains("data:"),
                "{text}: {html}"
            );
        }
        assert_eq!(
            render_untrusted("*ja* & nee"),
            "<p><em>ja</em> &amp; nee</p>\n"
        );
    }

    #[test]
    fn untrusted_markdown_is_sanitised() {
        let html = render_untrusted(
            "Hallo <script>alert(1)</script><em>ja</em> <a href=\"javascript:x()\" onclick=\"y()\">k</a> <iframe src=\"https://x\"></iframe><form></form><style>p{}</style>[d](data:text/html,x)\n\n# Kop\n",
        );
        for bad in [
            "<script",
            "onclick",
            "javascript:",
            "<iframe",
            "<form",
            "<style",
            "data:",
            "<h1",
        ] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(html.contains("<em>ja</em>"));
    }
}
