//! Monitoring end to end with a local target: up → down → up makes one interruption of the
//! right length, one ticket opened and restored; a carrier-caused outage leaves availability
//! whole where the contract says so; maintenance windows and who may do what.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::both;
use crate::harness::TestApp;
use crate::tickets::fixture;

/// A target that answers 200 or 503 as `healthy` says.
pub(crate) async fn target(healthy: watch::Receiver<bool>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let ok = *healthy.borrow();
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                let _ = sock.read(&mut buf).await;
                let status = if ok { "200 OK" } else { "503 Service Unavailable" };
                let _ = sock
                    .write_all(
                        format!("HTTP/1.1 {status}\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok").as_bytes(),
                    )
                    .await;
            });
        }
    });
    format!("http://{addr}/")
}

/// Polls the monitor until its state is `want` (the runner works in real time).
pub(crate) async fn until_state(t: &TestApp, id: &str, token: &str, want: &str) -> Value {
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            t.clock.set(chrono::Utc::now());
            let (_, m) = t.get(&format!("/api/v1/monitors/{id}"), token).await;
            if m["state"] == want {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the monitor did not become {want}"))
}

/// Polls until the system's availability today has a figure: the runner writes its results every
/// 5 s, and until then nothing has measured the system.
pub(crate) async fn until_measured(t: &TestApp, system: &str) {
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            t.clock.set(chrono::Utc::now());
            let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
            let q = format!("/api/v1/systems/{system}/availability?from={today}&to={today}");
            if t.get(&q, &t.admin).await.1["availability"].is_number() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("nothing measured the system"))
}

