//! Counted limits per owner (files per ticket, photos per task), kept by the database: a unit is
//! taken by one conditional upsert, so concurrent requests on several servers cannot pass the cap
//! between a count and an insert.

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::entities::upload_quotas as q;
use crate::{Conn, Result, Tx};

/// A quota that can never be taken again (the owner is closed: a recorded task's photos).
const CLOSED: i32 = i32::MAX / 2;

/// Takes one unit of `kind` for `owner` if fewer than `cap` are used; false when the cap is
/// reached or the owner is closed.
pub async fn take(tx: &Tx, kind: &str, owner: &str, cap: u32) -> Result<bool> {
    let cap = i32::try_from(cap).unwrap_or(i32::MAX);
    let row = q::ActiveModel { kind: Set(kind.to_string()), owner_id: Set(owner.to_string()), used: Set(1) };
    let used = Expr::col((q::Entity, q::Column::Used));
    let r = q::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([q::Column::Kind, q::Column::OwnerId])
                .value(q::Column::Used, used.clone().add(1))
                .action_and_where(used.lt(cap))
                .to_owned(),
        )
        .exec_without_returning(tx.conn())
        .await?;
    Ok(r == 1)
}

/// Gives a unit back (a file taken back before its owner was closed).
pub async fn give_back(tx: &Tx, kind: &str, owner: &str) -> Result<()> {
    q::Entity::update_many()
        .col_expr(q::Column::Used, Expr::col(q::Column::Used).sub(1))
        .filter(q::Column::Kind.eq(kind))
        .filter(q::Column::OwnerId.eq(owner))
        .filter(q::Column::Used.gt(0))
        .filter(q::Column::Used.lt(CLOSED))
        .exec(tx.conn())
        .await?;
    Ok(())
}

/// Closes the owner's quota: nothing more can be taken, whatever the cap.
pub async fn close(tx: &Tx, kind: &str, owner: &str) -> Result<()> {
    let row = q::ActiveModel { kind: Set(kind.to_string()), owner_id: Set(owner.to_string()), used: Set(CLOSED) };
    q::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([q::Column::Kind, q::Column::OwnerId]).value(q::Column::Used, CLOSED).to_owned(),
        )
        .exec_without_returning(tx.conn())
        .await?;
    Ok(())
}
