//! A report's period from its kind and first day, and its due date by rule.
//!
//! Periods run from any first day, not only from calendar boundaries: a service period signed
//! on 15 March runs its "year" to 14 March, its "months" from the 15th. A definition's periods
//! follow one another from its anchor.

use chrono::{Datelike, Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ReportKind;
use crate::Msg;
use crate::error::FieldError;
use crate::indicators::Period;

impl ReportKind {
    /// How far one period reaches from its first day; `None` for a custom range.
    fn length(self) -> Option<Months> {
        match self {
            ReportKind::Week | ReportKind::Custom => None,
            ReportKind::Month => Some(Months::new(1)),
            ReportKind::Quarter => Some(Months::new(3)),
            ReportKind::HalfYear => Some(Months::new(6)),
            ReportKind::Year => Some(Months::new(12)),
        }
    }

    /// The first day of the period after the one starting on `start` (`None` for custom).
    pub fn next_start(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            ReportKind::Week => start.checked_add_signed(Duration::days(7)),
            ReportKind::Custom => None,
            _ => self.length().and_then(|m| start.checked_add_months(m)),
        }
    }

    /// The period starting on `start`: one week, month … later less a day, or `start`–`end` for
    /// a custom range (which alone takes an `end`).
    pub fn period(self, start: NaiveDate, end: Option<NaiveDate>) -> Result<Period, FieldError> {
        match (self, end) {
            (ReportKind::Custom, None) => Err(FieldError::required("end")),
            (ReportKind::Custom, Some(end)) => {
                Period::new(start, end).map_err(|e| FieldError { field: "end".into(), ..e })
            }
            (_, Some(_)) => Err(FieldError::new(
                "end",
                "只有专项报告指定结束日期，其他报告的期间由类型决定",
                "only a custom report takes an end; the kind decides the others'",
            )),
            (kind, None) => {
                let next = kind
                    .next_start(start)
                    .ok_or_else(|| FieldError::new("start", "开始日期超出范围", "the start is out of range"))?;
                Period::new(start, next - Duration::days(1))
            }
        }
    }

    /// The conventional first day of the period containing `day` when periods follow the
    /// calendar (weeks from Monday, quarters from January …).
    pub fn calendar_start(self, day: NaiveDate) -> NaiveDate {
        let first = |m: u32| NaiveDate::from_ymd_opt(day.year(), m, 1).unwrap_or(day);
        match self {
            ReportKind::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
            ReportKind::Month => first(day.month()),
            ReportKind::Quarter => first((day.month() - 1) / 3 * 3 + 1),
            ReportKind::HalfYear => first(if day.month() <= 6 { 1 } else { 7 }),
            ReportKind::Year => first(1),
            ReportKind::Custom => day,
        }
    }

    /// When the seeds want it by default: a weekly summary the next working day, a monthly
    /// report by the 5th working day of the next month, quarterly and half-year ones within 10
    /// working days, the annual within one month after the period (002 考核表).
    pub fn default_due(self) -> DueRule {
        match self {
            ReportKind::Week => DueRule::WorkingDays { days: 1 },
            ReportKind::Month => DueRule::WorkingDays { days: 5 },
            ReportKind::Quarter | ReportKind::HalfYear | ReportKind::Custom => DueRule::WorkingDays { days: 10 },
            ReportKind::Year => DueRule::Months { months: 1 },
        }
    }
}

/// When a report is due after its period's last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DueRule {
    /// The `days`-th working day after the period on the bureau's calendar.
    WorkingDays { days: u16 },
    /// `days` calendar days after the period.
    Days { days: u16 },
    /// The same day `months` later (the annual report "within one month").
    Months { months: u8 },
}

/// No report is due more than a quarter after its period.
const MAX_DUE_DAYS: u16 = 92;
const MAX_DUE_WORKING_DAYS: u16 = 60;
const MAX_DUE_MONTHS: u8 = 3;

impl DueRule {
    pub fn check(&self, field: &str) -> Result<(), FieldError> {
        let ok = match *self {
            DueRule::WorkingDays { days } => (1..=MAX_DUE_WORKING_DAYS).contains(&days),
            DueRule::Days { days } => (1..=MAX_DUE_DAYS).contains(&days),
            DueRule::Months { months } => (1..=MAX_DUE_MONTHS).contains(&months),
        };
        if ok {
            Ok(())
        } else {
            Err(FieldError::new(
                field,
                format!(
                    "提交期限须为期末后 1–{MAX_DUE_WORKING_DAYS} 个工作日、1–{MAX_DUE_DAYS} 天或 1–{MAX_DUE_MONTHS} 个月"
                ),
                format!(
                    "due 1–{MAX_DUE_WORKING_DAYS} working days, 1–{MAX_DUE_DAYS} days or 1–{MAX_DUE_MONTHS} months after the period"
                ),
            ))
        }
    }

    /// The due date after a period ending on `end` for the rules that need no calendar;
    /// `None` for working days (the app counts them on the bureau's calendar).
    pub fn plain_due(&self, end: NaiveDate) -> Option<NaiveDate> {
        match *self {
            DueRule::WorkingDays { .. } => None,
            DueRule::Days { days } => end.checked_add_signed(Duration::days(i64::from(days))),
            DueRule::Months { months } => end.checked_add_months(Months::new(u32::from(months))),
        }
    }

    /// The rule in words, e.g. “期末后第 5 个工作日”.
    pub fn text(&self) -> Msg {
        match *self {
            DueRule::WorkingDays { days } => {
                Msg::new(format!("期末后第 {days} 个工作日"), format!("the {days}th working day after the period"))
            }
            DueRule::Days { days } => {
                Msg::new(format!("期末后 {days} 天内"), format!("within {days} days after the period"))
            }
            DueRule::Months { months } => {
                Msg::new(format!("期末后 {months} 个月内"), format!("within {months} months after the period"))
            }
        }
    }
}
