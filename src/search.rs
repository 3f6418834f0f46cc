//! Static search: an index of the registry and the content pages, written as
//! small JSON files that `search.js` fetches on demand, so search works on a
//! static host (GitHub Pages) without a server or third-party requests, and
//! the search page (`zoeken/`) and the supplier screening page
//! (`leveranciers-controleren/`) that use it.
//!
//! The index is laid out for 100,000 organisations, so that a first query
//! transfers little:
//!
//! - `search/facets.json`: the entry point, fetched once per visit. Labels
//!   and counts of every level, status, province and sector, the stop words,
//!   and one character per organisation coding its level, status and
//!   PSO 30+ (`codes`). Organisations are numbered in the order
//!   (province, sector, name), so a province or a sector is a set of
//!   contiguous ranges (`groups`) and needs no id list at all.
//! - `search/t/<xy>.json`: token shards by the first two characters of a
//!   normalised token. Each maps tokens to sorted organisation numbers,
//!   delta-encoded, per field: `n` name words, `c` city words, `k` KvK
//!   numbers. A query token reads one shard and keeps every token that
//!   starts with it (prefix search). Province and sector words are matched
//!   against `facets.json` instead, as ranges.
//! - `search/k/<bucket>.json`: exact lookup of KvK and certificate numbers
//!   (by [`exact_key`]), bucketed by an FNV-1a hash of the key, because
//!   certificate numbers share their prefix.
//!   Each entry gives the organisation's number and id, so an exact number
//!   leads straight to the organisation page.
//! - `search/o/<n>.json`: display records in chunks of [`CHUNK_SIZE`]
//!   organisations (organisation `i` is record `i % CHUNK_SIZE` of chunk
//!   `i / CHUNK_SIZE`): name, id (the URL is `organisaties/<id>/`), city, KvK,
//!   level and status (indexes into the labels of `facets.json`), PSO 30+,
//!   issue and expiry dates. Province and sector follow from the number.
//! - `search/pages.json`: blog posts and explainers with title, URL,
//!   section, a short excerpt and stemmed tokens ([`stem`]).
//!
//! Every file is deterministic (sorted keys, numbering fixed by the sort
//! above). `facets.json` carries a version hash of the other files, which
//! the client appends to their URLs so a visit never mixes two builds.
//! Nothing from a measurement goes into the index: no per-row figures, no
//! percentages, only what the organisation pages show in their header.

use std::collections::{BTreeMap, BTreeSet};

use pulldown_cmark::{Event, Options, Parser, TagEnd};
use serde::Serialize;
use tera::Context;

use crate::content::{self, Content};
use crate::diagnostics::Diagnostic;
use crate::ladder::{CertificateStatus, Level};
use crate::output::OutputFile;
use crate::registry::{Computed, Registry};
use crate::render::Renderer;
use crate::render::views::{self, Vocabulary};
use crate::urls;

/// Folder of the index files.
pub const INDEX_DIR: &str = "search/";
/// Output folder of the search page.
pub const SEARCH_DIR: &str = "zoeken/";
/// Output folder of the screening page.
pub const SCREENING_DIR: &str = "leveranciers-controleren/";
/// Organisations per display chunk.
/// Measured on a generated registry of 100,000: the first page of 20
/// results needs 3 to 17 chunks of 100 (9 to 57 kB gzipped) against 1 to 5
/// chunks of 1000 (27 to 137 kB), because results spread over the numbering.
pub const CHUNK_SIZE: usize = 100;
/// Exact-lookup keys aimed for per bucket.
const KEYS_PER_BUCKET: usize = 256;
/// Tokens shorter than this are not indexed (and a shard key has this length).
const MIN_TOKEN: usize = 2;
/// Words too common to search on, sorted. The client gets them from
/// `facets.json`.
pub const STOPWORDS: [&str; 17] = [
    "bv", "de", "den", "der", "een", "en", "het", "in", "nv", "of", "op", "te", "ten", "ter",
    "van", "vof", "voor",
];
/// One character per level, status and PSO 30+ combination:
/// `level * 10 + status * 2 + pso30`.
const CODE_ALPHABET: &[u8; 50] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn";
/// Suffixes [`stem`] strips, longest first.
const SUFFIXES: [&str; 8] = ["heden", "ingen", "heid", "lijk", "ing", "en", "s", "e"];
/// Length of a page excerpt, in characters.
const EXCERPT: usize = 160;

/// Lowercase ASCII without diacritics: `Fryslân` becomes `fryslan`.
pub fn normalise(text: &str) -> String {
    deunicode::deunicode(text).to_ascii_lowercase()
}

