//! Registry pages as people see them: snapshots of organisation pages in
//! every status and level and of the browse pages, escaping of every record
//! field in every page, valid badges, and the page-weight budget.

mod common;

use common::{DATE, Site, example_copy, tree};

/// The `<main>` element of a page, the part the snapshots cover, one tag
/// a line so that snapshot diffs stay readable.
fn main_of(html: &str) -> String {
    let start = html.find("<main").expect("a <main> element");
    let end = html.find("</main>").expect("a closing </main>") + "</main>".len();
    html[start..end].replace("><", ">\n<")
}

/// The example site, built unminified so the snapshots are readable.
fn example_built() -> Site {
    let site = example_copy();
    let config = site.read("site.toml");
    site.write("site.toml", &format!("minify = false\n{config}"));
    site.build().success();
    site
}

#[test]
fn organisation_pages_in_every_status_and_level() {
    let site = example_built();
    for (id, what) in [
        ("facilitair-bedrijf-de-brug", "valid, trede-2"),
        (
            "cateringgroep-de-gouden-lepel",
            "expiring, trede-1, cap not applied",
        ),
        (
            "fietsherstel-de-spaak",
            "expired (leap-day default expiry), trede-2",
        ),
        ("thuiszorg-naoberzorg", "suspended, trede-1"),
        ("verhuisbedrijf-van-der-veen", "withdrawn, trede-1"),
        ("administratiekantoor-de-balans", "aspirant"),
        (
            "de-cloudfabriek-ict-diensten",
            "aspirant, quality criteria not met",
        ),
        ("bouwbedrijf-gebr-mulder", "basistrede"),
        ("zeeuwse-perserij", "trede-3, PSO 30+ at exactly 30%"),
        (
            "schoonmaakgroep-delta-en-partners",
            "trede-2, the 80% cap applied",
        ),
    ] {
        let html = site.read(&format!("public/organisaties/{id}/index.html"));
        insta::with_settings!({ description => what, omit_expression => true }, {
            insta::assert_snapshot!(format!("organisation-{id}"), main_of(&html));
        });
    }
}

#[test]
fn browse_pages() {
    let site = example_built();
    for page in [
        "register/index.html",
        "register/trede/trede-2/en-hoger/index.html",
        "register/provincie/utrecht/index.html",
        "register/niet-geldig/index.html",
        "statistiek/index.html",
        "methode/index.html",
        "index.html",
    ] {
        let html = site.read(&format!("public/{page}"));
        let name = page
            .trim_end_matches("index.html")
            .trim_end_matches('/')
            .replace('/', "-");
        let name = if name.is_empty() {
            "home".to_string()
        } else {
            name
        };
        insta::assert_snapshot!(format!("page-{name}"), main_of(&html));
    }
}

/// The rows of the organisation tables of a list page: (organisation
/// URL, row id).
fn list_rows(html: &str) -> Vec<(String, Option<String>)> {
    let Some(body) = html.split("<tbody>").nth(1) else {
        return Vec::new();
    };
    let body = body.split("</tbody>").next().unwrap_or_default();
    body.split("<tr")
        .skip(1)
        .map(|row| {
            let id = row
                .strip_prefix(" id=\"")
                .and_then(|r| r.split('"').next())
                .map(str::to_string);
            let href = row
                .split("href=\"")
                .nth(1)
                .expect("a row links its organisation");
            (href.split('"').next().unwrap().to_string(), id)
        })
        .collect()
}

