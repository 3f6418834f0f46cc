//! The example site tested as people use it: built with a sub-path base URL,
//! served over HTTP with the production Content-Security-Policy, and driven
//! in headless Chromium through chromedriver (fantoccini).
//!
//! Every page kind is opened and checked for what a person looks at (the
//! level and status shown, links that lead where they say), for console
//! errors (script errors, CSP violations, failed requests) and for requests
//! that fail or leave the site. The search and screening flows are typed in
//! as a person would; keyboard use, WCAG 2.1 AA (axe-core), pages without
//! JavaScript and screenshots at desktop and mobile width each have a test.
//!
//! Needs Chromium and ChromeDriver (`apt-get install chromium
//! chromium-driver`) and, for the accessibility test, axe-core (`npm install
//! --prefix target/axe --no-save axe-core@4.14.1`). Without them the tests are
//! skipped with these instructions, except under `CI=true`, where they fail.
//! Screenshots go to `target/screenshots/`.

mod common;
#[macro_use]
#[path = "browser/harness.rs"]
mod harness;

use std::collections::BTreeSet;
use std::time::Duration;

use fantoccini::key::Key;
use harness::{Browser, Check, Driver, Report, SessionOptions};
use serde_json::{Value, json};

/// Organisations in every certificate status: (id, name, level, status).
const ORGANISATIONS: [(&str, &str, &str, &str); 5] = [
    (
        "facilitair-bedrijf-de-brug",
        "Facilitair Bedrijf De Brug",
        "Trede 2",
        "Geldig",
    ),
    (
        "cateringgroep-de-gouden-lepel",
        "Cateringgroep De Gouden Lepel",
        "Trede 1",
        "Verloopt binnenkort",
    ),
    (
        "fietsherstel-de-spaak",
        "Fietsherstel De Spaak",
        "Trede 2",
        "Verlopen",
    ),
    (
        "thuiszorg-naoberzorg",
        "Thuiszorg Naoberzorg",
        "Trede 1",
        "Geschorst",
    ),
    (
        "verhuisbedrijf-van-der-veen",
        "Verhuisbedrijf Van der Veen",
        "Trede 1",
        "Ingetrokken",
    ),
];

/// One page of each kind, for the accessibility and console checks.
const PAGE_KINDS: [(&str, &str); 21] = [
    ("home", ""),
    ("register", "register/"),
    ("browse per level", "register/trede/trede-2/"),
    ("browse level or higher", "register/trede/trede-1/en-hoger/"),
    ("browse per province", "register/provincie/fryslan/"),
    ("browse per sector", "register/sector/schoonmaak/"),
    ("browse not valid", "register/niet-geldig/"),
    (
        "organisation, valid",
        "organisaties/facilitair-bedrijf-de-brug/",
    ),
    (
        "organisation, expiring",
        "organisaties/cateringgroep-de-gouden-lepel/",
    ),
    (
        "organisation, expired",
        "organisaties/fietsherstel-de-spaak/",
    ),
    (
        "organisation, suspended",
        "organisaties/thuiszorg-naoberzorg/",
    ),
    (
        "organisation, withdrawn",
        "organisaties/verhuisbedrijf-van-der-veen/",
    ),
    ("method", "methode/"),
    ("statistics", "statistiek/"),
    ("explainer", "uitleg/ladder/"),
    ("blog post", "blog/register-online/"),
    ("open data", "open-data/"),
    ("accessibility statement", "toegankelijkheid/"),
    ("search", "zoeken/"),
    ("screening", "leveranciers-controleren/"),
    ("404 page", "deze-pagina-bestaat-niet/"),
];

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Starts chromedriver and a session, runs `body`, closes the session, and
/// fails with the report. Skips (or fails under CI) without a browser.
macro_rules! with_browser {
    ($what:expr, $options:expr, |$b:ident, $report:ident| $body:block) => {{
        let Some(tools) = harness::tools() else {
            return;
        };
        harness::served();
        runtime().block_on(async {
            let (driver, $b) = Driver::start_session(&tools, $options)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let mut $report = Report::new();
            {
                let $b = &$b;
                let $report = &mut $report;
                $body
            }
            $b.close().await;
            drop(driver);
            $report.finish($what);
        });
    }};
}

// ---- Helpers on top of the harness. ----

/// Clicks the element and waits until another page has loaded.
async fn click_and_follow(b: &Browser, css: &str) -> Check {
    let before = b.location().await?;
    let element = b.find(css).await?;
    element
        .click()
        .await
        .map_err(|e| format!("clicking `{css}` on {before}: {e}"))?;
    b.wait_for(
        &format!("a new page after clicking `{css}` on {before}"),
        &format!(
            "location.href !== {} && document.readyState === 'complete'",
            json!(b.served.url(&before))
        ),
    )
    .await
}

/// Clicks the link with exactly this text and waits for the new page.
async fn follow_link(b: &Browser, scope: &str, text: &str) -> Check {
    let found = b
        .js_with(
            "const links = Array.from(document.querySelectorAll(arguments[0] + ' a'));\
             const link = links.find(a => a.textContent.trim() === arguments[1]);\
             if (!link) return false; link.setAttribute('data-follow', '1'); return true;",
            vec![json!(scope), json!(text)],
        )
        .await?;
    ensure!(
        found == json!(true),
        "no link `{text}` in `{scope}` on {}",
        b.location().await?
    );
    click_and_follow(b, "a[data-follow]").await
}

/// Every same-site link, stylesheet, script and image of the page answers
/// 200, and every `#fragment` link on the page has its target.
async fn links_resolve(b: &Browser) -> Check {
    let broken = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             const origin = location.origin + '/';\
             const here = location.href.split('#')[0];\
             const abs = e => { const v = e.href !== undefined ? e.href : e.src;\
               return typeof v === 'string' ? v : new URL(v.baseVal, location.href).href; };\
             const missing = [];\
             document.querySelectorAll('a[href]').forEach(a => {\
               const url = abs(a).split('#');\
               if (url[0] === here && url[1] && !document.getElementById(decodeURIComponent(url[1])))\
                 missing.push(a.getAttribute('href') + ' (no such id on the page)');\
             });\
             const urls = [...new Set(Array.from(\
               document.querySelectorAll('a[href], link[href], script[src], img[src]'),\
               e => abs(e).split('#')[0]).filter(u => u.startsWith(origin)))];\
             Promise.all(urls.map(u => fetch(u, { method: 'HEAD' })\
               .then(r => r.ok ? null : u + ' (' + r.status + ')', e => u + ' (' + e + ')')))\
             .then(r => done(missing.concat(r.filter(Boolean))));",
            vec![],
        )
        .await
        .map_err(|e| format!("checking links: {e}"))?;
    let broken: Vec<String> = broken
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect();
    // A failed fetch is also a console error; drop it so the next page
    // does not get the blame.
    b.take_log().await?;
    ensure!(
        broken.is_empty(),
        "broken links on {}:\n{}",
        b.here().await,
        broken.join("\n")
    );
    Ok(())
}

