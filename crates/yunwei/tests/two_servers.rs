//! Two `yunwei serve` processes on one PostgreSQL database share the monitors and the jobs:
//! each monitor is probed by one of them, an outage opens one ticket per system however many
//! servers saw it, and when one server is killed (`kill -9`) the other probes everything within
//! 30 seconds. Runs when `YUNWEI_TEST_PG_URL` is set (always in CI).

#![allow(clippy::unwrap_used)] // a panicking helper is how a test fails

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_yunwei");
const PASSWORD: &str = "Two-servers-1!";
const SYSTEMS: usize = 4;

fn pg_url() -> Option<String> {
    match std::env::var("YUNWEI_TEST_PG_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(std::env::var("CI").map_or(true, |v| v != "true"), "CI must set YUNWEI_TEST_PG_URL");
            None
        }
    }
}

/// A fresh database beside the one the URL names.
fn fresh_database(admin_url: &str) -> String {
    let name = format!("yunwei_two_{}", std::process::id());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let s = store::Store::connect(admin_url).await.unwrap();
        s.execute_raw_sql(&format!("DROP DATABASE IF EXISTS {name}")).await.unwrap();
        s.execute_raw_sql(&format!("CREATE DATABASE {name}")).await.unwrap();
        s.close().await.unwrap();
    });
    let (base, query) = admin_url.split_once('?').map_or((admin_url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    query.map_or_else(|| format!("{prefix}/{name}"), |q| format!("{prefix}/{name}?{q}"))
}

/// The service the monitors watch: counts requests per path and answers 200, or 503 while
/// failing.
struct Target {
    port: u16,
    hits: Arc<Mutex<HashMap<String, u64>>>,
    failing: Arc<AtomicBool>,
}

impl Target {
    fn start() -> Target {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits: Arc<Mutex<HashMap<String, u64>>> = Arc::default();
        let failing = Arc::new(AtomicBool::new(false));
        let (h, f) = (hits.clone(), failing.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                let (h, f) = (h.clone(), f.clone());
                std::thread::spawn(move || {
                    let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
                    let mut buf = [0u8; 4096];
                    let n = conn.read(&mut buf).unwrap_or(0);
                    let head = String::from_utf8_lossy(&buf[..n]);
                    let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
                    *h.lock().unwrap().entry(path).or_default() += 1;
                    let status = if f.load(Ordering::SeqCst) { "503 Service Unavailable" } else { "200 OK" };
                    let _ = conn.write_all(
                        format!("HTTP/1.1 {status}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok").as_bytes(),
                    );
                });
            }
        });
        Target { port, hits, failing }
    }

    fn counts(&self) -> HashMap<String, u64> {
        self.hits.lock().unwrap().clone()
    }
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `yunwei serve` on a port of its choosing, read from its log line.
fn serve(db: &str, dir: &std::path::Path) -> Server {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("YUNWEI_DATA_DIR", dir)
        .env("YUNWEI_DATABASE_URL", db)
        .env("YUNWEI_ADMIN_PASSWORD", PASSWORD)
        .env("YUNWEI_LOG", "info")
        .env("YUNWEI_LOG_FORMAT", "json")
        .env_remove("YUNWEI_LISTEN")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    // The log is read to its end so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(std::result::Result::ok) {
            let Ok(entry) = serde_json::from_str::<Value>(&line) else { continue };
            if entry["fields"]["message"] == "yunwei is listening"
                && let Some(addr) = entry["fields"]["addr"].as_str()
            {
                let _ = tx.send(addr.to_string());
            }
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(60)).expect("the server logs its address");
    Server { child, base: format!("http://{addr}") }
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().timeout(Duration::from_secs(10)).build().unwrap()
}

fn login(base: &str) -> String {
    let r: Value = client()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": PASSWORD}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    r["token"].as_str().unwrap_or_else(|| panic!("login: {r}")).to_string()
}

fn post(base: &str, token: &str, path: &str, body: Value) -> Value {
    let r = client().post(format!("{base}/api/v1{path}")).bearer_auth(token).json(&body).send().unwrap();
    assert!(r.status().is_success(), "POST {path}: {}", r.status());
    r.json().unwrap()
}

