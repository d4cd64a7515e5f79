//! The vulnerability ledger at scale (issue 20): a 20,000-finding Nessus file imported through
//! `App::import_vulnerabilities` (preview, commit, the same file again) with the process's peak
//! memory, then the ledger filled to N findings by more such imports over every system, a share
//! of them fixed and verified as a year of work leaves them, and the list with its filters
//! measured through `App::list_vulnerabilities` (the code path of `GET /vulnerabilities`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

use anyhow::{Result, anyhow};
use app::App;
use app::vulnerabilities::{ImportFile, ImportOptions, ImportTarget};
use domain::Principal;
use domain::list::{ListQuery, Order};
use domain::vulnerabilities::{Severity, VulnFilter, VulnStatus};

use crate::measure::{Row, time};
use crate::registry::Registry;

const PER_HOST: usize = 40;

fn e(e: app::AppError) -> anyhow::Error {
    anyhow!("{e:?}")
}

/// Peak and current resident memory of this process, in MiB (Linux).
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (kb("VmHWM:") / 1024.0, kb("VmRSS:") / 1024.0)
}

/// A Nessus v2 file of `n` findings on hosts `10.<a>.<b>.<h>` (40 findings a host), as a
/// quarterly scan writes it: descriptions, solutions and plugin output of realistic length.
fn nessus(n: usize, batch: usize, systems: usize) -> Vec<u8> {
    let mut x = String::with_capacity(n * 1_500);
    x.push_str("<?xml version=\"1.0\" ?>\n<NessusClientData_v2><Report name=\"bench\">\n");
    let hosts = n.div_ceil(PER_HOST);
    let text = "该漏洞允许远程攻击者在未经身份验证的情况下执行任意代码，影响版本范围较广。".repeat(4);
    for h in 0..hosts {
        let sys = (h + batch * 7) % systems;
        let ip = format!("10.{}.{}.{}", sys / 200, sys % 200, 10 + (h / systems) % 240);
        let _ =
            writeln!(x, "<ReportHost name=\"{ip}\"><HostProperties><tag name=\"host-ip\">{ip}</tag></HostProperties>");
        for k in 0..PER_HOST.min(n - h * PER_HOST) {
            let plugin = 100_000 + batch * 1_000 + k;
            let sev = [4, 3, 3, 2, 2, 2, 1, 1][k % 8];
            let _ = writeln!(
                x,
                "<ReportItem port=\"{}\" svc_name=\"www\" protocol=\"tcp\" severity=\"{sev}\" pluginID=\"{plugin}\" \
                 pluginName=\"基准漏洞 {plugin}\"><description>{text}</description><solution>升级到最新版本。</solution>\
                 <cvss3_base_score>7.5</cvss3_base_score><cve>CVE-2024-{plugin}</cve><plugin_output>Server: nginx/1.{k}</plugin_output></ReportItem>",
                1000 + k
            );
        }
        x.push_str("</ReportHost>\n");
    }
    x.push_str("</Report></NessusClientData_v2>\n");
    x.into_bytes()
}

/// Every system of the registry gets a /24: `10.<i / 200>.<i % 200>.0/24`.
fn host_map(reg: &Registry) -> BTreeMap<String, String> {
    reg.systems.iter().enumerate().map(|(i, s)| (format!("10.{}.{}.0/24", i / 200, i % 200), s.id.clone())).collect()
}

async fn import(
    app: &App,
    p: &Principal,
    bytes: &[u8],
    map: &BTreeMap<String, String>,
    dry_run: bool,
) -> Result<(f64, u64)> {
    let t = Instant::now();
    let r = app
        .import_vulnerabilities(
            p,
            ImportFile { name: "bench.nessus".into(), bytes: bytes.to_vec() },
            ImportOptions {
                target: ImportTarget::Hosts(map.clone()),
                mapping: None,
                mapping_id: None,
                source: None,
                dry_run,
            },
        )
        .await
        .map_err(e)?;
    if r.errors > 0 {
        return Err(anyhow!("import problems: {:?}", r.problems.first()));
    }
    Ok((t.elapsed().as_secs_f64(), r.create + r.update))
}

