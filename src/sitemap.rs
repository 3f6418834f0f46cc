//! `sitemap.xml` under the sitemaps protocol (sitemaps.org, 0.9): one
//! `urlset` while the site has at most 50,000 URLs; above that the URLs go
//! into `sitemap-1.xml`, `sitemap-2.xml`, ... (each at most 50,000 URLs and
//! 50 MiB) and `sitemap.xml` becomes a sitemap index pointing at them.
//!
//! Locations are percent-encoded where the protocol requires it (spaces,
//! non-ASCII, control characters) and then escaped for XML.

use jiff::civil::Date;

use crate::escape::xml_text;
use crate::output::OutputFile;
use crate::urls::Urls;

/// Output path of the sitemap (or the sitemap index).
pub const SITEMAP_PATH: &str = "sitemap.xml";

/// The protocol's limit of URLs in one sitemap file.
pub const MAX_URLS: usize = 50_000;

/// The protocol's limit on the size of one (uncompressed) sitemap file.
pub const MAX_BYTES: usize = 50 * 1024 * 1024;

const NAMESPACE: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const URLSET_CLOSE: &str = "</urlset>\n";

/// One URL of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapEntry {
    /// Absolute URL of the page.
    pub loc: String,
    /// When the page last changed, if known.
    pub lastmod: Option<Date>,
}

impl SitemapEntry {
    /// An entry for an absolute URL.
    pub fn new(loc: impl Into<String>, lastmod: Option<Date>) -> Self {
        SitemapEntry {
            loc: loc.into(),
            lastmod,
        }
    }
}

/// The sitemap files for `entries`, in the order given: `sitemap.xml` alone,
/// or an index `sitemap.xml` plus `sitemap-<n>.xml` files when the entries do
/// not fit one file. `urls` makes the absolute URLs in the index.
pub fn files(entries: &[SitemapEntry], urls: &Urls) -> Vec<OutputFile> {
    let chunks = split(entries);
    if chunks.len() <= 1 {
        let body = chunks.into_iter().next().unwrap_or_default();
        return vec![OutputFile::new(SITEMAP_PATH, urlset(&body))];
    }
    let mut files = Vec::with_capacity(chunks.len() + 1);
    let mut index = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    index.push_str(&format!("<sitemapindex xmlns=\"{NAMESPACE}\">\n"));
    for (i, chunk) in chunks.iter().enumerate() {
        let path = format!("sitemap-{}.xml", i + 1);
        index.push_str("  <sitemap>\n");
        index.push_str(&format!(
            "    <loc>{}</loc>\n",
            xml_text(&encode_loc(&urls.absolute(&path)))
        ));
        let newest = chunk.iter().filter_map(|(_, lastmod)| *lastmod).max();
        if let Some(lastmod) = newest {
            index.push_str(&format!("    <lastmod>{lastmod}</lastmod>\n"));
        }
        index.push_str("  </sitemap>\n");
        files.push(OutputFile::new(path, urlset(chunk)));
    }
    index.push_str("</sitemapindex>\n");
    files.insert(0, OutputFile::new(SITEMAP_PATH, index));
    files
}

/// The `<url>` elements, grouped into files that respect both limits.
fn split(entries: &[SitemapEntry]) -> Vec<Vec<(String, Option<Date>)>> {
    let overhead = header().len() + URLSET_CLOSE.len();
    let mut chunks: Vec<Vec<(String, Option<Date>)>> = Vec::new();
    let mut current: Vec<(String, Option<Date>)> = Vec::new();
    let mut bytes = overhead;
    for entry in entries {
        let element = url_element(entry);
        if !current.is_empty() && (current.len() == MAX_URLS || bytes + element.len() > MAX_BYTES) {
            chunks.push(std::mem::take(&mut current));
            bytes = overhead;
        }
        bytes += element.len();
        current.push((element, entry.lastmod));
    }
    if !current.is_empty() || chunks.is_empty() {
        chunks.push(current);
    }
    chunks
}

fn header() -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"{NAMESPACE}\">\n")
}

fn urlset(elements: &[(String, Option<Date>)]) -> String {
    let mut xml = header();
    xml.reserve(elements.iter().map(|(e, _)| e.len()).sum::<usize>() + URLSET_CLOSE.len());
    for (element, _) in elements {
        xml.push_str(element);
    }
    xml.push_str(URLSET_CLOSE);
    xml
}

