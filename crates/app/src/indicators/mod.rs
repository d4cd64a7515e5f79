//! The indicator catalogue: each feature registers a [`Source`] — its definitions and how to
//! compute them for a scope and period with aggregate queries. The KPI page, targets,
//! assessments and periodic reports read every source through [`App::kpis`] and
//! [`App::indicator_catalogue`], never a feature directly. A new feature (backups,
//! vulnerabilities, changes, drills, attendance, deliverables) adds its indicator definitions
//! in its `domain` module, a `Source` in a file here, and one line to [`SOURCES`].

mod availability;
mod backups;
mod dengbao;
mod inspections;
mod scope;
mod security_events;
mod security_plans;
mod targets;
mod tickets;
mod vulnerabilities;

pub(crate) use availability::system_availabilities;
pub(crate) use scope::contract_scope;

use std::future::Future;
use std::pin::Pin;

use chrono::NaiveDate;
use domain::indicators::targets::TargetWindow;
use domain::indicators::{IndicatorDef, Kpi, KpiScope, Period};
use domain::{FieldError, Principal};

use crate::{App, Result};

type Computed<'a> = Pin<Box<dyn Future<Output = Result<Vec<Kpi>>> + Send + 'a>>;

/// One feature's indicators.
pub struct Source {
    pub defs: fn() -> Vec<IndicatorDef>,
    /// Every indicator of `defs`, in that order, for the scope.
    pub compute: for<'a> fn(&'a App, &'a KpiScope) -> Computed<'a>,
}

/// Every feature that contributes indicators, in the order the page shows them.
pub const SOURCES: &[Source] = &[
    tickets::SOURCE,
    availability::SOURCE,
    inspections::SOURCE,
    vulnerabilities::SOURCE,
    dengbao::SOURCE,
    security_plans::SOURCE,
    security_events::SOURCE,
    backups::SOURCE,
];

/// What a KPI request names.
#[derive(Debug, Clone, Default)]
pub struct KpiQuery {
    /// The contract, or (without one) every contract of `vendor_id`.
    pub contract_id: Option<String>,
    pub vendor_id: Option<String>,
    /// One item of the contract: its tickets and systems, judged against its targets.
    pub contract_item_id: Option<String>,
    pub system_id: Option<String>,
    /// One unit's systems (a unit's users always get their own).
    pub unit_id: Option<String>,
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

    /// Every indicator of the catalogue for a scope the caller was checked for.
    pub(crate) async fn kpis_of(&self, scope: &KpiScope) -> Result<Vec<Kpi>> {
        let mut out = Vec::new();
        for s in SOURCES {
            out.extend((s.compute)(self, scope).await?);
        }
        Ok(out)
    }
}
