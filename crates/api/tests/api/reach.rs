//! Monitors as a window into internal networks, and systems moving between units.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::{bj, fixture};

async fn create_as(t: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    t.post("/api/v1/monitors", token, body).await
}

fn field(e: &Value) -> Option<&str> {
    e["field_errors"][0]["field"].as_str()
}

// The contract: a vendor manager's monitor may not reach loopback, link-local or metadata
// addresses, nor anything outside the system's networks and the bureau's allowlist.
both!(vendor_monitors_stay_inside_the_systems_networks, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2020-01-01", "2035-12-31"), "").await;
    let http = |target: &str| json!({"system_id": f.system, "kind": "http", "target": target, "interval_seconds": 3600, "expect": {"keyword": "x"}});
    for target in [
        "http://127.0.0.1:8080/api/v1/units",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://2130706433/",
        "http://100.100.100.200/",
    ] {
        let (s, e) = create_as(&t, &f.pm, http(target)).await;
        assert_eq!((s, field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("target")), "{target}: {e}");
    }
    let tcp = |target: &str| json!({"system_id": f.system, "kind": "tcp", "target": target, "interval_seconds": 3600});
    let (s, e) = create_as(&t, &f.pm, tcp("10.20.30.40:22")).await;
    assert_eq!((s, field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("target")), "not the system's network: {e}");

    // The bureau registers the system's network: the vendor may watch inside it.
    let (_, sys) = t.get(&format!("/api/v1/systems/{}", f.system), &t.admin).await;
    let mut body = sys.clone();
    body["addresses"] = json!(["10.20.30.0/24", "127.0.0.1"]);
    let (s, e) = t.put(&format!("/api/v1/systems/{}", f.system), &t.admin, body.clone()).await;
    assert_eq!((s, field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("addresses[1]")), "loopback is never allowed");
    body["addresses"] = json!(["10.20.30.0/24", "portal.example.gov.cn"]);
    let (s, e) = t.put(&format!("/api/v1/systems/{}", f.system), &t.admin, body).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let (s, m) = create_as(&t, &f.pm, tcp("10.20.30.40:22")).await;
    assert_eq!((s, m["restricted"].as_bool()), (StatusCode::CREATED, Some(true)), "{m}");
    let dns = json!({"system_id": f.system, "kind": "dns", "target": "www.portal.example.gov.cn", "expect": {"server": "127.0.0.53:53"}});
    let (s, e) = create_as(&t, &f.pm, dns).await;
    assert_eq!(
        (s, field(&e)),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("expect.server")),
        "a DNS server is a target too: {e}"
    );
    // And the bureau's allowlist opens more for every system.
    let (s, e) = create_as(&t, &f.pm, tcp("192.0.2.9:443")).await;
    assert_eq!((s, field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("target")), "{e}");
    let (s, _) = t.put("/api/v1/network-allowlist", &f.pm, json!({"entries": ["192.0.2.0/24"]})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) =
        t.put("/api/v1/network-allowlist", &t.admin, json!({"entries": ["192.0.2.0/24", "169.254.169.254"]})).await;
    assert_eq!((s, field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("entries[1]")));
    let (s, _) = t.put("/api/v1/network-allowlist", &t.admin, json!({"entries": ["192.0.2.0/24"]})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = create_as(&t, &f.pm, tcp("192.0.2.9:443")).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, list) = t.get("/api/v1/network-allowlist", &f.pm).await;
    assert_eq!(list["entries"], json!(["192.0.2.0/24"]));
    // The bureau may monitor anything, its own server included.
    let (s, m) = create_as(&t, &t.admin, http("http://127.0.0.1:9/")).await;
    assert_eq!((s, m["restricted"].as_bool()), (StatusCode::CREATED, Some(false)));
});

// A system moving to another unit takes its monitors, windows, plans, tasks and records along;
// the tickets stay with the unit that reported them.
both!(a_system_moves_with_what_is_about_it, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2026-11-23T10:00"));
    let monitor = t
        .create(
            "monitors",
            json!({"system_id": f.system, "kind": "tcp", "target": "192.0.2.1:80", "interval_seconds": 3600}),
        )
        .await;
    let window = json!({"window": {"repeat": "once", "start": bj("2026-11-29T01:00").to_rfc3339(), "end": bj("2026-11-29T02:00").to_rfc3339()}});
    let (s, _) = t.post(&format!("/api/v1/systems/{}/maintenance", f.system), &t.admin, window).await;
    assert_eq!(s, StatusCode::CREATED);
    let plan = t
        .create(
            "inspection-plans",
            json!({"system_id": f.system, "template_id": "builtin-application", "recurrence": {"every": "day"}, "assignee_id": f.engineer_id}),
        )
        .await;
    let (_, tk) = t
        .post("/api/v1/tickets", &f.reporter, json!({"system_id": f.system, "type": "incident", "title": "打不开"}))
        .await;
    let ticket = tk["id"].as_str().unwrap().to_string();

    let new_unit = t.unit("新单位").await;
    let newcomer = t.user("xin", "unit_user", Some(&new_unit), None).await;
    let (_, sys) = t.get(&format!("/api/v1/systems/{}", f.system), &t.admin).await;
    let mut body = sys.clone();
    body["unit_id"] = json!(new_unit);
    let (s, e) = t.put(&format!("/api/v1/systems/{}", f.system), &t.admin, body).await;
    assert_eq!(s, StatusCode::OK, "{e}");

    let count = |v: &Value| v["total"].as_u64().unwrap_or(0);
    let tasks = format!("/api/v1/inspection-tasks?plan_id={plan}");
    for (who, sees) in [(&newcomer, true), (&f.reporter, false)] {
        let expect = StatusCode::from_u16(if sees { 200 } else { 404 }).unwrap();
        assert_eq!(t.get(&format!("/api/v1/monitors/{monitor}"), who).await.0, expect);
        assert_eq!(t.get(&format!("/api/v1/inspection-plans/{plan}"), who).await.0, expect);
        assert_eq!(count(&t.get(&tasks, who).await.1) > 0, sees, "tasks");
        let (_, windows) = t.get(&format!("/api/v1/systems/{}/maintenance", f.system), who).await;
        assert_eq!(windows.as_array().map_or(0, Vec::len), if sees { 1 } else { 0 });
    }
    // The ticket is the old unit's request: it stays theirs.
    assert_eq!(t.get(&format!("/api/v1/tickets/{ticket}"), &f.reporter).await.0, StatusCode::OK);
    assert_eq!(t.get(&format!("/api/v1/tickets/{ticket}"), &newcomer).await.0, StatusCode::NOT_FOUND);
    // The vendor still covers the system and keeps working it.
    assert_eq!(t.get(&format!("/api/v1/monitors/{monitor}"), &f.pm).await.0, StatusCode::OK);
    let (_, audit) = t.get(&format!("/api/v1/audit?action=move&object_id={}", f.system), &t.admin).await;
    assert_eq!(audit["items"][0]["after"]["moved"]["monitors"], 1, "{audit}");
});
