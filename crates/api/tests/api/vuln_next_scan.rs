//! "下次扫描前" fix deadlines: a policy level due before the system's next scheduled scan, the
//! bureau's scan plans deciding when that is, and a plan change settling the clocks again.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::{bj, fixture, iso};

fn fix_clock(v: &Value) -> &Value {
    v["clocks"].as_array().and_then(|c| c.iter().find(|c| c["metric"] == "fix")).unwrap_or(&Value::Null)
}

async fn finding(t: &TestApp, token: &str, body: Value) -> Value {
    let (s, v) = t.post("/api/v1/vulnerabilities", token, body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

async fn read(t: &TestApp, token: &str, id: &Value) -> Value {
    let (s, v) = t.get(&format!("/api/v1/vulnerabilities/{}", id.as_str().unwrap()), token).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

both!(a_finding_due_before_the_next_scan_follows_the_bureaus_scan_plans, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    // A level cannot be both "before the next scan" and a fix target.
    let (s, e) = t
        .post(
            "/api/v1/sla/policies",
            &t.admin,
            json!({"name": "漏洞修复", "calendar_id": "preset-7x24", "levels": [
                {"name": "中危", "before_next_scan": true, "targets": {"fix": {"kind": "calendar", "minutes": 60}}}
            ]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field_errors"][0]["field"], "levels[0].before_next_scan", "{e}");
    let policy = t
        .create(
            "sla/policies",
            json!({"name": "漏洞修复（高危 24 小时，中危下次扫描前）", "calendar_id": "preset-7x24",
                "levels": [
                    {"name": "高危", "order": 2, "targets": {"fix": {"kind": "calendar", "minutes": 1440}}},
                    {"name": "中危", "order": 3, "before_next_scan": true}
                ],
                "escalation": [{"metric": "fix", "on_breach": true, "notify": ["vendor_pm"]}]}),
        )
        .await;
    let (_, mut contract) = t.get(&format!("/api/v1/contracts/{}", f.contract), &t.admin).await;
    contract["items"][0]["vulnerability_policy_id"] = json!(policy);
    let (s, c) = t.put(&format!("/api/v1/contracts/{}", f.contract), &t.admin, contract).await;
    assert_eq!(s, StatusCode::OK, "{c}");

    // No scan plan yet: a medium finding has no deadline, a high one its 24 hours.
    t.clock.set(bj("2026-05-10T10:00"));
    let medium = json!({"system_id": f.system, "title": "SSL 证书过期", "severity": "medium", "host": "10.1.2.3",
        "port": 443});
    let early = finding(&t, &f.engineer, medium.clone()).await;
    assert_eq!(early["clocks"], json!([]), "{early}");
    let high = finding(&t, &f.engineer, json!({"system_id": f.system, "title": "弱口令", "severity": "high"})).await;
    assert_eq!(fix_clock(&high)["due_at"], iso("2026-05-11T10:00"));

    // The bureau plans a quarterly server scan and a monthly web scan; the clock job settles
    // the waiting finding: due when the third quarter's scan period opens.
    let quarterly = t
        .create(
            "security-plans",
            json!({"system_id": f.system, "kind": "scan", "recurrence": {"every": "quarter", "month": 1, "day": 1},
                "start_date": "2026-01-01"}),
        )
        .await;
    let web_plan = t
        .create(
            "security-plans",
            json!({"system_id": f.system, "kind": "web_scan", "recurrence": {"every": "month", "day": 1},
                "start_date": "2026-01-01"}),
        )
        .await;
    t.app.check_due_vulnerabilities().await.unwrap();
    let early = read(&t, &f.pm, &early["id"]).await;
    assert_eq!(fix_clock(&early)["due_at"], iso("2026-07-01T00:00"), "{early}");
    assert!(fix_clock(&early)["rule"].as_str().unwrap().contains("下次扫描前"), "{early}");
    assert_eq!(early["due_at"], iso("2026-07-01T00:00"));
    // A finding at a URL came from the web scan: due at the next web scan.
    let web = finding(
        &t,
        &f.engineer,
        json!({"system_id": f.system, "title": "反射型 XSS", "severity": "medium",
            "url": "https://example.gov.cn/search?q=1"}),
    )
    .await;
    assert_eq!(fix_clock(&web)["due_at"], iso("2026-06-01T00:00"), "{web}");
    // Found on the day a period opens: the next one, not today's — and 1 October is National Day,
    // so the plan's fourth-quarter scan opens on the first working day after the holiday.
    t.clock.set(bj("2026-07-01T09:00"));
    let july =
        finding(&t, &f.engineer, json!({"system_id": f.system, "title": "目录遍历", "severity": "medium"})).await;
    assert_eq!(fix_clock(&july)["due_at"], iso("2026-10-08T00:00"), "{july}");

    // The first one is breached when the third quarter opened, and stays breached after the
    // bureau ends the plan: ending a plan does not wipe a deadline.
    t.app.check_due_vulnerabilities().await.unwrap();
    let early = read(&t, &f.pm, &early["id"]).await;
    assert_eq!(
        (early["breached"].as_bool(), fix_clock(&early)["breached_at"].clone()),
        (Some(true), json!(iso("2026-07-01T00:00")))
    );
    let (s, p) = t
        .put(
            &format!("/api/v1/security-plans/{quarterly}"),
            &t.admin,
            json!({"system_id": f.system, "kind": "scan", "recurrence": {"every": "quarter", "month": 1, "day": 1},
                "start_date": "2026-01-01", "end_date": "2026-07-31"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    t.app.check_due_vulnerabilities().await.unwrap();
    let early = read(&t, &f.pm, &early["id"]).await;
    assert_eq!((early["breached"].as_bool(), early["due_at"].clone()), (Some(true), json!(iso("2026-07-01T00:00"))));
    // With no server scan ahead, the next scan of the system is the web scan (1 August is a
    // Saturday: the Monday).
    let july = read(&t, &f.pm, &july["id"]).await;
    assert_eq!(fix_clock(&july)["due_at"], iso("2026-08-03T00:00"), "{july}");
    // With no scan planned at all, the deadline it had stands.
    let s = t.delete(&format!("/api/v1/security-plans/{web_plan}"), &t.admin).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    t.app.check_due_vulnerabilities().await.unwrap();
    let july = read(&t, &f.pm, &july["id"]).await;
    assert_eq!(fix_clock(&july)["due_at"], iso("2026-08-03T00:00"), "{july}");
    // The manager heard of the breach.
    let (_, inbox) = t.get("/api/v1/notifications", &f.pm).await;
    let told =
        inbox["items"].as_array().unwrap().iter().any(|n| n["title"].as_str().is_some_and(|x| x.contains("SSL")));
    assert!(told, "{inbox}");
});
