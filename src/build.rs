//! The build pipeline: load, validate, compute, render, write, in that
//! order and never back. `trede check` runs everything but the write.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use jiff::civil::Date;
use rayon::prelude::*;

use crate::config::{self, Loaded};
use crate::content::{self, Content};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::feeds;
use crate::opendata;
use crate::output::{self, OutputFile, WriteStats};
use crate::records;
use crate::registry::Registry;
use crate::render::views::Vocabulary;
use crate::render::{Memo, Renderer, registry_pages, site};
use crate::search;
use crate::sitemap;
use crate::theme;
use crate::urls::Urls;

/// What to build and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The site folder.
    pub root: PathBuf,
    /// Where to write; `ROOT/public` when `None`.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` from `site.toml`.
    pub base_url: Option<String>,
    /// The reference date.
    pub date: Date,
    /// Warnings count as errors.
    pub strict: bool,
    /// Check internal links and anchors of the rendered pages (`check`).
    pub check_links: bool,
    /// Also check external links over the network (`check --external-links`).
    pub external_links: Option<crate::external_links::ExternalOptions>,
}

/// What a run produced.
#[derive(Debug)]
pub struct Report {
    /// Every error and warning.
    pub diagnostics: Diagnostics,
    /// The computed registry, when records could be loaded.
    pub registry: Option<Registry>,
    /// The files of the site, when rendering succeeded.
    pub files: Vec<OutputFile>,
    /// Number of HTML pages.
    pub pages: usize,
    /// What was written, for a build that wrote.
    pub written: Option<WriteStats>,
    /// Where it was (or would be) written.
    pub output: PathBuf,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// Wall time of each stage, in order.
    pub stages: Vec<(&'static str, Duration)>,
}

impl Report {
    /// Whether the run failed.
    pub fn failed(&self, strict: bool) -> bool {
        self.diagnostics.has_errors(strict)
    }
}

/// The reference date: `--date`, else `SOURCE_DATE_EPOCH`, else today (UTC).
pub fn reference_date(flag: Option<&str>) -> Result<Date, String> {
    if let Some(text) = flag {
        return text.parse::<Date>().map_err(|_| {
            format!("`--date {text}` is not a date: use YYYY-MM-DD, e.g. --date 2026-11-30")
        });
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let seconds: i64 = epoch
            .trim()
            .parse()
            .map_err(|_| format!("SOURCE_DATE_EPOCH={epoch} is not a number of seconds"))?;
        let ts = jiff::Timestamp::from_second(seconds)
            .map_err(|e| format!("SOURCE_DATE_EPOCH={epoch} is out of range: {e}"))?;
        return Ok(ts.to_zoned_datetime(jiff::tz::TimeZone::UTC).date());
    }
    Ok(jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date())
}

/// Runs the pipeline; writes the output only when `write` is set and the run
/// has no errors (no warnings either, under `strict`).
pub fn run(options: &Options, write: bool) -> Report {
    run_with_progress(options, write, &|_| {})
}

/// What a rebuild keeps of the builds before it (`serve`): the parsed
/// records by file stamp, the last good build's pages by fingerprint, and
/// the last build's minified pages by their text before minifying.
#[derive(Debug, Default)]
pub struct Session {
    /// Records by file name, size and time.
    pub records: records::RecordCache,
    /// The pages of the last good build.
    pub memo: Option<Arc<Memo>>,
    /// Minified pages of the last build.
    pub minified: Minified,
}

/// The pages the last build minified, by path: the page as rendered and
/// as minified. A page rendered to the same bytes again is not minified
/// again (minifying is the same for the same bytes), nor is a page that a
/// rebuild takes from the last build by its fingerprint (it is minified).
#[derive(Debug, Default)]
pub struct Minified(HashMap<String, (Bytes, Bytes)>);

/// What a rebuild reuses (see [`Session`]).
struct Reuse<'a> {
    memo: Arc<Memo>,
    records: &'a mut records::RecordCache,
    minified: &'a mut Minified,
}

