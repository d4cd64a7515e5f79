//! Moving a ticket: state transitions, assignment and support level, milestones, the outage
//! record and the reporter's rating. Every change is an event on the timeline and an audit record.

use std::sync::Arc;

use domain::approvals::ApprovalKind;
use domain::geo::Location;
use domain::tickets::input::{
    AssignInput, MAX_EVENTS, MilestoneInput, OutageFields, OutageInput, RatingInput, TransitionFields, TransitionInput,
    transition_refused,
};
use domain::tickets::view::{Event, Ticket, TicketDetail};
use domain::tickets::{DEFAULT_COUNTED_CAUSES, Status, support_level_label};
use domain::{FieldError, Lang, Msg, Principal, Role};
use serde_json::json;

use super::clocks::Rules;
use super::requests::{OutagePayload, PausePayload, about};
use super::{event, given_time, has_outage};
use crate::{App, AppError, Applied, Result, audit};

/// A changed ticket with the rules it ran under.
pub(crate) type Settled = (Ticket, Arc<Rules>);

/// The move must be one the ticket's state allows and the caller's role may make (409 naming
/// the allowed ones otherwise).
fn check_move(p: &Principal, t: &Ticket, to: Status) -> Result<()> {
    let allowed: Vec<Status> = t.status.next().iter().copied().filter(|s| s.may_enter(p.role)).collect();
    if allowed.contains(&to) {
        Ok(())
    } else {
        Err(AppError::Conflict { msg: transition_refused(t.status, to, &allowed), field: Some("to".into()) })
    }
}

impl App {
    /// Loads a ticket the caller may change, with its rules (read once for the whole request):
    /// hidden ones are 404, auditors 403.
    async fn ticket_for_change(&self, p: &Principal, id: &str) -> Result<(Ticket, Arc<Rules>)> {
        let t = self.visible_ticket(p, id).await?;
        if matches!(p.role, Role::Auditor | Role::SecurityAdmin) {
            return Err(AppError::Forbidden);
        }
        let rules = self.rules(&t).await?;
        Ok((t, rules))
    }

