//! Every ticket has a handler: a contract item's default engineer takes what nobody chose — a
//! unit's report, an inspection's abnormal item — and an abnormal item's ticket carries the
//! inspector's photo and readable text.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;
use crate::inspection_reports::{PNG, photo};
use crate::tickets::{bj, fixture};

async fn set_default(t: &TestApp, contract: &str, assignee: Value) -> (StatusCode, Value) {
    let (_, c) = t.get(&format!("/api/v1/contracts/{contract}"), &t.admin).await;
    let item = &c["items"][0];
    let mut body = item.clone();
    body["default_assignee_id"] = assignee;
    t.put(&format!("/api/v1/contracts/{contract}/items/{}", item["id"].as_str().unwrap()), &t.admin, body).await
}

both!(a_contract_items_default_engineer_handles_what_nobody_chose, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let other = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "o-").await;
    // Only an active engineer or manager of the contract's own vendor.
    for (who, why) in [(&other.engineer_id, "another vendor's engineer"), (&"no-such-user".to_string(), "nobody")] {
        let (s, e) = set_default(&t, &f.contract, json!(who)).await;
        assert_eq!(
            (s, e["field_errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("default_assignee_id")),
            "{why}: {e}"
        );
    }
    let (_, units) = t.get("/api/v1/users?role=unit_user", &t.admin).await;
    let clerk = units["items"][0]["id"].clone();
    let (s, _) = set_default(&t, &f.contract, clerk).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a unit's clerk handles nothing");
    let (s, item) = set_default(&t, &f.contract, json!(f.engineer_id)).await;
    assert_eq!((s, item["default_assignee_id"].as_str()), (StatusCode::OK, Some(f.engineer_id.as_str())), "{item}");

    // A unit's report has a handler at once, who hears of it.
    t.clock.set(bj("2026-11-23T10:00"));
    let report =
        json!({"system_id": f.system, "type": "incident", "severity": "二级（严重）", "title": "扫描仪驱动异常"});
    let (_, tk) = t.post("/api/v1/tickets", &f.reporter, report).await;
    assert_eq!(
        (tk["assignee_id"].as_str(), tk["assignee_name"].as_str()),
        (Some(f.engineer_id.as_str()), Some("engineer")),
        "{tk}"
    );
    let (_, inbox) = t.get("/api/v1/notifications", &f.engineer).await;
    assert!(
        inbox["items"].as_array().unwrap().iter().any(|n| n["ticket_id"] == tk["id"] && n["kind"] == "created"),
        "{inbox}"
    );
    // A choice made by the vendor wins over the default.
    let pm_id = {
        let (_, users) = t.get("/api/v1/users?q=pm", &t.admin).await;
        users["items"].as_array().unwrap().iter().find(|u| u["username"] == "pm").unwrap()["id"].clone()
    };
    let chosen = json!({"system_id": f.system, "type": "request", "title": "新增账号", "assignee_id": pm_id});
    let (s, tk) = t.post("/api/v1/tickets", &f.pm, chosen).await;
    assert_eq!((s, &tk["assignee_id"]), (StatusCode::CREATED, &pm_id), "{tk}");

    // An inspection's abnormal item: the ticket has the handler, the photo and words, not codes.
    let template = t
        .create(
            "inspection-templates",
            json!({"name": "机房巡检", "kind": "machine_room", "items": [
                {"id": "ups", "name": "UPS 状态", "result_type": "normal_abnormal"},
                {"id": "temp", "name": "机房温度", "result_type": "number", "unit": "℃", "max": 28}]}),
        )
        .await;
    let plan = json!({"system_id": f.system, "template_id": template, "recurrence": {"every": "day"}});
    let (s, p) = t.post("/api/v1/inspection-plans", &f.pm, plan).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let url = format!("/api/v1/inspection-tasks?plan_id={}&from=2026-11-23&to=2026-11-23", p["id"].as_str().unwrap());
    let (_, tasks) = t.get(&url, &f.engineer).await;
    let task = tasks["items"][0]["id"].as_str().unwrap().to_string();
    let (s, ph) = photo(&t, &task, &f.engineer, "UPS告警灯.png", PNG, Some("ups")).await;
    assert_eq!(s, StatusCode::CREATED, "{ph}");
    let results = json!({"results": [
        {"item_id": "ups", "result": "abnormal", "note": "UPS 面板告警灯常亮"},
        {"item_id": "temp", "result": 31.5, "note": "空调出风口温度偏高", "suggestion": "检查精密空调"}]});
    let (s, rec) = t.post(&format!("/api/v1/inspection-tasks/{task}/record"), &f.engineer, results).await;
    assert_eq!(s, StatusCode::CREATED, "{rec}");
    let ticket_of = |i: usize| rec["results"][i]["ticket_id"].as_str().unwrap().to_string();
    let (_, ups) = t.get(&format!("/api/v1/tickets/{}", ticket_of(0)), &f.reporter).await;
    assert_eq!(ups["assignee_id"].as_str(), Some(f.engineer_id.as_str()));
    let text = ups["description"].as_str().unwrap();
    assert!(
        text.contains("巡检结果：异常") && text.contains("UPS 面板告警灯常亮") && !text.contains("abnormal"),
        "{text}"
    );
    let files = ups["attachments"].as_array().unwrap();
    assert_eq!((files.len(), files[0]["file_name"].as_str()), (1, Some("UPS告警灯.png")), "{ups}");
    let (s, _) = t
        .get(&format!("/api/v1/tickets/{}/attachments/{}", ticket_of(0), files[0]["id"].as_str().unwrap()), &f.reporter)
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, temp) = t.get(&format!("/api/v1/tickets/{}", ticket_of(1)), &f.engineer).await;
    assert!(temp["description"].as_str().unwrap().contains("记录值：31.5℃"), "{temp}");
    assert_eq!(temp["attachments"].as_array().unwrap().len(), 0, "the UPS photo stays with the UPS");
});
