//! The facts that propose deductions: each SLA clock breached on a ticket whose cause counts
//! against the vendor, each inspection task not done by its due time. A page of them at most
//! (`limit`) and how many there are, oldest first.

use chrono::{DateTime, NaiveDate, Utc};
use domain::indicators::KpiScope;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
};

use crate::entities::{inspection_tasks as it, systems, ticket_clocks as tc, tickets as t};
use crate::indicators::{counted, tasks_of, tickets_of};
use crate::{Conn, Result};

/// A breached clock of a ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct BreachedClock {
    pub ticket_id: String,
    pub number: String,
    pub title: String,
    pub metric: String,
    pub due_at: Option<DateTime<Utc>>,
}

/// ticket id, number, title, metric, due at.
type ClockRow = (String, String, String, String, Option<DateTime<Utc>>);

/// Breached at `now`: recorded as breached, or still running past its due time.
pub(crate) fn breached(now: DateTime<Utc>) -> Condition {
    Condition::any().add(tc::Column::State.eq("breached")).add(
        Condition::all().add(tc::Column::State.eq("running")).add(Expr::col((tc::Entity, tc::Column::DueAt)).lt(now)),
    )
}

pub async fn breached_clocks(
    c: &impl Conn,
    s: &KpiScope,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<(u64, Vec<BreachedClock>)> {
    let ticket = tc::Entity::belongs_to(t::Entity).from(tc::Column::TicketId).to(t::Column::Id).into();
    let base = tc::Entity::find()
        .join(JoinType::InnerJoin, ticket)
        .filter(tickets_of(s))
        .filter(counted(s))
        .filter(breached(now));
    let total = base.clone().count(c.conn()).await?;
    let rows: Vec<ClockRow> = base
        .select_only()
        .column(t::Column::Id)
        .column(t::Column::Number)
        .column(t::Column::Title)
        .column(tc::Column::Metric)
        .column(tc::Column::DueAt)
        .order_by_asc(tc::Column::DueAt)
        .order_by_asc(tc::Column::TicketId)
        .order_by_asc(tc::Column::Metric)
        .limit(limit)
        .into_tuple()
        .all(c.conn())
        .await?;
    let clocks = rows
        .into_iter()
        .map(|(ticket_id, number, title, metric, due_at)| BreachedClock { ticket_id, number, title, metric, due_at })
        .collect();
    Ok((total, clocks))
}

/// An inspection task not done by its due time.
#[derive(Debug, Clone, PartialEq)]
pub struct MissedTask {
    pub task_id: String,
    pub system_name: String,
    pub scheduled_for: NaiveDate,
    /// Done late (true) or not done at all (false).
    pub done: bool,
}

pub async fn missed_tasks(
    c: &impl Conn,
    s: &KpiScope,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<(u64, Vec<MissedTask>)> {
    let system = it::Entity::belongs_to(systems::Entity).from(it::Column::SystemId).to(systems::Column::Id).into();
    let missed = Condition::any()
        .add(Condition::all().add(it::Column::Done.eq(false)).add(it::Column::DueAt.lte(now)))
        .add(Condition::all().add(it::Column::Done.eq(true)).add(it::Column::OnTime.eq(false)));
    let base = it::Entity::find().join(JoinType::InnerJoin, system).filter(tasks_of(s)).filter(missed);
    let total = base.clone().count(c.conn()).await?;
    let rows: Vec<(String, String, NaiveDate, bool)> = base
        .select_only()
        .column(it::Column::Id)
        .column(systems::Column::Name)
        .column(it::Column::ScheduledFor)
        .column(it::Column::Done)
        .order_by_asc(it::Column::ScheduledFor)
        .order_by_asc(it::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(c.conn())
        .await?;
    let tasks = rows
        .into_iter()
        .map(|(task_id, system_name, scheduled_for, done)| MissedTask { task_id, system_name, scheduled_for, done })
        .collect();
    Ok((total, tasks))
}

/// How many stopped clocks of `metric` took at most each of `edges` (microseconds, ascending)
/// and how many took longer: the distribution a banded criterion shows as its evidence.
pub async fn stopped_distribution(c: &impl Conn, s: &KpiScope, metric: &str, edges: &[i64]) -> Result<Vec<u64>> {
    let ids =
        sea_orm::sea_query::Query::select().column(t::Column::Id).from(t::Entity).cond_where(tickets_of(s)).to_owned();
    let mut select = tc::Entity::find()
        .select_only()
        .column_as(Expr::col(tc::Column::TicketId).count(), "n")
        .filter(tc::Column::TicketId.in_subquery(ids))
        .filter(tc::Column::Metric.eq(metric))
        .filter(tc::Column::StoppedAt.is_not_null());
    for (i, e) in edges.iter().enumerate() {
        // An integer of ours, written into the statement (placeholders inside CASE are not
        // rewritten for PostgreSQL).
        let within =
            Expr::cust(format!("CAST(COALESCE(SUM(CASE WHEN spent_us <= {e} THEN 1 ELSE 0 END), 0) AS BIGINT)"));
        select = select.column_as(within, format!("e{i}"));
    }
    let conn = c.conn();
    let stmt = select.build(conn.get_database_backend());
    let Some(row) = conn.query_one_raw(stmt).await? else { return Ok(vec![0; edges.len() + 1]) };
    let n: i64 = row.try_get("", "n")?;
    let mut out = Vec::with_capacity(edges.len() + 1);
    let mut below = 0i64;
    for i in 0..edges.len() {
        let within: i64 = row.try_get("", &format!("e{i}"))?;
        out.push(u64::try_from(within - below).unwrap_or(0));
        below = within;
    }
    out.push(u64::try_from(n - below).unwrap_or(0));
    Ok(out)
}
