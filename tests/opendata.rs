//! The open-data files, the register feed and the sitemap for the project's
//! example records, written to disk with the real output writer and read
//! back with real parsers (jsonschema, csv, calamine, quick-xml).

mod common;

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use jiff::civil::{Date, date};
use quick_xml::events::Event;
use serde_json::Value;
use trede::config::SiteConfig;
use trede::diagnostics::{Diagnostics, Source};
use trede::output::{OutputFile, write_site};
use trede::registry::Registry;
use trede::sitemap::SitemapEntry;
use trede::tables::{NormTable, Weights};
use trede::urls::{self, Urls};
use trede::{feeds, opendata, records, sitemap};

use common::Site;

const REFERENCE: Date = date(2026, 11, 30);

fn example_registry() -> (Registry, SiteConfig, Urls) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let weights = Weights::embedded();
    let mut diagnostics = Diagnostics::new();
    let loaded = records::load_all(root, &weights, REFERENCE, &mut diagnostics);
    let registry = Registry::compute(
        loaded,
        &weights,
        &NormTable::embedded(),
        REFERENCE,
        &mut diagnostics,
    );
    assert!(
        registry.organisations.len() >= 10,
        "the example records load: {}",
        diagnostics.render(false)
    );
    let config = SiteConfig::parse(&Source::new(
        "site.toml",
        "title = \"PSO-register\"\nbase_url = \"https://voorbeeld.github.io/pso/\"\n[publisher]\nname = \"Stichting Voorbeeld\"\nemail = \"data@voorbeeld.example\"\n",
    ))
    .unwrap();
    let urls = Urls::new(&config.base_url);
    (registry, config, urls)
}

fn words(config: &SiteConfig) -> opendata::OpenDataWords {
    let strings = trede::theme::default_strings("nl").unwrap();
    opendata::OpenDataWords::from_strings(&strings, config).unwrap()
}

