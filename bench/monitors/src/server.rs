//! `server`: the whole server-side path at scale. N HTTP monitors at 1 s are created through the
//! application on SQLite or PostgreSQL, the server's own runner probes them and its consumer
//! writes last checks, minute rollups into hour rows and sampled raw results. Run long enough to
//! cross minute boundaries (≥ 120 s) so hour rows and raw results are written as in production.
//! Reports checks/s, what the writer kept up with, its batch times and rows per second, CPU per
//! 1,000 checks (this process, plus PostgreSQL's server processes when it is the database), RSS
//! and the database's growth.

use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use app::{App, AppConfig};
use domain::monitoring::spec::MonitorInput;
use domain::registry::{SystemInput, UnitInput};
use tokio::sync::watch;

use crate::{cpu_seconds, usage};

/// A metric's value from Yunwei's own /metrics text.
fn value(text: &str, name: &str) -> f64 {
    text.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok()).unwrap_or(0.0)
}

/// CPU seconds of every `postgres` process on the machine (the database's side of the work).
fn postgres_cpu() -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else { return 0.0 };
    dir.filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("stat")).ok())
        .filter(|stat| stat.contains("(postgres)"))
        .map(|stat| cpu_seconds(&stat))
        .sum()
}

/// Bytes the SQLite database takes on disk (with its write-ahead log), if that is the database.
fn sqlite_bytes(url: &str) -> Option<u64> {
    let path = url.strip_prefix("sqlite://")?.split('?').next()?;
    let size = |p: &str| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    Some(size(path) + size(&format!("{path}-wal")))
}

pub async fn run(url: &str, monitors: usize, base: u16, ports: u16, seconds: u64, warmup: u64) -> Result<()> {
    let app = App::open(url, AppConfig::default()).await?;
    let p = app::system_principal();
    let unit = app
        .create_unit(&p, UnitInput { name: Some(format!("压测单位 {monitors}")), ..Default::default() })
        .await
        .map_err(|e| anyhow!("{e:?}"))?;
    let system = app
        .create_system(
            &p,
            SystemInput {
                name: Some(format!("压测系统 {monitors}")), unit_id: Some(unit.id), ..Default::default()
            },
        )
        .await
        .map_err(|e| anyhow!("{e:?}"))?;
    let created = Instant::now();
    for i in 0..monitors {
        let port = base + (i % usize::from(ports)) as u16;
        let input = MonitorInput {
            system_id: Some(system.id.clone()),
            kind: Some("http".into()),
            target: Some(format!("http://127.0.0.1:{port}/s/{i}")),
            interval_seconds: Some(1),
            timeout_ms: Some(1000),
            ..Default::default()
        };
        app.create_monitor(&p, input).await.map_err(|e| anyhow!("{e:?}"))?;
    }
    eprintln!("created {monitors} monitors in {:.1} s", created.elapsed().as_secs_f64());
    let (stop, stop_rx) = watch::channel(false);
    let runner = app.start_monitoring(probe::SchedulerConfig::default(), stop_rx).await?;
    tokio::time::sleep(Duration::from_secs(warmup)).await;

    let before = app.metrics_text().await?;
    let (cpu0, pg0, bytes0) = (usage()?.0, postgres_cpu(), sqlite_bytes(url));
    let start = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let after = app.metrics_text().await?;
    let elapsed = start.elapsed().as_secs_f64();
    let (cpu1, rss, hwm) = usage()?;
    let (pg1, bytes1) = (postgres_cpu(), sqlite_bytes(url));

    let delta = |name: &str| value(&after, name) - value(&before, name);
    let checks = delta("yunwei_probe_checks_total");
    let taken = delta("yunwei_monitor_results_taken_total");
    let flushes = delta("yunwei_monitor_write_seconds_count");
    let write_ms = if flushes > 0.0 { delta("yunwei_monitor_write_seconds_sum") / flushes * 1000.0 } else { 0.0 };
    let backlog = value(&after, "yunwei_probe_checks_total") - value(&after, "yunwei_monitor_results_taken_total");
    let lag_ms = delta("yunwei_probe_lag_seconds_sum") / checks.max(1.0) * 1000.0;
    let per_k = |cpu: f64| cpu / (checks.max(1.0) / 1000.0);
    let grown = match (bytes0, bytes1) {
        (Some(a), Some(b)) => format!("{:.1}", (b.saturating_sub(a)) as f64 / 1_048_576.0),
        _ => "—".into(),
    };
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    // Every `postgres` process on the machine is counted: meaningless, even negative (one that
    // exits meanwhile), when this run does not use PostgreSQL.
    let pg_per_k = if backend == "PostgreSQL" { format!("{:.3}", per_k(pg1 - pg0)) } else { "—".into() };
    println!(
        "| {backend} | {monitors} | {:.0} | {:.0} | {backlog:.0} | {:.1} | {write_ms:.0} | {:.0} | {:.0} | {:.3} | {pg_per_k} | {:.1} | {:.1} | {lag_ms:.1} | {grown} |",
        checks / elapsed,
        taken / elapsed,
        elapsed / flushes.max(1.0),
        value(&after, "yunwei_monitor_write_seconds_max") * 1000.0,
        delta("yunwei_monitor_write_rows_total") / elapsed,
        per_k(cpu1 - cpu0),
        rss as f64 / 1024.0,
        hwm as f64 / 1024.0,
    );
    let _ = stop.send(true);
    runner.await?;
    Ok(())
}
