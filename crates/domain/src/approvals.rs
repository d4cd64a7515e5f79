//! The one approval mechanism: a change that someone may not make alone (the vendor moving what
//! it is measured by, and later changes, personnel changes, appeals, deliverables) is stored as a
//! request; a person who may decide approves or rejects it with a comment, and only an approval
//! carries it out. Who may decide: the bureau always, and the unit concerned for the kinds the
//! bureau lets units decide.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::Checker;
use crate::{FieldError, Principal, Role};

text_enum!(
    /// Where a request stands.
    ApprovalStatus {
        Pending = "pending" / "待审批" / "pending",
        Approved = "approved" / "已批准" / "approved",
        Rejected = "rejected" / "已驳回" / "rejected",
        Withdrawn = "withdrawn" / "已撤回" / "withdrawn",
    }
);

text_enum!(
    /// What a request asks for. Each kind is carried out by the feature that registered it.
    ApprovalKind {
        MaintenanceWindow = "maintenance_window" / "新增计划维护窗口" / "new maintenance window",
        MonitorUpdate = "monitor_update" / "修改监控" / "monitor change",
        MonitorDelete = "monitor_delete" / "删除监控" / "monitor removal",
        PlanUpdate = "plan_update" / "修改巡检计划" / "inspection plan change",
        PlanDelete = "plan_delete" / "删除巡检计划" / "inspection plan removal",
        TicketPause = "ticket_pause" / "工单挂起" / "ticket pause",
        TicketOutage = "ticket_outage" / "中断原因与时间" / "outage cause and times",
        AssessmentAppeal = "assessment_appeal" / "考核申诉" / "assessment appeal",
        VulnerabilityException = "vulnerability_exception" / "漏洞误报或风险接受" / "vulnerability false positive or accepted risk",
        VulnerabilityPause = "vulnerability_pause" / "漏洞修复挂起" / "vulnerability fix pause",
    }
);

/// The key a list of requests sorts by (with `order`); newest first when none is given.
pub const SORT_KEYS: &[&str] = &["requested_at"];

/// What a list of requests can be narrowed by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApprovalFilter {
    pub status: Option<ApprovalStatus>,
    pub kind: Option<ApprovalKind>,
    pub system_id: Option<String>,
    /// The monitor, plan or ticket the requests are about.
    pub subject_id: Option<String>,
    /// Only those this unit may decide (`unit_may_decide` and its own).
    pub decidable_by_unit: Option<String>,
    pub requested_by: Option<String>,
}

impl ApprovalKind {
    /// Kinds a unit may decide for its own systems and tickets when the bureau allows it, and
    /// whether the bureau allows it unless told otherwise: a unit knows best whether the vendor
    /// is waiting for it (a pause); windows and monitors are the bureau's by default.
    pub fn unit_default(self) -> bool {
        matches!(self, ApprovalKind::TicketPause | ApprovalKind::VulnerabilityPause)
    }
}

/// A request, as everyone concerned sees it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Approval {
    pub id: String,
    pub kind: ApprovalKind,
    /// What it changes: `monitor`, `maintenance_window`, `inspection_plan`, `ticket`, …
    pub subject_type: String,
    pub subject_id: Option<String>,
    pub system_id: Option<String>,
    /// The unit concerned (the system's owner, or the ticket's unit).
    pub unit_id: Option<String>,
    /// The vendor that asked, or whose work it concerns.
    pub vendor_id: Option<String>,
    /// One line for lists (the inbox shows it with the kind) …
    pub title: String,
    /// … and in English.
    pub title_en: String,
    /// What is proposed, as the feature describes it (an object).
    #[schema(value_type = Value)]
    pub proposed: serde_json::Value,
    /// What stood when it was asked (an object), if anything did.
    #[schema(value_type = Option<Value>)]
    pub current: Option<serde_json::Value>,
    pub reason: Option<String>,
    /// What the effect needs to carry it out (may hold secrets, such as request headers):
    /// never sent or audited.
    #[serde(skip)]
    pub payload: serde_json::Value,
    pub status: ApprovalStatus,
    pub requested_by: String,
    pub requested_by_name: String,
    pub requester_role: Role,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    /// Whether the unit concerned may decide (fixed when the request was made).
    pub unit_may_decide: bool,
    /// Whether the caller may decide it now (computed for each caller).
    pub can_decide: bool,
}

