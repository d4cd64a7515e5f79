//! Periodic reports as stored: the report row (its narrative and frozen section list as JSON),
//! the non-conformities, the history and the issued versions. Status moves by guarded updates
//! (`… WHERE status IN (…)`), so two reviewers acting at once cannot issue a report twice.

pub mod definitions;
pub mod facts;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::Scope;
use domain::list::{ListQuery, Page};
use domain::reports::{Finding, ReportEvent, ReportFilter, ReportKind, ReportScope, ReportStatus, ReportVersion};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entities::{contracts, report_events as re, report_findings as rf, report_versions as rv, reports as r};
use crate::scope::{by_scope, unit_contract_ids, unit_item_ids};
use crate::{Conn, Result, StoreError, Tx, list};

/// A report as stored (the app adds names and whether it is overdue).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub id: String,
    pub contract_id: String,
    pub vendor_id: String,
    pub definition_id: Option<String>,
    pub kind: ReportKind,
    pub scope: ReportScope,
    pub scope_id: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub due_on: NaiveDate,
    pub status: ReportStatus,
    pub sections: Vec<String>,
    pub narrative: BTreeMap<String, String>,
    pub version: u32,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub issued_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

fn corrupt(id: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("report {id}: {e}"))
}

fn row(m: r::Model) -> Result<ReportRow> {
    let kind = ReportKind::parse(&m.kind).ok_or_else(|| corrupt(&m.id, "kind"))?;
    let scope = ReportScope::parse(&m.scope).ok_or_else(|| corrupt(&m.id, "scope"))?;
    let status = ReportStatus::parse(&m.status).ok_or_else(|| corrupt(&m.id, "status"))?;
    let sections = serde_json::from_str(&m.sections).map_err(|e| corrupt(&m.id, e))?;
    let narrative = serde_json::from_str(&m.narrative).map_err(|e| corrupt(&m.id, e))?;
    Ok(ReportRow {
        kind,
        scope,
        status,
        sections,
        narrative,
        scope_id: (!m.scope_id.is_empty()).then_some(m.scope_id),
        version: u32::try_from(m.version).unwrap_or(0),
        id: m.id,
        contract_id: m.contract_id,
        vendor_id: m.vendor_id,
        definition_id: m.definition_id,
        period_start: m.period_start,
        period_end: m.period_end,
        due_on: m.due_on,
        created_by: m.created_by,
        created_at: m.created_at,
        first_submitted_at: m.first_submitted_at,
        submitted_at: m.submitted_at,
        issued_at: m.issued_at,
        updated_at: m.updated_at,
    })
}

/// What each scope may read: the bureau everything; a vendor its own contracts' reports; a
/// unit the issued reports over its own systems — its unit's, and those of a contract or item
/// covering one of them.
fn visible(scope: &Scope) -> Condition {
    by_scope(
        scope,
        |u| {
            let own = Condition::any()
                .add(Condition::all().add(r::Column::Scope.eq("unit")).add(r::Column::ScopeId.eq(u)))
                .add(
                    Condition::all()
                        .add(r::Column::Scope.eq("contract"))
                        .add(r::Column::ContractId.in_subquery(unit_contract_ids(u))),
                )
                .add(
                    Condition::all()
                        .add(r::Column::Scope.eq("item"))
                        .add(r::Column::ScopeId.in_subquery(unit_item_ids(u))),
                );
            Condition::all().add(own).add(r::Column::Status.eq(ReportStatus::Issued.as_str()))
        },
        |v| Condition::all().add(r::Column::VendorId.eq(v)),
    )
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(format!("report json: {e}")))
}

