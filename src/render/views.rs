//! Views: what templates see of an organisation, computed once per
//! organisation from the registry, with every text already worded in the
//! site's language and every record value left for the template to escape.

use serde::Serialize;

use super::{Renderer, dutch_number};
use crate::ladder::{self, CertificateStatus, Level};
use crate::markdown;
use crate::registry::{Computed, Registry};
use crate::svg;
use crate::urls;

/// A level as templates show it.
#[derive(Debug, Clone, Serialize)]
pub struct LevelView {
    /// `trede-2`.
    pub key: &'static str,
    /// `Trede 2`.
    pub label: String,
    /// 0 (aspirant) to 4 (trede 3).
    pub rung: usize,
}

/// A certificate status as templates show it.
#[derive(Debug, Clone, Serialize)]
pub struct StatusView {
    /// `expiring`.
    pub key: &'static str,
    /// `Verloopt binnenkort`.
    pub label: String,
    /// A full sentence.
    pub explained: String,
    /// Whether the certificate counts today (valid or expiring).
    pub ok: bool,
}

/// One organisation in a list.
#[derive(Debug, Clone, Serialize)]
pub struct ListItem {
    /// Name.
    pub name: String,
    /// Root-relative URL of its page.
    pub url: String,
    /// City.
    pub city: String,
    /// Level.
    pub level: LevelView,
    /// Status.
    pub status: StatusView,
    /// `31-03-2027`.
    pub expires: String,
    /// PSO 30+.
    pub pso30plus: bool,
}

/// A named link.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// Text.
    pub name: String,
    /// Root-relative URL.
    pub url: String,
}

/// One norm row of the explanation.
#[derive(Debug, Clone, Serialize)]
pub struct NormView {
    /// Level label.
    pub label: String,
    /// `3,58`.
    pub value: String,
    /// Whether the total reaches it.
    pub reached: bool,
}

/// Everything an organisation page shows.
#[derive(Debug, Clone, Serialize)]
pub struct OrgView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// KvK number.
    pub kvk: String,
    /// City.
    pub city: String,
    /// Province, linked to its list.
    pub province: Link,
    /// Sector, linked to its list.
    pub sector: Link,
    /// Website.
    pub website: Option<String>,
    /// Root-relative URL of the page.
    pub url: String,
    /// Absolute URL of the page.
    pub permalink: String,
    /// Badge URL, relative to the page.
    pub badge_url: String,
    /// Compact badge URL, relative to the page.
    pub badge_compact_url: String,
    /// URL of the JSON file, relative to the page.
    pub json_url: String,
    /// Level.
    pub level: LevelView,
    /// PSO 30+.
    pub pso30plus: bool,
    /// Status on the reference date.
    pub status: StatusView,
    /// Certificate number.
    pub certificate_number: String,
    /// Certifying body.
    pub certificate_body: String,
    /// ISO date of issue.
    pub issued: String,
    /// `1 april 2025`.
    pub issued_text: String,
    /// ISO expiry date (for the visitor-date check).
    pub expires: String,
    /// `31 maart 2027`.
    pub expires_text: String,
    /// Measurement year.
    pub measurement_year: i32,
    /// `3,66`.
    pub direct_pct: String,
    /// `0,42`.
    pub indirect_pct: String,
    /// `4,08`.
    pub total_pct: String,
    /// `54 medewerkers`.
    pub size: String,
    /// How the norms follow from the size.
    pub size_explanation: String,
    /// The four norms.
    pub norms: Vec<NormView>,
    /// About the 80% cap.
    pub cap_text: String,
    /// Quality criteria not met, for aspirants.
    pub quality_text: Option<String>,
    /// An aspirant's plan.
    pub aspirant_text: Option<String>,
    /// The distance to the next rung.
    pub next_text: String,
    /// Registry suppliers, linked relative to the page (`../<id>/`).
    pub suppliers: Vec<Link>,
    /// Registry customers, linked relative to the page.
    pub customers: Vec<Link>,
    /// Sanitised summary HTML.
    pub summary_html: String,
    /// Sanitised description HTML.
    pub description_html: String,
    /// Root-relative URL of the ladder graphic for this level (shared by
    /// every organisation on it, so each page does not repeat it).
    pub ladder_url: String,
    /// Text alternative of the ladder graphic.
    pub ladder_alt: String,
    /// The contribution chart.
    pub chart_svg: String,
    /// Embed snippet, HTML.
    pub embed_html: String,
    /// Embed snippet, markdown.
    pub embed_markdown: String,
    /// [`OrgView::embed_html`] ready to place in a `<textarea>` as it is:
    /// only `&` and `<` escaped (the element holds text only, so quotes and
    /// `>` need no escape; without `<` nothing can close it early).
    pub embed_html_text: String,
    /// [`OrgView::embed_markdown`], ready for a `<textarea>` likewise.
    pub embed_markdown_text: String,
    /// schema.org JSON-LD, safe inside a script element.
    pub jsonld: String,
}

