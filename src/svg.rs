//! Server-rendered SVG: the certificate badges organisations embed on their
//! own sites (`badge.svg`, `badge-compact.svg`), the ladder diagram and the
//! two charts (contribution against the norms, and the statistics bar chart).
//!
//! This module owns the drawing only: every function is pure and returns a
//! standalone SVG document as a `String`. Every visible word comes in as a
//! parameter (UI strings are theme data, in Dutch); the code formats numbers
//! only, in Dutch notation (`3,58%`, `1.234`). Every text and attribute value
//! is escaped with [`escape_xml`].
//!
//! The site runs under a strict Content-Security-Policy, so the output has no
//! `style` attributes, no `<style>` elements, no scripts and no external
//! references: presentation attributes (`fill=`, `stroke=`, `font-weight=`)
//! give the defaults, and the inlined diagrams also carry `class` attributes
//! so page CSS can restyle them; the contribution chart, inlined in every
//! organisation page, is drawn by the page CSS alone (see
//! [`contribution_chart`]). Each document has `role="img"` and a
//! `<title>` as first child (the charts a `<desc>` too). The statistics
//! page's diagrams reference theirs by `aria-labelledby`, as that page has
//! several; a badge, a file of its own in which every byte counts, and the
//! contribution chart, on every organisation page, are named by their title
//! (and described by their `desc`) alone, as SVG-AAM says. Element
//! ids of the diagrams get a prefix hashed from the input, so several
//! diagrams inlined in one page do not clash, and the output is
//! deterministic; a badge has one fixed id, its hatching's.
//!
//! Meaning is never carried by colour alone: an invalid badge is hatched and
//! has a warning sign, reached rungs are filled, thicker and checked, and the
//! indirect part of a contribution bar is hatched.

use std::fmt::{self, Write as _};

use crate::escape::{Markup as E, xml_char};
use crate::ladder::{Level, Norms, round2};

/// Writes to a `String`, which cannot fail.
macro_rules! put {
    ($out:expr, $($arg:tt)*) => {
        let _ = write!($out, $($arg)*);
    };
}

// ---- colours ----

/// Text on the badges.
const BADGE_TEXT: &str = "#fff";
/// The scheme part of a badge.
const SCHEME_BG: &str = "#333d47";
/// The level part of an invalid badge, and its hatch stripes.
const INVALID_BG: &str = "#9b1c1c";
const INVALID_STRIPE: &str = "#6b1111";
/// Text, lines and muted text of the diagrams (on a white page).
const INK: &str = "#1f2937";
const MUTED: &str = "#4b5563";
const LINK: &str = "#1d4ed8";
/// The contribution bar: direct solid, indirect hatched on a light ground.
const BAR: &str = "#1565c0";
const BAR_LIGHT: &str = "#dbeafe";
const FONT: &str = "Verdana,DejaVu Sans,Geneva,sans-serif";
/// The badges' fonts: Verdana, whose widths [`Font::width`] assumes (on
/// Windows and every Apple system), DejaVu Sans (most Linux systems), else
/// the system's own.
const BADGE_FONT: &str = "Verdana,DejaVu Sans,sans-serif";

/// The background of a level on badges and filled rungs; white text on each
/// has a contrast of at least 4.5:1 (tested).
fn level_colour(level: Level) -> &'static str {
    match level {
        Level::Aspirant => "#52606d",   // grey-blue
        Level::Basistrede => "#00695c", // teal
        Level::Trede1 => "#2e7d32",     // green
        Level::Trede2 => "#1565c0",     // blue
        Level::Trede3 => "#4a148c",     // deep purple
    }
}

// ---- badges ----

/// The words on a badge; all come from the theme.
#[derive(Debug, Clone, Copy)]
pub struct BadgeText<'a> {
    /// The scheme, left part: `"PSO"`.
    pub scheme: &'a str,
    /// The level, right part: `"Trede 2"`.
    pub level_label: &'a str,
    /// The validity, under the level on the wide badge: `"geldig t/m
    /// 31-03-2027"` or `"Verlopen"`. Only in the title of the compact badge.
    pub detail: &'a str,
    /// The accessible full sentence, the SVG `<title>`: `"Facilitair Bedrijf
    /// De Brug: PSO trede 2, geldig tot en met 31 maart 2027"`.
    pub title: &'a str,
}

/// The sizes of one badge shape.
struct BadgeShape {
    height: f64,
    min_width: f64,
    max_width: f64,
    pad: f64,
    scheme: Font,
    /// The level line and, if the shape shows it, the detail line: font and
    /// baseline.
    lines: &'static [(Font, f64)],
    /// The side of the warning sign of an invalid badge, and its gap to the text.
    sign: f64,
    sign_gap: f64,
    /// The period of the hatching of an invalid badge.
    stripe: f64,
}

const WIDE: BadgeShape = BadgeShape {
    height: 40.0,
    min_width: 220.0,
    max_width: 360.0,
    pad: 10.0,
    scheme: Font::bold(15.0),
    lines: &[(Font::bold(13.0), 17.5), (Font::regular(11.0), 32.0)],
    sign: 14.0,
    sign_gap: 6.0,
    stripe: 6.0,
};

const COMPACT: BadgeShape = BadgeShape {
    height: 20.0,
    min_width: 110.0,
    max_width: 220.0,
    pad: 6.0,
    scheme: Font::regular(11.0),
    lines: &[(Font::bold(11.0), 14.0)],
    sign: 10.0,
    sign_gap: 4.0,
    stripe: 4.0,
};

/// The wide badge (`badge.svg`, 220x40 or wider for long labels): the scheme
/// on the left, the level and the detail on two lines on the right, in the
/// level's colour.
///
/// When `valid` is false (expired, suspended, withdrawn) the right part is
/// dark red, hatched, with a warning sign, and `text.detail` should say why.
/// Long labels widen the badge up to 360, then the text is squeezed
/// (`textLength`). Under 2 KB while the escaped title stays under about
/// 1,100 bytes (tested with 485).
pub fn badge_wide(level: Level, valid: bool, text: &BadgeText) -> String {
    badge(&WIDE, level, valid, text, &[text.level_label, text.detail])
}

/// The compact badge (`badge-compact.svg`, 110x20 or wider up to 220): scheme
/// | level on one line; the detail is only in the title. Invalid as for
/// [`badge_wide`].
pub fn badge_compact(level: Level, valid: bool, text: &BadgeText) -> String {
    badge(&COMPACT, level, valid, text, &[text.level_label])
}