/// Runs the pipeline in memory for a rebuild (`serve`): records whose file
/// did not change are not read again, and pages whose inputs are the same
/// as in the session's last good build are taken from it instead of being
/// rendered again. A good build becomes the session's new last good build.
/// Writes nothing.
pub fn run_incremental(options: &Options, session: &mut Session) -> Report {
    let reuse = Reuse {
        memo: session.memo.clone().unwrap_or_default(),
        records: &mut session.records,
        minified: &mut session.minified,
    };
    let report = run_inner(options, false, &|_| {}, Some(reuse));
    if !report.failed(options.strict) {
        let pages: Memo = report
            .files
            .iter()
            .filter_map(|f| Some((f.path.clone(), (f.fingerprint?, f.contents.clone()))))
            .collect();
        session.memo = Some(Arc::new(pages));
    }
    report
}

/// Times the stages of a run and tells `progress` when each one starts.
struct Stages<'a> {
    progress: &'a dyn Fn(&'static str),
    done: Vec<(&'static str, Duration)>,
    current: Option<(&'static str, Instant)>,
}

impl Stages<'_> {
    fn start(&mut self, name: &'static str) {
        self.finish();
        (self.progress)(name);
        self.current = Some((name, Instant::now()));
    }

    fn finish(&mut self) {
        if let Some((name, started)) = self.current.take() {
            self.done.push((name, started.elapsed()));
        }
    }
}

