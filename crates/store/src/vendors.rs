//! Vendors (供应商).

use chrono::{DateTime, Utc};
use domain::Scope;
use domain::list::{ListQuery, Page};
use domain::registry::{Vendor, VendorFields};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, Set};

use crate::entities::{contracts, users, vendors};
use crate::scope::{by_scope, col_in, unit_vendor_ids};
use crate::{Conn, Result, Tx, crud, list};

fn to_domain(c: &impl Conn, m: vendors::Model) -> Result<Vendor> {
    let contact_phone = c.fields().open(m.contact_phone, "vendors.contact_phone")?;
    Ok(Vendor {
        id: m.id,
        name: m.name,
        credit_code: m.credit_code,
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
        |u| col_in(vendors::Column::Id, unit_vendor_ids(u)),
        |v| Condition::all().add(vendors::Column::Id.eq(v)),
    )
}

pub async fn get(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<Vendor>> {
    crud::get::<vendors::Entity>(c, visible(scope), id).await?.map(|m| to_domain(c, m)).transpose()
}

pub async fn find_by_name(c: &impl Conn, name: &str) -> Result<Option<Vendor>> {
    let m = vendors::Entity::find().filter(vendors::Column::Name.eq(name)).one(c.conn()).await?;
    m.map(|m| to_domain(c, m)).transpose()
}

pub async fn list(c: &impl Conn, scope: &Scope, q: &ListQuery) -> Result<Page<Vendor>> {
    use vendors::Column as C;
    let select =
        vendors::Entity::find().filter(visible(scope)).filter(list::search(&[C::Name, C::CreditCode], q.q.as_deref()));
    let sort = crud::sort_column(q, &[("created_at", C::CreatedAt), ("updated_at", C::UpdatedAt)], C::Name);
    crud::page(c, select, q, sort, C::Id, |m| to_domain(c, m)).await
}

pub async fn insert(tx: &Tx, f: &VendorFields, now: DateTime<Utc>) -> Result<Vendor> {
    let m = vendors::ActiveModel {
        id: Set(crate::new_id()),
        name: Set(f.name.clone()),
        credit_code: Set(f.credit_code.clone()),
        contact_name: Set(f.contact_name.clone()),
        contact_phone: Set(tx.fields().seal(f.contact_phone.as_deref())?),
        address: Set(f.address.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    to_domain(tx, m.insert(tx.conn()).await?)
}

pub async fn update(tx: &Tx, id: &str, f: &VendorFields, now: DateTime<Utc>) -> Result<Vendor> {
    let mut m: vendors::ActiveModel = crud::existing::<vendors::Entity>(tx, id).await?.into();
    m.name = Set(f.name.clone());
    m.credit_code = Set(f.credit_code.clone());
    m.contact_name = Set(f.contact_name.clone());
    m.contact_phone = Set(tx.fields().seal(f.contact_phone.as_deref())?);
    m.address = Set(f.address.clone());
    m.updated_at = Set(now);
    to_domain(tx, m.update(tx.conn()).await?)
}

pub async fn delete(tx: &Tx, id: &str) -> Result<()> {
    crud::delete::<vendors::Entity>(tx, id).await
}

/// What still refers to a vendor: contracts and staff.
pub async fn dependents(c: &impl Conn, id: &str) -> Result<(u64, u64)> {
    Ok((
        crud::refs::<contracts::Entity>(c, contracts::Column::VendorId, id).await?,
        crud::refs::<users::Entity>(c, users::Column::VendorId, id).await?,
    ))
}
