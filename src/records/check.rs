//! The checks of one record on its own (spec/records.md sections 2 and 4),
//! each problem a diagnostic with the record's file, line and key.

use toml::value::Datetime;

use super::raw::{RawCertificate, RawMeasurement};
use super::*;

/// The checks of one record, collecting every problem found rather than
/// stopping at the first.
pub(super) struct Checker<'a> {
    pub(super) source: &'a Source,
    pub(super) problems: Vec<Diagnostic>,
}

impl Checker<'_> {
    pub(super) fn error<T>(
        &mut self,
        at: &Spanned<T>,
        key: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.problems.push(
            Diagnostic::error(message)
                .at(self.source, Some(at.span()))
                .key(key)
                .hint(hint),
        );
    }

    /// A target-group row's `field` (position or contract) that is not a
    /// key of its weights table, with the valid keys as the hint.
    fn unknown_weight(
        &mut self,
        value: &Spanned<Cow<'_, str>>,
        row_key: &str,
        field: &str,
        table: &std::collections::BTreeMap<String, crate::tables::WeightEntry>,
    ) {
        self.error(
            value,
            &format!("{row_key}.{field}"),
            format!("unknown {field} \"{}\"", value.get_ref()),
            format!(
                "valid {field}s are {}",
                list_keys(table.keys().map(String::as_str))
            ),
        );
    }

    pub(super) fn non_empty(&mut self, value: &Spanned<Cow<'_, str>>, key: &str) -> String {
        let text = value.get_ref().trim();
        if text.is_empty() {
            self.error(
                value,
                key,
                format!("`{key}` must not be empty"),
                format!("fill in `{key}`"),
            );
        }
        text.to_string()
    }

    pub(super) fn date(&mut self, value: &Spanned<Datetime>, key: &str) -> Option<Date> {
        toml_input::date(self.source, 0, value, key)
            .map_err(|d| self.problems.push(d))
            .ok()
    }

    pub(super) fn certificate(
        &mut self,
        raw: &RawCertificate<'_>,
        reference: Date,
    ) -> Option<Certificate> {
        let number = self.non_empty(&raw.number, "certificate.number");
        let body = self.non_empty(&raw.body, "certificate.body");
        let issued = self.date(&raw.issued, "certificate.issued");
        let explicit_expiry = raw
            .expires
            .as_ref()
            .map(|e| (self.date(e, "certificate.expires"), e));
        if let Some(issued) = issued {
            if issued > reference {
                self.error(
                    &raw.issued,
                    "certificate.issued",
                    format!("`certificate.issued` ({issued}) is after the reference date ({reference})"),
                    "a certificate cannot be issued in the future; check the date or pass a later --date",
                );
            }
            if let Some((Some(expires), span)) = &explicit_expiry
                && *expires < issued
            {
                self.error(
                    span,
                    "certificate.expires",
                    format!("`certificate.expires` ({expires}) is before `certificate.issued` ({issued})"),
                    "an expiry date must be on or after the date of issue",
                );
            }
        }
        let status = match &raw.status {
            None => Some(RecordedStatus::Active),
            Some(s) => {
                let parsed = RecordedStatus::parse(s.get_ref());
                if parsed.is_none() {
                    self.error(
                        s,
                        "certificate.status",
                        format!("unknown certificate status \"{}\"", s.get_ref()),
                        format!(
                            "use one of {}",
                            list_keys(["active", "suspended", "withdrawn"])
                        ),
                    );
                }
                parsed
            }
        };
        let declared_level = match &raw.declared_level {
            None => Some(None),
            Some(l) => {
                let parsed = Level::parse(l.get_ref());
                if parsed.is_none() {
                    self.error(
                        l,
                        "certificate.declared_level",
                        format!("unknown level \"{}\"", l.get_ref()),
                        format!("use one of {}", list_keys(Level::ALL.map(Level::key))),
                    );
                }
                parsed.map(Some)
            }
        };
        let extensions = match &raw.aspirant_extensions {
            None => Some(0),
            Some(e) if (0..=2).contains(e.get_ref()) => Some(*e.get_ref() as u8),
            Some(e) => {
                self.error(
                    e,
                    "certificate.aspirant_extensions",
                    format!(
                        "`certificate.aspirant_extensions` is {}, at most 2 are allowed",
                        e.get_ref()
                    ),
                    "the aspirant status may be extended at most twice",
                );
                None
            }
        };
        let expires = match explicit_expiry {
            Some((expires, _)) => expires,
            None => issued.map(ladder::default_expiry),
        };
        Some(Certificate {
            number,
            body,
            issued: issued?,
            expires: expires?,
            status: status?,
            declared_level: declared_level?,
            aspirant_plan: raw.aspirant_plan,
            aspirant_extensions: extensions?,
            quality_met: raw.quality_met.unwrap_or(true),
        })
    }

    pub(super) fn measurement(
        &mut self,
        raw: &RawMeasurement<'_>,
        (weights, print): CheckWeights<'_>,
    ) -> Option<Measurement> {
        let mut ok = true;
        let employees = *raw.employees.get_ref();
        if employees < 1 || employees > u32::MAX as i64 {
            self.error(
                &raw.employees,
                "measurement.employees",
                "`measurement.employees` must be at least 1",
                "give the headcount in the measurement year",
            );
            ok = false;
        }
        let total_fte = *raw.total_fte.get_ref();
        if !(total_fte > 0.0 && total_fte.is_finite()) {
            self.error(
                &raw.total_fte,
                "measurement.total_fte",
                "`measurement.total_fte` must be greater than 0",
                "give the total FTE in the measurement year",
            );
            ok = false;
        }
        let year = *raw.year.get_ref();
        if !(1900..=9999).contains(&year) {
            self.error(
                &raw.year,
                "measurement.year",
                format!("`measurement.year` {year} is not a plausible year"),
                "write the measurement year, e.g. year = 2024",
            );
            ok = false;
        }
        if let Some(revenue) = &raw.revenue_eur
            && !(revenue.get_ref().is_finite() && *revenue.get_ref() > 0.0)
        {
            self.error(
                revenue,
                "measurement.revenue_eur",
                "`measurement.revenue_eur` must be greater than 0",
                "give the turnover in euros",
            );
            ok = false;
        }
        let mut rows = Vec::with_capacity(raw.target_group.len());
        let (mut fte_sum, mut payroll_persons) = (0.0, 0i64);
        let mut direct = ladder::Terms::default();
        for (i, row) in raw.target_group.iter().enumerate() {
            // Built only for a message: most records have none.
            let key = || format!("measurement.target_group[{i}]");
            let position = weights.position(row.position.get_ref());
            let contract = weights.contract(row.contract.get_ref());
            if position.is_none() {
                self.unknown_weight(&row.position, &key(), "position", &weights.positions);
                ok = false;
            }
            if contract.is_none() {
                self.unknown_weight(&row.contract, &key(), "contract", &weights.contracts);
                ok = false;
            }
            let fte = *row.fte.get_ref();
            if !(fte >= 0.0 && fte.is_finite()) {
                self.error(
                    &row.fte,
                    &format!("{}.fte", key()),
                    "`fte` must not be negative",
                    "give the FTE of this group, 0 or more",
                );
                ok = false;
            }
            let persons = *row.persons.get_ref();
            if persons < 0 || persons > u32::MAX as i64 {
                self.error(
                    &row.persons,
                    &format!("{}.persons", key()),
                    "`persons` must not be negative",
                    "give the number of people in this group, 0 or more",
                );
                ok = false;
            }
            direct.push(ladder::direct_term(fte, position, contract));
            fte_sum += fte.max(0.0);
            if PAYROLL_CONTRACTS.contains(&&**row.contract.get_ref()) {
                payroll_persons += persons.max(0);
            }
            rows.push(TargetGroupRow {
                position: ladder::Key::from(&**row.position.get_ref()),
                contract: ladder::Key::from(&**row.contract.get_ref()),
                fte,
                persons: persons.clamp(0, u32::MAX as i64) as u32,
            });
        }
        if fte_sum > total_fte + 1e-9 && total_fte > 0.0 {
            self.error(&raw.total_fte, "measurement.total_fte", format!("the target-group rows add up to {fte_sum:.2} FTE, more than `total_fte` ({total_fte})"), "the target group is part of the staff: check the rows' fte and total_fte");
            ok = false;
        }
        if payroll_persons > employees && employees >= 1 {
            self.error(
                &raw.employees,
                "measurement.employees",
                format!(
                    "{payroll_persons} target-group persons on the payroll (contracts {}) exceed \
                     `employees` ({employees})",
                    PAYROLL_CONTRACTS.join(" and ")
                ),
                "check the rows' persons and the headcount",
            );
            ok = false;
        }
        let mut purchases = Vec::with_capacity(raw.purchases.len());
        for (i, p) in raw.purchases.iter().enumerate() {
            let key = || format!("measurement.purchases[{i}]");
            let amount = *p.amount_eur.get_ref();
            if !(amount > 0.0 && amount.is_finite()) {
                self.error(
                    &p.amount_eur,
                    &format!("{}.amount_eur", key()),
                    "`amount_eur` must be greater than 0",
                    "give the purchase value in euros",
                );
                ok = false;
            }
            match (&p.supplier, &p.supplier_name) {
                (Some(supplier), None) => {
                    for (extra, name) in [
                        (&p.supplier_revenue_eur, "supplier_revenue_eur"),
                        (&p.supplier_direct_fte, "supplier_direct_fte"),
                    ] {
                        if let Some(extra) = extra {
                            self.error(extra, &format!("{}.{name}", key()), format!("`{name}` belongs to a supplier outside the registry, not to one named by `supplier`"), "remove it: a registry supplier's own record gives its figures");
                            ok = false;
                        }
                    }
                    purchases.push(Purchase::Registry {
                        supplier: supplier.get_ref().to_string(),
                        amount_eur: amount,
                    });
                }
                (None, Some(name)) => {
                    let revenue = self.required_positive(
                        &p.supplier_revenue_eur,
                        &p.amount_eur,
                        &key,
                        "supplier_revenue_eur",
                        true,
                    );
                    let direct = self.required_positive(
                        &p.supplier_direct_fte,
                        &p.amount_eur,
                        &key,
                        "supplier_direct_fte",
                        false,
                    );
                    match (revenue, direct) {
                        (Some(supplier_revenue_eur), Some(supplier_direct_fte)) => {
                            purchases.push(Purchase::External {
                                supplier_name: name.get_ref().to_string(),
                                amount_eur: amount,
                                supplier_revenue_eur,
                                supplier_direct_fte,
                            })
                        }
                        _ => ok = false,
                    }
                }
                (Some(supplier), Some(_)) => {
                    self.error(supplier, &key(), "a purchase names both `supplier` and `supplier_name`", "use `supplier` for a registry organisation's id, or `supplier_name` with its figures for one outside the registry, not both");
                    ok = false;
                }
                (None, None) => {
                    self.error(&p.amount_eur, &key(), "a purchase names no supplier", "add `supplier = \"<id>\"` for a registry organisation, or `supplier_name`, `supplier_revenue_eur` and `supplier_direct_fte` for one outside it");
                    ok = false;
                }
            }
        }
        ok.then(|| Measurement {
            year: year as i32,
            employees: employees as u32,
            total_fte,
            revenue_eur: raw.revenue_eur.as_ref().map(|r| *r.get_ref()),
            target_group: rows,
            purchases,
            sums: RowSums {
                direct: print.map(|print| (print, direct.sum())),
                // Every row's persons are within 0..=u32::MAX here.
                payroll_persons: payroll_persons as u64,
            },
        })
    }

    pub(super) fn required_positive(
        &mut self,
        value: &Option<Spanned<f64>>,
        row: &Spanned<f64>,
        key: &dyn Fn() -> String,
        name: &str,
        strictly: bool,
    ) -> Option<f64> {
        match value {
            None => {
                self.error(
                    row,
                    &format!("{}.{name}", key()),
                    format!("a purchase from a supplier outside the registry needs `{name}`"),
                    format!("add `{name} = ...` to this purchase"),
                );
                None
            }
            Some(v) => {
                let x = *v.get_ref();
                let valid = x.is_finite() && if strictly { x > 0.0 } else { x >= 0.0 };
                if !valid {
                    let bound = if strictly {
                        "greater than 0"
                    } else {
                        "0 or more"
                    };
                    self.error(
                        v,
                        &format!("{}.{name}", key()),
                        format!("`{name}` must be {bound}"),
                        format!("give the supplier's figure, {bound}"),
                    );
                    return None;
                }
                Some(x)
            }
        }
    }
}
