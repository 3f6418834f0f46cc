//! Content loading: markdown pages under `content/` with TOML front matter,
//! grouped into sections (every folder, with an optional `_index.md`), with
//! the URL each page gets and its rendered markdown.
//!
//! `content/organisations/` holds records, not pages; [`crate::records`]
//! reads those.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use jiff::civil::Date;
use rayon::prelude::*;
use serde::Deserialize;
use toml::Spanned;
use toml::value::Datetime;
use walkdir::WalkDir;

use crate::diagnostics::{Diagnostic, Diagnostics, Source};
use crate::markdown::{self, TocEntry};
use crate::toml_input::{self, Schema};

/// The folder of markdown pages under the site root.
pub const CONTENT_DIR: &str = "content";

/// The folder of records under `content/`, which holds no pages.
const RECORDS_FOLDER: &str = "organisations";

/// The section of dated posts.
pub const BLOG_SECTION: &str = "blog";

/// The section of explainers, ordered by weight.
pub const EXPLAINER_SECTION: &str = "uitleg";

/// Front matter as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrontMatter {
    #[serde(default)]
    title: String,
    date: Option<Spanned<Datetime>>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    draft: bool,
    weight: Option<i64>,
    slug: Option<Spanned<String>>,
    template: Option<String>,
    #[serde(default)]
    extra: toml::Table,
}

const V: Schema = Schema::Value;
const FRONT_MATTER: Schema = Schema::Table(&[
    ("title", V),
    ("date", V),
    ("description", V),
    ("draft", V),
    ("weight", V),
    ("slug", V),
    ("template", V),
    ("extra", Schema::Free),
]);

/// One markdown page.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path under `content/`, `/`-separated (`uitleg/ladder.md`).
    pub source_path: String,
    /// The section folder (`uitleg`, or empty for the root).
    pub section: String,
    /// Whether this is a section's `_index.md`.
    pub is_index: bool,
    /// Title.
    pub title: String,
    /// Publication date.
    pub date: Option<Date>,
    /// One-sentence description for meta tags.
    pub description: String,
    /// Ordering weight (explainers).
    pub weight: i64,
    /// The template asked for, if any.
    pub template: Option<String>,
    /// Free values for templates.
    pub extra: toml::Table,
    /// Output folder, relative (`uitleg/ladder/`; empty for the home page).
    pub output_dir: String,
    /// Rendered HTML of the body.
    pub html: String,
    /// The body's headings.
    pub toc: Vec<TocEntry>,
    /// The body's markdown, for the search index.
    pub markdown: String,
}

/// All pages, grouped by section.
#[derive(Debug, Clone, Default)]
pub struct Content {
    /// Every page, sorted by source path.
    pub pages: Vec<Page>,
}

impl Content {
    /// The page with this source path.
    pub fn page(&self, source_path: &str) -> Option<&Page> {
        self.pages.iter().find(|p| p.source_path == source_path)
    }

    /// The regular pages of a section (not its `_index.md`), in the
    /// section's order: posts newest first, others by weight then title.
    pub fn section_pages(&self, section: &str) -> Vec<&Page> {
        let mut pages: Vec<&Page> = self
            .pages
            .iter()
            .filter(|p| !p.is_index && p.section == section)
            .collect();
        if section == BLOG_SECTION {
            pages.sort_by(|a, b| b.date.cmp(&a.date).then(a.source_path.cmp(&b.source_path)));
        } else {
            pages.sort_by(|a, b| a.weight.cmp(&b.weight).then(a.title.cmp(&b.title)));
        }
        pages
    }

    /// Every section folder that has pages or an `_index.md`.
    pub fn sections(&self) -> Vec<String> {
        let mut sections: Vec<String> = self.pages.iter().map(|p| p.section.clone()).collect();
        sections.sort();
        sections.dedup();
        sections
    }
}

#[derive(Debug)]
struct Loaded {
    source: Source,
    section: String,
    is_index: bool,
    front: RawFrontMatter,
    date: Option<Date>,
    body_start: usize,
    output_dir: String,
}