/// Every image of the page has loaded.
async fn images_load(b: &Browser) -> Check {
    let broken = b
        .js(
            "return Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)\
             .map(i => i.getAttribute('src'));",
        )
        .await?;
    ensure!(
        broken.as_array().is_none_or(Vec::is_empty),
        "images that did not load: {broken}"
    );
    Ok(())
}

/// Every form control has a label of its own (a `<label>`, perhaps
/// visually hidden, or an ARIA name). axe-core also accepts a placeholder,
/// which disappears as soon as a person types.
async fn controls_are_labelled(b: &Browser) -> Check {
    let unlabelled = b
        .js(
            "return Array.from(document.querySelectorAll('input, select, textarea'))\
             .filter(e => !['hidden', 'submit', 'button', 'reset'].includes(e.type))\
             .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') \
               && !e.getAttribute('aria-labelledby'))\
             .map(e => e.outerHTML.slice(0, 120));",
        )
        .await?;
    ensure!(
        unlabelled.as_array().is_none_or(Vec::is_empty),
        "form controls without a <label> on {}: {unlabelled}",
        b.here().await
    );
    Ok(())
}

/// The page is clean (console, requests, images), its form controls are
/// labelled and its links work.
async fn sound(b: &Browser) -> Check {
    images_load(b).await?;
    controls_are_labelled(b).await?;
    b.page_is_clean(false).await?;
    links_resolve(b).await
}

/// Rows of a register table: (name, level, status).
async fn table_rows(b: &Browser) -> Result<Vec<(String, String, String)>, String> {
    let rows = b
        .js(
            "return Array.from(document.querySelectorAll('table.orgs tbody tr'), tr => [\
               tr.querySelector('th').textContent.trim(),\
               tr.querySelector('[class^=level-]').textContent.trim(),\
               tr.querySelector('[class^=status-]').textContent.trim()]);",
        )
        .await?;
    Ok(rows
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                r[0].as_str().unwrap_or_default().to_string(),
                r[1].as_str().unwrap_or_default().to_string(),
                r[2].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect())
}

async fn heading(b: &Browser) -> Result<String, String> {
    b.text("h1").await
}

// ---- Pages. ----

async fn home(b: &Browser) -> Check {
    b.open("").await?;
    ensure!(heading(b).await? == "PSO-register", "home h1");
    let title = b.client.title().await.map_err(|e| e.to_string())?;
    ensure!(title.contains("PSO-register"), "home title `{title}`");
    sound(b).await?;
    // The ladder counts lead to the level's list with that many rows.
    let count: usize = b
        .text(".ladder-counts .level-trede-3 .rung-count")
        .await?
        .parse()
        .map_err(|e| format!("trede 3 count: {e}"))?;
    click_and_follow(b, ".ladder-counts .level-trede-3 a").await?;
    ensure!(
        b.location().await? == "register/trede/trede-3/",
        "the trede 3 rung leads to {}",
        b.location().await?
    );
    let rows = table_rows(b).await?;
    ensure!(
        rows.len() == count && rows.iter().all(|r| r.1 == "Trede 3"),
        "home says {count} at trede 3; the list has {rows:?}"
    );
    b.page_is_clean(false).await
}

async fn register(b: &Browser) -> Check {
    b.open("register/").await?;
    ensure!(heading(b).await? == "Register", "register h1");
    let rows = table_rows(b).await?;
    ensure!(rows.len() >= 30, "the register lists {} rows", rows.len());
    let statuses: BTreeSet<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    ensure!(
        statuses
            .iter()
            .all(|s| *s == "Geldig" || *s == "Verloopt binnenkort"),
        "the register shows only valid and expiring certificates, not {statuses:?}"
    );
    let mut names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let listed = names.clone();
    names.sort_by_key(|n| n.to_lowercase());
    ensure!(names == listed, "the register is sorted by name");
    sound(b).await?;
    // A person clicks an organisation and lands on its page.
    follow_link(b, "table.orgs", "Facilitair Bedrijf De Brug").await?;
    ensure!(
        b.location().await? == "organisaties/facilitair-bedrijf-de-brug/",
        "the register link leads to {}",
        b.location().await?
    );
    ensure!(
        heading(b).await? == "Facilitair Bedrijf De Brug",
        "organisation h1"
    );
    b.page_is_clean(false).await
}

async fn browse_level(b: &Browser) -> Check {
    b.open("register/trede/trede-2/").await?;
    let rows = table_rows(b).await?;
    ensure!(!rows.is_empty(), "no rows at trede 2");
    ensure!(
        rows.iter().all(|r| r.1 == "Trede 2"),
        "trede 2 lists other levels: {rows:?}"
    );
    sound(b).await
}

async fn browse_or_higher(b: &Browser) -> Check {
    b.open("register/trede/trede-1/en-hoger/").await?;
    // The lists of trede 3, 2 and 1, highest first, their counts adding up
    // to the page's.
    let segments = b
        .js(
            "return Array.from(document.querySelectorAll('ol.segments li'), li => [\
               li.querySelector('a').textContent.trim(),\
               parseInt(li.textContent.match(/\\((\\d+)\\)/)[1], 10)]);",
        )
        .await?;
    let segments: Vec<(String, usize)> = serde_json::from_value(segments).unwrap_or_default();
    let names: Vec<&str> = segments.iter().map(|s| s.0.as_str()).collect();
    ensure!(
        names == ["Trede 3", "Trede 2", "Trede 1"],
        "trede 1 en hoger leads to {names:?}"
    );
    let total: usize = segments.iter().map(|s| s.1).sum();
    let page = b.text("main").await?;
    ensure!(
        page.contains(&format!("{total} organisaties")),
        "trede 1 en hoger does not count {total}: {page}"
    );
    sound(b).await?;
    follow_link(b, "ol.segments", "Trede 2").await?;
    let rows = table_rows(b).await?;
    ensure!(
        rows.len() == segments[1].1 && rows.iter().all(|r| r.1 == "Trede 2"),
        "the trede 2 list has {} rows, not {}: {rows:?}",
        rows.len(),
        segments[1].1
    );
    Ok(())
}

