//! Keeping a ticket's clocks: recomputing them from the history, firing the escalation ladder,
//! upgrading severity, closing resolved tickets, and the job that finds tickets needing it by
//! query (`next_check_at`), so a restart or a second replica loses nothing.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::sla::compiled::{Calendar, instant, micros};
use domain::sla::policy::{PolicySpec, PolicyView, risk_percent};
use domain::sla::target::{DayAt, Target, explain};
use domain::tickets::clocks::{Change, Clock, ClockState, History, compute, settle};
use domain::tickets::view::{ClockView, Event, Ticket};
use domain::tickets::{SUPPORT_LEVELS, Status};
use domain::{Lang, Msg, Scope};
use serde_json::json;
use store::Tx;
use store::tickets::StoredClock;

use crate::{App, AppError, Result, system_principal};

/// Marks in `StoredClock::fired` for the notices every ticket gets whatever its ladder says
/// (far above any ladder step's index).
const RISK_NOTICE: usize = 1_000;
const BREACH_NOTICE: usize = 1_001;
/// Tickets without a policy close themselves in this calendar.
pub(super) const FALLBACK_CALENDAR: &str = "preset-5x8";
/// Tickets the job looks at per round.
const BATCH: u64 = 200;

/// What one round of the clock job did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CheckReport {
    pub checked: usize,
    /// Tickets another writer changed meanwhile; the next round takes them again.
    pub skipped: usize,
}

/// The state changes and milestones of a timeline.
pub(super) fn history_of(events: &[Event]) -> (Vec<Change>, BTreeMap<String, i64>) {
    let mut changes = Vec::new();
    let mut milestones = BTreeMap::new();
    for e in events {
        match (e.kind.as_str(), e.to_status) {
            ("transition", Some(to)) => changes.push(Change { at: micros(e.at), to }),
            ("milestone", _) => {
                if let Some(m) = e.data.get("metric").and_then(|m| m.as_str()) {
                    milestones.entry(m.to_string()).or_insert(micros(e.at));
                }
            }
            _ => {}
        }
    }
    changes.sort_by_key(|c| c.at);
    (changes, milestones)
}

fn paused_in(spec: Option<&PolicySpec>, metric: &str) -> Vec<Status> {
    spec.map(|s| {
        s.pause_states
            .iter()
            .filter(|(_, ms)| ms.iter().any(|m| m == metric))
            .filter_map(|(state, _)| Status::parse(state))
            .collect()
    })
    .unwrap_or_default()
}

fn level_rank(l: &str) -> usize {
    SUPPORT_LEVELS.iter().position(|x| *x == l).unwrap_or(0)
}

/// What a ticket's clocks run under: its pinned policy version (if any) and the calendar they
/// count in — the policy's, or the fallback in which tickets without one close. Read and
/// compiled once per request (once per policy version in a round of the clock job) and handed
/// to whatever needs it.
pub(crate) struct Rules {
    pub policy: Option<PolicyView>,
    pub calendar: Calendar,
    pub calendar_name: String,
}

impl Rules {
    /// Whether these are the rules of `t` (its policy version cannot change, but a caller may
    /// have read them from an older copy of the ticket).
    fn fit(&self, t: &Ticket) -> bool {
        match &self.policy {
            Some(p) => t.policy_id.as_deref() == Some(p.id.as_str()) && t.policy_version == Some(p.version),
            None => t.policy_id.is_none() || t.policy_version.is_none(),
        }
    }
}

/// Rules by policy version, for work over many tickets.
#[derive(Default)]
pub(crate) struct RulesCache(std::collections::HashMap<(Option<String>, Option<i32>), Arc<Rules>>);

/// The history and clocks a settle starts from; `stored` when the clocks are rows to replace.
pub(super) struct Known {
    pub events: Vec<Event>,
    pub clocks: Vec<StoredClock>,
    pub stored: bool,
}

/// The clocks of the ticket's level, started at the report.
pub(super) fn fresh_clocks(t: &Ticket, policy: Option<&PolicyView>) -> Vec<StoredClock> {
    let Some(level) = policy.and_then(|p| p.spec.level(t.severity.as_deref().unwrap_or(""))) else {
        return Vec::new();
    };
    let start = micros(t.reported_at);
    level
        .targets_for(t.in_hours)
        .into_iter()
        .map(|(metric, target)| StoredClock { clock: fresh_clock(metric, target, start), fired: Vec::new() })
        .collect()
}

