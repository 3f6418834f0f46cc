//! The command line: parsing with clap and running the commands. The binary
//! only calls [`main`].

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::build::{self, Options, Report};
use crate::urls::Urls;

/// trede builds a PSO registry site: organisation pages with ladder badges,
/// open data, feeds and search, from TOML records and markdown pages.
#[derive(Debug, Parser)]
#[command(name = "trede", version, about, long_about = None)]
pub struct Cli {
    /// Print only errors.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print each stage of a build with its time.
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (ROOT/public by default).
    Build(BuildArgs),
    /// Check everything a build would, plus internal links and anchors,
    /// without writing anything; with --external-links, external links too.
    Check(CheckArgs),
    /// Build the site, serve it on this machine and rebuild and reload the
    /// browser on every change.
    Serve(ServeArgs),
    /// Write a new record or blog post to fill in (never overwrites).
    #[command(subcommand)]
    New(NewCommand),
    /// Create a new register site in DIR that builds at once.
    Init {
        /// The folder to create the site in.
        dir: PathBuf,
    },
    /// Import a CSV export of a spreadsheet: one record per row. Nothing is
    /// written unless every row is valid.
    Import(ImportArgs),
}

/// `trede serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// The port to serve on; the next free one is used when it is taken.
    #[arg(long, default_value_t = crate::serve::DEFAULT_PORT)]
    pub port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Serve under this URL's path instead of site.toml's base_url path.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
}

/// What `trede new` writes.
#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// A commented record at content/organisations/<ID>.toml.
    Organisation {
        /// The organisation's permanent id, e.g. schoonmaak-de-ster.
        id: String,
        /// The site folder.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
    /// A blog post dated today at content/blog/<slug>.md.
    Post {
        /// The post's title; the file name is made from it.
        title: String,
        /// The site folder.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// The post's date [default: today].
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
    },
}

/// `trede import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The CSV file (UTF-8, comma-separated, a header row of documented
    /// column names; see README.md).
    pub file: PathBuf,
    /// The site folder.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Replace existing records with the same id.
    #[arg(long)]
    pub force: bool,
    /// Reference date for the checks [default: today].
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
}

/// Options shared by build and check.
#[derive(Debug, clap::Args)]
pub struct CommonArgs {
    /// The site folder, holding site.toml and content/.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Reference date for certificate validity, YYYY-MM-DD
    /// [default: the SOURCE_DATE_EPOCH date, else today in UTC].
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
}

/// `trede build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Where to write the site [default: ROOT/public]. The previous output is
    /// replaced only when the build succeeds.
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Publish under this URL instead of site.toml's base_url, e.g.
    /// https://user.github.io/registry/.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
}

/// `trede check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Output format: a human summary, or JSON with the registry.json
    /// objects and every diagnostic.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also check every external http(s) link in the rendered pages
    /// (organisations' websites included) over the network. Each URL is
    /// asked once, HEAD first and GET when HEAD is refused, following up to
    /// 5 redirects. A broken link is a warning, naming the pages that link
    /// to it and the reason; with --strict it is an error (exit code 1).
    /// Without this flag, check makes no network request at all.
    #[arg(long)]
    pub external_links: bool,
    /// Requests in flight at once for --external-links.
    #[arg(
        long,
        value_name = "N",
        default_value_t = crate::external_links::DEFAULT_CONCURRENCY as u16,
        value_parser = clap::value_parser!(u16).range(1..=64),
        requires = "external_links"
    )]
    pub external_concurrency: u16,
    /// Time-out of one external link's request, redirects included, in
    /// seconds (decimals allowed).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = crate::external_links::DEFAULT_TIMEOUT_SECONDS,
        value_parser = parse_timeout,
        requires = "external_links"
    )]
    pub external_timeout: f64,
}

/// `--external-timeout`: a number of seconds above 0 and at most 600.
fn parse_timeout(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds <= 600.0 => Ok(seconds),
        _ => Err(format!(
            "`{text}` is not a number of seconds between 0 and 600, e.g. 10 or 2.5"
        )),
    }
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For scripts.
    Json,
}

