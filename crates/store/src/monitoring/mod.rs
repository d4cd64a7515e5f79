//! Monitors and their live state; interruptions in `interruptions.rs`; planned maintenance in
//! `maintenance.rs`; rollups and raw results in `rollups.rs`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use domain::Scope;
use domain::list::{ListQuery, Page};
use domain::monitoring::spec::{MonitorKind, MonitorSpec};
use domain::monitoring::state::MonitorState;
use domain::monitoring::{LastCheck, Monitor, MonitorCertificate, MonitorFilter};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set,
};

use crate::entities::monitors as mo;
use crate::{Conn, Result, Tx, corrupt, list};

mod intake;
mod interruptions;
mod maintenance;
mod rollups;
pub use intake::*;
pub use interruptions::*;
pub use maintenance::*;
pub use rollups::*;

fn visible(scope: &Scope) -> Condition {
    crate::scope::by_scope(
        scope,
        |u| Condition::all().add(mo::Column::UnitId.eq(u)),
        |v| crate::scope::col_in(mo::Column::SystemId, crate::scope::vendor_system_ids(v)),
    )
}

fn monitor(m: mo::Model) -> Result<Monitor> {
    let u = |v: i32| u32::try_from(v).unwrap_or(0);
    Ok(Monitor {
        kind: MonitorKind::parse(&m.kind).ok_or_else(|| corrupt("monitors.kind", &m.id))?,
        state: MonitorState::parse(&m.state).ok_or_else(|| corrupt("monitors.state", &m.id))?,
        expect: serde_json::from_str::<domain::monitoring::spec::Expect>(&m.expect)
            .map_err(|_| corrupt("monitors.expect", &m.id))?
            .masked(),
        cert: m.cert_not_after.map(|not_after| MonitorCertificate {
            not_after,
            issuer: m.cert_issuer.clone(),
            subject: m.cert_subject.clone(),
            chain_error: m.cert_chain_error.clone(),
        }),
        id: m.id,
        system_id: m.system_id,
        unit_id: m.unit_id,
        name: m.name,
        target: m.target,
        interval_seconds: u(m.interval_seconds),
        timeout_ms: u(m.timeout_ms),
        failures_before_down: u(m.failures_before_down),
        successes_before_up: u(m.successes_before_up),
        active: m.active,
        restricted: m.restricted,
        state_since: m.state_since,
        last_checked_at: m.last_checked_at,
        last_ok: m.last_ok,
        last_latency_ms: m.last_latency_ms.map(u),
        last_error: m.last_error,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// The header values a monitor keeps apart from its definition.
fn secrets_of(m: &mo::Model) -> BTreeMap<String, String> {
    m.secret_headers.as_deref().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default()
}

/// A monitor's stored header values (to keep them when a change sends the mask back).
pub async fn secret_headers(c: &impl Conn, id: &str) -> Result<BTreeMap<String, String>> {
    Ok(mo::Entity::find_by_id(id.to_string()).one(c.conn()).await?.map(|m| secrets_of(&m)).unwrap_or_default())
}

/// The spec a stored monitor (`view`, read from `m`) runs with, header values included; never
/// shown to anyone.
fn run_spec(m: &mo::Model, view: &Monitor) -> MonitorSpec {
    let mut spec = spec_of(view);
    spec.expect.headers = secrets_of(m);
    spec
}

/// The spec of a monitor as shown (header values masked) or, from `run_spec`, as run.
pub fn spec_of(m: &Monitor) -> MonitorSpec {
    MonitorSpec {
        system_id: m.system_id.clone(),
        name: m.name.clone(),
        kind: m.kind,
        target: m.target.clone(),
        interval_seconds: m.interval_seconds,
        timeout_ms: m.timeout_ms,
        failures_before_down: m.failures_before_down,
        successes_before_up: m.successes_before_up,
        expect: m.expect.clone(),
        active: m.active,
    }
}

fn i(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

fn fill(a: &mut mo::ActiveModel, s: &MonitorSpec, unit_id: &str) {
    a.system_id = Set(s.system_id.clone());
    a.unit_id = Set(unit_id.to_string());
    a.name = Set(s.name.clone());
    a.kind = Set(s.kind.as_str().to_string());
    a.target = Set(s.target.clone());
    a.interval_seconds = Set(i(s.interval_seconds));
    a.timeout_ms = Set(i(s.timeout_ms));
    a.failures_before_down = Set(i(s.failures_before_down));
    a.successes_before_up = Set(i(s.successes_before_up));
    // Header names stay with the definition; their values go to `secret_headers`.
    let mut shown = s.expect.clone();
    shown.headers.values_mut().for_each(String::clear);
    a.expect = Set(serde_json::to_string(&shown).unwrap_or_else(|_| "{}".into()));
    a.secret_headers =
        Set((!s.expect.headers.is_empty()).then(|| serde_json::to_string(&s.expect.headers).unwrap_or_default()));
    a.active = Set(s.active);
}

/// A new monitor; `restricted` when a non-administrator defined it.
pub async fn insert(tx: &Tx, s: &MonitorSpec, unit_id: &str, restricted: bool, now: DateTime<Utc>) -> Result<Monitor> {
    let mut a = mo::ActiveModel {
        id: Set(crate::new_id()),
        restricted: Set(restricted),
        state: Set(MonitorState::Unknown.as_str().into()),
        state_since: Set(None),
        last_checked_at: Set(None),
        last_ok: Set(None),
        last_latency_ms: Set(None),
        last_error: Set(None),
        cert_not_after: Set(None),
        cert_issuer: Set(None),
        cert_subject: Set(None),
        cert_chain_error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    fill(&mut a, s, unit_id);
    monitor(a.insert(tx.conn()).await?)
}

/// A changed definition; a changed target or kind starts again from `unknown`.
pub async fn update(
    tx: &Tx,
    before: &Monitor,
    s: &MonitorSpec,
    unit_id: &str,
    restricted: bool,
    now: DateTime<Utc>,
) -> Result<Monitor> {
    let m = mo::Entity::find_by_id(before.id.clone()).one(tx.conn()).await?.ok_or(crate::StoreError::NotFound)?;
    let mut a: mo::ActiveModel = m.into();
    fill(&mut a, s, unit_id);
    a.restricted = Set(restricted);
    if before.kind != s.kind || before.target != s.target || !s.active {
        a.state = Set(MonitorState::Unknown.as_str().into());
        a.state_since = Set(Some(now));
    }
    a.updated_at = Set(now);
    monitor(a.update(tx.conn()).await?)
}

pub async fn delete(tx: &Tx, id: &str) -> Result<()> {
    mo::Entity::delete_by_id(id.to_string()).exec(tx.conn()).await?;
    Ok(())
}

pub async fn get(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<Monitor>> {
    mo::Entity::find_by_id(id.to_string()).filter(visible(scope)).one(c.conn()).await?.map(monitor).transpose()
}

pub async fn list(c: &impl Conn, scope: &Scope, q: &ListQuery, f: &MonitorFilter) -> Result<Page<Monitor>> {
    let s = mo::Entity::find()
        .filter(visible(scope))
        .filter(list::eq_opt(mo::Column::SystemId, &f.system_id))
        .filter(list::eq_opt(mo::Column::Kind, &f.kind.map(|k| k.as_str().to_string())))
        .filter(list::eq_opt(mo::Column::State, &f.state.map(|s| s.as_str().to_string())))
        .filter(list::search(&[mo::Column::Name, mo::Column::Target], q.q.as_deref()));
    let total = s.clone().count(c.conn()).await?;
    let dir = list::direction(q, domain::list::Order::Asc);
    let rows = s
        .order_by(mo::Column::Name, dir.clone())
        .order_by(mo::Column::Id, dir)
        .paginate(c.conn(), q.page_size)
        .fetch_page(q.page.saturating_sub(1))
        .await?;
    let items = rows.into_iter().map(monitor).collect::<Result<Vec<_>>>()?;
    Ok(Page { items, total, page: q.page, page_size: q.page_size })
}

/// Every active monitor with the spec it runs with, for the runner.
pub async fn active_runs(c: &impl Conn) -> Result<Vec<(Monitor, MonitorSpec)>> {
    let rows = mo::Entity::find().filter(mo::Column::Active.eq(true)).all(c.conn()).await?;
    rows.into_iter()
        .map(|m| {
            let view = monitor(m.clone())?;
            let spec = run_spec(&m, &view);
            Ok((view, spec))
        })
        .collect()
}

/// Active monitors whose certificate expires before `before` (the reminders' candidates).
pub async fn certificates_expiring(c: &impl Conn, before: DateTime<Utc>) -> Result<Vec<Monitor>> {
    let rows = mo::Entity::find()
        .filter(mo::Column::Active.eq(true))
        .filter(mo::Column::CertNotAfter.lt(before))
        .all(c.conn())
        .await?;
    rows.into_iter().map(monitor).collect()
}

/// Every active monitor as shown (for counts).
pub async fn active(c: &impl Conn) -> Result<Vec<Monitor>> {
    let rows = mo::Entity::find().filter(mo::Column::Active.eq(true)).all(c.conn()).await?;
    rows.into_iter().map(monitor).collect()
}

/// The last checks of many monitors: those with a certificate one by one (TLS monitors, few),
/// the rest up to 500 to a statement (a `WITH v(…) AS (VALUES …)` joined to `monitors`, which SQLite
/// and PostgreSQL both read). A monitor deleted meanwhile matches nothing.
pub async fn record_last_checks(tx: &Tx, checks: &[LastCheck]) -> Result<()> {
    let (with_cert, plain): (Vec<&LastCheck>, Vec<&LastCheck>) = checks.iter().partition(|c| c.cert.is_some());
    for ch in with_cert {
        let mut a = mo::ActiveModel {
            id: sea_orm::Unchanged(ch.monitor_id.clone()),
            last_checked_at: Set(Some(ch.at)),
            last_ok: Set(Some(ch.ok)),
            last_latency_ms: Set(Some(i(ch.latency_ms))),
            last_error: Set(ch.error.clone()),
            ..Default::default()
        };
        if let Some(cert) = &ch.cert {
            a.cert_not_after = Set(Some(cert.not_after));
            a.cert_issuer = Set(cert.issuer.clone());
            a.cert_subject = Set(cert.subject.clone());
            a.cert_chain_error = Set(cert.chain_error.clone());
        }
        match a.update(tx.conn()).await {
            Ok(_) | Err(sea_orm::DbErr::RecordNotUpdated) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let backend = tx.conn().get_database_backend();
    for chunk in rollups::batches(&plain) {
        let mut sql = String::from("WITH v(id, at, ok, latency, error) AS (VALUES ");
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 5);
        for (n, ch) in chunk.iter().enumerate() {
            if n > 0 {
                sql.push_str(", ");
            }
            if backend == sea_orm::DatabaseBackend::Postgres {
                // PostgreSQL types VALUES from its parameters only when told.
                let k = n * 5;
                sql.push_str(&format!(
                    "(${}, ${}::timestamptz, ${}::boolean, ${}::integer, ${}::text)",
                    k + 1,
                    k + 2,
                    k + 3,
                    k + 4,
                    k + 5
                ));
            } else {
                sql.push_str("(?, ?, ?, ?, ?)");
            }
            values.extend([
                ch.monitor_id.clone().into(),
                ch.at.into(),
                ch.ok.into(),
                i(ch.latency_ms).into(),
                ch.error.clone().into(),
            ]);
        }
        sql.push_str(
            ") UPDATE monitors SET last_checked_at = v.at, last_ok = v.ok, last_latency_ms = v.latency, \
             last_error = v.error FROM v WHERE monitors.id = v.id",
        );
        tx.conn().execute_raw(sea_orm::Statement::from_sql_and_values(backend, sql, values)).await?;
    }
    Ok(())
}

pub async fn set_state(tx: &Tx, id: &str, state: MonitorState, since: DateTime<Utc>) -> Result<()> {
    mo::Entity::update_many()
        .col_expr(mo::Column::State, sea_orm::sea_query::Expr::value(state.as_str()))
        .col_expr(mo::Column::StateSince, sea_orm::sea_query::Expr::value(since))
        .filter(mo::Column::Id.eq(id))
        .exec(tx.conn())
        .await?;
    Ok(())
}
