//! Who hears about a ticket, and the in-app notification inbox.

use chrono::{DateTime, Utc};
use domain::list::Page;
use domain::tickets::Status;
use domain::tickets::view::{Notification, Ticket};
use domain::{Lang, Msg, Principal, Role, Scope};
use store::{Conn, Tx};

use crate::{App, Result};

impl App {
    /// User ids behind a ladder step's recipients: `assignee`, `reporter`, a role (bounded to the
    /// ticket's vendor or unit where the role belongs to one) or `user:<id>`.
    pub(super) async fn recipients(&self, tx: &impl Conn, t: &Ticket, names: &[String]) -> Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for name in names {
            match name.as_str() {
                "assignee" | "reporter" => {
                    let id = if name == "assignee" { &t.assignee_id } else { &t.reporter_id };
                    // A ticket the system opened (a back-filled report, a monitor) has no person
                    // behind it to notify.
                    if let Some(id) = id
                        && store::users::get(tx, &Scope::All, id).await?.is_some_and(|u| u.active)
                    {
                        out.push(id.clone());
                    }
                }
                other => {
                    if let Some(id) = other.strip_prefix("user:") {
                        if store::users::get(tx, &Scope::All, id).await?.is_some_and(|u| u.active) {
                            out.push(id.to_string());
                        }
                        continue;
                    }
                    let Some(role) = Role::parse(other) else { continue };
                    let (unit, vendor) = match role {
                        Role::UnitUser => (Some(t.unit_id.as_str()), None),
                        Role::VendorPm | Role::Engineer => match &t.vendor_id {
                            Some(v) => (None, Some(v.as_str())),
                            None => continue,
                        },
                        Role::Admin | Role::Auditor | Role::SecurityAdmin => (None, None),
                    };
                    out.extend(store::users::active_ids_by_role(tx, role, unit, vendor).await?);
                }
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// A new ticket reaches the vendor's project managers and the assignee.
    pub(super) async fn new_ticket_recipients(&self, t: &Ticket) -> Result<Vec<String>> {
        self.recipients(&self.store, t, &["vendor_pm".into(), "assignee".into()]).await
    }

    /// Tells `users` (from `new_ticket_recipients`) of the new ticket.
    /// A ticket at its policy's most severe level (`most_severe`) — a major outage — passes quiet
    /// hours.
    pub(super) async fn notify_new(
        &self,
        tx: &Tx,
        t: &Ticket,
        users: &[String],
        most_severe: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let title = Msg::new(format!("新工单 {}", t.number), format!("New ticket {}", t.number));
        let body = Msg::new(t.title.clone(), t.title.clone());
        let notice = store::notifications::Notice {
            ticket_id: Some(&t.id),
            kind: "created",
            title: &title,
            body: &body,
            urgent: most_severe,
        };
        store::notifications::add(tx, users, &notice, now).await?;
        Ok(())
    }

    /// The reporter is asked to confirm a resolution; the vendor hears of a reopen.
    pub(super) async fn notify_transition(&self, tx: &Tx, t: &Ticket, to: Status, now: DateTime<Utc>) -> Result<()> {
        let (names, title) = match to {
            Status::Resolved => (
                vec!["reporter".to_string()],
                Msg::new(
                    format!("工单 {} 已解决，请确认并评价", t.number),
                    format!("Ticket {} is resolved: please confirm and rate it", t.number),
                ),
            ),
            Status::Reopened => (
                vec!["assignee".to_string(), "vendor_pm".to_string()],
                Msg::new(format!("工单 {} 被重开", t.number), format!("Ticket {} was reopened", t.number)),
            ),
            _ => return Ok(()),
        };
        let users = self.recipients(tx, t, &names).await?;
        let body = Msg::new(t.title.clone(), t.title.clone());
        let notice = store::notifications::Notice {
            ticket_id: Some(&t.id),
            kind: to.as_str(),
            title: &title,
            body: &body,
            urgent: false,
        };
        store::notifications::add(tx, &users, &notice, now).await?;
        Ok(())
    }

    pub async fn notifications(
        &self,
        p: &Principal,
        unread_only: bool,
        page: u64,
        page_size: u64,
        lang: Lang,
    ) -> Result<Page<Notification>> {
        let page = store::notifications::list(&self.store, &p.user_id, unread_only, page, page_size).await?;
        Ok(page.map(|n| Notification {
            id: n.id,
            user_id: n.user_id,
            ticket_id: n.ticket_id,
            kind: n.kind,
            title: n.title.pick(lang).to_string(),
            body: n.body.pick(lang).to_string(),
            created_at: n.created_at,
            read_at: n.read_at,
        }))
    }

    /// Marks the caller's notifications read (the listed ones, or all).
    pub async fn read_notifications(&self, p: &Principal, ids: &[String]) -> Result<u64> {
        let tx = self.store.begin().await?;
        let n = store::notifications::mark_read(&tx, &p.user_id, ids, self.business_now()).await?;
        tx.commit().await?;
        Ok(n)
    }
}