/// [`run`], calling `progress` with the name of each stage as it starts
/// (for a progress display).
pub fn run_with_progress(
    options: &Options,
    write: bool,
    progress: &dyn Fn(&'static str),
) -> Report {
    run_inner(options, write, progress, None)
}

fn run_inner(
    options: &Options,
    write: bool,
    progress: &dyn Fn(&'static str),
    incremental: Option<Reuse>,
) -> Report {
    let started = Instant::now();
    let mut stages = Stages {
        progress,
        done: Vec::new(),
        current: None,
    };
    let mut diagnostics = Diagnostics::new();
    let output = options
        .output
        .clone()
        .unwrap_or_else(|| options.root.join("public"));
    let mut report = Report {
        diagnostics: Diagnostics::new(),
        registry: None,
        files: Vec::new(),
        pages: 0,
        written: None,
        output,
        elapsed: Duration::ZERO,
        stages: Vec::new(),
    };
    let write_error = |error: std::io::Error, output: &Path| {
        Diagnostic::error(format!("could not write the output: {error}"))
            .in_file(output.display().to_string())
            .hint("check that the output folder's parent is writable; the previous output is left as it was")
    };
    // Organisation pages go into the staging folder as they are rendered,
    // so that a large registry is never held in memory whole. The output
    // itself is replaced only at the end, when everything succeeded.
    let staging = if write {
        match output::Staging::begin(&report.output) {
            Ok(staging) => Some(staging),
            Err(error) => {
                diagnostics.push(write_error(error, &report.output));
                None
            }
        }
    } else {
        None
    };
    let (registry, files) = if write && staging.is_none() {
        (None, Vec::new())
    } else {
        pipeline(
            options,
            &mut diagnostics,
            &mut stages,
            incremental,
            staging.as_ref(),
        )
    };
    report.registry = registry;
    if !diagnostics.has_errors(options.strict) {
        report.pages = files.iter().filter(|f| f.path.ends_with(".html")).count();
        report.files = files;
        if let Some(staging) = staging {
            stages.start("writing");
            match staging.finish(&report.files) {
                Ok(stats) => report.written = Some(stats),
                Err(error) => diagnostics.push(write_error(error, &report.output)),
            }
        }
    }
    stages.finish();
    report.stages = stages.done;
    report.diagnostics = diagnostics;
    report.elapsed = started.elapsed();
    report
}

fn pipeline(
    options: &Options,
    diagnostics: &mut Diagnostics,
    stages: &mut Stages,
    incremental: Option<Reuse>,
    staging: Option<&output::Staging>,
) -> (Option<Registry>, Vec<OutputFile>) {
    let root = options.root.as_path();
    stages.start("loading");
    let Some(Loaded {
        mut config,
        weights,
        norms,
    }) = config::load(root, diagnostics)
    else {
        return (None, Vec::new());
    };
    if let Some(base) = &options.base_url {
        if !records::is_http_url(base) {
            diagnostics.push(
                Diagnostic::error(format!(
                    "`--base-url {base}` is not an absolute http or https URL"
                ))
                .hint("e.g. --base-url https://user.github.io/registry/"),
            );
            return (None, Vec::new());
        }
        config.base_url = config::normalise_base_url(base);
    }
    let urls = Urls::new(&config.base_url);
    let (memo, record_cache, minified) = match incremental {
        Some(reuse) => (Some(reuse.memo), Some(reuse.records), Some(reuse.minified)),
        None => (None, None, None),
    };
    // Each record is loaded into the room of its computed figures.
    let organisations = Registry::load(root, &weights, options.date, diagnostics, record_cache);
    stages.start("computing");
    let registry =
        Registry::compute_loaded(organisations, &weights, &norms, options.date, diagnostics);
    stages.start("loading pages");
    let theme = theme::load(root, &config.theme, &config.language, diagnostics);
    let open_words = theme
        .as_ref()
        .map(|theme| opendata::OpenDataWords::from_strings(&theme.strings, &config));
    // The spreadsheet takes longer than any other single task: it is made
    // on a thread of its own, from as soon as the registry is computed
    // (unless the build has failed already).
    let files = std::thread::scope(|scope| {
        let spreadsheet = match &open_words {
            Some(Ok(words)) if !diagnostics.has_errors(false) => {
                let (registry, config, urls, memo) = (&registry, &config, &urls, memo.clone());
                Some(scope.spawn(move || {
                    spreadsheet_file(registry, config, urls, words, memo.as_deref())
                }))
            }
            _ => None,
        };
        render_site(
            options,
            diagnostics,
            stages,
            (&config, &weights, &norms, &urls),
            &registry,
            theme,
            (&open_words, spreadsheet),
            (memo, minified),
            staging,
        )
    });
    (Some(registry), files)
}

/// `registry.xlsx`; in a rebuild, the last build's when nothing that goes
/// into it changed.
fn spreadsheet_file(
    registry: &Registry,
    config: &config::SiteConfig,
    urls: &Urls,
    words: &opendata::OpenDataWords,
    memo: Option<&Memo>,
) -> OutputFile {
    let sheet = opendata::Spreadsheet::new(registry, config, urls, words);
    let Some(memo) = memo else {
        return OutputFile::new(opendata::XLSX_PATH, sheet.bytes());
    };
    let print = sheet.print();
    match memo.get(opendata::XLSX_PATH) {
        Some((previous, bytes)) if *previous == print => {
            OutputFile::shared(opendata::XLSX_PATH, bytes.clone()).with_fingerprint(print)
        }
        _ => OutputFile::new(opendata::XLSX_PATH, sheet.bytes()).with_fingerprint(print),
    }
}

/// The spreadsheet being made, and the words it was started with.
type Spreadsheet<'a, 'scope> = (
    &'a Option<Result<opendata::OpenDataWords, Diagnostic>>,
    Option<std::thread::ScopedJoinHandle<'scope, OutputFile>>,
);

/// The pipeline after computing: pages loaded, everything rendered and
/// minified, links checked.
#[allow(clippy::too_many_arguments)]
fn render_site(
    options: &Options,
    diagnostics: &mut Diagnostics,
    stages: &mut Stages,
    (config, weights, norms, urls): (
        &config::SiteConfig,
        &crate::tables::Weights,
        &crate::tables::NormTable,
        &Urls,
    ),
    registry: &Registry,
    theme: Option<theme::Theme>,
    (open_words, spreadsheet): Spreadsheet<'_, '_>,
    (memo, minified): (Option<Arc<Memo>>, Option<&mut Minified>),
    staging: Option<&output::Staging>,
) -> Vec<OutputFile> {
    let root = options.root.as_path();
    // A section without `_index.md` is titled by its navigation label.
    let nav_label = |key: &str| -> Option<String> {
        let strings = &theme.as_ref()?.strings;
        strings.get(key)?.as_str().map(str::to_string)
    };
    let section_title = |section: &str| -> String {
        let label = match section {
            "uitleg" => nav_label("nav_explainers"),
            content::BLOG_SECTION => nav_label("nav_blog"),
            _ => None,
        };
        label.unwrap_or_else(|| {
            let name = section
                .rsplit('/')
                .next()
                .unwrap_or(section)
                .replace('-', " ");
            let mut chars = name.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        })
    };
    let content = content::load(root, &|dir| urls.path_url(dir), &section_title, diagnostics);
    if diagnostics.has_errors(false) {
        return Vec::new();
    }
    let Some(theme) = theme else {
        return Vec::new();
    };
    let Some((mut renderer, mut files)) = Renderer::new(
        &theme,
        &content.sections(),
        config,
        urls.clone(),
        options.date,
        diagnostics,
    ) else {
        return Vec::new();
    };
    if let Some(memo) = memo {
        renderer.reuse(memo);
    }
    renderer.set_page_urls(&content);
    let (Some(Ok(open_words)), Some(spreadsheet)) = (open_words, spreadsheet) else {
        // The theme's strings lack a text of the open data files.
        if let Some(Err(problem)) = open_words {
            diagnostics.push(problem.clone());
        }
        return Vec::new();
    };
    stages.start("rendering");
    match render_all(
        &renderer,
        config,
        &content,
        registry,
        weights,
        norms,
        (open_words, spreadsheet),
        staging,
    ) {
        Ok(rendered) => files.extend(rendered),
        Err(problem) => {
            diagnostics.push(problem);
            return Vec::new();
        }
    }
    for (path, bytes) in theme::site_static(root) {
        files.push(OutputFile::new(path, bytes));
    }
    if config.minify {
        stages.start("minifying");
        minify(&mut files, minified);
    }
    files.par_sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|later, earlier| later.path == earlier.path);
    if options.check_links {
        stages.start("checking links");
        for problem in crate::links::check_internal(&files, urls) {
            diagnostics.push(problem);
        }
    }
    if let Some(external) = &options.external_links {
        stages.start("checking external links");
        for problem in crate::external_links::check(&files, urls, &content, registry, external) {
            diagnostics.push(problem);
        }
    }
    files
}

#[allow(clippy::too_many_arguments)]
fn render_all(
    r: &Renderer,
    config: &config::SiteConfig,
    content: &Content,
    registry: &Registry,
    weights: &crate::tables::Weights,
    norms: &crate::tables::NormTable,
    (open_words, spreadsheet): (
        &opendata::OpenDataWords,
        std::thread::ScopedJoinHandle<'_, OutputFile>,
    ),
    staging: Option<&output::Staging>,
) -> Result<Vec<OutputFile>, Diagnostic> {
    let words = Vocabulary::new(r);
    let record_prints = registry_pages::record_prints(r, registry);
    let mut files =
        registry_pages::organisations(r, &words, registry, staging, record_prints.as_deref())?;
    files.extend(crate::render::views::ladder_files(r, &words));
    // The lists first: they are the largest output and go to disk at
    // once. Then the search index beside the data tables and feeds, in
    // the cores the spreadsheet leaves.
    let lists = registry_pages::lists(r, &words, registry, config.pagination.register)?;
    let listed: Result<Vec<OutputFile>, Diagnostic> = output::write_now(staging, lists.files);
    let statistics = registry_pages::statistics(r, &words, registry, &lists.items)?;
    drop(lists.items);
    let (searched, data) = rayon::join(
        || -> Result<Vec<OutputFile>, Diagnostic> {
            let mut searched = search::files(registry, content, r, &words);
            searched.extend(search::pages(r, &words, registry, &lists.letters)?);
            Ok(searched)
        },
        || {
            let mut data = opendata::tables(registry, config, &r.urls, open_words);
            data.push(feeds::registry_changes(
                registry,
                config,
                &r.urls,
                &feeds::FeedWords::from_strings(&r.strings),
            ));
            data.push(blog_feed(r, config, content, registry));
            // Written at once: they need not wait in memory for the
            // spreadsheet.
            output::write_now(staging, data)
        },
    );
    files.extend(listed?);
    files.push(statistics);
    files.extend(searched?);
    let mut data = data?;
    files.push(registry_pages::method(r, weights, norms)?);
    files.extend(site::pages(
        r,
        &words,
        content,
        registry,
        config.pagination.blog,
    )?);
    files.push(OutputFile::new(".nojekyll", ""));
    files.push(OutputFile::new(
        "robots.txt",
        format!(
            "User-agent: *\nAllow: /\n\nSitemap: {}\n",
            r.urls.absolute("sitemap.xml")
        ),
    ));
    // The sitemap does not wait for the spreadsheet: of what is still
    // to come, it lists only the "Open data" page, whose path is known.
    let paths = files.iter().map(|f| f.path.as_str());
    let sitemap = sitemap_files(r, content, registry, paths.chain([opendata::PAGE_FILE]));
    let xlsx = spreadsheet
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    data.push(xlsx);
    data.push(opendata::catalog_file(
        registry, config, &r.urls, open_words, &data,
    ));
    let datasets = opendata::datasets(registry, config, &r.urls, &data, open_words);
    files.push(registry_pages::open_data(r, &datasets)?);
    files.extend(output::write_now(staging, data)?);
    files.extend(sitemap);
    Ok(files)
}

fn blog_feed(
    r: &Renderer,
    config: &config::SiteConfig,
    content: &Content,
    registry: &Registry,
) -> OutputFile {
    let posts = content.section_pages(content::BLOG_SECTION);
    let entries: Vec<feeds::FeedEntry> = posts
        .iter()
        .take(30)
        .map(|p| feeds::FeedEntry {
            id: r.urls.absolute(&p.output_dir),
            title: p.title.clone(),
            url: r.urls.absolute(&p.output_dir),
            updated: p.date.unwrap_or(registry.reference_date),
            summary: p.description.clone(),
            content_html: Some(p.html.clone()),
        })
        .collect();
    let updated = entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or(registry.reference_date);
    let title = format!("{}: {}", config.title, r.t("nav_blog"));
    let xml = feeds::atom(
        &title,
        &r.urls.absolute("feeds/blog.xml"),
        r.urls.base_url(),
        updated,
        &entries,
    );
    OutputFile::new("feeds/blog.xml", xml)
}

/// The sitemap of the pages among `paths`.
fn sitemap_files<'a>(
    r: &Renderer,
    content: &Content,
    registry: &Registry,
    paths: impl Iterator<Item = &'a str>,
) -> Vec<OutputFile> {
    let dated: std::collections::HashMap<String, Date> = content
        .pages
        .iter()
        .filter_map(|p| p.date.map(|d| (format!("{}index.html", p.output_dir), d)))
        .collect();
    let mut entries: Vec<sitemap::SitemapEntry> = paths
        .filter(|path| path.ends_with("index.html"))
        .map(|path| sitemap::SitemapEntry {
            loc: r.urls.absolute(path),
            lastmod: Some(dated.get(path).copied().unwrap_or(registry.reference_date)),
        })
        .collect();
    entries.sort_by(|a, b| a.loc.cmp(&b.loc));
    sitemap::files(&entries, &r.urls)
}

