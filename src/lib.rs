//! trede: a static-site generator and public registry for the Dutch
//! Prestatieladder Socialer Ondernemen (PSO).
//!
//! The build is a one-way pipeline: [`config`] and [`content`] load the site,
//! [`records`] loads and checks organisation records, [`ladder`] computes
//! levels (pure functions over [`tables`] data), [`registry`] assembles the
//! computed registry, [`render`] turns everything into pages (with
//! [`svg`] graphics, [`opendata`], [`feeds`] and [`sitemap`]; [`minify`]
//! minifies the templates and pages) and
//! [`output`] writes them atomically. [`build`] runs the pipeline, in full
//! or, for the dev server [`serve`], incrementally with a
//! [`build::Session`] that keeps what did not change; [`links`] and
//! [`external_links`] check the rendered pages' links; [`cli`] is the
//! command line.

// A `Diagnostic` is returned only on the error path, where its size costs
// nothing measurable; boxing every one would only add noise.
#![allow(clippy::result_large_err)]

// mimalloc instead of the system allocator: a build makes millions of small
// strings on both cores, and glibc's malloc took a fifth of the CPU time. With
// mimalloc a 100,000-organisation build used 40% less CPU and 20% less peak
// memory. It is set here rather than in the binary so the tests, examples and
// benchmarks, which use the library, measure what the binary does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Asks Linux not to back this process's memory with transparent huge
/// pages (what `MIMALLOC_ALLOW_THP=0` does). mimalloc's fresh memory comes
/// in 2 MB pages that the kernel zeroes whole on first touch: at 100,000
/// organisations that was about a third of the build's system time (8.0 s
/// against 5.3 s, wall 2.5 s longer). Call it first thing in `main`.
pub fn avoid_huge_pages() {
    #[cfg(target_os = "linux")]
    {
        // Not fatal: an older kernel without the flag just keeps THP.
        let _ = rustix::thread::disable_transparent_huge_pages(true);
    }
}

pub mod build;
pub mod cli;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod escape;
pub mod external_links;
pub mod feeds;
pub mod import;
pub mod ladder;
pub mod links;
pub mod markdown;
pub mod minify;
pub mod opendata;
pub mod output;
pub mod records;
pub mod registry;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod sitemap;
pub mod svg;
pub mod tables;
pub mod theme;
pub mod toml_input;
pub mod urls;
