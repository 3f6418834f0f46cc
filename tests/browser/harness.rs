//! What the browser tests stand on: the example site built once per test
//! process and served over HTTP on the loopback address under a sub-path,
//! with the production-intent Content-Security-Policy; a chromedriver per
//! test; headless Chromium sessions driven with fantoccini; and the checks
//! every page gets (console errors, failed or off-site requests, axe-core).
//!
//! A missing Chromium, ChromeDriver or axe-core skips the tests with the
//! install commands, except under `CI=true`, where it is a failure.

use std::future::Future;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::Response;
use fantoccini::wd::{Capabilities, TimeoutConfiguration, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::common;

/// The header every response carries: what a production host should send.
pub const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
                       script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/// The sub-path the site is published under, as on GitHub Pages.
pub const SUB_PATH: &str = "/trede/";

/// What a check returns: `Err` carries a message a person can act on.
pub type Check = Result<(), String>;

const INSTALL_BROWSER: &str = "apt-get install chromium chromium-driver";
const INSTALL_AXE: &str = "npm install --prefix target/axe --no-save axe-core@4.14.1";

/// Writes to the terminal even when the test harness captures output
/// (it captures `eprintln!` only), so a skip or a tolerated issue is seen.
pub fn shout(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{message}");
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Under CI a missing tool fails the test; elsewhere the test is skipped
/// with instructions. Returns `None` when skipped.
fn missing<T>(what: &str, how: &str) -> Option<T> {
    let message = format!(
        "{what} not found: the browser tests need it.\n  install it with: {how}\n  \
         (set CHROMIUM, CHROMEDRIVER or AXE_CORE_JS to use another location)"
    );
    if in_ci() {
        panic!("{message}\n  CI=true: a missing browser tool is a failure, not a skip");
    }
    static SHOWN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut shown = SHOWN.lock().unwrap_or_else(|e| e.into_inner());
    if !shown.contains(&message) {
        shout(&format!("SKIPPED (browser tests): {message}"));
        shown.push(message);
    }
    None
}

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

fn tool(var: &str, names: &[&str]) -> Option<PathBuf> {
    match std::env::var_os(var) {
        Some(path) => Some(PathBuf::from(path)).filter(|p| p.is_file()),
        None => on_path(names),
    }
}

/// The browser and its driver.
#[derive(Clone, Debug)]
pub struct Tools {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

/// Chromium and ChromeDriver, or `None` (skip) with instructions.
pub fn tools() -> Option<Tools> {
    let Some(chromium) = tool(
        "CHROMIUM",
        &["chromium", "chromium-browser", "google-chrome"],
    ) else {
        return missing("Chromium", INSTALL_BROWSER);
    };
    let Some(chromedriver) = tool("CHROMEDRIVER", &["chromedriver"]) else {
        return missing("ChromeDriver", INSTALL_BROWSER);
    };
    Some(Tools {
        chromium,
        chromedriver,
    })
}

/// axe-core's `axe.min.js`: `AXE_CORE_JS`, else where `.ci/run` installs it.
pub fn axe_source() -> Option<String> {
    let path = std::env::var_os("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            common::example_root().join("target/axe/node_modules/axe-core/axe.min.js")
        });
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) => missing(
            &format!("axe-core ({})", path.display()),
            &format!("{INSTALL_AXE} (from the repository root)"),
        ),
    }
}

// ---- The site, built once and served over HTTP. ----

/// The example site, served on the loopback address.
#[derive(Debug)]
pub struct Served {
    /// `http://127.0.0.1:<port>/`: every request must stay under it.
    pub origin: String,
    /// `http://127.0.0.1:<port>/trede/`: the site's base URL.
    pub base: String,
}

impl Served {
    /// The absolute URL of a path under the base URL.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path.trim_start_matches('/'))
    }
}

static SERVED: OnceLock<Served> = OnceLock::new();

