//! Security events (安全事件, issue 20): what happened to which systems, graded by GB/T
//! 20986-2023, with its times, its handling and a clock for the report to the authorities.
//!
//! The 国家网络安全事件报告管理办法 (binding since 2025-11-01) has events of grade 较大 or above
//! reported within 1 h for critical information infrastructure, 2 h for central and state organs
//! and 4 h for others, counted from when the event was found. Which class a system is in is the
//! bureau's (kept with its 等保 filing); an event takes the strictest class of the systems it
//! affects.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::FieldError;
use crate::error::Checker;

text_enum!(
    /// GB/T 20986-2023's ten categories. The first three names are verified against the
    /// standard; the others follow its draft and are listed as unverified in STANDARDS.md.
    EventCategory {
        Malware = "malware" / "恶意程序事件" / "malware",
        Attack = "attack" / "网络攻击事件" / "network attack",
        Data = "data" / "数据安全事件" / "data security",
        Content = "content" / "信息内容安全事件" / "information content security",
        Equipment = "equipment" / "设备设施故障事件" / "equipment or facility failure",
        Violation = "violation" / "违规操作事件" / "violation of rules",
        Hazard = "hazard" / "安全隐患事件" / "security hazard",
        Abnormal = "abnormal" / "异常行为事件" / "abnormal behaviour",
        ForceMajeure = "force_majeure" / "不可抗力事件" / "force majeure",
        Other = "other" / "其他事件" / "other",
    }
);

text_enum!(
    /// The four grades, gravest first.
    EventGrade {
        EspeciallyMajor = "especially_major" / "特别重大（I 级）" / "especially major (I)",
        Major = "major" / "重大（II 级）" / "major (II)",
        Significant = "significant" / "较大（III 级）" / "significant (III)",
        General = "general" / "一般（IV 级）" / "general (IV)",
    }
);

impl EventGrade {
    /// 1 (特别重大) to 4 (一般).
    pub fn rank(self) -> i32 {
        match self {
            EventGrade::EspeciallyMajor => 1,
            EventGrade::Major => 2,
            EventGrade::Significant => 3,
            EventGrade::General => 4,
        }
    }

    /// Grades 较大 and above are reported to the authorities.
    pub fn reportable(self) -> bool {
        self.rank() <= 3
    }
}

text_enum!(
    /// Whose reporting deadline applies to a system.
    ReportingClass {
        Cii = "cii" / "关键信息基础设施" / "critical information infrastructure",
        StateOrgan = "state_organ" / "中央和国家机关" / "central and state organ",
        Other = "other" / "其他" / "other",
    }
);

impl ReportingClass {
    pub fn hours(self) -> i64 {
        match self {
            ReportingClass::Cii => 1,
            ReportingClass::StateOrgan => 2,
            ReportingClass::Other => 4,
        }
    }

    /// The strictest of the classes of the affected systems (a system without one is `other`).
    pub fn strictest(classes: impl IntoIterator<Item = ReportingClass>) -> ReportingClass {
        classes.into_iter().min_by_key(|c| c.hours()).unwrap_or(ReportingClass::Other)
    }
}

/// When the report is due, if the grade needs one.
pub fn report_due(grade: EventGrade, class: ReportingClass, found_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    grade.reportable().then(|| found_at + Duration::hours(class.hours()))
}

text_enum!(
    /// Where an event's handling stands. The vendor contains and recovers; the bureau closes.
    EventStatus {
        Open = "open" / "处置中" / "being handled",
        Contained = "contained" / "已控制" / "contained",
        Recovered = "recovered" / "已恢复" / "recovered",
        Closed = "closed" / "已关闭" / "closed",
    }
);

