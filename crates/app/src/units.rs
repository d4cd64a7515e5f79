//! Units (单位).

use domain::Principal;
use domain::list::{ListQuery, Page};
pub use domain::registry::lists::units::SORT_KEYS;
use domain::registry::{Unit, UnitInput};

use crate::{App, AppError, Result, audit, require_registry_write, require_registry_write_to, wall_now};

const DUPLICATE: (&str, &str, &str) = ("name", "已存在同名单位", "a unit with this name already exists");

impl App {
    pub async fn list_units(&self, p: &Principal, q: &ListQuery) -> Result<Page<Unit>> {
        Ok(store::units::list(&self.store, &p.scope(), q).await?)
    }

    pub async fn get_unit(&self, p: &Principal, id: &str) -> Result<Unit> {
        store::units::get(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)
    }

    pub async fn create_unit(&self, p: &Principal, input: UnitInput) -> Result<Unit> {
        require_registry_write(p)?;
        let f = input.validate()?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        let u =
            store::units::insert(&tx, &f, t).await.map_err(AppError::unique(DUPLICATE.0, DUPLICATE.1, DUPLICATE.2))?;
        audit::<(), _>(&tx, p, "create", "unit", &u.id, None, Some(&u), t).await?;
        tx.commit().await?;
        Ok(u)
    }

    pub async fn update_unit(&self, p: &Principal, id: &str, input: UnitInput) -> Result<Unit> {
        require_registry_write_to(p, self.get_unit(p, id)).await?;
        let f = input.validate()?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        let before = store::units::get(&tx, &p.scope(), id).await?.ok_or(AppError::NotFound)?;
        let u = store::units::update(&tx, id, &f, t).await.map_err(AppError::unique(
            DUPLICATE.0,
            DUPLICATE.1,
            DUPLICATE.2,
        ))?;
        audit(&tx, p, "update", "unit", id, Some(&before), Some(&u), t).await?;
        tx.commit().await?;
        Ok(u)
    }

    pub async fn delete_unit(&self, p: &Principal, id: &str) -> Result<()> {
        require_registry_write_to(p, self.get_unit(p, id)).await?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        let before = store::units::get(&tx, &p.scope(), id).await?.ok_or(AppError::NotFound)?;
        let (systems, users, assets) = store::units::dependents(&tx, id).await?;
        if systems + users + assets > 0 {
            return Err(AppError::conflict(
                None,
                format!("该单位下仍有 {systems} 个信息系统、{users} 个用户、{assets} 项资产，不能删除"),
                format!("the unit still has {systems} systems, {users} users and {assets} assets"),
            ));
        }
        store::units::delete(&tx, id).await?;
        audit::<_, ()>(&tx, p, "delete", "unit", id, Some(&before), None, t).await?;
        tx.commit().await?;
        Ok(())
    }
}
