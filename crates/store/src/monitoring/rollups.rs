//! Per-minute rollups packed into hour rows, sampled raw results, and their retention.

use chrono::{DateTime, Utc};
use domain::monitoring::rollup::{Minute, minutes, put};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entities::{monitor_hours as mh, monitor_results as mr};
use crate::{Conn, Result, Tx};

/// Writes finished minutes into their hour rows (read, patch, write: a row is 600 bytes).
pub async fn merge_minutes(tx: &Tx, monitor_id: &str, hour: i64, slots: &[(usize, Minute)]) -> Result<()> {
    let existing = mh::Entity::find_by_id((monitor_id.to_string(), hour)).one(tx.conn()).await?;
    let is_new = existing.is_none();
    let mut row = existing.map(|m| m.slots).unwrap_or_default();
    for (slot, m) in slots {
        put(&mut row, *slot, m);
    }
    let a = mh::ActiveModel { monitor_id: Set(monitor_id.to_string()), hour: Set(hour), slots: Set(row) };
    if is_new {
        a.insert(tx.conn()).await?;
    } else {
        a.update(tx.conn()).await?;
    }
    Ok(())
}

/// The minutes of `[from_hour, to_hour)`, as (epoch minute, rollup).
pub async fn minutes_between(
    c: &impl Conn,
    monitor_id: &str,
    from_hour: i64,
    to_hour: i64,
) -> Result<Vec<(i64, Minute)>> {
    let rows = mh::Entity::find()
        .filter(mh::Column::MonitorId.eq(monitor_id))
        .filter(mh::Column::Hour.gte(from_hour))
        .filter(mh::Column::Hour.lt(to_hour))
        .order_by_asc(mh::Column::Hour)
        .all(c.conn())
        .await?;
    Ok(rows
        .into_iter()
        .flat_map(|r| minutes(&r.slots).into_iter().map(move |(s, m)| (r.hour * 60 + s as i64, m)))
        .collect())
}

#[derive(Debug, Clone, PartialEq)]
pub struct RawResult {
    pub monitor_id: String,
    pub at: DateTime<Utc>,
    pub ok: bool,
    pub latency_ms: u32,
    pub error: Option<String>,
}

pub async fn insert_results(tx: &Tx, rows: &[RawResult]) -> Result<()> {
    for r in rows {
        let a = mr::ActiveModel {
            monitor_id: Set(r.monitor_id.clone()),
            at: Set(r.at),
            ok: Set(r.ok),
            latency_ms: Set(i32::try_from(r.latency_ms).unwrap_or(i32::MAX)),
            error: Set(r.error.as_ref().map(|e| e.chars().take(500).collect())),
        };
        // Two checks of one monitor in the same microsecond keep the first.
        match mr::Entity::insert(a).on_conflict_do_nothing().exec(tx.conn()).await {
            Ok(_) | Err(sea_orm::DbErr::RecordNotInserted) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

pub async fn recent_results(c: &impl Conn, monitor_id: &str, limit: u64) -> Result<Vec<RawResult>> {
    let rows = mr::Entity::find()
        .filter(mr::Column::MonitorId.eq(monitor_id))
        .order_by_desc(mr::Column::At)
        .limit(limit)
        .all(c.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| RawResult {
            monitor_id: r.monitor_id,
            at: r.at,
            ok: r.ok,
            latency_ms: u32::try_from(r.latency_ms).unwrap_or(0),
            error: r.error,
        })
        .collect())
}

/// Drops rollups before `hour` and raw results before `results_before`; returns rows removed.
pub async fn purge(tx: &Tx, hour: i64, results_before: DateTime<Utc>) -> Result<u64> {
    let a = mh::Entity::delete_many().filter(mh::Column::Hour.lt(hour)).exec(tx.conn()).await?.rows_affected;
    let b = mr::Entity::delete_many().filter(mr::Column::At.lt(results_before)).exec(tx.conn()).await?.rows_affected;
    Ok(a + b)
}
