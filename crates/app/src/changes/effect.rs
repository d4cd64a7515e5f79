//! What a decision on a change's request does to the change: the last approval approves it
//! (and turns a window with downtime into planned maintenance, which only the bureau's rule
//! allows); a rejection or a return closes it or sends it back.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::approvals::{Approval, ApprovalKind, ApprovalStatus};
use domain::changes::{Change, ChangeStatus};
use domain::monitoring::availability::{Maintenance, MaintenanceWindow};
use domain::{Principal, Scope};
use store::Tx;

use crate::approvals::Effect;
use crate::{App, AppError, Result, audit};

struct ChangeApproval;

pub(crate) fn effects() -> Vec<Arc<dyn Effect>> {
    vec![Arc::new(ChangeApproval)]
}

async fn subject(tx: &Tx, a: &Approval) -> Result<Change> {
    let id = a.subject_id.as_deref().unwrap_or_default();
    store::changes::get(tx, &Scope::All, id).await?.ok_or(AppError::NotFound)
}

#[async_trait::async_trait]
impl Effect for ChangeApproval {
    fn kind(&self) -> ApprovalKind {
        ApprovalKind::Change
    }

    async fn apply(&self, _app: &App, tx: &Tx, a: &Approval, requester: &Principal, now: DateTime<Utc>) -> Result<()> {
        let before = subject(tx, a).await?;
        if before.approval_id.as_deref() != Some(a.id.as_str()) {
            return Err(super::moved());
        }
        let status = match before.status {
            ChangeStatus::PendingApproval => ChangeStatus::Approved,
            // An emergency change under way (or already closed) keeps its state: only the
            // approval is recorded.
            s => s,
        };
        let after = Change { status, approved_at: Some(now), updated_at: now, ..before.clone() };
        if !store::changes::save_if(tx, &after, before.status).await? {
            return Err(super::moved());
        }
        if after.downtime {
            // The bureau approved this window: it counts from its start, even when approved
            // after an emergency change began.
            for system_id in &after.system_ids {
                let w = MaintenanceWindow {
                    id: store::new_id(),
                    system_id: system_id.clone(),
                    name: format!("变更：{}", after.title).chars().take(200).collect(),
                    window: Maintenance::Once { start: after.planned_start, end: after.planned_end },
                    reason: Some(format!("变更 {} 已批准", after.id)),
                    effective_from: after.planned_start.min(now),
                    ended_at: None,
                    requested_by: Some(requester.user_id.clone()),
                    approved_by: a.decided_by.clone(),
                    approval_id: Some(a.id.clone()),
                    created_at: now,
                };
                store::monitoring::insert_maintenance(tx, &w, &after.unit_id).await?;
            }
        }
        audit(tx, requester, "approved", "change", &after.id, Some(&before), Some(&after), now).await
    }

    async fn closed(&self, _app: &App, tx: &Tx, a: &Approval) -> Result<()> {
        let before = subject(tx, a).await?;
        if before.status != ChangeStatus::PendingApproval || before.approval_id.as_deref() != Some(a.id.as_str()) {
            return Ok(());
        }
        let status = match a.status {
            ApprovalStatus::Rejected => ChangeStatus::Rejected,
            _ => ChangeStatus::Returned,
        };
        let after = Change { status, updated_at: a.decided_at.unwrap_or(before.updated_at), ..before.clone() };
        if !store::changes::save_if(tx, &after, before.status).await? {
            return Err(super::moved());
        }
        Ok(())
    }
}