/// Builds the example site (once per test process) with the reference date
/// and a sub-path base URL on a free port, and serves it from a thread.
pub fn served() -> &'static Served {
    SERVED.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
        let port = listener.local_addr().unwrap().port();
        let origin = format!("http://127.0.0.1:{port}/");
        let base = format!("http://127.0.0.1:{port}{SUB_PATH}");
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-site");
        let site = common::example_copy();
        site.trede(&[
            "build",
            "--quiet",
            "--date",
            common::DATE,
            "--base-url",
            &base,
            "--output",
            dir.to_str().unwrap(),
        ])
        .success();
        listener.set_nonblocking(true).unwrap();
        let root = Arc::new(dir.clone());
        std::thread::Builder::new()
            .name("static-server".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                    let app = axum::Router::new().fallback(static_file).with_state(root);
                    axum::serve(listener, app).await.unwrap();
                });
            })
            .unwrap();
        Served { origin, base }
    })
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "xml" => "application/xml",
        "csv" => "text/csv; charset=utf-8",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "png" => "image/png",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn respond(status: StatusCode, kind: &str, body: Vec<u8>) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, kind)
        .header(header::CONTENT_SECURITY_POLICY, CSP)
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(body))
        .unwrap()
}

/// A static host like GitHub Pages: `dir/` serves `dir/index.html`, a folder
/// without its slash redirects, anything missing gets `404.html` with 404.
async fn static_file(State(root): State<Arc<PathBuf>>, uri: Uri) -> Response {
    let path = uri.path();
    if path == SUB_PATH.trim_end_matches('/') {
        return Response::builder()
            .status(StatusCode::MOVED_PERMANENTLY)
            .header(header::LOCATION, SUB_PATH)
            .body(Body::empty())
            .unwrap();
    }
    let not_found = || {
        let page = std::fs::read(root.join("404.html")).unwrap_or_default();
        respond(StatusCode::NOT_FOUND, "text/html; charset=utf-8", page)
    };
    let Some(rest) = path.strip_prefix(SUB_PATH) else {
        return not_found();
    };
    if rest
        .split('/')
        .any(|part| part == ".." || part.starts_with('.'))
    {
        return not_found();
    }
    let mut file = root.join(rest);
    if rest.is_empty() || rest.ends_with('/') {
        file = file.join("index.html");
    } else if file.is_dir() {
        return Response::builder()
            .status(StatusCode::MOVED_PERMANENTLY)
            .header(header::LOCATION, format!("{path}/"))
            .body(Body::empty())
            .unwrap();
    }
    match std::fs::read(&file) {
        Ok(bytes) => respond(StatusCode::OK, content_type(&file), bytes),
        Err(_) => not_found(),
    }
}

// ---- Problems found here that need a fix elsewhere. ----

/// A problem these tests found whose fix lies outside the tests. It is
/// reported (once per page) instead of failing, so the suite guards
/// everything else meanwhile; `TREDE_BROWSER_STRICT=1` makes it fail again.
/// Remove the entry with the fix.
pub struct Known {
    /// Pages it occurs on: a path under the base URL, or a prefix of one.
    pub pages: &'static str,
    /// Part of the console message, or the axe-core rule id.
    pub matches: &'static str,
    /// What to fix, and where.
    pub fix: &'static str,
}

pub const KNOWN_ISSUES: &[Known] = &[];

fn strict() -> bool {
    std::env::var("TREDE_BROWSER_STRICT").is_ok_and(|v| !v.is_empty() && v != "0")
}

static REPORTED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Whether a problem on a page is a known issue (and reports it once).
fn tolerated(location: &str, problem: &str) -> bool {
    if strict() {
        return false;
    }
    let Some(known) = KNOWN_ISSUES
        .iter()
        .find(|k| location.starts_with(k.pages) && problem.contains(k.matches))
    else {
        return false;
    };
    let key = format!("{location} {}", known.matches);
    let mut reported = REPORTED.lock().unwrap();
    if !reported.contains(&key) {
        shout(&format!(
            "KNOWN ISSUE on {location} (tolerated; TREDE_BROWSER_STRICT=1 fails on it): {}",
            known.fix
        ));
        reported.push(key);
    }
    true
}

