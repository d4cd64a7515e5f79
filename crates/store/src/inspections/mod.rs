//! Inspections: checklist templates (shared, like calendars), plans scoped by their system, and
//! the tasks, records and photos in `tasks.rs` and `records.rs`.

use chrono::{DateTime, NaiveDate, Utc};
use domain::Scope;
use domain::inspections::builtin::Builtin;
use domain::inspections::plan::{Plan, PlanFilter, PlanSpec, hhmm};
use domain::inspections::recurrence::{HolidayRule, Recurrence};
use domain::inspections::template::{Template, TemplateKind, TemplateSpec};
use domain::list::{ListQuery, Page};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};

use crate::entities::{inspection_plans as ip, inspection_templates as it};
use crate::{Conn, Result, Tx, corrupt, list};

mod records;
mod tasks;
pub use records::*;
pub use tasks::*;

fn template(m: it::Model) -> Result<Template> {
    Ok(Template {
        kind: TemplateKind::parse(&m.kind).ok_or_else(|| corrupt("inspection_templates.kind", &m.id))?,
        items: serde_json::from_str(&m.items).map_err(|_| corrupt("inspection_templates.items", &m.id))?,
        id: m.id,
        name: m.name,
        description: m.description,
        builtin: m.builtin,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn items_json(spec_items: &impl serde::Serialize) -> String {
    serde_json::to_string(spec_items).unwrap_or_else(|_| "[]".into())
}

/// Writes a shipped template as the code defines it (new releases may refine the wording).
pub async fn upsert_builtin(tx: &Tx, b: &Builtin, now: DateTime<Utc>) -> Result<()> {
    let items = items_json(&b.items());
    match it::Entity::find_by_id(b.id).one(tx.conn()).await? {
        Some(m) if m.name == b.name && m.items == items && m.description.as_deref() == Some(b.description) => {}
        Some(m) => {
            let mut a: it::ActiveModel = m.into();
            a.name = Set(b.name.to_string());
            a.kind = Set(b.kind.as_str().to_string());
            a.description = Set(Some(b.description.to_string()));
            a.items = Set(items);
            a.updated_at = Set(now);
            a.update(tx.conn()).await?;
        }
        None => {
            it::ActiveModel {
                id: Set(b.id.to_string()),
                name: Set(b.name.to_string()),
                kind: Set(b.kind.as_str().to_string()),
                description: Set(Some(b.description.to_string())),
                builtin: Set(true),
                items: Set(items),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(tx.conn())
            .await?;
        }
    }
    Ok(())
}

pub async fn list_templates(c: &impl Conn, q: &ListQuery, kind: Option<TemplateKind>) -> Result<Page<Template>> {
    let s = it::Entity::find()
        .filter(list::eq_opt(it::Column::Kind, &kind.map(|k| k.as_str().to_string())))
        .filter(list::search(&[it::Column::Name], q.q.as_deref()));
    let total = s.clone().count(c.conn()).await?;
    // Built-in checklists first unless the caller sorts by name.
    let s = if q.sort.is_none() { s.order_by_desc(it::Column::Builtin) } else { s };
    let dir = list::direction(q, domain::list::Order::Asc);
    let rows = s
        .order_by(it::Column::Name, dir.clone())
        .order_by(it::Column::Id, dir)
        .paginate(c.conn(), q.page_size)
        .fetch_page(q.page.saturating_sub(1))
        .await?;
    let items = rows.into_iter().map(template).collect::<Result<Vec<_>>>()?;
    Ok(Page { items, total, page: q.page, page_size: q.page_size })
}

pub async fn get_template(c: &impl Conn, id: &str) -> Result<Option<Template>> {
    it::Entity::find_by_id(id.to_string()).one(c.conn()).await?.map(template).transpose()
}

pub async fn insert_template(tx: &Tx, spec: &TemplateSpec, now: DateTime<Utc>) -> Result<Template> {
    let m = it::ActiveModel {
        id: Set(crate::new_id()),
        name: Set(spec.name.clone()),
        kind: Set(spec.kind.as_str().to_string()),
        description: Set(spec.description.clone()),
        builtin: Set(false),
        items: Set(items_json(&spec.items)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(tx.conn())
    .await?;
    template(m)
}

pub async fn update_template(tx: &Tx, id: &str, spec: &TemplateSpec, now: DateTime<Utc>) -> Result<Template> {
    let a = it::ActiveModel {
        id: Set(id.to_string()),
        name: Set(spec.name.clone()),
        kind: Set(spec.kind.as_str().to_string()),
        description: Set(spec.description.clone()),
        items: Set(items_json(&spec.items)),
        updated_at: Set(now),
        ..Default::default()
    };
    template(a.update(tx.conn()).await?)
}

pub async fn delete_template(tx: &Tx, id: &str) -> Result<()> {
    it::Entity::delete_by_id(id.to_string()).exec(tx.conn()).await?;
    Ok(())
}

pub async fn plans_using_template(c: &impl Conn, id: &str) -> Result<u64> {
    Ok(ip::Entity::find().filter(ip::Column::TemplateId.eq(id)).count(c.conn()).await?)
}

// ---- plans ----

fn plan_visible(scope: &Scope) -> Condition {
    crate::scope::by_scope(
        scope,
        |u| Condition::all().add(ip::Column::UnitId.eq(u)),
        |v| crate::scope::col_in(ip::Column::SystemId, crate::scope::vendor_system_ids(v)),
    )
}

fn plan(m: ip::Model) -> Result<Plan> {
    let bad = |what: &str| corrupt(what, &m.id);
    let recurrence: serde_json::Value =
        serde_json::from_str(&m.recurrence).map_err(|_| bad("inspection_plans.recurrence"))?;
    let parsed = Recurrence::parse(&recurrence).map_err(|_| bad("inspection_plans.recurrence"))?;
    Ok(Plan {
        recurrence_text: parsed.describe().zh,
        recurrence,
        holiday_rule: HolidayRule::parse(&m.holiday_rule).ok_or_else(|| bad("inspection_plans.holiday_rule"))?,
        assignee_role: m.assignee_role.as_deref().and_then(domain::Role::parse),
        window_start: hhmm(m.window_start as u32),
        window_end: hhmm(m.window_end as u32),
        id: m.id,
        name: m.name,
        system_id: m.system_id,
        unit_id: m.unit_id,
        asset_id: m.asset_id,
        template_id: m.template_id,
        calendar_id: m.calendar_id,
        assignee_id: m.assignee_id,
        start_date: m.start_date,
        end_date: m.end_date,
        active: m.active,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// What the app resolved around a validated plan: its name, owner unit, calendar and dates.
pub struct PlanRow<'a> {
    pub spec: &'a PlanSpec,
    pub name: String,
    pub unit_id: String,
    pub calendar_id: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
}

fn plan_active(r: &PlanRow<'_>) -> ip::ActiveModel {
    let s = r.spec;
    ip::ActiveModel {
        name: Set(r.name.clone()),
        system_id: Set(s.system_id.clone()),
        unit_id: Set(r.unit_id.clone()),
        asset_id: Set(s.asset_id.clone()),
        template_id: Set(s.template_id.clone()),
        recurrence: Set(s.recurrence.to_json().to_string()),
        calendar_id: Set(r.calendar_id.clone()),
        holiday_rule: Set(s.holiday_rule.as_str().to_string()),
        assignee_id: Set(s.assignee_id.clone()),
        assignee_role: Set(s.assignee_role.map(|x| x.as_str().to_string())),
        window_start: Set(s.window.0 as i32),
        window_end: Set(s.window.1 as i32),
        start_date: Set(r.start_date),
        end_date: Set(r.end_date),
        active: Set(s.active),
        // Changed plans are regenerated from scratch by the job and the use case.
        generated_until: Set(None),
        ..Default::default()
    }
}

pub async fn insert_plan(tx: &Tx, r: &PlanRow<'_>, now: DateTime<Utc>) -> Result<Plan> {
    let mut a = plan_active(r);
    a.id = Set(crate::new_id());
    a.created_at = Set(now);
    a.updated_at = Set(now);
    plan(a.insert(tx.conn()).await?)
}

pub async fn update_plan(tx: &Tx, id: &str, r: &PlanRow<'_>, now: DateTime<Utc>) -> Result<Plan> {
    let mut a = plan_active(r);
    a.id = Set(id.to_string());
    a.updated_at = Set(now);
    plan(a.update(tx.conn()).await?)
}

pub async fn get_plan(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<Plan>> {
    ip::Entity::find_by_id(id.to_string()).filter(plan_visible(scope)).one(c.conn()).await?.map(plan).transpose()
}

pub async fn list_plans(c: &impl Conn, scope: &Scope, q: &ListQuery, f: &PlanFilter) -> Result<Page<Plan>> {
    let s = ip::Entity::find()
        .filter(plan_visible(scope))
        .filter(list::eq_opt(ip::Column::SystemId, &f.system_id))
        .filter(list::eq_opt(ip::Column::TemplateId, &f.template_id))
        .filter(list::eq_opt(ip::Column::Active, &f.active))
        .filter(list::search(&[ip::Column::Name], q.q.as_deref()));
    let total = s.clone().count(c.conn()).await?;
    let dir = list::direction(q, domain::list::Order::Asc);
    let rows = s
        .order_by(ip::Column::Name, dir.clone())
        .order_by(ip::Column::Id, dir)
        .paginate(c.conn(), q.page_size)
        .fetch_page(q.page.saturating_sub(1))
        .await?;
    let items = rows.into_iter().map(plan).collect::<Result<Vec<_>>>()?;
    Ok(Page { items, total, page: q.page, page_size: q.page_size })
}

pub async fn delete_plan(tx: &Tx, id: &str) -> Result<()> {
    ip::Entity::delete_by_id(id.to_string()).exec(tx.conn()).await?;
    Ok(())
}

/// Active plans whose tasks are not yet generated up to `until` (the job's work list).
pub async fn plans_behind(c: &impl Conn, until: NaiveDate, limit: u64) -> Result<Vec<Plan>> {
    use sea_orm::QuerySelect;
    let rows = ip::Entity::find()
        .filter(ip::Column::Active.eq(true))
        .filter(Condition::any().add(ip::Column::GeneratedUntil.is_null()).add(ip::Column::GeneratedUntil.lt(until)))
        .order_by_asc(ip::Column::Id)
        .limit(limit)
        .all(c.conn())
        .await?;
    rows.into_iter().map(plan).collect()
}

pub async fn set_generated_until(tx: &Tx, id: &str, until: NaiveDate) -> Result<()> {
    ip::Entity::update_many()
        .col_expr(ip::Column::GeneratedUntil, sea_orm::sea_query::Expr::value(until))
        .filter(ip::Column::Id.eq(id))
        .exec(tx.conn())
        .await?;
    Ok(())
}

/// Plans on a calendar, for regenerating their future tasks when the calendar changes.
pub async fn mark_plans_on_calendar(tx: &Tx, calendar_id: &str) -> Result<u64> {
    let r = ip::Entity::update_many()
        .col_expr(ip::Column::GeneratedUntil, sea_orm::sea_query::Expr::value(Option::<NaiveDate>::None))
        .filter(ip::Column::CalendarId.eq(calendar_id))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected)
}