    /// Runs `change` on the ticket inside a transaction, then settles its clocks and audits it.
    /// Callers have checked with `ticket_for_change` that the caller may change it.
    async fn change_ticket<F>(
        &self,
        p: &Principal,
        (id, rules): (&str, &Arc<Rules>),
        action: &str,
        change: F,
    ) -> Result<Settled>
    where
        F: AsyncFnOnce(&store::Tx, &mut Ticket, &Ticket) -> Result<()>,
    {
        let now = self.business_now();
        let tx = self.store.begin().await?;
        let done = self.change_ticket_in(&tx, p, (id, Some(rules)), action, now, change).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// The page of a changed ticket, for the caller who changed it.
    async fn page(&self, p: &Principal, (t, rules): Settled, lang: Lang) -> Result<TicketDetail> {
        self.detail(p, t, &rules, lang).await
    }

    /// The same inside a transaction the caller holds (an approval's decision).
    pub(crate) async fn change_ticket_in<F>(
        &self,
        tx: &store::Tx,
        p: &Principal,
        (id, rules): (&str, Option<&Arc<Rules>>),
        action: &str,
        now: chrono::DateTime<chrono::Utc>,
        change: F,
    ) -> Result<Settled>
    where
        F: AsyncFnOnce(&store::Tx, &mut Ticket, &Ticket) -> Result<()>,
    {
        let mut t = store::tickets::get(tx, &p.scope(), id, now).await?.ok_or(AppError::NotFound)?;
        let before = t.clone();
        change(tx, &mut t, &before).await?;
        let rules = self.settle_ticket(tx, &mut t, now, rules).await?;
        audit(tx, p, action, "ticket", id, Some(&before), Some(&t), now).await?;
        Ok((t, rules))
    }

    /// Moves the ticket. Vendor staff moving it into a state that pauses its clocks (挂起) ask
    /// instead: the ticket's unit (or the bureau) approves, and the pause then counts from the
    /// moment it was asked for; meanwhile the clocks run.
    pub async fn transition_ticket(
        &self,
        p: &Principal,
        id: &str,
        input: TransitionInput,
        lang: Lang,
    ) -> Result<Applied<TicketDetail>> {
        match self.transition(p, id, input).await? {
            Applied::Done(s) => Ok(Applied::Done(self.page(p, s, lang).await?)),
            Applied::Requested(a) => Ok(Applied::Requested(a)),
        }
    }

    /// The same without the page (the system's own moves: monitoring, the demo).
    pub(crate) async fn transition(&self, p: &Principal, id: &str, input: TransitionInput) -> Result<Applied<Settled>> {
        let f = input.validate()?;
        let (t, rules) = self.ticket_for_change(p, id).await?;
        if !f.to.may_enter(p.role) {
            return Err(AppError::Forbidden);
        }
        let now = self.business_now();
        let at = given_time(p, "at", f.at, now)?;
        let pauses = rules.policy.as_ref().is_some_and(|r| r.spec.pause_states.contains_key(f.to.as_str()));
        if matches!(p.role, Role::Engineer | Role::VendorPm) && pauses {
            check_move(p, &t, f.to)?;
            let reason = f.reason.clone().unwrap_or_default();
            let payload = PausePayload { input: input.clone(), at: now, status: t.status };
            let title = Msg::new(
                format!("工单 {}“{}”申请{}：{reason}", t.number, t.title, f.to.label().zh),
                format!("Ticket {} \"{}\": {} asked: {reason}", t.number, t.title, f.to.label().en),
            );
            let proposed = json!({"to": f.to, "reason": f.reason, "waiting_for": f.waiting_for});
            let current = json!({"status": t.status});
            let request = about(&t, ApprovalKind::TicketPause, title, proposed, current, f.reason.clone(), &payload);
            let a = self.request_approval(p, request).await?;
            return Ok(Applied::Requested(Box::new(a)));
        }
        self.change_ticket(p, (id, &rules), "transition", async |tx, t, before| {
            self.transition_in(tx, p, t, before, &f, at, now).await
        })
        .await
        .map(Applied::Done)
    }

    /// The move itself, at `at`, inside the ticket's change.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn transition_in(
        &self,
        tx: &store::Tx,
        p: &Principal,
        t: &mut Ticket,
        before: &Ticket,
        f: &TransitionFields,
        at: chrono::DateTime<chrono::Utc>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        check_move(p, before, f.to)?;
        let events = store::tickets::events(tx, &t.id).await?;
        if events.len() >= MAX_EVENTS {
            return Err(AppError::conflict(None, "工单变更次数过多", "the ticket has changed too many times"));
        }
        if let Some(last) = events.iter().filter(|e| e.kind == "transition" || e.kind == "created").map(|e| e.at).max()
            && at < last
        {
            return Err(FieldError::new(
                "at",
                "不能早于工单上一次状态变化",
                "must not be before the ticket's last change",
            )
            .into());
        }
        t.status = f.to;
        t.waiting_for = if f.to == Status::Pending { f.waiting_for.clone() } else { None };
        match f.to {
            Status::Resolved => {
                t.resolved_at = Some(at);
                t.resolution = f.resolution.clone();
            }
            Status::Closed => t.closed_at = Some(at),
            Status::Reopened => {
                // The timeline keeps the earlier resolution; the next one is written afresh.
                t.resolved_at = None;
                t.closed_at = None;
                t.rating = None;
                t.rating_comment = None;
                t.resolution = None;
            }
            _ => {}
        }
        if f.to == Status::Restored && has_outage(t.kind) && t.outage_start.is_some() && t.outage_end.is_none() {
            t.outage_end = Some(at);
        }
        let mut e = event(p, at, now, "transition");
        e.from_status = Some(before.status);
        e.to_status = Some(f.to);
        e.reason = f.reason.clone();
        e.data = match (&f.resolution, &f.location) {
            (Some(r), _) => json!({"resolution": r}),
            (None, Some(l)) => json!({"location": l}),
            (None, None) => json!({"waiting_for": f.waiting_for}),
        };
        store::tickets::add_event(tx, &t.id, &e).await?;
        // An engineer who answers a ticket nobody handles takes it: the unit sees a name at once.
        if f.to == Status::Responded && before.assignee_id.is_none() && p.role == Role::Engineer {
            t.assignee_id = Some(p.user_id.clone());
            let mut e = event(p, at, now, "assigned");
            e.data = json!({"from": null, "to": p.user_id, "on_response": true});
            store::tickets::add_event(tx, &t.id, &e).await?;
        }
        self.notify_transition(tx, t, f.to, now).await
    }

