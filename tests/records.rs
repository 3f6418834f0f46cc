//! Every validation rule of spec/records.md section 4, through the real
//! binary: the exit code, a message naming the file and the key, and an
//! output folder left exactly as it was.

mod common;

use common::{DATE, Site, record, tree};
use predicates::prelude::*;

const ONE: &str = "content/organisations/groen-een.toml";
const TWO: &str = "content/organisations/groen-twee.toml";

/// Builds a valid site, applies `edit`, builds again and checks the failure.
fn fails(edit: impl Fn(&Site), file: &str, expected: &[&str]) {
    let site = Site::new();
    site.build().success();
    let before = tree(&site.public());
    edit(&site);
    let mut assert = site.build().code(1).stderr(predicate::str::contains(file));
    for needle in expected {
        assert = assert.stderr(predicate::str::contains(*needle));
    }
    let _ = assert;
    assert_eq!(tree(&site.public()), before, "the output folder changed");
    // `check` reports the same and writes nothing either.
    site.trede(&["check", "--date", DATE]).code(1);
}

fn replace(site: &Site, path: &str, from: &str, to: &str) {
    let text = site.read(path);
    assert!(text.contains(from), "{from} not in {path}");
    site.write(path, &text.replacen(from, to, 1));
}

fn append(site: &Site, path: &str, text: &str) {
    let old = site.read(path);
    site.write(path, &format!("{old}{text}"));
}

#[test]
fn toml_syntax_errors() {
    fails(
        |s| s.write(ONE, "name = \"open\ncity = 1\n"),
        &format!("{ONE}:1"),
        &["invalid TOML"],
    );
}

#[test]
fn wrong_types() {
    fails(
        |s| replace(s, ONE, "employees = 54", "employees = \"veel\""),
        &format!("{ONE}:16"),
        &["employees", "invalid type"],
    );
}

