//! Word lists: sectors, names, places and certifying bodies. Everything is
//! fictitious; combinations of these words name no existing organisation.

/// A sector with the words that name and describe its organisations.
#[derive(Debug)]
pub struct Sector {
    /// The `sector` field.
    pub name: &'static str,
    /// Words that start an organisation's name ("Schoonmaakbedrijf").
    pub prefixes: &'static [&'static str],
    /// What such an organisation does, lowercase, for running text.
    pub activities: &'static [&'static str],
    /// Typical turnover per FTE, in thousands of euros.
    pub revenue_per_fte_k: u32,
    /// Relative frequency in the registry.
    pub weight: u32,
}

pub const SECTORS: &[Sector] = &[
    Sector {
        name: "Schoonmaak",
        prefixes: &[
            "Schoonmaakbedrijf",
            "Schoonmaakdiensten",
            "Glazenwasserij",
            "Schoonmaakgroep",
        ],
        activities: &[
            "schoonmaak van kantoren en scholen",
            "glasbewassing en gevelreiniging",
            "dagelijkse schoonmaak in zorginstellingen",
            "schoonmaak na verbouwingen",
        ],
        revenue_per_fte_k: 45,
        weight: 10,
    },
    Sector {
        name: "Groenvoorziening",
        prefixes: &[
            "Groenvoorziening",
            "Hoveniersbedrijf",
            "Tuinonderhoud",
            "Groenbeheer",
        ],
        activities: &[
            "aanleg en onderhoud van openbaar groen",
            "tuinonderhoud voor particulieren en verenigingen van eigenaren",
            "beheer van parken, bermen en sportvelden",
            "het snoeien van bomen en hagen",
        ],
        revenue_per_fte_k: 60,
        weight: 8,
    },
    Sector {
        name: "Horeca",
        prefixes: &[
            "Café",
            "Brasserie",
            "Lunchroom",
            "Eetcafé",
            "Restaurant",
            "Grand Café",
        ],
        activities: &[
            "lunch en diner met streekproducten",
            "een leerwerkrestaurant in het centrum",
            "koffie, gebak en kleine gerechten",
            "zaalverhuur en feesten",
        ],
        revenue_per_fte_k: 55,
        weight: 7,
    },
    Sector {
        name: "Catering",
        prefixes: &[
            "Catering",
            "Cateringbedrijf",
            "Bedrijfsrestaurant",
            "Maaltijdservice",
        ],
        activities: &[
            "bedrijfscatering en vergaderlunches",
            "maaltijden voor scholen en kinderopvang",
            "catering bij evenementen",
            "warme maaltijden aan huis",
        ],
        revenue_per_fte_k: 70,
        weight: 5,
    },
    Sector {
        name: "Bouw",
        prefixes: &[
            "Bouwbedrijf",
            "Aannemersbedrijf",
            "Timmerfabriek",
            "Bouwgroep",
        ],
        activities: &[
            "renovatie en onderhoud van woningen",
            "nieuwbouw en verbouw voor woningcorporaties",
            "timmerwerk en kozijnen op maat",
            "schilderwerk en klein onderhoud",
        ],
        revenue_per_fte_k: 160,
        weight: 7,
    },
    Sector {
        name: "Installatietechniek",
        prefixes: &[
            "Installatiebedrijf",
            "Elektrotechniek",
            "Installatietechniek",
        ],
        activities: &[
            "elektrotechnische installaties",
            "verduurzaming van woningen met warmtepompen en zonnepanelen",
            "onderhoud van klimaatinstallaties",
        ],
        revenue_per_fte_k: 140,
        weight: 4,
    },
    Sector {
        name: "Logistiek",
        prefixes: &[
            "Transportbedrijf",
            "Koeriersdienst",
            "Bezorgdienst",
            "Distributiecentrum",
        ],
        activities: &[
            "pakketbezorging op de laatste kilometer",
            "opslag en distributie voor webwinkels",
            "koeriersdiensten met elektrische bakfietsen",
            "verhuizingen en archiefvervoer",
        ],
        revenue_per_fte_k: 110,
        weight: 6,
    },
    Sector {
        name: "Metaal",
        prefixes: &[
            "Metaalbewerking",
            "Constructiebedrijf",
            "Lasbedrijf",
            "Metaalwerkplaats",
        ],
        activities: &[
            "plaatbewerking en lassen",
            "staalconstructies voor de bouw",
            "onderdelen voor de machinebouw",
        ],
        revenue_per_fte_k: 150,
        weight: 4,
    },
    Sector {
        name: "Grafische industrie",
        prefixes: &["Drukkerij", "Grafisch Bedrijf", "Printcentrum"],
        activities: &[
            "drukwerk voor bedrijven en gemeenten",
            "verpakkingen en etiketten",
            "mailings en postverwerking",
        ],
        revenue_per_fte_k: 120,
        weight: 4,
    },
    Sector {
        name: "ICT",
        prefixes: &["ICT-diensten", "Softwarebureau", "IT-beheer", "Datalab"],
        activities: &[
            "beheer van werkplekken en netwerken",
            "het testen van software",
            "het digitaliseren van archieven",
            "helpdesks voor scholen",
        ],
        revenue_per_fte_k: 130,
        weight: 5,
    },
    Sector {
        name: "Zorg",
        prefixes: &["Zorggroep", "Thuiszorg", "Zorgboerderij", "Dagbesteding"],
        activities: &[
            "dagbesteding voor volwassenen",
            "thuiszorg en huishoudelijke hulp",
            "begeleid wonen en werken",
            "zorg op de boerderij",
        ],
        revenue_per_fte_k: 65,
        weight: 7,
    },
    Sector {
        name: "Detailhandel",
        prefixes: &[
            "Kringloopwinkel",
            "Buurtsuper",
            "Fietsenwinkel",
            "Warenhuis",
        ],
        activities: &[
            "tweedehands meubels, kleding en boeken",
            "dagelijkse boodschappen in de wijk",
            "verkoop en reparatie van fietsen",
        ],
        revenue_per_fte_k: 90,
        weight: 5,
    },
    Sector {
        name: "Recycling",
        prefixes: &["Recyclingbedrijf", "Kringloopcentrum", "Demontagebedrijf"],
        activities: &[
            "demontage van elektronica",
            "inzameling en sortering van textiel",
            "hergebruik van bouwmaterialen",
        ],
        revenue_per_fte_k: 80,
        weight: 4,
    },
    Sector {
        name: "Zakelijke dienstverlening",
        prefixes: &[
            "Administratiekantoor",
            "Adviesbureau",
            "Klantcontactcentrum",
        ],
        activities: &[
            "boekhouding en salarisadministratie voor het mkb",
            "klantcontact voor gemeenten en woningcorporaties",
            "advies over sociaal ondernemen",
        ],
        revenue_per_fte_k: 95,
        weight: 5,
    },
    Sector {
        name: "Facilitaire dienstverlening",
        prefixes: &["Facilitair Bedrijf", "Postkamer", "Receptiediensten"],
        activities: &[
            "post- en pakketverwerking voor kantoren",
            "receptie en gastvrijheid in bedrijfspanden",
            "facilitair beheer en verhuizingen",
        ],
        revenue_per_fte_k: 60,
        weight: 4,
    },
    Sector {
        name: "Voedingsmiddelen",
        prefixes: &["Koffiebranderij", "Bakkerij", "Kaasmakerij", "Brouwerij"],
        activities: &[
            "ambachtelijk brood en banket",
            "koffie uit eigen branderij",
            "streekbier en limonade",
            "kaas van boerderijmelk",
        ],
        revenue_per_fte_k: 100,
        weight: 4,
    },
    Sector {
        name: "Land- en tuinbouw",
        prefixes: &["Kwekerij", "Tuinderij", "Boerderij"],
        activities: &[
            "biologische groenten uit de eigen tuin",
            "het kweken van vaste planten",
            "melkveehouderij met een zorgtak",
        ],
        revenue_per_fte_k: 75,
        weight: 3,
    },
    Sector {
        name: "Textiel",
        prefixes: &["Naaiatelier", "Wasserij", "Textielatelier"],
        activities: &[
            "bedrijfskleding op maat",
            "wassen en repareren van linnengoed",
            "duurzame tassen van restmateriaal",
        ],
        revenue_per_fte_k: 55,
        weight: 3,
    },
    Sector {
        name: "Beveiliging",
        prefixes: &["Beveiligingsbedrijf", "Toezichtdiensten"],
        activities: &[
            "beveiliging van evenementen",
            "toezicht in opdracht van gemeenten",
            "bewaking van bedrijfsterreinen",
        ],
        revenue_per_fte_k: 60,
        weight: 2,
    },
    Sector {
        name: "Re-integratie en detachering",
        prefixes: &[
            "Werkbedrijf",
            "Leerwerkbedrijf",
            "Re-integratiebureau",
            "Sociale Onderneming",
        ],
        activities: &[
            "begeleiding naar betaald werk",
            "leerwerktrajecten in productie en logistiek",
            "detachering van medewerkers met een arbeidsbeperking",
        ],
        revenue_per_fte_k: 40,
        weight: 5,
    },
    Sector {
        name: "Mobiliteit",
        prefixes: &["Fietsenmakerij", "Autobedrijf", "Fietsherstel"],
        activities: &[
            "fietsreparatie en -verhuur",
            "onderhoud van bedrijfswagens",
            "deelfietsen bij stations",
        ],
        revenue_per_fte_k: 85,
        weight: 3,
    },
];

