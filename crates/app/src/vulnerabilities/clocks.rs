//! Keeping a finding's fix clock: which policy it runs under (the vulnerability policy of the
//! contract item covering the system when it was found, its version pinned), bringing it up to
//! an instant from the finding's history, the escalation ladder and the amber and breach
//! notices — the same rules as a ticket's clocks — and the job that finds the findings needing
//! it by query (`next_check_at`).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use domain::security_plans::{SecurityPlanFilter, scan_kinds_for};
use domain::sla::compiled::{Calendar, MIN, instant, micros};
use domain::sla::policy::PolicyView;
use domain::sla::target::Target;
use domain::tickets::clocks::{ClockState, settle};
use domain::tickets::view::ClockView;
use domain::vulnerabilities::Vulnerability;
use domain::vulnerabilities::clock::{self, Change, Deadline, METRIC};
use domain::{Lang, Msg, Role, Scope};
use store::Tx;
use store::vulnerabilities::FixClock;

use crate::schedules::Calendars;
use crate::tickets::clocks::{metric_label, view};
use crate::{App, Result};

/// Marks in `FixClock::fired` for the notices every finding gets (far above ladder indices).
const RISK_NOTICE: usize = 1_000;
const BREACH_NOTICE: usize = 1_001;
const BATCH: u64 = 200;

/// A pinned policy version and its compiled calendar.
pub(crate) struct FixRules {
    pub policy: PolicyView,
    pub calendar: Calendar,
}

/// A finding's rules and the target its clock runs to.
pub(crate) struct FixTerms {
    pub rules: Arc<FixRules>,
    pub target: Target,
    /// The target stands for "before the next scan" (the page says so rather than minutes).
    pub before_next_scan: bool,
}

/// Rules by policy version and next scans by system, for work over many findings.
#[derive(Default)]
pub(crate) struct FixRulesCache {
    rules: HashMap<(String, i32), Option<Arc<FixRules>>>,
    /// (system, web finding, day found) → when the next scan's period opens.
    scans: HashMap<(String, bool, NaiveDate), Option<i64>>,
    calendars: Calendars,
}

/// The state changes of a finding's history, in time order.
pub(crate) fn changes_of(events: &[(DateTime<Utc>, domain::vulnerabilities::VulnStatus)]) -> Vec<Change> {
    events.iter().map(|(at, to)| Change { at: micros(*at), to: *to }).collect()
}

impl App {
    /// The newest version of the vulnerability policy covering `system_id` at `at`.
    pub(crate) async fn fix_policy_for(&self, system_id: &str, at: DateTime<Utc>) -> Result<Option<PolicyView>> {
        let Some(cover) = self.coverage_at(system_id, at).await? else { return Ok(None) };
        if !cover.serves_on(crate::bureau_date(at)) {
            return Ok(None);
        }
        let Some(pid) = cover.vulnerability_policy_id else { return Ok(None) };
        Ok(store::sla::get(&self.store, &Scope::All, &pid, None).await?)
    }

    pub(crate) async fn fix_rules(
        &self,
        v: &Vulnerability,
        cache: &mut FixRulesCache,
    ) -> Result<Option<Arc<FixRules>>> {
        let (Some(id), Some(version)) = (&v.policy_id, v.policy_version) else { return Ok(None) };
        let key = (id.clone(), version);
        if let Some(r) = cache.rules.get(&key) {
            return Ok(r.clone());
        }
        let rules = match store::sla::get(&self.store, &Scope::All, id, Some(version)).await? {
            Some(policy) => {
                let (_, calendar) = self.compiled_calendar(&policy.spec.calendar_id).await?;
                Some(Arc::new(FixRules { policy, calendar }))
            }
            None => None,
        };
        cache.rules.insert(key, rules.clone());
        Ok(rules)
    }

