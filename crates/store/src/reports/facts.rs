//! What a periodic report's sections read besides the indicators: the period's tickets grouped
//! by system, type, level, status and breach (one aggregate pass), the tickets themselves for
//! the workbook (bounded), the breached clocks with their tickets' causes, what was still open
//! when the period ended, and the inspections per system with their abnormal items.

use chrono::{DateTime, NaiveDate, Utc};
use domain::indicators::KpiScope;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::assessments::facts::breached;
use crate::entities::{inspection_results as ir, inspection_tasks as it, ticket_clocks as tc, tickets as t};
use crate::indicators::{tasks_of, tickets_of};
use crate::{Conn, Result};

fn nonneg(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// How many of the period's tickets share a system, type, level, status and breach.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketGroup {
    pub system_id: String,
    pub kind: String,
    pub severity: Option<String>,
    pub status: String,
    pub breached: bool,
    pub n: u64,
}

pub async fn ticket_groups(c: &impl Conn, s: &KpiScope) -> Result<Vec<TicketGroup>> {
    let rows: Vec<(String, String, Option<String>, String, bool, i64)> = t::Entity::find()
        .select_only()
        .column(t::Column::SystemId)
        .column(t::Column::Kind)
        .column(t::Column::Severity)
        .column(t::Column::Status)
        .column(t::Column::Breached)
        .column_as(Expr::col(t::Column::Id).count(), "n")
        .filter(tickets_of(s))
        .group_by(t::Column::SystemId)
        .group_by(t::Column::Kind)
        .group_by(t::Column::Severity)
        .group_by(t::Column::Status)
        .group_by(t::Column::Breached)
        .into_tuple()
        .all(c.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|(system_id, kind, severity, status, breached, n)| TicketGroup {
            system_id,
            kind,
            severity,
            status,
            breached,
            n: nonneg(n),
        })
        .collect())
}

/// How many tickets the scope has in each of `periods` (index range counts, one per period).
pub async fn ticket_counts(c: &impl Conn, s: &KpiScope, periods: &[domain::indicators::Period]) -> Result<Vec<u64>> {
    let mut out = Vec::with_capacity(periods.len());
    for p in periods {
        let sub = KpiScope { period: *p, ..s.clone() };
        out.push(t::Entity::find().filter(tickets_of(&sub)).count(c.conn()).await?);
    }
    Ok(out)
}

/// One ticket as the workbook lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketLine {
    pub number: String,
    pub title: String,
    pub kind: String,
    pub severity: Option<String>,
    pub system_id: String,
    pub status: String,
    pub cause: Option<String>,
    pub reported_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub breached: bool,
}

type LineRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    bool,
);

fn line(r: LineRow) -> TicketLine {
    let (number, title, kind, severity, system_id, status, cause, reported_at, resolved_at, breached) = r;
    TicketLine { number, title, kind, severity, system_id, status, cause, reported_at, resolved_at, breached }
}

fn line_columns(q: sea_orm::Select<t::Entity>) -> sea_orm::Select<t::Entity> {
    q.select_only()
        .column(t::Column::Number)
        .column(t::Column::Title)
        .column(t::Column::Kind)
        .column(t::Column::Severity)
        .column(t::Column::SystemId)
        .column(t::Column::Status)
        .column(t::Column::Cause)
        .column(t::Column::ReportedAt)
        .column(t::Column::ResolvedAt)
        .column(t::Column::Breached)
}