/// Per-level, per-status views, worded once.
pub struct Vocabulary {
    levels: Vec<LevelView>,
    statuses: Vec<StatusView>,
}

impl Vocabulary {
    /// Words every level and status.
    pub fn new(r: &Renderer) -> Self {
        let levels = Level::ALL
            .iter()
            .enumerate()
            .map(|(rung, l)| LevelView {
                key: l.key(),
                label: r.t(&format!("levels.{}", l.key())),
                rung,
            })
            .collect();
        let statuses = CertificateStatus::ALL
            .iter()
            .map(|s| StatusView {
                key: s.key(),
                label: r.t(&format!("statuses.{}", s.key())),
                explained: r.t(&format!("status_explained.{}", s.key())),
                ok: matches!(s, CertificateStatus::Valid | CertificateStatus::Expiring),
            })
            .collect();
        Vocabulary { levels, statuses }
    }

    /// A level's view.
    pub fn level(&self, level: Level) -> &LevelView {
        &self.levels[level as usize]
    }

    /// A status's view.
    pub fn status(&self, status: CertificateStatus) -> &StatusView {
        &self.statuses[CertificateStatus::ALL
            .iter()
            .position(|s| *s == status)
            .unwrap_or(0)]
    }
}

/// Output path of the ladder graphic for a level.
pub fn ladder_path(level: Level) -> String {
    format!("img/ladder-{}.svg", level.key())
}

/// The five ladder graphics, one per level, as standalone SVG files.
pub fn ladder_files(r: &Renderer, words: &Vocabulary) -> Vec<crate::output::OutputFile> {
    let labels: Vec<String> = Level::ALL
        .iter()
        .map(|l| words.level(*l).label.clone())
        .collect();
    let label_refs: [&str; 5] = std::array::from_fn(|i| labels[i].as_str());
    Level::ALL
        .iter()
        .map(|&level| {
            let title = r.tf(
                "organisation.ladder_file_title",
                &[("level", &words.level(level).label)],
            );
            let svg = svg::ladder(level, &label_refs, &title, &r.t("organisation.reached"));
            crate::output::OutputFile::new(ladder_path(level), svg)
        })
        .collect()
}

/// URL-safe slug of a province or sector name.
pub fn slug(name: &str) -> String {
    let s = markdown::slugify(name);
    if s.is_empty() { "x".into() } else { s }
}

/// An organisation as a list item.
pub fn list_item(r: &Renderer, words: &Vocabulary, c: &Computed) -> ListItem {
    ListItem {
        name: c.org.name.clone(),
        url: r.urls.path_url(&urls::organisation_dir(&c.org.id)),
        city: c.org.city.clone(),
        level: words.level(c.level).clone(),
        status: words.status(c.status).clone(),
        expires: r.short_date(c.org.certificate.expires),
        pso30plus: c.outcome.pso30plus,
    }
}

/// The badge texts of an organisation.
pub fn badge_text(r: &Renderer, words: &Vocabulary, c: &Computed) -> (String, String, String) {
    let status = words.status(c.status);
    let detail = if status.ok {
        r.tf(
            "badge.valid_until",
            &[("date", &r.short_date(c.org.certificate.expires))],
        )
    } else {
        r.tf("badge.not_valid", &[("status", &status.label)])
    };
    let title = r.tf(
        "badge.title",
        &[
            ("name", &c.org.name),
            ("level", &words.level(c.level).label.to_lowercase()),
            ("status", &status.label.to_lowercase()),
            ("date", &r.long_date(c.org.certificate.expires)),
        ],
    );
    (words.level(c.level).label.clone(), detail, title)
}

