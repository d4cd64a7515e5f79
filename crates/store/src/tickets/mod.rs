//! Tickets: the row with its denormalised scope (unit, vendor) and clock summary, the timeline,
//! and the SLA clocks with their indexed due times.

use chrono::{DateTime, Utc};
use domain::Scope;
use domain::list::{ListQuery, Page};
use domain::sla::compiled::{instant, micros};
use domain::tickets::clocks::{Clock, ClockState};
use domain::tickets::filter::TicketFilter;
use domain::tickets::view::{Event, Ticket};
use domain::tickets::{Cause, Channel, Status, TicketType};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::dialect::statement;
use crate::entities::{ticket_clocks as tc, ticket_events as te, tickets as t};
use crate::{Conn, Result, StoreError, Tx, corrupt, list};

mod bulk;
mod comments;
pub use bulk::*;
pub use comments::*;

/// Units see their own tickets; vendors the tickets of their contracts.
fn visible(scope: &Scope) -> Condition {
    crate::scope::by_scope(
        scope,
        |u| Condition::all().add(t::Column::UnitId.eq(u)),
        |v| Condition::all().add(t::Column::VendorId.eq(v)),
    )
}

fn parse<T>(what: &str, v: &str, f: fn(&str) -> Option<T>) -> Result<T> {
    f(v).ok_or_else(|| corrupt(what, v))
}

fn ticket(m: t::Model, now: DateTime<Utc>) -> Result<Ticket> {
    Ok(Ticket {
        kind: parse("tickets.kind", &m.kind, TicketType::parse)?,
        channel: parse("tickets.channel", &m.channel, Channel::parse)?,
        status: parse("tickets.status", &m.status, Status::parse)?,
        cause: m.cause.as_deref().map(|c| parse("tickets.cause", c, Cause::parse)).transpose()?,
        cause_counted: None,
        at_risk: !m.breached && m.risk_at.is_some_and(|r| r <= now),
        id: m.id,
        number: m.number,
        title: m.title,
        description: m.description,
        system_id: m.system_id,
        unit_id: m.unit_id,
        vendor_id: m.vendor_id,
        contract_item_id: m.contract_item_id,
        policy_id: m.policy_id,
        policy_version: m.policy_version,
        calendar_id: m.calendar_id,
        severity: m.severity,
        support_level: m.support_level,
        reporter_id: m.reporter_id,
        reporter_name: m.reporter_name,
        contact: m.contact,
        assignee_id: m.assignee_id,
        reported_at: m.reported_at,
        in_hours: m.in_hours,
        resolved_at: m.resolved_at,
        closed_at: m.closed_at,
        waiting_for: m.waiting_for,
        outage_start: m.outage_start,
        outage_end: m.outage_end,
        rating: m.rating,
        rating_comment: m.rating_comment,
        resolution: match m.resolution {
            Some(r) => Some(serde_json::from_str(&r).map_err(|_| corrupt("resolution", &r))?),
            None => None,
        },
        next_due_at: m.next_due_at,
        next_due_metric: m.next_due_metric,
        breached: m.breached,
        created_at: m.created_at,
        updated_at: m.updated_at,
        severity_since: m.severity_since,
        risk_at: m.risk_at,
        next_check_at: m.next_check_at,
        revision: m.revision,
    })
}

fn active(x: &Ticket) -> t::ActiveModel {
    t::ActiveModel {
        id: Set(x.id.clone()),
        number: Set(x.number.clone()),
        kind: Set(x.kind.as_str().to_string()),
        channel: Set(x.channel.as_str().to_string()),
        title: Set(x.title.clone()),
        description: Set(x.description.clone()),
        system_id: Set(x.system_id.clone()),
        unit_id: Set(x.unit_id.clone()),
        vendor_id: Set(x.vendor_id.clone()),
        contract_item_id: Set(x.contract_item_id.clone()),
        policy_id: Set(x.policy_id.clone()),
        policy_version: Set(x.policy_version),
        calendar_id: Set(x.calendar_id.clone()),
        severity: Set(x.severity.clone()),
        severity_since: Set(x.severity_since),
        status: Set(x.status.as_str().to_string()),
        support_level: Set(x.support_level.clone()),
        reporter_id: Set(x.reporter_id.clone()),
        reporter_name: Set(x.reporter_name.clone()),
        contact: Set(x.contact.clone()),
        assignee_id: Set(x.assignee_id.clone()),
        reported_at: Set(x.reported_at),
        in_hours: Set(x.in_hours),
        resolved_at: Set(x.resolved_at),
        closed_at: Set(x.closed_at),
        waiting_for: Set(x.waiting_for.clone()),
        cause: Set(x.cause.map(|c| c.as_str().to_string())),
        outage_start: Set(x.outage_start),
        outage_end: Set(x.outage_end),
        rating: Set(x.rating),
        rating_comment: Set(x.rating_comment.clone()),
        resolution: Set(x.resolution.as_ref().map(json)),
        next_due_at: Set(x.next_due_at),
        next_due_metric: Set(x.next_due_metric.clone()),
        risk_at: Set(x.risk_at),
        breached: Set(x.breached),
        next_check_at: Set(x.next_check_at),
        revision: Set(x.revision),
        created_at: Set(x.created_at),
        updated_at: Set(x.updated_at),
    }
}

