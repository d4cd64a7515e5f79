//! Units (单位).

use chrono::{DateTime, Utc};
use domain::Scope;
use domain::list::{ListQuery, Page};
use domain::registry::{Unit, UnitFields};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, Set};

use crate::entities::{assets, systems, units, users};
use crate::scope::{by_scope, col_in, vendor_unit_ids};
use crate::{Conn, Result, Tx, crud, list};

fn to_domain(c: &impl Conn, m: units::Model) -> Result<Unit> {
    let contact_phone = c.fields().open(m.contact_phone, "units.contact_phone")?;
    Ok(Unit {
        id: m.id,
        name: m.name,
        short_name: m.short_name,
        contact_name: m.contact_name,
        contact_phone,
        address: m.address,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

pub(crate) fn visible(scope: &Scope) -> Condition {
    by_scope(
        scope,
        |u| Condition::all().add(units::Column::Id.eq(u)),
        |v| col_in(units::Column::Id, vendor_unit_ids(v)),
    )
}

pub async fn get(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<Unit>> {
    crud::get::<units::Entity>(c, visible(scope), id).await?.map(|m| to_domain(c, m)).transpose()
}

pub async fn find_by_name(c: &impl Conn, name: &str) -> Result<Option<Unit>> {
    let m = units::Entity::find().filter(units::Column::Name.eq(name)).one(c.conn()).await?;
    m.map(|m| to_domain(c, m)).transpose()
}

pub async fn list(c: &impl Conn, scope: &Scope, q: &ListQuery) -> Result<Page<Unit>> {
    use units::Column as C;
    let select =
        units::Entity::find().filter(visible(scope)).filter(list::search(&[C::Name, C::ShortName], q.q.as_deref()));
    let sort = crud::sort_column(q, &[("created_at", C::CreatedAt), ("updated_at", C::UpdatedAt)], C::Name);
    crud::page(c, select, q, sort, C::Id, |m| to_domain(c, m)).await
}

pub async fn insert(tx: &Tx, f: &UnitFields, now: DateTime<Utc>) -> Result<Unit> {
    let m = units::ActiveModel {
        id: Set(crate::new_id()),
        name: Set(f.name.clone()),
        short_name: Set(f.short_name.clone()),
        contact_name: Set(f.contact_name.clone()),
        contact_phone: Set(tx.fields().seal(f.contact_phone.as_deref())?),
        address: Set(f.address.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    to_domain(tx, m.insert(tx.conn()).await?)
}

pub async fn update(tx: &Tx, id: &str, f: &UnitFields, now: DateTime<Utc>) -> Result<Unit> {
    let mut m: units::ActiveModel = crud::existing::<units::Entity>(tx, id).await?.into();
    m.name = Set(f.name.clone());
    m.short_name = Set(f.short_name.clone());
    m.contact_name = Set(f.contact_name.clone());
    m.contact_phone = Set(tx.fields().seal(f.contact_phone.as_deref())?);
    m.address = Set(f.address.clone());
    m.updated_at = Set(now);
    to_domain(tx, m.update(tx.conn()).await?)
}

pub async fn delete(tx: &Tx, id: &str) -> Result<()> {
    crud::delete::<units::Entity>(tx, id).await
}

/// What still refers to a unit: systems, users, assets.
pub async fn dependents(c: &impl Conn, id: &str) -> Result<(u64, u64, u64)> {
    Ok((
        crud::refs::<systems::Entity>(c, systems::Column::UnitId, id).await?,
        crud::refs::<users::Entity>(c, users::Column::UnitId, id).await?,
        crud::refs::<assets::Entity>(c, assets::Column::UnitId, id).await?,
    ))
}

pub async fn count(c: &impl Conn, scope: &Scope) -> Result<u64> {
    Ok(units::Entity::find().filter(visible(scope)).count(c.conn()).await?)
}
