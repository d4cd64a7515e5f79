//! Assessments (考核) of a contract over a period: the row with the template frozen in it, one
//! row per criterion, the deductions and the history. Status moves by guarded updates (`… WHERE
//! status IN (…)`), so two people acting at once cannot publish a draft twice or change points
//! after it was published.

pub mod facts;
pub mod templates;
pub mod units;

use chrono::{DateTime, NaiveDate, Utc};
use domain::Scope;
use domain::assessments::{AssessmentFilter, AssessmentStatus, Deduction, DeductionStatus, HistoryEntry, TemplateSpec};
use domain::list::{ListQuery, Page};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entities::{
    assessment_criteria as ac, assessment_deductions as ad, assessment_history as ah, assessments as a,
};
use crate::scope::{by_scope, col_in, unit_contract_ids};
use crate::{Conn, IN_CHUNK, Result, StoreError, Tx, list};

/// An assessment as stored (the app computes the score from its criteria).
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentRow {
    pub id: String,
    pub contract_id: String,
    pub vendor_id: String,
    pub template_id: String,
    pub template_key: String,
    pub template_name: String,
    pub spec: TemplateSpec,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub status: AssessmentStatus,
    pub vetoed: bool,
    pub veto_reason: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub appeal_until: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub finalized_at: Option<DateTime<Utc>>,
    /// What was fixed at finalization (score, grade, payment), as the app wrote it.
    pub final_result: Option<serde_json::Value>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// One criterion as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionRow {
    pub id: String,
    pub key: String,
    pub position: i32,
    pub auto_points: Option<f64>,
    pub hand_points: Option<f64>,
    pub reason: Option<String>,
    pub evidence: serde_json::Value,
}

/// The deductions of one criterion with one status: how many and their points.
#[derive(Debug, Clone, PartialEq)]
pub struct DeductionSum {
    pub criterion_key: String,
    pub status: DeductionStatus,
    pub count: u64,
    pub points: f64,
}

/// Drafts are the bureau's; the vendor sees its own contracts' assessments once published, a
/// unit those of the contracts covering its systems.
fn visible(scope: &Scope) -> Condition {
    let shown = a::Column::Status.ne(AssessmentStatus::Draft.as_str());
    by_scope(
        scope,
        |u| col_in(a::Column::ContractId, unit_contract_ids(u)).add(shown.clone()),
        |v| Condition::all().add(a::Column::VendorId.eq(v)).add(shown.clone()),
    )
}

fn corrupt(what: &str, id: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what} {id}: {e}"))
}

fn row(m: a::Model) -> Result<AssessmentRow> {
    let spec = serde_json::from_str(&m.spec).map_err(|e| corrupt("assessment", &m.id, e))?;
    let status = AssessmentStatus::parse(&m.status).ok_or_else(|| corrupt("assessment", &m.id, "status"))?;
    let final_result = match &m.final_result {
        Some(s) => Some(serde_json::from_str(s).map_err(|e| corrupt("assessment", &m.id, e))?),
        None => None,
    };
    Ok(AssessmentRow {
        id: m.id,
        contract_id: m.contract_id,
        vendor_id: m.vendor_id,
        template_id: m.template_id,
        template_key: m.template_key,
        template_name: m.template_name,
        spec,
        from: m.period_from,
        to: m.period_to,
        status,
        vetoed: m.vetoed,
        veto_reason: m.veto_reason,
        published_at: m.published_at,
        appeal_until: m.appeal_until,
        acknowledged_at: m.acknowledged_at,
        finalized_at: m.finalized_at,
        final_result,
        created_by: m.created_by,
        created_at: m.created_at,
    })
}