fn badge(
    shape: &BadgeShape,
    level: Level,
    valid: bool,
    text: &BadgeText,
    lines: &[&str],
) -> String {
    let (h, pad) = (shape.height, shape.pad);
    let sign = if valid {
        0.0
    } else {
        shape.sign + shape.sign_gap
    };
    let scheme_width = shape.scheme.width(text.scheme).min(shape.max_width / 4.0);
    let left = (scheme_width + 2.0 * pad).round();
    // Empty lines are left out; fewer lines than the shape has are centred.
    let lines: Vec<(Font, f64, &str)> = shape
        .lines
        .iter()
        .zip(lines)
        .filter(|(_, line)| !line.is_empty())
        .map(|(&(font, y), line)| (font, y, *line))
        .collect();
    let centred = lines.len() < shape.lines.len();
    let content = lines
        .iter()
        .map(|(font, _, line)| font.width(line))
        .fold(0.0, f64::max);
    let width = (left + pad + sign + content + pad)
        .round()
        .clamp(shape.min_width, shape.max_width);
    // The text zone of the right part, after the warning sign.
    let zone_start = left + pad + sign;
    let zone = width - pad - zone_start;
    // Badge coordinates as written.
    let (w, hn, r) = (N(width), N(h), N(h / 10.0));

    // The text's attributes, and the triangle's white, are inherited from
    // the root: no group. The `<title>`, first child, names the `role="img"`
    // (SVG-AAM), so it needs no id and no `aria-labelledby`.
    let mut out = String::with_capacity(768 + text.title.len());
    put!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{hn}\" \
         viewBox=\"0 0 {w} {hn}\" role=\"img\" fill=\"{BADGE_TEXT}\" font-family=\"{BADGE_FONT}\" \
         font-size=\"{}\" text-anchor=\"middle\"><title>{}</title>",
        N(BADGE_SMALL),
        E(text.title)
    );
    let right_bg = if valid {
        level_colour(level)
    } else {
        INVALID_BG
    };
    let background = format!("<rect width=\"{w}\" height=\"{hn}\" rx=\"{r}\" fill=\"");
    put!(out, "{background}{right_bg}\"/>");
    if !valid {
        // Dark stripes over the red, a quarter of each period wide, at 45
        // degrees; over the scheme part too, which covers them. A badge is
        // a document of its own (embedded with `<img>`), so the pattern's
        // id cannot clash with a page's.
        let s = N(shape.stripe);
        put!(
            out,
            "<pattern id=\"h\" width=\"{s}\" height=\"{s}\" patternUnits=\"userSpaceOnUse\" \
             patternTransform=\"rotate(45)\"><path d=\"M0 0h{}v{s}H0\" fill=\"{INVALID_STRIPE}\"/>\
             </pattern>{background}url(#h)\"/>",
            N(shape.stripe / 4.0),
        );
    }
    // The scheme part, rounded on the left only.
    put!(
        out,
        "<path d=\"M{r} 0H{}V{hn}H{r}a{r} {r} 0 0 1-{r}-{r}V{r}a{r} {r} 0 0 1 {r}-{r}\" fill=\"{SCHEME_BG}\"/>",
        N(left),
    );
    if !valid {
        // A warning sign: a white triangle with an exclamation mark in it,
        // to a tenth of a unit.
        let (s, x, y) = (shape.sign, left + pad, (h - shape.sign) / 2.0);
        let bar = s / 7.0;
        let round = |v: f64| (v * 10.0).round() / 10.0;
        let (bar_left, bar_right) = (round(x + (s - bar) / 2.0), round(x + (s + bar) / 2.0));
        let b = C(bar_right - bar_left);
        let (stem_top, stem_bottom) = (round(y + s * 0.34), round(y + s * 0.68));
        let (dot_top, dot_bottom) = (round(y + s * 0.75), round(y + s * 0.75 + bar));
        put!(
            out,
            "<path d=\"M{} {}l{} {}H{}\"/>\
             <path d=\"M{} {}h{b}v{}h-{b}m0 {}h{b}v{}h-{b}\" fill=\"{INVALID_BG}\"/>",
            C(x + s / 2.0),
            C(y),
            C(s / 2.0),
            C(s),
            C(x),
            C(bar_left),
            C(stem_top),
            C(stem_bottom - stem_top),
            C(dot_top - stem_bottom),
            C(dot_bottom - dot_top),
        );
    }
    let middle = |font: Font| h / 2.0 + font.size * 0.36;
    text_el(
        &mut out,
        left / 2.0,
        middle(shape.scheme),
        shape.scheme,
        left - 2.0 * pad,
        text.scheme,
    );
    for (font, y, line) in lines {
        let y = if centred { middle(font) } else { y };
        text_el(&mut out, zone_start + zone / 2.0, y, font, zone, line);
    }
    out.push_str("</svg>");
    out
}

// ---- the ladder ----

/// The ladder diagram (viewBox 260x200, scales with its container): five
/// rungs bottom to top for `labels` (bottom-up: Aspirant .. Trede 3), for
/// inlining in a page.
///
/// The rungs up to `reached` are filled in their level's colour and checked;
/// the reached rung is also thicker and outlined, and its label is bold and
/// followed by `reached_word` ("bereikt"). The rungs above are dashed
/// outlines with muted labels. Classes for page CSS: `ladder`, `ladder-rail`,
/// `ladder-rung` with `ladder-rung-passed|reached|open`, `ladder-check`,
/// `ladder-label`, `ladder-word`.
pub fn ladder(reached: Level, labels: &[&str; 5], title: &str, reached_word: &str) -> String {
    const W: f64 = 260.0;
    const LABEL_X: f64 = 104.0;
    const REGULAR: Font = Font::regular(14.0);
    const BOLD: Font = Font::bold(14.0);
    let room = W - LABEL_X - 4.0;
    let id = labels
        .iter()
        .fold(Id::new("l"), |id, label| id.str(label))
        .str(title)
        .str(reached_word)
        .num(f64::from(reached as u8))
        .finish();
    let mut out = String::with_capacity(2560);
    open_svg(&mut out, &id, (W, 200.0), Some("ladder"), title, None);
    put!(
        out,
        "<path class=\"ladder-rail\" d=\"M16 6V194M76 6V194\" fill=\"none\" stroke=\"{MUTED}\" \
         stroke-width=\"4\" stroke-linecap=\"round\"/>"
    );
    let mut texts = String::new();
    for (i, (level, label)) in Level::ALL.into_iter().zip(labels).enumerate() {
        let y = 176.0 - 38.0 * i as f64;
        let baseline = N(y + REGULAR.size * 0.36);
        if level > reached {
            put!(
                out,
                "<rect class=\"ladder-rung ladder-rung-open\" x=\"19\" y=\"{}\" width=\"54\" height=\"8\" \
                 rx=\"2\" fill=\"none\" stroke=\"{MUTED}\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>",
                N(y - 4.0)
            );
            put!(
                texts,
                "<text class=\"ladder-label\" x=\"{LABEL_X}\" y=\"{baseline}\" fill=\"{MUTED}\""
            );
            fit(&mut texts, REGULAR.width(label), room);
            put!(texts, ">{}</text>", E(label));
            continue;
        }
        let here = level == reached;
        let (class, half, outline, check) = if here {
            (
                "reached",
                7.0,
                " stroke=\"#111827\" stroke-width=\"1.5\"",
                3,
            )
        } else {
            ("passed", 4.0, "", 2)
        };
        put!(
            out,
            "<rect class=\"ladder-rung ladder-rung-{class}\" x=\"18\" y=\"{}\" width=\"56\" height=\"{}\" \
             rx=\"2\" fill=\"{}\"{outline}/><path class=\"ladder-check\" d=\"M85 {}l4.5 4.5 8.5-10\" \
             fill=\"none\" stroke=\"{INK}\" stroke-width=\"{check}\" stroke-linecap=\"round\" \
             stroke-linejoin=\"round\"/>",
            N(y - half),
            N(2.0 * half),
            level_colour(level),
            N(y),
        );
        put!(
            texts,
            "<text class=\"ladder-label\" x=\"{LABEL_X}\" y=\"{baseline}\" fill=\"{INK}\""
        );
        if here {
            texts.push_str(" font-weight=\"bold\"");
            let width = BOLD.width(label) + REGULAR.width(" ") + REGULAR.width(reached_word);
            fit(&mut texts, width, room);
            put!(
                texts,
                ">{} <tspan class=\"ladder-word\" font-weight=\"normal\">{}</tspan></text>",
                E(label),
                E(reached_word)
            );
        } else {
            fit(&mut texts, REGULAR.width(label), room);
            put!(texts, ">{}</text>", E(label));
        }
    }
    put!(
        out,
        "<g font-family=\"{FONT}\" font-size=\"{}\">{texts}</g></svg>",
        N(REGULAR.size)
    );
    out
}

