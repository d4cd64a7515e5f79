//! The daily work on a ticket (issue 16): people by name, and resolving writes the service record
//! of 002 需求91.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::{bj, fixture, iso, step};

both!(resolving_needs_a_resolution_and_reopening_clears_it, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2026-11-23T10:00"));
    let (_, tk) = t
        .post(
            "/api/v1/tickets",
            &f.reporter,
            json!({"system_id": f.system, "type": "incident", "severity": "二级（严重）", "title": "打印服务中断"}),
        )
        .await;
    let id = tk["id"].as_str().unwrap().to_string();
    assert_eq!((&tk["resolution"], &tk["assignee_name"]), (&Value::Null, &Value::Null));
    // The due times name what they follow.
    let basis = &tk["sla_basis"];
    assert_eq!(
        (basis["policy_id"].as_str(), basis["version"].as_i64(), basis["level"].as_str(), basis["in_hours"].as_bool()),
        (Some(f.policy.as_str()), Some(1), Some("二级（严重）"), Some(true)),
        "{basis}"
    );
    assert!(!basis["policy_name"].as_str().unwrap().is_empty() && !basis["calendar_name"].as_str().unwrap().is_empty());
    // The unit sees who handles its ticket by name, never by a user id.
    let user = format!("/api/v1/users/{}", f.engineer_id);
    let (_, mut u) = t.get(&user, &t.admin).await;
    u["display_name"] = json!("李工（驻场）");
    let (s, e) = t.put(&user, &t.admin, u).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let body = json!({"assignee_id": f.engineer_id});
    let (s, e) = t.post(&format!("/api/v1/tickets/{id}/assign"), &f.pm, body).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let (_, v) = t.get(&format!("/api/v1/tickets/{id}"), &f.reporter).await;
    assert_eq!(
        (v["assignee_id"].as_str(), v["assignee_name"].as_str()),
        (Some(f.engineer_id.as_str()), Some("李工（驻场）"))
    );
    step(&t, &id, &f.engineer, json!({"to": "in_progress"})).await;
    let url = format!("/api/v1/tickets/{id}/transitions");

    // Without a resolution, or with an empty summary, nothing moves and the field is named.
    let (s, e) = t.post(&url, &f.engineer, json!({"to": "resolved"})).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("resolution")));
    assert!(e["field_errors"][0]["message"].as_str().unwrap().contains("处理结果"), "{e}");
    let (s, e) = t.post(&url, &f.engineer, json!({"to": "resolved", "resolution": {"summary": "  "}})).await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("resolution.summary"))
    );
    let long = "长".repeat(2001);
    let (s, e) =
        t.post(&url, &f.engineer, json!({"to": "resolved", "resolution": {"summary": "好", "cause": long}})).await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("resolution.cause"))
    );
    // A resolution belongs to resolving only.
    let (s, e) = t.post(&url, &f.engineer, json!({"to": "restored", "resolution": {"summary": "好"}})).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("resolution")));
    let (_, v) = t.get(&format!("/api/v1/tickets/{id}"), &f.engineer).await;
    assert_eq!(v["status"], "in_progress", "refused requests changed nothing");

    t.clock.set(bj("2026-11-23T11:00"));
    let record = json!({
        "summary": "更换打印服务器电源后恢复", "fault_type": "硬件故障", "method": "更换电源模块",
        "cause": "电源模块老化", "prevention": "每季度巡检电源指示灯", "device_model": "HP LaserJet M607"
    });
    let v = step(&t, &id, &f.engineer, json!({"to": "resolved", "resolution": record})).await;
    assert_eq!(v["status"], "resolved");
    assert_eq!(v["resolution"], record);
    let resolved = v["events"].as_array().unwrap().iter().rfind(|e| e["to_status"] == "resolved").unwrap();
    assert_eq!(resolved["data"]["resolution"], record, "the timeline keeps it");
    // The reporter sees what was done before confirming.
    let (_, v) = t.get(&format!("/api/v1/tickets/{id}"), &f.reporter).await;
    assert_eq!(v["resolution"]["summary"], "更换打印服务器电源后恢复");

    // Reopened: the next resolution is written afresh; the timeline keeps the first.
    let v = step(&t, &id, &f.reporter, json!({"to": "reopened", "reason": "又卡纸了"})).await;
    assert_eq!(v["resolution"], Value::Null);
    assert!(v["events"].as_array().unwrap().iter().any(|e| e["data"]["resolution"] == record));
});

