//! Changes and releases: asked by the vendor (or the bureau), approved in steps by the bureau's
//! rules through the one approval mechanism, carried out and closed with an outcome. A failed
//! change opens an incident; a successful release records the version each system now runs;
//! a change with downtime becomes planned maintenance for its systems only when approved.

mod effect;
mod work;

pub(crate) use effect::effects;

use domain::approvals::{ApprovalKind, StepApprover, StepRule, VerdictInput};
use domain::changes::{
    Change, ChangeFilter, ChangeInput, ChangeRules, ChangeSpec, ChangeStatus, ChangeType, SystemVersion,
};
use domain::list::{ListQuery, Page};
use domain::{FieldError, Msg, Principal, Role, Scope};

use crate::approvals::NewRequest;
use crate::{App, AppError, Result, audit, require_registry_write};

const RULES_KEY: &str = "change_rules";

/// Who asks for changes: the vendor's staff who do the work, and the bureau.
fn may_request(p: &Principal) -> Result<()> {
    match p.role {
        Role::Admin | Role::VendorPm | Role::Engineer => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

/// The requester, the vendor that asked, or the bureau: who may amend, start and close a change.
fn may_work_on(p: &Principal, c: &Change) -> Result<()> {
    let ok = match p.role {
        Role::Admin => true,
        Role::VendorPm | Role::Engineer => {
            p.user_id == c.requested_by || (c.vendor_id.is_some() && c.vendor_id == p.vendor_id)
        }
        _ => false,
    };
    if ok { Ok(()) } else { Err(AppError::Forbidden) }
}

impl App {
    pub async fn change_rules(&self) -> Result<ChangeRules> {
        Ok(match store::approvals::setting(&self.store, RULES_KEY).await? {
            Some(v) => serde_json::from_value(v).unwrap_or_default(),
            None => ChangeRules::default(),
        })
    }

    /// Who approves each type of change: the bureau's rule. A named approver must be an active
    /// administrator.
    pub async fn set_change_rules(&self, p: &Principal, r: ChangeRules) -> Result<ChangeRules> {
        require_registry_write(p)?;
        r.validate()?;
        for (name, steps) in [("standard", &r.standard), ("normal", &r.normal), ("emergency", &r.emergency)] {
            for (i, s) in steps.iter().enumerate() {
                let Some(u) = &s.user_id else { continue };
                let user = store::users::get(&self.store, &Scope::All, u).await?;
                if !user.is_some_and(|u| u.active && u.role == Role::Admin) {
                    return Err(FieldError::new(
                        format!("{name}[{i}].user_id"),
                        "指定的审批人须为在用的数据局管理员账号",
                        "a named approver is an active administrator",
                    )
                    .into());
                }
            }
        }
        let before = self.change_rules().await?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        store::approvals::put_setting(&tx, RULES_KEY, &serde_json::to_value(&r).unwrap_or_default(), now).await?;
        audit(&tx, p, "update", "settings", RULES_KEY, Some(&before), Some(&r), now).await?;
        tx.commit().await?;
        Ok(r)
    }

    pub async fn list_changes(&self, p: &Principal, q: &ListQuery, f: &ChangeFilter) -> Result<Page<Change>> {
        Ok(store::changes::list(&self.store, &p.scope(), q, f).await?)
    }

    pub async fn get_change(&self, p: &Principal, id: &str) -> Result<Change> {
        store::changes::get(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)
    }

    /// The systems a change names, which the caller must see and which must belong to one unit
    /// (a change is approved by one unit): returns that unit.
    async fn change_unit(&self, p: &Principal, spec: &ChangeSpec) -> Result<(String, Vec<String>)> {
        let mut unit: Option<String> = None;
        let mut names = Vec::new();
        for (i, id) in spec.system_ids.iter().enumerate() {
            let field = format!("system_ids[{i}]");
            let s = store::systems::get(&self.store, &p.scope(), id)
                .await?
                .ok_or_else(|| FieldError::new(field.clone(), "系统不存在或无权访问", "no such system"))?;
            if unit.as_ref().is_some_and(|u| *u != s.unit_id) {
                return Err(FieldError::new(
                    field,
                    "一个变更的系统须属于同一单位，请按单位分开申请",
                    "the systems of one change belong to one unit: ask once per unit",
                )
                .into());
            }
            unit = Some(s.unit_id.clone());
            names.push(s.name);
        }
        Ok((unit.ok_or_else(|| FieldError::required("system_ids"))?, names))
    }

    /// The steps by the bureau's rule, a named approver who is no longer an active
    /// administrator standing for the bureau as a whole.
    async fn change_steps(&self, spec: &ChangeSpec, unit_id: &str) -> Result<Vec<StepRule>> {
        let rules = self.change_rules().await?;
        let unit_deciders = store::users::active_ids_by_role(&self.store, Role::UnitUser, Some(unit_id), None).await?;
        let mut steps = rules.steps(spec.change_type, spec.downtime, !unit_deciders.is_empty());
        for s in &mut steps {
            if let Some(u) = &s.user_id {
                let user = store::users::get(&self.store, &Scope::All, u).await?;
                if !user.is_some_and(|u| u.active && u.role == Role::Admin) {
                    *s = StepRule::new(StepApprover::Bureau);
                }
            }
        }
        Ok(steps)
    }

    pub async fn create_change(&self, p: &Principal, input: ChangeInput) -> Result<Change> {
        may_request(p)?;
        let now = self.business_now();
        let spec = input.validate(now)?;
        let (unit_id, names) = self.change_unit(p, &spec).await?;
        let c = Change {
            id: store::new_id(),
            kind: spec.kind,
            change_type: spec.change_type,
            risk: spec.risk,
            title: spec.title.clone(),
            description: spec.description.clone(),
            system_ids: spec.system_ids.clone(),
            unit_id,
            vendor_id: p.vendor_id.clone(),
            planned_start: spec.planned_start,
            planned_end: spec.planned_end,
            plan: spec.plan.clone(),
            rollback_plan: spec.rollback_plan.clone(),
            test_evidence: spec.test_evidence.clone(),
            downtime: spec.downtime,
            version: spec.version.clone(),
            release_plan: spec.release_plan.clone(),
            status: ChangeStatus::PendingApproval,
            approval_id: None,
            approved_at: None,
            started_at: None,
            started_before_approval: false,
            finished_at: None,
            outcome: None,
            outcome_note: None,
            ticket_id: None,
            requested_by: p.user_id.clone(),
            requested_by_name: self.person_name(p).await?,
            created_at: now,
            updated_at: now,
        };
        self.submit_change(p, c, &spec, &names, None).await
    }

    /// Files the change for approval (or approves it at once when its rule has no step), and
    /// stores it: new (`was` none) or amended from `was`.
    async fn submit_change(
        &self,
        p: &Principal,
        mut c: Change,
        spec: &ChangeSpec,
        names: &[String],
        was: Option<ChangeStatus>,
    ) -> Result<Change> {
        let now = self.business_now();
        let steps = self.change_steps(spec, &c.unit_id).await?;
        let store_it = async |tx: &store::Tx, c: &Change| -> Result<()> {
            match was {
                None => store::changes::insert(tx, c).await?,
                Some(w) => {
                    if !store::changes::save_if(tx, c, w).await? {
                        return Err(moved());
                    }
                }
            }
            Ok(())
        };
        if steps.is_empty() {
            c.status = ChangeStatus::Approved;
            c.approved_at = Some(now);
            c.approval_id = None;
            let tx = self.store.begin().await?;
            store_it(&tx, &c).await?;
            audit::<(), _>(&tx, p, "create", "change", &c.id, None, Some(&c), now).await?;
            tx.commit().await?;
            return Ok(c);
        }
        let systems = names.join("、");
        let title = Msg::new(
            format!("{}：{}（{}）", c.change_type.label().zh, c.title, systems),
            format!("{} change: {} ({})", c.change_type.label().en, c.title, systems),
        );
        let request = NewRequest {
            kind: ApprovalKind::Change,
            subject_type: "change",
            subject_id: Some(c.id.clone()),
            system_id: c.system_ids.first().cloned(),
            unit_id: Some(c.unit_id.clone()),
            vendor_id: c.vendor_id.clone(),
            title,
            proposed: serde_json::to_value(&c).unwrap_or_default(),
            current: None,
            reason: c.description.clone(),
            payload: serde_json::json!({}),
        };
        let mut stored = c.clone();
        let a = self
            .request_approval_in_steps(p, request, &steps, async |tx, a| {
                stored.status = ChangeStatus::PendingApproval;
                stored.approval_id = Some(a.id.clone());
                store_it(tx, &stored).await?;
                let action = if was.is_some() { "resubmit" } else { "create" };
                audit::<(), _>(tx, p, action, "change", &stored.id, None, Some(&stored), now).await
            })
            .await?;
        c.status = ChangeStatus::PendingApproval;
        c.approval_id = Some(a.id);
        Ok(c)
    }

    /// A returned change, amended and asked again (its requester, the vendor or the bureau).
    pub async fn amend_change(&self, p: &Principal, id: &str, input: ChangeInput) -> Result<Change> {
        may_request(p)?;
        let before = self.get_change(p, id).await?;
        may_work_on(p, &before)?;
        if before.status != ChangeStatus::Returned {
            return Err(AppError::conflict(
                Some("status"),
                "只有被退回的变更可以修改后重新提交",
                "only a change returned for changes is amended and asked again",
            ));
        }
        let now = self.business_now();
        let spec = input.validate(now)?;
        let (unit_id, names) = self.change_unit(p, &spec).await?;
        let c = Change {
            kind: spec.kind,
            change_type: spec.change_type,
            risk: spec.risk,
            title: spec.title.clone(),
            description: spec.description.clone(),
            system_ids: spec.system_ids.clone(),
            unit_id,
            planned_start: spec.planned_start,
            planned_end: spec.planned_end,
            plan: spec.plan.clone(),
            rollback_plan: spec.rollback_plan.clone(),
            test_evidence: spec.test_evidence.clone(),
            downtime: spec.downtime,
            version: spec.version.clone(),
            release_plan: spec.release_plan.clone(),
            updated_at: now,
            ..before
        };
        self.submit_change(p, c, &spec, &names, Some(ChangeStatus::Returned)).await
    }

    /// A decision on the change's pending approval (`POST /changes/{id}/approvals`).
    pub async fn decide_change(&self, p: &Principal, id: &str, input: VerdictInput) -> Result<Change> {
        let decision = input.decision()?;
        let c = self.get_change(p, id).await?;
        // An emergency change may be decided after it started or even ended: the decision is
        // still the record of whether it was approved.
        let Some(approval) = c.approval_id.clone().filter(|_| c.status != ChangeStatus::Returned) else {
            return Err(AppError::conflict(
                Some("status"),
                "该变更没有待审批的申请",
                "the change has no pending approval",
            ));
        };
        let comment = domain::approvals::DecisionInput { comment: input.comment };
        self.decide_approval(p, &approval, decision, comment).await?;
        self.get_change(p, id).await
    }

    /// The versions a system has run, newest first.
    pub async fn system_versions(&self, p: &Principal, system_id: &str) -> Result<Vec<SystemVersion>> {
        let s = store::systems::get(&self.store, &p.scope(), system_id).await?.ok_or(AppError::NotFound)?;
        Ok(store::changes::versions(&self.store, &s.id).await?)
    }
}

fn moved() -> AppError {
    AppError::conflict(
        Some("status"),
        "该变更的状态已被他人改变，请刷新",
        "the change was moved by someone else; reload it",
    )
}

/// Whether an emergency change may start before its approval.
fn may_start_unapproved(c: &Change) -> bool {
    c.change_type == ChangeType::Emergency && c.status == ChangeStatus::PendingApproval
}
