//! What the bureau's approval of a vendor's plan request does: the plan is changed or removed as
//! asked, unless it changed since (then the request must be rejected and asked again), and its
//! tasks follow the new schedule.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::Principal;
use domain::approvals::{Approval, ApprovalKind};
use domain::inspections::plan::PlanInput;
use serde::{Deserialize, Serialize};
use store::Tx;

use crate::approvals::Effect;
use crate::{App, AppError, Result};

#[derive(Serialize, Deserialize)]
pub(crate) struct PlanPayload {
    /// The change as sent; `None` to remove the plan.
    pub input: Option<PlanInput>,
    /// The plan as it stood when asked, compared by content (two changes can share an instant).
    pub seen: serde_json::Value,
}

/// A plan's content, without the instant it was last written.
pub(crate) fn content(plan: &domain::inspections::plan::Plan) -> serde_json::Value {
    let mut v = serde_json::to_value(plan).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("updated_at");
    }
    v
}

pub(crate) fn effects() -> Vec<Arc<dyn Effect>> {
    vec![Arc::new(PlanChange(ApprovalKind::PlanUpdate)), Arc::new(PlanChange(ApprovalKind::PlanDelete))]
}

struct PlanChange(ApprovalKind);

fn changed_since() -> AppError {
    AppError::conflict(
        None,
        "申请提交后该巡检计划已被修改或删除，请驳回后重新申请",
        "the plan changed since the request; reject it and ask again",
    )
}

#[async_trait::async_trait]
impl Effect for PlanChange {
    fn kind(&self) -> ApprovalKind {
        self.0
    }

    async fn apply(&self, app: &App, tx: &Tx, a: &Approval, requester: &Principal, now: DateTime<Utc>) -> Result<()> {
        let p: PlanPayload = serde_json::from_value(a.payload.clone())
            .map_err(|e| AppError::internal_from(format!("approval {}", a.id), e))?;
        let id = a.subject_id.as_deref().unwrap_or_default();
        let before = store::inspections::get_plan(tx, &domain::Scope::All, id).await?.ok_or_else(changed_since)?;
        if content(&before) != p.seen {
            return Err(changed_since());
        }
        match &p.input {
            Some(input) => {
                // Checked again as the requester: the system must still be theirs to plan.
                let spec = input.validate()?;
                let row = app.plan_row(requester, &spec).await?;
                app.write_plan(tx, requester, &before, &row, now).await.map(|_| ())
            }
            None => app.remove_plan(tx, requester, &before, now).await,
        }
    }

    async fn after_commit(&self, app: &App, a: &Approval) {
        let id = a.subject_id.as_deref().unwrap_or_default();
        if let Ok(Some(plan)) = store::inspections::get_plan(&app.store, &domain::Scope::All, id).await
            && let Err(e) = app.generate_plan(&plan).await
        {
            tracing::warn!(plan = %id, error = %e.chain(), "could not regenerate the plan's tasks after an approval");
        }
    }
}
