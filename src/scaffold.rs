//! Starting points written for the operator: `trede new organisation`,
//! `trede new post` and `trede init`. Nothing existing is ever overwritten.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::markdown::slugify;
use crate::records::{self, RECORDS_DIR};

/// Writes `text` to `path` only if nothing is there yet.
fn write_new(path: &Path, text: &str) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    io::Write::write_all(&mut file, text.as_bytes())
}

fn refuse_existing(path: &Path) -> Result<(), String> {
    if path.exists() {
        return Err(format!(
            "{} already exists; trede never overwrites it (remove or rename it first)",
            path.display()
        ));
    }
    Ok(())
}

/// A commented record for `id`, to fill in. It does not pass `check` until
/// the placeholders are replaced: an empty name or an all-zero KvK number
/// is an error, on purpose.
pub fn organisation_template(id: &str, today: Date) -> String {
    format!(
        r#"# Record `{id}`: one certified organisation. Every key is described in
# spec/records.md; `trede check` tells what is still missing or wrong.
# Fill in the values between quotes and replace the zeros.

name = ""                     # registered name
kvk = "00000000"              # Chamber of Commerce number: exactly 8 digits
city = ""
province = ""                 # one of the 12 provinces, e.g. "Utrecht" or "Fryslân"
sector = ""                   # free text, e.g. "Schoonmaak"
# website = "https://..."     # optional
# summary = "One paragraph of markdown."
# description = """Longer markdown."""

[certificate]
number = ""                   # as printed on the certificate; unique in the register
body = ""                     # the certifying body
issued = {today}              # date of issue (a TOML date, no quotes)
# expires = 2027-03-31        # optional: default is the day before the 2nd anniversary
# status = "active"           # "active", "suspended" or "withdrawn"
# declared_level = "trede-1"  # the level on the certificate, checked against the computation
# aspirant_plan = false       # true: a plan of approach was accepted (aspirant)

[measurement]
year = {year}                 # measurement year (peiljaar)
employees = 0                 # headcount, at least 1
total_fte = 0.0               # total FTE, more than 0
# revenue_eur = 0             # turnover; required when others buy from this organisation

# One table per group of target-group employees; keys on the method page.
[[measurement.target_group]]
position = "wajong"           # e.g. sw-indicatie, participatiewet, wajong, ww, ...
contract = "regulier"         # regulier, begeleid-werken, detachering, stage, proefplaatsing
fte = 0.0
persons = 0

# Purchases from other certified organisations in this register:
# [[measurement.purchases]]
# supplier = "other-record-id"
# amount_eur = 10000
# Or from a supplier outside the register (e.g. an SW-bedrijf):
# [[measurement.purchases]]
# supplier_name = "Werkbedrijf Regio Noord"
# amount_eur = 10000
# supplier_revenue_eur = 12000000
# supplier_direct_fte = 310.0
"#,
        year = today.year() - 1
    )
}

/// `trede new organisation <id>`: writes the record template.
pub fn new_organisation(root: &Path, id: &str, today: Date) -> Result<PathBuf, String> {
    if !records::is_valid_id(id) {
        return Err(format!(
            "`{id}` is not a valid organisation id: use lowercase letters and digits in groups joined by single hyphens, at most 80 characters (e.g. `schoonmaak-de-ster`)"
        ));
    }
    let path = root.join(RECORDS_DIR).join(format!("{id}.toml"));
    refuse_existing(&path)?;
    write_new(&path, &organisation_template(id, today))
        .map_err(|e| format!("could not write {}: {e}", path.display()))?;
    Ok(path)
}

