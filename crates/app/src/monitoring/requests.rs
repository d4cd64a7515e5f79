//! What the bureau's approval of a vendor's monitoring request does: a maintenance window takes
//! effect from when it was asked for; a monitor change or removal is made as asked, unless the
//! monitor changed since (then the request must be rejected and asked again).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::Principal;
use domain::approvals::{Approval, ApprovalKind};
use domain::monitoring::availability::MaintenanceWindow;
use domain::monitoring::spec::MonitorSpec;
use serde::{Deserialize, Serialize};
use store::Tx;

use crate::approvals::Effect;
use crate::{App, AppError, Result, audit};

/// A monitor request's private part: the full spec (header values included), and the monitor's
/// definition as it stood when asked (compared by content: two changes can share an instant).
#[derive(Serialize, Deserialize)]
pub(crate) struct MonitorPayload {
    pub spec: Option<MonitorSpec>,
    pub seen: MonitorSpec,
}

pub(crate) fn effects() -> Vec<Arc<dyn Effect>> {
    vec![
        Arc::new(Window),
        Arc::new(MonitorChange(ApprovalKind::MonitorUpdate)),
        Arc::new(MonitorChange(ApprovalKind::MonitorDelete)),
    ]
}

fn changed_since() -> AppError {
    AppError::conflict(
        None,
        "申请提交后该监控已被修改或删除，请驳回后重新申请",
        "the monitor changed since the request; reject it and ask again",
    )
}

struct Window;

#[async_trait::async_trait]
impl Effect for Window {
    fn kind(&self) -> ApprovalKind {
        ApprovalKind::MaintenanceWindow
    }

    async fn apply(&self, _app: &App, tx: &Tx, a: &Approval, requester: &Principal, now: DateTime<Utc>) -> Result<()> {
        let w: MaintenanceWindow = serde_json::from_value(a.payload.clone())
            .map_err(|e| AppError::internal_from(format!("approval {}", a.id), e))?;
        let system = store::systems::get(tx, &domain::Scope::All, &w.system_id)
            .await?
            .ok_or_else(|| AppError::conflict(None, "信息系统已不存在", "the system no longer exists"))?;
        // Declared in advance by the request: it counts from then (a one-off from its start).
        let w = MaintenanceWindow {
            effective_from: w.effective_from.min(a.requested_at),
            requested_by: Some(a.requested_by_name.clone()),
            approved_by: a.decided_by_name.clone(),
            approval_id: Some(a.id.clone()),
            created_at: now,
            ..w
        };
        store::monitoring::insert_maintenance(tx, &w, &system.unit_id).await?;
        audit::<(), _>(tx, requester, "create", "maintenance_window", &w.id, None, Some(&w), now).await
    }
}

struct MonitorChange(ApprovalKind);

#[async_trait::async_trait]
impl Effect for MonitorChange {
    fn kind(&self) -> ApprovalKind {
        self.0
    }

    async fn apply(&self, _app: &App, tx: &Tx, a: &Approval, requester: &Principal, now: DateTime<Utc>) -> Result<()> {
        let p: MonitorPayload = serde_json::from_value(a.payload.clone())
            .map_err(|e| AppError::internal_from(format!("approval {}", a.id), e))?;
        let id = a.subject_id.as_deref().unwrap_or_default();
        let before = store::monitoring::get(tx, &domain::Scope::All, id).await?.ok_or_else(changed_since)?;
        if store::monitoring::spec_of(&before) != p.seen {
            return Err(changed_since());
        }
        match &p.spec {
            Some(spec) => {
                let system =
                    store::systems::get(tx, &domain::Scope::All, &spec.system_id).await?.ok_or_else(changed_since)?;
                let restricted = before.restricted || super::retargets(&before, spec);
                let m = store::monitoring::update(tx, &before, spec, &system.unit_id, restricted, now).await?;
                audit(tx, requester, "update", "monitor", id, Some(&before), Some(&m), now).await
            }
            None => {
                store::monitoring::delete(tx, id).await?;
                audit::<_, ()>(tx, requester, "delete", "monitor", id, Some(&before), None, now).await
            }
        }
    }

    async fn after_commit(&self, app: &App, a: &Approval) {
        app.monitors_changed(a.subject_id.as_deref()).await;
    }
}
