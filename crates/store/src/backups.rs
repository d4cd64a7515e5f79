//! Backup policies, runs, restore drills and the missed periods already ticketed. All carry the
//! system's unit and are scoped like security plans: a unit its own, a vendor those of the
//! systems it maintains.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::Scope;
use domain::backups::{
    BackupLocation, BackupMethod, BackupObject, BackupPolicy, BackupPolicyFilter, BackupPolicySpec, BackupRun,
    BackupRunFilter, RestoreDrill, RestoreDrillFilter, RunResult, RunSource, drill_verdict,
};
use domain::inspections::recurrence::{HolidayRule, Recurrence};
use domain::list::{ListQuery, Order, Page};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entities::{backup_misses as bm, backup_policies as bp, backup_runs as br, restore_drills as rd};
use crate::scope::{by_scope, col_in, vendor_system_ids};
use crate::{Conn, Result, Tx, corrupt, crud, list};

fn policy_visible(scope: &Scope) -> Condition {
    by_scope(
        scope,
        |u| Condition::all().add(bp::Column::UnitId.eq(u)),
        |v| col_in(bp::Column::SystemId, vendor_system_ids(v)),
    )
}

fn run_visible(scope: &Scope) -> Condition {
    by_scope(
        scope,
        |u| Condition::all().add(br::Column::UnitId.eq(u)),
        |v| col_in(br::Column::SystemId, vendor_system_ids(v)),
    )
}

fn drill_visible(scope: &Scope) -> Condition {
    by_scope(
        scope,
        |u| Condition::all().add(rd::Column::UnitId.eq(u)),
        |v| col_in(rd::Column::SystemId, vendor_system_ids(v)),
    )
}

fn recurrence(text: &str, what: &str, id: &str) -> Result<(serde_json::Value, Recurrence)> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|_| corrupt(what, id))?;
    let r = Recurrence::parse(&v).map_err(|_| corrupt(what, id))?;
    Ok((v, r))
}

fn policy(m: bp::Model) -> Result<BackupPolicy> {
    let bad = |what: &str| corrupt(what, &m.id);
    let (frequency, parsed) = recurrence(&m.frequency, "backup_policies.frequency", &m.id)?;
    let drill = match &m.drill_frequency {
        Some(t) => Some(recurrence(t, "backup_policies.drill_frequency", &m.id)?),
        None => None,
    };
    Ok(BackupPolicy {
        frequency_text: parsed.describe().zh,
        frequency,
        drill_frequency_text: drill.as_ref().map(|(_, r)| r.describe().zh),
        drill_frequency: drill.map(|(v, _)| v),
        object: BackupObject::parse(&m.object).ok_or_else(|| bad("backup_policies.object"))?,
        method: BackupMethod::parse(&m.method).ok_or_else(|| bad("backup_policies.method"))?,
        location: BackupLocation::parse(&m.location).ok_or_else(|| bad("backup_policies.location"))?,
        holiday_rule: HolidayRule::parse(&m.holiday_rule).ok_or_else(|| bad("backup_policies.holiday_rule"))?,
        id: m.id,
        system_id: m.system_id,
        unit_id: m.unit_id,
        name: m.name,
        calendar_id: m.calendar_id,
        start_date: m.start_date,
        end_date: m.end_date,
        retention_days: m.retention_days,
        rpo_minutes: m.rpo_minutes,
        rto_minutes: m.rto_minutes,
        active: m.active,
        notes: m.notes,
        created_at: m.created_at,
        updated_at: m.updated_at,
        last_success_at: None,
        missed: false,
        current_period: None,
    })
}

/// What the app resolved around a validated policy: the system's unit, the calendar, the start.
pub struct PolicyRow<'a> {
    pub spec: &'a BackupPolicySpec,
    pub unit_id: String,
    pub calendar_id: String,
    pub start_date: NaiveDate,
}