/// Second parts of names ("De Ster"); some with diacritics.
pub const CORES: &[&str] = &[
    "De Ster",
    "Het Wilgenhof",
    "De Vonk",
    "De Linde",
    "'t Hoekje",
    "De Eendracht",
    "Het Anker",
    "De Gouden Lepel",
    "Noorderlicht",
    "IJsselstroom",
    "Maasland",
    "De Zwaluw",
    "De Kade",
    "Waddenkust",
    "Zuiderzon",
    "Het Groene Hart",
    "De Bron",
    "De Kroon",
    "Fryslân",
    "It Hûs",
    "De Pôlle",
    "Ús Plak",
    "Crème de la Crème",
    "De Brêge",
    "Het Klaverblad",
    "De Meerpaal",
    "Scheldeboog",
    "Heuvelrug",
    "De Vlinderhoeve",
    "De Kookpot",
    "Het Letterhuis",
    "De Bundel",
    "De Spaak",
    "Tweede Ronde",
    "Groenrijk",
    "De Balans",
    "Smaakmakers",
    "De Regenboog",
    "Het Baken",
    "De Horst",
    "Het Veer",
    "De Molen",
    "Zeeuwse Stromen",
    "Kempenland",
    "Peelrand",
    "Drentse Aa",
    "Hunzedal",
    "Twentezon",
    "Achterhoek",
    "Betuwe",
    "Veluwezoom",
    "Noordzee",
    "Duinzicht",
    "Polderzicht",
    "De Zilvermeeuw",
    "Rijnmond",
    "Lingewaard",
    "Beekdal",
    "Mergelland",
    "Maaskant",
    "De Reünie",
    "Één Lijn",
    "Samen Sterk",
    "Nieuwe Kansen",
    "De Werkplaats",
    "Het Kompas",
    "De Brug",
    "Vakwerk",
    "Handwerk",
    "Het Gilde",
    "De Schakel",
    "Opmaat",
];

