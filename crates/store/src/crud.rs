//! What every registry table (units, vendors, systems, assets) does the same way: read one row
//! the caller may see, list a page of them, change a row that must exist, delete one, and count
//! the rows of another table that still refer to it. Each resource keeps its own columns, scope
//! and rules; these only spare it writing the queries out again.

use chrono::{DateTime, Utc};
use domain::list::{ListQuery, Page};
use sea_orm::sea_query::{Alias, Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, PrimaryKeyTrait, QueryFilter, Select};

use crate::{Conn, Result, StoreError, Tx, list};

/// The row with this id, if `visible` lets the caller see it.
pub(crate) async fn get<E>(c: &impl Conn, visible: Condition, id: &str) -> Result<Option<E::Model>>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<String>,
{
    Ok(E::find_by_id(id.to_string()).filter(visible).one(c.conn()).await?)
}

/// The row with this id, which must exist (for an update).
pub(crate) async fn existing<E>(tx: &Tx, id: &str) -> Result<E::Model>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<String>,
{
    E::find_by_id(id.to_string()).one(tx.conn()).await?.ok_or(StoreError::NotFound)
}

/// Deletes the row with this id; `NotFound` when there was none.
pub(crate) async fn delete<E>(tx: &Tx, id: &str) -> Result<()>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<String>,
{
    let r = E::delete_by_id(id.to_string()).exec(tx.conn()).await?;
    if r.rows_affected == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// How many rows of `E` refer to `id` through `col`.
pub(crate) async fn refs<E>(c: &impl Conn, col: E::Column, id: &str) -> Result<u64>
where
    E: EntityTrait,
    E::Model: Sync,
{
    Ok(E::find().filter(col.eq(id)).count(c.conn()).await?)
}

/// Voids the evidence record with this id once, setting the columns every voidable table names
/// alike (`voided_at`, `voided_by`, `void_reason`): `false` when it already was void (the
/// update's condition decides, so two voids at once make one).
pub(crate) async fn void<E: EntityTrait>(tx: &Tx, id: &str, by: &str, reason: &str, at: DateTime<Utc>) -> Result<bool> {
    let r = E::update_many()
        .col_expr(Alias::new("voided_at"), Expr::value(at))
        .col_expr(Alias::new("voided_by"), Expr::value(by))
        .col_expr(Alias::new("void_reason"), Expr::value(reason))
        .filter(ExprTrait::eq(Expr::col(Alias::new("id")), id))
        .filter(ExprTrait::is_null(Expr::col(Alias::new("voided_at"))))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

/// The column `q.sort` names among `keys`, or `default`.
pub(crate) fn sort_column<C: Copy>(q: &ListQuery, keys: &[(&str, C)], default: C) -> C {
    q.sort.as_deref().and_then(|s| keys.iter().find(|(k, _)| *k == s)).map_or(default, |(_, c)| *c)
}

/// One page of `select` (see [`list::page`]), each row turned into its domain value by `to_domain`.
pub(crate) async fn page<E, T>(
    c: &impl Conn,
    select: Select<E>,
    q: &ListQuery,
    sort: E::Column,
    tie: E::Column,
    to_domain: impl Fn(E::Model) -> Result<T>,
) -> Result<Page<T>>
where
    E: EntityTrait,
    E::Model: Sync,
{
    let (rows, total) = list::page(c.conn(), select, q, sort, tie).await?;
    let items = rows.into_iter().map(to_domain).collect::<Result<Vec<_>>>()?;
    Ok(Page { items, total, page: q.page, page_size: q.page_size })
}
