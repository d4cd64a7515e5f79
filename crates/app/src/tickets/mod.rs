//! Tickets (工单): reporting, reading, the lifecycle, SLA clocks and the job that keeps them.

pub(crate) mod clocks;
mod comments;
mod lifecycle;
mod notify;
mod preview;
pub(crate) mod requests;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::list::{ListQuery, Page};
use domain::registry::coverage::{self, Coverage};
use domain::sla::compiled::micros;
pub use domain::tickets::filter::{SORT_KEYS, TicketFilter};
use domain::tickets::input::{TicketFields, TicketInput};
use domain::tickets::view::{Event, SlaBasis, Ticket, TicketDetail};
use domain::tickets::{Channel, Status, TicketType};
use domain::{FieldError, Lang, Principal, Role, Scope};
use serde_json::json;
use store::Tx;

pub use self::clocks::CheckReport;
pub use self::comments::Upload;
use crate::{App, AppError, Result, audit};
use clocks::{Known, Rules, fresh_clocks};

/// China keeps UTC+8 all year: ticket numbers count days there.
fn bureau_day(t: DateTime<Utc>) -> String {
    crate::bureau_date(t).format("%Y%m%d").to_string()
}

/// Who may report: the unit for its own systems, the vendor for the systems it serves (a phone
/// call written down), the bureau for all. Auditors read only.
fn may_report(p: &Principal) -> Result<()> {
    if matches!(p.role, Role::Auditor | Role::SecurityAdmin) { Err(AppError::Forbidden) } else { Ok(()) }
}