// ---- the contribution chart ----

/// The words of a contribution chart; all come from the theme.
#[derive(Debug, Clone, Copy)]
pub struct ChartText<'a> {
    /// The SVG `<title>`.
    pub title: &'a str,
    /// The text alternative, a full sentence: the SVG `<desc>`.
    pub description: &'a str,
    /// The norm markers: `["Basistrede", "Trede 1", "Trede 2", "Trede 3"]`.
    pub norm_labels: [&'a str; 4],
}

const CHART_W: f64 = 600.0;
const PLOT_X: f64 = 24.0;
const PLOT_W: f64 = 552.0;
const NORM_FONT: Font = Font::bold(12.0);
const SMALL: Font = Font::regular(12.0);
const LABEL_ROW: f64 = 16.0;
const LABEL_GAP: f64 = 8.0;
const BAR_H: f64 = 34.0;

/// Where the parts of a contribution chart go (x in viewBox units).
#[derive(Debug, PartialEq)]
struct ChartLayout {
    /// The value at the right end of the plot.
    scale_max: f64,
    direct_width: f64,
    indirect_width: f64,
    /// The axis ticks, in percent.
    ticks: Vec<f64>,
    /// One per norm, in the order of `Norms`.
    markers: [Marker; 4],
    /// The number of label rows (1 unless labels had to be staggered).
    rows: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Marker {
    x: f64,
    /// The centre of the label (the marker, moved inside the viewBox).
    label_x: f64,
    /// 0 is the row next to the bar, 1 above it, ...
    row: usize,
}

/// A horizontal stacked bar, direct (solid) then indirect (hatched), against
/// the four norms as vertical markers with labels and values, on a percentage
/// axis up to `max(total, trede-3 norm) x 1.15`. Labels of norms too close
/// together are staggered on more rows. The viewBox is 600 wide and about
/// 120 high; it scales. The chart has no legend of its own: the page puts
/// the swatches beside the two parts' figures (`swatch-direct`,
/// `swatch-indirect`), which it shows anyway, just above the chart.
///
/// The chart is made for inlining in a page and is drawn by the page's style
/// sheet (fewer bytes than presentation attributes on every element), with
/// the classes `contribution-chart` (the font and the text colour),
/// `chart-direct`, `chart-indirect` (the bars; the hatch fill is an
/// attribute), `chart-axis`, `chart-halo` (the white edge
/// under each norm line), `chart-norm`, `chart-norm-label` (the level's name
/// is its `tspan`) and `chart-tick`. It has no `xmlns`: the HTML parser puts
/// an inline `<svg>` in the SVG namespace. Its title names it and its
/// `desc` describes it without `aria-labelledby` (SVG-AAM): a page has one
/// such chart, and the references were 78 bytes on each page.
pub fn contribution_chart(
    direct_pct: f64,
    indirect_pct: f64,
    norms: &Norms,
    text: &ChartText,
) -> String {
    let values = norm_values(norms);
    let label_texts: [String; 4] = std::array::from_fn(|i| format!(" {}", pct(values[i])));
    let label_widths: [f64; 4] = std::array::from_fn(|i| {
        NORM_FONT.width(text.norm_labels[i]) + SMALL.width(&label_texts[i])
    });
    let layout = chart_layout(direct_pct, indirect_pct, norms, label_widths);
    let (direct_pct, indirect_pct) = (clean(direct_pct), clean(indirect_pct));
    let rows = layout.rows as f64;
    let bar_y = 6.0 + rows * LABEL_ROW + 8.0;
    let axis_y = bar_y + BAR_H + 10.0;
    // Room for the tick labels under the axis.
    let height = axis_y + 26.0;
    let id = text
        .norm_labels
        .iter()
        .fold(Id::new("c"), |id, label| id.str(label))
        .str(text.title)
        .str(text.description)
        .num(direct_pct)
        .num(indirect_pct)
        .num(values[0])
        .num(values[1])
        .num(values[2])
        .num(values[3])
        .short();

    // Inlined in the page, so the page's style sheet draws it: classes
    // instead of presentation attributes, and no `xmlns`.
    let mut out = String::with_capacity(2048);
    put!(
        out,
        "<svg viewBox=\"0 0 {} {}\" role=\"img\" class=\"contribution-chart\"><title>{}</title>\
         <desc>{}</desc>",
        N(CHART_W),
        N(height),
        E(text.title),
        E(text.description)
    );
    // The hatch keeps its colours: a pattern's content is drawn apart from
    // the elements that use it.
    put!(
        out,
        "<pattern id=\"{id}i\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
         patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"{BAR_LIGHT}\"/>\
         <path d=\"M0 0V6\" stroke=\"{BAR}\" stroke-width=\"2.5\"/></pattern>"
    );
    let bar = |out: &mut String, indirect: bool, x: f64, y: f64, w: f64, h: f64| {
        if indirect {
            put!(
                out,
                "<rect class=\"chart-indirect\" fill=\"url(#{id}i)\" x=\"{}\" y=\"{}\" width=\"{}\" \
                 height=\"{}\"/>",
                C(x),
                C(y),
                C(w),
                C(h)
            );
        } else {
            put!(
                out,
                "<rect class=\"chart-direct\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                C(x),
                C(y),
                C(w),
                C(h)
            );
        }
    };
    if layout.direct_width > 0.0 {
        bar(&mut out, false, PLOT_X, bar_y, layout.direct_width, BAR_H);
    }
    if layout.indirect_width > 0.0 {
        let x = PLOT_X + layout.direct_width;
        bar(&mut out, true, x, bar_y, layout.indirect_width, BAR_H);
    }
    // The axis and its ticks.
    put!(
        out,
        "<path class=\"chart-axis\" d=\"M{} {}H{}",
        C(PLOT_X),
        C(axis_y),
        C(PLOT_X + PLOT_W)
    );
    for tick in &layout.ticks {
        put!(
            out,
            "M{} {}v5",
            C(PLOT_X + PLOT_W * tick / layout.scale_max),
            C(axis_y)
        );
    }
    out.push_str("\"/>");
    // The norm markers, from their label down across the bar to the axis.
    let label_y = |row: usize| 6.0 + (rows - 1.0 - row as f64) * LABEL_ROW + 12.0;
    // A white edge (`chart-halo`) keeps them visible across the bar.
    let mut d = String::new();
    for marker in &layout.markers {
        put!(
            d,
            "M{} {}V{}",
            C(marker.x),
            C(label_y(marker.row) + 3.0),
            C(axis_y)
        );
    }
    put!(
        out,
        "<path class=\"chart-halo\" d=\"{d}\"/><path class=\"chart-norm\" d=\"{d}\"/>"
    );
    // Labels with a white halo, over the marker lines of labels above them;
    // the level's name in bold (`tspan`).
    out.push_str("<g class=\"chart-norm-label\">");
    for (i, marker) in layout.markers.iter().enumerate() {
        put!(
            out,
            "<text x=\"{}\" y=\"{}\"",
            C(marker.label_x),
            C(label_y(marker.row))
        );
        fit(&mut out, label_widths[i], CHART_W - 4.0);
        put!(
            out,
            "><tspan>{}</tspan>{}</text>",
            E(text.norm_labels[i]),
            label_texts[i]
        );
    }
    out.push_str("</g><g class=\"chart-tick\">");
    for tick in &layout.ticks {
        let x = PLOT_X + PLOT_W * tick / layout.scale_max;
        put!(
            out,
            "<text x=\"{}\" y=\"{}\">{}%</text>",
            C(x),
            C(axis_y + 18.0),
            Dutch(*tick)
        );
    }
    out.push_str("</g></svg>");
    out
}

fn norm_values(norms: &Norms) -> [f64; 4] {
    [norms.basistrede, norms.trede1, norms.trede2, norms.trede3].map(clean)
}

/// A percentage as drawn: finite and not negative.
fn clean(value: f64) -> f64 {
    if value.is_finite() {
        value.max(0.0)
    } else {
        0.0
    }
}

fn chart_layout(direct: f64, indirect: f64, norms: &Norms, label_widths: [f64; 4]) -> ChartLayout {
    let (direct, indirect) = (clean(direct), clean(indirect));
    let values = norm_values(norms);
    let top = values.iter().copied().fold(direct + indirect, f64::max);
    let scale_max = if top > 0.0 { top * 1.15 } else { 1.0 };
    let x = |value: f64| PLOT_X + PLOT_W * value / scale_max;
    // Labels left to right; each goes on the lowest row where it keeps
    // LABEL_GAP from the label before it.
    let mut order = [0, 1, 2, 3];
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut markers = [Marker {
        x: 0.0,
        label_x: 0.0,
        row: 0,
    }; 4];
    let mut row_ends: Vec<f64> = Vec::new();
    for i in order {
        let half = (label_widths[i] / 2.0).min(CHART_W / 2.0 - 2.0);
        let label_x = x(values[i]).clamp(2.0 + half, CHART_W - 2.0 - half);
        let row = match row_ends
            .iter()
            .position(|&end| label_x - half >= end + LABEL_GAP)
        {
            Some(row) => row,
            None => {
                row_ends.push(f64::NEG_INFINITY);
                row_ends.len() - 1
            }
        };
        row_ends[row] = row_ends[row].max(label_x + half);
        markers[i] = Marker {
            x: x(values[i]),
            label_x,
            row,
        };
    }
    // At most about five ticks: the norm labels carry the exact values.
    let step = nice_step(scale_max / 5.0);
    let count = (scale_max / step + 1e-9).floor() as usize;
    ChartLayout {
        scale_max,
        direct_width: PLOT_W * direct / scale_max,
        indirect_width: PLOT_W * indirect / scale_max,
        ticks: (0..=count).map(|i| i as f64 * step).collect(),
        markers,
        rows: row_ends.len().max(1),
    }
}

/// The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude)
}

