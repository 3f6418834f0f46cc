//! The operator's commands: `check` with link checking, `new`, `init` and
//! `import`.

mod common;

use common::{DATE, Site, record};
use predicates::prelude::*;

#[test]
fn check_finds_a_broken_internal_link_and_anchor_in_a_template() {
    let site = Site::new();
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<a href=\"{{ base }}bestaat-niet/\">x</a> <a href=\"{{ base }}methode/#geen-anker\">y</a>{% endblock content %}",
    );
    site.trede(&["check", "--date", DATE])
        .code(1)
        .stderr(predicate::str::contains(
            "broken internal link `/bestaat-niet/`",
        ))
        .stderr(predicate::str::contains("404.html (rendered)"))
        .stderr(predicate::str::contains(
            "broken anchor `/methode/#geen-anker`",
        ));
    assert!(!site.public().exists());
}

#[test]
fn check_finds_a_broken_anchor_in_a_page() {
    let site = Site::new();
    site.write(
        "content/uitleg/ladder.md",
        "+++\ntitle = \"Ladder\"\n+++\n## Normen {#normen}\n",
    );
    site.write(
        "content/uitleg/a.md",
        "+++\ntitle = \"A\"\n+++\n[x](@/uitleg/ladder.md#normen) [y](@/uitleg/ladder.md#tabel)\n",
    );
    site.trede(&["check", "--date", DATE])
        .code(1)
        .stderr(predicate::str::contains("no id `tabel`"))
        .stderr(predicate::str::contains("no id `normen`").not());
}

#[test]
fn a_section_without_an_index_page_gets_one() {
    let site = Site::new();
    site.write(
        "content/uitleg/ladder.md",
        "+++\ntitle = \"De ladder\"\n+++\nTekst.\n",
    );
    site.write(
        "content/blog/eerste.md",
        "+++\ntitle = \"Eerste bericht\"\ndate = 2026-11-01\n+++\nTekst.\n",
    );
    site.write(
        "content/werkwijze/stappen.md",
        "+++\ntitle = \"Stappen\"\n+++\nTekst.\n",
    );
    // The navigation links to /uitleg/ and /blog/: no broken links.
    site.trede(&["check", "--date", DATE])
        .success()
        .stderr(predicate::str::contains("broken").not());
    site.build().success();
    let explainers = site.read("public/uitleg/index.html");
    assert!(explainers.contains("De ladder"), "{explainers}");
    assert!(explainers.contains("<h1>Uitleg</h1>"), "{explainers}");
    let blog = site.read("public/blog/index.html");
    assert!(blog.contains("Eerste bericht"));
    assert!(blog.contains("<h1>Nieuws</h1>"), "{blog}");
    assert!(site.read("public/werkwijze/index.html").contains("Stappen"));
}

#[test]
fn new_organisation_writes_a_record_that_passes_check_once_filled_in() {
    let site = Site::new();
    site.trede(&["new", "organisation", "schoonmaak-de-ster"])
        .success();
    let path = "content/organisations/schoonmaak-de-ster.toml";
    let template = site.read(path);
    // The record is issued today: checked on the day it was written, as
    // its author would (a fixed date would be before it from tomorrow on).
    let today = template
        .lines()
        .find_map(|line| line.strip_prefix("issued = "))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the template's issue date")
        .to_string();
    // Unfilled, it does not pass.
    site.trede(&["check", "--date", &today])
        .code(1)
        .stderr(predicate::str::contains("schoonmaak-de-ster.toml"));
    let filled = template
        .replacen("name = \"\"", "name = \"Schoonmaak De Ster\"", 1)
        .replacen("kvk = \"00000000\"", "kvk = \"11223344\"", 1)
        .replacen("city = \"\"", "city = \"Utrecht\"", 1)
        .replacen("province = \"\"", "province = \"Utrecht\"", 1)
        .replacen("sector = \"\"", "sector = \"Schoonmaak\"", 1)
        .replacen("number = \"\"", "number = \"PSO-9\"", 1)
        .replacen("body = \"\"", "body = \"Kiwa\"", 1)
        .replacen("employees = 0", "employees = 20", 1)
        .replacen("total_fte = 0.0", "total_fte = 18.0", 1)
        .replacen("fte = 0.0", "fte = 2.0", 1)
        .replacen("persons = 0", "persons = 2", 1);
    site.write(path, &filled);
    site.trede(&["check", "--date", &today]).success();
    // It never overwrites.
    site.trede(&["new", "organisation", "schoonmaak-de-ster"])
        .code(1)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(site.read(path), filled);
    site.trede(&["new", "organisation", "Geen_Id"])
        .code(1)
        .stderr(predicate::str::contains("not a valid organisation id"));
}

#[test]
fn new_post_writes_a_dated_post_with_a_slug() {
    let site = Site::new();
    site.trede(&[
        "new",
        "post",
        "Het register is live!",
        "--date",
        "2026-11-30",
    ])
    .success();
    let post = site.read("content/blog/het-register-is-live.md");
    assert!(post.contains("title = \"Het register is live!\""));
    assert!(post.contains("date = 2026-11-30"));
    site.build().success();
    assert!(
        site.public()
            .join("blog/het-register-is-live/index.html")
            .is_file()
    );
    site.trede(&["new", "post", "Het register is live!"])
        .code(1);
}

