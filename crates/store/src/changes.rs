//! Changes with the systems they touch, and the versions systems run. A change's state moves by
//! conditional updates (`WHERE status = <what it was read as>`), so two people acting on one
//! change at once cannot both move it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::Scope;
use domain::changes::{
    Change, ChangeFilter, ChangeKind, ChangeOutcome, ChangeRisk, ChangeStatus, ChangeType, ReleasePlan, SystemVersion,
};
use domain::list::{ListQuery, Page};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set};

use crate::entities::{change_systems as cs, changes as ch, system_versions as sv};
use crate::scope::{by_scope, unit_system_ids, vendor_system_ids};
use crate::{Conn, Result, Tx, corrupt, crud};

/// Changes touching any of these systems.
fn touching(systems: sea_orm::sea_query::SelectStatement) -> Condition {
    let ids = Query::select()
        .column(cs::Column::ChangeId)
        .from(cs::Entity)
        .and_where(Expr::col(cs::Column::SystemId).in_subquery(systems))
        .to_owned();
    Condition::all().add(ch::Column::Id.in_subquery(ids))
}

/// A unit sees the changes on its systems; a vendor those it asked for and those on the systems
/// it maintains.
fn visible(scope: &Scope) -> Condition {
    by_scope(
        scope,
        |u| Condition::any().add(ch::Column::UnitId.eq(u)).add(touching(unit_system_ids(u))),
        |v| Condition::any().add(ch::Column::VendorId.eq(v)).add(touching(vendor_system_ids(v))),
    )
}