// ---- the bar chart ----

/// One bar of a [`bar_chart`].
#[derive(Debug, Clone, Copy)]
pub struct BarRow<'a> {
    /// The label left of the bar: a level, province or sector.
    pub label: &'a str,
    /// The value, printed at the end of the bar.
    pub value: u64,
    /// A link for the label (a site path, or an http(s) URL); links with
    /// another scheme (`javascript:`, `data:`) are dropped.
    pub href: Option<&'a str>,
}

const BAR_FONT: Font = Font::regular(13.0);
const ROW_H: f64 = 26.0;
const LABEL_MAX: f64 = 240.0;
const VALUE_ROOM: f64 = 56.0;

/// A horizontal bar chart for the statistics page: labels on the left (links
/// where a row has `href`, underlined), bars scaled to the largest value, the
/// value printed at each bar's end. The viewBox is 600 wide and grows 26 a
/// row; it scales. Classes: `bar-chart`, `bar`, `bar-label`, `bar-value`.
pub fn bar_chart(title: &str, description: &str, rows: &[BarRow]) -> String {
    let label_width = rows
        .iter()
        .map(|row| BAR_FONT.width(row.label))
        .fold(0.0, f64::max)
        .min(LABEL_MAX);
    let label_end = 8.0 + label_width;
    let bar_x = label_end + 10.0;
    let widths = bar_widths(rows, CHART_W - bar_x - VALUE_ROOM);
    let height = 16.0 + ROW_H * rows.len() as f64;
    let id = rows
        .iter()
        .fold(Id::new("g"), |id, row| {
            id.str(row.label)
                .num(row.value as f64)
                .str(row.href.unwrap_or(""))
        })
        .str(title)
        .str(description)
        .finish();
    let mut out = String::with_capacity(512 + 256 * rows.len());
    open_svg(
        &mut out,
        &id,
        (CHART_W, height),
        Some("bar-chart"),
        title,
        Some(description),
    );
    put!(
        out,
        "<g font-family=\"{FONT}\" font-size=\"13\" fill=\"{INK}\">"
    );
    for (i, (row, width)) in rows.iter().zip(&widths).enumerate() {
        let top = 8.0 + ROW_H * i as f64;
        let baseline = N(top + ROW_H / 2.0 + 13.0 * 0.36);
        let href = row.href.filter(|href| safe_href(href));
        if let Some(href) = href {
            put!(out, "<a href=\"{}\">", E(href));
        }
        put!(
            out,
            "<text class=\"bar-label\" x=\"{}\" y=\"{baseline}\" text-anchor=\"end\"",
            N(label_end)
        );
        if href.is_some() {
            put!(out, " fill=\"{LINK}\" text-decoration=\"underline\"");
        }
        fit(&mut out, BAR_FONT.width(row.label), label_width);
        put!(out, ">{}</text>", E(row.label));
        if href.is_some() {
            out.push_str("</a>");
        }
        put!(
            out,
            "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"16\" fill=\"{BAR}\"/>\
             <text class=\"bar-value\" x=\"{}\" y=\"{baseline}\">{}</text>",
            N(bar_x),
            N(top + 5.0),
            N(*width),
            N(bar_x + width + 6.0),
            Grouped(row.value)
        );
    }
    if !rows.is_empty() {
        put!(
            out,
            "<path class=\"bar-axis\" d=\"M{} 4V{}\" stroke=\"{MUTED}\"/>",
            N(bar_x),
            N(height - 4.0)
        );
    }
    out.push_str("</g></svg>");
    out
}

