//! The append-only, hash-chained audit log.

use chrono::{DateTime, Utc};
use domain::audit::{AuditEntry, AuditFilter, AuditRecord, ChainVerifier, GENESIS, record_hash_with};
use domain::list::{ListQuery, Page};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entities::{audit_head, audit_log};
use crate::{Conn, Result, StoreError, Tx, dialect, list};

/// The head marker's row (kept by the trigger of m0010).
const HEAD_ID: i32 = 1;

fn parse_json(s: Option<String>) -> Option<serde_json::Value> {
    // A stored value that no longer parses is kept as a string, so verification reports the
    // record as altered instead of failing the whole listing.
    s.map(|s| serde_json::from_str(&s).unwrap_or(serde_json::Value::String(s)))
}

fn to_domain(m: audit_log::Model) -> AuditRecord {
    AuditRecord {
        seq: m.seq,
        at: m.at,
        actor_id: m.actor_id,
        actor_name: m.actor_name,
        action: m.action,
        object_type: m.object_type,
        object_id: m.object_id,
        before: parse_json(m.before),
        after: parse_json(m.after),
        prev_hash: m.prev_hash,
        hash: m.hash,
        object_name: None,
    }
}

/// Appends `e` to the chain inside `tx`, at `now` (already truncated to microseconds).
pub async fn append(tx: &Tx, e: &AuditEntry, now: DateTime<Utc>) -> Result<AuditRecord> {
    dialect::lock(tx.conn(), dialect::LOCK_AUDIT_CHAIN).await?;
    let head = audit_head::Entity::find_by_id(HEAD_ID).one(tx.conn()).await?;
    if head.is_none() && audit_log::Entity::find().one(tx.conn()).await?.is_some() {
        // Starting a second chain would hide the damage; refuse every write until it is repaired.
        return Err(StoreError::Corrupt("the audit chain's head marker is missing; run `yunwei audit verify`".into()));
    }
    let (prev_seq, prev_hash) = head.as_ref().map_or((0, GENESIS.to_string()), |h| (h.seq, h.hash.clone()));
    let seq = prev_seq + 1;
    let hash = record_hash_with(
        tx.hash,
        &prev_hash,
        seq,
        now,
        e.actor_id.as_deref(),
        &e.actor_name,
        &e.action,
        &e.object_type,
        e.object_id.as_deref(),
        e.before.as_ref(),
        e.after.as_ref(),
    );
    let record = AuditRecord {
        seq,
        at: now,
        actor_id: e.actor_id.clone(),
        actor_name: e.actor_name.clone(),
        action: e.action.clone(),
        object_type: e.object_type.clone(),
        object_id: e.object_id.clone(),
        before: e.before.clone(),
        after: e.after.clone(),
        prev_hash,
        hash,
        object_name: None,
    };
    // The head marker follows in the same statement (trigger `audit_log_head`, m0010).
    audit_log::Entity::insert(audit_log::ActiveModel {
        seq: Set(record.seq),
        at: Set(record.at),
        actor_id: Set(record.actor_id.clone()),
        actor_name: Set(record.actor_name.clone()),
        action: Set(record.action.clone()),
        object_type: Set(record.object_type.clone()),
        object_id: Set(record.object_id.clone()),
        before: Set(record.before.as_ref().map(|v| v.to_string())),
        after: Set(record.after.as_ref().map(|v| v.to_string())),
        prev_hash: Set(record.prev_hash.clone()),
        hash: Set(record.hash.clone()),
    })
    .exec_without_returning(tx.conn())
    .await?;
    Ok(record)
}

pub async fn list(c: &impl Conn, q: &ListQuery, f: &AuditFilter) -> Result<Page<AuditRecord>> {
    let mut select = audit_log::Entity::find()
        .filter(list::eq_opt(audit_log::Column::ActorId, &f.actor_id))
        .filter(list::eq_opt(audit_log::Column::ObjectType, &f.object_type))
        .filter(list::eq_opt(audit_log::Column::ObjectId, &f.object_id))
        .filter(list::eq_opt(audit_log::Column::Action, &f.action))
        .filter(list::search(&[audit_log::Column::ActorName], q.q.as_deref()));
    if let Some(from) = f.from {
        select = select.filter(audit_log::Column::At.gte(from));
    }
    if let Some(to) = f.to {
        select = select.filter(audit_log::Column::At.lt(to));
    }
    let sort = match q.sort.as_deref() {
        Some("at") => audit_log::Column::At,
        _ => audit_log::Column::Seq,
    };
    let (rows, total) = list::page(c.conn(), select, q, sort, audit_log::Column::Seq).await?;
    Ok(Page { items: rows.into_iter().map(to_domain).collect(), total, page: q.page, page_size: q.page_size })
}

