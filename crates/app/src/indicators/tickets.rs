//! The tickets' indicators (`domain::tickets::indicators`).

use domain::indicators::{Kpi, KpiPart, KpiScope};
use domain::tickets::TicketType;
use domain::tickets::indicators::{RATED_METRICS, TIMED_METRICS, count_key, defs, mean_key, on_time_key, p90_key};

use super::{Computed, Source};
use crate::{App, Result};

pub const SOURCE: Source = Source { defs, compute };

fn compute<'a>(app: &'a App, s: &'a KpiScope) -> Computed<'a> {
    Box::pin(compute_all(app, s))
}

fn minutes(us: i64) -> f64 {
    us as f64 / 60_000_000.0
}

async fn compute_all(app: &App, s: &KpiScope) -> Result<Vec<Kpi>> {
    let (store, now) = (app.store(), app.business_now());
    // Three independent passes over the contract-period, read at once (each on its own pooled
    // connection): a contract-year is then as slow as its slowest pass, not their sum.
    let (kinds, clocks, p90, incidents) = tokio::try_join!(
        store::indicators::tickets_by_kind(store, s),
        store::indicators::clock_stats(store, s, now),
        store::indicators::p90_stopped(store, s, &TIMED_METRICS),
        store::indicators::incidents_by_system(store, s),
    )?;
    let of = |k: TicketType| kinds.iter().find(|x| x.kind == k.as_str()).map_or(0, |x| x.reported);
    let total: u64 = kinds.iter().map(|k| k.reported).sum();
    let mut levels: Vec<KpiPart> = Vec::new();
    for k in &kinds {
        // No level (a policy-less ticket): an empty label the page names in its language.
        let label = k.severity.clone().unwrap_or_default();
        match levels.iter_mut().find(|p| p.label == label) {
            Some(p) => p.value += k.reported as f64,
            None => levels.push(KpiPart { label, id: None, value: k.reported as f64 }),
        }
    }
    let mut out = vec![Kpi::count("ticket_count", total).with_breakdown(levels)];
    for kind in TicketType::ALL {
        out.push(Kpi::count(&count_key(*kind), of(*kind)));
    }
    let stats = |m: &str| clocks.iter().find(|(x, _)| x == m).map(|(_, c)| *c).unwrap_or_default();
    for m in RATED_METRICS {
        let c = stats(m);
        out.push(Kpi::rate(&on_time_key(m), c.met, c.met + c.breached));
    }
    for m in TIMED_METRICS {
        let c = stats(m);
        let mean = (c.stopped > 0).then(|| minutes(c.stopped_spent_us) / c.stopped as f64);
        out.push(Kpi::maybe(&mean_key(m), mean));
        out.push(Kpi::maybe(&p90_key(m), p90.iter().find(|(x, _)| x == m).map(|(_, us)| minutes(*us))));
    }
    let ids: Vec<String> = incidents.iter().map(|(id, _)| id.clone()).collect();
    let names = store::systems::names(store, &ids).await?;
    let most = incidents.first().map_or(0, |(_, n)| *n);
    let per_system = incidents
        .into_iter()
        .map(|(id, n)| KpiPart { label: names.get(&id).cloned().unwrap_or_default(), id: Some(id), value: n as f64 })
        .collect();
    out.push(Kpi::count("incidents_per_system_max", most).with_breakdown(per_system));
    let finished: u64 = kinds.iter().map(|k| k.finished).sum();
    let rated: u64 = kinds.iter().map(|k| k.rated).sum();
    let stars: i64 = kinds.iter().map(|k| k.rating_sum).sum();
    out.push(Kpi::rate("handling_rate", finished, total));
    out.push(Kpi::rate("resolved_within_24h_rate", kinds.iter().map(|k| k.within_day).sum(), finished));
    out.push(Kpi::maybe("satisfaction_mean", (rated > 0).then(|| stars as f64 / rated as f64)));
    out.push(Kpi::rate("rated_rate", rated, finished));
    Ok(out)
}