/// The next number of the day `day` (`YYYYMMDD` in the bureau's zone), safe under concurrent
/// writers on both databases.
pub async fn next_number(tx: &Tx, day: &str) -> Result<i32> {
    let backend = tx.conn().get_database_backend();
    let sql = "INSERT INTO ticket_counters (day, n) VALUES ($1, 1) \
               ON CONFLICT (day) DO UPDATE SET n = ticket_counters.n + 1 RETURNING n";
    let row = tx
        .conn()
        .query_one_raw(statement(backend, sql, vec![day.into()]))
        .await?
        .ok_or_else(|| StoreError::db_msg("ticket counter returned nothing"))?;
    Ok(row.try_get::<i32>("", "n")?)
}

pub async fn insert(tx: &Tx, x: &Ticket) -> Result<()> {
    active(x).insert(tx.conn()).await?;
    Ok(())
}

/// Writes `x` if the stored revision is still `x.revision`, bumping it; `false` when another
/// writer got there first.
pub async fn update(tx: &Tx, x: &Ticket) -> Result<bool> {
    let mut a = active(x);
    a.revision = Set(x.revision + 1);
    a.id = sea_orm::NotSet;
    a.created_at = sea_orm::NotSet;
    let r = t::Entity::update_many()
        .set(a)
        .filter(t::Column::Id.eq(x.id.clone()))
        .filter(t::Column::Revision.eq(x.revision))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

pub async fn get(c: &impl Conn, scope: &Scope, id: &str, now: DateTime<Utc>) -> Result<Option<Ticket>> {
    let m = t::Entity::find_by_id(id.to_string()).filter(visible(scope)).one(c.conn()).await?;
    m.map(|m| ticket(m, now)).transpose()
}

fn filtered(scope: &Scope, q: &ListQuery, f: &TicketFilter, now: DateTime<Utc>) -> sea_orm::Select<t::Entity> {
    let mut s = t::Entity::find()
        .filter(visible(scope))
        .filter(list::eq_opt(t::Column::SystemId, &f.system_id))
        .filter(list::eq_opt(t::Column::UnitId, &f.unit_id))
        .filter(list::eq_opt(t::Column::VendorId, &f.vendor_id))
        .filter(list::eq_opt(t::Column::Kind, &f.kind.map(|k| k.as_str().to_string())))
        .filter(list::eq_opt(t::Column::Severity, &f.severity))
        .filter(list::eq_opt(t::Column::AssigneeId, &f.assignee_id))
        .filter(list::eq_opt(t::Column::ReporterId, &f.reporter_id))
        .filter(list::search(&[t::Column::Title, t::Column::Number], q.q.as_deref()));
    match f.unassigned {
        Some(true) => s = s.filter(t::Column::AssigneeId.is_null()),
        Some(false) => s = s.filter(t::Column::AssigneeId.is_not_null()),
        None => {}
    }
    if !f.statuses.is_empty() {
        s = s.filter(t::Column::Status.is_in(f.statuses.iter().map(|x| x.as_str())));
    }
    if let Some(b) = f.breached {
        s = s.filter(t::Column::Breached.eq(b));
    }
    match f.at_risk {
        Some(true) => s = s.filter(t::Column::Breached.eq(false)).filter(t::Column::RiskAt.lte(now)),
        Some(false) => {
            s = s.filter(
                Condition::any()
                    .add(t::Column::Breached.eq(true))
                    .add(t::Column::RiskAt.is_null())
                    .add(t::Column::RiskAt.gt(now)),
            )
        }
        None => {}
    }
    if let Some(from) = f.from {
        s = s.filter(t::Column::ReportedAt.gte(from));
    }
    if let Some(to) = f.to {
        s = s.filter(t::Column::ReportedAt.lt(to));
    }
    s
}

/// A ticket list counts at most this many matches past the page's offset: `total` is exact up
/// to `offset + COUNT_CAP`, and `offset + COUNT_CAP + 1` means “more than that” (the next pages
/// count further). See docs/benchmarks.md, “Tickets: 1,000,000 rows”.
pub const COUNT_CAP: u64 = 1000;

pub async fn list(
    c: &impl Conn,
    scope: &Scope,
    q: &ListQuery,
    f: &TicketFilter,
    now: DateTime<Utc>,
) -> Result<Page<Ticket>> {
    let select = filtered(scope, q, f, now);
    let sort = match q.sort.as_deref() {
        Some("next_due_at") => t::Column::NextDueAt,
        Some("number") => t::Column::Number,
        Some("updated_at") => t::Column::UpdatedAt,
        Some("status") => t::Column::Status,
        Some("severity") => t::Column::Severity,
        _ => t::Column::ReportedAt,
    };
    // Counting every match of a million rows costs more than the page itself (a full index or
    // table scan, 60–120 ms on PostgreSQL), so the count stops one past `offset + COUNT_CAP`.
    let bound = q.offset().saturating_add(COUNT_CAP.max(q.page_size));
    let unstatused = filtered(scope, q, &TicketFilter { statuses: Vec::new(), ..f.clone() }, now);
    let total = bounded_count(c, &select, &unstatused, &f.statuses, bound.saturating_add(1)).await?;
    let order = match q.order {
        domain::list::Order::Asc => sea_orm::Order::Asc,
        domain::list::Order::Desc => sea_orm::Order::Desc,
    };
    // The page's ids first, from the indexes alone where they cover the filter and the order,
    // then those rows: sorting thousands of whole rows to keep twenty is what costs.
    let ids = if q.sort.as_deref() == Some("next_due_at") {
        // The per-status ranges name their status themselves: a `status IN (…)` beside
        // `status = ?` made SQLite leave the (breached, status, …) index (43 ms per status).
        due_order_ids(c, select, unstatused, &f.statuses, q, order).await?
    } else {
        page_ids(c, select, sort, order, q.offset(), q.page_size).await?
    };
    let mut rows = t::Entity::find().filter(t::Column::Id.is_in(ids.clone())).all(c.conn()).await?;
    rows.sort_by_key(|m| ids.iter().position(|id| *id == m.id));
    let items = rows.into_iter().map(|m| ticket(m, now)).collect::<Result<Vec<_>>>()?;
    Ok(Page { items, total, page: q.page, page_size: q.page_size })
}

async fn page_ids(
    c: &impl Conn,
    select: sea_orm::Select<t::Entity>,
    sort: t::Column,
    order: sea_orm::Order,
    offset: u64,
    limit: u64,
) -> Result<Vec<String>> {
    Ok(select
        .select_only()
        .column(t::Column::Id)
        .order_by(sort, order.clone())
        .order_by(t::Column::Id, order)
        .offset(offset)
        .limit(limit)
        .into_tuple()
        .all(c.conn())
        .await?)
}

/// Urgency order. Ascending: breached tickets still open first (their breached clock no longer has
/// a due time, so by due time alone they would sort below tickets with hours left), oldest report
/// first; then the due ones, soonest first; then the rest by id. Descending: the due ones latest
/// first, then the breached open ones, then the rest. Tickets without a due time never sort by a
/// NULL (SQLite puts NULLs first when ascending, PostgreSQL when descending, and `NULLS LAST`
/// would make SQLite sort every match): each range is read from its index in turn, as far as the
/// page reaches.
async fn due_order_ids(
    c: &impl Conn,
    select: sea_orm::Select<t::Entity>,
    unstatused: sea_orm::Select<t::Entity>,
    statuses: &[Status],
    q: &ListQuery,
    order: sea_orm::Order,
) -> Result<Vec<String>> {
    use sea_orm::PaginatorTrait;
    let open: Vec<&str> = Status::ALL.iter().filter(|s| s.is_open()).map(|s| s.as_str()).collect();
    let late = Condition::all().add(t::Column::Breached.eq(true)).add(t::Column::Status.is_in(open));
    let due = select.filter(late.clone().not()).filter(t::Column::NextDueAt.is_not_null());
    let rest = unstatused.clone().filter(late.not()).filter(t::Column::NextDueAt.is_null());
    let rest_statuses: Vec<Status> = if statuses.is_empty() { Status::ALL.to_vec() } else { statuses.to_vec() };
    let late_statuses: Vec<Status> =
        Status::ALL.iter().copied().filter(|s| s.is_open() && (statuses.is_empty() || statuses.contains(s))).collect();
    let ranges = match order {
        sea_orm::Order::Desc => [Range::Due, Range::Late, Range::Rest],
        _ => [Range::Late, Range::Due, Range::Rest],
    };
    let mut ids: Vec<String> = Vec::new();
    let mut skip = q.offset();
    for range in ranges {
        let need = q.page_size - ids.len() as u64;
        if need == 0 {
            break;
        }
        let (got, known_size) = match range {
            Range::Late => late_open_ids(c, &unstatused, &late_statuses, order.clone(), skip, need).await?,
            Range::Due => (page_ids(c, due.clone(), t::Column::NextDueAt, order.clone(), skip, need).await?, None),
            Range::Rest => rest_ids(c, &rest, &rest_statuses, order.clone(), skip, need).await?,
        };
        let n = got.len() as u64;
        ids.extend(got);
        if n == need {
            break;
        }
        // The range ended within the page (or before it): how much of the offset it used. The
        // merged ranges know their size whenever they yield nothing (every status then ended
        // before `offset + limit`); the due range is counted.
        let size = match (n, known_size) {
            (n, _) if n > 0 => skip + n,
            (_, Some(size)) => size,
            _ => due.clone().select_only().column(t::Column::Id).count(c.conn()).await?,
        };
        skip = skip.saturating_sub(size);
    }
    Ok(ids)
}

/// How many tickets match, counting at most `cap`. Several statuses are counted one by one:
/// under `status IN (…)` SQLite prefers a one-column index (a unit's or a vendor's whole
/// history, 130 ms at a million tickets) to the (reporter_id | assignee_id, status, …) ones.
async fn bounded_count(
    c: &impl Conn,
    select: &sea_orm::Select<t::Entity>,
    unstatused: &sea_orm::Select<t::Entity>,
    statuses: &[Status],
    cap: u64,
) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    let count =
        |s: sea_orm::Select<t::Entity>, cap: u64| s.select_only().column(t::Column::Id).limit(cap).count(c.conn());
    if statuses.len() < 2 {
        return Ok(count(select.clone(), cap).await?);
    }
    let mut total = 0;
    for s in statuses {
        if total >= cap {
            break;
        }
        total += count(unstatused.clone().filter(t::Column::Status.eq(s.as_str())), cap - total).await?;
    }
    Ok(total)
}