/// Loads and renders every page under `root/content`, except records.
/// `url_of` turns an output folder into the URL links should use. A
/// section folder without an `_index.md` gets an empty one, titled by
/// `section_title`, so that every section has its list page.
pub fn load(
    root: &Path,
    url_of: &dyn Fn(&str) -> String,
    section_title: &dyn Fn(&str) -> String,
    diagnostics: &mut Diagnostics,
) -> Content {
    let dir = root.join(CONTENT_DIR);
    // The records' folder is not walked (not even listed: it can hold
    // 100,000 files); symbolic links are not followed.
    let folders = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() != RECORDS_FOLDER)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir() || t.is_file()));
    let mut files: Vec<_> = folders
        .flat_map(|top| WalkDir::new(top.path()).into_iter().filter_map(Result::ok))
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("md"))
        .collect();
    files.sort();
    let results: Vec<Result<Option<Loaded>, Vec<Diagnostic>>> = files
        .par_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(&dir)
                .unwrap_or(path)
                .to_string_lossy()
                .replace('\\', "/");
            let shown = crate::records::display_path(root, path);
            let text = std::fs::read_to_string(path).map_err(|e| {
                vec![
                    Diagnostic::error(format!("could not read the page: {e}"))
                        .in_file(shown.clone()),
                ]
            })?;
            parse_page(&rel, Source::new(shown, text))
        })
        .collect();
    let mut loaded = Vec::new();
    for result in results {
        match result {
            Ok(Some(page)) => loaded.push(page),
            Ok(None) => {}
            Err(problems) => problems.into_iter().for_each(|p| diagnostics.push(p)),
        }
    }
    check_unique_outputs(&loaded, diagnostics);
    let urls: HashMap<String, String> = loaded
        .iter()
        .map(|l| (source_path(l), url_of(&l.output_dir)))
        .collect();
    let resolve = |target: &str| urls.get(target.trim_start_matches('/')).cloned();
    let rendered: Vec<(Page, Vec<Diagnostic>)> = loaded
        .into_par_iter()
        .map(|l| {
            let body = &l.source.text[l.body_start..];
            let r = markdown::render_page(body, &resolve);
            let problems = r
                .broken
                .iter()
                .map(|link| {
                    let span = link.span.start + l.body_start..link.span.end + l.body_start;
                    Diagnostic::error(format!(
                        "broken link to `@/{}`: there is no such page",
                        link.target
                    ))
                    .at(&l.source, Some(span))
                    .hint(
                        "link by the path under content/, e.g. [tekst](@/uitleg/ladder.md#normen)",
                    )
                })
                .collect();
            let page = Page {
                source_path: source_path(&l),
                section: l.section,
                is_index: l.is_index,
                title: l.front.title,
                date: l.date,
                description: l.front.description,
                weight: l.front.weight.unwrap_or(0),
                template: l.front.template,
                extra: l.front.extra,
                output_dir: l.output_dir,
                html: r.html,
                toc: r.toc,
                markdown: body.to_string(),
            };
            (page, problems)
        })
        .collect();
    let mut pages = Vec::new();
    for (page, problems) in rendered {
        problems.into_iter().for_each(|p| diagnostics.push(p));
        pages.push(page);
    }
    let indexed: std::collections::HashSet<String> = pages
        .iter()
        .filter(|p| p.is_index)
        .map(|p| p.section.clone())
        .collect();
    let mut missing: Vec<String> = pages
        .iter()
        .filter(|p| !p.section.is_empty() && !indexed.contains(&p.section))
        .map(|p| p.section.clone())
        .collect();
    missing.sort();
    missing.dedup();
    for section in missing {
        pages.push(Page {
            source_path: format!("{section}/_index.md"),
            title: section_title(&section),
            is_index: true,
            date: None,
            description: String::new(),
            weight: 0,
            template: None,
            extra: toml::Table::new(),
            output_dir: format!("{section}/"),
            html: String::new(),
            toc: Vec::new(),
            markdown: String::new(),
            section,
        });
    }
    pages.sort_by(|a, b| a.source_path.cmp(&b.source_path));
    Content { pages }
}

fn source_path(l: &Loaded) -> String {
    l.source
        .name
        .strip_prefix("content/")
        .unwrap_or(&l.source.name)
        .to_string()
}

fn check_unique_outputs(loaded: &[Loaded], diagnostics: &mut Diagnostics) {
    let mut seen: BTreeMap<&str, &Loaded> = BTreeMap::new();
    for l in loaded {
        if let Some(first) = seen.insert(&l.output_dir, l) {
            diagnostics.push(
                Diagnostic::error(format!(
                    "two pages would be written to `{}`: this one and `{}`",
                    l.output_dir, first.source.name
                ))
                .in_file(l.source.name.clone())
                .key("slug")
                .hint("give one of them another `slug`"),
            );
        }
    }
}

