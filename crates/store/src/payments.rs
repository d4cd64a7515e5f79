//! Payments made on a contract. The caller has checked the contract is visible.

use chrono::{DateTime, Utc};
use domain::payments::PaymentRecord;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entities::{contract_payments as cp, contracts};
use crate::{Conn, Result, Tx};

fn record(m: cp::Model) -> PaymentRecord {
    PaymentRecord {
        id: m.id,
        contract_id: m.contract_id,
        item_id: m.item_id,
        milestone: m.milestone.and_then(|i| u32::try_from(i).ok()),
        paid_on: m.paid_on,
        amount_fen: m.amount_fen,
        voucher: m.voucher,
        note: m.note,
        created_by: m.created_by,
        created_at: m.created_at,
    }
}

/// Every payment of the contract, by date (a contract has dozens at most).
pub async fn list(c: &impl Conn, contract_id: &str) -> Result<Vec<PaymentRecord>> {
    Ok(cp::Entity::find()
        .filter(cp::Column::ContractId.eq(contract_id))
        .order_by_asc(cp::Column::PaidOn)
        .order_by_asc(cp::Column::CreatedAt)
        .order_by_asc(cp::Column::Id)
        .all(c.conn())
        .await?
        .into_iter()
        .map(record)
        .collect())
}

/// Locks the contract's row for the rest of `tx` (PostgreSQL; SQLite has one writer), so two
/// payments recorded at once are checked against the outstanding amount one after the other.
pub async fn lock_contract(tx: &Tx, contract_id: &str, now: DateTime<Utc>) -> Result<bool> {
    let r = contracts::Entity::update_many()
        .col_expr(contracts::Column::UpdatedAt, Expr::value(now))
        .filter(contracts::Column::Id.eq(contract_id))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

/// Stores a payment; a voucher already recorded on the contract is a unique-key conflict.
pub async fn insert(tx: &Tx, p: &PaymentRecord) -> Result<()> {
    cp::ActiveModel {
        id: Set(p.id.clone()),
        contract_id: Set(p.contract_id.clone()),
        item_id: Set(p.item_id.clone()),
        milestone: Set(p.milestone.and_then(|i| i32::try_from(i).ok())),
        paid_on: Set(p.paid_on),
        amount_fen: Set(p.amount_fen),
        voucher: Set(p.voucher.clone()),
        note: Set(p.note.clone()),
        created_by: Set(p.created_by.clone()),
        created_at: Set(p.created_at),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

pub async fn get(c: &impl Conn, contract_id: &str, id: &str) -> Result<Option<PaymentRecord>> {
    Ok(cp::Entity::find_by_id(id.to_string())
        .filter(cp::Column::ContractId.eq(contract_id))
        .one(c.conn())
        .await?
        .map(record))
}

pub async fn delete(tx: &Tx, id: &str) -> Result<bool> {
    Ok(cp::Entity::delete_by_id(id.to_string()).exec(tx.conn()).await?.rows_affected == 1)
}
