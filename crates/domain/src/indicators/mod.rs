//! The indicator catalogue (KPIs): every figure the bureau judges a vendor by, computed from
//! recorded facts for a scope and a period. Each feature registers its indicators — a definition
//! here (key, name, unit, how it is computed, in words) and a source in `app::indicators` that
//! computes them with aggregate queries — so the KPI page, targets, assessments and periodic
//! reports read every feature's figures the same way without knowing the feature.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub mod seeds;
pub mod targets;

use crate::Msg;
use crate::error::FieldError;

/// What a value measures, and so how it is shown and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum KpiUnit {
    /// A fraction 0..1, shown as a percentage.
    Rate,
    Count,
    /// Minutes in the clock's own measure (working minutes where the target counts working time).
    Minutes,
    /// A mean of 1–5 stars.
    Stars,
}

/// One indicator of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct IndicatorDef {
    pub key: String,
    /// The feature that computes it (`tickets`, `inspections`, …).
    pub source: String,
    pub unit: KpiUnit,
    pub name: Msg,
    /// How it is computed, in words, for the page and the assessment's evidence.
    pub definition: Msg,
    /// For rates and means: whether a higher value is better (a target is then a minimum).
    pub higher_is_better: bool,
}

impl IndicatorDef {
    pub fn new(source: &str, key: &str, unit: KpiUnit, name: (&str, &str), definition: (&str, &str)) -> IndicatorDef {
        IndicatorDef {
            key: key.into(),
            source: source.into(),
            unit,
            name: Msg::new(name.0, name.1),
            definition: Msg::new(definition.0, definition.1),
            higher_is_better: true,
        }
    }

    /// A figure where less is better (a count of incidents, a time to respond).
    pub fn lower_is_better(mut self) -> IndicatorDef {
        self.higher_is_better = false;
        self
    }
}

/// An indicator's value for one scope and period. `value` is absent when nothing was measured
/// (a rate over no clocks is not 100 %).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Kpi {
    pub key: String,
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    /// The first of the targets that apply (the contract item's; over a whole contract, the
    /// strictest of its items'), for a quick look …
    pub target: Option<f64>,
    /// … and whether every target held (`null` where none applies or nothing was measured).
    pub met: Option<bool>,
    /// Every target that applies, each judged over its windows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<targets::TargetResult>,
    /// The value split by what it is made of (tickets by severity, incidents by system), largest
    /// first; empty for most indicators.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breakdown: Vec<KpiPart>,
}

/// One part of a value: a severity level, a system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct KpiPart {
    /// What the part is, in words (a level's name, a system's name).
    pub label: String,
    /// The object behind it, for a drill-down (a system's id).
    pub id: Option<String>,
    pub value: f64,
}

impl Kpi {
    pub fn count(key: &str, n: u64) -> Kpi {
        Kpi::maybe(key, Some(n as f64))
    }

    /// With its parts, largest first.
    pub fn with_breakdown(mut self, mut parts: Vec<KpiPart>) -> Kpi {
        parts.sort_by(|a, b| b.value.total_cmp(&a.value).then_with(|| a.label.cmp(&b.label)));
        self.breakdown = parts;
        self
    }

    /// `num ÷ den`, absent when `den` is 0.
    pub fn rate(key: &str, num: u64, den: u64) -> Kpi {
        Kpi {
            key: key.into(),
            value: (den > 0).then(|| num as f64 / den as f64),
            numerator: Some(num as f64),
            denominator: Some(den as f64),
            target: None,
            met: None,
            targets: Vec::new(),
            breakdown: Vec::new(),
        }
    }

    /// A value that may be unmeasured (a mean over nothing).
    pub fn maybe(key: &str, value: Option<f64>) -> Kpi {
        Kpi {
            key: key.into(),
            value,
            numerator: None,
            denominator: None,
            target: None,
            met: None,
            targets: Vec::new(),
            breakdown: Vec::new(),
        }
    }
}

/// Whose figures: one contract (optionally one of its systems), and — for a unit's user — only
/// that unit's systems.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiScope {
    pub contract_id: String,
    /// The contract's items: tickets belong to the item that covered them.
    pub item_ids: Vec<String>,
    /// Each item's outage causes counted against the vendor (an unset cause is `unknown`).
    pub counted_causes: Vec<(String, Vec<crate::tickets::Cause>)>,
    /// The systems the contract's items cover (inspections belong to systems).
    pub system_ids: Vec<String>,
    /// The item that covers each system (the first, where two do), for its counted causes and
    /// its promised availability.
    pub system_items: Vec<SystemItem>,
    pub system_id: Option<String>,
    pub unit_id: Option<String>,
    pub period: Period,
}

/// A system of the scope and the contract item that covers it.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemItem {
    pub system_id: String,
    pub item_id: String,
    /// The item's promised availability in percent (99.9).
    pub availability_target: Option<f64>,
}

/// Whole days of the bureau's calendar, both ends included; as instants `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The longest period asked at once: five years (a contract rarely runs three).
pub const MAX_PERIOD_DAYS: i64 = 366 * 5;

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, FieldError> {
        if to < from {
            return Err(FieldError::new(
                "to",
                "结束日期早于开始日期，请检查时间范围",
                "is before `from`: check the range",
            ));
        }
        if (to - from).num_days() >= MAX_PERIOD_DAYS {
            return Err(FieldError::new("to", "统计期间不能超过五年", "a period spans at most five years"));
        }
        Ok(Period { from, to })
    }

    /// Midnight of `from` and of the day after `to` in the bureau's zone (UTC+8, no DST).
    pub fn instants(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - Duration::hours(8);
        (start(self.from), start(self.to + Duration::days(1)))
    }
}

/// The position of the `p`-quantile (0 < p ≤ 1) among `n` sorted values, nearest-rank: the
/// smallest value with at least `p·n` values at or below it.
pub fn nearest_rank(n: u64, p: f64) -> Option<u64> {
    if n == 0 {
        return None;
    }
    let rank = (p * n as f64).ceil().max(1.0) as u64;
    Some(rank.min(n) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_period_is_whole_bureau_days() {
        let p = Period::new(d("2026-11-01"), d("2026-11-30")).unwrap();
        let (a, b) = p.instants();
        assert_eq!(a.to_rfc3339(), "2026-10-31T16:00:00+00:00");
        assert_eq!(b.to_rfc3339(), "2026-11-30T16:00:00+00:00");
        assert_eq!(Period::new(d("2026-11-02"), d("2026-11-01")).unwrap_err().field, "to");
        assert!(Period::new(d("2026-01-01"), d("2026-01-01")).is_ok(), "one day");
        assert_eq!(Period::new(d("2020-01-01"), d("2026-01-01")).unwrap_err().field, "to");
    }

    #[test]
    fn rates_over_nothing_are_unmeasured() {
        assert_eq!(Kpi::rate("x", 0, 0).value, None);
        assert_eq!(Kpi::rate("x", 3, 4).value, Some(0.75));
    }

    #[test]
    fn the_90th_percentile_is_the_nearest_rank() {
        assert_eq!(nearest_rank(0, 0.9), None);
        assert_eq!(nearest_rank(1, 0.9), Some(0));
        assert_eq!(nearest_rank(10, 0.9), Some(8), "the 9th of 10");
        assert_eq!(nearest_rank(11, 0.9), Some(9), "the 10th of 11");
        assert_eq!(nearest_rank(100, 0.9), Some(89));
        assert_eq!(nearest_rank(5, 1.0), Some(4));
    }
}
