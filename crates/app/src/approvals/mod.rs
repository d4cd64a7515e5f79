//! The one approval mechanism (DESIGN.md): a feature that needs consent stores a request with
//! `request_approval`; whoever may decide finds it in their inbox and approves or rejects it
//! with a comment; an approval carries it out through the `Effect` the feature registered, in
//! the same transaction as the decision. Every step is audited and the people concerned hear of
//! it (in-app notifications, kind `approval`).
//!
//! To add a kind: a variant of `domain::approvals::ApprovalKind`, an `Effect` in the feature's
//! own module, and its registration in `Effects::standard`.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
mod delegations;
mod files;

pub use domain::approvals::ApprovalFilter;
use domain::approvals::{
    Approval, ApprovalKind, ApprovalSettings, ApprovalStatus, ApprovalStep, Decision, DecisionInput, Delegator,
    StepApprover, StepRule, StepStatus, Waiting,
};
use domain::list::{ListQuery, Page};
use domain::{Msg, Principal, Role};
pub use files::MAX_FILES;
use store::Tx;

use crate::{App, AppError, Result, audit};

const SETTINGS_KEY: &str = "approvals";

/// What an approved request does, registered by the feature that owns the kind.
#[async_trait::async_trait]
pub(crate) trait Effect: Send + Sync {
    fn kind(&self) -> ApprovalKind;

    /// Carries out the request inside the decision's transaction, on behalf of the requester
    /// (`requester`), at `now`. An error undoes the decision too: the request stays pending
    /// (e.g. the subject changed since it was asked; the decider can reject it instead).
    async fn apply(
        &self,
        app: &App,
        tx: &Tx,
        request: &Approval,
        requester: &Principal,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// What follows outside the database once the decision is committed (the probe runner).
    async fn after_commit(&self, _app: &App, _request: &Approval) {}

    /// Inside the transaction that approves a step with more to follow.
    async fn step_approved(&self, _app: &App, _tx: &Tx, _request: &Approval) -> Result<()> {
        Ok(())
    }

    /// Inside the transaction that rejects, returns or withdraws the request (or closes it with its
    /// subject): lets go of what the request held (findings marked as under it).
    async fn closed(&self, _app: &App, _tx: &Tx, _request: &Approval) -> Result<()> {
        Ok(())
    }
}

/// The registered effects by kind.
#[derive(Clone, Default)]
pub(crate) struct Effects(Arc<HashMap<ApprovalKind, Arc<dyn Effect>>>);

impl Effects {
    /// Every kind the features of this build register.
    pub(crate) fn standard() -> Effects {
        let all: Vec<Arc<dyn Effect>> = [
            crate::monitoring::requests::effects(),
            crate::inspections::requests::effects(),
            crate::tickets::requests::effects(),
            crate::assessments::effects(),
            crate::vulnerabilities::effects(),
            crate::changes::effects(),
        ]
        .into_iter()
        .flatten()
        .collect();
        Effects(Arc::new(all.into_iter().map(|e| (e.kind(), e)).collect()))
    }

    fn get(&self, kind: ApprovalKind) -> Result<Arc<dyn Effect>> {
        self.0.get(&kind).cloned().ok_or_else(|| AppError::internal(format!("no effect for {}", kind.as_str())))
    }
}

/// A request as a feature files it.
pub(crate) struct NewRequest {
    pub kind: ApprovalKind,
    pub subject_type: &'static str,
    pub subject_id: Option<String>,
    pub system_id: Option<String>,
    pub unit_id: Option<String>,
    pub vendor_id: Option<String>,
    pub title: Msg,
    pub proposed: serde_json::Value,
    pub current: Option<serde_json::Value>,
    pub reason: Option<String>,
    /// What the effect will need; kept private (`Approval::payload`).
    pub payload: serde_json::Value,
}

/// A request's reason as sent: trimmed, at most 2,000 characters (a longer one is refused,
/// naming `reason`).
pub(crate) fn reason(raw: Option<&str>) -> Result<Option<String>> {
    let mut c = domain::error::Checker::default();
    let r = c.optional_text("reason", raw, 2000);
    c.finish()?;
    Ok(r)
}

/// The requester as they were when they asked, to act in their name once approved.
fn requester(a: &Approval) -> Principal {
    Principal {
        user_id: a.requested_by.clone(),
        username: a.requested_by_name.clone(),
        role: a.requester_role,
        unit_id: if a.requester_role == Role::UnitUser { a.unit_id.clone() } else { None },
        vendor_id: if matches!(a.requester_role, Role::VendorPm | Role::Engineer) { a.vendor_id.clone() } else { None },
    }
}

impl App {
    pub async fn approval_settings(&self) -> Result<ApprovalSettings> {
        Ok(match store::approvals::setting(&self.store, SETTINGS_KEY).await? {
            Some(v) => serde_json::from_value(v).unwrap_or_default(),
            None => ApprovalSettings::default(),
        })
    }

