//! Atom 1.0 feeds (RFC 4287): the generic writer [`atom`] that the renderer
//! uses for the blog (`feeds/blog.xml`), and [`registry_changes`], the feed
//! of the newest certificate events in the register (`feeds/register.xml`,
//! as many as `site.toml`'s `[feeds] register_entries`).
//!
//! The XML is written by hand: every piece of text goes through
//! [`xml_text`] or [`xml_attr`], which also drop the characters XML 1.0
//! does not allow. Output is deterministic: dates are written as
//! `YYYY-MM-DDT00:00:00Z` and entries keep a fixed order.

use jiff::ToSpan;
use jiff::civil::Date;

use crate::config::SiteConfig;
use crate::escape::{xml_attr, xml_text};
use crate::ladder::{CertificateStatus, Level};
use crate::output::OutputFile;
use crate::registry::{Computed, Registry};
use crate::render::fill_placeholders;
use crate::urls::{self, Urls};

/// Output path of the register's change feed.
pub const REGISTRY_FEED_PATH: &str = "feeds/register.xml";

/// Output path of the blog feed (written by the renderer with [`atom`]).
pub const BLOG_FEED_PATH: &str = "feeds/blog.xml";

/// How long after issue a certificate counts as new.
pub const NEW_DAYS: i64 = 90;

/// How long before expiry a certificate is announced as expiring (the
/// `expiring` status of spec 3.9).
pub const EXPIRING_DAYS: i64 = 90;

/// How long an expired certificate stays in the feed.
pub const EXPIRED_DAYS: i64 = 365;

/// One entry of an Atom feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    /// Permanent, unique identifier: a `tag:` URI or an absolute URL.
    pub id: String,
    /// Title, plain text.
    pub title: String,
    /// Absolute URL of the page the entry is about.
    pub url: String,
    /// When the entry last changed significantly.
    pub updated: Date,
    /// Summary, plain text.
    pub summary: String,
    /// Full content as HTML (escaped into the feed), if any.
    pub content_html: Option<String>,
}

/// The feed-level fields of [`atom_feed`].
#[derive(Debug, Clone, Copy)]
pub struct FeedMeta<'a> {
    /// Feed title, plain text.
    pub title: &'a str,
    /// Absolute URL of the feed itself (also its id).
    pub feed_url: &'a str,
    /// Absolute URL of the site or page the feed belongs to.
    pub site_url: &'a str,
    /// The feed's author (Atom requires one); the title when empty.
    pub author: &'a str,
    /// Language code for `xml:lang`, if known.
    pub language: Option<&'a str>,
    /// When the feed last changed.
    pub updated: Date,
}

/// An Atom feed with the title as author and no language.
///
/// ```
/// use jiff::civil::date;
/// use trede::feeds::{atom, FeedEntry};
/// let entry = FeedEntry {
///     id: "https://x.nl/blog/a/".into(),
///     title: "Tom & Jerry".into(),
///     url: "https://x.nl/blog/a/".into(),
///     updated: date(2026, 1, 2),
///     summary: "<b>not markup</b>".into(),
///     content_html: None,
/// };
/// let xml = atom("Blog", "https://x.nl/feeds/blog.xml", "https://x.nl/", date(2026, 1, 2), &[entry]);
/// assert!(xml.contains("<title type=\"text\">Tom &amp; Jerry</title>"));
/// assert!(xml.contains("<updated>2026-01-02T00:00:00Z</updated>"));
/// ```
pub fn atom(
    feed_title: &str,
    feed_url: &str,
    site_url: &str,
    updated: Date,
    entries: &[FeedEntry],
) -> String {
    atom_feed(
        &FeedMeta {
            title: feed_title,
            feed_url,
            site_url,
            author: feed_title,
            language: None,
            updated,
        },
        entries,
    )
}

