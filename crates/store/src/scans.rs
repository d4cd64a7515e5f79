//! Imports of scanner output (each kept as a record of what a scan brought) and the saved
//! column mappings of spreadsheet exports (绿盟, 启明 and others), shared by everyone who
//! imports.

use chrono::{DateTime, Utc};
use domain::list::{ListQuery, Order, Page};
use domain::vulnerabilities::scans::{ScanImport, ScanMapping};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entities::{scan_mappings as sm, vulnerability_imports as vi};
use crate::scope::{by_scope, col_in, unit_system_ids, vendor_system_ids};
use crate::{Conn, Result, Tx, corrupt, crud};

fn import(m: vi::Model) -> Result<ScanImport> {
    Ok(ScanImport {
        counts: m
            .counts
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok())
            .ok_or_else(|| corrupt("vulnerability_imports.counts", &m.id))?,
        id: m.id,
        format: m.format,
        scanner: m.scanner,
        file_name: m.file_name,
        sha256: m.sha256,
        size: m.size,
        system_id: m.system_id,
        vendor_id: m.vendor_id,
        started_at: m.started_at,
        hosts: m.hosts,
        created_by: m.created_by,
        created_by_name: m.created_by_name,
        created_at: m.created_at,
    })
}

/// A unit sees the imports of one of its systems; a vendor those of its systems and those its
/// staff made; anyone the imports they made.
fn visible(scope: &domain::Scope, user_id: &str) -> Condition {
    let mine = Condition::all().add(vi::Column::CreatedBy.eq(user_id));
    by_scope(
        scope,
        |u| Condition::any().add(col_in(vi::Column::SystemId, unit_system_ids(u))).add(mine.clone()),
        |v| {
            Condition::any()
                .add(col_in(vi::Column::SystemId, vendor_system_ids(v)))
                .add(vi::Column::VendorId.eq(v))
                .add(mine.clone())
        },
    )
}

pub async fn insert_import(tx: &Tx, i: &ScanImport) -> Result<()> {
    vi::ActiveModel {
        id: Set(i.id.clone()),
        format: Set(i.format.clone()),
        scanner: Set(i.scanner.clone()),
        file_name: Set(i.file_name.clone()),
        sha256: Set(i.sha256.clone()),
        size: Set(i.size),
        system_id: Set(i.system_id.clone()),
        vendor_id: Set(i.vendor_id.clone()),
        started_at: Set(i.started_at),
        hosts: Set(i.hosts),
        counts: Set(Some(serde_json::to_string(&i.counts).unwrap_or_default())),
        created_by: Set(i.created_by.clone()),
        created_by_name: Set(i.created_by_name.clone()),
        created_at: Set(i.created_at),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

pub async fn get_import(c: &impl Conn, scope: &domain::Scope, user_id: &str, id: &str) -> Result<Option<ScanImport>> {
    crud::get::<vi::Entity>(c, visible(scope, user_id), id).await?.map(import).transpose()
}

pub async fn list_imports(
    c: &impl Conn,
    scope: &domain::Scope,
    user_id: &str,
    q: &ListQuery,
    system_id: Option<&str>,
) -> Result<Page<ScanImport>> {
    let mut select = vi::Entity::find()
        .filter(visible(scope, user_id))
        .filter(crate::list::search(&[vi::Column::FileName, vi::Column::CreatedByName], q.q.as_deref()));
    if let Some(s) = system_id {
        select = select.filter(vi::Column::SystemId.eq(s));
    }
    let q = ListQuery { order: Order::Desc, ..q.clone() };
    crud::page(c, select, &q, vi::Column::CreatedAt, vi::Column::Id, import).await
}

fn mapping(m: sm::Model) -> Result<ScanMapping> {
    Ok(ScanMapping {
        mapping: m
            .mapping
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .ok_or_else(|| corrupt("scan_mappings.mapping", &m.id))?,
        id: m.id,
        name: m.name,
        created_by: m.created_by,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

pub async fn mappings(c: &impl Conn) -> Result<Vec<ScanMapping>> {
    sm::Entity::find().order_by_asc(sm::Column::Name).limit(500).all(c.conn()).await?.into_iter().map(mapping).collect()
}

pub async fn get_mapping(c: &impl Conn, id: &str) -> Result<Option<ScanMapping>> {
    sm::Entity::find_by_id(id.to_string()).one(c.conn()).await?.map(mapping).transpose()
}

/// Stores a mapping; a second one of the same name is a unique-key conflict.
pub async fn insert_mapping(tx: &Tx, m: &ScanMapping) -> Result<()> {
    sm::ActiveModel {
        id: Set(m.id.clone()),
        name: Set(m.name.clone()),
        mapping: Set(Some(serde_json::to_string(&m.mapping).unwrap_or_default())),
        created_by: Set(m.created_by.clone()),
        created_at: Set(m.created_at),
        updated_at: Set(m.updated_at),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

pub async fn update_mapping(tx: &Tx, m: &ScanMapping, at: DateTime<Utc>) -> Result<()> {
    let mut a: sm::ActiveModel = crud::existing::<sm::Entity>(tx, &m.id).await?.into();
    a.name = Set(m.name.clone());
    a.mapping = Set(Some(serde_json::to_string(&m.mapping).unwrap_or_default()));
    a.updated_at = Set(at);
    a.update(tx.conn()).await?;
    Ok(())
}

pub async fn delete_mapping(tx: &Tx, id: &str) -> Result<()> {
    crud::delete::<sm::Entity>(tx, id).await
}

/// The imports made in `[start, end)` that named one of `systems` or are among `ids`, oldest
/// first.
pub async fn imports_between(
    c: &impl Conn,
    systems: &[String],
    ids: &[String],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Vec<ScanImport>> {
    let mut which = Condition::any().add(vi::Column::SystemId.is_in(systems.to_vec()));
    for chunk in ids.chunks(500) {
        which = which.add(vi::Column::Id.is_in(chunk.to_vec()));
    }
    vi::Entity::find()
        .filter(which)
        .filter(vi::Column::CreatedAt.gte(start))
        .filter(vi::Column::CreatedAt.lt(end))
        .order_by_asc(vi::Column::CreatedAt)
        .limit(10_000)
        .all(c.conn())
        .await?
        .into_iter()
        .map(import)
        .collect()
}
