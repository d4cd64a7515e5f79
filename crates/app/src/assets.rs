//! Assets.

use domain::list::{ListQuery, Page};
pub use domain::registry::lists::assets::{AssetFilter, SORT_KEYS};
use domain::registry::{Asset, AssetFields, AssetInput};
use domain::{FieldError, Principal, Scope};
use store::Tx;

use crate::{App, AppError, Result, audit, require_registry_write, require_registry_write_to, wall_now};

/// Resolves the owning unit: the linked system's unit wins; a different explicit unit is an error.
pub(crate) async fn resolve_owner(tx: &Tx, f: &mut AssetFields) -> Result<()> {
    if let Some(sid) = &f.system_id {
        let s = store::systems::get(tx, &Scope::All, sid)
            .await?
            .ok_or_else(|| FieldError::new("system_id", "信息系统不存在", "no such system"))?;
        if f.unit_id.as_ref().is_some_and(|u| *u != s.unit_id) {
            return Err(FieldError::new(
                "unit_id",
                "所属单位与所属系统的单位不一致",
                "differs from the linked system's unit",
            )
            .into());
        }
        f.unit_id = Some(s.unit_id);
    } else if let Some(uid) = &f.unit_id {
        crate::systems::check_unit(tx, "unit_id", uid).await?;
    }
    Ok(())
}

impl App {
    pub async fn list_assets(&self, p: &Principal, q: &ListQuery, f: &AssetFilter) -> Result<Page<Asset>> {
        Ok(store::assets::list(&self.store, &p.scope(), q, f).await?)
    }

    pub async fn get_asset(&self, p: &Principal, id: &str) -> Result<Asset> {
        store::assets::get(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)
    }

    pub async fn create_asset(&self, p: &Principal, input: AssetInput) -> Result<Asset> {
        require_registry_write(p)?;
        let f = input.validate()?;
        let tx = self.store.begin().await?;
        let a = insert_asset(&tx, p, f).await?;
        tx.commit().await?;
        Ok(a)
    }

    pub async fn update_asset(&self, p: &Principal, id: &str, input: AssetInput) -> Result<Asset> {
        require_registry_write_to(p, self.get_asset(p, id)).await?;
        let f = input.validate()?;
        let tx = self.store.begin().await?;
        let before = store::assets::get(&tx, &p.scope(), id).await?.ok_or(AppError::NotFound)?;
        let a = update_asset(&tx, p, &before, f).await?;
        tx.commit().await?;
        Ok(a)
    }

    pub async fn delete_asset(&self, p: &Principal, id: &str) -> Result<()> {
        require_registry_write_to(p, self.get_asset(p, id)).await?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        let before = store::assets::get(&tx, &p.scope(), id).await?.ok_or(AppError::NotFound)?;
        store::assets::delete(&tx, id).await?;
        audit::<_, ()>(&tx, p, "delete", "asset", id, Some(&before), None, t).await?;
        tx.commit().await?;
        Ok(())
    }
}

pub(crate) async fn insert_asset(tx: &Tx, p: &Principal, mut f: AssetFields) -> Result<Asset> {
    resolve_owner(tx, &mut f).await?;
    let t = wall_now();
    let a = store::assets::insert(tx, &f, t).await?;
    audit::<(), _>(tx, p, "create", "asset", &a.id, None, Some(&a), t).await?;
    Ok(a)
}

pub(crate) async fn update_asset(tx: &Tx, p: &Principal, before: &Asset, mut f: AssetFields) -> Result<Asset> {
    resolve_owner(tx, &mut f).await?;
    let t = wall_now();
    let a = store::assets::update(tx, &before.id, &f, t).await?;
    audit(tx, p, "update", "asset", &a.id, Some(before), Some(&a), t).await?;
    Ok(a)
}
