//! Changes and releases (变更/发布): the vendor asks to change systems in a window, with its plan
//! and the way back; the unit and the bureau approve in steps by the bureau's rules (one
//! approval mechanism); the implementation is recorded with its outcome, a failed one opens an
//! incident, and a release leaves a version record on each system. A change that takes a system
//! down excludes that downtime from availability only once the bureau has approved it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::FieldError;
use crate::approvals::{StepApprover, StepRule};
use crate::error::Checker;

#[cfg(test)]
mod tests;

text_enum!(
    /// How a change is approved: a standard change is pre-authorised routine work; a normal one
    /// goes through every step; an emergency one is approved by the bureau alone and may start
    /// before the decision.
    ChangeType {
        Standard = "standard" / "标准变更" / "standard",
        Normal = "normal" / "一般变更" / "normal",
        Emergency = "emergency" / "紧急变更" / "emergency",
    }
);

text_enum!(
    /// A change, or a release of a new version (003 四(1): with its pre-release emergency plan).
    ChangeKind {
        Change = "change" / "变更" / "change",
        Release = "release" / "发布" / "release",
    }
);

text_enum!(
    ChangeRisk {
        Low = "low" / "低" / "low",
        Medium = "medium" / "中" / "medium",
        High = "high" / "高" / "high",
    }
);

text_enum!(
    ChangeStatus {
        PendingApproval = "pending_approval" / "待审批" / "pending approval",
        Approved = "approved" / "已批准" / "approved",
        Rejected = "rejected" / "已驳回" / "rejected",
        Returned = "returned" / "已退回" / "returned for changes",
        InProgress = "in_progress" / "实施中" / "in progress",
        Succeeded = "succeeded" / "成功" / "succeeded",
        Failed = "failed" / "失败" / "failed",
        RolledBack = "rolled_back" / "已回退" / "rolled back",
        Cancelled = "cancelled" / "已取消" / "cancelled",
    }
);

text_enum!(
    ChangeOutcome {
        Success = "success" / "成功" / "success",
        Failed = "failed" / "失败" / "failed",
        RolledBack = "rolled_back" / "已回退" / "rolled back",
    }
);

impl ChangeStatus {
    /// Finished: the outcome is recorded or the change will not happen.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            ChangeStatus::Rejected
                | ChangeStatus::Succeeded
                | ChangeStatus::Failed
                | ChangeStatus::RolledBack
                | ChangeStatus::Cancelled
        )
    }
}

impl ChangeOutcome {
    pub fn status(self) -> ChangeStatus {
        match self {
            ChangeOutcome::Success => ChangeStatus::Succeeded,
            ChangeOutcome::Failed => ChangeStatus::Failed,
            ChangeOutcome::RolledBack => ChangeStatus::RolledBack,
        }
    }
}

/// The most systems one change may touch.
pub const MAX_SYSTEMS: usize = 50;
/// The longest window a change may ask for.
pub const MAX_WINDOW_DAYS: i64 = 14;
const LONG_TEXT: usize = 10_000;

/// The pre-release emergency plan of 003 四(1): every part is required for a release.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReleasePlan {
    /// 应急范围: what the plan covers.
    pub scope: Option<String>,
    /// 风险分析.
    pub risk_analysis: Option<String>,
    /// 成功标准.
    pub pass_criteria: Option<String>,
    /// 失败标准 (when to roll back).
    pub fail_criteria: Option<String>,
    /// 应急方法.
    pub method: Option<String>,
    /// 问题跟踪: how problems found are followed up.
    pub problem_tracking: Option<String>,
}

impl ReleasePlan {
    fn check(&self, c: &mut Checker) -> ReleasePlan {
        let mut part = |name: &str, v: &Option<String>| {
            Some(c.required_text(&format!("release_plan.{name}"), v.as_deref().unwrap_or(""), LONG_TEXT))
        };
        ReleasePlan {
            scope: part("scope", &self.scope),
            risk_analysis: part("risk_analysis", &self.risk_analysis),
            pass_criteria: part("pass_criteria", &self.pass_criteria),
            fail_criteria: part("fail_criteria", &self.fail_criteria),
            method: part("method", &self.method),
            problem_tracking: part("problem_tracking", &self.problem_tracking),
        }
    }
}