    /// Which kinds units may decide for their own systems and tickets: the bureau's choice.
    pub async fn set_approval_settings(&self, p: &Principal, s: ApprovalSettings) -> Result<ApprovalSettings> {
        crate::require_registry_write(p)?;
        let before = self.approval_settings().await?;
        let mut s = s;
        s.unit_decides.sort();
        s.unit_decides.dedup();
        let now = self.business_now();
        let tx = self.store.begin().await?;
        store::approvals::put_setting(&tx, SETTINGS_KEY, &serde_json::to_value(&s).unwrap_or_default(), now).await?;
        audit(&tx, p, "update", "settings", SETTINGS_KEY, Some(&before), Some(&s), now).await?;
        tx.commit().await?;
        Ok(s)
    }

    /// Files a request and tells those who may decide. A subject with a pending request gets
    /// 409: the first is decided or withdrawn before another is made.
    pub(crate) async fn request_approval(&self, p: &Principal, r: NewRequest) -> Result<Approval> {
        self.request_approval_with(p, r, async |_, _| Ok(())).await
    }

    /// `request_approval`, with `hold` run inside the request's transaction once the request is
    /// stored: a feature marks what the request is about (atomically, so two requests cannot
    /// hold the same thing), and an error from it stores nothing.
    pub(crate) async fn request_approval_with(
        &self,
        p: &Principal,
        r: NewRequest,
        hold: impl AsyncFnOnce(&Tx, &Approval) -> Result<()>,
    ) -> Result<Approval> {
        self.file_request(p, r, &[], hold).await
    }

    /// A request decided in `steps`, in turn (none: one decision, as `request_approval`).
    pub(crate) async fn request_approval_in_steps(
        &self,
        p: &Principal,
        r: NewRequest,
        steps: &[StepRule],
        hold: impl AsyncFnOnce(&Tx, &Approval) -> Result<()>,
    ) -> Result<Approval> {
        self.file_request(p, r, steps, hold).await
    }

