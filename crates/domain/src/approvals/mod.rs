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

mod steps;
pub use steps::*;

text_enum!(
    /// Where a request stands.
    ApprovalStatus {
        Pending = "pending" / "待审批" / "pending",
        Approved = "approved" / "已批准" / "approved",
        Rejected = "rejected" / "已驳回" / "rejected",
        Withdrawn = "withdrawn" / "已撤回" / "withdrawn",
        /// Sent back to the requester to amend and ask again.
        Returned = "returned" / "已退回" / "returned",
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
        Change = "change" / "变更审批" / "change approval",
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
    /// Only those waiting for one of these deciders.
    pub waiting_for: Option<Waiting>,
    pub requested_by: Option<String>,
}

/// Who an inbox is for: the bureau, a unit, and named people (the caller and those who
/// delegated to them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Waiting {
    pub bureau: bool,
    pub unit_id: Option<String>,
    pub people: Vec<String>,
}

impl ApprovalStep {
    /// Who the step waits for, as an inbox finds it: `bureau`, `unit` or `user:<id>`.
    pub fn waiting_key(&self) -> String {
        match &self.user_id {
            Some(u) => format!("user:{u}"),
            None => self.approver.as_str().to_string(),
        }
    }
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
    /// Whether the unit concerned may decide (fixed when the request was made); for a request
    /// without steps.
    pub unit_may_decide: bool,
    /// The steps of a request decided in turn (empty: one decision, by the rule above).
    pub steps: Vec<ApprovalStep>,
    /// The step waiting for a decision (while pending).
    pub current_step: usize,
    /// Whether the caller may decide it now (computed for each caller).
    pub can_decide: bool,
}

impl Approval {
    /// Who may approve or reject: for a request in steps, whoever the waiting step names; else
    /// an administrator, or a user of the unit concerned when the kind was open to units at the
    /// time of the request. Never the requester.
    pub fn may_decide(&self, p: &Principal) -> bool {
        self.decides_as(p, &[]).is_some()
    }

    /// In whose right the caller decides now: `Some(None)` their own, `Some(Some(d))` as the
    /// delegate of `d` (one of those who delegated to the caller today); `None` when they may not.
    pub fn decides_as<'a>(&self, p: &Principal, delegators: &'a [Delegator]) -> Option<Option<&'a Delegator>> {
        if self.status != ApprovalStatus::Pending || p.user_id == self.requested_by {
            return None;
        }
        if self.steps.is_empty() {
            let own = match p.role {
                Role::Admin => true,
                Role::UnitUser => self.unit_may_decide && self.unit_id.is_some() && self.unit_id == p.unit_id,
                _ => false,
            };
            return own.then_some(None);
        }
        let step = self.steps.get(self.current_step)?;
        let unit = self.unit_id.as_deref();
        if step.eligible(&p.user_id, p.role, p.unit_id.as_deref(), unit) {
            return Some(None);
        }
        delegators
            .iter()
            .find(|d| d.user_id != self.requested_by && step.eligible(&d.user_id, d.role, d.unit_id.as_deref(), unit))
            .map(Some)
    }
}

/// Someone who handed their decisions to the caller for today.
#[derive(Debug, Clone, PartialEq)]
pub struct Delegator {
    pub user_id: String,
    pub name: String,
    pub role: Role,
    pub unit_id: Option<String>,
}

/// A decision as sent: a comment, required to reject or return (the requester must learn why).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DecisionInput {
    pub comment: Option<String>,
}

impl DecisionInput {
    pub fn validate(&self, rejecting: bool) -> Result<Option<String>, Vec<FieldError>> {
        let mut c = Checker::default();
        let comment = c.optional_text("comment", self.comment.as_deref(), 2000);
        if rejecting && comment.is_none() {
            c.push(FieldError::new("comment", "驳回或退回时请说明原因", "say why when rejecting or returning"));
        }
        c.finish().map(|_| comment)
    }
}

