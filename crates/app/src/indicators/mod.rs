//! The indicator catalogue: each feature registers a [`Source`] — its definitions and how to
//! compute them for a scope and period with aggregate queries. The KPI page, targets,
//! assessments and periodic reports read every source through [`App::kpis`] and
//! [`App::indicator_catalogue`], never a feature directly. A new feature (backups,
//! vulnerabilities, changes, drills, attendance, deliverables) adds its indicator definitions
//! in its `domain` module, a `Source` in a file here, and one line to [`SOURCES`].

mod availability;
mod inspections;
mod targets;
mod tickets;

use std::future::Future;
use std::pin::Pin;

use chrono::NaiveDate;
use domain::indicators::targets::{KpiTarget, TargetWindow};
use domain::indicators::{IndicatorDef, Kpi, KpiScope, Period, SystemItem};
use domain::registry::{Contract, ContractItem};
use domain::{FieldError, Principal, Role};

use crate::{App, AppError, Result};

type Computed<'a> = Pin<Box<dyn Future<Output = Result<Vec<Kpi>>> + Send + 'a>>;

/// One feature's indicators.
pub struct Source {
    pub defs: fn() -> Vec<IndicatorDef>,
    /// Every indicator of `defs`, in that order, for the scope.
    pub compute: for<'a> fn(&'a App, &'a KpiScope) -> Computed<'a>,
}

/// Every feature that contributes indicators, in the order the page shows them.
pub const SOURCES: &[Source] = &[tickets::SOURCE, availability::SOURCE, inspections::SOURCE];

/// What a KPI request names.
#[derive(Debug, Clone, Default)]
pub struct KpiQuery {
    pub contract_id: String,
    /// One item of the contract: its tickets and systems, judged against its targets.
    pub contract_item_id: Option<String>,
    pub system_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl App {
    /// Every indicator the catalogue knows, with its definition.
    pub fn indicator_catalogue(&self) -> Vec<IndicatorDef> {
        SOURCES.iter().flat_map(|s| (s.defs)()).collect()
    }

    /// Every indicator of a contract (optionally one of its items or systems) over whole bureau
    /// days, judged against the targets that apply. The bureau and the auditor see any
    /// contract, a vendor's manager their own, a unit's user their own systems' figures;
    /// engineers judge nobody.
    pub async fn kpis(&self, p: &Principal, q: &KpiQuery) -> Result<Vec<Kpi>> {
        let (scope, targets) = self.checked_scope(p, q).await?;
        let mut kpis = self.kpis_of(&scope).await?;
        self.judge_targets(&scope, &mut kpis, &targets).await?;
        Ok(kpis)
    }

    /// One indicator month by month over the period (calendar months clipped to it), each
    /// judged against the targets that apply: the trend of the KPI page. Only the indicator's
    /// own source is computed.
    pub async fn kpi_trend(&self, p: &Principal, q: &KpiQuery, key: &str) -> Result<Vec<(Period, Kpi)>> {
        let Some(source) = SOURCES.iter().find(|s| (s.defs)().iter().any(|d| d.key == key)) else {
            return Err(
                FieldError::new("key", "没有这个指标（见指标目录）", "no such indicator (see the catalogue)").into()
            );
        };
        let (scope, targets) = self.checked_scope(p, q).await?;
        let targets: Vec<_> = targets.into_iter().filter(|t| t.key == key).collect();
        let mut out = Vec::new();
        for month in TargetWindow::Month.split(scope.period) {
            let sub = KpiScope { period: month, ..scope.clone() };
            let mut kpis: Vec<Kpi> = (source.compute)(self, &sub).await?.into_iter().filter(|k| k.key == key).collect();
            self.judge_targets(&sub, &mut kpis, &targets).await?;
            out.extend(kpis.into_iter().map(|k| (month, k)));
        }
        Ok(out)
    }

    /// The scope a caller asks for, checked, and the targets that judge it.
    async fn checked_scope(&self, p: &Principal, q: &KpiQuery) -> Result<(KpiScope, Vec<KpiTarget>)> {
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
        let contract = store::contracts::get(&self.store, &p.scope(), &q.contract_id).await?;
        if contract.is_none() {
            errors.push(FieldError::new("contract_id", "合同不存在", "no such contract"));
        }
        let (Some(period), Some(contract), true) = (period, contract, errors.is_empty()) else {
            return Err(AppError::Validation(errors));
        };
        let mut scope = contract_scope(&contract, period);
        if let Some(item_id) = &q.contract_item_id {
            let Some(item) = contract.items.iter().find(|i| &i.id == item_id) else {
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
        // A system's figures are judged by the item that covers it.
        let judged_by: Vec<String> = match &q.system_id {
            Some(id) => scope.system_items.iter().filter(|i| &i.system_id == id).map(|i| i.item_id.clone()).collect(),
            None => scope.item_ids.clone(),
        };
        let scope = KpiScope {
            system_id: q.system_id.clone(),
            unit_id: if p.role == Role::UnitUser { p.unit_id.clone() } else { None },
            ..scope
        };
        Ok((scope, targets::applicable(&contract, &judged_by)))
    }

    /// Every indicator of the catalogue for a scope the caller was checked for.
    pub(crate) async fn kpis_of(&self, scope: &KpiScope) -> Result<Vec<Kpi>> {
        let mut out = Vec::new();
        for s in SOURCES {
            out.extend((s.compute)(self, scope).await?);
        }
        Ok(out)
    }
}

/// The whole contract over `period`: every item, every system it covers.
pub(crate) fn contract_scope(contract: &Contract, period: Period) -> KpiScope {
    let mut system_ids: Vec<String> = contract.items.iter().flat_map(|i| i.system_ids.iter().cloned()).collect();
    system_ids.sort();
    system_ids.dedup();
    KpiScope {
        contract_id: contract.id.clone(),
        item_ids: contract.items.iter().map(|i| i.id.clone()).collect(),
        counted_causes: contract.items.iter().map(|i| (i.id.clone(), i.counted_causes.clone())).collect(),
        system_items: system_ids
            .iter()
            .filter_map(|id| {
                let item = contract.items.iter().find(|i| i.system_ids.contains(id))?;
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
