//! Carrying a change out: it starts (an emergency change may start before its approval, and is
//! marked so), it ends with an outcome, or it is cancelled before it starts. A failed change
//! opens an incident on its first system; a successful release records the version each of its
//! systems now runs.

use domain::changes::{
    Change, ChangeFinishInput, ChangeKind, ChangeOutcome, ChangeStartInput, ChangeStatus, SystemVersion,
};
use domain::tickets::input::TicketFields;
use domain::tickets::{Channel, TicketType};
use domain::void::VoidInput;
use domain::{FieldError, Principal};

use super::{may_start_unapproved, may_work_on, moved};
use crate::{App, AppError, Result, audit, system_principal};

/// A time given for work done: not in the future, and not before the change was asked for by
/// more than its window allows (an emergency change is recorded afterwards).
fn given(
    field: &str,
    t: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<chrono::DateTime<chrono::Utc>> {
    let t = t.unwrap_or(now);
    if t > now + chrono::Duration::minutes(5) {
        return Err(FieldError::new(field, "不能晚于当前时间", "cannot be in the future").into());
    }
    Ok(t)
}

impl App {
    pub async fn start_change(&self, p: &Principal, id: &str, input: ChangeStartInput) -> Result<Change> {
        let before = self.get_change(p, id).await?;
        may_work_on(p, &before)?;
        let unapproved = may_start_unapproved(&before);
        if before.status != ChangeStatus::Approved && !unapproved {
            return Err(AppError::conflict(
                Some("status"),
                "变更批准后才能实施（紧急变更除外）",
                "a change starts once approved (an emergency change excepted)",
            ));
        }
        let now = self.business_now();
        let started_at = given("started_at", input.started_at, now)?;
        let after = Change {
            status: ChangeStatus::InProgress,
            started_at: Some(started_at),
            started_before_approval: unapproved,
            updated_at: now,
            ..before.clone()
        };
        let tx = self.store.begin().await?;
        if !store::changes::save_if(&tx, &after, before.status).await? {
            return Err(moved());
        }
        audit(&tx, p, "start", "change", id, Some(&before), Some(&after), now).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn finish_change(&self, p: &Principal, id: &str, input: ChangeFinishInput) -> Result<Change> {
        let before = self.get_change(p, id).await?;
        may_work_on(p, &before)?;
        let f = input.validate()?;
        if before.status != ChangeStatus::InProgress {
            return Err(AppError::conflict(Some("status"), "变更尚未开始实施", "the change has not started"));
        }
        let now = self.business_now();
        let finished_at = given("finished_at", f.finished_at, now)?;
        if before.started_at.is_some_and(|s| finished_at < s) {
            return Err(FieldError::new("finished_at", "不能早于开始实施时间", "cannot be before the start").into());
        }
        let version = f.version.or_else(|| before.version.clone());
        let after = Change {
            status: f.outcome.status(),
            finished_at: Some(finished_at),
            outcome: Some(f.outcome),
            outcome_note: f.note,
            version: version.clone(),
            updated_at: now,
            ..before.clone()
        };
        let tx = self.store.begin().await?;
        if !store::changes::save_if(&tx, &after, before.status).await? {
            return Err(moved());
        }
        let released = (f.outcome == ChangeOutcome::Success && before.kind == ChangeKind::Release)
            .then_some(version.as_ref())
            .flatten();
        if let Some(v) = released {
            for system_id in &after.system_ids {
                let record = SystemVersion {
                    id: store::new_id(),
                    system_id: system_id.clone(),
                    version: v.clone(),
                    changed_at: finished_at,
                    change_id: Some(after.id.clone()),
                    recorded_by: p.user_id.clone(),
                    created_at: now,
                };
                store::changes::insert_version(&tx, &record).await?;
            }
        }
        audit(&tx, p, "finish", "change", id, Some(&before), Some(&after), now).await?;
        tx.commit().await?;
        if f.outcome != ChangeOutcome::Failed {
            return Ok(after);
        }
        // The incident is the system's (its clocks run from now); opened after the outcome is
        // stored so a failing ticket never loses the outcome.
        let ticket = self.open_failed_change_ticket(&after).await?;
        let with_ticket = Change { ticket_id: Some(ticket), ..after.clone() };
        let tx = self.store.begin().await?;
        if store::changes::save_if(&tx, &with_ticket, ChangeStatus::Failed).await? {
            tx.commit().await?;
            return Ok(with_ticket);
        }
        Ok(after)
    }

    async fn open_failed_change_ticket(&self, c: &Change) -> Result<String> {
        let sys = system_principal();
        let title = format!("变更失败：{}", c.title);
        let description = format!(
            "变更「{}」实施失败。{}\n回退方案：{}",
            c.title,
            c.outcome_note.as_deref().unwrap_or(""),
            c.rollback_plan.as_deref().unwrap_or("（无）")
        );
        let fields = TicketFields {
            system_id: c.system_ids.first().cloned().unwrap_or_default(),
            kind: TicketType::Incident,
            // The level is the engineer's to set once the impact is known.
            severity: None,
            title: title.chars().take(200).collect(),
            description: Some(description),
            channel: Channel::Change,
            reported_at: None,
            reporter_name: Some("Yunwei 变更管理".into()),
            contact: None,
            assignee_id: None,
        };
        let (t, _) = self.open_ticket(&sys, fields, self.business_now()).await?;
        Ok(t.id)
    }

    /// Calls a change off before it starts, withdrawing its pending request.
    pub async fn cancel_change(&self, p: &Principal, id: &str, input: VoidInput) -> Result<Change> {
        let before = self.get_change(p, id).await?;
        may_work_on(p, &before)?;
        let reason = input.validate()?;
        if !matches!(before.status, ChangeStatus::PendingApproval | ChangeStatus::Approved | ChangeStatus::Returned) {
            return Err(AppError::conflict(
                Some("status"),
                "已实施或已结束的变更不能取消",
                "a change under way or closed cannot be cancelled",
            ));
        }
        let now = self.business_now();
        let after =
            Change { status: ChangeStatus::Cancelled, outcome_note: Some(reason), updated_at: now, ..before.clone() };
        let tx = self.store.begin().await?;
        if !store::changes::save_if(&tx, &after, before.status).await? {
            return Err(moved());
        }
        if before.status == ChangeStatus::PendingApproval {
            self.close_requests_about(&tx, p, "change", id, now).await?;
        }
        audit(&tx, p, "cancel", "change", id, Some(&before), Some(&after), now).await?;
        tx.commit().await?;
        Ok(after)
    }
}
