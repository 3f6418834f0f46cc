//! Registry pages: one page, two badges and a JSON file per organisation,
//! the register and its browse lists (per level, province, sector, letter),
//! statistics and the method page. Every pager gets only the items it
//! shows, so the cost stays linear in the number of organisations.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use super::views::{self, ListItem, Vocabulary};
use super::{PageContext, Renderer};
use crate::diagnostics::Diagnostic;
use crate::ladder::{CertificateStatus, Level};
use crate::output::{OutputFile, Staging};
use crate::registry::Registry;
use crate::svg;
use crate::tables::{NormTable, Weights};
use crate::urls;

/// A page of a paginated list, as templates see it.
#[derive(Debug, Serialize)]
pub struct Pager<'a, T: Serialize> {
    /// The items on this page only.
    pub items: &'a [T],
    /// One-based page number.
    pub current: usize,
    /// Number of pages.
    pub total_pages: usize,
    /// Number of items over all pages.
    pub total_items: usize,
    /// URL of the previous page.
    pub previous: Option<String>,
    /// URL of the next page.
    pub next: Option<String>,
    /// `Pagina 2 van 9`.
    pub label: String,
}

/// Drops the line breaks before block-level tags (`>\n<p`, `>\n</li`) that
/// a registry page still has after its minified template: those of the
/// HTML put into it (a record's markdown), and all of them when `minify` is
/// off. Registry pages are many, so they do not go through minify-html
/// again after rendering (see [`crate::minify`]). A line break before an
/// inline tag is whitespace that shows (between two words), so it stays.
pub fn compact(html: &str) -> String {
    const BLOCK: [&str; 34] = [
        "p", "div", "section", "article", "main", "header", "footer", "nav", "ul", "ol", "li",
        "dl", "dt", "dd", "table", "caption", "thead", "tbody", "tr", "td", "th", "h1", "h2", "h3",
        "h4", "h5", "h6", "meta", "link", "script", "title", "head", "body", "html",
    ];
    let is_block = |after: &str| {
        let tag = after.trim_start_matches('<').trim_start_matches('/');
        let name_end = tag
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(tag.len());
        after.starts_with('<') && BLOCK.contains(&&tag[..name_end])
    };
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(">\n") {
        out.push_str(&rest[..=i]);
        let after = &rest[i + 1..];
        let trimmed = after.trim_start_matches('\n');
        rest = if is_block(trimmed) { trimmed } else { after };
    }
    out.push_str(rest);
    out
}

/// Output folder of page `n` (one-based) of a list at `dir`.
pub fn page_dir(dir: &str, n: usize) -> String {
    if n <= 1 {
        dir.to_string()
    } else {
        format!("{dir}pagina/{n}/")
    }
}

/// Renders a paginated list: page 1 at `dir`, page n at `dir/pagina/n/`.
/// `extra` is inserted into every page's context. `prints`, when given,
/// holds a fingerprint of each item (see [`Renderer::value_print`]), so an
/// incremental rebuild fingerprints a page without serialising its items.
#[allow(clippy::too_many_arguments)]
pub fn paginate<T: Serialize + Sync>(
    r: &Renderer,
    template: &str,
    dir: &str,
    items: &[T],
    page_size: usize,
    extra: &PageContext,
    prints: Option<&[u64]>,
) -> Result<Vec<OutputFile>, Diagnostic> {
    let total_pages = items.len().div_ceil(page_size).max(1);
    (1..=total_pages)
        .into_par_iter()
        .map(|n| {
            let start = (n - 1) * page_size;
            let end = (start + page_size).min(items.len());
            let pager = Pager {
                items: &items[start..end],
                current: n,
                total_pages,
                total_items: items.len(),
                previous: (n > 1).then(|| r.urls.path_url(&page_dir(dir, n - 1))),
                next: (n < total_pages).then(|| r.urls.path_url(&page_dir(dir, n + 1))),
                label: r.tf(
                    "page_of",
                    &[("n", &n.to_string()), ("total", &total_pages.to_string())],
                ),
            };
            let page_url = r.urls.path_url(&page_dir(dir, n));
            let print = r.page_print(template, extra, |hasher| {
                use std::hash::Hash as _;
                let scalars = (n, total_pages, items.len(), &pager.previous, &pager.next);
                (scalars, &pager.label, &page_url).hash(hasher);
                match prints {
                    Some(prints) => prints[start..end].hash(hasher),
                    None => Renderer::value_print(pager.items).hash(hasher),
                }
            });
            r.memoized(format!("{}index.html", page_dir(dir, n)), print, || {
                let mut context = extra.context().clone();
                context.insert("pager", &pager);
                context.insert("page_url", &page_url);
                Ok(compact(&r.render(template, &context)?).into_bytes())
            })
        })
        .collect()
}

