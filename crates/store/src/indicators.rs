//! The aggregate queries behind the indicator catalogue: counts and sums grouped in the
//! database, never the tickets or tasks themselves (a contract-year may hold hundreds of
//! thousands).

use chrono::{DateTime, Utc};
use domain::indicators::KpiScope;
use domain::tickets::{Cause, Status, TicketType};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::entities::{inspection_tasks as it, ticket_clocks as tc, tickets as t};
use crate::{Conn, Result};

/// A count from the database as `u64` (never negative; the guard keeps a cast honest).
fn nonneg(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The tickets of the scope: reported in the period, on one of the contract's items.
pub(crate) fn tickets_of(s: &KpiScope) -> Condition {
    let (start, end) = s.period.instants();
    let mut c = Condition::all()
        .add(t::Column::ContractItemId.is_in(s.item_ids.iter().cloned()))
        .add(t::Column::ReportedAt.gte(start))
        .add(t::Column::ReportedAt.lt(end));
    if let Some(id) = &s.system_id {
        c = c.add(t::Column::SystemId.eq(id.clone()));
    }
    if let Some(id) = &s.unit_id {
        c = c.add(t::Column::UnitId.eq(id.clone()));
    }
    c
}

/// The scope's tickets by type and severity, each with how many are finished (resolved or closed), how many
/// of those were rated and the sum of their ratings: one pass over the period.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct KindTotals {
    pub kind: String,
    pub severity: Option<String>,
    pub reported: u64,
    pub finished: u64,
    pub rated: u64,
    pub rating_sum: i64,
    /// Finished within 24 hours of the report (wall clock, to resolving — or closing, for a
    /// ticket closed without being resolved).
    pub within_day: u64,
}

/// kind, severity, finished, tickets, rated, sum of ratings, finished within a day.
type KindRow = (String, Option<String>, bool, i64, i64, i64, i64);

pub async fn tickets_by_kind(c: &impl Conn, s: &KpiScope) -> Result<Vec<KindTotals>> {
    let finished = format!("status IN ('{}', '{}')", Status::Resolved.as_str(), Status::Closed.as_str());
    let took = crate::dialect::seconds_between(
        c.conn().get_database_backend(),
        "reported_at",
        "COALESCE(resolved_at, closed_at)",
    );
    let within_day = format!(
        "CAST(SUM(CASE WHEN COALESCE(resolved_at, closed_at) IS NOT NULL AND {took} <= 86400 THEN 1 ELSE 0 END) AS BIGINT)"
    );
    let rows: Vec<KindRow> = t::Entity::find()
        .select_only()
        .column(t::Column::Kind)
        .column(t::Column::Severity)
        .column_as(Expr::cust(finished.clone()), "finished")
        .column_as(Expr::col(t::Column::Id).count(), "n")
        .column_as(Expr::col(t::Column::Rating).count(), "rated")
        .column_as(Expr::cust("CAST(COALESCE(SUM(rating), 0) AS BIGINT)"), "stars")
        .column_as(Expr::cust(within_day), "within_day")
        .filter(tickets_of(s))
        .group_by(t::Column::Kind)
        .group_by(t::Column::Severity)
        .group_by(Expr::cust(finished))
        .into_tuple()
        .all(c.conn())
        .await?;
    let mut out: Vec<KindTotals> = Vec::new();
    for (kind, severity, finished, n, rated, stars, within) in rows {
        let i = match out.iter().position(|k| k.kind == kind && k.severity == severity) {
            Some(i) => i,
            None => {
                out.push(KindTotals { kind, severity, ..Default::default() });
                out.len() - 1
            }
        };
        let k = &mut out[i];
        k.reported += nonneg(n);
        if finished {
            k.finished += nonneg(n);
            k.rated += nonneg(rated);
            k.rating_sum += stars;
            k.within_day += nonneg(within);
        }
    }
    Ok(out)
}