/// An Atom feed with every feed-level field given. Entries are written in
/// the order given.
pub fn atom_feed(meta: &FeedMeta, entries: &[FeedEntry]) -> String {
    let mut xml = String::with_capacity(1024 + entries.len() * 512);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\"");
    if let Some(lang) = meta.language.filter(|l| !l.is_empty()) {
        xml.push_str(&format!(" xml:lang=\"{}\"", xml_attr(lang)));
    }
    xml.push_str(">\n");
    push_element(&mut xml, 1, "id", meta.feed_url);
    xml.push_str(&format!(
        "  <title type=\"text\">{}</title>\n",
        xml_text(meta.title)
    ));
    push_element(&mut xml, 1, "updated", &timestamp(meta.updated));
    xml.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml_attr(meta.feed_url)
    ));
    xml.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml_attr(meta.site_url)
    ));
    let author = if meta.author.trim().is_empty() {
        meta.title
    } else {
        meta.author
    };
    xml.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        xml_text(author)
    ));
    xml.push_str("  <generator>trede</generator>\n");
    for entry in entries {
        xml.push_str("  <entry>\n");
        push_element(&mut xml, 2, "id", &entry.id);
        xml.push_str(&format!(
            "    <title type=\"text\">{}</title>\n",
            xml_text(&entry.title)
        ));
        xml.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml_attr(&entry.url)
        ));
        push_element(&mut xml, 2, "updated", &timestamp(entry.updated));
        xml.push_str(&format!(
            "    <summary type=\"text\">{}</summary>\n",
            xml_text(&entry.summary)
        ));
        if let Some(html) = &entry.content_html {
            xml.push_str(&format!(
                "    <content type=\"html\">{}</content>\n",
                xml_text(html)
            ));
        }
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

fn push_element(xml: &mut String, depth: usize, name: &str, text: &str) {
    for _ in 0..depth {
        xml.push_str("  ");
    }
    xml.push_str(&format!("<{name}>{}</{name}>\n", xml_text(text)));
}

/// An Atom date-time for a civil date: `YYYY-MM-DDT00:00:00Z`.
pub fn timestamp(date: Date) -> String {
    format!("{date}T00:00:00Z")
}

/// What happened to a certificate, as announced in the register feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// Issued within [`NEW_DAYS`] before the reference date.
    NewlyCertified,
    /// Expires within [`EXPIRING_DAYS`] (status `expiring`).
    Expiring,
    /// Expired within [`EXPIRED_DAYS`] before the reference date.
    Expired,
    /// Recorded as suspended.
    Suspended,
    /// Recorded as withdrawn.
    Withdrawn,
}

impl ChangeKind {
    /// Whether the event has a date of its own, from the certificate's
    /// dates; suspensions and withdrawals are dated at the reference date.
    pub fn is_dated(self) -> bool {
        !matches!(self, ChangeKind::Suspended | ChangeKind::Withdrawn)
    }

    /// The key used in entry ids.
    pub fn key(self) -> &'static str {
        match self {
            ChangeKind::NewlyCertified => "nieuw",
            ChangeKind::Expiring => "verloopt",
            ChangeKind::Expired => "verlopen",
            ChangeKind::Suspended => "geschorst",
            ChangeKind::Withdrawn => "ingetrokken",
        }
    }
}

/// The words of the register-changes feed, from the theme's strings file
/// (`[feed]`), so that the feed speaks the site's language.
#[derive(Debug, Clone)]
pub struct FeedWords {
    strings: toml::Table,
}

impl FeedWords {
    /// The `[feed]` table of a strings file.
    pub fn from_strings(strings: &toml::Table) -> Self {
        let strings = match strings.get("feed") {
            Some(toml::Value::Table(feed)) => feed.clone(),
            _ => toml::Table::new(),
        };
        FeedWords { strings }
    }

    /// A template by key, or the key itself when the strings file lacks it.
    fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.strings
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or(key)
    }

    /// A level as it reads inside a sentence ("trede 2").
    pub fn level(&self, level: Level) -> &str {
        self.strings
            .get("levels")
            .and_then(|l| l.get(level.key()))
            .and_then(|v| v.as_str())
            .unwrap_or(level.key())
    }
}

