//! The 等保 cycle tracker (004 row 24: level 3 assessed every year, level 2 every two years, at
//! least 50 systems a year): per system its filing (备案), its assessments (测评) and the next one
//! due, the rectification items (整改项) an assessment leaves, tracked to closure by their
//! deadline, and the year's programme against the bureau's quota. The level is the system's
//! own (`System::dengbao_level`, kept in the registry).

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::FieldError;
use crate::error::Checker;
use crate::security_events::ReportingClass;

text_enum!(
    /// An assessment's conclusion (GB/T 28448-2019 测评结论).
    Conclusion {
        Excellent = "excellent" / "优" / "excellent",
        Good = "good" / "良" / "good",
        Fair = "fair" / "中" / "fair",
        Poor = "poor" / "差" / "poor",
    }
);

text_enum!(
    /// How grave a rectification item is.
    RiskLevel {
        High = "high" / "高风险" / "high risk",
        Medium = "medium" / "中风险" / "medium risk",
        Low = "low" / "低风险" / "low risk",
    }
);

text_enum!(
    /// A rectification item: the vendor reports it done, the bureau closes it (or sends it back).
    ItemStatus {
        Open = "open" / "待整改" / "open",
        Done = "done" / "已整改待确认" / "done, to be confirmed",
        Closed = "closed" / "已关闭" / "closed",
    }
);

/// The quota of 004 row 24 when the bureau has set none for a year.
pub const DEFAULT_QUOTA: u32 = 50;

/// Years between assessments: level 3 and above every year, level 2 every two years; level 1
/// needs none.
pub fn cycle_years(level: i32) -> Option<u32> {
    match level {
        l if l >= 3 => Some(1),
        2 => Some(2),
        _ => None,
    }
}

/// When the next assessment is due: the bureau's date where it set one, else a cycle after the
/// last assessment, else (never assessed) the day the system was filed — or, without that,
/// the start of `year_now` (it is due now).
pub fn next_due(
    level: i32,
    last: Option<NaiveDate>,
    filed_on: Option<NaiveDate>,
    set: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<NaiveDate> {
    if set.is_some() {
        return set;
    }
    let years = cycle_years(level)?;
    match last {
        Some(d) => d.checked_add_months(Months::new(12 * years)),
        None => filed_on.or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1)),
    }
}

/// A system's 等保 standing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DengbaoRecord {
    pub system_id: String,
    pub unit_id: String,
    /// The system's level (from the registry; 0 when not graded).
    pub level: i32,
    /// 备案编号
    pub filing_number: Option<String>,
    pub filed_on: Option<NaiveDate>,
    pub last_assessed_on: Option<NaiveDate>,
    pub last_assessor: Option<String>,
    pub last_score: Option<f64>,
    pub last_conclusion: Option<Conclusion>,
    /// A due date the bureau set instead of the cycle's.
    pub next_due_set: Option<NaiveDate>,
    pub next_due_on: Option<NaiveDate>,
    /// The next assessment's day has passed.
    pub overdue: bool,
    /// Rectification items not closed, and those of them past their deadline.
    pub open_items: u32,
    pub late_items: u32,
    pub notes: Option<String>,
    /// Whose deadline applies when a security event hits the system (the bureau's to say; an
    /// event takes the strictest of its systems'; `other` when not set).
    pub reporting_class: Option<ReportingClass>,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DengbaoRecordInput {
    pub filing_number: Option<String>,
    /// `YYYY-MM-DD`
    pub filed_on: Option<String>,
    /// `YYYY-MM-DD`: the next assessment's day, instead of the cycle's (empty: the cycle's).
    pub next_due_on: Option<String>,
    pub notes: Option<String>,
    /// cii (关键信息基础设施, 1 h), state_organ (中央和国家机关, 2 h) or other (4 h).
    pub reporting_class: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DengbaoRecordFields {
    pub filing_number: Option<String>,
    pub filed_on: Option<NaiveDate>,
    pub next_due_set: Option<NaiveDate>,
    pub notes: Option<String>,
    pub reporting_class: Option<ReportingClass>,
}

impl DengbaoRecordInput {
    pub fn validate(&self) -> Result<DengbaoRecordFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let filing_number = c.optional_text("filing_number", self.filing_number.as_deref(), 100);
        let notes = c.optional_text("notes", self.notes.as_deref(), 2000);
        let filed_on = c.optional_date("filed_on", self.filed_on.as_deref());
        let next_due_set = c.optional_date("next_due_on", self.next_due_on.as_deref());
        let reporting_class = match self.reporting_class.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => ReportingClass::parse(s).or_else(|| {
                let choices = ReportingClass::choices();
                c.push(FieldError::new(
                    "reporting_class",
                    format!("应为 {choices} 之一"),
                    format!("must be one of {choices}"),
                ));
                None
            }),
        };
        c.finish()?;
        Ok(DengbaoRecordFields { filing_number, filed_on, next_due_set, notes, reporting_class })
    }
}

