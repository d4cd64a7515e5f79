//! Security plans (issue 20): per system and kind of security work (vulnerability scan, web
//! scan, penetration test, baseline check, risk assessment) a recurrence on the working calendar,
//! as for inspections. The work done is a **record** with its report attached and, where a scan
//! brought findings, the import that wrote them to the ledger.
//!
//! A plan's occurrences cut time into periods: each runs from one occurrence to the day before
//! the next. A period is a **task**; it is done when a record of its system and kind falls in
//! it. Tasks are computed from the plan and the records, never stored, so a changed calendar or
//! plan changes no fact: only what was due.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::FieldError;
use crate::error::Checker;
use crate::inspections::plan::parse_date;
use crate::inspections::recurrence::{HolidayRule, Recurrence, Schedule};
pub use crate::periods::MAX_RANGE_DAYS;
use crate::periods::{Period, Standing};

text_enum!(
    /// The kinds of planned security work 004 row 24 and 002 需求169 name.
    SecTaskKind {
        Scan = "scan" / "漏洞扫描" / "vulnerability scan",
        WebScan = "web_scan" / "Web 应用扫描" / "web application scan",
        Pentest = "pentest" / "渗透测试" / "penetration test",
        Baseline = "baseline" / "基线核查" / "baseline check",
        RiskAssessment = "risk_assessment" / "风险评估" / "risk assessment",
    }
);

