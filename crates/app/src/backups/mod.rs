//! Backups: the bureau's policies (what, how, how often, kept how long and where, RPO/RTO),
//! the runs that fulfil them — recorded by vendor staff, imported, or pushed by a backup tool
//! with an integration token — restore drills judged against the targets, and the missed
//! periods the job turns into tickets. Policies decide what is due, and so the rate the vendor
//! is scored by: they are the bureau's. Runs and drills are evidence: never edited; the bureau
//! may void one with a reason.

mod drills;
mod import;
mod misses;
mod runs;

use chrono::{Datelike, Days, NaiveDate};
use domain::backups::{
    BackupPolicy, BackupPolicyFilter, BackupPolicyInput, BackupPolicySpec, BackupTask, BackupTaskFilter,
    BackupTaskKind, BackupTaskStatus, task_status,
};
use domain::inspections::recurrence::{HolidayRule, Span};
use domain::list::{ListQuery, Page};
use domain::periods::MAX_RANGE_DAYS;
use domain::{FieldError, Msg, Principal, Role, Scope};
use store::backups::{PolicyRow, day_start};

use crate::inspections::DEFAULT_CALENDAR;
use crate::schedules::{Calendars, Planned};
use crate::{App, AppError, Result, audit, bureau_date, require_registry_write};

/// Why vendor staff may not record work into a period that has ended.
fn ended_period() -> Msg {
    Msg::new(
        "该时间所在的策略周期已结束，补登请数据局登记",
        "the policy's period of that time has ended; the bureau records late work",
    )
}

pub use import::RUN_COLUMNS;
pub use runs::BACKUP_INTAKE_MAX_AGE_HOURS;

/// Who records runs and drills: the bureau and the vendor's staff (of the system's vendor, by
/// scope). The upload handler asks before it reads a large body.
pub fn may_record_backups(p: &Principal) -> Result<()> {
    if !matches!(p.role, Role::Admin | Role::VendorPm | Role::Engineer) {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

fn may_read(p: &Principal) -> Result<()> {
    if p.role == Role::SecurityAdmin { Err(AppError::Forbidden) } else { Ok(()) }
}

/// When a policy's runs fall due.
fn runs_planned(p: &BackupPolicy) -> Planned<'_> {
    Planned {
        recurrence: &p.frequency,
        holiday_rule: p.holiday_rule,
        span: Span { start: p.start_date, end: p.end_date },
        calendar_id: &p.calendar_id,
    }
}

/// When its restore drills fall due, if it plans any: on the same calendar, moved to a working
/// day (a drill needs people).
fn drills_planned(p: &BackupPolicy) -> Option<Planned<'_>> {
    Some(Planned {
        recurrence: p.drill_frequency.as_ref()?,
        holiday_rule: HolidayRule::NextWorkingDay,
        span: Span { start: p.start_date, end: p.end_date },
        calendar_id: &p.calendar_id,
    })
}

