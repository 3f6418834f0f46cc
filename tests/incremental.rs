//! Incremental rebuilds (`trede serve`): after any edit, a rebuild that
//! reuses the previous build's pages must give exactly the files a full
//! build of the edited site gives, and must really reuse what did not
//! change.

mod common;

use std::collections::BTreeMap;

use common::{Site, example_copy};
use trede::build::{self, Options, Report, Session};

fn options(site: &Site) -> Options {
    common::build_options(site)
}

fn files(report: &Report) -> BTreeMap<String, Vec<u8>> {
    assert!(
        !report.failed(false),
        "{}",
        report.diagnostics.render(false)
    );
    report
        .files
        .iter()
        .map(|f| (f.path.clone(), f.contents.to_vec()))
        .collect()
}

/// Rebuilds incrementally from `previous` and checks the result against a
/// full build; returns the rebuild and how many files it took unchanged
/// from `previous` (same bytes, same buffer).
fn rebuild_matches_full_build(
    site: &Site,
    session: &mut Session,
    previous: &Report,
) -> (Report, usize) {
    let rebuilt = build::run_incremental(&options(site), session);
    let full = build::run(&options(site), false);
    let (rebuilt_files, full_files) = (files(&rebuilt), files(&full));
    let differing: Vec<&String> = full_files
        .keys()
        .chain(rebuilt_files.keys())
        .filter(|path| full_files.get(*path) != rebuilt_files.get(*path))
        .collect();
    assert!(
        differing.is_empty(),
        "the rebuild differs from a full build in {} files, e.g. {:?}",
        differing.len(),
        &differing[..differing.len().min(5)]
    );
    let before: BTreeMap<&str, &bytes::Bytes> = previous
        .files
        .iter()
        .map(|f| (f.path.as_str(), &f.contents))
        .collect();
    let reused = rebuilt
        .files
        .iter()
        .filter(|f| {
            before
                .get(f.path.as_str())
                .is_some_and(|b| b.as_ptr() == f.contents.as_ptr() && !b.is_empty())
        })
        .count();
    (rebuilt, reused)
}

/// The content pages (minified HTML) of `rebuilt` that are the very
/// buffers of `previous`, and those that are not.
fn content_pages_reused(previous: &Report, rebuilt: &Report) -> (Vec<String>, Vec<String>) {
    let before: BTreeMap<&str, &bytes::Bytes> = previous
        .files
        .iter()
        .map(|f| (f.path.as_str(), &f.contents))
        .collect();
    rebuilt
        .files
        .iter()
        .filter(|f| trede::minify::after_rendering(&f.path))
        .map(|f| {
            let same = before
                .get(f.path.as_str())
                .is_some_and(|b| b.as_ptr() == f.contents.as_ptr());
            (f.path.clone(), same)
        })
        .fold(
            (Vec::new(), Vec::new()),
            |(mut yes, mut no), (path, same)| {
                if same {
                    yes.push(path)
                } else {
                    no.push(path)
                }
                (yes, no)
            },
        )
}

fn page(report: &Report, path: &str) -> String {
    let file = report.files.iter().find(|f| f.path == path).expect(path);
    String::from_utf8(file.contents.to_vec()).unwrap()
}

