//! The tickets' indicators (`domain::tickets::indicators`).

use domain::indicators::{Kpi, KpiScope};
use domain::tickets::TicketType;
use domain::tickets::indicators::{RATED_METRICS, TIMED_METRICS, count_key, defs, mean_key, on_time_key, p90_key};

use super::{Computed, Source};
use crate::{App, Result};

pub const SOURCE: Source = Source { name: domain::tickets::indicators::SOURCE, defs, compute };

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
    let (kinds, clocks, p90) = tokio::try_join!(
        store::indicators::tickets_by_kind(store, s),
        store::indicators::clock_stats(store, s, now),
        store::indicators::p90_stopped(store, s, &TIMED_METRICS),
    )?;
    let of = |k: TicketType| kinds.iter().find(|x| x.kind == k.as_str()).map_or(0, |x| x.reported);
    let total: u64 = kinds.iter().map(|k| k.reported).sum();
    let mut out = vec![Kpi::count("ticket_count", total)];
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
    let finished: u64 = kinds.iter().map(|k| k.finished).sum();
    let rated: u64 = kinds.iter().map(|k| k.rated).sum();
    let stars: i64 = kinds.iter().map(|k| k.rating_sum).sum();
    out.push(Kpi::rate("handling_rate", finished, total));
    out.push(Kpi::maybe("satisfaction_mean", (rated > 0).then(|| stars as f64 / rated as f64)));
    out.push(Kpi::rate("rated_rate", rated, finished));
    Ok(out)
}