/// Runs the command line; returns the process exit code (0 success, 1
/// errors in the site, 2 wrong usage).
pub fn main() -> i32 {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => {
            let Some(options) = options(&args.common, args.output, args.base_url) else {
                return 2;
            };
            let report = run_showing_progress(&options, true, cli.quiet, cli.verbose);
            print_diagnostics(&report);
            if report.failed(options.strict) {
                eprintln!("{}", failure_line(&report));
                return 1;
            }
            if !cli.quiet {
                eprintln!("{}", summary_line(&report));
                if let Some(note) = size_note(report.written.unwrap_or_default().bytes) {
                    eprintln!("{note}");
                }
            }
            // The process ends here: freeing every page, record and string
            // one by one would only add time (about 2% of a large build).
            std::mem::forget(report);
            0
        }
        Command::Check(args) => {
            let Some(mut options) = options(&args.common, None, None) else {
                return 2;
            };
            options.check_links = true;
            if args.external_links {
                options.external_links = Some(crate::external_links::ExternalOptions {
                    concurrency: usize::from(args.external_concurrency),
                    timeout: std::time::Duration::from_secs_f64(args.external_timeout),
                });
            }
            let report = run_showing_progress(&options, false, cli.quiet, cli.verbose);
            let failed = report.failed(options.strict);
            match args.format {
                Format::Json => {
                    let document = check_json(&report, &options);
                    let mut out = std::io::stdout().lock();
                    let _ = serde_json::to_writer_pretty(&mut out, &document);
                    let _ = writeln!(out);
                }
                Format::Text => {
                    print_diagnostics(&report);
                    if !cli.quiet || failed {
                        eprintln!("{}", check_summary(&report));
                    }
                }
            }
            i32::from(failed)
        }
        Command::Serve(args) => {
            let Some(build) = options(&args.common, None, args.base_url) else {
                return 2;
            };
            let mut serve = crate::serve::ServeOptions::new(build);
            serve.port = args.port;
            serve.bind = args.bind;
            serve.open = args.open;
            serve.quiet = cli.quiet;
            crate::serve::serve(serve)
        }
        Command::New(what) => {
            let result = match what {
                NewCommand::Organisation { id, root } => {
                    let root = build::root_or_current(root.as_deref());
                    let Some(today) = date_or_exit(None) else {
                        return 2;
                    };
                    crate::scaffold::new_organisation(&root, &id, today)
                }
                NewCommand::Post { title, root, date } => {
                    let root = build::root_or_current(root.as_deref());
                    let Some(today) = date_or_exit(date.as_deref()) else {
                        return 2;
                    };
                    crate::scaffold::new_post(&root, &title, today)
                }
            };
            match result {
                Ok(path) => {
                    if !cli.quiet {
                        eprintln!(
                            "wrote {}: fill it in, then run `trede check`",
                            path.display()
                        );
                    }
                    0
                }
                Err(message) => {
                    eprintln!("error: {message}");
                    1
                }
            }
        }
        Command::Init { dir } => {
            let Some(today) = date_or_exit(None) else {
                return 2;
            };
            match crate::scaffold::init(&dir, today) {
                Ok(files) => {
                    if !cli.quiet {
                        for file in &files {
                            eprintln!("wrote {}", file.display());
                        }
                        eprintln!(
                            "a new register is ready: `trede build --root {}` builds it",
                            dir.display()
                        );
                    }
                    0
                }
                Err(message) => {
                    eprintln!("error: {message}");
                    1
                }
            }
        }
        Command::Import(args) => {
            let root = build::root_or_current(args.root.as_deref());
            let Some(today) = date_or_exit(args.date.as_deref()) else {
                return 2;
            };
            let mut diagnostics = crate::diagnostics::Diagnostics::new();
            let Some(loaded) = crate::config::load(&root, &mut diagnostics) else {
                eprint!("{}", diagnostics.render(false));
                return 1;
            };
            let result = crate::import::import(
                &root,
                &args.file,
                &loaded.weights,
                today,
                args.force,
                &mut diagnostics,
            );
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            eprint!("{}", diagnostics.render(color));
            match result {
                Some(imported) => {
                    if !cli.quiet {
                        eprintln!(
                            "imported {} record(s) into {}",
                            imported.written.len(),
                            root.join(crate::records::RECORDS_DIR).display()
                        );
                    }
                    0
                }
                None => {
                    eprintln!(
                        "import failed: {} error(s); no record was written",
                        diagnostics.error_count()
                    );
                    1
                }
            }
        }
    }
}

fn date_or_exit(flag: Option<&str>) -> Option<jiff::civil::Date> {
    match build::reference_date(flag) {
        Ok(date) => Some(date),
        Err(message) => {
            eprintln!("error: {message}");
            None
        }
    }
}

/// Runs a build with a spinner on a terminal, or plain lines with
/// `--verbose` elsewhere, then the stage times with `--verbose`.
fn run_showing_progress(options: &Options, write: bool, quiet: bool, verbose: bool) -> Report {
    let spinner = (std::io::stderr().is_terminal() && !quiet).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let report = build::run_with_progress(options, write, &|stage| match &spinner {
        Some(bar) => bar.set_message(stage),
        None if verbose => eprintln!("{stage}…"),
        None => {}
    });
    if let Some(bar) = spinner {
        bar.finish_and_clear();
    }
    if verbose {
        for (stage, time) in &report.stages {
            eprintln!("  {stage:<15} {:>8.3}s", time.as_secs_f64());
        }
    }
    report
}