/// A change request as sent (creating it, or amending a returned one).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ChangeInput {
    pub system_ids: Option<Vec<String>>,
    /// change (default) or release.
    pub kind: Option<String>,
    /// standard, normal, emergency.
    #[serde(rename = "type")]
    pub change_type: Option<String>,
    /// low, medium (default), high.
    pub risk: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub planned_start: Option<DateTime<Utc>>,
    pub planned_end: Option<DateTime<Utc>>,
    /// The implementation plan (steps).
    pub plan: Option<String>,
    /// Required except for a standard change.
    pub rollback_plan: Option<String>,
    /// What was tested and how (test evidence).
    pub test_evidence: Option<String>,
    /// The systems will be unavailable in the window: once the bureau approves, the window is
    /// planned maintenance for their monitors.
    pub downtime: Option<bool>,
    /// For a release: the version it brings.
    pub version: Option<String>,
    /// For a release: its emergency plan.
    pub release_plan: Option<ReleasePlan>,
}

/// A checked change request.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeSpec {
    pub system_ids: Vec<String>,
    pub kind: ChangeKind,
    pub change_type: ChangeType,
    pub risk: ChangeRisk,
    pub title: String,
    pub description: Option<String>,
    pub planned_start: DateTime<Utc>,
    pub planned_end: DateTime<Utc>,
    pub plan: Option<String>,
    pub rollback_plan: Option<String>,
    pub test_evidence: Option<String>,
    pub downtime: bool,
    pub version: Option<String>,
    pub release_plan: Option<ReleasePlan>,
}

