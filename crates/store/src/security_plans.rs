//! Security plans and the records of work done. Both carry the system's unit and are scoped like
//! findings: a unit its own, a vendor those of the systems it maintains.

use chrono::{DateTime, NaiveDate, Utc};
use domain::Scope;
use domain::inspections::recurrence::{HolidayRule, Recurrence};
use domain::list::{ListQuery, Page};
use domain::security_plans::{
    SecTaskKind, SecurityPlan, SecurityPlanFilter, SecurityPlanSpec, SecurityRecord, SecurityRecordFilter,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entities::{security_plans as sp, security_records as sr};
use crate::scope::{by_scope, col_in, vendor_system_ids};
use crate::{Conn, Result, Tx, corrupt, crud, list};

fn plan_visible(scope: &Scope) -> Condition {
    by_scope(
        scope,
        |u| Condition::all().add(sp::Column::UnitId.eq(u)),
        |v| col_in(sp::Column::SystemId, vendor_system_ids(v)),
    )
}

fn record_visible(scope: &Scope) -> Condition {
    by_scope(
        scope,
        |u| Condition::all().add(sr::Column::UnitId.eq(u)),
        |v| col_in(sr::Column::SystemId, vendor_system_ids(v)),
    )
}

fn plan(m: sp::Model) -> Result<SecurityPlan> {
    let bad = |what: &str| corrupt(what, &m.id);
    let recurrence: serde_json::Value =
        serde_json::from_str(&m.recurrence).map_err(|_| bad("security_plans.recurrence"))?;
    let parsed = Recurrence::parse(&recurrence).map_err(|_| bad("security_plans.recurrence"))?;
    Ok(SecurityPlan {
        recurrence_text: parsed.describe().zh,
        recurrence,
        kind: SecTaskKind::parse(&m.kind).ok_or_else(|| bad("security_plans.kind"))?,
        holiday_rule: HolidayRule::parse(&m.holiday_rule).ok_or_else(|| bad("security_plans.holiday_rule"))?,
        id: m.id,
        system_id: m.system_id,
        unit_id: m.unit_id,
        calendar_id: m.calendar_id,
        start_date: m.start_date,
        end_date: m.end_date,
        active: m.active,
        notes: m.notes,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// What the app resolved around a validated plan: the system's unit, the calendar, the start.
pub struct PlanRow<'a> {
    pub spec: &'a SecurityPlanSpec,
    pub unit_id: String,
    pub calendar_id: String,
    pub start_date: NaiveDate,
}

fn plan_active(r: &PlanRow<'_>) -> sp::ActiveModel {
    let s = r.spec;
    sp::ActiveModel {
        system_id: Set(s.system_id.clone()),
        unit_id: Set(r.unit_id.clone()),
        kind: Set(s.kind.as_str().into()),
        recurrence: Set(s.schedule.recurrence.to_json().to_string()),
        calendar_id: Set(r.calendar_id.clone()),
        holiday_rule: Set(s.schedule.holiday_rule.as_str().into()),
        start_date: Set(r.start_date),
        end_date: Set(s.schedule.end_date),
        active: Set(s.active),
        notes: Set(s.notes.clone()),
        ..Default::default()
    }
}

/// A second plan of the same system and kind is a unique-key conflict.
pub async fn insert_plan(tx: &Tx, r: &PlanRow<'_>, by: &str, now: DateTime<Utc>) -> Result<SecurityPlan> {
    let mut a = plan_active(r);
    a.id = Set(crate::new_id());
    a.created_by = Set(by.to_string());
    a.created_at = Set(now);
    a.updated_at = Set(now);
    plan(a.insert(tx.conn()).await?)
}

pub async fn update_plan(tx: &Tx, id: &str, r: &PlanRow<'_>, now: DateTime<Utc>) -> Result<SecurityPlan> {
    let mut a = plan_active(r);
    a.id = sea_orm::Unchanged(id.to_string());
    a.updated_at = Set(now);
    plan(a.update(tx.conn()).await?)
}

pub async fn get_plan(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<SecurityPlan>> {
    crud::get::<sp::Entity>(c, plan_visible(scope), id).await?.map(plan).transpose()
}

pub async fn delete_plan(tx: &Tx, id: &str) -> Result<()> {
    crud::delete::<sp::Entity>(tx, id).await
}

fn plan_select(scope: &Scope, q: Option<&str>, f: &SecurityPlanFilter) -> sea_orm::Select<sp::Entity> {
    sp::Entity::find()
        .filter(list::search(&[sp::Column::Notes], q))
        .filter(plan_visible(scope))
        .filter(list::eq_opt(sp::Column::SystemId, &f.system_id))
        .filter(list::eq_opt(sp::Column::Kind, &f.kind.map(|k| k.as_str().to_string())))
        .filter(list::eq_opt(sp::Column::Active, &f.active))
}

pub async fn list_plans(
    c: &impl Conn,
    scope: &Scope,
    q: &ListQuery,
    f: &SecurityPlanFilter,
) -> Result<Page<SecurityPlan>> {
    crud::page(c, plan_select(scope, q.q.as_deref(), f), q, sp::Column::SystemId, sp::Column::Kind, plan).await
}

/// Every plan matching `f` (a bureau has a few per system: the task list reads them all).
pub async fn all_plans(c: &impl Conn, scope: &Scope, f: &SecurityPlanFilter) -> Result<Vec<SecurityPlan>> {
    let rows =
        plan_select(scope, None, f).order_by_asc(sp::Column::SystemId).order_by_asc(sp::Column::Kind).all(c.conn());
    rows.await?.into_iter().map(plan).collect()
}

/// The plans of these systems (an indicator's scope).
pub async fn plans_of(c: &impl Conn, systems: &[String]) -> Result<Vec<SecurityPlan>> {
    let mut out = Vec::new();
    for chunk in systems.chunks(crate::IN_CHUNK) {
        let rows = sp::Entity::find().filter(sp::Column::SystemId.is_in(chunk.to_vec())).all(c.conn()).await?;
        out.extend(rows.into_iter().map(plan).collect::<Result<Vec<_>>>()?);
    }
    Ok(out)
}

fn record(m: sr::Model) -> Result<SecurityRecord> {
    Ok(SecurityRecord {
        kind: SecTaskKind::parse(&m.kind).ok_or_else(|| corrupt("security_records.kind", &m.id))?,
        id: m.id,
        system_id: m.system_id,
        unit_id: m.unit_id,
        performed_on: m.performed_on,
        summary: m.summary,
        import_id: m.import_id,
        file_name: m.file_name,
        content_type: m.content_type,
        size: m.size,
        sha256: m.sha256,
        created_by: m.created_by,
        created_by_name: m.created_by_name,
        created_at: m.created_at,
        voided_at: m.voided_at,
        void_reason: m.void_reason,
    })
}

pub async fn insert_record(tx: &Tx, r: &SecurityRecord) -> Result<()> {
    sr::ActiveModel {
        id: Set(r.id.clone()),
        system_id: Set(r.system_id.clone()),
        unit_id: Set(r.unit_id.clone()),
        kind: Set(r.kind.as_str().into()),
        performed_on: Set(r.performed_on),
        summary: Set(r.summary.clone()),
        import_id: Set(r.import_id.clone()),
        file_name: Set(r.file_name.clone()),
        content_type: Set(r.content_type.clone()),
        size: Set(r.size),
        sha256: Set(r.sha256.clone()),
        created_by: Set(r.created_by.clone()),
        created_by_name: Set(r.created_by_name.clone()),
        created_at: Set(r.created_at),
        voided_at: Set(None),
        voided_by: Set(None),
        void_reason: Set(None),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

pub async fn get_record(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<SecurityRecord>> {
    crud::get::<sr::Entity>(c, record_visible(scope), id).await?.map(record).transpose()
}

fn record_select(scope: &Scope, q: Option<&str>, f: &SecurityRecordFilter) -> sea_orm::Select<sr::Entity> {
    let mut s = sr::Entity::find()
        .filter(list::search(&[sr::Column::Summary, sr::Column::FileName], q))
        .filter(record_visible(scope))
        .filter(list::eq_opt(sr::Column::SystemId, &f.system_id))
        .filter(list::eq_opt(sr::Column::Kind, &f.kind.map(|k| k.as_str().to_string())));
    if let Some(d) = f.from {
        s = s.filter(sr::Column::PerformedOn.gte(d));
    }
    if let Some(d) = f.to {
        s = s.filter(sr::Column::PerformedOn.lte(d));
    }
    if !f.with_void {
        s = s.filter(sr::Column::VoidedAt.is_null());
    }
    s
}

/// Newest work first.
pub async fn list_records(
    c: &impl Conn,
    scope: &Scope,
    q: &ListQuery,
    f: &SecurityRecordFilter,
) -> Result<Page<SecurityRecord>> {
    let mut q = q.clone();
    if q.sort.is_none() {
        q.order = domain::list::Order::Desc;
    }
    crud::page(c, record_select(scope, q.q.as_deref(), f), &q, sr::Column::PerformedOn, sr::Column::Id, record).await
}

/// The days work was recorded on, per system and kind, in `from..=to` (void records left out):
/// `(record id, system, kind, day)`, earliest first.
pub async fn record_days(
    c: &impl Conn,
    systems: &[String],
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<(String, String, String, NaiveDate)>> {
    let mut out = Vec::new();
    for chunk in systems.chunks(crate::IN_CHUNK) {
        let rows: Vec<(String, String, String, NaiveDate)> = sr::Entity::find()
            .select_only()
            .columns([sr::Column::Id, sr::Column::SystemId, sr::Column::Kind, sr::Column::PerformedOn])
            .filter(sr::Column::SystemId.is_in(chunk.to_vec()))
            .filter(sr::Column::VoidedAt.is_null())
            .filter(sr::Column::PerformedOn.gte(from))
            .filter(sr::Column::PerformedOn.lte(to))
            .order_by_asc(sr::Column::PerformedOn)
            .order_by_asc(sr::Column::Id)
            .into_tuple()
            .all(c.conn())
            .await?;
        out.extend(rows);
    }
    out.sort_by(|a, b| (a.3, &a.0).cmp(&(b.3, &b.0)));
    Ok(out)
}

/// Voids a record once: `false` when it already was.
pub async fn void_record(tx: &Tx, id: &str, by: &str, reason: &str, at: DateTime<Utc>) -> Result<bool> {
    crud::void::<sr::Entity>(tx, id, by, reason, at).await
}

/// How many plans count their working days in a calendar (it cannot be deleted then).
pub async fn using_calendar(c: &impl Conn, calendar_id: &str) -> Result<u64> {
    crud::refs::<sp::Entity>(c, sp::Column::CalendarId, calendar_id).await
}

/// How many records a system has (evidence: a system with any cannot be deleted).
pub async fn count_for_system(c: &impl Conn, system_id: &str) -> Result<u64> {
    crud::refs::<sr::Entity>(c, sr::Column::SystemId, system_id).await
}