#[test]
fn an_organisation_is_a_row_of_four_lists_and_the_a_z_index_leads_into_the_register() {
    let site = example_copy();
    let config = site
        .read("site.toml")
        .replace("register = 50", "register = 7");
    site.write("site.toml", &config);
    site.build().success();
    let public = site.public();
    let registry: serde_json::Value =
        serde_json::from_str(&site.read("public/data/registry.json")).unwrap();
    // The lists each organisation's row is in, by organisation URL.
    let mut lists: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (path, bytes) in tree(&public.join("register")) {
        let list = path
            .trim_end_matches("index.html")
            .split("pagina/")
            .next()
            .unwrap()
            .to_string();
        for (url, _) in list_rows(&String::from_utf8(bytes).unwrap()) {
            lists.entry(url).or_default().push(list.clone());
        }
    }
    let organisations = registry["organisations"].as_array().unwrap();
    assert_eq!(
        lists.len(),
        organisations.len(),
        "every organisation is listed"
    );
    for o in organisations {
        let url = format!("/trede/organisaties/{}/", o["id"].as_str().unwrap());
        let mut found = lists[&url].clone();
        found.sort();
        let status = o["certificate"]["status"].as_str().unwrap();
        if status == "valid" || status == "expiring" {
            assert_eq!(found.len(), 4, "{url} is in {found:?}");
            assert_eq!(found[0], "", "{url} is in the register: {found:?}");
            assert!(found[1].starts_with("provincie/"), "{found:?}");
            assert!(found[2].starts_with("sector/"), "{found:?}");
            assert_eq!(found[3], format!("trede/{}/", o["level"].as_str().unwrap()));
        } else {
            assert_eq!(found, ["niet-geldig/"], "{url}");
        }
    }

    // The register in order, over its pages, with the page of each row.
    let mut register = Vec::new();
    for page in 1.. {
        let path = if page == 1 {
            "register/index.html".to_string()
        } else {
            format!("register/pagina/{page}/index.html")
        };
        let Ok(html) = std::fs::read_to_string(public.join(&path)) else {
            break;
        };
        for (url, id) in list_rows(&html) {
            register.push((page, url, id));
        }
    }
    assert!(
        register.iter().map(|r| r.0).max() > Some(3),
        "several pages"
    );
    let names: std::collections::BTreeMap<String, String> = organisations
        .iter()
        .map(|o| {
            let url = format!("/trede/organisaties/{}/", o["id"].as_str().unwrap());
            (url, o["name"].as_str().unwrap().to_string())
        })
        .collect();
    let letter = |url: &str| {
        let name = deunicode::deunicode(&names[url]).to_uppercase();
        let c = name.chars().find(char::is_ascii_alphanumeric).unwrap();
        if c.is_ascii_digit() { '#' } else { c }
    };
    let index = site.read("public/register/index.html");
    let index = index.split("class=letters>").nth(1).unwrap();
    let index = index.split("</ul>").next().unwrap();
    let links: Vec<&str> = index.split("href=\"").skip(1).collect();
    let mut seen = std::collections::BTreeSet::new();
    for link in &links {
        let (href, rest) = link.split_once('"').unwrap();
        let label = rest[1..].split('<').next().unwrap();
        let (page_url, anchor) = href.split_once('#').unwrap();
        // The first row of the register with this letter is the anchor.
        let first = register
            .iter()
            .find(|(_, url, _)| letter(url) == label.chars().next().unwrap())
            .unwrap_or_else(|| panic!("no name under {label}"));
        let page_path = match first.0 {
            1 => "/trede/register/".to_string(),
            n => format!("/trede/register/pagina/{n}/"),
        };
        assert_eq!(
            page_url, page_path,
            "{label} links to the page of its first name"
        );
        assert_eq!(
            first.2.as_deref(),
            Some(anchor),
            "{label}: the row of its first name"
        );
        seen.insert(letter(&first.1));
    }
    // Every letter is in the index, and only the first row of each has an id.
    let all: std::collections::BTreeSet<char> = register.iter().map(|r| letter(&r.1)).collect();
    assert_eq!(seen, all);
    assert_eq!(
        register.iter().filter(|r| r.2.is_some()).count(),
        links.len()
    );
    // Names are in letter order, so each letter's rows are together.
    let letters: Vec<char> = register.iter().map(|r| letter(&r.1)).collect();
    assert!(letters.windows(2).all(|w| w[0] <= w[1]), "{letters:?}");
}