/// One assessment (测评) of a system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DengbaoAssessment {
    pub id: String,
    pub system_id: String,
    pub assessed_on: NaiveDate,
    /// 测评机构
    pub assessor: String,
    pub score: Option<f64>,
    pub conclusion: Conclusion,
    pub notes: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DengbaoAssessmentInput {
    /// `YYYY-MM-DD`, not in the future.
    pub assessed_on: Option<String>,
    pub assessor: Option<String>,
    /// 0–100
    pub score: Option<f64>,
    /// excellent, good, fair, poor
    pub conclusion: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DengbaoAssessmentFields {
    pub assessed_on: NaiveDate,
    pub assessor: String,
    pub score: Option<f64>,
    pub conclusion: Conclusion,
    pub notes: Option<String>,
}

impl DengbaoAssessmentInput {
    pub fn validate(&self, today: NaiveDate) -> Result<DengbaoAssessmentFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let assessed_on = c.required_date("assessed_on", self.assessed_on.as_deref());
        if assessed_on.is_some_and(|d| d > today) {
            c.push(FieldError::new("assessed_on", "测评日期不能晚于今天", "cannot be in the future"));
        }
        let assessor = c.required_text("assessor", self.assessor.as_deref().unwrap_or(""), 200);
        if self.score.is_some_and(|s| !(0.0..=100.0).contains(&s)) {
            c.push(FieldError::new("score", "得分须在 0 到 100 之间", "must be between 0 and 100"));
        }
        let conclusion = match self.conclusion.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                c.push(FieldError::required("conclusion"));
                None
            }
            Some(s) => {
                let v = Conclusion::parse(s);
                if v.is_none() {
                    c.push(crate::vulnerabilities::choice_error("conclusion", &Conclusion::choices()));
                }
                v
            }
        };
        let notes = c.optional_text("notes", self.notes.as_deref(), 2000);
        c.finish()?;
        Ok(DengbaoAssessmentFields {
            assessed_on: assessed_on.unwrap_or(today),
            assessor,
            score: self.score,
            conclusion: conclusion.unwrap_or(Conclusion::Poor),
            notes,
        })
    }
}

/// A rectification item (整改项).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RectItem {
    pub id: String,
    pub system_id: String,
    pub unit_id: String,
    /// The assessment that found it, if recorded.
    pub assessment_id: Option<String>,
    pub title: String,
    pub risk: RiskLevel,
    pub deadline: NaiveDate,
    pub status: ItemStatus,
    pub done_at: Option<DateTime<Utc>>,
    pub done_note: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by_name: Option<String>,
    /// Still open after its deadline (or closed after it).
    pub late: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RectItemInput {
    pub assessment_id: Option<String>,
    pub title: Option<String>,
    /// high, medium, low
    pub risk: Option<String>,
    /// `YYYY-MM-DD`
    pub deadline: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RectItemFields {
    pub assessment_id: Option<String>,
    pub title: String,
    pub risk: RiskLevel,
    pub deadline: NaiveDate,
}

impl RectItemInput {
    pub fn validate(&self) -> Result<RectItemFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let assessment_id = c.optional_text("assessment_id", self.assessment_id.as_deref(), 64);
        let title = c.required_text("title", self.title.as_deref().unwrap_or(""), 500);
        let risk = match self.risk.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => RiskLevel::Medium,
            Some(s) => RiskLevel::parse(s).unwrap_or_else(|| {
                c.push(crate::vulnerabilities::choice_error("risk", &RiskLevel::choices()));
                RiskLevel::Medium
            }),
        };
        let deadline = c.required_date("deadline", self.deadline.as_deref());
        c.finish()?;
        Ok(RectItemFields { assessment_id, title, risk, deadline: deadline.unwrap_or_default() })
    }
}