/// Everything the organisation page shows.
pub fn organisation(
    r: &Renderer,
    words: &Vocabulary,
    registry: &Registry,
    c: &Computed,
) -> OrgView {
    let org = &c.org;
    let dir = urls::organisation_dir(&org.id);
    // Links from the page to its neighbours and its own files are relative
    // (`../<id>/`, `badge.svg`): the site's base path would otherwise be
    // written into each of them, on every organisation's page.
    let link = |id: &std::sync::Arc<str>| {
        registry.get(id).map(|s| Link {
            name: s.org.name.clone(),
            url: format!("../{id}/"),
        })
    };
    let level = words.level(c.level).clone();
    let norm_values = [
        c.norms.basistrede,
        c.norms.trede1,
        c.norms.trede2,
        c.norms.trede3,
    ];
    let norms = Level::ALL[1..]
        .iter()
        .zip(norm_values)
        .map(|(l, v)| NormView {
            label: words.level(*l).label.clone(),
            value: dutch_number(v, 2),
            reached: c.total_pct >= v,
        })
        .collect();
    let lookup = &c.outcome.norm_lookup;
    let employees = org.measurement.employees.to_string();
    let (lower, upper) = (lookup.lower_size.to_string(), lookup.upper_size.to_string());
    let size_explanation = if lookup.clamped && org.measurement.employees < lookup.lower_size {
        r.tf("organisation.size_below", &[("lower", &lower)])
    } else if lookup.clamped {
        r.tf("organisation.size_above", &[("lower", &lower)])
    } else if lookup.lower_size == lookup.upper_size {
        r.tf("organisation.size_exact", &[("n", &employees)])
    } else {
        let fraction = dutch_number(lookup.fraction * 100.0, 0);
        r.tf(
            "organisation.size_between",
            &[
                ("n", &employees),
                ("lower", &lower),
                ("upper", &upper),
                ("fraction", &fraction),
            ],
        )
    };
    let next_text = match c.level.next() {
        Some(next) => {
            let norm = c.norms.for_level(next).unwrap_or(0.0);
            let gap = (norm - c.total_pct).max(0.0);
            let fte = ladder::extra_fte_to_reach(
                norm,
                c.outcome.direct_fte,
                c.outcome.indirect_fte,
                org.measurement.total_fte,
            );
            r.tf(
                "organisation.next_text",
                &[
                    ("level", &words.level(next).label),
                    ("norm", &dutch_number(norm, 2)),
                    ("gap", &dutch_number(gap, 2)),
                    ("fte", &dutch_number(fte.max(0.0), 1)),
                ],
            )
        }
        None => r.t("organisation.top_reached"),
    };
    let level_label = &words.level(c.level).label;
    let labels: Vec<String> = Level::ALL
        .iter()
        .map(|l| words.level(*l).label.clone())
        .collect();
    let label_refs: [&str; 5] = std::array::from_fn(|i| labels[i].as_str());
    let ladder_alt = r.tf(
        "organisation.ladder_title",
        &[("name", &org.name), ("level", level_label)],
    );
    let chart_title = r.tf("organisation.chart_title", &[("name", &org.name)]);
    let chart_desc = r.tf(
        "organisation.chart_desc",
        &[
            ("direct", &dutch_number(c.direct_pct, 2)),
            ("indirect", &dutch_number(c.indirect_pct, 2)),
            ("total", &dutch_number(c.total_pct, 2)),
            ("n0", &dutch_number(c.norms.basistrede, 2)),
            ("n1", &dutch_number(c.norms.trede1, 2)),
            ("n2", &dutch_number(c.norms.trede2, 2)),
            ("n3", &dutch_number(c.norms.trede3, 2)),
        ],
    );
    let chart_svg = svg::contribution_chart(
        c.direct_pct,
        c.indirect_pct,
        &c.norms,
        &svg::ChartText {
            title: &chart_title,
            description: &chart_desc,
            norm_labels: [label_refs[1], label_refs[2], label_refs[3], label_refs[4]],
        },
    );
    let permalink = r.urls.absolute(&dir);
    let badge_abs = r.urls.absolute(&urls::badge_path(&org.id));
    let embed_alt = r.tf("badge.embed_alt", &[("name", &org.name)]);
    // The snippet is HTML the organisation pastes: every value in it is
    // escaped once here (the template escapes the snippet as a whole again).
    let embed_html = format!(
        "<a href=\"{}\"><img src=\"{}\" alt=\"{}\" width=\"220\" height=\"40\"></a>",
        crate::escape::markup(&permalink),
        crate::escape::markup(&badge_abs),
        crate::escape::markup(&embed_alt)
    );
    let embed_markdown = format!(
        "[![{}]({badge_abs})]({permalink})",
        embed_alt.replace(['[', ']'], "")
    );
    OrgView {
        id: org.id.clone(),
        name: org.name.clone(),
        kvk: org.kvk.clone(),
        city: org.city.clone(),
        province: Link {
            name: org.province.to_string(),
            url: r
                .urls
                .path_url(&format!("register/provincie/{}/", slug(org.province))),
        },
        sector: Link {
            name: org.sector.clone(),
            url: r
                .urls
                .path_url(&format!("register/sector/{}/", slug(&org.sector))),
        },
        website: org.website.clone(),
        url: r.urls.path_url(&dir),
        permalink: permalink.clone(),
        badge_url: file_name(&urls::badge_path(&org.id)),
        badge_compact_url: file_name(&urls::compact_badge_path(&org.id)),
        json_url: file_name(&urls::organisation_json_path(&org.id)),
        level,
        pso30plus: c.outcome.pso30plus,
        status: words.status(c.status).clone(),
        certificate_number: org.certificate.number.clone(),
        certificate_body: org.certificate.body.clone(),
        issued: org.certificate.issued.to_string(),
        issued_text: r.long_date(org.certificate.issued),
        expires: org.certificate.expires.to_string(),
        expires_text: r.long_date(org.certificate.expires),
        measurement_year: org.measurement.year,
        direct_pct: dutch_number(c.direct_pct, 2),
        indirect_pct: dutch_number(c.indirect_pct, 2),
        total_pct: dutch_number(c.total_pct, 2),
        size: r.tf("organisation.employees", &[("n", &employees)]),
        size_explanation,
        norms,
        cap_text: if c.outcome.cap_applied {
            r.t("organisation.cap_applied")
        } else {
            r.t("organisation.cap_not_applied")
        },
        quality_text: (!org.certificate.quality_met).then(|| r.t("organisation.quality_not_met")),
        aspirant_text: (c.level == Level::Aspirant && org.certificate.aspirant_plan)
            .then(|| r.t("organisation.aspirant_plan")),
        next_text,
        suppliers: c.suppliers.iter().filter_map(link).collect(),
        customers: c.customers.iter().filter_map(link).collect(),
        summary_html: org
            .summary
            .as_deref()
            .map(markdown::render_untrusted)
            .unwrap_or_default(),
        description_html: org
            .description
            .as_deref()
            .map(markdown::render_untrusted)
            .unwrap_or_default(),
        ladder_url: r.urls.path_url(&ladder_path(c.level)),
        ladder_alt,
        chart_svg,
        embed_html_text: textarea_text(&embed_html),
        embed_markdown_text: textarea_text(&embed_markdown),
        embed_html,
        embed_markdown,
        jsonld: jsonld(words, c, &permalink),
    }
}