impl ChangeInput {
    /// `now` decides what is in the past: only an emergency change may be recorded after its
    /// window has begun (the work could not wait for the form).
    pub fn validate(&self, now: DateTime<Utc>) -> Result<ChangeSpec, Vec<FieldError>> {
        let mut c = Checker::default();
        let mut system_ids: Vec<String> = Vec::new();
        match &self.system_ids {
            None => c.push(FieldError::required("system_ids")),
            Some(ids) if ids.is_empty() => c.push(FieldError::required("system_ids")),
            Some(ids) if ids.len() > MAX_SYSTEMS => c.push(FieldError::new(
                "system_ids",
                format!("一个变更最多涉及 {MAX_SYSTEMS} 个系统"),
                format!("a change touches at most {MAX_SYSTEMS} systems"),
            )),
            Some(ids) => {
                for (i, id) in ids.iter().enumerate() {
                    let id = c.required_text(&format!("system_ids[{i}]"), id, 64);
                    if !id.is_empty() && !system_ids.contains(&id) {
                        system_ids.push(id);
                    }
                }
            }
        }
        let kind = c.optional_choice("kind", self.kind.as_deref(), ChangeKind::parse, ChangeKind::choices());
        let change_type = c.choice("type", self.change_type.as_deref(), ChangeType::parse, ChangeType::choices());
        let risk = c.optional_choice("risk", self.risk.as_deref(), ChangeRisk::parse, ChangeRisk::choices());
        let title = c.required_text("title", self.title.as_deref().unwrap_or(""), 200);
        let description = c.optional_text("description", self.description.as_deref(), LONG_TEXT);
        let plan = c.optional_text("plan", self.plan.as_deref(), LONG_TEXT);
        let rollback_plan = c.optional_text("rollback_plan", self.rollback_plan.as_deref(), LONG_TEXT);
        let test_evidence = c.optional_text("test_evidence", self.test_evidence.as_deref(), LONG_TEXT);
        let version = c.optional_text("version", self.version.as_deref(), 100);
        if change_type.is_some_and(|t| t != ChangeType::Standard) && rollback_plan.is_none() {
            c.push(FieldError::new("rollback_plan", "请填写回退方案", "a rollback plan is required"));
        }
        let kind = kind.unwrap_or(ChangeKind::Change);
        let release_plan = match (kind, &self.release_plan) {
            (ChangeKind::Release, Some(rp)) => Some(rp.check(&mut c)),
            (ChangeKind::Release, None) => {
                c.push(FieldError::new(
                    "release_plan",
                    "发布须附应急预案（范围、风险分析、成功与失败标准、方法、问题跟踪）",
                    "a release needs its emergency plan (scope, risk analysis, pass and fail criteria, method, problem tracking)",
                ));
                None
            }
            (ChangeKind::Change, _) => None,
        };
        if kind == ChangeKind::Release && version.is_none() {
            c.push(FieldError::new("version", "发布须填写版本号", "a release names its version"));
        }
        match (self.planned_start, self.planned_end) {
            (None, _) | (_, None) => {
                if self.planned_start.is_none() {
                    c.push(FieldError::required("planned_start"));
                }
                if self.planned_end.is_none() {
                    c.push(FieldError::required("planned_end"));
                }
            }
            (Some(s), Some(e)) => {
                if e <= s {
                    c.push(FieldError::new("planned_end", "应晚于计划开始时间", "must be after the planned start"));
                } else if e - s > Duration::days(MAX_WINDOW_DAYS) {
                    c.push(FieldError::new(
                        "planned_end",
                        format!("变更窗口最长 {MAX_WINDOW_DAYS} 天"),
                        format!("a change window lasts at most {MAX_WINDOW_DAYS} days"),
                    ));
                }
                if change_type.is_some_and(|t| t != ChangeType::Emergency) && s < now - Duration::minutes(5) {
                    c.push(FieldError::new(
                        "planned_start",
                        "计划开始时间已过；事后补录仅限紧急变更",
                        "the planned start has passed; only an emergency change is recorded afterwards",
                    ));
                }
            }
        }
        c.finish()?;
        let (Some(change_type), Some(planned_start), Some(planned_end)) =
            (change_type, self.planned_start, self.planned_end)
        else {
            return Err(vec![FieldError::required("type")]);
        };
        Ok(ChangeSpec {
            system_ids,
            kind,
            change_type,
            risk: risk.unwrap_or(ChangeRisk::Medium),
            title,
            description,
            planned_start,
            planned_end,
            plan,
            rollback_plan,
            test_evidence,
            downtime: self.downtime.unwrap_or(false),
            version,
            release_plan,
        })
    }
}

/// A change as everyone concerned sees it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Change {
    pub id: String,
    pub kind: ChangeKind,
    #[serde(rename = "type")]
    pub change_type: ChangeType,
    pub risk: ChangeRisk,
    pub title: String,
    pub description: Option<String>,
    pub system_ids: Vec<String>,
    pub unit_id: String,
    pub vendor_id: Option<String>,
    pub planned_start: DateTime<Utc>,
    pub planned_end: DateTime<Utc>,
    pub plan: Option<String>,
    pub rollback_plan: Option<String>,
    pub test_evidence: Option<String>,
    pub downtime: bool,
    pub version: Option<String>,
    pub release_plan: Option<ReleasePlan>,
    pub status: ChangeStatus,
    /// The approval request now or last deciding it (none for a standard change).
    pub approval_id: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    /// Work began before the approval (an emergency change): counted as a change without
    /// approval until approved, and in the report either way.
    pub started_before_approval: bool,
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: Option<ChangeOutcome>,
    pub outcome_note: Option<String>,
    /// The incident a failed change opened.
    pub ticket_id: Option<String>,
    pub requested_by: String,
    pub requested_by_name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The keys a list of changes sorts by.
pub const SORT_KEYS: &[&str] = &["planned_start", "created_at"];