/// A new report; `Conflict` when the contract already has this kind over this scope and
/// first day.
pub async fn insert(tx: &Tx, x: &ReportRow) -> Result<()> {
    r::ActiveModel {
        id: Set(x.id.clone()),
        contract_id: Set(x.contract_id.clone()),
        vendor_id: Set(x.vendor_id.clone()),
        definition_id: Set(x.definition_id.clone()),
        kind: Set(x.kind.as_str().into()),
        scope: Set(x.scope.as_str().into()),
        scope_id: Set(x.scope_id.clone().unwrap_or_default()),
        period_start: Set(x.period_start),
        period_end: Set(x.period_end),
        due_on: Set(x.due_on),
        status: Set(x.status.as_str().into()),
        sections: Set(json(&x.sections)?),
        narrative: Set(json(&x.narrative)?),
        version: Set(i32::try_from(x.version).unwrap_or(0)),
        created_by: Set(x.created_by.clone()),
        created_at: Set(x.created_at),
        first_submitted_at: Set(x.first_submitted_at),
        submitted_at: Set(x.submitted_at),
        issued_at: Set(x.issued_at),
        updated_at: Set(x.updated_at),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

/// The report already made for this contract, kind, scope and first day, if any.
pub async fn find_period(
    c: &impl Conn,
    contract_id: &str,
    kind: ReportKind,
    scope: ReportScope,
    scope_id: Option<&str>,
    start: NaiveDate,
) -> Result<Option<ReportRow>> {
    r::Entity::find()
        .filter(r::Column::ContractId.eq(contract_id))
        .filter(r::Column::Kind.eq(kind.as_str()))
        .filter(r::Column::Scope.eq(scope.as_str()))
        .filter(r::Column::ScopeId.eq(scope_id.unwrap_or("")))
        .filter(r::Column::PeriodStart.eq(start))
        .one(c.conn())
        .await?
        .map(row)
        .transpose()
}

pub async fn get(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<ReportRow>> {
    crate::crud::get::<r::Entity>(c, visible(scope), id).await?.map(row).transpose()
}

pub async fn list(c: &impl Conn, scope: &Scope, q: &ListQuery, f: &ReportFilter) -> Result<Page<ReportRow>> {
    let mut select = r::Entity::find()
        .filter(visible(scope))
        .filter(list::eq_opt(r::Column::ContractId, &f.contract_id))
        .filter(list::eq_opt(r::Column::Status, &f.status.map(|s| s.as_str().to_string())))
        .filter(list::eq_opt(r::Column::Kind, &f.kind.map(|k| k.as_str().to_string())));
    if q.q.is_some() {
        // Free text finds reports by their contract's name or code.
        let named = Query::select()
            .column(contracts::Column::Id)
            .from(contracts::Entity)
            .cond_where(list::search(&[contracts::Column::Name, contracts::Column::Code], q.q.as_deref()))
            .to_owned();
        select = select.filter(r::Column::ContractId.in_subquery(named));
    }
    if let Some(today) = f.overdue_on {
        let open = [ReportStatus::Draft.as_str(), ReportStatus::Returned.as_str()];
        select = select.filter(r::Column::Status.is_in(open)).filter(r::Column::DueOn.lt(today));
    }
    let sort = crate::crud::sort_column(
        q,
        &[("period_start", r::Column::PeriodStart), ("due_on", r::Column::DueOn)],
        r::Column::PeriodStart,
    );
    crate::crud::page(c, select, q, sort, r::Column::Id, row).await
}

/// How many reports the scope sees that are past their due date and not submitted.
pub async fn count_overdue(c: &impl Conn, scope: &Scope, today: NaiveDate) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    let open = [ReportStatus::Draft.as_str(), ReportStatus::Returned.as_str()];
    Ok(r::Entity::find()
        .filter(visible(scope))
        .filter(r::Column::Status.is_in(open))
        .filter(r::Column::DueOn.lt(today))
        .count(c.conn())
        .await?)
}

/// Replaces the narrative while the report is in one of `statuses`; false when it is not.
pub async fn set_narrative(
    tx: &Tx,
    id: &str,
    narrative: &BTreeMap<String, String>,
    statuses: &[ReportStatus],
    now: DateTime<Utc>,
) -> Result<bool> {
    let res = r::Entity::update_many()
        .col_expr(r::Column::Narrative, Expr::value(json(narrative)?))
        .col_expr(r::Column::UpdatedAt, Expr::value(now))
        .filter(r::Column::Id.eq(id))
        .filter(r::Column::Status.is_in(statuses.iter().map(|s| s.as_str())))
        .exec(tx.conn())
        .await?;
    Ok(res.rows_affected == 1)
}

/// The instants a status move sets (left alone when `None`).
#[derive(Debug, Clone, Default)]
pub struct Move {
    pub submitted_at: Option<DateTime<Utc>>,
    pub issued_at: Option<DateTime<Utc>>,
    /// The version the move issues.
    pub version: Option<u32>,
}

/// Moves the report from one of `from` to `to`; false when another request moved it first.
pub async fn move_status(
    tx: &Tx,
    id: &str,
    from: &[ReportStatus],
    to: ReportStatus,
    m: &Move,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut q = r::Entity::update_many()
        .col_expr(r::Column::Status, Expr::value(to.as_str()))
        .col_expr(r::Column::UpdatedAt, Expr::value(now));
    if let Some(at) = m.submitted_at {
        q = q
            .col_expr(r::Column::SubmittedAt, Expr::value(at))
            .col_expr(r::Column::FirstSubmittedAt, Expr::col(r::Column::FirstSubmittedAt).if_null(Expr::value(at)));
    }
    if let Some(at) = m.issued_at {
        q = q.col_expr(r::Column::IssuedAt, Expr::value(at));
    }
    if let Some(v) = m.version {
        q = q.col_expr(r::Column::Version, Expr::value(i32::try_from(v).unwrap_or(i32::MAX)));
    }
    let res = q
        .filter(r::Column::Id.eq(id))
        .filter(r::Column::Status.is_in(from.iter().map(|s| s.as_str())))
        .exec(tx.conn())
        .await?;
    Ok(res.rows_affected == 1)
}

pub async fn add_event(tx: &Tx, report_id: &str, e: &ReportEvent) -> Result<()> {
    re::ActiveModel {
        id: Set(crate::new_id()),
        report_id: Set(report_id.into()),
        action: Set(e.action.clone()),
        note: Set(e.note.clone()),
        actor: Set(e.actor.clone()),
        actor_name: Set(e.actor_name.clone()),
        at: Set(e.at),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

pub async fn events(c: &impl Conn, report_id: &str) -> Result<Vec<ReportEvent>> {
    let rows = re::Entity::find()
        .filter(re::Column::ReportId.eq(report_id))
        .order_by_asc(re::Column::At)
        .order_by_asc(re::Column::Id)
        .all(c.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|m| ReportEvent { action: m.action, note: m.note, actor: m.actor, actor_name: m.actor_name, at: m.at })
        .collect())
}

pub async fn add_finding(tx: &Tx, f: &Finding) -> Result<()> {
    rf::ActiveModel {
        id: Set(f.id.clone()),
        report_id: Set(f.report_id.clone()),
        text: Set(f.text.clone()),
        serious: Set(f.serious),
        created_by: Set(f.created_by.clone()),
        created_by_name: Set(f.created_by_name.clone()),
        created_at: Set(f.created_at),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

fn finding(m: rf::Model) -> Finding {
    Finding {
        id: m.id,
        report_id: m.report_id,
        text: m.text,
        serious: m.serious,
        created_by: m.created_by,
        created_by_name: m.created_by_name,
        created_at: m.created_at,
    }
}

pub async fn findings(c: &impl Conn, report_id: &str) -> Result<Vec<Finding>> {
    let rows = rf::Entity::find()
        .filter(rf::Column::ReportId.eq(report_id))
        .order_by_asc(rf::Column::CreatedAt)
        .order_by_asc(rf::Column::Id)
        .all(c.conn())
        .await?;
    Ok(rows.into_iter().map(finding).collect())
}

/// A non-conformity with the report it was noted on, for an assessment's proposals.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractFinding {
    pub finding: Finding,
    pub kind: ReportKind,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
}

/// The non-conformities noted on the contract's reports of `kinds` whose period lies within
/// `from`–`to`, oldest first.
pub async fn contract_findings(
    c: &impl Conn,
    contract_id: &str,
    kinds: &[ReportKind],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ContractFinding>> {
    let reports = r::Entity::find()
        .filter(r::Column::ContractId.eq(contract_id))
        .filter(r::Column::Kind.is_in(kinds.iter().map(|k| k.as_str())))
        .filter(r::Column::PeriodStart.gte(from))
        .filter(r::Column::PeriodEnd.lte(to))
        .all(c.conn())
        .await?;
    let mut out = Vec::new();
    for m in reports {
        let rep = row(m)?;
        for f in findings(c, &rep.id).await? {
            out.push(ContractFinding {
                finding: f,
                kind: rep.kind,
                period_start: rep.period_start,
                period_end: rep.period_end,
            });
        }
    }
    out.sort_by(|a, b| a.finding.created_at.cmp(&b.finding.created_at).then_with(|| a.finding.id.cmp(&b.finding.id)));
    Ok(out)
}

/// An issued version whose files are stored under `file_id`; `Conflict` if the number is taken.
pub async fn insert_version(tx: &Tx, report_id: &str, file_id: &str, v: &ReportVersion) -> Result<()> {
    rv::ActiveModel {
        id: Set(crate::new_id()),
        report_id: Set(report_id.into()),
        version: Set(i32::try_from(v.version).unwrap_or(i32::MAX)),
        file_id: Set(file_id.into()),
        docx_sha256: Set(v.docx_sha256.clone()),
        xlsx_sha256: Set(v.xlsx_sha256.clone()),
        docx_size: Set(i64::try_from(v.docx_size).unwrap_or(i64::MAX)),
        xlsx_size: Set(i64::try_from(v.xlsx_size).unwrap_or(i64::MAX)),
        reason: Set(v.reason.clone()),
        issued_by: Set(v.issued_by.clone()),
        issued_by_name: Set(v.issued_by_name.clone()),
        issued_at: Set(v.issued_at),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

/// The versions in order, each with the id its files are stored under.
pub async fn versions(c: &impl Conn, report_id: &str) -> Result<Vec<(String, ReportVersion)>> {
    let rows = rv::Entity::find()
        .filter(rv::Column::ReportId.eq(report_id))
        .order_by_asc(rv::Column::Version)
        .all(c.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|m| {
            (
                m.file_id,
                ReportVersion {
                    version: u32::try_from(m.version).unwrap_or(0),
                    docx_sha256: m.docx_sha256,
                    xlsx_sha256: m.xlsx_sha256,
                    docx_size: u64::try_from(m.docx_size).unwrap_or(0),
                    xlsx_size: u64::try_from(m.xlsx_size).unwrap_or(0),
                    reason: m.reason,
                    issued_by: m.issued_by,
                    issued_by_name: m.issued_by_name,
                    issued_at: m.issued_at,
                },
            )
        })
        .collect())
}
