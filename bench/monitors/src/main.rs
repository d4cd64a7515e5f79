//! Two processes, so the runner is measured alone: `targets` serves HTTP on a set of loopback
//! ports (each monitor gets its own URL on one of them: this machine allows 20,000 open files,
//! fewer than one listening socket per monitor plus the connections would need); `run` starts
//! the probe scheduler with N HTTP monitors at 1 s and reports, after a warm-up, checks per
//! second, CPU seconds per 1,000 checks (from /proc/self/stat), RSS (VmHWM and VmRSS) and the
//! p99 of how late checks started against their schedule. `server` (in `server.rs`) measures
//! the same load through the application, with its writes to the database.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use domain::monitoring::spec::MonitorInput;
use domain::monitoring::state::MonitorState;
use probe::{Command, Job, Prober, Scheduler, SchedulerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

mod server;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serves `200 ok` with keep-alive on `ports` loopback ports from `base`.
    Targets {
        #[arg(long, default_value_t = 20000)]
        base: u16,
        #[arg(long, default_value_t = 100)]
        ports: u16,
    },
    /// Runs `monitors` HTTP monitors at 1 s for `seconds` (after `warmup` seconds).
    Run {
        #[arg(long)]
        monitors: usize,
        #[arg(long, default_value_t = 20000)]
        base: u16,
        #[arg(long, default_value_t = 100)]
        ports: u16,
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        #[arg(long, default_value_t = 10)]
        warmup: u64,
        #[arg(long, default_value_t = 512)]
        max_in_flight: usize,
    },
    /// Runs `monitors` HTTP monitors at 1 s through the application on `database` (a fresh
    /// SQLite file or PostgreSQL database), for `seconds` after `warmup`.
    Server {
        #[arg(long)]
        database: String,
        #[arg(long)]
        monitors: usize,
        #[arg(long, default_value_t = 20000)]
        base: u16,
        #[arg(long, default_value_t = 100)]
        ports: u16,
        #[arg(long, default_value_t = 180)]
        seconds: u64,
        #[arg(long, default_value_t = 15)]
        warmup: u64,
    },
}

async fn serve(port: u16) -> Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await.with_context(|| format!("port {port}"))?;
    loop {
        let (mut sock, _) = listener.accept().await?;
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            let mut filled = 0;
            loop {
                match sock.read(&mut buf[filled..]).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => filled += n,
                }
                // One response per request head; a client sends the next only after the answer.
                while let Some(end) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
                    let resp = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nok";
                    if sock.write_all(resp).await.is_err() {
                        return;
                    }
                    buf.copy_within(end + 4..filled, 0);
                    filled -= end + 4;
                }
                if filled == buf.len() {
                    return;
                }
            }
        });
    }
}

/// User + system CPU seconds from a `/proc/<pid>/stat` line.
pub(crate) fn cpu_seconds(stat: &str) -> f64 {
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // After the command name: state is field 0, utime 11, stime 12 (clock ticks of 1/100 s).
    (ticks(11) + ticks(12)) / 100.0
}

/// (user + system CPU seconds, VmRSS KiB, VmHWM KiB) of this process.
pub(crate) fn usage() -> Result<(f64, u64, u64)> {
    let cpu = cpu_seconds(&std::fs::read_to_string("/proc/self/stat")?);
    let status = std::fs::read_to_string("/proc/self/status")?;
    let kib = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Ok((cpu, kib("VmRSS:"), kib("VmHWM:")))
}

async fn run(monitors: usize, base: u16, ports: u16, seconds: u64, warmup: u64, max_in_flight: usize) -> Result<()> {
    let mut s = Scheduler::spawn(Prober::new()?, SchedulerConfig { max_in_flight, report_buffer: 65_536 });
    for i in 0..monitors {
        let port = base + (i % usize::from(ports)) as u16;
        let spec = MonitorInput {
            system_id: Some("bench".into()),
            kind: Some("http".into()),
            target: Some(format!("http://127.0.0.1:{port}/m/{i}")),
            interval_seconds: Some(1),
            timeout_ms: Some(1000),
            ..Default::default()
        }
        .validate()
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        s.commands.send(Command::Upsert(Box::new(Job {
            id: format!("m{i}"),
            spec,
            state: MonitorState::Unknown,
            reach: None,
        })))?;
    }
    let warm_until = Instant::now() + Duration::from_secs(warmup);
    while Instant::now() < warm_until {
        if tokio::time::timeout(Duration::from_millis(100), s.reports.recv()).await.is_ok_and(|r| r.is_none()) {
            bail!("the scheduler stopped");
        }
    }
    let (cpu0, _, _) = usage()?;
    let start = Instant::now();
    let end = start + Duration::from_secs(seconds);
    let (mut checks, mut failures) = (0u64, 0u64);
    let mut lags: Vec<u32> = Vec::with_capacity(monitors * seconds as usize);
    while Instant::now() < end {
        match tokio::time::timeout(Duration::from_millis(100), s.reports.recv()).await {
            Ok(Some(r)) => {
                checks += 1;
                failures += u64::from(!r.outcome.ok);
                lags.push(u32::try_from(r.lag.as_millis()).unwrap_or(u32::MAX));
            }
            Ok(None) => bail!("the scheduler stopped"),
            Err(_) => {}
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let (cpu1, rss, hwm) = usage()?;
    lags.sort_unstable();
    let pct = |p: f64| lags.get(((lags.len() as f64 * p).ceil() as usize).saturating_sub(1)).copied().unwrap_or(0);
    let skipped = s.stats.skipped.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "| {monitors} | {:.0} | {failures} | {skipped} | {:.3} | {:.1} | {:.1} | {} | {} | {} |",
        checks as f64 / elapsed,
        (cpu1 - cpu0) / (checks.max(1) as f64 / 1000.0),
        rss as f64 / 1024.0,
        hwm as f64 / 1024.0,
        pct(0.5),
        pct(0.99),
        lags.last().copied().unwrap_or(0),
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    match Cli::parse().cmd {
        Cmd::Targets { base, ports } => {
            let mut tasks = Vec::new();
            for p in 0..ports {
                tasks.push(tokio::spawn(serve(base + p)));
            }
            println!("serving {ports} ports from {base}");
            for t in tasks {
                t.await??;
            }
            Ok(())
        }
        Cmd::Run { monitors, base, ports, seconds, warmup, max_in_flight } => {
            run(monitors, base, ports, seconds, warmup, max_in_flight).await
        }
        Cmd::Server { database, monitors, base, ports, seconds, warmup } => {
            server::run(&database, monitors, base, ports, seconds, warmup).await
        }
    }
}
