//! The binary as an operator meets it: serve, migrate, create-user, audit verify, demo.

#![allow(clippy::unwrap_used)] // a panicking helper is how a test fails

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_yunwei");

fn yunwei(dir: &std::path::Path) -> Command {
    let mut c = Command::new(BIN);
    c.env_remove("YUNWEI_DATABASE_URL")
        .env_remove("YUNWEI_ADMIN_PASSWORD")
        .env_remove("YUNWEI_LISTEN")
        .env("YUNWEI_DATA_DIR", dir)
        .env("YUNWEI_LOG", "warn");
    c
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_ready(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if reqwest::blocking::get(format!("{base}/readyz")).is_ok_and(|r| r.status().is_success()) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("server at {base} did not become ready");
}

/// Starts `yunwei serve` on a port the server binds itself (`127.0.0.1:0`, held from bind to
/// exit, so no other process can take it in between) and returns it with its base URL, read
/// from the server's "listening" log line.
fn serve(dir: &std::path::Path, admin_password: Option<&str>) -> (Server, String) {
    serve_with(dir, admin_password, &[])
}

/// `serve` with extra environment variables.
fn serve_with(dir: &std::path::Path, admin_password: Option<&str>, env: &[(&str, &str)]) -> (Server, String) {
    let mut c = yunwei(dir);
    c.envs(env.iter().copied());
    c.args(["serve", "--listen", "127.0.0.1:0"]).env("YUNWEI_LOG", "warn,yunwei=info").env("YUNWEI_LOG_FORMAT", "json");
    if let Some(p) = admin_password {
        c.env("YUNWEI_ADMIN_PASSWORD", p);
    }
    let mut child = c.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let server = Server(child);
    let (tx, rx) = std::sync::mpsc::channel();
    // Keep reading after the line: a full pipe would stop the server's logging.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let Ok(v) = serde_json::from_str::<Value>(&line) else { continue };
            if v["fields"]["message"] == "yunwei is listening"
                && let Some(addr) = v["fields"]["addr"].as_str()
            {
                let _ = tx.send(format!("http://{addr}"));
            }
        }
    });
    let base = rx.recv_timeout(Duration::from_secs(120)).expect("the server logs where it listens");
    (server, base)
}

fn login(base: &str, user: &str, password: &str) -> String {
    let r: Value = reqwest::blocking::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": user, "password": password}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    r["token"].as_str().unwrap_or_else(|| panic!("login {user}: {r}")).to_string()
}

fn get(base: &str, path: &str, token: &str) -> Value {
    reqwest::blocking::Client::new().get(format!("{base}{path}")).bearer_auth(token).send().unwrap().json().unwrap()
}

#[test]
fn serve_refuses_to_start_without_an_administrator() {
    let dir = tempfile::tempdir().unwrap();
    let out = yunwei(dir.path()).args(["serve", "--listen", "127.0.0.1:0"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("YUNWEI_ADMIN_PASSWORD") && err.contains("create-user"), "{err}");
}

#[test]
fn data_survives_a_restart_and_the_chain_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let unit_id = {
        let (_server, base) = serve(dir.path(), Some("Bureau#2026"));
        wait_ready(&base);
        let token = login(&base, "admin", "Bureau#2026");
        let r: Value = reqwest::blocking::Client::new()
            .post(format!("{base}/api/v1/units"))
            .bearer_auth(&token)
            .json(&json!({"name": "安阳市档案馆"}))
            .send()
            .unwrap()
            .json()
            .unwrap();
        r["id"].as_str().unwrap().to_string()
    };
    // Started again without the variable: the administrator already exists.
    let (_server, base) = serve(dir.path(), None);
    wait_ready(&base);
    let token = login(&base, "admin", "Bureau#2026");
    assert_eq!(get(&base, &format!("/api/v1/units/{unit_id}"), &token)["name"], "安阳市档案馆");
    drop(_server);

    let out = yunwei(dir.path()).args(["audit", "verify"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact"));
}

#[test]
fn create_user_reads_the_password_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    assert!(yunwei(dir.path()).arg("migrate").output().unwrap().status.success());
    let create = |password: &str| {
        let mut child = yunwei(dir.path())
            .args(["admin", "create-user", "--username", "root2", "--role", "admin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let weak = create("weak");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password"));
    let ok = create("Strong#2026");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let dup = create("Strong#2026");
    assert!(!dup.status.success(), "a second user with the same name is refused");
    let (_server, base) = serve(dir.path(), None);
    wait_ready(&base);
    login(&base, "root2", "Strong#2026");
}

#[test]
fn audit_verify_fails_on_a_tampered_chain() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (_server, base) = serve(dir.path(), Some("Bureau#2026"));
        wait_ready(&base);
        login(&base, "admin", "Bureau#2026");
    }
    let db = dir.path().join("yunwei.db");
    let conn = format!("sqlite://{}?mode=rw", db.display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = app::Database::connect(&conn).await.unwrap();
        store.execute_raw_sql("DROP TRIGGER audit_log_no_update").await.unwrap();
        store.execute_raw_sql("UPDATE audit_log SET actor_name = 'mallory' WHERE seq = 1").await.unwrap();
        store.close().await.unwrap();
    });
    let out = yunwei(dir.path()).args(["audit", "verify"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("BROKEN"));
}