text_enum!(
    /// The steps of an event, each recorded with its time.
    EventStage {
        Reported = "reported" / "已上报" / "reported",
        Contained = "contained" / "已控制" / "contained",
        Recovered = "recovered" / "已恢复" / "recovered",
        Closed = "closed" / "已关闭" / "closed",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SecurityEvent {
    pub id: String,
    pub title: String,
    pub category: EventCategory,
    pub grade: EventGrade,
    pub status: EventStatus,
    /// The affected systems (at least one).
    pub system_ids: Vec<String>,
    pub description: String,
    pub occurred_at: Option<DateTime<Utc>>,
    pub found_at: DateTime<Utc>,
    pub reporting_class: ReportingClass,
    /// Grades 较大 and above: found + 1/2/4 h by class.
    pub report_due_at: Option<DateTime<Utc>>,
    pub reported_at: Option<DateTime<Utc>>,
    /// To whom and under which number it was reported.
    pub report_ref: Option<String>,
    /// Reported after the deadline, or the deadline passed unreported.
    pub report_late: Option<bool>,
    pub contained_at: Option<DateTime<Utc>>,
    pub recovered_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The handling measures taken.
    pub measures: Option<String>,
    /// Lessons learnt (for the knowledge base).
    pub lessons: Option<String>,
    pub ticket_ids: Vec<String>,
    pub vulnerability_ids: Vec<String>,
    pub created_by: String,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub revision: i32,
}

impl SecurityEvent {
    /// Whether the report was (or is now) late at `now`.
    pub fn late_at(&self, now: DateTime<Utc>) -> Option<bool> {
        let due = self.report_due_at?;
        Some(match self.reported_at {
            Some(r) => r > due,
            None => now > due,
        })
    }
}

/// An entry of the event's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EventEntry {
    pub id: String,
    pub event_id: String,
    /// When it happened (a stage's own time, or when it was written).
    pub at: DateTime<Utc>,
    /// created, updated, reported, contained, recovered, closed, note, evidence.
    pub kind: String,
    pub text: Option<String>,
    pub actor_id: String,
    pub actor_name: String,
    pub recorded_at: DateTime<Utc>,
}

/// Evidence kept as uploaded: never replaced or removed.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EventFile {
    pub id: String,
    pub event_id: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by_name: String,
    pub uploaded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SecurityEventDetail {
    #[serde(flatten)]
    pub event: SecurityEvent,
    pub timeline: Vec<EventEntry>,
    pub files: Vec<EventFile>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SecurityEventInput {
    pub title: Option<String>,
    /// malware, attack, data, content, equipment, violation, hazard, abnormal, force_majeure, other.
    pub category: Option<String>,
    /// especially_major, major, significant, general.
    pub grade: Option<String>,
    pub system_ids: Option<Vec<String>>,
    pub description: Option<String>,
    pub occurred_at: Option<DateTime<Utc>>,
    /// Now when omitted.
    pub found_at: Option<DateTime<Utc>>,
    pub measures: Option<String>,
    pub lessons: Option<String>,
    pub ticket_ids: Option<Vec<String>>,
    pub vulnerability_ids: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SecurityEventFields {
    pub title: String,
    pub category: EventCategory,
    pub grade: EventGrade,
    pub system_ids: Vec<String>,
    pub description: String,
    pub occurred_at: Option<DateTime<Utc>>,
    pub found_at: DateTime<Utc>,
    pub measures: Option<String>,
    pub lessons: Option<String>,
    pub ticket_ids: Vec<String>,
    pub vulnerability_ids: Vec<String>,
}

fn choice<T: Copy>(
    c: &mut Checker,
    field: &str,
    v: Option<&str>,
    parse: fn(&str) -> Option<T>,
    choices: String,
) -> Option<T> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            c.push(FieldError::required(field));
            None
        }
        Some(s) => parse(s).or_else(|| {
            c.push(FieldError::new(field, format!("应为 {choices} 之一"), format!("must be one of {choices}")));
            None
        }),
    }
}

