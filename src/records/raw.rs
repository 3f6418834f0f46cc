//! A record as written, before the checks: the raw types serde fills from
//! `toml`'s spanned document, and the fast reader that fills them straight
//! from a plain record's text.

use serde::Deserialize;
use toml::value::Datetime;

use crate::toml_input::{Line, Scalar};

use super::*;

/// A record as written, before the checks. The strings borrow from the
/// text when the fast reader ([`fast_raw`]) read it, and are owned when
/// serde did (from `toml`'s spanned document).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRecord<'a> {
    pub(super) name: Spanned<Cow<'a, str>>,
    pub(super) kvk: Spanned<Cow<'a, str>>,
    pub(super) city: Spanned<Cow<'a, str>>,
    pub(super) province: Spanned<Cow<'a, str>>,
    pub(super) sector: Spanned<Cow<'a, str>>,
    pub(super) website: Option<Spanned<Cow<'a, str>>>,
    pub(super) summary: Option<Cow<'a, str>>,
    pub(super) description: Option<Cow<'a, str>>,
    pub(super) summary_en: Option<Cow<'a, str>>,
    pub(super) description_en: Option<Cow<'a, str>>,
    pub(super) certificate: RawCertificate<'a>,
    pub(super) measurement: RawMeasurement<'a>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCertificate<'a> {
    pub(super) number: Spanned<Cow<'a, str>>,
    pub(super) body: Spanned<Cow<'a, str>>,
    pub(super) issued: Spanned<Datetime>,
    pub(super) expires: Option<Spanned<Datetime>>,
    pub(super) status: Option<Spanned<Cow<'a, str>>>,
    pub(super) declared_level: Option<Spanned<Cow<'a, str>>>,
    #[serde(default)]
    pub(super) aspirant_plan: bool,
    pub(super) aspirant_extensions: Option<Spanned<i64>>,
    pub(super) quality_met: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMeasurement<'a> {
    pub(super) year: Spanned<i64>,
    pub(super) employees: Spanned<i64>,
    pub(super) total_fte: Spanned<f64>,
    pub(super) revenue_eur: Option<Spanned<f64>>,
    #[serde(default)]
    pub(super) target_group: Vec<RawRow<'a>>,
    #[serde(default)]
    pub(super) purchases: Vec<RawPurchase<'a>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRow<'a> {
    pub(super) position: Spanned<Cow<'a, str>>,
    pub(super) contract: Spanned<Cow<'a, str>>,
    pub(super) fte: Spanned<f64>,
    pub(super) persons: Spanned<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPurchase<'a> {
    pub(super) supplier: Option<Spanned<Cow<'a, str>>>,
    pub(super) supplier_name: Option<Spanned<Cow<'a, str>>>,
    pub(super) amount_eur: Spanned<f64>,
    pub(super) supplier_revenue_eur: Option<Spanned<f64>>,
    pub(super) supplier_direct_fte: Option<Spanned<f64>>,
}

/// Where the fast reader is in a record.
#[derive(Clone, Copy, PartialEq)]
enum Section {
    Root,
    Certificate,
    Measurement,
    TargetGroup,
    Purchase,
}

/// Sets a field once: a key given twice is outside the fast path (the full
/// parser reports it).
fn once<T>(slot: &mut Option<T>, value: T) -> Result<(), OutsideSubset> {
    match slot {
        Some(_) => Err(OutsideSubset),
        None => {
            *slot = Some(value);
            Ok(())
        }
    }
}

/// The raw record of a plain TOML text, read with [`toml_input::Lines`]:
/// exactly what serde makes of `toml`'s document (the same values and
/// spans), or [`OutsideSubset`] for anything less plain, and for anything
/// the full path reports (an unknown or repeated key or table, a wrong type,
/// a missing key).
pub(super) fn fast_raw(text: &str) -> Result<RawRecord<'_>, OutsideSubset> {
    type S<'a> = Spanned<Cow<'a, str>>;
    fn string<'a>(value: Scalar<'a>, span: Range<usize>) -> Result<S<'a>, OutsideSubset> {
        match value {
            Scalar::Str(s) => Ok(Spanned::new(span, s)),
            _ => Err(OutsideSubset),
        }
    }
    fn float(value: Scalar<'_>, span: Range<usize>) -> Result<Spanned<f64>, OutsideSubset> {
        match value {
            Scalar::Float(x) => Ok(Spanned::new(span, x)),
            // TOML integers are accepted where a float is expected (spec 2),
            // converted as serde converts them.
            Scalar::Int(n) => Ok(Spanned::new(span, n as f64)),
            _ => Err(OutsideSubset),
        }
    }
    fn int(value: Scalar<'_>, span: Range<usize>) -> Result<Spanned<i64>, OutsideSubset> {
        match value {
            Scalar::Int(n) => Ok(Spanned::new(span, n)),
            _ => Err(OutsideSubset),
        }
    }
    fn date(value: Scalar<'_>, span: Range<usize>) -> Result<Spanned<Datetime>, OutsideSubset> {
        match value {
            Scalar::Date(d) => Ok(Spanned::new(span, d)),
            _ => Err(OutsideSubset),
        }
    }
    fn boolean(value: Scalar<'_>) -> Result<bool, OutsideSubset> {
        match value {
            Scalar::Bool(b) => Ok(b),
            _ => Err(OutsideSubset),
        }
    }
    #[derive(Default)]
    struct Row<'a> {
        position: Option<S<'a>>,
        contract: Option<S<'a>>,
        fte: Option<Spanned<f64>>,
        persons: Option<Spanned<i64>>,
    }
    #[derive(Default)]
    struct Buy<'a> {
        supplier: Option<S<'a>>,
        supplier_name: Option<S<'a>>,
        amount_eur: Option<Spanned<f64>>,
        supplier_revenue_eur: Option<Spanned<f64>>,
        supplier_direct_fte: Option<Spanned<f64>>,
    }

    let (mut name, mut kvk, mut city, mut province, mut sector) = (None, None, None, None, None);
    let mut website = None;
    let (mut summary, mut description, mut summary_en, mut description_en) =
        (None, None, None, None);
    let (mut number, mut body, mut issued, mut expires, mut status) =
        (None, None, None, None, None);
    let (mut declared_level, mut aspirant_plan, mut aspirant_extensions, mut quality_met) =
        (None, None, None, None);
    let (mut year, mut employees, mut total_fte, mut revenue_eur) = (None, None, None, None);
    let mut rows: Vec<Row> = Vec::new();
    let mut buys: Vec<Buy> = Vec::new();
    let (mut seen_certificate, mut seen_measurement) = (false, false);

    let mut section = Section::Root;
    let mut lines = toml_input::Lines::new(text);
    while let Some(line) = lines.next()? {
        let (key, value, span) = match line {
            Line::Table { name, array } => {
                section = match (name, array) {
                    ("certificate", false) if !seen_certificate => {
                        seen_certificate = true;
                        Section::Certificate
                    }
                    ("measurement", false) if !seen_measurement => {
                        seen_measurement = true;
                        Section::Measurement
                    }
                    ("measurement.target_group", true) if seen_measurement => {
                        rows.push(Row::default());
                        Section::TargetGroup
                    }
                    ("measurement.purchases", true) if seen_measurement => {
                        buys.push(Buy::default());
                        Section::Purchase
                    }
                    _ => return Err(OutsideSubset),
                };
                continue;
            }
            Line::Pair { key, value, span } => (key, value, span),
        };
        match (section, key) {
            (Section::Root, "name") => once(&mut name, string(value, span)?)?,
            (Section::Root, "kvk") => once(&mut kvk, string(value, span)?)?,
            (Section::Root, "city") => once(&mut city, string(value, span)?)?,
            (Section::Root, "province") => once(&mut province, string(value, span)?)?,
            (Section::Root, "sector") => once(&mut sector, string(value, span)?)?,
            (Section::Root, "website") => once(&mut website, string(value, span)?)?,
            (Section::Root, "summary") => once(&mut summary, string(value, span)?.into_inner())?,
            (Section::Root, "description") => {
                once(&mut description, string(value, span)?.into_inner())?
            }
            (Section::Root, "summary_en") => {
                once(&mut summary_en, string(value, span)?.into_inner())?
            }
            (Section::Root, "description_en") => {
                once(&mut description_en, string(value, span)?.into_inner())?
            }
            (Section::Certificate, "number") => once(&mut number, string(value, span)?)?,
            (Section::Certificate, "body") => once(&mut body, string(value, span)?)?,
            (Section::Certificate, "issued") => once(&mut issued, date(value, span)?)?,
            (Section::Certificate, "expires") => once(&mut expires, date(value, span)?)?,
            (Section::Certificate, "status") => once(&mut status, string(value, span)?)?,
            (Section::Certificate, "declared_level") => {
                once(&mut declared_level, string(value, span)?)?
            }
            (Section::Certificate, "aspirant_plan") => once(&mut aspirant_plan, boolean(value)?)?,
            (Section::Certificate, "aspirant_extensions") => {
                once(&mut aspirant_extensions, int(value, span)?)?
            }
            (Section::Certificate, "quality_met") => once(&mut quality_met, boolean(value)?)?,
            (Section::Measurement, "year") => once(&mut year, int(value, span)?)?,
            (Section::Measurement, "employees") => once(&mut employees, int(value, span)?)?,
            (Section::Measurement, "total_fte") => once(&mut total_fte, float(value, span)?)?,
            (Section::Measurement, "revenue_eur") => once(&mut revenue_eur, float(value, span)?)?,
            (Section::TargetGroup, key) => {
                let row = rows.last_mut().ok_or(OutsideSubset)?;
                match key {
                    "position" => once(&mut row.position, string(value, span)?)?,
                    "contract" => once(&mut row.contract, string(value, span)?)?,
                    "fte" => once(&mut row.fte, float(value, span)?)?,
                    "persons" => once(&mut row.persons, int(value, span)?)?,
                    _ => return Err(OutsideSubset),
                }
            }
            (Section::Purchase, key) => {
                let buy = buys.last_mut().ok_or(OutsideSubset)?;
                match key {
                    "supplier" => once(&mut buy.supplier, string(value, span)?)?,
                    "supplier_name" => once(&mut buy.supplier_name, string(value, span)?)?,
                    "amount_eur" => once(&mut buy.amount_eur, float(value, span)?)?,
                    "supplier_revenue_eur" => {
                        once(&mut buy.supplier_revenue_eur, float(value, span)?)?
                    }
                    "supplier_direct_fte" => {
                        once(&mut buy.supplier_direct_fte, float(value, span)?)?
                    }
                    _ => return Err(OutsideSubset),
                }
            }
            _ => return Err(OutsideSubset),
        }
    }

    let target_group = rows
        .into_iter()
        .map(|row| {
            Ok(RawRow {
                position: row.position.ok_or(OutsideSubset)?,
                contract: row.contract.ok_or(OutsideSubset)?,
                fte: row.fte.ok_or(OutsideSubset)?,
                persons: row.persons.ok_or(OutsideSubset)?,
            })
        })
        .collect::<Result<_, OutsideSubset>>()?;
    let purchases = buys
        .into_iter()
        .map(|buy| {
            Ok(RawPurchase {
                supplier: buy.supplier,
                supplier_name: buy.supplier_name,
                amount_eur: buy.amount_eur.ok_or(OutsideSubset)?,
                supplier_revenue_eur: buy.supplier_revenue_eur,
                supplier_direct_fte: buy.supplier_direct_fte,
            })
        })
        .collect::<Result<_, OutsideSubset>>()?;
    Ok(RawRecord {
        name: name.ok_or(OutsideSubset)?,
        kvk: kvk.ok_or(OutsideSubset)?,
        city: city.ok_or(OutsideSubset)?,
        province: province.ok_or(OutsideSubset)?,
        sector: sector.ok_or(OutsideSubset)?,
        website,
        summary,
        description,
        summary_en,
        description_en,
        certificate: RawCertificate {
            number: number.ok_or(OutsideSubset)?,
            body: body.ok_or(OutsideSubset)?,
            issued: issued.ok_or(OutsideSubset)?,
            expires,
            status,
            declared_level,
            aspirant_plan: aspirant_plan.unwrap_or(false),
            aspirant_extensions,
            quality_met,
        },
        measurement: RawMeasurement {
            year: year.ok_or(OutsideSubset)?,
            employees: employees.ok_or(OutsideSubset)?,
            total_fte: total_fte.ok_or(OutsideSubset)?,
            revenue_eur,
            target_group,
            purchases,
        },
    })
}