    async fn file_request(
        &self,
        p: &Principal,
        r: NewRequest,
        steps: &[StepRule],
        hold: impl AsyncFnOnce(&Tx, &Approval) -> Result<()>,
    ) -> Result<Approval> {
        let settings = self.approval_settings().await?;
        let now = self.business_now();
        let a = Approval {
            id: store::new_id(),
            kind: r.kind,
            subject_type: r.subject_type.to_string(),
            subject_id: r.subject_id,
            system_id: r.system_id,
            unit_may_decide: steps.is_empty() && r.unit_id.is_some() && settings.unit_decides.contains(&r.kind),
            steps: steps.iter().map(ApprovalStep::waiting).collect(),
            current_step: 0,
            unit_id: r.unit_id,
            vendor_id: r.vendor_id,
            title: r.title.zh,
            title_en: r.title.en,
            proposed: r.proposed,
            current: r.current,
            reason: r.reason,
            payload: r.payload,
            status: ApprovalStatus::Pending,
            requested_by: p.user_id.clone(),
            requested_by_name: self.person_name(p).await?,
            requester_role: p.role,
            requested_at: now,
            decided_by: None,
            decided_by_name: None,
            decided_at: None,
            comment: None,
            can_decide: false,
        };
        let tx = self.store.begin().await?;
        store::approvals::insert(&tx, &a).await.map_err(AppError::unique(
            "subject",
            "该对象已有待审批的申请，请等待审批结果或先撤回",
            "a request about this is already pending; wait for the decision or withdraw it",
        ))?;
        hold(&tx, &a).await?;
        audit::<(), _>(&tx, p, "request", "approval", &a.id, None, Some(&a), now).await?;
        let mut deciders = self.deciders(&tx, &a).await?;
        deciders.retain(|u| *u != p.user_id);
        let label = a.kind.label();
        let title = Msg::new(format!("待审批：{}", label.zh), format!("To approve: {}", label.en));
        let body = Msg::new(
            format!("{}（{}）", a.title, a.requested_by_name),
            format!("{} ({})", a.title_en, a.requested_by_name),
        );
        let notice = store::notifications::Notice {
            ticket_id: ticket_of(&a),
            kind: "approval",
            title: &title,
            body: &body,
            urgent: false,
        };
        store::notifications::add(&tx, &deciders, &notice, now).await?;
        tx.commit().await?;
        Ok(a)
    }

    /// Who may decide the request now (its waiting step), to tell them: the people the step
    /// names or the role and unit it names, and whoever stands in for them today.
    async fn deciders(&self, tx: &Tx, a: &Approval) -> Result<Vec<String>> {
        let mut out = match a.steps.get(a.current_step) {
            None => {
                let mut ids = store::users::active_ids_by_role(tx, Role::Admin, None, None).await?;
                if a.unit_may_decide {
                    ids.extend(store::users::active_ids_by_role(tx, Role::UnitUser, a.unit_id.as_deref(), None).await?);
                }
                ids
            }
            Some(ApprovalStep { user_id: Some(u), .. }) => vec![u.clone()],
            Some(ApprovalStep { approver: StepApprover::Bureau, .. }) => {
                store::users::active_ids_by_role(tx, Role::Admin, None, None).await?
            }
            Some(ApprovalStep { approver: StepApprover::Unit, .. }) => match a.unit_id.as_deref() {
                Some(u) => store::users::active_ids_by_role(tx, Role::UnitUser, Some(u), None).await?,
                None => vec![],
            },
        };
        if let Some(ApprovalStep { user_id: Some(u), .. }) = a.steps.get(a.current_step) {
            let today = crate::bureau_date(self.business_now());
            for d in store::approvals::delegations(tx, Some(u), today).await? {
                if d.user_id == *u && d.starts_on <= today {
                    out.push(d.delegate_id);
                }
            }
        }
        out.retain(|u| *u != a.requested_by);
        out.sort();
        out.dedup();
        Ok(out)
    }

    pub(crate) fn with_caller(p: &Principal, mut a: Approval) -> Approval {
        a.can_decide = a.may_decide(p);
        a
    }

    fn with_delegators(p: &Principal, mut a: Approval, delegators: &[Delegator]) -> Approval {
        a.can_decide = a.decides_as(p, delegators).is_some();
        a
    }

    /// Requests the caller may see. `mine`: only those waiting for the caller's decision.
    pub async fn list_approvals(
        &self,
        p: &Principal,
        q: &ListQuery,
        mut f: ApprovalFilter,
        mine: bool,
    ) -> Result<Page<Approval>> {
        let delegators = self.delegators_of(p).await?;
        if mine {
            f.requested_by = None;
            match p.role {
                Role::Admin | Role::UnitUser => {
                    f.status = Some(ApprovalStatus::Pending);
                    let mut people = vec![p.user_id.clone()];
                    people.extend(delegators.iter().map(|d| d.user_id.clone()));
                    f.waiting_for = Some(Waiting {
                        bureau: p.role == Role::Admin,
                        unit_id: if p.role == Role::UnitUser { p.unit_id.clone() } else { None },
                        people,
                    });
                }
                // Vendor staff and auditors decide nothing: their "mine" is what they asked.
                _ => f.requested_by = Some(p.user_id.clone()),
            }
        }
        let page = store::approvals::list(&self.store, &p.scope(), q, &f).await?;
        let items = page.items.into_iter().map(|a| Self::with_delegators(p, a, &delegators)).collect();
        Ok(Page { items, ..page })
    }

