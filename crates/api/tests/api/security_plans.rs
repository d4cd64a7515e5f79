//! Security plans: the bureau plans, vendor staff file reports, periods are done or missed, the
//! bureau voids a wrong record, the completion rate follows, and who sees what.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::{bj, fixture};

const PDF: &[u8] = b"%PDF-1.4\n% scan report\n";

async fn file_report(t: &TestApp, token: &str, bytes: &[u8], fields: &[(&str, &str)]) -> (StatusCode, Value) {
    t.upload_with("/api/v1/security-records", token, ("扫描报告.pdf", bytes.to_vec()), fields).await
}

fn statuses(tasks: &Value) -> Vec<(String, String)> {
    tasks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["opens_on"].as_str().unwrap().to_string(), t["status"].as_str().unwrap().to_string()))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

both!(security_plans_are_done_by_reports_in_their_periods, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let other = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "o-").await;
    t.clock.set(bj("2026-05-10T10:00"));

    // The bureau plans a quarterly scan; vendors may not, nor twice, nor daily.
    let plan = json!({"system_id": f.system, "kind": "scan", "recurrence": {"every": "quarter", "month": 1, "day": 1},
        "start_date": "2026-01-01"});
    let (s, _) = t.post("/api/v1/security-plans", &f.pm, plan.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "plans are the bureau's");
    let (s, p) = t.post("/api/v1/security-plans", &t.admin, plan.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["recurrence_text"], "每季度第 1 个月 1 日");
    let (s, _) = t.post("/api/v1/security-plans", &t.admin, plan).await;
    assert_eq!(s, StatusCode::CONFLICT, "one plan per system and kind");
    let (s, e) = t
        .post(
            "/api/v1/security-plans",
            &t.admin,
            json!({"system_id": f.system, "kind": "nmap", "recurrence": {"every": "working_day"}}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["field_errors"].as_array().unwrap().iter().filter_map(|x| x["field"].as_str()).collect();
    assert_eq!(fields, ["kind", "recurrence.every"], "{e}");

    // Vendor staff file recent work only; the bureau files the first quarter's scan.
    let q1 = [
        ("system_id", f.system.as_str()),
        ("kind", "scan"),
        ("performed_on", "2026-02-10"),
        ("summary", "季度主机扫描"),
    ];
    let (s, e) = file_report(&t, &f.engineer, PDF, &q1).await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("performed_on")),
        "{e}"
    );
    let (s, r1) = file_report(&t, &t.admin, PDF, &q1).await;
    assert_eq!(s, StatusCode::CREATED, "{r1}");
    assert_eq!(r1["sha256"], hex::encode(Sha256::digest(PDF)));
    assert_eq!(r1["content_type"], "application/pdf");
    // Not a report, no summary, another vendor's system: refused, nothing kept.
    let bad = [("system_id", f.system.as_str()), ("kind", "scan"), ("performed_on", "2026-05-09"), ("summary", "x")];
    let (s, e) = file_report(&t, &f.engineer, b"\x00\x01\x02binary", &bad).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("file")), "{e}");
    let theirs =
        [("system_id", other.system.as_str()), ("kind", "scan"), ("performed_on", "2026-05-09"), ("summary", "x")];
    let (s, e) = file_report(&t, &f.engineer, PDF, &theirs).await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("system_id")),
        "{e}"
    );
    let no_import = [
        ("system_id", f.system.as_str()),
        ("kind", "scan"),
        ("performed_on", "2026-05-09"),
        ("summary", "x"),
        ("import_id", "no-such-import"),
    ];
    let (s, e) = file_report(&t, &f.engineer, PDF, &no_import).await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("import_id")),
        "{e}"
    );
    // A unit user or the auditor is refused before the body is read, file or no file.
    let auditor = t.user("sec-auditor", "auditor", None, None).await;
    for token in [&f.reporter, &auditor] {
        let res = t
            .client
            .post(format!("{}/api/v1/security-records", t.base))
            .bearer_auth(token)
            .multipart(reqwest::multipart::Form::new().text("summary", "x"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
    let (_, list) = t.get(&format!("/api/v1/security-records?system_id={}", f.system), &t.admin).await;
    assert_eq!(list["total"], 1, "{list}");

    // In July: the first quarter (from 1 January's next working day) done, the second missed, the third open.
    t.clock.set(bj("2026-07-05T10:00"));
    let tasks_path = format!("/api/v1/security-tasks?system_id={}&from=2026-01-01&to=2026-07-05", f.system);
    let (s, tasks) = t.get(&tasks_path, &f.pm).await;
    assert_eq!(s, StatusCode::OK, "{tasks}");
    assert_eq!(
        statuses(&tasks),
        pairs(&[("2026-01-04", "done"), ("2026-04-01", "missed"), ("2026-07-01", "open")]),
        "{tasks}"
    );
    assert_eq!((tasks[0]["due_on"].as_str(), tasks[0]["done_on"].as_str()), (Some("2026-03-31"), Some("2026-02-10")));
    // Work dated into the ended second quarter would turn its miss into done: the bureau's.
    let late =
        [("system_id", f.system.as_str()), ("kind", "scan"), ("performed_on", "2026-06-29"), ("summary", "补登")];
    let (s, e) = file_report(&t, &f.engineer, PDF, &late).await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("performed_on")),
        "{e}"
    );
    let q3 =
        [("system_id", f.system.as_str()), ("kind", "scan"), ("performed_on", "2026-07-03"), ("summary", "三季度扫描")];
    let (s, r3) = file_report(&t, &f.engineer, PDF, &q3).await;
    assert_eq!(s, StatusCode::CREATED, "{r3}");
    let id3 = r3["id"].as_str().unwrap();
    let (_, tasks) = t.get(&tasks_path, &f.pm).await;
    assert_eq!(tasks[2]["status"], "done");
    assert_eq!(tasks[2]["record_ids"], json!([id3]));
    let res =
        t.client.get(format!("{}/api/v1/security-records/{id3}/file", t.base)).bearer_auth(&f.pm).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF, "the report as uploaded");

    // The vendor cannot void its own report; the bureau can, once, with a reason.
    let void = format!("/api/v1/security-records/{id3}/void");
    let (s, _) = t.post(&void, &f.pm, json!({"reason": "报错系统"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = t.post(&void, &t.admin, json!({"reason": " "})).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
    let (s, v) = t.post(&void, &t.admin, json!({"reason": "报告不是本系统的"})).await;
    assert_eq!((s, v["void_reason"].as_str()), (StatusCode::OK, Some("报告不是本系统的")), "{v}");
    let (s, _) = t.post(&void, &t.admin, json!({"reason": "again"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, tasks) = t.get(&tasks_path, &f.pm).await;
    assert_eq!(tasks[2]["status"], "open", "a void report counts for nothing");
    let (_, log) = t.get(&format!("/api/v1/audit?object_type=security_record&object_id={id3}"), &t.admin).await;
    let actions: Vec<&str> = log["items"].as_array().unwrap().iter().filter_map(|x| x["action"].as_str()).collect();
    assert!(actions.contains(&"void") && actions.contains(&"create"), "{log}");

    // The first half year: one period done of two ended.
    let (s, k) =
        t.get(&format!("/api/v1/kpis?contract_id={}&from=2026-01-01&to=2026-06-30", f.contract), &t.admin).await;
    assert_eq!(s, StatusCode::OK, "{k}");
    let rate = k["items"].as_array().unwrap().iter().find(|x| x["key"] == "security_plan_completion_rate").unwrap();
    assert_eq!((rate["value"].as_f64(), rate["denominator"].as_f64()), (Some(0.5), Some(2.0)), "{k}");

    // Units and other vendors see nothing of it.
    let (s, _) = t.get(&format!("/api/v1/security-records/{id3}"), &other.reporter).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = t.get(&format!("/api/v1/security-plans/{}", p["id"].as_str().unwrap()), &other.pm).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, tasks) = t.get("/api/v1/security-tasks?from=2026-01-01&to=2026-07-05", &other.reporter).await;
    assert_eq!(tasks, json!([]));
    let (_, mine) = t.get("/api/v1/security-tasks?from=2026-01-01&to=2026-07-05", &f.reporter).await;
    assert_eq!(mine.as_array().map(Vec::len), Some(3), "{mine}");
    // A range too long, or backwards, names `to`.
    let (s, e) = t.get("/api/v1/security-tasks?from=2024-01-01&to=2026-07-05", &t.admin).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to")), "{e}");
});

both!(open_and_missed_security_periods_are_reminded_once, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2026-06-20T10:00"));
    t.create(
        "security-plans",
        json!({"system_id": f.system, "kind": "baseline", "recurrence": {"every": "quarter", "month": 1, "day": 1},
            "start_date": "2026-04-01"}),
    )
    .await;
    let titles = |inbox: &Value| -> Vec<String> {
        inbox["items"].as_array().unwrap().iter().filter_map(|n| n["title"].as_str().map(str::to_string)).collect()
    };
    // Eleven days before the period's end: nothing yet.
    assert_eq!(t.app.remind_security_tasks().await.unwrap(), 0);
    // A week before its end the vendor's manager hears, once however often the job runs.
    t.clock.set(bj("2026-06-24T09:00"));
    assert_eq!(t.app.remind_security_tasks().await.unwrap(), 1);
    assert_eq!(t.app.remind_security_tasks().await.unwrap(), 0);
    let (_, inbox) = t.get("/api/v1/notifications", &f.pm).await;
    assert!(titles(&inbox).iter().any(|x| x.contains("基线核查") && x.contains("7 天")), "{inbox}");
    // The period ends missed: the bureau and the manager hear, once.
    t.clock.set(bj("2026-07-01T09:00"));
    assert_eq!(t.app.remind_security_tasks().await.unwrap(), 1);
    assert_eq!(t.app.remind_security_tasks().await.unwrap(), 0);
    let (_, inbox) = t.get("/api/v1/notifications", &t.admin).await;
    assert!(titles(&inbox).iter().any(|x| x.contains("未完成")), "{inbox}");
    // A period with its report filed is not reminded of.
    t.clock.set(bj("2026-09-20T10:00"));
    let record = [
        ("system_id", f.system.as_str()),
        ("kind", "baseline"),
        ("performed_on", "2026-09-20"),
        ("summary", "基线核查"),
    ];
    let (s, r) = file_report(&t, &f.engineer, PDF, &record).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    t.clock.set(bj("2026-09-28T10:00"));
    assert_eq!(t.app.remind_security_tasks().await.unwrap(), 0);
});