#[test]
fn every_wrong_value_and_unknown_key_of_a_record_is_reported_at_once() {
    let edit = |s: &Site| {
        replace(s, ONE, "kvk = \"12345678\"", "kvk = 12345678");
        replace(s, ONE, "city =", "citty =");
        replace(s, ONE, "issued = 2025-04-01", "issued = \"gisteren\"");
        replace(s, ONE, "fte = 2.0", "fte = \"twee\"");
    };
    let expected = [
        format!("{ONE}:2:7"),
        format!("{ONE}:3:1"),
        format!("{ONE}:12:10"),
        format!("{ONE}:23:7"),
        "did you mean `city`?".to_string(),
        "key: certificate.issued".to_string(),
        "`kvk` must be text in double quotes, found the whole number 12345678".to_string(),
        "`certificate.issued` must be a date, found the text \"gisteren\"".to_string(),
        "write issued = 2025-04-01, without quotes".to_string(),
        "key: measurement.target_group[0].fte".to_string(),
        "4 error(s)".to_string(),
    ];
    fails(
        edit,
        ONE,
        &expected.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    // The misspelt `city` is reported once, not as missing too.
    let site = Site::new();
    edit(&site);
    site.build()
        .code(1)
        .stderr(predicate::str::contains("missing").not());
}

#[test]
fn missing_required_keys() {
    fails(
        |s| replace(s, ONE, "city = \"Deventer\"\n", ""),
        ONE,
        &["missing required key `city`"],
    );
    // Every key missing is named in one run, with its table.
    fails(
        |s| {
            replace(s, ONE, "city = \"Deventer\"\n", "");
            replace(s, ONE, "kvk = \"12345678\"\n", "");
            replace(s, ONE, "issued = 2025-04-01\n", "");
            replace(s, ONE, "persons = 3\n", "");
        },
        ONE,
        &[
            "missing required key `kvk`",
            "missing required key `city`",
            "missing required key `certificate.issued`",
            "missing required key `measurement.target_group[0].persons`",
            "4 error(s)",
        ],
    );
}

#[test]
fn unknown_keys_with_the_nearest_key() {
    fails(
        |s| {
            replace(s, ONE, "sector =", "sectr =");
            replace(s, ONE, "year = 2024", "year = 2024\nemployes = 3");
        },
        ONE,
        &[
            "unknown key `sectr`",
            "did you mean `sector`?",
            "unknown key `measurement.employes`",
            "did you mean `employees`?",
        ],
    );
}

#[test]
fn kvk_must_be_eight_digits() {
    fails(
        |s| replace(s, ONE, "kvk = \"12345678\"", "kvk = \"1234567a\""),
        &format!("{ONE}:2"),
        &["kvk", "exactly 8 digits"],
    );
}

#[test]
fn duplicate_kvk_and_certificate_numbers() {
    fails(
        |s| replace(s, TWO, "12345679", "12345678"),
        TWO,
        &["duplicate kvk 12345678", "groen-een.toml"],
    );
    fails(
        |s| replace(s, TWO, "PSO-2", "PSO-1"),
        TWO,
        &["duplicate certificate number", "certificate.number"],
    );
}

#[test]
fn measurement_bounds() {
    fails(
        |s| replace(s, ONE, "total_fte = 46.2", "total_fte = 0"),
        ONE,
        &["measurement.total_fte", "greater than 0"],
    );
    fails(
        |s| replace(s, ONE, "employees = 54", "employees = 0"),
        ONE,
        &["measurement.employees", "at least 1"],
    );
    fails(
        |s| replace(s, ONE, "fte = 2.0", "fte = -1.0"),
        ONE,
        &["measurement.target_group[0].fte", "negative"],
    );
    fails(
        |s| replace(s, ONE, "persons = 3", "persons = -3"),
        ONE,
        &["measurement.target_group[0].persons", "negative"],
    );
    fails(
        |s| replace(s, ONE, "fte = 2.0", "fte = 50.0"),
        ONE,
        &["measurement.total_fte", "more than `total_fte`"],
    );
    fails(
        |s| replace(s, ONE, "persons = 3", "persons = 60"),
        ONE,
        &["measurement.employees", "exceed `employees`"],
    );
}

#[test]
fn unknown_position_and_contract_keys_list_the_valid_ones() {
    fails(
        |s| replace(s, ONE, "\"wajong\"", "\"wajongg\""),
        ONE,
        &[
            "unknown position \"wajongg\"",
            "measurement.target_group[0].position",
            "`wajong`",
            "`sw-indicatie`",
        ],
    );
    fails(
        |s| replace(s, ONE, "\"regulier\"", "\"vast\""),
        ONE,
        &[
            "unknown contract \"vast\"",
            "`regulier`",
            "`begeleid-werken`",
        ],
    );
}

const PURCHASE: &str =
    "\n[[measurement.purchases]]\nsupplier = \"groen-twee\"\namount_eur = 42000\n";

#[test]
fn purchases_must_name_a_valid_supplier() {
    fails(
        |s| append(s, ONE, &PURCHASE.replace("groen-twee", "groen-drie")),
        ONE,
        &[
            "unknown supplier `groen-drie`",
            "measurement.purchases[0].supplier",
            "did you mean",
        ],
    );
    fails(
        |s| append(s, ONE, &PURCHASE.replace("groen-twee", "groen-een")),
        ONE,
        &[
            "the organisation itself",
            "measurement.purchases[0].supplier",
        ],
    );
    fails(
        |s| {
            append(s, ONE, PURCHASE);
            replace(s, TWO, "revenue_eur = 6200000\n", "");
        },
        ONE,
        &["has no `measurement.revenue_eur`", "groen-twee.toml"],
    );
    fails(
        |s| {
            append(
                s,
                ONE,
                &PURCHASE.replace(
                    "amount_eur = 42000",
                    "amount_eur = 42000\nsupplier_name = \"X\"",
                ),
            )
        },
        ONE,
        &["both `supplier` and `supplier_name`"],
    );
    fails(
        |s| append(s, ONE, "\n[[measurement.purchases]]\namount_eur = 42000\n"),
        ONE,
        &["names no supplier", "measurement.purchases[0]"],
    );
    fails(
        |s| append(s, ONE, &PURCHASE.replace("42000", "0")),
        ONE,
        &["measurement.purchases[0].amount_eur", "greater than 0"],
    );
    fails(
        |s| {
            append(
                s,
                ONE,
                "\n[[measurement.purchases]]\nsupplier_name = \"SW Noord\"\namount_eur = 100\nsupplier_direct_fte = 3.0\n",
            )
        },
        ONE,
        &[
            "needs `supplier_revenue_eur`",
            "measurement.purchases[0].supplier_revenue_eur",
        ],
    );
}

#[test]
fn certificate_dates_and_keys() {
    fails(
        |s| {
            replace(
                s,
                ONE,
                "issued = 2025-04-01",
                "issued = 2025-04-01\nexpires = 2025-01-01",
            )
        },
        ONE,
        &["certificate.expires", "before `certificate.issued`"],
    );
    fails(
        |s| replace(s, ONE, "issued = 2025-04-01", "issued = 2027-01-01"),
        ONE,
        &["certificate.issued", "after the reference date"],
    );
    fails(
        |s| {
            replace(
                s,
                ONE,
                "issued = 2025-04-01",
                "issued = 2025-04-01\naspirant_extensions = 3",
            )
        },
        ONE,
        &["certificate.aspirant_extensions", "at most 2"],
    );
    fails(
        |s| {
            replace(
                s,
                ONE,
                "issued = 2025-04-01",
                "issued = 2025-04-01\nstatus = \"paused\"",
            )
        },
        ONE,
        &["certificate.status", "`suspended`"],
    );
    fails(
        |s| {
            replace(
                s,
                ONE,
                "issued = 2025-04-01",
                "issued = 2025-04-01\ndeclared_level = \"trede-4\"",
            )
        },
        ONE,
        &["certificate.declared_level", "`trede-3`"],
    );
    fails(
        |s| {
            replace(
                s,
                ONE,
                "issued = 2025-04-01",
                "issued = 2025-04-01T10:00:00",
            )
        },
        ONE,
        &["certificate.issued", "date without time"],
    );
}

#[test]
fn website_must_be_an_absolute_http_url() {
    fails(
        |s| replace(s, ONE, "https://example.org", "example.org"),
        ONE,
        &["website", "absolute http or https URL"],
    );
}

#[test]
fn provinces_are_checked_and_friesland_is_normalised() {
    fails(
        |s| replace(s, ONE, "Overijssel", "Twente"),
        ONE,
        &["province", "Fryslân"],
    );
    let site = Site::new();
    replace(&site, ONE, "Overijssel", "friesland");
    site.build().success();
    assert!(
        site.read("public/data/registry.json")
            .contains("\"province\":\"Fryslân\"")
    );
}

#[test]
fn invalid_ids_are_errors_never_renamed() {
    fails(
        |s| {
            s.write(
                "content/organisations/Groen_Drie.toml",
                &record("Drie", "12345670", "PSO-3"),
            )
        },
        "Groen_Drie.toml",
        &["not a valid organisation id"],
    );
}

#[test]
fn a_record_that_reaches_no_level_is_an_error_unless_aspirant() {
    fails(
        |s| replace(s, ONE, "fte = 2.0", "fte = 0.1"),
        ONE,
        &["reaches no level", "aspirant_plan"],
    );
    let site = Site::new();
    replace(&site, ONE, "fte = 2.0", "fte = 0.1");
    replace(
        &site,
        ONE,
        "issued = 2025-04-01",
        "issued = 2025-04-01\naspirant_plan = true",
    );
    site.build().success();
    assert!(
        site.read("public/data/registry.json")
            .contains("\"level\":\"aspirant\"")
    );
}

#[test]
fn warnings_pass_but_fail_under_strict() {
    let site = Site::new();
    replace(
        &site,
        ONE,
        "issued = 2025-04-01",
        "issued = 2025-04-01\ndeclared_level = \"trede-3\"",
    );
    append(&site, ONE, PURCHASE);
    replace(
        &site,
        TWO,
        "issued = 2025-04-01",
        "issued = 2025-04-01\nstatus = \"withdrawn\"",
    );
    site.write("content/organisations/notities.txt", "geen record");
    site.build()
        .success()
        .stderr(predicate::str::contains(
            "warning: the certificate declares `trede-3` but the measurement gives `trede-2`",
        ))
        .stderr(predicate::str::contains("certificate.declared_level"))
        .stderr(predicate::str::contains("whose certificate is withdrawn"))
        .stderr(predicate::str::contains("notities.txt"));
    let before = tree(&site.public());
    site.trede(&["build", "--date", DATE, "--strict"]).code(1);
    assert_eq!(tree(&site.public()), before);
}

#[test]
fn check_prints_a_summary_and_json() {
    let site = Site::new();
    site.trede(&["check", "--date", DATE])
        .success()
        .stderr(predicate::str::contains("2 organisations"))
        .stderr(predicate::str::contains("trede-2 2"))
        .stderr(predicate::str::contains("valid 2"));
    assert!(!site.public().exists(), "check wrote output");
    let output = site
        .trede(&["check", "--date", DATE, "--format", "json"])
        .success();
    let json: serde_json::Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    assert_eq!(json["generated"], DATE);
    assert_eq!(json["organisations"][0]["id"], "groen-een");
    assert_eq!(json["organisations"][0]["level"], "trede-2");
    assert_eq!(json["errors"], 0);
}

#[test]
fn registry_json_follows_the_spec_and_publishes_aggregates_only() {
    let site = Site::new();
    site.build().success();
    let text = site.read("public/data/registry.json");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let org = &json["organisations"][0];
    let keys: Vec<&str> = org
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "id",
        "name",
        "kvk",
        "city",
        "province",
        "sector",
        "website",
        "url",
        "badge",
        "level",
        "pso30plus",
        "direct_pct",
        "indirect_pct",
        "total_pct",
        "size",
        "norms",
        "measurement_year",
        "certificate",
    ];
    let mut sorted = keys.clone();
    sorted.sort();
    expected.sort();
    assert_eq!(sorted, expected);
    // 54 employees: between rows 50 and 60; D = 2.0 of 46.2 FTE = 4.33%.
    assert_eq!(org["direct_pct"], 4.33);
    assert_eq!(org["norms"]["trede-2"], 3.58);
    assert_eq!(org["certificate"]["expires"], "2027-03-31");
    assert_eq!(org["certificate"]["status"], "valid");
    assert_eq!(org["url"], "https://example.org/organisaties/groen-een/");
    for secret in [
        "persons",
        "amount_eur",
        "revenue",
        "target_group",
        "\"fte\"",
    ] {
        assert!(!text.contains(secret), "{secret} published");
    }
}