fn url_element(entry: &SitemapEntry) -> String {
    let loc = xml_text(&encode_loc(&entry.loc));
    match entry.lastmod {
        Some(date) => format!("  <url><loc>{loc}</loc><lastmod>{date}</lastmod></url>\n"),
        None => format!("  <url><loc>{loc}</loc></url>\n"),
    }
}

/// Percent-encodes what may not appear raw in a sitemap URL (bytes outside
/// printable ASCII, spaces, and `"<>\^`{|}`), leaving existing `%`
/// escapes and reserved characters alone.
pub fn encode_loc(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for byte in url.bytes() {
        match byte {
            b'!' | b'#'..=b';' | b'=' | b'?'..=b'[' | b']' | b'_' | b'a'..=b'z' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feeds::tests::{texts, values};
    use jiff::civil::date;

    fn urls() -> Urls {
        Urls::new("https://u.github.io/reg/")
    }

    #[test]
    fn one_file_with_escaped_urls() {
        let entries = [
            SitemapEntry::new("https://u.github.io/reg/", Some(date(2026, 11, 30))),
            SitemapEntry::new("https://u.github.io/reg/zoek/?q=a&b=<c>", None),
            SitemapEntry::new("https://u.github.io/reg/blog/café déjà/", None),
        ];
        let files = files(&entries, &urls());
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].path, "sitemap.xml");
        let xml = String::from_utf8(files[0].contents.to_vec()).unwrap();
        assert!(xml.contains("&amp;"));
        let texts = texts(&xml);
        assert_eq!(
            values(&texts, "urlset/url/loc"),
            [
                "https://u.github.io/reg/",
                "https://u.github.io/reg/zoek/?q=a&b=%3Cc%3E",
                "https://u.github.io/reg/blog/caf%C3%A9%20d%C3%A9j%C3%A0/",
            ]
        );
        assert_eq!(values(&texts, "urlset/url/lastmod"), ["2026-11-30"]);
    }

    #[test]
    fn empty_site_has_an_empty_urlset() {
        let files = files(&[], &urls());
        assert_eq!(files.len(), 1);
        let xml = String::from_utf8(files[0].contents.to_vec()).unwrap();
        assert!(texts(&xml).is_empty());
        assert!(xml.contains("<urlset"));
    }

    #[test]
    fn splits_above_fifty_thousand_urls() {
        let entries: Vec<SitemapEntry> = (0..=MAX_URLS)
            .map(|i| {
                let lastmod = (i == MAX_URLS).then(|| date(2026, 5, 6));
                SitemapEntry::new(format!("https://u.github.io/reg/p/{i}/"), lastmod)
            })
            .collect();
        let files = files(&entries, &urls());
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml"]);

        let index = texts(std::str::from_utf8(&files[0].contents).unwrap());
        assert!(
            std::str::from_utf8(&files[0].contents)
                .unwrap()
                .contains("<sitemapindex")
        );
        assert_eq!(
            values(&index, "sitemapindex/sitemap/loc"),
            [
                "https://u.github.io/reg/sitemap-1.xml",
                "https://u.github.io/reg/sitemap-2.xml"
            ]
        );
        assert_eq!(
            values(&index, "sitemapindex/sitemap/lastmod"),
            ["2026-05-06"]
        );

        let first = texts(std::str::from_utf8(&files[1].contents).unwrap());
        let second = texts(std::str::from_utf8(&files[2].contents).unwrap());
        assert_eq!(values(&first, "urlset/url/loc").len(), MAX_URLS);
        assert_eq!(
            values(&second, "urlset/url/loc"),
            [format!("https://u.github.io/reg/p/{MAX_URLS}/").as_str()]
        );
        assert_eq!(
            values(&first, "urlset/url/loc")[0],
            "https://u.github.io/reg/p/0/"
        );
    }

    #[test]
    fn splits_at_the_size_limit() {
        // 2,000-byte URLs hit the size limit long before the count limit.
        let long = "x".repeat(2000);
        let count = MAX_BYTES / 2000 + 10;
        let entries: Vec<SitemapEntry> = (0..count)
            .map(|i| SitemapEntry::new(format!("https://x.nl/{long}/{i}"), None))
            .collect();
        let files = files(&entries, &urls());
        assert_eq!(files.len(), 3);
        assert!(files.iter().all(|f| f.contents.len() <= MAX_BYTES));
    }
}
