//! Vendors (供应商).

use chrono::{DateTime, Utc};
use domain::Scope;
use domain::list::{ListQuery, Page};
use domain::registry::{Vendor, VendorFields};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, Set};

use crate::entities::{contracts, users, vendors};
use crate::scope::{by_scope, col_in, unit_vendor_ids};
use crate::{Conn, Result, StoreError, Tx, list};

fn to_domain(m: vendors::Model) -> Vendor {
    Vendor {
        id: m.id,
        name: m.name,
        credit_code: m.credit_code,
        contact_name: m.contact_name,
        contact_phone: m.contact_phone,
        address: m.address,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

pub(crate) fn visible(scope: &Scope) -> Condition {
    by_scope(
        scope,
        |u| col_in(vendors::Column::Id, unit_vendor_ids(u)),
        |v| Condition::all().add(vendors::Column::Id.eq(v)),
    )
}

pub async fn get(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<Vendor>> {
    let m = vendors::Entity::find_by_id(id.to_string()).filter(visible(scope)).one(c.conn()).await?;
    Ok(m.map(to_domain))
}

pub async fn find_by_name(c: &impl Conn, name: &str) -> Result<Option<Vendor>> {
    let m = vendors::Entity::find().filter(vendors::Column::Name.eq(name)).one(c.conn()).await?;
    Ok(m.map(to_domain))
}

pub async fn list(c: &impl Conn, scope: &Scope, q: &ListQuery) -> Result<Page<Vendor>> {
    let select = vendors::Entity::find()
        .filter(visible(scope))
        .filter(list::search(&[vendors::Column::Name, vendors::Column::CreditCode], q.q.as_deref()));
    let sort = match q.sort.as_deref() {
        Some("created_at") => vendors::Column::CreatedAt,
        Some("updated_at") => vendors::Column::UpdatedAt,
        _ => vendors::Column::Name,
    };
    let (rows, total) = list::page(c.conn(), select, q, sort, vendors::Column::Id).await?;
    Ok(Page { items: rows.into_iter().map(to_domain).collect(), total, page: q.page, page_size: q.page_size })
}

pub async fn insert(tx: &Tx, f: &VendorFields, now: DateTime<Utc>) -> Result<Vendor> {
    let m = vendors::ActiveModel {
        id: Set(crate::new_id()),
        name: Set(f.name.clone()),
        credit_code: Set(f.credit_code.clone()),
        contact_name: Set(f.contact_name.clone()),
        contact_phone: Set(f.contact_phone.clone()),
        address: Set(f.address.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(to_domain(m.insert(tx.conn()).await?))
}

pub async fn update(tx: &Tx, id: &str, f: &VendorFields, now: DateTime<Utc>) -> Result<Vendor> {
    let existing = vendors::Entity::find_by_id(id.to_string()).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
    let mut m: vendors::ActiveModel = existing.into();
    m.name = Set(f.name.clone());
    m.credit_code = Set(f.credit_code.clone());
    m.contact_name = Set(f.contact_name.clone());
    m.contact_phone = Set(f.contact_phone.clone());
    m.address = Set(f.address.clone());
    m.updated_at = Set(now);
    Ok(to_domain(m.update(tx.conn()).await?))
}

pub async fn delete(tx: &Tx, id: &str) -> Result<()> {
    let r = vendors::Entity::delete_by_id(id.to_string()).exec(tx.conn()).await?;
    if r.rows_affected == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// What still refers to a vendor: contracts and staff.
pub async fn dependents(c: &impl Conn, id: &str) -> Result<(u64, u64)> {
    let k = contracts::Entity::find().filter(contracts::Column::VendorId.eq(id)).count(c.conn()).await?;
    let u = users::Entity::find().filter(users::Column::VendorId.eq(id)).count(c.conn()).await?;
    Ok((k, u))
}
