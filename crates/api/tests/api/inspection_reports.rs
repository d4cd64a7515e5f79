//! Inspection photos, rates and exports: a machine-room round whose cabinet item needs a photo,
//! the completion and on-time rates by system, month and contract, the 巡检记录表 in xlsx and
//! docx, and the monthly summary of the contract.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::{bj, fixture};

/// A drawn signature as the phone's canvas sends it (a real 1×1 PNG).
const SIGNATURE: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

pub(crate) const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-a-tiny-photo";

pub(crate) async fn photo(
    t: &TestApp,
    task: &str,
    token: &str,
    name: &str,
    bytes: &[u8],
    item: Option<&str>,
) -> (StatusCode, Value) {
    let part = reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string());
    let mut form = reqwest::multipart::Form::new().part("file", part);
    if let Some(i) = item {
        form = form.text("item_id", i.to_string());
    }
    let res = t
        .client
        .post(format!("{}/api/v1/inspection-tasks/{task}/photos", t.base))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn download(t: &TestApp, path: &str, token: &str) -> (StatusCode, String, Vec<u8>) {
    let res = t.client.get(format!("{}{path}", t.base)).bearer_auth(token).send().await.unwrap();
    let status = res.status();
    let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, ct, res.bytes().await.unwrap().to_vec())
}

fn field(body: &Value) -> String {
    body["field_errors"][0]["field"].as_str().unwrap_or_default().to_string()
}