    /// Assigns an engineer and/or moves the ticket to another support level (L1–L4).
    pub async fn assign_ticket(&self, p: &Principal, id: &str, input: AssignInput, lang: Lang) -> Result<TicketDetail> {
        let (assignee, level, reason) = input.validate()?;
        let (t, rules) = self.ticket_for_change(p, id).await?;
        if p.role == Role::UnitUser {
            return Err(AppError::Forbidden);
        }
        if let Some(a) = &assignee {
            self.check_assignee(p, t.vendor_id.as_deref(), a).await?;
        }
        let now = self.business_now();
        let done = self
            .change_ticket(p, (id, &rules), "assign", async |tx, t, before| {
                if assignee != before.assignee_id {
                    t.assignee_id = assignee.clone();
                    let mut e = event(p, now, now, "assigned");
                    e.reason = reason.clone();
                    e.data = json!({"from": before.assignee_id, "to": assignee});
                    store::tickets::add_event(tx, &t.id, &e).await?;
                    if let Some(a) = &assignee {
                        let title = Msg::new(
                            format!("工单 {} 已指派给您", t.number),
                            format!("Ticket {} is assigned to you", t.number),
                        );
                        let body = Msg::new(t.title.clone(), t.title.clone());
                        store::notifications::add(
                            tx,
                            std::slice::from_ref(a),
                            &store::notifications::Notice {
                                ticket_id: Some(&t.id),
                                kind: "assigned",
                                title: &title,
                                body: &body,
                                urgent: false,
                            },
                            now,
                        )
                        .await?;
                    }
                }
                if let Some(l) = &level
                    && *l != before.support_level
                {
                    t.support_level = l.clone();
                    let mut e = event(p, now, now, "level");
                    e.reason = reason.clone();
                    e.data = json!({"from": before.support_level, "to": l});
                    store::tickets::add_event(tx, &t.id, &e).await?;
                }
                Ok(())
            })
            .await?;
        self.page(p, done, lang).await
    }

    /// Records that a milestone was reached (`plan`: a solution handed in; custom metrics).
    pub async fn ticket_milestone(
        &self,
        p: &Principal,
        id: &str,
        input: MilestoneInput,
        lang: Lang,
    ) -> Result<TicketDetail> {
        let (metric, at, note) = input.validate()?;
        let (_, rules) = self.ticket_for_change(p, id).await?;
        if !matches!(p.role, Role::Admin | Role::Engineer | Role::VendorPm) {
            return Err(AppError::Forbidden);
        }
        let now = self.business_now();
        let at = given_time(p, "at", at, now)?;
        let done = self
            .change_ticket(p, (id, &rules), "milestone", async |tx, t, _| {
                let clocks = store::tickets::clocks(tx, &t.id).await?;
                if !clocks.iter().any(|c| c.clock.metric == metric) {
                    return Err(FieldError::new(
                        "metric",
                        "该工单没有这个时限",
                        "the ticket has no clock for this metric",
                    )
                    .into());
                }
                let events = store::tickets::events(tx, &t.id).await?;
                if events
                    .iter()
                    .any(|e| e.kind == "milestone" && e.data.get("metric").and_then(|m| m.as_str()) == Some(&metric))
                {
                    return Err(AppError::conflict(
                        Some("metric"),
                        "该节点已记录",
                        "this milestone is already recorded",
                    ));
                }
                if at < t.reported_at {
                    return Err(FieldError::new("at", "不能早于报告时间", "must not be before the report").into());
                }
                let mut e = event(p, at, now, "milestone");
                e.reason = note.clone();
                e.data = json!({"metric": metric});
                store::tickets::add_event(tx, &t.id, &e).await?;
                Ok(())
            })
            .await?;
        self.page(p, done, lang).await
    }

    /// An incident's outage cause and interruption times (the vendor and the bureau record them).
    /// Vendor staff record at once only what cannot excuse them: a cause the contract counts
    /// against the vendor, with the times as they stand. A cause that would not count (a
    /// carrier's line, the power) or a change of the times is a request the bureau approves.
    pub async fn ticket_outage(
        &self,
        p: &Principal,
        id: &str,
        input: OutageInput,
        lang: Lang,
    ) -> Result<Applied<TicketDetail>> {
        match self.outage(p, id, input).await? {
            Applied::Done(s) => Ok(Applied::Done(self.page(p, s, lang).await?)),
            Applied::Requested(a) => Ok(Applied::Requested(a)),
        }
    }

