//! What the approval of a vendor's ticket request does: a pause (挂起) is made at the moment it
//! was asked for, so the clocks stop from then; an outage record is written as asked. Either is
//! refused if the ticket moved on since (then the request is rejected and asked again).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::Principal;
use domain::approvals::{Approval, ApprovalKind};
use domain::tickets::Cause;
use domain::tickets::Status;
use domain::tickets::input::{OutageInput, TransitionInput};
use serde::{Deserialize, Serialize};
use store::Tx;

use crate::approvals::Effect;
use crate::{App, AppError, Result};

#[derive(Serialize, Deserialize)]
pub(crate) struct PausePayload {
    pub input: TransitionInput,
    /// When it was asked for: the pause counts from here once approved.
    pub at: DateTime<Utc>,
    /// The state the ticket was in; the pause applies only if it still is.
    pub status: Status,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct OutagePayload {
    pub input: OutageInput,
    pub before: (Option<Cause>, Option<DateTime<Utc>>, Option<DateTime<Utc>>),
}

/// A request about a ticket: decided by the bureau, or by the ticket's unit where allowed.
pub(crate) fn about(
    t: &domain::tickets::view::Ticket,
    kind: ApprovalKind,
    title: domain::Msg,
    proposed: serde_json::Value,
    current: serde_json::Value,
    reason: Option<String>,
    payload: &impl Serialize,
) -> crate::approvals::NewRequest {
    crate::approvals::NewRequest {
        kind,
        subject_type: "ticket",
        subject_id: Some(t.id.clone()),
        system_id: Some(t.system_id.clone()),
        unit_id: Some(t.unit_id.clone()),
        vendor_id: t.vendor_id.clone(),
        title,
        proposed,
        current: Some(current),
        reason,
        payload: serde_json::to_value(payload).unwrap_or_default(),
    }
}

pub(crate) fn effects() -> Vec<Arc<dyn Effect>> {
    vec![Arc::new(Pause), Arc::new(OutageRecord)]
}

fn moved_on() -> AppError {
    AppError::conflict(
        None,
        "申请提交后工单已有变化，请驳回后重新申请",
        "the ticket changed since the request; reject it and ask again",
    )
}

fn payload<T: serde::de::DeserializeOwned>(a: &Approval) -> Result<T> {
    serde_json::from_value(a.payload.clone()).map_err(|e| AppError::internal_from(format!("approval {}", a.id), e))
}

struct Pause;

#[async_trait::async_trait]
impl Effect for Pause {
    fn kind(&self) -> ApprovalKind {
        ApprovalKind::TicketPause
    }

    async fn apply(&self, app: &App, tx: &Tx, a: &Approval, requester: &Principal, now: DateTime<Utc>) -> Result<()> {
        let p: PausePayload = payload(a)?;
        let f = p.input.validate()?;
        let id = a.subject_id.as_deref().unwrap_or_default();
        app.change_ticket_in(tx, requester, (id, None), "transition", now, async |tx, t, before| {
            if before.status != p.status {
                return Err(moved_on());
            }
            app.transition_in(tx, requester, t, before, &f, p.at, now).await
        })
        .await
        .map(|_| ())
    }
}

struct OutageRecord;

#[async_trait::async_trait]
impl Effect for OutageRecord {
    fn kind(&self) -> ApprovalKind {
        ApprovalKind::TicketOutage
    }

    async fn apply(&self, app: &App, tx: &Tx, a: &Approval, requester: &Principal, now: DateTime<Utc>) -> Result<()> {
        let p: OutagePayload = payload(a)?;
        let f = p.input.validate()?;
        let id = a.subject_id.as_deref().unwrap_or_default();
        app.change_ticket_in(tx, requester, (id, None), "outage", now, async |tx, t, before| {
            if (before.cause, before.outage_start, before.outage_end) != p.before {
                return Err(moved_on());
            }
            app.outage_in(tx, requester, t, before, &f, now).await
        })
        .await
        .map(|_| ())
    }
}
