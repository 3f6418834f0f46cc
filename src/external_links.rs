//! External link checking over the network, for `trede check
//! --external-links`: every `http`/`https` link in the rendered pages that
//! points outside the site's `base_url` (links in markdown, in templates,
//! and organisations' `website` fields as their pages show them).
//!
//! Each distinct URL is asked once (`#fragment` dropped), a bounded number
//! at a time, each request within a time-out. A URL is asked with `HEAD`
//! first; when the server answers that with an error status (405 or 501 from
//! servers that refuse `HEAD`, but also servers that mishandle it otherwise)
//! it is asked again with `GET` and the `GET`'s answer counts. Redirects are
//! followed, at most [`MAX_REDIRECTS`]. Nothing here runs unless the flag is
//! given: `build`, `serve` and a plain `check` never touch the network.
//!
//! Broken links are warnings, because other sites fail for a while without
//! the register being wrong; `--strict` turns them into errors (exit 1).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::content::Content;
use crate::diagnostics::Diagnostic;
use crate::links::attribute_values;
use crate::output::OutputFile;
use crate::records::Organisation;
use crate::registry::Registry;
use crate::urls::{self, Urls};

/// Requests in flight at once, unless `--external-concurrency` says otherwise.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Seconds a request may take, unless `--external-timeout` says otherwise.
pub const DEFAULT_TIMEOUT_SECONDS: f64 = 10.0;

/// Redirects followed for one URL before giving up.
pub const MAX_REDIRECTS: u32 = 5;

/// Linking pages named in a diagnostic before "and N more".
const PAGES_SHOWN: usize = 3;

/// The `User-Agent` of every request, so that site owners can see who asks.
pub const USER_AGENT: &str = concat!(
    "trede/",
    env!("CARGO_PKG_VERSION"),
    " (external link check of a PSO register)"
);

/// How to check external links.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalOptions {
    /// Requests in flight at once (at least 1).
    pub concurrency: usize,
    /// Time-out of one request, redirects included.
    pub timeout: Duration,
}

impl Default for ExternalOptions {
    fn default() -> Self {
        ExternalOptions {
            concurrency: DEFAULT_CONCURRENCY,
            timeout: Duration::from_secs_f64(DEFAULT_TIMEOUT_SECONDS),
        }
    }
}

/// Where a link was found: a rendered page, and the source file it was
/// rendered from when that is known.
#[derive(Debug, Clone)]
struct Place<'a> {
    /// Output path of the page (`organisaties/x/index.html`).
    page: String,
    /// The markdown file the page was made from (its text is not kept, so
    /// it is named without a line).
    file: Option<String>,
    /// The record the page was made from: its text is read again only for
    /// the message about a broken link (see [`Organisation::source`]).
    record: Option<&'a Organisation>,
    /// The URL as written in the page.
    written: String,
    /// `website` when the link is the organisation's website field.
    key: Option<&'static str>,
}

impl Place<'_> {
    /// How the place is named to the user: the source file, or the rendered
    /// page (a link from a template).
    fn name(&self) -> String {
        match (self.record, &self.file) {
            (Some(record), _) => record.file.name.clone(),
            (None, Some(file)) => file.clone(),
            (None, None) => format!("{} (rendered)", self.page),
        }
    }

    /// Whether the page was made from a source file.
    fn has_source(&self) -> bool {
        self.record.is_some() || self.file.is_some()
    }
}

/// The source of each rendered page that has one: markdown pages and
/// organisation pages.
struct PageSources<'a> {
    /// Output path -> markdown source name.
    pages: HashMap<String, String>,
    /// Output path -> the organisation.
    organisations: HashMap<String, &'a Organisation>,
}

impl<'a> PageSources<'a> {
    fn new(content: &Content, registry: &'a Registry) -> Self {
        let pages = content
            .pages
            .iter()
            .map(|p| {
                (
                    format!("{}index.html", p.output_dir),
                    format!("content/{}", p.source_path),
                )
            })
            .collect();
        let organisations = registry
            .organisations
            .iter()
            .map(|c| {
                (
                    format!("{}index.html", urls::organisation_dir(&c.org.id)),
                    &c.org,
                )
            })
            .collect();
        PageSources {
            pages,
            organisations,
        }
    }