#[test]
fn pages_of_expired_suspended_and_withdrawn_certificates_warn_prominently() {
    let site = example_built();
    for id in [
        "fietsherstel-de-spaak",
        "thuiszorg-naoberzorg",
        "verhuisbedrijf-van-der-veen",
    ] {
        let html = site.read(&format!("public/organisaties/{id}/index.html"));
        assert!(html.contains("role=\"alert\""), "{id} has no alert");
        assert!(html.contains("Let op:"), "{id}");
    }
    let valid = site.read("public/organisaties/facilitair-bedrijf-de-brug/index.html");
    assert!(!valid.contains("class=\"alert alert-valid\""));
    // The visitor-date check is wired up but hidden without JavaScript.
    assert!(valid.contains("data-expires=\"2027-07-13\""));
    assert!(valid.contains("live-expired\" role=\"alert\" hidden"));
}

const MARKUP: &str = "<script>alert('x')</script><b>&amp;\"q\"";

#[test]
fn every_value_from_a_record_is_escaped_everywhere() {
    let site = Site::new();
    let hostile = format!(
        r#"name = "Naam {m}"
kvk = "87654321"
city = "Stad {m}"
province = "Utrecht"
sector = "Sector {m}"
website = "https://evil.example/?q=\"><script>alert(1)</script>"
summary = "Samenvatting {m} <a href=\"javascript:alert(1)\" onclick=\"x()\">k</a> <iframe src=\"https://x\"></iframe>"
description = "Omschrijving {m}\n\n<form><input></form><style>body{{}}</style>"

[certificate]
number = "PSO-{m}"
body = "Instelling {m}"
issued = 2025-04-01

[measurement]
year = 2024
employees = 54
total_fte = 46.2

[[measurement.target_group]]
position = "wajong"
contract = "regulier"
fte = 2.0
persons = 3
"#,
        m = MARKUP.replace('"', "\\\"")
    );
    site.write("content/organisations/hostile.toml", &hostile);
    // Checked before minification: minify-html may decode `&lt;` where the
    // HTML parser reads it as text anyway (quoted attributes, `<title>`),
    // which would hide what the templates did.
    site.write(
        "site.toml",
        "title = \"Testregister\"\nbase_url = \"https://example.org/\"\nminify = false\n",
    );
    site.build().success();
    // Markup contexts: HTML, SVG and XML. (CSV and JSON hold the text as
    // data, escaped by their own rules and checked in the open-data tests.)
    for (path, bytes) in tree(&site.public()) {
        if ![".html", ".svg", ".xml"]
            .iter()
            .any(|ext| path.ends_with(ext))
        {
            continue;
        }
        let raw = String::from_utf8_lossy(&bytes);
        // `<title>` and `<textarea>` hold text only (RCDATA): the minifier
        // may write `<` there unescaped, which is safe as long as nothing
        // can close the element early.
        if path.ends_with(".html") {
            let head_title_end = raw.find("</title>").unwrap();
            let after = raw[head_title_end + "</title>".len()..].trim_start();
            assert!(after.starts_with("<meta"), "title closed early in {path}");
        }
        let text = without_rcdata(&raw);
        if let Some(i) = text.find("<script>alert") {
            let around = &text[i.saturating_sub(120)..(i + 40).min(text.len())];
            panic!("raw script from a record in {path}: …{around}…");
        }
        // (`<b>` is allowed in the sanitised summary, so only text fields
        // are checked for it, through the name below.)
        assert!(
            !text.contains("javascript:alert"),
            "javascript: URL in {path}"
        );
        assert!(!text.contains("onclick"), "event handler in {path}");
        assert!(!text.contains("<iframe"), "iframe in {path}");
        assert!(
            !text.contains("<form><input"),
            "the record's form in {path}"
        );
    }
    let page = site.read("public/organisaties/hostile/index.html");
    assert!(
        page.contains("Naam &lt;script&gt;alert("),
        "the name is shown, escaped"
    );
    assert!(page.contains("Stad &lt;script&gt;"), "the city is escaped");
    assert!(!page.contains("Naam <script>") && !page.contains("Stad <b>"));
    // JSON-LD cannot close its script element.
    let jsonld_start = page.find("application/ld+json").unwrap();
    let jsonld = &page[jsonld_start..];
    let end = jsonld.find("</script>").unwrap();
    assert!(!jsonld[..end].contains('<'), "JSON-LD contains a raw <");
    let json: serde_json::Value =
        serde_json::from_str(&jsonld[jsonld.find('>').unwrap() + 1..end]).unwrap();
    assert_eq!(json["hasCertification"]["@type"], "Certification");
    assert!(
        json["name"].as_str().unwrap().contains("<script>"),
        "JSON-LD holds the real name"
    );
}