    pub async fn get_approval(&self, p: &Principal, id: &str) -> Result<Approval> {
        let a = store::approvals::get(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)?;
        let delegators = self.delegators_of(p).await?;
        Ok(Self::with_delegators(p, a, &delegators))
    }

    /// Approves the waiting step (the last approval carries the request out), or rejects the
    /// request, or returns it to the requester to amend (a comment is required for both).
    pub async fn decide_approval(
        &self,
        p: &Principal,
        id: &str,
        decision: Decision,
        input: DecisionInput,
    ) -> Result<Approval> {
        let a = self.get_approval(p, id).await?;
        if a.status != ApprovalStatus::Pending {
            return Err(already_decided());
        }
        let delegators = self.delegators_of(p).await?;
        let Some(on_behalf) = a.decides_as(p, &delegators).map(|d| d.cloned()) else {
            return Err(AppError::Forbidden);
        };
        let comment = input.validate(decision != Decision::Approve)?;
        let effect = self.effects.get(a.kind)?;
        let name = self.person_name(p).await?;
        let now = self.business_now();
        let closing = |last: bool| match decision {
            Decision::Approve if !last => ApprovalStatus::Pending,
            Decision::Approve => ApprovalStatus::Approved,
            Decision::Reject => ApprovalStatus::Rejected,
            Decision::Return => ApprovalStatus::Returned,
        };
        let tx = self.store.begin().await?;
        let mut decided = a.clone();
        if a.steps.is_empty() {
            decided.status = closing(true);
            if !store::approvals::decide(&tx, &a.id, decided.status, (&p.user_id, &name), comment.as_deref(), now)
                .await?
            {
                return Err(already_decided());
            }
        } else {
            let k = a.current_step;
            let step = &mut decided.steps[k];
            step.status = match decision {
                Decision::Approve => StepStatus::Approved,
                Decision::Reject => StepStatus::Rejected,
                Decision::Return => StepStatus::Returned,
            };
            step.decided_by = Some(p.user_id.clone());
            step.decided_by_name = Some(name.clone());
            step.on_behalf_of = on_behalf.as_ref().map(|d| d.user_id.clone());
            step.on_behalf_of_name = on_behalf.as_ref().map(|d| d.name.clone());
            step.decided_at = Some(now);
            step.comment = comment.clone();
            decided.status = closing(k + 1 == a.steps.len());
            decided.current_step = k + 1;
            let by = (p.user_id.as_str(), name.as_str());
            if !store::approvals::decide_step(
                &tx,
                &a.id,
                k,
                &decided.steps,
                decided.status,
                by,
                comment.as_deref(),
                now,
            )
            .await?
            {
                return Err(already_decided());
            }
        }
        if decided.status != ApprovalStatus::Pending {
            decided.decided_by = Some(p.user_id.clone());
            decided.decided_by_name = Some(name.clone());
            decided.decided_at = Some(now);
            decided.comment = comment.clone();
        }
        match decided.status {
            ApprovalStatus::Approved => effect.apply(self, &tx, &decided, &requester(&a), now).await?,
            ApprovalStatus::Pending => effect.step_approved(self, &tx, &decided).await?,
            _ => effect.closed(self, &tx, &decided).await?,
        }
        let action = match decision {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
            Decision::Return => "return",
        };
        audit(&tx, p, action, "approval", &a.id, Some(&a), Some(&decided), now).await?;
        let verdict = match decided.status {
            ApprovalStatus::Pending => {
                Msg::new(format!("第 {} 步已同意", a.current_step + 1), format!("step {} approved", a.current_step + 1))
            }
            s => s.label(),
        };
        let title = Msg::new(
            format!("申请{}：{}", verdict.zh, a.kind.label().zh),
            format!("Request {}: {}", verdict.en, a.kind.label().en),
        );
        let comment = decided.comment.as_deref().or(comment.as_deref());
        let body = Msg::new(
            format!("{}{}", a.title, comment.map(|c| format!("（{c}）")).unwrap_or_default()),
            format!("{}{}", a.title_en, comment.map(|c| format!(" ({c})")).unwrap_or_default()),
        );
        let requester = std::slice::from_ref(&a.requested_by);
        let notice = store::notifications::Notice {
            ticket_id: ticket_of(&a),
            kind: "approval",
            title: &title,
            body: &body,
            urgent: false,
        };
        store::notifications::add(&tx, requester, &notice, now).await?;
        if decided.status == ApprovalStatus::Pending {
            let next = self.deciders(&tx, &decided).await?;
            let label = a.kind.label();
            let title = Msg::new(format!("待审批：{}", label.zh), format!("To approve: {}", label.en));
            let body = Msg::new(
                format!("{}（{}）", a.title, a.requested_by_name),
                format!("{} ({})", a.title_en, a.requested_by_name),
            );
            let notice = store::notifications::Notice { title: &title, body: &body, ..notice };
            store::notifications::add(&tx, &next, &notice, now).await?;
        }
        tx.commit().await?;
        if decided.status == ApprovalStatus::Approved {
            effect.after_commit(self, &decided).await;
        }
        Ok(Self::with_delegators(p, decided, &delegators))
    }