    fn place(&self, page: &str, url: &str, written: &str) -> Place<'a> {
        let record = self.organisations.get(page).copied();
        let website = record.and_then(|org| org.website.as_deref());
        Place {
            page: page.to_string(),
            file: self.pages.get(page).cloned(),
            record,
            written: written.to_string(),
            key: website
                .is_some_and(|w| w == written || without_fragment(w) == url)
                .then_some("website"),
        }
    }
}

/// The first place a URL is written in a source text, as written in the
/// page or without its fragment.
fn find_written(text: &str, written: &str, url: &str) -> Option<Range<usize>> {
    [written, url]
        .into_iter()
        .find_map(|needle| text.find(needle).map(|i| i..i + needle.len()))
}

/// An attribute value with the entities a renderer or minifier writes in
/// URLs decoded.
fn decode_attribute(value: &str) -> String {
    if !value.contains('&') {
        return value.to_string();
    }
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn without_fragment(url: &str) -> &str {
    url.split('#').next().unwrap_or(url)
}

/// Whether a link is an absolute http(s) URL outside the site.
fn is_external(link: &str, urls: &Urls) -> bool {
    let lower = link.get(..8).unwrap_or(link).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && !link.starts_with(urls.base_url())
}

/// Every external URL linked from the HTML pages (`href` only), without
/// its fragment, with the places that link to it, sorted by page.
fn collect<'a>(
    files: &[OutputFile],
    urls: &Urls,
    sources: &PageSources<'a>,
) -> BTreeMap<String, Vec<Place<'a>>> {
    let mut found: BTreeMap<String, Vec<Place>> = BTreeMap::new();
    for file in files.iter().filter(|f| f.path.ends_with(".html")) {
        let html = std::str::from_utf8(&file.contents).unwrap_or("");
        let mut seen = BTreeSet::new();
        for value in attribute_values(html, " href=") {
            let written = decode_attribute(value.trim());
            if !is_external(&written, urls) {
                continue;
            }
            let url = without_fragment(&written).to_string();
            if !seen.insert(url.clone()) {
                continue;
            }
            let place = sources.place(&file.path, &url, &written);
            found.entry(url).or_default().push(place);
        }
    }
    found
}

/// Why an external link is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The server answered with an error status (4xx or 5xx).
    Status(u16),
    /// No complete answer within the time-out.
    Timeout(Duration),
    /// The host name does not resolve.
    HostNotFound,
    /// Nothing listens at the address.
    ConnectionRefused,
    /// The redirects went on past [`MAX_REDIRECTS`].
    TooManyRedirects,
    /// Not a URL a request can be made for.
    InvalidUrl(String),
    /// Anything else: TLS, protocol or network errors.
    Other(String),
}

impl Failure {
    /// The reason, for the diagnostic's message.
    pub fn reason(&self) -> String {
        match self {
            Failure::Status(code) => {
                let text = ureq::http::StatusCode::from_u16(*code)
                    .ok()
                    .and_then(|s| s.canonical_reason());
                match text {
                    Some(text) => format!("HTTP {code} {text}"),
                    None => format!("HTTP {code}"),
                }
            }
            Failure::Timeout(limit) => {
                format!("no answer within {} (time-out)", seconds(*limit))
            }
            Failure::HostNotFound => "the host name does not resolve (DNS)".into(),
            Failure::ConnectionRefused => "connection refused".into(),
            Failure::TooManyRedirects => format!("more than {MAX_REDIRECTS} redirects"),
            Failure::InvalidUrl(why) => format!("not a valid URL ({why})"),
            Failure::Other(why) => why.clone(),
        }
    }

    /// What to do about it.
    fn advice(&self) -> &'static str {
        match self {
            Failure::Status(404 | 410) | Failure::HostNotFound | Failure::InvalidUrl(_) => {
                "fix the URL or remove the link"
            }
            Failure::Status(401 | 403 | 429) => {
                "the site refuses automated requests or wants a login: check the link in a browser"
            }
            Failure::TooManyRedirects => "link to where the redirects end, or remove the link",
            _ => {
                "the site may be down only for now: check the link in a browser or run the check again later"
            }
        }
    }
}

/// `10 s`, `0.5 s`.
fn seconds(duration: Duration) -> String {
    let s = duration.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s} s")
    }
}

/// The agent every request goes through: time-out, redirects, user agent.
fn agent(options: &ExternalOptions) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .max_redirects(MAX_REDIRECTS)
        .max_redirects_will_error(true)
        .http_status_as_error(false)
        .user_agent(USER_AGENT)
        .build()
        .into()
}

