//! Rendering: the Tera environment (templates parsed once), the context every
//! page shares, and the page renderers for content pages
//! ([`site`]) and the registry ([`registry_pages`]).
//!
//! Rendering only reads the loaded and computed data; it never reads files.

pub mod registry_pages;
pub mod site;
pub mod views;

use std::collections::{BTreeMap, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use bytes::Bytes;
use jiff::civil::Date;
use serde::Serialize;
use tera::{Context, Kwargs, State, Tera};

use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostic, Diagnostics, Source};
use crate::minify;
use crate::output::OutputFile;
use crate::theme::Theme;
use crate::urls::Urls;

/// Templates parsed once, plus what every page needs.
pub struct Renderer {
    tera: Tera,
    /// Every template as written, by name.
    origins: BTreeMap<String, Source>,
    /// Whether `tera` holds templates minified: a render error is then
    /// reported against `origins`, so its line is the author's.
    minified: bool,
    /// UI strings of the site's language.
    pub strings: toml::Table,
    /// URL helper.
    pub urls: Urls,
    /// The reference date.
    pub date: Date,
    /// Hashed asset paths by original path (`css/style.css`).
    pub assets: BTreeMap<String, String>,
    /// The site's title.
    pub site_title: String,
    /// Fingerprint of each template with everything it extends, includes
    /// or imports.
    template_prints: HashMap<String, u64>,
    /// Fingerprint of the context every page shares.
    global_print: u64,
    /// The pages of the previous build, for an incremental rebuild.
    memo: Option<Arc<Memo>>,
}

/// The pages a previous build rendered, by output path, with the
/// fingerprint of everything that went into each (template, shared context,
/// page context). A rebuild that computes the same fingerprint for a page
/// reuses its bytes instead of rendering it again.
pub type Memo = HashMap<String, (u64, Bytes)>;

/// A template context that also fingerprints what goes into it, when the
/// renderer rebuilds incrementally; in a full build it is a plain context.
#[derive(Clone)]
pub struct PageContext {
    context: Context,
    hasher: Option<DefaultHasher>,
}

impl PageContext {
    /// An empty context for `renderer`.
    pub fn new(renderer: &Renderer) -> Self {
        PageContext {
            context: Context::new(),
            hasher: renderer.memo.as_ref().map(|_| DefaultHasher::new()),
        }
    }

    /// Adds `value` as `key`.
    pub fn insert<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        if let Some(hasher) = &mut self.hasher {
            key.hash(hasher);
            // Serialising into the hasher costs no allocation; a value that
            // cannot be serialised fails in `insert` below all the same.
            let _ = serde_json::to_writer(HashWriter(hasher), value);
        }
        self.context.insert(key, value);
    }

    /// The Tera context.
    pub fn context(&self) -> &Context {
        &self.context
    }
}

/// Feeds written bytes to a hasher: `serde_json::to_writer` into a
/// fingerprint without building the text.
struct HashWriter<'a>(&'a mut DefaultHasher);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Values shared by every page, available to templates as `site`.
#[derive(Debug, Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    base_url: &'a str,
    base_path: &'a str,
    language: &'a str,
    license: &'a str,
    publisher: &'a crate::config::Publisher,
    extra: &'a toml::Table,
    generated: String,
    generated_text: String,
}