#[derive(Clone, Copy)]
enum Range {
    /// Breached and still open.
    Late,
    /// With a due time.
    Due,
    Rest,
}

/// The breached tickets still open, by report time, from `offset`, at most `limit`; with the
/// range's size when it ended before `offset + limit`. One index range per open status
/// (`ix_tickets_breached_status`), merged: a single `status IN (…)` ordered by `reported_at` made
/// SQLite walk the whole `reported_at` index of a million tickets (44 ms).
async fn late_open_ids(
    c: &impl Conn,
    select: &sea_orm::Select<t::Entity>,
    open: &[Status],
    order: sea_orm::Order,
    offset: u64,
    limit: u64,
) -> Result<(Vec<String>, Option<u64>)> {
    let late = select.clone().filter(t::Column::Breached.eq(true));
    merged_by_status::<DateTime<Utc>>(c, &late, open, t::Column::ReportedAt, order, offset, limit).await
}

/// The tickets without a due time (and not breached-and-open), by id, from `offset`, at most
/// `limit`, per status from `ix_tickets_status_due` (`status = ? AND next_due_at IS NULL`, in id
/// order): under a selective filter (an engineer's open tickets) one query over every status made
/// SQLite read the closed history (hundreds of milliseconds at a million tickets).
async fn rest_ids(
    c: &impl Conn,
    rest: &sea_orm::Select<t::Entity>,
    statuses: &[Status],
    order: sea_orm::Order,
    offset: u64,
    limit: u64,
) -> Result<(Vec<String>, Option<u64>)> {
    merged_by_status::<String>(c, rest, statuses, t::Column::Id, order, offset, limit).await
}