impl App {
    /// The rules a ticket runs under.
    pub(crate) async fn rules(&self, t: &Ticket) -> Result<Arc<Rules>> {
        let policy = match (&t.policy_id, t.policy_version) {
            (Some(id), Some(v)) => store::sla::get(&self.store, &Scope::All, id, Some(v)).await?,
            _ => None,
        };
        let calendar_id = policy.as_ref().map_or(FALLBACK_CALENDAR, |p| p.spec.calendar_id.as_str());
        let (stored, calendar) = self.compiled_calendar(calendar_id).await?;
        Ok(Arc::new(Rules { policy, calendar, calendar_name: stored.spec.name }))
    }

    /// `given` when it fits `t`, else read afresh.
    pub(crate) async fn rules_for(&self, t: &Ticket, given: Option<&Arc<Rules>>) -> Result<Arc<Rules>> {
        match given {
            Some(r) if r.fit(t) => Ok(r.clone()),
            _ => self.rules(t).await,
        }
    }

    /// The rules of `t` from `cache`, read once per policy version.
    pub(crate) async fn cached_rules(&self, t: &Ticket, cache: &mut RulesCache) -> Result<Arc<Rules>> {
        let key = (t.policy_id.clone(), t.policy_version);
        if let Some(r) = cache.0.get(&key) {
            return Ok(r.clone());
        }
        let r = self.rules(t).await?;
        cache.0.insert(key, r.clone());
        Ok(r)
    }

    /// Brings a ticket's clocks up to `now` inside `tx` and writes them and the ticket: the
    /// clocks from the history, severity upgrades, the escalation ladder, automatic closing, and
    /// when the job must look again.
    pub(super) async fn settle_ticket(
        &self,
        tx: &Tx,
        t: &mut Ticket,
        now: DateTime<Utc>,
        rules: Option<&Arc<Rules>>,
    ) -> Result<Arc<Rules>> {
        let rules = self.rules_for(t, rules).await?;
        let events = store::tickets::events(tx, &t.id).await?;
        let clocks = store::tickets::clocks(tx, &t.id).await?;
        self.settle_known(tx, t, now, rules, Known { events, clocks, stored: true }).await
    }

    /// `settle_ticket` from a history and clocks the caller already holds (a ticket being
    /// created), so the write section does not read back what it has just written.
    pub(super) async fn settle_known(
        &self,
        tx: &Tx,
        t: &mut Ticket,
        now: DateTime<Utc>,
        rules: Arc<Rules>,
        known: Known,
    ) -> Result<Arc<Rules>> {
        let (spec, cal) = (rules.policy.as_ref().map(|p| &p.spec), &rules.calendar);
        let Known { events, clocks: mut stored, stored: replace } = known;
        let (changes, milestones) = history_of(&events);
        let h = History { reported_at: micros(t.reported_at), changes: &changes, milestones: &milestones };
        let n = micros(now);
        let mut wake: Vec<i64> = Vec::new();
        let mut new_events: Vec<Event> = Vec::new();

        // Severity upgrades restart the clocks still under way with the new level's targets.
        for _ in 0..10 {
            recompute(cal, spec, &h, n, &mut stored);
            let Some(spec) = spec else { break };
            let Some((rule, at)) = upgrade_due(spec, t, &stored, cal) else { break };
            if at > n {
                wake.push(at);
                break;
            }
            let Some(level) = spec.level(&rule.to) else { break };
            let targets = level.targets_for(t.in_hours);
            for s in stored.iter_mut().filter(|s| s.clock.is_live()) {
                if let Some(target) = targets.get(&s.clock.metric) {
                    *s = StoredClock { clock: fresh_clock(s.clock.metric.clone(), *target, at), fired: Vec::new() };
                }
            }
            let mut e = super::event(&system_principal(), instant(at), now, "severity");
            e.data = json!({"from": rule.from, "to": rule.to, "after": rule.after});
            new_events.push(e);
            t.severity = Some(rule.to.clone());
            t.severity_since = Some(instant(at));
        }

        if let Some(spec) = spec {
            self.fire_ladder(tx, t, spec, cal, &mut stored, n, now, &mut wake, &mut new_events).await?;
        }

        // A resolved ticket the reporter leaves alone closes itself.
        let days = spec.map_or(domain::sla::policy::DEFAULT_AUTO_CLOSE_DAYS, |s| s.auto_close_working_days);
        if t.status == Status::Resolved
            && days > 0
            && let Some(resolved) = t.resolved_at
        {
            let target = Target::WorkingDays { days, at: DayAt::SameTime };
            if let Some(at) = target.due(cal, micros(resolved), &[], &mut ()) {
                if at <= n {
                    let mut e = super::event(&system_principal(), instant(at), now, "transition");
                    e.from_status = Some(Status::Resolved);
                    e.to_status = Some(Status::Closed);
                    e.reason = Some(format!("{days} 个工作日内未确认，自动关闭"));
                    e.data = json!({"automatic": true, "working_days": days});
                    new_events.push(e);
                    t.status = Status::Closed;
                    t.closed_at = Some(instant(at));
                } else {
                    wake.push(at);
                }
            }
        }

        for s in &stored {
            let c = &s.clock;
            if c.state == ClockState::Running
                && let Some(d) = c.due
            {
                wake.push(d);
            }
        }
        let running = stored.iter().filter(|s| s.clock.state == ClockState::Running);
        let next = running.clone().filter_map(|s| s.clock.due.map(|d| (d, &s.clock.metric))).min();
        t.next_due_at = next.map(|(d, _)| instant(d));
        t.next_due_metric = next.map(|(_, m)| m.clone());
        t.risk_at =
            running.filter_map(|s| s.clock.at_percent(cal, risk_percent(spec, &s.clock.metric))).min().map(instant);
        t.breached = stored.iter().any(|s| s.clock.state == ClockState::Breached);
        // Everything due by now was handled above; only the future wakes the job.
        t.next_check_at = wake.into_iter().filter(|&w| w > n).min().map(instant);
        t.updated_at = now;
        for e in &new_events {
            store::tickets::add_event(tx, &t.id, e).await?;
            if e.kind == "severity" || e.to_status == Some(Status::Closed) {
                crate::audit::<(), _>(tx, &system_principal(), &e.kind, "ticket", &t.id, None, Some(&e.data), now)
                    .await?;
            }
        }
        if replace {
            store::tickets::put_clocks(tx, &t.id, &stored).await?;
        } else {
            store::tickets::add_clocks(tx, &t.id, &stored).await?;
        }
        self.write_ticket(tx, t).await?;
        t.revision += 1;
        Ok(rules)
    }

