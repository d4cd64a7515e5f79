//! Security events and their timelines and evidence. An event may hit systems of several units:
//! the systems it names (each with its unit) decide who sees it — a unit when one of its
//! systems is hit, a vendor when one of the systems it maintains is.

use chrono::{DateTime, Utc};
use domain::Scope;
use domain::list::{ListQuery, Page};
use domain::security_events::{
    EventCategory, EventEntry, EventFile, EventGrade, EventStatus, ReportingClass, SecurityEvent, SecurityEventFilter,
};
use sea_orm::sea_query::Query;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entities::{
    security_event_entries as en, security_event_files as ef, security_event_systems as es, security_events as se,
};
use crate::scope::{by_scope, vendor_system_ids};
use crate::{Conn, Result, Tx, corrupt, crud, list};

fn visible(scope: &Scope) -> Condition {
    let events_where =
        |c: Condition| Query::select().column(es::Column::EventId).from(es::Entity).cond_where(c).to_owned();
    by_scope(
        scope,
        |u| {
            Condition::all()
                .add(se::Column::Id.in_subquery(events_where(Condition::all().add(es::Column::UnitId.eq(u)))))
        },
        |v| {
            let systems = Condition::all().add(es::Column::SystemId.in_subquery(vendor_system_ids(v)));
            Condition::all().add(se::Column::Id.in_subquery(events_where(systems)))
        },
    )
}

fn id_list(raw: &str, what: &str, id: &str) -> Result<Vec<String>> {
    serde_json::from_str(raw).map_err(|_| corrupt(what, id))
}

fn event(m: se::Model, system_ids: Vec<String>) -> Result<SecurityEvent> {
    let bad = |what: &str| corrupt(what, &m.id);
    Ok(SecurityEvent {
        category: EventCategory::parse(&m.category).ok_or_else(|| bad("security_events.category"))?,
        grade: EventGrade::parse(&m.grade).ok_or_else(|| bad("security_events.grade"))?,
        status: EventStatus::parse(&m.status).ok_or_else(|| bad("security_events.status"))?,
        reporting_class: ReportingClass::parse(&m.reporting_class)
            .ok_or_else(|| bad("security_events.reporting_class"))?,
        ticket_ids: id_list(&m.ticket_ids, "security_events.ticket_ids", &m.id)?,
        vulnerability_ids: id_list(&m.vulnerability_ids, "security_events.vulnerability_ids", &m.id)?,
        report_late: None,
        system_ids,
        id: m.id,
        title: m.title,
        description: m.description,
        occurred_at: m.occurred_at,
        found_at: m.found_at,
        report_due_at: m.report_due_at,
        reported_at: m.reported_at,
        report_ref: m.report_ref,
        contained_at: m.contained_at,
        recovered_at: m.recovered_at,
        closed_at: m.closed_at,
        measures: m.measures,
        lessons: m.lessons,
        created_by: m.created_by,
        created_by_name: m.created_by_name,
        created_at: m.created_at,
        updated_at: m.updated_at,
        revision: m.revision,
    })
}

fn active(e: &SecurityEvent) -> se::ActiveModel {
    se::ActiveModel {
        id: Set(e.id.clone()),
        title: Set(e.title.clone()),
        category: Set(e.category.as_str().into()),
        grade: Set(e.grade.as_str().into()),
        grade_rank: Set(e.grade.rank()),
        status: Set(e.status.as_str().into()),
        description: Set(e.description.clone()),
        occurred_at: Set(e.occurred_at),
        found_at: Set(e.found_at),
        reporting_class: Set(e.reporting_class.as_str().into()),
        report_due_at: Set(e.report_due_at),
        reported_at: Set(e.reported_at),
        report_ref: Set(e.report_ref.clone()),
        contained_at: Set(e.contained_at),
        recovered_at: Set(e.recovered_at),
        closed_at: Set(e.closed_at),
        measures: Set(e.measures.clone()),
        lessons: Set(e.lessons.clone()),
        ticket_ids: Set(serde_json::to_string(&e.ticket_ids).unwrap_or_else(|_| "[]".into())),
        vulnerability_ids: Set(serde_json::to_string(&e.vulnerability_ids).unwrap_or_else(|_| "[]".into())),
        created_by: Set(e.created_by.clone()),
        created_by_name: Set(e.created_by_name.clone()),
        created_at: Set(e.created_at),
        updated_at: Set(e.updated_at),
        revision: Set(e.revision),
    }
}