/// The chain switches to SM3 at a marked record when the server restarts with the `sm` suite;
/// the SHA-256 records before it and the SM3 records after it verify, and tampering with an
/// SM3 record is found.
#[test]
fn the_sm_suite_chains_with_sm3_from_a_marked_point_and_tampering_is_found() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (_server, base) = serve(dir.path(), Some("Bureau#2026"));
        wait_ready(&base);
        login(&base, "admin", "Bureau#2026");
    }
    {
        let (_server, base) = serve_with(dir.path(), None, &[("YUNWEI_CRYPTO_SUITE", "sm")]);
        wait_ready(&base);
        login(&base, "admin", "Bureau#2026");
    }
    let verify = || yunwei(dir.path()).env("YUNWEI_CRYPTO_SUITE", "sm").args(["audit", "verify"]).output().unwrap();
    let out = verify();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let db = dir.path().join("yunwei.db");
    let conn = format!("sqlite://{}?mode=rw", db.display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let last_sm3 = rt.block_on(async {
        let store = app::Database::connect(&conn).await.unwrap();
        let rows = store.query_pairs("SELECT action, hash FROM audit_log ORDER BY seq").await.unwrap();
        let marker = rows.iter().position(|(a, _)| a == "crypto_suite_changed").expect("a marked switch");
        assert!(rows[..marker].iter().all(|(_, h)| h.len() == 64 && !h.starts_with("sm3:")), "{rows:?}");
        assert!(rows[marker..].iter().all(|(_, h)| h.starts_with("sm3:")), "{rows:?}");
        assert!(rows.len() > marker + 1, "the sign-in after the switch is chained with SM3 too");
        store.execute_raw_sql("DROP TRIGGER audit_log_no_update").await.unwrap();
        let seq = rows.len();
        store.execute_raw_sql(&format!("UPDATE audit_log SET actor_name = 'mallory' WHERE seq = {seq}")).await.unwrap();
        store.close().await.unwrap();
        seq
    });
    let out = verify();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("BROKEN") && text.contains(&last_sm3.to_string()), "{text}");
}