/// Surnames, as written after a word ("Van Dijk" with a capital).
pub const SURNAMES: &[&str] = &[
    "Jansen",
    "De Vries",
    "Van Dijk",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "De Boer",
    "Mulder",
    "De Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Dekker",
    "Brouwer",
    "De Wit",
    "Dijkstra",
    "Postma",
    "Hoekstra",
    "Kuipers",
    "Van der Meer",
    "Willems",
    "Verhoeven",
    "Koster",
    "Prins",
    "Huisman",
    "Kok",
    "Timmermans",
    "Çelik",
    "Yılmaz",
    "El Amrani",
    "Van den Heuvel",
    "Schouten",
    "Wijnands",
    "Hoogendoorn",
];

/// Provinces with a population-like weight and some of their cities.
pub const PLACES: &[(&str, u32, &[&str])] = &[
    (
        "Groningen",
        5,
        &[
            "Groningen",
            "Delfzijl",
            "Veendam",
            "Stadskanaal",
            "Hoogezand",
            "Winschoten",
        ],
    ),
    (
        "Fryslân",
        5,
        &[
            "Leeuwarden",
            "Sneek",
            "Drachten",
            "Heerenveen",
            "Harlingen",
            "Dokkum",
        ],
    ),
    (
        "Drenthe",
        4,
        &["Assen", "Emmen", "Meppel", "Hoogeveen", "Coevorden"],
    ),
    (
        "Overijssel",
        7,
        &[
            "Zwolle", "Deventer", "Enschede", "Hengelo", "Almelo", "Kampen",
        ],
    ),
    (
        "Flevoland",
        3,
        &["Almere", "Lelystad", "Dronten", "Emmeloord"],
    ),
    (
        "Gelderland",
        11,
        &[
            "Arnhem",
            "Nijmegen",
            "Apeldoorn",
            "Ede",
            "Doetinchem",
            "Zutphen",
            "Tiel",
        ],
    ),
    (
        "Utrecht",
        8,
        &["Utrecht", "Amersfoort", "Nieuwegein", "Zeist", "Veenendaal"],
    ),
    (
        "Noord-Holland",
        15,
        &[
            "Amsterdam",
            "Haarlem",
            "Alkmaar",
            "Zaandam",
            "Hilversum",
            "Hoorn",
            "Den Helder",
        ],
    ),
    (
        "Zuid-Holland",
        17,
        &[
            "Rotterdam",
            "Den Haag",
            "Leiden",
            "Dordrecht",
            "Zoetermeer",
            "Delft",
            "Gouda",
        ],
    ),
    (
        "Zeeland",
        3,
        &["Middelburg", "Vlissingen", "Goes", "Terneuzen", "Zierikzee"],
    ),
    (
        "Noord-Brabant",
        14,
        &[
            "Eindhoven",
            "Tilburg",
            "Breda",
            "'s-Hertogenbosch",
            "Helmond",
            "Oss",
            "Roosendaal",
        ],
    ),
    (
        "Limburg",
        6,
        &[
            "Maastricht",
            "Venlo",
            "Heerlen",
            "Sittard",
            "Roermond",
            "Weert",
        ],
    ),
];