fn policy_active(r: &PolicyRow<'_>) -> bp::ActiveModel {
    let s = r.spec;
    bp::ActiveModel {
        system_id: Set(s.system_id.clone()),
        unit_id: Set(r.unit_id.clone()),
        name: Set(s.name.clone()),
        object: Set(s.object.as_str().into()),
        method: Set(s.method.as_str().into()),
        frequency: Set(s.schedule.recurrence.to_json().to_string()),
        calendar_id: Set(r.calendar_id.clone()),
        holiday_rule: Set(s.schedule.holiday_rule.as_str().into()),
        start_date: Set(r.start_date),
        end_date: Set(s.schedule.end_date),
        retention_days: Set(s.retention_days),
        location: Set(s.location.as_str().into()),
        rpo_minutes: Set(s.rpo_minutes),
        rto_minutes: Set(s.rto_minutes),
        drill_frequency: Set(s.drill.as_ref().map(|d| d.to_json().to_string())),
        active: Set(s.active),
        notes: Set(s.notes.clone()),
        ..Default::default()
    }
}

pub async fn insert_policy(tx: &Tx, r: &PolicyRow<'_>, by: &str, now: DateTime<Utc>) -> Result<BackupPolicy> {
    let mut a = policy_active(r);
    a.id = Set(crate::new_id());
    a.created_by = Set(by.to_string());
    a.created_at = Set(now);
    a.updated_at = Set(now);
    policy(a.insert(tx.conn()).await?)
}

pub async fn update_policy(tx: &Tx, id: &str, r: &PolicyRow<'_>, now: DateTime<Utc>) -> Result<BackupPolicy> {
    let mut a = policy_active(r);
    a.id = sea_orm::Unchanged(id.to_string());
    a.updated_at = Set(now);
    policy(a.update(tx.conn()).await?)
}