/// `trede new post "<title>"`: writes a dated blog post with a slug.
pub fn new_post(root: &Path, title: &str, today: Date) -> Result<PathBuf, String> {
    let slug = slugify(title);
    if slug.is_empty() {
        return Err("the title needs at least one letter or digit".into());
    }
    let path = root.join("content/blog").join(format!("{slug}.md"));
    refuse_existing(&path)?;
    let text = format!(
        "+++\ntitle = {}\ndate = {today}\ndescription = \"\"\n+++\n\nSchrijf hier het bericht.\n",
        toml_string(title)
    );
    write_new(&path, &text).map_err(|e| format!("could not write {}: {e}", path.display()))?;
    Ok(path)
}

fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// `trede init <dir>`: a new register that builds at once.
pub fn init(dir: &Path, today: Date) -> Result<Vec<PathBuf>, String> {
    if dir.join("site.toml").exists() {
        return Err(format!(
            "{} already holds a site.toml; trede init starts a new site only",
            dir.display()
        ));
    }
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "register".into());
    let slug = {
        let s = slugify(&name);
        if s.is_empty() {
            "register".to_string()
        } else {
            s
        }
    };
    let files: Vec<(&str, String)> = vec![
        (
            "site.toml",
            format!(
                "# Configuration of the register; every key is in trede's README.\ntitle = \"PSO-register\"\nbase_url = \"https://example.github.io/{slug}/\"\ndescription = \"Openbaar register van organisaties met een PSO-certificaat.\"\n\n[publisher]\nname = \"\"\nemail = \"\"\n"
            ),
        ),
        (
            "content/_index.md",
            "+++\ntitle = \"PSO-register\"\ndescription = \"Welke organisaties hebben een PSO-certificaat, op welke trede en tot wanneer?\"\n+++\n\nDit register toont organisaties met een certificaat op de Prestatieladder Socialer Ondernemen (PSO).\n".to_string(),
        ),
        (
            "content/organisations/voorbeeld-organisatie.toml",
            sample_record(today),
        ),
        (".github/workflows/pages.yml", PAGES_WORKFLOW.to_string()),
        (".gitignore", "/public\n".to_string()),
    ];
    let mut written = Vec::new();
    for (rel, _) in &files {
        refuse_existing(&dir.join(rel))?;
    }
    for (rel, text) in files {
        let path = dir.join(rel);
        write_new(&path, &text).map_err(|e| format!("could not write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

fn sample_record(today: Date) -> String {
    format!(
        r#"# A sample record: replace it with your first organisation.
name = "Voorbeeldorganisatie B.V."
kvk = "12345678"
city = "Utrecht"
province = "Utrecht"
sector = "Schoonmaak"
summary = "Een fictieve organisatie om te laten zien hoe een record eruitziet."

[certificate]
number = "PSO-VOORBEELD-1"
body = "Certificerende instelling"
issued = {today}

[measurement]
year = {year}
employees = 40
total_fte = 34.0

[[measurement.target_group]]
position = "participatiewet"
contract = "regulier"
fte = 3.0
persons = 4
"#,
        year = today.year() - 1
    )
}

/// The GitHub Pages workflow written by `init`: it installs trede, builds
/// the register and publishes it with the official Pages actions.
pub const PAGES_WORKFLOW: &str = r#"# Builds the register with trede and publishes it on GitHub Pages.
# Settings > Pages > Source: "GitHub Actions". To install trede from a git
# repository instead of crates.io, set the repository variable TREDE_GIT.
name: Publish the register

on:
  push:
    branches: [main]
  schedule:
    # Rebuild daily so certificate statuses follow the calendar.
    - cron: "17 4 * * *"
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/configure-pages@v5
        id: pages
      - name: Install trede
        env:
          TREDE_GIT: ${{ vars.TREDE_GIT }}
        run: |
          if [ -n "$TREDE_GIT" ]; then
            cargo install --locked --git "$TREDE_GIT" trede
          else
            cargo install --locked trede
          fi
      - name: Build the register
        run: trede build --strict --base-url "${{ steps.pages.outputs.base_url }}/"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: public

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - uses: actions/deploy-pages@v4
        id: deployment
"#;