/// Ids in a list: trimmed, without repeats, at most `max`.
fn ids(c: &mut Checker, field: &str, v: Option<&[String]>, max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in v.unwrap_or_default() {
        let s = s.trim();
        if s.is_empty() || s.len() > 64 {
            c.push(FieldError::new(field, "含有无效的编号", "holds an id that is not valid"));
            return vec![];
        }
        if !out.iter().any(|x| x == s) {
            out.push(s.to_string());
        }
    }
    if out.len() > max {
        c.push(FieldError::new(field, format!("最多 {max} 个"), format!("at most {max}")));
    }
    out
}

/// How many systems, tickets or findings an event may name.
pub const MAX_LINKS: usize = 200;

impl SecurityEventInput {
    pub fn validate(&self, now: DateTime<Utc>) -> Result<SecurityEventFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let title = c.required_text("title", self.title.as_deref().unwrap_or(""), 200);
        let category =
            choice(&mut c, "category", self.category.as_deref(), EventCategory::parse, EventCategory::choices());
        let grade = choice(&mut c, "grade", self.grade.as_deref(), EventGrade::parse, EventGrade::choices());
        let system_ids = ids(&mut c, "system_ids", self.system_ids.as_deref(), MAX_LINKS);
        if self.system_ids.as_ref().is_none_or(Vec::is_empty) {
            c.push(FieldError::new("system_ids", "请选择受影响的系统", "name at least one affected system"));
        }
        let description = c.required_text("description", self.description.as_deref().unwrap_or(""), 10_000);
        let found_at = self.found_at.unwrap_or(now);
        if found_at > now + Duration::minutes(5) {
            c.push(FieldError::new("found_at", "不能晚于现在", "must not be in the future"));
        }
        if self.occurred_at.is_some_and(|o| o > found_at) {
            c.push(FieldError::new("occurred_at", "不能晚于发现时间", "must not be after found_at"));
        }
        let measures = c.optional_text("measures", self.measures.as_deref(), 10_000);
        let lessons = c.optional_text("lessons", self.lessons.as_deref(), 10_000);
        let ticket_ids = ids(&mut c, "ticket_ids", self.ticket_ids.as_deref(), MAX_LINKS);
        let vulnerability_ids = ids(&mut c, "vulnerability_ids", self.vulnerability_ids.as_deref(), MAX_LINKS);
        c.finish()?;
        Ok(SecurityEventFields {
            title,
            category: category.unwrap_or(EventCategory::Other),
            grade: grade.unwrap_or(EventGrade::General),
            system_ids,
            description,
            occurred_at: self.occurred_at,
            found_at,
            measures,
            lessons,
            ticket_ids,
            vulnerability_ids,
        })
    }
}

/// How far back vendor staff may time a step they record now.
pub const STEP_GRACE_MINUTES: i64 = 15;

/// A step of the handling, with its time (now when omitted).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct EventStageInput {
    /// reported, contained, recovered, closed.
    pub stage: Option<String>,
    pub at: Option<DateTime<Utc>>,
    /// For `reported`: to whom, and the report's number.
    pub report_ref: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventStageFields {
    pub stage: EventStage,
    pub at: DateTime<Utc>,
    pub report_ref: Option<String>,
    pub note: Option<String>,
}