#[test]
fn a_rebuild_gives_the_files_of_a_full_build_after_every_kind_of_edit() {
    let site = example_copy();
    let mut session = Session::default();
    let first = build::run_incremental(&options(&site), &mut session);
    let organisation_pages = first
        .files
        .iter()
        .filter(|f| f.path.starts_with("organisaties/") && f.path.ends_with("index.html"))
        .count();
    assert!(organisation_pages > 40);

    // Nothing changed: every organisation page and list page is reused.
    let (same, reused) = rebuild_matches_full_build(&site, &mut session, &first);
    assert!(
        reused >= organisation_pages * 3,
        "only {reused} files reused of {organisation_pages} organisations"
    );
    let spreadsheet = |report: &Report| {
        let file = report
            .files
            .iter()
            .find(|f| f.path == "data/registry.xlsx")
            .expect("a spreadsheet");
        (file.contents.as_ptr(), file.contents.len())
    };
    assert_eq!(
        spreadsheet(&same),
        spreadsheet(&first),
        "the spreadsheet is kept"
    );
    // Content pages rendered to the same bytes are not minified again.
    let (kept, minified) = content_pages_reused(&first, &same);
    assert!(
        kept.len() > 10 && minified.is_empty(),
        "minified again: {minified:?}"
    );

    // A supplier is renamed: its own page and its customers' pages (which
    // name it in their chain) change, other organisations' pages do not.
    let supplier = "content/organisations/werkbedrijf-de-kade.toml";
    let text = site.read(supplier);
    let renamed = text.replacen("name = \"", "name = \"Hernoemd ", 1);
    assert_ne!(text, renamed);
    site.write(supplier, &renamed);
    let (after_rename, reused) = rebuild_matches_full_build(&site, &mut session, &same);
    assert!(
        page(&after_rename, "organisaties/werkbedrijf-de-kade/index.html").contains("Hernoemd")
    );
    assert!(
        page(
            &after_rename,
            "organisaties/schoonmaakgroep-delta-en-partners/index.html"
        )
        .contains("Hernoemd")
    );
    assert!(reused > organisation_pages * 2, "{reused}");
    assert_ne!(
        spreadsheet(&after_rename),
        spreadsheet(&same),
        "the spreadsheet is new"
    );

    // A record loses its target-group employees: its level, the lists and
    // its customers' indirect contribution change.
    let employees: String = text
        .lines()
        .map(|line| match line.strip_prefix("fte = ") {
            Some(_) => "fte = 8.0\n".to_string(),
            None => format!("{line}\n"),
        })
        .collect();
    site.write(supplier, &employees);
    let (after_level, _) = rebuild_matches_full_build(&site, &mut session, &after_rename);

    // A template of the site overrides the theme's organisation page.
    let theme = std::fs::read_to_string(
        common::example_root().join("themes/default/templates/organisation.html"),
    )
    .unwrap();
    site.write(
        "templates/organisation.html",
        &theme.replacen(
            "{% block content %}",
            "{% block content %}<p class=\"proef\">proef</p>",
            1,
        ),
    );
    let (after_template, reused) = rebuild_matches_full_build(&site, &mut session, &after_level);
    assert!(
        page(
            &after_template,
            "organisaties/werkbedrijf-de-kade/index.html"
        )
        .contains("proef")
    );
    // The list pages do not use that template and are reused.
    assert!(reused > 0);

    // A string of the site's language changes every page that shows it.
    site.write(
        "content/blog/nieuw-bericht.md",
        "+++\ntitle = \"Nieuw bericht\"\ndate = 2026-11-01\n+++\nTekst.\n",
    );
    let (after_post, _) = rebuild_matches_full_build(&site, &mut session, &after_template);
    assert!(
        after_post
            .files
            .iter()
            .any(|f| f.path.starts_with("blog/nieuw-bericht"))
    );
    // An explainer's text changes: that page is minified anew, and the
    // explainers that do not list it are taken from the last build.
    let (_, before) = content_pages_reused(&after_template, &after_post);
    assert!(before.contains(&"blog/nieuw-bericht/index.html".to_string()));
    let explainer = "content/uitleg/ladder.md";
    let text = site.read(explainer);
    site.write(explainer, &format!("{text}\nEen zin meer.\n"));
    let (after_explainer, _) = rebuild_matches_full_build(&site, &mut session, &after_post);
    assert!(page(&after_explainer, "uitleg/ladder/index.html").contains("Een zin meer."));
    let (kept, minified) = content_pages_reused(&after_post, &after_explainer);
    assert!(minified.contains(&"uitleg/ladder/index.html".to_string()));
    assert!(kept.len() > 5, "{kept:?}");

    // Minifying is switched off, and on again: no page keeps the other
    // form (the blog's pages are kept by fingerprint otherwise).
    let config = site.read("site.toml");
    site.write(
        "site.toml",
        &config.replacen("language = ", "minify = false\nlanguage = ", 1),
    );
    let (plain, _) = rebuild_matches_full_build(&site, &mut session, &after_explainer);
    site.write("site.toml", &config);
    rebuild_matches_full_build(&site, &mut session, &plain);

    // A record is removed: its files go, and so do the links to it.
    std::fs::remove_file(
        site.root()
            .join("content/organisations/werkbedrijf-de-kade.toml"),
    )
    .unwrap();
    let report = build::run_incremental(&options(&site), &mut session);
    // The removed supplier breaks its customers' records (an error); the
    // rebuild fails like a full build does.
    let full = build::run(&options(&site), false);
    assert_eq!(report.failed(false), full.failed(false));
}