/// Certifying bodies (fictitious).
pub const BODIES: &[&str] = &[
    "Stichting Toetsing Zuidwest (fictief)",
    "Auditgroep Middenland (fictief)",
    "Certificeringsbureau Noordelijke Provincies (fictief)",
    "Keurmerkinstituut Oost (fictief)",
    "Toetsingsbureau Randstad (fictief)",
    "SocialeCert B.V. (fictief)",
];

/// First words of sheltered-work companies outside the registry.
pub const EXTERNAL_KINDS: &[&str] = &[
    "Werkbedrijf",
    "SW-bedrijf",
    "Participatiebedrijf",
    "Sociale Werkvoorziening",
    "Werkvoorzieningsschap",
];

/// Regions for sheltered-work companies outside the registry.
pub const REGIONS: &[&str] = &[
    "Regio Noord",
    "Noord-Groningen",
    "Noordwest-Fryslân",
    "Zuidoost-Drenthe",
    "Twente",
    "Salland",
    "Flevoland",
    "Veluwe",
    "Rivierenland",
    "Achterhoek",
    "Eemland",
    "Utrecht-West",
    "Kennemerland",
    "West-Friesland",
    "Zaanstreek",
    "Rijnmond",
    "Haaglanden",
    "Holland Rijnland",
    "Drechtsteden",
    "Walcheren",
    "Zeeuws-Vlaanderen",
    "West-Brabant",
    "Midden-Brabant",
    "De Kempen",
    "Peelland",
    "Noord-Limburg",
    "Parkstad",
    "Westelijke Mijnstreek",
];

/// Level names for running text.
pub fn level_label(level: trede::ladder::Level) -> &'static str {
    use trede::ladder::Level;
    match level {
        Level::Aspirant => "aspirant",
        Level::Basistrede => "basistrede",
        Level::Trede1 => "trede 1",
        Level::Trede2 => "trede 2",
        Level::Trede3 => "trede 3",
    }
}

/// Level names with an article where Dutch needs one ("de basistrede").
pub fn level_phrase(level: trede::ladder::Level) -> &'static str {
    use trede::ladder::Level;
    match level {
        Level::Aspirant => "de aspirant-status",
        Level::Basistrede => "de basistrede",
        other => level_label(other),
    }
}
