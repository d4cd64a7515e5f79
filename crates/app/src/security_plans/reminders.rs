//! Reminders of planned security work: the vendor's managers hear when a period with nothing
//! recorded is a week and a day from its end, and the bureau and the vendor's managers when one
//! has ended missed. Each goes once, claimed by key in `reminders` before it is sent.

use chrono::{Duration, NaiveDate};
use domain::security_plans::{SecTaskStatus, SecurityPlanFilter, SecurityTask};
use domain::{Msg, Role, Scope};

use crate::{App, Result, bureau_date};

/// Days before a period's last day at which an open period is reminded of.
pub const SECURITY_TASK_REMINDERS: [i64; 2] = [7, 1];
/// How long after a period ended its miss is still told: a plan entered today does not flood
/// anyone with the misses of years past.
const MISSED_NOTICE_DAYS: i64 = 7;

impl App {
    /// Sends what is due of the open and missed periods of every active plan. Returns the
    /// reminders sent.
    pub async fn remind_security_tasks(&self) -> Result<usize> {
        let now = self.business_now();
        let today = bureau_date(now);
        let filter = SecurityPlanFilter { active: Some(true), ..Default::default() };
        let plans = store::security_plans::all_plans(&self.store, &Scope::All, &filter).await?;
        let from = today - Duration::days(MISSED_NOTICE_DAYS);
        let to = today + Duration::days(SECURITY_TASK_REMINDERS[0]);
        let mut sent = 0;
        for task in self.tasks_of(&plans, (from, to), today).await? {
            let Some((key, notice)) = reminder(&task, today) else { continue };
            let system = store::systems::get(&self.store, &Scope::All, &task.system_id).await?;
            let name = system.map(|s| s.name).unwrap_or_else(|| task.system_id.clone());
            let mut users = Vec::new();
            if let Some(c) = self.coverage_at(&task.system_id, now).await? {
                users.extend(
                    store::users::active_ids_by_role(&self.store, Role::VendorPm, None, Some(&c.vendor_id)).await?,
                );
            }
            if notice == Notice::Missed {
                users.extend(store::users::active_ids_by_role(&self.store, Role::Admin, None, None).await?);
            }
            users.sort();
            users.dedup();
            let (title, body) = words(&task, notice, &name, today);
            let n = store::notifications::Notice {
                ticket_id: None,
                kind: "security_task",
                title: &title,
                body: &body,
                urgent: notice == Notice::Missed,
            };
            let tx = self.store.begin().await?;
            if store::notifications::reminders::claim(&tx, &key, now).await? {
                store::notifications::add(&tx, &users, &n, now).await?;
                sent += 1;
            }
            tx.commit().await?;
        }
        Ok(sent)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notice {
    /// Open, this many days (a threshold) or fewer left.
    DueIn(i64),
    Missed,
}

/// The reminder a period is due on `today`, with the key it goes once by.
fn reminder(t: &SecurityTask, today: NaiveDate) -> Option<(String, Notice)> {
    let period = format!("sectask:{}:{}", t.plan_id, t.opens_on);
    match t.status {
        SecTaskStatus::Done => None,
        SecTaskStatus::Missed => {
            let ended = (today - t.due_on).num_days();
            (ended <= MISSED_NOTICE_DAYS).then(|| (format!("{period}:missed"), Notice::Missed))
        }
        SecTaskStatus::Open => {
            let left = (t.due_on - today).num_days();
            let threshold = SECURITY_TASK_REMINDERS.iter().copied().filter(|d| left < *d).min()?;
            // A period shorter than the threshold (a plan started days before its end) is
            // reminded of at the nearest one only.
            Some((format!("{period}:{threshold}"), Notice::DueIn(threshold)))
        }
    }
}

fn words(t: &SecurityTask, notice: Notice, system: &str, today: NaiveDate) -> (Msg, Msg) {
    let kind = t.kind.label();
    let span = format!("{} – {}", t.opens_on, t.due_on);
    match notice {
        Notice::DueIn(_) => {
            let left = (t.due_on - today).num_days() + 1;
            (
                Msg::new(
                    format!("{}计划本周期还剩 {left} 天未登记：{system}", kind.zh),
                    format!("{} due in {left} days, nothing recorded: {system}", kind.en),
                ),
                Msg::new(
                    format!("周期 {span}，请在周期结束前完成并上传报告"),
                    format!("Period {span}: do it and file the report before the period ends"),
                ),
            )
        }
        Notice::Missed => (
            Msg::new(format!("{}计划本周期未完成：{system}", kind.zh), format!("{} missed: {system}", kind.en)),
            Msg::new(
                format!("周期 {span} 内没有登记报告，计入安全检测计划完成率"),
                format!("Period {span} ended with no report; it counts against the security plan completion rate"),
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::security_plans::SecTaskKind;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn task(status: SecTaskStatus, due_on: &str) -> SecurityTask {
        SecurityTask {
            plan_id: "p".into(),
            system_id: "s".into(),
            unit_id: "u".into(),
            kind: SecTaskKind::Scan,
            opens_on: d("2026-04-01"),
            due_on: d(due_on),
            status,
            record_ids: vec![],
            done_on: None,
        }
    }

    #[test]
    fn open_periods_are_reminded_a_week_and_a_day_before_their_end() {
        let open = task(SecTaskStatus::Open, "2026-06-30");
        assert_eq!(reminder(&open, d("2026-06-23")), None, "eight days left, counting today");
        assert_eq!(reminder(&open, d("2026-06-24")).map(|r| r.1), Some(Notice::DueIn(7)));
        assert_eq!(reminder(&open, d("2026-06-29")).map(|r| r.1), Some(Notice::DueIn(7)));
        let last = reminder(&open, d("2026-06-30")).unwrap();
        assert_eq!(last, ("sectask:p:2026-04-01:1".to_string(), Notice::DueIn(1)));
        assert_eq!(reminder(&task(SecTaskStatus::Done, "2026-06-30"), d("2026-06-30")), None);
    }

    #[test]
    fn a_miss_is_told_in_the_week_after_only() {
        let missed = task(SecTaskStatus::Missed, "2026-06-30");
        assert_eq!(reminder(&missed, d("2026-07-01")).map(|r| r.1), Some(Notice::Missed));
        assert_eq!(reminder(&missed, d("2026-07-07")).map(|r| r.1), Some(Notice::Missed));
        assert_eq!(reminder(&missed, d("2026-07-08")), None);
    }
}
