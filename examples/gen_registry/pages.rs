//! The site's pages: the home page, explainers under `uitleg/` and blog
//! posts under `blog/`, as generated Dutch-ish markdown with TOML front
//! matter. No `@/` links.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use jiff::ToSpan;
use jiff::civil::{Date, date};
use trede::ladder::{CertificateStatus, Level};
use trede::tables::{NormTable, Weights};

use crate::orgs::slug;
use crate::rng::Rng;
use crate::text::quote;
use crate::words::{self, level_label, level_phrase};

const STREAM_PAGES: u64 = 10;

/// Aggregates of the generated registry that pages mention.
pub struct Facts {
    pub count: usize,
    pub levels: Vec<(Level, usize)>,
    pub statuses: Vec<(CertificateStatus, usize)>,
    pub pso30plus: usize,
}

/// A file to write, relative to the output folder.
pub struct Page {
    pub path: String,
    pub text: String,
}

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

const SENTENCES: &[&str] = &[
    "Steeds meer inkopers in {city} vragen bij een aanbesteding naar een PSO-certificaat.",
    "Voor een bedrijf in de sector {sector} is de stap naar {level} vaak kleiner dan gedacht.",
    "Een organisatie met {n} medewerkers vergelijkt haar score met de norm voor haar eigen grootte.",
    "De indirecte bijdrage telt mee via inkoop bij andere gecertificeerde organisaties en sociale werkbedrijven.",
    "Het deel uit inkoop mag nooit meer zijn dan tachtig procent van de totale score.",
    "Wie een plan van aanpak indient, kan als aspirant beginnen.",
    "Een certificaat is hooguit twee jaar geldig; daarna volgt een nieuwe meting.",
    "Gemeenten geven gecertificeerde leveranciers soms korting op hun social-return-verplichting.",
    "In {city} werken {n} mensen via een leerwerkplek bij bedrijven uit het register.",
    "De normen verschillen per bedrijfsgrootte: kleine bedrijven hebben hogere percentages nodig.",
    "Ongeveer {pct} procent van de vermelde organisaties heeft op dit moment een geldig certificaat.",
    "Een contract in begeleid werken telt even zwaar als een regulier contract.",
    "Een stage of werkervaringsplaats telt voor driekwart mee.",
    "Een proefplaatsing telt niet mee in de directe bijdrage.",
    "Het register wordt opnieuw opgebouwd zodra de certificerende instellingen nieuwe gegevens leveren.",
    "Wie twijfelt over een vermelding, kan contact opnemen met de redactie.",
    "De cijfers in dit register zijn *fictief* en dienen alleen als voorbeeld.",
    "Bedrijven uit {province} en {province2} werken vaak samen bij grote opdrachten.",
    "Een **sociale onderneming** in {city} haalde dit jaar voor het eerst {level}.",
    "Het verschil tussen twee treden is soms maar een paar tienden van een procentpunt.",
    "Inkopers kunnen het register doorzoeken op naam, plaats, sector en trede.",
    "Alle gegevens zijn ook als open data beschikbaar, zonder gegevens over personen.",
    "De meting kijkt naar het peiljaar {year}: het laatste volledige jaar voor de audit.",
    "Een certificaat dat binnen negentig dagen verloopt, krijgt het label *verloopt binnenkort*.",
    "Een geschorst certificaat blijft zichtbaar, maar geldt zolang niet als bewijs.",
    "In de sector {sector} halen veel bedrijven hun score vooral uit eigen personeel.",
    "Samenwerking met het werkbedrijf in {city} levert vaak de eerste kandidaten op.",
    "Een jobcoach helpt nieuwe collega's in de eerste maanden op weg.",
    "Het register telt nu {count} organisaties, verspreid over alle twaalf provincies.",
    "In {province} staan vooral kleine bedrijven met minder dan tien medewerkers op de ladder.",
];

const LIST_ITEMS: &[&str] = &[
    "controleer de **status** van het certificaat op de datum van gunning",
    "kijk naar de *geldig tot*-datum, niet alleen naar de trede",
    "vraag bij twijfel het auditrapport op",
    "let op het verschil tussen directe en indirecte bijdrage",
    "bewaar een kopie van de vermelding bij het inkoopdossier",
    "vergelijk alleen organisaties van dezelfde grootte",
    "houd rekening met de peildatum van de meting",
];