/// Bar lengths proportional to the values, the largest `plot_width` long.
fn bar_widths(rows: &[BarRow], plot_width: f64) -> Vec<f64> {
    let max = rows.iter().map(|row| row.value).max().unwrap_or(0);
    rows.iter()
        .map(|row| {
            if max == 0 {
                0.0
            } else {
                plot_width * row.value as f64 / max as f64
            }
        })
        .collect()
}

/// Whether a link may be drawn: a relative URL, or http, https or mailto.
fn safe_href(href: &str) -> bool {
    let href = href.trim_start();
    match href.find(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c))) {
        Some(end) if end > 0 && href[end..].starts_with(':') => {
            let scheme = href[..end].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
        _ => true,
    }
}

// ---- shared helpers ----

/// Escapes text for XML text and attribute values; see [`crate::escape`].
pub fn escape_xml(text: &str) -> String {
    crate::escape::markup(text)
}

/// Displays a coordinate with at most two decimals, without trailing zeros.
struct N(f64);

impl fmt::Display for N {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = if self.0.is_finite() { self.0 } else { 0.0 };
        // Integer arithmetic gives the same digits as `{:.2}` unless x * 100
        // lies within a hair of a half, where the product's own rounding
        // could tip it: those few go the exact (and much slower) way.
        let scaled = x * 100.0;
        let fraction = (scaled - scaled.trunc()).abs();
        if scaled.abs() < 1e9 && (fraction - 0.5).abs() > 1e-6 {
            let hundredths = scaled.round() as i64;
            let (whole, rest) = (hundredths.abs() / 100, hundredths.abs() % 100);
            let sign = if hundredths < 0 { "-" } else { "" };
            return match rest {
                0 => write!(f, "{sign}{whole}"),
                r if r % 10 == 0 => write!(f, "{sign}{whole}.{}", r / 10),
                r => write!(f, "{sign}{whole}.{r:02}"),
            };
        }
        let text = format!("{x:.2}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        f.write_str(if text == "-0" { "0" } else { text })
    }
}

/// Displays a coordinate of the contribution chart with at most one
/// decimal: a tenth of a unit of its 600-wide viewBox is under a fifth of a
/// pixel at the largest size it is shown.
struct C(f64);

impl fmt::Display for C {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = if self.0.is_finite() { self.0 } else { 0.0 };
        N((x * 10.0).round() / 10.0).fmt(f)
    }
}

/// Displays a number the Dutch way: a decimal comma, at most two decimals.
struct Dutch(f64);

impl fmt::Display for Dutch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&N(self.0).to_string().replace('.', ","))
    }
}

/// A percentage as published: rounded to two decimals, decimal comma.
fn pct(value: f64) -> String {
    format!("{:.2}%", round2(value)).replace('.', ",")
}

/// Displays a count with Dutch thousands separators: `12.345`.
struct Grouped(u64);

impl fmt::Display for Grouped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.to_string();
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                f.write_str(".")?;
            }
            write!(f, "{digit}")?;
        }
        Ok(())
    }
}

/// Writes the `<svg>` start tag of a diagram (a viewBox only, so it
/// scales), the `<title>` and the optional `<desc>`.
fn open_svg(
    out: &mut String,
    id: &str,
    (width, height): (f64, f64),
    class: Option<&str>,
    title: &str,
    desc: Option<&str>,
) {
    let (w, h) = (N(width), N(height));
    put!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" \
         aria-labelledby=\"{id}t\""
    );
    if desc.is_some() {
        put!(out, " aria-describedby=\"{id}d\"");
    }
    if let Some(class) = class {
        put!(out, " class=\"{class}\"");
    }
    put!(out, "><title id=\"{id}t\">{}</title>", E(title));
    if let Some(desc) = desc {
        put!(out, "<desc id=\"{id}d\">{}</desc>", E(desc));
    }
}

/// The font size of a badge's root element (11, the smallest on either
/// badge).
const BADGE_SMALL: f64 = 11.0;

/// Writes a `<text>` element of a badge (its size unless it is the root's,
/// [`BADGE_SMALL`]), squeezed to `max_width` if it would be wider. The
/// baseline is written to a tenth of a unit (13.96 as 14, which moves no
/// pixel in Chromium even at three device pixels a unit).
fn text_el(out: &mut String, x: f64, y: f64, font: Font, max_width: f64, content: &str) {
    put!(out, "<text x=\"{}\" y=\"{}\"", N(x), C(y));
    if font.size != BADGE_SMALL {
        put!(out, " font-size=\"{}\"", N(font.size));
    }
    if font.bold {
        // `bold` is 700.
        out.push_str(" font-weight=\"700\"");
    }
    fit(out, font.width(content), max_width);
    put!(out, ">{}</text>", E(content));
}

/// Adds `textLength` to a text start tag whose estimated width exceeds the room.
fn fit(out: &mut String, width: f64, room: f64) {
    if width > room {
        put!(
            out,
            " textLength=\"{}\" lengthAdjust=\"spacingAndGlyphs\"",
            N(room.max(1.0))
        );
    }
}

/// A sans-serif font size and weight, with estimated text widths.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Font {
    size: f64,
    bold: bool,
}

impl Font {
    const fn regular(size: f64) -> Font {
        Font { size, bold: false }
    }

    const fn bold(size: f64) -> Font {
        Font { size, bold: true }
    }

    /// The estimated width of `text`, with Verdana's advance widths (the
    /// widest common sans-serif, so other fonts fit too; as shields.io does).
    fn width(self, text: &str) -> f64 {
        let units: u32 = text.chars().map(char_units).sum();
        let bold = if self.bold { 1.15 } else { 1.0 };
        f64::from(units) * self.size / 1000.0 * bold
    }
}

/// Verdana advance widths in 1/1000 em, for ' ' to '~'.
const VERDANA: [u16; 95] = [
    352, 394, 459, 818, 636, 1076, 727, 269, 454, 454, 636, 818, 364, 454, 364,
    454, // ' '..'/'
    636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 454, 454, 818, 818, 818,
    545, // '0'..'?'
    1000, 684, 686, 698, 771, 632, 575, 775, 751, 421, 455, 693, 557, 843, 748,
    787, // '@'..'O'
    603, 787, 695, 684, 616, 732, 684, 989, 685, 615, 685, 454, 454, 454, 818,
    636, // 'P'..'_'
    636, 601, 623, 521, 623, 596, 352, 623, 633, 274, 344, 592, 274, 973, 633,
    607, // '`'..'o'
    623, 623, 427, 521, 394, 633, 592, 818, 592, 592, 525, 635, 454, 635, 818, // 'p'..'~'
];

fn char_units(c: char) -> u32 {
    match c {
        ' '..='~' => u32::from(VERDANA[c as usize - 32]),
        _ if !xml_char(c) || c.is_control() => 0,
        // Accented letters as their base letters (é as e); the rest as wide.
        _ => match deunicode::deunicode_char(c) {
            Some(ascii)
                if !ascii.is_empty()
                    && ascii.chars().all(|a| (' '..='~').contains(&a))
                    && ascii.len() <= 2 =>
            {
                ascii.chars().map(char_units).sum()
            }
            _ => 1000,
        },
    }
}

/// Element id prefixes: a letter and a hash of the input, so that diagrams
/// inlined in one page do not share ids, and the output stays deterministic.
struct Id {
    prefix: &'static str,
    hash: u64,
}

