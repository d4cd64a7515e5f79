//! Targets on a contract item: an indicator of the catalogue, a comparison, a value and the
//! window it holds over — "response on time ≥ 98 %", "downtime of one system ≤ 60 min a month",
//! "≤ 3 incidents a system a year". A target over a month checked against a quarter holds only
//! if it holds in each of the quarter's months; one over a year checked against a quarter is
//! compared with the quarter's value (a cap already exceeded in part of the year is missed).

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{IndicatorDef, KpiUnit, Period};
use crate::error::{Checker, FieldError};

/// At most this many targets on one contract item.
pub const MAX_TARGETS: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetOp {
    AtLeast,
    AtMost,
}

impl TargetOp {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetOp::AtLeast => "at_least",
            TargetOp::AtMost => "at_most",
        }
    }
}

/// The window a target holds over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetWindow {
    /// Whatever period is asked.
    #[default]
    Period,
    Month,
    Quarter,
    HalfYear,
    Year,
}

impl TargetWindow {
    pub const ALL: [TargetWindow; 5] =
        [TargetWindow::Period, TargetWindow::Month, TargetWindow::Quarter, TargetWindow::HalfYear, TargetWindow::Year];

    pub fn as_str(self) -> &'static str {
        match self {
            TargetWindow::Period => "period",
            TargetWindow::Month => "month",
            TargetWindow::Quarter => "quarter",
            TargetWindow::HalfYear => "half_year",
            TargetWindow::Year => "year",
        }
    }

    fn months(self) -> Option<u32> {
        match self {
            TargetWindow::Period => None,
            TargetWindow::Month => Some(1),
            TargetWindow::Quarter => Some(3),
            TargetWindow::HalfYear => Some(6),
            TargetWindow::Year => Some(12),
        }
    }

    /// The calendar windows that `period` touches, clipped to it; the period itself when it lies
    /// within one window (or the target holds over whatever is asked).
    pub fn split(self, period: Period) -> Vec<Period> {
        let Some(n) = self.months() else { return vec![period] };
        let mut out = Vec::new();
        let mut start = period.from;
        while start <= period.to {
            let m0 = start.month0() / n * n;
            let first = NaiveDate::from_ymd_opt(start.year(), m0 + 1, 1).unwrap_or(start);
            let next = first.checked_add_months(chrono::Months::new(n)).unwrap_or(period.to + Duration::days(1));
            let end = (next - Duration::days(1)).min(period.to);
            out.push(Period { from: start, to: end });
            start = end + Duration::days(1);
        }
        out
    }
}

/// A target as stored on a contract item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct KpiTarget {
    /// An indicator key of the catalogue (`GET /kpis/catalogue`).
    pub key: String,
    pub op: TargetOp,
    /// In the indicator's unit: a fraction 0..1 for rates, minutes, a count, stars.
    pub value: f64,
    #[serde(default)]
    pub per: TargetWindow,
}

impl KpiTarget {
    pub fn holds(&self, value: f64) -> bool {
        // Rates and minutes are floats; a hair's difference from rounding is not a miss.
        const EPS: f64 = 1e-9;
        match self.op {
            TargetOp::AtLeast => value >= self.value - EPS,
            TargetOp::AtMost => value <= self.value + EPS,
        }
    }

    /// Whether `self` asks more than `other` of the same indicator, window and comparison.
    pub fn stricter_than(&self, other: &KpiTarget) -> bool {
        match self.op {
            TargetOp::AtLeast => self.value > other.value,
            TargetOp::AtMost => self.value < other.value,
        }
    }
}

/// A target as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct KpiTargetInput {
    pub key: Option<String>,
    /// `at_least` or `at_most`.
    pub op: Option<String>,
    pub value: Option<f64>,
    /// `period` (default), `month`, `quarter`, `half_year` or `year`.
    pub per: Option<String>,
}

impl From<&KpiTarget> for KpiTargetInput {
    /// A stored target (or a template's) as it would be sent again.
    fn from(t: &KpiTarget) -> KpiTargetInput {
        KpiTargetInput {
            key: Some(t.key.clone()),
            op: Some(t.op.as_str().into()),
            value: Some(t.value),
            per: Some(t.per.as_str().into()),
        }
    }
}