impl Renderer {
    /// Parses every template of the theme, reporting errors with the
    /// template's path and line, and hashes the CSS and JS assets.
    pub fn new(
        theme: &Theme,
        sections: &[String],
        config: &SiteConfig,
        urls: Urls,
        date: Date,
        diagnostics: &mut Diagnostics,
    ) -> Option<(Renderer, Vec<OutputFile>)> {
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".xml", ".svg"]);
        tera.register_filter("fill", fill);
        let (base_url, base_path) = (urls.base_url().to_string(), urls.base_path().to_string());
        // Root-relative URL to absolute, for canonical and OpenGraph links.
        tera.register_filter("permalink", move |path: &str, _: Kwargs, _: &State| {
            let rest = path.strip_prefix(base_path.as_str()).unwrap_or(path);
            format!("{base_url}{}", rest.trim_start_matches('/'))
        });
        let mut origins = BTreeMap::new();
        for template in theme.templates.values() {
            origins.insert(
                template.name.clone(),
                Source::new(template.origin.clone(), template.text.clone()),
            );
        }
        let written: Vec<(&str, &str)> = theme
            .templates
            .values()
            .map(|t| (t.name.as_str(), t.text.as_str()))
            .collect();
        // Each page comes out of its template minified (see `minify`).
        let minified_texts: BTreeMap<&str, String> = written
            .iter()
            .filter(|(name, _)| config.minify && name.ends_with(".html"))
            .filter_map(|&(name, text)| Some((name, minify::template(text)?)))
            .collect();
        let with_minified = (!minified_texts.is_empty()).then(|| {
            let mut tera = tera.clone();
            let pairs = written
                .iter()
                .map(|&(name, text)| (name, minified_texts.get(name).map_or(text, String::as_str)));
            tera.add_raw_templates(pairs).map(|()| tera)
        });
        // A template that does not parse is reported, and used, as written.
        let (tera, minified) = match with_minified {
            Some(Ok(tera)) => (tera, true),
            _ => match tera.add_raw_templates(written) {
                Ok(()) => (tera, false),
                Err(error) => {
                    diagnostics.push(template_error(&error, &origins));
                    return None;
                }
            },
        };
        let (assets, files) = hash_assets(&theme.assets, &urls);
        let mut renderer = Renderer {
            tera,
            origins,
            minified,
            strings: theme.strings.clone(),
            urls,
            date,
            assets,
            site_title: config.title.clone(),
            template_prints: template_prints(theme),
            global_print: 0,
            memo: None,
        };
        let site = SiteView {
            title: &config.title,
            description: &config.description,
            base_url: renderer.urls.base_url(),
            base_path: renderer.urls.base_path(),
            language: &config.language,
            license: &config.license,
            publisher: &config.publisher,
            extra: &config.extra,
            generated: date.to_string(),
            generated_text: renderer.long_date(date),
        };
        let asset_urls: BTreeMap<String, String> = renderer
            .assets
            .iter()
            .map(|(k, v)| (asset_key(k), renderer.urls.path_url(v)))
            .collect();
        let global = renderer.tera.global_context();
        global.insert("site", &site);
        global.insert("t", &theme.strings);
        global.insert("assets", &asset_urls);
        global.insert("base", renderer.urls.base_path());
        global.insert("sections", &sections);
        // Filled by `set_page_urls`; empty until then, so templates can test it.
        global.insert("page_urls", &BTreeMap::<String, String>::new());
        let mut hasher = DefaultHasher::new();
        let _ = serde_json::to_writer(HashWriter(&mut hasher), &site);
        let _ = serde_json::to_writer(HashWriter(&mut hasher), &theme.strings);
        let _ = serde_json::to_writer(HashWriter(&mut hasher), &asset_urls);
        let _ = serde_json::to_writer(HashWriter(&mut hasher), &sections);
        // A page kept from the last build is minified or not as it was.
        config.minify.hash(&mut hasher);
        renderer.global_print = hasher.finish();
        Some((renderer, files))
    }

    /// Lets this renderer reuse the pages of a previous build whose
    /// fingerprint has not changed.
    pub fn reuse(&mut self, memo: Arc<Memo>) {
        self.memo = Some(memo);
    }

    /// Makes every content page's URL available to templates as
    /// `page_urls["<source path>"]`, so a template can link a page only
    /// when the site has it (`{% if page_urls["toegankelijkheid.md"] %}`).
    pub fn set_page_urls(&mut self, content: &crate::content::Content) {
        let urls: BTreeMap<&str, String> = content
            .pages
            .iter()
            .map(|p| (p.source_path.as_str(), self.urls.path_url(&p.output_dir)))
            .collect();
        let mut hasher = DefaultHasher::new();
        self.global_print.hash(&mut hasher);
        let _ = serde_json::to_writer(HashWriter(&mut hasher), &urls);
        self.global_print = hasher.finish();
        self.tera.global_context().insert("page_urls", &urls);
    }

    /// In an incremental rebuild, the fingerprint of what a page made from
    /// `template` depends on: the shared context, the template and whatever
    /// `feed` hashes (the page's own inputs). `None` in a full build, where
    /// `feed` is not called.
    pub fn inputs_print(
        &self,
        template: &str,
        feed: impl FnOnce(&mut DefaultHasher),
    ) -> Option<u64> {
        self.memo.as_ref()?;
        let mut hasher = DefaultHasher::new();
        self.shared_print(template, &mut hasher);
        feed(&mut hasher);
        Some(hasher.finish())
    }

    /// Adds what every page made from `template` depends on: the shared
    /// context and the template with the templates it uses.
    fn shared_print(&self, template: &str, hasher: &mut DefaultHasher) {
        self.global_print.hash(hasher);
        self.template_prints.get(template).hash(hasher);
        template.hash(hasher);
    }

    /// The file at `path`: the previous build's when it had the same
    /// fingerprint `print`, else made by `make`.
    pub fn memoized(
        &self,
        path: String,
        print: Option<u64>,
        make: impl FnOnce() -> Result<Vec<u8>, Diagnostic>,
    ) -> Result<OutputFile, Diagnostic> {
        let Some(print) = print else {
            return Ok(OutputFile::new(path, make()?));
        };
        if let Some((previous, bytes)) = self.memo.as_ref().and_then(|m| m.get(&path))
            && *previous == print
        {
            return Ok(OutputFile::shared(path, bytes.clone()).with_fingerprint(print));
        }
        Ok(OutputFile::new(path, make()?).with_fingerprint(print))
    }

    /// In an incremental rebuild, the fingerprint of a page made from
    /// `template` with the context `page` plus whatever `feed` hashes (what
    /// the caller adds to the context when the page has to be rendered).
    pub fn page_print(
        &self,
        template: &str,
        page: &PageContext,
        feed: impl FnOnce(&mut DefaultHasher),
    ) -> Option<u64> {
        let mut hasher = page.hasher.clone()?;
        feed(&mut hasher);
        self.shared_print(template, &mut hasher);
        Some(hasher.finish())
    }

    /// Whether pages are fingerprinted (an incremental rebuild).
    pub fn is_incremental(&self) -> bool {
        self.memo.is_some()
    }

    /// The fingerprint of one value, serialised as JSON into the hasher.
    pub fn value_print<T: Serialize + ?Sized>(value: &T) -> u64 {
        let mut hasher = DefaultHasher::new();
        let _ = serde_json::to_writer(HashWriter(&mut hasher), value);
        hasher.finish()
    }

    /// Renders a template, turning Tera's error into a diagnostic that names
    /// the template and line.
    pub fn render(&self, template: &str, context: &Context) -> Result<String, Diagnostic> {
        self.tera.render(template, context).map_err(|error| {
            if !self.minified {
                return template_error(&error, &self.origins);
            }
            // The error's place is in a minified template: render again
            // with the templates as written to report it where it is.
            let mut tera = self.tera.clone();
            let written = self.origins.iter().map(|(name, s)| (name, &*s.text));
            let again = tera
                .add_raw_templates(written)
                .and_then(|()| tera.render(template, context));
            match again {
                Err(error) => template_error(&error, &self.origins),
                Ok(_) => template_error(&error, &BTreeMap::new()),
            }
        })
    }

    /// Whether the theme or site has this template.
    pub fn has_template(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    /// A UI string by dotted path (`organisation.kvk`), or the path itself
    /// when the strings file lacks it, so a gap is visible, not fatal.
    pub fn t(&self, path: &str) -> String {
        let mut value: Option<&toml::Value> = None;
        let mut table = &self.strings;
        for part in path.split('.') {
            value = table.get(part);
            if let Some(toml::Value::Table(inner)) = value {
                table = inner;
            }
        }
        match value {
            Some(toml::Value::String(s)) => s.clone(),
            _ => path.to_string(),
        }
    }

    /// A UI string with `{name}` placeholders filled in.
    pub fn tf(&self, path: &str, values: &[(&str, &str)]) -> String {
        fill_placeholders(&self.t(path), values.iter().copied())
    }

    /// `31 maart 2027`, with month names from the strings file.
    pub fn long_date(&self, date: Date) -> String {
        let month = self
            .strings
            .get("months")
            .and_then(|m| m.get("names"))
            .and_then(|n| n.as_array())
            .and_then(|names| names.get(date.month() as usize - 1))
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| format!("{:02}", date.month()));
        format!("{} {month} {}", date.day(), date.year())
    }

    /// `31-03-2027`, the short Dutch date.
    pub fn short_date(&self, date: Date) -> String {
        format!("{:02}-{:02}-{}", date.day(), date.month(), date.year())
    }
}

