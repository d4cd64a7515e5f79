//! What a KPI request covers: one contract (optionally one item, one system, one unit), or every
//! contract of one vendor; checked against what the caller may read, with the targets that
//! judge it.

use domain::indicators::targets::KpiTarget;
use domain::indicators::{KpiScope, Period, SystemItem};
use domain::list::ListQuery;
use domain::registry::lists::contracts::ContractFilter;
use domain::registry::{Contract, ContractItem};
use domain::{FieldError, Principal, Role};

use super::{KpiQuery, targets};
use crate::{App, AppError, Result};

impl App {
    /// The scope a caller asks for, checked, and the targets that judge it.
    pub(crate) async fn checked_scope(&self, p: &Principal, q: &KpiQuery) -> Result<(KpiScope, Vec<KpiTarget>)> {
        if p.role == Role::Engineer {
            return Err(AppError::Forbidden);
        }
        let mut errors = Vec::new();
        if q.from.is_none() {
            errors.push(FieldError::required("from"));
        }
        if q.to.is_none() {
            errors.push(FieldError::required("to"));
        }
        let period = match (q.from, q.to) {
            (Some(f), Some(t)) => Period::new(f, t).map_err(|e| errors.push(e)).ok(),
            _ => None,
        };
        let contracts = self.asked_contracts(p, q, &mut errors).await?;
        let (Some(period), Some(contracts), true) = (period, contracts, errors.is_empty()) else {
            return Err(AppError::Validation(errors));
        };
        let items: Vec<ContractItem> = contracts.iter().flat_map(|c| c.items.iter().cloned()).collect();
        let mut scope = items_scope(&contracts, period);
        if let Some(item_id) = &q.contract_item_id {
            let Some(item) = items.iter().find(|i| &i.id == item_id) else {
                return Err(
                    FieldError::new("contract_item_id", "该合同没有此分项", "the contract has no such item").into()
                );
            };
            scope = item_scope(scope, item);
        }
        if let Some(s) = &q.system_id
            && !scope.system_ids.contains(s)
        {
            return Err(FieldError::new(
                "system_id",
                "该合同（分项）不覆盖此信息系统",
                "the contract (item) does not cover this system",
            )
            .into());
        }
        // A unit's users read their own unit's figures whatever they ask.
        let unit_id = if p.role == Role::UnitUser { p.unit_id.clone() } else { q.unit_id.clone() };
        if let Some(unit) = q.unit_id.as_ref().filter(|_| p.role != Role::UnitUser) {
            let units = store::assessments::units::units_of_systems(&self.store, &scope.system_ids).await?;
            if !units.iter().any(|(u, _)| u == unit) {
                return Err(FieldError::new(
                    "unit_id",
                    "该合同（分项）不覆盖此单位的信息系统",
                    "the contract (item) covers no system of this unit",
                )
                .into());
            }
        }
        // A system's figures are judged by the item that covers it.
        let judged_by: Vec<String> = match &q.system_id {
            Some(id) => scope.system_items.iter().filter(|i| &i.system_id == id).map(|i| i.item_id.clone()).collect(),
            None => scope.item_ids.clone(),
        };
        let scope = KpiScope { system_id: q.system_id.clone(), unit_id, ..scope };
        Ok((scope, targets::applicable(&items, &judged_by)))
    }

    /// The contract asked for, or every contract of the vendor asked for that the caller may
    /// read; none (with the error noted) when neither or both are named or nothing is found.
    async fn asked_contracts(
        &self,
        p: &Principal,
        q: &KpiQuery,
        errors: &mut Vec<FieldError>,
    ) -> Result<Option<Vec<Contract>>> {
        let named = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        match (named(&q.contract_id), named(&q.vendor_id)) {
            (Some(id), None) => {
                let c = store::contracts::get(&self.store, &p.scope(), &id).await?;
                if c.is_none() {
                    errors.push(FieldError::new("contract_id", "合同不存在", "no such contract"));
                }
                Ok(c.map(|c| vec![c]))
            }
            (None, Some(vendor)) => {
                if q.contract_item_id.is_some() {
                    errors.push(FieldError::new(
                        "contract_item_id",
                        "按分项统计须指定合同",
                        "an item belongs to one contract: name it",
                    ));
                }
                let filter = ContractFilter { vendor_id: Some(vendor) };
                let found =
                    store::contracts::list(&self.store, &p.scope(), &ListQuery::default().unpaged(), &filter).await?;
                if found.items.is_empty() {
                    errors.push(FieldError::new("vendor_id", "该供应商没有合同", "the vendor has no contract"));
                    return Ok(None);
                }
                Ok(Some(found.items))
            }
            _ => {
                errors.push(FieldError::new(
                    "contract_id",
                    "请指定一份合同或一个供应商（二选一）",
                    "name either a contract or a vendor",
                ));
                Ok(None)
            }
        }
    }
}

/// The whole contract over `period`: every item, every system it covers.
pub(crate) fn contract_scope(contract: &Contract, period: Period) -> KpiScope {
    items_scope(std::slice::from_ref(contract), period)
}

/// Every item of `contracts` over `period`, every system they cover (a system covered twice is
/// measured under the first item that covers it).
fn items_scope(contracts: &[Contract], period: Period) -> KpiScope {
    let items: Vec<&ContractItem> = contracts.iter().flat_map(|c| c.items.iter()).collect();
    let mut system_ids: Vec<String> = items.iter().flat_map(|i| i.system_ids.iter().cloned()).collect();
    system_ids.sort();
    system_ids.dedup();
    KpiScope {
        contract_id: contracts.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(","),
        item_ids: items.iter().map(|i| i.id.clone()).collect(),
        counted_causes: items.iter().map(|i| (i.id.clone(), i.counted_causes.clone())).collect(),
        system_items: system_ids
            .iter()
            .filter_map(|id| {
                let item = items.iter().find(|i| i.system_ids.contains(id))?;
                Some(SystemItem {
                    system_id: id.clone(),
                    item_id: item.id.clone(),
                    availability_target: item.availability_target,
                })
            })
            .collect(),
        system_ids,
        system_id: None,
        unit_id: None,
        period,
    }
}

/// A contract's scope narrowed to one of its items.
fn item_scope(s: KpiScope, item: &ContractItem) -> KpiScope {
    KpiScope {
        item_ids: vec![item.id.clone()],
        counted_causes: s.counted_causes.into_iter().filter(|(id, _)| *id == item.id).collect(),
        system_ids: s.system_ids.into_iter().filter(|id| item.system_ids.contains(id)).collect(),
        system_items: s
            .system_items
            .into_iter()
            .filter(|i| item.system_ids.contains(&i.system_id))
            .map(|i| SystemItem { item_id: item.id.clone(), availability_target: item.availability_target, ..i })
            .collect(),
        ..s
    }
}
