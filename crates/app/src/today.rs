//! The “today” home page: for each role the lists that need someone now. Every section is one
//! bounded list query (its first items and its count), never a scan of all tickets.

use std::collections::HashMap;

use chrono::Duration;
use domain::approvals::{ApprovalFilter, ApprovalStatus};
use domain::duty::DutyFilter;
use domain::inspections::plan::{Task, TaskFilter, TaskStatus};
use domain::list::{ListQuery, Order, Page};
use domain::monitoring::MonitorFilter;
use domain::monitoring::state::MonitorState;
use domain::tickets::Status;
use domain::tickets::filter::TicketFilter;
use domain::tickets::view::Ticket;
use domain::today::{ITEMS_PER_SECTION, Today, TodayItem, TodayKind, TodaySection};
use domain::{Lang, Principal, Role};

use crate::{App, Result, bureau_date};

fn first(sort: &str, order: Order) -> ListQuery {
    ListQuery { page: 1, page_size: ITEMS_PER_SECTION, sort: Some(sort.into()), order, q: None }
}

fn open_tickets() -> TicketFilter {
    TicketFilter { statuses: Status::ALL.iter().copied().filter(|s| s.is_open()).collect(), ..Default::default() }
}

fn ticket_item(t: Ticket) -> TodayItem {
    let state = if t.breached {
        "breached"
    } else if t.at_risk {
        "at_risk"
    } else {
        t.status.as_str()
    };
    TodayItem {
        kind: TodayKind::Ticket,
        id: t.id,
        title: t.title,
        number: Some(t.number),
        system_id: Some(t.system_id),
        system_name: None,
        // A breached ticket's next due time belongs to another clock: the badge says enough.
        at: if t.breached { None } else { t.next_due_at },
        state: state.into(),
    }
}

fn task_item(t: Task) -> TodayItem {
    let state = match t.status {
        TaskStatus::Overdue => "overdue",
        TaskStatus::Pending => "pending",
        TaskStatus::Done => "done",
    };
    TodayItem {
        kind: TodayKind::InspectionTask,
        id: t.id,
        title: t.scheduled_for.to_string(),
        number: None,
        system_id: Some(t.system_id),
        system_name: None,
        at: Some(t.due_at),
        state: state.into(),
    }
}

fn section<T>(key: &str, link: String, page: Page<T>, item: impl Fn(T) -> TodayItem) -> TodaySection {
    TodaySection { key: key.into(), count: page.total, link, items: page.items.into_iter().map(item).collect() }
}

impl App {
    /// The caller's home page as of the bureau's today.
    pub async fn today(&self, p: &Principal, lang: Lang) -> Result<Today> {
        let today = bureau_date(self.business_now());
        let me = p.user_id.as_str();
        let mut sections = Vec::new();
        match p.role {
            Role::Admin | Role::VendorPm | Role::Auditor => {
                let urgent = first("next_due_at", Order::Asc);
                let f = TicketFilter { breached: Some(true), ..open_tickets() };
                sections.push(
                    self.ticket_section(p, "breached", "status=open&breached=true&sort=next_due_at", &urgent, &f)
                        .await?,
                );
                let f = TicketFilter { at_risk: Some(true), ..open_tickets() };
                sections.push(
                    self.ticket_section(p, "at_risk", "status=open&at_risk=true&sort=next_due_at", &urgent, &f).await?,
                );
                let f = TicketFilter { unassigned: Some(true), ..open_tickets() };
                sections.push(
                    self.ticket_section(p, "unassigned", "status=open&unassigned=true&sort=next_due_at", &urgent, &f)
                        .await?,
                );
                sections.push(self.systems_down(p).await?);
                let f = TaskFilter { status: Some(TaskStatus::Overdue), ..Default::default() };
                let tasks = self.list_inspection_tasks(p, &first("scheduled_for", Order::Asc), &f).await?;
                sections.push(section(
                    "inspections_overdue",
                    "/inspections?tab=tasks&status=overdue".into(),
                    tasks,
                    task_item,
                ));
                if p.role != Role::Auditor {
                    sections.push(self.waiting_approvals(p, lang).await?);
                }
            }
            // Accounts and the security policy: nothing of the day's business.
            Role::SecurityAdmin => {}
            Role::Engineer => {
                let f = TicketFilter { assignee_id: Some(me.into()), ..open_tickets() };
                let link = format!("status=open&assignee_id={me}&sort=next_due_at");
                sections
                    .push(self.ticket_section(p, "my_tickets", &link, &first("next_due_at", Order::Asc), &f).await?);
                let f = TaskFilter { open: Some(true), mine: true, to: Some(today), ..Default::default() };
                let tasks = self.list_inspection_tasks(p, &first("scheduled_for", Order::Asc), &f).await?;
                let link = format!("/inspections?tab=tasks&mine=true&open=true&to={today}");
                sections.push(section("my_inspections_today", link, tasks, task_item));
                sections.push(self.my_duty(p).await?);
                let f = TicketFilter { unassigned: Some(true), ..open_tickets() };
                let urgent = first("next_due_at", Order::Asc);
                sections.push(
                    self.ticket_section(p, "unassigned", "status=open&unassigned=true&sort=next_due_at", &urgent, &f)
                        .await?,
                );
            }
            Role::UnitUser => {
                let latest = first("reported_at", Order::Desc);
                let f = TicketFilter { reporter_id: Some(me.into()), ..open_tickets() };
                sections.push(
                    self.ticket_section(p, "my_open", &format!("status=open&reporter_id={me}"), &latest, &f).await?,
                );
                let f = TicketFilter {
                    reporter_id: Some(me.into()),
                    statuses: vec![Status::Resolved],
                    ..Default::default()
                };
                let link = format!("status=resolved&reporter_id={me}");
                sections.push(self.ticket_section(p, "awaiting_confirmation", &link, &latest, &f).await?);
            }
        }
        self.name_systems(&mut sections).await?;
        Ok(Today { today, role: p.role, sections })
    }

