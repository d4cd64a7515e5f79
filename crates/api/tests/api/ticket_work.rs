//! The daily work on a ticket (issue 16): people by name, and resolving writes the service record
//! of 002 需求91.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::{bj, fixture, step};

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
