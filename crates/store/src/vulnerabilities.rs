//! The vulnerability ledger. A unit sees the findings of its systems (the row keeps the unit,
//! moved with the system); a vendor those on the systems its contracts cover — whoever
//! maintains a system now fixes what is open on it; the bureau and auditors all.

use chrono::{DateTime, NaiveDate, Utc};
use domain::Scope;
use domain::list::{ListQuery, Order, Page};
use domain::tickets::clocks::{Clock, ClockState};
use domain::vulnerabilities::import::Held;
use domain::vulnerabilities::{NoticeOrg, Severity, VulnEvent, VulnFilter, VulnSource, VulnStatus, Vulnerability};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, EntityTrait, Iterable, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};

use crate::entities::{vulnerabilities as v, vulnerability_events as ve};
use crate::scope::{by_scope, col_in, vendor_system_ids};
use crate::{Conn, Result, Tx, corrupt, crud, list};

/// The fix clock as kept on the row, with the escalation steps already fired for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixClock {
    pub clock: Clock,
    pub fired: Vec<usize>,
}

fn visible(scope: &Scope) -> Condition {
    by_scope(
        scope,
        |u| Condition::all().add(v::Column::UnitId.eq(u)),
        |vendor| col_in(v::Column::SystemId, vendor_system_ids(vendor)),
    )
}

fn json<T: Serialize>(t: &T) -> String {
    serde_json::to_string(t).unwrap_or_default()
}

fn row(m: v::Model) -> Result<(Vulnerability, Option<FixClock>)> {
    let bad = |what: &str| corrupt(what, &m.id);
    let clock = match m.clock.as_deref() {
        Some(s) => Some(serde_json::from_str(s).map_err(|_| bad("vulnerabilities.clock"))?),
        None => None,
    };
    let vuln = Vulnerability {
        severity: Severity::parse(&m.severity).ok_or_else(|| bad("vulnerabilities.severity"))?,
        source: VulnSource::parse(&m.source).ok_or_else(|| bad("vulnerabilities.source"))?,
        status: VulnStatus::parse(&m.status).ok_or_else(|| bad("vulnerabilities.status"))?,
        notice_org: m.notice_org.as_deref().and_then(NoticeOrg::parse),
        clock_state: m.clock_state.as_deref().and_then(ClockState::parse),
        identifiers: m.identifiers.as_deref().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default(),
        port: m.port.and_then(|p| u16::try_from(p).ok()),
        id: m.id,
        system_id: m.system_id,
        unit_id: m.unit_id,
        asset_id: m.asset_id,
        title: m.title,
        cvss: m.cvss,
        cve: m.cve,
        cnvd: m.cnvd,
        cnnvd: m.cnnvd,
        notice_number: m.notice_number,
        host: m.host,
        protocol: m.protocol,
        url: m.url,
        plugin_id: m.plugin_id,
        description: m.description,
        solution: m.solution,
        evidence: m.evidence,
        found_at: m.found_at,
        last_seen_at: m.last_seen_at,
        seen_count: m.seen_count,
        assignee_id: m.assignee_id,
        ticket_id: m.ticket_id,
        policy_id: m.policy_id,
        policy_version: m.policy_version,
        due_at: m.due_at,
        risk_at: m.risk_at,
        breached: m.breached,
        fixed_at: m.fixed_at,
        verified_at: m.verified_at,
        decision_reason: m.decision_reason,
        accepted_until: m.accepted_until,
        request_id: m.request_id,
        import_id: m.import_id,
        revision: m.revision,
        created_by: m.created_by,
        created_at: m.created_at,
        updated_at: m.updated_at,
        fingerprint: m.fingerprint,
        next_check_at: m.next_check_at,
    };
    Ok((vuln, clock))
}