/// Splits front matter from the body and checks it. Drafts give `Ok(None)`.
fn parse_page(rel: &str, source: Source) -> Result<Option<Loaded>, Vec<Diagnostic>> {
    let text = &source.text;
    let missing = || {
        vec![
            Diagnostic::error("a page must start with TOML front matter between `+++` lines")
                .at(&source, Some(0..text.lines().next().map_or(0, str::len)))
                .hint("start the file with:\n+++\ntitle = \"...\"\n+++"),
        ]
    };
    let first_len = match text.lines().next() {
        Some(line) if line.trim_end() == "+++" => line.len() + 1,
        _ => return Err(missing()),
    };
    let mut offset = first_len;
    let mut end = None;
    for line in text[first_len..].split_inclusive('\n') {
        if line.trim_end() == "+++" {
            end = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((front_end, body_start)) = end else {
        return Err(vec![
            Diagnostic::error("the front matter is not closed by a `+++` line")
                .at(&source, Some(0..3))
                .hint("end the front matter with a line holding only +++"),
        ]);
    };
    let front: RawFrontMatter =
        toml_input::parse_part(&source, first_len..front_end, FRONT_MATTER)?;
    if front.draft {
        return Ok(None);
    }
    let mut problems = Vec::new();
    let date = match &front.date {
        Some(d) => match toml_input::date(&source, first_len, d, "date") {
            Ok(d) => Some(d),
            Err(e) => {
                problems.push(e);
                None
            }
        },
        None => None,
    };
    let is_index = rel.ends_with("_index.md") && rel.rsplit('/').next() == Some("_index.md");
    let section = match rel.rsplit_once('/') {
        Some((dir, _)) => dir.to_string(),
        None => String::new(),
    };
    if !is_index && front.title.trim().is_empty() {
        problems.push(
            Diagnostic::error("a page needs a `title`")
                .at(&source, Some(0..3))
                .key("title")
                .hint("add title = \"...\" to the front matter"),
        );
    }
    if !is_index && section == BLOG_SECTION && date.is_none() && front.date.is_none() {
        problems.push(
            Diagnostic::error("a blog post needs a `date`")
                .at(&source, Some(0..3))
                .key("date")
                .hint("add date = 2026-01-31 to the front matter"),
        );
    }
    let stem = rel
        .rsplit('/')
        .next()
        .unwrap_or(rel)
        .trim_end_matches(".md");
    let slug = match &front.slug {
        Some(s) => {
            let clean = markdown::slugify(s.get_ref());
            if clean.is_empty() {
                problems.push(
                    Diagnostic::error("`slug` has no letters or digits")
                        .at(
                            &source,
                            Some(s.span().start + first_len..s.span().end + first_len),
                        )
                        .key("slug"),
                );
            }
            clean
        }
        None => markdown::slugify(stem),
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let output_dir = if is_index {
        if section.is_empty() {
            String::new()
        } else {
            format!("{section}/")
        }
    } else if section.is_empty() {
        format!("{slug}/")
    } else {
        format!("{section}/{slug}/")
    };
    let mut front = front;
    if is_index && front.title.trim().is_empty() {
        front.title = section.rsplit('/').next().unwrap_or("").to_string();
    }
    Ok(Some(Loaded {
        source,
        section,
        is_index,
        front,
        date,
        body_start,
        output_dir,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(rel: &str, text: &str) -> Result<Option<Loaded>, Vec<Diagnostic>> {
        parse_page(rel, Source::new(format!("content/{rel}"), text))
    }

    #[test]
    fn the_records_folder_is_not_walked() {
        assert_eq!(
            format!("{CONTENT_DIR}/{RECORDS_FOLDER}"),
            crate::records::RECORDS_DIR
        );
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join(CONTENT_DIR);
        std::fs::create_dir_all(content.join("organisations/nested")).unwrap();
        std::fs::create_dir_all(content.join("uitleg")).unwrap();
        // Markdown among the records is no page.
        std::fs::write(content.join("organisations/readme.md"), "no front matter").unwrap();
        std::fs::write(content.join("organisations/nested/x.md"), "nor here").unwrap();
        std::fs::write(
            content.join("uitleg/a.md"),
            "+++\ntitle = \"A\"\n+++\nTekst\n",
        )
        .unwrap();
        let mut diagnostics = Diagnostics::new();
        let loaded = load(
            dir.path(),
            &|d| format!("/{d}"),
            &|s| s.to_string(),
            &mut diagnostics,
        );
        assert!(
            !diagnostics.has_errors(false),
            "{}",
            diagnostics.render(false)
        );
        let paths: Vec<&str> = loaded
            .pages
            .iter()
            .map(|p| p.source_path.as_str())
            .collect();
        assert_eq!(paths, ["uitleg/_index.md", "uitleg/a.md"]);
    }

    #[test]
    fn front_matter_and_output_folders() {
        let page = parse(
            "uitleg/ladder.md",
            "+++\ntitle = \"De ladder\"\nweight = 40\n+++\nTekst\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(page.output_dir, "uitleg/ladder/");
        assert_eq!(page.front.weight, Some(40));
        assert_eq!(&page.source.text[page.body_start..], "Tekst\n");
        let index = parse("_index.md", "+++\ntitle = \"Home\"\n+++\n")
            .unwrap()
            .unwrap();
        assert_eq!(index.output_dir, "");
        let slugged = parse(
            "blog/a.md",
            "+++\ntitle = \"A\"\ndate = 2026-01-02\nslug = \"Eerste Post\"\n+++\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(slugged.output_dir, "blog/eerste-post/");
        assert!(
            parse("x.md", "+++\ntitle = \"A\"\ndraft = true\n+++\n")
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn front_matter_errors_point_into_the_file() {
        let errors = parse("x.md", "+++\ntitle = \"A\"\ntitel = \"B\"\n+++\n").unwrap_err();
        assert_eq!(errors[0].line_col(), Some((3, 1)));
        assert_eq!(errors[0].hint.as_deref(), Some("did you mean `title`?"));
        let errors = parse("x.md", "+++\ntitle = \"A\n+++\n").unwrap_err();
        assert_eq!(errors[0].line_col().map(|l| l.0), Some(2));
        assert!(parse("x.md", "title = 1\n").is_err());
        assert!(parse("blog/p.md", "+++\ntitle = \"A\"\n+++\n").is_err());
    }
}
