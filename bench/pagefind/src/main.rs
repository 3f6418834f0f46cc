//! Indexes the organisations of a built trede site with Pagefind's Rust API
//! (`PagefindIndex::add_custom_record`, one record per organisation), writes
//! the Pagefind bundle and reports the time to add the records, the time to
//! build and write the index, and the files and bytes written.
//!
//! Usage: pagefind-bench --site BUILT_SITE --out DIR [--records DIR]
//!
//! - `--site`: a folder written by `trede build`; its `data/registry.json`
//!   (shared spec, records.md section 5) gives every organisation.
//! - `--records`: the registry's `content/organisations/` folder; with it,
//!   each record's `summary` is added to the indexed text as well (trede's
//!   own index does not index summaries).
//! - `--out`: where the bundle is written (the folder is replaced).
//!
//! The indexed text is what trede's `src/search.rs` searches: name, city,
//! KvK number, province and sector, and the certificate number. Filters:
//! level, province, sector, status and PSO 30+; sort key: the name. The
//! metadata carries what trede's display chunks carry (name, city, KvK,
//! level, status, PSO 30+, issue and expiry dates).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use serde_json::Value;

fn usage() -> ! {
    eprintln!(
        "usage: pagefind-bench --site BUILT_SITE --out DIR [--records CONTENT_ORGANISATIONS]"
    );
    std::process::exit(2);
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Files and bytes under `dir`, and the bytes gzipped: files Pagefind
/// already wrote gzipped (`.pf_*`, starting with the gzip magic) count as
/// they are, the others are gzipped at level 6 (as the search benchmark's
/// static server does).
fn sizes(dir: &Path) -> (u64, u64, u64) {
    let (mut files, mut bytes, mut gzip) = (0, 0, 0);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read output folder") {
            let path = entry.expect("read output folder").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let mut body = Vec::new();
            std::fs::File::open(&path)
                .and_then(|mut f| f.read_to_end(&mut body))
                .expect("read output file");
            files += 1;
            bytes += body.len() as u64;
            if body.starts_with(&[0x1f, 0x8b]) {
                gzip += body.len() as u64;
            } else {
                let mut enc =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
                enc.write_all(&body).expect("gzip");
                gzip += enc.finish().expect("gzip").len() as u64;
            }
        }
    }
    (files, bytes, gzip)
}

#[tokio::main]
async fn main() {
    let mut site: Option<PathBuf> = None;
    let mut out: Option<PathBuf> = None;
    let mut records: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--site" => site = Some(value.into()),
            "--out" => out = Some(value.into()),
            "--records" => records = Some(value.into()),
            _ => usage(),
        }
    }
    let (Some(site), Some(out)) = (site, out) else {
        usage()
    };

    let started = Instant::now();
    let json =
        std::fs::read_to_string(site.join("data/registry.json")).expect("read data/registry.json");
    let registry: Value = serde_json::from_str(&json).expect("parse registry.json");
    let orgs = registry["organisations"]
        .as_array()
        .expect("organisations array");
    let summaries: BTreeMap<String, String> = match &records {
        None => BTreeMap::new(),
        Some(dir) => orgs
            .iter()
            .map(|o| {
                let id = text(o, "id");
                let path = dir.join(format!("{id}.toml"));
                let record: toml::Table = std::fs::read_to_string(&path)
                    .expect("read record")
                    .parse()
                    .expect("parse record");
                let summary = record
                    .get("summary")
                    .and_then(|s| s.as_str())
                    .unwrap_or_default();
                (id, summary.to_string())
            })
            .collect(),
    };
    let read = started.elapsed();

    let config = PagefindServiceConfig::builder()
        .force_language("nl".to_string())
        .build();
    let mut index = PagefindIndex::new(Some(config)).expect("pagefind options");

    let started = Instant::now();
    for o in orgs {
        let id = text(o, "id");
        let cert = &o["certificate"];
        let level = text(o, "level");
        let status = text(cert, "status");
        let pso30 = if o["pso30plus"].as_bool().unwrap_or(false) {
            "ja"
        } else {
            "nee"
        };
        let mut content = [
            text(o, "name"),
            text(o, "city"),
            text(o, "province"),
            text(o, "sector"),
            format!("KvK {}", text(o, "kvk")),
            text(cert, "number"),
        ]
        .join(". ");
        if let Some(summary) = summaries.get(&id) {
            content.push_str(". ");
            content.push_str(summary);
        }
        let meta = BTreeMap::from([
            ("title".to_string(), text(o, "name")),
            ("city".to_string(), text(o, "city")),
            ("kvk".to_string(), text(o, "kvk")),
            ("level".to_string(), level.clone()),
            ("status".to_string(), status.clone()),
            ("pso30".to_string(), pso30.to_string()),
            ("issued".to_string(), text(cert, "issued")),
            ("expires".to_string(), text(cert, "expires")),
        ]);
        let filters = BTreeMap::from([
            ("level".to_string(), vec![level]),
            ("province".to_string(), vec![text(o, "province")]),
            ("sector".to_string(), vec![text(o, "sector")]),
            ("status".to_string(), vec![status]),
            ("pso30".to_string(), vec![pso30.to_string()]),
        ]);
        let sort = BTreeMap::from([("name".to_string(), text(o, "name").to_lowercase())]);
        index
            .add_custom_record(
                format!("/register/organisaties/{id}/"),
                content,
                "nl".to_string(),
                Some(meta),
                Some(filters),
                Some(sort),
            )
            .await
            .expect("add_custom_record");
    }
    let added = started.elapsed();

    // `PagefindIndex::write_files` runs `build_indexes` itself (calling both
    // would build twice), so this one call is build + write.
    let _ = std::fs::remove_dir_all(&out);
    let started = Instant::now();
    index
        .write_files(Some(out.to_string_lossy().into_owned()))
        .await
        .expect("write_files");
    let built = started.elapsed();

    let (files, bytes, gzip) = sizes(&out);
    println!("organisations: {}", orgs.len());
    println!("summaries indexed: {}", records.is_some());
    println!("read registry: {:.2} s", read.as_secs_f64());
    println!(
        "add_custom_record, all: {:.2} s ({:.0} us per record)",
        added.as_secs_f64(),
        added.as_secs_f64() * 1e6 / orgs.len().max(1) as f64
    );
    println!("build_indexes + write_files: {:.2} s", built.as_secs_f64());
    println!("files: {files}");
    println!("bytes: {bytes}");
    println!("bytes gzip: {gzip}");
}
