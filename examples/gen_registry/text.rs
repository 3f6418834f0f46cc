//! Markdown text for records (summaries and descriptions) and TOML quoting.

use std::fmt::Write as _;

use trede::ladder::Level;

use crate::orgs::{Buy, Org};
use crate::rng::Rng;
use crate::words::level_phrase;

/// A TOML basic string, quoted and escaped.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML multi-line basic string (`"""` on its own lines), escaped.
pub fn quote_multiline(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str("\"\"\"\n");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    if !s.ends_with('\n') {
        out.push('\n');
    }
    out.push_str("\"\"\"");
    out
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

const SECOND_SENTENCES: &[&str] = &[
    "Het bedrijf werkt nauw samen met het werkbedrijf in de regio.",
    "Nieuwe medewerkers krijgen een vaste *jobcoach*.",
    "Een deel van de inkoop gaat bewust naar andere sociale ondernemingen.",
    "Opdrachtgevers zijn vooral gemeenten en woningcorporaties in {province}.",
    "Het team groeit ieder jaar met een paar **leerwerkplekken**.",
    "Wie hier begint, kan een erkend *praktijkverklaring* halen.",
    "Klanten zijn bedrijven & instellingen uit heel {province}.",
];

/// A one- or two-sentence markdown summary.
pub fn summary(rng: &mut Rng, org: &Org) -> String {
    let activity = *rng.pick(org.sector.activities);
    let mut text = match rng.index(if org.employees >= 5 { 4 } else { 3 }) {
        0 => format!(
            "{} verzorgt {activity} in {} en omgeving.",
            org.name, org.city
        ),
        1 => format!(
            "{} vanuit {}, met werk voor mensen met een *afstand tot de arbeidsmarkt*.",
            capitalise(activity),
            org.city
        ),
        2 => format!(
            "Sociale onderneming uit {} ({}): {activity}.",
            org.city, org.province
        ),
        _ => format!(
            "{} is gespecialiseerd in {activity}. Er werken {} mensen, van wie een deel via een **leerwerktraject** is begonnen.",
            org.name, org.employees
        ),
    };
    if rng.chance(0.5) {
        text.push(' ');
        text.push_str(
            &rng.pick(SECOND_SENTENCES)
                .replace("{province}", org.province),
        );
    }
    text
}

const OFFERS: &[&str] = &[
    "een vast aanspreekpunt en begeleiding door een *jobcoach*",
    "werkplekken die zijn aangepast aan wat iemand kan",
    "opleiding op de werkvloer, vaak met een **praktijkverklaring** of mbo-diploma",
    "een contract na een proefperiode, waar dat kan",
    "samenwerking met de gemeente {city} en het UWV",
    "vaste werktijden en een rustige inwerkperiode",
    "een buddy uit het eigen team voor de eerste maanden",
];

/// A description of two to four paragraphs, with a list or emphasis.
pub fn description(rng: &mut Rng, org: &Org, level: Level) -> String {
    let activities = org.sector.activities;
    let first = *rng.pick(activities);
    let second = activities
        [(activities.iter().position(|a| *a == first).unwrap_or(0) + 1) % activities.len()];
    let mut text = format!(
        "{} is in {} opgericht in {}. Het bedrijf richt zich op {first} en op {second}.",
        org.name, org.founded, org.city
    );
    if org.employees > 1 {
        let _ = write!(
            text,
            " Met {} medewerkers is het {} in de sector {}.",
            org.employees,
            match org.employees {
                0..=9 => "een kleine speler",
                10..=49 => "een middelgroot bedrijf",
                50..=249 => "een flinke werkgever",
                _ => "een van de grotere werkgevers",
            },
            org.sector.name.to_lowercase()
        );
    }
    text.push_str(
        "\n\nBij ons werken mensen met heel verschillende achtergronden. Wat wij bieden:\n\n",
    );
    let mut offers: Vec<&str> = OFFERS.to_vec();
    let n = rng.between(3, 4);
    for k in 0..n {
        let offer = offers.remove(rng.index(offers.len()));
        let end = if k + 1 == n { '.' } else { ';' };
        let _ = writeln!(text, "- {}{end}", offer.replace("{city}", org.city));
    }
    let registry_suppliers = org
        .purchases
        .iter()
        .filter(|b| matches!(b, Buy::Registry { .. }))
        .count();
    if registry_suppliers > 0 && rng.chance(0.7) {
        let _ = write!(
            text,
            "\nOok via inkoop dragen we bij: we kopen in bij {} {} uit dit register.\n",
            registry_suppliers,
            if registry_suppliers == 1 {
                "andere organisatie"
            } else {
                "andere organisaties"
            }
        );
    }
    if rng.chance(0.6) {
        let goal = match level {
            Level::Aspirant => "binnen twee jaar trede 1 halen".to_string(),
            Level::Trede3 => "trede 3 vasthouden".to_string(),
            other => format!(
                "doorgroeien van {} naar {}",
                level_phrase(other),
                level_phrase(other.next().unwrap_or(other))
            ),
        };
        let _ = write!(text, "\nOns doel voor de komende jaren: **{goal}**.\n");
    }
    text
}