fn active(x: &Vulnerability, clock: Option<&FixClock>) -> v::ActiveModel {
    v::ActiveModel {
        id: Set(x.id.clone()),
        system_id: Set(x.system_id.clone()),
        unit_id: Set(x.unit_id.clone()),
        asset_id: Set(x.asset_id.clone()),
        title: Set(x.title.clone()),
        severity: Set(x.severity.as_str().into()),
        severity_rank: Set(x.severity.rank()),
        cvss: Set(x.cvss),
        cve: Set(x.cve.clone()),
        cnvd: Set(x.cnvd.clone()),
        cnnvd: Set(x.cnnvd.clone()),
        identifiers: Set(Some(json(&x.identifiers))),
        source: Set(x.source.as_str().into()),
        notice_org: Set(x.notice_org.map(|o| o.as_str().into())),
        notice_number: Set(x.notice_number.clone()),
        host: Set(x.host.clone()),
        port: Set(x.port.map(i32::from)),
        protocol: Set(x.protocol.clone()),
        url: Set(x.url.clone()),
        plugin_id: Set(x.plugin_id.clone()),
        description: Set(x.description.clone()),
        solution: Set(x.solution.clone()),
        evidence: Set(x.evidence.clone()),
        status: Set(x.status.as_str().into()),
        found_at: Set(x.found_at),
        last_seen_at: Set(x.last_seen_at),
        seen_count: Set(x.seen_count),
        assignee_id: Set(x.assignee_id.clone()),
        ticket_id: Set(x.ticket_id.clone()),
        policy_id: Set(x.policy_id.clone()),
        policy_version: Set(x.policy_version),
        due_at: Set(x.due_at),
        clock_state: Set(x.clock_state.map(|s| s.as_str().into())),
        risk_at: Set(x.risk_at),
        breached: Set(x.breached),
        clock: Set(clock.map(json)),
        next_check_at: Set(x.next_check_at),
        fixed_at: Set(x.fixed_at),
        verified_at: Set(x.verified_at),
        decision_reason: Set(x.decision_reason.clone()),
        accepted_until: Set(x.accepted_until),
        request_id: Set(x.request_id.clone()),
        import_id: Set(x.import_id.clone()),
        fingerprint: Set(x.fingerprint.clone()),
        revision: Set(x.revision),
        created_by: Set(x.created_by.clone()),
        created_at: Set(x.created_at),
        updated_at: Set(x.updated_at),
    }
}

/// Stores findings; one whose fingerprint the ledger already holds is a unique-key conflict
/// and nothing of the batch is written (the caller's transaction rolls back).
pub async fn insert_many(tx: &Tx, rows: &[(Vulnerability, Option<FixClock>)]) -> Result<()> {
    // 50 columns a row: 150 rows keep a statement far inside SQLite's variable limit.
    for chunk in rows.chunks(150) {
        v::Entity::insert_many(chunk.iter().map(|(x, c)| active(x, c.as_ref()))).exec(tx.conn()).await?;
    }
    Ok(())
}

pub async fn get(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<(Vulnerability, Option<FixClock>)>> {
    crud::get::<v::Entity>(c, visible(scope), id).await?.map(row).transpose()
}

/// The findings among `ids` the scope may see.
pub async fn get_many(c: &impl Conn, scope: &Scope, ids: &[String]) -> Result<Vec<(Vulnerability, Option<FixClock>)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let rows =
            v::Entity::find().filter(visible(scope)).filter(v::Column::Id.is_in(chunk.to_vec())).all(c.conn()).await?;
        for m in rows {
            out.push(row(m)?);
        }
    }
    Ok(out)
}

/// Writes a changed finding if nobody changed it since it was read (`revision`); false when
/// someone did (the caller answers 409 and the user tries again).
pub async fn update(tx: &Tx, x: &Vulnerability, clock: Option<&FixClock>) -> Result<bool> {
    let mut a = active(x, clock);
    a.revision = Set(x.revision + 1);
    let r = v::Entity::update_many()
        .set(a)
        .filter(v::Column::Id.eq(x.id.clone()))
        .filter(v::Column::Revision.eq(x.revision))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

/// Free text: an identifier (`CVE-2021-44228`, a CNVD or CNNVD number) is looked up in its own
/// indexed column; anything else is matched in the title, host, URL and check.
fn text_filter(q: Option<&str>) -> Condition {
    match q.and_then(domain::vulnerabilities::identifier) {
        Some(id) if id.starts_with("CVE-") => Condition::all().add(v::Column::Cve.eq(id)),
        Some(id) if id.starts_with("CNVD-") => Condition::all().add(v::Column::Cnvd.eq(id)),
        Some(id) => Condition::all().add(v::Column::Cnnvd.eq(id)),
        None => {
            list::search(&[v::Column::Title, v::Column::Cve, v::Column::Host, v::Column::Url, v::Column::PluginId], q)
        }
    }
}

fn statuses(s: &[VulnStatus]) -> Vec<&'static str> {
    s.iter().map(|s| s.as_str()).collect()
}

