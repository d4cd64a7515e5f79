//! Delegations: a decider who will be away hands their decisions to a colleague for a few
//! days. A delegate decides only what the person they stand in for could decide, never their
//! own request, and the decision records both names. Only people who decide can delegate, and
//! only to someone of the same role (and unit): vendor staff never decide.

use domain::approvals::{Delegation, DelegationInput, Delegator, may_delegate_to};
use domain::{FieldError, Msg, Principal, Role, Scope};

use crate::{App, AppError, Result, audit, bureau_date};

impl App {
    /// The people who handed their decisions to `p` for today (still active, still of a role
    /// that may hand them to `p`).
    pub(crate) async fn delegators_of(&self, p: &Principal) -> Result<Vec<Delegator>> {
        if !matches!(p.role, Role::Admin | Role::UnitUser) {
            return Ok(vec![]);
        }
        let today = bureau_date(self.business_now());
        let mut out = Vec::new();
        for id in store::approvals::delegators(&self.store, &p.user_id, today).await? {
            let Some(u) = store::users::get(&self.store, &Scope::All, &id).await? else { continue };
            if u.active && may_delegate_to((u.role, u.unit_id.as_deref()), (p.role, p.unit_id.as_deref())) {
                let name = domain::registry::shown_name(u.display_name.as_deref(), &u.username);
                out.push(Delegator { user_id: u.id, name, role: u.role, unit_id: u.unit_id });
            }
        }
        Ok(out)
    }

    /// The caller's delegations, given and received, not yet over; the bureau sees everyone's.
    pub async fn list_delegations(&self, p: &Principal) -> Result<Vec<Delegation>> {
        let today = bureau_date(self.business_now());
        let who = (p.role != Role::Admin).then_some(p.user_id.as_str());
        Ok(store::approvals::delegations(&self.store, who, today).await?)
    }

    pub async fn add_delegation(&self, p: &Principal, input: DelegationInput) -> Result<Delegation> {
        if !matches!(p.role, Role::Admin | Role::UnitUser) {
            return Err(AppError::Forbidden);
        }
        let now = self.business_now();
        let d = input.validate(bureau_date(now))?;
        let not_allowed = || {
            FieldError::new(
                "delegate_id",
                "只能委托给同一角色（单位用户须同一单位）的在用账号",
                "delegate to an active account of the same role (and the same unit for a unit's user)",
            )
        };
        if d.delegate_id == p.user_id {
            return Err(FieldError::new("delegate_id", "不能委托给自己", "cannot delegate to oneself").into());
        }
        let to = store::users::get(&self.store, &Scope::All, &d.delegate_id).await?.ok_or_else(not_allowed)?;
        if !to.active || !may_delegate_to((p.role, p.unit_id.as_deref()), (to.role, to.unit_id.as_deref())) {
            return Err(not_allowed().into());
        }
        let row = Delegation {
            id: store::new_id(),
            user_id: p.user_id.clone(),
            user_name: self.person_name(p).await?,
            delegate_id: to.id.clone(),
            delegate_name: domain::registry::shown_name(to.display_name.as_deref(), &to.username),
            starts_on: d.starts_on,
            ends_on: d.ends_on,
            reason: d.reason,
            created_at: now,
            revoked_at: None,
        };
        let tx = self.store.begin().await?;
        store::approvals::insert_delegation(&tx, &row).await?;
        audit::<(), _>(&tx, p, "create", "approval_delegation", &row.id, None, Some(&row), now).await?;
        let title = Msg::new("审批委托", "Approval delegation");
        let body = Msg::new(
            format!("{} 于 {} 至 {} 委托您代为审批", row.user_name, row.starts_on, row.ends_on),
            format!("{} asks you to decide in their place from {} to {}", row.user_name, row.starts_on, row.ends_on),
        );
        let notice = store::notifications::Notice {
            ticket_id: None,
            kind: "approval",
            title: &title,
            body: &body,
            urgent: false,
        };
        store::notifications::add(&tx, std::slice::from_ref(&row.delegate_id), &notice, now).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Ends a delegation now: the one who gave it, or the bureau.
    pub async fn revoke_delegation(&self, p: &Principal, id: &str) -> Result<Delegation> {
        let before = store::approvals::get_delegation(&self.store, id).await?.ok_or(AppError::NotFound)?;
        if before.user_id != p.user_id && p.role != Role::Admin {
            return Err(if before.delegate_id == p.user_id { AppError::Forbidden } else { AppError::NotFound });
        }
        let now = self.business_now();
        let tx = self.store.begin().await?;
        if !store::approvals::revoke_delegation(&tx, id, now).await? {
            return Err(AppError::conflict(None, "该委托已撤销", "the delegation was already revoked"));
        }
        let after = Delegation { revoked_at: Some(now), ..before.clone() };
        audit(&tx, p, "revoke", "approval_delegation", id, Some(&before), Some(&after), now).await?;
        tx.commit().await?;
        Ok(after)
    }
}