/// An archived segment verifies on its own, and an edited record in it is found.
#[test]
fn an_audit_archive_verifies_without_the_database_and_shows_edits() {
    let dir = tempfile::tempdir().unwrap();
    let (server, base) = serve(dir.path(), Some("Bureau#2026"));
    wait_ready(&base);
    let token = login(&base, "admin", "Bureau#2026");
    let body = reqwest::blocking::Client::new()
        .get(format!("{base}/api/v1/audit/archive?from_seq=2"))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .text()
        .unwrap();
    drop(server);
    let header: Value = serde_json::from_str(body.lines().next().unwrap()).unwrap();
    assert_eq!(
        (header["kind"].as_str(), header["from_seq"].as_i64()),
        (Some("yunwei-audit-segment"), Some(2)),
        "{body}"
    );
    let file = dir.path().join("segment.jsonl");
    std::fs::write(&file, &body).unwrap();
    let check = || yunwei(dir.path()).args(["audit", "verify-archive"]).arg(&file).output().unwrap();
    let out = check();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact"));
    let edited = body.replacen("\"actor_name\":\"admin\"", "\"actor_name\":\"mallory\"", 1);
    assert_ne!(edited, body, "the segment names the administrator");
    std::fs::write(&file, &edited).unwrap();
    let out = check();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("BROKEN"));
}

#[test]
fn audit_verify_detects_a_removed_head_and_a_wrong_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (_server, base) = serve(dir.path(), Some("Bureau#2026"));
        wait_ready(&base);
        login(&base, "admin", "Bureau#2026");
    }
    let db = dir.path().join("yunwei.db");
    let conn = format!("sqlite://{}?mode=rw", db.display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = app::Database::connect(&conn).await.unwrap();
        // The triggers stop a casual attempt...
        assert!(store.execute_raw_sql("DELETE FROM audit_head").await.is_err());
        // ...but not an owner who drops them and removes the tail together with the head.
        store.execute_raw_sql("DROP TRIGGER audit_log_no_delete").await.unwrap();
        store.execute_raw_sql("DROP TRIGGER audit_head_no_delete").await.unwrap();
        store.execute_raw_sql("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)").await.unwrap();
        store.execute_raw_sql("DELETE FROM audit_head").await.unwrap();
        store.close().await.unwrap();
    });
    let out = yunwei(dir.path()).args(["audit", "verify"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("head_missing"), "{}", String::from_utf8_lossy(&out.stdout));

    let empty = tempfile::tempdir().unwrap();
    let out = yunwei(empty.path()).args(["audit", "verify"]).output().unwrap();
    assert!(!out.status.success(), "an empty directory is not an intact chain");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database"));
    assert!(!empty.path().join("yunwei.db").exists(), "verification creates nothing");
}