/// A finding's row without its long texts (description, solution, evidence, the clock), for
/// lists: the finding's own page reads them.
fn light(select: sea_orm::Select<v::Entity>) -> sea_orm::Select<v::Entity> {
    select
        .select_only()
        .columns(v::Column::iter().filter(|c| {
            !matches!(c, v::Column::Description | v::Column::Solution | v::Column::Evidence | v::Column::Clock)
        }))
        .column_as(Expr::value(Option::<String>::None), "description")
        .column_as(Expr::value(Option::<String>::None), "solution")
        .column_as(Expr::value(Option::<String>::None), "evidence")
        .column_as(Expr::value(Option::<String>::None), "clock")
}

pub async fn list(c: &impl Conn, scope: &Scope, q: &ListQuery, f: &VulnFilter) -> Result<Page<Vulnerability>> {
    let mut select = v::Entity::find()
        .filter(visible(scope))
        .filter(list::eq_opt(v::Column::SystemId, &f.system_id))
        .filter(list::eq_opt(v::Column::UnitId, &f.unit_id))
        .filter(list::eq_opt(v::Column::AssigneeId, &f.assignee_id))
        .filter(list::eq_opt(v::Column::ImportId, &f.import_id))
        .filter(list::eq_opt(v::Column::Cve, &f.cve))
        .filter(list::eq_opt(v::Column::Source, &f.source.map(|s| s.as_str().to_string())))
        .filter(text_filter(q.q.as_deref()));
    if !f.statuses.is_empty() {
        select = select.filter(v::Column::Status.is_in(statuses(&f.statuses)));
    }
    if !f.severities.is_empty() {
        // The rank, not the name: the (status, severity_rank, …) indexes then bound both.
        select =
            select.filter(v::Column::SeverityRank.is_in(f.severities.iter().map(|s| s.rank()).collect::<Vec<_>>()));
    }
    if let Some(b) = f.breached {
        select = select.filter(v::Column::Breached.eq(b));
    }
    if let Some(at_risk) = f.at_risk {
        let now = f.now.unwrap_or_else(Utc::now);
        select = select.filter(if at_risk {
            Condition::all().add(v::Column::Breached.eq(false)).add(v::Column::RiskAt.lte(now))
        } else {
            Condition::any()
                .add(v::Column::Breached.eq(true))
                .add(v::Column::RiskAt.is_null())
                .add(v::Column::RiskAt.gt(now))
        });
    }
    if let Some(t) = f.found_before {
        select = select.filter(v::Column::FoundAt.lt(t));
    }
    if let Some(t) = f.found_from {
        select = select.filter(v::Column::FoundAt.gte(t));
    }
    let sort = crud::sort_column(
        q,
        &[
            ("found_at", v::Column::FoundAt),
            ("severity", v::Column::SeverityRank),
            ("due_at", v::Column::DueAt),
            ("updated_at", v::Column::UpdatedAt),
            ("last_seen_at", v::Column::LastSeenAt),
        ],
        v::Column::FoundAt,
    );
    // Newest first unless the caller sorts.
    let order = if q.sort.is_none() { sea_orm::Order::Desc } else { list::direction(q, Order::Asc) };
    // Counting every match of 200,000 findings costs more than the page; like the ticket list,
    // the count is exact up to `offset + COUNT_CAP` and one more means "more than that".
    let cap = q.offset().saturating_add(Ord::max(crate::tickets::COUNT_CAP, q.page_size)).saturating_add(1);
    let total = {
        use sea_orm::PaginatorTrait;
        select.clone().select_only().column(v::Column::Id).limit(cap).count(c.conn()).await?
    };
    // The page's ids from the indexes first, then those rows without their long texts (the
    // finding's page has them): sorting wide rows to keep twenty is what costs.
    let ids: Vec<String> = select
        .select_only()
        .column(v::Column::Id)
        .order_by(sort, order.clone())
        .order_by(v::Column::Id, order)
        .offset(q.offset())
        .limit(q.page_size)
        .into_tuple()
        .all(c.conn())
        .await?;
    let rows = light(v::Entity::find()).filter(v::Column::Id.is_in(ids.clone())).all(c.conn()).await?;
    let mut items = rows.into_iter().map(|m| row(m).map(|r| r.0)).collect::<Result<Vec<_>>>()?;
    items.sort_by_key(|x| ids.iter().position(|id| *id == x.id));
    Ok(Page { items, total, page: q.page, page_size: q.page_size })
}

