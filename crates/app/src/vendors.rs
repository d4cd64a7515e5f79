//! Vendors (供应商).

use domain::Principal;
use domain::list::{ListQuery, Page};
pub use domain::registry::lists::vendors::SORT_KEYS;
use domain::registry::{Vendor, VendorInput};
use store::StoreError;

use crate::{App, AppError, Result, audit, require_registry_write, require_registry_write_to, wall_now};

fn duplicate(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(m) if m.contains("credit_code") => AppError::conflict(
            Some("credit_code"),
            "统一社会信用代码已被其他供应商使用",
            "another vendor has this credit code",
        ),
        StoreError::Conflict(_) => {
            AppError::conflict(Some("name"), "已存在同名供应商", "a vendor with this name already exists")
        }
        other => other.into(),
    }
}

impl App {
    pub async fn list_vendors(&self, p: &Principal, q: &ListQuery) -> Result<Page<Vendor>> {
        Ok(store::vendors::list(&self.store, &p.scope(), q).await?)
    }

    pub async fn get_vendor(&self, p: &Principal, id: &str) -> Result<Vendor> {
        store::vendors::get(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)
    }

    pub async fn create_vendor(&self, p: &Principal, input: VendorInput) -> Result<Vendor> {
        require_registry_write(p)?;
        let f = input.validate()?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        let v = store::vendors::insert(&tx, &f, t).await.map_err(duplicate)?;
        audit::<(), _>(&tx, p, "create", "vendor", &v.id, None, Some(&v), t).await?;
        tx.commit().await?;
        Ok(v)
    }

    pub async fn update_vendor(&self, p: &Principal, id: &str, input: VendorInput) -> Result<Vendor> {
        require_registry_write_to(p, self.get_vendor(p, id)).await?;
        let f = input.validate()?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        let before = store::vendors::get(&tx, &p.scope(), id).await?.ok_or(AppError::NotFound)?;
        let v = store::vendors::update(&tx, id, &f, t).await.map_err(duplicate)?;
        audit(&tx, p, "update", "vendor", id, Some(&before), Some(&v), t).await?;
        tx.commit().await?;
        Ok(v)
    }

    pub async fn delete_vendor(&self, p: &Principal, id: &str) -> Result<()> {
        require_registry_write_to(p, self.get_vendor(p, id)).await?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        let before = store::vendors::get(&tx, &p.scope(), id).await?.ok_or(AppError::NotFound)?;
        let (contracts, staff) = store::vendors::dependents(&tx, id).await?;
        if contracts + staff > 0 {
            return Err(AppError::conflict(
                None,
                format!("该供应商仍有 {contracts} 份合同、{staff} 名人员，不能删除"),
                format!("the vendor still has {contracts} contracts and {staff} staff"),
            ));
        }
        store::vendors::delete(&tx, id).await?;
        audit::<_, ()>(&tx, p, "delete", "vendor", id, Some(&before), None, t).await?;
        tx.commit().await?;
        Ok(())
    }
}