/// What a list of changes can be narrowed by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChangeFilter {
    pub status: Option<ChangeStatus>,
    pub change_type: Option<ChangeType>,
    pub kind: Option<ChangeKind>,
    pub system_id: Option<String>,
    /// Changes whose window overlaps `from..=to` (the bureau's days).
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}

/// Work begins (by default now).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ChangeStartInput {
    pub started_at: Option<DateTime<Utc>>,
}

/// The outcome, recorded when the work ends.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ChangeFinishInput {
    /// success, failed, rolled_back.
    pub outcome: Option<String>,
    /// By default now.
    pub finished_at: Option<DateTime<Utc>>,
    /// Required unless it succeeded: what happened.
    pub note: Option<String>,
    /// The version now running, when a release succeeded (its planned version by default).
    pub version: Option<String>,
}

/// A checked outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Finish {
    pub outcome: ChangeOutcome,
    pub finished_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub version: Option<String>,
}

impl ChangeFinishInput {
    pub fn validate(&self) -> Result<Finish, Vec<FieldError>> {
        let mut c = Checker::default();
        let outcome = c.choice("outcome", self.outcome.as_deref(), ChangeOutcome::parse, ChangeOutcome::choices());
        let note = c.optional_text("note", self.note.as_deref(), LONG_TEXT);
        let version = c.optional_text("version", self.version.as_deref(), 100);
        if outcome.is_some_and(|o| o != ChangeOutcome::Success) && note.is_none() {
            c.push(FieldError::new("note", "未成功的变更请说明经过", "say what happened when it did not succeed"));
        }
        c.finish()?;
        let outcome = outcome.ok_or_else(|| vec![FieldError::required("outcome")])?;
        Ok(Finish { outcome, finished_at: self.finished_at, note, version })
    }
}

/// Who approves each type of change, in order: the bureau's rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChangeRules {
    pub standard: Vec<StepRule>,
    pub normal: Vec<StepRule>,
    pub emergency: Vec<StepRule>,
}

impl Default for ChangeRules {
    fn default() -> Self {
        ChangeRules {
            standard: vec![],
            normal: vec![StepRule::new(StepApprover::Unit), StepRule::new(StepApprover::Bureau)],
            emergency: vec![StepRule::new(StepApprover::Bureau)],
        }
    }
}

impl ChangeRules {
    /// At most three steps per type, each named once; a named approver only for a bureau step.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::default();
        for (name, steps) in [("standard", &self.standard), ("normal", &self.normal), ("emergency", &self.emergency)] {
            if steps.len() > 3 {
                c.push(FieldError::new(name, "最多三级审批", "three steps at most"));
            }
            for (i, s) in steps.iter().enumerate() {
                if s.user_id.is_some() && s.approver != StepApprover::Bureau {
                    c.push(FieldError::new(
                        format!("{name}[{i}].user_id"),
                        "只有数据局审批步骤可以指定审批人",
                        "only a bureau step names its approver",
                    ));
                }
            }
        }
        c.finish()
    }

    /// The steps a change goes through. Downtime excluded from availability is the bureau's
    /// to grant, so a change with `downtime` always ends with a bureau step; a unit without
    /// anyone to decide is passed over rather than left holding the change forever.
    pub fn steps(&self, t: ChangeType, downtime: bool, unit_has_deciders: bool) -> Vec<StepRule> {
        let mut steps = match t {
            ChangeType::Standard => self.standard.clone(),
            ChangeType::Normal => self.normal.clone(),
            ChangeType::Emergency => self.emergency.clone(),
        };
        if !unit_has_deciders {
            steps.retain(|s| s.approver != StepApprover::Unit);
        }
        if downtime && !steps.iter().any(|s| s.approver == StepApprover::Bureau) {
            steps.push(StepRule::new(StepApprover::Bureau));
        }
        steps
    }
}

/// The version a system runs from a given moment: left by a successful release, or recorded
/// by the bureau.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SystemVersion {
    pub id: String,
    pub system_id: String,
    pub version: String,
    pub changed_at: DateTime<Utc>,
    pub change_id: Option<String>,
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
}
