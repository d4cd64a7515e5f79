//! Tickets on live SLA clocks, walked through the seed clauses with a fake clock.

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;

/// An instant written in Beijing time.
pub fn bj(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("{s}:00+08:00")).unwrap().with_timezone(&Utc)
}

pub fn iso(s: &str) -> String {
    bj(s).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

pub struct Fixture {
    pub unit: String,
    pub system: String,
    pub vendor: String,
    pub policy: String,
    pub contract: String,
    pub reporter: String,
    pub engineer: String,
    pub engineer_id: String,
    pub pm: String,
}

/// A unit with a system, a vendor whose contract item covers it under the policy of seed
/// template `template`, and a reporter, an engineer and a project manager. `prefix` keeps user
/// names apart when a test needs two fixtures.
pub async fn fixture(t: &TestApp, template: &str, period: (&str, &str), prefix: &str) -> Fixture {
    let (_, tpl) = t.get("/api/v1/sla/templates", &t.admin).await;
    let body = tpl["items"].as_array().unwrap().iter().find(|x| x["id"] == template).unwrap()["policy"].clone();
    let policy = t.create("sla/policies", body).await;
    let unit = t.unit(&format!("{prefix}档案馆")).await;
    let system = t.system(&format!("{prefix}馆藏档案管理平台"), &unit).await;
    let vendor = t.vendor(&format!("{prefix}运维公司")).await;
    let contract = t
        .create(
            "contracts",
            json!({"name": format!("{prefix}运维合同"), "vendor_id": vendor, "items": [{
                "name": "软件运维", "budget_fen": 10_000_000, "start_date": period.0, "end_date": period.1,
                "system_ids": [system], "sla_policy_id": policy}]}),
        )
        .await;
    let reporter = t.user(&format!("{prefix}reporter"), "unit_user", Some(&unit), None).await;
    let engineer = t.user(&format!("{prefix}engineer"), "engineer", None, Some(&vendor)).await;
    let (_, users) = t.get(&format!("/api/v1/users?q={prefix}engineer"), &t.admin).await;
    let engineer_id = users["items"][0]["id"].as_str().unwrap().to_string();
    let pm = t.user(&format!("{prefix}pm"), "vendor_pm", None, Some(&vendor)).await;
    Fixture { unit, system, vendor, policy, contract, reporter, engineer, engineer_id, pm }
}

pub fn clock<'a>(ticket: &'a Value, metric: &str) -> &'a Value {
    ticket["clocks"].as_array().unwrap().iter().find(|c| c["metric"] == metric).unwrap_or(&Value::Null)
}

pub async fn step(t: &TestApp, id: &str, token: &str, body: Value) -> Value {
    let (s, v) = t.post(&format!("/api/v1/tickets/{id}/transitions"), token, body.clone()).await;
    assert_eq!(s, StatusCode::OK, "{body} → {v}");
    v
}