/// The normalised words of a text: runs of ASCII letters and digits.
pub fn tokens(text: &str) -> Vec<String> {
    normalise(text)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether a normalised token goes into the index.
pub fn indexable(token: &str) -> bool {
    token.len() >= MIN_TOKEN && STOPWORDS.binary_search(&token).is_err()
}

/// Simple Dutch stemming for page search, twice: strips one of `-heden`,
/// `-ingen`, `-heid`, `-lijk`, `-ing`, `-en`, `-s`, `-e` when at least three
/// characters remain, then undoubles a final double consonant and, after
/// `-en` or `-e`, turns a final `v` or `z` into `f` or `s`
/// (`bedrijven` and `bedrijf` both give `bedrijf`; `organisaties` and
/// `organisatie` both give `organisati`). `search.js` does the same.
pub fn stem(token: &str) -> String {
    let mut word = token.to_string();
    for _ in 0..2 {
        word = strip_suffix(word);
    }
    word
}

fn strip_suffix(mut word: String) -> String {
    for suffix in SUFFIXES {
        if word.len() >= suffix.len() + 3 && word.ends_with(suffix) {
            word.truncate(word.len() - suffix.len());
            if suffix == "en" || suffix == "e" {
                if word.ends_with('v') {
                    word.pop();
                    word.push('f');
                } else if word.ends_with('z') {
                    word.pop();
                    word.push('s');
                }
            }
            let bytes = word.as_bytes();
            let n = bytes.len();
            if n >= 4 && bytes[n - 1] == bytes[n - 2] && !b"aeiou".contains(&bytes[n - 1]) {
                word.pop();
            }
            break;
        }
    }
    word
}

/// FNV-1a (32 bits) of a normalised number, masked to `bits` bits: the
/// exact-lookup bucket. `search.js` computes the same.
pub fn bucket(key: &str, bits: u32) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in key.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    if bits == 0 {
        0
    } else {
        hash & ((1 << bits) - 1)
    }
}

/// The exact-lookup key of a KvK or certificate number: its letters and
/// digits, or only its digits when it has at least six (`PSO-2025-00420`,
/// `pso 2025 00420` and `2025-00420` all give `202500420`). `search.js`
/// computes the same for a query.
pub fn exact_key(number: &str) -> String {
    let alnum = tokens(number).concat();
    let digits: String = alnum.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 6 { digits } else { alnum }
}

/// The exact-lookup keys of an organisation: its KvK number and its
/// certificate number, each by [`exact_key`].
pub fn identifier_keys(kvk: &str, certificate: &str) -> Vec<String> {
    let mut keys: Vec<String> = [exact_key(kvk), exact_key(certificate)]
        .into_iter()
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// One organisation in a display chunk, written as a JSON array:
/// `[name, id, city, kvk, level, status, pso30plus, issued, expires]`.
#[derive(Debug, Serialize)]
struct Record<'a>(
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    usize,
    usize,
    u8,
    String,
    String,
);

/// An exact-lookup bucket: normalised number to `(number, id)` pairs.
type Bucket<'a> = BTreeMap<String, Vec<(u32, &'a str)>>;

/// A token shard: tokens to delta-encoded organisation numbers, per field.
#[derive(Debug, Default, Serialize)]
struct Shard {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    n: BTreeMap<String, Vec<u32>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    c: BTreeMap<String, Vec<u32>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    k: BTreeMap<String, Vec<u32>>,
}

#[derive(Debug, Serialize)]
struct LabelCount {
    key: &'static str,
    label: String,
    count: usize,
}

#[derive(Debug, Serialize)]
struct FacetValue {
    name: String,
    slug: String,
    /// Normalised words of the name (and aliases), for matching query words.
    tokens: Vec<String>,
    count: usize,
}

#[derive(Debug, Serialize)]
struct Facets<'a> {
    /// Version: a hash of every other index file.
    v: String,
    /// Number of organisations.
    n: usize,
    chunk: usize,
    /// Bits of the exact-lookup bucket number.
    kbits: u32,
    /// The two-character prefixes that have a token shard, concatenated.
    shards: String,
    /// The characters of `codes`, by code.
    alphabet: &'a str,
    stop: &'a [&'a str],
    levels: Vec<LabelCount>,
    statuses: Vec<LabelCount>,
    provinces: Vec<FacetValue>,
    sectors: Vec<FacetValue>,
    /// `[province, sector, first number, count]`, in number order.
    groups: Vec<[usize; 4]>,
    pso30: usize,
    /// One character of [`CODE_ALPHABET`] per organisation.
    codes: String,
}

#[derive(Debug, Serialize)]
struct PageEntry {
    title: String,
    url: String,
    section: String,
    excerpt: String,
    /// Stemmed title tokens.
    t: Vec<String>,
    /// Stemmed tokens of the description and body not in the title.
    b: Vec<String>,
}