fn kind_field(c: &mut Checker, v: Option<&str>) -> Option<SecTaskKind> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            c.push(FieldError::required("kind"));
            None
        }
        Some(s) => SecTaskKind::parse(s).or_else(|| {
            let choices = SecTaskKind::choices();
            c.push(FieldError::new("kind", format!("应为 {choices} 之一"), format!("must be one of {choices}")));
            None
        }),
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SecurityPlanInput {
    pub system_id: Option<String>,
    /// scan, web_scan, pentest, baseline, risk_assessment.
    pub kind: Option<String>,
    /// As for inspection plans: `{"every": "quarter", "month": 1, "day": 1}`, `{"every":
    /// "times_per_year", "times": 2}`, …
    #[schema(value_type = Object)]
    pub recurrence: Option<Value>,
    /// Whose working days count; the bureau's 5×8 calendar when omitted.
    pub calendar_id: Option<String>,
    /// skip, next_working_day (default), keep.
    pub holiday_rule: Option<String>,
    /// YYYY-MM-DD; today when omitted.
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub active: Option<bool>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SecurityPlanSpec {
    pub system_id: String,
    pub kind: SecTaskKind,
    pub schedule: Schedule,
    pub calendar_id: Option<String>,
    pub active: bool,
    pub notes: Option<String>,
}

impl SecurityPlanInput {
    pub fn validate(&self) -> Result<SecurityPlanSpec, Vec<FieldError>> {
        let mut c = Checker::default();
        let system_id = c.required_text("system_id", self.system_id.as_deref().unwrap_or(""), 64);
        let kind = kind_field(&mut c, self.kind.as_deref());
        let schedule = Schedule::read(
            &mut c,
            self.recurrence.as_ref(),
            self.holiday_rule.as_deref(),
            (self.start_date.as_deref(), self.end_date.as_deref()),
        );
        let too_often = match &schedule.recurrence {
            Recurrence::WorkingDay | Recurrence::Day => true,
            Recurrence::Week(days) => days.len() > 1,
            Recurrence::TimesPerYear(n) => *n > 52,
            _ => false,
        };
        if too_often && self.recurrence.is_some() {
            // Security work is weekly at the most; a daily plan is a slip of the finger.
            c.push(FieldError::new(
                "recurrence.every",
                "安全检测计划最多每周一次，请选择每周、每月、每季度或每年若干次",
                "security work is planned weekly at most: choose week, month, quarter or times a year",
            ));
        }
        let calendar_id = c.optional_text("calendar_id", self.calendar_id.as_deref(), 64);
        let notes = c.optional_text("notes", self.notes.as_deref(), 2000);
        c.finish()?;
        Ok(SecurityPlanSpec {
            system_id,
            kind: kind.unwrap_or(SecTaskKind::Scan),
            schedule,
            calendar_id,
            active: self.active.unwrap_or(true),
            notes,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SecurityPlan {
    pub id: String,
    pub system_id: String,
    pub unit_id: String,
    pub kind: SecTaskKind,
    #[schema(value_type = Object)]
    pub recurrence: Value,
    /// The recurrence in words.
    pub recurrence_text: String,
    pub calendar_id: String,
    pub holiday_rule: HolidayRule,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub active: bool,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a list of plans can be narrowed by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SecurityPlanFilter {
    pub system_id: Option<String>,
    pub kind: Option<SecTaskKind>,
    pub active: Option<bool>,
}

/// The scan kinds whose next opening ends a "before the next scan" deadline, the one matching
/// the finding first: a finding with a URL came from a web scan.
pub fn scan_kinds_for(web: bool) -> [SecTaskKind; 2] {
    if web { [SecTaskKind::WebScan, SecTaskKind::Scan] } else { [SecTaskKind::Scan, SecTaskKind::WebScan] }
}

text_enum!(
    /// Where a planned period stands.
    SecTaskStatus {
        /// A record of the plan's kind falls in the period.
        Done = "done" / "已完成" / "done",
        /// The period has not ended and nothing is recorded yet.
        Open = "open" / "进行中" / "open",
        /// The period ended with nothing recorded.
        Missed = "missed" / "未完成" / "missed",
    }
);

/// A plan's period with what was done in it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SecurityTask {
    pub plan_id: String,
    pub system_id: String,
    pub unit_id: String,
    pub kind: SecTaskKind,
    pub opens_on: NaiveDate,
    pub due_on: NaiveDate,
    pub status: SecTaskStatus,
    /// The records that fall in the period, earliest first.
    pub record_ids: Vec<String>,
    /// The day of the first of them.
    pub done_on: Option<NaiveDate>,
}

/// A period's standing on `today` given the days work of its kind was recorded on.
pub fn task_status(p: Period, recorded: &[NaiveDate], today: NaiveDate) -> (SecTaskStatus, Option<NaiveDate>) {
    match p.standing(recorded, today) {
        Standing::Done(on) => (SecTaskStatus::Done, Some(on)),
        Standing::Missed => (SecTaskStatus::Missed, None),
        Standing::Open => (SecTaskStatus::Open, None),
    }
}

/// What a task list can be narrowed by; `from..=to` is required by the app (this year so far by
/// default) and at most [`MAX_RANGE_DAYS`] long.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SecurityTaskFilter {
    pub system_id: Option<String>,
    pub kind: Option<SecTaskKind>,
    pub status: Option<SecTaskStatus>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The work done: the report (a file kept as uploaded, with its SHA-256) and, for a scan, the
/// import that brought its findings.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SecurityRecord {
    pub id: String,
    pub system_id: String,
    pub unit_id: String,
    pub kind: SecTaskKind,
    pub performed_on: NaiveDate,
    pub summary: String,
    pub import_id: Option<String>,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_by: String,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    /// Set when the bureau voids a record (a wrong system, a report that is not one); a void
    /// record counts for nothing and stays for the audit.
    pub voided_at: Option<DateTime<Utc>>,
    pub void_reason: Option<String>,
}

/// The fields of a record besides its file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SecurityRecordInput {
    pub system_id: Option<String>,
    pub kind: Option<String>,
    /// YYYY-MM-DD: the day the work was done; not in the future.
    pub performed_on: Option<String>,
    pub summary: Option<String>,
    /// The scan import whose findings this work brought (its system's).
    pub import_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SecurityRecordFields {
    pub system_id: String,
    pub kind: SecTaskKind,
    pub performed_on: NaiveDate,
    pub summary: String,
    pub import_id: Option<String>,
}

/// How far back vendor staff may date work they record: a report is filed within the month.
/// The bureau may record older work.
pub const VENDOR_BACKDATE_DAYS: i64 = 31;

impl SecurityRecordInput {
    pub fn validate(&self, today: NaiveDate, bureau: bool) -> Result<SecurityRecordFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let system_id = c.required_text("system_id", self.system_id.as_deref().unwrap_or(""), 64);
        let kind = kind_field(&mut c, self.kind.as_deref());
        let performed_on = parse_date(&mut c, "performed_on", self.performed_on.as_deref());
        match performed_on {
            None if self.performed_on.as_deref().is_none_or(|s| s.trim().is_empty()) => {
                c.push(FieldError::required("performed_on"))
            }
            Some(d) if d > today => {
                c.push(FieldError::new("performed_on", "不能晚于今天", "must not be in the future"))
            }
            Some(d) if !bureau && (today - d).num_days() > VENDOR_BACKDATE_DAYS => c.push(FieldError::new(
                "performed_on",
                format!("只能登记 {VENDOR_BACKDATE_DAYS} 天内完成的工作，更早的请数据局登记"),
                format!("work older than {VENDOR_BACKDATE_DAYS} days is recorded by the bureau"),
            )),
            _ => {}
        }
        let summary = c.required_text("summary", self.summary.as_deref().unwrap_or(""), 4000);
        let import_id = c.optional_text("import_id", self.import_id.as_deref(), 64);
        c.finish()?;
        Ok(SecurityRecordFields {
            system_id,
            kind: kind.unwrap_or(SecTaskKind::Scan),
            performed_on: performed_on.unwrap_or(today),
            summary,
            import_id,
        })
    }
}

/// What a list of records can be narrowed by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SecurityRecordFilter {
    pub system_id: Option<String>,
    pub kind: Option<SecTaskKind>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Void records too.
    pub with_void: bool,
}

pub mod indicators {
    use crate::indicators::{IndicatorDef, KpiUnit};

    pub const SOURCE: &str = "security_plans";

    pub fn defs() -> Vec<IndicatorDef> {
        vec![IndicatorDef::new(
            SOURCE,
            "security_plan_completion_rate",
            KpiUnit::Rate,
            ("安全检测计划完成率", "Security plan completion"),
            (
                "期间内到期的安全检测计划周期（漏洞扫描、Web 扫描、渗透测试、基线核查、风险评估）中，在周期内登记了报告的比例；未到期且未完成的周期不计入",
                "Periods of security plans (scans, web scans, penetration tests, baseline checks, risk assessments) ending in the period that have a report recorded within them; periods not yet ended and not done are left out",
            ),
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn web_findings_look_for_the_web_scan_first() {
        assert_eq!(scan_kinds_for(true)[0], SecTaskKind::WebScan);
        assert_eq!(scan_kinds_for(false)[0], SecTaskKind::Scan);
    }

    #[test]
    fn a_period_is_done_by_work_inside_it_only() {
        let p = Period { opens_on: d("2026-04-01"), due_on: d("2026-06-30") };
        assert_eq!(task_status(p, &[d("2026-03-31")], d("2026-05-01")), (SecTaskStatus::Open, None));
        assert_eq!(task_status(p, &[d("2026-07-01")], d("2026-07-02")), (SecTaskStatus::Missed, None));
        let done = task_status(p, &[d("2026-06-30"), d("2026-05-02")], d("2026-07-02"));
        assert_eq!(done, (SecTaskStatus::Done, Some(d("2026-05-02"))));
    }

    #[test]
    fn records_name_their_bad_fields() {
        let today = d("2026-06-01");
        let e = SecurityRecordInput {
            kind: Some("nmap".into()),
            performed_on: Some("2026-06-02".into()),
            ..Default::default()
        }
        .validate(today, false)
        .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["system_id", "kind", "performed_on", "summary"]);
        let old = SecurityRecordInput {
            system_id: Some("s".into()),
            kind: Some("pentest".into()),
            performed_on: Some("2026-04-01".into()),
            summary: Some("外部渗透测试".into()),
            import_id: None,
        };
        assert!(old.validate(today, false).is_err(), "vendors do not date work two months back");
        assert_eq!(old.validate(today, true).unwrap().performed_on, d("2026-04-01"));
    }

    #[test]
    fn daily_security_plans_are_refused() {
        let i = SecurityPlanInput {
            system_id: Some("s".into()),
            kind: Some("scan".into()),
            recurrence: Some(serde_json::json!({"every": "working_day"})),
            ..Default::default()
        };
        let e = i.validate().unwrap_err();
        assert_eq!(e[0].field, "recurrence.every");
    }
}
