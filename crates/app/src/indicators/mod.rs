//! The indicator catalogue: each feature registers a [`Source`] — its definitions and how to
//! compute them for a scope and period with aggregate queries. The KPI page, targets,
//! assessments and periodic reports read every source through [`App::kpis`] and
//! [`App::indicator_catalogue`], never a feature directly. A new feature (backups,
//! vulnerabilities, changes, drills, attendance, deliverables) adds its indicator definitions
//! in its `domain` module, a `Source` in a file here, and one line to [`SOURCES`].

mod inspections;
mod tickets;

use std::future::Future;
use std::pin::Pin;

use chrono::NaiveDate;
use domain::indicators::{IndicatorDef, Kpi, KpiScope, Period};
use domain::registry::Contract;
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
pub const SOURCES: &[Source] = &[tickets::SOURCE, inspections::SOURCE];

/// What a KPI request names.
#[derive(Debug, Clone, Default)]
pub struct KpiQuery {
    pub contract_id: String,
    pub system_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl App {
    /// Every indicator the catalogue knows, with its definition.
    pub fn indicator_catalogue(&self) -> Vec<IndicatorDef> {
        SOURCES.iter().flat_map(|s| (s.defs)()).collect()
    }

    /// Every indicator of a contract (optionally one of its systems) over whole bureau days.
    /// The bureau and the auditor see any contract, a vendor's manager their own, a unit's user
    /// their own systems' figures; engineers judge nobody.
    pub async fn kpis(&self, p: &Principal, q: &KpiQuery) -> Result<Vec<Kpi>> {
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
        let scope = contract_scope(&contract, period);
        if let Some(s) = &q.system_id
            && !scope.system_ids.contains(s)
        {
            return Err(FieldError::new(
                "system_id",
                "该合同不覆盖此信息系统",
                "the contract does not cover this system",
            )
            .into());
        }
        let scope = KpiScope {
            system_id: q.system_id.clone(),
            unit_id: if p.role == Role::UnitUser { p.unit_id.clone() } else { None },
            ..scope
        };
        self.kpis_of(&scope).await
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
        system_ids,
        system_id: None,
        unit_id: None,
        period,
    }
}