/// In an incremental rebuild, a fingerprint of what each organisation's
/// files show of the registry: its record's text, its computed outcome,
/// and the names of the organisations in its chain (nothing else of the
/// registry). In registry order; `None` in a full build.
pub fn record_prints(r: &Renderer, registry: &Registry) -> Option<Vec<u64>> {
    use std::hash::{Hash, Hasher};
    if !r.is_incremental() {
        return None;
    }
    let prints = registry
        .organisations
        .par_iter()
        .map(|c| {
            let mut hasher = std::hash::DefaultHasher::new();
            c.org.text().hash(&mut hasher);
            Renderer::value_print(&c.outcome).hash(&mut hasher);
            (c.level, c.status, &c.suppliers, &c.customers).hash(&mut hasher);
            for id in c.suppliers.iter().chain(&c.customers) {
                registry.get(id).map(|s| &s.org.name).hash(&mut hasher);
            }
            hasher.finish()
        })
        .collect();
    Some(prints)
}

/// Organisation pages, badges and per-organisation JSON; `prints` are the
/// [`record_prints`] of an incremental rebuild.
///
/// With a `staging` folder, each organisation's files are written as soon
/// as they are made and returned without their contents.
pub fn organisations(
    r: &Renderer,
    words: &Vocabulary,
    registry: &Registry,
    staging: Option<&Staging>,
    prints: Option<&[u64]>,
) -> Result<Vec<OutputFile>, Diagnostic> {
    let files: Result<Vec<Vec<OutputFile>>, Diagnostic> = registry
        .organisations
        .par_iter()
        .enumerate()
        .map(|(i, c)| {
            let print = prints.and_then(|prints| {
                r.inputs_print("organisation.html", |hasher| {
                    std::hash::Hash::hash(&prints[i], hasher);
                })
            });
            let page = r.memoized(
                format!("{}index.html", urls::organisation_dir(&c.org.id)),
                print,
                || {
                    let view = views::organisation(r, words, registry, c);
                    let mut context = Context::new();
                    context.insert("org", &view);
                    context.insert("page_title", &c.org.name);
                    context.insert("page_url", &view.url);
                    Ok(compact(&r.render("organisation.html", &context)?).into_bytes())
                },
            )?;
            let ok = words.status(c.status).ok;
            // Both badges read the same texts: made once, when a badge is.
            let texts = std::cell::OnceCell::new();
            let badge = |path: String, draw: fn(Level, bool, &svg::BadgeText) -> String| {
                r.memoized(path, print, || {
                    let (scheme, (level_label, detail, title)) =
                        texts.get_or_init(|| (r.t("badge.scheme"), views::badge_text(r, words, c)));
                    let text = svg::BadgeText {
                        scheme,
                        level_label,
                        detail,
                        title,
                    };
                    Ok(draw(c.level, ok, &text).into_bytes())
                })
            };
            let wide = badge(urls::badge_path(&c.org.id), svg::badge_wide)?;
            let compact_badge = badge(urls::compact_badge_path(&c.org.id), svg::badge_compact)?;
            crate::output::write_now(staging, vec![page, wide, compact_badge])
        })
        .collect();
    Ok(files?.into_iter().flatten().collect())
}

/// A group of organisations in the browse navigation.
#[derive(Debug, Serialize)]
struct Group {
    name: String,
    url: String,
    count: usize,
}

