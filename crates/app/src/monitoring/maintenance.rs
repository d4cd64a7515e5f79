//! Planned maintenance windows: the bureau adds them at once; the vendor's manager asks and the
//! bureau (or the system's unit, if the bureau lets units decide) approves. A window counts from
//! when it took effect and is never deleted, only ended, so no change rewrites past availability.

use domain::approvals::ApprovalKind;
use domain::monitoring::availability::MaintenanceWindow;
use domain::monitoring::maintenance::{CheckedWindow, MaintenanceInput};
use domain::{Msg, Principal, Role};

use super::may_write;
use crate::approvals::NewRequest;
use crate::{App, AppError, Applied, Result, audit};

/// A window in words, for the decider's list.
fn describe(system: &str, c: &CheckedWindow) -> Msg {
    use domain::monitoring::availability::Maintenance;
    match &c.window {
        Maintenance::Once { start, end } => {
            let bj = |t: &chrono::DateTime<chrono::Utc>| {
                t.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d %H:%M").to_string()
            };
            Msg::new(
                format!("{system}：{}：{} 至 {}", c.name, bj(start), bj(end)),
                format!("{system}: {}: {} to {} (Beijing time)", c.name, bj(start), bj(end)),
            )
        }
        Maintenance::Weekly { weekdays, at, minutes, time_zone } => {
            let share = MaintenanceInput::weekly_share(&c.window).unwrap_or(0.0) * 100.0;
            let day = |d: &u8| usize::from(*d.clamp(&1, &7) - 1);
            let zh: Vec<&str> = weekdays.iter().map(|d| ["一", "二", "三", "四", "五", "六", "日"][day(d)]).collect();
            let en: Vec<&str> =
                weekdays.iter().map(|d| ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][day(d)]).collect();
            let at = at.format("%H:%M");
            Msg::new(
                format!(
                    "{system}：{}：每周{} {at} 起 {minutes} 分钟（{time_zone}，占每周 {share:.1}%）",
                    c.name,
                    zh.join("、")
                ),
                format!(
                    "{system}: {}: every {} at {at} for {minutes} min ({time_zone}; {share:.1}% of the week)",
                    c.name,
                    en.join(", ")
                ),
            )
        }
    }
}

impl App {
    pub async fn add_maintenance(
        &self,
        p: &Principal,
        system_id: &str,
        input: MaintenanceInput,
    ) -> Result<Applied<MaintenanceWindow>> {
        may_write(p)?;
        let system = self.monitored_system(p, system_id).await.map_err(|e| match e {
            AppError::Validation(_) => AppError::NotFound,
            e => e,
        })?;
        let now = self.business_now();
        let admin = p.role == Role::Admin;
        let checked = input.validate(now, admin)?;
        let w = MaintenanceWindow {
            id: store::new_id(),
            system_id: system.id.clone(),
            name: checked.name.clone(),
            window: checked.window.clone(),
            reason: checked.reason.clone(),
            effective_from: checked.effective_from,
            ended_at: None,
            requested_by: None,
            approved_by: None,
            approval_id: None,
            created_at: now,
        };
        if !admin {
            let a = self
                .request_approval(
                    p,
                    NewRequest {
                        kind: ApprovalKind::MaintenanceWindow,
                        subject_type: "maintenance_window",
                        subject_id: None,
                        system_id: Some(system.id.clone()),
                        unit_id: Some(system.unit_id.clone()),
                        vendor_id: p.vendor_id.clone(),
                        title: describe(&system.name, &checked),
                        proposed: serde_json::to_value(&w).unwrap_or_default(),
                        current: None,
                        reason: checked.reason,
                        payload: serde_json::to_value(&w).unwrap_or_default(),
                    },
                )
                .await?;
            return Ok(Applied::Requested(Box::new(a)));
        }
        let tx = self.store.begin().await?;
        store::monitoring::insert_maintenance(&tx, &w, &system.unit_id).await?;
        audit::<(), _>(&tx, p, "create", "maintenance_window", &w.id, None, Some(&w), now).await?;
        tx.commit().await?;
        Ok(Applied::Done(w))
    }

    /// The windows in effect (not ended) of a system.
    pub async fn list_maintenance(&self, p: &Principal, system_id: &str) -> Result<Vec<MaintenanceWindow>> {
        let system = store::systems::get(&self.store, &p.scope(), system_id).await?.ok_or(AppError::NotFound)?;
        let all = store::monitoring::maintenance_of(&self.store, &system.id).await?;
        Ok(all.into_iter().filter(|w| w.ended_at.is_none()).collect())
    }

    /// Ends a window now. It only gives measured time back, so the vendor's manager may do it
    /// too; the time it covered before stays excluded.
    pub async fn delete_maintenance(&self, p: &Principal, system_id: &str, id: &str) -> Result<()> {
        may_write(p)?;
        let system = self.monitored_system(p, system_id).await.map_err(|_| AppError::NotFound)?;
        let before =
            store::monitoring::get_maintenance(&self.store, &system.id, id).await?.ok_or(AppError::NotFound)?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        if !store::monitoring::end_maintenance(&tx, &system.id, id, now).await? {
            return Err(AppError::NotFound);
        }
        let after = MaintenanceWindow { ended_at: Some(now), ..before.clone() };
        audit(&tx, p, "end", "maintenance_window", id, Some(&before), Some(&after), now).await?;
        tx.commit().await?;
        Ok(())
    }
}