both!(a_monitor_goes_down_and_up_with_its_ticket_and_availability, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2020-01-01", "2035-12-31"), "").await;
    let other = fixture(&t, "004-row-04", ("2020-01-01", "2035-12-31"), "b").await;
    t.clock.set(chrono::Utc::now());
    let (healthy, rx) = watch::channel(true);
    let url = target(rx).await;
    let (stop, stop_rx) = watch::channel(false);
    let runner = t.app.start_monitoring(app::monitoring::SchedulerConfig::default(), stop_rx).await.unwrap();

    // The contract item promises 99.9 %.
    let (_, contract) = t.get(&format!("/api/v1/contracts/{}", f.contract), &t.admin).await;
    let mut item = contract["items"][0].clone();
    item["availability_target"] = json!(99.9);
    let (s, e) = t
        .put(&format!("/api/v1/contracts/{}/items/{}", f.contract, item["id"].as_str().unwrap()), &t.admin, item)
        .await;
    assert_eq!(s, StatusCode::OK, "{e}");

    // Who may watch what.
    let body = json!({"system_id": f.system, "kind": "http", "target": url, "interval_seconds": 1, "timeout_ms": 500, "failures_before_down": 2});
    let (s, _) = t.post("/api/v1/monitors", &f.engineer, body.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = t.post("/api/v1/monitors", &other.pm, body.clone()).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("system_id")));
    let (s, e) = t.post("/api/v1/monitors", &f.pm, json!({"system_id": f.system, "kind": "icmp", "target": ""})).await;
    let fields: Vec<_> = e["field_errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
    assert_eq!((s, fields), (StatusCode::UNPROCESSABLE_ENTITY, vec!["kind", "target"]));
    // The vendor may not point a monitor at the server's own machine; the bureau may.
    let (s, e) = t.post("/api/v1/monitors", &f.pm, body.clone()).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("target")));
    let (s, m) = t.post("/api/v1/monitors", &t.admin, body).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!((m["state"].as_str(), m["last_checked_at"].as_str()), (Some("unknown"), None));
    let id = m["id"].as_str().unwrap().to_string();
    let (s, _) = t.get(&format!("/api/v1/monitors/{id}"), &other.pm).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let up = until_state(&t, &id, &f.reporter, "up").await;
    assert!(up["last_checked_at"].is_string() && up["last_ok"] == true, "{up}");

    // The service fails: down after two failed checks, an interruption and a ticket.
    healthy.send(false).unwrap();
    let down = until_state(&t, &id, &f.pm, "down").await;
    assert_eq!(down["last_error"], "status 503");
    let (_, tickets) = t.get(&format!("/api/v1/tickets?system_id={}&status=", f.system), &t.admin).await;
    assert_eq!(tickets["total"], 1, "the ticket is written before the state shows: {tickets}");
    let ticket = tickets["items"][0].clone();
    let tid = ticket["id"].as_str().unwrap().to_string();
    assert_eq!((ticket["channel"].as_str(), ticket["type"].as_str()), (Some("monitoring"), Some("incident")));
    assert!(ticket["title"].as_str().unwrap().contains("不可用"));

    // It comes back: the interruption closes, the ticket is restored at that moment.
    healthy.send(true).unwrap();
    until_state(&t, &id, &f.pm, "up").await;
    let restored = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let (_, tk) = t.get(&format!("/api/v1/tickets/{tid}"), &t.admin).await;
            if tk["status"] == "restored" {
                return tk;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("the ticket is restored");
    let (start, end) = (restored["outage_start"].as_str().unwrap(), restored["outage_end"].as_str().unwrap());

    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let q = format!("/api/v1/systems/{}/availability?from={today}&to={today}", f.system);
    t.clock.set(chrono::Utc::now());
    let (s, a) = t.get(&q, &f.reporter).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let cuts = a["interruptions"].as_array().unwrap();
    assert_eq!(cuts.len(), 1, "{a}");
    assert_eq!(cuts[0]["ticket_id"], tid.as_str());
    let secs = (chrono::DateTime::parse_from_rfc3339(end).unwrap()
        - chrono::DateTime::parse_from_rfc3339(start).unwrap())
    .num_seconds();
    assert_eq!(
        a["downtime_seconds"].as_i64(),
        Some(secs),
        "the interruption runs from the first failure to the first success"
    );
    assert!(secs >= 1);
    assert_eq!(a["target"], 0.999);
    assert_eq!(a["budget_seconds"], 86);
    assert!(a["availability"].as_f64().unwrap() < 1.0);

    // The engineer finds the carrier's line was cut: under the default contract that does not count.
    // It is the bureau's to accept: until then the interruption counts.
    let (s, e) = t.put(&format!("/api/v1/tickets/{tid}/outage"), &f.engineer, json!({"cause": "carrier"})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{e}");
    let (_, a) = t.get(&q, &f.reporter).await;
    assert_eq!(a["downtime_seconds"].as_i64(), Some(secs));
    let (s, _) = t.post(&format!("/api/v1/approvals/{}/approve", e["id"].as_str().unwrap()), &t.admin, json!({})).await;
    assert_eq!(s, StatusCode::OK);
    let (_, a) = t.get(&q, &f.reporter).await;
    assert_eq!((a["downtime_seconds"].as_i64(), a["excluded_seconds"].as_i64()), (Some(0), Some(secs)));
    assert_eq!(a["availability"], 1.0);
    let (_, days) =
        t.get(&format!("/api/v1/systems/{}/availability/daily?from={today}&to={today}", f.system), &f.reporter).await;
    assert_eq!(days.as_array().unwrap().len(), 1, "{days}");
    assert_eq!(
        (days[0]["date"].as_str(), days[0]["excluded_seconds"].as_i64()),
        (Some(today.to_string().as_str()), Some(secs))
    );
    assert!(days[0]["availability"].is_number(), "measured: {days}");
    let (s, _) = t.get(&format!("/api/v1/systems/{}/availability?from={today}&to={today}", f.system), &other.pm).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A system nothing measures (no monitor, no alert, no outage) has no figure — never 100 %.
    let (s, a) =
        t.get(&format!("/api/v1/systems/{}/availability?from={today}&to={today}", other.system), &other.pm).await;
    assert_eq!((s, &a["availability"], &a["downtime_seconds"]), (StatusCode::OK, &Value::Null, &json!(0)), "{a}");
    let (_, days) =
        t.get(&format!("/api/v1/systems/{}/availability/daily?from={today}&to={today}", other.system), &other.pm).await;
    assert_eq!(days[0]["availability"], Value::Null, "{days}");
    let (s, e) = t.get(&format!("/api/v1/systems/{}/availability?from=yesterday", f.system), &t.admin).await;
    let fields: Vec<_> = e["field_errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
    assert_eq!((s, fields), (StatusCode::BAD_REQUEST, vec!["from", "to"]));

    // Planned maintenance, weekly in the bureau's zone: the vendor's manager asks, the bureau
    // approves, and either may end it.
    let mw = json!({"name": "周日例行维护", "window": {"repeat": "weekly", "weekdays": [7], "at": "02:00", "minutes": 120, "time_zone": "Asia/Shanghai"}});
    let (s, req) = t.post(&format!("/api/v1/systems/{}/maintenance", f.system), &f.pm, mw).await;
    assert_eq!((s, req["kind"].as_str()), (StatusCode::ACCEPTED, Some("maintenance_window")), "{req}");
    let (_, list) = t.get(&format!("/api/v1/systems/{}/maintenance", f.system), &f.reporter).await;
    assert_eq!(list.as_array().unwrap().len(), 0, "not before the bureau approves");
    let bad = json!({"window": {"repeat": "weekly", "weekdays": [8], "at": "02:00", "minutes": 120, "time_zone": "Asia/Shanghai"}});
    let (s, e) = t.post(&format!("/api/v1/systems/{}/maintenance", f.system), &f.pm, bad).await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("window.weekdays"))
    );
    let (s, _) = t
        .post(
            &format!("/api/v1/systems/{}/maintenance", f.system),
            &f.engineer,
            json!({"window": {"repeat": "once", "start": "2099-01-01T00:00:00Z", "end": "2099-01-01T01:00:00Z"}}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) =
        t.post(&format!("/api/v1/approvals/{}/approve", req["id"].as_str().unwrap()), &t.admin, json!({})).await;
    assert_eq!(s, StatusCode::OK);
    let (_, list) = t.get(&format!("/api/v1/systems/{}/maintenance", f.system), &f.reporter).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let w = &list[0];
    assert_eq!((w["requested_by"].as_str(), w["approved_by"].is_string()), (Some("pm"), true), "{w}");
    let s = t.delete(&format!("/api/v1/systems/{}/maintenance/{}", f.system, w["id"].as_str().unwrap()), &f.pm).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, list) = t.get(&format!("/api/v1/systems/{}/maintenance", f.system), &f.reporter).await;
    assert_eq!(list.as_array().unwrap().len(), 0, "ended");

    // Deleting the monitor (the bureau's approval of the manager's request) keeps its history.
    let (s, req) = t.call(reqwest::Method::DELETE, &format!("/api/v1/monitors/{id}"), Some(&f.pm), None).await;
    assert_eq!((s, req["kind"].as_str()), (StatusCode::ACCEPTED, Some("monitor_delete")), "{req}");
    assert_eq!(t.get(&format!("/api/v1/monitors/{id}"), &f.pm).await.0, StatusCode::OK, "still there");
    let (s, _) =
        t.post(&format!("/api/v1/approvals/{}/approve", req["id"].as_str().unwrap()), &t.admin, json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(t.get(&format!("/api/v1/monitors/{id}"), &f.pm).await.0, StatusCode::NOT_FOUND);
    let (_, a) = t.get(&q, &t.admin).await;
    assert_eq!(a["interruptions"].as_array().unwrap().len(), 1);

    // A TLS monitor that fails (here: no TLS at all) is a warning: no ticket, no interruption.
    let plain = url.trim_start_matches("http://").trim_end_matches('/').to_string();
    let tls = json!({"system_id": f.system, "kind": "tls", "target": plain, "interval_seconds": 1, "failures_before_down": 1});
    let (s, m) = t.post("/api/v1/monitors", &t.admin, tls).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let down = until_state(&t, m["id"].as_str().unwrap(), &f.pm, "down").await;
    assert!(down["last_error"].as_str().unwrap().starts_with("handshake failed"), "{down}");
    let (_, tickets) = t.get(&format!("/api/v1/tickets?system_id={}&status=", f.system), &t.admin).await;
    assert_eq!(tickets["total"], 1);
    let (_, a) = t.get(&q, &t.admin).await;
    assert_eq!(a["interruptions"].as_array().unwrap().len(), 1);
    // Whoever renews it heard once: the vendor's manager and the administrators, not the unit.
    let (_, inbox) = t.get("/api/v1/notifications", &f.pm).await;
    let warned =
        |inbox: &Value| inbox["items"].as_array().unwrap().iter().filter(|n| n["kind"] == "certificate").count();
    assert_eq!(warned(&inbox), 1, "{inbox}");
    let cert = inbox["items"].as_array().unwrap().iter().find(|n| n["kind"] == "certificate").unwrap();
    assert!(cert["body"].as_str().unwrap().contains("handshake failed"), "{inbox}");
    let (_, inbox) = t.get("/api/v1/notifications", &t.admin).await;
    assert_eq!(warned(&inbox), 1, "{inbox}");
    let (_, inbox) = t.get("/api/v1/notifications", &f.reporter).await;
    assert_eq!(warned(&inbox), 0, "{inbox}");
    stop.send(true).unwrap();
    runner.await.unwrap();
    // The writer's own figures are in /metrics; stopping wrote what it held.
    let text = t.app.metrics_text().await.unwrap();
    let value = |name: &str| -> f64 {
        text.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok()).unwrap_or(-1.0)
    };
    assert!(value("yunwei_monitor_results_taken_total") > 0.0, "{text}");
    assert!(value("yunwei_monitor_write_rows_total") > 0.0, "{text}");
    assert!(value("yunwei_monitor_write_seconds_count") >= 1.0, "{text}");
    assert_eq!(value("yunwei_monitor_write_failures_total"), 0.0, "{text}");
});