/// Tickets whose cause counts against the vendor under their item (an unset cause is `unknown`).
pub(crate) fn counted(s: &KpiScope) -> Condition {
    let mut counted = Condition::any();
    for (item, causes) in &s.counted_causes {
        let mut cause = Condition::any().add(t::Column::Cause.is_in(causes.iter().map(|c| c.as_str())));
        if causes.contains(&Cause::Unknown) {
            cause = cause.add(t::Column::Cause.is_null());
        }
        counted = counted.add(Condition::all().add(t::Column::ContractItemId.eq(item.clone())).add(cause));
    }
    counted
}

/// Incidents counted against the vendor on one system at one level of one policy version, and
/// how many of them repeat an earlier one.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentGroup {
    pub system_id: String,
    pub policy: Option<(String, i32)>,
    pub severity: Option<String>,
    pub n: u64,
    pub repeats: u64,
}

/// How long before an incident another counted incident of the same system makes it a repeat.
pub const REPEAT_WINDOW_DAYS: i64 = 30;

/// The scope's incidents counted against the vendor by system, policy version and level (the
/// app reads from the policy which level is the most severe), each group with how many repeat
/// a counted incident of the same system reported within [`REPEAT_WINDOW_DAYS`] before (which
/// may fall before the period). One pass: each incident is compared with the one before it on
/// its system (`LAG`), over the period and the window before it.
pub async fn incidents(c: &impl Conn, s: &KpiScope) -> Result<Vec<IncidentGroup>> {
    let (start, _) = s.period.instants();
    let reach = KpiScope {
        period: domain::indicators::Period {
            from: s.period.from - chrono::Duration::days(REPEAT_WINDOW_DAYS + 1),
            to: s.period.to,
        },
        ..s.clone()
    };
    let inner = Query::select()
        .columns([t::Column::SystemId, t::Column::PolicyId, t::Column::PolicyVersion, t::Column::Severity])
        .column(t::Column::ReportedAt)
        .expr_as(
            Expr::cust("LAG(reported_at) OVER (PARTITION BY system_id ORDER BY reported_at, id)"),
            Alias::new("prev_at"),
        )
        .from(t::Entity)
        .cond_where(
            Condition::all()
                .add(tickets_of(&reach))
                .add(t::Column::Kind.eq(TicketType::Incident.as_str()))
                .add(counted(s)),
        )
        .to_owned();
    let backend = c.conn().get_database_backend();
    let gap = crate::dialect::seconds_between(backend, "prev_at", "reported_at");
    let window = REPEAT_WINDOW_DAYS * 86_400;
    let outer = Query::select()
        .columns(["system_id", "policy_id", "policy_version", "severity"].map(Alias::new))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .expr_as(
            Expr::cust(format!(
                "CAST(COALESCE(SUM(CASE WHEN prev_at IS NOT NULL AND {gap} <= {window} THEN 1 ELSE 0 END), 0) AS BIGINT)"
            )),
            Alias::new("repeats"),
        )
        .from_subquery(inner, Alias::new("ordered"))
        .and_where(Expr::col(Alias::new("reported_at")).gte(start))
        .add_group_by(["system_id", "policy_id", "policy_version", "severity"].map(|c| Expr::col(Alias::new(c))))
        .to_owned();
    let rows = c.conn().query_all_raw(backend.build(&outer)).await?;
    rows.into_iter()
        .map(|r| {
            let policy: Option<String> = r.try_get("", "policy_id")?;
            let version: Option<i32> = r.try_get("", "policy_version")?;
            Ok(IncidentGroup {
                system_id: r.try_get("", "system_id")?,
                policy: policy.zip(version),
                severity: r.try_get("", "severity")?,
                n: nonneg(r.try_get::<i64>("", "n")?),
                repeats: nonneg(r.try_get::<i64>("", "repeats")?),
            })
        })
        .collect()
}