/// One index range per status, ordered by `key` then id, merged in memory; the page from
/// `offset` (at most `limit`), and the whole range's size when every status ended before
/// `offset + limit`.
async fn merged_by_status<K>(
    c: &impl Conn,
    select: &sea_orm::Select<t::Entity>,
    statuses: &[Status],
    key: t::Column,
    order: sea_orm::Order,
    offset: u64,
    limit: u64,
) -> Result<(Vec<String>, Option<u64>)>
where
    K: Ord + Send,
    (K, String): sea_orm::TryGetableMany,
{
    let reach = offset + limit;
    let mut all: Vec<(K, String)> = Vec::new();
    let mut complete = true;
    for s in statuses {
        let rows: Vec<(K, String)> = select
            .clone()
            .filter(t::Column::Status.eq(s.as_str()))
            .select_only()
            .column(key)
            .column(t::Column::Id)
            .order_by(key, order.clone())
            .order_by(t::Column::Id, order.clone())
            .limit(reach)
            .into_tuple()
            .all(c.conn())
            .await?;
        complete &= (rows.len() as u64) < reach;
        all.extend(rows);
    }
    all.sort();
    if matches!(order, sea_orm::Order::Desc) {
        all.reverse();
    }
    let size = complete.then_some(all.len() as u64);
    Ok((all.into_iter().skip(offset as usize).take(limit as usize).map(|(_, id)| id).collect(), size))
}

