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
mod files;

pub use domain::approvals::ApprovalFilter;
use domain::approvals::{Approval, ApprovalKind, ApprovalSettings, ApprovalStatus, DecisionInput};
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

    /// Inside the transaction that rejects or withdraws the request (or closes it with its
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
        let settings = self.approval_settings().await?;
        let now = self.business_now();
        let a = Approval {
            id: store::new_id(),
            kind: r.kind,
            subject_type: r.subject_type.to_string(),
            subject_id: r.subject_id,
            system_id: r.system_id,
            unit_may_decide: r.unit_id.is_some() && settings.unit_decides.contains(&r.kind),
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
        let mut deciders = store::users::active_ids_by_role(&tx, Role::Admin, None, None).await?;
        if a.unit_may_decide {
            deciders.extend(store::users::active_ids_by_role(&tx, Role::UnitUser, a.unit_id.as_deref(), None).await?);
        }
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

    pub(crate) fn with_caller(p: &Principal, mut a: Approval) -> Approval {
        a.can_decide = a.may_decide(p);
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
        if mine {
            match p.role {
                Role::Admin => f.status = Some(ApprovalStatus::Pending),
                Role::UnitUser => {
                    f.status = Some(ApprovalStatus::Pending);
                    f.decidable_by_unit = Some(p.unit_id.clone().unwrap_or_default());
                }
                // Vendor staff and auditors decide nothing: their "mine" is what they asked.
                _ => f.requested_by = Some(p.user_id.clone()),
            }
        }
        let page = store::approvals::list(&self.store, &p.scope(), q, &f).await?;
        Ok(Page { items: page.items.into_iter().map(|a| Self::with_caller(p, a)).collect(), ..page })
    }

    pub async fn get_approval(&self, p: &Principal, id: &str) -> Result<Approval> {
        let a = store::approvals::get(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)?;
        Ok(Self::with_caller(p, a))
    }

    /// Approves and carries out the request, or rejects it (a comment is required).
    pub async fn decide_approval(
        &self,
        p: &Principal,
        id: &str,
        approve: bool,
        input: DecisionInput,
    ) -> Result<Approval> {
        let a = self.get_approval(p, id).await?;
        if a.status != ApprovalStatus::Pending {
            return Err(already_decided());
        }
        if !a.may_decide(p) {
            return Err(AppError::Forbidden);
        }
        let comment = input.validate(!approve)?;
        let effect = self.effects.get(a.kind)?;
        let status = if approve { ApprovalStatus::Approved } else { ApprovalStatus::Rejected };
        let name = self.person_name(p).await?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        if !store::approvals::decide(&tx, &a.id, status, (&p.user_id, &name), comment.as_deref(), now).await? {
            return Err(already_decided());
        }
        let decided = Approval {
            status,
            decided_by: Some(p.user_id.clone()),
            decided_by_name: Some(name),
            decided_at: Some(now),
            comment,
            ..a.clone()
        };
        if approve {
            effect.apply(self, &tx, &decided, &requester(&a), now).await?;
        } else {
            effect.closed(self, &tx, &decided).await?;
        }
        let action = if approve { "approve" } else { "reject" };
        audit(&tx, p, action, "approval", &a.id, Some(&a), Some(&decided), now).await?;
        let verdict = status.label();
        let title = Msg::new(
            format!("申请{}：{}", verdict.zh, a.kind.label().zh),
            format!("Request {}: {}", verdict.en, a.kind.label().en),
        );
        let comment = decided.comment.as_deref();
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
        tx.commit().await?;
        if approve {
            effect.after_commit(self, &decided).await;
        }
        Ok(Self::with_caller(p, decided))
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
