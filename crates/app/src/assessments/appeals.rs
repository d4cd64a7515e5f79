//! What an accepted appeal does: the criterion takes the points the vendor asked for, recorded
//! in the assessment's history with the bureau's comment. Refused when the assessment is no
//! longer open (then the appeal can only be rejected).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::Principal;
use domain::approvals::{Approval, ApprovalKind};
use domain::assessments::HistoryEntry;
use serde::{Deserialize, Serialize};
use store::Tx;

use super::OPEN;
use crate::approvals::Effect;
use crate::{App, AppError, Result, audit};

/// Appeals are about one criterion row of an assessment.
pub(crate) const SUBJECT: &str = "assessment_criterion";

#[derive(Serialize, Deserialize)]
pub(crate) struct AppealPayload {
    pub assessment_id: String,
    pub key: String,
    pub points: f64,
}

pub(crate) fn effects() -> Vec<Arc<dyn Effect>> {
    vec![Arc::new(Appeal)]
}

struct Appeal;

#[async_trait::async_trait]
impl Effect for Appeal {
    fn kind(&self) -> ApprovalKind {
        ApprovalKind::AssessmentAppeal
    }

    async fn apply(&self, _app: &App, tx: &Tx, r: &Approval, _requester: &Principal, now: DateTime<Utc>) -> Result<()> {
        let p: AppealPayload = serde_json::from_value(r.payload.clone())
            .map_err(|e| AppError::internal_from(format!("approval {}", r.id), e))?;
        if !store::assessments::touch(tx, &p.assessment_id, OPEN, now).await? {
            return Err(AppError::conflict(
                None,
                "考核已定稿，不能再采纳申诉，请驳回",
                "the assessment is final: the appeal can only be rejected",
            ));
        }
        let before: Option<f64> = r.current.as_ref().and_then(|c| c.get("points")).and_then(|v| v.as_f64());
        let reason = r.comment.clone().or_else(|| r.reason.clone());
        let Some(criterion_id) = r.subject_id.as_deref() else { return Err(AppError::NotFound) };
        let by = r.decided_by.clone().unwrap_or_default();
        store::assessments::set_hand_points(tx, criterion_id, Some(p.points), reason.as_deref(), &by, now).await?;
        let h = HistoryEntry {
            id: store::new_id(),
            assessment_id: p.assessment_id.clone(),
            criterion_key: Some(p.key.clone()),
            action: "appeal_accepted".into(),
            before,
            after: Some(p.points),
            reason,
            actor_id: by,
            actor_name: r.decided_by_name.clone().unwrap_or_default(),
            at: now,
        };
        store::assessments::add_history(tx, &h).await?;
        let decider = Principal {
            user_id: h.actor_id.clone(),
            username: h.actor_name.clone(),
            role: domain::Role::Admin,
            unit_id: None,
            vendor_id: None,
        };
        let change = serde_json::json!({p.key.as_str(): p.points, "appeal": r.id});
        audit(
            tx,
            &decider,
            "update",
            "assessment",
            &p.assessment_id,
            Some(&serde_json::json!({p.key.as_str(): before})),
            Some(&change),
            now,
        )
        .await
    }
}