fn deduction(m: ad::Model) -> Result<Deduction> {
    let status = DeductionStatus::parse(&m.status).ok_or_else(|| corrupt("deduction", &m.id, "status"))?;
    Ok(Deduction {
        id: m.id,
        assessment_id: m.assessment_id,
        criterion_key: m.criterion_key,
        source: m.source,
        subject_type: m.subject_type,
        subject_id: m.subject_id,
        subject_part: m.subject_part,
        title: m.title,
        points: m.points,
        status,
        note: m.note,
        decided_by: m.decided_by,
        decided_at: m.decided_at,
        created_at: m.created_at,
    })
}

fn text(v: &serde_json::Value) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// A new assessment with its criteria and the deductions facts proposed. A second draft of the
/// same contract, template and period is a unique-key conflict.
pub async fn insert(tx: &Tx, r: &AssessmentRow, criteria: &[CriterionRow], deductions: &[Deduction]) -> Result<()> {
    let spec = serde_json::to_string(&r.spec).map_err(|e| StoreError::db("assessment", e))?;
    a::ActiveModel {
        id: Set(r.id.clone()),
        contract_id: Set(r.contract_id.clone()),
        vendor_id: Set(r.vendor_id.clone()),
        template_id: Set(r.template_id.clone()),
        template_key: Set(r.template_key.clone()),
        template_name: Set(r.template_name.clone()),
        spec: Set(spec),
        period_from: Set(r.from),
        period_to: Set(r.to),
        status: Set(r.status.as_str().to_string()),
        vetoed: Set(r.vetoed),
        veto_reason: Set(r.veto_reason.clone()),
        published_at: Set(None),
        appeal_until: Set(None),
        acknowledged_at: Set(None),
        finalized_at: Set(None),
        final_result: Set(None),
        created_by: Set(r.created_by.clone()),
        created_at: Set(r.created_at),
        updated_at: Set(r.created_at),
    }
    .insert(tx.conn())
    .await?;
    let rows = criteria.iter().map(|c| ac::ActiveModel {
        id: Set(c.id.clone()),
        assessment_id: Set(r.id.clone()),
        key: Set(c.key.clone()),
        position: Set(c.position),
        auto_points: Set(c.auto_points),
        hand_points: Set(c.hand_points),
        reason: Set(c.reason.clone()),
        evidence: Set(text(&c.evidence)),
        updated_by: Set(None),
        updated_at: Set(r.created_at),
    });
    ac::Entity::insert_many(rows).exec_without_returning(tx.conn()).await?;
    // 15 columns a row: a chunk stays far below PostgreSQL's 65 535 parameters.
    for chunk in deductions.chunks(IN_CHUNK / 2) {
        ad::Entity::insert_many(chunk.iter().map(new_deduction)).exec_without_returning(tx.conn()).await?;
    }
    Ok(())
}

fn new_deduction(d: &Deduction) -> ad::ActiveModel {
    ad::ActiveModel {
        id: Set(d.id.clone()),
        assessment_id: Set(d.assessment_id.clone()),
        criterion_key: Set(d.criterion_key.clone()),
        source: Set(d.source.clone()),
        subject_type: Set(d.subject_type.clone()),
        subject_id: Set(d.subject_id.clone()),
        subject_part: Set(d.subject_part.clone()),
        title: Set(d.title.chars().take(500).collect()),
        points: Set(d.points),
        status: Set(d.status.as_str().to_string()),
        note: Set(d.note.clone()),
        decided_by: Set(d.decided_by.clone()),
        decided_at: Set(d.decided_at),
        created_at: Set(d.created_at),
    }
}