/// (id, system, fingerprint, status, host, plugin): what an import plans against.
type HeldRow = (String, String, String, String, Option<String>, Option<String>);

fn held_select() -> sea_orm::Select<v::Entity> {
    v::Entity::find()
        .select_only()
        .columns([v::Column::Id, v::Column::SystemId, v::Column::Fingerprint, v::Column::Status])
        .columns([v::Column::Host, v::Column::PluginId])
}

/// What the ledger holds under these fingerprints.
pub async fn held(c: &impl Conn, fingerprints: &[String]) -> Result<Vec<Held>> {
    let mut out = Vec::new();
    for chunk in fingerprints.chunks(500) {
        let rows: Vec<HeldRow> =
            held_select().filter(v::Column::Fingerprint.is_in(chunk.to_vec())).into_tuple().all(c.conn()).await?;
        out.extend(rows.into_iter().map(held_of));
    }
    Ok(out)
}

fn held_of(r: HeldRow) -> Held {
    let (id, system_id, fingerprint, status, host, plugin_id) = r;
    Held { id, system_id, fingerprint, status: VulnStatus::parse(&status).unwrap_or(VulnStatus::Open), host, plugin_id }
}

/// The fixed findings on these systems with a host: what a re-scan may verify.
pub async fn fixed_on(c: &impl Conn, systems: &[String]) -> Result<Vec<Held>> {
    let rows: Vec<HeldRow> = held_select()
        .filter(v::Column::SystemId.is_in(systems.to_vec()))
        .filter(v::Column::Status.eq(VulnStatus::Fixed.as_str()))
        .filter(v::Column::Host.is_not_null())
        .into_tuple()
        .all(c.conn())
        .await?;
    Ok(rows.into_iter().map(held_of).collect())
}

/// A scan reported these findings again.
pub async fn seen(tx: &Tx, ids: &[String], import_id: &str, at: DateTime<Utc>) -> Result<()> {
    for chunk in ids.chunks(500) {
        v::Entity::update_many()
            .col_expr(v::Column::LastSeenAt, Expr::value(at))
            .col_expr(v::Column::SeenCount, Expr::col(v::Column::SeenCount).add(1))
            .col_expr(v::Column::ImportId, Expr::value(import_id))
            .col_expr(v::Column::UpdatedAt, Expr::value(at))
            .col_expr(v::Column::Revision, Expr::col(v::Column::Revision).add(1))
            .filter(v::Column::Id.is_in(chunk.to_vec()))
            .exec(tx.conn())
            .await?;
    }
    Ok(())
}

/// Marks findings as under the approval request `request_id`, only those under none; the
/// number marked (fewer than asked means another request holds some of them).
pub async fn claim_request(tx: &Tx, ids: &[String], request_id: &str) -> Result<u64> {
    let mut n = 0;
    for chunk in ids.chunks(500) {
        let r = v::Entity::update_many()
            .col_expr(v::Column::RequestId, Expr::value(request_id))
            .col_expr(v::Column::Revision, Expr::col(v::Column::Revision).add(1))
            .filter(v::Column::Id.is_in(chunk.to_vec()))
            .filter(v::Column::RequestId.is_null())
            .exec(tx.conn())
            .await?;
        n += r.rows_affected;
    }
    Ok(n)
}

