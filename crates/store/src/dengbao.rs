//! The 等保 tracker's rows. Records and assessments are read for the systems the caller may
//! see (the app asks with their ids); rectification items carry the system's unit and are
//! scoped like findings: a unit its own, a vendor those of the systems it maintains.

use chrono::{DateTime, NaiveDate, Utc};
use domain::Scope;
use domain::dengbao::{Conclusion, DengbaoAssessment, DengbaoRecordFields, ItemStatus, RectItem, RiskLevel};
use domain::security_events::ReportingClass;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entities::{dengbao_assessments as da, dengbao_items as di, dengbao_quotas as dq, dengbao_records as dr};
use crate::scope::{by_scope, col_in, vendor_system_ids};
use crate::{Conn, Result, Tx, corrupt};

/// A system's filing and the due day the bureau set.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    pub system_id: String,
    pub fields: DengbaoRecordFields,
    pub updated_at: DateTime<Utc>,
}

/// Writes a system's record (one per system: the key is the system).
pub async fn put_record(tx: &Tx, system_id: &str, f: &DengbaoRecordFields, by: &str, at: DateTime<Utc>) -> Result<()> {
    let row = dr::ActiveModel {
        system_id: Set(system_id.to_string()),
        filing_number: Set(f.filing_number.clone()),
        filed_on: Set(f.filed_on),
        next_due_set: Set(f.next_due_set),
        notes: Set(f.notes.clone()),
        reporting_class: Set(f.reporting_class.map(|c| c.as_str().to_string())),
        updated_by: Set(by.to_string()),
        updated_at: Set(at),
    };
    dr::Entity::insert(row)
        .on_conflict(
            OnConflict::column(dr::Column::SystemId)
                .update_columns([
                    dr::Column::FilingNumber,
                    dr::Column::FiledOn,
                    dr::Column::NextDueSet,
                    dr::Column::Notes,
                    dr::Column::ReportingClass,
                    dr::Column::UpdatedBy,
                    dr::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(tx.conn())
        .await?;
    Ok(())
}

pub async fn records(c: &impl Conn, systems: &[String]) -> Result<Vec<StoredRecord>> {
    let mut out = Vec::new();
    for chunk in systems.chunks(crate::IN_CHUNK) {
        for m in dr::Entity::find().filter(dr::Column::SystemId.is_in(chunk.to_vec())).all(c.conn()).await? {
            out.push(StoredRecord {
                system_id: m.system_id,
                fields: DengbaoRecordFields {
                    filing_number: m.filing_number,
                    filed_on: m.filed_on,
                    next_due_set: m.next_due_set,
                    notes: m.notes,
                    reporting_class: m.reporting_class.as_deref().and_then(ReportingClass::parse),
                },
                updated_at: m.updated_at,
            });
        }
    }
    Ok(out)
}

fn assessment(m: da::Model) -> Result<DengbaoAssessment> {
    Ok(DengbaoAssessment {
        conclusion: Conclusion::parse(&m.conclusion).ok_or_else(|| corrupt("dengbao_assessments.conclusion", &m.id))?,
        id: m.id,
        system_id: m.system_id,
        assessed_on: m.assessed_on,
        assessor: m.assessor,
        score: m.score,
        notes: m.notes,
        created_by: m.created_by,
        created_at: m.created_at,
    })
}

/// Stores an assessment; a second of the same system on the same day is a unique-key conflict.
pub async fn insert_assessment(tx: &Tx, a: &DengbaoAssessment) -> Result<()> {
    da::ActiveModel {
        id: Set(a.id.clone()),
        system_id: Set(a.system_id.clone()),
        assessed_on: Set(a.assessed_on),
        assessor: Set(a.assessor.clone()),
        score: Set(a.score),
        conclusion: Set(a.conclusion.as_str().into()),
        notes: Set(a.notes.clone()),
        created_by: Set(a.created_by.clone()),
        created_at: Set(a.created_at),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

/// The assessments of these systems, newest first.
pub async fn assessments(c: &impl Conn, systems: &[String]) -> Result<Vec<DengbaoAssessment>> {
    let mut out = Vec::new();
    for chunk in systems.chunks(crate::IN_CHUNK) {
        let rows = da::Entity::find()
            .filter(da::Column::SystemId.is_in(chunk.to_vec()))
            .order_by_desc(da::Column::AssessedOn)
            .all(c.conn())
            .await?;
        for m in rows {
            out.push(assessment(m)?);
        }
    }
    out.sort_by_key(|a| std::cmp::Reverse(a.assessed_on));
    Ok(out)
}

fn visible(scope: &Scope) -> Condition {
    by_scope(
        scope,
        |u| Condition::all().add(di::Column::UnitId.eq(u)),
        |v| col_in(di::Column::SystemId, vendor_system_ids(v)),
    )
}

fn item(m: di::Model, today: NaiveDate) -> Result<RectItem> {
    let status = ItemStatus::parse(&m.status).ok_or_else(|| corrupt("dengbao_items.status", &m.id))?;
    let closed_late = m.closed_at.is_some_and(|c| crate_date(c) > m.deadline);
    Ok(RectItem {
        risk: RiskLevel::parse(&m.risk).ok_or_else(|| corrupt("dengbao_items.risk", &m.id))?,
        late: if status == ItemStatus::Closed { closed_late } else { today > m.deadline },
        status,
        id: m.id,
        system_id: m.system_id,
        unit_id: m.unit_id,
        assessment_id: m.assessment_id,
        title: m.title,
        deadline: m.deadline,
        done_at: m.done_at,
        done_note: m.done_note,
        closed_at: m.closed_at,
        closed_by_name: m.closed_by_name,
        created_at: m.created_at,
    })
}

/// The bureau's day of an instant (UTC+8).
fn crate_date(t: DateTime<Utc>) -> NaiveDate {
    (t + chrono::Duration::hours(8)).date_naive()
}

pub async fn insert_item(tx: &Tx, i: &RectItem, by: &str) -> Result<()> {
    di::ActiveModel {
        id: Set(i.id.clone()),
        system_id: Set(i.system_id.clone()),
        unit_id: Set(i.unit_id.clone()),
        assessment_id: Set(i.assessment_id.clone()),
        title: Set(i.title.clone()),
        risk: Set(i.risk.as_str().into()),
        deadline: Set(i.deadline),
        status: Set(i.status.as_str().into()),
        done_at: Set(i.done_at),
        done_note: Set(i.done_note.clone()),
        closed_at: Set(i.closed_at),
        closed_by_name: Set(i.closed_by_name.clone()),
        revision: Set(0),
        created_by: Set(by.to_string()),
        created_at: Set(i.created_at),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

pub async fn get_item(c: &impl Conn, scope: &Scope, id: &str, today: NaiveDate) -> Result<Option<(RectItem, i32)>> {
    let Some(m) = di::Entity::find_by_id(id.to_string()).filter(visible(scope)).one(c.conn()).await? else {
        return Ok(None);
    };
    let revision = m.revision;
    Ok(Some((item(m, today)?, revision)))
}

/// Moves an item if nobody moved it since it was read; false when someone did.
pub async fn move_item(tx: &Tx, i: &RectItem, revision: i32) -> Result<bool> {
    let r = di::Entity::update_many()
        .col_expr(di::Column::Status, Expr::value(i.status.as_str()))
        .col_expr(di::Column::DoneAt, Expr::value(i.done_at))
        .col_expr(di::Column::DoneNote, Expr::value(i.done_note.clone()))
        .col_expr(di::Column::ClosedAt, Expr::value(i.closed_at))
        .col_expr(di::Column::ClosedByName, Expr::value(i.closed_by_name.clone()))
        .col_expr(di::Column::Revision, Expr::value(revision + 1))
        .filter(di::Column::Id.eq(i.id.clone()))
        .filter(di::Column::Revision.eq(revision))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

/// Items the scope may see, by deadline; optionally one system's, one status.
pub async fn items(
    c: &impl Conn,
    scope: &Scope,
    system_id: Option<&str>,
    status: Option<ItemStatus>,
    today: NaiveDate,
) -> Result<Vec<RectItem>> {
    let mut q = di::Entity::find().filter(visible(scope));
    if let Some(s) = system_id {
        q = q.filter(di::Column::SystemId.eq(s));
    }
    if let Some(s) = status {
        q = q.filter(di::Column::Status.eq(s.as_str()));
    }
    q.order_by_asc(di::Column::Deadline)
        .order_by_asc(di::Column::Id)
        .limit(5_000)
        .all(c.conn())
        .await?
        .into_iter()
        .map(|m| item(m, today))
        .collect()
}

/// The items of `systems` whose deadline falls in `[from, to]`.
pub async fn items_due_between(
    c: &impl Conn,
    systems: &[String],
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<RectItem>> {
    let mut out = Vec::new();
    for chunk in systems.chunks(crate::IN_CHUNK) {
        let rows = di::Entity::find()
            .filter(di::Column::SystemId.is_in(chunk.to_vec()))
            .filter(di::Column::Deadline.gte(from))
            .filter(di::Column::Deadline.lte(to))
            .all(c.conn())
            .await?;
        for m in rows {
            out.push(item(m, today)?);
        }
    }
    Ok(out)
}

/// Per system: items not closed, and of those the ones past their deadline on `today`.
pub async fn open_items(c: &impl Conn, systems: &[String], today: NaiveDate) -> Result<Vec<(String, u32, u32)>> {
    let mut out: Vec<(String, u32, u32)> = Vec::new();
    for chunk in systems.chunks(crate::IN_CHUNK) {
        let rows: Vec<(String, NaiveDate)> = di::Entity::find()
            .select_only()
            .columns([di::Column::SystemId, di::Column::Deadline])
            .filter(di::Column::SystemId.is_in(chunk.to_vec()))
            .filter(di::Column::Status.ne(ItemStatus::Closed.as_str()))
            .into_tuple()
            .all(c.conn())
            .await?;
        for (s, deadline) in rows {
            let late = u32::from(today > deadline);
            match out.iter_mut().find(|x| x.0 == s) {
                Some(x) => {
                    x.1 += 1;
                    x.2 += late;
                }
                None => out.push((s, 1, late)),
            }
        }
    }
    Ok(out)
}

pub async fn quota(c: &impl Conn, year: i32) -> Result<Option<u32>> {
    Ok(dq::Entity::find_by_id(year).one(c.conn()).await?.map(|m| u32::try_from(m.quota).unwrap_or(0)))
}

pub async fn put_quota(tx: &Tx, year: i32, quota: u32, by: &str, at: DateTime<Utc>) -> Result<()> {
    let row = dq::ActiveModel {
        year: Set(year),
        quota: Set(i32::try_from(quota).unwrap_or(i32::MAX)),
        updated_by: Set(by.to_string()),
        updated_at: Set(at),
    };
    dq::Entity::insert(row)
        .on_conflict(
            OnConflict::column(dq::Column::Year)
                .update_columns([dq::Column::Quota, dq::Column::UpdatedBy, dq::Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(tx.conn())
        .await?;
    Ok(())
}

/// Moves a system's items to its new unit (inside the system's move).
pub async fn move_system(tx: &Tx, system_id: &str, unit_id: &str) -> Result<u64> {
    let r = di::Entity::update_many()
        .col_expr(di::Column::UnitId, Expr::value(unit_id))
        .filter(di::Column::SystemId.eq(system_id))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected)
}