/// Minifies HTML pages in parallel. Pages that fail to minify stay as they
/// were rather than failing the build. With `cache` (a rebuild), a page
/// that the last build minified from the same bytes is taken from there,
/// and the cache then holds this build's pages.
fn minify(files: &mut [OutputFile], cache: Option<&mut Minified>) {
    let previous = cache.as_ref().map(|cache| &cache.0);
    let minified: Vec<(String, (Bytes, Bytes))> = files
        .par_iter_mut()
        .filter(|f| crate::minify::after_rendering(&f.path))
        .map(|file| {
            let rendered = file.contents.clone();
            match previous.and_then(|p| p.get(&file.path)) {
                // The same page as rendered last time, or the last build's
                // page itself, taken from the memo by its fingerprint.
                Some((before, after))
                    if *before == rendered
                        || (after.as_ptr() == rendered.as_ptr()
                            && after.len() == rendered.len()) =>
                {
                    file.contents = after.clone();
                    (file.path.clone(), (before.clone(), after.clone()))
                }
                _ => {
                    if let Some(minified) = crate::minify::page(&file.contents) {
                        file.contents = minified.into();
                    }
                    (file.path.clone(), (rendered, file.contents.clone()))
                }
            }
        })
        .collect();
    if let Some(cache) = cache {
        cache.0 = minified.into_iter().collect();
    }
}

/// The site root given on the command line, or the current folder.
pub fn root_or_current(root: Option<&Path>) -> PathBuf {
    root.map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
