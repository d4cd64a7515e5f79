//! Availability's indicators (`domain::monitoring::indicators`): each system of the scope
//! measured over the period from its recorded interruptions, under the counted causes and the
//! promised availability of the item that covers it. A contract covers tens of systems, each
//! with a handful of interruptions: per-system reads are cheap.

use domain::indicators::{Kpi, KpiPart, KpiScope};
use domain::monitoring::availability::Availability;
use domain::monitoring::indicators::defs;
use domain::tickets::DEFAULT_COUNTED_CAUSES;

use super::{Computed, Source};
use crate::{App, Result};

pub const SOURCE: Source = Source { defs, compute };

fn compute<'a>(app: &'a App, s: &'a KpiScope) -> Computed<'a> {
    Box::pin(compute_all(app, s))
}

/// One system's figures over the period.
struct Measured {
    id: String,
    availability: Option<f64>,
    below_target: bool,
    downtime_s: i64,
    longest_s: i64,
    interruptions: u64,
}

/// Each system of the scope (one unit's, where the scope names a unit) with its availability
/// over the period, measured as its availability page measures it.
pub(crate) async fn system_availabilities(app: &App, s: &KpiScope) -> Result<Vec<(String, Availability)>> {
    let mut ids: Vec<String> = match &s.system_id {
        Some(id) => vec![id.clone()],
        None => s.system_ids.clone(),
    };
    if let Some(unit) = &s.unit_id {
        ids = store::systems::visible_ids(app.store(), &domain::Scope::Unit(unit.clone()), &ids).await?;
    }
    let (from, to) = s.period.instants();
    let now = app.business_now();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let item = s.system_items.iter().find(|i| i.system_id == id);
        let counted = item
            .and_then(|i| s.counted_causes.iter().find(|(it, _)| *it == i.item_id))
            .map_or(DEFAULT_COUNTED_CAUSES.to_vec(), |(_, c)| c.clone());
        let target = item.and_then(|i| i.availability_target).map(|t| t / 100.0);
        let a = app.recorded_availability(&id, from, to, counted, target).await?.over(from, to, now);
        out.push((id, a));
    }
    Ok(out)
}

async fn compute_all(app: &App, s: &KpiScope) -> Result<Vec<Kpi>> {
    let measured_all = system_availabilities(app, s).await?;
    let ids: Vec<String> = measured_all.iter().map(|(id, _)| id.clone()).collect();
    let systems: Vec<Measured> = measured_all
        .into_iter()
        .map(|(id, a)| {
            let counted_cuts: Vec<i64> = a.interruptions.iter().map(|v| v.counted_seconds).filter(|s| *s > 0).collect();
            Measured {
                id,
                availability: a.availability,
                below_target: matches!((a.availability, a.target), (Some(v), Some(t)) if v < t),
                downtime_s: a.downtime_seconds,
                longest_s: counted_cuts.iter().copied().max().unwrap_or(0),
                interruptions: counted_cuts.len() as u64,
            }
        })
        .collect();
    let names = store::systems::names(app.store(), &ids).await?;
    let part = |m: &Measured, value: f64| KpiPart {
        label: names.get(&m.id).cloned().unwrap_or_default(),
        id: Some(m.id.clone()),
        value,
    };
    let minutes = |s: i64| s as f64 / 60.0;
    let measured: Vec<&Measured> = systems.iter().filter(|m| m.availability.is_some()).collect();
    let lowest = measured.iter().filter_map(|m| m.availability).min_by(f64::total_cmp);
    let mut per_system: Vec<KpiPart> = measured.iter().map(|m| part(m, m.availability.unwrap_or(0.0))).collect();
    // Lowest first: the breakdown reads as the worst systems.
    per_system.sort_by(|a, b| a.value.total_cmp(&b.value).then_with(|| a.label.cmp(&b.label)));
    let mut lowest_kpi = Kpi::maybe("availability_min", lowest);
    lowest_kpi.breakdown = per_system;
    let below: Vec<KpiPart> = systems.iter().filter(|m| m.below_target).map(|m| part(m, 1.0)).collect();
    let with = |f: fn(&Measured) -> f64| -> Vec<KpiPart> {
        systems.iter().map(|m| part(m, f(m))).filter(|p| p.value > 0.0).collect()
    };
    let measured_any = !measured.is_empty();
    // Downtime where nothing measured is unknown, not zero.
    let over_measured = |v: f64| measured_any.then_some(v);
    Ok(vec![
        lowest_kpi,
        Kpi::count("availability_below_target_count", below.len() as u64).with_breakdown(below),
        Kpi::maybe("downtime_minutes", over_measured(minutes(systems.iter().map(|m| m.downtime_s).sum())))
            .with_breakdown(with(|m| m.downtime_s as f64 / 60.0)),
        Kpi::maybe(
            "downtime_per_system_max_minutes",
            over_measured(minutes(systems.iter().map(|m| m.downtime_s).max().unwrap_or(0))),
        ),
        Kpi::maybe(
            "longest_interruption_minutes",
            over_measured(minutes(systems.iter().map(|m| m.longest_s).max().unwrap_or(0))),
        )
        .with_breakdown(with(|m| m.longest_s as f64 / 60.0)),
        Kpi::count("interruption_count", systems.iter().map(|m| m.interruptions).sum())
            .with_breakdown(with(|m| m.interruptions as f64)),
    ])
}
