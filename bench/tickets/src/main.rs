//! Tickets at scale (issue 5): writes a registry and N tickets, then measures the list and
//! due-clock queries through the code paths the API uses, and the rate of ticket creation.
//!
//! ```sh
//! cargo run --release -p bench-tickets -- --database-url 'sqlite:///tmp/bench.db?mode=rwc'
//! cargo run --release -p bench-tickets -- --database-url postgres://yunwei@127.0.0.1:5432/bench
//! ```
//! `--vulnerabilities 200000` measures the vulnerability ledger instead (issue 20).
//! Results are recorded in docs/benchmarks.md; nothing here asserts a timing.

mod generate;
mod measure;
mod registry;
mod vulns;

use anyhow::{Result, bail};
use clap::Parser;

#[derive(Parser)]
#[command(about = "Generates tickets and measures list, due-clock and creation performance")]
struct Args {
    /// `sqlite://path?mode=rwc` or `postgres://…` (an empty database, or one this tool filled).
    #[arg(long)]
    database_url: String,
    /// Tickets to generate.
    #[arg(long, default_value_t = 1_000_000)]
    tickets: usize,
    /// Tickets created through the full use case for the creation rate.
    #[arg(long, default_value_t = 2_000)]
    create: usize,
    /// Callers at once in the concurrent creation run.
    #[arg(long, default_value_t = 8)]
    tasks: usize,
    /// Timed calls per query (after a warm-up of three).
    #[arg(long, default_value_t = 200)]
    reps: usize,
    /// Measure an existing database this tool already filled (no generation, no creation).
    #[arg(long)]
    reuse: bool,
    /// Only generate (to inspect query plans by hand, then `--reuse`).
    #[arg(long)]
    generate_only: bool,
    /// Vendors, each with one contract (10 of 40 systems; 2 of 200 for the report benchmark).
    #[arg(long, default_value_t = registry::VENDORS)]
    vendors: usize,
    /// Measure only the rows whose name contains this (e.g. `kpis`).
    #[arg(long)]
    only: Option<String>,
    /// Instead of tickets: the vulnerability ledger filled to this many findings by imports of
    /// 20,000-finding Nessus files (issue 20).
    #[arg(long)]
    vulnerabilities: Option<usize>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let app =
        app::App::open(&args.database_url, config(&args.database_url)?).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let backend = app.backend_name();
    eprintln!("backend: {backend}");
    let mut generated = None;
    let reg = if args.reuse {
        registry::Registry::load(&app).await?
    } else {
        if app.has_users().await.map_err(|e| anyhow::anyhow!("{e:?}"))? {
            bail!("the database is not empty; give a fresh one, or --reuse to measure it again");
        }
        let t = std::time::Instant::now();
        let reg = registry::Registry::create(&app, args.vendors).await?;
        eprintln!(
            "registry: {} systems, {} contract items, in {:.1} s",
            reg.systems.len(),
            reg.items.len(),
            t.elapsed().as_secs_f64()
        );
        if let Some(n) = args.vulnerabilities {
            return vulns::run(&app, &reg, n, 20_000, args.reps).await;
        }
        eprintln!("generating {} tickets…", args.tickets);
        let s = generate::generate(&app, &reg, args.tickets).await?;
        let pct = |x: usize| 100.0 * x as f64 / s.total.max(1) as f64;
        println!(
            "\ngenerated {} tickets and {} clocks in {:.1} s: {:.0} tickets/s",
            s.total,
            s.clocks,
            s.seconds,
            s.total as f64 / s.seconds
        );
        println!(
            "closed {:.2} %, resolved {:.2} %, open {:.2} %, breached {:.2} %, at risk {}, due for the clock job {}",
            pct(s.closed),
            pct(s.resolved),
            pct(s.open),
            pct(s.breached),
            s.at_risk,
            s.due_for_check
        );
        generated = Some(s.total);
        if backend == "postgresql" {
            // What autovacuum does to a table that grew over three years: statistics, and the
            // visibility map that index-only scans need.
            app.store().execute_raw_sql("VACUUM ANALYZE").await?;
        }
        reg
    };
    if args.generate_only {
        return Ok(());
    }
    let total = generated.map_or("an existing database".to_string(), |n| format!("{n} tickets"));
    eprintln!("measuring on {total}, {} calls each after a warm-up…", args.reps);
    let rows = measure::queries(&app, &reg, args.reps, args.only.as_deref()).await?;
    println!("\n{backend}, {total} — milliseconds over {} calls\n", args.reps);
    println!("| query | p50 | p95 | p99 | max | rows / total |");
    println!("|---|---:|---:|---:|---:|---:|");
    for r in &rows {
        let total = r.total.map_or(String::new(), |t| format!(" / {t}"));
        println!("| {} | {:.2} | {:.2} | {:.2} | {:.2} | {}{total} |", r.name, r.p50, r.p95, r.p99, r.max, r.rows);
    }
    if !args.reuse && args.create > 0 {
        let seq = measure::creation(&app, &reg, args.create, 1).await?;
        let par = measure::creation(&app, &reg, args.create, args.tasks).await?;
        println!("\n| ticket creation through `App::create_ticket` | tickets/s |");
        println!("|---|---:|");
        println!("| {} tickets, one caller | {seq:.0} |", args.create);
        println!("| {} tickets, {} callers at once | {par:.0} |", args.create, args.tasks);
    }
    Ok(())
}

/// Issued reports keep their files in the data directory: a fresh one beside the database
/// (a temporary one for PostgreSQL).
fn config(url: &str) -> Result<app::AppConfig> {
    let dir = match url.strip_prefix("sqlite://").and_then(|p| p.split('?').next()).map(std::path::Path::new) {
        Some(db) => db.with_extension("files"),
        None => std::env::temp_dir().join(format!("bench-tickets-files-{}", std::process::id())),
    };
    app::files::private_dir(&dir)?;
    Ok(app::AppConfig { data_dir: Some(dir), ..app::AppConfig::default() })
}