    /// Fires every ladder step whose moment has come; schedules the next ones.
    #[allow(clippy::too_many_arguments)]
    async fn fire_ladder(
        &self,
        tx: &Tx,
        t: &mut Ticket,
        spec: &PolicySpec,
        cal: &Calendar,
        stored: &mut [StoredClock],
        n: i64,
        now: DateTime<Utc>,
        wake: &mut Vec<i64>,
        new_events: &mut Vec<Event>,
    ) -> Result<()> {
        for s in stored.iter_mut() {
            let mut told: Vec<String> = Vec::new();
            for (i, step) in spec.escalation.iter().enumerate() {
                if step.metric != s.clock.metric || s.fired.contains(&i) {
                    continue;
                }
                let c = &s.clock;
                let reached = c.step_reached(cal, step.on_breach, step.at_percent, n, wake);
                let Some(at) = reached.filter(|&a| a <= n) else { continue };
                s.fired.push(i);
                // A moment before the ticket was entered (a back-filled phone report) is history:
                // nobody is notified or escalated about it now.
                if at < micros(t.created_at) {
                    continue;
                }
                let mut e = super::event(&system_principal(), instant(at), now, "escalation");
                e.data = json!({
                    "metric": step.metric, "at_percent": step.at_percent, "on_breach": step.on_breach,
                    "notify": step.notify, "escalate_to": step.escalate_to,
                });
                new_events.push(e);
                if let Some(to) = &step.escalate_to
                    && SUPPORT_LEVELS.contains(&to.as_str())
                    && level_rank(to) > level_rank(&t.support_level)
                {
                    let mut e = super::event(&system_principal(), instant(at), now, "level");
                    e.data = json!({"from": t.support_level, "to": to, "automatic": true});
                    new_events.push(e);
                    t.support_level = to.clone();
                }
                let (title, body) = ladder_message(t, step.on_breach, step.at_percent, &s.clock.metric);
                let users = self.recipients(tx, t, &step.notify).await?;
                let notice = store::notifications::Notice {
                    ticket_id: Some(&t.id),
                    kind: "escalation",
                    title: &title,
                    body: &body,
                    urgent: step.on_breach,
                };
                store::notifications::add(tx, &users, &notice, now).await?;
                let message = domain::notifications::Message {
                    title: title.zh.clone(),
                    body: body.zh.clone(),
                    urgent: step.on_breach,
                };
                self.enqueue_ladder(tx, t, step, i, c.start, &users, &message, now).await?;
                told.extend(users);
            }
            self.fire_watch(tx, t, spec, cal, s, &told, n, now, wake).await?;
        }
        Ok(())
    }