    /// The same without the page (the system's own records: monitoring).
    pub(crate) async fn outage(&self, p: &Principal, id: &str, input: OutageInput) -> Result<Applied<Settled>> {
        let f = input.validate()?;
        let (t, rules) = self.ticket_for_change(p, id).await?;
        if p.role == Role::UnitUser {
            return Err(AppError::Forbidden);
        }
        if !has_outage(t.kind) {
            return Err(FieldError::new("cause", "只有故障工单记录中断原因", "only incidents record an outage").into());
        }
        let now = self.business_now();
        if f.outage_start.is_some_and(|s| s > now) || f.outage_end.is_some_and(|e| e > now) {
            return Err(FieldError::new("outage_end", "不能晚于当前时间", "must not be in the future").into());
        }
        let (cause, start, end) =
            (f.cause.or(t.cause), f.outage_start.or(t.outage_start), f.outage_end.or(t.outage_end));
        if matches!(p.role, Role::Engineer | Role::VendorPm) {
            let counted = match &t.contract_item_id {
                Some(item) => store::contracts::counted_causes(&self.store, item).await?,
                None => None,
            }
            .unwrap_or_else(|| DEFAULT_COUNTED_CAUSES.to_vec());
            let excuses = cause.is_some_and(|c| !counted.contains(&c));
            if excuses || start != t.outage_start || end != t.outage_end {
                let label = cause.map(|c| c.label()).unwrap_or_else(|| Msg::new("", ""));
                let payload = OutagePayload { input: input.clone(), before: (t.cause, t.outage_start, t.outage_end) };
                let title = Msg::new(
                    format!("工单 {}“{}”中断原因：{}", t.number, t.title, label.zh),
                    format!("Ticket {} \"{}\" outage cause: {}", t.number, t.title, label.en),
                );
                let proposed = json!({"cause": cause, "outage_start": start, "outage_end": end});
                let current = json!({"cause": t.cause, "outage_start": t.outage_start, "outage_end": t.outage_end});
                let reason = crate::approvals::reason(input.reason.as_deref())?;
                let request = about(&t, ApprovalKind::TicketOutage, title, proposed, current, reason, &payload);
                let a = self.request_approval(p, request).await?;
                return Ok(Applied::Requested(Box::new(a)));
            }
        }
        self.change_ticket(p, (id, &rules), "outage", async |tx, t, before| {
            self.outage_in(tx, p, t, before, &f, now).await
        })
        .await
        .map(Applied::Done)
    }

    pub(crate) async fn outage_in(
        &self,
        tx: &store::Tx,
        p: &Principal,
        t: &mut Ticket,
        before: &Ticket,
        f: &OutageFields,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        t.cause = f.cause.or(before.cause);
        t.outage_start = f.outage_start.or(before.outage_start);
        t.outage_end = f.outage_end.or(before.outage_end);
        if let (Some(s), Some(e)) = (t.outage_start, t.outage_end)
            && e < s
        {
            return Err(FieldError::new("outage_end", "中断结束不能早于开始", "must not be before outage_start").into());
        }
        let mut e = event(p, now, now, "cause");
        e.data = json!({"cause": t.cause, "outage_start": t.outage_start, "outage_end": t.outage_end});
        store::tickets::add_event(tx, &t.id, &e).await?;
        Ok(())
    }

    /// The reporter's satisfaction (000 用户使用评价), after the ticket is resolved.
    pub async fn rate_ticket(&self, p: &Principal, id: &str, input: RatingInput, lang: Lang) -> Result<TicketDetail> {
        let (rating, comment) = input.validate()?;
        let (t, rules) = self.ticket_for_change(p, id).await?;
        if !matches!(p.role, Role::UnitUser | Role::Admin) {
            return Err(AppError::Forbidden);
        }
        if t.status.is_open() {
            return Err(AppError::conflict(
                Some("rating"),
                "工单解决后才能评价",
                "a ticket is rated after it is resolved",
            ));
        }
        let now = self.business_now();
        let done = self
            .change_ticket(p, (id, &rules), "rate", async |tx, t, _| {
                t.rating = Some(rating);
                t.rating_comment = comment.clone();
                let mut e = event(p, now, now, "rated");
                e.reason = comment.clone();
                e.data = json!({"rating": rating});
                store::tickets::add_event(tx, &t.id, &e).await?;
                Ok(())
            })
            .await?;
        self.page(p, done, lang).await
    }
}

