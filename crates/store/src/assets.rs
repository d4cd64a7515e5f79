//! Assets: devices, links, domains, certificates, licences.

use chrono::{DateTime, NaiveDate, Utc};
use domain::Scope;
use domain::list::{ListQuery, Page};
use domain::registry::lists::assets::AssetFilter;
use domain::registry::{Asset, AssetFields, AssetKind};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set};

use crate::entities::assets;
use crate::scope::{by_scope, col_in, vendor_system_ids};
use crate::{Conn, Result, Tx, corrupt, crud, list};

fn to_domain(m: assets::Model) -> Result<Asset> {
    Ok(Asset {
        kind: AssetKind::parse(&m.kind).ok_or_else(|| corrupt("assets.kind", &m.kind))?,
        id: m.id,
        name: m.name,
        model: m.model,
        serial: m.serial,
        location: m.location,
        system_id: m.system_id,
        unit_id: m.unit_id,
        warranty_end: m.warranty_end,
        expires_on: m.expires_on,
        notes: m.notes,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

pub(crate) fn visible(scope: &Scope) -> Condition {
    by_scope(
        scope,
        |u| Condition::all().add(assets::Column::UnitId.eq(u)),
        |v| col_in(assets::Column::SystemId, vendor_system_ids(v)),
    )
}

pub async fn get(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<Asset>> {
    crud::get::<assets::Entity>(c, visible(scope), id).await?.map(to_domain).transpose()
}

fn filtered(scope: &Scope, q: &ListQuery, f: &AssetFilter) -> sea_orm::Select<assets::Entity> {
    let mut select = assets::Entity::find()
        .filter(visible(scope))
        .filter(list::eq_opt(assets::Column::Kind, &f.kind))
        .filter(list::eq_opt(assets::Column::SystemId, &f.system_id))
        .filter(list::eq_opt(assets::Column::UnitId, &f.unit_id))
        .filter(list::search(
            &[assets::Column::Name, assets::Column::Model, assets::Column::Serial, assets::Column::Location],
            q.q.as_deref(),
        ));
    if f.expiring_from.is_some() || f.expiring_before.is_some() {
        select = select.filter(expiring(f.expiring_from, f.expiring_before));
    }
    select
}

pub async fn list(c: &impl Conn, scope: &Scope, q: &ListQuery, f: &AssetFilter) -> Result<Page<Asset>> {
    use assets::Column as C;
    let keys = [
        ("kind", C::Kind),
        ("warranty_end", C::WarrantyEnd),
        ("expires_on", C::ExpiresOn),
        ("created_at", C::CreatedAt),
        ("updated_at", C::UpdatedAt),
    ];
    crud::page(c, filtered(scope, q, f), q, crud::sort_column(q, &keys, C::Name), C::Id, to_domain).await
}

/// The warranty end or the licence/certificate expiry falls within `[from, to]`.
fn expiring(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Condition {
    let within = |col: assets::Column| {
        let mut c = Condition::all().add(col.is_not_null());
        if let Some(f) = from {
            c = c.add(col.gte(f));
        }
        if let Some(t) = to {
            c = c.add(col.lte(t));
        }
        c
    };
    Condition::any().add(within(assets::Column::WarrantyEnd)).add(within(assets::Column::ExpiresOn))
}

/// Assets whose warranty or expiry falls within `[from, to]`, as the list filter counts them.
pub async fn count_expiring(
    c: &impl Conn,
    scope: &Scope,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<u64> {
    Ok(assets::Entity::find().filter(visible(scope)).filter(expiring(from, to)).count(c.conn()).await?)
}

fn active(f: &AssetFields) -> assets::ActiveModel {
    assets::ActiveModel {
        name: Set(f.name.clone()),
        kind: Set(f.kind.as_str().to_string()),
        model: Set(f.model.clone()),
        serial: Set(f.serial.clone()),
        location: Set(f.location.clone()),
        system_id: Set(f.system_id.clone()),
        unit_id: Set(f.unit_id.clone()),
        warranty_end: Set(f.warranty_end),
        expires_on: Set(f.expires_on),
        notes: Set(f.notes.clone()),
        ..Default::default()
    }
}

/// Every asset's id and serial number, for matching import rows in memory.
pub async fn serials(c: &impl Conn) -> Result<Vec<(String, Option<String>)>> {
    Ok(assets::Entity::find()
        .select_only()
        .column(assets::Column::Id)
        .column(assets::Column::Serial)
        .into_tuple()
        .all(c.conn())
        .await?)
}

pub async fn insert(tx: &Tx, f: &AssetFields, now: DateTime<Utc>) -> Result<Asset> {
    let mut m = active(f);
    m.id = Set(crate::new_id());
    m.created_at = Set(now);
    m.updated_at = Set(now);
    to_domain(m.insert(tx.conn()).await?)
}

pub async fn update(tx: &Tx, id: &str, f: &AssetFields, now: DateTime<Utc>) -> Result<Asset> {
    let existing = crud::existing::<assets::Entity>(tx, id).await?;
    let mut m = active(f);
    m.id = sea_orm::Unchanged(existing.id);
    m.created_at = sea_orm::Unchanged(existing.created_at);
    m.updated_at = Set(now);
    to_domain(m.update(tx.conn()).await?)
}

pub async fn delete(tx: &Tx, id: &str) -> Result<()> {
    crud::delete::<assets::Entity>(tx, id).await
}

/// Moves every asset linked to `system_id` to `unit_id` (the system changed owner); returns the
/// assets before and after, for the audit trail.
pub async fn follow_system(tx: &Tx, system_id: &str, unit_id: &str, now: DateTime<Utc>) -> Result<Vec<(Asset, Asset)>> {
    let rows = assets::Entity::find().filter(assets::Column::SystemId.eq(system_id)).all(tx.conn()).await?;
    let mut out = Vec::new();
    for m in rows {
        if m.unit_id.as_deref() == Some(unit_id) {
            continue;
        }
        let before = to_domain(m.clone())?;
        let mut a: assets::ActiveModel = m.into();
        a.unit_id = Set(Some(unit_id.to_string()));
        a.updated_at = Set(now);
        out.push((before, to_domain(a.update(tx.conn()).await?)?));
    }
    Ok(out)
}
