//! Inspections: checklist templates (written by the bureau), plans (by the bureau or the system's
//! vendor manager), the tasks generated 30 days ahead, and records in `record.rs`.

use chrono::{DateTime, Days, NaiveDate, Utc};
use domain::approvals::ApprovalKind;
use domain::inspections::builtin::{BUILTINS, is_builtin};
use domain::inspections::plan::{Plan, PlanInput, PlanSpec};
pub use domain::inspections::plan::{PlanFilter, TaskFilter};
pub use domain::inspections::record::RecordFilter;
use domain::inspections::recurrence::{Recurrence, Span, occurrences};
use domain::inspections::template::{Template, TemplateInput, TemplateKind};
use domain::list::{ListQuery, Page};
use domain::sla::compiled::{MIN, day_number, instant};
use domain::{FieldError, Msg, Principal, Role, Scope};
use store::inspections::{NewTask, PlanRow};

use crate::approvals::NewRequest;
use crate::{App, AppError, Applied, Result, audit, bureau_date, require_registry_write};

pub mod auto;
mod photos;
mod record;
mod reports;
pub(crate) mod requests;
pub use photos::{MAX_PHOTOS, PhotoUpload};
pub use reports::{Format, RateQuery};

/// How far ahead tasks exist, so that a phone offline for a day or a server down for a weekend
/// still finds them.
pub const HORIZON_DAYS: u64 = 30;
/// The calendar a plan follows when it names none: the bureau's working days.
pub const DEFAULT_CALENDAR: &str = "preset-5x8";

fn builtin_refused() -> AppError {
    AppError::conflict(
        None,
        "预置巡检模板不能修改或删除，可复制后修改",
        "built-in templates cannot be changed; copy one instead",
    )
}

/// What of a plan decides which inspections are due, and so the completion rate.
type Measured =
    (String, Option<String>, String, String, String, String, String, String, NaiveDate, Option<NaiveDate>, bool);

fn measured_by(p: &Plan) -> Measured {
    (
        p.system_id.clone(),
        p.asset_id.clone(),
        p.template_id.clone(),
        p.recurrence.to_string(),
        p.calendar_id.clone(),
        p.holiday_rule.as_str().to_string(),
        p.window_start.clone(),
        p.window_end.clone(),
        p.start_date,
        p.end_date,
        p.active,
    )
}

fn measured_by_row(r: &PlanRow<'_>) -> Measured {
    let s = r.spec;
    (
        s.system_id.clone(),
        s.asset_id.clone(),
        s.template_id.clone(),
        s.recurrence.to_json().to_string(),
        r.calendar_id.clone(),
        s.holiday_rule.as_str().to_string(),
        domain::inspections::plan::hhmm(s.window.0),
        domain::inspections::plan::hhmm(s.window.1),
        r.start_date,
        r.end_date,
        s.active,
    )
}

fn may_plan(p: &Principal) -> Result<()> {
    if matches!(p.role, Role::Admin | Role::VendorPm) { Ok(()) } else { Err(AppError::Forbidden) }
}

