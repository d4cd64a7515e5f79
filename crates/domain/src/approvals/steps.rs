//! Requests decided in steps (a change: the unit, then the bureau). Each step names who decides:
//! the bureau or the unit concerned, or one named person of the bureau; a person who is away
//! hands their decisions to a colleague of the same role for a few days (a delegation), and a
//! decision taken that way records both names. A step is approved, or the whole request is
//! rejected or returned to the requester to amend.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::Checker;
use crate::{FieldError, Role};

text_enum!(
    /// Who decides a step.
    StepApprover {
        Bureau = "bureau" / "数据局" / "the bureau",
        Unit = "unit" / "使用单位" / "the unit",
    }
);

text_enum!(
    /// Where a step stands.
    StepStatus {
        Waiting = "waiting" / "待审批" / "waiting",
        Approved = "approved" / "已同意" / "approved",
        Rejected = "rejected" / "已驳回" / "rejected",
        Returned = "returned" / "已退回" / "returned",
    }
);

text_enum!(
    /// What a decider says.
    Decision {
        Approve = "approve" / "同意" / "approve",
        Reject = "reject" / "驳回" / "reject",
        Return = "return" / "退回修改" / "return for changes",
    }
);

/// A step as a rule states it: who decides, and (for the bureau) optionally one named person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StepRule {
    pub approver: StepApprover,
    /// A named bureau user who alone decides this step (or their delegates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

impl StepRule {
    pub fn new(approver: StepApprover) -> StepRule {
        StepRule { approver, user_id: None }
    }
}

/// One step of a request, with its decision once taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApprovalStep {
    pub approver: StepApprover,
    #[serde(default)]
    pub user_id: Option<String>,
    pub status: StepStatus,
    #[serde(default)]
    pub decided_by: Option<String>,
    #[serde(default)]
    pub decided_by_name: Option<String>,
    /// The person whose decision it was when a delegate took it.
    #[serde(default)]
    pub on_behalf_of: Option<String>,
    #[serde(default)]
    pub on_behalf_of_name: Option<String>,
    #[serde(default)]
    pub decided_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub comment: Option<String>,
}

impl ApprovalStep {
    pub fn waiting(rule: &StepRule) -> ApprovalStep {
        ApprovalStep {
            approver: rule.approver,
            user_id: rule.user_id.clone(),
            status: StepStatus::Waiting,
            decided_by: None,
            decided_by_name: None,
            on_behalf_of: None,
            on_behalf_of_name: None,
            decided_at: None,
            comment: None,
        }
    }

    /// Whether this person may decide the step in their own right (the requester never may;
    /// the caller checks that).
    pub fn eligible(&self, user_id: &str, role: Role, unit_id: Option<&str>, request_unit: Option<&str>) -> bool {
        if let Some(named) = &self.user_id {
            return named == user_id;
        }
        match self.approver {
            StepApprover::Bureau => role == Role::Admin,
            StepApprover::Unit => role == Role::UnitUser && unit_id.is_some() && unit_id == request_unit,
        }
    }
}

/// Someone who decides in another's place while they are away: `starts_on..=ends_on` by the
/// bureau's calendar.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Delegation {
    pub id: String,
    pub user_id: String,
    pub user_name: String,
    pub delegate_id: String,
    pub delegate_name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The longest a delegation may run: a long absence is a change of approver, not a delegation.
pub const MAX_DELEGATION_DAYS: i64 = 92;

/// A delegation as sent.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DelegationInput {
    pub delegate_id: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub reason: Option<String>,
}

/// A checked delegation.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedDelegation {
    pub delegate_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub reason: Option<String>,
}

impl DelegationInput {
    /// `today` is the bureau's: a delegation cannot start in the past (decisions already taken
    /// are not re-attributed).
    pub fn validate(&self, today: NaiveDate) -> Result<CheckedDelegation, Vec<FieldError>> {
        let mut c = Checker::default();
        let delegate_id = c.required_text("delegate_id", self.delegate_id.as_deref().unwrap_or(""), 40);
        let reason = c.optional_text("reason", self.reason.as_deref(), 500);
        let (Some(starts_on), Some(ends_on)) = (self.starts_on, self.ends_on) else {
            if self.starts_on.is_none() {
                c.push(FieldError::required("starts_on"));
            }
            if self.ends_on.is_none() {
                c.push(FieldError::required("ends_on"));
            }
            return Err(c.finish().err().unwrap_or_default());
        };
        if starts_on < today {
            c.push(FieldError::new("starts_on", "不能早于今天", "cannot be before today"));
        }
        if ends_on < starts_on {
            c.push(FieldError::new("ends_on", "不能早于开始日期", "cannot be before the start"));
        } else if (ends_on - starts_on).num_days() >= MAX_DELEGATION_DAYS {
            c.push(FieldError::new(
                "ends_on",
                format!("委托最长 {MAX_DELEGATION_DAYS} 天"),
                format!("a delegation lasts at most {MAX_DELEGATION_DAYS} days"),
            ));
        }
        c.finish()?;
        Ok(CheckedDelegation { delegate_id, starts_on, ends_on, reason })
    }
}

/// Who may be a delegate: someone who could decide what the delegator decides — an
/// administrator for an administrator, a user of the same unit for a unit's user. Vendor staff
/// never decide.
pub fn may_delegate_to(from: (Role, Option<&str>), to: (Role, Option<&str>)) -> bool {
    match from.0 {
        Role::Admin => to.0 == Role::Admin,
        Role::UnitUser => to.0 == Role::UnitUser && from.1.is_some() && from.1 == to.1,
        _ => false,
    }
}
