//! SLA policies (versioned) and the simulator that lets anyone check a clause before it goes
//! into a contract.

use std::collections::BTreeMap;

use domain::list::{ListQuery, Page};
pub use domain::sla::policy::{PolicyFilter, SORT_KEYS};
use domain::sla::policy::{PolicyInput, PolicySpec, PolicyView, VersionInfo};
use domain::sla::simulate::{SimulateInput, SimulateResult};
use domain::sla::target::explain;
use domain::sla::templates::{Template, templates};
use domain::{FieldError, Lang, Principal, Scope};
use store::Tx;

use crate::{App, AppError, Result, audit, require_registry_write, require_registry_write_to, wall_now};

async fn check_refs(tx: &Tx, spec: &PolicySpec) -> Result<()> {
    let mut errors = Vec::new();
    if store::calendars::get(tx, &spec.calendar_id).await?.is_none() {
        errors.push(FieldError::new("calendar_id", "日历不存在", "no such calendar"));
    }
    if let Some(item) = &spec.contract_item_id
        && !store::contracts::item_exists(tx, item).await?
    {
        errors.push(FieldError::new("contract_item_id", "合同分项不存在", "no such contract item"));
    }
    for (i, step) in spec.escalation.iter().enumerate() {
        let found = store::notifications::channels::many(tx, &step.channels).await?;
        for (j, id) in step.channels.iter().enumerate() {
            if !found.iter().any(|c| &c.id == id) {
                let field = format!("escalation[{i}].channels[{j}]");
                errors.push(FieldError::new(field, "通知渠道不存在", "no such notification channel"));
            }
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(AppError::Validation(errors)) }
}

impl App {
    pub fn sla_templates(&self) -> Vec<Template> {
        templates()
    }

    pub async fn list_policies(&self, p: &Principal, q: &ListQuery, f: &PolicyFilter) -> Result<Page<PolicyView>> {
        Ok(store::sla::list(&self.store, &p.scope(), q, f).await?)
    }

    pub async fn get_policy(&self, p: &Principal, id: &str, version: Option<i32>) -> Result<PolicyView> {
        store::sla::get(&self.store, &p.scope(), id, version).await?.ok_or(AppError::NotFound)
    }

    pub async fn policy_versions(&self, p: &Principal, id: &str) -> Result<Vec<VersionInfo>> {
        self.get_policy(p, id, None).await?;
        let mut v = store::sla::versions(&self.store, id).await?;
        // Who saved a version is the bureau's business.
        if p.scope() != Scope::All {
            v.iter_mut().for_each(|x| x.created_by = None);
        }
        Ok(v)
    }

    pub async fn create_policy(&self, p: &Principal, input: PolicyInput) -> Result<PolicyView> {
        require_registry_write(p)?;
        let spec = input.validate()?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        check_refs(&tx, &spec).await?;
        let v = store::sla::insert(&tx, &spec, Some(&p.user_id), t).await?;
        audit::<(), _>(&tx, p, "create", "sla_policy", &v.id, None, Some(&v), t).await?;
        tx.commit().await?;
        Ok(v)
    }

    /// Saves a new version; tickets keep the version they started under.
    pub async fn update_policy(&self, p: &Principal, id: &str, input: PolicyInput) -> Result<PolicyView> {
        require_registry_write_to(p, self.get_policy(p, id, None)).await?;
        let spec = input.validate()?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        let before = store::sla::get(&tx, &Scope::All, id, None).await?.ok_or(AppError::NotFound)?;
        // A policy's history belongs to its item's readers: it may be attached once, not moved.
        if let Some(item) = &before.spec.contract_item_id
            && spec.contract_item_id.as_ref() != Some(item)
        {
            return Err(FieldError::new(
                "contract_item_id",
                "已关联合同分项的策略不能改到其他分项，请为新分项新建策略",
                "a policy attached to a contract item cannot move; create one for the other item",
            )
            .into());
        }
        check_refs(&tx, &spec).await?;
        let v = store::sla::update(&tx, id, &spec, Some(&p.user_id), t).await?;
        audit(&tx, p, "update", "sla_policy", id, Some(&before), Some(&v), t).await?;
        tx.commit().await?;
        Ok(v)
    }

    pub async fn delete_policy(&self, p: &Principal, id: &str) -> Result<()> {
        require_registry_write_to(p, self.get_policy(p, id, None)).await?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        let before = store::sla::get(&tx, &Scope::All, id, None).await?.ok_or(AppError::NotFound)?;
        let used = store::tickets::count_by_policy(&tx, id).await?;
        if used > 0 {
            return Err(AppError::conflict(
                None,
                format!("已有 {used} 张工单按该策略计时，不能删除（可新建版本）"),
                format!("{used} tickets run under this policy; save a new version instead"),
            ));
        }
        store::contracts::detach_policy(&tx, id).await?;
        store::sla::delete(&tx, id).await?;
        audit::<_, ()>(&tx, p, "delete", "sla_policy", id, Some(&before), None, t).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Due times of inline targets, or of a policy's level, for a report at `reported_at`.
    pub async fn simulate(&self, p: &Principal, input: SimulateInput, lang: Lang) -> Result<SimulateResult> {
        let mut errors = Vec::new();
        let (reported_at, pauses) = input.parse_times(&mut errors);
        input.check_targets(&mut errors);
        let mut policy = None;
        let (mut targets, mut ooh) = (input.targets.clone(), input.out_of_hours_targets.clone());
        match (&input.policy_id, targets.is_empty()) {
            (Some(id), _) => {
                let v = self.get_policy(p, id, input.policy_version).await?;
                let severity = input.severity.as_deref().unwrap_or("");
                match v.spec.level(severity) {
                    Some(level) => {
                        targets = level.targets.clone();
                        ooh = level.out_of_hours_targets.clone();
                    }
                    None => errors.push(FieldError::new(
                        "severity",
                        format!(
                            "策略中没有这个级别，可选：{}",
                            v.spec.levels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join("、")
                        ),
                        "is not a level of the policy",
                    )),
                }
                policy = Some(v);
            }
            (None, true) => errors.push(FieldError::new(
                "targets",
                "请提供时限，或 policy_id 和 severity",
                "give targets, or policy_id and severity",
            )),
            (None, false) => {}
        }
        let calendar_id = input
            .calendar_id
            .clone()
            .or_else(|| policy.as_ref().map(|v| v.spec.calendar_id.clone()))
            .filter(|s| !s.trim().is_empty());
        if calendar_id.is_none() {
            errors.push(FieldError::required("calendar_id"));
        }
        let (Some(reported_at), Some(calendar_id), true) = (reported_at, calendar_id, errors.is_empty()) else {
            return Err(AppError::Validation(errors));
        };
        let (_, cal) = self.compiled_calendar(&calendar_id).await.map_err(|e| match e {
            AppError::NotFound => FieldError::new("calendar_id", "日历不存在", "no such calendar").into(),
            other => other,
        })?;
        let in_hours = cal.is_working(reported_at.timestamp_micros());
        let mut due = BTreeMap::new();
        for (metric, target) in &targets {
            let (t, out) = match ooh.get(metric) {
                Some(o) if !in_hours => (*o, true),
                _ => (*target, false),
            };
            let mut e = explain(&t, &cal, reported_at, &pauses, lang);
            e.out_of_hours = out;
            due.insert(metric.clone(), e);
        }
        Ok(SimulateResult {
            calendar_id,
            reported_at,
            in_hours,
            policy_id: policy.as_ref().map(|v| v.id.clone()),
            policy_version: policy.as_ref().map(|v| v.version),
            severity: input.severity.filter(|_| policy.is_some()),
            due,
        })
    }
}
