//! Interruptions: when a system was down, by what it was seen (a monitor, an alert), why, and
//! the ticket that followed it. Kept forever; availability is computed from them.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entities::interruptions as ir;
use crate::{Conn, Result, Tx};

#[derive(Debug, Clone, PartialEq)]
pub struct InterruptionRow {
    pub id: String,
    pub system_id: String,
    pub unit_id: String,
    pub monitor_id: Option<String>,
    pub alert_key: Option<String>,
    pub source: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub ticket_id: Option<String>,
}

fn row(m: ir::Model) -> InterruptionRow {
    InterruptionRow {
        id: m.id,
        system_id: m.system_id,
        unit_id: m.unit_id,
        monitor_id: m.monitor_id,
        alert_key: m.alert_key,
        source: m.source,
        started_at: m.started_at,
        ended_at: m.ended_at,
        error: m.error,
        ticket_id: m.ticket_id,
    }
}

/// Opens an interruption unless its monitor or alert key already has an open one (a partial
/// unique index decides, so concurrent alerts open one). Returns whether it was opened.
pub async fn open_interruption(tx: &Tx, r: &InterruptionRow, now: DateTime<Utc>) -> Result<bool> {
    let row = ir::ActiveModel {
        id: Set(r.id.clone()),
        system_id: Set(r.system_id.clone()),
        unit_id: Set(r.unit_id.clone()),
        monitor_id: Set(r.monitor_id.clone()),
        alert_key: Set(r.alert_key.clone()),
        source: Set(r.source.chars().take(200).collect()),
        started_at: Set(r.started_at),
        ended_at: Set(r.ended_at),
        error: Set(r.error.clone()),
        ticket_id: Set(r.ticket_id.clone()),
        created_at: Set(now),
    };
    let n = ir::Entity::insert(row)
        .on_conflict(sea_orm::sea_query::OnConflict::new().do_nothing().to_owned())
        .exec_without_returning(tx.conn())
        .await?;
    Ok(n == 1)
}

/// The open interruption of a monitor, if it is down.
pub async fn open_for_monitor(c: &impl Conn, monitor_id: &str) -> Result<Option<InterruptionRow>> {
    Ok(ir::Entity::find()
        .filter(ir::Column::MonitorId.eq(monitor_id))
        .filter(ir::Column::EndedAt.is_null())
        .order_by_desc(ir::Column::StartedAt)
        .one(c.conn())
        .await?
        .map(row))
}

/// The open interruption raised by an alert (its fingerprint), if any.
pub async fn open_for_alert(c: &impl Conn, key: &str) -> Result<Option<InterruptionRow>> {
    Ok(ir::Entity::find()
        .filter(ir::Column::AlertKey.eq(key))
        .filter(ir::Column::EndedAt.is_null())
        .one(c.conn())
        .await?
        .map(row))
}

pub async fn close_interruption(tx: &Tx, id: &str, ended_at: DateTime<Utc>) -> Result<()> {
    ir::Entity::update_many()
        .col_expr(ir::Column::EndedAt, sea_orm::sea_query::Expr::value(ended_at))
        .filter(ir::Column::Id.eq(id))
        .filter(ir::Column::EndedAt.is_null())
        .exec(tx.conn())
        .await?;
    Ok(())
}

pub async fn set_interruption_ticket(tx: &Tx, id: &str, ticket_id: &str) -> Result<()> {
    ir::Entity::update_many()
        .col_expr(ir::Column::TicketId, sea_orm::sea_query::Expr::value(ticket_id))
        .filter(ir::Column::Id.eq(id))
        .exec(tx.conn())
        .await?;
    Ok(())
}

/// Interruptions of a system that touch `[from, to)`.
pub async fn interruptions_of(
    c: &impl Conn,
    system_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<InterruptionRow>> {
    Ok(ir::Entity::find()
        .filter(ir::Column::SystemId.eq(system_id))
        .filter(ir::Column::StartedAt.lt(to))
        .filter(Condition::any().add(ir::Column::EndedAt.is_null()).add(ir::Column::EndedAt.gt(from)))
        .order_by_asc(ir::Column::StartedAt)
        .all(c.conn())
        .await?
        .into_iter()
        .map(row)
        .collect())
}