impl App {
    async fn backup_policy_row<'a>(&self, spec: &'a BackupPolicySpec) -> Result<PolicyRow<'a>> {
        let Some(system) = store::systems::get(&self.store, &Scope::All, &spec.system_id).await? else {
            return Err(FieldError::new("system_id", "信息系统不存在", "no such system").into());
        };
        let calendar_id = spec.calendar_id.clone().unwrap_or_else(|| DEFAULT_CALENDAR.to_string());
        if store::calendars::get(&self.store, &calendar_id).await?.is_none() {
            return Err(FieldError::new("calendar_id", "工作日历不存在", "no such calendar").into());
        }
        let start_date = spec.schedule.start_date.unwrap_or_else(|| bureau_date(self.business_now()));
        if spec.schedule.end_date.is_some_and(|e| e < start_date) {
            return Err(FieldError::new("end_date", "不能早于开始日期", "must not be before start_date").into());
        }
        Ok(PolicyRow { spec, unit_id: system.unit_id, calendar_id, start_date })
    }

    pub async fn list_backup_policies(
        &self,
        p: &Principal,
        q: &ListQuery,
        f: &BackupPolicyFilter,
    ) -> Result<Page<BackupPolicy>> {
        may_read(p)?;
        let page = store::backups::list_policies(&self.store, &p.scope(), q, f).await?;
        let items = self.with_standing(page.items).await?;
        Ok(Page { items, ..page })
    }

    pub async fn get_backup_policy(&self, p: &Principal, id: &str) -> Result<BackupPolicy> {
        may_read(p)?;
        let policy = store::backups::get_policy(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)?;
        Ok(self.with_standing(vec![policy]).await?.remove(0))
    }

    pub async fn create_backup_policy(&self, p: &Principal, input: BackupPolicyInput) -> Result<BackupPolicy> {
        require_registry_write(p)?;
        let spec = input.validate()?;
        let row = self.backup_policy_row(&spec).await?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        let policy = store::backups::insert_policy(&tx, &row, &p.user_id, now).await?;
        audit::<(), _>(&tx, p, "create", "backup_policy", &policy.id, None, Some(&policy), now).await?;
        tx.commit().await?;
        Ok(self.with_standing(vec![policy]).await?.remove(0))
    }

    pub async fn update_backup_policy(
        &self,
        p: &Principal,
        id: &str,
        input: BackupPolicyInput,
    ) -> Result<BackupPolicy> {
        let before = self.get_backup_policy(p, id).await?;
        require_registry_write(p)?;
        // A start left out keeps the policy's: "today" would drop every past period.
        let start_date = input.start_date.clone().or_else(|| Some(before.start_date.to_string()));
        let spec = BackupPolicyInput { start_date, ..input }.validate()?;
        if spec.system_id != before.system_id {
            return Err(FieldError::new(
                "system_id",
                "策略不能改到其他系统，请为该系统新建策略",
                "a policy cannot move to another system; create one for that system",
            )
            .into());
        }
        let row = self.backup_policy_row(&spec).await?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        let policy = store::backups::update_policy(&tx, id, &row, now).await?;
        audit(&tx, p, "update", "backup_policy", id, Some(&before), Some(&policy), now).await?;
        tx.commit().await?;
        Ok(self.with_standing(vec![policy]).await?.remove(0))
    }

    /// A policy with runs or drills is evidence: the bureau ends it with an end date instead.
    pub async fn delete_backup_policy(&self, p: &Principal, id: &str) -> Result<()> {
        let before = self.get_backup_policy(p, id).await?;
        require_registry_write(p)?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        if store::backups::evidence_for_policy(&tx, id).await? > 0 {
            return Err(AppError::conflict(
                None,
                "该策略已有备份或演练记录，不能删除；请设置结束日期",
                "the policy has runs or drills; give it an end date instead",
            ));
        }
        store::backups::delete_policy(&tx, id).await?;
        audit::<_, ()>(&tx, p, "delete", "backup_policy", id, Some(&before), None, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Fills in what the lists show: the last success, whether the last period that ended had
    /// none, and the period running today.
    async fn with_standing(&self, mut policies: Vec<BackupPolicy>) -> Result<Vec<BackupPolicy>> {
        let today = bureau_date(self.business_now());
        let ids: Vec<String> = policies.iter().map(|p| p.id.clone()).collect();
        let last = store::backups::last_successes(&self.store, &ids).await?;
        let yesterday = today.checked_sub_days(Days::new(1)).unwrap_or(today);
        let mut calendars = Calendars::default();
        let mut wanted = Vec::new();
        let mut spans = Vec::new();
        for p in policies.iter().filter(|p| p.active) {
            let ps = calendars.periods(self, &runs_planned(p), (yesterday, today)).await?;
            let ended = ps.iter().rev().find(|x| x.due_on < today).copied();
            let current = ps.iter().find(|x| x.opens_on <= today && x.due_on >= today).copied();
            if let Some(from) = ended.or(current).map(|x| x.opens_on) {
                wanted.push((p.id.clone(), day_start(from)));
            }
            spans.push((p.id.clone(), ended, current));
        }
        let starts = store::backups::success_starts(&self.store, &wanted).await?;
        for p in &mut policies {
            p.last_success_at = last.get(&p.id).copied();
            let Some((_, ended, current)) = spans.iter().find(|s| s.0 == p.id) else { continue };
            let days: Vec<NaiveDate> = starts.iter().filter(|s| s.0 == p.id).map(|s| bureau_date(s.1)).collect();
            p.missed = ended.is_some_and(|e| task_status(e, &days, today).0 == BackupTaskStatus::Missed);
            p.current_period = current.map(|c| {
                let (status, done_on) = task_status(c, &days, today);
                BackupTask {
                    policy_id: p.id.clone(),
                    system_id: p.system_id.clone(),
                    unit_id: p.unit_id.clone(),
                    kind: BackupTaskKind::Run,
                    opens_on: c.opens_on,
                    due_on: c.due_on,
                    status,
                    done_on,
                }
            });
        }
        Ok(policies)
    }

    /// The periods of the policies the caller sees in `from..=to` (this year so far by
    /// default): runs due and drills due, each with what was done in it.
    pub async fn backup_tasks(&self, p: &Principal, f: &BackupTaskFilter) -> Result<Vec<BackupTask>> {
        may_read(p)?;
        let today = bureau_date(self.business_now());
        let from = f.from.unwrap_or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today));
        let to = f.to.unwrap_or(today);
        if to < from {
            return Err(FieldError::new("to", "不能早于开始日期", "must not be before from").into());
        }
        if (to - from).num_days() > MAX_RANGE_DAYS {
            return Err(FieldError::new(
                "to",
                format!("一次最多查询 {MAX_RANGE_DAYS} 天"),
                format!("at most {MAX_RANGE_DAYS} days at once"),
            )
            .into());
        }
        let filter = BackupPolicyFilter { system_id: f.system_id.clone(), object: None, active: Some(true) };
        let mut policies = store::backups::all_policies(&self.store, &p.scope(), &filter).await?;
        if let Some(id) = &f.policy_id {
            policies.retain(|x| &x.id == id);
        }
        let mut tasks = self.backup_tasks_of(&policies, (from, to), today, f.kind).await?;
        if let Some(s) = f.status {
            tasks.retain(|t| t.status == s);
        }
        Ok(tasks)
    }

    /// The periods of `policies` overlapping `from..=to`, judged on `today`: runs (a success
    /// started in the period, on the bureau's day) and drills (one recorded in it).
    pub(crate) async fn backup_tasks_of(
        &self,
        policies: &[BackupPolicy],
        (from, to): (NaiveDate, NaiveDate),
        today: NaiveDate,
        kind: Option<BackupTaskKind>,
    ) -> Result<Vec<BackupTask>> {
        let mut calendars = Calendars::default();
        let mut found = Vec::new();
        for p in policies.iter().filter(|p| p.active) {
            if kind != Some(BackupTaskKind::Drill) {
                found.push((p, BackupTaskKind::Run, calendars.periods(self, &runs_planned(p), (from, to)).await?));
            }
            if kind != Some(BackupTaskKind::Run)
                && let Some(plan) = drills_planned(p)
            {
                found.push((p, BackupTaskKind::Drill, calendars.periods(self, &plan, (from, to)).await?));
            }
        }
        let mut wanted = Vec::new();
        let mut drill_range: Option<(NaiveDate, NaiveDate)> = None;
        for (p, k, ps) in &found {
            let (Some(first), Some(last)) = (ps.first(), ps.last()) else { continue };
            match k {
                BackupTaskKind::Run => wanted.push((p.id.clone(), day_start(first.opens_on))),
                BackupTaskKind::Drill => {
                    let (lo, hi) = drill_range.unwrap_or((first.opens_on, last.due_on));
                    drill_range = Some((lo.min(first.opens_on), hi.max(last.due_on)));
                }
            }
        }
        let starts = store::backups::success_starts(&self.store, &wanted).await?;
        let drills = match drill_range {
            Some(r) => {
                let ids: Vec<String> = policies.iter().map(|p| p.id.clone()).collect();
                store::backups::drills_of(&self.store, &ids, r).await?
            }
            None => vec![],
        };
        let mut out = Vec::new();
        for (p, k, ps) in found {
            let days: Vec<NaiveDate> = match k {
                BackupTaskKind::Run => starts.iter().filter(|s| s.0 == p.id).map(|s| bureau_date(s.1)).collect(),
                BackupTaskKind::Drill => {
                    drills.iter().filter(|d| d.policy_id == p.id).map(|d| d.performed_on).collect()
                }
            };
            for period in ps {
                let (status, done_on) = task_status(period, &days, today);
                out.push(BackupTask {
                    policy_id: p.id.clone(),
                    system_id: p.system_id.clone(),
                    unit_id: p.unit_id.clone(),
                    kind: k,
                    opens_on: period.opens_on,
                    due_on: period.due_on,
                    status,
                    done_on,
                });
            }
        }
        out.sort_by(|a, b| {
            (a.due_on, &a.system_id, &a.policy_id, a.kind).cmp(&(b.due_on, &b.system_id, &b.policy_id, b.kind))
        });
        Ok(out)
    }

    /// Whether the policy's period of `kind` that holds `day` has already ended (by the
    /// bureau's today).
    pub(super) async fn backup_period_ended(
        &self,
        policy: &BackupPolicy,
        kind: BackupTaskKind,
        day: NaiveDate,
    ) -> Result<bool> {
        let today = bureau_date(self.business_now());
        let tasks = self.backup_tasks_of(std::slice::from_ref(policy), (day, day), today, Some(kind)).await?;
        Ok(tasks.iter().any(|t| t.due_on < today))
    }

    /// Vendor staff may not date a success or a drill into a period that has already ended:
    /// that would turn a missed period into a done one. Late work is the bureau's to record.
    async fn check_not_into_ended_backup_period(
        &self,
        policy: &BackupPolicy,
        kind: BackupTaskKind,
        day: NaiveDate,
        field: &str,
    ) -> Result<()> {
        if self.backup_period_ended(policy, kind, day).await? {
            let m = ended_period();
            return Err(FieldError::new(field, m.zh, m.en).into());
        }
        Ok(())
    }
}