async fn put_systems(tx: &Tx, e: &SecurityEvent, units: &[(String, String)]) -> Result<()> {
    es::Entity::delete_many().filter(es::Column::EventId.eq(e.id.clone())).exec(tx.conn()).await?;
    let rows: Vec<es::ActiveModel> = units
        .iter()
        .map(|(system, unit)| es::ActiveModel {
            event_id: Set(e.id.clone()),
            system_id: Set(system.clone()),
            unit_id: Set(unit.clone()),
        })
        .collect();
    if !rows.is_empty() {
        es::Entity::insert_many(rows).exec_without_returning(tx.conn()).await?;
    }
    Ok(())
}

/// Stores a new event with its systems, each `(system, unit)`.
pub async fn insert(tx: &Tx, e: &SecurityEvent, units: &[(String, String)]) -> Result<()> {
    active(e).insert(tx.conn()).await?;
    put_systems(tx, e, units).await
}

/// Writes `e` over the stored one if it is still at `revision` (`false`: someone else wrote
/// first); its systems are rewritten when `units` is given.
pub async fn update(tx: &Tx, e: &SecurityEvent, revision: i32, units: Option<&[(String, String)]>) -> Result<bool> {
    let mut a = active(e);
    a.id = sea_orm::Unchanged(e.id.clone());
    a.created_at = sea_orm::NotSet;
    a.created_by = sea_orm::NotSet;
    a.created_by_name = sea_orm::NotSet;
    let r = se::Entity::update_many()
        .set(a)
        .filter(se::Column::Id.eq(e.id.clone()))
        .filter(se::Column::Revision.eq(revision))
        .exec(tx.conn())
        .await?;
    if r.rows_affected != 1 {
        return Ok(false);
    }
    if let Some(units) = units {
        put_systems(tx, e, units).await?;
    }
    Ok(true)
}

async fn systems_of(c: &impl Conn, ids: &[String]) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(crate::IN_CHUNK) {
        let rows = es::Entity::find()
            .filter(es::Column::EventId.is_in(chunk.to_vec()))
            .order_by_asc(es::Column::SystemId)
            .all(c.conn())
            .await?;
        out.extend(rows.into_iter().map(|r| (r.event_id, r.system_id)));
    }
    Ok(out)
}

async fn with_systems(c: &impl Conn, rows: Vec<se::Model>) -> Result<Vec<SecurityEvent>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let links = systems_of(c, &ids).await?;
    rows.into_iter()
        .map(|m| {
            let mine = links.iter().filter(|l| l.0 == m.id).map(|l| l.1.clone()).collect();
            event(m, mine)
        })
        .collect()
}

