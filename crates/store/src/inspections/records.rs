//! Inspection records with their results, and the photos taken for a task.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::Scope;
use domain::inspections::record::{Photo, Record, RecordFilter, ResultView};
use domain::inspections::template::ResultType;
use domain::list::{ListQuery, Page};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::entities::{inspection_photos as ph, inspection_records as ir, inspection_results as rs};
use crate::{Conn, Result, Tx, corrupt, list};

fn visible(scope: &Scope) -> Condition {
    crate::scope::by_scope(
        scope,
        |u| Condition::all().add(ir::Column::UnitId.eq(u)),
        |v| crate::scope::col_in(ir::Column::SystemId, crate::scope::vendor_system_ids(v)),
    )
}

/// A result row to write; the item's name, group, expectation and unit are copied so the record
/// reads the same after the template changes.
#[derive(Debug, Clone)]
pub struct NewResult {
    pub item_id: String,
    pub item_name: String,
    pub group: Option<String>,
    pub expected: Option<String>,
    pub result_type: ResultType,
    pub value: Option<String>,
    pub unit: Option<String>,
    pub abnormal: bool,
    pub automatic: bool,
    pub note: Option<String>,
    pub suggestion: Option<String>,
    pub ticket_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewRecord {
    pub task_id: String,
    pub plan_id: String,
    pub system_id: String,
    pub unit_id: String,
    pub template_id: String,
    pub template_name: String,
    pub inspected_on: NaiveDate,
    pub inspected_at: DateTime<Utc>,
    pub inspector: (String, String),
    pub note: Option<String>,
    pub location: Option<(f64, f64, Option<f64>)>,
    /// `early`, `on_time` or `late` against the task's window.
    pub timing: String,
    /// The drawn signature as a PNG data URL.
    pub signature: Option<String>,
}

pub async fn insert_record(tx: &Tx, r: &NewRecord, results: &[NewResult], now: DateTime<Utc>) -> Result<String> {
    let id = crate::new_id();
    ir::ActiveModel {
        id: Set(id.clone()),
        task_id: Set(r.task_id.clone()),
        plan_id: Set(r.plan_id.clone()),
        system_id: Set(r.system_id.clone()),
        unit_id: Set(r.unit_id.clone()),
        template_id: Set(r.template_id.clone()),
        template_name: Set(r.template_name.clone()),
        inspected_on: Set(r.inspected_on),
        inspected_at: Set(r.inspected_at),
        inspector_id: Set(r.inspector.0.clone()),
        inspector_name: Set(r.inspector.1.clone()),
        note: Set(r.note.clone()),
        latitude: Set(r.location.map(|l| l.0)),
        longitude: Set(r.location.map(|l| l.1)),
        accuracy: Set(r.location.and_then(|l| l.2)),
        abnormal_count: Set(results.iter().filter(|x| x.abnormal).count() as i32),
        created_at: Set(now),
        timing: Set(Some(r.timing.clone())),
        signature: Set(r.signature.clone()),
    }
    .insert(tx.conn())
    .await?;
    let rows = results.iter().enumerate().map(|(i, x)| rs::ActiveModel {
        record_id: Set(id.clone()),
        item_id: Set(x.item_id.clone()),
        seq: Set(i as i32),
        item_name: Set(x.item_name.clone()),
        item_group: Set(x.group.clone()),
        expected: Set(x.expected.clone()),
        result_type: Set(x.result_type.as_str().to_string()),
        value: Set(x.value.clone()),
        unit: Set(x.unit.clone()),
        abnormal: Set(x.abnormal),
        automatic: Set(x.automatic),
        note: Set(x.note.clone()),
        suggestion: Set(x.suggestion.clone()),
        ticket_id: Set(x.ticket_id.clone()),
    });
    if !results.is_empty() {
        rs::Entity::insert_many(rows).exec_without_returning(tx.conn()).await?;
    }
    Ok(id)
}

/// Points an abnormal result at the ticket opened for it.
pub async fn link_ticket(tx: &Tx, record_id: &str, item_id: &str, ticket_id: &str) -> Result<()> {
    rs::Entity::update_many()
        .col_expr(rs::Column::TicketId, sea_orm::sea_query::Expr::value(ticket_id))
        .filter(rs::Column::RecordId.eq(record_id))
        .filter(rs::Column::ItemId.eq(item_id))
        .exec(tx.conn())
        .await?;
    Ok(())
}

fn record(m: ir::Model, results: Vec<ResultView>) -> Record {
    Record {
        id: m.id,
        task_id: m.task_id,
        plan_id: m.plan_id,
        system_id: m.system_id,
        unit_id: m.unit_id,
        template_id: m.template_id,
        template_name: m.template_name,
        inspected_on: m.inspected_on,
        inspected_at: m.inspected_at,
        inspector_id: m.inspector_id,
        inspector_name: m.inspector_name,
        note: m.note,
        latitude: m.latitude,
        longitude: m.longitude,
        accuracy: m.accuracy,
        abnormal_count: m.abnormal_count,
        results,
        created_at: m.created_at,
        timing: m.timing,
        signed: m.signature.is_some(),
        // Lists stay light: the drawing comes with one record (`signature`).
        signature: None,
    }
}

/// The drawn signature of a record (a PNG data URL), if it has one.
pub async fn signature(c: &impl Conn, record_id: &str) -> Result<Option<String>> {
    Ok(ir::Entity::find_by_id(record_id.to_string()).one(c.conn()).await?.and_then(|m| m.signature))
}

/// The records' results in item order, with the photos of their tasks; ticket details are the
/// app's to fill (they depend on who is asking).
async fn with_results(c: &impl Conn, rows: Vec<ir::Model>) -> Result<Vec<Record>> {
    let ids: Vec<String> = rows.iter().map(|m| m.id.clone()).collect();
    let tasks: Vec<String> = rows.iter().map(|m| m.task_id.clone()).collect();
    let results = rs::Entity::find()
        .filter(rs::Column::RecordId.is_in(ids))
        .order_by_asc(rs::Column::RecordId)
        .order_by_asc(rs::Column::Seq)
        .all(c.conn())
        .await?;
    let mut photos: HashMap<(String, String), Vec<String>> = HashMap::new();
    for p in ph::Entity::find()
        .filter(ph::Column::TaskId.is_in(tasks))
        .order_by_asc(ph::Column::CreatedAt)
        .all(c.conn())
        .await?
    {
        photos.entry((p.task_id, p.item_id.unwrap_or_default())).or_default().push(p.id);
    }
    let mut by_record: HashMap<String, Vec<ResultView>> = HashMap::new();
    let task_of: HashMap<&str, &str> = rows.iter().map(|m| (m.id.as_str(), m.task_id.as_str())).collect();
    for r in results {
        let task = task_of.get(r.record_id.as_str()).copied().unwrap_or_default().to_string();
        let view = ResultView {
            result_type: ResultType::parse(&r.result_type)
                .ok_or_else(|| corrupt("inspection_results.result_type", &r.record_id))?,
            photo_ids: photos.remove(&(task, r.item_id.clone())).unwrap_or_default(),
            item_id: r.item_id,
            item_name: r.item_name,
            group: r.item_group,
            expected: r.expected,
            value: r.value,
            unit: r.unit,
            abnormal: r.abnormal,
            automatic: r.automatic,
            note: r.note,
            suggestion: r.suggestion,
            ticket_id: r.ticket_id,
            ticket_number: None,
            ticket_status: None,
            handling: None,
            handled_on: None,
        };
        by_record.entry(r.record_id).or_default().push(view);
    }
    Ok(rows
        .into_iter()
        .map(|m| {
            let results = by_record.remove(&m.id).unwrap_or_default();
            record(m, results)
        })
        .collect())
}

pub async fn get_record(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<Record>> {
    let Some(m) = ir::Entity::find_by_id(id.to_string()).filter(visible(scope)).one(c.conn()).await? else {
        return Ok(None);
    };
    Ok(with_results(c, vec![m]).await?.pop())
}

/// Records newest first (or oldest first with `order=asc`, as the 巡检记录表 is printed).
pub async fn list_records(c: &impl Conn, scope: &Scope, q: &ListQuery, f: &RecordFilter) -> Result<Page<Record>> {
    let mut s = ir::Entity::find()
        .filter(visible(scope))
        .filter(list::eq_opt(ir::Column::SystemId, &f.system_id))
        .filter(list::eq_opt(ir::Column::PlanId, &f.plan_id))
        .filter(list::search(&[ir::Column::TemplateName, ir::Column::InspectorName], q.q.as_deref()));
    match f.abnormal {
        Some(true) => s = s.filter(ir::Column::AbnormalCount.gt(0)),
        Some(false) => s = s.filter(ir::Column::AbnormalCount.eq(0)),
        None => {}
    }
    if let Some(from) = f.from {
        s = s.filter(ir::Column::InspectedOn.gte(from));
    }
    if let Some(to) = f.to {
        s = s.filter(ir::Column::InspectedOn.lte(to));
    }
    let total = s.clone().count(c.conn()).await?;
    let order = match q.order {
        domain::list::Order::Asc => sea_orm::Order::Asc,
        domain::list::Order::Desc => sea_orm::Order::Desc,
    };
    let rows = s
        .order_by(ir::Column::InspectedAt, order.clone())
        .order_by(ir::Column::Id, order)
        .offset(q.offset())
        .limit(q.page_size)
        .all(c.conn())
        .await?;
    Ok(Page { items: with_results(c, rows).await?, total, page: q.page, page_size: q.page_size })
}

// ---- photos ----

fn photo(m: ph::Model) -> Photo {
    Photo {
        id: m.id,
        task_id: m.task_id,
        item_id: m.item_id,
        file_name: m.file_name,
        content_type: m.content_type,
        size: m.size,
        uploaded_by: m.uploaded_by,
        created_at: m.created_at,
    }
}

pub async fn insert_photo(tx: &Tx, p: &Photo) -> Result<()> {
    ph::ActiveModel {
        id: Set(p.id.clone()),
        task_id: Set(p.task_id.clone()),
        item_id: Set(p.item_id.clone()),
        file_name: Set(p.file_name.clone()),
        content_type: Set(p.content_type.clone()),
        size: Set(p.size),
        uploaded_by: Set(p.uploaded_by.clone()),
        created_at: Set(p.created_at),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

pub async fn photos(c: &impl Conn, task_id: &str) -> Result<Vec<Photo>> {
    let rows = ph::Entity::find()
        .filter(ph::Column::TaskId.eq(task_id))
        .order_by_asc(ph::Column::CreatedAt)
        .all(c.conn())
        .await?;
    Ok(rows.into_iter().map(photo).collect())
}

pub async fn get_photo(c: &impl Conn, task_id: &str, id: &str) -> Result<Option<Photo>> {
    Ok(ph::Entity::find_by_id(id.to_string()).filter(ph::Column::TaskId.eq(task_id)).one(c.conn()).await?.map(photo))
}

pub async fn delete_photo(tx: &Tx, id: &str) -> Result<()> {
    ph::Entity::delete_by_id(id.to_string()).exec(tx.conn()).await?;
    Ok(())
}