#[test]
fn init_creates_a_site_that_builds_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("mijn-register");
    let mut cmd = assert_cmd::Command::cargo_bin("trede").unwrap();
    cmd.arg("init").arg(&root).assert().success();
    for file in [
        "site.toml",
        "content/_index.md",
        "content/organisations/voorbeeld-organisatie.toml",
        ".github/workflows/pages.yml",
    ] {
        assert!(root.join(file).is_file(), "{file}");
    }
    let mut build = assert_cmd::Command::cargo_bin("trede").unwrap();
    build
        .args(["build", "--strict", "--root"])
        .arg(&root)
        .assert()
        .success();
    assert!(
        root.join("public/organisaties/voorbeeld-organisatie/index.html")
            .is_file()
    );
    let mut again = assert_cmd::Command::cargo_bin("trede").unwrap();
    again
        .arg("init")
        .arg(&root)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already holds a site.toml"));
}

fn csv_path(site: &Site) -> String {
    site.root().join("leden.csv").display().to_string()
}

const HEADER: &str = "id,name,kvk,city,province,sector,certificate_number,certificate_body,issued,measurement_year,employees,total_fte,revenue_eur,target_group,purchases,external_purchases\n";

#[test]
fn import_writes_one_valid_record_per_row() {
    let site = Site::new();
    let csv = format!(
        "{HEADER}schoonmaak-de-ster,Schoonmaak De Ster,11223344,Utrecht,Utrecht,Schoonmaak,PSO-10,Kiwa,2025-06-01,2024,20,\"18,0\",1000000,wajong:regulier:2:2; ww:stage:1:1,groen-een:5000,Werkbedrijf Noord|1000|12000000|310\n\
         \"Café, De Hoek\",\"Café De Hoek\",11223345,Zwolle,Overijssel,Catering,PSO-11,Kiwa,2025-06-01,2024,10,9.5,,participatiewet:regulier:1.5:2,,\n"
    )
    .replacen("\"Café, De Hoek\"", "cafe-de-hoek", 1);
    site.write("leden.csv", &csv);
    site.trede(&["import", &csv_path(&site), "--date", DATE])
        .success()
        .stderr(predicate::str::contains("imported 2 record(s)"));
    let record = site.read("content/organisations/schoonmaak-de-ster.toml");
    assert!(record.contains("name = \"Schoonmaak De Ster\""));
    assert!(record.contains("supplier = \"groen-een\""));
    site.build().success();
    let json = site.read("public/data/registry.json");
    assert!(json.contains("\"id\":\"cafe-de-hoek\""));
    assert!(json.contains("\"name\":\"Café De Hoek\""));
}

#[test]
fn import_reports_every_bad_row_and_writes_nothing() {
    let site = Site::new();
    let csv = format!(
        "{HEADER}goed,Goed,11223344,Utrecht,Utrecht,Schoonmaak,PSO-10,Kiwa,2025-06-01,2024,20,18,,wajong:regulier:2:2,,\n\
         fout-een,Fout Een,123,Utrecht,Utrecht,Schoonmaak,PSO-11,Kiwa,2025-06-01,2024,20,18,,wajong:regulier:2:2,,\n\
         fout-twee,Fout Twee,11223346,Utrecht,Utrechtt,Schoonmaak,PSO-12,Kiwa,01-06-2025,2024,20,18,,wajong:vast:2:2,,\n\
         fout-drie,Fout Drie,11223347,Utrecht,Utrecht,Schoonmaak,PSO-13,Kiwa,2025-06-01,2024,20,18,,wajong:regulier:2:2,bestaat-niet:100,\n"
    );
    site.write("leden.csv", &csv);
    site.trede(&["import", &csv_path(&site), "--date", DATE])
        .code(1)
        .stderr(predicate::str::contains("leden.csv:3"))
        .stderr(predicate::str::contains("key: kvk"))
        .stderr(predicate::str::contains("leden.csv:4"))
        .stderr(predicate::str::contains("key: issued"))
        .stderr(predicate::str::contains("leden.csv:5"))
        .stderr(predicate::str::contains("unknown supplier `bestaat-niet`"))
        .stderr(predicate::str::contains("no record was written"));
    assert!(!site.root().join("content/organisations/goed.toml").exists());
    // Once the date is fixed, the province and contract errors show too.
    site.write("leden.csv", &csv.replace("01-06-2025", "2025-06-01"));
    site.trede(&["import", &csv_path(&site), "--date", DATE])
        .code(1)
        .stderr(predicate::str::contains("unknown province \"Utrechtt\""))
        .stderr(predicate::str::contains("unknown contract \"vast\""));
}

#[test]
fn import_never_overwrites_without_force() {
    let site = Site::new();
    let original = site.read("content/organisations/groen-een.toml");
    let csv = format!(
        "{HEADER}groen-een,Groen Een Nieuw,12345678,Deventer,Overijssel,Groenvoorziening,PSO-1,Kiwa,2025-04-01,2024,54,46.2,6200000,wajong:regulier:2:3,,\n"
    );
    site.write("leden.csv", &csv);
    site.trede(&["import", &csv_path(&site), "--date", DATE])
        .code(1)
        .stderr(predicate::str::contains("exists already"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(site.read("content/organisations/groen-een.toml"), original);
    site.trede(&["import", &csv_path(&site), "--date", DATE, "--force"])
        .success();
    assert!(
        site.read("content/organisations/groen-een.toml")
            .contains("Groen Een Nieuw")
    );
    let _ = record;
}