/// Every element's text, unescaped by quick-xml, keyed by its path.
fn xml_texts(xml: &str) -> BTreeMap<String, Vec<String>> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut buffer = String::new();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                buffer.clear();
                path.push(String::from_utf8(e.local_name().as_ref().to_vec()).unwrap());
            }
            Event::End(_) => {
                if !buffer.trim().is_empty() {
                    out.entry(path.join("/"))
                        .or_default()
                        .push(std::mem::take(&mut buffer));
                }
                buffer.clear();
                path.pop();
            }
            Event::Text(t) => buffer.push_str(&t.decode().unwrap()),
            Event::GeneralRef(r) => match r.resolve_char_ref().unwrap() {
                Some(c) => buffer.push(c),
                None => buffer.push_str(
                    quick_xml::escape::resolve_predefined_entity(&r.decode().unwrap()).unwrap(),
                ),
            },
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[test]
fn example_registry_open_data_round_trips_through_disk() {
    let (registry, config, urls) = example_registry();
    let mut files: Vec<OutputFile> = opendata::files(&registry, &config, &urls, &words(&config));
    files.push(feeds::registry_changes(
        &registry,
        &config,
        &urls,
        &feeds::FeedWords::from_strings(&trede::theme::default_strings("nl").unwrap()),
    ));
    let pages: Vec<SitemapEntry> = registry
        .organisations
        .iter()
        .map(|c| {
            SitemapEntry::new(
                urls.absolute(&urls::organisation_dir(&c.org.id)),
                Some(c.org.certificate.issued),
            )
        })
        .collect();
    files.extend(sitemap::files(&pages, &urls));

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    write_site(&out, &files).expect("every path is a valid relative output path");
    let read = |path: &str| std::fs::read(out.join(path)).unwrap();
    let n = registry.organisations.len();

    // registry.json validates against the shipped schema.
    let schema: Value = serde_json::from_slice(&read(opendata::SCHEMA_PATH)).unwrap();
    let json: Value = serde_json::from_slice(&read(opendata::REGISTRY_JSON_PATH)).unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let orgs = json["organisations"].as_array().unwrap();
    assert_eq!(orgs.len(), n);
    for org in orgs {
        let id = org["id"].as_str().unwrap();
        let own: Value = serde_json::from_slice(&read(&urls::organisation_json_path(id))).unwrap();
        assert_eq!(&own, org);
    }

    // The CSV has one row per organisation, in the same order.
    let csv_bytes = read(opendata::CSV_PATH);
    let mut reader = csv::Reader::from_reader(csv_bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, opendata::COLUMNS.map(|c| c.name));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), n);
    for (row, org) in rows.iter().zip(orgs) {
        assert_eq!(&row[0], org["id"].as_str().unwrap());
        assert_eq!(
            row[13].parse::<f64>().unwrap(),
            org["total_pct"].as_f64().unwrap()
        );
        assert_eq!(&row[24], org["certificate"]["status"].as_str().unwrap());
    }

    // The CSVW metadata names every CSV column.
    let meta: Value = serde_json::from_slice(&read(opendata::CSV_METADATA_PATH)).unwrap();
    let names: Vec<&str> = meta["tableSchema"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, header);

    // The spreadsheet has the same rows, typed.
    let mut workbook: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(read(opendata::XLSX_PATH))).unwrap();
    let range = workbook.worksheet_range(opendata::XLSX_SHEET).unwrap();
    assert_eq!(range.get_size(), (n + 1, opendata::COLUMNS.len()));
    for (r, org) in orgs.iter().enumerate() {
        assert_eq!(
            range.get((r + 1, 13)),
            Some(&Data::Float(org["total_pct"].as_f64().unwrap()))
        );
        assert!(matches!(range.get((r + 1, 22)), Some(Data::DateTime(_))));
        assert_eq!(
            range.get((r + 1, 10)),
            Some(&Data::Bool(org["pso30plus"].as_bool().unwrap()))
        );
    }

    // The catalogue's sizes are those of the files on disk.
    let catalog: Value = serde_json::from_slice(&read(opendata::CATALOG_PATH)).unwrap();
    assert_eq!(catalog["@type"], "dcat:Catalog");
    let dataset = &catalog["dcat:dataset"][0];
    assert_eq!(dataset["@type"], "dcat:Dataset");
    for d in dataset["dcat:distribution"].as_array().unwrap() {
        assert_eq!(d["@type"], "dcat:Distribution");
        let url = d["dcat:downloadURL"]["@id"].as_str().unwrap();
        let path = url.strip_prefix(urls.base_url()).unwrap();
        let size: usize = d["dcat:byteSize"]["@value"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(size, read(path).len(), "{path}");
    }

    // The feed and the sitemap parse and link to organisation pages.
    let feed = String::from_utf8(read(feeds::REGISTRY_FEED_PATH)).unwrap();
    let feed = xml_texts(&feed);
    let entry_ids = feed.get("feed/entry/id").cloned().unwrap_or_default();
    for id in &entry_ids {
        assert!(
            id.starts_with("https://voorbeeld.github.io/pso/organisaties/"),
            "{id}"
        );
    }
    assert_eq!(
        feed["feed/entry/title"].len(),
        entry_ids.len(),
        "every entry has a title"
    );
    let sitemap = xml_texts(&String::from_utf8(read(sitemap::SITEMAP_PATH)).unwrap());
    assert_eq!(sitemap["urlset/url/loc"].len(), n);

    // The page's list of downloads has the real sizes.
    let datasets = opendata::datasets(&registry, &config, &urls, &files, &words(&config));
    assert!(datasets.iter().any(|d| d.key == "feed"));
    for d in &datasets {
        assert_eq!(d.size_bytes as usize, read(d.path).len());
    }
}

#[test]
fn example_registry_files_are_reproducible() {
    let (registry, config, urls) = example_registry();
    let first = opendata::files(&registry, &config, &urls, &words(&config));
    let (registry, config, urls) = example_registry();
    let second = opendata::files(&registry, &config, &urls, &words(&config));
    assert!(first == second);
}