/// Checks targets against the catalogue: a known key, a comparison, a value in the indicator's
/// unit (a rate between 0 and 1), and one target per key and window.
pub fn validate(input: &[KpiTargetInput], catalogue: &[IndicatorDef]) -> Result<Vec<KpiTarget>, Vec<FieldError>> {
    let mut c = Checker::default();
    if input.len() > MAX_TARGETS {
        c.push(FieldError::new(
            "targets",
            format!("考核指标目标不能超过 {MAX_TARGETS} 个"),
            format!("at most {MAX_TARGETS} targets"),
        ));
    }
    let mut out: Vec<KpiTarget> = Vec::new();
    for (i, t) in input.iter().take(MAX_TARGETS).enumerate() {
        let at = |f: &str| format!("targets[{i}].{f}");
        let key = t.key.as_deref().unwrap_or("").trim();
        let def = catalogue.iter().find(|d| d.key == key);
        if key.is_empty() {
            c.push(FieldError::required(at("key")));
        } else if def.is_none() {
            c.push(FieldError::new(at("key"), "没有这个指标（见指标目录）", "no such indicator (see the catalogue)"));
        }
        let op = match t.op.as_deref().map(str::trim) {
            Some(s) if s == TargetOp::AtLeast.as_str() => Some(TargetOp::AtLeast),
            Some(s) if s == TargetOp::AtMost.as_str() => Some(TargetOp::AtMost),
            None | Some("") => {
                c.push(FieldError::required(at("op")));
                None
            }
            Some(_) => {
                c.push(FieldError::new(
                    at("op"),
                    "可选值：at_least（不低于）、at_most（不高于）",
                    "must be at_least or at_most",
                ));
                None
            }
        };
        let per = match t.per.as_deref().map(str::trim) {
            None | Some("") => Some(TargetWindow::Period),
            Some(s) => TargetWindow::ALL.iter().copied().find(|w| w.as_str() == s).or_else(|| {
                c.push(FieldError::new(
                    at("per"),
                    "可选值：period、month、quarter、half_year、year",
                    "must be one of: period, month, quarter, half_year, year",
                ));
                None
            }),
        };
        let value = match (t.value, def) {
            (None, _) => {
                c.push(FieldError::required(at("value")));
                None
            }
            (Some(v), _) if !v.is_finite() || !(0.0..=1e9).contains(&v) => {
                c.push(FieldError::new(at("value"), "须为不小于 0 的数", "must be a number of at least 0"));
                None
            }
            (Some(v), Some(d)) if d.unit == KpiUnit::Rate && v > 1.0 => {
                c.push(FieldError::new(
                    at("value"),
                    "比率以 0 到 1 之间的小数表示，如 0.98 表示 98%",
                    "a rate is a fraction from 0 to 1, e.g. 0.98 for 98 %",
                ));
                None
            }
            (Some(v), Some(d)) if d.unit == KpiUnit::Stars && v > 5.0 => {
                c.push(FieldError::new(at("value"), "星级为 1 到 5", "stars run from 1 to 5"));
                None
            }
            (Some(v), _) => Some(v),
        };
        if let (Some(_), Some(op), Some(value), Some(per)) = (def, op, value, per) {
            if out.iter().any(|o| o.key == key && o.per == per) {
                c.push(FieldError::new(
                    at("key"),
                    "同一指标在同一统计周期只能有一个目标",
                    "one target per indicator and window",
                ));
            } else {
                out.push(KpiTarget { key: key.to_string(), op, value, per });
            }
        }
    }
    c.finish().map(|_| out)
}

/// One target of a value: whether it held, and in which windows it did not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TargetResult {
    #[serde(flatten)]
    pub target: KpiTarget,
    /// `null` when nothing was measured in any window.
    pub met: Option<bool>,
    /// The windows (of a target per month, quarter, …) where it was missed, with their values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missed: Vec<MissedWindow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MissedWindow {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub value: f64,
}

