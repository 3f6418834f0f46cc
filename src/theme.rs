//! The theme: templates, static assets and UI strings. The default theme in
//! `themes/default` is compiled into the binary, so a folder with only
//! `site.toml` and records builds; a theme folder on disk
//! (`themes/<name>/`) is used instead when present, the site's own
//! `templates/` override theme templates by name, and the site's own
//! `strings/<language>.toml` overrides UI strings key by key.

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{Dir, include_dir};
use walkdir::WalkDir;

use crate::diagnostics::{Diagnostic, Diagnostics, Source};

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// One template, with where it came from for error messages.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Name templates refer to it by (`base.html`, `partials/nav.html`).
    pub name: String,
    /// Path shown in messages (`themes/default/templates/base.html`).
    pub origin: String,
    /// The template text.
    pub text: String,
}

/// A loaded theme.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// Templates by name, site overrides applied.
    pub templates: BTreeMap<String, TemplateFile>,
    /// Static assets by path under `static/`.
    pub assets: BTreeMap<String, Vec<u8>>,
    /// UI strings for the site's language.
    pub strings: toml::Table,
}

/// Loads the theme named in the configuration for `language`, then the
/// site's own `templates/` and `strings/<language>.toml` over it.
pub fn load(
    root: &Path,
    name: &str,
    language: &str,
    diagnostics: &mut Diagnostics,
) -> Option<Theme> {
    let mut files: BTreeMap<String, (String, Vec<u8>)> = BTreeMap::new();
    let disk = root.join("themes").join(name);
    if disk.is_dir() {
        read_dir_into(&disk, &format!("themes/{name}/"), &mut files);
    } else if name == "default" {
        embedded_into(&DEFAULT_THEME, &mut files);
    } else {
        diagnostics.push(
            Diagnostic::error(format!("theme `{name}` not found"))
                .in_file(crate::config::CONFIG_FILE)
                .key("theme")
                .hint(format!(
                    "put the theme in themes/{name}/, or use the built-in `default`"
                )),
        );
        return None;
    }
    let mut theme = Theme::default();
    for (path, (origin, bytes)) in files {
        if let Some(name) = path.strip_prefix("templates/") {
            insert_template(&mut theme, name, origin, bytes, diagnostics);
        } else if let Some(asset) = path.strip_prefix("static/") {
            theme.assets.insert(asset.to_string(), bytes);
        }
    }
    let mut overrides = BTreeMap::new();
    read_dir_into(&root.join("templates"), "templates/", &mut overrides);
    for (name, (origin, bytes)) in overrides {
        insert_template(&mut theme, &name, origin, bytes, diagnostics);
    }
    let strings_path = format!("strings/{language}.toml");
    let strings_text = if disk.is_dir() {
        std::fs::read_to_string(disk.join(&strings_path)).ok()
    } else {
        DEFAULT_THEME
            .get_file(&strings_path)
            .and_then(|f| f.contents_utf8())
            .map(str::to_string)
    };
    match strings_text {
        None => diagnostics.push(
            Diagnostic::error(format!(
                "the theme has no strings for language `{language}`"
            ))
            .in_file(crate::config::CONFIG_FILE)
            .key("language")
            .hint(format!(
                "add {strings_path} to the theme, or use language = \"nl\""
            )),
        ),
        Some(text) => {
            let source = Source::new(strings_origin(name, language), text);
            match toml::from_str::<toml::Table>(&source.text) {
                Ok(table) => theme.strings = table,
                Err(error) => diagnostics.push(
                    Diagnostic::error(format!("invalid strings file: {}", error.message().trim()))
                        .at(&source, error.span()),
                ),
            }
        }
    }
    if let Ok(text) = std::fs::read_to_string(root.join(&strings_path)) {
        let source = Source::new(strings_path, text);
        overlay_strings(&mut theme.strings, &source, name, diagnostics);
    }
    Some(theme)
}

/// Replaces the theme's strings with those in the site's own strings file,
/// key by key, so a site rewords its pages without copying the theme. A key
/// the theme does not have is an error (a typo would otherwise be ignored),
/// and so is a value of another kind than the theme's.
fn overlay_strings(
    strings: &mut toml::Table,
    source: &Source,
    theme: &str,
    diagnostics: &mut Diagnostics,
) {
    let parsed = toml::from_str::<toml::Table>(&source.text)
        .and_then(|values| Ok((values, toml::de::DeTable::parse(&source.text)?)));
    match parsed {
        Ok((values, spans)) => {
            let mut overlay = Overlay {
                source,
                theme,
                diagnostics,
            };
            overlay.merge(strings, values, spans.get_ref(), "");
        }
        Err(error) => diagnostics.push(
            Diagnostic::error(format!("invalid strings file: {}", error.message().trim()))
                .at(source, error.span()),
        ),
    }
}