both!(photos_rates_and_the_inspection_record_sheets, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let other = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "b").await;
    t.clock.set(bj("2026-03-02T08:00"));
    let template = t
        .create(
            "inspection-templates",
            json!({"name": "机房巡检", "kind": "machine_room", "items": [
            {"id": "cabinet", "name": "机柜运行状态", "result_type": "normal_abnormal", "photo_required": true},
            {"id": "temp", "name": "机房温度", "result_type": "number", "unit": "℃", "min": 18, "max": 28}]}),
        )
        .await;
    let (s, p) = t
        .post(
            "/api/v1/inspection-plans",
            &f.pm,
            json!({"system_id": f.system, "template_id": template,
            "recurrence": {"every": "working_day"}, "holiday_rule": "skip", "assignee_id": f.engineer_id}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let plan = p["id"].as_str().unwrap();
    let (_, tasks) =
        t.get(&format!("/api/v1/inspection-tasks?plan_id={plan}&from=2026-03-02&to=2026-03-02"), &f.engineer).await;
    let task = tasks["items"][0]["id"].as_str().unwrap().to_string();

    // Photos: images only, for an item of the checklist, by the vendor that inspects.
    let (s, e) = photo(&t, &task, &f.engineer, "log.txt", b"just text", Some("cabinet")).await;
    assert_eq!((s, field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, "file".to_string()));
    let (s, e) = photo(&t, &task, &f.engineer, "a.png", PNG, Some("nope")).await;
    assert_eq!((s, field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, "item_id".to_string()));
    let (s, _) = photo(&t, &task, &other.engineer, "a.png", PNG, Some("cabinet")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = photo(&t, &task, &f.reporter, "a.png", PNG, Some("cabinet")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let results = json!({"results": [{"item_id": "cabinet", "result": "normal"},
        {"item_id": "temp", "result": 31, "note": "精密空调出风温度偏高"}], "signature": SIGNATURE});
    let (s, e) = t.post(&format!("/api/v1/inspection-tasks/{task}/record"), &f.engineer, results.clone()).await;
    assert_eq!((s, field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, "results[0].photos".to_string()), "{e}");
    let (s, wrong) = photo(&t, &task, &f.engineer, "wrong.png", PNG, None).await;
    assert_eq!(s, StatusCode::CREATED);
    let s = t
        .delete(&format!("/api/v1/inspection-tasks/{task}/photos/{}", wrong["id"].as_str().unwrap()), &f.engineer)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "a wrong picture can be taken back");
    let (s, ph) = photo(&t, &task, &f.engineer, "C:\\DCIM\\机柜.png", PNG, Some("cabinet")).await;
    assert_eq!(s, StatusCode::CREATED, "{ph}");
    assert_eq!((ph["file_name"].as_str(), ph["content_type"].as_str()), (Some("机柜.png"), Some("image/png")));
    let photo_id = ph["id"].as_str().unwrap().to_string();
    let (_, list) = t.get(&format!("/api/v1/inspection-tasks/{task}/photos"), &f.reporter).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (s, ct, bytes) = download(&t, &format!("/api/v1/inspection-tasks/{task}/photos/{photo_id}"), &f.reporter).await;
    assert_eq!((s, ct.as_str(), bytes.as_slice()), (StatusCode::OK, "image/png", PNG));
    let (s, _, _) = download(&t, &format!("/api/v1/inspection-tasks/{task}/photos/{photo_id}"), &other.pm).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // An abnormal result needs words; a signature must be a drawing; nothing is stored meanwhile.
    t.clock.set(bj("2026-03-02T10:00"));
    let url = format!("/api/v1/inspection-tasks/{task}/record");
    let mut unexplained = results.clone();
    unexplained["results"][1]["note"] = Value::Null;
    let (s, e) = t.post(&url, &f.engineer, unexplained).await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("results[1].note"))
    );
    let mut forged = results.clone();
    forged["signature"] = json!("data:image/png;base64,bm90IGEgcG5n");
    let (s, e) = t.post(&url, &f.engineer, forged).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("signature")));

    // The record keeps the photo with its item, the signature and its timing; the temperature
    // opens a ticket.
    let (s, rec) = t.post(&url, &f.engineer, results).await;
    assert_eq!(s, StatusCode::CREATED, "{rec}");
    assert_eq!(
        (rec["timing"].as_str(), rec["signed"].as_bool(), rec["signature"].as_str()),
        (Some("on_time"), Some(true), Some(SIGNATURE))
    );
    let (_, listed) = t.get(&format!("/api/v1/inspection-records?system_id={}", f.system), &f.reporter).await;
    assert_eq!(
        (listed["items"][0]["signed"].as_bool(), &listed["items"][0]["signature"]),
        (Some(true), &Value::Null),
        "lists stay light"
    );
    assert_eq!(rec["results"][0]["photo_ids"], json!([photo_id]));
    assert!(rec["results"][1]["ticket_id"].is_string());
    let s = t.delete(&format!("/api/v1/inspection-tasks/{task}/photos/{photo_id}"), &f.engineer).await;
    assert_eq!(s, StatusCode::CONFLICT, "a recorded task's photos are evidence");
    let (s, _) = photo(&t, &task, &f.engineer, "late.png", PNG, None).await;
    assert_eq!(s, StatusCode::CONFLICT);

    // Wednesday evening: Monday done on time, Tuesday and Wednesday missed.
    t.clock.set(bj("2026-03-04T18:00"));
    let (s, r) = t.get("/api/v1/inspection-rates?from=2026-03-01&to=2026-03-31", &t.admin).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["target"], 0.99);
    assert_eq!(r["rows"].as_array().unwrap().len(), 1, "{r}");
    let row = &r["rows"][0];
    assert_eq!((row["key"].as_str(), row["name"].as_str()), (Some(f.system.as_str()), Some("馆藏档案管理平台")));
    assert_eq!((row["due"].as_i64(), row["done"].as_i64(), row["on_time"].as_i64()), (Some(3), Some(1), Some(1)));
    assert!((row["completion_rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(row["abnormal"], 1);
    let (_, m) = t.get("/api/v1/inspection-rates?from=2026-03-01&to=2026-03-31&by=month", &f.pm).await;
    assert_eq!((m["rows"][0]["key"].as_str(), m["total"]["due"].as_i64()), (Some("2026-03"), Some(3)));
    let (_, c) = t.get("/api/v1/inspection-rates?from=2026-01-01&to=2026-12-31&by=contract", &t.admin).await;
    let names: Vec<_> = c["rows"].as_array().unwrap().iter().map(|x| x["key"].as_str().unwrap()).collect();
    assert_eq!(names, [f.contract.as_str()], "only the contract covering the system has tasks: {c}");
    let (_, none) = t
        .get(
            &format!("/api/v1/inspection-rates?from=2026-03-01&to=2026-03-31&contract_id={}", other.contract),
            &t.admin,
        )
        .await;
    assert_eq!(none["total"]["due"], 0);
    assert_eq!(none["total"]["completion_rate"], Value::Null);
    let (_, theirs) = t.get("/api/v1/inspection-rates?from=2026-03-01&to=2026-03-31", &other.pm).await;
    assert_eq!(theirs["total"]["due"], 0, "another vendor sees none of it");
    let (s, e) = t.get("/api/v1/inspection-rates?to=2026-03-31&by=week", &t.admin).await;
    let fields: Vec<_> = e["field_errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
    assert_eq!((s, fields), (StatusCode::BAD_REQUEST, vec!["from", "by"]));
    let (s, e) = t.get("/api/v1/inspection-rates?from=2026-03-31&to=2026-03-01", &t.admin).await;
    assert_eq!((s, field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, "to".to_string()));

    // The 巡检记录表: one row per item with 001's columns.
    let q = format!("system_id={}&from=2026-03-01&to=2026-03-31", f.system);
    let (s, ct, xlsx) = download(&t, &format!("/api/v1/inspection-records/export?{q}"), &f.reporter).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ct.contains("spreadsheetml"), "{ct}");
    let table = report::xlsx::read_table(&xlsx).unwrap();
    assert_eq!(
        table.headers,
        [
            "序号",
            "巡检日期",
            "巡检人",
            "巡检内容项",
            "巡检结果",
            "异常情况处理建议",
            "异常情况处理结果",
            "异常情况处理完成日期"
        ]
    );
    assert_eq!(table.rows.len(), 2);
    assert_eq!(table.rows[1].1[1], "2026-03-02");
    assert_eq!(table.rows[1].1[4], "异常（31℃）：精密空调出风温度偏高", "the note says what was found");
    assert!(table.rows[1].1[6].contains("处理中"), "{:?}", table.rows[1]);
    let (s, ct, docx) = download(&t, &format!("/api/v1/inspection-records/export?{q}&format=docx"), &f.reporter).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ct.contains("wordprocessingml") && docx.starts_with(b"PK"), "{ct}");
    let (s, _, _) = download(&t, &format!("/api/v1/inspection-records/export?{q}"), &other.pm).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "another vendor's system is not there");
    let (s, _, _) = download(&t, &format!("/api/v1/inspection-records/export?{q}&format=pdf"), &t.admin).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // The monthly summary of the contract: the system's row and the total, below 99 %.
    let path = format!("/api/v1/inspection-summary/export?contract_id={}&month=2026-03", f.contract);
    let (s, _, xlsx) = download(&t, &path, &f.pm).await;
    assert_eq!(s, StatusCode::OK);
    let table = report::xlsx::read_table(&xlsx).unwrap();
    assert_eq!(table.rows.len(), 2);
    assert_eq!(&table.rows[0].1[..7], ["馆藏档案管理平台", "3", "1", "1", "33.3%", "33.3%", "未达标"]);
    assert_eq!(table.rows[0].1[8], "1", "the temperature is still open");
    assert_eq!(table.rows[1].1[0], "合计");
    let (s, _, docx) = download(&t, &format!("{path}&format=docx"), &f.pm).await;
    assert!(s == StatusCode::OK && docx.starts_with(b"PK"));
    let (s, _, _) =
        download(&t, &format!("/api/v1/inspection-summary/export?contract_id={}&month=2026-13", f.contract), &f.pm)
            .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _, _) = download(&t, &path, &other.pm).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "another vendor's contract");
});