    async fn ticket_section(
        &self,
        p: &Principal,
        key: &str,
        query: &str,
        q: &ListQuery,
        f: &TicketFilter,
    ) -> Result<TodaySection> {
        let page = self.list_tickets(p, q, f).await?;
        Ok(section(key, format!("/tickets?{query}"), page, ticket_item))
    }

    /// Systems with a monitor down, the longest down first.
    async fn systems_down(&self, p: &Principal) -> Result<TodaySection> {
        let f = MonitorFilter { state: Some(MonitorState::Down), ..Default::default() };
        let down = self.list_monitors(p, &ListQuery::default().unpaged(), &f).await?;
        let mut since: HashMap<String, Option<chrono::DateTime<chrono::Utc>>> = HashMap::new();
        for m in down.items.into_iter().filter(|m| m.state == MonitorState::Down) {
            let e = since.entry(m.system_id).or_insert(m.state_since);
            *e = match (*e, m.state_since) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        let mut items: Vec<TodayItem> = since
            .into_iter()
            .map(|(system, at)| TodayItem {
                kind: TodayKind::System,
                id: system.clone(),
                title: String::new(),
                number: None,
                system_id: Some(system),
                system_name: None,
                at,
                state: "down".into(),
            })
            .collect();
        items.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        let count = items.len() as u64;
        items.truncate(ITEMS_PER_SECTION as usize);
        Ok(TodaySection {
            key: "systems_down".into(),
            count,
            link: "/monitoring?tab=monitors&state=down".into(),
            items,
        })
    }

    /// The bureau's inbox of pending requests; a vendor manager's own requests still pending.
    async fn waiting_approvals(&self, p: &Principal, lang: Lang) -> Result<TodaySection> {
        let f = ApprovalFilter { status: Some(ApprovalStatus::Pending), ..Default::default() };
        let page = self.list_approvals(p, &first("requested_at", Order::Asc), f, true).await?;
        Ok(section("approvals", "/approvals".into(), page, |a| TodayItem {
            kind: TodayKind::Approval,
            id: a.id,
            title: if lang == Lang::En { a.title_en } else { a.title },
            number: None,
            system_id: a.system_id,
            system_name: None,
            at: Some(a.requested_at),
            state: "pending".into(),
        }))
    }

    /// The engineer's shifts running now or beginning within a week, soonest first.
    async fn my_duty(&self, p: &Principal) -> Result<TodaySection> {
        let now = self.business_now();
        let f = DutyFilter { mine: true, from: Some(now), to: Some(now + Duration::days(7)), ..Default::default() };
        let page = self.list_duty(p, &first("starts_at", Order::Asc), &f).await?;
        let mut names = HashMap::new();
        for s in &page.items {
            if !names.contains_key(&s.contract_id) {
                let c = store::contracts::get(&self.store, &p.scope(), &s.contract_id).await?;
                names.insert(s.contract_id.clone(), c.map(|c| c.name).unwrap_or_default());
            }
        }
        Ok(section("my_duty", "/duty?mine=true".into(), page, |s| TodayItem {
            kind: TodayKind::DutyShift,
            title: match &s.note {
                Some(n) => format!("{} · {n}", names.get(&s.contract_id).cloned().unwrap_or_default()),
                None => names.get(&s.contract_id).cloned().unwrap_or_default(),
            },
            state: if s.covers(now) { "on_duty" } else { "upcoming" }.into(),
            id: s.id,
            number: None,
            system_id: None,
            system_name: None,
            at: Some(s.starts_at),
        }))
    }

    async fn name_systems(&self, sections: &mut [TodaySection]) -> Result<()> {
        let mut ids: Vec<String> =
            sections.iter().flat_map(|s| s.items.iter().filter_map(|i| i.system_id.clone())).collect();
        ids.sort();
        ids.dedup();
        let names = store::systems::names(&self.store, &ids).await?;
        for i in sections.iter_mut().flat_map(|s| s.items.iter_mut()) {
            i.system_name = i.system_id.as_ref().and_then(|id| names.get(id).cloned());
            if i.kind == TodayKind::System {
                i.title = i.system_name.clone().unwrap_or_default();
            }
        }
        Ok(())
    }
}