struct Overlay<'a> {
    source: &'a Source,
    theme: &'a str,
    diagnostics: &'a mut Diagnostics,
}

impl Overlay<'_> {
    fn merge(
        &mut self,
        strings: &mut toml::Table,
        values: toml::Table,
        spans: &toml::de::DeTable,
        prefix: &str,
    ) {
        for (key, value) in values {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            let written = spans
                .iter()
                .find(|(k, _)| k.get_ref().as_ref() == key.as_str());
            let (key_span, value_span) = written
                .map(|(k, v)| (k.span(), v.span()))
                .unwrap_or_default();
            let Some(current) = strings.get_mut(&key) else {
                let nearest = crate::diagnostics::nearest(&key, strings.keys().map(String::as_str));
                let hint = match nearest {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!(
                        "the keys a site can set are those of {}",
                        strings_origin(self.theme, "<language>")
                    ),
                };
                self.diagnostics.push(
                    Diagnostic::error(format!("unknown string `{path}`"))
                        .at(self.source, Some(key_span))
                        .key(&path)
                        .hint(hint),
                );
                continue;
            };
            match (current, value) {
                (toml::Value::Table(inner), toml::Value::Table(values)) => {
                    let no_spans = toml::de::DeTable::default();
                    let inner_spans = match written.map(|(_, v)| v.get_ref()) {
                        Some(toml::de::DeValue::Table(table)) => table,
                        _ => &no_spans,
                    };
                    self.merge(inner, values, inner_spans, &path);
                }
                (current, value) if current.same_type(&value) && !current.is_table() => {
                    *current = value;
                }
                (current, _) => {
                    let expected = if current.is_table() {
                        format!("a table of strings: [{path}] with keys under it")
                    } else {
                        format!("{}, as in the theme", current.type_str())
                    };
                    self.diagnostics.push(
                        Diagnostic::error(format!("`{path}` has the wrong kind of value"))
                            .at(self.source, Some(value_span))
                            .key(&path)
                            .hint(format!("expected {expected}")),
                    );
                }
            }
        }
    }
}

fn insert_template(
    theme: &mut Theme,
    name: &str,
    origin: String,
    bytes: Vec<u8>,
    diagnostics: &mut Diagnostics,
) {
    match String::from_utf8(bytes) {
        Ok(text) => {
            theme.templates.insert(
                name.to_string(),
                TemplateFile {
                    name: name.to_string(),
                    origin,
                    text,
                },
            );
        }
        Err(_) => {
            diagnostics.push(Diagnostic::error("a template is not valid UTF-8").in_file(origin))
        }
    }
}

fn read_dir_into(dir: &Path, shown_prefix: &str, files: &mut BTreeMap<String, (String, Vec<u8>)>) {
    if !dir.is_dir() {
        return;
    }
    for entry in WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        if let Ok(bytes) = std::fs::read(entry.path()) {
            files.insert(rel.clone(), (format!("{shown_prefix}{rel}"), bytes));
        }
    }
}

fn embedded_into(dir: &Dir<'static>, files: &mut BTreeMap<String, (String, Vec<u8>)>) {
    for entry in dir.entries() {
        if let Some(sub) = entry.as_dir() {
            embedded_into(sub, files);
        } else if let Some(file) = entry.as_file() {
            let rel = file.path().to_string_lossy().replace('\\', "/");
            files.insert(
                rel.clone(),
                (format!("themes/default/{rel}"), file.contents().to_vec()),
            );
        }
    }
}

/// The strings file of theme `name` for `language`, as messages name it.
pub fn strings_origin(name: &str, language: &str) -> String {
    format!("themes/{name}/strings/{language}.toml")
}

/// The built-in theme's UI strings for `language`, if it has them.
pub fn default_strings(language: &str) -> Option<toml::Table> {
    let text = DEFAULT_THEME
        .get_file(format!("strings/{language}.toml"))?
        .contents_utf8()?;
    toml::from_str(text).ok()
}

/// Static files of the site (`static/`), copied as they are.
pub fn site_static(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    read_dir_into(&root.join("static"), "static/", &mut files);
    files.into_iter().map(|(k, (_, v))| (k, v)).collect()
}
