//! `trede check --external-links` against a small HTTP server on the
//! loopback address, started by each test: which links are reported, why,
//! from where, with which exit code, and that nothing is asked without the
//! flag.

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{DATE, Site, record};
use predicates::prelude::*;

/// What the test server saw.
#[derive(Default)]
struct Seen {
    /// "METHOD /path" -> number of requests.
    requests: Mutex<HashMap<String, usize>>,
    /// The User-Agent headers.
    agents: Mutex<Vec<String>>,
    /// Requests being answered right now, and the most at once.
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
}

impl Seen {
    fn count(&self, request: &str) -> usize {
        self.requests
            .lock()
            .unwrap()
            .get(request)
            .copied()
            .unwrap_or(0)
    }

    fn total(&self) -> usize {
        self.requests.lock().unwrap().values().sum()
    }
}

/// A test server on 127.0.0.1 with an ephemeral port: `/ok` 200, `/missing`
/// 404, `/no-head` 405 to HEAD and 200 to GET, `/redirect` 301 to `/ok`,
/// `/loop` redirects to itself, `/slow` answers after 3 s, `/pause/<n>`
/// answers 200 after 300 ms. One thread per connection.
struct Server {
    base: String,
    seen: Arc<Seen>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Seen::default());
        let shared = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let seen = shared.clone();
                std::thread::spawn(move || answer(stream, &seen));
            }
        });
        Server { base, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

fn answer(mut stream: TcpStream, seen: &Seen) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut words = head.split_whitespace();
    let (method, path) = (
        words.next().unwrap_or("").to_string(),
        words.next().unwrap_or("").to_string(),
    );
    if let Some(agent) = head.lines().find_map(|l| {
        l.strip_prefix("user-agent: ")
            .or(l.strip_prefix("User-Agent: "))
    }) {
        seen.agents.lock().unwrap().push(agent.to_string());
    }
    *seen
        .requests
        .lock()
        .unwrap()
        .entry(format!("{method} {path}"))
        .or_default() += 1;
    let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    seen.most_in_flight.fetch_max(now, Ordering::SeqCst);
    let (status, location) = match path.as_str() {
        "/ok" => ("200 OK", None),
        "/no-head" if method == "HEAD" => ("405 Method Not Allowed", None),
        "/no-head" => ("200 OK", None),
        "/redirect" => ("301 Moved Permanently", Some("/ok")),
        "/loop" => ("302 Found", Some("/loop")),
        "/slow" => {
            std::thread::sleep(Duration::from_secs(3));
            ("200 OK", None)
        }
        p if p.starts_with("/pause/") => {
            std::thread::sleep(Duration::from_millis(300));
            ("200 OK", None)
        }
        _ => ("404 Not Found", None),
    };
    seen.in_flight.fetch_sub(1, Ordering::SeqCst);
    let body = if method == "HEAD" { "" } else { "<p>hallo</p>" };
    let location = location.map_or(String::new(), |l| format!("Location: {l}\r\n"));
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\n{location}Content-Type: text/html\r\nContent-Length: 12\r\nConnection: close\r\n\r\n{body}"
    );
}

/// The test site with its organisations' websites on the test server
/// (`groen-twee`'s is gone), and `links` as the text of a page.
fn site(server: &Server, links: &str) -> Site {
    let site = Site::new();
    for (id, name, kvk, number, website) in [
        ("groen-een", "Groen Een", "12345678", "PSO-1", "/ok"),
        ("groen-twee", "Groen Twee", "12345679", "PSO-2", "/gone"),
    ] {
        site.write(
            &format!("content/organisations/{id}.toml"),
            &record(name, kvk, number).replace("https://example.org", &server.url(website)),
        );
    }
    site.write("content/uitleg/_index.md", "+++\ntitle = \"Uitleg\"\n+++\n");
    site.write(
        "content/uitleg/links.md",
        &format!("+++\ntitle = \"Links\"\n+++\n{links}\n"),
    );
    site
}

/// `trede check` on the site. The theme links outside too (the open data
/// licence): every request that is not for the loopback address goes to a
/// proxy address where nothing listens, so that no test ever leaves this
/// machine; those links fail and are left out of the assertions.
fn check(site: &Site, args: &[&str]) -> assert_cmd::assert::Assert {
    let nowhere = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let mut cmd = assert_cmd::Command::cargo_bin("trede").unwrap();
    cmd.args(["check", "--date", DATE])
        .args(args)
        .arg("--root")
        .arg(site.root())
        .env_remove("SOURCE_DATE_EPOCH");
    for proxy in [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "no_proxy",
    ] {
        cmd.env_remove(proxy);
    }
    cmd.env("ALL_PROXY", &nowhere)
        .env("all_proxy", &nowhere)
        .env("NO_PROXY", "127.0.0.1");
    cmd.assert()
}

/// The broken-link warnings about the test server's URLs, by URL path.
fn reported(stderr: &str, server: &Server) -> Vec<String> {
    let prefix = format!("broken external link `{}", server.base);
    let mut paths: Vec<String> = stderr
        .lines()
        .filter_map(|l| l.split_once(&prefix))
        .map(|(_, rest)| rest.split('`').next().unwrap_or("").to_string())
        .collect();
    paths.sort();
    paths
}