/// The vendor reports an item done (with what was done), the bureau closes it or sends it back.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ItemMoveInput {
    /// done, closed, open
    pub to: Option<String>,
    pub note: Option<String>,
}

/// The year's programme: which systems are due, which were assessed, against the quota.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Programme {
    pub year: i32,
    pub quota: u32,
    /// Systems due for assessment in the year (or overdue from before), by record.
    pub due: Vec<DengbaoRecord>,
    pub due_count: u32,
    /// Systems assessed in the year.
    pub assessed_count: u32,
    /// Of those due, assessed in the year by their due day.
    pub on_schedule_count: u32,
    /// assessed ÷ quota (may pass 1).
    pub progress: f64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct QuotaInput {
    pub quota: Option<u32>,
}

/// Checks a year named in a path or query (2000–2100).
pub fn year_ok(field: &str, year: i32) -> Result<i32, FieldError> {
    if (2000..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(FieldError::new(field, "年份须在 2000 到 2100 之间", "the year must be between 2000 and 2100"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn level_3_is_assessed_every_year_and_level_2_every_two() {
        let today = d("2026-12-03");
        assert_eq!(next_due(3, Some(d("2026-03-15")), None, None, today), Some(d("2027-03-15")));
        assert_eq!(next_due(2, Some(d("2026-03-15")), None, None, today), Some(d("2028-03-15")));
        assert_eq!(next_due(1, Some(d("2026-03-15")), None, None, today), None);
        assert_eq!(next_due(3, None, Some(d("2025-06-01")), None, today), Some(d("2025-06-01")));
        assert_eq!(next_due(3, None, None, None, today), Some(d("2026-01-01")));
        assert_eq!(next_due(2, Some(d("2024-02-29")), None, None, today), Some(d("2026-02-28")));
        assert_eq!(next_due(3, Some(d("2026-03-15")), None, Some(d("2027-01-10")), today), Some(d("2027-01-10")));
    }

    #[test]
    fn inputs_name_their_fields() {
        let a = DengbaoAssessmentInput { score: Some(120.0), conclusion: Some("great".into()), ..Default::default() };
        let errs = a.validate(d("2026-12-03")).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["assessed_on", "assessor", "score", "conclusion"]);
        let i = RectItemInput {
            title: Some("x".into()),
            risk: Some("severe".into()),
            deadline: Some("2026-13-01".into()),
            ..Default::default()
        };
        let fields: Vec<String> = i.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["risk", "deadline"]);
    }
}

/// The tracker's indicators (004 row 24: 等保 on schedule; rectification closed by its deadline).
pub mod indicators {
    use crate::indicators::{IndicatorDef, KpiUnit};

    pub const SOURCE: &str = "dengbao";

    pub fn defs() -> Vec<IndicatorDef> {
        vec![
            IndicatorDef::new(
                SOURCE,
                "dengbao_on_schedule_rate",
                KpiUnit::Rate,
                ("等保测评按期率", "等保 assessments on schedule"),
                (
                    "期间内到期应测评的系统（按期初的上次测评与周期计算）中，在到期日前完成测评的比例；到期日未到且未测评的不计入",
                    "Systems whose 等保 assessment fell due in the period (from the last one before it and the level's cycle) that were assessed by that day; those not yet due and not assessed are left out",
                ),
            ),
            IndicatorDef::new(
                SOURCE,
                "rectification_closure_rate",
                KpiUnit::Rate,
                ("整改项按期关闭率", "Rectification items closed on time"),
                (
                    "期限在期间内的整改项中，在期限当天或之前经数据局确认关闭的比例；期限未到且未关闭的不计入",
                    "Rectification items due in the period that the bureau closed by their deadline; items not yet due and not closed are left out",
                ),
            ),
        ]
    }
}
