//! The ladder engine alone, on a registry folder: reading, parsing and
//! validating every record and computing the registry, with the wall and CPU
//! time (user + system, every thread) of each stage.
//!
//! ```text
//! cargo run --release --example gen-registry -- --count 100000 --out /dev/shm/r100k
//! cargo run --release --example engine-bench -- /dev/shm/r100k [--runs N] [--json FILE] [--engine-only]
//! ```
//!
//! Each run first times the library path the build takes, which is the
//! figure that counts: `Registry::load` (`records::load_all`, each record
//! put into the room of its computed figures), then
//! `Registry::compute_loaded` (the columns keep the names `load_all` and
//! `compute`); then, to split loading into its parts, it reads every
//! record file into memory (in parallel, as `load_all` reads them) and
//! parses and validates those texts (`records::parse_record`) separately;
//! last it lists and reads every file again keeping nothing (`open+read
//! only`): what the kernel charges any reader of these files, the floor
//! under `load_all`.
//! Runs are reported one by one, then the median of each column.
//! `--json FILE` writes the `registry.json` document of the last run
//! (compact, as the build writes it) to compare engines byte for byte.
//! `--engine-only` skips the split (its columns read 0), for profiling the
//! library path alone. Set `RAYON_NUM_THREADS=1` for single-threaded
//! figures.
//!
//! The first run of a process takes its memory fresh from the kernel, which
//! zeroes every page first; later runs reuse what the previous run freed
//! (the previous registry is dropped before each run, outside the timings).
//! A build is one first run: for its figures, run `--runs 1` in several
//! fresh processes and take the median. Like a build, the process does not
//! free the last registry before it exits, and like the `trede` binary it
//! first asks Linux for no transparent huge pages
//! (`trede::avoid_huge_pages`), so its cold figures are those of a build.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use trede::config::{self, Loaded};
use trede::diagnostics::{Diagnostics, Source};
use trede::records::{self, RecordFiles};
use trede::registry::Registry;
use trede::urls::Urls;

/// The reference date gen-registry generates for.
const REFERENCE: jiff::civil::Date = jiff::civil::date(2026, 11, 30);

/// User + system CPU time of the whole process (every thread) so far.
fn cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc_rusage>::zeroed();
    // SAFETY: getrusage writes a `struct rusage` into the buffer.
    let rc = unsafe { getrusage(0, usage.as_mut_ptr()) };
    assert_eq!(rc, 0, "getrusage failed");
    // SAFETY: initialised by getrusage (and zeroed before).
    let usage = unsafe { usage.assume_init() };
    let tv = |t: [i64; 2]| Duration::new(t[0] as u64, t[1] as u32 * 1000);
    tv(usage.utime) + tv(usage.stime)
}

/// The start of Linux's `struct rusage` (two `timeval`s), padded to its size.
#[repr(C)]
struct libc_rusage {
    utime: [i64; 2],
    stime: [i64; 2],
    rest: [i64; 14],
}

unsafe extern "C" {
    fn getrusage(who: i32, usage: *mut libc_rusage) -> i32;
}

/// Wall and CPU time of one stage.
#[derive(Clone, Copy)]
struct Timing {
    wall: Duration,
    cpu: Duration,
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Timing) {
    let (wall, cpu) = (Instant::now(), cpu_time());
    let value = f();
    let timing = Timing {
        wall: wall.elapsed(),
        cpu: cpu_time() - cpu,
    };
    (value, timing)
}

