//! Background jobs: each has a name, an interval and a supervised task. A failing run is logged
//! and retried at the next tick; it never takes the server down.

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::App;

/// Starts the jobs; they stop when `shutdown` turns true.
pub fn spawn(app: App, shutdown: watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
    let clocks = app.clone();
    let inspections = app.clone();
    let sign_in = app.clone();
    vec![
        // Failed sign-ins for unknown names are counted in memory and written once a minute.
        every("sign_in_events", Duration::from_secs(60), shutdown.clone(), move || {
            let app = sign_in.clone();
            async move { app.flush_sign_in_events().await.map(|n| format!("{n} aggregated sign-in records written")) }
        }),
        every("purge_idle_sessions", Duration::from_secs(300), shutdown.clone(), move || {
            let app = app.clone();
            async move { app.purge_idle_sessions().await.map(|n| format!("{n} sessions removed")) }
        }),
        // Breaches are marked, ladders fired and resolved tickets closed within seconds of
        // their moment; what is due is found by query, so a restart loses nothing.
        // Plans keep their tasks 30 days ahead; hourly is enough for a daily horizon and picks up
        // calendar changes within the hour (plan changes regenerate at once).
        every("inspection_tasks", Duration::from_secs(3600), shutdown.clone(), move || {
            let app = inspections.clone();
            async move { app.generate_inspection_tasks().await.map(|n| format!("{n} inspection tasks created")) }
        }),
        every("ticket_clocks", Duration::from_secs(5), shutdown, move || {
            let app = clocks.clone();
            async move {
                app.check_due_tickets()
                    .await
                    .map(|r| format!("{} tickets settled, {} retried later", r.checked, r.skipped))
            }
        }),
    ]
}

fn every<F, Fut>(name: &'static str, interval: Duration, mut shutdown: watch::Receiver<bool>, run: F) -> JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = crate::Result<String>> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = shutdown.changed() => break,
            }
            if *shutdown.borrow() {
                break;
            }
            match run().await {
                Ok(msg) => tracing::debug!(job = name, "{msg}"),
                Err(e) => tracing::warn!(job = name, error = %e.chain(), "job run failed"),
            }
        }
    })
}