/// A row of the register: a list item, and the anchor of the A-Z index
/// when its name is the first under its letter.
#[derive(Debug, Serialize)]
struct RegisterRow<'a> {
    #[serde(flatten)]
    item: &'a ListItem,
    anchor: Option<String>,
}

/// What [`lists`] makes: the list pages, every organisation's list item
/// (for the statistics page) and the A-Z index (for the search page).
pub struct Lists {
    /// The register, its browse lists and the "or higher" pages.
    pub files: Vec<OutputFile>,
    /// Every organisation's row, in registry order.
    pub items: Vec<ListItem>,
    /// Each letter that names begin with, linked to the register page and
    /// row where they begin.
    pub letters: Vec<views::Link>,
}

/// The register and its browse lists.
///
/// Each organisation with a certificate in force is a row of four lists:
/// the register (by name), its level, its province and its sector. The
/// A-Z index links into the register, where the names of each letter
/// begin, and "trede 2 of hoger" links to the lists of those levels, from
/// the highest down: a row on more lists would cost bytes at every
/// organisation (issue #9), and a list page gets only the rows it shows.
pub fn lists(
    r: &Renderer,
    words: &Vocabulary,
    registry: &Registry,
    page_size: usize,
) -> Result<Lists, Diagnostic> {
    let items: Vec<ListItem> = registry
        .organisations
        .par_iter()
        .map(|c| views::list_item(r, words, c))
        .collect();
    // Name order, ignoring case, accents and leading marks.
    let mut order: Vec<usize> = (0..items.len()).collect();
    let keys: Vec<String> = items.iter().map(|i| sort_key(&i.name)).collect();
    order.sort_by(|&a, &b| keys[a].cmp(&keys[b]).then(a.cmp(&b)));
    let current = |i: &usize| words.status(registry.organisations[*i].status).ok;
    let pick = |filter: &dyn Fn(usize) -> bool| -> Vec<usize> {
        order.iter().copied().filter(|&i| filter(i)).collect()
    };
    // Each row's fingerprint once, rather than once per list it is in.
    let item_prints: Vec<u64> = if r.is_incremental() {
        items.par_iter().map(Renderer::value_print).collect()
    } else {
        Vec::new()
    };
    let rows = |chosen: &[usize]| -> (Vec<&ListItem>, Option<Vec<u64>>) {
        let rows = chosen.iter().map(|&i| &items[i]).collect();
        let prints = r
            .is_incremental()
            .then(|| chosen.iter().map(|&i| item_prints[i]).collect());
        (rows, prints)
    };

    let mut files = Vec::new();
    let mut list =
        |dir: &str, title: String, intro: String, chosen: Vec<usize>| -> Result<(), Diagnostic> {
            let mut context = PageContext::new(r);
            context.insert("page_title", &title);
            context.insert("intro", &intro);
            let (chosen, prints) = rows(&chosen);
            files.extend(paginate(
                r,
                "list.html",
                dir,
                &chosen,
                page_size,
                &context,
                prints.as_deref(),
            )?);
            Ok(())
        };

    let level_count = |level: Level| {
        order
            .iter()
            .filter(|&&i| current(&i) && registry.organisations[i].level == level)
            .count()
    };
    let level_dir = |level: Level| format!("register/trede/{}/", level.key());
    let at_least_dir = |level: Level| format!("register/trede/{}/en-hoger/", level.key());
    let level_groups: Vec<Group> = Level::ALL
        .iter()
        .map(|&l| Group {
            name: words.level(l).label.clone(),
            url: r.urls.path_url(&level_dir(l)),
            count: level_count(l),
        })
        .collect();
    let (mut at_least_groups, mut at_least_pages) = (Vec::new(), Vec::new());
    for level in Level::ALL {
        let label = words.level(level).label.clone();
        list(
            &level_dir(level),
            r.tf("register.level_title", &[("level", &label)]),
            r.tf("register.exactly", &[("level", &label)]),
            pick(&|i| current(&i) && registry.organisations[i].level == level),
        )?;
        if level == Level::Aspirant || level == Level::Trede3 {
            continue;
        }
        // "Of hoger": the lists from the highest level down to this one.
        let segments: Vec<&Group> = level_groups
            .iter()
            .zip(Level::ALL)
            .filter(|(_, l)| *l >= level)
            .map(|(g, _)| g)
            .rev()
            .collect();
        let count: usize = segments.iter().map(|g| g.count).sum();
        let dir = at_least_dir(level);
        let title = r.tf("register.level_at_least_title", &[("level", &label)]);
        let mut context = Context::new();
        context.insert("page_title", &title);
        context.insert("count", &count);
        context.insert("segments", &segments);
        context.insert("page_url", &r.urls.path_url(&dir));
        let html = compact(&r.render("at_least.html", &context)?);
        at_least_pages.push(OutputFile::new(format!("{dir}index.html"), html));
        at_least_groups.push(Group {
            name: r.tf("register.at_least", &[("level", &label)]),
            url: r.urls.path_url(&dir),
            count,
        });
    }
    let mut provinces: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut sectors: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    for &i in &order {
        if !current(&i) {
            continue;
        }
        let org = &registry.organisations[i].org;
        provinces
            .entry(org.province.to_string())
            .or_default()
            .push(i);
        let sector = sectors
            .entry(views::slug(&org.sector))
            .or_insert_with(|| (org.sector.clone(), Vec::new()));
        sector.1.push(i);
    }
    let mut groups = |prefix: &str,
                      title_key: &str,
                      entries: Vec<(String, String, Vec<usize>)>|
     -> Result<Vec<Group>, Diagnostic> {
        let mut out = Vec::new();
        for (slug, name, members) in entries {
            let dir = format!("register/{prefix}/{slug}/");
            out.push(Group {
                name: name.clone(),
                url: r.urls.path_url(&dir),
                count: members.len(),
            });
            list(
                &dir,
                r.tf(title_key, &[("name", &name)]),
                String::new(),
                members,
            )?;
        }
        Ok(out)
    };
    let province_groups = groups(
        "provincie",
        "register.province_title",
        provinces
            .into_iter()
            .map(|(name, m)| (views::slug(&name), name, m))
            .collect(),
    )?;
    let sector_groups = groups(
        "sector",
        "register.sector_title",
        sectors
            .into_iter()
            .map(|(slug, (name, m))| (slug, name, m))
            .collect(),
    )?;
    list(
        "register/niet-geldig/",
        r.t("register.not_valid"),
        r.t("register.not_valid_intro"),
        pick(&|i| !current(&i)),
    )?;

    // The register, and the A-Z index into it: names are in key order, so
    // the names of a letter are together, from the row it links to.
    let valid = pick(&|i| current(&i));
    let mut letters: Vec<views::Link> = Vec::new();
    let mut register = Vec::with_capacity(valid.len());
    let mut last_letter = None;
    for (position, &i) in valid.iter().enumerate() {
        let letter = first_letter(&keys[i]);
        let anchor = (last_letter != Some(letter)).then(|| {
            let anchor = format!("letter-{}", letter_slug(letter));
            let page = r
                .urls
                .path_url(&page_dir("register/", position / page_size + 1));
            letters.push(views::Link {
                name: letter_label(letter),
                url: format!("{page}#{anchor}"),
            });
            anchor
        });
        last_letter = Some(letter);
        register.push(RegisterRow {
            item: &items[i],
            anchor,
        });
    }
    let register_prints: Option<Vec<u64>> = r.is_incremental().then(|| {
        register
            .iter()
            .zip(&valid)
            .map(|(row, &i)| {
                use std::hash::{Hash, Hasher};
                let mut hasher = std::hash::DefaultHasher::new();
                (item_prints[i], &row.anchor).hash(&mut hasher);
                hasher.finish()
            })
            .collect()
    });

    let mut context = PageContext::new(r);
    context.insert("page_title", &r.t("register.title"));
    context.insert("intro", &r.t("register.intro"));
    context.insert("levels", &level_groups);
    context.insert("provinces", &province_groups);
    context.insert("sectors", &sector_groups);
    context.insert("at_least", &at_least_groups);
    context.insert("letters", &letters);
    context.insert("not_valid_url", &r.urls.path_url("register/niet-geldig/"));
    context.insert(
        "not_valid_count",
        &order.iter().filter(|&&i| !current(&i)).count(),
    );
    files.extend(paginate(
        r,
        "register.html",
        "register/",
        &register,
        page_size,
        &context,
        register_prints.as_deref(),
    )?);
    files.extend(at_least_pages);
    Ok(Lists {
        files,
        items,
        letters,
    })
}