#[test]
fn the_register_feed_keeps_the_newest_entries_site_toml_allows() {
    let (registry, mut config, urls) = example_registry();
    let feed_words = feeds::FeedWords::from_strings(&trede::theme::default_strings("nl").unwrap());
    let entries = |config: &SiteConfig| {
        let file = feeds::registry_changes(&registry, config, &urls, &feed_words);
        let feed = xml_texts(std::str::from_utf8(&file.contents).unwrap());
        let ids = feed.get("feed/entry/id").cloned().unwrap_or_default();
        let dates = feed.get("feed/entry/updated").cloned().unwrap_or_default();
        (ids, dates)
    };
    let (all, dates) = entries(&config);
    assert!(
        all.len() > 3 && all.len() <= config.feeds.register_entries,
        "{} events",
        all.len()
    );
    // The dated events newest first, then suspensions and withdrawals
    // (their records carry no date).
    let undated = |id: &String| id.contains("#geschorst-") || id.contains("#ingetrokken-");
    let dated = all.iter().take_while(|id| !undated(id)).count();
    assert!(dated > 3, "{all:?}");
    assert!(all[dated..].iter().all(undated), "{all:?}");
    assert!(all.len() > dated, "the example has suspensions");
    assert!(
        dates[..dated].windows(2).all(|w| w[0] >= w[1]),
        "newest first"
    );
    config.feeds.register_entries = 3;
    let (kept, kept_dates) = entries(&config);
    assert_eq!(kept, all[..3]);
    assert!(
        kept_dates.iter().all(|d| d >= &dates[3]),
        "the newest are kept"
    );
}

/// Copies the default theme into the site, with `edit` applied to its
/// strings file.
fn override_strings(site: &Site, edit: impl Fn(String) -> String) {
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    for entry in walkdir::WalkDir::new(&theme) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(&theme).unwrap();
            let rel = rel.to_string_lossy().replace('\\', "/");
            let text = std::fs::read(entry.path()).unwrap();
            let path = format!("themes/default/{rel}");
            if rel == "strings/nl.toml" {
                site.write(&path, &edit(String::from_utf8(text).unwrap()));
            } else {
                let full = site.root().join(&path);
                std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                std::fs::write(full, text).unwrap();
            }
        }
    }
}

fn replace_once(text: &str, old: &str, new: &str) -> String {
    assert_eq!(text.matches(old).count(), 1, "{old}");
    text.replace(old, new)
}

#[test]
fn a_site_overriding_the_strings_changes_the_page_and_the_metadata() {
    let site = Site::new();
    override_strings(&site, |strings| {
        let strings = replace_once(
            &strings,
            "title = \"Register (CSV)\"",
            "title = \"Het register als komma-bestand\"",
        );
        replace_once(
            &strings,
            "kvk = \"KvK-nummer: 8 cijfers, als tekst zodat voorloopnullen blijven staan.\"",
            "kvk = \"Inschrijfnummer bij de Kamer van Koophandel.\"",
        )
    });
    site.build().success();

    let page = site.read("public/open-data/index.html");
    assert!(page.contains("Het register als komma-bestand"), "{page}");
    assert!(page.contains("Inschrijfnummer bij de Kamer van Koophandel."));
    assert!(!page.contains("Register (CSV)"));
    assert!(!page.contains("voorloopnullen"));

    let meta: Value =
        serde_json::from_str(&site.read("public/data/registry.csv-metadata.json")).unwrap();
    let kvk = &meta["tableSchema"]["columns"][2];
    assert_eq!(kvk["name"], "kvk");
    assert_eq!(
        kvk["dc:description"],
        "Inschrijfnummer bij de Kamer van Koophandel."
    );

    let catalog: Value = serde_json::from_str(&site.read("public/data/catalog.jsonld")).unwrap();
    let csv = catalog["dcat:dataset"][0]["dcat:distribution"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["dct:format"]["@id"].as_str().unwrap().ends_with("/CSV"))
        .unwrap();
    assert_eq!(csv["dct:title"]["@value"], "Het register als komma-bestand");
    assert_eq!(csv["dct:title"]["@language"], "nl");

    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(
        std::fs::read(site.public().join(opendata::XLSX_PATH)).unwrap(),
    ))
    .unwrap();
    let docs = workbook.worksheet_range("Kolommen").unwrap();
    assert_eq!(
        docs.get((3, 2)),
        Some(&Data::String(
            "Inschrijfnummer bij de Kamer van Koophandel.".into()
        ))
    );
}

#[test]
fn a_strings_file_without_open_data_words_fails_the_build_naming_the_key() {
    let site = Site::new();
    override_strings(&site, |strings| {
        replace_once(&strings, "columns_sheet = \"Kolommen\"\n", "")
    });
    let output = site.build().failure().code(1).get_output().clone();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the strings file has no text for `open_data.xlsx.columns_sheet`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("themes/default/strings/nl.toml"),
        "{stderr}"
    );
    assert!(!site.public().exists(), "nothing is written");
}