    /// The requester takes a pending request back.
    pub async fn withdraw_approval(&self, p: &Principal, id: &str) -> Result<Approval> {
        let a = self.get_approval(p, id).await?;
        if a.requested_by != p.user_id {
            return Err(AppError::Forbidden);
        }
        let now = self.business_now();
        let name = a.requested_by_name.clone();
        let effect = self.effects.get(a.kind)?;
        let tx = self.store.begin().await?;
        if !store::approvals::decide(&tx, &a.id, ApprovalStatus::Withdrawn, (&p.user_id, &name), None, now).await? {
            return Err(already_decided());
        }
        effect.closed(self, &tx, &a).await?;
        let after = Approval {
            status: ApprovalStatus::Withdrawn,
            decided_by: Some(p.user_id.clone()),
            decided_by_name: Some(name),
            decided_at: Some(now),
            ..a.clone()
        };
        audit(&tx, p, "withdraw", "approval", &a.id, Some(&a), Some(&after), now).await?;
        tx.commit().await?;
        Ok(Self::with_caller(p, after))
    }

    /// Closes the pending requests about a subject that is going away (inside its deletion).
    pub(crate) async fn close_requests_about(
        &self,
        tx: &Tx,
        p: &Principal,
        subject_type: &str,
        subject_id: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        for a in store::approvals::pending_for(tx, subject_type, subject_id).await? {
            let comment = "对象已被删除，申请自动关闭";
            store::approvals::decide(
                tx,
                &a.id,
                ApprovalStatus::Rejected,
                (&p.user_id, &p.username),
                Some(comment),
                now,
            )
            .await?;
            self.effects.get(a.kind)?.closed(self, tx, &a).await?;
            audit(tx, p, "reject", "approval", &a.id, Some(&a), Some(&serde_json::json!({"comment": comment})), now)
                .await?;
        }
        Ok(())
    }

    /// The name people know someone by (their display name), for records others read.
    pub(crate) async fn person_name(&self, p: &Principal) -> Result<String> {
        Ok(store::users::get(&self.store, &domain::Scope::All, &p.user_id)
            .await?
            .and_then(|u| u.display_name)
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| p.username.clone()))
    }
}

/// The ticket a request is about, so its notification opens the ticket.
fn ticket_of(a: &Approval) -> Option<&str> {
    (a.subject_type == "ticket").then_some(a.subject_id.as_deref()).flatten()
}

fn already_decided() -> AppError {
    AppError::conflict(None, "该申请已处理或已撤回", "the request was already decided or withdrawn")
}
