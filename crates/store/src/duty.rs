//! Duty shifts (值班). A vendor sees its own contracts' shifts, a unit those of the contracts
//! covering its systems (whom to expect), the bureau and auditors all of them.

use chrono::{DateTime, Utc};
use domain::Scope;
use domain::duty::{DutyFilter, DutyShift};
use domain::list::{ListQuery, Page};
use domain::tickets::Status;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entities::{duty_shifts as ds, tickets};
use crate::scope::{by_scope, col_in, unit_contract_ids};
use crate::{Conn, Result, Tx, crud, list};

fn visible(scope: &Scope) -> Condition {
    by_scope(
        scope,
        |u| col_in(ds::Column::ContractId, unit_contract_ids(u)),
        |v| Condition::all().add(ds::Column::VendorId.eq(v)),
    )
}

fn shift(m: ds::Model) -> Result<DutyShift> {
    Ok(DutyShift {
        id: m.id,
        contract_id: m.contract_id,
        vendor_id: m.vendor_id,
        user_id: m.user_id,
        user_name: m.user_name,
        starts_at: m.starts_at,
        ends_at: m.ends_at,
        note: m.note,
        created_by: m.created_by,
        created_at: m.created_at,
    })
}

/// Stores a shift; a second one of the same person on the same contract from the same instant
/// is a unique-key conflict.
pub async fn insert(tx: &Tx, s: &DutyShift) -> Result<()> {
    ds::ActiveModel {
        id: Set(s.id.clone()),
        contract_id: Set(s.contract_id.clone()),
        vendor_id: Set(s.vendor_id.clone()),
        user_id: Set(s.user_id.clone()),
        user_name: Set(s.user_name.clone()),
        starts_at: Set(s.starts_at),
        ends_at: Set(s.ends_at),
        note: Set(s.note.clone()),
        created_by: Set(s.created_by.clone()),
        created_at: Set(s.created_at),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

pub async fn get(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<DutyShift>> {
    crud::get::<ds::Entity>(c, visible(scope), id).await?.map(shift).transpose()
}

/// Deletes a shift that has not begun at `now`; false when there is none such (it began, or
/// someone deleted it first).
pub async fn delete_future(tx: &Tx, id: &str, now: DateTime<Utc>) -> Result<bool> {
    let r = ds::Entity::delete_many()
        .filter(ds::Column::Id.eq(id))
        .filter(ds::Column::StartsAt.gt(now))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

pub async fn list(c: &impl Conn, scope: &Scope, q: &ListQuery, f: &DutyFilter) -> Result<Page<DutyShift>> {
    let mut select = ds::Entity::find()
        .filter(visible(scope))
        .filter(list::eq_opt(ds::Column::ContractId, &f.contract_id))
        .filter(list::eq_opt(ds::Column::UserId, &f.user_id))
        .filter(list::search(&[ds::Column::UserName, ds::Column::Note], q.q.as_deref()));
    if let Some(from) = f.from {
        select = select.filter(ds::Column::EndsAt.gt(from));
    }
    if let Some(to) = f.to {
        select = select.filter(ds::Column::StartsAt.lt(to));
    }
    let sort = crud::sort_column(
        q,
        &[("starts_at", ds::Column::StartsAt), ("ends_at", ds::Column::EndsAt)],
        ds::Column::StartsAt,
    );
    crud::page(c, select, q, sort, ds::Column::Id, shift).await
}

/// Everyone on duty for `contract_id` at `at`, each with how many open tickets they handle.
pub async fn on_duty(c: &impl Conn, contract_id: &str, at: DateTime<Utc>) -> Result<Vec<(DutyShift, u64)>> {
    let shifts = ds::Entity::find()
        .filter(ds::Column::ContractId.eq(contract_id))
        .filter(ds::Column::StartsAt.lte(at))
        .filter(ds::Column::EndsAt.gt(at))
        .order_by_asc(ds::Column::StartsAt)
        .limit(100)
        .all(c.conn())
        .await?;
    if shifts.is_empty() {
        return Ok(Vec::new());
    }
    let people: Vec<String> = shifts.iter().map(|s| s.user_id.clone()).collect();
    let open: Vec<&str> = Status::ALL.iter().filter(|s| s.is_open()).map(|s| s.as_str()).collect();
    let counts: Vec<(Option<String>, i64)> = tickets::Entity::find()
        .select_only()
        .column(tickets::Column::AssigneeId)
        .column_as(Expr::col(tickets::Column::Id).count(), "n")
        .filter(tickets::Column::AssigneeId.is_in(people))
        .filter(tickets::Column::Status.is_in(open))
        .group_by(tickets::Column::AssigneeId)
        .into_tuple()
        .all(c.conn())
        .await?;
    let busy = |u: &str| counts.iter().find(|(a, _)| a.as_deref() == Some(u)).map_or(0, |(_, n)| *n as u64);
    shifts
        .into_iter()
        .map(|m| {
            let n = busy(&m.user_id);
            shift(m).map(|s| (s, n))
        })
        .collect()
}
