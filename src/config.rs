//! Site configuration: `site.toml`, its documented defaults, and the weights
//! and norms tables it may replace.
//!
//! Only `title` and `base_url` are required. Every key is listed in
//! README.md's configuration reference; unknown keys are errors with the
//! nearest valid key suggested.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Diagnostics, Source};
use crate::tables::{NormTable, TableError, Weights};
use crate::toml_input::{self, Schema};

/// The configuration file's name under the site root.
pub const CONFIG_FILE: &str = "site.toml";

/// The parsed `site.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The site's name, shown in the header and feeds.
    pub title: String,
    /// The absolute URL the site is published at, ending in `/`
    /// (a sub-path such as `https://user.github.io/registry/` is fine).
    pub base_url: String,
    /// One sentence describing the site, for meta tags and feeds.
    #[serde(default)]
    pub description: String,
    /// The site's language code.
    #[serde(default = "default_language")]
    pub language: String,
    /// The theme under `themes/`; `default` is built in.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Whether HTML is minified.
    #[serde(default = "yes")]
    pub minify: bool,
    /// The licence of the open data, an SPDX identifier.
    #[serde(default = "default_license")]
    pub license: String,
    /// Who publishes the registry.
    #[serde(default)]
    pub publisher: Publisher,
    /// Page sizes of paginated lists.
    #[serde(default)]
    pub pagination: Pagination,
    /// Replacement weights and norms tables.
    #[serde(default)]
    pub tables: TablePaths,
    /// The size of the register's change feed.
    #[serde(default)]
    pub feeds: Feeds,
    /// Free values for templates.
    #[serde(default)]
    pub extra: toml::Table,
}

/// The publisher of the registry, for the footer and the data catalogue.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Publisher {
    /// Name of the organisation that publishes the registry.
    #[serde(default)]
    pub name: String,
    /// Its website.
    #[serde(default)]
    pub url: String,
    /// A contact address, shown on the accessibility statement.
    #[serde(default)]
    pub email: String,
}

/// How many items a page of each paginated list holds.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    /// Organisations per page of the register and browse lists.
    #[serde(default = "default_register_page")]
    pub register: usize,
    /// Posts per page of the blog.
    #[serde(default = "default_blog_page")]
    pub blog: usize,
}

impl Default for Pagination {
    fn default() -> Self {
        Pagination {
            register: default_register_page(),
            blog: default_blog_page(),
        }
    }
}

/// How many entries the register's change feed keeps (the blog's feed
/// keeps its 30 newest posts).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Feeds {
    /// The newest certificate events the register's change feed
    /// (`feeds/register.xml`) keeps; the rest are on the register's pages.
    #[serde(default = "default_register_entries")]
    pub register_entries: usize,
}

impl Default for Feeds {
    fn default() -> Self {
        Feeds {
            register_entries: default_register_entries(),
        }
    }
}

/// Paths, relative to the site root, of tables replacing the built-in ones.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TablePaths {
    /// A weights file in the format of the built-in `data/weights.toml`.
    pub weights: Option<PathBuf>,
    /// A norms file in the format of the built-in `data/norms.toml`.
    pub norms: Option<PathBuf>,
}

fn default_language() -> String {
    "nl".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_license() -> String {
    "CC0-1.0".into()
}
fn yes() -> bool {
    true
}
fn default_register_page() -> usize {
    50
}
fn default_blog_page() -> usize {
    10
}
/// About 130 KB of feed (an entry is about 650 bytes), whatever the size
/// of the register.
fn default_register_entries() -> usize {
    200
}

const V: Schema = Schema::Value;
const SCHEMA: Schema = Schema::Table(&[
    ("title", Schema::Required(&V)),
    ("base_url", Schema::Required(&V)),
    ("description", V),
    ("language", V),
    ("theme", V),
    ("minify", V),
    ("license", V),
    (
        "publisher",
        Schema::Table(&[("name", V), ("url", V), ("email", V)]),
    ),
    ("pagination", Schema::Table(&[("register", V), ("blog", V)])),
    ("tables", Schema::Table(&[("weights", V), ("norms", V)])),
    ("feeds", Schema::Table(&[("register_entries", V)])),
    ("extra", Schema::Free),
]);

/// The configuration with the tables it names, ready for the pipeline.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// `site.toml`.
    pub config: SiteConfig,
    /// The weights in force.
    pub weights: Weights,
    /// The norms in force.
    pub norms: NormTable,
}