/// A decision with its verdict, as a feature's own endpoint takes it
/// (`POST /changes/{id}/approvals`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct VerdictInput {
    /// `approve`, `reject` or `return`.
    pub decision: Option<String>,
    pub comment: Option<String>,
}

impl VerdictInput {
    pub fn decision(&self) -> Result<Decision, Vec<FieldError>> {
        let mut c = Checker::default();
        let d = c.choice("decision", self.decision.as_deref(), Decision::parse, Decision::choices());
        c.finish()?;
        d.ok_or_else(|| vec![FieldError::required("decision")])
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
            steps: vec![],
            current_step: 0,
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
    fn steps_are_decided_in_turn_by_whom_they_name() {
        let mut r = request(false);
        r.steps = vec![
            ApprovalStep::waiting(&StepRule::new(StepApprover::Unit)),
            ApprovalStep::waiting(&StepRule { approver: StepApprover::Bureau, user_id: Some("chief".into()) }),
        ];
        let unit = principal(Role::UnitUser, "x", Some("u1"));
        let admin = principal(Role::Admin, "adm", None);
        let chief = principal(Role::Admin, "chief", None);
        assert!(r.may_decide(&unit), "the unit's step, whatever unit_may_decide says");
        assert!(!r.may_decide(&admin), "not the bureau's turn yet");
        assert!(!r.may_decide(&principal(Role::UnitUser, "y", Some("u2"))));
        r.current_step = 1;
        assert!(!r.may_decide(&unit));
        assert!(!r.may_decide(&admin), "the step names one person");
        assert!(r.may_decide(&chief));
        let away = Delegator { user_id: "chief".into(), name: "处长".into(), role: Role::Admin, unit_id: None };
        let as_delegate = r.decides_as(&admin, std::slice::from_ref(&away));
        assert_eq!(as_delegate, Some(Some(&away)), "the delegate decides in the chief's place");
        r.requested_by = "chief".into();
        assert_eq!(r.decides_as(&admin, std::slice::from_ref(&away)), None, "not for the requester's own request");
        r.current_step = 2;
        assert!(!r.may_decide(&chief), "no step left");
    }

    #[test]
    fn delegations() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let ok = DelegationInput {
            delegate_id: Some("b".into()),
            starts_on: Some(today),
            ends_on: Some(today + chrono::Days::new(6)),
            reason: Some("出差".into()),
        };
        assert_eq!(ok.validate(today).unwrap().delegate_id, "b");
        let past = DelegationInput { starts_on: today.pred_opt(), ..ok.clone() };
        assert_eq!(past.validate(today).unwrap_err()[0].field, "starts_on");
        let long = DelegationInput { ends_on: Some(today + chrono::Days::new(200)), ..ok.clone() };
        assert_eq!(long.validate(today).unwrap_err()[0].field, "ends_on");
        let fields: Vec<String> =
            DelegationInput::default().validate(today).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["delegate_id", "starts_on", "ends_on"]);
        assert!(may_delegate_to((Role::Admin, None), (Role::Admin, None)));
        assert!(!may_delegate_to((Role::Admin, None), (Role::VendorPm, None)), "the measured party never decides");
        assert!(may_delegate_to((Role::UnitUser, Some("u1")), (Role::UnitUser, Some("u1"))));
        assert!(!may_delegate_to((Role::UnitUser, Some("u1")), (Role::UnitUser, Some("u2"))));
        assert!(!may_delegate_to((Role::Engineer, None), (Role::Engineer, None)));
    }

    #[test]
    fn a_verdict_names_its_decision() {
        let v = VerdictInput { decision: Some("return".into()), comment: None };
        assert_eq!(v.decision().unwrap(), Decision::Return);
        assert_eq!(VerdictInput::default().decision().unwrap_err()[0].field, "decision");
        assert_eq!(
            VerdictInput { decision: Some("ok".into()), comment: None }.decision().unwrap_err()[0].field,
            "decision"
        );
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