/// The period's tickets in the order they were reported, at most `limit`.
pub async fn ticket_lines(c: &impl Conn, s: &KpiScope, limit: u64) -> Result<Vec<TicketLine>> {
    let rows: Vec<LineRow> = line_columns(t::Entity::find().filter(tickets_of(s)))
        .order_by_asc(t::Column::ReportedAt)
        .order_by_asc(t::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(c.conn())
        .await?;
    Ok(rows.into_iter().map(line).collect())
}

/// A clock that ran out, with its ticket's cause.
#[derive(Debug, Clone, PartialEq)]
pub struct Breach {
    pub number: String,
    pub title: String,
    pub system_id: String,
    pub contract_item_id: Option<String>,
    pub severity: Option<String>,
    pub metric: String,
    pub due_at: Option<DateTime<Utc>>,
    pub cause: Option<String>,
}

type BreachRow =
    (String, String, String, Option<String>, Option<String>, String, Option<DateTime<Utc>>, Option<String>);

/// The clocks of the period's tickets breached at `now` (recorded so, or running past due),
/// whatever their cause, oldest due first: how many, and at most `limit` of them.
pub async fn breaches(c: &impl Conn, s: &KpiScope, now: DateTime<Utc>, limit: u64) -> Result<(u64, Vec<Breach>)> {
    let ticket = tc::Entity::belongs_to(t::Entity).from(tc::Column::TicketId).to(t::Column::Id).into();
    let base = tc::Entity::find().join(JoinType::InnerJoin, ticket).filter(tickets_of(s)).filter(breached(now));
    let total = base.clone().count(c.conn()).await?;
    let rows: Vec<BreachRow> = base
        .select_only()
        .column(t::Column::Number)
        .column(t::Column::Title)
        .column(t::Column::SystemId)
        .column(t::Column::ContractItemId)
        .column(t::Column::Severity)
        .column(tc::Column::Metric)
        .column(tc::Column::DueAt)
        .column(t::Column::Cause)
        .order_by_asc(tc::Column::DueAt)
        .order_by_asc(tc::Column::TicketId)
        .order_by_asc(tc::Column::Metric)
        .limit(limit)
        .into_tuple()
        .all(c.conn())
        .await?;
    let list = rows
        .into_iter()
        .map(|(number, title, system_id, contract_item_id, severity, metric, due_at, cause)| Breach {
            number,
            title,
            system_id,
            contract_item_id,
            severity,
            metric,
            due_at,
            cause,
        })
        .collect();
    Ok((total, list))
}

/// The scope's tickets reported before the period ended and not resolved by then (whenever they
/// were reported): the problems the period hands on. How many, and at most `limit`.
pub async fn open_at_end(c: &impl Conn, s: &KpiScope, limit: u64) -> Result<(u64, Vec<TicketLine>)> {
    let (_, end) = s.period.instants();
    let mut cond = Condition::all()
        .add(t::Column::ContractItemId.is_in(s.item_ids.iter().cloned()))
        .add(t::Column::ReportedAt.lt(end))
        .add(Condition::any().add(t::Column::ResolvedAt.is_null()).add(t::Column::ResolvedAt.gte(end)))
        .add(Condition::any().add(t::Column::ClosedAt.is_null()).add(t::Column::ClosedAt.gte(end)));
    if let Some(id) = &s.system_id {
        cond = cond.add(t::Column::SystemId.eq(id.clone()));
    }
    if let Some(id) = &s.unit_id {
        cond = cond.add(t::Column::UnitId.eq(id.clone()));
    }
    let base = t::Entity::find().filter(cond);
    let total = base.clone().count(c.conn()).await?;
    let rows: Vec<LineRow> = line_columns(base)
        .order_by_asc(t::Column::ReportedAt)
        .order_by_asc(t::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(c.conn())
        .await?;
    Ok((total, rows.into_iter().map(line).collect()))
}

/// One system's inspection tasks scheduled in the period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SystemTasks {
    pub system_id: String,
    /// Done, or past their due time at `now`.
    pub due: u64,
    pub done: u64,
    pub on_time: u64,
    pub abnormal: u64,
}

pub async fn tasks_per_system(c: &impl Conn, s: &KpiScope, now: DateTime<Utc>) -> Result<Vec<SystemTasks>> {
    let rows: Vec<(String, bool, bool, i64, i64)> = it::Entity::find()
        .select_only()
        .column(it::Column::SystemId)
        .column(it::Column::Done)
        .column_as(Expr::cust("COALESCE(on_time, FALSE)"), "on_time")
        .column_as(Expr::col(it::Column::Id).count(), "n")
        .column_as(Expr::cust("CAST(COALESCE(SUM(abnormal_count), 0) AS BIGINT)"), "abnormal")
        .filter(tasks_of(s).add(Condition::any().add(it::Column::Done.eq(true)).add(it::Column::DueAt.lte(now))))
        .group_by(it::Column::SystemId)
        .group_by(it::Column::Done)
        .group_by(Expr::cust("COALESCE(on_time, FALSE)"))
        .into_tuple()
        .all(c.conn())
        .await?;
    let mut out: Vec<SystemTasks> = Vec::new();
    for (system_id, done, on_time, n, abnormal) in rows {
        let idx = match out.iter().position(|x| x.system_id == system_id) {
            Some(i) => i,
            None => {
                out.push(SystemTasks { system_id, ..SystemTasks::default() });
                out.len() - 1
            }
        };
        let x = &mut out[idx];
        let n = nonneg(n);
        x.due += n;
        if done {
            x.done += n;
            x.abnormal += nonneg(abnormal);
            if on_time {
                x.on_time += n;
            }
        }
    }
    out.sort_by(|a, b| a.system_id.cmp(&b.system_id));
    Ok(out)
}

/// An item an inspection found abnormal, with the ticket it opened, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct AbnormalItem {
    pub system_id: String,
    pub scheduled_for: NaiveDate,
    pub item_name: String,
    pub value: Option<String>,
    pub note: Option<String>,
    pub ticket_id: Option<String>,
}

type AbnormalRow = (String, NaiveDate, String, Option<String>, Option<String>, Option<String>);

/// The abnormal items of the inspections done in the period: how many, and at most `limit`.
pub async fn abnormal_items(c: &impl Conn, s: &KpiScope, limit: u64) -> Result<(u64, Vec<AbnormalItem>)> {
    let task = ir::Entity::belongs_to(it::Entity).from(ir::Column::RecordId).to(it::Column::RecordId).into();
    let base = ir::Entity::find()
        .join(JoinType::InnerJoin, task)
        .filter(tasks_of(s))
        .filter(it::Column::Done.eq(true))
        .filter(ir::Column::Abnormal.eq(true));
    let total = base.clone().count(c.conn()).await?;
    let rows: Vec<AbnormalRow> = base
        .select_only()
        .column(it::Column::SystemId)
        .column(it::Column::ScheduledFor)
        .column(ir::Column::ItemName)
        .column(ir::Column::Value)
        .column(ir::Column::Note)
        .column(ir::Column::TicketId)
        .order_by_asc(it::Column::ScheduledFor)
        .order_by_asc(ir::Column::RecordId)
        .order_by_asc(ir::Column::Seq)
        .limit(limit)
        .into_tuple()
        .all(c.conn())
        .await?;
    let items = rows
        .into_iter()
        .map(|(system_id, scheduled_for, item_name, value, note, ticket_id)| AbnormalItem {
            system_id,
            scheduled_for,
            item_name,
            value,
            note,
            ticket_id,
        })
        .collect();
    Ok((total, items))
}

/// The status and number of each ticket in `ids`.
pub async fn ticket_states(c: &impl Conn, ids: &[String]) -> Result<Vec<(String, String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for chunk in ids.chunks(crate::IN_CHUNK) {
        let rows: Vec<(String, String, String)> = t::Entity::find()
            .select_only()
            .column(t::Column::Id)
            .column(t::Column::Number)
            .column(t::Column::Status)
            .filter(t::Column::Id.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(c.conn())
            .await?;
        out.extend(rows);
    }
    Ok(out)
}