const HEADINGS: &[&str] = &[
    "Wat verandert er?",
    "Waarom dit belangrijk is",
    "De cijfers",
    "Hoe verder",
    "Voor inkopers",
    "Voor organisaties",
    "Achtergrond",
    "Uit de praktijk",
    "Veelgestelde vragen",
    "Tot slot",
];

struct Writer<'a> {
    rng: Rng,
    facts: &'a Facts,
    /// Sentences already on the page, not repeated.
    used: Vec<&'static str>,
    /// Whether the page already has a list.
    listed: bool,
}

impl Writer<'_> {
    fn city(&mut self) -> &'static str {
        let place = self.rng.pick(words::PLACES);
        place.2[self.rng.index(place.2.len())]
    }

    fn province(&mut self) -> &'static str {
        self.rng.pick(words::PLACES).0
    }

    fn fill(&mut self, template: &str) -> String {
        let mut text = template.to_string();
        let valid = self
            .facts
            .statuses
            .iter()
            .find(|(s, _)| *s == CertificateStatus::Valid);
        let pct = valid.map_or(0, |(_, n)| 100 * n / self.facts.count.max(1));
        let province = self.province();
        let mut province2 = self.province();
        while province2 == province {
            province2 = self.province();
        }
        let replacements: [(&str, String); 9] = [
            ("{city}", self.city().to_string()),
            (
                "{sector}",
                self.rng.pick(words::SECTORS).name.to_lowercase(),
            ),
            (
                "{level}",
                level_phrase(*self.rng.pick(&Level::ALL[1..])).to_string(),
            ),
            ("{n}", self.rng.between(3, 60).to_string()),
            ("{pct}", pct.to_string()),
            ("{province2}", province2.to_string()),
            ("{province}", province.to_string()),
            ("{year}", self.rng.between(2024, 2025).to_string()),
            ("{count}", self.facts.count.to_string()),
        ];
        for (slot, value) in replacements {
            text = text.replace(slot, &value);
        }
        text
    }

    /// A paragraph of `n` sentences not yet on the page, topic sentences first.
    fn paragraph(&mut self, topic: &[&'static str], n: usize) -> String {
        let mut chosen: Vec<&'static str> = Vec::new();
        while chosen.len() < n {
            let mut pool: Vec<&'static str> = topic
                .iter()
                .copied()
                .filter(|s| !self.used.contains(s))
                .collect();
            if pool.is_empty() {
                pool = SENTENCES
                    .iter()
                    .copied()
                    .filter(|s| !self.used.contains(s))
                    .collect();
            }
            if pool.is_empty() {
                self.used.clear();
                continue;
            }
            let sentence = pool[self.rng.index(pool.len())];
            self.used.push(sentence);
            chosen.push(sentence);
        }
        chosen
            .iter()
            .map(|s| self.fill(s))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn list(&mut self) -> String {
        let mut items: Vec<&str> = LIST_ITEMS.to_vec();
        let mut text = String::new();
        for _ in 0..self.rng.between(3, 4) {
            let item = items.remove(self.rng.index(items.len()));
            let _ = writeln!(text, "- {item}");
        }
        text
    }

    /// Sections with headings, paragraphs and at most one list.
    fn sections(&mut self, topic: &[&'static str], count: usize) -> String {
        let mut headings: Vec<&str> = HEADINGS.to_vec();
        let mut text = String::new();
        for _ in 0..count {
            let heading = headings.remove(self.rng.index(headings.len()));
            let n = self.rng.between(3, 5) as usize;
            let _ = write!(text, "\n## {heading}\n\n{}\n", self.paragraph(topic, n));
            if !self.listed && self.rng.chance(0.4) {
                self.listed = true;
                let _ = write!(text, "\nIn het kort:\n\n{}", self.list());
            }
        }
        text
    }
}

/// A number with a decimal comma.
fn decimal(x: f64) -> String {
    format!("{x}").replace('.', ",")
}

fn front_matter(title: &str, date: Option<Date>, description: &str, weight: Option<u32>) -> String {
    let mut text = format!("+++\ntitle = {}\n", quote(title));
    if let Some(date) = date {
        let _ = writeln!(text, "date = {date}");
    }
    let _ = writeln!(text, "description = {}", quote(description));
    if let Some(weight) = weight {
        let _ = writeln!(text, "weight = {weight}");
    }
    text.push_str("+++\n");
    text
}

struct Explainer {
    slug: &'static str,
    title: &'static str,
    description: &'static str,
    intro: &'static str,
    topic: &'static [&'static str],
}

const EXPLAINERS: &[Explainer] = &[
    Explainer {
        slug: "wat-is-de-pso",
        title: "Wat is de PSO?",
        description: "De Prestatieladder Socialer Ondernemen in het kort.",
        intro: "De **Prestatieladder Socialer Ondernemen** (PSO) meet hoeveel werk een organisatie biedt aan mensen met een afstand tot de arbeidsmarkt: in het eigen bedrijf en via inkoop bij andere sociale ondernemingen.",
        topic: &[
            "De PSO is opgezet door TNO en wordt beheerd door PSO-Nederland.",
            "Onafhankelijke certificerende instellingen voeren de audits uit.",
            "De ladder kent een aspirant-status, een basistrede en drie treden.",
        ],
    },
    Explainer {
        slug: "directe-bijdrage",
        title: "De directe bijdrage",
        description: "Hoe werk voor de doelgroep in het eigen bedrijf meetelt, met de wegingsfactoren.",
        intro: "De directe bijdrage is het aantal FTE van medewerkers uit de doelgroep, gewogen naar hun uitgangspositie en het soort contract, als deel van het totaal aantal FTE in het peiljaar.",
        topic: &[
            "Een Wajong-medewerker met een regulier contract telt volledig mee.",
            "Een BBL-leerling op niveau 2 telt voor een kwart mee.",
            "Wie een WW-uitkering had, telt voor driekwart mee.",
        ],
    },
    Explainer {
        slug: "indirecte-bijdrage",
        title: "De indirecte bijdrage",
        description: "Inkoop bij gecertificeerde organisaties en sociale werkbedrijven.",
        intro: "Wie inkoopt bij een andere gecertificeerde organisatie of bij een sociaal werkbedrijf, krijgt daar naar rato een deel van de doelgroep-FTE van die leverancier voor terug.",
        topic: &[
            "Alleen de directe bijdrage van de leverancier telt, zodat kringen van inkoop geen verschil maken.",
            "Inkoop bij een organisatie waarvan het certificaat is ingetrokken, telt niet mee.",
            "Het deel uit inkoop is begrensd op vier keer de directe bijdrage.",
        ],
    },
    Explainer {
        slug: "normen",
        title: "Normen per bedrijfsgrootte",
        description: "De normen van de treden, per aantal medewerkers.",
        intro: "De normen zijn percentielen van Nederlandse organisaties met ten minste één medewerker uit de doelgroep. Tussen de gepubliceerde rijen wordt lineair geïnterpoleerd.",
        topic: &[
            "Boven de 105 medewerkers maakt de grootte niet meer uit.",
            "De kolom voor de basistrede is een schatting, omdat die niet openbaar is.",
            "De score en de norm worden allebei op twee decimalen afgerond voor de vergelijking.",
        ],
    },
    Explainer {
        slug: "treden",
        title: "De treden van de ladder",
        description: "Aspirant, basistrede en trede 1 tot en met 3.",
        intro: "De ladder kent vijf niveaus: **aspirant**, **basistrede**, **trede 1**, **trede 2** en **trede 3**. Hoe hoger de trede, hoe groter de sociale bijdrage in vergelijking met bedrijven van dezelfde grootte.",
        topic: &[
            "De basistrede staat voor de bovenste helft van de vergelijkingsgroep.",
            "Trede 3 halen alleen de tien procent best scorende organisaties.",
            "Een organisatie die geen trede haalt, staat alleen in het register met een goedgekeurd plan van aanpak.",
        ],
    },
    Explainer {
        slug: "aspirant",
        title: "De aspirant-status",
        description: "Voor organisaties die binnen twee jaar trede 1 willen halen.",
        intro: "Een organisatie die nog geen trede haalt maar een plan van aanpak heeft ingediend, kan als **aspirant** in het register staan.",
        topic: &[
            "De aspirant-status mag sinds 2021 twee keer worden verlengd.",
            "Het plan van aanpak beschrijft hoe de organisatie trede 1 wil bereiken.",
        ],
    },
    Explainer {
        slug: "pso-30-plus",
        title: "PSO 30+",
        description: "Organisaties waar ten minste dertig procent van het personeel tot de doelgroep hoort.",
        intro: "**PSO 30+** is een aparte aanduiding voor organisaties waar ten minste dertig procent van het personeel in loondienst tot de doelgroep hoort.",
        topic: &[
            "Aanbestedende diensten mogen opdrachten voorbehouden aan zulke organisaties.",
            "Alleen personen met een regulier contract of een contract in begeleid werken tellen mee.",
        ],
    },
    Explainer {
        slug: "geldigheid",
        title: "Geldigheid en status van een certificaat",
        description: "Geldig, verloopt binnenkort, verlopen, geschorst of ingetrokken.",
        intro: "Een certificaat is hooguit twee jaar geldig. Het register toont de status op de datum waarop de site is gebouwd.",
        topic: &[
            "Zonder einddatum geldt het certificaat tot de dag voor de tweede verjaardag van de uitgifte.",
            "Een certificaat verloopt binnenkort als de einddatum binnen negentig dagen valt.",
            "Hercertificering gaat niet vanzelf: er is steeds een nieuwe audit nodig.",
        ],
    },
    Explainer {
        slug: "inkopers",
        title: "Een leverancier controleren",
        description: "Zo gebruikt u het register bij een aanbesteding.",
        intro: "Inkopers gebruiken het register om na te gaan of een leverancier gecertificeerd is, op welke trede en tot wanneer.",
        topic: &[
            "Rond de tweehonderddertig gemeenten gebruikten de PSO bij hun inkoop.",
            "Veel gemeenten geven gecertificeerde leveranciers korting op social return.",
        ],
    },
    Explainer {
        slug: "open-data",
        title: "Open data en privacy",
        description: "Welke gegevens het register publiceert, en welke niet.",
        intro: "Het register publiceert alleen totalen: percentages, normen en de gegevens van het certificaat. Aantallen personen, inkoopbedragen en omzet van leveranciers blijven buiten beeld.",
        topic: &[
            "Het bestand registry.json bevat alle organisaties, gesorteerd op id.",
            "Dezelfde invoer geeft altijd precies hetzelfde bestand.",
        ],
    },
];

fn weights_table(weights: &Weights) -> String {
    let mut text = String::from("| uitgangspositie | weging |\n|---|---|\n");
    for entry in weights.positions.values() {
        let _ = writeln!(
            text,
            "| {} | {} |",
            entry.label.replace('|', "/"),
            decimal(entry.weight)
        );
    }
    text.push_str("\n| contract | weging |\n|---|---|\n");
    for entry in weights.contracts.values() {
        let _ = writeln!(
            text,
            "| {} | {} |",
            entry.label.replace('|', "/"),
            decimal(entry.weight)
        );
    }
    text
}

fn norms_table(norms: &NormTable) -> String {
    let mut text = String::from(
        "| medewerkers | basistrede | trede 1 | trede 2 | trede 3 |\n|---|---|---|---|---|\n",
    );
    for row in &norms.rows {
        let _ = writeln!(
            text,
            "| {} | {} | {} | {} | {} |",
            row.size,
            decimal(row.basistrede),
            decimal(row.trede1),
            decimal(row.trede2),
            decimal(row.trede3)
        );
    }
    text
}

/// Every page of the site.
pub fn pages(seed: u64, facts: &Facts, weights: &Weights, norms: &NormTable) -> Vec<Page> {
    let mut pages = Vec::new();
    let writer = |k: u64| Writer {
        rng: Rng::for_item(seed, STREAM_PAGES, k),
        facts,
        used: Vec::new(),
        listed: false,
    };

    // Home page.
    let mut home = front_matter(
        "PSO-register",
        None,
        "Gegenereerd voorbeeldregister van organisaties op de Prestatieladder Socialer Ondernemen; alle gegevens zijn fictief.",
        None,
    );
    let _ = write!(
        home,
        "\nDit register laat zien welke organisaties een certificaat hebben op de\n**Prestatieladder Socialer Ondernemen** (PSO), op welke trede ze staan en tot\nwanneer het certificaat geldt.\n\n> **Let op:** dit register is *gegenereerd*. Alle {} organisaties, nummers en\n> certificaten zijn verzonnen.\n\n| trede | organisaties |\n|---|---|\n",
        facts.count
    );
    for (level, n) in &facts.levels {
        let _ = writeln!(home, "| {} | {n} |", level_label(*level));
    }
    let mut w = writer(0);
    home.push_str(&w.sections(&[], 2));
    pages.push(Page {
        path: "content/_index.md".into(),
        text: home,
    });

    // Explainers.
    let mut index = front_matter(
        "Uitleg",
        None,
        "Hoe de ladder werkt, hoe de trede wordt berekend en hoe u het register gebruikt.",
        None,
    );
    index.push_str("\nOp deze pagina's leest u hoe de ladder werkt:\n\n");
    for explainer in EXPLAINERS {
        let _ = writeln!(
            index,
            "- **{}**: {}",
            explainer.title, explainer.description
        );
    }
    pages.push(Page {
        path: "content/uitleg/_index.md".into(),
        text: index,
    });
    for (k, explainer) in EXPLAINERS.iter().enumerate() {
        let mut w = writer(100 + k as u64);
        let mut text = front_matter(
            explainer.title,
            None,
            explainer.description,
            Some(10 * (k as u32 + 1)),
        );
        let _ = write!(text, "\n{}\n", explainer.intro);
        match explainer.slug {
            "directe-bijdrage" => {
                let _ = write!(text, "\n## Wegingsfactoren\n\n{}", weights_table(weights));
            }
            "normen" => {
                let _ = write!(
                    text,
                    "\n## De tabel\n\nPercentages van het totaal aantal FTE.\n\n{}",
                    norms_table(norms)
                );
            }
            _ => {}
        }
        let count = w.rng.between(2, 3) as usize;
        text.push_str(&w.sections(explainer.topic, count));
        pages.push(Page {
            path: format!("content/uitleg/{}.md", explainer.slug),
            text,
        });
    }

    // Blog.
    pages.push(Page {
        path: "content/blog/_index.md".into(),
        text: front_matter(
            "Nieuws",
            None,
            "Berichten over het register: nieuwe certificaten, normen en uitleg.",
            None,
        ) + "\nBerichten van de redactie van dit gegenereerde voorbeeldregister.\n",
    });
    let first = date(2025, 1, 6);
    let mut slugs = BTreeSet::new();
    for k in 0..30u64 {
        let mut w = writer(1000 + k);
        let day = first
            .checked_add((k as i64 * 23 + w.rng.between(0, 10)).days())
            .expect("dates in range");
        let template = match k % 15 {
            0 => "Nieuwe certificaten in {province}",
            1 => "Inkopers in {city} vragen vaker naar de PSO",
            2 => "De sector {sector} op de ladder",
            3 => "Terugblik op {month}",
            4 => "De basistrede uitgelegd voor de sector {sector}",
            5 => "PSO 30+ bij aanbestedingen in {province}",
            6 => "Uit de praktijk: een bedrijf uit {city} over {level}",
            7 => "Register bijgewerkt: nieuwe vermeldingen uit {province}",
            8 => "Wat de normen betekenen voor kleine bedrijven in {province}",
            9 => "Social return in {city}: korting voor gecertificeerde leveranciers",
            10 => "Zo werkt de indirecte bijdrage voor een bedrijf uit {city}",
            11 => "Certificaat verlopen? Zo gaat het verder in {city}",
            12 => "Van aspirant naar {level} in {city}",
            13 => "Werkbedrijf en sociale firma's in {province} werken samen",
            _ => "Open data: het register van {month} in cijfers",
        };
        let previous = day.first_of_month().yesterday().expect("dates in range");
        let month = format!(
            "{} {}",
            MONTHS[previous.month() as usize - 1],
            previous.year()
        );
        let title = w.fill(&template.replace("{month}", &month));
        let mut post_slug = slug(&title, 70);
        if !slugs.insert(post_slug.clone()) {
            post_slug = format!("{post_slug}-{}", k + 1);
            slugs.insert(post_slug.clone());
        }
        let description = w.paragraph(&[], 1);
        let mut text = front_matter(&title, Some(day), &description, None);
        let _ = write!(text, "\n{}\n", w.paragraph(&[], 2));
        let count = w.rng.between(2, 4) as usize;
        text.push_str(&w.sections(&[], count));
        pages.push(Page {
            path: format!("content/blog/{post_slug}.md"),
            text,
        });
    }
    pages
}
