//! The measured party never moves its own measurement: what the vendor changes about a monitor,
//! a maintenance window or a plan waits for the bureau, and counts only from then on.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::fixture;

fn bj(s: &str) -> chrono::DateTime<chrono::Utc> {
    crate::tickets::bj(s)
}

async fn availability(t: &TestApp, system: &str) -> Value {
    let (s, a) = t.get(&format!("/api/v1/systems/{system}/availability?from=2026-11-23&to=2026-11-23"), &t.admin).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    a
}

// The contract: a vendor manager cannot switch off the bureau's monitor, cannot point a window at
// the past or across the century, and a window it asks for changes availability only once the
// bureau approves — from the moment it was asked, never before.
both!(the_vendor_asks_and_the_bureau_decides, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2026-11-23T10:00"));

    // The bureau's monitor stays on.
    let body = json!({"system_id": f.system, "name": "官网", "kind": "http", "target": "http://198.51.100.7/",
        "interval_seconds": 3600, "expect": {"headers": {"Authorization": "Basic c2VjcmV0"}}});
    let (s, m) = t.post("/api/v1/monitors", &t.admin, body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let id = m["id"].as_str().unwrap().to_string();
    // Credentials in request headers are shown to nobody after saving, and not audited.
    assert_eq!(m["expect"]["headers"]["Authorization"], "••••••", "{m}");
    let (_, seen) = t.get(&format!("/api/v1/monitors/{id}"), &f.reporter).await;
    assert!(!seen.to_string().contains("c2VjcmV0"), "{seen}");
    let (_, audit) = t.get(&format!("/api/v1/audit?object_id={id}"), &t.admin).await;
    assert!(audit["total"].as_u64().unwrap() >= 1 && !audit.to_string().contains("c2VjcmV0"), "{audit}");
    let mut off = body.clone();
    off["active"] = json!(false);
    off["expect"] = m["expect"].clone();
    let (s, req) = t.put(&format!("/api/v1/monitors/{id}"), &f.pm, off).await;
    assert_eq!((s, req["kind"].as_str()), (StatusCode::ACCEPTED, Some("monitor_update")), "{req}");
    assert!(req["title"].as_str().unwrap().contains("停用"), "{req}");
    let (_, now) = t.get(&format!("/api/v1/monitors/{id}"), &f.pm).await;
    assert_eq!(now["active"], true, "not deactivated");
    // A rename is not a measurement.
    let mut renamed = body.clone();
    renamed["name"] = json!("门户网站首页");
    renamed["expect"] = m["expect"].clone();
    let (s, r) = t.put(&format!("/api/v1/monitors/{id}"), &f.pm, renamed).await;
    assert_eq!((s, r["name"].as_str()), (StatusCode::OK, Some("门户网站首页")), "{r}");
    // The mask sent back kept the stored value.
    let stored = store::monitoring::secret_headers(t.app.store(), &id).await.unwrap();
    assert_eq!(stored.get("Authorization").map(String::as_str), Some("Basic c2VjcmV0"));
    // The request was made against the old version: approving it now is refused.
    let (s, _) =
        t.post(&format!("/api/v1/approvals/{}/approve", req["id"].as_str().unwrap()), &t.admin, json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "the monitor changed since");
    let (s, d) = t
        .post(
            &format!("/api/v1/approvals/{}/reject", req["id"].as_str().unwrap()),
            &t.admin,
            json!({"comment": "不同意停用"}),
        )
        .await;
    assert_eq!((s, d["status"].as_str()), (StatusCode::OK, Some("rejected")));
    let (_, inbox) = t.get("/api/v1/notifications", &f.pm).await;
    assert!(inbox.to_string().contains("不同意停用"), "the vendor hears why: {inbox}");

    // Windows: never in the past for the vendor, never a century long.
    let (s, e) = t
        .post(
            &format!("/api/v1/systems/{}/maintenance", f.system),
            &f.pm,
            json!({"window": {"repeat": "once", "start": "2000-01-01T00:00:00Z", "end": "2099-12-31T00:00:00Z"}}),
        )
        .await;
    let fields: Vec<_> = e["field_errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
    assert_eq!((s, fields), (StatusCode::UNPROCESSABLE_ENTITY, vec!["window.end", "window.start"]));

    // An outage from 09:00, still going; the manager asks at 10:00 for a window covering every minute.
    let (_, hook) = t.post("/api/v1/integrations", &t.admin, json!({"name": "Zabbix", "kind": "webhook"})).await;
    let (s, _) = t
        .client
        .post(format!("{}/api/v1/intake/webhook", t.base))
        .bearer_auth(hook["token"].as_str().unwrap())
        .json(&json!({"system": "馆藏档案管理平台", "key": "k1", "status": "firing", "at": bj("2026-11-23T09:00").to_rfc3339()}))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(s, StatusCode::OK);
    let always = json!({"name": "全天维护", "window": {"repeat": "weekly", "weekdays": [1, 2, 3, 4, 5, 6, 7], "at": "00:00", "minutes": 1440, "time_zone": "Asia/Shanghai"}});
    let (s, req) = t.post(&format!("/api/v1/systems/{}/maintenance", f.system), &f.pm, always).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{req}");
    assert!(req["title"].as_str().unwrap().contains("占每周 100.0%"), "the decider sees what is asked: {req}");
    t.clock.set(bj("2026-11-23T11:00"));
    assert_eq!(availability(&t, &f.system).await["downtime_seconds"], 7200, "unchanged while pending");
    let (s, _) =
        t.post(&format!("/api/v1/approvals/{}/approve", req["id"].as_str().unwrap()), &f.reporter, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "windows are the bureau's unless it lets units decide");
    let (s, _) =
        t.post(&format!("/api/v1/approvals/{}/approve", req["id"].as_str().unwrap()), &t.admin, json!({})).await;
    assert_eq!(s, StatusCode::OK);
    let a = availability(&t, &f.system).await;
    assert_eq!((a["downtime_seconds"].as_i64(), a["excluded_seconds"].as_i64()), (Some(3600), Some(3600)), "{a}");

    // Every step is in the audit trail.
    let (_, audit) = t.get("/api/v1/audit?object_type=approval&page_size=50", &t.admin).await;
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert!(["request", "approve", "reject"].iter().all(|a| actions.contains(a)), "{actions:?}");
});

// The bureau may record past maintenance, and says why; the bureau may let units decide pauses
// and windows for their own systems.
both!(the_bureau_records_the_past_and_opens_decisions_to_units, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2026-11-23T10:00"));
    let past = json!({"window": {"repeat": "once", "start": bj("2026-11-22T01:00").to_rfc3339(), "end": bj("2026-11-22T03:00").to_rfc3339()}});
    let (s, e) = t.post(&format!("/api/v1/systems/{}/maintenance", f.system), &t.admin, past.clone()).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
    let mut with_reason = past.clone();
    with_reason["reason"] = json!("机房停电，事后补录");
    let (s, w) = t.post(&format!("/api/v1/systems/{}/maintenance", f.system), &t.admin, with_reason).await;
    assert_eq!((s, w["reason"].as_str()), (StatusCode::CREATED, Some("机房停电，事后补录")), "{w}");

    let (s, _) = t.put("/api/v1/approval-settings", &f.pm, json!({"unit_decides": ["maintenance_window"]})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, set) = t
        .put("/api/v1/approval-settings", &t.admin, json!({"unit_decides": ["maintenance_window", "ticket_pause"]}))
        .await;
    assert_eq!(s, StatusCode::OK, "{set}");
    let future = json!({"window": {"repeat": "once", "start": bj("2026-11-29T01:00").to_rfc3339(), "end": bj("2026-11-29T03:00").to_rfc3339()}});
    let (s, req) = t.post(&format!("/api/v1/systems/{}/maintenance", f.system), &f.pm, future).await;
    assert_eq!((s, req["unit_may_decide"].as_bool()), (StatusCode::ACCEPTED, Some(true)));
    let (_, inbox) = t.get("/api/v1/notifications", &f.reporter).await;
    assert!(inbox["items"].as_array().unwrap().iter().any(|n| n["kind"] == "approval"), "the unit hears: {inbox}");
    let (s, _) =
        t.post(&format!("/api/v1/approvals/{}/withdraw", req["id"].as_str().unwrap()), &f.reporter, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only the requester withdraws");
    let (s, d) =
        t.post(&format!("/api/v1/approvals/{}/approve", req["id"].as_str().unwrap()), &f.reporter, json!({})).await;
    assert_eq!((s, d["status"].as_str()), (StatusCode::OK, Some("approved")), "{d}");
    let (_, list) = t.get(&format!("/api/v1/systems/{}/maintenance", f.system), &f.engineer).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    // Another unit sees nothing of it.
    let other = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "b").await;
    assert_eq!(
        t.get(&format!("/api/v1/approvals/{}", req["id"].as_str().unwrap()), &other.reporter).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, theirs) = t.get("/api/v1/approvals", &other.pm).await;
    assert_eq!(theirs["total"], 0);
    let (s, _) = t
        .call(Method::POST, &format!("/api/v1/approvals/{}/withdraw", req["id"].as_str().unwrap()), Some(&f.pm), None)
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "already decided");
});