/// Frees the findings of a request that was decided or withdrawn.
pub async fn release_request(tx: &Tx, request_id: &str) -> Result<()> {
    v::Entity::update_many()
        .col_expr(v::Column::RequestId, Expr::value(Option::<String>::None))
        .col_expr(v::Column::Revision, Expr::col(v::Column::Revision).add(1))
        .filter(v::Column::RequestId.eq(request_id))
        .exec(tx.conn())
        .await?;
    Ok(())
}

/// The findings under a request.
pub async fn of_request(c: &impl Conn, request_id: &str) -> Result<Vec<(Vulnerability, Option<FixClock>)>> {
    v::Entity::find().filter(v::Column::RequestId.eq(request_id)).all(c.conn()).await?.into_iter().map(row).collect()
}

/// Findings whose clock needs looking at (a due time, an amber moment, a ladder step) by `now`.
pub async fn due_for_check(
    c: &impl Conn,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<(Vulnerability, Option<FixClock>)>> {
    v::Entity::find()
        .filter(v::Column::NextCheckAt.lte(now))
        .order_by_asc(v::Column::NextCheckAt)
        .limit(limit)
        .all(c.conn())
        .await?
        .into_iter()
        .map(row)
        .collect()
}

/// Asks the clock job to look again, now, at the running findings under a policy of these
/// systems: their "before the next scan" deadlines follow the scan plans, which just changed.
pub async fn recheck_systems(tx: &Tx, systems: &[&str], now: DateTime<Utc>) -> Result<u64> {
    let stopped: Vec<&str> = VulnStatus::ALL.iter().filter(|s| s.stops_clock()).map(|s| s.as_str()).collect();
    let r = v::Entity::update_many()
        .col_expr(v::Column::NextCheckAt, Expr::value(Some(now)))
        .filter(v::Column::SystemId.is_in(systems.iter().copied()))
        .filter(v::Column::PolicyId.is_not_null())
        .filter(v::Column::Status.is_not_in(stopped))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected)
}

/// Accepted risks whose time is up by `today`.
pub async fn acceptance_expired(
    c: &impl Conn,
    today: NaiveDate,
    limit: u64,
) -> Result<Vec<(Vulnerability, Option<FixClock>)>> {
    v::Entity::find()
        .filter(v::Column::Status.eq(VulnStatus::RiskAccepted.as_str()))
        .filter(v::Column::AcceptedUntil.lte(today))
        .limit(limit)
        .all(c.conn())
        .await?
        .into_iter()
        .map(row)
        .collect()
}

/// Moves a system's findings to its new unit (inside the system's move).
pub async fn move_system(tx: &Tx, system_id: &str, unit_id: &str) -> Result<u64> {
    let r = v::Entity::update_many()
        .col_expr(v::Column::UnitId, Expr::value(unit_id))
        .filter(v::Column::SystemId.eq(system_id))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected)
}

/// How many findings a system has (a system with any cannot be deleted).
pub async fn count_for_system(c: &impl Conn, system_id: &str) -> Result<u64> {
    crud::refs::<v::Entity>(c, v::Column::SystemId, system_id).await
}

fn event_active(e: &VulnEvent) -> ve::ActiveModel {
    ve::ActiveModel {
        id: Set(e.id.clone()),
        vulnerability_id: Set(e.vulnerability_id.clone()),
        at: Set(e.at),
        kind: Set(e.kind.clone()),
        from_status: Set(e.from_status.map(|s| s.as_str().into())),
        to_status: Set(e.to_status.map(|s| s.as_str().into())),
        actor_id: Set(e.actor_id.clone()),
        actor_name: Set(e.actor_name.clone()),
        note: Set(e.note.clone()),
        data: Set(Some(e.data.to_string())),
    }
}

pub async fn add_events(tx: &Tx, events: &[VulnEvent]) -> Result<()> {
    for chunk in events.chunks(500) {
        if chunk.is_empty() {
            continue;
        }
        ve::Entity::insert_many(chunk.iter().map(event_active)).exec(tx.conn()).await?;
    }
    Ok(())
}