/// One clock metric over the scope's tickets.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct ClockStats {
    pub met: u64,
    pub breached: u64,
    /// Stopped clocks (met, or breached and then stopped: a stopped clock is never running or
    /// paused), and their time in the clock's measure.
    pub stopped: u64,
    pub stopped_spent_us: i64,
    /// The 90th percentile of the stopped clocks' time, where asked for.
    pub p90_us: Option<i64>,
}

fn clocks_of(s: &KpiScope) -> Condition {
    let ids = Query::select().column(t::Column::Id).from(t::Entity).cond_where(tickets_of(s)).to_owned();
    Condition::all().add(tc::Column::TicketId.in_subquery(ids))
}

/// Every metric's clocks over the scope's tickets, met and breached at `now`, with the 90th
/// percentile of the stopped clocks' time of each of `timed` (nearest rank,
/// `domain::indicators::nearest_rank`). A clock still marked running whose due time has passed
/// has breached, even before the due-check job records it.
///
/// PostgreSQL does it in one pass: `percentile_disc(0.9)` is the nearest rank, computed over
/// a grouping set of metric and stopped-ness beside the groups of the counts. SQLite has no
/// percentile: there the counts come first and each percentile is then read at its rank from
/// the top ([`p90_stopped`]), in the same snapshot so the rank fits the count.
pub async fn clock_stats(
    snap: &crate::Snapshot,
    s: &KpiScope,
    now: DateTime<Utc>,
    timed: &[&str],
) -> Result<Vec<(String, ClockStats)>> {
    let postgres = snap.conn().get_database_backend() == DatabaseBackend::Postgres;
    let late = Expr::col(tc::Column::DueAt).lt(now);
    let mut select = tc::Entity::find()
        .select_only()
        .column(tc::Column::Metric)
        .column(tc::Column::State)
        .column_as(Expr::col(tc::Column::StoppedAt).is_not_null(), "stopped")
        .column_as(late, "late")
        .column_as(Expr::col(tc::Column::TicketId).count(), "n")
        .column_as(Expr::cust("CAST(COALESCE(SUM(spent_us), 0) AS BIGINT)"), "spent")
        .filter(clocks_of(s));
    // By position: the `late` expression binds `now` once in the select list and once here,
    // which PostgreSQL does not take for the same expression.
    if postgres {
        select = select
            .column_as(Expr::cust("percentile_disc(0.9) WITHIN GROUP (ORDER BY spent_us)"), "p90")
            // The second set (metric, stopped) has no state: its rows carry the percentiles.
            .group_by(Expr::cust("GROUPING SETS ((1, 2, 3, 4), (1, 3))"));
    } else {
        select = select
            .column_as(Expr::cust("CAST(NULL AS BIGINT)"), "p90")
            .group_by(Expr::cust("1"))
            .group_by(Expr::cust("2"))
            .group_by(Expr::cust("3"))
            .group_by(Expr::cust("4"));
    }
    type Row = (String, Option<String>, bool, Option<bool>, i64, i64, Option<i64>);
    let rows: Vec<Row> = select.into_tuple().all(snap.conn()).await?;
    let mut out: Vec<(String, ClockStats)> = Vec::new();
    for (metric, state, stopped, late, n, spent, p90) in rows {
        let i = match out.iter().position(|(m, _)| *m == metric) {
            Some(i) => i,
            None => {
                out.push((metric, ClockStats::default()));
                out.len() - 1
            }
        };
        let st = &mut out[i].1;
        let Some(state) = state else {
            if stopped {
                st.p90_us = p90;
            }
            continue;
        };
        let n = nonneg(n);
        match state.as_str() {
            "met" => st.met += n,
            "breached" => st.breached += n,
            "running" if late == Some(true) => st.breached += n,
            _ => {}
        }
        if stopped {
            st.stopped += n;
            st.stopped_spent_us += spent;
        }
    }
    if !postgres {
        for (metric, st) in out.iter_mut().filter(|(m, _)| timed.contains(&m.as_str())) {
            st.p90_us = p90_stopped(snap, s, metric, st.stopped).await?;
        }
    }
    Ok(out)
}