pub async fn get_policy(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<BackupPolicy>> {
    crud::get::<bp::Entity>(c, policy_visible(scope), id).await?.map(policy).transpose()
}

/// A policy with runs or drills is evidence: the foreign keys refuse its deletion.
pub async fn delete_policy(tx: &Tx, id: &str) -> Result<()> {
    crud::delete::<bp::Entity>(tx, id).await
}

fn policy_select(scope: &Scope, q: Option<&str>, f: &BackupPolicyFilter) -> sea_orm::Select<bp::Entity> {
    bp::Entity::find()
        .filter(list::search(&[bp::Column::Name, bp::Column::Notes], q))
        .filter(policy_visible(scope))
        .filter(list::eq_opt(bp::Column::SystemId, &f.system_id))
        .filter(list::eq_opt(bp::Column::Object, &f.object.map(|k| k.as_str().to_string())))
        .filter(list::eq_opt(bp::Column::Active, &f.active))
}

pub async fn list_policies(
    c: &impl Conn,
    scope: &Scope,
    q: &ListQuery,
    f: &BackupPolicyFilter,
) -> Result<Page<BackupPolicy>> {
    crud::page(c, policy_select(scope, q.q.as_deref(), f), q, bp::Column::SystemId, bp::Column::Name, policy).await
}

/// Every policy matching `f` (a bureau has a few per system).
pub async fn all_policies(c: &impl Conn, scope: &Scope, f: &BackupPolicyFilter) -> Result<Vec<BackupPolicy>> {
    let rows = policy_select(scope, None, f)
        .order_by_asc(bp::Column::SystemId)
        .order_by_asc(bp::Column::Name)
        .order_by_asc(bp::Column::Id)
        .all(c.conn());
    rows.await?.into_iter().map(policy).collect()
}

/// The policies of these systems (an indicator's scope).
pub async fn policies_of(c: &impl Conn, systems: &[String]) -> Result<Vec<BackupPolicy>> {
    let mut out = Vec::new();
    for chunk in systems.chunks(crate::IN_CHUNK) {
        let rows = bp::Entity::find().filter(bp::Column::SystemId.is_in(chunk.to_vec())).all(c.conn()).await?;
        out.extend(rows.into_iter().map(policy).collect::<Result<Vec<_>>>()?);
    }
    Ok(out)
}

/// How many policies count their days in a calendar (it cannot be deleted then).
pub async fn using_calendar(c: &impl Conn, calendar_id: &str) -> Result<u64> {
    crud::refs::<bp::Entity>(c, bp::Column::CalendarId, calendar_id).await
}

/// How many policies a system has (a system with any cannot be deleted).
pub async fn count_for_system(c: &impl Conn, system_id: &str) -> Result<u64> {
    crud::refs::<bp::Entity>(c, bp::Column::SystemId, system_id).await
}

fn run(m: br::Model) -> Result<BackupRun> {
    Ok(BackupRun {
        result: RunResult::parse(&m.result).ok_or_else(|| corrupt("backup_runs.result", &m.id))?,
        source: RunSource::parse(&m.source).ok_or_else(|| corrupt("backup_runs.source", &m.id))?,
        id: m.id,
        policy_id: m.policy_id,
        system_id: m.system_id,
        unit_id: m.unit_id,
        started_at: m.started_at,
        finished_at: m.finished_at,
        size_bytes: m.size_bytes,
        stored_at: m.stored_at,
        tool: m.tool,
        message: m.message,
        recorded_by: m.recorded_by,
        recorded_by_name: m.recorded_by_name,
        created_at: m.created_at,
        voided_at: m.voided_at,
        void_reason: m.void_reason,
    })
}

fn run_active(r: &BackupRun) -> br::ActiveModel {
    br::ActiveModel {
        id: Set(r.id.clone()),
        policy_id: Set(r.policy_id.clone()),
        system_id: Set(r.system_id.clone()),
        unit_id: Set(r.unit_id.clone()),
        started_at: Set(r.started_at),
        finished_at: Set(r.finished_at),
        result: Set(r.result.as_str().into()),
        size_bytes: Set(r.size_bytes),
        stored_at: Set(r.stored_at.clone()),
        tool: Set(r.tool.clone()),
        message: Set(r.message.clone()),
        source: Set(r.source.as_str().into()),
        recorded_by: Set(r.recorded_by.clone()),
        recorded_by_name: Set(r.recorded_by_name.clone()),
        created_at: Set(r.created_at),
        voided_at: Set(None),
        voided_by: Set(None),
        void_reason: Set(None),
    }
}

/// Runs in one statement (an import writes many at once).
pub async fn insert_runs(tx: &Tx, runs: &[BackupRun]) -> Result<()> {
    for chunk in runs.chunks(200) {
        br::Entity::insert_many(chunk.iter().map(run_active)).exec_without_returning(tx.conn()).await?;
    }
    Ok(())
}

pub async fn get_run(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<BackupRun>> {
    crud::get::<br::Entity>(c, run_visible(scope), id).await?.map(run).transpose()
}

fn run_select(scope: &Scope, q: Option<&str>, f: &BackupRunFilter) -> sea_orm::Select<br::Entity> {
    let mut s = br::Entity::find()
        .filter(list::search(&[br::Column::Tool, br::Column::StoredAt, br::Column::Message], q))
        .filter(run_visible(scope))
        .filter(list::eq_opt(br::Column::PolicyId, &f.policy_id))
        .filter(list::eq_opt(br::Column::SystemId, &f.system_id))
        .filter(list::eq_opt(br::Column::Result, &f.result.map(|r| r.as_str().to_string())));
    // Days are the bureau's (UTC+8): a day starts at 16:00 UTC the day before.
    if let Some(d) = f.from {
        s = s.filter(br::Column::StartedAt.gte(day_start(d)));
    }
    if let Some(d) = f.to.and_then(|d| d.succ_opt()) {
        s = s.filter(br::Column::StartedAt.lt(day_start(d)));
    }
    if !f.with_void {
        s = s.filter(br::Column::VoidedAt.is_null());
    }
    s
}

/// Midnight of a bureau day (UTC+8), in UTC.
pub fn day_start(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - chrono::Duration::hours(8)
}

/// Newest first.
pub async fn list_runs(c: &impl Conn, scope: &Scope, q: &ListQuery, f: &BackupRunFilter) -> Result<Page<BackupRun>> {
    let mut q = q.clone();
    if q.sort.is_none() {
        q.order = Order::Desc;
    }
    crud::page(c, run_select(scope, q.q.as_deref(), f), &q, br::Column::StartedAt, br::Column::Id, run).await
}

/// When the successful runs of each policy started, from its own `since` on (void runs left
/// out), earliest first: one query, so a daily policy beside a yearly one reads only its days.
pub async fn success_starts(c: &impl Conn, wanted: &[(String, DateTime<Utc>)]) -> Result<Vec<(String, DateTime<Utc>)>> {
    let mut out = Vec::new();
    for chunk in wanted.chunks(100) {
        let mut any = Condition::any();
        for (policy, since) in chunk {
            any = any.add(
                Condition::all().add(br::Column::PolicyId.eq(policy.as_str())).add(br::Column::StartedAt.gte(*since)),
            );
        }
        let rows: Vec<(String, DateTime<Utc>)> = br::Entity::find()
            .select_only()
            .columns([br::Column::PolicyId, br::Column::StartedAt])
            .filter(any)
            .filter(br::Column::Result.eq(RunResult::Success.as_str()))
            .filter(br::Column::VoidedAt.is_null())
            .into_tuple()
            .all(c.conn())
            .await?;
        out.extend(rows);
    }
    out.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    Ok(out)
}

/// The latest successful run of each of these policies.
pub async fn last_successes(c: &impl Conn, policies: &[String]) -> Result<HashMap<String, DateTime<Utc>>> {
    let mut out = HashMap::new();
    for chunk in policies.chunks(crate::IN_CHUNK) {
        let rows: Vec<(String, Option<DateTime<Utc>>)> = br::Entity::find()
            .select_only()
            .column(br::Column::PolicyId)
            .column_as(br::Column::StartedAt.max(), "last")
            .filter(br::Column::PolicyId.is_in(chunk.to_vec()))
            .filter(br::Column::Result.eq(RunResult::Success.as_str()))
            .filter(br::Column::VoidedAt.is_null())
            .group_by(br::Column::PolicyId)
            .into_tuple()
            .all(c.conn())
            .await?;
        out.extend(rows.into_iter().filter_map(|(p, at)| at.map(|a| (p, a))));
    }
    Ok(out)
}

/// Voids a run once: `false` when it already was.
pub async fn void_run(tx: &Tx, id: &str, by: &str, reason: &str, at: DateTime<Utc>) -> Result<bool> {
    crud::void::<br::Entity>(tx, id, by, reason, at).await
}

/// How many runs and drills a system has (evidence: it cannot be deleted then).
pub async fn evidence_for_system(c: &impl Conn, system_id: &str) -> Result<u64> {
    Ok(crud::refs::<br::Entity>(c, br::Column::SystemId, system_id).await?
        + crud::refs::<rd::Entity>(c, rd::Column::SystemId, system_id).await?)
}

/// How many runs and drills a policy has (evidence: it cannot be deleted then).
pub async fn evidence_for_policy(c: &impl Conn, policy_id: &str) -> Result<u64> {
    Ok(crud::refs::<br::Entity>(c, br::Column::PolicyId, policy_id).await?
        + crud::refs::<rd::Entity>(c, rd::Column::PolicyId, policy_id).await?)
}

fn drill(m: rd::Model) -> RestoreDrill {
    let (rto_met, rpo_met, _) =
        drill_verdict(m.restored, (m.restore_minutes, m.data_loss_minutes), (m.rto_minutes, m.rpo_minutes));
    RestoreDrill {
        rto_met,
        rpo_met,
        id: m.id,
        policy_id: m.policy_id,
        system_id: m.system_id,
        unit_id: m.unit_id,
        performed_on: m.performed_on,
        restored: m.restored,
        restore_minutes: m.restore_minutes,
        data_loss_minutes: m.data_loss_minutes,
        rto_minutes: m.rto_minutes,
        rpo_minutes: m.rpo_minutes,
        passed: m.passed,
        summary: m.summary,
        file_name: m.file_name,
        content_type: m.content_type,
        size: m.size,
        sha256: m.sha256,
        created_by: m.created_by,
        created_by_name: m.created_by_name,
        created_at: m.created_at,
        voided_at: m.voided_at,
        void_reason: m.void_reason,
    }
}

pub async fn insert_drill(tx: &Tx, d: &RestoreDrill) -> Result<()> {
    rd::ActiveModel {
        id: Set(d.id.clone()),
        policy_id: Set(d.policy_id.clone()),
        system_id: Set(d.system_id.clone()),
        unit_id: Set(d.unit_id.clone()),
        performed_on: Set(d.performed_on),
        restored: Set(d.restored),
        restore_minutes: Set(d.restore_minutes),
        data_loss_minutes: Set(d.data_loss_minutes),
        rto_minutes: Set(d.rto_minutes),
        rpo_minutes: Set(d.rpo_minutes),
        passed: Set(d.passed),
        summary: Set(d.summary.clone()),
        file_name: Set(d.file_name.clone()),
        content_type: Set(d.content_type.clone()),
        size: Set(d.size),
        sha256: Set(d.sha256.clone()),
        created_by: Set(d.created_by.clone()),
        created_by_name: Set(d.created_by_name.clone()),
        created_at: Set(d.created_at),
        voided_at: Set(None),
        voided_by: Set(None),
        void_reason: Set(None),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

pub async fn get_drill(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<RestoreDrill>> {
    Ok(crud::get::<rd::Entity>(c, drill_visible(scope), id).await?.map(drill))
}

fn drill_select(scope: &Scope, q: Option<&str>, f: &RestoreDrillFilter) -> sea_orm::Select<rd::Entity> {
    let mut s = rd::Entity::find()
        .filter(list::search(&[rd::Column::Summary, rd::Column::FileName], q))
        .filter(drill_visible(scope))
        .filter(list::eq_opt(rd::Column::PolicyId, &f.policy_id))
        .filter(list::eq_opt(rd::Column::SystemId, &f.system_id));
    if let Some(d) = f.from {
        s = s.filter(rd::Column::PerformedOn.gte(d));
    }
    if let Some(d) = f.to {
        s = s.filter(rd::Column::PerformedOn.lte(d));
    }
    if !f.with_void {
        s = s.filter(rd::Column::VoidedAt.is_null());
    }
    s
}

/// Newest first.
pub async fn list_drills(
    c: &impl Conn,
    scope: &Scope,
    q: &ListQuery,
    f: &RestoreDrillFilter,
) -> Result<Page<RestoreDrill>> {
    let mut q = q.clone();
    if q.sort.is_none() {
        q.order = Order::Desc;
    }
    crud::page(c, drill_select(scope, q.q.as_deref(), f), &q, rd::Column::PerformedOn, rd::Column::Id, |m| Ok(drill(m)))
        .await
}

/// The drills (not void) of these policies in `from..=to`.
pub async fn drills_of(
    c: &impl Conn,
    policies: &[String],
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<RestoreDrill>> {
    let mut out = Vec::new();
    for chunk in policies.chunks(crate::IN_CHUNK) {
        let rows = rd::Entity::find()
            .filter(rd::Column::PolicyId.is_in(chunk.to_vec()))
            .filter(rd::Column::VoidedAt.is_null())
            .filter(rd::Column::PerformedOn.gte(from))
            .filter(rd::Column::PerformedOn.lte(to))
            .order_by_asc(rd::Column::PerformedOn)
            .all(c.conn())
            .await?;
        out.extend(rows.into_iter().map(drill));
    }
    Ok(out)
}

pub async fn void_drill(tx: &Tx, id: &str, by: &str, reason: &str, at: DateTime<Utc>) -> Result<bool> {
    crud::void::<rd::Entity>(tx, id, by, reason, at).await
}

/// Marks a policy's period as missed, once: `false` when it already was (the key decides, so a
/// second server or tick opens no second ticket).
pub async fn insert_miss(
    tx: &Tx,
    policy_id: &str,
    (opens_on, due_on): (NaiveDate, NaiveDate),
    now: DateTime<Utc>,
) -> Result<bool> {
    let row = bm::ActiveModel {
        policy_id: Set(policy_id.to_string()),
        opens_on: Set(opens_on),
        due_on: Set(due_on),
        ticket_id: Set(None),
        created_at: Set(now),
    };
    let n = bm::Entity::insert(row)
        .on_conflict(OnConflict::columns([bm::Column::PolicyId, bm::Column::OpensOn]).do_nothing().to_owned())
        .exec_without_returning(tx.conn())
        .await?;
    Ok(n == 1)
}

pub async fn set_miss_ticket(tx: &Tx, policy_id: &str, opens_on: NaiveDate, ticket_id: &str) -> Result<()> {
    bm::Entity::update_many()
        .col_expr(bm::Column::TicketId, Expr::value(ticket_id))
        .filter(bm::Column::PolicyId.eq(policy_id))
        .filter(bm::Column::OpensOn.eq(opens_on))
        .exec(tx.conn())
        .await?;
    Ok(())
}

/// The ticket opened for a missed period, per (policy, period start).
pub async fn miss_tickets(c: &impl Conn, policies: &[String]) -> Result<HashMap<(String, NaiveDate), Option<String>>> {
    let mut out = HashMap::new();
    for chunk in policies.chunks(crate::IN_CHUNK) {
        let rows = bm::Entity::find().filter(bm::Column::PolicyId.is_in(chunk.to_vec())).all(c.conn()).await?;
        out.extend(rows.into_iter().map(|m| ((m.policy_id, m.opens_on), m.ticket_id)));
    }
    Ok(out)
}