/// Walks the whole chain in batches and compares its end with the head marker.
pub async fn verify(c: &impl Conn) -> Result<ChainVerifier> {
    const BATCH: u64 = 1000;
    let mut v = ChainVerifier::default();
    let mut after = 0i64;
    loop {
        let rows = audit_log::Entity::find()
            .filter(audit_log::Column::Seq.gt(after))
            .order_by_asc(audit_log::Column::Seq)
            .limit(BATCH)
            .all(c.conn())
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.seq;
        for r in rows {
            v.push(&to_domain(r));
        }
    }
    let head = audit_head::Entity::find_by_id(HEAD_ID).one(c.conn()).await?;
    Ok(v.finish(head.as_ref().map(|h| (h.seq, h.hash.as_str()))))
}

/// What people call the objects of audit records: a ticket by its number and title, the others
/// by name; keyed by (object type, id). Objects deleted since have no name (the record keeps
/// the id and its snapshots).
pub async fn object_names(
    c: &impl Conn,
    records: &[AuditRecord],
) -> Result<std::collections::HashMap<(String, String), String>> {
    use std::collections::{BTreeSet, HashMap};

    use crate::entities::{
        assets, calendars, contract_items, contracts, inspection_plans, inspection_templates, monitors, sla_policies,
        systems, tickets, units, users, vendors,
    };

    let mut wanted: HashMap<&str, BTreeSet<String>> = HashMap::new();
    for r in records {
        if let Some(id) = &r.object_id {
            wanted.entry(r.object_type.as_str()).or_default().insert(id.clone());
        }
    }
    let mut out = HashMap::new();
    macro_rules! named {
        ($kind:literal, $entity:ident, $name:expr) => {
            if let Some(ids) = wanted.get($kind) {
                let rows = $entity::Entity::find()
                    .filter($entity::Column::Id.is_in(ids.iter().cloned()))
                    .all(c.conn())
                    .await?;
                for m in rows {
                    let name: String = $name(&m);
                    out.insert(($kind.to_string(), m.id.clone()), name);
                }
            }
        };
    }
    named!("ticket", tickets, |m: &tickets::Model| format!("{} {}", m.number, m.title));
    named!("contract", contracts, |m: &contracts::Model| m.name.clone());
    named!("contract_item", contract_items, |m: &contract_items::Model| m.name.clone());
    named!("system", systems, |m: &systems::Model| m.name.clone());
    named!("unit", units, |m: &units::Model| m.name.clone());
    named!("vendor", vendors, |m: &vendors::Model| m.name.clone());
    named!("user", users, crate::users::shown_name);
    // A session's records are about the person signing in or out.
    named!("session", users, crate::users::shown_name);
    named!("monitor", monitors, |m: &monitors::Model| m.name.clone());
    named!("sla_policy", sla_policies, |m: &sla_policies::Model| m.name.clone());
    named!("calendar", calendars, |m: &calendars::Model| m.name.clone());
    named!("inspection_template", inspection_templates, |m: &inspection_templates::Model| m.name.clone());
    named!("inspection_plan", inspection_plans, |m: &inspection_plans::Model| m.name.clone());
    named!("asset", assets, |m: &assets::Model| m.name.clone());
    Ok(out)
}

/// The user's sign-in before now (when, and the address it came from) and the failed sign-ins
/// since it, from the audit: what a 等保 login notice shows.
pub async fn sign_in_history(c: &impl Conn, user_id: &str) -> Result<(Option<(DateTime<Utc>, Option<String>)>, u64)> {
    use sea_orm::PaginatorTrait;
    let last = audit_log::Entity::find()
        .filter(audit_log::Column::ObjectType.eq("session"))
        .filter(audit_log::Column::ObjectId.eq(user_id))
        .filter(audit_log::Column::Action.eq("login"))
        .order_by_desc(audit_log::Column::Seq)
        .one(c.conn())
        .await?;
    let mut failed = audit_log::Entity::find()
        .filter(audit_log::Column::ObjectType.eq("session"))
        .filter(audit_log::Column::ObjectId.eq(user_id))
        .filter(audit_log::Column::Action.eq("login_failed"));
    if let Some(l) = &last {
        failed = failed.filter(audit_log::Column::Seq.gt(l.seq));
    }
    let failed = failed.count(c.conn()).await?;
    let last = last.map(|l| {
        let address = l
            .after
            .as_deref()
            .and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok())
            .and_then(|v| v.get("address").and_then(|x| x.as_str()).map(str::to_string));
        (l.at, address)
    });
    Ok((last, failed))
}

/// Records `from..=to` in order (at most `limit`), with the hash the first links to.
pub async fn segment(c: &impl Conn, from: i64, to: i64, limit: u64) -> Result<(String, Vec<AuditRecord>)> {
    let prev = if from <= 1 {
        GENESIS.to_string()
    } else {
        audit_log::Entity::find_by_id(from - 1)
            .one(c.conn())
            .await?
            .map(|m| m.hash)
            .unwrap_or_else(|| GENESIS.to_string())
    };
    let rows = audit_log::Entity::find()
        .filter(audit_log::Column::Seq.gte(from))
        .filter(audit_log::Column::Seq.lte(to))
        .order_by_asc(audit_log::Column::Seq)
        .limit(limit)
        .all(c.conn())
        .await?;
    Ok((prev, rows.into_iter().map(to_domain).collect()))
}
