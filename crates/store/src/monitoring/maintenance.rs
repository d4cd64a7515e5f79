//! Planned maintenance windows. A window is never deleted: ending it keeps it for the time it
//! was in effect, so past availability does not change.

use chrono::{DateTime, Utc};
use domain::monitoring::availability::MaintenanceWindow;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entities::maintenance_windows as mw;
use crate::{Conn, Result, Tx};

pub async fn insert_maintenance(tx: &Tx, w: &MaintenanceWindow, unit_id: &str) -> Result<()> {
    mw::ActiveModel {
        id: Set(w.id.clone()),
        system_id: Set(w.system_id.clone()),
        unit_id: Set(unit_id.to_string()),
        name: Set(w.name.clone()),
        spec: Set(serde_json::to_string(&w.window).unwrap_or_default()),
        created_at: Set(w.created_at),
        updated_at: Set(w.created_at),
        reason: Set(w.reason.clone()),
        effective_from: Set(Some(w.effective_from)),
        ended_at: Set(w.ended_at),
        requested_by_name: Set(w.requested_by.clone()),
        approved_by_name: Set(w.approved_by.clone()),
        approval_id: Set(w.approval_id.clone()),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

fn window(m: mw::Model) -> Result<MaintenanceWindow> {
    Ok(MaintenanceWindow {
        window: serde_json::from_str(&m.spec).map_err(|_| crate::corrupt("maintenance_windows.spec", &m.id))?,
        effective_from: m.effective_from.unwrap_or(m.created_at),
        id: m.id,
        system_id: m.system_id,
        name: m.name,
        reason: m.reason,
        ended_at: m.ended_at,
        requested_by: m.requested_by_name,
        approved_by: m.approved_by_name,
        approval_id: m.approval_id,
        created_at: m.created_at,
    })
}

/// Every window of a system, ended ones too (availability counts them for their time).
pub async fn maintenance_of(c: &impl Conn, system_id: &str) -> Result<Vec<MaintenanceWindow>> {
    let rows = mw::Entity::find()
        .filter(mw::Column::SystemId.eq(system_id))
        .order_by_asc(mw::Column::CreatedAt)
        .all(c.conn())
        .await?;
    rows.into_iter().map(window).collect()
}

pub async fn get_maintenance(c: &impl Conn, system_id: &str, id: &str) -> Result<Option<MaintenanceWindow>> {
    let m = mw::Entity::find_by_id(id.to_string()).filter(mw::Column::SystemId.eq(system_id)).one(c.conn()).await?;
    m.map(window).transpose()
}

/// Ends a window at `at`; false when it is not there or already ended.
pub async fn end_maintenance(tx: &Tx, system_id: &str, id: &str, at: DateTime<Utc>) -> Result<bool> {
    let r = mw::Entity::update_many()
        .col_expr(mw::Column::EndedAt, Expr::value(Some(at)))
        .col_expr(mw::Column::UpdatedAt, Expr::value(at))
        .filter(mw::Column::Id.eq(id))
        .filter(mw::Column::SystemId.eq(system_id))
        .filter(mw::Column::EndedAt.is_null())
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected > 0)
}
