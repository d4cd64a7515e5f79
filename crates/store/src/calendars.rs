//! Working calendars. The definition is kept as JSON columns in the shape the API uses and is
//! validated again when read, so stored data can never bypass the rules.

use chrono::{DateTime, Utc};
use domain::list::{ListQuery, Page};
use domain::sla::calendar::{CalendarInput, CalendarSpec, OverrideView, StoredCalendar};
use domain::sla::hours::WeeklyInput;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

use crate::entities::{calendars, sla_policy_versions};
use crate::{Conn, Result, StoreError, Tx, corrupt, list};

fn to_domain(m: calendars::Model) -> Result<StoredCalendar> {
    let weekly: WeeklyInput = serde_json::from_str(&m.weekly).map_err(|_| corrupt("calendars.weekly", &m.weekly))?;
    let holiday_sets: Vec<String> =
        serde_json::from_str(&m.holiday_sets).map_err(|_| corrupt("calendars.holiday_sets", &m.holiday_sets))?;
    let overrides: Vec<OverrideView> =
        serde_json::from_str(&m.overrides).map_err(|_| corrupt("calendars.overrides", &m.overrides))?;
    let input = CalendarInput {
        name: Some(m.name.clone()),
        time_zone: Some(m.time_zone.clone()),
        weekly: Some(weekly),
        holiday_sets,
        overrides: overrides.iter().map(OverrideView::input).collect(),
        description: m.description.clone(),
    };
    let spec = input.validate().map_err(|_| corrupt("calendars", &m.id))?;
    Ok(StoredCalendar { id: m.id, spec, preset: m.preset, created_at: m.created_at, updated_at: m.updated_at })
}

fn columns(a: &mut calendars::ActiveModel, spec: &CalendarSpec) -> Result<()> {
    let input = spec.input();
    let json = |v: serde_json::Result<String>| v.map_err(|e| StoreError::db("encoding a calendar", e));
    a.name = Set(spec.name.clone());
    a.time_zone = Set(spec.time_zone.clone());
    a.weekly = Set(json(serde_json::to_string(&input.weekly.unwrap_or_default()))?);
    a.holiday_sets = Set(json(serde_json::to_string(&spec.holiday_sets))?);
    let overrides: Vec<OverrideView> = spec.overrides.iter().map(|o| o.view()).collect();
    a.overrides = Set(json(serde_json::to_string(&overrides))?);
    a.description = Set(spec.description.clone());
    Ok(())
}

pub async fn list(c: &impl Conn, q: &ListQuery) -> Result<Page<StoredCalendar>> {
    let select = calendars::Entity::find().filter(list::search(&[calendars::Column::Name], q.q.as_deref()));
    let sort = match q.sort.as_deref() {
        Some("created_at") => calendars::Column::CreatedAt,
        Some("updated_at") => calendars::Column::UpdatedAt,
        _ => calendars::Column::Name,
    };
    let (rows, total) = list::page(c.conn(), select, q, sort, calendars::Column::Id).await?;
    let items = rows.into_iter().map(to_domain).collect::<Result<Vec<_>>>()?;
    Ok(Page { items, total, page: q.page, page_size: q.page_size })
}

pub async fn get(c: &impl Conn, id: &str) -> Result<Option<StoredCalendar>> {
    calendars::Entity::find_by_id(id.to_string()).one(c.conn()).await?.map(to_domain).transpose()
}

/// Inserts a calendar; presets come with their fixed id.
pub async fn insert(
    tx: &Tx,
    id: Option<&str>,
    spec: &CalendarSpec,
    preset: bool,
    now: DateTime<Utc>,
) -> Result<StoredCalendar> {
    let mut a = calendars::ActiveModel {
        id: Set(id.map_or_else(crate::new_id, str::to_string)),
        preset: Set(preset),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    columns(&mut a, spec)?;
    to_domain(a.insert(tx.conn()).await?)
}

pub async fn update(tx: &Tx, id: &str, spec: &CalendarSpec, now: DateTime<Utc>) -> Result<StoredCalendar> {
    let m = calendars::Entity::find_by_id(id.to_string()).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
    let mut a: calendars::ActiveModel = m.into();
    columns(&mut a, spec)?;
    a.updated_at = Set(now);
    to_domain(a.update(tx.conn()).await?)
}

pub async fn delete(tx: &Tx, id: &str) -> Result<()> {
    let r = calendars::Entity::delete_by_id(id.to_string()).exec(tx.conn()).await?;
    if r.rows_affected == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Policy versions, old ones included, that name the calendar.
pub async fn policies_using(c: &impl Conn, id: &str) -> Result<u64> {
    Ok(sla_policy_versions::Entity::find()
        .filter(sla_policy_versions::Column::CalendarId.eq(id))
        .count(c.conn())
        .await?)
}