pub async fn get(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<AssessmentRow>> {
    crate::crud::get::<a::Entity>(c, visible(scope), id).await?.map(row).transpose()
}

pub async fn list(c: &impl Conn, scope: &Scope, q: &ListQuery, f: &AssessmentFilter) -> Result<Page<AssessmentRow>> {
    let select = a::Entity::find()
        .filter(visible(scope))
        .filter(list::eq_opt(a::Column::ContractId, &f.contract_id))
        .filter(list::eq_opt(a::Column::Status, &f.status.map(|s| s.as_str().to_string())))
        .filter(list::search(&[a::Column::TemplateName], q.q.as_deref()));
    let sort = crate::crud::sort_column(
        q,
        &[("to", a::Column::PeriodTo), ("from", a::Column::PeriodFrom)],
        a::Column::PeriodTo,
    );
    crate::crud::page(c, select, q, sort, a::Column::Id, row).await
}

/// The criteria in the template's order.
pub async fn criteria(c: &impl Conn, assessment_id: &str) -> Result<Vec<CriterionRow>> {
    ac::Entity::find()
        .filter(ac::Column::AssessmentId.eq(assessment_id))
        .order_by_asc(ac::Column::Position)
        .all(c.conn())
        .await?
        .into_iter()
        .map(|m| {
            let evidence = serde_json::from_str(&m.evidence).map_err(|e| corrupt("criterion", &m.id, e))?;
            Ok(CriterionRow {
                id: m.id,
                key: m.key,
                position: m.position,
                auto_points: m.auto_points,
                hand_points: m.hand_points,
                reason: m.reason,
                evidence,
            })
        })
        .collect()
}

/// How many deductions of each criterion stand how, and their points: one grouped query.
pub async fn deduction_sums(c: &impl Conn, assessment_id: &str) -> Result<Vec<DeductionSum>> {
    let rows: Vec<(String, String, i64, Option<f64>)> = ad::Entity::find()
        .select_only()
        .column(ad::Column::CriterionKey)
        .column(ad::Column::Status)
        .column_as(Expr::col(ad::Column::Id).count(), "n")
        .column_as(Expr::col(ad::Column::Points).sum(), "points")
        .filter(ad::Column::AssessmentId.eq(assessment_id))
        .group_by(ad::Column::CriterionKey)
        .group_by(ad::Column::Status)
        .into_tuple()
        .all(c.conn())
        .await?;
    rows.into_iter()
        .map(|(key, status, n, points)| {
            let status = DeductionStatus::parse(&status).ok_or_else(|| corrupt("deduction", &key, "status"))?;
            Ok(DeductionSum {
                criterion_key: key,
                status,
                count: u64::try_from(n).unwrap_or(0),
                points: points.unwrap_or(0.0),
            })
        })
        .collect()
}

/// A page of an assessment's deductions, optionally of one criterion and status, oldest first.
pub async fn deductions(
    c: &impl Conn,
    assessment_id: &str,
    q: &ListQuery,
    key: Option<String>,
    status: Option<DeductionStatus>,
) -> Result<Page<Deduction>> {
    let select = ad::Entity::find()
        .filter(ad::Column::AssessmentId.eq(assessment_id))
        .filter(list::eq_opt(ad::Column::CriterionKey, &key))
        .filter(list::eq_opt(ad::Column::Status, &status.map(|s| s.as_str().to_string())))
        .filter(list::search(&[ad::Column::Title], q.q.as_deref()));
    crate::crud::page(c, select, q, ad::Column::CreatedAt, ad::Column::Id, deduction).await
}

pub async fn get_deduction(c: &impl Conn, assessment_id: &str, id: &str) -> Result<Option<Deduction>> {
    ad::Entity::find_by_id(id.to_string())
        .filter(ad::Column::AssessmentId.eq(assessment_id))
        .one(c.conn())
        .await?
        .map(deduction)
        .transpose()
}

pub async fn insert_deduction(tx: &Tx, d: &Deduction) -> Result<()> {
    new_deduction(d).insert(tx.conn()).await?;
    Ok(())
}

/// Confirms or dismisses a deduction; false when it is gone.
pub async fn rule_deduction(
    tx: &Tx,
    id: &str,
    status: DeductionStatus,
    note: Option<&str>,
    by: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let r = ad::Entity::update_many()
        .col_expr(ad::Column::Status, Expr::value(status.as_str()))
        .col_expr(ad::Column::Note, Expr::value(note.map(str::to_string)))
        .col_expr(ad::Column::DecidedBy, Expr::value(Some(by.to_string())))
        .col_expr(ad::Column::DecidedAt, Expr::value(Some(now)))
        .filter(ad::Column::Id.eq(id))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

/// Marks the assessment changed if it is in one of `statuses`: the first write of every change,
/// so a change and a status move that race are ordered by the row (PostgreSQL locks it; SQLite
/// has one writer). False when the assessment has moved on.
pub async fn touch(tx: &Tx, id: &str, statuses: &[AssessmentStatus], now: DateTime<Utc>) -> Result<bool> {
    let r = a::Entity::update_many()
        .col_expr(a::Column::UpdatedAt, Expr::value(now))
        .filter(a::Column::Id.eq(id))
        .filter(a::Column::Status.is_in(statuses.iter().map(|s| s.as_str())))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

/// Sets (or, with `None`, clears) the hand-given points of a criterion.
pub async fn set_hand_points(
    tx: &Tx,
    criterion_id: &str,
    points: Option<f64>,
    reason: Option<&str>,
    by: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let r = ac::Entity::update_many()
        .col_expr(ac::Column::HandPoints, Expr::value(points))
        .col_expr(ac::Column::Reason, Expr::value(reason.map(str::to_string)))
        .col_expr(ac::Column::UpdatedBy, Expr::value(Some(by.to_string())))
        .col_expr(ac::Column::UpdatedAt, Expr::value(now))
        .filter(ac::Column::Id.eq(criterion_id))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

/// Sets the veto of a draft.
pub async fn set_veto(tx: &Tx, id: &str, vetoed: bool, reason: Option<&str>) -> Result<bool> {
    let r = a::Entity::update_many()
        .col_expr(a::Column::Vetoed, Expr::value(vetoed))
        .col_expr(a::Column::VetoReason, Expr::value(reason.map(str::to_string)))
        .filter(a::Column::Id.eq(id))
        .filter(a::Column::Status.eq(AssessmentStatus::Draft.as_str()))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

/// What a status move writes besides the status.
#[derive(Debug, Clone, Default)]
pub struct Move {
    pub published_at: Option<DateTime<Utc>>,
    pub appeal_until: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub finalized_at: Option<DateTime<Utc>>,
    pub final_result: Option<serde_json::Value>,
}

/// Moves the assessment from one of `from` to `to`, writing the fields `m` sets; false when it
/// was not in any of `from` (someone else moved it first).
pub async fn move_status(
    tx: &Tx,
    id: &str,
    from: &[AssessmentStatus],
    to: AssessmentStatus,
    m: &Move,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut u = a::Entity::update_many()
        .col_expr(a::Column::Status, Expr::value(to.as_str()))
        .col_expr(a::Column::UpdatedAt, Expr::value(now));
    if let Some(t) = m.published_at {
        u = u.col_expr(a::Column::PublishedAt, Expr::value(Some(t)));
    }
    if let Some(t) = m.appeal_until {
        u = u.col_expr(a::Column::AppealUntil, Expr::value(Some(t)));
    }
    if let Some(t) = m.acknowledged_at {
        u = u.col_expr(a::Column::AcknowledgedAt, Expr::value(Some(t)));
    }
    if let Some(t) = m.finalized_at {
        u = u.col_expr(a::Column::FinalizedAt, Expr::value(Some(t)));
    }
    if let Some(v) = &m.final_result {
        u = u.col_expr(a::Column::FinalResult, Expr::value(Some(text(v))));
    }
    let r = u
        .filter(a::Column::Id.eq(id))
        .filter(a::Column::Status.is_in(from.iter().map(|s| s.as_str())))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

pub async fn add_history(tx: &Tx, h: &HistoryEntry) -> Result<()> {
    ah::ActiveModel {
        id: Set(h.id.clone()),
        assessment_id: Set(h.assessment_id.clone()),
        criterion_key: Set(h.criterion_key.clone()),
        action: Set(h.action.clone()),
        before: Set(h.before),
        after: Set(h.after),
        reason: Set(h.reason.clone()),
        actor_id: Set(h.actor_id.clone()),
        actor_name: Set(h.actor_name.chars().take(200).collect()),
        at: Set(h.at),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

/// Every change, oldest first (a few dozen per assessment).
pub async fn history(c: &impl Conn, assessment_id: &str) -> Result<Vec<HistoryEntry>> {
    Ok(ah::Entity::find()
        .filter(ah::Column::AssessmentId.eq(assessment_id))
        .order_by_asc(ah::Column::At)
        .order_by_asc(ah::Column::Id)
        .all(c.conn())
        .await?
        .into_iter()
        .map(|m| HistoryEntry {
            id: m.id,
            assessment_id: m.assessment_id,
            criterion_key: m.criterion_key,
            action: m.action,
            before: m.before,
            after: m.after,
            reason: m.reason,
            actor_id: m.actor_id,
            actor_name: m.actor_name,
            at: m.at,
        })
        .collect())
}

/// Rules on every proposed deduction of a criterion at once; how many there were.
pub async fn rule_pending(
    tx: &Tx,
    assessment_id: &str,
    key: &str,
    status: DeductionStatus,
    note: Option<&str>,
    by: &str,
    now: DateTime<Utc>,
) -> Result<u64> {
    let r = ad::Entity::update_many()
        .col_expr(ad::Column::Status, Expr::value(status.as_str()))
        .col_expr(ad::Column::Note, Expr::value(note.map(str::to_string)))
        .col_expr(ad::Column::DecidedBy, Expr::value(Some(by.to_string())))
        .col_expr(ad::Column::DecidedAt, Expr::value(Some(now)))
        .filter(ad::Column::AssessmentId.eq(assessment_id))
        .filter(ad::Column::CriterionKey.eq(key))
        .filter(ad::Column::Status.eq(DeductionStatus::Proposed.as_str()))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected)
}

/// Records the vendor's acknowledgement once, while the assessment is in one of `statuses`.
pub async fn acknowledge(tx: &Tx, id: &str, statuses: &[AssessmentStatus], now: DateTime<Utc>) -> Result<bool> {
    let r = a::Entity::update_many()
        .col_expr(a::Column::AcknowledgedAt, Expr::value(Some(now)))
        .col_expr(a::Column::UpdatedAt, Expr::value(now))
        .filter(a::Column::Id.eq(id))
        .filter(a::Column::AcknowledgedAt.is_null())
        .filter(a::Column::Status.is_in(statuses.iter().map(|s| s.as_str())))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

/// The final assessments of a contract, the latest finalized last (it decides its period).
pub async fn finals(c: &impl Conn, contract_id: &str) -> Result<Vec<AssessmentRow>> {
    a::Entity::find()
        .filter(a::Column::ContractId.eq(contract_id))
        .filter(a::Column::Status.eq(AssessmentStatus::Final.as_str()))
        .order_by_asc(a::Column::FinalizedAt)
        .order_by_asc(a::Column::Id)
        .all(c.conn())
        .await?
        .into_iter()
        .map(row)
        .collect()
}

/// The contract's drafts whose period holds `from`–`to`: where a fact found later (a report's
/// non-conformity) is proposed.
pub async fn drafts_covering(
    c: &impl Conn,
    contract_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<AssessmentRow>> {
    let rows = a::Entity::find()
        .filter(a::Column::ContractId.eq(contract_id))
        .filter(a::Column::Status.eq(AssessmentStatus::Draft.as_str()))
        .filter(a::Column::PeriodFrom.lte(from))
        .filter(a::Column::PeriodTo.gte(to))
        .order_by_asc(a::Column::Id)
        .all(c.conn())
        .await?;
    rows.into_iter().map(row).collect()
}