/// The key names sort by: without case, accents or leading marks, so that
/// `'t Hoekje` sorts under T, the letter of its A-Z index entry.
fn sort_key(name: &str) -> String {
    let key = deunicode::deunicode(name).to_lowercase();
    key.trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string()
}

/// The anchor part of a letter's place in the register: names starting
/// with a digit share `0-9`, since `#` would need escaping in a link.
fn letter_slug(letter: char) -> String {
    if letter == '#' {
        "0-9".to_string()
    } else {
        letter.to_lowercase().to_string()
    }
}

/// How a letter is named in the A-Z index.
fn letter_label(letter: char) -> String {
    if letter == '#' {
        "0-9".to_string()
    } else {
        letter.to_string()
    }
}

fn first_letter(key: &str) -> char {
    key.chars()
        .find(|c| c.is_ascii_alphanumeric())
        .map(|c| {
            if c.is_ascii_digit() {
                '#'
            } else {
                c.to_ascii_uppercase()
            }
        })
        .unwrap_or('#')
}

/// A row of a statistics table.
#[derive(Debug, Serialize)]
struct StatRow {
    label: String,
    count: u64,
    url: Option<String>,
}

/// A chart with its data table.
#[derive(Debug, Serialize)]
struct Stat {
    title: String,
    svg: String,
    rows: Vec<StatRow>,
}

