//! `trede build` over an existing output (issue #9): a file whose bytes did
//! not change is not written again, so it keeps its inode and modification
//! time; a file that changed is new; a failed build changes nothing.
#![cfg(unix)]

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::SystemTime;

use common::{example_copy, tree};

/// Every file under `dir` with its inode, link count and modification time.
fn stamps(dir: &Path) -> BTreeMap<String, (u64, u64, SystemTime)> {
    let mut out = BTreeMap::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                folders.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, (meta.ino(), meta.nlink(), meta.modified().unwrap()));
            }
        }
    }
    out
}

/// The paths whose inode differs between `before` and `after`, and those
/// only in one of them.
fn renewed(
    before: &BTreeMap<String, (u64, u64, SystemTime)>,
    after: &BTreeMap<String, (u64, u64, SystemTime)>,
) -> Vec<String> {
    after
        .keys()
        .chain(before.keys())
        .filter(|path| before.get(*path).map(|s| s.0) != after.get(*path).map(|s| s.0))
        .cloned()
        .collect()
}

#[test]
fn a_second_identical_build_keeps_every_file() {
    let site = example_copy();
    site.build().success();
    let first = stamps(&site.public());
    let bytes = tree(&site.public());
    assert!(first.len() > 200, "{} files", first.len());
    // Any rewrite would show in the modification time.
    std::thread::sleep(std::time::Duration::from_millis(50));
    site.build().success();
    assert_eq!(stamps(&site.public()), first, "inodes, links and times");
    assert!(tree(&site.public()) == bytes);
    // Nothing is left beside the output.
    let beside: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(beside.is_empty(), "{beside:?}");
}

#[test]
fn a_changed_record_renews_only_the_files_that_show_it() {
    let site = example_copy();
    site.build().success();
    let before = stamps(&site.public());
    let record = "content/organisations/bouwbedrijf-gebr-mulder.toml";
    let text = site.read(record);
    site.write(record, &text.replacen("name = \"", "name = \"Hernoemd ", 1));
    site.build().success();
    let after = stamps(&site.public());
    let renewed = renewed(&before, &after);
    for changed in [
        "organisaties/bouwbedrijf-gebr-mulder/index.html",
        "data/registry.json",
        "data/registry.csv",
        "data/registry.xlsx",
    ] {
        assert!(renewed.iter().any(|p| p == changed), "{changed} is new");
    }
    for kept in [
        "organisaties/administratiekantoor-de-balans/index.html",
        "uitleg/ladder/index.html",
        "methode/index.html",
    ] {
        assert!(!renewed.iter().any(|p| p == kept), "{kept} is kept");
        assert_eq!(after[kept], before[kept]);
    }
    // Most of the site did not change.
    assert!(
        renewed.len() * 4 < after.len(),
        "{} of {} files renewed",
        renewed.len(),
        after.len()
    );
    // Every file is as a build into an empty folder writes it.
    let renewed_tree = tree(&site.public());
    std::fs::remove_dir_all(site.public()).unwrap();
    site.build().success();
    assert!(tree(&site.public()) == renewed_tree);
}

#[test]
fn a_failed_build_leaves_the_output_exactly_as_it_was() {
    let site = example_copy();
    site.build().success();
    let before = stamps(&site.public());
    let bytes = tree(&site.public());
    // A record changes and a content page's template fails to render:
    // the organisation pages, rendered first, went into the staging
    // folder (linked, most of them) before the build failed.
    let record = "content/organisations/bouwbedrijf-gebr-mulder.toml";
    let text = site.read(record);
    site.write(record, &text.replacen("name = \"", "name = \"Hernoemd ", 1));
    site.write("templates/page.html", "{{ geen_waarde.veld }}");
    site.build()
        .code(1)
        .stderr(predicates::str::contains("templates/page.html"));
    assert_eq!(stamps(&site.public()), before, "inodes, links and times");
    assert!(tree(&site.public()) == bytes);
}
