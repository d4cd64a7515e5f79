//! The delivery queue and its log. A delivery is at most one per dedup key (a ladder step's
//! message to a channel, a notice routed to a channel, a test), so a job run twice or two servers
//! meeting enqueue once; each attempt is kept. A claim (`claimed_until`) is an atomic update, and
//! a claim that outlives a crashed sender simply expires: nothing is lost across a restart.

use chrono::{DateTime, Utc};
use domain::list::Page;
use domain::notifications::{Attempt, DeliveryFilter as LogFilter, DeliveryStatus, Message};
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entities::{notification_attempts as a, notification_channels as ch, notification_deliveries as d};
use crate::{Conn, Result, Tx, corrupt};

/// A delivery to enqueue.
pub struct NewDelivery<'a> {
    pub channel_id: &'a str,
    pub notification_id: Option<&'a str>,
    pub dedup_key: String,
    pub user_id: Option<&'a str>,
    pub address: Option<&'a str>,
    pub kind: &'a str,
    pub message: &'a Message,
    /// When the first attempt may go (now, or the end of the recipient's quiet hours).
    pub not_before: DateTime<Utc>,
}

/// A claimed delivery, ready to send.
#[derive(Debug, Clone)]
pub struct Due {
    pub id: String,
    pub channel_id: String,
    pub user_id: Option<String>,
    pub address: Option<String>,
    pub kind: String,
    pub message: Message,
    pub attempts: i32,
}

/// Enqueues a delivery; false when its dedup key was already there.
pub async fn enqueue(tx: &Tx, n: &NewDelivery<'_>, now: DateTime<Utc>) -> Result<bool> {
    let message = serde_json::to_string(n.message).unwrap_or_default();
    let row = d::ActiveModel {
        id: Set(crate::new_id()),
        channel_id: Set(n.channel_id.to_string()),
        notification_id: Set(n.notification_id.map(str::to_string)),
        dedup_key: Set(n.dedup_key.chars().take(400).collect()),
        user_id: Set(n.user_id.map(str::to_string)),
        address: Set(n.address.map(|a| a.chars().take(255).collect())),
        kind: Set(n.kind.chars().take(40).collect()),
        message: Set(message),
        status: Set(DeliveryStatus::Pending.as_str().into()),
        attempts: Set(0),
        next_attempt_at: Set(Some(n.not_before)),
        claimed_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    };
    let inserted = d::Entity::insert(row)
        .on_conflict(sea_orm::sea_query::OnConflict::new().do_nothing().to_owned())
        .exec_without_returning(tx.conn())
        .await?;
    Ok(inserted == 1)
}

/// Claims up to `limit` deliveries due at `now` until `until`; each is claimed by one atomic
/// update that only succeeds while nobody else holds it.
pub async fn claim_due(c: &impl Conn, now: DateTime<Utc>, until: DateTime<Utc>, limit: u64) -> Result<Vec<Due>> {
    let free = Condition::any().add(d::Column::ClaimedUntil.is_null()).add(d::Column::ClaimedUntil.lt(now));
    let rows = d::Entity::find()
        .filter(d::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .filter(d::Column::NextAttemptAt.lte(now))
        .filter(free.clone())
        .order_by_asc(d::Column::NextAttemptAt)
        .order_by_asc(d::Column::Id)
        .limit(limit)
        .all(c.conn())
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let claimed = d::Entity::update_many()
            .col_expr(d::Column::ClaimedUntil, Expr::value(Some(until)))
            .filter(d::Column::Id.eq(&r.id))
            .filter(d::Column::Status.eq(DeliveryStatus::Pending.as_str()))
            .filter(free.clone())
            .exec(c.conn())
            .await?
            .rows_affected;
        if claimed != 1 {
            continue;
        }
        let message =
            serde_json::from_str(&r.message).map_err(|_| corrupt("notification_deliveries.message", &r.id))?;
        out.push(Due {
            id: r.id,
            channel_id: r.channel_id,
            user_id: r.user_id,
            address: r.address,
            kind: r.kind,
            message,
            attempts: r.attempts,
        });
    }
    Ok(out)
}

