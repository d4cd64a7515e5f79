//! The tickets' indicators (`domain::tickets::indicators`).

use std::collections::{BTreeMap, HashMap};

use domain::indicators::{Kpi, KpiPart, KpiScope};
use domain::tickets::TicketType;
use domain::tickets::indicators::{RATED_METRICS, TIMED_METRICS, count_key, defs, mean_key, on_time_key, p90_key};

use store::indicators::IncidentGroup;

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
    // Independent passes over the contract-period, read at once (each on its own pooled
    // connection): a contract-year is then as slow as its slowest pass, not their sum.
    let (kinds, clocks, incidents) = tokio::try_join!(
        store::indicators::tickets_by_kind(store, s),
        clocks(store, s, now),
        store::indicators::incidents(store, s),
    )?;
    let counted: u64 = incidents.iter().map(|g| g.n).sum();
    let repeats: u64 = incidents.iter().map(|g| g.repeats).sum();
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
        out.push(Kpi::maybe(&p90_key(m), c.p90_us.map(minutes)));
    }
    let (all, major) = per_system(app, incidents).await?;
    out.push(most_per_system(app, "incidents_per_system_max", all).await?);
    out.push(most_per_system(app, "major_incidents_per_system_max", major).await?);
    out.push(Kpi::rate("repeat_fault_rate", repeats, counted));
    let finished: u64 = kinds.iter().map(|k| k.finished).sum();
    let rated: u64 = kinds.iter().map(|k| k.rated).sum();
    let stars: i64 = kinds.iter().map(|k| k.rating_sum).sum();
    out.push(Kpi::rate("handling_rate", finished, total));
    out.push(Kpi::rate("resolved_within_24h_rate", kinds.iter().map(|k| k.within_day).sum(), finished));
    out.push(Kpi::maybe("satisfaction_mean", (rated > 0).then(|| stars as f64 / rated as f64)));
    out.push(Kpi::rate("rated_rate", rated, finished));
    Ok(out)
}

/// The clock metrics with the timed ones' percentiles, from one snapshot.
async fn clocks(
    store: &store::Store,
    s: &KpiScope,
    now: chrono::DateTime<chrono::Utc>,
) -> store::Result<Vec<(String, store::indicators::ClockStats)>> {
    let snap = store.snapshot().await?;
    store::indicators::clock_stats(&snap, s, now, &TIMED_METRICS).await
}

/// Counted incidents per system, all of them and the major ones: those at the most severe level
/// of their policy version, where the policy has more than one level (under a one-level policy
/// no incident is graver than another).
async fn per_system(app: &App, groups: Vec<IncidentGroup>) -> Result<(Vec<(String, u64)>, Vec<(String, u64)>)> {
    let mut top: HashMap<(String, i32), Option<String>> = HashMap::new();
    for g in &groups {
        if let Some(key) = &g.policy
            && !top.contains_key(key)
        {
            let policy = store::sla::get(app.store(), &domain::Scope::All, &key.0, Some(key.1)).await?;
            let level = policy.filter(|p| p.spec.levels.len() > 1).and_then(|p| p.spec.levels.first().cloned());
            top.insert(key.clone(), level.map(|l| l.name));
        }
    }
    let (mut all, mut major): (BTreeMap<String, u64>, BTreeMap<String, u64>) = Default::default();
    for g in groups {
        *all.entry(g.system_id.clone()).or_default() += g.n;
        let is_major = g.policy.as_ref().and_then(|k| top.get(k)).is_some_and(|t| t.is_some() && *t == g.severity);
        if is_major {
            *major.entry(g.system_id).or_default() += g.n;
        }
    }
    Ok((all.into_iter().collect(), major.into_iter().collect()))
}

/// The most of any one system, with every system's count as the breakdown.
async fn most_per_system(app: &App, key: &str, counts: Vec<(String, u64)>) -> Result<Kpi> {
    let ids: Vec<String> = counts.iter().map(|(id, _)| id.clone()).collect();
    let names = store::systems::names(app.store(), &ids).await?;
    let most = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let parts = counts
        .into_iter()
        .map(|(id, n)| KpiPart { label: names.get(&id).cloned().unwrap_or_default(), id: Some(id), value: n as f64 })
        .collect();
    Ok(Kpi::count(key, most).with_breakdown(parts))
}
