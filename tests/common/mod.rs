//! Shared helpers for the integration tests: fixture sites in temporary
//! folders, running the real binary, and reading the output.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The reference date every test builds with.
pub const DATE: &str = "2026-11-30";

/// A minimal valid record; `extra` is appended inside the top-level table.
pub fn record(name: &str, kvk: &str, number: &str) -> String {
    format!(
        r#"name = "{name}"
kvk = "{kvk}"
city = "Deventer"
province = "Overijssel"
sector = "Groenvoorziening"
website = "https://example.org"
summary = "Een *voorbeeld*."

[certificate]
number = "{number}"
body = "Certificeringsbureau (fictief)"
issued = 2025-04-01

[measurement]
year = 2024
employees = 54
total_fte = 46.2
revenue_eur = 6200000

[[measurement.target_group]]
position = "wajong"
contract = "regulier"
fte = 2.0
persons = 3
"#
    )
}

/// A temporary site folder.
pub struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    /// A site with `site.toml` and two valid records.
    pub fn new() -> Site {
        let site = Site::empty();
        site.write(
            "site.toml",
            "title = \"Testregister\"\nbase_url = \"https://example.org/\"\n",
        );
        site.write(
            "content/organisations/groen-een.toml",
            &record("Groen Een", "12345678", "PSO-1"),
        );
        site.write(
            "content/organisations/groen-twee.toml",
            &record("Groen Twee", "12345679", "PSO-2"),
        );
        site
    }

    /// An empty folder.
    pub fn empty() -> Site {
        Site {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, path: &str, text: &str) {
        let full = self.root().join(path);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, text).unwrap();
    }

    pub fn read(&self, path: &str) -> String {
        fs::read_to_string(self.root().join(path)).unwrap_or_else(|e| panic!("reading {path}: {e}"))
    }

    pub fn public(&self) -> PathBuf {
        self.root().join("public")
    }

    /// Runs `trede <args> --root <site>` and returns the assert handle.
    pub fn trede(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        let mut cmd = Command::cargo_bin("trede").unwrap();
        cmd.args(args)
            .arg("--root")
            .arg(self.root())
            .env_remove("SOURCE_DATE_EPOCH");
        cmd.assert()
    }

    pub fn build(&self) -> assert_cmd::assert::Assert {
        self.trede(&["build", "--date", DATE])
    }
}

/// Every file under `dir`, by relative path, with its bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir(dir) {
        let rel = entry
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        files.insert(rel, fs::read(&entry).unwrap());
    }
    files
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Values of `href` and `src` attributes in an HTML text, quoted or not
/// (minified HTML drops quotes where it can).
pub fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attr in [" href=", " src="] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let value = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
                _ => rest
                    .split(|c: char| c.is_whitespace() || c == '>')
                    .next()
                    .unwrap_or(""),
            };
            found.push(value.replace("&amp;", "&"));
        }
    }
    found
}

/// Checks that every internal link and asset in every HTML page of `dir`
/// resolves to a file, for a site published under `base_url`. Returns the
/// broken ones as "page -> link".
pub fn broken_links(dir: &Path, base_url: &str) -> Vec<String> {
    let files = tree(dir);
    let after_scheme = base_url.split_once("://").unwrap().1;
    let base_path = &after_scheme[after_scheme.find('/').unwrap()..];
    let mut broken = Vec::new();
    for (path, bytes) in &files {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        for link in links(&html) {
            let local = if let Some(rest) = link.strip_prefix(base_url) {
                rest.to_string()
            } else if let Some(rest) = link.strip_prefix(base_path) {
                rest.to_string()
            } else if link.starts_with('/') {
                broken.push(format!("{path} -> {link} (outside the base path)"));
                continue;
            } else {
                continue; // external, fragment-only or mailto
            };
            let local = local.split(['#', '?']).next().unwrap_or("");
            let target = if local.is_empty() || local.ends_with('/') {
                format!("{local}index.html")
            } else {
                local.to_string()
            };
            if !files.contains_key(&target) {
                broken.push(format!("{path} -> {link}"));
            }
        }
    }
    broken
}

/// Options for building `site` in-process with the library, on [`DATE`].
pub fn build_options(site: &Site) -> trede::build::Options {
    trede::build::Options {
        root: site.root().to_path_buf(),
        output: None,
        base_url: None,
        date: DATE.parse().unwrap(),
        strict: false,
        check_links: false,
        external_links: None,
    }
}

/// The repository root, which is the example site.
pub fn example_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies the example site's inputs (not its output) into a temporary folder.
pub fn example_copy() -> Site {
    let site = Site::empty();
    let root = example_root();
    fs::copy(root.join("site.toml"), site.root().join("site.toml")).unwrap();
    for (rel, bytes) in tree(&root.join("content")) {
        let target = site.root().join("content").join(rel);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::write(target, bytes).unwrap();
    }
    site
}
