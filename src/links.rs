//! Link checking over the rendered site, for `trede check`: every internal
//! link and asset must resolve to a file of the build, and every `#anchor`
//! to an id on the target page. Pages come from content and templates
//! alike, so a broken link in a template is found too.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::output::OutputFile;
use crate::urls::Urls;

/// Values of the attribute `name` (` href=`) in an HTML text, quoted or
/// not (minified HTML drops quotes where it can).
pub(crate) fn attribute_values<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(name) {
        rest = &rest[i + name.len()..];
        let value = match rest.as_bytes().first() {
            Some(q @ (b'"' | b'\'')) => {
                let quote = *q as char;
                rest[1..].split(quote).next().unwrap_or("")
            }
            _ => rest
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or(""),
        };
        found.push(value);
    }
    found
}

/// The output path a link on the page at output path `page` points to, if
/// it is internal to the site: absolute, root-relative, or relative to the
/// page (`../other/`, `badge.svg`).
fn internal_target(link: &str, page: &str, urls: &Urls) -> Option<(String, Option<String>)> {
    let link = link.replace("&amp;", "&");
    let local = match link
        .strip_prefix(urls.base_url())
        .or_else(|| link.strip_prefix(urls.base_path()))
    {
        Some(local) => local.to_string(),
        None => relative_target(&link, page)?,
    };
    let (path, anchor) = match local.split_once('#') {
        Some((p, a)) => (p.to_string(), Some(a.to_string())),
        None => (local, None),
    };
    let path = path.split('?').next().unwrap_or("").to_string();
    let file = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path
    };
    Some((file, anchor))
}

/// The output path, from the site's root, of `link` written relative to
/// the page at `page`; `None` for a link with a scheme (`https:`,
/// `mailto:`, `data:`), a root-relative one outside the site, or one that
/// climbs above the root.
fn relative_target(link: &str, page: &str) -> Option<String> {
    let scheme = link
        .split_once(':')
        .is_some_and(|(before, _)| !before.contains(['/', '?', '#']));
    if scheme || link.starts_with('/') || link.is_empty() {
        return None;
    }
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop(); // the page's own file name
    let (path, rest) = match link.find(['?', '#']) {
        Some(i) => link.split_at(i),
        None => (link, ""),
    };
    let mut last = "";
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        match segment {
            ".." => {
                parts.pop()?;
            }
            "." => {}
            name => parts.push(name),
        }
        last = segment;
    }
    let mut joined = parts.join("/");
    // A folder: `../x/`, `..` or `.` (the page's index.html).
    if !joined.is_empty() && (path.ends_with('/') || last == ".." || last == ".") {
        joined.push('/');
    }
    Some(format!("{joined}{rest}"))
}

/// Errors for every internal link or anchor in `files` that does not
/// resolve, one per page and link.
pub fn check_internal(files: &[OutputFile], urls: &Urls) -> Vec<Diagnostic> {
    let paths: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let ids: HashMap<&str, HashSet<&str>> = files
        .par_iter()
        .filter(|f| f.path.ends_with(".html"))
        .map(|f| {
            let html = std::str::from_utf8(&f.contents).unwrap_or("");
            (
                f.path.as_str(),
                attribute_values(html, " id=").into_iter().collect(),
            )
        })
        .collect();
    let mut problems: Vec<Diagnostic> = files
        .par_iter()
        .filter(|f| f.path.ends_with(".html"))
        .flat_map_iter(|f| {
            let html = std::str::from_utf8(&f.contents).unwrap_or("");
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for link in attribute_values(html, " href=").into_iter().chain(attribute_values(html, " src=")) {
                if !seen.insert(link) {
                    continue;
                }
                let fragment_only = link.strip_prefix('#');
                let (target, anchor) = match fragment_only {
                    Some(anchor) => (f.path.clone(), Some(anchor.to_string())),
                    None => match internal_target(link, &f.path, urls) {
                        Some(t) => t,
                        None => continue,
                    },
                };
                if !paths.contains(target.as_str()) {
                    out.push(
                        Diagnostic::error(format!("broken internal link `{link}`: nothing is built at {target}"))
                            .in_file(format!("{} (rendered)", f.path))
                            .hint("fix the link in the page's markdown or in the template that renders it"),
                    );
                    continue;
                }
                if let Some(anchor) = anchor.filter(|a| !a.is_empty()) {
                    let known = ids.get(target.as_str()).is_some_and(|set| set.contains(anchor.as_str()));
                    if target.ends_with(".html") && !known {
                        out.push(
                            Diagnostic::error(format!("broken anchor `{link}`: {target} has no id `{anchor}`"))
                                .in_file(format!("{} (rendered)", f.path))
                                .hint("give the heading an explicit id, e.g. `## Normen {#normen}`, or fix the link"),
                        );
                    }
                }
            }
            out
        })
        .collect();
    problems.sort_by(|a, b| (&a.file, &a.message).cmp(&(&b.file, &b.message)));
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_resolve_against_their_page() {
        let page = "organisaties/a/index.html";
        let cases = [
            ("../b/", Some("organisaties/b/")),
            ("badge.svg", Some("organisaties/a/badge.svg")),
            (
                "./organisatie.json#x",
                Some("organisaties/a/organisatie.json#x"),
            ),
            ("../../", Some("")),
            ("../../register/?q=1", Some("register/?q=1")),
            ("..", Some("organisaties/")),
            ("../../../", None),
            ("https://elders.nl/", None),
            ("mailto:a@b.nl", None),
            ("data:,", None),
            ("/elders/", None),
        ];
        for (link, expected) in cases {
            assert_eq!(relative_target(link, page).as_deref(), expected, "{link}");
        }
    }

    #[test]
    fn finds_broken_links_and_anchors() {
        let urls = Urls::new("https://x.nl/reg/");
        let files = vec![
            OutputFile::new(
                "index.html",
                "<a href=/reg/a/#top>a</a><a href=\"/reg/b/\">b</a><a href='#mist'>m</a><a href=https://elders.nl/>e</a>",
            ),
            OutputFile::new(
                "a/index.html",
                "<h1 id=top>A</h1><img src=\"/reg/logo.png\"><a href=../#x>i</a><a href=../logo.png>l</a><a href=gone.svg>g</a>",
            ),
            OutputFile::new("logo.png", "png"),
        ];
        let problems = check_internal(&files, &urls);
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("/reg/b/")));
        assert!(messages.iter().any(|m| m.contains("no id `mist`")));
        // Relative links: resolved against their page.
        assert!(
            messages
                .iter()
                .any(|m| m.contains("index.html has no id `x`"))
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("nothing is built at a/gone.svg"))
        );
    }
}