async fn browse_province(b: &Browser) -> Check {
    b.open("register/provincie/fryslan/").await?;
    ensure!(
        heading(b).await?.contains("Fryslân"),
        "province h1: {}",
        heading(b).await?
    );
    let names: Vec<String> = table_rows(b).await?.into_iter().map(|r| r.0).collect();
    for expected in [
        "Recyclingcentrum Fryslân",
        "Koffiebranderij & Café De Zwaluw",
        "Zorgboerderij De Vlinderhoeve",
    ] {
        ensure!(
            names.iter().any(|n| n == expected),
            "Fryslân lacks {expected}: {names:?}"
        );
    }
    sound(b).await?;
    follow_link(b, "table.orgs", "Recyclingcentrum Fryslân").await?;
    ensure!(
        b.location().await? == "organisaties/recyclingcentrum-fryslan/",
        "lands on {}",
        b.location().await?
    );
    Ok(())
}

async fn browse_sector(b: &Browser) -> Check {
    b.open("register/sector/schoonmaak/").await?;
    let names: Vec<String> = table_rows(b).await?.into_iter().map(|r| r.0).collect();
    ensure!(
        names.iter().any(|n| n == "Schoonmaakbedrijf De Ster B.V."),
        "schoonmaak lacks De Ster: {names:?}"
    );
    sound(b).await
}

async fn browse_letter(b: &Browser) -> Check {
    b.open("register/").await?;
    follow_link(b, "ul.letters", "S").await?;
    let location = b.location().await?;
    ensure!(
        location.ends_with("#letter-s"),
        "the letter S leads to {location}"
    );
    // From the row it lands on, the names begin with S, and the row
    // before it (on this page) does not.
    let names = b
        .js("const rows = Array.from(document.querySelectorAll('table.orgs tbody tr'));\
             const at = rows.findIndex(tr => tr.id === 'letter-s');\
             return rows.slice(Math.max(at - 1, 0)).map(tr => tr.querySelector('th').textContent.trim()).concat([at]);")
        .await?;
    let names: Vec<Value> = serde_json::from_value(names).unwrap_or_default();
    let at = names.last().and_then(Value::as_i64).unwrap_or(-1);
    ensure!(at >= 0, "no row with id letter-s on {location}");
    let names: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
    let from = usize::from(at > 0);
    ensure!(
        names.len() > from && names[from].starts_with('S'),
        "the first row under S: {names:?}"
    );
    ensure!(
        at == 0 || !names[0].starts_with('S'),
        "S begins before its anchor: {names:?}"
    );
    sound(b).await
}

async fn browse_not_valid(b: &Browser) -> Check {
    b.open("register/niet-geldig/").await?;
    let rows = table_rows(b).await?;
    let statuses: BTreeSet<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    ensure!(
        statuses == BTreeSet::from(["Geschorst", "Ingetrokken", "Verlopen"]),
        "niet-geldig shows statuses {statuses:?}"
    );
    for (_, name, _, status) in &ORGANISATIONS[2..] {
        ensure!(
            rows.iter().any(|r| r.0 == *name && r.2 == *status),
            "niet-geldig lacks {name} ({status})"
        );
    }
    sound(b).await
}

async fn organisation(b: &Browser, id: &str, name: &str, level: &str, status: &str) -> Check {
    b.open(&format!("organisaties/{id}/")).await?;
    ensure!(heading(b).await? == name, "h1 is not {name}");
    let shown = b.text(".level-big .level").await?;
    ensure!(
        shown == level,
        "{id}: level shown `{shown}`, expected {level}"
    );
    let shown = b.text(".status-big strong").await?;
    ensure!(
        shown == status,
        "{id}: status shown `{shown}`, expected {status}"
    );
    let headings = b.texts("h2").await?;
    ensure!(
        headings.iter().any(|h| h == "Waarom deze trede?"),
        "{id}: no \"Waarom deze trede?\" section: {headings:?}"
    );
    // A certificate that does not hold says so in a visible alert.
    let alerts = b
        .js(
            "return Array.from(document.querySelectorAll('[role=alert]'))\
             .filter(e => e.offsetParent !== null).map(e => e.textContent.trim());",
        )
        .await?;
    let alerts: Vec<String> = serde_json::from_value(alerts).unwrap_or_default();
    let holds = status == "Geldig" || status == "Verloopt binnenkort";
    if holds {
        // site.js warns when the visitor's own date is past the expiry.
        let expired_here = b
            .js("const a = document.querySelector('article.org');\
                 const d = new Date(); const today = d.getFullYear() + '-' +\
                 String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0');\
                 return today > a.dataset.expires;")
            .await?;
        ensure!(
            alerts.len() == usize::from(expired_here == Value::Bool(true)),
            "{id}: alerts on a certificate that holds: {alerts:?}"
        );
    } else {
        ensure!(
            alerts.iter().any(|a| a.contains(status)),
            "{id}: no visible alert saying {status}: {alerts:?}"
        );
    }
    // The badge to embed shows the same level.
    let badge = b
        .js("const i = document.querySelector('.embed img'); return i && i.getAttribute('src');")
        .await?;
    ensure!(
        badge.as_str().is_some_and(|s| s.ends_with("badge.svg")),
        "{id}: no badge image: {badge}"
    );
    sound(b).await?;
    // The province link leads to the province's list, which names it when
    // the certificate holds.
    let province = b.text(".crumbs a:nth-of-type(2)").await?;
    click_and_follow(b, ".crumbs a:nth-of-type(2)").await?;
    ensure!(
        heading(b).await?.contains(&province),
        "{id}: the province link leads to {}",
        b.location().await?
    );
    if holds {
        let names: Vec<String> = table_rows(b).await?.into_iter().map(|r| r.0).collect();
        ensure!(
            names.iter().any(|n| n == name),
            "{id}: not listed under {province}"
        );
    }
    Ok(())
}

async fn badge(b: &Browser) -> Check {
    b.open("organisaties/facilitair-bedrijf-de-brug/badge.svg")
        .await?;
    let facts = b
        .js(
            "const s = document.documentElement; const t = s.querySelector('title');\
             return [s.localName, t ? t.textContent : '', s.getBoundingClientRect().width];",
        )
        .await?;
    ensure!(
        facts[0] == "svg",
        "badge.svg is not an SVG document: {facts}"
    );
    let title = facts[1].as_str().unwrap_or_default();
    ensure!(
        title.to_lowercase().contains("trede 2"),
        "the badge's title does not name the level: `{title}`"
    );
    ensure!(
        facts[2].as_f64().unwrap_or(0.0) > 50.0,
        "the badge has no width: {facts}"
    );
    b.page_is_clean(false).await
}