#[test]
fn demo_serves_the_seed_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = yunwei(dir.path())
        .args(["demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _guard = Server(child);
    // Keep reading after the URL: a closed pipe would make the demo's next line fail.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(i) = line.find("http://") {
                let _ = tx.send(line[i..].trim().trim_end_matches('/').to_string());
            }
        }
    });
    let base = rx.recv_timeout(Duration::from_secs(120)).ok();
    let base = base.expect("the demo prints its URL");
    wait_ready(&base);
    let admin = login(&base, "admin", "Demo@2026");
    assert_eq!(get(&base, "/api/v1/units", &admin)["total"], 14);
    assert_eq!(get(&base, "/api/v1/systems", &admin)["total"], 30);
    let contracts = get(&base, "/api/v1/contracts", &admin);
    assert_eq!(contracts["total"], 1);
    // A fortnight of tickets with real clocks: some met, some breached, one just reported.
    let tickets = get(&base, "/api/v1/tickets?page_size=50", &admin);
    assert_eq!(tickets["total"], 9, "eight stories and one from today's inspection");
    let records = get(&base, "/api/v1/inspection-records", &admin);
    assert_eq!(records["total"], 1);
    assert_eq!(records["items"][0]["abnormal_count"], 1);
    assert_eq!(records["items"][0]["inspector_name"], "驻场工程师（孙工）");
    assert_eq!(get(&base, "/api/v1/inspection-plans", &admin)["total"], 3);
    assert!(tickets["items"].as_array().unwrap().iter().any(|t| t["breached"] == true));
    assert!(tickets["items"].as_array().unwrap().iter().any(|t| t["status"] == "closed" && t["breached"] == false));
    let covered: usize = contracts["items"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["system_ids"].as_array().unwrap().len())
        .sum();
    assert_eq!(covered, 30, "every system is covered by an item");
    // Each system under its own clause of seed 004: five policies, one per clause, and 002's
    // vulnerability fix policy on every item.
    assert_eq!(get(&base, "/api/v1/sla/policies", &admin)["total"], 6);
    // The vulnerability ledger: last quarter's scan imported, a notice's finding breached, a
    // risk acceptance waiting for the bureau.
    let ledger = get(&base, "/api/v1/vulnerabilities?page_size=100", &admin);
    assert_eq!(ledger["total"], 6, "{ledger}");
    assert!(ledger["items"].as_array().unwrap().iter().any(|v| v["breached"] == true && v["source"] == "notice"));
    assert!(ledger["items"].as_array().unwrap().iter().any(|v| v["status"] == "verified"));
    let asked = get(&base, "/api/v1/approvals?kind=vulnerability_exception&status=pending", &admin);
    assert_eq!(asked["total"], 1, "{asked}");
    // Security operations: this quarter's scan report filed, a reported 较大 event awaiting closure.
    let records = get(&base, "/api/v1/security-records", &admin);
    assert_eq!(records["total"], 1, "{records}");
    let events = get(&base, "/api/v1/security-events?status=recovered", &admin);
    assert_eq!(
        (events["total"].as_u64(), events["items"][0]["report_late"].as_bool()),
        (Some(1), Some(false)),
        "{events}"
    );
    // One user per unit, seeing only its own systems.
    let unit = login(&base, "unit13", "Demo@2026");
    let mine = get(&base, "/api/v1/systems?page_size=100", &unit);
    assert_eq!(mine["total"], 16);
    let me = get(&base, "/api/v1/auth/me", &unit);
    assert!(mine["items"].as_array().unwrap().iter().all(|s| s["unit_id"] == me["unit_id"]));
    let eng = login(&base, "eng1", "Demo@2026");
    assert_eq!(get(&base, "/api/v1/systems", &eng)["total"], 30);
    // Last quarter's assessment, final after two appeals, and its milestones paid (none in a
    // year's first quarter: no quarter of the contract's year has ended then).
    let month = chrono::Datelike::month(&(chrono::Utc::now() + chrono::Duration::hours(8)));
    let pm = login(&base, "pm", "Demo@2026");
    let assessments = get(&base, "/api/v1/assessments?status=final", &pm);
    if month > 3 {
        assert_eq!(assessments["total"], 1, "{assessments}");
        let a = &assessments["items"][0];
        assert_eq!((a["score"].as_f64(), a["grade"].as_str()), (Some(89.0), Some("按分扣款")), "{a}");
        let appeals = get(&base, &format!("/api/v1/assessments/{}/appeals", a["id"].as_str().unwrap()), &pm);
        let states: Vec<&str> =
            appeals["items"].as_array().unwrap().iter().map(|x| x["status"].as_str().unwrap()).collect();
        assert!(states.contains(&"approved") && states.contains(&"rejected"), "{appeals}");
        let pay =
            get(&base, &format!("/api/v1/contracts/{}/payments", contracts["items"][0]["id"].as_str().unwrap()), &pm);
        let items = contracts["items"][0]["items"].as_array().unwrap().len();
        assert_eq!(pay["payments"].as_array().unwrap().len(), items, "one per item: {pay}");
        assert!(pay["deducted_fen"].as_i64().unwrap() > 0);
    } else {
        assert_eq!(assessments["total"], 0);
    }
    // Last month's draft whose staffing the units score: five of the units have, the others
    // are waited for; each unit reads its own part only.
    let admin_parts = get(&base, "/api/v1/assessment-scoring", &admin);
    let parts = admin_parts["items"].as_array().unwrap();
    assert!(parts.len() > 5, "{admin_parts}");
    let scored = parts.iter().filter(|p| !p["criteria"][0]["points"].is_null()).count();
    assert_eq!(scored, 5, "{admin_parts}");
    let own = get(&base, "/api/v1/assessment-scoring", &unit);
    assert!(own["items"].as_array().unwrap().iter().all(|p| p["unit_id"] == me["unit_id"]), "{own}");
}