impl EventStageInput {
    /// The stage's time is never before the event was found nor in the future; vendor staff
    /// record it as it happens (within a quarter of an hour), the bureau any time back (a report
    /// made by phone and written down later). A step already recorded is recorded again (its
    /// time corrected) by the bureau only.
    pub fn validate(
        &self,
        e: &SecurityEvent,
        now: DateTime<Utc>,
        bureau: bool,
    ) -> Result<EventStageFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let stage = choice(&mut c, "stage", self.stage.as_deref(), EventStage::parse, EventStage::choices());
        let at = self.at.unwrap_or(now);
        if at > now + Duration::minutes(5) {
            c.push(FieldError::new("at", "不能晚于现在", "must not be in the future"));
        } else if at < e.found_at {
            c.push(FieldError::new("at", "不能早于发现时间", "must not be before the event was found"));
        } else if !bureau && at < now - Duration::minutes(STEP_GRACE_MINUTES) {
            // The reporting rate is read from these times: an earlier one is the bureau's to write.
            c.push(FieldError::new(
                "at",
                format!("只能记录 {STEP_GRACE_MINUTES} 分钟内的时间，更早的时间请数据局补录"),
                format!("times more than {STEP_GRACE_MINUTES} minutes back are recorded by the bureau"),
            ));
        }
        let report_ref = c.optional_text("report_ref", self.report_ref.as_deref(), 500);
        let note = c.optional_text("note", self.note.as_deref(), 4000);
        if let Some(s) = stage {
            let done = match s {
                EventStage::Reported => e.reported_at.is_some(),
                EventStage::Contained => e.contained_at.is_some(),
                EventStage::Recovered => e.recovered_at.is_some(),
                EventStage::Closed => e.closed_at.is_some(),
            };
            if done && !bureau {
                c.push(FieldError::new("stage", "该环节已记录", "this step is already recorded"));
            }
            if s == EventStage::Reported && report_ref.is_none() {
                c.push(FieldError::new(
                    "report_ref",
                    "请填写上报对象及编号",
                    "say to whom it was reported, and its number",
                ));
            }
            if s == EventStage::Closed && (e.recovered_at.is_none() || e.measures.is_none()) {
                c.push(FieldError::new(
                    "stage",
                    "事件恢复并填写处置措施后才能关闭",
                    "an event is closed once recovered and its measures written",
                ));
            }
            if s == EventStage::Closed && e.report_due_at.is_some() && e.reported_at.is_none() {
                c.push(FieldError::new("stage", "须上报后才能关闭", "a reportable event is closed once reported"));
            }
        }
        c.finish()?;
        Ok(EventStageFields { stage: stage.unwrap_or(EventStage::Contained), at, report_ref, note })
    }
}

/// The status an event reaches with its stages recorded.
pub fn status_of(contained: bool, recovered: bool, closed: bool) -> EventStatus {
    if closed {
        EventStatus::Closed
    } else if recovered {
        EventStatus::Recovered
    } else if contained {
        EventStatus::Contained
    } else {
        EventStatus::Open
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct EventNoteInput {
    pub text: Option<String>,
}

/// What a list of events can be narrowed by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SecurityEventFilter {
    pub system_id: Option<String>,
    pub status: Option<EventStatus>,
    pub grade: Option<EventGrade>,
    pub category: Option<EventCategory>,
    pub found_from: Option<DateTime<Utc>>,
    pub found_before: Option<DateTime<Utc>>,
}

pub mod indicators {
    use crate::indicators::{IndicatorDef, KpiUnit};

    pub const SOURCE: &str = "security_events";

    pub fn defs() -> Vec<IndicatorDef> {
        vec![
            IndicatorDef::new(
                SOURCE,
                "security_event_count",
                KpiUnit::Count,
                ("安全事件数", "Security events"),
                ("期间内发现的安全事件数", "Security events found in the period"),
            ),
            IndicatorDef::new(
                SOURCE,
                "security_event_report_on_time_rate",
                KpiUnit::Rate,
                ("安全事件按时上报率", "Security events reported on time"),
                (
                    "期间内发现的较大及以上安全事件中，在时限（关键信息基础设施 1 小时、中央和国家机关 2 小时、其他 4 小时）内上报的比例；时限未到且未上报的不计入",
                    "Events of grade 较大 or above found in the period that were reported within the deadline (1 h CII, 2 h central and state organs, 4 h others); those not yet due and not reported are left out",
                ),
            ),
            IndicatorDef::new(
                SOURCE,
                "security_event_closure_rate",
                KpiUnit::Rate,
                ("安全事件处置率", "Security events handled"),
                (
                    "期间内发现的安全事件中，已恢复并经数据局关闭的比例",
                    "Security events found in the period that were recovered and closed by the bureau",
                ),
            ),
        ]
    }
}