#[test]
fn reports_broken_external_links_with_their_pages_and_reasons() {
    let server = Server::start();
    let refused = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/", listener.local_addr().unwrap())
    };
    let links = format!(
        "[ok]({ok}) [ok again]({ok}#top) [missing]({missing}) [no head]({no_head}) \
         [redirect]({redirect}) [slow]({slow}) [loop]({loop_}) [refused]({refused})\n\n\
         [missing again]({missing})",
        ok = server.url("/ok"),
        missing = server.url("/missing"),
        no_head = server.url("/no-head"),
        redirect = server.url("/redirect"),
        slow = server.url("/slow"),
        loop_ = server.url("/loop"),
    );
    let site = site(&server, &links);
    site.write(
        "content/uitleg/meer.md",
        &format!(
            "+++\ntitle = \"Meer\"\n+++\n[weg]({})\n",
            server.url("/missing")
        ),
    );

    // Without the flag: no request at all.
    check(&site, &[]).success();
    assert_eq!(
        server.seen.total(),
        0,
        "check without --external-links asked the server"
    );

    let run = check(&site, &["--external-links", "--external-timeout", "1"]).success();
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    let broken =
        |path: &str, reason: &str| format!("broken external link `{}`: {reason}", server.url(path));
    for expected in [
        broken("/missing", "HTTP 404 Not Found"),
        broken("/slow", "no answer within 1 s (time-out)"),
        broken("/loop", "more than 5 redirects"),
        broken("/gone", "HTTP 404 Not Found"),
        format!("broken external link `{refused}`: connection refused"),
        // Both pages that link to /missing, by source file.
        "linked from 2 pages: content/uitleg/links.md (uitleg/links/index.html), content/uitleg/meer.md (uitleg/meer/index.html)".into(),
        // The record whose website is gone, by file, line and key.
        "content/organisations/groen-twee.toml:6:12".into(),
        "key: website".into(),
    ] {
        assert!(stderr.contains(&expected), "missing {expected:?} in:\n{stderr}");
    }
    // Those, and not the good ones (`/ok`, `/no-head`, `/redirect`).
    assert_eq!(
        reported(&stderr, &server),
        ["/gone", "/loop", "/missing", "/slow"],
        "{stderr}"
    );
    assert!(stderr.contains("0 error(s)"), "{stderr}");
    assert!(stderr.contains("warning: broken external link"), "{stderr}");

    // Each URL asked once; GET only after HEAD got an error status.
    let seen = &server.seen;
    // The page's link and groen-een's website are one URL: asked once, and
    // once more as the redirect's target.
    assert_eq!(seen.count("HEAD /ok"), 2);
    assert_eq!(seen.count("GET /ok"), 0);
    assert_eq!(seen.count("HEAD /missing"), 1);
    assert_eq!(seen.count("GET /missing"), 1);
    assert_eq!(seen.count("HEAD /no-head"), 1);
    assert_eq!(seen.count("GET /no-head"), 1);
    assert_eq!(seen.count("HEAD /redirect"), 1);
    assert_eq!(seen.count("HEAD /slow"), 1);
    assert_eq!(seen.count("GET /slow"), 0);
    let agents = seen.agents.lock().unwrap().clone();
    assert!(
        !agents.is_empty() && agents.iter().all(|a| a.starts_with("trede/")),
        "{agents:?}"
    );

    // Under --strict they are errors, and the JSON output has them.
    let run = check(
        &site,
        &[
            "--external-links",
            "--external-timeout",
            "1",
            "--strict",
            "--format",
            "json",
        ],
    )
    .code(1);
    let json: serde_json::Value = serde_json::from_slice(&run.get_output().stdout).unwrap();
    let diagnostics = json["diagnostics"].as_array().unwrap();
    let missing = diagnostics
        .iter()
        .find(|d| d["message"] == broken("/missing", "HTTP 404 Not Found"))
        .expect("the 404 is in the JSON diagnostics");
    assert_eq!(missing["severity"], "warning");
    assert_eq!(missing["file"], "content/uitleg/links.md");
    let gone = diagnostics
        .iter()
        .find(|d| d["message"] == broken("/gone", "HTTP 404 Not Found"))
        .unwrap();
    assert_eq!(gone["file"], "content/organisations/groen-twee.toml");
    assert_eq!(gone["key"], "website");
    assert_eq!(gone["line"], 6);
}

#[test]
fn all_good_external_links_pass_and_concurrency_is_bounded() {
    let server = Server::start();
    let links: Vec<String> = (0..8)
        .map(|i| format!("[{i}]({})", server.url(&format!("/pause/{i}"))))
        .collect();
    let site = site(&server, &links.join(" "));
    site.write(
        "content/organisations/groen-twee.toml",
        &record("Groen Twee", "12345679", "PSO-2")
            .replace("https://example.org", &server.url("/ok")),
    );
    let run = check(&site, &["--external-links", "--external-concurrency", "2"]).success();
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    assert!(reported(&stderr, &server).is_empty(), "{stderr}");
    assert!(stderr.contains("0 error(s)"), "{stderr}");
    assert_eq!(
        server.seen.count("HEAD /ok"),
        1,
        "two websites, one URL, one request"
    );
    let most = server.seen.most_in_flight.load(Ordering::SeqCst);
    assert!(
        (1..=2).contains(&most),
        "{most} requests at once with --external-concurrency 2"
    );
    // The default lets more run at once.
    server.seen.most_in_flight.store(0, Ordering::SeqCst);
    check(&site, &["--external-links"]).success();
    let most = server.seen.most_in_flight.load(Ordering::SeqCst);
    assert!(most > 2, "only {most} request(s) at once by default");
}

#[test]
fn external_options_need_the_flag_and_sane_values() {
    let site = Site::new();
    check(&site, &["--external-timeout", "5"])
        .code(2)
        .stderr(predicate::str::contains("--external-links"));
    check(&site, &["--external-links", "--external-timeout", "0"])
        .code(2)
        .stderr(predicate::str::contains("not a number of seconds"));
    check(&site, &["--external-links", "--external-concurrency", "0"]).code(2);
}