both!(incident_under_004_row_04_reported_on_a_friday_evening, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    // Friday 2026-11-20, 19:30 in Beijing: the 7×24 contract counts the evening and the weekend.
    t.clock.set(bj("2026-11-20T19:30"));
    let (s, tk) = t
        .post(
            "/api/v1/tickets",
            &f.reporter,
            json!({"system_id": f.system, "type": "incident", "severity": "一级（紧急）",
            "title": "古树名木系统无法登录", "description": "全部用户登录报 502"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{tk}");
    let id = tk["id"].as_str().unwrap().to_string();
    assert_eq!(tk["status"], "new");
    assert_eq!(tk["policy_id"], f.policy.as_str());
    assert_eq!(tk["policy_version"], 1);
    assert_eq!(tk["vendor_id"], f.vendor.as_str());
    assert!(tk["number"].as_str().unwrap().starts_with("YW20261120-"), "{}", tk["number"]);
    assert_eq!(clock(&tk, "response")["due_at"], iso("2026-11-20T19:45"));
    assert_eq!(clock(&tk, "restore")["due_at"], iso("2026-11-20T23:30"));
    assert_eq!(clock(&tk, "resolve")["due_at"], iso("2026-11-21T03:30"));
    assert_eq!(clock(&tk, "resolve")["state"], "running");
    assert!(
        clock(&tk, "resolve")["explanation"]["explanation"].as_array().is_some_and(|s| !s.is_empty()),
        "{}",
        tk["clocks"]
    );
    // The project manager heard of it.
    let (_, inbox) = t.get("/api/v1/notifications", &f.pm).await;
    assert_eq!(inbox["items"][0]["kind"], "created", "{inbox}");

    t.clock.set(bj("2026-11-20T19:41"));
    step(&t, &id, &f.engineer, json!({"to": "responded"})).await;
    let (s, _) = t.post(&format!("/api/v1/tickets/{id}/assign"), &f.pm, json!({"assignee_id": f.engineer_id})).await;
    assert_eq!(s, StatusCode::OK);
    t.clock.set(bj("2026-11-20T20:00"));
    step(&t, &id, &f.engineer, json!({"to": "in_progress"})).await;
    t.clock.set(bj("2026-11-20T22:10"));
    let v = step(&t, &id, &f.engineer, json!({"to": "restored"})).await;
    assert_eq!(clock(&v, "response")["state"], "met");
    assert_eq!(clock(&v, "restore")["state"], "met");
    assert_eq!(clock(&v, "restore")["stopped_at"], iso("2026-11-20T22:10"));

    // 75 % of the eight resolve hours is reached at 01:30: the ladder notifies the assignee.
    t.clock.set(bj("2026-11-21T01:31"));
    let r = t.app.check_due_tickets().await.unwrap();
    assert_eq!(r.checked, 1);
    let (_, v) = t.get(&format!("/api/v1/tickets/{id}"), &f.engineer).await;
    let esc: Vec<&Value> = v["events"].as_array().unwrap().iter().filter(|e| e["kind"] == "escalation").collect();
    assert_eq!(esc.len(), 1, "{}", v["events"]);
    assert_eq!(esc[0]["at"], iso("2026-11-21T01:30"));
    // The ladder's first step below 100 % is where the clock turns amber.
    assert_eq!(v["at_risk"], true, "{v}");
    assert_eq!(
        (clock(&v, "resolve")["risk_percent"].as_u64(), &clock(&v, "resolve")["risk_at"]),
        (Some(75), &json!(iso("2026-11-21T01:30")))
    );
    let (_, inbox) = t.get("/api/v1/notifications?unread=true", &f.engineer).await;
    let kinds: Vec<&str> = inbox["items"].as_array().unwrap().iter().filter_map(|n| n["kind"].as_str()).collect();
    // The ladder step told the assignee already: the built-in amber notice does not repeat it.
    assert!(kinds.contains(&"escalation") && !kinds.contains(&"at_risk"), "{inbox}");
    let (s, r) = t.post("/api/v1/notifications/read", &f.engineer, json!({})).await;
    assert_eq!((s, r["marked"].as_u64()), (StatusCode::OK, inbox["total"].as_u64()));
    let (_, inbox) = t.get("/api/v1/notifications?unread=true", &f.engineer).await;
    assert_eq!(inbox["total"], 0, "read ones leave the unread list");
    // Running the job again fires nothing twice.
    t.app.check_due_tickets().await.unwrap();
    let (_, again) = t.get(&format!("/api/v1/tickets/{id}"), &f.engineer).await;
    assert_eq!(again["events"].as_array().unwrap().iter().filter(|e| e["kind"] == "escalation").count(), 1);

    t.clock.set(bj("2026-11-21T01:55"));
    let (_, risky) = t.get("/api/v1/tickets?at_risk=true", &f.pm).await;
    assert_eq!((risky["total"].as_u64(), risky["items"][0]["at_risk"].as_bool()), (Some(1), Some(true)));
    t.clock.set(bj("2026-11-21T02:00"));
    let v =
        step(&t, &id, &f.engineer, json!({"to": "resolved", "resolution": {"summary": "已重启服务，恢复正常"}})).await;
    assert_eq!(clock(&v, "resolve")["state"], "met");
    let (_, inbox) = t.get("/api/v1/notifications", &f.reporter).await;
    assert_eq!(inbox["items"][0]["kind"], "resolved", "the reporter is asked to confirm");
    t.clock.set(bj("2026-11-21T09:00"));
    let v = step(&t, &id, &f.reporter, json!({"to": "closed"})).await;
    assert_eq!(v["status"], "closed");
    let (s, v) = t
        .post(&format!("/api/v1/tickets/{id}/rating"), &f.reporter, json!({"rating": 5, "comment": "半夜修好，辛苦"}))
        .await;
    assert_eq!((s, v["rating"].as_i64()), (StatusCode::OK, Some(5)), "{v}");
    assert!(v["clocks"].as_array().unwrap().iter().all(|c| c["state"] == "met"), "{}", v["clocks"]);
    assert_eq!(v["breached"], false);
    let kinds: Vec<&str> = v["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "created",
            "transition",
            "assigned",
            "transition",
            "transition",
            "escalation",
            "transition",
            "transition",
            "rated"
        ]
    );
});

both!(demand_under_004_row_03_across_national_day_2025, |t: TestApp| async move {
    let f = fixture(&t, "004-row-03-demands", ("2025-01-01", "2025-12-31"), "").await;
    // Reported by phone on Tuesday 30 September 2025 at 10:00 and back-filled by the bureau.
    t.clock.set(bj("2025-09-30T10:30"));
    let (s, tk) = t
        .post("/api/v1/tickets", &t.admin, json!({"system_id": f.system, "type": "request", "severity": "简单需求",
            "title": "借阅报表增加导出", "channel": "phone", "reported_at": iso("2025-09-30T10:00"), "reporter_name": "王科长"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{tk}");
    let id = tk["id"].as_str().unwrap().to_string();
    // One working day for the plan: 1–8 October are holidays, 9 October is the first working day.
    assert_eq!(clock(&tk, "plan")["due_at"], iso("2025-10-09T17:30"));
    // Five working days: 9, 10, Saturday the 11th (a make-up day), 13, 14.
    assert_eq!(clock(&tk, "resolve")["due_at"], iso("2025-10-14T17:30"));
    let steps = clock(&tk, "plan")["explanation"]["explanation"].as_array().unwrap().clone();
    assert!(steps.iter().any(|s| s["text"].as_str().unwrap().contains("国庆节")), "{steps:?}");
    assert_eq!(tk["reporter_name"], "王科长");

    // Only the bureau may back-fill.
    let (s, e) = t
        .post(
            "/api/v1/tickets",
            &f.reporter,
            json!({"system_id": f.system, "type": "request", "title": "x",
            "reported_at": iso("2025-09-29T10:00")}),
        )
        .await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reported_at")));

    t.clock.set(bj("2025-10-09T10:00"));
    step(&t, &id, &f.engineer, json!({"to": "in_progress"})).await;
    let (s, v) = t
        .post(
            &format!("/api/v1/tickets/{id}/milestones"),
            &f.engineer,
            json!({"metric": "plan", "note": "方案已邮件发送"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(clock(&v, "plan")["state"], "met");
    assert_eq!(clock(&v, "resolve")["state"], "running");
    let (s, _) = t.post(&format!("/api/v1/tickets/{id}/milestones"), &f.engineer, json!({"metric": "plan"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "recorded once");
});

both!(a_pending_period_and_a_reopen, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2026-11-23T10:00"));
    let (_, tk) = t
        .post(
            "/api/v1/tickets",
            &f.reporter,
            json!({"system_id": f.system, "type": "incident", "severity": "二级（严重）", "title": "查询慢"}),
        )
        .await;
    let id = tk["id"].as_str().unwrap().to_string();
    assert_eq!(clock(&tk, "resolve")["due_at"], iso("2026-11-24T10:00"));
    t.clock.set(bj("2026-11-23T10:05"));
    step(&t, &id, &f.engineer, json!({"to": "in_progress"})).await;
    t.clock.set(bj("2026-11-23T10:30"));
    let (s, e) = t.post(&format!("/api/v1/tickets/{id}/transitions"), &f.engineer, json!({"to": "pending"})).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
    // A pause stops the vendor's clocks: the engineer asks, the reporter's unit approves, and
    // the pause counts from the moment it was asked for.
    let (s, a) = t
        .post(
            &format!("/api/v1/tickets/{id}/transitions"),
            &f.engineer,
            json!({"to": "pending", "reason": "等待用户提供测试账号", "waiting_for": "用户"}),
        )
        .await;
    assert_eq!(
        (s, a["kind"].as_str(), a["unit_may_decide"].as_bool()),
        (StatusCode::ACCEPTED, Some("ticket_pause"), Some(true))
    );
    let (_, v) = t.get(&format!("/api/v1/tickets/{id}"), &f.reporter).await;
    assert_eq!((v["status"].as_str(), clock(&v, "resolve")["state"].as_str()), (Some("in_progress"), Some("running")));
    let approval = a["id"].as_str().unwrap().to_string();
    let (s, _) = t.post(&format!("/api/v1/approvals/{approval}/approve"), &f.engineer, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the vendor does not approve its own pause");
    let (_, inbox) = t.get("/api/v1/approvals?mine=true", &f.reporter).await;
    assert_eq!(inbox["total"], 1, "{inbox}");
    assert_eq!(inbox["items"][0]["can_decide"], true);
    t.clock.set(bj("2026-11-23T10:45"));
    let (s, d) =
        t.post(&format!("/api/v1/approvals/{approval}/approve"), &f.reporter, json!({"comment": "确认"})).await;
    assert_eq!((s, d["status"].as_str()), (StatusCode::OK, Some("approved")), "{d}");
    let (s, _) = t.post(&format!("/api/v1/approvals/{approval}/approve"), &t.admin, json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "decided once");
    let (_, v) = t.get(&format!("/api/v1/tickets/{id}"), &f.engineer).await;
    assert_eq!(v["waiting_for"], "用户");
    assert_eq!(clock(&v, "resolve")["state"], "paused");
    assert_eq!(clock(&v, "resolve")["due_at"], Value::Null);
    assert_eq!(clock(&v, "response")["state"], "met", "pending does not pause what has stopped");
    t.clock.set(bj("2026-11-23T12:30"));
    let v = step(&t, &id, &f.engineer, json!({"to": "in_progress"})).await;
    assert_eq!(clock(&v, "resolve")["due_at"], iso("2026-11-24T12:00"), "two pending hours added");
    t.clock.set(bj("2026-11-23T15:00"));
    step(&t, &id, &f.engineer, json!({"to": "resolved", "resolution": {"summary": "已重启服务，恢复正常"}})).await;
    // The reporter disagrees the next morning.
    t.clock.set(bj("2026-11-24T09:00"));
    let (s, _) = t
        .post(&format!("/api/v1/tickets/{id}/transitions"), &f.engineer, json!({"to": "reopened", "reason": "x"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "reopening is the reporter's");
    let v = step(&t, &id, &f.reporter, json!({"to": "reopened", "reason": "导出仍然很慢"})).await;
    assert_eq!(clock(&v, "resolve")["state"], "running");
    // 15:00 → 09:00 resolved (18 h) is cut out as well as the two pending hours.
    assert_eq!(clock(&v, "resolve")["due_at"], iso("2026-11-25T06:00"));
    assert_eq!(v["resolved_at"], Value::Null);
});

both!(a_breach_while_the_server_was_stopped, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2026-11-22T08:00"));
    let (_, tk) = t
        .post(
            "/api/v1/tickets",
            &f.reporter,
            json!({"system_id": f.system, "type": "incident", "severity": "一级（紧急）", "title": "宕机"}),
        )
        .await;
    let id = tk["id"].as_str().unwrap().to_string();
    t.clock.set(bj("2026-11-22T08:05"));
    step(&t, &id, &f.engineer, json!({"to": "in_progress"})).await;
    // The server stops at 08:10 and comes back at 18:00; the resolve clock was due at 16:00.
    t.clock.set(bj("2026-11-22T18:00"));
    let t2 = t.reopen().await;
    let (_, before_job) = t2.get(&format!("/api/v1/tickets/{id}"), &t2.admin).await;
    assert_eq!(clock(&before_job, "resolve")["state"], "breached", "the page is right even before the job runs");
    let r = t2.app.check_due_tickets().await.unwrap();
    assert_eq!(r.checked, 1);
    let (_, v) = t2.get(&format!("/api/v1/tickets/{id}"), &t2.admin).await;
    assert_eq!(clock(&v, "restore")["breached_at"], iso("2026-11-22T12:00"));
    assert_eq!(
        clock(&v, "resolve")["breached_at"],
        iso("2026-11-22T16:00"),
        "breached at the due time, not at restart"
    );
    assert_eq!(v["breached"], true);
    assert_eq!(v["support_level"], "L2", "the ladder escalates on breach");
    let breach = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "escalation" && e["data"]["on_breach"] == true)
        .unwrap()
        .clone();
    assert_eq!(breach["at"], iso("2026-11-22T16:00"));
    let (_, inbox) = t2.get("/api/v1/notifications", &t2.admin).await;
    assert!(inbox["items"].as_array().unwrap().iter().any(|n| n["kind"] == "escalation"), "{inbox}");
    let (_, list) = t2.get(&format!("/api/v1/tickets?breached=true&system_id={}", f.system), &t2.admin).await;
    assert_eq!(list["total"], 1);
    // Resolving late keeps the breach.
    let v =
        step(&t2, &id, &f.engineer, json!({"to": "resolved", "resolution": {"summary": "已重启服务，恢复正常"}})).await;
    assert_eq!(clock(&v, "resolve")["state"], "breached");
});

both!(the_lifecycle_refuses_what_it_does_not_allow, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2026-11-22T08:00"));
    let (_, tk) = t
        .post(
            "/api/v1/tickets",
            &f.reporter,
            json!({"system_id": f.system, "type": "consultation", "title": "如何导出"}),
        )
        .await;
    let id = tk["id"].as_str().unwrap().to_string();
    assert_eq!(tk["severity"], "四级（轻微）", "the least severe level by default");
    let (s, e) = t.post(&format!("/api/v1/tickets/{id}/transitions"), &t.admin, json!({"to": "closed"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert!(e["message"].as_str().unwrap().contains("responded"), "names the allowed states: {e}");
    let (s, _) = t
        .post(
            &format!("/api/v1/tickets/{id}/transitions"),
            &f.reporter,
            json!({"to": "resolved", "resolution": {"summary": "已重启服务，恢复正常"}}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = t.post(&format!("/api/v1/tickets/{id}/transitions"), &f.engineer, json!({"to": "flying"})).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to")));
    let (s, e) = t
        .post(
            &format!("/api/v1/tickets/{id}/transitions"),
            &f.engineer,
            json!({"to": "responded", "at": iso("2026-11-22T07:59")}),
        )
        .await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("at")));
    let (s, _) = t
        .post(
            &format!("/api/v1/tickets/{id}/transitions"),
            &t.admin,
            json!({"to": "responded", "at": iso("2026-11-22T09:00")}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "not in the future");
    let (s, e) = t
        .post(
            "/api/v1/tickets",
            &f.reporter,
            json!({"system_id": f.system, "type": "incident", "severity": "五级", "title": "x"}),
        )
        .await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("severity")));
    let (s, e) =
        t.post("/api/v1/tickets", &f.reporter, json!({"system_id": f.system, "type": "bug", "title": ""})).await;
    let fields: Vec<&str> =
        e["field_errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
    assert_eq!((s, fields), (StatusCode::UNPROCESSABLE_ENTITY, vec!["type", "title"]));
    let (s, _) = t.post("/api/v1/tickets/nope/transitions", &f.engineer, json!({"to": "responded"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
});

both!(who_sees_which_ticket, |t: TestApp| async move {
    let a = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "a").await;
    let b = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "b").await;
    t.clock.set(bj("2026-11-22T08:00"));
    let (_, tk) = t
        .post("/api/v1/tickets", &a.reporter, json!({"system_id": a.system, "type": "incident", "title": "A 的问题"}))
        .await;
    let id = tk["id"].as_str().unwrap().to_string();
    // Another unit's system is not there for this reporter.
    let (s, e) =
        t.post("/api/v1/tickets", &a.reporter, json!({"system_id": b.system, "type": "incident", "title": "x"})).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("system_id")));
    for token in [&b.reporter, &b.engineer, &b.pm] {
        let (s, _) = t.get(&format!("/api/v1/tickets/{id}"), token).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = t.post(&format!("/api/v1/tickets/{id}/transitions"), token, json!({"to": "responded"})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, list) = t.get("/api/v1/tickets", token).await;
        assert_eq!(list["total"], 0);
    }
    let (_, list) = t.get("/api/v1/tickets", &a.engineer).await;
    assert_eq!(list["total"], 1);
    // The policy an item names is readable by the item's unit and vendor (the report form shows
    // its levels), and by no one else.
    for (token, status) in
        [(&a.reporter, StatusCode::OK), (&a.engineer, StatusCode::OK), (&b.reporter, StatusCode::NOT_FOUND)]
    {
        let (s, _) = t.get(&format!("/api/v1/sla/policies/{}", a.policy), token).await;
        assert_eq!(s, status);
    }
    // Internal comments stay with the bureau and the vendor.
    let (s, _) = t
        .post(&format!("/api/v1/tickets/{id}/comments"), &a.engineer, json!({"body": "怀疑是中间件", "internal": true}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = t.post(&format!("/api/v1/tickets/{id}/comments"), &a.engineer, json!({"body": "正在处理"})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, mine) = t.get(&format!("/api/v1/tickets/{id}"), &a.reporter).await;
    assert_eq!(mine["comments"].as_array().unwrap().len(), 1);
    let (_, theirs) = t.get(&format!("/api/v1/tickets/{id}"), &a.engineer).await;
    assert_eq!(theirs["comments"].as_array().unwrap().len(), 2);
    let (s, _) =
        t.post(&format!("/api/v1/tickets/{id}/comments"), &a.reporter, json!({"body": "x", "internal": true})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // The auditor reads and changes nothing.
    let auditor = t.user("auditor1", "auditor", None, None).await;
    let (s, _) = t.get(&format!("/api/v1/tickets/{id}"), &auditor).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = t.post(&format!("/api/v1/tickets/{id}/transitions"), &auditor, json!({"to": "responded"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // An engineer of another vendor cannot be assigned.
    let (s, e) = t.post(&format!("/api/v1/tickets/{id}/assign"), &a.pm, json!({"assignee_id": b.engineer_id})).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("assignee_id")));
});

both!(attachments_are_checked_stored_and_scoped, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let (_, tk) = t
        .post("/api/v1/tickets", &f.reporter, json!({"system_id": f.system, "type": "incident", "title": "报错截图"}))
        .await;
    let id = tk["id"].as_str().unwrap().to_string();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let (s, a) = attach(&t, &id, &f.reporter, "截图.png", png.clone(), false).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["content_type"], "image/png");
    let (s, ct, bytes) =
        t.download(&format!("/api/v1/tickets/{id}/attachments/{}", a["id"].as_str().unwrap()), &f.engineer).await;
    assert_eq!((s, ct.as_deref(), bytes), (StatusCode::OK, Some("image/png"), png));
    let (s, e) = attach(&t, &id, &f.reporter, "setup.exe", b"MZ\x90\0\x03\0\0\0".to_vec(), false).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("file")));
    let (s, _) = attach(&t, &id, &f.reporter, "big.log", vec![b'a'; 10 * 1024 * 1024 + 1], false).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, log) = attach(&t, &id, &f.engineer, "../../app.log", b"ERROR pool exhausted\n".to_vec(), true).await;
    assert_eq!((s, log["file_name"].as_str()), (StatusCode::CREATED, Some("app.log")));
    let (_, mine) = t.get(&format!("/api/v1/tickets/{id}"), &f.reporter).await;
    assert_eq!(mine["attachments"].as_array().unwrap().len(), 1, "the internal log is hidden");
    let (s, _, _) =
        t.download(&format!("/api/v1/tickets/{id}/attachments/{}", log["id"].as_str().unwrap()), &f.reporter).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
});

async fn attach(t: &TestApp, id: &str, token: &str, name: &str, bytes: Vec<u8>, internal: bool) -> (StatusCode, Value) {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    let form = reqwest::multipart::Form::new().part("file", part).text("internal", internal.to_string());
    let res = t
        .client
        .post(format!("{}/api/v1/tickets/{id}/attachments", t.base))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn five_by_eight(overrides: Value) -> Value {
    let day = json!([["08:30", "12:00"], ["13:30", "17:30"]]);
    json!({"name": "数据局工作日历", "time_zone": "Asia/Shanghai", "holiday_sets": ["cn"], "overrides": overrides,
        "weekly": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": [], "sun": []}})
}

both!(items_name_their_policy_and_calendar_changes_reach_open_tickets_only, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let cal = t.create("calendars", five_by_eight(json!([]))).await;
    let policy = t
        .create(
            "sla/policies",
            json!({"name": "一个工作日", "calendar_id": cal, "auto_close_working_days": 0,
            "levels": [{"name": "一般", "targets": {"resolve": {"kind": "working_days", "days": 1}}}]}),
        )
        .await;
    // The item takes the new policy by PUT; a policy that does not exist is named.
    let (_, c) = t.get(&format!("/api/v1/contracts/{}", f.contract), &t.admin).await;
    let mut body = c.clone();
    body["items"][0]["sla_policy_id"] = json!("nope");
    let (s, e) = t.put(&format!("/api/v1/contracts/{}", f.contract), &t.admin, body.clone()).await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("items[0].sla_policy_id"))
    );
    body["items"][0]["sla_policy_id"] = json!(policy);
    body["items"][0]["counted_causes"] = json!(["vendor", "unknown", "user"]);
    let (s, c) = t.put(&format!("/api/v1/contracts/{}", f.contract), &t.admin, body).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["items"][0]["sla_policy_id"], policy.as_str());
    assert_eq!(c["items"][0]["counted_causes"], json!(["vendor", "user", "unknown"]));

    t.clock.set(bj("2026-11-23T10:00"));
    let new = |title: &str| json!({"system_id": f.system, "type": "incident", "title": title});
    let (_, open) = t.post("/api/v1/tickets", &f.reporter, new("仍在处理")).await;
    let (_, done) = t.post("/api/v1/tickets", &f.reporter, new("已关闭")).await;
    let (open, done) = (open["id"].as_str().unwrap().to_string(), done["id"].as_str().unwrap().to_string());
    step(&t, &done, &f.engineer, json!({"to": "resolved", "resolution": {"summary": "已重启服务，恢复正常"}})).await;
    step(&t, &done, &f.reporter, json!({"to": "closed"})).await;
    let (_, v) = t.get(&format!("/api/v1/tickets/{open}"), &t.admin).await;
    assert_eq!(clock(&v, "resolve")["due_at"], iso("2026-11-24T17:30"));

    // Tuesday becomes a day off: the preview shows the open ticket's move and nothing else.
    let changed = five_by_eight(json!([{"date": "2026-11-24", "kind": "holiday", "note": "停电检修"}]));
    let (s, p) = t.post(&format!("/api/v1/calendars/{cal}/preview"), &t.admin, changed.clone()).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["moved"].as_array().unwrap().len(), 1, "{p}");
    assert_eq!(p["moved"][0]["ticket_id"], open.as_str());
    assert_eq!(p["moved"][0]["due_after"], iso("2026-11-25T17:30"));
    let (s, _) = t.post(&format!("/api/v1/calendars/{cal}/preview"), &f.pm, changed.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = t.put(&format!("/api/v1/calendars/{cal}"), &t.admin, changed).await;
    assert_eq!(s, StatusCode::OK);
    t.app.check_due_tickets().await.unwrap();
    let (_, v) = t.get(&format!("/api/v1/tickets/{open}"), &t.admin).await;
    assert_eq!(clock(&v, "resolve")["due_at"], iso("2026-11-25T17:30"));
    let (_, v) = t.get(&format!("/api/v1/tickets/{done}"), &t.admin).await;
    assert_eq!(clock(&v, "resolve")["due_at"], iso("2026-11-24T17:30"), "a closed ticket never moves");

    // The outage cause, and whether the item counts it against the vendor.
    // A cause that excuses the vendor is the bureau's to accept.
    let (s, a) = t
        .put(
            &format!("/api/v1/tickets/{open}/outage"),
            &f.engineer,
            json!({"cause": "carrier", "outage_start": iso("2026-11-23T09:50")}),
        )
        .await;
    assert_eq!((s, a["kind"].as_str()), (StatusCode::ACCEPTED, Some("ticket_outage")), "{a}");
    let (_, v) = t.get(&format!("/api/v1/tickets/{open}"), &t.admin).await;
    assert_eq!(v["cause"], Value::Null, "nothing changes before the bureau decides");
    let (s, _) = t.post(&format!("/api/v1/approvals/{}/reject", a["id"].as_str().unwrap()), &t.admin, json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a rejection says why");
    let (s, _) = t.post(&format!("/api/v1/approvals/{}/approve", a["id"].as_str().unwrap()), &t.admin, json!({})).await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = t.get(&format!("/api/v1/tickets/{open}"), &t.admin).await;
    assert_eq!((v["cause"].as_str(), v["cause_counted"].as_bool()), (Some("carrier"), Some(false)), "{v}");
    // A cause that counts against the vendor is recorded at once.
    let (s, _) = t.put(&format!("/api/v1/tickets/{open}/outage"), &f.engineer, json!({"cause": "vendor"})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = t.put(&format!("/api/v1/tickets/{open}/outage"), &t.admin, json!({"cause": "carrier"})).await;
    assert_eq!(s, StatusCode::OK, "the bureau records what it decides");
    let (s, _) = t.put(&format!("/api/v1/tickets/{open}/outage"), &f.reporter, json!({"cause": "vendor"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let v = step(&t, &open, &f.engineer, json!({"to": "restored"})).await;
    assert_eq!(v["outage_end"], iso("2026-11-23T10:00"), "restoring ends the interruption");

    let (_, mine) = t.get(&format!("/api/v1/tickets?unit_id={}&status=open", f.unit), &t.admin).await;
    assert_eq!(mine["total"], 1);
    let (s, ct, bytes) = t.download("/api/v1/tickets/export.xlsx?status=closed", &t.admin).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ct.unwrap().contains("spreadsheetml"));
    let table = report::xlsx::read_table(&bytes).unwrap();
    assert_eq!(table.rows.len(), 1);
});

both!(severity_upgrades_and_resolved_tickets_close_themselves, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let policy = t
        .create(
            "sla/policies",
            json!({"name": "自动升级", "calendar_id": "preset-5x8",
            "levels": [{"name": "紧急", "targets": {"resolve": {"kind": "calendar", "minutes": 120}}},
                       {"name": "一般", "targets": {"resolve": {"kind": "business", "minutes": 480}}}],
            "upgrade": [{"from": "一般", "to": "紧急", "after": {"kind": "calendar", "minutes": 60}}]}),
        )
        .await;
    let (_, mut c) = t.get(&format!("/api/v1/contracts/{}", f.contract), &t.admin).await;
    c["items"][0]["sla_policy_id"] = json!(policy);
    let (s, _) = t.put(&format!("/api/v1/contracts/{}", f.contract), &t.admin, c).await;
    assert_eq!(s, StatusCode::OK);
    t.clock.set(bj("2026-11-23T10:00"));
    let (_, tk) = t
        .post(
            "/api/v1/tickets",
            &f.reporter,
            json!({"system_id": f.system, "type": "incident", "severity": "一般", "title": "慢"}),
        )
        .await;
    let id = tk["id"].as_str().unwrap().to_string();
    assert_eq!(clock(&tk, "resolve")["due_at"], iso("2026-11-24T10:30"), "eight working hours, lunch excluded");
    t.clock.set(bj("2026-11-23T11:01"));
    t.app.check_due_tickets().await.unwrap();
    let (_, v) = t.get(&format!("/api/v1/tickets/{id}"), &t.admin).await;
    assert_eq!(v["severity"], "紧急", "unresolved for an hour");
    assert_eq!(clock(&v, "resolve")["start_at"], iso("2026-11-23T11:00"));
    assert_eq!(clock(&v, "resolve")["due_at"], iso("2026-11-23T13:00"));
    assert!(v["events"].as_array().unwrap().iter().any(|e| e["kind"] == "severity"));
    t.clock.set(bj("2026-11-23T11:30"));
    step(&t, &id, &f.engineer, json!({"to": "resolved", "resolution": {"summary": "已重启服务，恢复正常"}})).await;
    // Three working days later at the same time the ticket closes itself.
    t.clock.set(bj("2026-11-26T11:29"));
    t.app.check_due_tickets().await.unwrap();
    let (_, v) = t.get(&format!("/api/v1/tickets/{id}"), &t.admin).await;
    assert_eq!(v["status"], "resolved");
    t.clock.set(bj("2026-11-26T11:31"));
    t.app.check_due_tickets().await.unwrap();
    let (_, v) = t.get(&format!("/api/v1/tickets/{id}"), &t.admin).await;
    assert_eq!(
        (v["status"].as_str(), v["closed_at"].as_str()),
        (Some("closed"), Some(iso("2026-11-26T11:30").as_str()))
    );
    let (s, v) = t.post(&format!("/api/v1/tickets/{id}/rating"), &f.reporter, json!({"rating": 6})).await;
    assert_eq!((s, v["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("rating")));
});