// ---- ChromeDriver and Chromium. ----

/// A chromedriver process on a free port, killed when dropped.
pub struct Driver {
    child: Child,
    url: String,
    tools: Tools,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Chromium runs in chromedriver's process group: a session that was
        // not closed (a test that panicked) ends with it.
        #[cfg(unix)]
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Held while a chromedriver picks its port and starts listening: the
/// tests of a binary run in parallel, and a port that `free_port` found
/// free is free again for the next caller until chromedriver binds it.
static STARTING: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl Driver {
    /// Starts chromedriver and a session in it, a fresh chromedriver up to
    /// three times: on a loaded machine a start can fail once (a port taken
    /// by another process between the probe and the bind, a browser slow to
    /// come up), and a CI run should not fail on that.
    pub async fn start_session(
        tools: &Tools,
        options: SessionOptions,
    ) -> Result<(Driver, Browser), String> {
        let mut failures = Vec::new();
        for _ in 0..3 {
            let driver = match Driver::start(tools) {
                Ok(driver) => driver,
                Err(error) => {
                    failures.push(error);
                    continue;
                }
            };
            match driver.session(options).await {
                Ok(browser) => return Ok((driver, browser)),
                Err(error) => failures.push(error),
            }
        }
        Err(failures.join("; then "))
    }

    /// Starts chromedriver and waits until it listens.
    pub fn start(tools: &Tools) -> Result<Driver, String> {
        let _starting = STARTING.lock().unwrap_or_else(|e| e.into_inner());
        let port = free_port();
        let mut command = Command::new(&tools.chromedriver);
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .arg("--silent")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting {}: {e}", tools.chromedriver.display()))?;
        let mut driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            tools: tools.clone(),
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(15) {
                return Err(format!(
                    "chromedriver did not listen on port {port} in 15 s"
                ));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        // Something listens: ours, unless it could not bind the port
        // because another process had taken it.
        if let Ok(Some(status)) = driver.child.try_wait() {
            return Err(format!(
                "chromedriver ended ({status}): port {port} was taken by another process"
            ));
        }
        Ok(driver)
    }

    /// A new headless Chromium session with a fresh profile.
    pub async fn session(&self, options: SessionOptions) -> Result<Browser, String> {
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut args = vec![
            "--headless".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--disable-quic".to_string(),
            "--no-first-run".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-component-update".to_string(),
            "--disable-sync".to_string(),
            "--disable-dev-shm-usage".to_string(),
            "--lang=nl-NL".to_string(),
            "--hide-scrollbars".to_string(),
            format!("--window-size={},{}", options.width, options.height),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        if options.mobile {
            args.push("--force-device-scale-factor=1".to_string());
        }
        let mut prefs = json!({ "intl": { "accept_languages": "nl-NL,nl" } });
        if !options.javascript {
            prefs["profile"] = json!({ "managed_default_content_settings": { "javascript": 2 } });
        }
        let capabilities = json!({
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:loggingPrefs": { "browser": "ALL" },
            "goog:chromeOptions": {
                "binary": self.tools.chromium,
                "args": args,
                "prefs": prefs,
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let capabilities: Capabilities = capabilities;
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .map_err(|e| format!("starting a Chromium session through chromedriver: {e}"))?;
        client
            .update_timeouts(TimeoutConfiguration::new(
                Some(Duration::from_secs(30)),
                Some(Duration::from_secs(30)),
                Some(Duration::ZERO),
            ))
            .await
            .map_err(|e| e.to_string())?;
        let browser = Browser {
            client,
            served: served(),
            _profile: profile,
        };
        Ok(browser)
    }
}

/// How to start a session.
#[derive(Clone, Copy, Debug)]
pub struct SessionOptions {
    pub width: u32,
    pub height: u32,
    pub javascript: bool,
    pub mobile: bool,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            width: 1280,
            height: 900,
            javascript: true,
            mobile: false,
        }
    }
}

/// A WebDriver command fantoccini has no method for, on the session.
#[derive(Debug)]
struct SessionCommand {
    method: Method,
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for SessionCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (Method, Option<String>) {
        (self.method.clone(), Some(self.body.to_string()))
    }
}

/// One entry of the browser's console log.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub level: String,
    pub message: String,
}

/// A Chromium session on the served site.
pub struct Browser {
    pub client: Client,
    pub served: &'static Served,
    _profile: tempfile::TempDir,
}

fn cmd<T, E: std::fmt::Display>(what: &str, result: Result<T, E>) -> Result<T, String> {
    result.map_err(|e| format!("{what}: {e}"))
}

impl Browser {
    /// Ends the session (Chromium quits).
    pub async fn close(self) {
        let _ = self.client.close().await;
    }

    /// Opens a path under the base URL and waits for the page to load.
    /// Console entries from before are dropped.
    pub async fn open(&self, path: &str) -> Check {
        self.take_log().await?;
        let url = self.served.url(path);
        cmd(&format!("loading {url}"), self.client.goto(&url).await)?;
        self.wait_for("the page to load", "document.readyState === 'complete'")
            .await
    }

    /// The current address, relative to the base URL when under it.
    pub async fn location(&self) -> Result<String, String> {
        let url = cmd("reading the address", self.client.current_url().await)?;
        Ok(url
            .as_str()
            .strip_prefix(&self.served.base)
            .map(str::to_string)
            .unwrap_or_else(|| url.to_string()))
    }

    /// The current address as a path, for messages (`/trede/` for home).
    pub async fn here(&self) -> String {
        let location = self.location().await.unwrap_or_default();
        if location.starts_with("http") {
            location
        } else {
            format!("{SUB_PATH}{location}")
        }
    }

    /// Runs a script (a function body) and returns its value.
    pub async fn js(&self, script: &str) -> Result<Value, String> {
        cmd(
            "running a script",
            self.client.execute(script, vec![]).await,
        )
    }

    /// Runs a script with arguments.
    pub async fn js_with(&self, script: &str, args: Vec<Value>) -> Result<Value, String> {
        cmd("running a script", self.client.execute(script, args).await)
    }

    /// Waits up to 10 s until `condition` (a JavaScript expression) is true.
    pub async fn wait_for(&self, what: &str, condition: &str) -> Check {
        let script = format!("return !!({condition});");
        let started = Instant::now();
        loop {
            if self.js(&script).await? == Value::Bool(true) {
                return Ok(());
            }
            if started.elapsed() > Duration::from_secs(10) {
                return Err(format!(
                    "waited 10 s for {what} (`{condition}`) on {}",
                    self.here().await
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The visible text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> Result<String, String> {
        let element = self.find(css).await?;
        cmd(&format!("reading `{css}`"), element.text().await)
    }

    /// The first element matching `css`.
    pub async fn find(&self, css: &str) -> Result<fantoccini::elements::Element, String> {
        let location = self.here().await;
        cmd(
            &format!("finding `{css}` on {location}"),
            self.client.find(Locator::Css(css)).await,
        )
    }

    /// The texts of every element matching `css` (textContent, trimmed).
    pub async fn texts(&self, css: &str) -> Result<Vec<String>, String> {
        let value = self
            .js_with(
                "return Array.from(document.querySelectorAll(arguments[0]), e => e.textContent.trim());",
                vec![json!(css)],
            )
            .await?;
        Ok(value
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|v| v.as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The browser console since the last call (chromedriver drains it).
    pub async fn take_log(&self) -> Result<Vec<LogEntry>, String> {
        let value = cmd(
            "reading the browser log",
            self.client
                .issue_cmd(SessionCommand {
                    method: Method::POST,
                    path: "se/log",
                    body: json!({ "type": "browser" }),
                })
                .await,
        )?;
        Ok(value
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| LogEntry {
                        level: e["level"].as_str().unwrap_or_default().to_string(),
                        message: e["message"].as_str().unwrap_or_default().to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Every URL the page requested (the document and its resources), with
    /// the HTTP status where the browser knows it.
    pub async fn requests(&self) -> Result<Vec<(String, u64)>, String> {
        let value = self
            .js("return performance.getEntriesByType('navigation')\
                 .concat(performance.getEntriesByType('resource'))\
                 .map(e => [e.name, e.responseStatus || 0]);")
            .await?;
        Ok(value
            .as_array()
            .into_iter()
            .flatten()
            .map(|pair| {
                (
                    pair[0].as_str().unwrap_or_default().to_string(),
                    pair[1].as_u64().unwrap_or(0),
                )
            })
            .collect())
    }

    /// The page logged no console error (a script error, a CSP violation,
    /// a failed request) and requested nothing off-site or missing.
    /// `expect_404` allows the document itself to be a 404 (the 404 page).
    pub async fn page_is_clean(&self, expect_404: bool) -> Check {
        let mut problems = Vec::new();
        let location = self.location().await?;
        // A document that is not HTML (the badge SVG) cannot name an icon,
        // so the browser asks the host's root for one.
        let html = self.js("return document.contentType;").await? == json!("text/html");
        let favicon = format!("{}favicon.ico", self.served.origin);
        for (url, status) in self.requests().await? {
            if !html && url == favicon {
                continue;
            }
            if !url.starts_with(&self.served.origin) {
                problems.push(format!("an off-site request: {url}"));
            } else if status >= 400 && !(expect_404 && status == 404 && url.ends_with(&location)) {
                problems.push(format!("a failed request: {url} ({status})"));
            }
        }
        let mut errors: Vec<(String, usize)> = Vec::new();
        for entry in self.take_log().await? {
            if entry.level != "SEVERE"
                || (!html && entry.message.starts_with(&favicon))
                || (expect_404 && entry.message.contains("status of 404"))
                || tolerated(&location, &entry.message)
            {
                continue;
            }
            match errors.iter_mut().find(|(m, _)| *m == entry.message) {
                Some((_, n)) => *n += 1,
                None => errors.push((entry.message, 1)),
            }
        }
        for (message, n) in errors {
            let times = if n > 1 {
                format!(" ({n} times)")
            } else {
                String::new()
            };
            problems.push(format!("a console error{times}: {message}"));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "on {}:\n{}",
                self.here().await,
                problems.join("\n")
            ))
        }
    }

    /// Runs axe-core's WCAG 2.1 A and AA rules on the current page.
    pub async fn axe(&self, source: &str) -> Check {
        let loaded = self
            .js(&format!("{source}\n;return typeof window.axe;"))
            .await?;
        if loaded != json!("object") {
            return Err(format!("axe-core did not load (typeof axe: {loaded})"));
        }
        let result = cmd(
            "running axe-core",
            self.client
                .execute_async(
                    "const done = arguments[arguments.length - 1];\
                     axe.run(document, { runOnly: { type: 'tag', values: \
                       ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })\
                     .then(r => done({ violations: r.violations.map(v => ({ id: v.id, \
                       impact: v.impact, help: v.help, url: v.helpUrl, nodes: v.nodes.map(n => \
                       ({ target: n.target.join(' '), summary: n.failureSummary })) })), \
                       passes: r.passes.length }))\
                     .catch(e => done({ error: String(e) }));",
                    vec![],
                )
                .await,
        )?;
        if let Some(error) = result.get("error") {
            return Err(format!("axe-core failed: {error}"));
        }
        let location = self.location().await?;
        let violations: Vec<Value> = result["violations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|v| !tolerated(&location, v["id"].as_str().unwrap_or_default()))
            .cloned()
            .collect();
        if violations.is_empty() {
            return Ok(());
        }
        let mut text = format!(
            "{} WCAG 2.1 AA violation(s) on {}:",
            violations.len(),
            self.here().await
        );
        for v in &violations {
            text.push_str(&format!(
                "\n  - {} ({}): {}\n    {}",
                v["id"].as_str().unwrap_or_default(),
                v["impact"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or_default(),
                v["url"].as_str().unwrap_or_default(),
            ));
            for node in v["nodes"].as_array().into_iter().flatten().take(8) {
                text.push_str(&format!(
                    "\n      at `{}`: {}",
                    node["target"].as_str().unwrap_or_default(),
                    node["summary"]
                        .as_str()
                        .unwrap_or_default()
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
            }
        }
        Err(text)
    }

    /// Presses and releases keys (see `fantoccini::key::Key`) on whatever
    /// has the focus, as a keyboard would.
    pub async fn press(&self, keys: &[char]) -> Check {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut actions = KeyActions::new("keyboard".to_string());
        for &key in keys {
            actions = actions
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
        }
        cmd("pressing keys", self.client.perform_actions(actions).await)?;
        cmd("releasing keys", self.client.release_actions().await)
    }

    /// What has the focus, described as `tag#id.class` plus its text.
    pub async fn focused(&self) -> Result<String, String> {
        let value = self
            .js("const e = document.activeElement; if (!e) return '';\
                 return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + \
                 (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '');")
            .await?;
        Ok(value.as_str().unwrap_or_default().to_string())
    }

    /// Saves a PNG screenshot of the whole page under `target/screenshots/`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf, String> {
        let png = cmd("taking a screenshot", self.client.screenshot().await)?;
        let dir = common::example_root().join("target/screenshots");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).map_err(|e| format!("writing {}: {e}", path.display()))?;
        Ok(path)
    }
}

// ---- Running checks and reporting them. ----

/// Runs named checks in sequence and fails once at the end, naming every
/// page that failed and why.
#[derive(Default)]
pub struct Report {
    failures: Vec<String>,
    ran: usize,
    started: Option<Instant>,
}

impl Report {
    pub fn new() -> Report {
        Report {
            started: Some(Instant::now()),
            ..Report::default()
        }
    }

    /// Runs one check with a time limit and records its outcome.
    pub async fn check(&mut self, name: &str, check: impl Future<Output = Check>) {
        self.ran += 1;
        let started = Instant::now();
        let outcome = match tokio::time::timeout(Duration::from_secs(60), check).await {
            Ok(outcome) => outcome,
            Err(_) => Err("did not finish in 60 s".to_string()),
        };
        let ms = started.elapsed().as_millis();
        match outcome {
            Ok(()) => eprintln!("  ok      {name} ({ms} ms)"),
            Err(why) => {
                eprintln!("  FAILED  {name} ({ms} ms)");
                self.failures
                    .push(format!("{name}:\n    {}", why.replace('\n', "\n    ")));
            }
        }
    }

    /// Records a failure that is not a check (a session that did not start).
    pub fn fail(&mut self, name: &str, why: String) {
        self.ran += 1;
        self.failures.push(format!("{name}:\n    {why}"));
    }

    /// Panics with every failure, or prints the count.
    pub fn finish(self, what: &str) {
        let seconds = self
            .started
            .map(|s| s.elapsed().as_secs_f64())
            .unwrap_or(0.0);
        if self.failures.is_empty() {
            eprintln!("{what}: {} checks passed in {seconds:.1} s", self.ran);
            return;
        }
        panic!(
            "{what}: {} of {} checks failed:\n\n{}\n",
            self.failures.len(),
            self.ran,
            self.failures.join("\n\n")
        );
    }
}

/// Asserts inside a check: returns an error with the message when false.
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        let holds: bool = $cond;
        if !holds {
            return Err(format!($($msg)+));
        }
    };
}