/// The certificate events of one organisation on the reference date, with
/// the date each took effect. Derived from the certificate dates, the
/// recorded status and the reference date only:
///
/// - new: issued at most [`NEW_DAYS`] before the reference date (dated at
///   issue);
/// - expiring: status `expiring` (dated [`EXPIRING_DAYS`] before expiry, the
///   day it entered that window);
/// - expired: status `expired` and expired at most [`EXPIRED_DAYS`] ago
///   (dated the day after `expires`);
/// - suspended, withdrawn: as recorded. Records carry no date for these, so
///   they are dated at the reference date (their ids stay the same across
///   builds, so feed readers do not show them twice).
pub fn changes(computed: &Computed, reference: Date) -> Vec<(ChangeKind, Date)> {
    let cert = &computed.org.certificate;
    let mut out = Vec::new();
    if cert.issued <= reference && cert.issued >= reference.saturating_sub(NEW_DAYS.days()) {
        out.push((ChangeKind::NewlyCertified, cert.issued));
    }
    match computed.status {
        CertificateStatus::Expiring => out.push((
            ChangeKind::Expiring,
            cert.expires.saturating_sub(EXPIRING_DAYS.days()),
        )),
        CertificateStatus::Expired
            if cert.expires >= reference.saturating_sub(EXPIRED_DAYS.days()) =>
        {
            out.push((ChangeKind::Expired, cert.expires.saturating_add(1.day())));
        }
        CertificateStatus::Suspended => out.push((ChangeKind::Suspended, reference)),
        CertificateStatus::Withdrawn => out.push((ChangeKind::Withdrawn, reference)),
        _ => {}
    }
    out
}

/// The feed entry for one event.
pub fn change_entry(
    computed: &Computed,
    kind: ChangeKind,
    date: Date,
    urls: &Urls,
    words: &FeedWords,
) -> FeedEntry {
    let org = &computed.org;
    let cert = &org.certificate;
    let url = urls.absolute(&urls::organisation_dir(&org.id));
    let place = format!("{} ({})", org.city, org.province);
    let (issued, expires, days) = (
        cert.issued.to_string(),
        cert.expires.to_string(),
        EXPIRING_DAYS.to_string(),
    );
    let values = [
        ("name", org.name.as_str()),
        ("level", words.level(computed.level)),
        ("place", place.as_str()),
        ("number", cert.number.as_str()),
        ("body", cert.body.as_str()),
        ("issued", issued.as_str()),
        ("expires", expires.as_str()),
        ("days", days.as_str()),
    ];
    let prefix = match kind {
        ChangeKind::NewlyCertified if computed.level == Level::Aspirant => "new_aspirant",
        ChangeKind::NewlyCertified => "new",
        ChangeKind::Expiring => "expiring",
        ChangeKind::Expired => "expired",
        ChangeKind::Suspended => "suspended",
        ChangeKind::Withdrawn => "withdrawn",
    };
    let fill = |key: String| fill_placeholders(words.get(&key), values.iter().copied());
    let (title, summary) = (
        fill(format!("{prefix}_title")),
        fill(format!("{prefix}_summary")),
    );
    FeedEntry {
        // Stable per certificate (issue date) and event.
        id: format!("{url}#{}-{}", kind.key(), cert.issued),
        title,
        url,
        updated: date,
        summary,
        content_html: None,
    }
}

/// The first `limit` certificate events of the registry on its reference
/// date: the dated ones newest first, then the suspended and withdrawn
/// certificates, whose records carry no date; each group by organisation
/// id and event after that (an order without ties, so the events kept do
/// not depend on the input's order). Were the undated ones dated at the
/// reference date and first, a large registry's feed would hold nothing
/// else, and always the same few of them.
pub fn registry_entries(
    registry: &Registry,
    urls: &Urls,
    words: &FeedWords,
    limit: usize,
) -> Vec<FeedEntry> {
    let mut events: Vec<(Date, &str, ChangeKind, &Computed)> = Vec::new();
    for computed in &registry.organisations {
        for (kind, date) in changes(computed, registry.reference_date) {
            events.push((date, &computed.org.id, kind, computed));
        }
    }
    events.sort_unstable_by(|a, b| {
        b.2.is_dated()
            .cmp(&a.2.is_dated())
            .then(b.0.cmp(&a.0))
            .then_with(|| a.1.cmp(b.1))
            .then(a.2.cmp(&b.2))
    });
    // Only the entries kept are written out.
    events
        .into_iter()
        .take(limit)
        .map(|(date, _, kind, computed)| change_entry(computed, kind, date, urls, words))
        .collect()
}

