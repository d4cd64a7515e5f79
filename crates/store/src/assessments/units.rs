//! The units' points for the criteria they score: rows made with the draft, one per criterion
//! and unit (unique), each later given points by the unit (or by the bureau for it).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entities::{assessment_unit_scores as us, assessments as a, systems, units};
use crate::{Conn, IN_CHUNK, Result, Tx};

/// One unit's row for one criterion, with the unit's name.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitScoreRow {
    pub criterion_key: String,
    pub unit_id: String,
    pub unit_name: String,
    pub systems: u32,
    pub points: Option<f64>,
    pub reason: Option<String>,
    pub scored_by: Option<String>,
    pub scored_by_name: Option<String>,
    pub scored_at: Option<DateTime<Utc>>,
}

/// The units owning `system_ids`, each with how many of them it owns, by unit id.
pub async fn units_of_systems(c: &impl Conn, system_ids: &[String]) -> Result<Vec<(String, u32)>> {
    let mut out: Vec<(String, u32)> = Vec::new();
    for chunk in system_ids.chunks(IN_CHUNK) {
        let rows: Vec<(String, i64)> = systems::Entity::find()
            .select_only()
            .column(systems::Column::UnitId)
            .column_as(systems::Column::Id.count(), "n")
            .filter(systems::Column::Id.is_in(chunk.iter().cloned()))
            .group_by(systems::Column::UnitId)
            .into_tuple()
            .all(c.conn())
            .await?;
        for (unit, n) in rows {
            let n = u32::try_from(n).unwrap_or(0);
            match out.iter_mut().find(|(u, _)| *u == unit) {
                Some((_, m)) => *m += n,
                None => out.push((unit, n)),
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The rows of a new draft: `(criterion key, unit id, systems)`.
pub async fn insert(tx: &Tx, assessment_id: &str, rows: &[(String, String, u32)]) -> Result<()> {
    // 11 columns a row.
    for chunk in rows.chunks(IN_CHUNK / 2) {
        let models = chunk.iter().map(|(key, unit, n)| us::ActiveModel {
            id: Set(crate::new_id()),
            assessment_id: Set(assessment_id.to_string()),
            criterion_key: Set(key.clone()),
            unit_id: Set(unit.clone()),
            systems: Set(i32::try_from(*n).unwrap_or(i32::MAX)),
            points: Set(None),
            reason: Set(None),
            scored_by: Set(None),
            scored_by_name: Set(None),
            scored_at: Set(None),
        });
        us::Entity::insert_many(models).exec_without_returning(tx.conn()).await?;
    }
    Ok(())
}

/// The rows of an assessment (of one unit, if given), by criterion and unit name.
pub async fn of_assessment(c: &impl Conn, assessment_id: &str, unit_id: Option<&str>) -> Result<Vec<UnitScoreRow>> {
    let mut q = us::Entity::find().filter(us::Column::AssessmentId.eq(assessment_id));
    if let Some(u) = unit_id {
        q = q.filter(us::Column::UnitId.eq(u));
    }
    let rows = q.order_by_asc(us::Column::CriterionKey).order_by_asc(us::Column::UnitId).all(c.conn()).await?;
    named(c, rows).await
}

async fn named(c: &impl Conn, rows: Vec<us::Model>) -> Result<Vec<UnitScoreRow>> {
    let mut ids: Vec<String> = rows.iter().map(|r| r.unit_id.clone()).collect();
    ids.sort();
    ids.dedup();
    let mut names = std::collections::HashMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let found: Vec<(String, String)> = units::Entity::find()
            .select_only()
            .column(units::Column::Id)
            .column(units::Column::Name)
            .filter(units::Column::Id.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(c.conn())
            .await?;
        names.extend(found);
    }
    let mut out: Vec<UnitScoreRow> = rows
        .into_iter()
        .map(|m| UnitScoreRow {
            unit_name: names.get(&m.unit_id).cloned().unwrap_or_default(),
            criterion_key: m.criterion_key,
            unit_id: m.unit_id,
            systems: u32::try_from(m.systems).unwrap_or(0),
            points: m.points,
            reason: m.reason,
            scored_by: m.scored_by,
            scored_by_name: m.scored_by_name,
            scored_at: m.scored_at,
        })
        .collect();
    out.sort_by(|a, b| a.criterion_key.cmp(&b.criterion_key).then_with(|| a.unit_name.cmp(&b.unit_name)));
    Ok(out)
}

/// The assessments in one of `statuses` that `unit_id` scores in (any unit's when none), newest
/// period first, at most `limit`; each with the units that score in it (only `unit_id`, if
/// given).
pub async fn assignments(
    c: &impl Conn,
    unit_id: Option<&str>,
    statuses: &[domain::assessments::AssessmentStatus],
    limit: u64,
) -> Result<Vec<(String, Vec<String>)>> {
    let mut scoring = Query::select().column(us::Column::AssessmentId).from(us::Entity).to_owned();
    if let Some(u) = unit_id {
        scoring.and_where(Expr::col(us::Column::UnitId).eq(u));
    }
    let ids: Vec<String> = a::Entity::find()
        .select_only()
        .column(a::Column::Id)
        .filter(a::Column::Status.is_in(statuses.iter().map(|s| s.as_str())))
        .filter(a::Column::Id.in_subquery(scoring))
        .order_by_desc(a::Column::PeriodTo)
        .order_by_asc(a::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(c.conn())
        .await?;
    let mut q = us::Entity::find()
        .select_only()
        .column(us::Column::AssessmentId)
        .column(us::Column::UnitId)
        .distinct()
        .filter(us::Column::AssessmentId.is_in(ids.iter().cloned()));
    if let Some(u) = unit_id {
        q = q.filter(us::Column::UnitId.eq(u));
    }
    let pairs: Vec<(String, String)> = q.into_tuple().all(c.conn()).await?;
    Ok(ids
        .into_iter()
        .map(|id| {
            let mut of: Vec<String> = pairs.iter().filter(|(a, _)| *a == id).map(|(_, u)| u.clone()).collect();
            of.sort();
            (id, of)
        })
        .collect())
}

/// A unit's points (or, with none, their withdrawal) for a criterion; false when the unit
/// does not score it.
#[allow(clippy::too_many_arguments)]
pub async fn set_points(
    tx: &Tx,
    assessment_id: &str,
    key: &str,
    unit_id: &str,
    points: Option<f64>,
    reason: Option<&str>,
    by: (&str, &str),
    now: DateTime<Utc>,
) -> Result<bool> {
    let scored = points.is_some();
    let r = us::Entity::update_many()
        .col_expr(us::Column::Points, Expr::value(points))
        .col_expr(us::Column::Reason, Expr::value(reason.map(str::to_string)))
        .col_expr(us::Column::ScoredBy, Expr::value(scored.then(|| by.0.to_string())))
        .col_expr(us::Column::ScoredByName, Expr::value(scored.then(|| by.1.chars().take(200).collect::<String>())))
        .col_expr(us::Column::ScoredAt, Expr::value(scored.then_some(now)))
        .filter(us::Column::AssessmentId.eq(assessment_id))
        .filter(us::Column::CriterionKey.eq(key))
        .filter(us::Column::UnitId.eq(unit_id))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}