/// Tickets whose clocks need the job (a threshold, a breach, an upgrade, an auto-close), most
/// overdue first.
pub async fn due_for_check(c: &impl Conn, now: DateTime<Utc>, limit: u64) -> Result<Vec<String>> {
    let rows: Vec<String> = t::Entity::find()
        .select_only()
        .column(t::Column::Id)
        .filter(t::Column::NextCheckAt.lte(now))
        .order_by_asc(t::Column::NextCheckAt)
        .limit(limit)
        .into_tuple()
        .all(c.conn())
        .await?;
    Ok(rows)
}

/// Asks the job to recompute the open tickets counted in these calendars (after a change to a
/// calendar or its holidays). Closed tickets never change.
pub async fn recheck_calendars(tx: &Tx, calendar_ids: &[String], now: DateTime<Utc>) -> Result<u64> {
    let mut n = 0;
    for chunk in calendar_ids.chunks(crate::IN_CHUNK) {
        let r = t::Entity::update_many()
            .col_expr(t::Column::NextCheckAt, Expr::value(now))
            .filter(t::Column::CalendarId.is_in(chunk.iter().cloned()))
            .filter(t::Column::Status.ne(Status::Closed.as_str()))
            .exec(tx.conn())
            .await?;
        n += r.rows_affected;
    }
    Ok(n)
}

/// Ids of the open tickets counted in a calendar (for the change preview), oldest first.
pub async fn open_on_calendar(c: &impl Conn, calendar_id: &str, limit: u64) -> Result<Vec<String>> {
    Ok(t::Entity::find()
        .select_only()
        .column(t::Column::Id)
        .filter(t::Column::CalendarId.eq(calendar_id))
        .filter(t::Column::Status.ne(Status::Closed.as_str()))
        .order_by_asc(t::Column::ReportedAt)
        .limit(limit)
        .into_tuple()
        .all(c.conn())
        .await?)
}

// ---- the timeline ----

fn event(m: te::Model) -> Result<Event> {
    let status = |v: Option<String>| v.map(|s| parse("ticket_events.status", &s, Status::parse)).transpose();
    Ok(Event {
        from_status: status(m.from_status)?,
        to_status: status(m.to_status)?,
        data: serde_json::from_str(&m.data).map_err(|_| corrupt("ticket_events.data", &m.ticket_id))?,
        seq: m.seq,
        at: m.at,
        recorded_at: m.recorded_at,
        actor_id: m.actor_id,
        actor_name: m.actor_name,
        kind: m.kind,
        reason: m.reason,
        text: String::new(),
    })
}

pub async fn events(c: &impl Conn, ticket_id: &str) -> Result<Vec<Event>> {
    let rows = te::Entity::find()
        .filter(te::Column::TicketId.eq(ticket_id))
        .order_by_asc(te::Column::Seq)
        .all(c.conn())
        .await?;
    rows.into_iter().map(event).collect()
}

