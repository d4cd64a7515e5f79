//! Report definitions: which reports a contract owes. At most one per contract, kind and scope.

use chrono::{DateTime, Utc};
use domain::reports::templates::{DefinitionSpec, ReportDefinition};
use domain::reports::{ReportKind, ReportScope};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entities::report_definitions as d;
use crate::{Conn, Result, StoreError, Tx};

fn corrupt(id: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("report definition {id}: {e}"))
}

fn definition(m: d::Model) -> Result<ReportDefinition> {
    let spec = DefinitionSpec {
        name: m.name,
        kind: ReportKind::parse(&m.kind).ok_or_else(|| corrupt(&m.id, "kind"))?,
        anchor: m.anchor,
        scope: ReportScope::parse(&m.scope).ok_or_else(|| corrupt(&m.id, "scope"))?,
        scope_id: (!m.scope_id.is_empty()).then_some(m.scope_id),
        due: serde_json::from_str(&m.due).map_err(|e| corrupt(&m.id, e))?,
        sections: serde_json::from_str(&m.sections).map_err(|e| corrupt(&m.id, e))?,
        auto: m.auto,
    };
    Ok(ReportDefinition {
        id: m.id,
        contract_id: m.contract_id,
        spec,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn model(id: &str, contract_id: &str, s: &DefinitionSpec, by: &str, now: DateTime<Utc>) -> Result<d::ActiveModel> {
    Ok(d::ActiveModel {
        id: Set(id.into()),
        contract_id: Set(contract_id.into()),
        name: Set(s.name.clone()),
        kind: Set(s.kind.as_str().into()),
        anchor: Set(s.anchor),
        scope: Set(s.scope.as_str().into()),
        scope_id: Set(s.scope_id.clone().unwrap_or_default()),
        due: Set(serde_json::to_string(&s.due).map_err(|e| corrupt(id, e))?),
        sections: Set(serde_json::to_string(&s.sections).map_err(|e| corrupt(id, e))?),
        auto: Set(s.auto),
        created_by: Set(by.into()),
        created_at: Set(now),
        updated_at: Set(now),
    })
}

/// A new definition; `Conflict` when the contract has one of this kind over this scope.
pub async fn insert(
    tx: &Tx,
    id: &str,
    contract_id: &str,
    s: &DefinitionSpec,
    by: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    model(id, contract_id, s, by, now)?.insert(tx.conn()).await?;
    Ok(())
}

/// Replaces a definition's spec (keeping who made it and when).
pub async fn update(tx: &Tx, id: &str, s: &DefinitionSpec, now: DateTime<Utc>) -> Result<()> {
    let old = crate::crud::existing::<d::Entity>(tx, id).await?;
    let mut m = model(id, &old.contract_id, s, &old.created_by, old.created_at)?;
    m.updated_at = Set(now);
    m.update(tx.conn()).await?;
    Ok(())
}

pub async fn delete(tx: &Tx, id: &str) -> Result<()> {
    crate::crud::delete::<d::Entity>(tx, id).await
}

pub async fn get(c: &impl Conn, id: &str) -> Result<Option<ReportDefinition>> {
    d::Entity::find_by_id(id.to_string()).one(c.conn()).await?.map(definition).transpose()
}

pub async fn of_contract(c: &impl Conn, contract_id: &str) -> Result<Vec<ReportDefinition>> {
    let rows = d::Entity::find()
        .filter(d::Column::ContractId.eq(contract_id))
        .order_by_asc(d::Column::Kind)
        .order_by_asc(d::Column::Id)
        .all(c.conn())
        .await?;
    rows.into_iter().map(definition).collect()
}

/// Every definition whose drafts the job generates.
pub async fn automatic(c: &impl Conn) -> Result<Vec<ReportDefinition>> {
    let rows = d::Entity::find().filter(d::Column::Auto.eq(true)).order_by_asc(d::Column::Id).all(c.conn()).await?;
    rows.into_iter().map(definition).collect()
}
