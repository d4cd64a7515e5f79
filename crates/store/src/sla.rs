//! Versioned SLA policies: a row per policy with its newest version, and every version's body.

use chrono::{DateTime, Utc};
use domain::Scope;
use domain::list::{ListQuery, Page};
use domain::sla::policy::{PolicyFilter, PolicySpec, PolicyView, VersionInfo};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use sea_orm::sea_query::{Expr, ExprTrait, Query};

use crate::entities::{contract_items as ci, sla_policies as sp, sla_policy_versions as sv};
use crate::scope::{by_scope, col_in, unit_item_ids, vendor_item_ids};
use crate::{Conn, IN_CHUNK, Result, StoreError, Tx, corrupt, list};

/// A policy tied to a contract item, or named by one as its SLA policy, is seen by whoever sees
/// the item; any other (a draft) only by the bureau.
fn visible(scope: &Scope) -> Condition {
    let named_by = |items: sea_orm::sea_query::SelectStatement| {
        Query::select()
            .column((ci::Entity, ci::Column::SlaPolicyId))
            .from(ci::Entity)
            .and_where(Expr::col((ci::Entity, ci::Column::Id)).in_subquery(items))
            .and_where(Expr::col((ci::Entity, ci::Column::SlaPolicyId)).is_not_null())
            .to_owned()
    };
    by_scope(
        scope,
        |u| {
            Condition::any()
                .add(col_in(sp::Column::ContractItemId, unit_item_ids(u)))
                .add(col_in(sp::Column::Id, named_by(unit_item_ids(u))))
        },
        |v| {
            Condition::any()
                .add(col_in(sp::Column::ContractItemId, vendor_item_ids(v)))
                .add(col_in(sp::Column::Id, named_by(vendor_item_ids(v))))
        },
    )
}

fn spec_of(v: &sv::Model) -> Result<PolicySpec> {
    serde_json::from_str(&v.spec).map_err(|_| corrupt("sla_policy_versions.spec", &v.policy_id))
}

fn view(p: &sp::Model, v: &sv::Model) -> Result<PolicyView> {
    let mut spec = spec_of(v)?;
    if v.version == p.latest_version {
        // A deleted contract item leaves the policy unattached; the stored body still names it.
        spec.contract_item_id = p.contract_item_id.clone();
    }
    Ok(PolicyView {
        id: p.id.clone(),
        version: v.version,
        latest_version: p.latest_version,
        spec,
        created_at: p.created_at,
        updated_at: p.updated_at,
    })
}