/// `feeds/register.xml`: the register's newest certificate events (see
/// [`changes`]), at most `config.feeds.register_entries` of them, each
/// linking to the organisation's page. The full lists are the register's
/// pages; a feed reader wants a feed it can poll, which at 100,000
/// organisations the whole list (some 23 MB) is not.
pub fn registry_changes(
    registry: &Registry,
    config: &SiteConfig,
    urls: &Urls,
    words: &FeedWords,
) -> OutputFile {
    let entries = registry_entries(registry, urls, words, config.feeds.register_entries);
    let title = fill_placeholders(
        words.get("title"),
        [("title", config.title.as_str())].into_iter(),
    );
    let feed_url = urls.absolute(REGISTRY_FEED_PATH);
    let author = if config.publisher.name.trim().is_empty() {
        config.title.as_str()
    } else {
        config.publisher.name.as_str()
    };
    let xml = atom_feed(
        &FeedMeta {
            title: &title,
            feed_url: &feed_url,
            site_url: urls.base_url(),
            author,
            language: Some(&config.language),
            updated: registry.reference_date,
        },
        &entries,
    );
    OutputFile::new(REGISTRY_FEED_PATH, xml)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The default theme's Dutch feed words.
    fn test_words() -> FeedWords {
        FeedWords::from_strings(
            &crate::theme::default_strings("nl").expect("the default theme speaks Dutch"),
        )
    }
    use jiff::civil::date;
    use quick_xml::Reader;
    use quick_xml::events::Event;

    /// (element path, text) of every element with text, unescaped by a
    /// real parser (quick-xml), in document order.
    pub(crate) fn texts(xml: &str) -> Vec<(String, String)> {
        let mut reader = Reader::from_str(xml);
        let mut path: Vec<String> = Vec::new();
        let mut buffer = String::new();
        let mut out = Vec::new();
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) => {
                    buffer.clear();
                    path.push(String::from_utf8(e.local_name().as_ref().to_vec()).unwrap());
                }
                Event::End(_) => {
                    if !buffer.trim().is_empty() {
                        out.push((path.join("/"), std::mem::take(&mut buffer)));
                    }
                    buffer.clear();
                    path.pop();
                }
                Event::Text(t) => buffer.push_str(&t.decode().unwrap()),
                Event::CData(t) => buffer.push_str(&t.decode().unwrap()),
                Event::GeneralRef(r) => {
                    if let Some(c) = r.resolve_char_ref().unwrap() {
                        buffer.push(c);
                    } else {
                        let name = r.decode().unwrap();
                        let resolved = quick_xml::escape::resolve_predefined_entity(&name)
                            .expect("only predefined entities");
                        buffer.push_str(resolved);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        out
    }

    pub(crate) fn values<'a>(texts: &'a [(String, String)], path: &str) -> Vec<&'a str> {
        texts
            .iter()
            .filter(|(k, _)| k == path)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    #[test]
    fn atom_escapes_every_text_and_parses() {
        let evil = "<script>alert(\"x\")</script> & 'co' \u{1}";
        let entry = FeedEntry {
            id: "https://x.nl/a/?q=1&r=2".into(),
            title: evil.into(),
            url: "https://x.nl/a/?q=1&r=\"2\"".into(),
            updated: date(2026, 3, 4),
            summary: evil.into(),
            content_html: Some("<p>Hallo &amp; <b>welkom</b></p>".into()),
        };
        let xml = atom(
            "Blog & co",
            "https://x.nl/feeds/blog.xml",
            "https://x.nl/",
            date(2026, 3, 5),
            &[entry],
        );
        assert!(!xml.contains("<script>"));
        let texts = texts(&xml);
        let get = |p: &str| values(&texts, p);
        assert_eq!(get("feed/title"), ["Blog & co"]);
        assert_eq!(get("feed/author/name"), ["Blog & co"]);
        assert_eq!(get("feed/updated"), ["2026-03-05T00:00:00Z"]);
        assert_eq!(
            get("feed/entry/title"),
            ["<script>alert(\"x\")</script> & 'co' "]
        );
        assert_eq!(get("feed/entry/id"), ["https://x.nl/a/?q=1&r=2"]);
        assert_eq!(
            get("feed/entry/content"),
            ["<p>Hallo &amp; <b>welkom</b></p>"]
        );
        assert_eq!(get("feed/entry/updated"), ["2026-03-04T00:00:00Z"]);
    }

    #[test]
    fn empty_feed_is_valid() {
        let xml = atom(
            "T",
            "https://x.nl/f.xml",
            "https://x.nl/",
            date(2026, 1, 1),
            &[],
        );
        assert!(
            texts(&xml)
                .iter()
                .any(|(k, v)| k == "feed/id" && v == "https://x.nl/f.xml")
        );
        assert!(!xml.contains("<entry>"));
    }

    #[test]
    fn registry_feed_lists_events_newest_first() {
        let (registry, config, urls) = crate::opendata::test_support::registry();
        let file = registry_changes(&registry, &config, &urls, &test_words());
        assert_eq!(file.path, REGISTRY_FEED_PATH);
        let xml = String::from_utf8(file.contents.to_vec()).unwrap();
        assert!(!xml.contains("<script>"));
        let texts = texts(&xml);
        let evil_name = crate::opendata::test_support::EVIL_NAME;
        let expected_new = format!("Nieuw gecertificeerd: {evil_name} (trede 2)");
        assert_eq!(
            values(&texts, "feed/entry/title"),
            [
                "Certificaat verloopt binnenkort: Verloopt Binnenkort B.V. (geldig t/m 2027-01-15)",
                expected_new.as_str(),
                "Certificaat verlopen: Verlopen B.V. (was geldig t/m 2026-06-30)",
                // Suspended and withdrawn have no date of their own: after
                // the dated events, dated at the reference date.
                "Certificaat geschorst: Schorsing B.V.",
                "Certificaat ingetrokken: Intrekking B.V.",
            ]
        );
        assert_eq!(
            values(&texts, "feed/entry/updated"),
            [
                "2026-10-17T00:00:00Z",
                "2026-10-01T00:00:00Z",
                "2026-07-01T00:00:00Z",
                "2026-11-30T00:00:00Z",
                "2026-11-30T00:00:00Z",
            ]
        );
        assert!(
            values(&texts, "feed/entry/id")
                .contains(&"https://u.github.io/reg/organisaties/a-evil/#nieuw-2026-10-01")
        );
        assert_eq!(
            values(&texts, "feed/title"),
            ["Register & co: wijzigingen in het register"]
        );
        // Deterministic.
        assert_eq!(
            registry_changes(&registry, &config, &urls, &test_words()).contents,
            xml.into_bytes()
        );
    }

    #[test]
    fn registry_feed_keeps_only_the_newest_entries() {
        let (mut registry, mut config, urls) = crate::opendata::test_support::registry();
        let titles = |registry: &Registry, config: &SiteConfig| {
            let xml = registry_changes(registry, config, &urls, &test_words()).contents;
            let texts = texts(std::str::from_utf8(&xml).unwrap());
            let updated = values(&texts, "feed/updated")
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>();
            let titles = values(&texts, "feed/entry/title")
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>();
            (updated, titles)
        };
        assert_eq!(config.feeds.register_entries, 200);
        let (updated, all) = titles(&registry, &config);
        assert_eq!(all.len(), 5);
        for limit in [1, 2, 4, 5, 6] {
            config.feeds.register_entries = limit;
            let (kept_updated, kept) = titles(&registry, &config);
            assert_eq!(kept, all[..limit.min(5)], "{limit}");
            assert_eq!(kept_updated, updated, "the feed's date stays the build's");
        }
        // The two undated entries tie on the date; the id decides, whatever
        // the order of the records.
        config.feeds.register_entries = 4;
        let (_, first) = titles(&registry, &config);
        registry.organisations.reverse();
        assert_eq!(titles(&registry, &config).1, first);
        assert_eq!(first[3], "Certificaat geschorst: Schorsing B.V.");
    }
}