/// A number as Dutch text: decimal comma, two decimals (`3,58`).
pub fn dutch_number(value: f64, decimals: usize) -> String {
    format!("{value:.decimals$}").replace('.', ",")
}

/// `text` with `{key}` placeholders replaced by their values.
pub fn fill_placeholders<'a>(
    text: &str,
    values: impl Iterator<Item = (&'a str, &'a str)>,
) -> String {
    let mut out = text.to_string();
    for (key, value) in values {
        out = out.replace(&format!("{{{key}}}"), value);
    }
    out
}

/// The `fill` filter: `{{ t.register.count | fill(n=12) }}`.
fn fill(text: &str, kwargs: Kwargs, _: &State) -> String {
    let mut out = text.to_string();
    for (key, value) in kwargs.iter() {
        let shown = match value.as_str() {
            Some(s) => s.to_string(),
            None => value.to_string(),
        };
        out = out.replace(&format!("{{{key}}}"), &shown);
    }
    out
}

fn asset_key(path: &str) -> String {
    path.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Gives CSS and JS files a content hash in their name for long-term
/// caching; other assets keep their name.
fn hash_assets(
    assets: &BTreeMap<String, Vec<u8>>,
    _urls: &Urls,
) -> (BTreeMap<String, String>, Vec<OutputFile>) {
    let mut names = BTreeMap::new();
    let mut files = Vec::new();
    for (path, bytes) in assets {
        let hashed = match path.rsplit_once('.') {
            Some((stem, ext)) if ext == "css" || ext == "js" => {
                let hash = blake3::hash(bytes).to_hex();
                format!("{stem}.{}.{ext}", &hash[..10])
            }
            _ => path.clone(),
        };
        names.insert(path.clone(), hashed.clone());
        files.push(OutputFile::new(hashed, bytes.clone()));
    }
    (names, files)
}

/// Each template's fingerprint covers its own text and the texts of every
/// template it names in `extends`, `include` or `import`, so a change to a
/// partial invalidates exactly the pages whose templates use it.
fn template_prints(theme: &Theme) -> HashMap<String, u64> {
    let texts: HashMap<&str, &str> = theme
        .templates
        .values()
        .map(|t| (t.name.as_str(), t.text.as_str()))
        .collect();
    texts
        .keys()
        .map(|&name| {
            let mut seen = std::collections::BTreeSet::new();
            let mut todo = vec![name];
            while let Some(current) = todo.pop() {
                if !seen.insert(current) {
                    continue;
                }
                if let Some(text) = texts.get(current) {
                    todo.extend(
                        named_templates(text)
                            .filter_map(|n| texts.get_key_value(n).map(|(k, _)| *k)),
                    );
                }
            }
            let mut hasher = DefaultHasher::new();
            for used in seen {
                used.hash(&mut hasher);
                texts.get(used).hash(&mut hasher);
            }
            (name.to_string(), hasher.finish())
        })
        .collect()
}

/// The template names in a template's `extends`, `include` and `import` tags.
fn named_templates(text: &str) -> impl Iterator<Item = &str> {
    text.split("{%").skip(1).filter_map(|tag| {
        let tag = tag.trim_start_matches(['-', ' ', '\t', '\n']);
        let rest = ["extends", "include", "import"]
            .iter()
            .find_map(|word| tag.strip_prefix(word))?;
        let rest = rest.trim_start();
        let quote = rest
            .chars()
            .next()
            .filter(|c| matches!(c, '"' | '\'' | '`'))?;
        let inner = &rest[1..];
        inner.find(quote).map(|end| &inner[..end])
    })
}

fn template_error(error: &tera::Error, origins: &BTreeMap<String, Source>) -> Diagnostic {
    use std::error::Error as _;
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        if let Some(tera_error) = e.downcast_ref::<tera::Error>()
            && let tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) =
                tera_error.kind()
        {
            let name = report.filename();
            let message = format!("template error: {}", report.message());
            return match origins.get(name) {
                Some(source) => Diagnostic::error(message)
                    .at(source, Some(report.span().range.clone()))
                    .hint("fix the template; Tera's syntax is described at https://keats.github.io/tera/"),
                None => Diagnostic::error(message).in_file(name.to_string()),
            };
        }
        current = e.source();
    }
    let mut message = format!("template error: {error}");
    let mut source = error.source();
    while let Some(e) = source {
        message.push_str(&format!(": {e}"));
        source = e.source();
    }
    Diagnostic::error(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_numbers() {
        assert_eq!(
            fill_placeholders(
                "Pagina {n} van {total}",
                [("n", "2"), ("total", "9")].into_iter()
            ),
            "Pagina 2 van 9"
        );
        assert_eq!(dutch_number(3.5, 2), "3,50");
    }

    #[test]
    fn finds_the_templates_a_template_uses() {
        let text = r#"{% extends "base.html" %}{%- include 'partials/a.html' %}{% import "macros.html" as m %}{% if x %}"#;
        let names: Vec<&str> = named_templates(text).collect();
        assert_eq!(names, ["base.html", "partials/a.html", "macros.html"]);
    }
}