#[derive(Debug, Serialize)]
struct PagesIndex {
    pages: Vec<PageEntry>,
}

/// The order organisations are numbered in, and the facets that follow.
struct Numbering<'a> {
    /// Number to organisation.
    orgs: Vec<&'a Computed>,
    /// Province and sector index of every number.
    place: Vec<(usize, usize)>,
    provinces: Vec<(String, String)>,
    sectors: Vec<(String, String)>,
}

fn number(registry: &Registry) -> Numbering<'_> {
    let mut province_names: BTreeMap<String, String> = BTreeMap::new();
    let mut sector_names: BTreeMap<String, String> = BTreeMap::new();
    for c in &registry.organisations {
        province_names
            .entry(views::slug(c.org.province))
            .or_insert_with(|| c.org.province.to_string());
        sector_names
            .entry(views::slug(&c.org.sector))
            .or_insert_with(|| c.org.sector.clone());
    }
    let provinces: Vec<(String, String)> = province_names.into_iter().collect();
    let sectors: Vec<(String, String)> = sector_names.into_iter().collect();
    let position = |list: &[(String, String)], slug: &str| {
        list.binary_search_by(|(s, _)| s.as_str().cmp(slug))
            .unwrap_or(0)
    };
    let mut keyed: Vec<(usize, usize, String, &Computed)> = registry
        .organisations
        .iter()
        .map(|c| {
            (
                position(&provinces, &views::slug(c.org.province)),
                position(&sectors, &views::slug(&c.org.sector)),
                normalise(&c.org.name),
                c,
            )
        })
        .collect();
    keyed.sort_by(|a, b| (a.0, a.1, &a.2, &a.3.org.id).cmp(&(b.0, b.1, &b.2, &b.3.org.id)));
    Numbering {
        place: keyed.iter().map(|k| (k.0, k.1)).collect(),
        orgs: keyed.into_iter().map(|k| k.3).collect(),
        provinces,
        sectors,
    }
}

fn level_index(level: Level) -> usize {
    Level::ALL.iter().position(|l| *l == level).unwrap_or(0)
}

fn status_index(status: CertificateStatus) -> usize {
    CertificateStatus::ALL
        .iter()
        .position(|s| *s == status)
        .unwrap_or(0)
}

fn deltas(ids: &[u32]) -> Vec<u32> {
    let mut previous = 0;
    ids.iter()
        .enumerate()
        .map(|(i, &id)| {
            let d = if i == 0 { id } else { id - previous };
            previous = id;
            d
        })
        .collect()
}

fn json(value: &impl Serialize) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

fn push_posting(map: &mut BTreeMap<String, Vec<u32>>, token: &str, id: u32) {
    let list = map.entry(token.to_string()).or_default();
    if list.last() != Some(&id) {
        list.push(id);
    }
}