pub async fn get(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<SecurityEvent>> {
    let Some(m) = crud::get::<se::Entity>(c, visible(scope), id).await? else { return Ok(None) };
    Ok(with_systems(c, vec![m]).await?.pop())
}

fn select(scope: &Scope, q: Option<&str>, f: &SecurityEventFilter) -> sea_orm::Select<se::Entity> {
    let mut s = se::Entity::find()
        .filter(visible(scope))
        .filter(list::search(&[se::Column::Title, se::Column::Description], q))
        .filter(list::eq_opt(se::Column::Status, &f.status.map(|x| x.as_str().to_string())))
        .filter(list::eq_opt(se::Column::Grade, &f.grade.map(|x| x.as_str().to_string())))
        .filter(list::eq_opt(se::Column::Category, &f.category.map(|x| x.as_str().to_string())));
    if let Some(sys) = &f.system_id {
        let ids = Query::select()
            .column(es::Column::EventId)
            .from(es::Entity)
            .cond_where(Condition::all().add(es::Column::SystemId.eq(sys.clone())))
            .to_owned();
        s = s.filter(se::Column::Id.in_subquery(ids));
    }
    if let Some(t) = f.found_from {
        s = s.filter(se::Column::FoundAt.gte(t));
    }
    if let Some(t) = f.found_before {
        s = s.filter(se::Column::FoundAt.lt(t));
    }
    s
}

/// Newest first (or by `found_at` / `grade` as asked).
pub async fn list(c: &impl Conn, scope: &Scope, q: &ListQuery, f: &SecurityEventFilter) -> Result<Page<SecurityEvent>> {
    let sort = crud::sort_column(
        q,
        &[("found_at", se::Column::FoundAt), ("grade", se::Column::GradeRank)],
        se::Column::FoundAt,
    );
    let mut q2 = q.clone();
    if q.sort.is_none() {
        q2.order = domain::list::Order::Desc;
    }
    let (rows, total) = list::page(c.conn(), select(scope, q.q.as_deref(), f), &q2, sort, se::Column::Id).await?;
    let items = with_systems(c, rows).await?;
    Ok(Page { items, total, page: q.page, page_size: q.page_size })
}

/// Every event found in `from..to` on any of `systems` (an indicator's or report's scope).
pub async fn found_between(
    c: &impl Conn,
    systems: &[String],
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<SecurityEvent>> {
    let mut ids: Vec<String> = Vec::new();
    for chunk in systems.chunks(crate::IN_CHUNK) {
        let rows = es::Entity::find().filter(es::Column::SystemId.is_in(chunk.to_vec())).all(c.conn()).await?;
        ids.extend(rows.into_iter().map(|r| r.event_id));
    }
    ids.sort();
    ids.dedup();
    let mut rows = Vec::new();
    for chunk in ids.chunks(crate::IN_CHUNK) {
        rows.extend(
            se::Entity::find()
                .filter(se::Column::Id.is_in(chunk.to_vec()))
                .filter(se::Column::FoundAt.gte(from))
                .filter(se::Column::FoundAt.lt(to))
                .all(c.conn())
                .await?,
        );
    }
    rows.sort_by(|a, b| (a.found_at, &a.id).cmp(&(b.found_at, &b.id)));
    with_systems(c, rows).await
}

pub async fn add_entry(tx: &Tx, e: &EventEntry) -> Result<()> {
    en::ActiveModel {
        id: Set(e.id.clone()),
        event_id: Set(e.event_id.clone()),
        at: Set(e.at),
        kind: Set(e.kind.clone()),
        text: Set(e.text.clone()),
        actor_id: Set(e.actor_id.clone()),
        actor_name: Set(e.actor_name.clone()),
        recorded_at: Set(e.recorded_at),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

pub async fn timeline(c: &impl Conn, event_id: &str) -> Result<Vec<EventEntry>> {
    let rows = en::Entity::find()
        .filter(en::Column::EventId.eq(event_id))
        .order_by_asc(en::Column::At)
        .order_by_asc(en::Column::RecordedAt)
        .order_by_asc(en::Column::Id)
        .all(c.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|m| EventEntry {
            id: m.id,
            event_id: m.event_id,
            at: m.at,
            kind: m.kind,
            text: m.text,
            actor_id: m.actor_id,
            actor_name: m.actor_name,
            recorded_at: m.recorded_at,
        })
        .collect())
}

fn file(m: ef::Model) -> EventFile {
    EventFile {
        id: m.id,
        event_id: m.event_id,
        file_name: m.file_name,
        content_type: m.content_type,
        size: m.size,
        sha256: m.sha256,
        uploaded_by_name: m.uploaded_by_name,
        uploaded_at: m.uploaded_at,
    }
}

pub async fn add_file(tx: &Tx, f: &EventFile, by: &str) -> Result<()> {
    ef::ActiveModel {
        id: Set(f.id.clone()),
        event_id: Set(f.event_id.clone()),
        file_name: Set(f.file_name.clone()),
        content_type: Set(f.content_type.clone()),
        size: Set(f.size),
        sha256: Set(f.sha256.clone()),
        uploaded_by: Set(by.to_string()),
        uploaded_by_name: Set(f.uploaded_by_name.clone()),
        uploaded_at: Set(f.uploaded_at),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

pub async fn files(c: &impl Conn, event_id: &str) -> Result<Vec<EventFile>> {
    let rows = ef::Entity::find()
        .filter(ef::Column::EventId.eq(event_id))
        .order_by_asc(ef::Column::UploadedAt)
        .order_by_asc(ef::Column::Id)
        .all(c.conn())
        .await?;
    Ok(rows.into_iter().map(file).collect())
}

pub async fn get_file(c: &impl Conn, event_id: &str, id: &str) -> Result<Option<EventFile>> {
    let m = ef::Entity::find_by_id(id.to_string()).filter(ef::Column::EventId.eq(event_id)).one(c.conn()).await?;
    Ok(m.map(file))
}

/// How many events name a system (a system with any cannot be deleted).
pub async fn count_for_system(c: &impl Conn, system_id: &str) -> Result<u64> {
    crud::refs::<es::Entity>(c, es::Column::SystemId, system_id).await
}