// At most one pending request per subject, and a request is decided once, however many ask or
// decide at the same moment.
both!(requests_and_decisions_race_to_one, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let m = t
        .create(
            "monitors",
            json!({"system_id": f.system, "kind": "tcp", "target": "192.0.2.1:80", "interval_seconds": 3600}),
        )
        .await;
    let mut asks = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (client, url, token) = (t.client.clone(), format!("{}/api/v1/monitors/{m}", t.base), f.pm.clone());
        asks.spawn(async move { client.delete(url).bearer_auth(token).send().await.unwrap().status() });
    }
    let mut statuses = Vec::new();
    while let Some(s) = asks.join_next().await {
        statuses.push(s.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::ACCEPTED).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::ACCEPTED || *s == StatusCode::CONFLICT), "{statuses:?}");
    let (_, list) = t.get(&format!("/api/v1/approvals?subject_id={m}"), &t.admin).await;
    assert_eq!(list["total"], 1);
    let id = list["items"][0]["id"].as_str().unwrap().to_string();
    let second_admin = t.user("admin2", "admin", None, None).await;
    let mut decisions = tokio::task::JoinSet::new();
    for i in 0..10 {
        let token = if i % 2 == 0 { t.admin.clone() } else { second_admin.clone() };
        let (client, base, id) = (t.client.clone(), t.base.clone(), id.clone());
        let verb = if i % 3 == 0 { "reject" } else { "approve" };
        decisions.spawn(async move {
            client
                .post(format!("{base}/api/v1/approvals/{id}/{verb}"))
                .bearer_auth(token)
                .json(&json!({"comment": "同时处理"}))
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    let mut ok = 0;
    while let Some(s) = decisions.join_next().await {
        match s.unwrap() {
            StatusCode::OK => ok += 1,
            StatusCode::CONFLICT => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(ok, 1, "decided once");
    let (_, audit) = t.get(&format!("/api/v1/audit?object_id={id}"), &t.admin).await;
    let decided = audit["items"].as_array().unwrap().iter().filter(|r| r["action"] != "request").count();
    assert_eq!(decided, 1, "{audit}");
});