/// Claims the pending delivery with `dedup_key` (a test sent at once).
pub async fn claim_one(c: &impl Conn, dedup_key: &str, until: DateTime<Utc>) -> Result<Option<Due>> {
    let Some(r) = d::Entity::find().filter(d::Column::DedupKey.eq(dedup_key)).one(c.conn()).await? else {
        return Ok(None);
    };
    let claimed = d::Entity::update_many()
        .col_expr(d::Column::ClaimedUntil, Expr::value(Some(until)))
        .filter(d::Column::Id.eq(&r.id))
        .filter(d::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .filter(d::Column::ClaimedUntil.is_null())
        .exec(c.conn())
        .await?
        .rows_affected;
    if claimed != 1 {
        return Ok(None);
    }
    let message = serde_json::from_str(&r.message).map_err(|_| corrupt("notification_deliveries.message", &r.id))?;
    Ok(Some(Due {
        id: r.id,
        channel_id: r.channel_id,
        user_id: r.user_id,
        address: r.address,
        kind: r.kind,
        message,
        attempts: r.attempts,
    }))
}

/// An attempt's outcome: `Ok(())` sent, or the error and when to try again (`None`: give up).
pub struct Outcome {
    pub error: Option<String>,
    pub retry_at: Option<DateTime<Utc>>,
}

/// Records attempt number `attempt` of a claimed delivery and releases the claim.
pub async fn record(tx: &Tx, due: &Due, attempt: i32, o: &Outcome, at: DateTime<Utc>) -> Result<()> {
    a::Entity::insert(a::ActiveModel {
        id: Set(crate::new_id()),
        delivery_id: Set(due.id.clone()),
        channel_id: Set(due.channel_id.clone()),
        attempt: Set(attempt),
        at: Set(at),
        ok: Set(o.error.is_none()),
        error: Set(o.error.as_ref().map(|e| e.chars().take(2000).collect())),
    })
    .exec_without_returning(tx.conn())
    .await?;
    let status = match (&o.error, o.retry_at) {
        (None, _) => DeliveryStatus::Sent,
        (Some(_), Some(_)) => DeliveryStatus::Pending,
        (Some(_), None) => DeliveryStatus::Dead,
    };
    d::Entity::update_many()
        .col_expr(d::Column::Status, Expr::value(status.as_str()))
        .col_expr(d::Column::Attempts, Expr::value(attempt))
        .col_expr(d::Column::NextAttemptAt, Expr::value(if o.error.is_some() { o.retry_at } else { None }))
        .col_expr(d::Column::ClaimedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(d::Column::LastError, Expr::value(o.error.clone()))
        .col_expr(d::Column::SentAt, Expr::value(if o.error.is_none() { Some(at) } else { None }))
        .filter(d::Column::Id.eq(&due.id))
        .exec(tx.conn())
        .await?;
    Ok(())
}

/// The delivery log, newest first: deliveries not tried yet (as `pending`), then every attempt.
pub async fn log(c: &impl Conn, f: &LogFilter, page: u64, page_size: u64) -> Result<Page<Attempt>> {
    let want = |s: &str| f.status.as_deref().is_none_or(|w| w == s);
    let mut waiting = d::Entity::find().filter(d::Column::Attempts.eq(0));
    let mut tried = a::Entity::find();
    if let Some(id) = &f.channel_id {
        waiting = waiting.filter(d::Column::ChannelId.eq(id));
        tried = tried.filter(a::Column::ChannelId.eq(id));
    }
    if let Some(u) = &f.user_id {
        waiting = waiting.filter(d::Column::UserId.eq(u));
        let theirs = d::Entity::find().select_only().column(d::Column::Id).filter(d::Column::UserId.eq(u));
        tried = tried.filter(a::Column::DeliveryId.in_subquery(sea_orm::QueryTrait::into_query(theirs)));
    }
    match f.status.as_deref() {
        Some("sent") => tried = tried.filter(a::Column::Ok.eq(true)),
        Some("failed") => tried = tried.filter(a::Column::Ok.eq(false)),
        _ => {}
    }
    let n_waiting = if want("pending") { waiting.clone().count(c.conn()).await? } else { 0 };
    let n_tried = if f.status.as_deref() == Some("pending") { 0 } else { tried.clone().count(c.conn()).await? };
    let offset = page.saturating_sub(1).saturating_mul(page_size);
    let mut deliveries: Vec<(Option<a::Model>, d::Model)> = Vec::new();
    if offset < n_waiting {
        let rows = waiting
            .order_by_desc(d::Column::CreatedAt)
            .order_by_desc(d::Column::Id)
            .offset(offset)
            .limit(page_size)
            .all(c.conn())
            .await?;
        deliveries.extend(rows.into_iter().map(|r| (None, r)));
    }
    let left = page_size.saturating_sub(deliveries.len() as u64);
    if left > 0 && n_tried > 0 {
        let rows = tried
            .order_by_desc(a::Column::At)
            .order_by_desc(a::Column::Attempt)
            .offset(offset.saturating_sub(n_waiting))
            .limit(left)
            .all(c.conn())
            .await?;
        let ids: Vec<String> = rows.iter().map(|r| r.delivery_id.clone()).collect();
        let parents = d::Entity::find().filter(d::Column::Id.is_in(ids)).all(c.conn()).await?;
        for r in rows {
            if let Some(p) = parents.iter().find(|p| p.id == r.delivery_id) {
                deliveries.push((Some(r), p.clone()));
            }
        }
    }
    let mut channel_ids: Vec<String> = deliveries.iter().map(|(_, d)| d.channel_id.clone()).collect();
    channel_ids.sort();
    channel_ids.dedup();
    let names: std::collections::HashMap<String, String> = ch::Entity::find()
        .filter(ch::Column::Id.is_in(channel_ids))
        .all(c.conn())
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let mut items = Vec::with_capacity(deliveries.len());
    for (attempt, d) in deliveries {
        let message: Message =
            serde_json::from_str(&d.message).map_err(|_| corrupt("notification_deliveries.message", &d.id))?;
        let delivery_status =
            DeliveryStatus::parse(&d.status).ok_or_else(|| corrupt("notification_deliveries.status", &d.id))?;
        let (id, status, n, at, error) = match attempt {
            Some(a) => (a.id, if a.ok { "sent" } else { "failed" }, a.attempt, a.at, a.error),
            None => (d.id.clone(), "pending", 0, d.created_at, None),
        };
        items.push(Attempt {
            id,
            delivery_id: d.id,
            channel_name: names.get(&d.channel_id).cloned().unwrap_or_default(),
            channel_id: d.channel_id,
            status: status.into(),
            attempt: n,
            at,
            error,
            user_id: d.user_id,
            address: d.address,
            kind: d.kind,
            title: message.title,
            delivery_status,
            next_attempt_at: d.next_attempt_at,
        });
    }
    Ok(Page { items, total: n_waiting + n_tried, page, page_size })
}