pub async fn run(app: &App, reg: &Registry, total: usize, per_file: usize, reps: usize) -> Result<()> {
    let map = host_map(reg);
    let file = nessus(per_file, 0, reg.systems.len());
    let mb = file.len() as f64 / 1_048_576.0;
    let (_, before) = memory();
    let (dry, n) = import(app, &reg.admin, &file, &map, true).await?;
    let (commit, created) = import(app, &reg.admin, &file, &map, false).await?;
    let (peak, after) = memory();
    let (again, seen) = import(app, &reg.admin, &file, &map, false).await?;
    println!("\n| import of a Nessus file, {per_file} findings ({mb:.1} MB) | seconds | findings |");
    println!("|---|---:|---:|");
    println!("| preview (`dry_run`) | {dry:.2} | {n} |");
    println!("| commit (all new) | {commit:.2} | {created} |");
    println!("| the same file again (all seen again) | {again:.2} | {seen} |");
    println!("\nresident memory: {before:.0} MiB before, peak {peak:.0} MiB, {after:.0} MiB after");

    let files = total.div_ceil(per_file);
    let t = Instant::now();
    for batch in 1..files {
        let bytes = nessus(per_file, batch, reg.systems.len());
        import(app, &reg.admin, &bytes, &map, false).await?;
        eprintln!("  filled {} findings", (batch + 1) * per_file);
    }
    eprintln!("filled in {:.0} s", t.elapsed().as_secs_f64());
    // A year of work: about seven in ten verified, one in ten fixed awaiting verification.
    app.store()
        .execute_raw_sql(
            "UPDATE vulnerabilities SET status = 'verified', clock_state = 'met', next_check_at = NULL \
             WHERE substr(id, length(id), 1) IN ('0','1','2','3','4','5','6','7','8','9','a')",
        )
        .await?;
    app.store()
        .execute_raw_sql(
            "UPDATE vulnerabilities SET status = 'fixed', clock_state = 'met', next_check_at = NULL \
             WHERE substr(id, length(id), 1) IN ('b','c')",
        )
        .await?;
    if app.backend_name() == "postgresql" {
        app.store().execute_raw_sql("VACUUM ANALYZE").await?;
    }
    let rows = queries(app, reg, reps).await?;
    println!("\n{}, {total} findings — milliseconds over {reps} calls, pages of 20\n", app.backend_name());
    println!("| query | p50 | p95 | p99 | max | rows / total |");
    println!("|---|---:|---:|---:|---:|---:|");
    for r in &rows {
        let total = r.total.map_or(String::new(), |t| format!(" / {t}"));
        println!("| {} | {:.2} | {:.2} | {:.2} | {:.2} | {}{total} |", r.name, r.p50, r.p95, r.p99, r.max, r.rows);
    }
    Ok(())
}

fn page(sort: Option<&str>, order: Order, q: Option<&str>) -> ListQuery {
    ListQuery { page: 1, page_size: 20, sort: sort.map(str::to_string), order, q: q.map(str::to_string) }
}

async fn queries(app: &App, reg: &Registry, reps: usize) -> Result<Vec<Row>> {
    let unresolved: Vec<VulnStatus> = VulnStatus::ALL.iter().copied().filter(|s| s.is_open()).collect();
    let system = reg.systems[0].id.clone();
    let cases: Vec<(&str, &Principal, ListQuery, VulnFilter)> = vec![
        ("ledger, default (bureau, newest first)", &reg.admin, page(None, Order::Desc, None), VulnFilter::default()),
        (
            "severity=critical,high & status=unresolved",
            &reg.admin,
            page(None, Order::Desc, None),
            VulnFilter {
                severities: vec![Severity::Critical, Severity::High],
                statuses: unresolved.clone(),
                ..Default::default()
            },
        ),
        (
            "breached=true",
            &reg.admin,
            page(None, Order::Desc, None),
            VulnFilter { breached: Some(true), ..Default::default() },
        ),
        (
            "unresolved, older_than_days=30, by due time",
            &reg.admin,
            page(Some("due_at"), Order::Asc, None),
            VulnFilter { statuses: unresolved.clone(), older_than_days: Some(30), ..Default::default() },
        ),
        (
            "system_id",
            &reg.admin,
            page(None, Order::Desc, None),
            VulnFilter { system_id: Some(system), ..Default::default() },
        ),
        (
            "search q=\"CVE-2024-105001\" (an identifier)",
            &reg.admin,
            page(None, Order::Desc, Some("cve-2024-105001")),
            VulnFilter::default(),
        ),
        (
            "search q=\"漏洞 105001\" (free text)",
            &reg.admin,
            page(None, Order::Desc, Some("漏洞 105001")),
            VulnFilter::default(),
        ),
        ("unit user (scope: one unit)", &reg.unit_user, page(None, Order::Desc, None), VulnFilter::default()),
        (
            "engineer (scope: one vendor), unresolved, gravest first",
            &reg.engineer,
            page(Some("severity"), Order::Asc, None),
            VulnFilter { statuses: unresolved, ..Default::default() },
        ),
    ];
    let mut out = Vec::new();
    for (name, p, q, f) in cases {
        let row = time(None, name, reps, || {
            let (q, f) = (q.clone(), f.clone());
            async move {
                let page = app.list_vulnerabilities(p, &q, &f).await.map_err(e)?;
                Ok((page.items.len(), Some(page.total)))
            }
        })
        .await?;
        out.extend(row);
    }
    Ok(out)
}
