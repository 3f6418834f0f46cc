//! `trede serve`: the operator's daily loop. Builds the site in memory,
//! serves it over HTTP under the base URL's path, watches the inputs and
//! rebuilds on every change, and reloads open browser tabs through
//! server-sent events.
//!
//! Nothing is written to disk. A build that fails keeps the last good site
//! online, prints the errors, and shows them in the open tabs as an overlay
//! until the next good build. The live-reload script is added to HTML pages
//! only as they are served; a normal build never contains it.
//!
//! The rest of the crate is synchronous: [`serve`] and [`start`] create a
//! tokio runtime of their own, and builds run on its blocking pool (where
//! rayon does the work).

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::io::{self, IsTerminal};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener as StdListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt as _;
use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::build::{self, Report};
use crate::config;
use crate::diagnostics::Diagnostics;
use crate::records;
use crate::urls::Urls;

/// The port tried first.
pub const DEFAULT_PORT: u16 = 1111;
/// How many ports, from the one asked for, are tried before giving up.
const PORT_ATTEMPTS: u16 = 20;
/// How long the inputs must be quiet before a rebuild starts.
const DEBOUNCE: Duration = Duration::from_millis(150);
/// What is watched under the site root.
const WATCHED: [&str; 6] = [
    "site.toml",
    "content",
    "templates",
    "strings",
    "static",
    "themes",
];
/// The folder, under the base path, of the server's own files.
const INTERNAL: &str = "__trede/";
/// The policy the published site is written for: no inline scripts or
/// styles. The live-reload endpoint is same-origin, so it fits.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/// What `trede serve` needs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The build, as for `trede build`; its `base_url` only lends its path,
    /// the host is always the server's own address.
    pub build: build::Options,
    /// The port tried first; when taken, the next free one of the 19 after
    /// it. 0 lets the system choose.
    pub port: u16,
    /// The address to listen on.
    pub bind: IpAddr,
    /// Open the site in a browser once it is served.
    pub open: bool,
    /// Print only errors.
    pub quiet: bool,
}

impl ServeOptions {
    /// The defaults: port 1111 on 127.0.0.1, no browser, not quiet.
    pub fn new(build: build::Options) -> Self {
        ServeOptions {
            build,
            port: DEFAULT_PORT,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            open: false,
            quiet: false,
        }
    }
}

/// Builds, serves and rebuilds on change until interrupted (Ctrl-C);
/// returns the exit code: 0 after an interrupt, 1 when the server could not
/// start.
pub fn serve(options: ServeOptions) -> i32 {
    let (open, quiet) = (options.open, options.quiet);
    let server = match launch(options, true) {
        Ok(server) => server,
        Err(error) => {
            eprintln!("error: could not start the server: {error}");
            return 1;
        }
    };
    if !quiet {
        eprintln!("watching for changes; press Ctrl-C to stop");
    }
    if open {
        open_browser(&server.url);
    }
    server.wait();
    if !quiet {
        eprintln!("stopped");
    }
    0
}

/// Starts the server on a background thread, after the first build, and
/// returns its address and a handle to stop it (used by the tests).
pub fn start(options: ServeOptions) -> io::Result<Server> {
    launch(options, false)
}

/// A running server. Dropping it stops it too.
#[derive(Debug)]
pub struct Server {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The site's URL: the server's address and the base path.
    pub url: String,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Stops serving and watching, and waits until it has.
    pub fn stop(mut self) {
        self.shutdown();
    }

