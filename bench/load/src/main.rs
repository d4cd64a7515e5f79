//! Mixed load on a running Yunwei with the demo data (`yunwei demo`): `--clients` tasks without
//! think time, each repeatedly picking one of: a ticket list page (35 %), a ticket page (35 %), a
//! comment on a ticket (15 %) or a new ticket reported by a unit (15 %). Prints throughput and
//! latency percentiles per operation and for reads and writes, and every error.
//!
//! `--scenario backup-intake`: a backup tool's pushes instead — the bureau creates an integration
//! account of kind `backup` and a daily policy on a demo system, and every client posts finished
//! runs to `/api/v1/intake/backup-runs` with the token (issue 21: 100 runs/s).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use rand::Rng;
use serde_json::{Value, json};

#[derive(Parser)]
struct Args {
    /// The server, e.g. http://127.0.0.1:8080.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    base: String,
    #[arg(long, default_value_t = 100)]
    clients: usize,
    /// Measured seconds (after a 3 s warm-up).
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    #[arg(long, default_value = "Demo@2026")]
    password: String,
    /// mixed (the default) or backup-intake.
    #[arg(long, default_value = "mixed")]
    scenario: String,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Op {
    List,
    Page,
    Comment,
    Create,
    Intake,
}

impl Op {
    fn write(self) -> bool {
        matches!(self, Op::Comment | Op::Create | Op::Intake)
    }
}

struct World {
    base: String,
    http: reqwest::Client,
    admin: String,
    engineer: String,
    unit: String,
    tickets: Vec<String>,
    unit_systems: Vec<String>,
    /// The integration token and the policy a backup tool reports against.
    intake: Option<(String, String)>,
}

async fn login(http: &reqwest::Client, base: &str, user: &str, password: &str) -> anyhow::Result<String> {
    let r: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": user, "password": password}))
        .send()
        .await?
        .json()
        .await?;
    r["token"].as_str().map(str::to_string).with_context(|| format!("login {user}: {r}"))
}

async fn ids(http: &reqwest::Client, base: &str, token: &str, path: &str) -> anyhow::Result<Vec<String>> {
    let r: Value = http.get(format!("{base}/api/v1{path}")).bearer_auth(token).send().await?.json().await?;
    let ids: Vec<String> = r["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["id"].as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    if ids.is_empty() {
        bail!("{path} returned nothing: {r}");
    }
    Ok(ids)
}

/// The bureau's side of a backup tool: an integration token of kind `backup` and a policy.
async fn backup_tool(
    http: &reqwest::Client,
    base: &str,
    admin: &str,
    system: &str,
) -> anyhow::Result<(String, String)> {
    let i: Value = http
        .post(format!("{base}/api/v1/integrations"))
        .bearer_auth(admin)
        .json(&json!({"name": "压测备份工具", "kind": "backup"}))
        .send()
        .await?
        .json()
        .await?;
    let token = i["token"].as_str().with_context(|| format!("integration: {i}"))?.to_string();
    let p: Value = http
        .post(format!("{base}/api/v1/backup-policies"))
        .bearer_auth(admin)
        .json(&json!({"system_id": system, "object": "database", "frequency": {"every": "day"}, "retention_days": 30}))
        .send()
        .await?
        .json()
        .await?;
    let policy = p["id"].as_str().with_context(|| format!("policy: {p}"))?.to_string();
    Ok((token, policy))
}

/// One request: its status class, or the error.
async fn run(w: &World, op: Op, rng: &mut rand::rngs::StdRng) -> Result<(), String> {
    let base = &w.base;
    let req = match op {
        Op::List => {
            let page = rng.gen_range(1..=3);
            w.http.get(format!("{base}/api/v1/tickets?page={page}&status=")).bearer_auth(&w.admin)
        }
        Op::Page => {
            let id = &w.tickets[rng.gen_range(0..w.tickets.len())];
            w.http.get(format!("{base}/api/v1/tickets/{id}")).bearer_auth(&w.engineer)
        }
        Op::Comment => {
            let id = &w.tickets[rng.gen_range(0..w.tickets.len())];
            w.http
                .post(format!("{base}/api/v1/tickets/{id}/comments"))
                .bearer_auth(&w.engineer)
                .json(&json!({"body": "压测：已远程查看日志，继续观察"}))
        }
        Op::Create => {
            let system = &w.unit_systems[rng.gen_range(0..w.unit_systems.len())];
            w.http.post(format!("{base}/api/v1/tickets")).bearer_auth(&w.unit).json(&json!({
                "system_id": system, "type": "incident", "title": "压测：页面打开缓慢",
                "description": "多名用户反映办件系统页面打开缓慢"
            }))
        }
        Op::Intake => {
            let (token, policy) = w.intake.as_ref().expect("backup-intake scenario");
            let end = chrono::Utc::now();
            let start = end - chrono::Duration::minutes(rng.gen_range(5..60));
            w.http.post(format!("{base}/api/v1/intake/backup-runs")).bearer_auth(token).json(&json!({
                "policy_id": policy, "started_at": start.to_rfc3339(), "finished_at": end.to_rfc3339(),
                "result": "success", "size_bytes": rng.gen_range(1_000_000..10_000_000_000i64),
                "stored_at": "/backup/oracle", "tool": "RMAN"
            }))
        }
    };
    match req.send().await {
        Ok(r) if r.status().is_success() => {
            let _ = r.bytes().await;
            Ok(())
        }
        Ok(r) => {
            let status = r.status();
            Err(format!(
                "{op:?} {status}: {}",
                r.text().await.unwrap_or_default().chars().take(200).collect::<String>()
            ))
        }
        Err(e) => Err(format!("{op:?}: {e}")),
    }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

fn row(name: &str, lat: &mut [u64], secs: f64) -> String {
    lat.sort_unstable();
    format!(
        "| {name} | {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} |",
        lat.len(),
        lat.len() as f64 / secs,
        percentile(lat, 0.5),
        percentile(lat, 0.95),
        percentile(lat, 0.99),
        percentile(lat, 1.0)
    )
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let http = reqwest::Client::builder().pool_max_idle_per_host(a.clients).build()?;
    let admin = login(&http, &a.base, "admin", &a.password).await?;
    let engineer = login(&http, &a.base, "eng1", &a.password).await?;
    let unit = login(&http, &a.base, "unit01", &a.password).await?;
    let tickets = ids(&http, &a.base, &admin, "/tickets?status=&page_size=100").await?;
    let unit_systems = ids(&http, &a.base, &unit, "/systems?page_size=100").await?;
    let intake = match a.scenario.as_str() {
        "mixed" => None,
        "backup-intake" => Some(backup_tool(&http, &a.base, &admin, &unit_systems[0]).await?),
        other => bail!("unknown scenario {other}: mixed or backup-intake"),
    };
    let w = Arc::new(World { base: a.base.clone(), http, admin, engineer, unit, tickets, unit_systems, intake });

    let warm = Instant::now() + Duration::from_secs(3);
    let end = warm + Duration::from_secs(a.seconds);
    let mut tasks = Vec::new();
    for seed in 0..a.clients {
        let w = w.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng: rand::rngs::StdRng = rand::SeedableRng::seed_from_u64(seed as u64);
            let mut lat: BTreeMap<Op, Vec<u64>> = BTreeMap::new();
            let mut errors = Vec::new();
            loop {
                let now = Instant::now();
                if now >= end {
                    break;
                }
                let op = if w.intake.is_some() {
                    Op::Intake
                } else {
                    match rng.gen_range(0..100) {
                        0..35 => Op::List,
                        35..70 => Op::Page,
                        70..85 => Op::Comment,
                        _ => Op::Create,
                    }
                };
                let r = run(&w, op, &mut rng).await;
                if now >= warm {
                    match r {
                        Ok(()) => lat.entry(op).or_default().push(now.elapsed().as_micros() as u64),
                        Err(e) => errors.push(e),
                    }
                }
            }
            (lat, errors)
        }));
    }
    let mut all: BTreeMap<Op, Vec<u64>> = BTreeMap::new();
    let mut errors = Vec::new();
    for t in tasks {
        let (lat, errs) = t.await?;
        for (op, v) in lat {
            all.entry(op).or_default().extend(v);
        }
        errors.extend(errs);
    }
    let secs = a.seconds as f64;
    println!("{} clients, {} s measured, {}", a.clients, a.seconds, a.base);
    println!("| operation | requests | per s | p50 ms | p95 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|---|---|");
    let (mut reads, mut writes) = (Vec::new(), Vec::new());
    for (op, v) in &mut all {
        println!("{}", row(&format!("{op:?}"), v, secs));
        if op.write() { writes.extend_from_slice(v) } else { reads.extend_from_slice(v) }
    }
    println!("{}", row("**reads**", &mut reads, secs));
    println!("{}", row("**writes**", &mut writes, secs));
    println!("errors: {}", errors.len());
    for e in errors.iter().take(10) {
        println!("  {e}");
    }
    Ok(())
}