both!(the_handler_and_the_manager_hear_when_a_clock_turns_amber_and_when_it_breaches, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2026-11-23T10:00"));
    let (_, tk) = t
        .post(
            "/api/v1/tickets",
            &f.reporter,
            json!({"system_id": f.system, "type": "incident", "severity": "二级（严重）", "title": "门户首页打不开"}),
        )
        .await;
    let id = tk["id"].as_str().unwrap().to_string();
    // The list says which clock the next due time is for.
    assert_eq!(tk["next_due_metric"], "response");
    // No ladder step names the response clock: it turns amber at 80 % of its 15 minutes.
    let response = crate::tickets::clock(&tk, "response");
    assert_eq!((response["risk_percent"].as_u64(), &response["risk_at"]), (Some(80), &json!(iso("2026-11-23T10:12"))));
    let (s, _) = t.post(&format!("/api/v1/tickets/{id}/assign"), &f.pm, json!({"assignee_id": f.engineer_id})).await;
    assert_eq!(s, StatusCode::OK);
    let notices = |token: String, kind: &'static str| {
        let t = &t;
        async move {
            let (_, inbox) = t.get("/api/v1/notifications", &token).await;
            inbox["items"].as_array().unwrap().iter().filter(|n| n["kind"] == kind).cloned().collect::<Vec<Value>>()
        }
    };

    t.clock.set(bj("2026-11-23T10:11"));
    t.app.check_due_tickets().await.unwrap();
    assert!(notices(f.engineer.clone(), "at_risk").await.is_empty(), "not yet amber");
    let (_, risky) = t.get("/api/v1/tickets?at_risk=true", &f.pm).await;
    assert_eq!(risky["total"], 0);

    t.clock.set(bj("2026-11-23T10:12"));
    t.app.check_due_tickets().await.unwrap();
    for who in [&f.engineer, &f.pm] {
        let n = notices(who.clone(), "at_risk").await;
        assert_eq!(n.len(), 1, "{n:?}");
        assert!(n[0]["title"].as_str().unwrap().contains("响应即将超时"), "{n:?}");
    }
    let (_, risky) = t.get("/api/v1/tickets?at_risk=true", &f.pm).await;
    assert_eq!((risky["total"].as_u64(), risky["items"][0]["id"].as_str()), (Some(1), Some(id.as_str())));
    assert!(notices(f.reporter.clone(), "at_risk").await.is_empty(), "the unit is not paged");

    t.clock.set(bj("2026-11-23T10:16"));
    t.app.check_due_tickets().await.unwrap();
    t.app.check_due_tickets().await.unwrap();
    for who in [&f.engineer, &f.pm] {
        let n = notices(who.clone(), "breached").await;
        assert_eq!(n.len(), 1, "once, however often the job runs: {n:?}");
        assert!(n[0]["title"].as_str().unwrap().contains("响应已超时"), "{n:?}");
        assert_eq!(notices(who.clone(), "at_risk").await.len(), 1);
    }
    // Breached is no longer “at risk”, and sorts first by urgency.
    let (_, risky) = t.get("/api/v1/tickets?at_risk=true", &f.pm).await;
    assert_eq!(risky["total"], 0);
    let (_, urgent) = t.get("/api/v1/tickets?sort=next_due_at&order=asc", &f.pm).await;
    assert_eq!(
        (urgent["items"][0]["id"].as_str(), urgent["items"][0]["breached"].as_bool()),
        (Some(id.as_str()), Some(true))
    );
});

