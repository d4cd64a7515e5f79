//! Security plans and the work done against them. Plans decide what is due, and so the
//! completion rate the vendor is scored by: they are the bureau's. Vendor staff record the work
//! with its report; a record is evidence and is never edited — the bureau may void one, with a
//! reason, audited.

mod reminders;

use chrono::{Datelike, NaiveDate};
use domain::inspections::recurrence::{Recurrence, Span};
use domain::list::{ListQuery, Page};
use domain::security_plans::{
    MAX_RANGE_DAYS, SecTaskKind, SecurityPlan, SecurityPlanFilter, SecurityPlanInput, SecurityPlanSpec, SecurityRecord,
    SecurityRecordFilter, SecurityRecordInput, SecurityTask, SecurityTaskFilter, task_status,
};
use domain::void::VoidInput;
use domain::{FieldError, Principal, Role, Scope};
use store::security_plans::PlanRow;

use crate::files::Upload;
use crate::inspections::DEFAULT_CALENDAR;
use crate::schedules::{Calendars, Planned};
use crate::{App, AppError, Result, audit, bureau_date, require_registry_write};

/// Who records security work: the bureau and the vendor's staff. The upload handler asks before
/// it reads a large body.
pub fn may_record_security_work(p: &Principal) -> Result<()> {
    if !matches!(p.role, Role::Admin | Role::VendorPm | Role::Engineer) {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

fn not_security_admin(p: &Principal) -> Result<()> {
    if p.role == Role::SecurityAdmin { Err(AppError::Forbidden) } else { Ok(()) }
}

impl App {
    async fn security_plan_row<'a>(&self, spec: &'a SecurityPlanSpec) -> Result<PlanRow<'a>> {
        let Some(system) = store::systems::get(&self.store, &Scope::All, &spec.system_id).await? else {
            return Err(FieldError::new("system_id", "信息系统不存在", "no such system").into());
        };
        let calendar_id = spec.calendar_id.clone().unwrap_or_else(|| DEFAULT_CALENDAR.to_string());
        if store::calendars::get(&self.store, &calendar_id).await?.is_none() {
            return Err(FieldError::new("calendar_id", "工作日历不存在", "no such calendar").into());
        }
        if matches!(spec.schedule.recurrence, Recurrence::TimesInPeriod(_)) && spec.schedule.end_date.is_none() {
            return Err(FieldError::new(
                "end_date",
                "按期间内次数的计划需要结束日期",
                "times_in_period needs an end date",
            )
            .into());
        }
        let start_date = spec.schedule.start_date.unwrap_or_else(|| bureau_date(self.business_now()));
        if spec.schedule.end_date.is_some_and(|e| e < start_date) {
            return Err(FieldError::new("end_date", "不能早于开始日期", "must not be before start_date").into());
        }
        Ok(PlanRow { spec, unit_id: system.unit_id, calendar_id, start_date })
    }

    pub async fn list_security_plans(
        &self,
        p: &Principal,
        q: &ListQuery,
        f: &SecurityPlanFilter,
    ) -> Result<Page<SecurityPlan>> {
        not_security_admin(p)?;
        Ok(store::security_plans::list_plans(&self.store, &p.scope(), q, f).await?)
    }

    pub async fn get_security_plan(&self, p: &Principal, id: &str) -> Result<SecurityPlan> {
        not_security_admin(p)?;
        store::security_plans::get_plan(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)
    }

    /// The bureau plans; a second plan of the same system and kind is 409.
    pub async fn create_security_plan(&self, p: &Principal, input: SecurityPlanInput) -> Result<SecurityPlan> {
        require_registry_write(p)?;
        let spec = input.validate()?;
        let row = self.security_plan_row(&spec).await?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        let plan = store::security_plans::insert_plan(&tx, &row, &p.user_id, now).await.map_err(duplicate)?;
        recheck_fix_clocks(&tx, [&plan], now).await?;
        audit::<(), _>(&tx, p, "create", "security_plan", &plan.id, None, Some(&plan), now).await?;
        tx.commit().await?;
        Ok(plan)
    }

    pub async fn update_security_plan(
        &self,
        p: &Principal,
        id: &str,
        input: SecurityPlanInput,
    ) -> Result<SecurityPlan> {
        let before = self.get_security_plan(p, id).await?;
        require_registry_write(p)?;
        // A start left out keeps the plan's: "today" would drop every past period.
        let start_date = input.start_date.clone().or_else(|| Some(before.start_date.to_string()));
        let spec = SecurityPlanInput { start_date, ..input }.validate()?;
        let row = self.security_plan_row(&spec).await?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        let plan = store::security_plans::update_plan(&tx, id, &row, now).await.map_err(duplicate)?;
        recheck_fix_clocks(&tx, [&before, &plan], now).await?;
        audit(&tx, p, "update", "security_plan", id, Some(&before), Some(&plan), now).await?;
        tx.commit().await?;
        Ok(plan)
    }

    pub async fn delete_security_plan(&self, p: &Principal, id: &str) -> Result<()> {
        let before = self.get_security_plan(p, id).await?;
        require_registry_write(p)?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        store::security_plans::delete_plan(&tx, id).await?;
        recheck_fix_clocks(&tx, [&before], now).await?;
        audit::<_, ()>(&tx, p, "delete", "security_plan", id, Some(&before), None, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The periods of the plans the caller sees in `from..=to` (this year so far by default),
    /// each with the records that fall in it.
    pub async fn security_tasks(&self, p: &Principal, f: &SecurityTaskFilter) -> Result<Vec<SecurityTask>> {
        not_security_admin(p)?;
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
        let filter = SecurityPlanFilter { system_id: f.system_id.clone(), kind: f.kind, active: Some(true) };
        let plans = store::security_plans::all_plans(&self.store, &p.scope(), &filter).await?;
        let mut tasks = self.tasks_of(&plans, (from, to), today).await?;
        if let Some(s) = f.status {
            tasks.retain(|t| t.status == s);
        }
        Ok(tasks)
    }

    /// The periods of `plans` overlapping `from..=to`, judged on `today`.
    pub(crate) async fn tasks_of(
        &self,
        plans: &[SecurityPlan],
        (from, to): (NaiveDate, NaiveDate),
        today: NaiveDate,
    ) -> Result<Vec<SecurityTask>> {
        let mut calendars = Calendars::default();
        let mut found = Vec::new();
        for plan in plans.iter().filter(|p| p.active) {
            found.push((plan, calendars.periods(self, &planned(plan), (from, to)).await?));
        }
        // Records are read once over the widest period.
        let lo = found.iter().flat_map(|(_, ps)| ps.first().map(|p| p.opens_on)).min();
        let hi = found.iter().flat_map(|(_, ps)| ps.last().map(|p| p.due_on)).max();
        let (Some(lo), Some(hi)) = (lo, hi) else { return Ok(vec![]) };
        let mut systems: Vec<String> = plans.iter().map(|p| p.system_id.clone()).collect();
        systems.sort();
        systems.dedup();
        let records = store::security_plans::record_days(&self.store, &systems, (lo, hi)).await?;
        let mut out = Vec::new();
        for (plan, ps) in found {
            let mine: Vec<&(String, String, String, NaiveDate)> =
                records.iter().filter(|r| r.1 == plan.system_id && r.2 == plan.kind.as_str()).collect();
            let days: Vec<NaiveDate> = mine.iter().map(|r| r.3).collect();
            for period in ps {
                let (status, done_on) = task_status(period, &days, today);
                out.push(SecurityTask {
                    plan_id: plan.id.clone(),
                    system_id: plan.system_id.clone(),
                    unit_id: plan.unit_id.clone(),
                    kind: plan.kind,
                    opens_on: period.opens_on,
                    due_on: period.due_on,
                    status,
                    record_ids: mine
                        .iter()
                        .filter(|r| r.3 >= period.opens_on && r.3 <= period.due_on)
                        .map(|r| r.0.clone())
                        .collect(),
                    done_on,
                });
            }
        }
        out.sort_by(|a, b| (a.due_on, &a.system_id, a.kind).cmp(&(b.due_on, &b.system_id, b.kind)));
        Ok(out)
    }

    /// Vendor staff may not date work into a period that has already ended: that would turn a
    /// missed period into a done one. Late work of an ended period is the bureau's to record.
    async fn check_not_into_ended_period(
        &self,
        system_id: &str,
        kind: domain::security_plans::SecTaskKind,
        day: NaiveDate,
        today: NaiveDate,
    ) -> Result<()> {
        let filter =
            SecurityPlanFilter { system_id: Some(system_id.to_string()), kind: Some(kind), active: Some(true) };
        let plans = store::security_plans::all_plans(&self.store, &Scope::All, &filter).await?;
        let tasks = self.tasks_of(&plans, (day, day), today).await?;
        if tasks.iter().any(|t| t.due_on < today) {
            return Err(FieldError::new(
                "performed_on",
                "该日期所在的计划周期已结束，补登请数据局登记",
                "the plan's period of that day has ended; the bureau records late work",
            )
            .into());
        }
        Ok(())
    }

    pub async fn list_security_records(
        &self,
        p: &Principal,
        q: &ListQuery,
        f: &SecurityRecordFilter,
    ) -> Result<Page<SecurityRecord>> {
        not_security_admin(p)?;
        Ok(store::security_plans::list_records(&self.store, &p.scope(), q, f).await?)
    }

    pub async fn get_security_record(&self, p: &Principal, id: &str) -> Result<SecurityRecord> {
        not_security_admin(p)?;
        store::security_plans::get_record(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)
    }

    /// Vendor staff (of the system's vendor) and the bureau record work done, with its report.
    pub async fn create_security_record(
        &self,
        p: &Principal,
        input: SecurityRecordInput,
        file: Upload,
    ) -> Result<SecurityRecord> {
        may_record_security_work(p)?;
        let now = self.business_now();
        let today = bureau_date(now);
        let f = input.validate(today, p.role == Role::Admin)?;
        let Some(system) = store::systems::get(&self.store, &p.scope(), &f.system_id).await? else {
            return Err(FieldError::new("system_id", "信息系统不存在", "no such system").into());
        };
        if p.role != Role::Admin {
            self.check_not_into_ended_period(&system.id, f.kind, f.performed_on, today).await?;
        }
        if let Some(i) = &f.import_id {
            let import = store::scans::get_import(&self.store, &p.scope(), &p.user_id, i).await?;
            let ours = match import {
                None => false,
                Some(x) if x.system_id.as_deref() == Some(system.id.as_str()) => true,
                Some(_) => store::vulnerabilities::in_import(&self.store, i, &system.id).await?,
            };
            if !ours {
                return Err(FieldError::new(
                    "import_id",
                    "扫描导入不存在，或没有该系统的漏洞",
                    "no such scan import, or it brought no finding on this system",
                )
                .into());
            }
        }
        let e = self.evidence(&file)?;
        let r = SecurityRecord {
            id: store::new_id(),
            system_id: system.id,
            unit_id: system.unit_id,
            kind: f.kind,
            performed_on: f.performed_on,
            summary: f.summary,
            import_id: f.import_id,
            file_name: e.file_name,
            content_type: e.content_type.into(),
            size: e.size,
            sha256: e.sha256,
            created_by: p.user_id.clone(),
            created_by_name: self.person_name(p).await?,
            created_at: now,
            voided_at: None,
            void_reason: None,
        };
        // The file is on disk before the transaction begins: no lock is held while it is written.
        let write = async {
            let tx = self.store.begin().await?;
            store::security_plans::insert_record(&tx, &r).await?;
            audit::<(), _>(&tx, p, "create", "security_record", &r.id, None, Some(&r), now).await?;
            tx.commit().await.map_err(AppError::from)
        };
        self.keep_file("security", &r.id, &r.id, &file.bytes, write).await?;
        Ok(r)
    }

    /// The report as uploaded.
    pub async fn security_record_file(&self, p: &Principal, id: &str) -> Result<(SecurityRecord, Vec<u8>)> {
        let r = self.get_security_record(p, id).await?;
        let bytes = self.read_file("security", &r.id, &r.id).await?;
        Ok((r, bytes))
    }

    /// The bureau voids a record with a reason; a record is voided once (409 after).
    pub async fn void_security_record(&self, p: &Principal, id: &str, input: VoidInput) -> Result<SecurityRecord> {
        let before = self.get_security_record(p, id).await?;
        if p.role != Role::Admin {
            return Err(AppError::Forbidden);
        }
        let reason = input.validate()?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        if !store::security_plans::void_record(&tx, id, &p.user_id, &reason, now).await? {
            return Err(AppError::conflict(None, "该记录已作废", "the record is already void"));
        }
        let after = SecurityRecord { voided_at: Some(now), void_reason: Some(reason), ..before.clone() };
        audit(&tx, p, "void", "security_record", id, Some(&before), Some(&after), now).await?;
        tx.commit().await?;
        Ok(after)
    }
}

/// When a plan falls due, for the period reader.
pub(crate) fn planned(plan: &SecurityPlan) -> Planned<'_> {
    Planned {
        recurrence: &plan.recurrence,
        holiday_rule: plan.holiday_rule,
        span: Span { start: plan.start_date, end: plan.end_date },
        calendar_id: &plan.calendar_id,
    }
}

/// A scan plan decides the "before the next scan" fix deadlines of its system's findings: when
/// one changes, the clock job settles them again.
async fn recheck_fix_clocks<const N: usize>(
    tx: &store::Tx,
    plans: [&SecurityPlan; N],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let scans = [SecTaskKind::Scan, SecTaskKind::WebScan];
    let systems: Vec<&str> = plans.iter().filter(|p| scans.contains(&p.kind)).map(|p| p.system_id.as_str()).collect();
    if !systems.is_empty() {
        store::vulnerabilities::recheck_systems(tx, &systems, now).await?;
    }
    Ok(())
}

/// A second plan of a system and kind.
fn duplicate(e: store::StoreError) -> AppError {
    match e {
        store::StoreError::Conflict(_) => {
            AppError::conflict(Some("kind"), "该系统已有同类安全检测计划", "the system already has a plan of this kind")
        }
        e => e.into(),
    }
}