pub async fn list(c: &impl Conn, scope: &Scope, q: &ListQuery, f: &PolicyFilter) -> Result<Page<PolicyView>> {
    let select = sp::Entity::find()
        .filter(visible(scope))
        .filter(list::eq_opt(sp::Column::ContractItemId, &f.contract_item_id))
        .filter(list::eq_opt(sp::Column::CalendarId, &f.calendar_id))
        .filter(list::search(&[sp::Column::Name], q.q.as_deref()));
    let sort = match q.sort.as_deref() {
        Some("created_at") => sp::Column::CreatedAt,
        Some("updated_at") => sp::Column::UpdatedAt,
        _ => sp::Column::Name,
    };
    let (rows, total) = list::page(c.conn(), select, q, sort, sp::Column::Id).await?;
    let mut versions = Vec::new();
    for chunk in rows.chunks(IN_CHUNK / 2) {
        let cond = chunk.iter().fold(Condition::any(), |cond, p| {
            cond.add(
                Condition::all()
                    .add(sv::Column::PolicyId.eq(p.id.clone()))
                    .add(sv::Column::Version.eq(p.latest_version)),
            )
        });
        versions.extend(sv::Entity::find().filter(cond).all(c.conn()).await?);
    }
    let items = rows
        .iter()
        .map(|p| {
            let v = versions.iter().find(|v| v.policy_id == p.id).ok_or_else(|| corrupt("sla_policies", &p.id))?;
            view(p, v)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Page { items, total, page: q.page, page_size: q.page_size })
}

/// A policy at `version` (default: the newest).
pub async fn get(c: &impl Conn, scope: &Scope, id: &str, version: Option<i32>) -> Result<Option<PolicyView>> {
    if let Some(version) = version {
        // A ticket's pinned version: one query (this is on every ticket page and write).
        let policy = sv::Entity::belongs_to(sp::Entity).from(sv::Column::PolicyId).to(sp::Column::Id).into();
        let row = sv::Entity::find_by_id((id.to_string(), version))
            .join(JoinType::InnerJoin, policy)
            .filter(visible(scope))
            .select_also(sp::Entity)
            .one(c.conn())
            .await?;
        return match row {
            Some((v, Some(p))) => view(&p, &v).map(Some),
            _ => Ok(None),
        };
    }
    let Some(p) = sp::Entity::find_by_id(id.to_string()).filter(visible(scope)).one(c.conn()).await? else {
        return Ok(None);
    };
    let v = sv::Entity::find_by_id((id.to_string(), version.unwrap_or(p.latest_version))).one(c.conn()).await?;
    v.map(|v| view(&p, &v)).transpose()
}

async fn add_version(
    tx: &Tx,
    id: &str,
    version: i32,
    spec: &PolicySpec,
    actor: Option<&str>,
    now: DateTime<Utc>,
) -> Result<sv::Model> {
    let body = serde_json::to_string(spec).map_err(|e| StoreError::db("encoding a policy", e))?;
    Ok(sv::ActiveModel {
        policy_id: Set(id.to_string()),
        version: Set(version),
        calendar_id: Set(spec.calendar_id.clone()),
        spec: Set(body),
        created_at: Set(now),
        created_by: Set(actor.map(str::to_string)),
    }
    .insert(tx.conn())
    .await?)
}

pub async fn insert(tx: &Tx, spec: &PolicySpec, actor: Option<&str>, now: DateTime<Utc>) -> Result<PolicyView> {
    let p = sp::ActiveModel {
        id: Set(crate::new_id()),
        name: Set(spec.name.clone()),
        calendar_id: Set(spec.calendar_id.clone()),
        contract_item_id: Set(spec.contract_item_id.clone()),
        latest_version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(tx.conn())
    .await?;
    let v = add_version(tx, &p.id, 1, spec, actor, now).await?;
    view(&p, &v)
}

/// Stores `spec` as the policy's next version.
pub async fn update(
    tx: &Tx,
    id: &str,
    spec: &PolicySpec,
    actor: Option<&str>,
    now: DateTime<Utc>,
) -> Result<PolicyView> {
    let p = sp::Entity::find_by_id(id.to_string()).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
    let version = p.latest_version + 1;
    let mut a: sp::ActiveModel = p.into();
    a.name = Set(spec.name.clone());
    a.calendar_id = Set(spec.calendar_id.clone());
    a.contract_item_id = Set(spec.contract_item_id.clone());
    a.latest_version = Set(version);
    a.updated_at = Set(now);
    let p = a.update(tx.conn()).await?;
    let v = add_version(tx, id, version, spec, actor, now).await?;
    view(&p, &v)
}

pub async fn delete(tx: &Tx, id: &str) -> Result<()> {
    let r = sp::Entity::delete_by_id(id.to_string()).exec(tx.conn()).await?;
    if r.rows_affected == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

pub async fn versions(c: &impl Conn, id: &str) -> Result<Vec<VersionInfo>> {
    let rows =
        sv::Entity::find().filter(sv::Column::PolicyId.eq(id)).order_by_desc(sv::Column::Version).all(c.conn()).await?;
    rows.iter()
        .map(|v| {
            Ok(VersionInfo {
                version: v.version,
                name: spec_of(v)?.name,
                created_at: v.created_at,
                created_by: v.created_by.clone(),
            })
        })
        .collect()
}

pub async fn count(c: &impl Conn) -> Result<u64> {
    Ok(sp::Entity::find().count(c.conn()).await?)
}
