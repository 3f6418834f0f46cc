//! `trede serve`: real HTTP on 127.0.0.1 with an ephemeral port, a small
//! hand-rolled HTTP and server-sent-events client, and bounded waits
//! everywhere so that a broken server fails the test instead of hanging it.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{Site, record};
use trede::build;
use trede::serve::{self, ServeOptions, Server};

/// How long a rebuild may take to show up.
const WAIT: Duration = Duration::from_secs(10);

fn options(site: &Site) -> ServeOptions {
    let mut options = ServeOptions::new(common::build_options(site));
    options.port = 0;
    options.quiet = true;
    options
}

fn start(site: &Site) -> Server {
    serve::start(options(site)).expect("the server starts")
}

/// Stops the server, failing the test if that takes too long.
fn stop(server: Server) {
    let (done_tx, done_rx) = mpsc::channel();
    std::thread::spawn(move || {
        server.stop();
        let _ = done_tx.send(());
    });
    done_rx
        .recv_timeout(WAIT)
        .expect("the server stops within the time limit");
}

/// One HTTP response.
#[derive(Debug)]
struct Http {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Http {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn connect(addr: SocketAddr, path: &str, accept: &str) -> TcpStream {
    let mut stream = TcpStream::connect_timeout(&addr, WAIT).expect("connects");
    stream.set_write_timeout(Some(WAIT)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: {accept}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    stream
}

fn get(addr: SocketAddr, path: &str) -> Http {
    let mut stream = connect(addr, path, "*/*");
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("reads the response");
    let end = find(&raw, b"\r\n\r\n").expect("a complete response head");
    let (status, headers) = parse_head(&raw[..end]);
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        let mut decoded = Vec::new();
        dechunk(&mut body, &mut decoded);
        body = decoded;
    }
    Http {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse_head(head: &[u8]) -> (u16, Vec<(String, String)>) {
    let head = String::from_utf8_lossy(head);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    (status, headers)
}

/// Moves every complete chunk of `raw` into `out`.
fn dechunk(raw: &mut Vec<u8>, out: &mut Vec<u8>) {
    loop {
        let Some(line_end) = find(raw, b"\r\n") else {
            return;
        };
        let size_text = String::from_utf8_lossy(&raw[..line_end]).into_owned();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16)
            .expect("a chunk size");
        let total = line_end + 2 + size + 2;
        if raw.len() < total {
            return;
        }
        out.extend_from_slice(&raw[line_end + 2..line_end + 2 + size]);
        raw.drain(..total);
        if size == 0 {
            return;
        }
    }
}

/// A server-sent-events client over a plain TCP stream.
struct Events {
    stream: TcpStream,
    raw: Vec<u8>,
    head_done: bool,
    text: String,
}

impl Events {
    fn open(addr: SocketAddr, path: &str) -> Events {
        let stream = connect(addr, path, "text/event-stream");
        stream
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        Events {
            stream,
            raw: Vec::new(),
            head_done: false,
            text: String::new(),
        }
    }

    /// The next event (name, data) before `deadline`, if any.
    fn next(&mut self, deadline: Instant) -> Option<(String, String)> {
        loop {
            while let Some(end) = self.text.find("\n\n") {
                let block: String = self.text.drain(..end + 2).collect();
                let mut name = String::new();
                let mut data = Vec::new();
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("event:") {
                        name = value.trim_start().to_string();
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push(value.strip_prefix(' ').unwrap_or(value).to_string());
                    }
                }
                if !name.is_empty() || !data.is_empty() {
                    return Some((name, data.join("\n")));
                }
            }
            if Instant::now() >= deadline {
                return None;
            }
            let mut buffer = [0u8; 8192];
            match self.stream.read(&mut buffer) {
                Ok(0) => return None,
                Ok(n) => self.raw.extend_from_slice(&buffer[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    continue;
                }
                Err(e) => panic!("reading the event stream: {e}"),
            }
            if !self.head_done {
                let Some(end) = find(&self.raw, b"\r\n\r\n") else {
                    continue;
                };
                let (status, headers) = parse_head(&self.raw[..end]);
                assert_eq!(status, 200, "the event stream opens");
                let content_type = headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                assert!(
                    content_type.starts_with("text/event-stream"),
                    "{content_type}"
                );
                self.raw.drain(..end + 4);
                self.head_done = true;
            }
            let mut decoded = Vec::new();
            dechunk(&mut self.raw, &mut decoded);
            self.text
                .push_str(&String::from_utf8_lossy(&decoded).replace("\r\n", "\n"));
        }
    }