/// The text with the contents of `<title>` and `<textarea>` elements removed.
fn without_rcdata(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    loop {
        let next = ["<title", "<textarea"]
            .iter()
            .filter_map(|tag| rest.find(tag).map(|i| (i, *tag)))
            .min();
        let Some((start, tag)) = next else {
            out.push_str(rest);
            return out;
        };
        let open_end = start + rest[start..].find('>').unwrap() + 1;
        let close = format!("</{}>", &tag[1..]);
        let end = open_end + rest[open_end..].find(&close).unwrap();
        out.push_str(&rest[..open_end]);
        rest = &rest[end..];
    }
}

fn parse_xml(text: &str) {
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("invalid XML: {e}\n{text}"),
        }
    }
}

#[test]
fn badges_are_small_valid_standalone_svg() {
    let site = example_built();
    let mut checked = 0;
    for (path, bytes) in tree(&site.public().join("organisaties")) {
        if !path.ends_with(".svg") {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap();
        parse_xml(&text);
        assert!(text.len() < 2048, "{path} is {} bytes", text.len());
        assert!(text.contains("<title"), "{path} has no title");
        assert!(
            !text.contains("href=\"http"),
            "{path} has an external reference"
        );
        checked += 1;
    }
    assert!(checked >= 80);
    let expired = site.read("public/organisaties/fietsherstel-de-spaak/badge.svg");
    assert!(expired.contains("Verlopen"), "an expired badge says so");
    let valid = site.read("public/organisaties/facilitair-bedrijf-de-brug/badge.svg");
    assert!(valid.contains("geldig t/m 13-07-2027"));
}

#[test]
fn an_organisation_page_with_its_css_stays_under_30_kb() {
    let site = example_copy();
    site.build().success();
    let files = tree(&site.public());
    let css: usize = files
        .iter()
        .filter(|(p, _)| p.starts_with("css/"))
        .map(|(_, b)| b.len())
        .sum();
    let mut heaviest = (String::new(), 0);
    for (path, bytes) in &files {
        if path.starts_with("organisaties/")
            && path.ends_with("index.html")
            && bytes.len() > heaviest.1
        {
            heaviest = (path.clone(), bytes.len());
        }
    }
    let total = heaviest.1 + css;
    assert!(
        total < 30 * 1024,
        "{} with CSS weighs {total} bytes",
        heaviest.0
    );
}

#[test]
fn organisation_pages_show_everything_without_javascript() {
    let site = example_copy();
    site.build().success();
    let html = site.read("public/organisaties/facilitair-bedrijf-de-brug/index.html");
    // Everything is in the HTML itself; the one script only adds a warning.
    for needle in [
        "Trede 2",
        "Geldig",
        "Waarom deze trede?",
        "3,66%",
        "0,42%",
        "4,08%",
        "<svg",
        "PSO-2025-00329",
    ] {
        assert!(html.contains(needle), "{needle} missing");
    }
    assert_eq!(
        html.matches("<script").count(),
        2,
        "one JSON-LD block and one deferred script"
    );
    let _ = DATE;
}
