//! Holiday sets and their dated entries.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::sla::holidays::{CN_CODE, HolidayEntry, HolidayKind, HolidaySetView, covered_until};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entities::{holiday_entries as he, holiday_sets as hs};
use crate::{Conn, IN_CHUNK, Result, StoreError, Tx, corrupt};

/// A set without its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidaySet {
    pub id: String,
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    /// Years an administrator set by hand or by import.
    pub edited_years: Vec<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn set(m: hs::Model) -> HolidaySet {
    HolidaySet {
        edited_years: serde_json::from_str(&m.edited_years).unwrap_or_default(),
        id: m.id,
        code: m.code,
        name: m.name,
        description: m.description,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn entry(m: he::Model) -> Result<HolidayEntry> {
    let kind = HolidayKind::parse(&m.kind).ok_or_else(|| corrupt("holiday_entries.kind", &m.kind))?;
    Ok(HolidayEntry { date: m.date, kind, name: m.name })
}

fn kind_str(k: HolidayKind) -> &'static str {
    match k {
        HolidayKind::Holiday => "holiday",
        HolidayKind::Workday => "workday",
    }
}

pub async fn sets(c: &impl Conn) -> Result<Vec<HolidaySet>> {
    Ok(hs::Entity::find().order_by_asc(hs::Column::Code).all(c.conn()).await?.into_iter().map(set).collect())
}

pub async fn set_by_id(c: &impl Conn, id: &str) -> Result<Option<HolidaySet>> {
    Ok(hs::Entity::find_by_id(id.to_string()).one(c.conn()).await?.map(set))
}

pub async fn sets_by_code(c: &impl Conn, codes: &[String]) -> Result<Vec<HolidaySet>> {
    let mut out = Vec::new();
    for chunk in codes.chunks(IN_CHUNK) {
        out.extend(
            hs::Entity::find()
                .filter(hs::Column::Code.is_in(chunk.iter().cloned()))
                .all(c.conn())
                .await?
                .into_iter()
                .map(set),
        );
    }
    Ok(out)
}

/// The entries of a set, optionally of one year, in date order.
pub async fn entries(c: &impl Conn, set_id: &str, year: Option<i32>) -> Result<Vec<HolidayEntry>> {
    let mut q = he::Entity::find().filter(he::Column::SetId.eq(set_id));
    if let Some(y) = year {
        let (from, to) = year_bounds(y)?;
        q = q.filter(he::Column::Date.gte(from)).filter(he::Column::Date.lte(to));
    }
    q.order_by_asc(he::Column::Date).all(c.conn()).await?.into_iter().map(entry).collect()
}

fn year_bounds(y: i32) -> Result<(NaiveDate, NaiveDate)> {
    match (NaiveDate::from_ymd_opt(y, 1, 1), NaiveDate::from_ymd_opt(y, 12, 31)) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(StoreError::db_msg(format!("year {y} out of range"))),
    }
}

/// The entries of the sets with these codes, and how far each set reaches.
pub async fn for_codes(c: &impl Conn, codes: &[String]) -> Result<(Vec<HolidayEntry>, Vec<Option<NaiveDate>>)> {
    let mut all = Vec::new();
    let mut reach = Vec::new();
    for s in sets_by_code(c, codes).await? {
        let e = entries(c, &s.id, None).await?;
        reach.push(covered_until(&e));
        all.extend(e);
    }
    // A code that names no set reaches nowhere.
    reach.extend(std::iter::repeat_n(None, codes.len().saturating_sub(reach.len())));
    Ok((all, reach))
}

pub async fn view(c: &impl Conn, s: &HolidaySet) -> Result<HolidaySetView> {
    let e = entries(c, &s.id, None).await?;
    Ok(HolidaySetView {
        id: s.id.clone(),
        code: s.code.clone(),
        name: s.name.clone(),
        description: s.description.clone(),
        builtin: s.code == CN_CODE,
        years: domain::sla::holidays::years(&e),
        covered_until: covered_until(&e),
        entries: e.len() as u64,
    })
}

pub async fn insert_set(
    tx: &Tx,
    code: &str,
    name: &str,
    description: Option<&str>,
    now: DateTime<Utc>,
) -> Result<HolidaySet> {
    let m = hs::ActiveModel {
        id: Set(crate::new_id()),
        code: Set(code.to_string()),
        name: Set(name.to_string()),
        description: Set(description.map(str::to_string)),
        edited_years: Set("[]".to_string()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(tx.conn())
    .await?;
    Ok(set(m))
}

pub async fn update_set(
    tx: &Tx,
    id: &str,
    name: &str,
    description: Option<&str>,
    now: DateTime<Utc>,
) -> Result<HolidaySet> {
    let m = hs::Entity::find_by_id(id.to_string()).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
    let mut a: hs::ActiveModel = m.into();
    a.name = Set(name.to_string());
    a.description = Set(description.map(str::to_string));
    a.updated_at = Set(now);
    Ok(set(a.update(tx.conn()).await?))
}

pub async fn delete_set(tx: &Tx, id: &str) -> Result<()> {
    let r = hs::Entity::delete_by_id(id.to_string()).exec(tx.conn()).await?;
    if r.rows_affected == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Replaces the entries of a set from `from` to `to` (inclusive) with `entries`; returns what
/// was there before, for the audit trail. With `edited`, the years the span touches are recorded
/// as an administrator's, so shipped data never refills them.
pub async fn replace_span(
    tx: &Tx,
    set_id: &str,
    from: NaiveDate,
    to: NaiveDate,
    entries: &[HolidayEntry],
    edited: bool,
    now: DateTime<Utc>,
) -> Result<Vec<HolidayEntry>> {
    let before: Vec<HolidayEntry> = he::Entity::find()
        .filter(he::Column::SetId.eq(set_id))
        .filter(he::Column::Date.gte(from))
        .filter(he::Column::Date.lte(to))
        .order_by_asc(he::Column::Date)
        .all(tx.conn())
        .await?
        .into_iter()
        .map(entry)
        .collect::<Result<_>>()?;
    he::Entity::delete_many()
        .filter(he::Column::SetId.eq(set_id))
        .filter(he::Column::Date.gte(from))
        .filter(he::Column::Date.lte(to))
        .exec(tx.conn())
        .await?;
    for chunk in entries.chunks(500) {
        let rows = chunk.iter().map(|e| he::ActiveModel {
            set_id: Set(set_id.to_string()),
            date: Set(e.date),
            kind: Set(kind_str(e.kind).to_string()),
            name: Set(e.name.clone()),
        });
        he::Entity::insert_many(rows).exec_without_returning(tx.conn()).await?;
    }
    let m = hs::Entity::find_by_id(set_id.to_string()).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
    let mut years: Vec<i32> = serde_json::from_str(&m.edited_years).unwrap_or_default();
    if edited {
        years.extend(from.year()..=to.year());
        years.sort_unstable();
        years.dedup();
    }
    let mut a: hs::ActiveModel = m.into();
    a.edited_years = Set(serde_json::to_string(&years).map_err(|e| StoreError::db("encoding edited years", e))?);
    a.updated_at = Set(now);
    a.update(tx.conn()).await?;
    Ok(before)
}

/// The whole of year `y`.
pub fn year_span(y: i32) -> Result<(NaiveDate, NaiveDate)> {
    year_bounds(y)
}

/// The years a set has any entry for.
pub async fn years(c: &impl Conn, set_id: &str) -> Result<Vec<i32>> {
    let e = entries(c, set_id, None).await?;
    let mut y: Vec<i32> = e.iter().map(|x| x.date.year()).collect();
    y.dedup();
    Ok(y)
}