/// Judges a target over its windows: `values` holds each window's value (absent where nothing
/// was measured). Unmeasured windows neither meet nor miss.
pub fn judge(target: &KpiTarget, values: &[(Period, Option<f64>)]) -> TargetResult {
    let mut missed = Vec::new();
    let mut any = false;
    for (p, v) in values {
        if let Some(v) = v {
            any = true;
            if !target.holds(*v) {
                missed.push(MissedWindow { from: p.from, to: p.to, value: *v });
            }
        }
    }
    TargetResult { target: target.clone(), met: any.then_some(missed.is_empty()), missed }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn p(a: &str, b: &str) -> Period {
        Period { from: d(a), to: d(b) }
    }

    fn catalogue() -> Vec<IndicatorDef> {
        vec![
            IndicatorDef::new("t", "response_on_time_rate", KpiUnit::Rate, ("a", "a"), ("a", "a")),
            IndicatorDef::new("t", "downtime_minutes", KpiUnit::Minutes, ("b", "b"), ("b", "b")).lower_is_better(),
        ]
    }

    fn input(key: &str, op: &str, value: f64, per: Option<&str>) -> KpiTargetInput {
        KpiTargetInput { key: Some(key.into()), op: Some(op.into()), value: Some(value), per: per.map(Into::into) }
    }

    #[test]
    fn windows_are_calendar_months_quarters_and_years_clipped_to_the_period() {
        let q = p("2026-01-01", "2026-03-31");
        assert_eq!(TargetWindow::Period.split(q), vec![q]);
        assert_eq!(
            TargetWindow::Month.split(q),
            vec![p("2026-01-01", "2026-01-31"), p("2026-02-01", "2026-02-28"), p("2026-03-01", "2026-03-31")]
        );
        assert_eq!(TargetWindow::Quarter.split(q), vec![q]);
        assert_eq!(TargetWindow::Year.split(q), vec![q], "a quarter lies within its year");
        assert_eq!(
            TargetWindow::HalfYear.split(p("2026-05-15", "2026-08-10")),
            vec![p("2026-05-15", "2026-06-30"), p("2026-07-01", "2026-08-10")]
        );
        assert_eq!(
            TargetWindow::Year.split(p("2025-12-01", "2026-01-31")),
            vec![p("2025-12-01", "2025-12-31"), p("2026-01-01", "2026-01-31")]
        );
    }

    #[test]
    fn targets_name_a_known_indicator_in_its_unit() {
        let ok = validate(&[input("response_on_time_rate", "at_least", 0.98, None)], &catalogue()).unwrap();
        assert_eq!(ok[0].per, TargetWindow::Period);
        let e = validate(&[input("response_on_time_rate", "at_least", 98.0, None)], &catalogue()).unwrap_err();
        assert_eq!(e[0].field, "targets[0].value", "98 is not a fraction");
        let e = validate(&[input("nope", "at_least", 1.0, None)], &catalogue()).unwrap_err();
        assert_eq!(e[0].field, "targets[0].key");
        let e = validate(&[input("downtime_minutes", "below", 60.0, Some("month"))], &catalogue()).unwrap_err();
        assert_eq!(e[0].field, "targets[0].op");
        let e = validate(&[input("downtime_minutes", "at_most", 60.0, Some("week"))], &catalogue()).unwrap_err();
        assert_eq!(e[0].field, "targets[0].per");
        let e = validate(&[input("downtime_minutes", "at_most", f64::NAN, None)], &catalogue()).unwrap_err();
        assert_eq!(e[0].field, "targets[0].value");
        let twice = [
            input("downtime_minutes", "at_most", 60.0, Some("month")),
            input("downtime_minutes", "at_most", 50.0, Some("month")),
        ];
        assert_eq!(validate(&twice, &catalogue()).unwrap_err()[0].field, "targets[1].key");
        let two_windows = [
            input("downtime_minutes", "at_most", 60.0, Some("month")),
            input("downtime_minutes", "at_most", 120.0, Some("year")),
        ];
        assert_eq!(validate(&two_windows, &catalogue()).unwrap().len(), 2, "≤ 1 h a month and ≤ 2 h a year");
    }

    #[test]
    fn a_target_is_met_in_every_measured_window() {
        let t =
            KpiTarget { key: "downtime_minutes".into(), op: TargetOp::AtMost, value: 60.0, per: TargetWindow::Month };
        let jan = p("2026-01-01", "2026-01-31");
        let feb = p("2026-02-01", "2026-02-28");
        let r = judge(&t, &[(jan, Some(60.0)), (feb, Some(61.0))]);
        assert_eq!(r.met, Some(false));
        assert_eq!(r.missed, vec![MissedWindow { from: feb.from, to: feb.to, value: 61.0 }]);
        assert_eq!(judge(&t, &[(jan, Some(60.0)), (feb, None)]).met, Some(true), "the boundary holds");
        assert_eq!(judge(&t, &[(jan, None)]).met, None, "nothing measured: no verdict");
        let rate = KpiTarget { key: "r".into(), op: TargetOp::AtLeast, value: 0.98, per: TargetWindow::Period };
        assert!(rate.holds(0.98) && !rate.holds(0.9799));
    }
}
