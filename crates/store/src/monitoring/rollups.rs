//! Per-minute rollups packed into hour rows, sampled raw results, and their retention.

use chrono::{DateTime, Utc};
use domain::monitoring::rollup::{Minute, minutes, put};
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entities::{monitor_hours as mh, monitor_results as mr, monitors};
use crate::{Conn, Result, Tx};

/// Rows per multi-row statement, largest first: at most 500 (well under SQLite's and
/// PostgreSQL's parameter limits), and only these few shapes, so each connection prepares a
/// handful of statements and reuses them instead of caching one per remainder.
const BATCH_SIZES: [usize; 5] = [500, 100, 20, 5, 1];

/// `rows` cut into slices whose lengths are all in `BATCH_SIZES`.
pub(crate) fn batches<T>(mut rows: &[T]) -> Vec<&[T]> {
    let mut out = Vec::new();
    for size in BATCH_SIZES {
        while rows.len() >= size {
            let (head, rest) = rows.split_at(size);
            out.push(head);
            rows = rest;
        }
    }
    out
}

/// Finished minutes of one monitor and hour: (slot 0–59, rollup).
pub struct HourMinutes {
    pub monitor_id: String,
    pub hour: i64,
    pub slots: Vec<(usize, Minute)>,
}

/// Writes finished minutes into their hour rows (read, patch, write: a row is 600 bytes), many
/// rows per statement: one read and one upsert per hour and 500 monitors.
pub async fn merge_minutes(tx: &Tx, batch: &[HourMinutes]) -> Result<()> {
    let mut hours: Vec<i64> = batch.iter().map(|b| b.hour).collect();
    hours.sort_unstable();
    hours.dedup();
    for hour in hours {
        let of_hour: Vec<&HourMinutes> = batch.iter().filter(|b| b.hour == hour).collect();
        for chunk in batches(&of_hour) {
            let ids = chunk.iter().map(|b| b.monitor_id.clone());
            let mut existing: std::collections::HashMap<String, Vec<u8>> = mh::Entity::find()
                .filter(mh::Column::Hour.eq(hour))
                .filter(mh::Column::MonitorId.is_in(ids))
                .all(tx.conn())
                .await?
                .into_iter()
                .map(|m| (m.monitor_id, m.slots))
                .collect();
            let rows = chunk.iter().map(|b| {
                let mut row = existing.remove(&b.monitor_id).unwrap_or_default();
                for (slot, m) in &b.slots {
                    put(&mut row, *slot, m);
                }
                mh::ActiveModel { monitor_id: Set(b.monitor_id.clone()), hour: Set(hour), slots: Set(row) }
            });
            mh::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::columns([mh::Column::MonitorId, mh::Column::Hour])
                        .update_column(mh::Column::Slots)
                        .to_owned(),
                )
                .exec(tx.conn())
                .await?;
        }
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

/// The epoch hours of `[from_hour, to_hour)` in which any monitor of `system_id` recorded a
/// result: what tells "measured and up" from "not measured at all".
pub async fn measured_hours(c: &impl Conn, system_id: &str, from_hour: i64, to_hour: i64) -> Result<Vec<i64>> {
    let of_system = Query::select()
        .column(monitors::Column::Id)
        .from(monitors::Entity)
        .and_where(monitors::Column::SystemId.eq(system_id))
        .to_owned();
    Ok(mh::Entity::find()
        .select_only()
        .column(mh::Column::Hour)
        .distinct()
        .filter(mh::Column::MonitorId.in_subquery(of_system))
        .filter(mh::Column::Hour.gte(from_hour))
        .filter(mh::Column::Hour.lt(to_hour))
        .order_by_asc(mh::Column::Hour)
        .into_tuple::<i64>()
        .all(c.conn())
        .await?)
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
    for chunk in batches(rows) {
        let models = chunk.iter().map(|r| mr::ActiveModel {
            monitor_id: Set(r.monitor_id.clone()),
            at: Set(r.at),
            ok: Set(r.ok),
            latency_ms: Set(i32::try_from(r.latency_ms).unwrap_or(i32::MAX)),
            error: Set(r.error.as_ref().map(|e| e.chars().take(500).collect())),
        });
        // Two checks of one monitor in the same microsecond keep the first.
        match mr::Entity::insert_many(models).on_conflict_do_nothing().exec(tx.conn()).await {
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

#[cfg(test)]
mod tests {
    use super::batches;

    #[test]
    fn batches_cover_every_row_in_few_shapes() {
        for n in [0usize, 1, 4, 499, 500, 501, 1234, 10_000] {
            let rows: Vec<usize> = (0..n).collect();
            let cut = batches(&rows);
            assert_eq!(cut.concat(), rows, "n = {n}");
            assert!(cut.iter().all(|b| [500, 100, 20, 5, 1].contains(&b.len())), "n = {n}");
        }
        assert_eq!(
            batches(&[0u8; 1234]).iter().map(|b| b.len()).collect::<Vec<_>>(),
            [500, 500, 100, 100, 20, 5, 5, 1, 1, 1, 1]
        );
    }
}