/// The search index: token shards, display chunks, exact lookup, facets and
/// the pages index, under `search/`.
pub fn files(
    registry: &Registry,
    content: &Content,
    r: &Renderer,
    words: &Vocabulary,
) -> Vec<OutputFile> {
    let numbering = number(registry);
    let total = numbering.orgs.len();
    let mut out = Vec::new();

    // Token shards.
    let mut shards: BTreeMap<String, Shard> = BTreeMap::new();
    for (n, c) in numbering.orgs.iter().enumerate() {
        let id = n as u32;
        let fields = [
            (0, tokens(&c.org.name)),
            (1, tokens(&c.org.city)),
            (2, tokens(&c.org.kvk)),
        ];
        for (field, list) in fields {
            for token in list.iter().filter(|t| indexable(t)) {
                let shard = shards.entry(token[..MIN_TOKEN].to_string()).or_default();
                let map = match field {
                    0 => &mut shard.n,
                    1 => &mut shard.c,
                    _ => &mut shard.k,
                };
                push_posting(map, token, id);
            }
        }
    }
    let prefixes: String = shards.keys().map(String::as_str).collect();
    for (prefix, mut shard) in shards {
        for map in [&mut shard.n, &mut shard.c, &mut shard.k] {
            for ids in map.values_mut() {
                *ids = deltas(ids);
            }
        }
        out.push(OutputFile::new(
            format!("{INDEX_DIR}t/{prefix}.json"),
            json(&shard),
        ));
    }

    // Display chunks.
    for (i, chunk) in numbering.orgs.chunks(CHUNK_SIZE).enumerate() {
        let records: Vec<Record> = chunk
            .iter()
            .map(|c| {
                Record(
                    &c.org.name,
                    &c.org.id,
                    &c.org.city,
                    &c.org.kvk,
                    level_index(c.level),
                    status_index(c.status),
                    u8::from(c.outcome.pso30plus),
                    c.org.certificate.issued.to_string(),
                    c.org.certificate.expires.to_string(),
                )
            })
            .collect();
        out.push(OutputFile::new(
            format!("{INDEX_DIR}o/{i}.json"),
            json(&records),
        ));
    }

    // Exact lookup of KvK and certificate numbers.
    let keys: Vec<(String, u32, &str)> = numbering
        .orgs
        .iter()
        .enumerate()
        .flat_map(|(n, c)| {
            identifier_keys(&c.org.kvk, &c.org.certificate.number)
                .into_iter()
                .map(move |k| (k, n as u32, c.org.id.as_str()))
        })
        .collect();
    let mut kbits = 0;
    while (1usize << kbits) * KEYS_PER_BUCKET < keys.len() && kbits < 12 {
        kbits += 1;
    }
    let mut buckets: BTreeMap<u32, Bucket> = BTreeMap::new();
    for (key, n, id) in keys {
        let entry = buckets
            .entry(bucket(&key, kbits))
            .or_default()
            .entry(key)
            .or_default();
        entry.push((n, id));
    }
    for (b, map) in buckets {
        out.push(OutputFile::new(
            format!("{INDEX_DIR}k/{b}.json"),
            json(&map),
        ));
    }

    // Pages.
    out.push(OutputFile::new(
        format!("{INDEX_DIR}pages.json"),
        json(&pages_index(content, r)),
    ));

    // Facets, with the version of everything above.
    let mut hasher = blake3::Hasher::new();
    for file in &out {
        hasher.update(file.path.as_bytes());
        hasher.update(&[0]);
        hasher.update(&file.contents);
    }
    let version = hasher.finalize().to_hex()[..12].to_string();
    let mut groups: Vec<[usize; 4]> = Vec::new();
    for (n, &(p, s)) in numbering.place.iter().enumerate() {
        match groups.last_mut() {
            Some(g) if g[0] == p && g[1] == s => g[3] += 1,
            _ => groups.push([p, s, n, 1]),
        }
    }
    let count_of =
        |pred: &dyn Fn(&(usize, usize)) -> bool| numbering.place.iter().filter(|x| pred(x)).count();
    let facet_value = |(slug, name): &(String, String), count: usize| {
        let mut list: Vec<String> = tokens(name).into_iter().filter(|t| indexable(t)).collect();
        if slug == "fryslan" {
            list.push("friesland".into());
        }
        list.sort();
        list.dedup();
        FacetValue {
            name: name.clone(),
            slug: slug.clone(),
            tokens: list,
            count,
        }
    };
    let provinces = numbering
        .provinces
        .iter()
        .enumerate()
        .map(|(i, p)| facet_value(p, count_of(&|x| x.0 == i)))
        .collect();
    let sectors = numbering
        .sectors
        .iter()
        .enumerate()
        .map(|(i, s)| facet_value(s, count_of(&|x| x.1 == i)))
        .collect();
    let levels = Level::ALL
        .iter()
        .map(|l| LabelCount {
            key: l.key(),
            label: words.level(*l).label.clone(),
            count: numbering.orgs.iter().filter(|c| c.level == *l).count(),
        })
        .collect();
    let statuses = CertificateStatus::ALL
        .iter()
        .map(|s| LabelCount {
            key: s.key(),
            label: words.status(*s).label.clone(),
            count: numbering.orgs.iter().filter(|c| c.status == *s).count(),
        })
        .collect();
    let codes: String = numbering
        .orgs
        .iter()
        .map(|c| {
            let code = level_index(c.level) * 10
                + status_index(c.status) * 2
                + usize::from(c.outcome.pso30plus);
            CODE_ALPHABET[code] as char
        })
        .collect();
    let facets = Facets {
        v: version,
        n: total,
        chunk: CHUNK_SIZE,
        kbits,
        shards: prefixes,
        alphabet: std::str::from_utf8(CODE_ALPHABET).unwrap_or_default(),
        stop: &STOPWORDS,
        levels,
        statuses,
        provinces,
        sectors,
        groups,
        pso30: numbering
            .orgs
            .iter()
            .filter(|c| c.outcome.pso30plus)
            .count(),
        codes,
    };
    out.push(OutputFile::new(
        format!("{INDEX_DIR}facets.json"),
        json(&facets),
    ));
    out
}

/// Plain text of markdown: the text and code of every block, spaced.
fn plain_text(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut text = String::new();
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell,
            ) => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `EXCERPT` characters of a text, cut at a word.
fn excerpt(text: &str) -> String {
    if text.chars().count() <= EXCERPT {
        return text.to_string();
    }
    let cut: String = text.chars().take(EXCERPT).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > EXCERPT / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':']))
}

