//! O&M contracts (运维合同) and their items (分项).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::Scope;
use domain::list::{ListQuery, Page};
use domain::registry::coverage::Coverage;
use domain::registry::lists::contracts::ContractFilter;
use domain::registry::{Contract, ContractFields, ContractItem, ContractItemFields, Milestone};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entities::{contract_item_systems as cis, contract_items as ci, contracts};
use crate::scope::{by_scope, col_in, unit_contract_ids, unit_item_ids, unit_system_ids};
use crate::{Conn, IN_CHUNK, Result, StoreError, Tx, corrupt, list};

pub(crate) fn visible(scope: &Scope) -> Condition {
    by_scope(
        scope,
        |u| col_in(contracts::Column::Id, unit_contract_ids(u)),
        |v| Condition::all().add(contracts::Column::VendorId.eq(v)),
    )
}

/// Inside a visible contract a unit sees only the items, and the systems, that are its own.
fn visible_items(scope: &Scope) -> Condition {
    match scope {
        Scope::Unit(u) => col_in(ci::Column::Id, unit_item_ids(u)),
        _ => Condition::all(),
    }
}

fn visible_item_systems(scope: &Scope) -> Condition {
    match scope {
        Scope::Unit(u) => col_in(cis::Column::SystemId, unit_system_ids(u)),
        _ => Condition::all(),
    }
}

async fn items_of(c: &impl Conn, scope: &Scope, contract_ids: Vec<String>) -> Result<Vec<ContractItem>> {
    // An export may name many thousands of contracts: bound each `IN` list well below the
    // databases' parameter limits (PostgreSQL: 65 535).
    let mut items = Vec::new();
    for ids in contract_ids.chunks(IN_CHUNK) {
        items.extend(
            ci::Entity::find()
                .filter(ci::Column::ContractId.is_in(ids.iter().cloned()))
                .filter(visible_items(scope))
                .order_by_asc(ci::Column::Position)
                .all(c.conn())
                .await?,
        );
    }
    let mut links = Vec::new();
    for chunk in items.chunks(IN_CHUNK) {
        links.extend(
            cis::Entity::find()
                .filter(cis::Column::ItemId.is_in(chunk.iter().map(|i| i.id.clone())))
                .filter(visible_item_systems(scope))
                .order_by_asc(cis::Column::SystemId)
                .all(c.conn())
                .await?,
        );
    }
    let mut systems: HashMap<String, Vec<String>> = HashMap::new();
    for l in links {
        systems.entry(l.item_id).or_default().push(l.system_id);
    }
    items
        .into_iter()
        .map(|m| {
            let milestones: Vec<Milestone> =
                serde_json::from_str(&m.milestones).map_err(|_| corrupt("contract_items.milestones", &m.milestones))?;
            Ok(ContractItem {
                system_ids: systems.remove(&m.id).unwrap_or_default(),
                id: m.id,
                contract_id: m.contract_id,
                name: m.name,
                budget_fen: m.budget_fen,
                start_date: m.start_date,
                end_date: m.end_date,
                milestones,
                notes: m.notes,
                sla_policy_id: m.sla_policy_id,
                vulnerability_policy_id: m.vulnerability_policy_id,
                counted_causes: serde_json::from_str(&m.counted_causes)
                    .map_err(|_| corrupt("contract_items.counted_causes", &m.counted_causes))?,
                availability_target: m.availability_target,
                default_assignee_id: m.default_assignee_id,
                assign_to_duty: m.assign_to_duty,
                targets: serde_json::from_str(&m.targets).map_err(|_| corrupt("contract_items.targets", &m.targets))?,
            })
        })
        .collect()
}

async fn assemble(c: &impl Conn, scope: &Scope, rows: Vec<contracts::Model>) -> Result<Vec<Contract>> {
    let mut items = items_of(c, scope, rows.iter().map(|r| r.id.clone()).collect()).await?;
    Ok(rows
        .into_iter()
        .map(|m| {
            let (mine, rest): (Vec<_>, Vec<_>) =
                std::mem::take(&mut items).into_iter().partition(|i| i.contract_id == m.id);
            items = rest;
            Contract {
                total_fen: mine.iter().map(|i| i.budget_fen).sum(),
                items: mine,
                id: m.id,
                name: m.name,
                code: m.code,
                vendor_id: m.vendor_id,
                signed_on: m.signed_on,
                notes: m.notes,
                created_at: m.created_at,
                updated_at: m.updated_at,
            }
        })
        .collect())
}