impl Id {
    fn new(prefix: &'static str) -> Id {
        Id {
            prefix,
            hash: 0xcbf2_9ce4_8422_2325,
        }
    }

    /// Adds bytes (FNV-1a), then a separator.
    fn bytes(mut self, bytes: &[u8]) -> Id {
        for &byte in bytes.iter().chain(&[0xff]) {
            self.hash = (self.hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        self
    }

    fn str(self, text: &str) -> Id {
        self.bytes(text.as_bytes())
    }

    fn num(self, value: f64) -> Id {
        self.bytes(&value.to_bits().to_le_bytes())
    }

    /// A shorter id, for a diagram that appears once on a page.
    fn short(self) -> String {
        format!(
            "{}{:04x}",
            self.prefix,
            (self.hash ^ (self.hash >> 32) ^ (self.hash >> 16)) as u16
        )
    }

    fn finish(self) -> String {
        format!(
            "{}{:08x}",
            self.prefix,
            (self.hash ^ (self.hash >> 32)) as u32
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::Reader;
    use quick_xml::events::Event;

    const HOSTILE: &str = "<script>alert(1)</script>&\"'";
    const LABELS: [&str; 5] = ["Aspirant", "Basistrede", "Trede 1", "Trede 2", "Trede 3"];
    const NORM_LABELS: [&str; 4] = ["Basistrede", "Trede 1", "Trede 2", "Trede 3"];

    fn norms(basistrede: f64, trede1: f64, trede2: f64, trede3: f64) -> Norms {
        Norms {
            basistrede,
            trede1,
            trede2,
            trede3,
        }
    }

    fn size_54() -> Norms {
        norms(2.04, 2.84, 3.58, 6.36)
    }

    fn badge_text(level: Level, valid: bool) -> BadgeText<'static> {
        let level_label = LABELS[level as usize];
        BadgeText {
            scheme: "PSO",
            level_label,
            detail: if valid {
                "geldig t/m 31-03-2027"
            } else {
                "Verlopen"
            },
            title: if valid {
                "Facilitair Bedrijf De Brug: PSO trede 2, geldig tot en met 31 maart 2027"
            } else {
                "Facilitair Bedrijf De Brug: PSO trede 2, verlopen op 31 maart 2025"
            },
        }
    }

    fn chart_text(title: &'static str) -> ChartText<'static> {
        ChartText {
            title,
            description: "Direct 3,66%, indirect 0,42%, samen 4,08%: trede 2 bereikt (norm 3,58%).",
            norm_labels: NORM_LABELS,
        }
    }

    fn rows() -> Vec<BarRow<'static>> {
        vec![
            BarRow {
                label: "Aspirant",
                value: 3,
                href: Some("/organisaties/?trede=aspirant"),
            },
            BarRow {
                label: "Basistrede",
                value: 12,
                href: Some("/organisaties/?trede=basistrede"),
            },
            BarRow {
                label: "Trede 1",
                value: 1234,
                href: None,
            },
            BarRow {
                label: "Trede 2",
                value: 0,
                href: Some("javascript:alert(1)"),
            },
            BarRow {
                label: "Noord-Brabant en Zeeland",
                value: 617,
                href: Some("/provincies/noord-brabant/"),
            },
        ]
    }

    /// One of every kind of SVG, with ordinary and with hostile texts.
    fn samples() -> Vec<(String, String)> {
        let mut all = Vec::new();
        for level in Level::ALL {
            for valid in [true, false] {
                let text = badge_text(level, valid);
                all.push((
                    format!("wide-{level}-{valid}"),
                    badge_wide(level, valid, &text),
                ));
                all.push((
                    format!("compact-{level}-{valid}"),
                    badge_compact(level, valid, &text),
                ));
            }
            all.push((
                format!("ladder-{level}"),
                ladder(level, &LABELS, "Bereikte trede", "bereikt"),
            ));
        }
        let hostile = BadgeText {
            scheme: HOSTILE,
            level_label: HOSTILE,
            detail: HOSTILE,
            title: HOSTILE,
        };
        all.push((
            "wide-hostile".into(),
            badge_wide(Level::Trede1, false, &hostile),
        ));
        all.push((
            "compact-hostile".into(),
            badge_compact(Level::Trede1, true, &hostile),
        ));
        let labels = [HOSTILE; 5];
        all.push((
            "ladder-hostile".into(),
            ladder(Level::Trede1, &labels, HOSTILE, HOSTILE),
        ));
        all.push((
            "chart".into(),
            contribution_chart(3.66, 0.42, &size_54(), &chart_text("Bijdrage")),
        ));
        all.push((
            "chart-high".into(),
            contribution_chart(
                30.0,
                12.0,
                &norms(14.5, 21.4, 28.0, 33.0),
                &chart_text("Hoog"),
            ),
        ));
        all.push((
            "chart-zero".into(),
            contribution_chart(0.0, f64::NAN, &size_54(), &chart_text("Nul")),
        ));
        let hostile_chart = ChartText {
            title: HOSTILE,
            description: HOSTILE,
            norm_labels: [HOSTILE; 4],
        };
        all.push((
            "chart-hostile".into(),
            contribution_chart(1.0, 1.0, &size_54(), &hostile_chart),
        ));
        all.push((
            "bars".into(),
            bar_chart(
                "Organisaties per trede",
                "Aantal organisaties per trede.",
                &rows(),
            ),
        ));
        all.push((
            "bars-empty".into(),
            bar_chart("Leeg", "Geen organisaties.", &[]),
        ));
        let bad_row = [BarRow {
            label: HOSTILE,
            value: 1,
            href: Some("/a?b=1&c=\"2\""),
        }];
        all.push(("bars-hostile".into(), bar_chart(HOSTILE, HOSTILE, &bad_row)));
        all
    }

    /// Parses the whole document and checks the title is the first child.
    fn assert_well_formed(name: &str, svg: &str) {
        let mut reader = Reader::from_str(svg);
        let mut starts = Vec::new();
        loop {
            match reader.read_event() {
                Ok(Event::Eof) => break,
                Ok(Event::Start(e)) => {
                    starts.push(String::from_utf8(e.name().as_ref().to_vec()).unwrap())
                }
                Ok(_) => {}
                Err(error) => panic!("{name}: {error} in {svg}"),
            }
        }
        assert_eq!(
            starts.get(..2),
            Some(&["svg".to_string(), "title".to_string()][..]),
            "{name}"
        );
        // The contribution chart is only ever inlined in a page.
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"")
                || (name.starts_with("chart") && svg.starts_with("<svg viewBox=")),
            "{name}"
        );
        // A badge's and the contribution chart's title name them alone
        // (SVG-AAM); a statistics diagram's title and description are
        // referenced, as the page around it has others.
        let named_by_title = ["wide", "compact", "chart"]
            .iter()
            .any(|b| name.starts_with(b));
        if named_by_title {
            assert!(svg.contains(" role=\"img\""), "{name}");
            assert!(
                !svg.contains(" id=\"t\"") && !svg.contains("aria-"),
                "{name}"
            );
        } else {
            assert!(svg.contains(" role=\"img\" aria-labelledby=\""), "{name}");
        }
        assert!(svg.ends_with("</svg>"), "{name}");
        for banned in [
            "<script",
            "style=",
            "<style",
            "href=\"http",
            "xlink:",
            "href=\"javascript",
            "\n",
        ] {
            assert!(!svg.contains(banned), "{name} contains {banned:?}");
        }
    }

    #[test]
    fn every_svg_is_well_formed_and_accessible() {
        for (name, svg) in samples() {
            assert_well_formed(&name, &svg);
            if name.starts_with("chart") {
                assert!(svg.contains("</title><desc>"), "{name}");
            } else if name.starts_with("bars") {
                assert!(svg.contains("<desc id=\""), "{name}");
            }
        }
    }

    #[test]
    fn hostile_text_is_escaped_everywhere() {
        let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&apos;";
        for (name, svg) in samples()
            .into_iter()
            .filter(|(name, _)| name.ends_with("hostile"))
        {
            assert!(svg.contains(escaped), "{name}");
            assert!(
                !svg.contains("<script") && !svg.contains("alert(1)</"),
                "{name}"
            );
        }
        assert_eq!(escape_xml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        // Characters XML forbids are dropped, so the document still parses.
        assert_eq!(escape_xml("a\u{0}b\u{1b}c\td\u{FFFF}"), "abc\td");
    }

    #[test]
    fn badges_stay_under_2_kb_with_long_texts() {
        let name = "Stichting Sociale Werkvoorziening en Groenonderhoud Regio Zuidoost-Drenthe \
                    & Omstreken \"De Wilgenhof\" B.V.";
        let title = format!(
            "{name}: PSO trede 3, niet meer geldig: geschorst per 1 januari 2026 (certificaat PSO-2025-00123, uitgegeven door Kiwa Nederland)"
        );
        let title = format!("{title} {title}");
        assert!(title.len() > 450);
        let mut sizes = Vec::new();
        for level in Level::ALL {
            for valid in [true, false] {
                let text = BadgeText {
                    scheme: "PSO-keurmerk",
                    level_label: "Trede 3 (hoogste trede)",
                    detail: "geschorst sinds 01-01-2026, zie register",
                    title: &title,
                };
                for (kind, svg) in [
                    ("wide", badge_wide(level, valid, &text)),
                    ("compact", badge_compact(level, valid, &text)),
                ] {
                    assert_well_formed(kind, &svg);
                    assert!(
                        svg.len() < 2048,
                        "{kind} {level} {valid}: {} bytes",
                        svg.len()
                    );
                    sizes.push(svg.len());
                }
            }
        }
        eprintln!("badge sizes with a {}-byte title: {sizes:?}", title.len());
    }

    #[test]
    fn badge_widths_grow_with_labels_and_stop_at_the_maximum() {
        let width = |svg: &str| {
            svg.split("width=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_string()
        };
        let short = badge_text(Level::Trede2, true);
        assert_eq!(width(&badge_wide(Level::Trede2, true, &short)), "220");
        assert_eq!(width(&badge_compact(Level::Trede2, true, &short)), "110");
        assert!(!badge_wide(Level::Trede2, true, &short).contains("textLength"));
        let long = BadgeText {
            level_label: "Trede 2 volgens de Prestatieladder Socialer Ondernemen",
            ..short
        };
        let wide = badge_wide(Level::Trede2, true, &long);
        assert_eq!(width(&wide), "360");
        assert!(wide.contains("textLength"));
        // Without a detail the level is centred.
        let bare = BadgeText {
            detail: "",
            ..short
        };
        assert!(badge_wide(Level::Trede2, true, &bare).contains("y=\"24.7\""));
    }

    #[test]
    fn invalid_badges_are_not_told_by_colour_alone() {
        for level in Level::ALL {
            let valid = badge_wide(level, true, &badge_text(level, true));
            let invalid = badge_wide(level, false, &badge_text(level, false));
            assert!(!valid.contains("<pattern") && invalid.contains("<pattern"));
            assert!(invalid.contains(INVALID_BG) && !invalid.contains(level_colour(level)));
            // The warning sign: a triangle and the exclamation mark.
            assert_eq!(invalid.matches("<path").count(), 4, "{invalid}");
        }
        let colours: std::collections::BTreeSet<_> =
            Level::ALL.map(level_colour).into_iter().collect();
        assert_eq!(colours.len(), 5);
    }

    fn luminance(hex: &str) -> f64 {
        let hex = hex.trim_start_matches('#');
        let hex: String = if hex.len() == 3 {
            hex.chars().flat_map(|c| [c, c]).collect()
        } else {
            hex.into()
        };
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let (a, b) = (luminance(a), luminance(b));
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    #[test]
    fn text_contrast_is_at_least_wcag_aa() {
        assert!((contrast("#000", "#fff") - 21.0).abs() < 1e-9);
        let mut pairs = vec![
            (BADGE_TEXT, SCHEME_BG),
            (BADGE_TEXT, INVALID_BG),
            (BADGE_TEXT, INVALID_STRIPE),
        ];
        pairs.extend(Level::ALL.map(|level| (BADGE_TEXT, level_colour(level))));
        for text in [INK, MUTED, LINK] {
            pairs.push((text, "#fff"));
        }
        for (text, background) in pairs {
            let ratio = contrast(text, background);
            eprintln!("{text} on {background}: {ratio:.2}");
            assert!(ratio >= 4.5, "{text} on {background}: {ratio:.2}");
        }
        // Rungs and bars (graphics) against the page: at least 3:1.
        for colour in Level::ALL.map(level_colour).into_iter().chain([BAR, MUTED]) {
            assert!(contrast(colour, "#fff") >= 3.0, "{colour}");
        }
    }

    #[test]
    fn chart_bars_are_proportional() {
        // Scale: max(2 + 1, 20) x 1.15 = 23, over 552 units.
        let layout = chart_layout(4.6, 2.3, &norms(5.0, 10.0, 15.0, 20.0), [40.0; 4]);
        assert!((layout.scale_max - 23.0).abs() < 1e-12);
        assert!((layout.direct_width - 110.4).abs() < 1e-9);
        assert!((layout.indirect_width - 55.2).abs() < 1e-9);
        assert!((layout.markers[3].x - (PLOT_X + 480.0)).abs() < 1e-9);
        assert_eq!(layout.ticks, [0.0, 5.0, 10.0, 15.0, 20.0]);
        assert_eq!(layout.rows, 1);
        // A total above the trede-3 norm sets the scale.
        let layout = chart_layout(30.0, 10.0, &norms(5.0, 10.0, 15.0, 20.0), [40.0; 4]);
        assert!((layout.scale_max - 46.0).abs() < 1e-12);
        assert!((layout.direct_width + layout.indirect_width - PLOT_W / 1.15).abs() < 1e-9);
        // Nothing to draw still gives a usable scale.
        let layout = chart_layout(f64::NAN, -1.0, &norms(0.0, 0.0, 0.0, 0.0), [40.0; 4]);
        assert_eq!(
            (layout.scale_max, layout.direct_width, layout.indirect_width),
            (1.0, 0.0, 0.0)
        );
    }

    #[test]
    fn chart_labels_are_staggered_when_norms_nearly_coincide() {
        let rows = |layout: &ChartLayout| layout.markers.map(|m| m.row);
        // Far apart: one row.
        let apart = chart_layout(1.0, 0.0, &norms(5.0, 10.0, 15.0, 20.0), [60.0; 4]);
        assert_eq!(rows(&apart), [0, 0, 0, 0]);
        // 2.04 and 2.84 are 60 units apart on a 7.31 scale: labels of 90 overlap.
        let close = chart_layout(3.66, 0.42, &size_54(), [90.0; 4]);
        assert_eq!(rows(&close), [0, 1, 0, 0]);
        assert_eq!(close.rows, 2);
        // Three nearly equal norms need three rows; labels on one row never overlap.
        let crowded = chart_layout(1.0, 0.0, &norms(3.0, 3.1, 3.2, 6.0), [90.0; 4]);
        assert_eq!(rows(&crowded), [0, 1, 2, 0]);
        for layout in [&apart, &close, &crowded] {
            for a in &layout.markers {
                for b in &layout.markers {
                    if a != b && a.row == b.row {
                        assert!((a.label_x - b.label_x).abs() >= 90.0 + LABEL_GAP - 1e-9);
                    }
                }
                assert!(a.label_x - 45.0 >= 0.0 && a.label_x + 45.0 <= CHART_W);
            }
        }
        // The drawn chart has both rows, and the height grows with them.
        let svg = contribution_chart(3.66, 0.42, &size_54(), &chart_text("Bijdrage"));
        assert!(svg.contains("viewBox=\"0 0 600 116\""), "{svg}");
    }

    #[test]
    fn bar_chart_scales_and_links() {
        let widths = bar_widths(
            &[
                BarRow {
                    label: "a",
                    value: 5,
                    href: None,
                },
                BarRow {
                    label: "b",
                    value: 20,
                    href: None,
                },
                BarRow {
                    label: "c",
                    value: 0,
                    href: None,
                },
            ],
            400.0,
        );
        assert_eq!(widths, [100.0, 400.0, 0.0]);
        assert_eq!(
            bar_widths(
                &[BarRow {
                    label: "a",
                    value: 0,
                    href: None
                }],
                400.0
            ),
            [0.0]
        );
        let svg = bar_chart("t", "d", &rows());
        assert!(svg.contains(">1.234</text>") && svg.contains(">617</text>"));
        assert!(svg.contains("<a href=\"/organisaties/?trede=aspirant\">"));
        assert_eq!(
            svg.matches("<a href").count(),
            3,
            "javascript: link dropped"
        );
        assert!(svg.contains("viewBox=\"0 0 600 146\""));
        let hostile = bar_chart(
            "t",
            "d",
            &[BarRow {
                label: "x",
                value: 1,
                href: Some("/a?b=1&c=\"2\""),
            }],
        );
        assert!(hostile.contains("href=\"/a?b=1&amp;c=&quot;2&quot;\""));
        for (href, safe) in [
            ("/x", true),
            ("x/y:z", true),
            ("?a:b", true),
            ("https://a.nl", true),
            ("mailto:a@b.nl", true),
            (" JavaScript:x", false),
            ("data:text/html,x", false),
            ("vbscript:x", false),
        ] {
            assert_eq!(safe_href(href), safe, "{href}");
        }
    }

    #[test]
    fn fast_numbers_match_the_exact_formatting() {
        let exact = |x: f64| {
            let text = format!("{x:.2}");
            let text = text.trim_end_matches('0').trim_end_matches('.');
            (if text == "-0" { "0" } else { text }).to_string()
        };
        let mut x = -1000.0;
        while x < 1000.0 {
            for v in [x, x + 0.005, x - 0.005, x / 3.0, x * 1.0001] {
                assert_eq!(N(v).to_string(), exact(v), "{v:?}");
            }
            x += 0.0137;
        }
        for v in [
            0.0, -0.0, 0.004, -0.004, 1.005, 2.675, 1e12, -1e12, 0.125, 0.375,
        ] {
            assert_eq!(N(v).to_string(), exact(v), "{v:?}");
        }
    }

    #[test]
    fn numbers_are_compact_and_dutch() {
        let n = |x: f64| N(x).to_string();
        assert_eq!(
            [n(1.0), n(1.5), n(1.257), n(-0.001), n(120.0), n(f64::NAN)],
            ["1", "1.5", "1.26", "0", "120", "0"]
        );
        assert_eq!(
            [pct(3.575), pct(0.4), pct(12.0)],
            ["3,58%", "0,40%", "12,00%"]
        );
        assert_eq!(Dutch(2.5).to_string(), "2,5");
        assert_eq!(
            [0, 999, 1000, 1234567].map(|v| Grouped(v).to_string()),
            ["0", "999", "1.000", "1.234.567"]
        );
        assert_eq!(
            [
                nice_step(0.91),
                nice_step(1.2),
                nice_step(2.4),
                nice_step(3.0)
            ],
            [1.0, 2.0, 2.5, 5.0]
        );
    }

    #[test]
    fn text_widths_follow_verdana() {
        // "PSO" at 11px: (603 + 684 + 787) / 1000 x 11.
        assert!((Font::regular(11.0).width("PSO") - 22.814).abs() < 1e-9);
        assert_eq!(
            Font::regular(10.0).width("é"),
            Font::regular(10.0).width("e")
        );
        assert!(Font::bold(10.0).width("Trede") > Font::regular(10.0).width("Trede"));
        assert_eq!(Font::regular(10.0).width("数"), 10.0);
    }

    #[test]
    fn output_is_deterministic_and_ids_differ() {
        assert_eq!(samples(), samples());
        let a = bar_chart("Per trede", "d", &rows());
        let b = bar_chart("Per provincie", "d", &rows());
        let id = |svg: &str| svg.split("aria-labelledby=\"").nth(1).unwrap()[..9].to_string();
        assert_ne!(id(&a), id(&b));
    }

    /// Snapshots with one element a line, for readable diffs.
    fn lines(svg: &str) -> String {
        svg.replace("><", ">\n<")
    }

    #[test]
    fn snapshots() {
        for level in Level::ALL {
            let svg = badge_wide(level, true, &badge_text(level, true));
            insta::assert_snapshot!(format!("badge_wide_{}", level.key()), lines(&svg));
        }
        let text = BadgeText {
            detail: "Verlopen",
            ..badge_text(Level::Trede2, false)
        };
        insta::assert_snapshot!(
            "badge_wide_invalid",
            lines(&badge_wide(Level::Trede2, false, &text))
        );
        insta::assert_snapshot!(
            "badge_compact_invalid",
            lines(&badge_compact(Level::Trede2, false, &text))
        );
        let svg = ladder(Level::Trede2, &LABELS, "Bereikte trede: Trede 2", "bereikt");
        insta::assert_snapshot!("ladder_trede_2", lines(&svg));
        let svg = contribution_chart(3.66, 0.42, &size_54(), &chart_text("Bijdrage aan de norm"));
        insta::assert_snapshot!("contribution_chart", lines(&svg));
    }

    /// With TREDE_SVG_DIR set, writes every sample there to look at.
    #[test]
    fn write_samples_for_inspection() {
        if let Some(dir) = std::env::var_os("TREDE_SVG_DIR") {
            for (name, svg) in samples() {
                std::fs::write(std::path::Path::new(&dir).join(format!("{name}.svg")), svg)
                    .unwrap();
            }
        }
    }
}