fn stems(text: &str) -> BTreeSet<String> {
    tokens(text)
        .iter()
        .filter(|t| indexable(t))
        .map(|t| stem(t))
        .collect()
}

fn pages_index(content: &Content, r: &Renderer) -> PagesIndex {
    let section_title = |section: &str| {
        content
            .pages
            .iter()
            .find(|p| p.is_index && p.section == section)
            .map(|p| p.title.clone())
            .unwrap_or_else(|| section.to_string())
    };
    let mut pages = Vec::new();
    for section in content.sections() {
        let mut list = content.section_pages(&section);
        if section == content::BLOG_SECTION || section == content::EXPLAINER_SECTION {
            // Keep the section's own order.
        } else {
            list.sort_by(|a, b| a.source_path.cmp(&b.source_path));
        }
        for page in list {
            let body = plain_text(&page.markdown);
            let title = stems(&page.title);
            let rest: Vec<String> = stems(&format!("{} {body}", page.description))
                .into_iter()
                .filter(|s| !title.contains(s))
                .collect();
            pages.push(PageEntry {
                title: page.title.clone(),
                url: r.urls.path_url(&page.output_dir),
                section: if section.is_empty() {
                    String::new()
                } else {
                    section_title(&section)
                },
                excerpt: if page.description.trim().is_empty() {
                    excerpt(&body)
                } else {
                    page.description.trim().to_string()
                },
                t: title.into_iter().collect(),
                b: rest,
            });
        }
    }
    PagesIndex { pages }
}

/// A choice in the search form, with its browse page for the page without
/// JavaScript.
#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    label: String,
    /// Organisations with a certificate in force.
    count: usize,
    url: Option<String>,
    checked: bool,
}