fn options(
    common: &CommonArgs,
    output: Option<PathBuf>,
    base_url: Option<String>,
) -> Option<Options> {
    let date = match build::reference_date(common.date.as_deref()) {
        Ok(date) => date,
        Err(message) => {
            eprintln!("error: {message}");
            return None;
        }
    };
    Some(Options {
        root: build::root_or_current(common.root.as_deref()),
        output,
        base_url,
        date,
        strict: common.strict,
        check_links: false,
        external_links: None,
    })
}

fn print_diagnostics(report: &Report) {
    if report.diagnostics.is_empty() {
        return;
    }
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    eprint!("{}", report.diagnostics.render(color));
}

fn failure_line(report: &Report) -> String {
    format!(
        "build failed: {} error(s), {} warning(s); nothing was written, {} is unchanged",
        report.diagnostics.error_count(),
        report.diagnostics.warning_count(),
        report.output.display()
    )
}

fn level_counts(report: &Report) -> String {
    report
        .registry
        .as_ref()
        .map(|r| {
            r.count_by_level()
                .iter()
                .map(|(l, n)| format!("{} {n}", l.key()))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn summary_line(report: &Report) -> String {
    let organisations = report
        .registry
        .as_ref()
        .map_or(0, |r| r.organisations.len());
    let written = report.written.unwrap_or_default();
    format!(
        "built {} pages and {} organisations ({}) into {}: {} files ({} unchanged), {} bytes, {} warning(s), {:.2}s",
        report.pages,
        organisations,
        level_counts(report),
        report.output.display(),
        written.files,
        written.unchanged,
        written.bytes,
        report.diagnostics.warning_count(),
        report.elapsed.as_secs_f64()
    )
}

/// GitHub Pages publishes a site of at most 1 GB, and `trede init` sets a
/// site up for it: a registry of about 70,000 organisations outgrows that.
const GITHUB_PAGES_LIMIT: u64 = 1_000_000_000;

/// A note for an output too large for GitHub Pages, so an operator learns
/// it from the build rather than from a failed deployment.
fn size_note(bytes: u64) -> Option<String> {
    (bytes > GITHUB_PAGES_LIMIT).then(|| {
        format!(
            "note: the site is {:.2} GB; GitHub Pages publishes at most 1 GB, so publish it on \
             another static host (it needs nothing but static files)",
            bytes as f64 / 1e9
        )
    })
}

fn check_summary(report: &Report) -> String {
    let mut out = String::new();
    if let Some(registry) = &report.registry {
        out.push_str(&format!("{} organisations\n", registry.organisations.len()));
        out.push_str(&format!("  per level:  {}\n", level_counts(report)));
        let statuses = registry
            .count_by_status()
            .iter()
            .map(|(s, n)| format!("{} {n}", s.key()))
            .collect::<Vec<_>>()
            .join(", ");
        out.push_str(&format!("  per status: {statuses}\n"));
    }
    out.push_str(&format!(
        "{} error(s), {} warning(s)",
        report.diagnostics.error_count(),
        report.diagnostics.warning_count()
    ));
    out
}

fn check_json(report: &Report, options: &Options) -> serde_json::Value {
    let base_url = crate::config::load(&options.root, &mut crate::diagnostics::Diagnostics::new())
        .map(|l| l.config.base_url)
        .unwrap_or_else(|| "https://example.invalid/".into());
    let urls = Urls::new(&base_url);
    let mut document = match &report.registry {
        Some(registry) => serde_json::to_value(registry.to_json(&urls)).unwrap_or_default(),
        None => serde_json::json!({"generated": options.date.to_string(), "organisations": []}),
    };
    document["errors"] = report.diagnostics.error_count().into();
    document["warnings"] = report.diagnostics.warning_count().into();
    document["diagnostics"] = report.diagnostics.to_json();
    document
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_site_larger_than_github_pages_allows_gets_a_size_note() {
        assert_eq!(size_note(0), None);
        assert_eq!(size_note(GITHUB_PAGES_LIMIT), None);
        let note = size_note(1_414_172_290).expect("1.41 GB is too large");
        assert!(note.starts_with("note: the site is 1.41 GB;"), "{note}");
        assert!(
            note.contains("GitHub Pages publishes at most 1 GB"),
            "{note}"
        );
    }
}
