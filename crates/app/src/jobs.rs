//! Background jobs: each has a name, an interval and a supervised task. A failing run is logged
//! and retried at the next tick; it never takes the server down. Jobs that work on the shared
//! database run on one server at a time: each takes the lease `job:<name>` (see `leases`) and
//! skips its tick without it; jobs over this server's own memory run everywhere.

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::{App, leases};

/// The jobs that run on one server at a time.
pub const LEASED: [&str; 8] = [
    "purge_idle_sessions",
    "inspection_tasks",
    "ticket_clocks",
    "report_drafts",
    "notification_delivery",
    "reminders",
    "vulnerability_clocks",
    "backup_checks",
];

/// The lease a job takes.
pub fn lease_name(job: &str) -> String {
    format!("job:{job}")
}

/// Starts the jobs; they stop when `shutdown` turns true.
pub fn spawn(app: App, shutdown: watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
    let renewer = app.clone();
    let sessions = app.clone();
    let clocks = app.clone();
    let inspections = app.clone();
    let reports = app.clone();
    let delivery = app.clone();
    let reminders = app.clone();
    let fixes = app.clone();
    let backups = app.clone();
    let sign_in = app;
    vec![
        // Held leases are renewed, and the others asked for, so a job moves to another server
        // within one lease period when its holder dies.
        every("leases", leases::RENEW_EVERY, None, shutdown.clone(), move || {
            let app = renewer.clone();
            async move {
                let mut held = 0;
                for job in LEASED {
                    held += usize::from(app.renew_lease(&lease_name(job)).await);
                }
                Ok(format!("{held} job leases held"))
            }
        }),
        // Failed sign-ins for unknown names are counted in this server's memory and written
        // once a minute, by every server.
        every("sign_in_events", Duration::from_secs(60), None, shutdown.clone(), move || {
            let app = sign_in.clone();
            async move { app.flush_sign_in_events().await.map(|n| format!("{n} aggregated sign-in records written")) }
        }),
        every("purge_idle_sessions", Duration::from_secs(300), Some(sessions.clone()), shutdown.clone(), move || {
            let app = sessions.clone();
            async move { app.purge_idle_sessions().await.map(|n| format!("{n} sessions removed")) }
        }),
        // Plans keep their tasks 30 days ahead; hourly is enough for a daily horizon and picks up
        // calendar changes within the hour (plan changes regenerate at once).
        every("inspection_tasks", Duration::from_secs(3600), Some(inspections.clone()), shutdown.clone(), move || {
            let app = inspections.clone();
            async move { app.generate_inspection_tasks().await.map(|n| format!("{n} inspection tasks created")) }
        }),
        // Drafts of the reports contracts owe, once their periods have ended: hourly is well
        // inside the days a report has before it is due.
        every("report_drafts", Duration::from_secs(3600), Some(reports.clone()), shutdown.clone(), move || {
            let app = reports.clone();
            async move { app.generate_due_reports().await.map(|n| format!("{n} report drafts written")) }
        }),
        // Notices are routed and sent within seconds; what is due is found by query and claimed
        // by an atomic update, so a restart loses nothing and a second server sends nothing twice.
        every("notification_delivery", Duration::from_secs(5), Some(delivery.clone()), shutdown.clone(), move || {
            let app = delivery.clone();
            async move {
                app.deliver_notifications()
                    .await
                    .map(|r| format!("{} notices routed, {} sent, {} failed", r.routed, r.sent, r.failed))
            }
        }),
        // Certificate and security-plan reminders and the morning digests: a quarter of an hour
        // is early enough for each, and each goes once by its key.
        every("reminders", Duration::from_secs(900), Some(reminders.clone()), shutdown.clone(), move || {
            let app = reminders.clone();
            async move {
                let certs = app.remind_certificates().await?;
                let tasks = app.remind_security_tasks().await?;
                let digests = app.send_digests().await?;
                Ok(format!("{certs} certificate reminders, {tasks} security task reminders, {digests} digests"))
            }
        }),
        // A backup period that ended without a success opens its ticket within a quarter of an
        // hour of the bureau's midnight; each once by its key.
        every("backup_checks", Duration::from_secs(900), Some(backups.clone()), shutdown.clone(), move || {
            let app = backups.clone();
            async move { app.check_missed_backups().await.map(|n| format!("{n} missed backups ticketed")) }
        }),
        // Breaches are marked, ladders fired and resolved tickets closed within seconds of
        // their moment; what is due is found by query, so a restart loses nothing.
        every("vulnerability_clocks", Duration::from_secs(15), Some(fixes.clone()), shutdown.clone(), move || {
            let app = fixes.clone();
            async move {
                app.check_due_vulnerabilities()
                    .await
                    .map(|r| format!("{} findings settled, {} retried later", r.checked, r.skipped))
            }
        }),
        every("ticket_clocks", Duration::from_secs(5), Some(clocks.clone()), shutdown, move || {
            let app = clocks.clone();
            async move {
                app.check_due_tickets()
                    .await
                    .map(|r| format!("{} tickets settled, {} retried later", r.checked, r.skipped))
            }
        }),
    ]
}

/// Runs `run` every `interval`; with `leased`, only while that app holds the job's lease (asked
/// for at the tick if not held, so the first tick after start does not wait for the renewer).
fn every<F, Fut>(
    name: &'static str,
    interval: Duration,
    leased: Option<App>,
    mut shutdown: watch::Receiver<bool>,
    run: F,
) -> JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = crate::Result<String>> + Send,
{
    tokio::spawn(async move {
        let lease = lease_name(name);
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
            if let Some(app) = &leased
                && !app.leases().holds(&lease)
                && !app.renew_lease(&lease).await
            {
                tracing::trace!(job = name, "another server holds the lease; tick skipped");
                continue;
            }
            match run().await {
                Ok(msg) => tracing::debug!(job = name, "{msg}"),
                Err(e) => tracing::warn!(job = name, error = %e.chain(), "job run failed"),
            }
        }
    })
}