    /// The rules a finding's clock runs under and its target: the policy's `fix` target for the
    /// severity, or, for a "before the next scan" level, the time until the system's next scan
    /// period opens. No policy or no level: no clock. No scan plan ahead: the deadline the clock
    /// already has stands (ending a plan does not wipe a deadline or a breach), else no clock.
    pub(crate) async fn fix_terms(
        &self,
        v: &Vulnerability,
        stored: Option<&FixClock>,
        cache: &mut FixRulesCache,
    ) -> Result<Option<FixTerms>> {
        let Some(rules) = self.fix_rules(v, cache).await? else { return Ok(None) };
        let deadline = clock::deadline(&rules.policy.spec, v.severity);
        let target = match deadline {
            None => return Ok(None),
            Some(Deadline::Within(t)) => t,
            Some(Deadline::BeforeNextScan) => match self.next_scan(v, cache).await? {
                Some(at) => clock::until_next_scan(micros(v.found_at), at),
                None => match stored {
                    Some(s) => s.clock.target,
                    None => return Ok(None),
                },
            },
        };
        Ok(Some(FixTerms { rules, target, before_next_scan: deadline == Some(Deadline::BeforeNextScan) }))
    }

    /// When the next scan of the finding's system opens after the day it was found, by the
    /// bureau's active scan plans as they stand (a web finding looks at the web-scan plan first).
    async fn next_scan(&self, v: &Vulnerability, cache: &mut FixRulesCache) -> Result<Option<i64>> {
        let day = crate::bureau_date(v.found_at);
        let web = v.url.is_some();
        let key = (v.system_id.clone(), web, day);
        if let Some(at) = cache.scans.get(&key) {
            return Ok(*at);
        }
        let filter = SecurityPlanFilter { system_id: Some(v.system_id.clone()), kind: None, active: Some(true) };
        let plans = store::security_plans::all_plans(&self.store, &Scope::All, &filter).await?;
        let mut found = None;
        for kind in scan_kinds_for(web) {
            let Some(plan) = plans.iter().find(|p| p.kind == kind) else { continue };
            found = cache.calendars.next_opening(self, &crate::security_plans::planned(plan), day).await?;
            if found.is_some() {
                break;
            }
        }
        cache.scans.insert(key, found);
        Ok(found)
    }

    /// Brings the fix clock of `v` up to `now` from its changes, fires what is due (ladder
    /// steps, the amber and breach notices — inside `tx`), and sets the summary the lists and
    /// the job read. A finding without a policy target has no clock.
    pub(crate) async fn settle_fix(
        &self,
        tx: &Tx,
        v: &mut Vulnerability,
        stored: Option<FixClock>,
        terms: Option<&FixTerms>,
        changes: &[Change],
        now: DateTime<Utc>,
    ) -> Result<Option<FixClock>> {
        let Some(FixTerms { rules, target, .. }) = terms else {
            v.due_at = None;
            v.clock_state = None;
            v.risk_at = None;
            v.breached = false;
            v.next_check_at = None;
            return Ok(None);
        };
        let (spec, cal, target) = (&rules.policy.spec, &rules.calendar, *target);
        let n = micros(now);
        let fresh = clock::compute(cal, spec, target, micros(v.found_at), changes, n);
        let fired = stored.as_ref().map(|s| s.fired.clone()).unwrap_or_default();
        let mut s = FixClock { clock: settle(stored.as_ref().map(|s| &s.clock), fresh), fired };
        let mut wake: Vec<i64> = Vec::new();
        let mut told: Vec<String> = Vec::new();
        for (i, step) in spec.escalation.iter().enumerate() {
            if step.metric != METRIC || s.fired.contains(&i) {
                continue;
            }
            let reached = s.clock.step_reached(cal, step.on_breach, step.at_percent, n, &mut wake);
            let Some(at) = reached.filter(|&a| a <= n) else { continue };
            s.fired.push(i);
            // A moment before the finding was entered (found days before it was recorded) is
            // history: nobody is told about it now.
            if at < micros(v.created_at) {
                continue;
            }
            let title = ladder_title(v, step.on_breach, step.at_percent);
            let users = self.fix_recipients(tx, v, &step.notify, now).await?;
            self.tell(tx, &users, v, "escalation", &title, step.on_breach, now).await?;
            told.extend(users);
        }
        self.fix_watch(tx, v, rules, &mut s, &told, n, now, &mut wake).await?;
        let c = &s.clock;
        if c.state == ClockState::Running
            && let Some(d) = c.due
        {
            wake.push(d);
        }
        v.due_at = c.due.map(instant);
        v.clock_state = Some(c.state);
        v.risk_at = c.at_percent(cal, spec.risk_percent(METRIC)).map(instant);
        v.breached = c.state == ClockState::Breached;
        v.next_check_at = wake.into_iter().filter(|&w| w > n).min().map(instant);
        Ok(Some(s))
    }