fn stat(title: String, rows: Vec<StatRow>) -> Stat {
    let bars: Vec<svg::BarRow> = rows
        .iter()
        .map(|row| svg::BarRow {
            label: &row.label,
            value: row.count,
            // The chart is one image to assistive technology (role="img"):
            // links inside it could not be reached; the table beside it
            // holds them.
            href: None,
        })
        .collect();
    let description = rows
        .iter()
        .map(|row| format!("{}: {}", row.label, row.count))
        .collect::<Vec<_>>()
        .join(", ");
    let svg = svg::bar_chart(&title, &description, &bars);
    Stat { title, svg, rows }
}

/// The statistics page.
pub fn statistics(
    r: &Renderer,
    words: &Vocabulary,
    registry: &Registry,
    items: &[ListItem],
) -> Result<OutputFile, Diagnostic> {
    let current: Vec<usize> = (0..registry.organisations.len())
        .filter(|&i| words.status(registry.organisations[i].status).ok)
        .collect();
    let mut per_level: BTreeMap<Level, u64> = Level::ALL.iter().map(|l| (*l, 0)).collect();
    let mut per_province: BTreeMap<String, u64> = BTreeMap::new();
    let mut per_sector: BTreeMap<String, u64> = BTreeMap::new();
    for &i in &current {
        let c = &registry.organisations[i];
        *per_level.entry(c.level).or_default() += 1;
        *per_province.entry(c.org.province.to_string()).or_default() += 1;
        *per_sector.entry(c.org.sector.clone()).or_default() += 1;
    }
    let stats = vec![
        stat(
            r.t("statistics.per_level"),
            per_level
                .iter()
                .map(|(l, n)| StatRow {
                    label: words.level(*l).label.clone(),
                    count: *n,
                    url: Some(r.urls.path_url(&format!("register/trede/{}/", l.key()))),
                })
                .collect(),
        ),
        stat(
            r.t("statistics.per_province"),
            per_province
                .iter()
                .map(|(p, n)| StatRow {
                    label: p.clone(),
                    count: *n,
                    url: Some(
                        r.urls
                            .path_url(&format!("register/provincie/{}/", views::slug(p))),
                    ),
                })
                .collect(),
        ),
        stat(
            r.t("statistics.per_sector"),
            per_sector
                .iter()
                .map(|(s, n)| StatRow {
                    label: s.clone(),
                    count: *n,
                    url: Some(
                        r.urls
                            .path_url(&format!("register/sector/{}/", views::slug(s))),
                    ),
                })
                .collect(),
        ),
        stat(
            r.t("statistics.per_status"),
            registry
                .count_by_status()
                .iter()
                .map(|(s, n)| StatRow {
                    label: words.status(*s).label.clone(),
                    count: *n as u64,
                    url: None,
                })
                .collect(),
        ),
    ];
    let pso30 = current
        .iter()
        .filter(|&&i| registry.organisations[i].outcome.pso30plus)
        .count();
    let mut expiring: Vec<&ListItem> = registry
        .organisations
        .iter()
        .zip(items)
        .filter(|(c, _)| c.status == CertificateStatus::Expiring)
        .map(|(_, item)| item)
        .collect();
    expiring.sort_by(|a, b| {
        let date = |i: &ListItem| i.expires.split('-').rev().collect::<Vec<_>>().join("-");
        date(a).cmp(&date(b)).then(a.name.cmp(&b.name))
    });
    let mut context = Context::new();
    context.insert("page_title", &r.t("statistics.title"));
    context.insert("page_url", &r.urls.path_url("statistiek/"));
    context.insert(
        "intro",
        &r.tf(
            "statistics.intro",
            &[("date", &r.long_date(registry.reference_date))],
        ),
    );
    context.insert("stats", &stats);
    context.insert("pso30plus", &pso30);
    context.insert("expiring", &expiring);
    let html = r.render("statistics.html", &context)?;
    Ok(OutputFile::new("statistiek/index.html", html))
}

