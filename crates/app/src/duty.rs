//! Duty shifts (值班): the vendor's manager (or the bureau) says who is on duty when; a contract
//! item set to `assign_to_duty` hands its new tickets to them. Assignment moves no clock, so the
//! vendor keeps its own roster; every change is audited.

use chrono::{DateTime, Utc};
use domain::duty::{DutyFilter, DutyShift, DutyShiftInput, pick_on_duty};
use domain::list::{ListQuery, Page};
use domain::{FieldError, Principal, Role, Scope};

use crate::{App, AppError, Result, audit};

/// The bureau, or the manager of the contract's own vendor.
fn may_keep_roster(p: &Principal, vendor_id: &str) -> bool {
    p.role == Role::Admin || (p.role == Role::VendorPm && p.vendor_id.as_deref() == Some(vendor_id))
}

impl App {
    pub async fn list_duty(&self, p: &Principal, q: &ListQuery, f: &DutyFilter) -> Result<Page<DutyShift>> {
        let mut f = f.clone();
        if f.mine {
            f.user_id = Some(p.user_id.clone());
        }
        Ok(store::duty::list(&self.store, &p.scope(), q, &f).await?)
    }

    pub async fn add_duty(&self, p: &Principal, input: DutyShiftInput) -> Result<DutyShift> {
        if !matches!(p.role, Role::Admin | Role::VendorPm) {
            return Err(AppError::Forbidden);
        }
        let now = self.business_now();
        let f = input.validate(now)?;
        let contract = store::contracts::get(&self.store, &p.scope(), &f.contract_id)
            .await?
            .ok_or_else(|| FieldError::new("contract_id", "合同不存在", "no such contract"))?;
        if !may_keep_roster(p, &contract.vendor_id) {
            return Err(AppError::Forbidden);
        }
        let person = store::users::get(&self.store, &Scope::All, &f.user_id)
            .await?
            .filter(|u| matches!(u.role, Role::Engineer | Role::VendorPm) && u.works_for(&contract.vendor_id));
        let Some(person) = person else {
            return Err(FieldError::new(
                "user_id",
                "值班人员须为本合同供应商的在职工程师或项目经理",
                "must be an active engineer or project manager of the contract's vendor",
            )
            .into());
        };
        let s = DutyShift {
            id: store::new_id(),
            contract_id: contract.id,
            vendor_id: contract.vendor_id,
            user_name: person.shown_name(),
            user_id: person.id,
            starts_at: f.starts_at,
            ends_at: f.ends_at,
            note: f.note,
            created_by: p.user_id.clone(),
            created_at: now,
        };
        let tx = self.store.begin().await?;
        store::duty::insert(&tx, &s).await.map_err(AppError::unique(
            "starts_at",
            "此人在该合同下已有同一时间开始的班次",
            "this person already has a shift on this contract starting then",
        ))?;
        audit::<(), _>(&tx, p, "create", "duty_shift", &s.id, None, Some(&s), now).await?;
        tx.commit().await?;
        Ok(s)
    }

    /// Removes a shift that has not begun; one that has is the record of who was on duty.
    pub async fn delete_duty(&self, p: &Principal, id: &str) -> Result<()> {
        let s = store::duty::get(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)?;
        if !may_keep_roster(p, &s.vendor_id) {
            return Err(AppError::Forbidden);
        }
        let now = self.business_now();
        let tx = self.store.begin().await?;
        if !store::duty::delete_future(&tx, id, now).await? {
            return Err(AppError::conflict(
                None,
                "已开始的班次不能删除（它是当时值班的记录）",
                "a shift that has begun cannot be deleted (it records who was on duty)",
            ));
        }
        audit::<_, ()>(&tx, p, "delete", "duty_shift", id, Some(&s), None, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Who of `vendor_id` takes a new ticket of `contract_id` at `at` by the duty roster: the
    /// least busy person on duty who still works for the vendor.
    pub(crate) async fn duty_assignee(
        &self,
        contract_id: &str,
        vendor_id: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<String>> {
        let mut on = store::duty::on_duty(&self.store, contract_id, at).await?;
        while let Some(s) = pick_on_duty(&on).cloned() {
            if self.works_for(&s.user_id, vendor_id).await? {
                return Ok(Some(s.user_id));
            }
            on.retain(|(x, _)| x.id != s.id);
        }
        Ok(None)
    }

    /// Whether `user_id` still works for `vendor_id` (active and bound to it): who may be handed
    /// a ticket by a rule.
    pub(crate) async fn works_for(&self, user_id: &str, vendor_id: &str) -> Result<bool> {
        Ok(store::users::get(&self.store, &Scope::All, user_id).await?.is_some_and(|u| u.works_for(vendor_id)))
    }
}