/// Asks for one URL: `HEAD`, then `GET` when `HEAD` gets an error status.
fn probe(agent: &ureq::Agent, url: &str, timeout: Duration) -> Result<(), Failure> {
    let accept = "text/html,application/xhtml+xml,*/*;q=0.8";
    let head = agent.head(url).header("Accept", accept).call();
    let status = match head {
        Ok(response) => response.status().as_u16(),
        Err(error) => return Err(failure(error, timeout)),
    };
    if status < 400 {
        return Ok(());
    }
    // Servers that refuse HEAD (405, 501) or mishandle it: ask with GET.
    // The body is never read.
    match agent.get(url).header("Accept", accept).call() {
        Ok(response) if response.status().as_u16() < 400 => Ok(()),
        Ok(response) => Err(Failure::Status(response.status().as_u16())),
        Err(error) => Err(failure(error, timeout)),
    }
}

fn failure(error: ureq::Error, timeout: Duration) -> Failure {
    match error {
        ureq::Error::Timeout(_) => Failure::Timeout(timeout),
        ureq::Error::HostNotFound => Failure::HostNotFound,
        ureq::Error::TooManyRedirects => Failure::TooManyRedirects,
        ureq::Error::BadUri(why) => Failure::InvalidUrl(why),
        ureq::Error::Http(why) => Failure::InvalidUrl(why.to_string()),
        ureq::Error::StatusCode(code) => Failure::Status(code),
        // The system resolver's failure comes as a plain I/O error.
        ureq::Error::Io(io) if io.to_string().contains("failed to lookup address") => {
            Failure::HostNotFound
        }
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused => Failure::ConnectionRefused,
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                Failure::Timeout(timeout)
            }
            _ => Failure::Other(format!("network error: {io}")),
        },
        ureq::Error::Tls(why) => Failure::Other(format!("TLS error: {why}")),
        ureq::Error::Rustls(why) => Failure::Other(format!("TLS error: {why}")),
        other => Failure::Other(other.to_string()),
    }
}

/// Checks `urls` with at most `options.concurrency` requests in flight;
/// returns each URL's outcome, in the order given.
pub fn probe_all(urls: &[&str], options: &ExternalOptions) -> Vec<Result<(), Failure>> {
    let agent = agent(options);
    let next = AtomicUsize::new(0);
    let results = Mutex::new(vec![Ok(()); urls.len()]);
    let workers = options.concurrency.clamp(1, urls.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(url) = urls.get(i) else { break };
                    let outcome = probe(&agent, url, options.timeout);
                    if let Ok(mut results) = results.lock() {
                        results[i] = outcome;
                    }
                }
            });
        }
    });
    results.into_inner().unwrap_or_default()
}

/// Warnings for every external link in the rendered pages that does not
/// answer, one per distinct URL, naming the pages and files that link to
/// it. Makes network requests: only for `check --external-links`.
pub fn check(
    files: &[OutputFile],
    urls: &Urls,
    content: &Content,
    registry: &Registry,
    options: &ExternalOptions,
) -> Vec<Diagnostic> {
    let sources = PageSources::new(content, registry);
    let found = collect(files, urls, &sources);
    let targets: Vec<&str> = found.keys().map(String::as_str).collect();
    let outcomes = probe_all(&targets, options);
    found
        .iter()
        .zip(outcomes)
        .filter_map(|((url, places), outcome)| {
            outcome
                .err()
                .map(|failure| diagnostic(url, places, &failure))
        })
        .collect()
}

