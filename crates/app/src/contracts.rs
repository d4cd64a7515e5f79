//! O&M contracts (运维合同) and their items (分项).

use domain::list::{ListQuery, Page};
pub use domain::registry::lists::contracts::{ContractFilter, SORT_KEYS};
use domain::registry::{Contract, ContractInput, ContractItem, ContractItemFields, ContractItemInput};
use domain::{FieldError, Principal, Role, Scope};
use store::Tx;

use crate::{App, AppError, Result, audit, require_registry_write, require_registry_write_to, wall_now};

fn duplicate(e: store::StoreError) -> AppError {
    AppError::unique("code", "合同编号已被使用", "another contract has this code")(e)
}

async fn check_vendor(tx: &Tx, vendor_id: &str) -> Result<()> {
    match store::vendors::get(tx, &Scope::All, vendor_id).await? {
        Some(_) => Ok(()),
        None => Err(FieldError::new("vendor_id", "供应商不存在", "no such vendor").into()),
    }
}

/// Every system an item names must exist (errors name `prefix.system_ids[j]`), and so must its
/// SLA policy (`prefix.sla_policy_id`); its default assignee must be an active engineer or
/// project manager of the contract's vendor (`prefix.default_assignee_id`).
async fn check_items(tx: &Tx, vendor_id: &str, items: &[(String, &ContractItemFields)]) -> Result<()> {
    let mut errors = Vec::new();
    for (prefix, item) in items {
        let Some(uid) = &item.default_assignee_id else { continue };
        let ok = store::users::get(tx, &Scope::All, uid)
            .await?
            .is_some_and(|u| matches!(u.role, Role::Engineer | Role::VendorPm) && u.works_for(vendor_id));
        if !ok {
            errors.push(FieldError::new(
                format!("{prefix}default_assignee_id"),
                "默认处理人须为本合同供应商的在职工程师或项目经理",
                "must be an active engineer or project manager of the contract's vendor",
            ));
        }
    }
    for (prefix, item) in items {
        if let Some(pid) = &item.sla_policy_id
            && store::sla::get(tx, &Scope::All, pid, None).await?.is_none()
        {
            errors.push(FieldError::new(format!("{prefix}sla_policy_id"), "SLA 策略不存在", "no such SLA policy"));
        }
        if let Some(pid) = &item.vulnerability_policy_id
            && store::sla::get(tx, &Scope::All, pid, None).await?.is_none()
        {
            errors.push(FieldError::new(
                format!("{prefix}vulnerability_policy_id"),
                "漏洞修复策略不存在",
                "no such SLA policy",
            ));
        }
    }
    for (prefix, item) in items {
        let found = store::systems::visible_ids(tx, &Scope::All, &item.system_ids).await?;
        for (j, id) in item.system_ids.iter().enumerate() {
            if !found.contains(id) {
                errors.push(FieldError::new(format!("{prefix}system_ids[{j}]"), "信息系统不存在", "no such system"));
            }
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(AppError::Validation(errors)) }
}

fn unknown_item(e: store::StoreError) -> AppError {
    match e {
        store::StoreError::NotFound => {
            FieldError::new("items", "分项编号不属于该合同", "an item id does not belong to this contract").into()
        }
        other => duplicate(other),
    }
}

impl App {
    pub async fn list_contracts(&self, p: &Principal, q: &ListQuery, f: &ContractFilter) -> Result<Page<Contract>> {
        Ok(store::contracts::list(&self.store, &p.scope(), q, f).await?)
    }

    pub async fn get_contract(&self, p: &Principal, id: &str) -> Result<Contract> {
        store::contracts::get(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)
    }

    pub async fn create_contract(&self, p: &Principal, input: ContractInput) -> Result<Contract> {
        require_registry_write(p)?;
        let f = input.validate(&self.indicator_catalogue())?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        check_vendor(&tx, &f.vendor_id).await?;
        let named: Vec<_> = f.items.iter().enumerate().map(|(i, it)| (format!("items[{i}]."), it)).collect();
        check_items(&tx, &f.vendor_id, &named).await?;
        let c = store::contracts::insert(&tx, &f, t).await.map_err(duplicate)?;
        audit::<(), _>(&tx, p, "create", "contract", &c.id, None, Some(&c), t).await?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn update_contract(&self, p: &Principal, id: &str, input: ContractInput) -> Result<Contract> {
        require_registry_write_to(p, self.get_contract(p, id)).await?;
        let f = input.validate(&self.indicator_catalogue())?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        let before = store::contracts::get(&tx, &p.scope(), id).await?.ok_or(AppError::NotFound)?;
        let unknown: Vec<FieldError> = f
            .items
            .iter()
            .enumerate()
            .filter(|(_, it)| it.id.as_ref().is_some_and(|id| !before.items.iter().any(|b| &b.id == id)))
            .map(|(i, _)| {
                FieldError::new(format!("items[{i}].id"), "分项编号不属于该合同", "is not an item of this contract")
            })
            .collect();
        if !unknown.is_empty() {
            return Err(AppError::Validation(unknown));
        }
        check_vendor(&tx, &f.vendor_id).await?;
        let named: Vec<_> = f.items.iter().enumerate().map(|(i, it)| (format!("items[{i}]."), it)).collect();
        check_items(&tx, &f.vendor_id, &named).await?;
        let c = store::contracts::update(&tx, id, &f, t).await.map_err(unknown_item)?;
        audit(&tx, p, "update", "contract", id, Some(&before), Some(&c), t).await?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn delete_contract(&self, p: &Principal, id: &str) -> Result<()> {
        require_registry_write_to(p, self.get_contract(p, id)).await?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        let before = store::contracts::get(&tx, &p.scope(), id).await?.ok_or(AppError::NotFound)?;
        store::contracts::delete(&tx, id).await?;
        audit::<_, ()>(&tx, p, "delete", "contract", id, Some(&before), None, t).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_contract_items(&self, p: &Principal, contract_id: &str) -> Result<Vec<ContractItem>> {
        Ok(self.get_contract(p, contract_id).await?.items)
    }

    pub async fn get_contract_item(&self, p: &Principal, contract_id: &str, item_id: &str) -> Result<ContractItem> {
        store::contracts::get_item(&self.store, &p.scope(), contract_id, item_id).await?.ok_or(AppError::NotFound)
    }

    pub async fn add_contract_item(
        &self,
        p: &Principal,
        contract_id: &str,
        input: ContractItemInput,
    ) -> Result<ContractItem> {
        require_registry_write_to(p, self.get_contract(p, contract_id)).await?;
        let f = input.validate(&self.indicator_catalogue())?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        let contract = store::contracts::get(&tx, &p.scope(), contract_id).await?.ok_or(AppError::NotFound)?;
        if contract.items.iter().any(|i| i.name == f.name) {
            return Err(FieldError::new("name", "分项名称重复", "duplicates another item's name").into());
        }
        check_items(&tx, &contract.vendor_id, &[(String::new(), &f)]).await?;
        let item = store::contracts::add_item(&tx, contract_id, &f).await?;
        audit::<(), _>(&tx, p, "create", "contract_item", &item.id, None, Some(&item), t).await?;
        tx.commit().await?;
        Ok(item)
    }

    pub async fn update_contract_item(
        &self,
        p: &Principal,
        contract_id: &str,
        item_id: &str,
        input: ContractItemInput,
    ) -> Result<ContractItem> {
        require_registry_write_to(p, self.get_contract_item(p, contract_id, item_id)).await?;
        let f = input.validate(&self.indicator_catalogue())?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        let contract = store::contracts::get(&tx, &p.scope(), contract_id).await?.ok_or(AppError::NotFound)?;
        let before = contract.items.iter().find(|i| i.id == item_id).cloned().ok_or(AppError::NotFound)?;
        if contract.items.iter().any(|i| i.name == f.name && i.id != item_id) {
            return Err(FieldError::new("name", "分项名称重复", "duplicates another item's name").into());
        }
        check_items(&tx, &contract.vendor_id, &[(String::new(), &f)]).await?;
        let item = store::contracts::update_item(&tx, contract_id, item_id, &f).await?;
        audit(&tx, p, "update", "contract_item", item_id, Some(&before), Some(&item), t).await?;
        tx.commit().await?;
        Ok(item)
    }

    pub async fn delete_contract_item(&self, p: &Principal, contract_id: &str, item_id: &str) -> Result<()> {
        require_registry_write_to(p, self.get_contract_item(p, contract_id, item_id)).await?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        let before =
            store::contracts::get_item(&tx, &p.scope(), contract_id, item_id).await?.ok_or(AppError::NotFound)?;
        store::contracts::delete_item(&tx, contract_id, item_id).await?;
        audit::<_, ()>(&tx, p, "delete", "contract_item", item_id, Some(&before), None, t).await?;
        tx.commit().await?;
        Ok(())
    }
}