/// The 90th percentile of one metric's stopped clocks over the scope's tickets, given how many
/// there are: the value at that rank counted from the top, so SQLite keeps only the slowest
/// tenth while it sorts (a window over every stopped clock cost twice as much).
async fn p90_stopped(c: &impl Conn, s: &KpiScope, metric: &str, stopped: u64) -> Result<Option<i64>> {
    let Some(rank) = domain::indicators::nearest_rank(stopped, 0.9) else { return Ok(None) };
    let ids = Query::select().column(t::Column::Id).from(t::Entity).cond_where(tickets_of(s)).to_owned();
    let value: Option<i64> = tc::Entity::find()
        .select_only()
        .column(tc::Column::SpentUs)
        .filter(tc::Column::TicketId.in_subquery(ids))
        .filter(tc::Column::Metric.eq(metric))
        // A stopped clock is met or breached; naming the states as well made SQLite read every
        // met and breached clock of all tickets through the state index (1.2 s).
        .filter(tc::Column::StoppedAt.is_not_null())
        .order_by_desc(tc::Column::SpentUs)
        .offset(stopped - 1 - rank)
        .limit(1)
        .into_tuple()
        .one(c.conn())
        .await?;
    Ok(value)
}

/// The inspection tasks of the scope's systems scheduled in the period.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct TaskStats {
    /// Done, or past their due time at `now`.
    pub due: u64,
    pub done: u64,
    pub on_time: u64,
    pub abnormal_items: i64,
}

/// The inspection tasks of the scope's systems scheduled in the period.
pub(crate) fn tasks_of(s: &KpiScope) -> Condition {
    let mut cond = Condition::all()
        .add(it::Column::SystemId.is_in(s.system_ids.iter().cloned()))
        .add(it::Column::ScheduledFor.gte(s.period.from))
        .add(it::Column::ScheduledFor.lte(s.period.to));
    if let Some(id) = &s.system_id {
        cond = cond.add(it::Column::SystemId.eq(id.clone()));
    }
    if let Some(id) = &s.unit_id {
        cond = cond.add(it::Column::UnitId.eq(id.clone()));
    }
    cond
}

pub async fn task_stats(c: &impl Conn, s: &KpiScope, now: DateTime<Utc>) -> Result<TaskStats> {
    let cond = tasks_of(s);
    let rows: Vec<(bool, bool, i64, i64)> = it::Entity::find()
        .select_only()
        .column(it::Column::Done)
        .column_as(Expr::cust("COALESCE(on_time, FALSE)"), "on_time")
        .column_as(Expr::col(it::Column::Id).count(), "n")
        .column_as(Expr::cust("CAST(COALESCE(SUM(abnormal_count), 0) AS BIGINT)"), "abnormal")
        .filter(cond.add(Condition::any().add(it::Column::Done.eq(true)).add(it::Column::DueAt.lte(now))))
        .group_by(it::Column::Done)
        .group_by(Expr::cust("COALESCE(on_time, FALSE)"))
        .into_tuple()
        .all(c.conn())
        .await?;
    let mut out = TaskStats::default();
    for (done, on_time, n, abnormal) in rows {
        let n = nonneg(n);
        out.due += n;
        if done {
            out.done += n;
            out.abnormal_items += abnormal;
            if on_time {
                out.on_time += n;
            }
        }
    }
    Ok(out)
}

/// The findings of the scope's systems (all of them; each figure adds its own period).
fn findings_of(s: &KpiScope) -> Condition {
    use crate::entities::vulnerabilities as v;
    let mut c = Condition::all().add(v::Column::SystemId.is_in(s.system_ids.iter().cloned()));
    if let Some(id) = &s.system_id {
        c = c.add(v::Column::SystemId.eq(id.clone()));
    }
    if let Some(id) = &s.unit_id {
        c = c.add(v::Column::UnitId.eq(id.clone()));
    }
    c
}