/// The method page: the norms and weights tables in force.
pub fn method(
    r: &Renderer,
    weights: &Weights,
    norms: &NormTable,
) -> Result<OutputFile, Diagnostic> {
    let mut context = Context::new();
    context.insert("page_title", &r.t("method.title"));
    context.insert("page_url", &r.urls.path_url("methode/"));
    context.insert("weights", weights);
    context.insert("norms", norms);
    let rows: Vec<[String; 5]> = norms
        .rows
        .iter()
        .map(|row| {
            [
                row.size.to_string(),
                super::dutch_number(row.basistrede, 1),
                super::dutch_number(row.trede1, 1),
                super::dutch_number(row.trede2, 1),
                super::dutch_number(row.trede3, 1),
            ]
        })
        .collect();
    context.insert("norm_rows", &rows);
    // Tera maps have no stable order: hand the weights over as rows.
    let weight_rows = |table: &std::collections::BTreeMap<String, crate::tables::WeightEntry>| {
        table
            .iter()
            .map(|(key, w)| {
                [
                    key.clone(),
                    w.label.clone(),
                    super::dutch_number(w.weight, 2),
                ]
            })
            .collect::<Vec<_>>()
    };
    context.insert("position_rows", &weight_rows(&weights.positions));
    context.insert("contract_rows", &weight_rows(&weights.contracts));
    context.insert(
        "basistrede_estimated",
        &norms.estimated.iter().any(|c| c == "basistrede"),
    );
    let html = r.render("method.html", &context)?;
    Ok(OutputFile::new("methode/index.html", html))
}

/// The "Open data" page: every dataset with its format, size, licence and
/// column documentation.
pub fn open_data(
    r: &Renderer,
    datasets: &[crate::opendata::DatasetInfo],
) -> Result<OutputFile, Diagnostic> {
    let mut context = Context::new();
    context.insert("page_title", &r.t("open_data.title"));
    context.insert("page_url", &r.urls.path_url(crate::opendata::PAGE_PATH));
    context.insert("datasets", datasets);
    let html = r.render("open_data.html", &context)?;
    Ok(OutputFile::new(crate::opendata::PAGE_FILE, html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_drops_breaks_before_blocks_only() {
        let html = "<ul>\n<li>a</li>\n</ul>\n<p><em>a</em>\n<strong>b</strong></p>\n\ntekst";
        assert_eq!(
            compact(html),
            "<ul><li>a</li></ul><p><em>a</em>\n<strong>b</strong></p>\n\ntekst"
        );
    }
}
