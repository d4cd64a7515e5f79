//! The vulnerability ledger (漏洞台账): findings entered by hand or imported from scanners,
//! worked by the vendor to a fix the bureau can check, with a fix clock from the contract's
//! vulnerability policy. What would excuse a finding (false positive, accepted risk) or pause
//! its clock is a request the bureau decides (`requests`); imports are in `imports`.

pub(crate) mod clocks;
mod export;
mod imports;
mod requests;

use chrono::{DateTime, Utc};
use domain::list::{ListQuery, Page};
use domain::tickets::input::TicketInput;
use domain::vulnerabilities::clock::Change;
use domain::vulnerabilities::{
    BulkInput, BulkResult, Finding, Move, Permit, TicketLinkInput, VulnAssignInput, VulnDetail, VulnEvent, VulnFilter,
    VulnStatus, VulnTransitionInput, Vulnerability, VulnerabilityInput,
};
use domain::{FieldError, Lang, Principal, Role, Scope};
pub use imports::{ImportFile, ImportOptions, ImportTarget, MAX_SCAN_BYTES};
pub(crate) use requests::effects;
use serde_json::json;
use store::Tx;

use self::clocks::{FixRulesCache, changes_of};
use crate::{App, AppError, Applied, Result, audit};

/// Vendor staff and the bureau record and work findings; units and auditors read.
fn may_work(p: &Principal) -> Result<()> {
    match p.role {
        Role::Admin | Role::VendorPm | Role::Engineer => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

/// A history entry by `p`, known by `name` (their display name; the system's acts read 系统).
pub(crate) fn event(p: &Principal, name: &str, id: &str, at: DateTime<Utc>, kind: &str) -> VulnEvent {
    VulnEvent {
        id: store::new_id(),
        vulnerability_id: id.to_string(),
        at,
        kind: kind.to_string(),
        from_status: None,
        to_status: None,
        actor_id: (p.user_id != "system").then(|| p.user_id.clone()),
        actor_name: if p.user_id == "system" { "系统".into() } else { name.to_string() },
        note: None,
        data: json!({}),
    }
}

fn changed_meanwhile() -> AppError {
    AppError::conflict(None, "该漏洞刚被他人修改，请刷新后重试", "the finding changed meanwhile; reload and try again")
}

fn not_allowed(from: VulnStatus) -> AppError {
    let allowed: Vec<&str> = from.next().iter().map(|s| s.as_str()).collect();
    AppError::conflict(
        Some("to"),
        format!("当前状态“{}”不能转到该状态，可转到：{}", from.label().zh, allowed.join("、")),
        format!("cannot move from {} there; allowed: {}", from.as_str(), allowed.join(", ")),
    )
}

impl App {
    /// An assignee works for the vendor maintaining the system now (or is an administrator).
    async fn check_fix_assignee(&self, system_id: &str, id: &str) -> Result<()> {
        let vendor = self.coverage_at(system_id, self.business_now()).await?.map(|c| c.vendor_id);
        let user = store::users::get(&self.store, &Scope::All, id).await?;
        let ok = user.is_some_and(|u| {
            u.active
                && (u.role == Role::Admin
                    || (matches!(u.role, Role::Engineer | Role::VendorPm)
                        && u.vendor_id.is_some()
                        && u.vendor_id == vendor))
        });
        if ok {
            Ok(())
        } else {
            Err(FieldError::new(
                "assignee_id",
                "处理人须为维护该系统的供应商的在职人员",
                "must work for the system's vendor",
            )
            .into())
        }
    }

    /// Records a finding by hand. Its fix clock starts when it was found, under the policy of
    /// the contract item covering the system then; a finding the ledger holds (same check,
    /// same place) is 409.
    pub async fn create_vulnerability(
        &self,
        p: &Principal,
        input: VulnerabilityInput,
        lang: Lang,
    ) -> Result<VulnDetail> {
        may_work(p)?;
        let now = self.business_now();
        let f = input.validate(now)?;
        let Some(system) = store::systems::get(&self.store, &p.scope(), &f.system_id).await? else {
            return Err(FieldError::new("system_id", "信息系统不存在", "no such system").into());
        };
        if let Some(a) = &f.asset_id {
            let asset = store::assets::get(&self.store, &p.scope(), a).await?;
            if asset.is_none_or(|a| a.system_id.as_deref() != Some(system.id.as_str())) {
                return Err(
                    FieldError::new("asset_id", "资产不存在或不属于该系统", "no such asset on this system").into()
                );
            }
        }
        if let Some(a) = &f.assignee_id {
            self.check_fix_assignee(&system.id, a).await?;
        }
        let found_at = f.found_at.unwrap_or(now);
        let policy = self.fix_policy_for(&system.id, found_at).await?;
        let mut v = new_row(p, &f, system.unit_id.clone(), policy.as_ref(), None, now);
        let terms = self.fix_terms(&v, None, &mut FixRulesCache::default()).await?;
        let mut created = event(p, &self.person_name(p).await?, &v.id, found_at, "created");
        created.to_status = Some(VulnStatus::Open);
        created.data = json!({"source": v.source});
        let tx = self.store.begin().await?;
        let stored = self.settle_fix(&tx, &mut v, None, terms.as_ref(), &[], now).await?;
        store::vulnerabilities::insert_many(&tx, &[(v.clone(), stored)]).await.map_err(AppError::unique(
            "title",
            "台账中已有该漏洞（同一系统、同一漏洞、同一位置）",
            "the ledger already holds this finding (same system, check and place)",
        ))?;
        store::vulnerabilities::add_events(&tx, std::slice::from_ref(&created)).await?;
        audit::<(), _>(&tx, p, "create", "vulnerability", &v.id, None, Some(&v), now).await?;
        tx.commit().await?;
        self.get_vulnerability(p, &v.id, lang).await
    }

    pub async fn list_vulnerabilities(
        &self,
        p: &Principal,
        q: &ListQuery,
        f: &VulnFilter,
    ) -> Result<Page<Vulnerability>> {
        let now = self.business_now();
        let older = f.older_than_days.map(|d| now - chrono::Duration::days(i64::from(d)));
        let found_before = match (older, f.found_before) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let f = VulnFilter { now: Some(now), found_before, ..f.clone() };
        Ok(store::vulnerabilities::list(&self.store, &p.scope(), q, &f).await?)
    }

    /// A finding with its clock as of now and its history.
    pub async fn get_vulnerability(&self, p: &Principal, id: &str, lang: Lang) -> Result<VulnDetail> {
        let (v, stored) = store::vulnerabilities::get(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)?;
        let events = store::vulnerabilities::events(&self.store, id).await?;
        let changes = history(&events);
        let terms = self.fix_terms(&v, stored.as_ref(), &mut FixRulesCache::default()).await?;
        let clocks = self.fix_view(&v, stored.as_ref(), terms.as_ref(), &changes, self.business_now(), lang);
        let next = match p.role {
            Role::Admin | Role::VendorPm | Role::Engineer => v
                .status
                .next()
                .iter()
                .copied()
                .filter(|to| Move { to: *to, reason: None, accepted_until: None }.permit(p) != Permit::Refused)
                .collect(),
            _ => Vec::new(),
        };
        Ok(VulnDetail { vulnerability: v, clocks, events, next })
    }

    /// Moves a finding; what the vendor may not do alone becomes a request (202).
    pub async fn transition_vulnerability(
        &self,
        p: &Principal,
        id: &str,
        input: VulnTransitionInput,
        lang: Lang,
    ) -> Result<Applied<VulnDetail>> {
        may_work(p)?;
        let mv = input.validate(crate::bureau_date(self.business_now()))?;
        let (v, _) = store::vulnerabilities::get(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)?;
        if !v.status.next().contains(&mv.to) {
            return Err(not_allowed(v.status));
        }
        match mv.permit(p) {
            Permit::Refused => Err(AppError::Forbidden),
            Permit::Request => {
                let a = self.request_vulnerability_move(p, std::slice::from_ref(&v), &mv).await?;
                Ok(Applied::Requested(Box::new(a)))
            }
            Permit::Direct => {
                let now = self.business_now();
                let tx = self.store.begin().await?;
                self.move_in(&tx, p, id, &mv, now, now, None, None).await?;
                tx.commit().await?;
                Ok(Applied::Done(self.get_vulnerability(p, id, lang).await?))
            }
        }
    }

    /// Carries out a move inside `tx`: the event at `at` (a request's moment for approved
    /// pauses), the fields the state carries, the clock settled at `now`, the audit record.
    /// `expect` is the status the move was asked from (an approval checks it still stands).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn move_in(
        &self,
        tx: &Tx,
        p: &Principal,
        id: &str,
        mv: &Move,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
        expect: Option<VulnStatus>,
        data: Option<serde_json::Value>,
    ) -> Result<Vulnerability> {
        let (mut v, stored) = store::vulnerabilities::get(tx, &Scope::All, id).await?.ok_or(AppError::NotFound)?;
        let before = v.clone();
        if expect.is_some_and(|s| s != v.status) {
            return Err(AppError::conflict(
                None,
                "申请提交后漏洞状态已有变化，请驳回后重新申请",
                "the finding changed since the request; reject it and ask again",
            ));
        }
        if !v.status.next().contains(&mv.to) {
            return Err(not_allowed(v.status));
        }
        let name = self.person_name(p).await?;
        let mut e = event(p, &name, id, at, if mv.to == VulnStatus::Open { "reopened" } else { "transition" });
        e.from_status = Some(v.status);
        e.to_status = Some(mv.to);
        e.note = mv.reason.clone();
        v.status = mv.to;
        match mv.to {
            VulnStatus::Fixed => v.fixed_at = Some(at),
            VulnStatus::Verified => {
                v.verified_at = Some(at);
                e.data = json!({"by": "bureau"});
            }
            VulnStatus::FalsePositive | VulnStatus::RiskAccepted => {
                v.decision_reason = mv.reason.clone();
                v.accepted_until = mv.accepted_until;
                e.data = json!({"accepted_until": mv.accepted_until});
            }
            VulnStatus::Open => {
                v.fixed_at = None;
                v.verified_at = None;
                v.decision_reason = None;
                v.accepted_until = None;
            }
            _ => {}
        }
        if let Some(d) = data {
            e.data = d;
        }
        v.updated_at = now;
        let mut events = store::vulnerabilities::events(tx, id).await?;
        events.push(e.clone());
        let terms = self.fix_terms(&v, stored.as_ref(), &mut FixRulesCache::default()).await?;
        let s = self.settle_fix(tx, &mut v, stored, terms.as_ref(), &history(&events), now).await?;
        if !store::vulnerabilities::update(tx, &v, s.as_ref()).await? {
            return Err(changed_meanwhile());
        }
        store::vulnerabilities::add_events(tx, std::slice::from_ref(&e)).await?;
        audit(tx, p, "transition", "vulnerability", id, Some(&before), Some(&v), now).await?;
        Ok(v)
    }

    /// Gives a finding to someone of the vendor (or to nobody).
    pub async fn assign_vulnerability(
        &self,
        p: &Principal,
        id: &str,
        input: VulnAssignInput,
        lang: Lang,
    ) -> Result<VulnDetail> {
        may_work(p)?;
        let (v, _) = store::vulnerabilities::get(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)?;
        let to = input.assignee_id.filter(|s| !s.trim().is_empty());
        if let Some(a) = &to {
            self.check_fix_assignee(&v.system_id, a).await?;
        }
        let now = self.business_now();
        let tx = self.store.begin().await?;
        self.assign_in(&tx, p, &v, to.as_deref(), now).await?;
        tx.commit().await?;
        self.get_vulnerability(p, id, lang).await
    }

    async fn assign_in(
        &self,
        tx: &Tx,
        p: &Principal,
        v: &Vulnerability,
        to: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let before = v.clone();
        let (mut v, stored) = store::vulnerabilities::get(tx, &Scope::All, &v.id).await?.ok_or(AppError::NotFound)?;
        v.assignee_id = to.map(str::to_string);
        v.updated_at = now;
        if !store::vulnerabilities::update(tx, &v, stored.as_ref()).await? {
            return Err(changed_meanwhile());
        }
        let mut e = event(p, &self.person_name(p).await?, &v.id, now, "assigned");
        e.data = json!({"from": before.assignee_id, "to": to});
        store::vulnerabilities::add_events(tx, &[e]).await?;
        audit(tx, p, "assign", "vulnerability", &v.id, Some(&before), Some(&v), now).await
    }

    /// The many findings one scan brings, moved or assigned at once. Moves the vendor may not
    /// make alone go into one request for the bureau; everything else is done in one
    /// transaction, all or nothing.
    pub async fn bulk_vulnerabilities(&self, p: &Principal, input: BulkInput) -> Result<BulkResult> {
        may_work(p)?;
        let mut ids = input.ids.clone();
        ids.sort();
        ids.dedup();
        if ids.is_empty() || ids.len() > domain::vulnerabilities::BULK_MAX {
            let max = domain::vulnerabilities::BULK_MAX;
            return Err(FieldError::new(
                "ids",
                format!("请选择 1 到 {max} 个漏洞"),
                format!("choose 1 to {max} findings"),
            )
            .into());
        }
        let found = store::vulnerabilities::get_many(&self.store, &p.scope(), &ids).await?;
        if found.len() != ids.len() {
            return Err(FieldError::new("ids", "部分漏洞不存在", "some findings do not exist").into());
        }
        let vulns: Vec<Vulnerability> = found.into_iter().map(|(v, _)| v).collect();
        let now = self.business_now();
        match input.action.as_deref().map(str::trim) {
            Some("assign") => {
                let to = input.assignee_id.clone().filter(|s| !s.trim().is_empty());
                if let Some(a) = &to {
                    for v in &vulns {
                        self.check_fix_assignee(&v.system_id, a).await?;
                    }
                }
                let tx = self.store.begin().await?;
                for v in &vulns {
                    self.assign_in(&tx, p, v, to.as_deref(), now).await?;
                }
                tx.commit().await?;
                Ok(BulkResult { done: vulns.len() as u64, request_id: None })
            }
            Some("transition") => {
                let mv = input.transition.validate(crate::bureau_date(now))?;
                if let Some(v) = vulns.iter().find(|v| !v.status.next().contains(&mv.to)) {
                    return Err(not_allowed(v.status));
                }
                match mv.permit(p) {
                    Permit::Refused => Err(AppError::Forbidden),
                    Permit::Request => {
                        let a = self.request_vulnerability_move(p, &vulns, &mv).await?;
                        Ok(BulkResult { done: 0, request_id: Some(a.id) })
                    }
                    Permit::Direct => {
                        let tx = self.store.begin().await?;
                        for v in &vulns {
                            self.move_in(&tx, p, &v.id, &mv, now, now, None, None).await?;
                        }
                        tx.commit().await?;
                        Ok(BulkResult { done: vulns.len() as u64, request_id: None })
                    }
                }
            }
            _ => {
                Err(FieldError::new("action", "取值无效，可选：transition、assign", "must be transition or assign")
                    .into())
            }
        }
    }

    /// Links a ticket of the same system, or opens one (a service request of the system's
    /// policy, handled like any ticket) for the fix.
    pub async fn vulnerability_ticket(
        &self,
        p: &Principal,
        id: &str,
        input: TicketLinkInput,
        lang: Lang,
    ) -> Result<VulnDetail> {
        may_work(p)?;
        let (v, _) = store::vulnerabilities::get(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)?;
        let ticket_id = match input.ticket_id.filter(|s| !s.trim().is_empty()) {
            Some(t) => {
                let ticket = self.get_ticket(p, &t, lang).await.map_err(|e| match e {
                    AppError::NotFound => FieldError::new("ticket_id", "工单不存在", "no such ticket").into(),
                    other => other,
                })?;
                if ticket.ticket.system_id != v.system_id {
                    return Err(FieldError::new(
                        "ticket_id",
                        "工单须属于同一信息系统",
                        "the ticket must be of the same system",
                    )
                    .into());
                }
                t
            }
            None => {
                let mut description = format!("漏洞台账：{}（{}）", v.title, v.severity.label().zh);
                if let Some(c) = &v.cve {
                    description.push_str(&format!("\n编号：{c}"));
                }
                if let Some(h) = &v.host {
                    description
                        .push_str(&format!("\n位置：{h}{}", v.port.map(|p| format!(":{p}")).unwrap_or_default()));
                }
                if let Some(s) = &v.solution {
                    description.push_str(&format!("\n修复建议：{s}"));
                }
                let input = TicketInput {
                    system_id: Some(v.system_id.clone()),
                    kind: Some("request".into()),
                    title: Some(format!("漏洞修复：{}", v.title).chars().take(200).collect()),
                    description: Some(description.chars().take(5000).collect()),
                    assignee_id: v.assignee_id.clone(),
                    ..TicketInput::default()
                };
                self.create_ticket(p, input, lang).await?.ticket.id
            }
        };
        let now = self.business_now();
        let tx = self.store.begin().await?;
        let (mut row, stored) = store::vulnerabilities::get(&tx, &Scope::All, id).await?.ok_or(AppError::NotFound)?;
        let before = row.clone();
        row.ticket_id = Some(ticket_id.clone());
        row.updated_at = now;
        if !store::vulnerabilities::update(&tx, &row, stored.as_ref()).await? {
            return Err(changed_meanwhile());
        }
        let mut e = event(p, &self.person_name(p).await?, id, now, "ticket");
        e.data = json!({"ticket_id": ticket_id});
        store::vulnerabilities::add_events(&tx, &[e]).await?;
        audit(&tx, p, "link_ticket", "vulnerability", id, Some(&before), Some(&row), now).await?;
        tx.commit().await?;
        self.get_vulnerability(p, id, lang).await
    }

    /// Accepted risks whose day has come are open again (their clock runs on from where it
    /// stopped, the accepted stretch cut out).
    pub(crate) async fn expire_acceptances(&self) -> Result<()> {
        let now = self.business_now();
        let today = crate::bureau_date(now);
        let due = store::vulnerabilities::acceptance_expired(&self.store, today, 200).await?;
        if due.is_empty() {
            return Ok(());
        }
        let sys = crate::system_principal();
        let mv = Move { to: VulnStatus::Open, reason: Some("风险接受已到期".into()), accepted_until: None };
        let tx = self.store.begin().await?;
        for (v, _) in due {
            match self.move_in(&tx, &sys, &v.id, &mv, now, now, Some(VulnStatus::RiskAccepted), None).await {
                Ok(_) | Err(AppError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

/// A new finding's row from what was checked.
pub(crate) fn new_row(
    p: &Principal,
    f: &Finding,
    unit_id: String,
    policy: Option<&domain::sla::policy::PolicyView>,
    import_id: Option<&str>,
    now: DateTime<Utc>,
) -> Vulnerability {
    let found_at = f.found_at.unwrap_or(now);
    Vulnerability {
        id: store::new_id(),
        system_id: f.system_id.clone(),
        unit_id,
        asset_id: f.asset_id.clone(),
        title: f.title.clone(),
        severity: f.severity,
        cvss: f.cvss,
        cve: f.cve(),
        cnvd: f.cnvd(),
        cnnvd: f.cnnvd(),
        identifiers: f.identifiers.clone(),
        source: f.source,
        notice_org: f.notice_org,
        notice_number: f.notice_number.clone(),
        host: f.host.clone(),
        port: f.port,
        protocol: f.protocol.clone(),
        url: f.url.clone(),
        plugin_id: f.plugin_id.clone(),
        description: f.description.clone(),
        solution: f.solution.clone(),
        evidence: f.evidence.clone(),
        status: VulnStatus::Open,
        found_at,
        last_seen_at: now,
        seen_count: 1,
        assignee_id: f.assignee_id.clone(),
        ticket_id: None,
        policy_id: policy.map(|p| p.id.clone()),
        policy_version: policy.map(|p| p.version),
        due_at: None,
        clock_state: None,
        risk_at: None,
        breached: false,
        fixed_at: None,
        verified_at: None,
        decision_reason: None,
        accepted_until: None,
        request_id: None,
        import_id: import_id.map(str::to_string),
        revision: 0,
        created_by: p.user_id.clone(),
        created_at: now,
        updated_at: now,
        fingerprint: f.fingerprint(),
        next_check_at: None,
    }
}

/// The status changes of a history, for the clock.
pub(crate) fn history(events: &[VulnEvent]) -> Vec<Change> {
    let mut pairs: Vec<(DateTime<Utc>, VulnStatus)> =
        events.iter().filter_map(|e| e.to_status.map(|s| (e.at, s))).collect();
    pairs.sort_by_key(|p| p.0);
    changes_of(&pairs)
}