/// A time given by the caller: only an administrator may back-fill, and never into the future.
pub(crate) fn given_time(
    p: &Principal,
    field: &str,
    given: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>> {
    let Some(at) = given else { return Ok(now) };
    if p.role != Role::Admin {
        return Err(FieldError::new(
            field,
            "只有数据局管理员可以补录时间，其他用户以服务器时间为准",
            "only an administrator may back-fill a time; others use the server's clock",
        )
        .into());
    }
    if at > now + chrono::Duration::minutes(1) {
        return Err(FieldError::new(field, "不能晚于当前时间", "must not be in the future").into());
    }
    Ok(at.min(now))
}

pub(crate) fn event(p: &Principal, at: DateTime<Utc>, now: DateTime<Utc>, kind: &str) -> Event {
    Event {
        seq: 0,
        at,
        recorded_at: now,
        actor_id: Some(p.user_id.clone()),
        actor_name: p.username.clone(),
        kind: kind.to_string(),
        from_status: None,
        to_status: None,
        reason: None,
        data: json!({}),
        text: String::new(),
    }
}

impl App {
    pub async fn list_tickets(&self, p: &Principal, q: &ListQuery, f: &TicketFilter) -> Result<Page<Ticket>> {
        Ok(store::tickets::list(&self.store, &p.scope(), q, f, self.business_now()).await?)
    }

    /// The ticket row only (no clocks), as the caller may see it.
    pub(crate) async fn visible_ticket(&self, p: &Principal, id: &str) -> Result<Ticket> {
        store::tickets::get(&self.store, &p.scope(), id, self.business_now()).await?.ok_or(AppError::NotFound)
    }

    pub async fn get_ticket(&self, p: &Principal, id: &str, lang: Lang) -> Result<TicketDetail> {
        let ticket = self.visible_ticket(p, id).await?;
        let rules = self.rules(&ticket).await?;
        self.detail(p, ticket, &rules, lang).await
    }

    pub async fn create_ticket(&self, p: &Principal, input: TicketInput, lang: Lang) -> Result<TicketDetail> {
        may_report(p)?;
        let f = input.validate()?;
        let now = self.business_now();
        let reported_at = given_time(p, "reported_at", f.reported_at, now)?;
        let by_system = [Channel::Monitoring, Channel::Inspection, Channel::Backup, Channel::Change];
        if by_system.contains(&f.channel) && p.role != Role::Admin {
            return Err(FieldError::new(
                "channel",
                "监控告警、巡检发现、备份检查和变更失败的工单由系统创建",
                "monitoring, inspection, backup and failed-change tickets are opened by the system",
            )
            .into());
        }
        let (ticket, rules) = self.open_ticket(p, f, reported_at).await?;
        self.detail(p, ticket, &rules, lang).await
    }

    /// Opens a validated ticket reported at `reported_at` (already checked against the caller's
    /// rights): from the API, an abnormal inspection result, or a monitor. The coverage, policy
    /// and calendar are read before the write transaction, once.
    pub(crate) async fn open_ticket(
        &self,
        p: &Principal,
        f: TicketFields,
        reported_at: DateTime<Utc>,
    ) -> Result<(Ticket, Arc<Rules>)> {
        let now = self.business_now();
        let scope = p.scope();
        let Some(system) = store::systems::get(&self.store, &scope, &f.system_id).await? else {
            return Err(FieldError::new("system_id", "信息系统不存在", "no such system").into());
        };
        let cover = self.coverage_at(&system.id, reported_at).await?;
        let (policy, level_name) = match cover.as_ref().and_then(|c| c.sla_policy_id.clone()) {
            Some(pid) => {
                let v = store::sla::get(&self.store, &Scope::All, &pid, None).await?;
                match v {
                    Some(v) => {
                        let level = match f.severity.as_deref() {
                            None => v.spec.levels.last().map(|l| l.name.clone()),
                            Some(s) => v.spec.level(s).map(|l| l.name.clone()),
                        };
                        let Some(level) = level else {
                            let names: Vec<_> = v.spec.levels.iter().map(|l| l.name.as_str()).collect();
                            return Err(FieldError::new(
                                "severity",
                                format!("SLA 策略中没有这个级别，可选：{}", names.join("、")),
                                format!("is not a level of the SLA policy; one of: {}", names.join(", ")),
                            )
                            .into());
                        };
                        (Some(v), Some(level))
                    }
                    None => (None, f.severity.clone()),
                }
            }
            None => (None, f.severity.clone()),
        };
        let vendor_id = cover.as_ref().map(|c| c.vendor_id.clone());
        if let Some(a) = &f.assignee_id {
            self.check_assignee(p, vendor_id.as_deref(), a).await?;
        }
        let assignee_id = match &f.assignee_id {
            Some(a) => Some(a.clone()),
            None => self.rule_assignee(cover.as_ref()).await?,
        };
        let calendar_id = policy.as_ref().map(|v| v.spec.calendar_id.clone());
        let (stored, calendar) =
            self.compiled_calendar(calendar_id.as_deref().unwrap_or(clocks::FALLBACK_CALENDAR)).await?;
        let in_hours = calendar_id.is_none() || calendar.is_working(micros(reported_at));
        let rules = Arc::new(Rules { policy, calendar, calendar_name: stored.spec.name });
        let policy = rules.policy.as_ref();
        let mut ticket = Ticket {
            id: store::new_id(),
            number: String::new(),
            kind: f.kind,
            channel: f.channel,
            title: f.title,
            description: f.description,
            system_id: system.id.clone(),
            unit_id: system.unit_id.clone(),
            vendor_id,
            contract_item_id: cover.as_ref().map(|c| c.item_id.clone()),
            policy_id: policy.map(|v| v.id.clone()),
            policy_version: policy.map(|v| v.version),
            calendar_id,
            severity: level_name,
            status: Status::New,
            support_level: "L1".into(),
            reporter_id: Some(p.user_id.clone()),
            reporter_name: match f.reporter_name {
                Some(n) => n,
                // The person's display name (“李娜”), not their sign-in name (“unit05”).
                None => store::users::display_names(&self.store, std::slice::from_ref(&p.user_id))
                    .await?
                    .remove(&p.user_id)
                    .unwrap_or_else(|| p.username.clone()),
            },
            contact: f.contact,
            assignee_id,
            reported_at,
            in_hours,
            resolved_at: None,
            closed_at: None,
            waiting_for: None,
            cause: None,
            cause_counted: None,
            outage_start: None,
            outage_end: None,
            rating: None,
            rating_comment: None,
            resolution: None,
            next_due_at: None,
            next_due_metric: None,
            at_risk: false,
            breached: false,
            created_at: now,
            updated_at: now,
            severity_since: Some(reported_at),
            risk_at: None,
            next_check_at: None,
            revision: 0,
        };
        // Who hears of it is read before the write section, which stays as short as it can be.
        let told = self.new_ticket_recipients(&ticket).await?;
        let tx = self.store.begin().await?;
        let n = store::tickets::next_number(&tx, &bureau_day(now)).await?;
        ticket.number = format!("YW{}-{n:04}", bureau_day(now));
        store::tickets::insert(&tx, &ticket).await?;
        let mut e = event(p, reported_at, now, "created");
        e.to_status = Some(Status::New);
        e.data = json!({"severity": ticket.severity, "channel": ticket.channel, "type": ticket.kind});
        e.seq = store::tickets::add_event(&tx, &ticket.id, &e).await?;
        let known = Known { events: vec![e], clocks: fresh_clocks(&ticket, policy), stored: false };
        let rules = self.settle_known(&tx, &mut ticket, now, rules, known).await?;
        let most_severe = rules
            .policy
            .as_ref()
            .and_then(|v| v.spec.levels.first())
            .is_some_and(|l| ticket.severity.as_deref() == Some(l.name.as_str()));
        self.notify_new(&tx, &ticket, &told, most_severe, now).await?;
        // Last before the commit: on PostgreSQL the chain's lock is held from here to the end.
        audit::<(), _>(&tx, p, "create", "ticket", &ticket.id, None, Some(&ticket), now).await?;
        tx.commit().await?;
        Ok((ticket, rules))
    }

    /// The item covering `system_id` on the report's date (`coverage::for_ticket`).
    /// Nobody chosen: whoever is on duty when the item says so, else the item's default handler
    /// while they still work for its vendor, else nobody (the unassigned list).
    async fn rule_assignee(&self, cover: Option<&Coverage>) -> Result<Option<String>> {
        let Some(c) = cover else { return Ok(None) };
        if c.assign_to_duty
            && let Some(u) = self.duty_assignee(&c.contract_id, &c.vendor_id, self.business_now()).await?
        {
            return Ok(Some(u));
        }
        match &c.default_assignee_id {
            Some(d) if self.works_for(d, &c.vendor_id).await? => Ok(Some(d.clone())),
            _ => Ok(None),
        }
    }

    pub(crate) async fn coverage_at(&self, system_id: &str, at: DateTime<Utc>) -> Result<Option<Coverage>> {
        let all = store::contracts::coverage(&self.store, system_id).await?;
        Ok(coverage::for_ticket(all, crate::bureau_date(at)))
    }

    /// An assignee works for the ticket's vendor (or is an administrator).
    pub(crate) async fn check_assignee(&self, p: &Principal, vendor_id: Option<&str>, id: &str) -> Result<()> {
        if p.role == Role::UnitUser {
            return Err(
                FieldError::new("assignee_id", "使用单位不能指派处理人", "units do not assign engineers").into()
            );
        }
        let user = store::users::get(&self.store, &Scope::All, id).await?;
        let ok = user.is_some_and(|u| {
            u.active
                && (u.role == Role::Admin
                    || (matches!(u.role, Role::Engineer | Role::VendorPm) && u.vendor_id.as_deref() == vendor_id))
        });
        if ok {
            Ok(())
        } else {
            Err(FieldError::new(
                "assignee_id",
                "处理人须为该工单供应商的在职人员",
                "must be an active member of the ticket's vendor",
            )
            .into())
        }
    }

    /// The ticket page: timeline, clocks, comments, attachments and what the caller may do.
    pub(crate) async fn detail(
        &self,
        p: &Principal,
        ticket: Ticket,
        rules: &Arc<Rules>,
        lang: Lang,
    ) -> Result<TicketDetail> {
        let internal = p.scope() != Scope::Unit(ticket.unit_id.clone()) || p.role != Role::UnitUser;
        let mut events = store::tickets::events(&self.store, &ticket.id).await?;
        // People by their display names: the actors, the assignees named by assignments, the handler.
        let mut ids: Vec<String> = events.iter().filter_map(|e| e.actor_id.clone()).collect();
        for e in events.iter().filter(|e| e.kind == "assigned") {
            ids.extend(["from", "to"].iter().filter_map(|k| e.data.get(*k).and_then(|v| v.as_str()).map(String::from)));
        }
        ids.extend(ticket.assignee_id.clone());
        ids.sort();
        ids.dedup();
        let names = store::users::display_names(&self.store, &ids).await?;
        for e in &mut events {
            if let Some(n) = e.actor_id.as_ref().and_then(|id| names.get(id)) {
                e.actor_name = n.clone();
            }
            e.text = lifecycle::event_text(e, &names).pick(lang).to_string();
        }
        let rules = self.rules_for(&ticket, Some(rules)).await?;
        let clocks = self.clock_views(&ticket, &rules, &events, lang).await?;
        let comments = store::tickets::comments(&self.store, &ticket.id, internal).await?;
        let attachments = store::tickets::attachments(&self.store, &ticket.id, internal).await?;
        let allowed = ticket.status.next().iter().copied().filter(|s| s.may_enter(p.role)).collect();
        let levels =
            rules.policy.as_ref().map(|p| p.spec.levels.iter().map(|l| l.name.clone()).collect()).unwrap_or_default();
        let assignee_name = ticket.assignee_id.as_ref().and_then(|id| names.get(id).cloned());
        let sla_basis = rules.policy.as_ref().map(|p| SlaBasis {
            policy_id: p.id.clone(),
            policy_name: p.spec.name.clone(),
            version: p.version,
            level: ticket.severity.clone(),
            calendar_id: p.spec.calendar_id.clone(),
            calendar_name: rules.calendar_name.clone(),
            in_hours: ticket.in_hours,
        });
        let mut ticket = ticket;
        ticket.cause_counted = self.cause_counted(&ticket).await?;
        Ok(TicketDetail { ticket, clocks, events, comments, attachments, allowed, levels, assignee_name, sla_basis })
    }

    async fn cause_counted(&self, t: &Ticket) -> Result<Option<bool>> {
        let (Some(cause), Some(item)) = (t.cause, &t.contract_item_id) else { return Ok(None) };
        Ok(store::contracts::counted_causes(&self.store, item).await?.map(|c| c.contains(&cause)))
    }

    /// The list as an xlsx workbook, with the same filter and scope.
    pub async fn export_tickets(&self, p: &Principal, q: &ListQuery, f: &TicketFilter) -> Result<Vec<u8>> {
        use report::xlsx::{Cell, write_table};
        let page = store::tickets::list(&self.store, &p.scope(), &q.unpaged(), f, self.business_now()).await?;
        let systems = self.list_systems(p, &ListQuery::default().unpaged(), &Default::default()).await?;
        let system_name: std::collections::HashMap<_, _> = systems.items.into_iter().map(|s| (s.id, s.name)).collect();
        let units = self.list_units(p, &ListQuery::default().unpaged()).await?;
        let unit_name: std::collections::HashMap<_, _> = units.items.into_iter().map(|u| (u.id, u.name)).collect();
        let bj = |t: Option<DateTime<Utc>>| -> Cell {
            t.map_or(Cell::Empty, |t| Cell::Text((t + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M").to_string()))
        };
        let rows: Vec<Vec<Cell>> = page
            .items
            .into_iter()
            .map(|t| {
                vec![
                    t.number.into(),
                    t.kind.label().zh.into(),
                    t.title.into(),
                    system_name.get(&t.system_id).cloned().unwrap_or(t.system_id).into(),
                    unit_name.get(&t.unit_id).cloned().unwrap_or(t.unit_id).into(),
                    t.severity.into(),
                    t.status.label().zh.into(),
                    t.reporter_name.into(),
                    bj(Some(t.reported_at)),
                    bj(t.resolved_at),
                    bj(t.closed_at),
                    (if t.breached { "是" } else { "否" }).into(),
                    t.cause.map(|c| c.label().zh).into(),
                    t.rating.map_or(Cell::Empty, |r| Cell::Int(r.into())),
                ]
            })
            .collect();
        let headers = [
            "工单编号",
            "类型",
            "标题",
            "信息系统",
            "使用单位",
            "级别",
            "状态",
            "报告人",
            "报告时间",
            "解决时间",
            "关闭时间",
            "是否超时",
            "中断原因",
            "满意度",
        ];
        write_table("工单", &headers, &rows).map_err(|e| AppError::internal_from("writing the spreadsheet", e))
    }

    pub(crate) async fn write_ticket(&self, tx: &Tx, t: &Ticket) -> Result<()> {
        if store::tickets::update(tx, t).await? {
            Ok(())
        } else {
            Err(AppError::conflict(
                None,
                "工单刚被他人更新，请刷新后重试",
                "the ticket was changed by someone else just now; reload and try again",
            ))
        }
    }
}

/// Ticket types that are incidents carry an outage.
pub fn has_outage(kind: TicketType) -> bool {
    kind == TicketType::Incident
}