async fn method(b: &Browser) -> Check {
    b.open("methode/").await?;
    let text = b.text("main").await?;
    for word in ["Basistrede", "Trede 3"] {
        ensure!(
            text.contains(word),
            "the method page does not mention {word}"
        );
    }
    ensure!(
        !b.texts("main table").await?.is_empty(),
        "the method page has no tables"
    );
    sound(b).await
}

async fn statistics(b: &Browser) -> Check {
    b.open("statistiek/").await?;
    // Every chart has a text alternative.
    let unnamed = b
        .js(
            "return Array.from(document.querySelectorAll('main svg[role=img], main img'))\
             .filter(e => !(e.getAttribute('aria-labelledby') || e.getAttribute('aria-label') \
               || e.hasAttribute('alt'))).length;",
        )
        .await?;
    ensure!(
        unnamed == json!(0),
        "{unnamed} charts without a text alternative"
    );
    sound(b).await
}

async fn post(b: &Browser) -> Check {
    b.open("blog/").await?;
    let first = b.text("main h2 a, main li a").await?;
    click_and_follow(b, "main h2 a, main li a").await?;
    ensure!(
        heading(b).await? == first,
        "the blog's first link `{first}` leads to `{}`",
        heading(b).await?
    );
    ensure!(
        b.find("main time[datetime]").await.is_ok(),
        "a post has no date"
    );
    sound(b).await
}

async fn not_found(b: &Browser) -> Check {
    b.open("deze-pagina-bestaat-niet/").await?;
    ensure!(
        heading(b).await? == "Pagina niet gevonden",
        "a missing URL shows `{}`",
        heading(b).await?
    );
    images_load(b).await?;
    b.page_is_clean(true).await?;
    // Its assets are found although the URL is another folder.
    let styled = b
        .js("return getComputedStyle(document.querySelector('.skip-link')).position;")
        .await?;
    ensure!(
        styled == json!("absolute"),
        "the 404 page is unstyled (skip link position {styled})"
    );
    follow_link(b, "main", "Register").await?;
    ensure!(
        b.location().await? == "register/",
        "the 404 page's link leads to {}",
        b.location().await?
    );
    Ok(())
}

async fn open_data(b: &Browser) -> Check {
    b.open("open-data/").await?;
    let downloads = b
        .js(
            "return Array.from(document.querySelectorAll('.dataset dd a'), a => a.href)\
             .filter(h => h.startsWith(location.origin));",
        )
        .await?;
    let downloads: Vec<String> = serde_json::from_value(downloads).unwrap_or_default();
    for file in ["registry.json", ".csv", ".xlsx"] {
        ensure!(
            downloads.iter().any(|d| d.ends_with(file)),
            "no download of {file}: {downloads:?}"
        );
    }
    sound(b).await?;
    // registry.json is what it says and lists every organisation.
    let count = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             fetch(arguments[0]).then(r => r.json()).then(j => done(JSON.stringify(j).length))\
             .catch(e => done(String(e)));",
            vec![json!(
                downloads
                    .iter()
                    .find(|d| d.ends_with("registry.json"))
                    .unwrap()
            )],
        )
        .await
        .map_err(|e| e.to_string())?;
    ensure!(count.as_u64().is_some(), "registry.json: {count}");
    Ok(())
}

async fn statement(b: &Browser) -> Check {
    // Every page's footer leads to it.
    b.open("register/").await?;
    follow_link(b, "footer", "Toegankelijkheid").await?;
    ensure!(
        b.location().await? == "toegankelijkheid/",
        "the footer's Toegankelijkheid link leads to {}",
        b.location().await?
    );
    ensure!(
        heading(b).await?.contains("Toegankelijkheid"),
        "accessibility statement h1: {}",
        heading(b).await?
    );
    let text = b.text("main").await?;
    for must in ["WCAG 2.1", "register@example.org"] {
        ensure!(text.contains(must), "the statement does not mention {must}");
    }
    sound(b).await
}