pub async fn get(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<Contract>> {
    let Some(m) = contracts::Entity::find_by_id(id.to_string()).filter(visible(scope)).one(c.conn()).await? else {
        return Ok(None);
    };
    Ok(assemble(c, scope, vec![m]).await?.pop())
}

pub async fn list(c: &impl Conn, scope: &Scope, q: &ListQuery, f: &ContractFilter) -> Result<Page<Contract>> {
    let select = contracts::Entity::find()
        .filter(visible(scope))
        .filter(list::eq_opt(contracts::Column::VendorId, &f.vendor_id))
        .filter(list::search(&[contracts::Column::Name, contracts::Column::Code], q.q.as_deref()));
    let sort = match q.sort.as_deref() {
        Some("code") => contracts::Column::Code,
        Some("signed_on") => contracts::Column::SignedOn,
        Some("created_at") => contracts::Column::CreatedAt,
        Some("updated_at") => contracts::Column::UpdatedAt,
        _ => contracts::Column::Name,
    };
    let (rows, total) = list::page(c.conn(), select, q, sort, contracts::Column::Id).await?;
    let items = assemble(c, scope, rows).await?;
    Ok(Page { items, total, page: q.page, page_size: q.page_size })
}

fn item_active(contract_id: &str, position: i32, f: &ContractItemFields) -> ci::ActiveModel {
    ci::ActiveModel {
        id: Set(crate::new_id()),
        contract_id: Set(contract_id.to_string()),
        position: Set(position),
        name: Set(f.name.clone()),
        budget_fen: Set(f.budget_fen),
        start_date: Set(f.start_date),
        end_date: Set(f.end_date),
        milestones: Set(serde_json::to_string(&f.milestones).unwrap_or_else(|_| "[]".into())),
        notes: Set(f.notes.clone()),
        sla_policy_id: Set(f.sla_policy_id.clone()),
        vulnerability_policy_id: Set(f.vulnerability_policy_id.clone()),
        counted_causes: Set(serde_json::to_string(&f.counted_causes).unwrap_or_else(|_| "[]".into())),
        availability_target: Set(f.availability_target),
        default_assignee_id: Set(f.default_assignee_id.clone()),
        assign_to_duty: Set(f.assign_to_duty),
        targets: Set(serde_json::to_string(&f.targets).unwrap_or_else(|_| "[]".into())),
    }
}

async fn link_systems(tx: &Tx, item_id: &str, system_ids: &[String]) -> Result<()> {
    cis::Entity::delete_many().filter(cis::Column::ItemId.eq(item_id)).exec(tx.conn()).await?;
    if system_ids.is_empty() {
        return Ok(());
    }
    let rows =
        system_ids.iter().map(|s| cis::ActiveModel { item_id: Set(item_id.to_string()), system_id: Set(s.clone()) });
    cis::Entity::insert_many(rows).exec(tx.conn()).await?;
    Ok(())
}

/// Inserts or updates (when `f.id` names an item of this contract) one item at `position`.
async fn put_item(tx: &Tx, contract_id: &str, position: i32, f: &ContractItemFields) -> Result<String> {
    let mut m = item_active(contract_id, position, f);
    let id = match &f.id {
        Some(id) => {
            let found = ci::Entity::find_by_id(id.clone())
                .filter(ci::Column::ContractId.eq(contract_id))
                .one(tx.conn())
                .await?;
            if found.is_none() {
                return Err(StoreError::NotFound);
            }
            m.id = sea_orm::Unchanged(id.clone());
            m.update(tx.conn()).await?;
            id.clone()
        }
        None => m.insert(tx.conn()).await?.id,
    };
    link_systems(tx, &id, &f.system_ids).await?;
    Ok(id)
}

pub async fn insert(tx: &Tx, f: &ContractFields, now: DateTime<Utc>) -> Result<Contract> {
    let id = crate::new_id();
    contracts::ActiveModel {
        id: Set(id.clone()),
        name: Set(f.name.clone()),
        code: Set(f.code.clone()),
        vendor_id: Set(f.vendor_id.clone()),
        signed_on: Set(f.signed_on),
        notes: Set(f.notes.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(tx.conn())
    .await?;
    for (i, item) in f.items.iter().enumerate() {
        let fresh = ContractItemFields { id: None, ..item.clone() };
        put_item(tx, &id, i as i32, &fresh).await?;
    }
    get(tx, &Scope::All, &id).await?.ok_or(StoreError::NotFound)
}

/// Replaces the contract's fields and items: items with a known id are updated in place (their
/// ids stay stable), items without one are added, and items left out are removed.
pub async fn update(tx: &Tx, id: &str, f: &ContractFields, now: DateTime<Utc>) -> Result<Contract> {
    let existing = contracts::Entity::find_by_id(id.to_string()).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
    let mut m: contracts::ActiveModel = existing.into();
    m.name = Set(f.name.clone());
    m.code = Set(f.code.clone());
    m.vendor_id = Set(f.vendor_id.clone());
    m.signed_on = Set(f.signed_on);
    m.notes = Set(f.notes.clone());
    m.updated_at = Set(now);
    m.update(tx.conn()).await?;
    let keep: Vec<String> = f.items.iter().filter_map(|i| i.id.clone()).collect();
    ci::Entity::delete_many()
        .filter(ci::Column::ContractId.eq(id))
        .filter(ci::Column::Id.is_not_in(keep))
        .exec(tx.conn())
        .await?;
    for (i, item) in f.items.iter().enumerate() {
        put_item(tx, id, i as i32, item).await?;
    }
    get(tx, &Scope::All, id).await?.ok_or(StoreError::NotFound)
}

pub async fn delete(tx: &Tx, id: &str) -> Result<()> {
    let r = contracts::Entity::delete_by_id(id.to_string()).exec(tx.conn()).await?;
    if r.rows_affected == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Adds one item at the end of a contract.
pub async fn add_item(tx: &Tx, contract_id: &str, f: &ContractItemFields) -> Result<ContractItem> {
    let position = ci::Entity::find()
        .filter(ci::Column::ContractId.eq(contract_id))
        .order_by_desc(ci::Column::Position)
        .one(tx.conn())
        .await?
        .map_or(0, |m| m.position + 1);
    let id = put_item(tx, contract_id, position, &ContractItemFields { id: None, ..f.clone() }).await?;
    get_item(tx, &Scope::All, contract_id, &id).await?.ok_or(StoreError::NotFound)
}

/// Updates one item, keeping its position.
pub async fn update_item(tx: &Tx, contract_id: &str, item_id: &str, f: &ContractItemFields) -> Result<ContractItem> {
    let existing = ci::Entity::find_by_id(item_id.to_string())
        .filter(ci::Column::ContractId.eq(contract_id))
        .one(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let fields = ContractItemFields { id: Some(item_id.to_string()), ..f.clone() };
    put_item(tx, contract_id, existing.position, &fields).await?;
    get_item(tx, &Scope::All, contract_id, item_id).await?.ok_or(StoreError::NotFound)
}

pub async fn delete_item(tx: &Tx, contract_id: &str, item_id: &str) -> Result<()> {
    let r = ci::Entity::delete_many()
        .filter(ci::Column::Id.eq(item_id))
        .filter(ci::Column::ContractId.eq(contract_id))
        .exec(tx.conn())
        .await?;
    if r.rows_affected == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

pub async fn get_item(c: &impl Conn, scope: &Scope, contract_id: &str, item_id: &str) -> Result<Option<ContractItem>> {
    if get(c, scope, contract_id).await?.is_none() {
        return Ok(None);
    }
    let items = items_of(c, scope, vec![contract_id.to_string()]).await?;
    Ok(items.into_iter().find(|i| i.id == item_id))
}

/// Whether a contract item with this id exists (for references from other records).
pub async fn item_exists(c: &impl Conn, id: &str) -> Result<bool> {
    Ok(ci::Entity::find_by_id(id.to_string()).one(c.conn()).await?.is_some())
}

pub async fn count(c: &impl Conn, scope: &Scope) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    Ok(contracts::Entity::find().filter(visible(scope)).count(c.conn()).await?)
}

/// Every contract item that covers `system_id`.
pub async fn coverage(c: &impl Conn, system_id: &str) -> Result<Vec<Coverage>> {
    let links = cis::Entity::find().filter(cis::Column::SystemId.eq(system_id)).all(c.conn()).await?;
    let items = ci::Entity::find()
        .filter(ci::Column::Id.is_in(links.into_iter().map(|l| l.item_id).take(IN_CHUNK)))
        .all(c.conn())
        .await?;
    let mut out = Vec::new();
    for m in items {
        let Some(k) = contracts::Entity::find_by_id(m.contract_id.clone()).one(c.conn()).await? else { continue };
        out.push(Coverage {
            counted_causes: serde_json::from_str(&m.counted_causes)
                .map_err(|_| corrupt("contract_items.counted_causes", &m.id))?,
            item_id: m.id,
            contract_id: k.id,
            vendor_id: k.vendor_id,
            start_date: m.start_date,
            end_date: m.end_date,
            sla_policy_id: m.sla_policy_id,
            vulnerability_policy_id: m.vulnerability_policy_id,
            availability_target: m.availability_target,
            default_assignee_id: m.default_assignee_id,
            assign_to_duty: m.assign_to_duty,
        });
    }
    Ok(out)
}

/// Counted causes of an item (for a ticket's outage), if the item still exists.
pub async fn counted_causes(c: &impl Conn, item_id: &str) -> Result<Option<Vec<domain::tickets::Cause>>> {
    let Some(m) = ci::Entity::find_by_id(item_id.to_string()).one(c.conn()).await? else { return Ok(None) };
    Ok(Some(serde_json::from_str(&m.counted_causes).map_err(|_| corrupt("contract_items.counted_causes", &m.id))?))
}

/// Detaches a deleted policy from the items that named it.
pub async fn detach_policy(tx: &Tx, policy_id: &str) -> Result<()> {
    use sea_orm::sea_query::Expr;
    ci::Entity::update_many()
        .col_expr(ci::Column::SlaPolicyId, Expr::value(Option::<String>::None))
        .filter(ci::Column::SlaPolicyId.eq(policy_id))
        .exec(tx.conn())
        .await?;
    Ok(())
}
