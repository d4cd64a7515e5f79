//! Information systems (信息系统).

use domain::list::{ListQuery, Page};
pub use domain::registry::lists::systems::{SORT_KEYS, SystemFilter};
use domain::registry::{System, SystemFields, SystemInput};
use domain::{FieldError, Principal, Scope};
use store::Tx;

use crate::{App, AppError, Result, audit, require_registry_write, require_registry_write_to, wall_now};

fn duplicate(e: store::StoreError) -> AppError {
    AppError::unique("name", "该单位下已有同名信息系统", "the unit already has a system with this name")(e)
}

/// The unit a system names must exist.
pub(crate) async fn check_unit(tx: &Tx, field: &str, unit_id: &str) -> Result<()> {
    match store::units::get(tx, &Scope::All, unit_id).await? {
        Some(_) => Ok(()),
        None => Err(FieldError::new(field, "单位不存在", "no such unit").into()),
    }
}

impl App {
    pub async fn list_systems(&self, p: &Principal, q: &ListQuery, f: &SystemFilter) -> Result<Page<System>> {
        Ok(store::systems::list(&self.store, &p.scope(), q, f).await?)
    }

    pub async fn get_system(&self, p: &Principal, id: &str) -> Result<System> {
        store::systems::get(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)
    }

    pub async fn create_system(&self, p: &Principal, input: SystemInput) -> Result<System> {
        require_registry_write(p)?;
        let f = input.validate()?;
        let tx = self.store.begin().await?;
        let s = insert_system(&tx, p, &f).await?;
        tx.commit().await?;
        Ok(s)
    }

    pub async fn update_system(&self, p: &Principal, id: &str, input: SystemInput) -> Result<System> {
        require_registry_write_to(p, self.get_system(p, id)).await?;
        let f = input.validate()?;
        let tx = self.store.begin().await?;
        let before = store::systems::get(&tx, &p.scope(), id).await?.ok_or(AppError::NotFound)?;
        let s = update_system(&tx, p, &before, &f).await?;
        tx.commit().await?;
        if s.addresses != before.addresses {
            self.monitors_changed(None).await;
        }
        Ok(s)
    }

    pub async fn delete_system(&self, p: &Principal, id: &str) -> Result<()> {
        require_registry_write_to(p, self.get_system(p, id)).await?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        let before = store::systems::get(&tx, &p.scope(), id).await?.ok_or(AppError::NotFound)?;
        let (items, assets, vulns) = store::systems::dependents(&tx, id).await?;
        if items + assets + vulns > 0 {
            return Err(AppError::conflict(
                None,
                format!(
                    "该系统仍被 {items} 个合同分项覆盖、关联 {assets} 项资产、{vulns} 条漏洞、安全检测或安全事件记录，不能删除"
                ),
                format!(
                    "the system is still covered by {items} contract items and linked to {assets} assets and {vulns} findings, security records or events"
                ),
            ));
        }
        store::systems::delete(&tx, id).await?;
        audit::<_, ()>(&tx, p, "delete", "system", id, Some(&before), None, t).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Shared by the API and the xlsx import.
pub(crate) async fn insert_system(tx: &Tx, p: &Principal, f: &SystemFields) -> Result<System> {
    check_unit(tx, "unit_id", &f.unit_id).await?;
    let t = wall_now();
    let s = store::systems::insert(tx, f, t).await.map_err(duplicate)?;
    audit::<(), _>(tx, p, "create", "system", &s.id, None, Some(&s), t).await?;
    Ok(s)
}

pub(crate) async fn update_system(tx: &Tx, p: &Principal, before: &System, f: &SystemFields) -> Result<System> {
    check_unit(tx, "unit_id", &f.unit_id).await?;
    let t = wall_now();
    let s = store::systems::update(tx, &before.id, f, t).await.map_err(duplicate)?;
    audit(tx, p, "update", "system", &s.id, Some(before), Some(&s), t).await?;
    if before.unit_id != s.unit_id {
        // Assets belong to the unit of their system: they move with it.
        for (old, new) in store::assets::follow_system(tx, &s.id, &s.unit_id, t).await? {
            audit(tx, p, "update", "asset", &new.id, Some(&old), Some(&new), t).await?;
        }
        // So does everything about the system's operation, history included (docs/architecture.md).
        let moved: serde_json::Map<String, serde_json::Value> = store::systems::move_dependents(tx, &s.id, &s.unit_id)
            .await?
            .into_iter()
            .map(|(k, n)| (k.to_string(), n.into()))
            .collect();
        let change = serde_json::json!({"from_unit": before.unit_id, "to_unit": s.unit_id, "moved": moved});
        audit::<(), _>(tx, p, "move", "system", &s.id, None, Some(&change), t).await?;
    }
    Ok(s)
}