    /// Waits for an event named `name`, skipping others; returns its data.
    fn expect(&mut self, name: &str) -> String {
        let deadline = Instant::now() + WAIT;
        let mut seen = Vec::new();
        while let Some((event, data)) = self.next(deadline) {
            if event == name {
                return data;
            }
            seen.push(event);
        }
        panic!("no `{name}` event within {WAIT:?}; saw {seen:?}");
    }
}

/// Fetches `path` until `check` holds, for at most [`WAIT`].
fn eventually(addr: SocketAddr, path: &str, check: impl Fn(&Http) -> bool) -> Http {
    let deadline = Instant::now() + WAIT;
    loop {
        let response = get(addr, path);
        if check(&response) {
            return response;
        }
        if Instant::now() >= deadline {
            panic!("{path} never became as expected; last response: {response:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn livereload_tag(base: &str) -> String {
    format!("<script src=\"{base}__trede/livereload.js\" defer></script>")
}

#[test]
fn serves_the_site_from_memory_under_the_base_path() {
    let site = Site::new();
    site.write(
        "site.toml",
        "title = \"Testregister\"\nbase_url = \"https://example.org/reg/\"\n",
    );
    let server = start(&site);
    let addr = server.addr;
    assert!(addr.ip().is_loopback());
    assert_eq!(server.url, format!("http://{addr}/reg/"));

    let root = get(addr, "/");
    assert_eq!(root.status, 302);
    assert_eq!(root.header("location"), Some("/reg/"));
    assert_eq!(get(addr, "/reg").header("location"), Some("/reg/"));

    let home = get(addr, "/reg/");
    assert_eq!(home.status, 200, "{home:?}");
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(home.body.contains("Testregister"));
    assert!(
        home.body.contains(&livereload_tag("/reg/")),
        "{}",
        home.body
    );
    assert!(
        home.body.contains(&format!("http://{addr}/reg/")),
        "absolute links point at the server"
    );
    assert!(
        home.header("content-security-policy")
            .unwrap()
            .contains("script-src 'self'")
    );
    assert_eq!(home.header("x-content-type-options"), Some("nosniff"));

    let page = get(addr, "/reg/organisaties/groen-een/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Groen Een"));
    let bare = get(addr, "/reg/organisaties/groen-een");
    assert_eq!(bare.status, 302);
    assert_eq!(
        bare.header("location"),
        Some("/reg/organisaties/groen-een/")
    );

    for missing in [
        "/reg/bestaat-niet/",
        "/elders/",
        "/reg/organisaties/geen/badge.svg",
    ] {
        let response = get(addr, missing);
        assert_eq!(response.status, 404, "{missing}");
        assert!(
            response.body.contains("<html"),
            "the site's 404 page: {missing}"
        );
        assert!(response.body.contains(&livereload_tag("/reg/")));
    }

    for (path, content_type) in [
        ("/reg/data/registry.json", "application/json"),
        ("/reg/data/registry.csv", "text/csv; charset=utf-8"),
        (
            "/reg/data/registry.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("/reg/organisaties/groen-een/badge.svg", "image/svg+xml"),
        ("/reg/feeds/register.xml", "application/xml; charset=utf-8"),
        ("/reg/robots.txt", "text/plain; charset=utf-8"),
        (
            "/reg/__trede/livereload.js",
            "text/javascript; charset=utf-8",
        ),
        ("/reg/__trede/overlay.css", "text/css; charset=utf-8"),
    ] {
        let response = get(addr, path);
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(
            response.header("content-type"),
            Some(content_type),
            "{path}"
        );
    }
    let script = get(addr, "/reg/__trede/livereload.js").body;
    assert!(script.contains("EventSource") && script.contains("textContent"));
    assert!(!script.contains("innerHTML"));

    // Nothing was written, and a normal build has no live reload.
    assert!(!site.public().exists());
    let report = build::run(&options(&site).build, false);
    assert!(!report.failed(false));
    assert!(
        report
            .files
            .iter()
            .all(|f| !String::from_utf8_lossy(&f.contents).contains("__trede"))
    );
    stop(server);
}

#[test]
fn rebuilds_on_change_and_reloads_open_tabs() {
    let site = Site::new();
    let server = start(&site);
    let addr = server.addr;
    let page = "/organisaties/groen-een/";
    let mut events = Events::open(addr, "/__trede/events");
    events.expect("ready");

    // A record changes: the tab reloads and sees the new name.
    site.write(
        "content/organisations/groen-een.toml",
        &record("Groen Een Hernoemd", "12345678", "PSO-1"),
    );
    events.expect("reload");
    eventually(addr, page, |r| {
        r.status == 200 && r.body.contains("Groen Een Hernoemd")
    });

    // A template appears in a folder that did not exist when serving began.
    let template = |marker: &str| {
        format!(
            "{{% extends \"base.html\" %}}\n{{% block content %}}<h1>{marker}</h1>{{% endblock content %}}\n"
        )
    };
    site.write("templates/404.html", &template("Eigen pagina een"));
    events.expect("reload");
    eventually(addr, "/bestaat-niet/", |r| {
        r.status == 404 && r.body.contains("Eigen pagina een")
    });
    // ... and is watched from then on.
    site.write("templates/404.html", &template("Eigen pagina twee"));
    events.expect("reload");
    eventually(addr, "/bestaat-niet/", |r| {
        r.status == 404 && r.body.contains("Eigen pagina twee")
    });

    // A broken record: the tab hears what is wrong; the last good site stays.
    site.write(
        "content/organisations/groen-een.toml",
        "name = \"Groen Een\nkvk = \"12345678\"\n",
    );
    let errors = events.expect("failed");
    assert!(errors.contains("groen-een.toml"), "{errors}");
    assert!(errors.contains("error"), "{errors}");
    let still = get(addr, page);
    assert_eq!(still.status, 200);
    assert!(still.body.contains("Groen Een Hernoemd"));
    // A tab opened now is told about the errors at once.
    let mut late = Events::open(addr, "/__trede/events");
    late.expect("ready");
    assert!(late.expect("failed").contains("groen-een.toml"));

    // Fixed: every tab reloads, and the page is back.
    site.write(
        "content/organisations/groen-een.toml",
        &record("Groen Een Hersteld", "12345678", "PSO-1"),
    );
    events.expect("reload");
    late.expect("reload");
    eventually(addr, page, |r| {
        r.status == 200 && r.body.contains("Groen Een Hersteld")
    });
    stop(server);
}

#[test]
fn a_site_that_never_built_recovers_by_itself() {
    let site = Site::new();
    site.write("content/organisations/groen-twee.toml", "name = [\n");
    let server = start(&site);
    let addr = server.addr;
    let waiting = get(addr, "/");
    assert_eq!(waiting.status, 503);
    assert!(waiting.body.contains(&livereload_tag("/")));
    let mut events = Events::open(addr, "/__trede/events");
    events.expect("ready");
    assert!(events.expect("failed").contains("groen-twee.toml"));

    site.write(
        "content/organisations/groen-twee.toml",
        &record("Groen Twee", "12345679", "PSO-2"),
    );
    events.expect("reload");
    eventually(addr, "/organisaties/groen-twee/", |r| {
        r.status == 200 && r.body.contains("Groen Twee")
    });
    stop(server);
}

#[test]
fn a_taken_port_moves_on_to_the_next_free_one() {
    let site = Site::new();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    if port > u16::MAX - 20 {
        return; // no room above it to move to
    }
    let mut options = options(&site);
    options.port = port;
    let server = serve::start(options).expect("the server starts on another port");
    assert_ne!(server.addr.port(), port);
    assert!(server.addr.port() > port && server.addr.port() < port + 20);
    assert_eq!(get(server.addr, "/").status, 200);
    stop(server);
}

#[test]
fn only_get_and_head_are_answered() {
    let site = Site::new();
    let server = start(&site);
    let mut stream = TcpStream::connect_timeout(&server.addr, WAIT).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        server.addr
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    assert!(raw.starts_with("HTTP/1.1 405"), "{raw}");
    stop(server);
}