both!(an_engineer_who_responds_takes_the_ticket_and_arrival_records_where, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2026-11-23T10:00"));
    let report =
        json!({"system_id": f.system, "type": "incident", "severity": "二级（严重）", "title": "机房空调告警"});
    let (_, a) = t.post("/api/v1/tickets", &f.reporter, report.clone()).await;
    let (_, b) = t.post("/api/v1/tickets", &f.reporter, report).await;
    let (a, b) = (a["id"].as_str().unwrap().to_string(), b["id"].as_str().unwrap().to_string());

    let v = step(&t, &a, &f.engineer, json!({"to": "responded"})).await;
    assert_eq!(v["next_due_metric"], "restore", "response met: the restore clock is next");
    assert_eq!(
        (v["assignee_id"].as_str(), v["assignee_name"].as_str()),
        (Some(f.engineer_id.as_str()), Some("engineer"))
    );
    let taken = v["events"].as_array().unwrap().iter().find(|e| e["kind"] == "assigned").expect("an assigned event");
    assert_eq!(
        (taken["data"]["to"].as_str(), taken["data"]["on_response"].as_bool()),
        (Some(f.engineer_id.as_str()), Some(true))
    );
    // The manager answering (dispatching) takes nothing.
    let v = step(&t, &b, &f.pm, json!({"to": "responded"})).await;
    assert_eq!(v["assignee_id"], Value::Null);

    let url = format!("/api/v1/tickets/{a}/transitions");
    for (body, field) in [
        (json!({"to": "arrived", "location": {"latitude": 95.0, "longitude": 114.4}}), "location"),
        (json!({"to": "arrived", "location": {"latitude": 36.1, "longitude": 114.4, "accuracy": -3}}), "location"),
        (json!({"to": "in_progress", "location": {"latitude": 36.1, "longitude": 114.4}}), "location"),
        // Not a number at all: the body itself is malformed (400), the field still named.
        (json!({"to": "arrived", "location": {"latitude": "北纬36度", "longitude": 114.4}}), "location.latitude"),
    ] {
        let (s, e) = t.post(&url, &f.engineer, body.clone()).await;
        assert!(matches!(s, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST), "{body} → {e}");
        assert!(
            e["field_errors"].as_array().unwrap().iter().any(|x| x["field"].as_str().unwrap().starts_with(field)),
            "{body} → {e}"
        );
    }
    let here = json!({"latitude": 36.0976, "longitude": 114.3925, "accuracy": 15.0});
    let v = step(&t, &a, &f.engineer, json!({"to": "arrived", "location": here})).await;
    assert_eq!(v["status"], "arrived");
    let arrived = v["events"].as_array().unwrap().iter().rev().find(|e| e["to_status"] == "arrived").unwrap();
    assert_eq!(arrived["data"]["location"], here);
    // The timeline names people and places in words.
    let text = |v: &Value, kind: &str| -> Vec<String> {
        v["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == kind)
            .map(|e| e["text"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(text(&v, "assigned"), ["engineer 响应并接单"]);
    assert!(
        text(&v, "transition").last().unwrap().contains("北纬36.09760°、东经114.39250°（精度约 15 米）"),
        "{:?}",
        text(&v, "transition")
    );
    let en: Value = t
        .client
        .get(format!("{}/api/v1/tickets/{a}", t.base))
        .bearer_auth(&f.engineer)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(text(&en, "transition").last().unwrap().ends_with("at 36.09760°N 114.39250°E (within about 15 m)"), "{en}");
});

async fn attach(t: &TestApp, ticket: &str, token: &str, stage: Option<&str>) -> (StatusCode, Value) {
    let part = reqwest::multipart::Part::bytes(crate::inspection_reports::PNG.to_vec()).file_name("现场.png");
    let mut form = reqwest::multipart::Form::new().part("file", part);
    if let Some(s) = stage {
        form = form.text("stage", s.to_string());
    }
    let url = format!("{}/api/v1/tickets/{ticket}/attachments", t.base);
    let res = t.client.post(url).bearer_auth(token).multipart(form).send().await.unwrap();
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

both!(arrival_and_result_photos_say_which_step_they_document, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2026-11-23T10:00"));
    // A clerk with a display name is named by it on the ticket, not by the sign-in name.
    t.create(
        "users",
        json!({"username": "unit05", "display_name": "李娜", "role": "unit_user", "unit_id": f.unit,
        "password": crate::harness::PASSWORD}),
    )
    .await;
    let clerk = t.login("unit05", crate::harness::PASSWORD).await;
    let report = json!({"system_id": f.system, "type": "incident", "severity": "二级（严重）", "title": "UPS 告警"});
    let (_, tk) = t.post("/api/v1/tickets", &clerk, report).await;
    assert_eq!(tk["reporter_name"], "李娜", "{tk}");
    let id = tk["id"].as_str().unwrap();
    let (s, a) = attach(&t, id, &f.engineer, Some("arrival")).await;
    assert_eq!((s, a["stage"].as_str()), (StatusCode::CREATED, Some("arrival")), "{a}");
    let (s, b) = attach(&t, id, &f.engineer, Some("resolution")).await;
    assert_eq!((s, b["stage"].as_str()), (StatusCode::CREATED, Some("resolution")), "{b}");
    let (s, c) = attach(&t, id, &f.reporter, None).await;
    assert_eq!((s, &c["stage"]), (StatusCode::CREATED, &Value::Null), "{c}");
    for (token, stage) in [(&f.engineer, "before"), (&f.reporter, "arrival")] {
        let (s, e) = attach(&t, id, token, Some(stage)).await;
        assert_eq!(
            (s, e["field_errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("stage")),
            "{e}"
        );
    }
    let (_, detail) = t.get(&format!("/api/v1/tickets/{id}"), &f.reporter).await;
    let stages: Vec<&Value> = detail["attachments"].as_array().unwrap().iter().map(|a| &a["stage"]).collect();
    assert_eq!(stages, [&json!("arrival"), &json!("resolution"), &Value::Null], "nothing refused was stored");
});