/// The console and request checks are not blind: a script error and an
/// off-site image on a page are both caught.
async fn checks_catch_errors(b: &Browser) -> Check {
    b.open("methode/").await?;
    b.js(
        "setTimeout(() => { throw new Error('self-test error'); }, 0);\
          const img = new Image(); img.src = 'http://127.0.0.2:9/self-test.png';\
          document.body.appendChild(img);",
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let caught = b.page_is_clean(false).await;
    ensure!(
        caught
            .as_ref()
            .is_err_and(|e| e.contains("self-test error") && e.contains("self-test.png")),
        "the page checks missed an injected script error or off-site image: {caught:?}"
    );
    Ok(())
}

#[test]
fn pages_work_as_people_use_them() {
    with_browser!("pages", SessionOptions::default(), |b, report| {
        report
            .check(
                "the checks catch errors (self-test)",
                checks_catch_errors(b),
            )
            .await;
        report.check("home", home(b)).await;
        report.check("register", register(b)).await;
        report.check("browse per level", browse_level(b)).await;
        report
            .check("browse level or higher", browse_or_higher(b))
            .await;
        report
            .check("browse per province", browse_province(b))
            .await;
        report.check("browse per sector", browse_sector(b)).await;
        report.check("browse a-z letter", browse_letter(b)).await;
        report.check("browse not valid", browse_not_valid(b)).await;
        for (id, name, level, status) in ORGANISATIONS {
            report
                .check(
                    &format!("organisation {id} ({status})"),
                    organisation(b, id, name, level, status),
                )
                .await;
        }
        report.check("badge SVG", badge(b)).await;
        report.check("method", method(b)).await;
        report.check("statistics", statistics(b)).await;
        report.check("blog post", post(b)).await;
        report.check("404 page", not_found(b)).await;
        report.check("open data", open_data(b)).await;
        report.check("accessibility statement", statement(b)).await;
    });
}

// ---- Search and screening. ----

/// The search page's state: organisation results (name, level, status,
/// place line), the live region's text and the address.
#[derive(Debug)]
struct Results {
    orgs: Vec<(String, String, String, String)>,
    exact: usize,
    announced: String,
}

impl Results {
    fn names(&self) -> Vec<&str> {
        self.orgs.iter().map(|o| o.0.as_str()).collect()
    }
}

/// Waits until the search has settled (the live region announced the
/// current results) and reads them.
async fn results(b: &Browser) -> Result<Results, String> {
    b.wait_for(
        "the search results to be announced",
        "document.getElementById('search-status').textContent.includes('gevonden')",
    )
    .await?;
    // On a loaded machine keys arrive slowly, and a search for part of the
    // query may be announced first: wait until the announcement holds
    // still for longer than the page's typing pause (200 ms) plus its
    // announcement delay (600 ms).
    let status = "return document.getElementById('search-status').textContent;";
    let mut last = b.js(status).await?;
    for _ in 0..20 {
        tokio::time::sleep(std::time::Duration::from_millis(900)).await;
        let now = b.js(status).await?;
        if now == last {
            break;
        }
        last = now;
    }
    let value = b
        .js("const orgs = document.querySelector('.search-orgs');\
             const items = orgs.hidden ? [] : Array.from(orgs.querySelectorAll('.search-list > li'));\
             return { orgs: items.map(li => [li.querySelector('.result-title').textContent.trim(),\
               li.querySelector('.level').textContent.trim(),\
               li.querySelector('.status').textContent.trim(),\
               li.querySelector('.result-place').textContent.trim()]),\
               exact: orgs.querySelectorAll('.result-exact').length,\
               announced: document.getElementById('search-status').textContent };")
        .await?;
    let orgs = value["orgs"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| {
            let s = |i: usize| o[i].as_str().unwrap_or_default().to_string();
            (s(0), s(1), s(2), s(3))
        })
        .collect();
    Ok(Results {
        orgs,
        exact: value["exact"].as_u64().unwrap_or(0) as usize,
        announced: value["announced"].as_str().unwrap_or_default().to_string(),
    })
}

/// Opens the search page (with `query` in the address) and waits for the
/// script to take over.
async fn open_search(b: &Browser, query: &str) -> Check {
    b.open(&format!("zoeken/{query}")).await?;
    b.wait_for(
        "the search form to appear",
        "!document.querySelector('.search-app').hidden",
    )
    .await
}

/// Clears the search box and types `text` into it, key by key.
async fn type_query(b: &Browser, text: &str) -> Check {
    // Clear the old announcement so `results` waits for the new one.
    b.js("document.getElementById('search-status').textContent = '';")
        .await?;
    let input = b.find("#search-q").await?;
    input.clear().await.map_err(|e| e.to_string())?;
    input.send_keys(text).await.map_err(|e| e.to_string())
}

async fn search_name_prefix(b: &Browser) -> Check {
    open_search(b, "").await?;
    type_query(b, "schoonm").await?;
    let found = results(b).await?;
    let names = found.names();
    // Names with the word come first, before matches on the sector only.
    let in_name = names.iter().filter(|n| n.contains("Schoonm")).count();
    ensure!(
        names[..in_name].iter().all(|n| n.contains("Schoonm")),
        "`schoonm` does not put the names with the word on top: {names:?}"
    );
    for expected in [
        "Schoonmaakbedrijf De Ster B.V.",
        "Schoonmaakcoöperatie Glashelder U.A.",
        "Schoonmaakgroep Delta & Partners",
    ] {
        ensure!(
            names.contains(&expected),
            "`schoonm` does not find {expected}: {names:?}"
        );
    }
    ensure!(
        found
            .announced
            .starts_with(&format!("{} organisaties", names.len())),
        "the live region says `{}` for {} results",
        found.announced,
        names.len()
    );
    ensure!(
        b.location().await? == "zoeken/?q=schoonm",
        "the address does not carry the query: {}",
        b.location().await?
    );
    b.page_is_clean(false).await
}

async fn search_without_diacritics(b: &Browser) -> Check {
    open_search(b, "").await?;
    type_query(b, "fryslan").await?;
    let found = results(b).await?;
    ensure!(
        found.names().contains(&"Recyclingcentrum Fryslân"),
        "`fryslan` does not find Recyclingcentrum Fryslân: {:?}",
        found.names()
    );
    ensure!(
        found
            .orgs
            .iter()
            .any(|o| o.3.contains("Leeuwarden, Fryslân")),
        "`fryslan` does not find organisations in the province Fryslân: {:?}",
        found.orgs
    );
    type_query(b, "cafe").await?;
    let found = results(b).await?;
    for expected in [
        "Café-Restaurant 't Gastvrije Bord",
        "Koffiebranderij & Café De Zwaluw",
    ] {
        ensure!(
            found.names().contains(&expected),
            "`cafe` does not find {expected}: {:?}",
            found.names()
        );
    }
    b.page_is_clean(false).await
}

async fn search_kvk(b: &Browser) -> Check {
    open_search(b, "").await?;
    type_query(b, "81962793").await?;
    let found = results(b).await?;
    ensure!(
        found.exact == 1 && found.names().first() == Some(&"Facilitair Bedrijf De Brug"),
        "typing a KvK number does not show its organisation first, marked exact: {found:?}"
    );
    // Enter goes straight to the organisation page.
    b.press(&[Key::Enter.into()]).await?;
    b.wait_for(
        "the organisation page after a KvK number",
        "location.pathname.endsWith('/organisaties/facilitair-bedrijf-de-brug/') \
         && document.readyState === 'complete'",
    )
    .await?;
    ensure!(
        heading(b).await? == "Facilitair Bedrijf De Brug",
        "KvK search lands on `{}`",
        heading(b).await?
    );
    b.page_is_clean(false).await
}

async fn search_certificate(b: &Browser) -> Check {
    // Loading an address with a certificate number goes straight to it too,
    // in any spelling.
    b.open("zoeken/?q=pso%202025%2000058").await?;
    b.wait_for(
        "the organisation page after a certificate number",
        "location.pathname.endsWith('/organisaties/thuiszorg-naoberzorg/') \
         && document.readyState === 'complete'",
    )
    .await?;
    ensure!(
        b.text(".status-big strong").await? == "Geschorst",
        "the certificate's page does not say Geschorst"
    );
    b.page_is_clean(false).await
}

async fn search_facets(b: &Browser) -> Check {
    // What the browse page lists for Utrecht at trede 2 or higher...
    b.open("register/provincie/utrecht/").await?;
    let mut expected: Vec<String> = table_rows(b)
        .await?
        .into_iter()
        .filter(|r| r.1 == "Trede 2" || r.1 == "Trede 3")
        .map(|r| r.0)
        .collect();
    expected.sort();
    ensure!(!expected.is_empty(), "no Utrecht organisation at trede 2+");
    // ...is what the search shows with those filters chosen.
    open_search(b, "").await?;
    results(b).await?;
    b.js("document.getElementById('search-status').textContent = '';")
        .await?;
    b.find("#search-level")
        .await?
        .select_by_value("trede-2")
        .await
        .map_err(|e| format!("choosing trede 2: {e}"))?;
    results(b).await?;
    b.js("document.getElementById('search-status').textContent = '';")
        .await?;
    b.find("#search-higher")
        .await?
        .click()
        .await
        .map_err(|e| format!("ticking or higher: {e}"))?;
    results(b).await?;
    b.js("document.getElementById('search-status').textContent = '';")
        .await?;
    b.find("#search-province")
        .await?
        .select_by_value("utrecht")
        .await
        .map_err(|e| format!("choosing Utrecht: {e}"))?;
    let found = results(b).await?;
    let mut names: Vec<String> = found.names().iter().map(|n| n.to_string()).collect();
    names.sort();
    ensure!(
        names == expected,
        "trede 2 or higher in Utrecht: search shows {names:?}, the browse page {expected:?}"
    );
    ensure!(
        found
            .orgs
            .iter()
            .all(|o| (o.1 == "Trede 2" || o.1 == "Trede 3") && o.3.contains(", Utrecht ·")),
        "results outside the filters: {:?}",
        found.orgs
    );
    let address = b.location().await?;
    ensure!(
        address == "zoeken/?trede=trede-2&hoger=1&provincie=utrecht",
        "the filters are not in the address: {address}"
    );
    // The same address, opened afresh, shows the same state.
    open_search(b, address.trim_start_matches("zoeken/")).await?;
    let again = results(b).await?;
    let state = b
        .js("return [document.getElementById('search-level').value,\
             document.getElementById('search-higher').checked,\
             document.getElementById('search-province').value,\
             document.getElementById('search-q').value];")
        .await?;
    ensure!(
        state == json!(["trede-2", true, "utrecht", ""]),
        "reloading {address} shows the filters as {state}"
    );
    ensure!(
        again.orgs == found.orgs,
        "reloading {address} shows other results: {:?}",
        again.names()
    );
    b.page_is_clean(false).await
}

async fn search_url_round_trip(b: &Browser) -> Check {
    open_search(
        b,
        "?q=groen&trede=basistrede&hoger=1&provincie=noord-brabant",
    )
    .await?;
    let found = results(b).await?;
    let state = b
        .js("return [document.getElementById('search-q').value,\
             document.getElementById('search-level').value,\
             document.getElementById('search-higher').checked,\
             document.getElementById('search-province').value];")
        .await?;
    ensure!(
        state == json!(["groen", "basistrede", true, "noord-brabant"]),
        "the address's state is not in the form: {state}"
    );
    ensure!(
        found.names().contains(&"Groenbedrijf De Eikenlaan")
            && found.orgs.iter().all(|o| o.3.contains(", Noord-Brabant ·")),
        "groen in Noord-Brabant: {:?}",
        found.orgs
    );
    // Changing the query keeps the filters in the address.
    type_query(b, "linde").await?;
    let found = results(b).await?;
    ensure!(
        found.names() == ["Hoveniersbedrijf De Linde"],
        "linde in Noord-Brabant: {:?}",
        found.names()
    );
    let address = b.location().await?;
    ensure!(
        address == "zoeken/?q=linde&trede=basistrede&hoger=1&provincie=noord-brabant",
        "the address after typing: {address}"
    );
    b.page_is_clean(false).await
}

async fn screening(b: &Browser) -> Check {
    b.open("leveranciers-controleren/").await?;
    b.wait_for(
        "the screening form to appear",
        "!document.querySelector('.screening-app').hidden",
    )
    .await?;
    let pasted = "81962793\n12345670\nPSO-2025-00058\nBestaat Niet B.V.\n9890 5894\n";
    b.find("#screening-input")
        .await?
        .send_keys(pasted)
        .await
        .map_err(|e| e.to_string())?;
    click_in_place(b, ".screening-form button").await?;
    b.wait_for(
        "the screening results",
        "!document.querySelector('.screening-results').hidden",
    )
    .await?;
    let rows = b
        .js(
            "return Array.from(document.querySelectorAll('.screening-table tbody tr'), tr =>\
             [tr.className, ...Array.from(tr.cells, c => c.textContent.trim())]);",
        )
        .await?;
    let rows: Vec<Vec<String>> = serde_json::from_value(rows).map_err(|e| e.to_string())?;
    ensure!(
        rows.len() == 5,
        "5 lines pasted, {} rows: {rows:?}",
        rows.len()
    );
    let expect = [
        (false, "Facilitair Bedrijf De Brug", "Geldig"),
        (true, "", ""),
        (false, "Thuiszorg Naoberzorg", "Geschorst"),
        (true, "", ""),
        (false, "Thuiszorg Naoberzorg", "Geschorst"),
    ];
    for (row, (missing, name, status)) in rows.iter().zip(expect) {
        if missing {
            ensure!(
                row[0] == "not-found" && row[2] == "Niet in het register",
                "`{}` is not marked Niet in het register: {row:?}",
                row[1]
            );
        } else {
            ensure!(
                row[0] != "not-found" && row[2] == name && row.contains(&status.to_string()),
                "`{}` should be {name} ({status}): {row:?}",
                row[1]
            );
        }
    }
    let status = b.text("#screening-status").await?;
    ensure!(
        status == "5 regels gecontroleerd: 3 gevonden, 2 niet in het register.",
        "the live region says `{status}`"
    );
    ensure!(
        b.focused().await? == "h2#screening-results-title",
        "the focus is on {} after checking, not on the results",
        b.focused().await?
    );
    b.page_is_clean(false).await
}

/// Clicks an element that does not navigate.
async fn click_in_place(b: &Browser, css: &str) -> Check {
    b.find(css)
        .await?
        .click()
        .await
        .map_err(|e| format!("clicking `{css}`: {e}"))
}

#[test]
fn search_and_screening_as_people_use_them() {
    with_browser!("search", SessionOptions::default(), |b, report| {
        report
            .check("search: a name prefix", search_name_prefix(b))
            .await;
        report
            .check("search: without diacritics", search_without_diacritics(b))
            .await;
        report.check("search: a KvK number", search_kvk(b)).await;
        report
            .check("search: a certificate number", search_certificate(b))
            .await;
        report
            .check("search: level, or higher, province", search_facets(b))
            .await;
        report
            .check("search: the address round trip", search_url_round_trip(b))
            .await;
        report
            .check("screening: present and absent KvK numbers", screening(b))
            .await;
    });
}

// ---- Keyboard. ----

async fn skip_link(b: &Browser) -> Check {
    b.open("register/").await?;
    b.press(&[Key::Tab.into()]).await?;
    let focused = b.focused().await?;
    ensure!(
        focused == "a.skip-link",
        "the first Tab focuses {focused}, not the skip link"
    );
    let visible = b
        .js("const r = document.activeElement.getBoundingClientRect();\
             return r.width > 1 && r.height > 1 && r.top >= 0 && r.left >= 0;")
        .await?;
    ensure!(
        visible == json!(true),
        "the focused skip link is not visible"
    );
    b.press(&[Key::Enter.into()]).await?;
    b.wait_for(
        "the focus on main",
        "document.activeElement === document.querySelector('main')",
    )
    .await?;
    ensure!(
        b.location().await? == "register/#inhoud",
        "after the skip link the address is {}",
        b.location().await?
    );
    // The next Tab goes into the content, not back to the header.
    b.press(&[Key::Tab.into()]).await?;
    let inside = b
        .js("return document.querySelector('main').contains(document.activeElement);")
        .await?;
    ensure!(
        inside == json!(true),
        "Tab after the skip link focuses {}",
        b.focused().await?
    );
    b.page_is_clean(false).await
}

/// Presses Tab until `css` has the focus; returns how many presses.
async fn tab_to(b: &Browser, css: &str, limit: usize) -> Result<usize, String> {
    for n in 1..=limit {
        b.press(&[Key::Tab.into()]).await?;
        let here = b
            .js_with(
                "return document.activeElement === document.querySelector(arguments[0]);",
                vec![json!(css)],
            )
            .await?;
        if here == json!(true) {
            return Ok(n);
        }
    }
    Err(format!(
        "`{css}` not reached with {limit} Tabs on {}; the focus is on {}",
        b.location().await?,
        b.focused().await?
    ))
}

async fn header_search_by_keyboard(b: &Browser) -> Check {
    b.open("").await?;
    tab_to(b, "#site-search-q", 15).await?;
    b.client
        .active_element()
        .await
        .map_err(|e| e.to_string())?
        .send_keys("groen")
        .await
        .map_err(|e| e.to_string())?;
    b.press(&[Key::Enter.into()]).await?;
    b.wait_for(
        "the search page",
        "location.pathname.endsWith('/zoeken/') && document.readyState === 'complete'",
    )
    .await?;
    let found = results(b).await?;
    ensure!(
        found.names().contains(&"Groenbedrijf De Eikenlaan"),
        "the header search for groen shows {:?}",
        found.names()
    );
    b.page_is_clean(false).await
}

async fn search_by_keyboard(b: &Browser) -> Check {
    open_search(b, "").await?;
    results(b).await?;
    let tabs = tab_to(b, "#search-q", 20).await?;
    // The live region is polite and atomic, and speaks after typing pauses.
    let region = b
        .js("const r = document.getElementById('search-status');\
             r.textContent = ''; return [r.getAttribute('role'), r.getAttribute('aria-live'),\
             r.getAttribute('aria-atomic')];")
        .await?;
    ensure!(
        region == json!(["status", "polite", "true"]),
        "the search's live region is {region}"
    );
    b.press(&['z', 'o', 'r', 'g']).await?;
    let found = results(b).await?;
    ensure!(
        !found.orgs.is_empty() && found.announced.contains("organisaties"),
        "typing zorg announced `{}` with {:?}",
        found.announced,
        found.names()
    );
    // From the box, Tab reaches the filters and then the results.
    tab_to(b, "#search-level", 4).await?;
    tab_to(b, ".search-orgs .search-list a", 30).await?;
    b.press(&[Key::Enter.into()]).await?;
    b.wait_for(
        "an organisation page from the results",
        "location.pathname.includes('/organisaties/') && document.readyState === 'complete'",
    )
    .await?;
    ensure!(tabs <= 20, "the search box took {tabs} Tabs to reach");
    b.page_is_clean(false).await
}

#[test]
fn keyboard_only() {
    with_browser!("keyboard", SessionOptions::default(), |b, report| {
        report
            .check(
                "keyboard: the skip link moves the focus to main",
                skip_link(b),
            )
            .await;
        report
            .check(
                "keyboard: the header search box",
                header_search_by_keyboard(b),
            )
            .await;
        report
            .check(
                "keyboard: the search page, announced results",
                search_by_keyboard(b),
            )
            .await;
    });
}

// ---- Accessibility: axe-core, WCAG 2.1 A and AA. ----

#[test]
fn every_page_kind_meets_wcag_2_1_aa() {
    let Some(axe) = harness::axe_source() else {
        return;
    };
    let axe = axe.as_str();
    with_browser!("accessibility", SessionOptions::default(), |b, report| {
        for (name, path) in PAGE_KINDS {
            report
                .check(&format!("axe: {name} ({path})"), async {
                    b.open(path).await?;
                    b.axe(axe).await?;
                    controls_are_labelled(b).await?;
                    b.page_is_clean(path.contains("bestaat-niet")).await
                })
                .await;
        }
        report
            .check("axe: search with results and filters", async {
                open_search(b, "?q=schoon&trede=trede-1&hoger=1").await?;
                results(b).await?;
                b.axe(axe).await
            })
            .await;
        report
            .check("axe: search without results", async {
                open_search(b, "?q=xyzzy").await?;
                b.wait_for(
                    "the no-results message",
                    "!document.querySelector('.search-message').hidden",
                )
                .await?;
                b.axe(axe).await
            })
            .await;
        report
            .check("axe: screening with results", async {
                b.open("leveranciers-controleren/").await?;
                b.wait_for(
                    "the screening form",
                    "!document.querySelector('.screening-app').hidden",
                )
                .await?;
                b.find("#screening-input")
                    .await?
                    .send_keys("81962793\n12345670\nDe Brug")
                    .await
                    .map_err(|e| e.to_string())?;
                b.find("#screening-date")
                    .await?
                    .send_keys("01122026")
                    .await
                    .map_err(|e| e.to_string())?;
                click_in_place(b, ".screening-form button").await?;
                b.wait_for(
                    "the screening results",
                    "!document.querySelector('.screening-results').hidden",
                )
                .await?;
                b.axe(axe).await
            })
            .await;
        // Narrow screens lay pages out differently (folded filters, tables
        // that scroll): the same rules hold there.
        let narrow = b.client.set_window_size(390, 844).await;
        if let Err(e) = narrow {
            report.fail("axe: mobile width", e.to_string());
        } else {
            for path in [
                "",
                "register/",
                "organisaties/facilitair-bedrijf-de-brug/",
                "zoeken/?q=zorg",
            ] {
                report
                    .check(&format!("axe at 390 px: {path}"), async {
                        b.open(path).await?;
                        b.axe(axe).await
                    })
                    .await;
            }
        }
    });
}

// ---- Screenshots. ----

async fn screenshots_at(b: &Browser, width: u32, label: &str) -> Check {
    let height = if width < 600 { 844 } else { 900 };
    b.client
        .set_window_size(width, height)
        .await
        .map_err(|e| e.to_string())?;
    for (name, path) in [
        ("home", ""),
        ("organisation", "organisaties/facilitair-bedrijf-de-brug/"),
        ("search", "zoeken/?q=schoonmaak"),
    ] {
        b.open(path).await?;
        if name == "search" {
            results(b).await?;
        }
        let inner = b.js("return window.innerWidth;").await?;
        ensure!(
            inner == json!(width),
            "the viewport is {inner} px wide, not {width}"
        );
        let overflow = b
            .js("return document.documentElement.scrollWidth - window.innerWidth;")
            .await?;
        if overflow.as_i64().unwrap_or(0) > 0 {
            let culprits = b
                .js("return Array.from(document.querySelectorAll('body *')).filter(e => \
                     e.getBoundingClientRect().right > window.innerWidth + 0.5 && \
                     !(e.parentElement && e.parentElement.getBoundingClientRect().right > window.innerWidth + 0.5) \
                     ).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + \
                     (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\\s+/).join('.') : '') + \
                     ' (right edge ' + Math.round(e.getBoundingClientRect().right) + ' px)');")
                .await?;
            return Err(format!(
                "{name} at {width} px scrolls sideways by {overflow} px; widest: {culprits}"
            ));
        }
        // The whole page: the window as tall as the document.
        let full = b
            .js(
                "return Math.min(document.documentElement.scrollHeight, 6000) \
                 + window.outerHeight - window.innerHeight;",
            )
            .await?
            .as_u64()
            .unwrap_or(u64::from(height)) as u32;
        b.client
            .set_window_size(width, full.max(height))
            .await
            .map_err(|e| e.to_string())?;
        tokio::time::sleep(Duration::from_millis(100)).await;
        let path = b.screenshot(&format!("{name}-{label}")).await?;
        eprintln!("    saved {}", path.display());
        b.client
            .set_window_size(width, height)
            .await
            .map_err(|e| e.to_string())?;
        b.page_is_clean(false).await?;
    }
    Ok(())
}

#[test]
fn screenshots_at_desktop_and_mobile_width() {
    with_browser!("screenshots", SessionOptions::default(), |b, report| {
        report
            .check(
                "screenshots at 1280 px",
                screenshots_at(b, 1280, "desktop-1280"),
            )
            .await;
        report
            .check(
                "screenshots at 390 px",
                screenshots_at(b, 390, "mobile-390"),
            )
            .await;
    });
}

// ---- Without JavaScript. ----

async fn javascript_is_off(b: &Browser) -> Check {
    // search.js unhides the form; with scripts off it stays hidden.
    b.open("zoeken/").await?;
    let hidden = b
        .js("return [document.querySelector('.search-app').hidden,\
             document.querySelector('.search-nojs').hidden];")
        .await?;
    ensure!(
        hidden == json!([true, false]),
        "scripts ran: the search form is shown (hidden: {hidden})"
    );
    Ok(())
}

async fn organisation_without_js(b: &Browser) -> Check {
    for (id, name, level, status) in [ORGANISATIONS[0], ORGANISATIONS[3]] {
        b.open(&format!("organisaties/{id}/")).await?;
        let element_text = |css: &'static str| async move {
            let element = b.find(css).await?;
            ensure!(
                element.is_displayed().await.unwrap_or(false),
                "{id}: `{css}` is not shown"
            );
            element.text().await.map_err(|e| e.to_string())
        };
        ensure!(element_text("h1").await? == name, "{id}: h1");
        ensure!(
            element_text(".level-big .level").await? == level,
            "{id}: the level {level} is not shown"
        );
        ensure!(
            element_text(".status-big strong").await? == status,
            "{id}: the status {status} is not shown"
        );
        ensure!(
            element_text("#why h2").await? == "Waarom deze trede?",
            "{id}: no \"Waarom deze trede?\""
        );
        let why = b.text("#why dl").await?;
        ensure!(
            why.contains("Totale sociale bijdrage") && why.contains('%'),
            "{id}: the explanation has no figures: {why}"
        );
        images_load(b).await?;
        b.page_is_clean(false).await?;
    }
    Ok(())
}