impl SiteConfig {
    /// Parses a `site.toml` text; `name` is the path shown in messages.
    pub fn parse(source: &Source) -> Result<SiteConfig, Vec<Diagnostic>> {
        let mut config: SiteConfig = toml_input::parse(source, SCHEMA)?;
        let mut problems = Vec::new();
        if config.title.trim().is_empty() {
            problems.push(
                Diagnostic::error("`title` must not be empty")
                    .in_file(source.name.clone())
                    .key("title"),
            );
        }
        let at = |key: &str| toml_input::key_span(&source.text, key);
        if !crate::records::is_http_url(&config.base_url) {
            problems.push(
                Diagnostic::error("`base_url` must be an absolute http or https URL")
                    .at(source, at("base_url"))
                    .key("base_url")
                    .hint(
                        "for GitHub Pages: base_url = \"https://<user>.github.io/<repository>/\"",
                    ),
            );
        }
        for (key, size) in [
            ("pagination.register", config.pagination.register),
            ("pagination.blog", config.pagination.blog),
            ("feeds.register_entries", config.feeds.register_entries),
        ] {
            if size == 0 {
                problems.push(
                    Diagnostic::error(format!("`{key}` must be at least 1"))
                        .at(source, at(key))
                        .key(key),
                );
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        config.base_url = normalise_base_url(&config.base_url);
        Ok(config)
    }

    /// The path part of `base_url`, always starting and ending with `/`
    /// (`/` for a site at the root of its host).
    pub fn base_path(&self) -> String {
        let after_scheme = self.base_url.split_once("://").map_or("", |(_, r)| r);
        match after_scheme.find('/') {
            Some(i) => after_scheme[i..].to_string(),
            None => "/".to_string(),
        }
    }
}

/// `base_url` with exactly one trailing slash.
pub fn normalise_base_url(url: &str) -> String {
    format!("{}/", url.trim().trim_end_matches('/'))
}

/// Loads `site.toml` and the tables it names under `root`.
pub fn load(root: &Path, diagnostics: &mut Diagnostics) -> Option<Loaded> {
    let path = root.join(CONFIG_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) => {
            diagnostics.push(
                Diagnostic::error(format!("could not read {CONFIG_FILE}: {error}"))
                    .in_file(path.display().to_string())
                    .hint("run trede in the site's folder, pass --root, or create one with `trede init`"),
            );
            return None;
        }
    };
    let source = Source::new(CONFIG_FILE, text);
    let config = match SiteConfig::parse(&source) {
        Ok(config) => config,
        Err(problems) => {
            problems.into_iter().for_each(|p| diagnostics.push(p));
            return None;
        }
    };
    let weights = match &config.tables.weights {
        None => Some(Weights::embedded()),
        Some(file) => load_table(root, file, "tables.weights", Weights::parse, diagnostics),
    };
    let norms = match &config.tables.norms {
        None => Some(NormTable::embedded()),
        Some(file) => load_table(root, file, "tables.norms", NormTable::parse, diagnostics),
    };
    Some(Loaded {
        config,
        weights: weights?,
        norms: norms?,
    })
}

fn load_table<T>(
    root: &Path,
    file: &Path,
    key: &str,
    parse: fn(&str) -> Result<T, Vec<TableError>>,
    diagnostics: &mut Diagnostics,
) -> Option<T> {
    let shown = crate::records::display_path(root, &root.join(file));
    let text = match std::fs::read_to_string(root.join(file)) {
        Ok(text) => text,
        Err(error) => {
            diagnostics.push(
                Diagnostic::error(format!(
                    "could not read the table named by `{key}`: {error}"
                ))
                .in_file(CONFIG_FILE)
                .key(key)
                .hint(format!(
                    "check the path \"{shown}\", relative to the site root"
                )),
            );
            return None;
        }
    };
    let source = Source::new(shown, text);
    match parse(&source.text) {
        Ok(table) => Some(table),
        Err(errors) => {
            for error in errors {
                diagnostics.push(
                    Diagnostic::error(error.message)
                        .at(&source, error.span)
                        .key(error.key),
                );
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SiteConfig, Vec<Diagnostic>> {
        SiteConfig::parse(&Source::new("site.toml", text))
    }

    #[test]
    fn only_title_and_base_url_are_required() {
        let config = parse("title = \"R\"\nbase_url = \"https://u.github.io/reg\"\n").unwrap();
        assert_eq!(config.base_url, "https://u.github.io/reg/");
        assert_eq!(config.base_path(), "/reg/");
        assert_eq!(config.language, "nl");
        assert!(config.minify);
        assert_eq!(config.pagination.register, 50);
        // Both missing: both named in one run.
        let errors = parse("description = \"R\"\n").unwrap_err();
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "missing required key `title`",
                "missing required key `base_url`"
            ]
        );
    }

    #[test]
    fn unknown_keys_suggest_the_nearest() {
        let errors =
            parse("title = \"R\"\nbase_url = \"https://x.nl\"\nminfy = false\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].hint.as_deref(), Some("did you mean `minify`?"));
        assert_eq!(errors[0].line_col(), Some((3, 1)));
    }

    #[test]
    fn the_register_feed_keeps_200_entries_unless_told() {
        let base = "title = \"PSO-register van de gemeente\"\nbase_url = \"https://x.nl\"\n";
        assert_eq!(parse(base).unwrap().feeds.register_entries, 200);
        let config = parse(&format!("{base}[feeds]\nregister_entries = 25\n")).unwrap();
        assert_eq!(config.feeds.register_entries, 25);
        let errors = parse(&format!("{base}[feeds]\nregister_entries = 0\n")).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].message,
            "`feeds.register_entries` must be at least 1"
        );
        assert_eq!(errors[0].file.as_deref(), Some("site.toml"));
        assert_eq!(errors[0].key.as_deref(), Some("feeds.register_entries"));
        assert_eq!(errors[0].line_col(), Some((4, 1)));
        // Not a number of entries.
        let errors = parse(&format!("{base}[feeds]\nregister_entries = -5\n")).unwrap_err();
        let key = errors[0].key.as_deref().unwrap_or_default();
        assert!(key.ends_with("register_entries"), "{key}");
        assert_eq!(errors[0].line_col().map(|(line, _)| line), Some(4));
        let errors = parse(&format!("{base}[feeds]\nregister = 5\n")).unwrap_err();
        assert_eq!(
            errors[0].hint.as_deref(),
            Some("did you mean `register_entries`?")
        );
    }

    #[test]
    fn a_page_size_of_0_is_found_on_its_line_not_in_the_title() {
        let errors = parse(
            "title = \"PSO-register van de gemeente\"\nbase_url = \"https://x.nl\"\n\
             [pagination]\nblog = 5\n  register=0\n",
        )
        .unwrap_err();
        assert_eq!(errors[0].key.as_deref(), Some("pagination.register"));
        assert_eq!(errors[0].line_col(), Some((5, 3)));
        // A dotted key: the message points at its last part.
        let errors = parse(
            "title = \"PSO-register\"\nbase_url = \"https://x.nl\"\npagination.register = 0\n",
        )
        .unwrap_err();
        assert_eq!(errors[0].line_col(), Some((3, 12)));
    }

    #[test]
    fn base_url_must_be_absolute() {
        let errors = parse("title = \"R\"\nbase_url = \"/reg/\"\n").unwrap_err();
        assert_eq!(errors[0].key.as_deref(), Some("base_url"));
    }
}