fn diagnostic(url: &str, places: &[Place], failure: &Failure) -> Diagnostic {
    let mut diagnostic = Diagnostic::warning(format!(
        "broken external link `{url}`: {}",
        failure.reason()
    ));
    if let Some(first) = places.first() {
        let source = first.record.map(Organisation::source);
        let span = source
            .as_ref()
            .and_then(|source| find_written(&source.text, &first.written, url));
        diagnostic = match (&source, span) {
            (Some(source), Some(span)) => diagnostic.at(source, Some(span)),
            _ => diagnostic.in_file(first.name()),
        };
        if let Some(key) = first.key {
            diagnostic = diagnostic.key(key);
        }
    }
    let mut names: Vec<String> = Vec::new();
    for place in places {
        let name = if place.has_source() {
            format!("{} ({})", place.name(), place.page)
        } else {
            place.name()
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let shown = names.len().min(PAGES_SHOWN);
    let mut linked_from = names[..shown].join(", ");
    if names.len() > shown {
        linked_from.push_str(&format!(" and {} more", names.len() - shown));
    }
    let pages = if places.len() == 1 { "page" } else { "pages" };
    diagnostic.hint(format!(
        "linked from {} {pages}: {linked_from}; {}",
        places.len(),
        failure.advice()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_external_links_once_without_fragments() {
        let urls = Urls::new("https://x.nl/reg/");
        let files = vec![
            OutputFile::new(
                "index.html",
                "<a href=https://elders.nl/a#b>a</a><a href=\"https://elders.nl/a\">a</a>\
                 <a href=\"https://x.nl/reg/intern/\">i</a><a href=/reg/x/>x</a>\
                 <a href='mailto:a@b.nl'>m</a><a href=\"https://q.nl/?a=1&amp;b=2\">q</a>",
            ),
            OutputFile::new("a/index.html", "<a href=https://elders.nl/a>a</a>"),
            OutputFile::new("data.json", "{\"href\": \"https://niet.nl/\"}"),
        ];
        let registry_sources = PageSources {
            pages: HashMap::new(),
            organisations: HashMap::new(),
        };
        let found = collect(&files, &urls, &registry_sources);
        let keys: Vec<&str> = found.keys().map(String::as_str).collect();
        assert_eq!(keys, ["https://elders.nl/a", "https://q.nl/?a=1&b=2"]);
        let pages: Vec<&str> = found["https://elders.nl/a"]
            .iter()
            .map(|p| p.page.as_str())
            .collect();
        assert_eq!(pages, ["index.html", "a/index.html"]);
    }

    #[test]
    fn names_the_record_line_and_key_of_a_website() {
        let text = "name = \"A\"\nwebsite = \"https://a.example/\"\nkvk = \"12345678\"\n\
            city = \"Utrecht\"\nprovince = \"Utrecht\"\nsector = \"Schoonmaak\"\n\
            [certificate]\nnumber = \"PSO-1\"\nbody = \"B\"\nissued = 2026-01-01\n\
            [measurement]\nyear = 2025\nemployees = 40\ntotal_fte = 34.0\n";
        let record = crate::records::parse_record(
            "a",
            crate::diagnostics::Source::new("content/organisations/a.toml", text),
            &crate::tables::Weights::embedded(),
            jiff::civil::date(2026, 11, 30),
        )
        .expect("a valid record");
        let sources = PageSources {
            pages: HashMap::new(),
            organisations: HashMap::from([("organisaties/a/index.html".to_string(), &record)]),
        };
        let place = sources.place(
            "organisaties/a/index.html",
            "https://a.example/",
            "https://a.example/",
        );
        let d = diagnostic("https://a.example/", &[place], &Failure::HostNotFound);
        assert_eq!(d.key.as_deref(), Some("website"));
        assert_eq!(d.line_col(), Some((2, 12)));
        let text = d.render(false);
        assert!(text.contains("does not resolve"), "{text}");
        assert!(
            text.contains(
                "linked from 1 page: content/organisations/a.toml (organisaties/a/index.html)"
            ),
            "{text}"
        );
    }

    #[test]
    fn lists_the_first_pages_and_counts_the_rest() {
        let places: Vec<Place> = (0..5)
            .map(|i| Place {
                page: format!("p{i}/index.html"),
                file: None,
                record: None,
                written: "https://x.example/".to_string(),
                key: None,
            })
            .collect();
        let d = diagnostic("https://x.example/", &places, &Failure::Status(404));
        assert_eq!(
            d.message,
            "broken external link `https://x.example/`: HTTP 404 Not Found"
        );
        assert_eq!(d.file.as_deref(), Some("p0/index.html (rendered)"));
        let hint = d.hint.unwrap();
        assert!(hint.starts_with("linked from 5 pages: p0/index.html (rendered), p1/index.html (rendered), p2/index.html (rendered) and 2 more;"), "{hint}");
    }

    #[test]
    fn reasons_read_well() {
        assert_eq!(
            Failure::Timeout(Duration::from_millis(500)).reason(),
            "no answer within 0.5 s (time-out)"
        );
        assert_eq!(
            Failure::Timeout(Duration::from_secs(10)).reason(),
            "no answer within 10 s (time-out)"
        );
        assert_eq!(Failure::Status(599).reason(), "HTTP 599");
    }
}