impl Approval {
    /// Who may approve or reject: an administrator, or a user of the unit concerned when the
    /// kind was open to units at the time of the request. Never the requester.
    pub fn may_decide(&self, p: &Principal) -> bool {
        if self.status != ApprovalStatus::Pending || p.user_id == self.requested_by {
            return false;
        }
        match p.role {
            Role::Admin => true,
            Role::UnitUser => self.unit_may_decide && self.unit_id.is_some() && self.unit_id == p.unit_id,
            _ => false,
        }
    }
}

/// A decision as sent: a comment, required to reject (the vendor must learn why).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DecisionInput {
    pub comment: Option<String>,
}

impl DecisionInput {
    pub fn validate(&self, rejecting: bool) -> Result<Option<String>, Vec<FieldError>> {
        let mut c = Checker::default();
        let comment = c.optional_text("comment", self.comment.as_deref(), 2000);
        if rejecting && comment.is_none() {
            c.push(FieldError::new("comment", "驳回时请说明原因", "say why when rejecting"));
        }
        c.finish().map(|_| comment)
    }
}

/// Which kinds units may decide, as the bureau set it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApprovalSettings {
    pub unit_decides: Vec<ApprovalKind>,
}

impl Default for ApprovalSettings {
    fn default() -> Self {
        ApprovalSettings { unit_decides: ApprovalKind::ALL.iter().copied().filter(|k| k.unit_default()).collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role, id: &str, unit: Option<&str>) -> Principal {
        Principal { user_id: id.into(), username: id.into(), role, unit_id: unit.map(str::to_string), vendor_id: None }
    }

    fn request(unit_may_decide: bool) -> Approval {
        Approval {
            id: "a".into(),
            kind: ApprovalKind::TicketPause,
            subject_type: "ticket".into(),
            subject_id: Some("t".into()),
            system_id: Some("s".into()),
            unit_id: Some("u1".into()),
            vendor_id: Some("v".into()),
            title: "挂起".into(),
            title_en: "pause".into(),
            proposed: serde_json::json!({}),
            current: None,
            reason: None,
            payload: serde_json::json!({}),
            status: ApprovalStatus::Pending,
            requested_by: "eng".into(),
            requested_by_name: "eng".into(),
            requester_role: Role::Engineer,
            requested_at: Utc::now(),
            decided_by: None,
            decided_by_name: None,
            decided_at: None,
            comment: None,
            unit_may_decide,
            can_decide: false,
        }
    }

    #[test]
    fn who_may_decide() {
        let r = request(true);
        assert!(r.may_decide(&principal(Role::Admin, "adm", None)));
        assert!(r.may_decide(&principal(Role::UnitUser, "x", Some("u1"))));
        assert!(!r.may_decide(&principal(Role::UnitUser, "y", Some("u2"))), "another unit");
        assert!(!r.may_decide(&principal(Role::VendorPm, "pm", None)), "the measured party");
        assert!(!r.may_decide(&principal(Role::Auditor, "aud", None)));
        assert!(!request(false).may_decide(&principal(Role::UnitUser, "x", Some("u1"))), "closed to units");
        let mut own = request(true);
        own.requested_by = "adm".into();
        assert!(!own.may_decide(&principal(Role::Admin, "adm", None)), "never one's own request");
        let mut done = request(true);
        done.status = ApprovalStatus::Approved;
        assert!(!done.may_decide(&principal(Role::Admin, "adm", None)));
    }

    #[test]
    fn rejecting_needs_a_comment() {
        assert!(DecisionInput::default().validate(false).is_ok());
        assert_eq!(DecisionInput::default().validate(true).unwrap_err()[0].field, "comment");
        assert_eq!(DecisionInput { comment: Some(" 同意 ".into()) }.validate(true).unwrap(), Some("同意".into()));
    }
}

/// A file given as evidence with a request (an appeal's 调休审批单, a change's plan): stored
/// under the data directory, its type read from its bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApprovalFile {
    pub id: String,
    pub approval_id: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub created_at: DateTime<Utc>,
}