/// The search page and the screening page.
pub fn pages(
    r: &Renderer,
    words: &Vocabulary,
    registry: &Registry,
    letters: &[views::Link],
) -> Result<Vec<OutputFile>, Diagnostic> {
    let current: Vec<&Computed> = registry
        .organisations
        .iter()
        .filter(|c| words.status(c.status).ok)
        .collect();
    let levels: Vec<Choice> = Level::ALL
        .iter()
        .map(|l| Choice {
            value: l.key().to_string(),
            label: words.level(*l).label.clone(),
            count: current.iter().filter(|c| c.level == *l).count(),
            url: Some(r.urls.path_url(&format!("register/trede/{}/", l.key()))),
            checked: false,
        })
        .collect();
    let mut provinces: BTreeMap<String, (String, usize)> = BTreeMap::new();
    let mut sectors: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for c in &registry.organisations {
        provinces
            .entry(views::slug(c.org.province))
            .or_insert_with(|| (c.org.province.to_string(), 0));
        sectors
            .entry(views::slug(&c.org.sector))
            .or_insert_with(|| (c.org.sector.clone(), 0));
    }
    for c in &current {
        if let Some(p) = provinces.get_mut(&views::slug(c.org.province)) {
            p.1 += 1;
        }
        if let Some(s) = sectors.get_mut(&views::slug(&c.org.sector)) {
            s.1 += 1;
        }
    }
    let choices = |map: BTreeMap<String, (String, usize)>, prefix: &str| -> Vec<Choice> {
        map.into_iter()
            .map(|(slug, (name, count))| Choice {
                url: (count > 0).then(|| r.urls.path_url(&format!("register/{prefix}/{slug}/"))),
                value: slug,
                label: name,
                count,
                checked: false,
            })
            .collect()
    };
    let statuses: Vec<Choice> = CertificateStatus::ALL
        .iter()
        .map(|s| Choice {
            value: s.key().to_string(),
            label: words.status(*s).label.clone(),
            count: registry
                .organisations
                .iter()
                .filter(|c| c.status == *s)
                .count(),
            url: None,
            checked: words.status(*s).ok,
        })
        .collect();
    let index_url = r.urls.path_url(INDEX_DIR);
    let org_url = r.urls.path_url(&urls::organisation_dir("x"));
    let org_base = org_url.strip_suffix("x/").unwrap_or(&org_url).to_string();

    let strings = |table: &str, extra: &[(&str, String)]| -> String {
        let mut map: BTreeMap<String, serde_json::Value> = BTreeMap::new();
        if let Some(toml::Value::Table(t)) = r.strings.get(table) {
            for (k, v) in t {
                if let toml::Value::String(s) = v {
                    map.insert(k.clone(), serde_json::Value::String(s.clone()));
                }
            }
        }
        for (k, v) in extra {
            map.insert((*k).to_string(), serde_json::Value::String(v.clone()));
        }
        serde_json::to_string(&map).unwrap_or_default()
    };
    let shared = [
        ("pso30plus", r.t("organisation.pso30plus")),
        ("col_level", r.t("register.column_level")),
    ];

    let mut context = Context::new();
    context.insert("page_title", &r.t("search.title"));
    context.insert("page_url", &r.urls.path_url(SEARCH_DIR));
    context.insert("levels", &levels);
    context.insert("provinces", &choices(provinces, "provincie"));
    context.insert("sectors", &choices(sectors, "sector"));
    context.insert("statuses", &statuses);
    context.insert("letters", letters);
    context.insert("index_url", &index_url);
    context.insert("org_base", &org_base);
    context.insert("strings_json", &strings("search", &shared));
    let search = r.render("search.html", &context)?;

    let mut context = Context::new();
    context.insert("page_title", &r.t("screening.title"));
    context.insert("page_url", &r.urls.path_url(SCREENING_DIR));
    context.insert("index_url", &index_url);
    context.insert("org_base", &org_base);
    context.insert("strings_json", &strings("screening", &shared));
    let screening = r.render("screening.html", &context)?;

    Ok(vec![
        OutputFile::new(format!("{SEARCH_DIR}index.html"), search),
        OutputFile::new(format!("{SCREENING_DIR}index.html"), screening),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SiteConfig;
    use crate::content::Page;
    use crate::diagnostics::{Diagnostics, Source};
    use crate::theme;
    use crate::urls::Urls;
    use jiff::civil::date;
    use serde_json::Value;

    /// Figures of a measurement that must never reach the index.
    const FIGURES: [&str; 4] = ["3.17", "9876543", "46.2", "persons"];

    fn record(
        name: &str,
        kvk: &str,
        number: &str,
        city: &str,
        province: &str,
        sector: &str,
    ) -> String {
        format!(
            "name = {}\nkvk = \"{kvk}\"\ncity = {}\nprovince = \"{province}\"\nsector = \"{sector}\"\n\n[certificate]\nnumber = \"{number}\"\nbody = \"Kiwa\"\nissued = 2025-06-01\n\n[measurement]\nyear = 2024\nemployees = 54\ntotal_fte = 46.2\nrevenue_eur = 9876543\n\n[[measurement.target_group]]\nposition = \"wajong\"\ncontract = \"regulier\"\nfte = 3.17\npersons = 4\n",
            serde_json::to_string(name).unwrap(),
            serde_json::to_string(city).unwrap(),
        )
    }

    struct Fixture {
        registry: Registry,
        content: Content,
        renderer: Renderer,
    }

    fn fixture() -> Fixture {
        let orgs = [
            (
                "a-ster",
                record(
                    "Schoonmaakbedrijf De Ster B.V.",
                    "10000001",
                    "PSO-2025-00001",
                    "Utrecht",
                    "Utrecht",
                    "Schoonmaak",
                ),
            ),
            (
                "b-cafe",
                record(
                    "Café Het Hoekje",
                    "10000002",
                    "PSO-2025-00002",
                    "Leeuwarden",
                    "Friesland",
                    "Horeca",
                ),
            ),
            (
                "c-groen",
                record(
                    "Groen & Schoon",
                    "20000003",
                    "PSO-2025-00003",
                    "Amersfoort",
                    "Utrecht",
                    "Groenvoorziening",
                ),
            ),
            (
                "d-druk",
                record(
                    "Drukkerij Zuid",
                    "30000004",
                    "PSO-2025-00004",
                    "Maastricht",
                    "Limburg",
                    "Drukwerk",
                ),
            ),
        ];
        let reference = date(2026, 11, 30);
        let registry = crate::registry::test_support::compute_from_records(orgs, reference);
        let mut diagnostics = Diagnostics::new();
        assert_eq!(registry.organisations.len(), 4);
        let config = SiteConfig::parse(&Source::new(
            "site.toml",
            "title = \"Register\"\nbase_url = \"https://u.github.io/reg/\"\n",
        ))
        .unwrap();
        // An empty site folder: the built-in theme.
        let dir = tempfile::tempdir().unwrap();
        let theme = theme::load(dir.path(), "default", "nl", &mut diagnostics).unwrap();
        let page =
            |section: &str, slug: &str, title: &str, description: &str, markdown: &str| Page {
                source_path: format!("{section}/{slug}.md"),
                section: section.to_string(),
                is_index: false,
                title: title.to_string(),
                date: None,
                description: description.to_string(),
                weight: 0,
                template: None,
                extra: toml::Table::new(),
                output_dir: format!("{section}/{slug}/"),
                html: String::new(),
                toc: Vec::new(),
                markdown: markdown.to_string(),
            };
        let content = Content {
            pages: vec![
                page(
                    "uitleg",
                    "bedrijven",
                    "Sociale bedrijven",
                    "",
                    &format!(
                        "## Kop {{#kop}}\n\nDe *certificering* van organisaties. {}",
                        "woord ".repeat(60)
                    ),
                ),
                page(
                    "blog",
                    "nieuws",
                    "Nieuws",
                    "Een korte beschrijving.",
                    "Tekst over inkopers.",
                ),
            ],
        };
        let (renderer, _) = Renderer::new(
            &theme,
            &content.sections(),
            &config,
            Urls::new(&config.base_url),
            reference,
            &mut diagnostics,
        )
        .unwrap();
        Fixture {
            registry,
            content,
            renderer,
        }
    }

    fn build(f: &Fixture) -> Vec<OutputFile> {
        let words = Vocabulary::new(&f.renderer);
        files(&f.registry, &f.content, &f.renderer, &words)
    }

    fn json_of(files: &[OutputFile], path: &str) -> Value {
        let file = files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("{path} is written"));
        serde_json::from_slice(&file.contents).unwrap()
    }

    /// The organisation number of an id, from the display chunk.
    fn number_of(files: &[OutputFile], id: &str) -> u64 {
        let chunk = json_of(files, "search/o/0.json");
        chunk
            .as_array()
            .unwrap()
            .iter()
            .position(|r| r[1] == id)
            .unwrap_or_else(|| panic!("{id} is in the chunk")) as u64
    }

    fn undelta(list: &Value) -> Vec<u64> {
        let mut sum = 0;
        list.as_array()
            .unwrap()
            .iter()
            .map(|d| {
                sum += d.as_u64().unwrap();
                sum
            })
            .collect()
    }

    #[test]
    fn normalisation_strips_case_and_diacritics() {
        assert_eq!(normalise("Fryslân"), "fryslan");
        assert_eq!(normalise("Café"), "cafe");
        assert_eq!(
            tokens("Schoonmaakcoöperatie 't Gastvrije-Bord B.V."),
            ["schoonmaakcooperatie", "t", "gastvrije", "bord", "b", "v"]
        );
        assert!(indexable("ster") && !indexable("de") && !indexable("t"));
    }

    #[test]
    fn stemming_joins_simple_dutch_forms() {
        assert_eq!(stem("bedrijven"), stem("bedrijf"));
        assert_eq!(stem("organisaties"), stem("organisatie"));
        assert_eq!(stem("certificeringen"), stem("certificering"));
        assert_eq!(stem("mogelijkheden"), stem("mogelijkheid"));
        assert_eq!(stem("vriendelijk"), "vriend");
        assert_eq!(stem("pso"), "pso");
    }

    #[test]
    fn buckets_are_fnv1a() {
        // FNV-1a of "a" is 0xe40c292c; search.js computes the same.
        assert_eq!(bucket("a", 12), 0x92c);
        assert_eq!(bucket("a", 0), 0);
        assert_eq!(
            identifier_keys("10000001", "PSO-2025-00001"),
            ["10000001", "202500001"]
        );
        assert_eq!(exact_key("pso 2025 00001"), "202500001");
        assert_eq!(exact_key("AB-12"), "ab12");
    }

    #[test]
    fn shards_hold_the_right_organisations() {
        let f = fixture();
        let files = build(&f);
        let ster = number_of(&files, "a-ster");
        let cafe = number_of(&files, "b-cafe");
        let groen = number_of(&files, "c-groen");
        let shard = json_of(&files, "search/t/sc.json");
        assert_eq!(undelta(&shard["n"]["schoonmaakbedrijf"]), [ster]);
        assert_eq!(undelta(&shard["n"]["schoon"]), [groen]);
        let shard = json_of(&files, "search/t/ut.json");
        assert_eq!(undelta(&shard["c"]["utrecht"]), [ster]);
        let shard = json_of(&files, "search/t/10.json");
        assert_eq!(undelta(&shard["k"]["10000002"]), [cafe]);
        // Stop words and one-letter words are not indexed.
        assert!(files.iter().all(|f| f.path != "search/t/de.json"));
        let hoekje = json_of(&files, "search/t/ho.json");
        assert!(hoekje["n"].get("het").is_none() && hoekje["n"].get("hoekje").is_some());

        let facets = json_of(&files, "search/facets.json");
        assert_eq!(facets["n"], 4);
        let kbits = facets["kbits"].as_u64().unwrap() as u32;
        for key in ["10000001", "202500001"] {
            let exact = json_of(&files, &format!("search/k/{}.json", bucket(key, kbits)));
            assert_eq!(exact[key], serde_json::json!([[ster, "a-ster"]]), "{key}");
        }
        // Provinces and sectors are ranges of the numbering.
        let provinces = facets["provinces"].as_array().unwrap();
        let utrecht = provinces
            .iter()
            .position(|p| p["slug"] == "utrecht")
            .unwrap();
        let fryslan = &provinces[provinces
            .iter()
            .position(|p| p["slug"] == "fryslan")
            .unwrap()];
        assert_eq!(fryslan["name"], "Fryslân");
        assert_eq!(
            fryslan["tokens"],
            serde_json::json!(["friesland", "fryslan"])
        );
        let mut in_utrecht: Vec<u64> = Vec::new();
        for g in facets["groups"].as_array().unwrap() {
            if g[0] == utrecht {
                in_utrecht.extend(
                    g[2].as_u64().unwrap()..g[2].as_u64().unwrap() + g[3].as_u64().unwrap(),
                );
            }
        }
        in_utrecht.sort();
        let mut expected = vec![ster, groen];
        expected.sort();
        assert_eq!(in_utrecht, expected);
        assert_eq!(facets["codes"].as_str().unwrap().len(), 4);
        let statuses: usize = facets["statuses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["count"].as_u64().unwrap() as usize)
            .sum();
        assert_eq!(statuses, 4);
        // The display record.
        let chunk = json_of(&files, "search/o/0.json");
        let record = &chunk[cafe as usize];
        assert_eq!(record[0], "Café Het Hoekje");
        assert_eq!(record[2], "Leeuwarden");
        assert_eq!(record[3], "10000002");
        assert_eq!(record[8], "2027-05-31");
    }

    #[test]
    fn the_index_is_deterministic_and_versioned() {
        let f = fixture();
        let first = build(&f);
        let second = build(&f);
        assert_eq!(first, second);
        let facets = json_of(&first, "search/facets.json");
        assert_eq!(facets["v"].as_str().unwrap().len(), 12);
        let paths: Vec<&str> = first.iter().map(|f| f.path.as_str()).collect();
        let mut sorted = paths.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(paths.len(), sorted.len(), "no path twice");
    }

    #[test]
    fn no_measurement_figures_reach_the_index() {
        let f = fixture();
        for file in build(&f) {
            let text = String::from_utf8(file.contents.to_vec()).unwrap();
            for figure in FIGURES {
                assert!(!text.contains(figure), "{} contains {figure}", file.path);
            }
        }
    }

    #[test]
    fn pages_have_stems_and_short_excerpts() {
        let f = fixture();
        let files = build(&f);
        let pages = json_of(&files, "search/pages.json");
        let pages = pages["pages"].as_array().unwrap();
        assert_eq!(pages.len(), 2);
        let explainer = pages
            .iter()
            .find(|p| p["title"] == "Sociale bedrijven")
            .unwrap();
        assert_eq!(explainer["url"], "/reg/uitleg/bedrijven/");
        assert!(
            explainer["t"]
                .as_array()
                .unwrap()
                .contains(&Value::from("bedrijf"))
        );
        let body = explainer["b"].as_array().unwrap();
        assert!(body.contains(&Value::from(stem("certificering"))));
        let excerpt = explainer["excerpt"].as_str().unwrap();
        assert!(
            excerpt.starts_with("Kop De certificering van organisaties."),
            "{excerpt}"
        );
        assert!(excerpt.ends_with('…') && excerpt.chars().count() <= EXCERPT + 1);
        let post = pages.iter().find(|p| p["title"] == "Nieuws").unwrap();
        assert_eq!(post["excerpt"], "Een korte beschrijving.");
    }

    #[test]
    fn the_search_and_screening_pages_render() {
        let f = fixture();
        let words = Vocabulary::new(&f.renderer);
        let letters = [views::Link {
            name: "S".to_string(),
            url: "/reg/register/pagina/3/#letter-s".to_string(),
        }];
        let pages = pages(&f.renderer, &words, &f.registry, &letters).unwrap();
        let search = String::from_utf8(pages[0].contents.to_vec()).unwrap();
        assert_eq!(pages[0].path, "zoeken/index.html");
        assert!(search.contains("data-index=\"/reg/search/\""));
        assert!(search.contains("data-org-base=\"/reg/organisaties/\""));
        assert!(search.contains("/reg/register/provincie/fryslan/"));
        assert!(search.contains(r#"<a href="/reg/register/pagina/3/#letter-s">S</a>"#));
        // Minified: no quotes around what the template wrote itself.
        assert!(search.contains("<label for=search-q>"));
        assert!(search.contains("aria-live=polite"));
        assert!(!search.contains("style="), "no inline styles");
        let screening = String::from_utf8(pages[1].contents.to_vec()).unwrap();
        assert_eq!(pages[1].path, "leveranciers-controleren/index.html");
        assert!(screening.contains("accept=.csv,text/csv"));
        assert!(screening.contains("type=date"));
        assert!(!screening.contains("<script>"), "no inline scripts");
    }
}