/// A timeline entry in words; `names` has people's display names by user id.
pub(super) fn event_text(e: &Event, names: &std::collections::HashMap<String, String>) -> Msg {
    let s = |k: &str| e.data.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    // What the system does itself (a monitor's report, the clock job) is said so in each language.
    let (who_zh, who_en) = match e.actor_id.as_deref() {
        None | Some("system") => ("系统".to_string(), "The system".to_string()),
        _ => (e.actor_name.clone(), e.actor_name.clone()),
    };
    let person = |k: &str| e.data.get(k).and_then(|v| v.as_str()).map(|id| names.get(id).cloned().unwrap_or(id.into()));
    match e.kind.as_str() {
        "created" => Msg::new(format!("{who_zh} 报告了问题"), format!("{who_en} reported the problem")),
        "transition" => {
            let to = e.to_status.map(|s| s.label()).unwrap_or_else(|| Msg::new("", ""));
            let auto = e.data.get("automatic").and_then(|v| v.as_bool()).unwrap_or(false);
            if auto {
                Msg::new(format!("自动转为“{}”", to.zh), format!("automatically {}", to.en))
            } else {
                let mut m = Msg::new(
                    format!("{who_zh} 将工单转为“{}”", to.zh),
                    format!("{who_en} set the ticket to {}", to.en),
                );
                if let Some(l) = e.data.get("location").and_then(|l| serde_json::from_value::<Location>(l.clone()).ok())
                {
                    let (zh, en) = place(&l);
                    m = Msg::new(format!("{}，{zh}", m.zh), format!("{}, {en}", m.en));
                }
                m
            }
        }
        "assigned" => match (person("from"), person("to")) {
            (_, Some(to)) if e.data.get("on_response").is_some() => {
                Msg::new(format!("{to} 响应并接单"), format!("{to} responded and took the ticket"))
            }
            (Some(from), Some(to)) => Msg::new(
                format!("{who_zh} 将处理人由 {from} 改为 {to}"),
                format!("{who_en} reassigned it from {from} to {to}"),
            ),
            (None, Some(to)) => Msg::new(format!("{who_zh} 指派给 {to}"), format!("{who_en} assigned it to {to}")),
            (Some(from), None) => {
                Msg::new(format!("{who_zh} 取消了 {from} 的指派"), format!("{who_en} unassigned {from}"))
            }
            (None, None) => Msg::new(format!("{who_zh} 更改了处理人"), format!("{who_en} changed the assignee")),
        },
        "level" => {
            let to = support_level_label(&s("to"));
            Msg::new(format!("升级到 {}（{}）", s("to"), to.zh), format!("escalated to {} ({})", s("to"), to.en))
        }
        "severity" => Msg::new(
            format!("级别自动由“{}”升为“{}”", s("from"), s("to")),
            format!("severity upgraded from {} to {}", s("from"), s("to")),
        ),
        "escalation" => {
            let m = super::clocks::metric_label(&s("metric"));
            if e.data.get("on_breach").and_then(|v| v.as_bool()).unwrap_or(false) {
                Msg::new(format!("{}时限超时，已通知相关人员", m.zh), format!("{} breached; people notified", m.en))
            } else {
                let p = e.data.get("at_percent").and_then(|v| v.as_u64()).unwrap_or(0);
                Msg::new(
                    format!("{}时限已用 {p}%，已通知相关人员", m.zh),
                    format!("{p}% of the {} time used; people notified", m.en),
                )
            }
        }
        "milestone" => {
            let m = super::clocks::metric_label(&s("metric"));
            Msg::new(format!("{who_zh} 记录：{}完成", m.zh), format!("{who_en} recorded: {} done", m.en))
        }
        "cause" => Msg::new(format!("{who_zh} 记录了中断原因和时间"), format!("{who_en} recorded the outage")),
        "rated" => {
            let r = e.data.get("rating").and_then(|v| v.as_i64()).unwrap_or(0);
            Msg::new(format!("{who_zh} 评价 {r} 星"), format!("{who_en} rated it {r}/5"))
        }
        other => Msg::new(other, other),
    }
}

/// A position in words, with how precise the phone said it was (no map service is reached:
/// government networks are often offline).
fn place(l: &Location) -> (String, String) {
    let (ns, ew) = (
        if l.latitude >= 0.0 { ("北纬", "N") } else { ("南纬", "S") },
        if l.longitude >= 0.0 { ("东经", "E") } else { ("西经", "W") },
    );
    let (lat, lon) = (l.latitude.abs(), l.longitude.abs());
    let acc = l.accuracy.map(|a| a.round() as i64);
    let zh = format!("位置 {}{lat:.5}°、{}{lon:.5}°", ns.0, ew.0)
        + &acc.map(|a| format!("（精度约 {a} 米）")).unwrap_or_default();
    let en = format!("at {lat:.5}°{} {lon:.5}°{}", ns.1, ew.1)
        + &acc.map(|a| format!(" (within about {a} m)")).unwrap_or_default();
    (zh, en)
}