/// A finding's history, oldest first.
pub async fn events(c: &impl Conn, id: &str) -> Result<Vec<VulnEvent>> {
    let rows = ve::Entity::find()
        .filter(ve::Column::VulnerabilityId.eq(id))
        .order_by_asc(ve::Column::At)
        .order_by_asc(ve::Column::Id)
        .limit(10_000)
        .all(c.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|m| VulnEvent {
            from_status: m.from_status.as_deref().and_then(VulnStatus::parse),
            to_status: m.to_status.as_deref().and_then(VulnStatus::parse),
            data: m.data.as_deref().and_then(|d| serde_json::from_str(d).ok()).unwrap_or_default(),
            id: m.id,
            vulnerability_id: m.vulnerability_id,
            at: m.at,
            kind: m.kind,
            actor_id: m.actor_id,
            actor_name: m.actor_name,
            note: m.note,
        })
        .collect())
}

/// The state changes of several findings (for a round of the clock job), by finding.
pub async fn changes_of(c: &impl Conn, ids: &[String]) -> Result<Vec<(String, DateTime<Utc>, VulnStatus)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, DateTime<Utc>, Option<String>)> = ve::Entity::find()
            .select_only()
            .columns([ve::Column::VulnerabilityId, ve::Column::At, ve::Column::ToStatus])
            .filter(ve::Column::VulnerabilityId.is_in(chunk.to_vec()))
            .filter(ve::Column::ToStatus.is_not_null())
            .order_by_asc(ve::Column::At)
            .order_by_asc(ve::Column::Id)
            .into_tuple()
            .all(c.conn())
            .await?;
        out.extend(rows.into_iter().filter_map(|(id, at, s)| Some((id, at, VulnStatus::parse(s.as_deref()?)?))));
    }
    Ok(out)
}

fn in_scope(s: &domain::indicators::KpiScope) -> Condition {
    let mut c = Condition::all().add(v::Column::SystemId.is_in(s.system_ids.iter().cloned()));
    if let Some(id) = &s.system_id {
        c = c.add(v::Column::SystemId.eq(id.clone()));
    }
    if let Some(id) = &s.unit_id {
        c = c.add(v::Column::UnitId.eq(id.clone()));
    }
    c
}

/// The findings of a report's scope found in its period, gravest first: how many, and at most
/// `limit` (long texts left out).
pub async fn found_in(
    c: &impl Conn,
    s: &domain::indicators::KpiScope,
    limit: u64,
) -> Result<(u64, Vec<Vulnerability>)> {
    use sea_orm::PaginatorTrait;
    let (start, end) = s.period.instants();
    let base =
        v::Entity::find().filter(in_scope(s)).filter(v::Column::FoundAt.gte(start)).filter(v::Column::FoundAt.lt(end));
    let total = base.clone().count(c.conn()).await?;
    let rows = light(base)
        .order_by_asc(v::Column::SeverityRank)
        .order_by_asc(v::Column::FoundAt)
        .order_by_asc(v::Column::Id)
        .limit(limit)
        .all(c.conn())
        .await?;
    let items = rows.into_iter().map(|m| row(m).map(|r| r.0)).collect::<Result<Vec<_>>>()?;
    Ok((total, items))
}

/// The imports that brought findings to a report's scope in its period: those naming one of
/// its systems, and those whose findings on its systems they last reported.
pub async fn imports_in(c: &impl Conn, s: &domain::indicators::KpiScope) -> Result<Vec<String>> {
    let ids: Vec<Option<String>> = v::Entity::find()
        .select_only()
        .column(v::Column::ImportId)
        .distinct()
        .filter(in_scope(s))
        .filter(v::Column::ImportId.is_not_null())
        .into_tuple()
        .all(c.conn())
        .await?;
    Ok(ids.into_iter().flatten().collect())
}

/// Whether an import brought any finding on this system.
pub async fn in_import(c: &impl Conn, import_id: &str, system_id: &str) -> Result<bool> {
    use sea_orm::PaginatorTrait;
    let n = v::Entity::find()
        .filter(v::Column::ImportId.eq(import_id))
        .filter(v::Column::SystemId.eq(system_id))
        .limit(1)
        .count(c.conn())
        .await?;
    Ok(n > 0)
}