    /// The handler and the vendor's project managers hear when the clock turns amber and when
    /// it breaches, whatever the ladder says; those a ladder step told now are not told twice.
    #[allow(clippy::too_many_arguments)]
    async fn fix_watch(
        &self,
        tx: &Tx,
        v: &Vulnerability,
        rules: &FixRules,
        s: &mut FixClock,
        told: &[String],
        n: i64,
        now: DateTime<Utc>,
        wake: &mut Vec<i64>,
    ) -> Result<()> {
        let c = &s.clock;
        let (kind, at, title) = if let Some(at) = c.breached_at.filter(|_| !s.fired.contains(&BREACH_NOTICE)) {
            s.fired.extend([BREACH_NOTICE, RISK_NOTICE]);
            s.fired.sort_unstable();
            s.fired.dedup();
            (
                "breached",
                at,
                Msg::new(format!("漏洞修复已超时：{}", v.title), format!("Vulnerability fix breached: {}", v.title)),
            )
        } else if c.state == ClockState::Running && !s.fired.contains(&RISK_NOTICE) {
            let Some(at) = c.at_percent(&rules.calendar, rules.policy.spec.risk_percent(METRIC)) else { return Ok(()) };
            if at > n {
                wake.push(at);
                return Ok(());
            }
            s.fired.push(RISK_NOTICE);
            let due = c.due.map(|d| rules.calendar.local_string(d)).unwrap_or_default();
            (
                "at_risk",
                at,
                Msg::new(
                    format!("漏洞修复即将超时（{due} 到期）：{}", v.title),
                    format!("Vulnerability fix due soon ({due}): {}", v.title),
                ),
            )
        } else {
            return Ok(());
        };
        if at < micros(v.created_at) {
            return Ok(());
        }
        let mut users = self.fix_recipients(tx, v, &["assignee".into(), "vendor_pm".into()], now).await?;
        users.retain(|u| !told.contains(u));
        self.tell(tx, &users, v, kind, &title, kind == "breached", now).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn tell(
        &self,
        tx: &Tx,
        users: &[String],
        v: &Vulnerability,
        kind: &str,
        title: &Msg,
        urgent: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let body = Msg::new(
            format!("{}（{}）", v.title, v.severity.label().zh),
            format!("{} ({})", v.title, v.severity.label().en),
        );
        let notice = store::notifications::Notice { ticket_id: None, kind, title, body: &body, urgent };
        store::notifications::add(tx, users, &notice, now).await?;
        Ok(())
    }

    /// Who a ladder step names, for a finding: its handler, whoever recorded it (`reporter`),
    /// a role (vendor roles of the vendor maintaining the system now, unit users of its unit),
    /// or `user:<id>`.
    async fn fix_recipients(
        &self,
        tx: &Tx,
        v: &Vulnerability,
        names: &[String],
        now: DateTime<Utc>,
    ) -> Result<Vec<String>> {
        let vendor = self.coverage_at(&v.system_id, now).await?.map(|c| c.vendor_id);
        let mut out: Vec<String> = Vec::new();
        for name in names {
            let person = match name.as_str() {
                "assignee" => v.assignee_id.clone(),
                "reporter" => Some(v.created_by.clone()),
                other => other.strip_prefix("user:").map(str::to_string),
            };
            if let Some(id) = person {
                if store::users::get(tx, &Scope::All, &id).await?.is_some_and(|u| u.active) {
                    out.push(id);
                }
                continue;
            }
            let Some(role) = Role::parse(name) else { continue };
            let (unit, vendor) = match role {
                Role::UnitUser => (Some(v.unit_id.as_str()), None),
                Role::VendorPm | Role::Engineer => match &vendor {
                    Some(id) => (None, Some(id.as_str())),
                    None => continue,
                },
                Role::Admin | Role::Auditor | Role::SecurityAdmin => (None, None),
            };
            out.extend(store::users::active_ids_by_role(tx, role, unit, vendor).await?);
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// The fix clock as the finding's page shows it, brought up to `now` without writing.
    pub(crate) fn fix_view(
        &self,
        v: &Vulnerability,
        stored: Option<&FixClock>,
        terms: Option<&FixTerms>,
        changes: &[Change],
        now: DateTime<Utc>,
        lang: Lang,
    ) -> Vec<ClockView> {
        let Some(FixTerms { rules, target, before_next_scan }) = terms else { return Vec::new() };
        let fresh =
            clock::compute(&rules.calendar, &rules.policy.spec, *target, micros(v.found_at), changes, micros(now));
        let c = settle(stored.map(|s| &s.clock), fresh);
        let mut shown = view(&rules.calendar, c, now, lang, rules.policy.spec.risk_percent(METRIC));
        if *before_next_scan && let Target::Calendar { minutes } = shown.target {
            let opens = rules.calendar.local_string(micros(shown.start_at) + i64::from(minutes) * MIN);
            let rule = Msg::new(
                format!("下次扫描前修复（下一扫描周期 {opens} 开始）"),
                format!("fix before the next scan (its period opens {opens})"),
            );
            shown.rule = rule.pick(lang).to_string();
        }
        vec![shown]
    }

    /// The job: settles every finding whose next check has come, and brings back accepted
    /// risks whose time is up.
    pub async fn check_due_vulnerabilities(&self) -> Result<crate::tickets::CheckReport> {
        let mut report = crate::tickets::CheckReport::default();
        let mut cache = FixRulesCache::default();
        self.expire_acceptances().await?;
        loop {
            let now = self.business_now();
            let due = store::vulnerabilities::due_for_check(&self.store, now, BATCH).await?;
            let batch = due.len();
            let ids: Vec<String> = due.iter().map(|(v, _)| v.id.clone()).collect();
            let mut history: HashMap<String, Vec<Change>> = HashMap::new();
            for (id, at, to) in store::vulnerabilities::changes_of(&self.store, &ids).await? {
                history.entry(id).or_default().push(Change { at: micros(at), to });
            }
            let tx = self.store.begin().await?;
            for (mut v, stored) in due {
                let terms = self.fix_terms(&v, stored.as_ref(), &mut cache).await?;
                let changes = history.remove(&v.id).unwrap_or_default();
                let s = self.settle_fix(&tx, &mut v, stored, terms.as_ref(), &changes, now).await?;
                v.updated_at = v.updated_at.max(now);
                if store::vulnerabilities::update(&tx, &v, s.as_ref()).await? {
                    report.checked += 1;
                } else {
                    report.skipped += 1;
                }
            }
            tx.commit().await?;
            if (batch as u64) < BATCH || report.skipped > 0 {
                return Ok(report);
            }
        }
    }
}

fn ladder_title(v: &Vulnerability, on_breach: bool, at_percent: Option<u32>) -> Msg {
    let m = metric_label(METRIC);
    if on_breach {
        Msg::new(format!("漏洞{}已超时：{}", m.zh, v.title), format!("Vulnerability {} breached: {}", m.en, v.title))
    } else {
        let p = at_percent.unwrap_or(100);
        Msg::new(
            format!("漏洞{}时限已用 {p}%：{}", m.zh, v.title),
            format!("Vulnerability {}: {p}% of the time used: {}", m.en, v.title),
        )
    }
}
