//! `GET /me/today`: each role's home page, its sections the filtered lists they link to.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::both;
use crate::harness::TestApp;
use crate::tickets::{bj, fixture, step};

async fn today(t: &TestApp, token: &str) -> Value {
    let (s, v) = t.get("/api/v1/me/today", token).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

fn keys(v: &Value) -> Vec<&str> {
    v["sections"].as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap()).collect()
}

fn section<'a>(v: &'a Value, key: &str) -> &'a Value {
    v["sections"].as_array().unwrap().iter().find(|s| s["key"] == key).unwrap_or_else(|| panic!("{key}: {v}"))
}

fn ids(s: &Value) -> Vec<&str> {
    s["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect()
}

/// The section agrees with the list its link opens (the same count, the same first items).
async fn agrees_with_its_list(t: &TestApp, token: &str, s: &Value) {
    let link = s["link"].as_str().unwrap();
    let query = link.strip_prefix("/tickets?").unwrap_or_else(|| panic!("a ticket list: {link}"));
    let (_, list) = t.get(&format!("/api/v1/tickets?{query}&page_size=5"), token).await;
    assert_eq!(s["count"], list["total"], "{link}");
    let listed: Vec<&str> = list["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids(s), listed, "{link}");
}

both!(each_role_sees_what_needs_it_today, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2020-01-01", "2035-12-31"), "").await;
    // Monday 23 November, 10:00 in Beijing: a working day.
    let now = bj("2026-11-23T10:00");
    t.clock.set(now);
    let report =
        |title: &str| json!({"system_id": f.system, "type": "incident", "severity": "二级（严重）", "title": title});
    let (_, a) = t.post("/api/v1/tickets", &f.reporter, report("档案检索很慢")).await;
    let a = a["id"].as_str().unwrap().to_string();
    t.clock.set(now + Duration::minutes(5));
    let (_, b) = t.post("/api/v1/tickets", &f.reporter, report("打印服务中断")).await;
    let b = b["id"].as_str().unwrap().to_string();
    let (s, _) = t.post(&format!("/api/v1/tickets/{a}/assign"), &f.pm, json!({"assignee_id": f.engineer_id})).await;
    assert_eq!(s, StatusCode::OK);
    // A daily inspection for the engineer: today's task is theirs.
    let plan = json!({"system_id": f.system, "template_id": "builtin-website", "recurrence": {"every": "day"},
        "assignee_id": f.engineer_id});
    let (s, p) = t.post("/api/v1/inspection-plans", &f.pm, plan).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");

    // 13 minutes in, A's 15-minute response clock is amber; B is unassigned.
    t.clock.set(now + Duration::minutes(13));
    t.app.check_due_tickets().await.unwrap();
    for token in [&t.admin, &f.pm] {
        let v = today(&t, token).await;
        assert_eq!(keys(&v), ["breached", "at_risk", "unassigned", "systems_down", "inspections_overdue", "approvals"]);
        assert_eq!(
            (section(&v, "breached")["count"].as_u64(), ids(section(&v, "at_risk"))),
            (Some(0), vec![a.as_str()])
        );
        let item = &section(&v, "at_risk")["items"][0];
        assert_eq!((item["state"].as_str(), item["system_name"].as_str()), (Some("at_risk"), Some("馆藏档案管理平台")));
        assert!(item["number"].as_str().unwrap().starts_with("YW"), "{item}");
        assert_eq!(ids(section(&v, "unassigned")), [b.as_str()]);
        for key in ["breached", "at_risk", "unassigned"] {
            agrees_with_its_list(&t, token, section(&v, key)).await;
        }
    }
    let v = today(&t, &f.engineer).await;
    assert_eq!(keys(&v), ["my_tickets", "my_inspections_today", "my_duty", "unassigned"]);
    assert_eq!((ids(section(&v, "my_tickets")), ids(section(&v, "unassigned"))), (vec![a.as_str()], vec![b.as_str()]));
    let tasks = section(&v, "my_inspections_today");
    assert_eq!((tasks["count"].as_u64(), tasks["items"][0]["state"].as_str()), (Some(1), Some("pending")), "{tasks}");
    agrees_with_its_list(&t, &f.engineer, section(&v, "my_tickets")).await;
    let v = today(&t, &f.reporter).await;
    assert_eq!(keys(&v), ["my_open", "awaiting_confirmation"]);
    assert_eq!(
        (section(&v, "my_open")["count"].as_u64(), section(&v, "awaiting_confirmation")["count"].as_u64()),
        (Some(2), Some(0))
    );
    assert_eq!(ids(section(&v, "my_open")), [b.as_str(), a.as_str()], "latest first");

    // Later A has breached and goes first; B turns amber; A is resolved and waits for the unit.
    t.clock.set(now + Duration::minutes(18));
    t.app.check_due_tickets().await.unwrap();
    let v = today(&t, &t.admin).await;
    assert_eq!((ids(section(&v, "breached")), ids(section(&v, "at_risk"))), (vec![a.as_str()], vec![b.as_str()]));
    assert_eq!(section(&v, "breached")["items"][0]["state"], "breached");
    step(&t, &a, &f.engineer, json!({"to": "in_progress"})).await;
    step(&t, &a, &f.engineer, json!({"to": "resolved", "resolution": {"summary": "重建索引后检索恢复"}})).await;
    let v = today(&t, &f.reporter).await;
    assert_eq!(
        (ids(section(&v, "my_open")), ids(section(&v, "awaiting_confirmation"))),
        (vec![b.as_str()], vec![a.as_str()])
    );
    agrees_with_its_list(&t, &f.reporter, section(&v, "awaiting_confirmation")).await;
    // Another unit's user sees none of it.
    let other = t.unit("另一单位").await;
    let stranger = t.user("stranger", "unit_user", Some(&other), None).await;
    let v = today(&t, &stranger).await;
    assert!(v["sections"].as_array().unwrap().iter().all(|s| s["count"] == 0), "{v}");

    // Tuesday morning Monday's task is overdue for the bureau, and first on the engineer's list.
    t.clock.set(bj("2026-11-24T08:00"));
    let v = today(&t, &t.admin).await;
    let overdue = section(&v, "inspections_overdue");
    assert_eq!(
        (overdue["count"].as_u64(), overdue["items"][0]["state"].as_str()),
        (Some(1), Some("overdue")),
        "{overdue}"
    );
    assert_eq!(overdue["items"][0]["system_name"], "馆藏档案管理平台");
    let v = today(&t, &f.engineer).await;
    let mine = section(&v, "my_inspections_today");
    let states: Vec<&str> = mine["items"].as_array().unwrap().iter().map(|i| i["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["overdue", "pending"], "{mine}");
    let v = today(&t, &stranger).await;
    assert!(v["sections"].as_array().unwrap().iter().all(|s| s["count"] == 0), "{v}");
});

both!(a_system_with_a_monitor_down_is_on_the_bureau_home_page, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2020-01-01", "2035-12-31"), "").await;
    t.clock.set(Utc::now());
    let (_failing, failing_rx) = watch::channel(false);
    let url = crate::monitoring::target(failing_rx).await;
    let (stop, stop_rx) = watch::channel(false);
    let runner = t.app.start_monitoring(app::monitoring::SchedulerConfig::default(), stop_rx).await.unwrap();
    let body = json!({"system_id": f.system, "name": "档案门户", "kind": "http", "target": url, "interval_seconds": 1,
        "timeout_ms": 500, "failures_before_down": 1});
    let id = t.create("monitors", body).await;
    crate::monitoring::until_state(&t, &id, &t.admin, "down").await;
    stop.send(true).unwrap();
    runner.await.unwrap();
    for token in [&t.admin, &f.pm] {
        let v = today(&t, token).await;
        let s = section(&v, "systems_down");
        assert_eq!((s["count"].as_u64(), ids(s)), (Some(1), vec![f.system.as_str()]), "{s}");
        let (_, listed) = t.get("/api/v1/monitors?state=down", token).await;
        assert_eq!(
            (s["items"][0]["title"].as_str(), &s["items"][0]["at"]),
            (Some("馆藏档案管理平台"), &listed["items"][0]["state_since"])
        );
        assert_eq!(s["link"], "/monitoring?tab=monitors&state=down");
    }
    let other = t.vendor("另一运维公司").await;
    let outsider = t.user("outsider", "vendor_pm", None, Some(&other)).await;
    assert_eq!(section(&today(&t, &outsider).await, "systems_down")["count"], 0);
});