    /// The handler and the vendor's project managers hear when a clock turns amber and when it
    /// breaches, whatever the ladder names (it may name others, or nobody); those a ladder step
    /// told in this same round are not told twice.
    #[allow(clippy::too_many_arguments)]
    async fn fire_watch(
        &self,
        tx: &Tx,
        t: &Ticket,
        spec: &PolicySpec,
        cal: &Calendar,
        s: &mut StoredClock,
        told: &[String],
        n: i64,
        now: DateTime<Utc>,
        wake: &mut Vec<i64>,
    ) -> Result<()> {
        let c = &s.clock;
        let m = metric_label(&c.metric);
        let (kind, at, title) = if let Some(at) = c.breached_at.filter(|_| !s.fired.contains(&BREACH_NOTICE)) {
            // A breach makes the amber notice moot.
            s.fired.extend([BREACH_NOTICE, RISK_NOTICE]);
            s.fired.dedup();
            (
                "breached",
                at,
                Msg::new(
                    format!("工单 {} {}已超时", t.number, m.zh),
                    format!("Ticket {}: {} breached", t.number, m.en),
                ),
            )
        } else if c.state == ClockState::Running && !s.fired.contains(&RISK_NOTICE) {
            let Some(at) = c.at_percent(cal, spec.risk_percent(&c.metric)) else { return Ok(()) };
            if at > n {
                wake.push(at);
                return Ok(());
            }
            s.fired.push(RISK_NOTICE);
            let due = c.due.map(|d| cal.local_string(d)).unwrap_or_default();
            (
                "at_risk",
                at,
                Msg::new(
                    format!("工单 {} {}即将超时（{due} 到期）", t.number, m.zh),
                    format!("Ticket {}: {} due soon ({due})", t.number, m.en),
                ),
            )
        } else {
            return Ok(());
        };
        // A moment before the ticket was entered (a back-filled report) is history.
        if at < micros(t.created_at) {
            return Ok(());
        }
        let mut users = self.recipients(tx, t, &["assignee".into(), "vendor_pm".into()]).await?;
        users.retain(|u| !told.contains(u));
        let body = Msg::new(t.title.clone(), t.title.clone());
        let notice = store::notifications::Notice {
            ticket_id: Some(&t.id),
            kind,
            title: &title,
            body: &body,
            urgent: kind == "breached",
        };
        store::notifications::add(tx, &users, &notice, now).await?;
        Ok(())
    }

    /// The job: settles every ticket whose next check has come.
    pub async fn check_due_tickets(&self) -> Result<CheckReport> {
        let mut report = CheckReport::default();
        let mut cache = RulesCache::default();
        loop {
            let now = self.business_now();
            let ids = store::tickets::due_for_check(&self.store, now, BATCH).await?;
            let batch = ids.len();
            for id in ids {
                let tx = self.store.begin().await?;
                let Some(mut t) = store::tickets::get(&tx, &Scope::All, &id, now).await? else { continue };
                if t.next_check_at.is_none_or(|c| c > now) {
                    continue;
                }
                let rules = self.cached_rules(&t, &mut cache).await?;
                match self.settle_ticket(&tx, &mut t, now, Some(&rules)).await {
                    Ok(_) => {
                        tx.commit().await?;
                        report.checked += 1;
                    }
                    Err(AppError::Conflict { .. }) => report.skipped += 1,
                    Err(e) => return Err(e),
                }
            }
            if (batch as u64) < BATCH || report.skipped > 0 {
                return Ok(report);
            }
        }
    }

    /// The clocks as the ticket page shows them, brought up to the present without writing.
    pub(super) async fn clock_views(
        &self,
        t: &Ticket,
        rules: &Rules,
        events: &[Event],
        lang: Lang,
    ) -> Result<Vec<ClockView>> {
        let (Some(policy), cal) = (&rules.policy, &rules.calendar) else { return Ok(Vec::new()) };
        let mut stored = store::tickets::clocks(&self.store, &t.id).await?;
        let (changes, milestones) = history_of(events);
        let h = History { reported_at: micros(t.reported_at), changes: &changes, milestones: &milestones };
        let now = self.business_now();
        recompute(cal, Some(&policy.spec), &h, micros(now), &mut stored);
        // In the order work happens: response, arrival, plan, restore, resolve, then custom ones.
        let rank = |m: &str| domain::sla::policy::METRICS.iter().position(|x| *x == m).unwrap_or(usize::MAX);
        stored.sort_by(|a, b| (rank(&a.clock.metric), &a.clock.metric).cmp(&(rank(&b.clock.metric), &b.clock.metric)));
        Ok(stored
            .into_iter()
            .map(|s| {
                let risk = policy.spec.risk_percent(&s.clock.metric);
                view(cal, s.clock, now, lang, risk)
            })
            .collect())
    }
}