fn main() -> ExitCode {
    // As `trede` does: fresh memory in 4 KB pages, not 2 MB ones.
    trede::avoid_huge_pages();
    let mut args = std::env::args().skip(1);
    let (mut root, mut runs, mut json, mut split) = (None, 3usize, None, true);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--engine-only" => split = false,
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(3),
            "--json" => json = args.next().map(PathBuf::from),
            _ => root = Some(PathBuf::from(arg)),
        }
    }
    let Some(root) = root else {
        eprintln!("usage: engine-bench ROOT [--runs N] [--json FILE] [--engine-only]");
        return ExitCode::from(2);
    };
    let mut diagnostics = Diagnostics::new();
    let Some(Loaded {
        config,
        weights,
        norms,
    }) = config::load(&root, &mut diagnostics)
    else {
        eprintln!("{}", diagnostics.render(false));
        return ExitCode::FAILURE;
    };

    let columns = [
        "load_all",
        "compute",
        "engine",
        "read",
        "parse+validate",
        "open+read only",
    ];
    println!(
        "{:>4} {}",
        "run",
        columns.map(|c| format!("{c:>22}")).join("")
    );
    let expected_bytes = if split { record_bytes(&root) } else { 0 };
    let mut rows: Vec<[Timing; 6]> = Vec::new();
    let mut last = None;
    for run in 1..=runs {
        // The previous run's memory is free for this one.
        drop(last.take());
        let mut diagnostics = Diagnostics::new();
        let (records, load) =
            timed(|| Registry::load(&root, &weights, REFERENCE, &mut diagnostics, None));
        let count = records.len();
        let (registry, compute) = timed(|| {
            Registry::compute_loaded(records, &weights, &norms, REFERENCE, &mut diagnostics)
        });
        if diagnostics.has_errors(false) {
            eprintln!("{}", diagnostics.render(false));
            return ExitCode::FAILURE;
        }
        let engine = Timing {
            wall: load.wall + compute.wall,
            cpu: load.cpu + compute.cpu,
        };
        let (texts, read) = timed(|| if split { read_all(&root) } else { Vec::new() });
        let text_bytes: usize = texts.iter().map(|(_, _, text)| text.len()).sum();
        assert_eq!(text_bytes, expected_bytes, "every record read whole");
        let (parsed, parse) = timed(|| {
            texts
                .par_iter()
                .map(|(id, name, text)| {
                    let source = Source::new(name.as_str(), Arc::clone(text));
                    records::parse_record(id, source, &weights, REFERENCE).is_ok()
                })
                .filter(|ok| *ok)
                .count()
        });
        assert!(
            !split || parsed == count,
            "every record parses on its own too"
        );
        let (bytes, open_read) = timed(|| if split { read_only(&root) } else { 0 });
        assert_eq!(bytes, expected_bytes, "every record read whole");
        let row = [load, compute, engine, read, parse, open_read];
        println!(
            "{run:>4} {}",
            row.map(|t| format!(
                "{:>9.3} s {:>6.3} cpu",
                t.wall.as_secs_f64(),
                t.cpu.as_secs_f64()
            ))
            .join("")
        );
        rows.push(row);
        last = Some(registry);
    }
    let median = |i: usize, f: fn(&Timing) -> Duration| {
        let mut v: Vec<Duration> = rows.iter().map(|r| f(&r[i])).collect();
        v.sort();
        v[v.len() / 2]
    };
    println!(
        "{:>4} {}",
        "med",
        (0..6)
            .map(|i| format!(
                "{:>9.3} s {:>6.3} cpu",
                median(i, |t| t.wall).as_secs_f64(),
                median(i, |t| t.cpu).as_secs_f64()
            ))
            .collect::<String>()
    );
    let registry = last.expect("at least one run");
    println!(
        "{} organisations, {} threads; columns are wall seconds and CPU (user + system) seconds",
        registry.organisations.len(),
        rayon::current_num_threads()
    );
    if let Some(path) = json {
        let urls = Urls::new(&config.base_url);
        let mut bytes = serde_json::to_vec(&registry.to_json(&urls)).expect("serialises");
        bytes.push(b'\n');
        std::fs::write(&path, bytes).expect("registry JSON written");
    }
    // As a build: the process ends without freeing the registry (for
    // `/usr/bin/time` figures of the whole process).
    std::mem::forget(registry);
    ExitCode::SUCCESS
}

/// The record files' sizes added up, for the readers to check that they
/// read every byte.
fn record_bytes(root: &Path) -> usize {
    let files = RecordFiles::list(root);
    files
        .names
        .iter()
        .map(|name| {
            std::fs::metadata(files.dir().join(name))
                .expect("a record")
                .len() as usize
        })
        .sum()
}

/// Every record file as (id, display path, text), listed and read in
/// parallel by the library's own reader, as `load_all` reads them, and
/// copied into its shared text.
fn read_all(root: &Path) -> Vec<(String, String, Arc<str>)> {
    let files = RecordFiles::list(root);
    let shown = records::display_path(root, files.dir());
    files
        .names
        .par_iter()
        .map(|name| {
            let text = files
                .with_bytes(name, |bytes| {
                    Arc::from(std::str::from_utf8(bytes).expect("UTF-8 records"))
                })
                .expect("readable");
            let id = Path::new(name)
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (id, format!("{shown}/{}", name.to_string_lossy()), text)
        })
        .collect()
}

/// Lists the records folder and reads every file as `load_all` does, with
/// the library's own reader, keeping nothing: what the kernel and the
/// listing cost any reader of these files, the floor under `load_all`.
/// Returns the bytes read.
fn read_only(root: &Path) -> usize {
    let files = RecordFiles::list(root);
    files
        .names
        .par_iter()
        .map(|name| files.with_bytes(name, <[u8]>::len).expect("readable"))
        .sum()
}