    /// Waits until the server stops by itself (on Ctrl-C).
    fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn launch(options: ServeOptions, until_interrupted: bool) -> io::Result<Server> {
    if let Some(base) = &options.build.base_url
        && !records::is_http_url(base)
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("`--base-url {base}` is not an absolute http or https URL"),
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("trede-serve")
        .enable_all()
        .build()?;
    let listener = bind(options.bind, options.port)?;
    let addr = listener.local_addr()?;
    if !options.quiet && options.port != 0 && addr.port() != options.port {
        eprintln!(
            "port {} is in use; serving on port {} instead",
            options.port,
            addr.port()
        );
    }
    let builder = Arc::new(Builder {
        options: options.build,
        host: SocketAddr::new(reachable(addr.ip()), addr.port()).to_string(),
        quiet: options.quiet,
        color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        session: Mutex::new(build::Session::default()),
    });
    // Watch first, so that an edit made during the first build is not lost.
    let (changes_tx, changes_rx) = mpsc::unbounded_channel();
    let watches = match Watches::new(&builder.options.root, changes_tx, options.quiet) {
        Ok(watches) => Some(Arc::new(Mutex::new(watches))),
        Err(error) => {
            eprintln!("warning: cannot watch the site for changes ({error}); restart to see edits");
            None
        }
    };
    let shared = Arc::new(Shared::new());
    let first = builder.build("/");
    shared.apply(first, &builder, &[]);
    let url = format!("http://{}{}", builder.host, shared.base_path());
    if !options.quiet {
        println!("serving {url}");
    }

    let (stop_tx, stop_rx) = oneshot::channel();
    listener.set_nonblocking(true)?;
    let thread = std::thread::Builder::new()
        .name("trede-serve".into())
        .spawn(move || {
            let running = Running {
                shared,
                builder,
                watches,
            };
            runtime.block_on(running.run(listener, changes_rx, stop_rx, until_interrupted));
            runtime.shutdown_timeout(Duration::from_secs(1));
        })?;
    Ok(Server {
        addr,
        url,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}

/// Binds `port`, or the next free one of the [`PORT_ATTEMPTS`] from it.
fn bind(ip: IpAddr, port: u16) -> io::Result<StdListener> {
    if port == 0 {
        return StdListener::bind((ip, 0));
    }
    let last = port.saturating_add(PORT_ATTEMPTS - 1);
    for candidate in port..=last {
        match StdListener::bind((ip, candidate)) {
            Ok(listener) => return Ok(listener),
            Err(error) if error.kind() == io::ErrorKind::AddrInUse => continue,
            Err(error) => return Err(error),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AddrInUse,
        format!("ports {port} to {last} on {ip} are all in use; choose another with --port"),
    ))
}

/// The address to put in links: the loopback address when listening on
/// every address.
fn reachable(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        other => other,
    }
}

/// Runs builds; owns what does not change while serving.
struct Builder {
    /// The build options as given.
    options: build::Options,
    /// `address:port` of the server, as put in links.
    host: String,
    quiet: bool,
    color: bool,
    /// What the builds so far leave for the next rebuild to reuse.
    session: Mutex<build::Session>,
}

/// A finished build.
struct Outcome {
    base_path: String,
    report: Report,
}

impl Builder {
    /// Builds the site in memory for the server's address, under the base
    /// path of the given `base_url` or of `site.toml` (the previous one when
    /// `site.toml` cannot be read).
    fn build(&self, previous_base: &str) -> Outcome {
        let base_path = self
            .base_path()
            .unwrap_or_else(|| previous_base.to_string());
        let mut options = self.options.clone();
        options.base_url = Some(format!("http://{}{}", self.host, base_path));
        let report = build::run_incremental(&options, &mut lock(&self.session));
        Outcome { base_path, report }
    }

    fn base_path(&self) -> Option<String> {
        match &self.options.base_url {
            Some(url) => Some(
                Urls::new(&config::normalise_base_url(url))
                    .base_path()
                    .to_string(),
            ),
            None => config::load(&self.options.root, &mut Diagnostics::new())
                .map(|loaded| loaded.config.base_path()),
        }
    }
}

/// What a request sees: the last good site and the state of the last build.
struct Snapshot {
    /// Where the site is served, e.g. `/trede/`.
    base_path: String,
    /// The last good build's files by output path, pages with the
    /// live-reload script; `None` until a build has succeeded.
    site: Option<Arc<HashMap<String, Bytes>>>,
    /// The errors of the last build, when it failed.
    failure: Option<Arc<str>>,
    /// Names the last good build, so a tab that reconnects knows whether it
    /// missed one.
    generation: String,
}

/// What the open tabs are told.
#[derive(Debug, Clone)]
enum Notice {
    /// A good build: reload (with the new generation).
    Reload(String),
    /// A failed build, with its errors as text.
    Failed(Arc<str>),
}

impl Notice {
    fn event(&self) -> Event {
        match self {
            Notice::Reload(generation) => Event::default().event("reload").data(generation),
            Notice::Failed(text) => failed_event(text),
        }
    }
}

fn failed_event(text: &str) -> Event {
    Event::default()
        .event("failed")
        .data(text.replace('\r', ""))
}

/// State shared by the request handlers and the rebuild loop.
struct Shared {
    snapshot: RwLock<Snapshot>,
    /// Taken away on shutdown, which ends every event stream.
    events: Mutex<Option<broadcast::Sender<Notice>>>,
    /// Distinguishes this server's generations from a previous run's.
    started: u128,
    builds: AtomicU64,
}

impl Shared {
    fn new() -> Self {
        let (events, _) = broadcast::channel(16);
        Shared {
            snapshot: RwLock::new(Snapshot {
                base_path: "/".into(),
                site: None,
                failure: None,
                generation: String::new(),
            }),
            events: Mutex::new(Some(events)),
            started: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
            builds: AtomicU64::new(0),
        }
    }

    fn base_path(&self) -> String {
        read(&self.snapshot).base_path.clone()
    }

    fn subscribe(&self) -> Option<broadcast::Receiver<Notice>> {
        lock(&self.events)
            .as_ref()
            .map(broadcast::Sender::subscribe)
    }

    fn notify(&self, notice: Notice) {
        if let Some(events) = lock(&self.events).as_ref() {
            let _ = events.send(notice);
        }
    }

    fn close_events(&self) {
        lock(&self.events).take();
    }

    /// Takes in a finished build: prints its diagnostics and a summary,
    /// swaps in the new site when it succeeded, and tells the open tabs.
    fn apply(&self, outcome: Outcome, builder: &Builder, changed: &[PathBuf]) {
        let Outcome { base_path, report } = outcome;
        if !report.diagnostics.is_empty() {
            eprint!("{}", report.diagnostics.render(builder.color));
        }
        let first = changed.is_empty();
        if report.failed(builder.options.strict) {
            let text: Arc<str> = report.diagnostics.render(false).trim_end().into();
            let mut snapshot = write(&self.snapshot);
            eprintln!(
                "{} failed: {} error(s), {} warning(s); {}",
                if first { "build" } else { "rebuild" },
                report.diagnostics.error_count(),
                report.diagnostics.warning_count(),
                if snapshot.site.is_some() {
                    "still serving the last good version"
                } else {
                    "serving an error page until it is fixed"
                }
            );
            if snapshot.site.is_none() {
                snapshot.base_path = base_path;
            }
            snapshot.failure = Some(text.clone());
            drop(snapshot);
            self.notify(Notice::Failed(text));
            return;
        }
        let build = self.builds.fetch_add(1, Ordering::Relaxed) + 1;
        let generation = format!("{:x}-{build}", self.started);
        // Pages are kept as built; the live-reload script goes in as each
        // one is served, so a rebuild copies nothing it did not render.
        let site: HashMap<String, Bytes> = report
            .files
            .into_iter()
            .map(|file| (file.path, file.contents))
            .collect();
        {
            let mut snapshot = write(&self.snapshot);
            snapshot.base_path = base_path;
            snapshot.site = Some(Arc::new(site));
            snapshot.failure = None;
            snapshot.generation = generation.clone();
        }
        if !builder.quiet {
            eprintln!(
                "{} {} pages in {:.2}s{}",
                if first { "built" } else { "rebuilt" },
                report.pages,
                report.elapsed.as_secs_f64(),
                describe(changed, &builder.options.root)
            );
        }
        self.notify(Notice::Reload(generation));
    }
}

/// " after a change to content/x.toml (and 2 more)", or nothing.
fn describe(changed: &[PathBuf], root: &Path) -> String {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut names: Vec<String> = changed
        .iter()
        .map(|p| p.strip_prefix(&root).unwrap_or(p).display().to_string())
        .collect();
    names.sort();
    names.dedup();
    match names.len() {
        0 => String::new(),
        1 => format!(" after a change to {}", names[0]),
        n => format!(" after a change to {} (and {} more)", names[0], n - 1),
    }
}

/// `<script>` loading the live-reload script, for pages under `base_path`.
fn reload_tag(base_path: &str) -> String {
    format!("<script src=\"{base_path}{INTERNAL}livereload.js\" defer></script>")
}

/// Puts `tag` before the last `</body>`, or at the end when there is none.
fn inject(mut html: Vec<u8>, tag: &str) -> Vec<u8> {
    let needle = b"</body>";
    let at = html
        .windows(needle.len())
        .rposition(|w| w.eq_ignore_ascii_case(needle))
        .unwrap_or(html.len());
    html.splice(at..at, tag.bytes());
    html
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The file watches, kept up to date as watched folders come and go.
struct Watches {
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    /// The site root, canonical, as events name it.
    root: PathBuf,
    /// The folders watched recursively.
    folders: HashSet<PathBuf>,
}

impl Watches {
    /// Watches the root itself (for `site.toml` and folders that appear)
    /// and every watched folder that exists; relevant changes are sent to
    /// `changes`.
    fn new(
        root: &Path,
        changes: mpsc::UnboundedSender<Vec<PathBuf>>,
        quiet: bool,
    ) -> Result<Self, String> {
        let root = root
            .canonicalize()
            .map_err(|e| format!("{}: {e}", root.display()))?;
        let events_root = root.clone();
        let mut debouncer =
            new_debouncer(
                DEBOUNCE,
                None,
                move |result: DebounceEventResult| match result {
                    Ok(events) => {
                        let paths: Vec<PathBuf> = events
                            .iter()
                            .filter(|e| !matches!(e.event.kind, EventKind::Access(_)))
                            .flat_map(|e| e.event.paths.iter())
                            .filter(|p| relevant(&events_root, p))
                            .cloned()
                            .collect();
                        if !paths.is_empty() {
                            let _ = changes.send(paths);
                        }
                    }
                    Err(errors) if !quiet => {
                        for error in errors {
                            eprintln!("warning: watching for changes: {error}");
                        }
                    }
                    Err(_) => {}
                },
            )
            .map_err(|e| e.to_string())?;
        debouncer
            .watch(&root, RecursiveMode::NonRecursive)
            .map_err(|e| e.to_string())?;
        let mut watches = Watches {
            debouncer,
            root,
            folders: HashSet::new(),
        };
        watches.refresh(&[]);
        Ok(watches)
    }

    /// Watches watched folders that appeared (or were replaced) and forgets
    /// those that went away.
    fn refresh(&mut self, changed: &[PathBuf]) {
        for name in &WATCHED[1..] {
            let folder = self.root.join(name);
            let known = self.folders.contains(&folder);
            if folder.is_dir() {
                if known && !changed.contains(&folder) {
                    continue;
                }
                if known {
                    let _ = self.debouncer.unwatch(&folder);
                }
                if self
                    .debouncer
                    .watch(&folder, RecursiveMode::Recursive)
                    .is_ok()
                {
                    self.folders.insert(folder);
                }
            } else if known {
                let _ = self.debouncer.unwatch(&folder);
                self.folders.remove(&folder);
            }
        }
    }
}

/// Whether a changed path is an input of the site: under one of the
/// watched names, and not an editor's hidden or backup file.
fn relevant(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    let Some(first) = parts.next() else {
        return false;
    };
    if !WATCHED.contains(&first.as_ref()) {
        return false;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let backup =
        name.ends_with('~') || name.ends_with(".swp") || name.ends_with(".swx") || name == "4913";
    !backup
        && !rel
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
}

/// The server while it runs.
struct Running {
    shared: Arc<Shared>,
    builder: Arc<Builder>,
    watches: Option<Arc<Mutex<Watches>>>,
}

impl Running {
    async fn run(
        self,
        listener: StdListener,
        changes: mpsc::UnboundedReceiver<Vec<PathBuf>>,
        stop: oneshot::Receiver<()>,
        until_interrupted: bool,
    ) {
        let listener = match tokio::net::TcpListener::from_std(listener) {
            Ok(listener) => listener,
            Err(error) => {
                eprintln!("error: could not serve: {error}");
                return;
            }
        };
        let shared = self.shared.clone();
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let (closing_tx, closing_rx) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = closing_rx.await;
                })
                .await
        });
        let rebuilds = tokio::spawn(self.rebuild_loop(changes));
        if until_interrupted {
            tokio::select! {
                _ = stop => {}
                _ = interrupted() => {}
            }
        } else {
            let _ = stop.await;
        }
        rebuilds.abort();
        shared.close_events();
        let _ = closing_tx.send(());
        let _ = tokio::time::timeout(Duration::from_secs(3), server).await;
    }