fn fresh_clock(metric: String, target: Target, start: i64) -> Clock {
    Clock {
        metric,
        target,
        start,
        due: None,
        state: ClockState::Running,
        stopped_at: None,
        paused_at: None,
        breached_at: None,
        budget: 0,
        spent: 0,
        pauses: Vec::new(),
    }
}

/// Every clock from the history as of `n`, outcomes already decided kept.
pub(super) fn recompute(cal: &Calendar, spec: Option<&PolicySpec>, h: &History, n: i64, stored: &mut [StoredClock]) {
    for s in stored.iter_mut() {
        let c = &s.clock;
        let fresh = compute(cal, &c.metric, c.target, c.start, &paused_in(spec, &c.metric), h, n);
        s.clock = settle(Some(&s.clock), fresh);
    }
}

/// The first upgrade rule for the ticket's severity and when it applies.
fn upgrade_due<'a>(
    spec: &'a PolicySpec,
    t: &Ticket,
    stored: &[StoredClock],
    cal: &Calendar,
) -> Option<(&'a domain::sla::policy::Upgrade, i64)> {
    if !t.status.is_open() {
        return None;
    }
    let severity = t.severity.as_deref()?;
    let since = micros(t.severity_since.unwrap_or(t.reported_at));
    let pauses =
        stored.iter().find(|s| s.clock.metric == "resolve").map(|s| s.clock.pauses.clone()).unwrap_or_default();
    spec.upgrade
        .iter()
        .filter(|u| u.from == severity)
        .filter_map(|u| u.after.due(cal, since, &pauses, &mut ()).map(|at| (u, at)))
        .min_by_key(|(_, at)| *at)
}

fn ladder_message(t: &Ticket, breach: bool, percent: Option<u32>, metric: &str) -> (Msg, Msg) {
    let m = metric_label(metric);
    let title = if breach {
        Msg::new(format!("工单 {} {}已超时", t.number, m.zh), format!("Ticket {}: {} breached", t.number, m.en))
    } else {
        let p = percent.unwrap_or(0);
        Msg::new(
            format!("工单 {} {}时限已用 {p}%", t.number, m.zh),
            format!("Ticket {}: {p}% of the {} time used", t.number, m.en),
        )
    };
    (title, Msg::new(t.title.clone(), t.title.clone()))
}

pub(crate) fn metric_label(metric: &str) -> Msg {
    match metric {
        "response" => Msg::new("响应", "response"),
        "arrival" => Msg::new("到场", "arrival"),
        "plan" => Msg::new("提交方案", "plan"),
        "restore" => Msg::new("恢复", "restore"),
        "resolve" => Msg::new("解决", "resolve"),
        "fix" => Msg::new("修复", "fix"),
        other => Msg::new(other, other),
    }
}

/// A clock as pages show it (tickets, vulnerabilities).
pub(crate) fn view(cal: &Calendar, c: Clock, now: DateTime<Utc>, lang: Lang, risk_percent: u32) -> ClockView {
    let mut explanation = explain(&c.target, cal, instant(c.start), &c.pauses, lang);
    // The stored outcome is authoritative (a later calendar change does not move it).
    explanation.due_at = c.due.map(instant);
    explanation.due_local = c.due.map(|d| cal.local_string(d));
    let remaining = match (c.state, c.due) {
        (ClockState::Running | ClockState::Breached, Some(d)) if c.stopped_at.is_none() => {
            Some((d - micros(now)) / 1_000_000)
        }
        _ => None,
    };
    let minutes = |us: i64| (us as f64 / 60_000_000.0 * 100.0).round() / 100.0;
    ClockView {
        rule: c.target.text().pick(lang).to_string(),
        start_at: instant(c.start),
        due_at: c.due.map(instant),
        stopped_at: c.stopped_at.map(instant),
        breached_at: c.breached_at.map(instant),
        remaining_seconds: remaining,
        budget_minutes: minutes(c.budget),
        spent_minutes: minutes(c.spent),
        percent_spent: c.percent_spent(),
        risk_at: c.at_percent(cal, risk_percent).map(instant),
        risk_percent,
        metric: c.metric,
        target: c.target,
        state: c.state,
        explanation,
    }
}