/// Per severity: fix clocks met and breached (a running one past due counts as breached),
/// fixes in the period with the seconds they took.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct VulnStats {
    /// (severity, met, breached)
    pub clocks: Vec<(String, u64, u64)>,
    /// (severity, fixed in the period, seconds from finding to fix in total)
    pub fixes: Vec<(String, u64, f64)>,
    pub open_high: u64,
    /// When the oldest critical or high finding open at the period's end was found.
    pub oldest_open_high: Option<DateTime<Utc>>,
}

pub async fn vuln_stats(c: &impl Conn, s: &KpiScope, now: DateTime<Utc>) -> Result<VulnStats> {
    use crate::entities::vulnerabilities as v;
    use domain::vulnerabilities::{Severity, VulnStatus};
    let (start, end) = s.period.instants();
    let found_in = findings_of(s).add(v::Column::FoundAt.gte(start)).add(v::Column::FoundAt.lt(end));
    let decided = Condition::any()
        .add(v::Column::ClockState.eq("met"))
        .add(v::Column::ClockState.eq("breached"))
        .add(Condition::all().add(v::Column::ClockState.eq("running")).add(v::Column::DueAt.lte(now)));
    let rows: Vec<(String, bool, i64)> = v::Entity::find()
        .select_only()
        .column(v::Column::Severity)
        .column_as(Expr::cust("(clock_state = 'met')"), "met")
        .column_as(Expr::col(v::Column::Id).count(), "n")
        .filter(found_in.add(decided).add(v::Column::Status.ne(VulnStatus::FalsePositive.as_str())))
        .group_by(v::Column::Severity)
        .group_by(Expr::cust("(clock_state = 'met')"))
        .into_tuple()
        .all(c.conn())
        .await?;
    let mut out = VulnStats::default();
    for (sev, met, n) in rows {
        match out.clocks.iter_mut().find(|x| x.0 == sev) {
            Some(x) if met => x.1 += nonneg(n),
            Some(x) => x.2 += nonneg(n),
            None if met => out.clocks.push((sev, nonneg(n), 0)),
            None => out.clocks.push((sev, 0, nonneg(n))),
        }
    }
    let took = crate::dialect::seconds_between(c.conn().get_database_backend(), "found_at", "fixed_at");
    let fixes: Vec<(String, i64, Option<f64>)> = v::Entity::find()
        .select_only()
        .column(v::Column::Severity)
        .column_as(Expr::col(v::Column::Id).count(), "n")
        .column_as(Expr::cust(format!("CAST(SUM({took}) AS DOUBLE PRECISION)")), "secs")
        .filter(findings_of(s).add(v::Column::FixedAt.gte(start)).add(v::Column::FixedAt.lt(end)))
        .group_by(v::Column::Severity)
        .into_tuple()
        .all(c.conn())
        .await?;
    out.fixes = fixes.into_iter().map(|(sev, n, secs)| (sev, nonneg(n), secs.unwrap_or(0.0).max(0.0))).collect();
    // Open at the end: still unresolved, or fixed only after it.
    let open = Condition::any()
        .add(v::Column::Status.is_in(VulnStatus::ALL.iter().filter(|s| s.is_open()).map(|s| s.as_str())))
        .add(
            Condition::all()
                .add(v::Column::Status.is_in([VulnStatus::Fixed.as_str(), VulnStatus::Verified.as_str()]))
                .add(v::Column::FixedAt.gte(end)),
        );
    let graver = [Severity::Critical.as_str(), Severity::High.as_str()];
    let (n, oldest): (i64, Option<DateTime<Utc>>) = v::Entity::find()
        .select_only()
        .column_as(Expr::col(v::Column::Id).count(), "n")
        .column_as(Expr::col(v::Column::FoundAt).min(), "oldest")
        .filter(findings_of(s).add(v::Column::FoundAt.lt(end)).add(v::Column::Severity.is_in(graver)).add(open))
        .into_tuple()
        .one(c.conn())
        .await?
        .unwrap_or((0, None));
    out.open_high = nonneg(n);
    out.oldest_open_high = oldest;
    Ok(out)
}
