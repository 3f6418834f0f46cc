//! Incremental rebuilds, as `trede serve` does them: a full in-memory build
//! of a registry folder, then the rebuild after one record changes, after a
//! record's change that moves it to another level, and after a change to
//! the organisation page's template, each timed (wall clock).
//!
//! ```text
//! cargo run --release --example gen-registry -- --count 10000 --out /dev/shm/r10k
//! cargo run --release --example rebuild-bench -- /dev/shm/r10k [--runs N]
//! ```
//!
//! The folder is changed while the benchmark runs and put back afterwards:
//! one record gets another name, then more target-group employees; the site
//! gets a `templates/organisation.html` (the theme's, with one word more),
//! which is removed at the end. Each rebuild is checked: it must succeed,
//! and the changed page must show the change.
//!
//! `REBUILD_STAGES=1` prints each rebuild's stages. For a profiler,
//! `REBUILD_NOOP_ONLY=1` runs only rebuilds with nothing changed, and
//! `REBUILD_RECORD_ONLY=1` only rebuilds after a record's name changed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use trede::build::{self, Options, Session};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut root: Option<PathBuf> = None;
    let mut runs = 5usize;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).expect("--runs N"),
            "--help" | "-h" => {
                println!("usage: rebuild-bench REGISTRY_DIR [--runs N]");
                return;
            }
            _ => root = Some(PathBuf::from(arg)),
        }
    }
    let root = root.expect("usage: rebuild-bench REGISTRY_DIR [--runs N]");
    let options = Options {
        root: root.clone(),
        output: None,
        base_url: None,
        date: "2026-11-30".parse().unwrap(),
        strict: false,
        check_links: false,
        external_links: None,
    };
    let record = first_record(&root);
    let original = std::fs::read_to_string(&record).unwrap();
    let id = record.file_stem().unwrap().to_string_lossy().into_owned();
    let page = format!("organisaties/{id}/index.html");
    let template = root.join("templates/organisation.html");
    assert!(
        !template.exists(),
        "{} exists; the benchmark would overwrite it",
        template.display()
    );

    let started = Instant::now();
    let mut session = Session::default();
    let report = build::run_incremental(&options, &mut session);
    assert!(
        !report.failed(false),
        "{}",
        report.diagnostics.render(false)
    );
    println!(
        "full build (in memory, fingerprinting): {:.3} s, {} files",
        started.elapsed().as_secs_f64(),
        report.files.len()
    );

    let mut timings: Vec<(&str, Vec<Duration>, Vec<Duration>)> = vec![
        ("nothing changed", Vec::new(), Vec::new()),
        ("one record's name", Vec::new(), Vec::new()),
        ("one record's level", Vec::new(), Vec::new()),
        ("organisation template", Vec::new(), Vec::new()),
    ];
    if std::env::var_os("REBUILD_NOOP_ONLY").is_some() {
        // For a profiler: only rebuilds with nothing changed.
        for _ in 0..runs {
            build::run_incremental(&options, &mut session);
        }
        return;
    }
    if std::env::var_os("REBUILD_RECORD_ONLY").is_some() {
        // For a profiler: only rebuilds after a record's name changed.
        for run in 0..runs {
            let name = format!("Herbenoemd Bedrijf {run}");
            std::fs::write(&record, rename(&original, &name)).unwrap();
            build::run_incremental(&options, &mut session);
        }
        std::fs::write(&record, &original).unwrap();
        return;
    }
    for run in 0..runs {
        let mut time = |case: usize, check: &dyn Fn(&build::Report)| {
            let (started, cpu) = (Instant::now(), cpu_time());
            let report = build::run_incremental(&options, &mut session);
            let (elapsed, cpu) = (started.elapsed(), cpu_time() - cpu);
            assert!(
                !report.failed(false),
                "{}",
                report.diagnostics.render(false)
            );
            check(&report);
            if std::env::var_os("REBUILD_STAGES").is_some() {
                let reused = report
                    .files
                    .iter()
                    .filter(|f| f.fingerprint.is_some())
                    .count();
                eprintln!("case {case}: {reused} fingerprinted; {:?}", report.stages);
            }
            timings[case].1.push(elapsed);
            timings[case].2.push(cpu);
        };
        time(0, &|_| {});
        let name = format!("Herbenoemd Bedrijf {run}");
        std::fs::write(&record, rename(&original, &name)).unwrap();
        time(1, &|report| assert!(text_of(report, &page).contains(&name)));
        std::fs::write(&record, add_employees(&original)).unwrap();
        time(2, &|_| {});
        std::fs::write(&record, &original).unwrap();
        let theme = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("themes/default/templates/organisation.html"),
        )
        .unwrap();
        let marker = format!("<p class=\"bench\">{run}</p>");
        std::fs::create_dir_all(template.parent().unwrap()).unwrap();
        std::fs::write(
            &template,
            theme.replacen(
                "{% block content %}",
                &format!("{{% block content %}}{marker}"),
                1,
            ),
        )
        .unwrap();
        time(3, &|report| {
            assert!(text_of(report, &page).contains(&marker))
        });
        std::fs::remove_file(&template).unwrap();
        // Back to the original site for the next run.
        build::run_incremental(&options, &mut session);
    }
    let _ = std::fs::remove_dir(root.join("templates"));
    std::fs::write(&record, &original).unwrap();
    println!("rebuild after a change, median of {runs} (min, max), and CPU time (median):");
    for (name, mut times, mut cpu) in timings {
        times.sort();
        cpu.sort();
        println!(
            "  {name:<24} {:>7.1} ms  ({:.1}, {:.1})  CPU {:.0} ms",
            ms(times[times.len() / 2]),
            ms(times[0]),
            ms(times[times.len() - 1]),
            ms(cpu[cpu.len() / 2])
        );
    }
}

/// CPU time (user + system, all threads) of this process so far, from
/// `/proc/self/stat` (Linux; zero elsewhere).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    // The kernel reports clock ticks of 1/100 s on every common Linux.
    Duration::from_millis(ticks * 10)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn text_of(report: &build::Report, path: &str) -> String {
    let file = report.files.iter().find(|f| f.path == path).expect(path);
    String::from_utf8_lossy(&file.contents).into_owned()
}

fn first_record(root: &Path) -> PathBuf {
    let mut records: Vec<PathBuf> = std::fs::read_dir(root.join("content/organisations"))
        .expect("a registry folder with content/organisations")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    records.sort();
    records.into_iter().next().expect("at least one record")
}

fn rename(record: &str, name: &str) -> String {
    record
        .lines()
        .map(|line| {
            if line.starts_with("name = ") {
                format!("name = \"{name}\"")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Adds one FTE to the first target-group row, which moves the
/// organisation up the ladder (and changes its customers' indirect
/// contribution).
fn add_employees(record: &str) -> String {
    let mut done = false;
    record
        .lines()
        .map(|line| match line.strip_prefix("fte = ") {
            Some(value) if !done => {
                done = true;
                let fte: f64 = value.trim().parse().expect("a number of FTE");
                format!("fte = {}", fte + 1.0)
            }
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