fn get(base: &str, token: &str, path: &str) -> Value {
    client().get(format!("{base}/api/v1{path}")).bearer_auth(token).send().unwrap().json().unwrap()
}

/// Requests per path over `window`.
fn rate(target: &Target, window: Duration) -> HashMap<String, u64> {
    let before = target.counts();
    std::thread::sleep(window);
    target.counts().into_iter().map(|(p, n)| (p.clone(), n - before.get(&p).copied().unwrap_or(0))).collect()
}

fn incident_tickets(base: &str, token: &str) -> Vec<Value> {
    let page = get(base, token, "/tickets?type=incident&status=&page_size=100");
    page["items"].as_array().cloned().unwrap_or_default()
}

#[test]
fn two_servers_share_the_monitors_open_one_ticket_each_and_survive_a_kill() {
    let Some(admin_url) = pg_url() else { return };
    let db = fresh_database(&admin_url);
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let target = Target::start();

    let a = serve(&db, dir_a.path());
    let token = login(&a.base);
    let unit = post(&a.base, &token, "/units", json!({"name": "两台服务器测试单位"}));
    for i in 0..SYSTEMS {
        let s = post(&a.base, &token, "/systems", json!({"name": format!("系统{i}"), "unit_id": unit["id"]}));
        let url = format!("http://127.0.0.1:{}/s{i}", target.port);
        post(
            &a.base,
            &token,
            "/monitors",
            json!({"system_id": s["id"], "kind": "http", "target": url, "interval_seconds": 1,
                   "timeout_ms": 500, "failures_before_down": 2}),
        );
    }
    let b = serve(&db, dir_b.path());
    let token_b = login(&b.base);

    // Both servers have seen each other after a renewal (5 s); then each path is probed about
    // once a second in all, not twice.
    std::thread::sleep(Duration::from_secs(7));
    let seen = rate(&target, Duration::from_secs(5));
    let total: u64 = seen.values().sum();
    let expected = (SYSTEMS * 5) as u64;
    assert!(total >= expected * 6 / 10 && total <= expected * 14 / 10, "about {expected} requests, got {seen:?}");
    for i in 0..SYSTEMS {
        assert!(
            seen.get(&format!("/s{i}")).is_some_and(|n| (2..=8).contains(n)),
            "s{i} probed once a second: {seen:?}"
        );
    }

    // The target fails for about 10 s: one ticket per system, restored afterwards.
    target.failing.store(true, Ordering::SeqCst);
    std::thread::sleep(Duration::from_secs(10));
    target.failing.store(false, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(30);
    let tickets = loop {
        let t = incident_tickets(&b.base, &token_b);
        let restored = t.iter().filter(|t| t["outage_end"].is_string()).count();
        if (t.len() >= SYSTEMS && restored == t.len()) || Instant::now() > deadline {
            break t;
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    assert_eq!(tickets.len(), SYSTEMS, "one incident ticket per system: {tickets:#?}");
    let mut systems: Vec<&str> = tickets.iter().map(|t| t["system_id"].as_str().unwrap()).collect();
    systems.sort();
    systems.dedup();
    assert_eq!(systems.len(), SYSTEMS, "none doubled");
    assert!(tickets.iter().all(|t| t["outage_end"].is_string()), "all restored: {tickets:#?}");

    // One server dies without a word; within 30 s the other probes every monitor.
    let mut a = a;
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    std::thread::sleep(Duration::from_secs(25));
    let seen = rate(&target, Duration::from_secs(5));
    for i in 0..SYSTEMS {
        assert!(seen.get(&format!("/s{i}")).is_some_and(|n| *n >= 3), "s{i} probed after the kill: {seen:?}");
    }
    let total: u64 = seen.values().sum();
    assert!(total <= expected * 14 / 10, "still once a second: {seen:?}");
    assert_eq!(incident_tickets(&b.base, &token_b).len(), SYSTEMS, "no ticket from the handover");
}