impl App {
    /// Writes the shipped checklists (reference data, not audited).
    pub(crate) async fn ensure_builtin_templates(&self) -> Result<()> {
        let tx = self.store.begin().await?;
        for b in BUILTINS {
            store::inspections::upsert_builtin(&tx, b, crate::wall_now()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every signed-in user reads the checklists: records and plans refer to them.
    pub async fn list_inspection_templates(
        &self,
        _p: &Principal,
        q: &ListQuery,
        kind: Option<TemplateKind>,
    ) -> Result<Page<Template>> {
        Ok(store::inspections::list_templates(&self.store, q, kind).await?)
    }

    pub async fn get_inspection_template(&self, _p: &Principal, id: &str) -> Result<Template> {
        store::inspections::get_template(&self.store, id).await?.ok_or(AppError::NotFound)
    }

    pub async fn create_inspection_template(&self, p: &Principal, input: TemplateInput) -> Result<Template> {
        require_registry_write(p)?;
        let spec = input.validate(store::new_id)?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        let t = store::inspections::insert_template(&tx, &spec, now).await?;
        audit::<(), _>(&tx, p, "create", "inspection_template", &t.id, None, Some(&t), now).await?;
        tx.commit().await?;
        Ok(t)
    }

    /// Item ids given back are kept, so past records still name their items.
    pub async fn update_inspection_template(&self, p: &Principal, id: &str, input: TemplateInput) -> Result<Template> {
        require_registry_write(p)?;
        if is_builtin(id) {
            return Err(builtin_refused());
        }
        let spec = input.validate(store::new_id)?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        let before = store::inspections::get_template(&tx, id).await?.ok_or(AppError::NotFound)?;
        let t = store::inspections::update_template(&tx, id, &spec, now).await?;
        audit(&tx, p, "update", "inspection_template", id, Some(&before), Some(&t), now).await?;
        tx.commit().await?;
        Ok(t)
    }

    pub async fn delete_inspection_template(&self, p: &Principal, id: &str) -> Result<()> {
        require_registry_write(p)?;
        if is_builtin(id) {
            return Err(builtin_refused());
        }
        let now = self.business_now();
        let tx = self.store.begin().await?;
        let before = store::inspections::get_template(&tx, id).await?.ok_or(AppError::NotFound)?;
        let n = store::inspections::plans_using_template(&tx, id).await?;
        if n > 0 {
            return Err(AppError::conflict(
                None,
                format!("有 {n} 个巡检计划使用该模板，不能删除"),
                format!("{n} inspection plans use this template"),
            ));
        }
        store::inspections::delete_template(&tx, id).await?;
        audit::<_, ()>(&tx, p, "delete", "inspection_template", id, Some(&before), None, now).await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- plans ----

    pub async fn list_inspection_plans(&self, p: &Principal, q: &ListQuery, f: &PlanFilter) -> Result<Page<Plan>> {
        Ok(store::inspections::list_plans(&self.store, &p.scope(), q, f).await?)
    }

    pub async fn get_inspection_plan(&self, p: &Principal, id: &str) -> Result<Plan> {
        store::inspections::get_plan(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)
    }

    /// Checks what a plan names against the store and the caller's scope, and fills the defaults.
    async fn plan_row<'a>(&self, p: &Principal, spec: &'a PlanSpec) -> Result<PlanRow<'a>> {
        let scope = p.scope();
        let Some(system) = store::systems::get(&self.store, &scope, &spec.system_id).await? else {
            return Err(FieldError::new("system_id", "信息系统不存在", "no such system").into());
        };
        let Some(template) = store::inspections::get_template(&self.store, &spec.template_id).await? else {
            return Err(FieldError::new("template_id", "巡检模板不存在", "no such template").into());
        };
        if let Some(a) = &spec.asset_id {
            let asset = store::assets::get(&self.store, &scope, a).await?;
            if asset.is_none_or(|x| x.system_id.as_deref() != Some(system.id.as_str())) {
                return Err(FieldError::new("asset_id", "该系统下没有这个资产", "is not an asset of the system").into());
            }
        }
        let calendar_id = spec.calendar_id.clone().unwrap_or_else(|| DEFAULT_CALENDAR.to_string());
        if store::calendars::get(&self.store, &calendar_id).await?.is_none() {
            return Err(FieldError::new("calendar_id", "工作日历不存在", "no such calendar").into());
        }
        let coverage = store::contracts::coverage(&self.store, &system.id).await?;
        if let Some(a) = &spec.assignee_id {
            let user = store::users::get(&self.store, &Scope::All, a).await?;
            let ok = user.is_some_and(|u| {
                u.active
                    && matches!(u.role, Role::Engineer | Role::VendorPm)
                    && u.vendor_id.as_ref().is_some_and(|v| coverage.iter().any(|c| &c.vendor_id == v))
            });
            if !ok {
                return Err(FieldError::new(
                    "assignee_id",
                    "应为负责该系统运维的供应商的在职人员",
                    "must be an active person of a vendor whose contract covers the system",
                )
                .into());
            }
        }
        let today = bureau_date(self.business_now());
        let start_date = spec.start_date.unwrap_or(today);
        let end_date = match (spec.end_date, &spec.recurrence) {
            (Some(e), _) => Some(e),
            // "3 times in the service period": the period of the item covering the system.
            (None, Recurrence::TimesInPeriod(_)) => {
                let item = coverage.iter().filter(|c| c.end_date >= start_date).min_by_key(|c| c.start_date);
                match item {
                    Some(c) => Some(c.end_date),
                    None => {
                        return Err(FieldError::new(
                            "end_date",
                            "按服务期内次数巡检需要结束日期（该系统没有覆盖它的合同条目）",
                            "times_in_period needs an end date (no contract item covers the system)",
                        )
                        .into());
                    }
                }
            }
            (None, _) => None,
        };
        if end_date.is_some_and(|e| e < start_date) {
            return Err(FieldError::new("end_date", "不能早于开始日期", "must not be before start_date").into());
        }
        Ok(PlanRow {
            spec,
            name: spec.name.clone().unwrap_or_else(|| format!("{} · {}", system.name, template.name)),
            unit_id: system.unit_id,
            calendar_id,
            start_date,
            end_date,
        })
    }

    pub async fn create_inspection_plan(&self, p: &Principal, input: PlanInput) -> Result<Plan> {
        may_plan(p)?;
        let spec = input.validate()?;
        let row = self.plan_row(p, &spec).await?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        let plan = store::inspections::insert_plan(&tx, &row, now).await?;
        audit::<(), _>(&tx, p, "create", "inspection_plan", &plan.id, None, Some(&plan), now).await?;
        tx.commit().await?;
        self.generate_plan(&plan).await?;
        Ok(plan)
    }

    /// The bureau changes a plan at once; the vendor's manager changes its name and who does
    /// it at once, and anything that decides which inspections are due (the schedule, the
    /// checklist, the period, stopping it) by the bureau's approval: a plan is what the
    /// completion rate is measured against.
    pub async fn update_inspection_plan(&self, p: &Principal, id: &str, input: PlanInput) -> Result<Applied<Plan>> {
        may_plan(p)?;
        let before = self.get_inspection_plan(p, id).await?;
        let spec = input.validate()?;
        let row = self.plan_row(p, &spec).await?;
        if p.role != Role::Admin && measured_by(&before) != measured_by_row(&row) {
            let a = self
                .request_approval(
                    p,
                    NewRequest {
                        kind: ApprovalKind::PlanUpdate,
                        subject_type: "inspection_plan",
                        subject_id: Some(before.id.clone()),
                        system_id: Some(before.system_id.clone()),
                        unit_id: Some(row.unit_id.clone()),
                        vendor_id: p.vendor_id.clone(),
                        title: Msg::new(
                            format!("修改巡检计划“{}”", before.name),
                            format!("Change inspection plan \"{}\"", before.name),
                        ),
                        proposed: serde_json::to_value(&input).unwrap_or_default(),
                        current: serde_json::to_value(&before).ok(),
                        reason: crate::approvals::reason(input.reason.as_deref())?,
                        payload: serde_json::to_value(requests::PlanPayload {
                            input: Some(input.clone()),
                            seen: requests::content(&before),
                        })
                        .unwrap_or_default(),
                    },
                )
                .await?;
            return Ok(Applied::Requested(Box::new(a)));
        }
        let now = self.business_now();
        let tx = self.store.begin().await?;
        let plan = self.write_plan(&tx, p, &before, &row, now).await?;
        tx.commit().await?;
        self.generate_plan(&plan).await?;
        Ok(Applied::Done(plan))
    }

    pub(crate) async fn write_plan(
        &self,
        tx: &store::Tx,
        p: &Principal,
        before: &Plan,
        row: &PlanRow<'_>,
        now: DateTime<Utc>,
    ) -> Result<Plan> {
        let plan = store::inspections::update_plan(tx, &before.id, row, now).await?;
        let role = plan.assignee_role.map(|r| r.as_str());
        store::inspections::reassign_open(tx, &before.id, plan.assignee_id.as_deref(), role).await?;
        audit(tx, p, "update", "inspection_plan", &before.id, Some(before), Some(&plan), now).await?;
        Ok(plan)
    }

    /// A plan with records is evidence: deactivate it instead. The vendor's manager asks.
    pub async fn delete_inspection_plan(&self, p: &Principal, id: &str, reason: Option<&str>) -> Result<Applied<()>> {
        may_plan(p)?;
        let before = self.get_inspection_plan(p, id).await?;
        if store::inspections::plan_has_records(&self.store, id).await? {
            return Err(AppError::conflict(
                Some("active"),
                "计划已有巡检记录，不能删除，可停用",
                "the plan has records; deactivate it instead",
            ));
        }
        if p.role != Role::Admin {
            let a = self
                .request_approval(
                    p,
                    NewRequest {
                        kind: ApprovalKind::PlanDelete,
                        subject_type: "inspection_plan",
                        subject_id: Some(before.id.clone()),
                        system_id: Some(before.system_id.clone()),
                        unit_id: Some(before.unit_id.clone()),
                        vendor_id: p.vendor_id.clone(),
                        title: Msg::new(
                            format!("删除巡检计划“{}”", before.name),
                            format!("Remove inspection plan \"{}\"", before.name),
                        ),
                        proposed: serde_json::json!({}),
                        current: serde_json::to_value(&before).ok(),
                        reason: crate::approvals::reason(reason)?,
                        payload: serde_json::to_value(requests::PlanPayload {
                            input: None,
                            seen: requests::content(&before),
                        })
                        .unwrap_or_default(),
                    },
                )
                .await?;
            return Ok(Applied::Requested(Box::new(a)));
        }
        let now = self.business_now();
        let tx = self.store.begin().await?;
        self.remove_plan(&tx, p, &before, now).await?;
        tx.commit().await?;
        Ok(Applied::Done(()))
    }

    pub(crate) async fn remove_plan(
        &self,
        tx: &store::Tx,
        p: &Principal,
        before: &Plan,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if store::inspections::plan_has_records(tx, &before.id).await? {
            return Err(AppError::conflict(
                Some("active"),
                "计划已有巡检记录，不能删除，可停用",
                "the plan has records; deactivate it instead",
            ));
        }
        store::inspections::delete_plan(tx, &before.id).await?;
        self.close_requests_about(tx, p, "inspection_plan", &before.id, now).await?;
        audit::<_, ()>(tx, p, "delete", "inspection_plan", &before.id, Some(before), None, now).await
    }

    /// Brings a plan's tasks in line with its schedule from today to the horizon: missing days
    /// are added, open tasks no longer on the schedule removed; done and past tasks stay.
    pub(crate) async fn generate_plan(&self, plan: &Plan) -> Result<u64> {
        let (_, cal) = self.compiled_calendar(&plan.calendar_id).await?;
        let now = self.business_now();
        let today = domain::sla::calendar::date_in(&cal.time_zone().to_string(), now);
        let until = today + Days::new(HORIZON_DAYS);
        let recurrence = Recurrence::parse(&plan.recurrence).map_err(|_| AppError::internal("stored recurrence"))?;
        let dates = if plan.active {
            let span = Span { start: plan.start_date, end: plan.end_date };
            occurrences(&recurrence, plan.holiday_rule, span, today, until, |d| cal.plan(day_number(d)).is_working())
        } else {
            vec![]
        };
        let minutes = |s: &str| domain::inspections::plan::parse_hhmm(s).unwrap_or(0);
        let (open, close) = (minutes(&plan.window_start), minutes(&plan.window_end));
        let at = |d: NaiveDate, m: u32| -> DateTime<Utc> { instant(cal.to_utc(day_number(d), i64::from(m) * MIN)) };
        let tasks: Vec<NewTask> = dates
            .iter()
            .map(|d| NewTask {
                plan_id: plan.id.clone(),
                system_id: plan.system_id.clone(),
                unit_id: plan.unit_id.clone(),
                template_id: plan.template_id.clone(),
                scheduled_for: *d,
                opens_at: at(*d, open),
                due_at: at(*d, close),
                assignee_id: plan.assignee_id.clone(),
                assignee_role: plan.assignee_role.map(|r| r.as_str().to_string()),
            })
            .collect();
        let tx = self.store.begin().await?;
        store::inspections::drop_unscheduled(&tx, &plan.id, now, &dates).await?;
        let n = store::inspections::insert_missing(&tx, &tasks, now).await?;
        // Marked in bureau days too, so the job's query never finds the plan behind again.
        let marked = until.max(bureau_date(now) + Days::new(HORIZON_DAYS));
        store::inspections::set_generated_until(&tx, &plan.id, marked).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// The daily job (run hourly, idempotent): every active plan keeps tasks 30 days ahead;
    /// plans whose calendar changed are regenerated. Returns the tasks created.
    pub async fn generate_inspection_tasks(&self) -> Result<u64> {
        let until = bureau_date(self.business_now()) + Days::new(HORIZON_DAYS);
        let mut created = 0;
        loop {
            let plans = store::inspections::plans_behind(&self.store, until, 100).await?;
            if plans.is_empty() {
                return Ok(created);
            }
            for plan in &plans {
                created += self.generate_plan(plan).await?;
            }
        }
    }
}