    /// Rebuilds after each burst of changes, one build at a time.
    async fn rebuild_loop(self, mut changes: mpsc::UnboundedReceiver<Vec<PathBuf>>) {
        while let Some(mut changed) = changes.recv().await {
            while let Ok(more) = changes.try_recv() {
                changed.extend(more);
            }
            changed.sort();
            changed.dedup();
            let previous_base = self.shared.base_path();
            let (builder, watches, paths) =
                (self.builder.clone(), self.watches.clone(), changed.clone());
            let built = tokio::task::spawn_blocking(move || {
                if let Some(watches) = watches {
                    lock(&watches).refresh(&paths);
                }
                lock(&builder.session).records.forget(&paths);
                builder.build(&previous_base)
            })
            .await;
            match built {
                Ok(outcome) => self.shared.apply(outcome, &self.builder, &changed),
                Err(error) => eprintln!("error: the rebuild stopped unexpectedly: {error}"),
            }
        }
    }
}

/// Resolves on Ctrl-C; never, when that cannot be listened for.
async fn interrupted() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

async fn handle(State(shared): State<Arc<Shared>>, method: Method, uri: Uri) -> Response {
    let mut response = if method == Method::GET || method == Method::HEAD {
        route(&shared, uri.path(), uri.query())
    } else {
        let mut response = (StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n").into_response();
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        response
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Answers a GET: the server's own files under `__trede/`, a redirect to
/// the base path, a page of the site, or its 404 page.
fn route(shared: &Shared, raw_path: &str, query: Option<&str>) -> Response {
    let path = percent_decode(raw_path);
    let snapshot = read(&shared.snapshot);
    let base = snapshot.base_path.clone();
    let rel = path.strip_prefix(base.as_str());
    if let Some(name) = rel
        .unwrap_or_else(|| path.trim_start_matches('/'))
        .strip_prefix(INTERNAL)
    {
        drop(snapshot);
        return match name {
            "livereload.js" => asset(LIVERELOAD_JS, name),
            "overlay.css" => asset(OVERLAY_CSS, name),
            "events" => events(shared),
            _ => (StatusCode::NOT_FOUND, "not found\n").into_response(),
        };
    }
    let Some(site) = snapshot.site.clone() else {
        return error_page(&base);
    };
    let Some(rel) = rel else {
        return if path == "/" || format!("{path}/") == base {
            redirect(&base, query)
        } else {
            not_found(&site, &base)
        };
    };
    let key = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    };
    if let Some(bytes) = site.get(&key) {
        return page(StatusCode::OK, bytes, &key, &base);
    }
    if !rel.is_empty() && site.contains_key(&format!("{rel}/index.html")) {
        return redirect(&format!("{base}{rel}/"), query);
    }
    not_found(&site, &base)
}

fn file(status: StatusCode, bytes: Bytes, path: &str) -> Response {
    let extension = path.rsplit_once('.').map_or("", |(_, e)| e);
    let mut response = (status, Body::from(bytes)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(extension)),
    );
    response
}

/// One of the server's own files, typed by its `name`.
fn asset(text: &'static str, name: &str) -> Response {
    file(StatusCode::OK, Bytes::from_static(text.as_bytes()), name)
}

/// A file of the site; an HTML page gets the live-reload script.
fn page(status: StatusCode, bytes: &Bytes, path: &str, base_path: &str) -> Response {
    if path.ends_with(".html") {
        let html = inject(bytes.to_vec(), &reload_tag(base_path));
        file(status, Bytes::from(html), path)
    } else {
        file(status, bytes.clone(), path)
    }
}

fn not_found(site: &HashMap<String, Bytes>, base_path: &str) -> Response {
    match site.get("404.html") {
        Some(bytes) => page(StatusCode::NOT_FOUND, bytes, "404.html", base_path),
        None => (StatusCode::NOT_FOUND, "not found\n").into_response(),
    }
}

fn redirect(to: &str, query: Option<&str>) -> Response {
    let location = match query {
        Some(q) => format!("{to}?{q}"),
        None => to.to_string(),
    };
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// What is served before any build succeeded: a page that reloads itself
/// once the site builds, and shows the errors meanwhile.
fn error_page(base: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>trede serve: the site does not build</title>\n</head>\n<body>\n\
         <h1>The site does not build yet</h1>\n\
         <p>The errors are in the terminal. This page reloads by itself once they are fixed.</p>\n\
         {}\n</body>\n</html>\n",
        reload_tag(base)
    );
    file(
        StatusCode::SERVICE_UNAVAILABLE,
        Bytes::from(html),
        "index.html",
    )
}

/// The event stream of a tab: `ready` with the current generation, the
/// current errors if the last build failed, then every `reload` and
/// `failed` as they happen.
fn events(shared: &Shared) -> Response {
    let Some(receiver) = shared.subscribe() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n").into_response();
    };
    let mut first = Vec::new();
    {
        let snapshot = read(&shared.snapshot);
        first.push(
            Event::default()
                .event("ready")
                .data(snapshot.generation.as_str()),
        );
        if let Some(failure) = &snapshot.failure {
            first.push(failed_event(failure));
        }
    }
    let later = futures_util::stream::unfold(receiver, |mut receiver| async move {
        let event = match receiver.recv().await {
            Ok(notice) => notice.event(),
            // Fell behind: whatever was missed, a reload catches up.
            Err(broadcast::error::RecvError::Lagged(_)) => {
                Event::default().event("reload").data("lagged")
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        Some((event, receiver))
    });
    let stream = futures_util::stream::iter(first)
        .chain(later)
        .map(Ok::<_, Infallible>);
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// Content type by file extension.
fn content_type(extension: &str) -> &'static str {
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "jsonld" => "application/ld+json",
        "xml" => "application/xml; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// Decodes `%XX` escapes of a URL path.
fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Opens `url` in the default browser, if one can be found.
fn open_browser(url: &str) {
    let candidates: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else if cfg!(windows) {
        &["explorer"]
    } else {
        &["xdg-open", "open"]
    };
    for program in candidates {
        let spawned = std::process::Command::new(program)
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if let Ok(mut child) = spawned {
            std::thread::spawn(move || child.wait());
            return;
        }
    }
}

/// Reloads the page after a good build; shows the errors of a failed one
/// in an overlay (text only), until the next good build.
const LIVERELOAD_JS: &str = r#"// trede serve: live reload. Served by `trede serve` only; never part of a build.
(function () {
  "use strict";
  var here = document.currentScript && document.currentScript.src;
  if (!here || typeof EventSource === "undefined") {
    return;
  }
  var generation = null;
  var overlay = null;

  function stylesheet() {
    if (document.getElementById("trede-overlay-css")) {
      return;
    }
    var link = document.createElement("link");
    link.id = "trede-overlay-css";
    link.rel = "stylesheet";
    link.href = new URL("overlay.css", here).href;
    document.head.appendChild(link);
  }

  function hide() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  function show(text) {
    stylesheet();
    if (!overlay) {
      overlay = document.createElement("section");
      overlay.id = "trede-overlay";
      overlay.setAttribute("role", "alert");
      var heading = document.createElement("h2");
      heading.textContent = "The site does not build: showing the last version that did.";
      var close = document.createElement("button");
      close.type = "button";
      close.textContent = "Close";
      close.addEventListener("click", hide);
      var errors = document.createElement("pre");
      overlay.appendChild(heading);
      overlay.appendChild(close);
      overlay.appendChild(errors);
      document.body.appendChild(overlay);
    }
    overlay.querySelector("pre").textContent = text;
  }

  var events = new EventSource(new URL("events", here).href);
  events.addEventListener("ready", function (event) {
    if (generation !== null && event.data !== generation) {
      location.reload();
      return;
    }
    generation = event.data;
  });
  events.addEventListener("reload", function () {
    hide();
    location.reload();
  });
  events.addEventListener("failed", function (event) {
    show(event.data);
  });
})();
"#;

/// The overlay's look (a stylesheet, because the policy allows no inline
/// styles).
const OVERLAY_CSS: &str = r#"/* trede serve: the build-error overlay. */
#trede-overlay {
  position: fixed;
  inset: auto 0 0 0;
  z-index: 2147483647;
  max-height: 60vh;
  overflow: auto;
  margin: 0;
  padding: 1rem 1.25rem;
  background: #1e1e1e;
  color: #f5f5f5;
  border-top: 4px solid #d32f2f;
  box-shadow: 0 -2px 12px rgba(0, 0, 0, 0.4);
  font: 14px/1.4 system-ui, sans-serif;
}
#trede-overlay h2 {
  display: inline-block;
  margin: 0 1rem 0.75rem 0;
  font-size: 1rem;
  color: #ff8a80;
}
#trede-overlay button {
  float: right;
  font: inherit;
  color: inherit;
  background: transparent;
  border: 1px solid #888;
  border-radius: 3px;
  padding: 0.1rem 0.6rem;
  cursor: pointer;
}
#trede-overlay pre {
  clear: both;
  margin: 0;
  white-space: pre-wrap;
  font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_goes_before_the_last_body_end() {
        let html = b"<html><body><p>x</p></BODY></html>".to_vec();
        let out = String::from_utf8(inject(html, "<s>")).unwrap();
        assert_eq!(out, "<html><body><p>x</p><s></BODY></html>");
        let out = String::from_utf8(inject(b"<p>no end".to_vec(), "<s>")).unwrap();
        assert_eq!(out, "<p>no end<s>");
    }

    #[test]
    fn only_inputs_are_relevant() {
        let root = Path::new("/site");
        assert!(relevant(root, Path::new("/site/site.toml")));
        assert!(relevant(
            root,
            Path::new("/site/content/organisations/a.toml")
        ));
        assert!(relevant(root, Path::new("/site/templates")));
        assert!(!relevant(root, Path::new("/site/public/index.html")));
        assert!(!relevant(root, Path::new("/site/README.md")));
        assert!(!relevant(root, Path::new("/site/content/.a.toml.swp")));
        assert!(!relevant(root, Path::new("/site/content/a.toml~")));
        assert!(!relevant(root, Path::new("/elsewhere/site.toml")));
    }

    #[test]
    fn paths_are_percent_decoded() {
        assert_eq!(percent_decode("/a%20b/%C3%A9"), "/a b/é");
        assert_eq!(percent_decode("/100%"), "/100%");
        assert_eq!(percent_decode("/%zz"), "/%zz");
    }

    #[test]
    fn unspecified_addresses_link_to_loopback() {
        assert_eq!(
            reachable("0.0.0.0".parse().unwrap()),
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        );
        assert_eq!(
            reachable("::".parse().unwrap()),
            IpAddr::V6(Ipv6Addr::LOCALHOST)
        );
        let lan: IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(reachable(lan), lan);
    }
}