async fn register_without_js(b: &Browser) -> Check {
    b.open("register/").await?;
    let rows = table_rows(b).await?;
    ensure!(rows.len() >= 30, "the register shows {} rows", rows.len());
    follow_link(b, "table.orgs", "Cateringgroep De Gouden Lepel").await?;
    ensure!(
        b.text(".level-big .level").await? == "Trede 1"
            && b.text(".status-big strong").await? == "Verloopt binnenkort",
        "the register's link leads to a page without level or status"
    );
    b.page_is_clean(false).await
}

async fn search_without_js(b: &Browser) -> Check {
    b.open("zoeken/").await?;
    let note = b.text(".search-nojs").await?;
    ensure!(
        note.contains("Zonder JavaScript"),
        "the search page does not explain itself without JavaScript: `{note}`"
    );
    let browse = b
        .js("return Array.from(document.querySelectorAll('.search-browse a'), a => a.getAttribute('href'));")
        .await?;
    let browse: Vec<String> = serde_json::from_value(browse).unwrap_or_default();
    for kind in [
        "/register/trede/",
        "/register/provincie/",
        "/register/sector/",
        "#letter-",
    ] {
        ensure!(
            browse.iter().any(|h| h.contains(kind)),
            "the search page does not link to {kind}: {browse:?}"
        );
    }
    follow_link(b, ".search-browse", "Het hele register").await?;
    ensure!(
        b.location().await? == "register/",
        "the search page's register link leads to {}",
        b.location().await?
    );
    b.open("leveranciers-controleren/").await?;
    let note = b.text(".screening-nojs").await?;
    ensure!(
        note.contains("JavaScript"),
        "the screening page does not explain itself without JavaScript"
    );
    sound(b).await
}

#[test]
fn without_javascript_the_facts_are_all_there() {
    let options = SessionOptions {
        javascript: false,
        ..SessionOptions::default()
    };
    with_browser!("without JavaScript", options, |b, report| {
        report
            .check(
                "no JavaScript: scripts are really off",
                javascript_is_off(b),
            )
            .await;
        report
            .check(
                "no JavaScript: organisation pages",
                organisation_without_js(b),
            )
            .await;
        report
            .check("no JavaScript: the register", register_without_js(b))
            .await;
        report
            .check("no JavaScript: search and screening", search_without_js(b))
            .await;
    });
}