/// The last part of an output path: a file beside the page, as a link
/// relative to it.
fn file_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_string()
}

/// Text as the content of a `<textarea>`: `&` and `<` escaped, nothing else.
fn textarea_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;")
}

/// schema.org JSON-LD for an organisation and its certification, safe to
/// place inside `<script type="application/ld+json">`. Nothing is said
/// twice: the certificate number is its `certificationIdentification` (not
/// also its `identifier`), the page is the organisation's `@id` (not also
/// its or the certification's `url`), and the website is its `url` (not also
/// a `sameAs`).
fn jsonld(words: &Vocabulary, c: &Computed, permalink: &str) -> String {
    let org = &c.org;
    let mut value = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Organization",
        "@id": permalink,
        "name": org.name,
        "address": {"@type": "PostalAddress", "addressLocality": org.city, "addressRegion": org.province, "addressCountry": "NL"},
        "identifier": {"@type": "PropertyValue", "propertyID": "KvK", "value": org.kvk},
        "hasCertification": {
            "@type": "Certification",
            "name": format!("PSO {}", words.level(c.level).label),
            "certificationIdentification": org.certificate.number,
            "certificationRating": {"@type": "Rating", "ratingValue": c.level.key(), "name": words.level(c.level).label},
            "certificationStatus": c.status.key(),
            "issuedBy": {"@type": "Organization", "name": org.certificate.body},
            "validFrom": org.certificate.issued.to_string(),
            "expires": org.certificate.expires.to_string(),
        }
    });
    if let Some(website) = &org.website {
        value["url"] = serde_json::json!(website);
    }
    // `</script>` and friends cannot appear: escape `<`, `>` and `&`.
    serde_json::to_string(&value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}