/// Appends an event; its `seq` is the next after the ticket's last, read by the insert itself so
/// the write section spends one statement on it.
pub async fn add_event(tx: &Tx, ticket_id: &str, e: &Event) -> Result<i32> {
    let backend = tx.conn().get_database_backend();
    let sql = "INSERT INTO ticket_events \
               (ticket_id, seq, at, recorded_at, actor_id, actor_name, kind, from_status, to_status, reason, data) \
               SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10 \
               FROM ticket_events WHERE ticket_id = $1 RETURNING seq";
    let values = vec![
        ticket_id.into(),
        e.at.into(),
        e.recorded_at.into(),
        e.actor_id.clone().into(),
        e.actor_name.clone().into(),
        e.kind.clone().into(),
        e.from_status.map(|s| s.as_str().to_string()).into(),
        e.to_status.map(|s| s.as_str().to_string()).into(),
        e.reason.clone().into(),
        e.data.to_string().into(),
    ];
    let row = tx
        .conn()
        .query_one_raw(statement(backend, sql, values))
        .await?
        .ok_or_else(|| StoreError::db_msg("the event insert returned nothing"))?;
    Ok(row.try_get::<i32>("", "seq")?)
}

// ---- clocks ----

/// A clock as stored, with the escalation steps already fired for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredClock {
    pub clock: Clock,
    pub fired: Vec<usize>,
}

fn clock(m: tc::Model) -> Result<StoredClock> {
    let bad = |what: &str| corrupt(what, &m.ticket_id);
    let u = micros;
    Ok(StoredClock {
        clock: Clock {
            target: serde_json::from_str(&m.target).map_err(|_| bad("ticket_clocks.target"))?,
            start: u(m.start_at),
            due: m.due_at.map(u),
            state: ClockState::parse(&m.state).ok_or_else(|| bad("ticket_clocks.state"))?,
            stopped_at: m.stopped_at.map(u),
            paused_at: None,
            breached_at: m.breached_at.map(u),
            budget: m.budget_us,
            spent: m.spent_us,
            pauses: serde_json::from_str(&m.pauses).map_err(|_| bad("ticket_clocks.pauses"))?,
            metric: m.metric,
        },
        fired: serde_json::from_str(&m.fired).map_err(|_| bad("ticket_clocks.fired"))?,
    })
}

pub async fn clocks(c: &impl Conn, ticket_id: &str) -> Result<Vec<StoredClock>> {
    let rows = tc::Entity::find()
        .filter(tc::Column::TicketId.eq(ticket_id))
        .order_by_asc(tc::Column::Metric)
        .all(c.conn())
        .await?;
    rows.into_iter().map(clock).collect()
}

/// Replaces the ticket's clocks.
pub async fn put_clocks(tx: &Tx, ticket_id: &str, list: &[StoredClock]) -> Result<()> {
    tc::Entity::delete_many().filter(tc::Column::TicketId.eq(ticket_id)).exec(tx.conn()).await?;
    add_clocks(tx, ticket_id, list).await
}

/// Writes the first clocks of a ticket that has none yet.
pub async fn add_clocks(tx: &Tx, ticket_id: &str, list: &[StoredClock]) -> Result<()> {
    if list.is_empty() {
        return Ok(());
    }
    tc::Entity::insert_many(list.iter().map(|s| clock_row(ticket_id, s))).exec_without_returning(tx.conn()).await?;
    Ok(())
}

fn clock_row(ticket_id: &str, s: &StoredClock) -> tc::ActiveModel {
    let c = &s.clock;
    tc::ActiveModel {
        ticket_id: Set(ticket_id.to_string()),
        metric: Set(c.metric.clone()),
        target: Set(json(&c.target)),
        start_at: Set(instant(c.start)),
        due_at: Set(c.due.map(instant)),
        state: Set(c.state.as_str().to_string()),
        stopped_at: Set(c.stopped_at.map(instant)),
        breached_at: Set(c.breached_at.map(instant)),
        budget_us: Set(c.budget),
        spent_us: Set(c.spent),
        pauses: Set(json(&c.pauses)),
        fired: Set(json(&s.fired)),
    }
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// Running clocks due before `before` (the due-clock query of the benchmark and of dashboards).
pub async fn running_due_before(c: &impl Conn, before: DateTime<Utc>, limit: u64) -> Result<Vec<(String, String)>> {
    Ok(tc::Entity::find()
        .select_only()
        .column(tc::Column::TicketId)
        .column(tc::Column::Metric)
        .filter(tc::Column::State.eq(ClockState::Running.as_str()))
        .filter(tc::Column::DueAt.lt(before))
        .order_by_asc(tc::Column::DueAt)
        .limit(limit)
        .into_tuple()
        .all(c.conn())
        .await?)
}

/// Tickets that run under a policy (any version).
pub async fn count_by_policy(c: &impl Conn, policy_id: &str) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    Ok(t::Entity::find().filter(t::Column::PolicyId.eq(policy_id)).count(c.conn()).await?)
}