fn to_domain(m: ch::Model, system_ids: Vec<String>) -> Result<Change> {
    let bad = |what: &str| corrupt(&format!("changes.{what}"), &m.id);
    Ok(Change {
        kind: ChangeKind::parse(&m.kind).ok_or_else(|| bad("kind"))?,
        change_type: ChangeType::parse(&m.change_type).ok_or_else(|| bad("change_type"))?,
        risk: ChangeRisk::parse(&m.risk).ok_or_else(|| bad("risk"))?,
        status: ChangeStatus::parse(&m.status).ok_or_else(|| bad("status"))?,
        outcome: m.outcome.as_deref().map(|o| ChangeOutcome::parse(o).ok_or_else(|| bad("outcome"))).transpose()?,
        release_plan: m
            .release_plan
            .as_deref()
            .map(|r| serde_json::from_str::<ReleasePlan>(r).map_err(|_| bad("release_plan")))
            .transpose()?,
        system_ids,
        id: m.id,
        title: m.title,
        description: m.description,
        unit_id: m.unit_id,
        vendor_id: m.vendor_id,
        planned_start: m.planned_start,
        planned_end: m.planned_end,
        plan: m.plan,
        rollback_plan: m.rollback_plan,
        test_evidence: m.test_evidence,
        downtime: m.downtime,
        version: m.version,
        approval_id: m.approval_id,
        approved_at: m.approved_at,
        started_at: m.started_at,
        started_before_approval: m.started_before_approval,
        finished_at: m.finished_at,
        outcome_note: m.outcome_note,
        ticket_id: m.ticket_id,
        requested_by: m.requested_by,
        requested_by_name: m.requested_by_name,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn active(c: &Change) -> ch::ActiveModel {
    ch::Model {
        id: c.id.clone(),
        kind: c.kind.as_str().into(),
        change_type: c.change_type.as_str().into(),
        risk: c.risk.as_str().into(),
        title: c.title.clone(),
        description: c.description.clone(),
        unit_id: c.unit_id.clone(),
        vendor_id: c.vendor_id.clone(),
        planned_start: c.planned_start,
        planned_end: c.planned_end,
        plan: c.plan.clone(),
        rollback_plan: c.rollback_plan.clone(),
        test_evidence: c.test_evidence.clone(),
        downtime: c.downtime,
        version: c.version.clone(),
        release_plan: c.release_plan.as_ref().map(|r| serde_json::to_string(r).unwrap_or_default()),
        status: c.status.as_str().into(),
        approval_id: c.approval_id.clone(),
        approved_at: c.approved_at,
        started_at: c.started_at,
        started_before_approval: c.started_before_approval,
        finished_at: c.finished_at,
        outcome: c.outcome.map(|o| o.as_str().into()),
        outcome_note: c.outcome_note.clone(),
        ticket_id: c.ticket_id.clone(),
        requested_by: c.requested_by.clone(),
        requested_by_name: c.requested_by_name.chars().take(200).collect(),
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
    .into_active_model()
    // Every column written: an update writes only what is set.
    .reset_all()
}

async fn put_systems(tx: &Tx, c: &Change) -> Result<()> {
    cs::Entity::delete_many().filter(cs::Column::ChangeId.eq(c.id.as_str())).exec(tx.conn()).await?;
    let rows = c.system_ids.iter().map(|s| cs::ActiveModel { change_id: Set(c.id.clone()), system_id: Set(s.clone()) });
    cs::Entity::insert_many(rows).exec_without_returning(tx.conn()).await?;
    Ok(())
}

pub async fn insert(tx: &Tx, c: &Change) -> Result<()> {
    let mut m = active(c);
    m.id = Set(c.id.clone());
    ch::Entity::insert(m).exec_without_returning(tx.conn()).await?;
    put_systems(tx, c).await
}

/// Writes `c` over the stored change if it still stands at `was`: false when someone moved it
/// meanwhile.
pub async fn save_if(tx: &Tx, c: &Change, was: ChangeStatus) -> Result<bool> {
    let m = active(c);
    let r = ch::Entity::update_many()
        .set(m)
        .filter(ch::Column::Id.eq(c.id.as_str()))
        .filter(ch::Column::Status.eq(was.as_str()))
        .exec(tx.conn())
        .await?;
    if r.rows_affected == 1 {
        put_systems(tx, c).await?;
    }
    Ok(r.rows_affected == 1)
}

async fn systems_of(c: &impl Conn, ids: &[String]) -> Result<HashMap<String, Vec<String>>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(crate::IN_CHUNK) {
        let rows = cs::Entity::find()
            .filter(cs::Column::ChangeId.is_in(chunk.iter().cloned()))
            .order_by_asc(cs::Column::SystemId)
            .all(c.conn())
            .await?;
        for r in rows {
            out.entry(r.change_id).or_default().push(r.system_id);
        }
    }
    Ok(out)
}

async fn with_systems(c: &impl Conn, rows: Vec<ch::Model>) -> Result<Vec<Change>> {
    let ids: Vec<String> = rows.iter().map(|m| m.id.clone()).collect();
    let mut systems = systems_of(c, &ids).await?;
    rows.into_iter()
        .map(|m| {
            let s = systems.remove(&m.id).unwrap_or_default();
            to_domain(m, s)
        })
        .collect()
}

pub async fn get(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<Change>> {
    match crud::get::<ch::Entity>(c, visible(scope), id).await? {
        Some(m) => Ok(with_systems(c, vec![m]).await?.pop()),
        None => Ok(None),
    }
}

fn select(scope: &Scope, q: Option<&str>, f: &ChangeFilter) -> sea_orm::Select<ch::Entity> {
    let mut s = ch::Entity::find()
        .filter(visible(scope))
        .filter(crate::list::search(&[ch::Column::Title, ch::Column::Description, ch::Column::Version], q))
        .filter(crate::list::eq_opt(ch::Column::Status, &f.status.map(|s| s.as_str().to_string())))
        .filter(crate::list::eq_opt(ch::Column::ChangeType, &f.change_type.map(|s| s.as_str().to_string())))
        .filter(crate::list::eq_opt(ch::Column::Kind, &f.kind.map(|s| s.as_str().to_string())));
    if let Some(system) = &f.system_id {
        let ids = Query::select()
            .column(cs::Column::ChangeId)
            .from(cs::Entity)
            .and_where(Expr::col(cs::Column::SystemId).eq(system.as_str()))
            .to_owned();
        s = s.filter(ch::Column::Id.in_subquery(ids));
    }
    if let Some(from) = f.from {
        s = s.filter(ch::Column::PlannedEnd.gte(crate::backups::day_start(from)));
    }
    if let Some(to) = f.to.and_then(|d| d.succ_opt()) {
        s = s.filter(ch::Column::PlannedStart.lt(crate::backups::day_start(to)));
    }
    s
}

/// Newest window first unless sorted otherwise.
pub async fn list(c: &impl Conn, scope: &Scope, q: &ListQuery, f: &ChangeFilter) -> Result<Page<Change>> {
    let mut q = q.clone();
    if q.sort.is_none() {
        q.order = domain::list::Order::Desc;
    }
    let sort = crud::sort_column(
        &q,
        &[("planned_start", ch::Column::PlannedStart), ("created_at", ch::Column::CreatedAt)],
        ch::Column::PlannedStart,
    );
    let (rows, total) = crate::list::page(c.conn(), select(scope, q.q.as_deref(), f), &q, sort, ch::Column::Id).await?;
    let items = with_systems(c, rows).await?;
    Ok(Page { items, total, page: q.page, page_size: q.page_size })
}

/// Every change (any scope) whose window overlaps `from..to`, for reports and indicators.
pub async fn in_window(c: &impl Conn, scope: &Scope, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Change>> {
    let rows = select(scope, None, &ChangeFilter::default())
        .filter(ch::Column::PlannedEnd.gte(from))
        .filter(ch::Column::PlannedStart.lt(to))
        .order_by_asc(ch::Column::PlannedStart)
        .order_by_asc(ch::Column::Id)
        .all(c.conn())
        .await?;
    with_systems(c, rows).await
}

/// How many changes touch a system (a system with any cannot be deleted).
pub async fn count_for_system(c: &impl Conn, system_id: &str) -> Result<u64> {
    crud::refs::<cs::Entity>(c, cs::Column::SystemId, system_id).await
}

/// The changes touching a system follow it to its new unit.
pub async fn move_system(tx: &Tx, system_id: &str, unit_id: &str) -> Result<u64> {
    let ids = Query::select()
        .column(cs::Column::ChangeId)
        .from(cs::Entity)
        .and_where(Expr::col(cs::Column::SystemId).eq(system_id))
        .to_owned();
    let r = ch::Entity::update_many()
        .col_expr(ch::Column::UnitId, Expr::value(unit_id))
        .filter(ch::Column::Id.in_subquery(ids))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected)
}

fn version(m: sv::Model) -> SystemVersion {
    SystemVersion {
        id: m.id,
        system_id: m.system_id,
        version: m.version,
        changed_at: m.changed_at,
        change_id: m.change_id,
        recorded_by: m.recorded_by,
        created_at: m.created_at,
    }
}

/// Records a version; a release's second record for the same system is refused by the key.
pub async fn insert_version(tx: &Tx, v: &SystemVersion) -> Result<()> {
    sv::ActiveModel {
        id: Set(v.id.clone()),
        system_id: Set(v.system_id.clone()),
        version: Set(v.version.clone()),
        changed_at: Set(v.changed_at),
        change_id: Set(v.change_id.clone()),
        recorded_by: Set(v.recorded_by.clone()),
        created_at: Set(v.created_at),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

/// A system's versions, newest first.
pub async fn versions(c: &impl Conn, system_id: &str) -> Result<Vec<SystemVersion>> {
    let rows = sv::Entity::find()
        .filter(sv::Column::SystemId.eq(system_id))
        .order_by_desc(sv::Column::ChangedAt)
        .order_by_desc(sv::Column::Id)
        .all(c.conn())
        .await?;
    Ok(rows.into_iter().map(version).collect())
}

/// The versions of these systems changed in `from..to`, for the monthly update records.
pub async fn versions_between(
    c: &impl Conn,
    system_ids: &[String],
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<SystemVersion>> {
    let mut out = Vec::new();
    for chunk in system_ids.chunks(crate::IN_CHUNK) {
        let rows = sv::Entity::find()
            .filter(sv::Column::SystemId.is_in(chunk.iter().cloned()))
            .filter(sv::Column::ChangedAt.gte(from))
            .filter(sv::Column::ChangedAt.lt(to))
            .order_by_asc(sv::Column::ChangedAt)
            .all(c.conn())
            .await?;
        out.extend(rows.into_iter().map(version));
    }
    Ok(out)
}
