//! The in-app notification outbox (the bell), which the channels' dispatcher reads too
//! (`dispatched`), and the channels, deliveries and routing behind it.

pub mod channels;
pub mod deliveries;
pub mod reminders;
pub mod routing;

use chrono::{DateTime, Utc};
use domain::Msg;
use domain::list::Page;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entities::notifications as n;
use crate::{Conn, Result, Tx, corrupt};

/// A stored notification with its message in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub id: String,
    pub user_id: String,
    pub ticket_id: Option<String>,
    pub kind: String,
    pub title: Msg,
    pub body: Msg,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub urgent: bool,
}

/// A notice for the bell: what it is about and says, and whether it passes quiet hours.
#[derive(Debug, Clone, Copy)]
pub struct Notice<'a> {
    pub ticket_id: Option<&'a str>,
    pub kind: &'a str,
    pub title: &'a Msg,
    pub body: &'a Msg,
    pub urgent: bool,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Message {
    title: (String, String),
    body: (String, String),
}

pub async fn add(tx: &Tx, user_ids: &[String], n: &Notice<'_>, now: DateTime<Utc>) -> Result<()> {
    let Notice { ticket_id, kind, title, body, urgent } = *n;
    if user_ids.is_empty() {
        return Ok(());
    }
    let message = serde_json::to_string(&Message {
        title: (title.zh.clone(), title.en.clone()),
        body: (body.zh.clone(), body.en.clone()),
    })
    .unwrap_or_default();
    for chunk in user_ids.chunks(500) {
        let rows = chunk.iter().map(|u| n::ActiveModel {
            id: Set(crate::new_id()),
            user_id: Set(u.clone()),
            ticket_id: Set(ticket_id.map(str::to_string)),
            kind: Set(kind.to_string()),
            message: Set(message.clone()),
            created_at: Set(now),
            read_at: Set(None),
            urgent: Set(urgent),
            dispatched: Set(false),
        });
        n::Entity::insert_many(rows).exec(tx.conn()).await?;
    }
    Ok(())
}

fn stored(m: n::Model) -> Result<Stored> {
    let msg: Message = serde_json::from_str(&m.message).map_err(|_| corrupt("notifications.message", &m.id))?;
    Ok(Stored {
        id: m.id,
        user_id: m.user_id,
        ticket_id: m.ticket_id,
        kind: m.kind,
        title: Msg::new(msg.title.0, msg.title.1),
        body: Msg::new(msg.body.0, msg.body.1),
        created_at: m.created_at,
        read_at: m.read_at,
        urgent: m.urgent,
    })
}

/// A user's notifications, newest first.
pub async fn list(c: &impl Conn, user_id: &str, unread_only: bool, page: u64, page_size: u64) -> Result<Page<Stored>> {
    let mut s = n::Entity::find().filter(n::Column::UserId.eq(user_id));
    if unread_only {
        s = s.filter(n::Column::ReadAt.is_null());
    }
    let total = s.clone().count(c.conn()).await?;
    let rows = s
        .order_by_desc(n::Column::CreatedAt)
        .order_by_desc(n::Column::Id)
        .offset((page.saturating_sub(1)).saturating_mul(page_size))
        .limit(page_size)
        .all(c.conn())
        .await?;
    Ok(Page { items: rows.into_iter().map(stored).collect::<Result<_>>()?, total, page, page_size })
}

/// Marks the user's notifications read: the given ones, or all when `ids` is empty.
pub async fn mark_read(tx: &Tx, user_id: &str, ids: &[String], now: DateTime<Utc>) -> Result<u64> {
    let mut q = n::Entity::update_many()
        .col_expr(n::Column::ReadAt, Expr::value(now))
        .filter(n::Column::UserId.eq(user_id))
        .filter(n::Column::ReadAt.is_null());
    if !ids.is_empty() {
        q = q.filter(n::Column::Id.is_in(ids.iter().take(crate::IN_CHUNK).cloned()));
    }
    Ok(q.exec(tx.conn()).await?.rows_affected)
}

/// Every notification about a ticket, oldest first (tests and the ticket page's audit view).
pub async fn for_ticket(c: &impl Conn, ticket_id: &str) -> Result<Vec<Stored>> {
    let rows = n::Entity::find()
        .filter(n::Column::TicketId.eq(ticket_id))
        .order_by_asc(n::Column::CreatedAt)
        .order_by_asc(n::Column::Id)
        .all(c.conn())
        .await?;
    rows.into_iter().map(stored).collect()
}

/// Notices not yet routed to channels, oldest first.
pub async fn undispatched(c: &impl Conn, limit: u64) -> Result<Vec<Stored>> {
    let rows = n::Entity::find()
        .filter(n::Column::Dispatched.eq(false))
        .order_by_asc(n::Column::CreatedAt)
        .order_by_asc(n::Column::Id)
        .limit(limit)
        .all(c.conn())
        .await?;
    rows.into_iter().map(stored).collect()
}

/// Marks notices routed.
pub async fn mark_dispatched(tx: &Tx, ids: &[String]) -> Result<()> {
    for chunk in ids.chunks(crate::IN_CHUNK) {
        n::Entity::update_many()
            .col_expr(n::Column::Dispatched, Expr::value(true))
            .filter(n::Column::Id.is_in(chunk.iter().cloned()))
            .exec(tx.conn())
            .await?;
    }
    Ok(())
}

/// A user's notices since `from`, oldest first (the daily digest), at most `limit`.
pub async fn since(
    c: &impl Conn,
    user_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Stored>> {
    let rows = n::Entity::find()
        .filter(n::Column::UserId.eq(user_id))
        .filter(n::Column::CreatedAt.gte(from))
        .filter(n::Column::CreatedAt.lt(to))
        .order_by_asc(n::Column::CreatedAt)
        .limit(limit)
        .all(c.conn())
        .await?;
    rows.into_iter().map(stored).collect()
}
