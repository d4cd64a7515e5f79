//! Security events: the reporting clock by grade and the systems' class, what the vendor may
//! not change, the steps to closure by the bureau, evidence kept with its hash, the indicators
//! and who sees what.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::{bj, fixture};

fn fields(e: &Value) -> Vec<&str> {
    e["field_errors"].as_array().map(|a| a.iter().filter_map(|x| x["field"].as_str()).collect()).unwrap_or_default()
}

both!(security_events_are_reported_handled_and_closed, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let other = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "o-").await;
    t.clock.set(bj("2026-06-01T10:00"));
    // The bureau says the system is critical information infrastructure: 1 h to report.
    let (s, r) =
        t.put(&format!("/api/v1/dengbao/systems/{}", f.system), &t.admin, json!({"reporting_class": "cii"})).await;
    assert_eq!((s, r["reporting_class"].as_str()), (StatusCode::OK, Some("cii")), "{r}");

    let (s, e) = t.post("/api/v1/security-events", &f.engineer, json!({"found_at": "2027-01-01T00:00:00Z"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["title", "category", "grade", "system_ids", "description", "found_at"], "{e}");
    let body = json!({"title": "门户网站遭受 SQL 注入攻击", "category": "attack", "grade": "significant",
        "system_ids": [f.system], "description": "WAF 告警，数据库出现异常查询",
        "found_at": bj("2026-06-01T09:30"), "occurred_at": bj("2026-06-01T09:10")});
    let (s, _) = t.post("/api/v1/security-events", &f.reporter, body.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "units read events; vendor staff and the bureau record them");
    let (s, ev) = t.post("/api/v1/security-events", &f.engineer, body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{ev}");
    let id = ev["id"].as_str().unwrap().to_string();
    assert_eq!(ev["reporting_class"], "cii");
    assert_eq!(ev["report_due_at"], json!(bj("2026-06-01T10:30")));
    assert_eq!(ev["report_late"], false);

    // The vendor may not lower the grade nor move the time it was found; raising is fine.
    let path = format!("/api/v1/security-events/{id}");
    let mut lower = body.clone();
    lower["grade"] = json!("general");
    let (s, e) = t.put(&path, &f.engineer, lower).await;
    assert_eq!((s, fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["grade"]), "{e}");
    let mut later = body.clone();
    later["found_at"] = json!(bj("2026-06-01T09:55"));
    let (s, e) = t.put(&path, &f.engineer, later).await;
    assert_eq!((s, fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["found_at"]), "{e}");
    let mut raised = body.clone();
    raised["grade"] = json!("major");
    raised["measures"] = json!("封禁攻击源 IP，修补注入点，核查数据");
    let (s, ev) = t.put(&path, &f.engineer, raised).await;
    assert_eq!((s, ev["grade"].as_str()), (StatusCode::OK, Some("major")), "{ev}");

    // Two hours on, unreported: late. A report written down later keeps its real time.
    t.clock.advance(Duration::hours(2));
    let (_, list) = t.get("/api/v1/security-events?status=open", &t.admin).await;
    assert_eq!(list["items"][0]["report_late"], true, "{list}");
    let stages = format!("{path}/stages");
    let (s, e) = t.post(&stages, &f.engineer, json!({"stage": "reported", "at": bj("2026-06-01T09:00")})).await;
    assert_eq!((s, fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["at", "report_ref"]), "{e}");
    let reported =
        json!({"stage": "reported", "at": bj("2026-06-01T10:20"), "report_ref": "市网信办 · 电话报告 2026-017"});
    // The vendor records steps as they happen; a phone report written down later is the bureau's.
    let (s, e) = t.post(&stages, &f.engineer, reported.clone()).await;
    assert_eq!((s, fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["at"]), "{e}");
    let (s, ev) = t.post(&stages, &t.admin, reported.clone()).await;
    assert_eq!((s, ev["report_late"].as_bool()), (StatusCode::OK, Some(false)), "{ev}");
    let (s, e) = t.post(&stages, &f.engineer, reported).await;
    assert_eq!(
        (s, fields(&e)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["at", "stage"]),
        "a step's time is not moved by the vendor"
    );

    // Closing is the bureau's, once recovered.
    let (s, _) = t.post(&stages, &f.pm, json!({"stage": "closed"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = t.post(&stages, &t.admin, json!({"stage": "closed"})).await;
    assert_eq!((s, fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["stage"]), "{e}");
    for stage in ["contained", "recovered"] {
        let (s, ev) = t.post(&stages, &f.engineer, json!({"stage": stage})).await;
        assert_eq!((s, ev["status"].as_str()), (StatusCode::OK, Some(stage)), "{ev}");
    }
    let (s, ev) = t.post(&stages, &t.admin, json!({"stage": "closed", "note": "处置完毕"})).await;
    assert_eq!((s, ev["status"].as_str()), (StatusCode::OK, Some("closed")), "{ev}");

    // Evidence is kept as uploaded, with its hash, on the timeline.
    let log = "2026-06-01 09:10:03 WAF block 203.0.113.7 GET /news?id=1' or 1=1--\n".as_bytes();
    let files = format!("{path}/files");
    let (s, file) = t.upload_with(&files, &f.engineer, ("waf.log", log.to_vec()), &[]).await;
    assert_eq!(s, StatusCode::CREATED, "{file}");
    assert_eq!(file["sha256"], hex::encode(Sha256::digest(log)));
    let (s, _) = t.upload_with(&files, &f.engineer, ("waf.log", vec![0, 1, 2, 3]), &[]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // The auditor reads and is refused before the body is read, file or no file.
    let auditor = t.user("event-auditor", "auditor", None, None).await;
    let res = t
        .client
        .post(format!("{}{files}", t.base))
        .bearer_auth(&auditor)
        .multipart(reqwest::multipart::Form::new().text("note", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, _, got) = t.download(&format!("{path}/files/{}", file["id"].as_str().unwrap()), &f.reporter).await;
    assert_eq!(got, log);
    let (s, detail) = t.get(&path, &f.reporter).await;
    assert_eq!(s, StatusCode::OK);
    let kinds: Vec<&str> = detail["timeline"].as_array().unwrap().iter().filter_map(|x| x["kind"].as_str()).collect();
    for k in ["created", "updated", "reported", "contained", "recovered", "closed", "evidence"] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    assert_eq!(detail["files"].as_array().map(Vec::len), Some(1));

    // The month's indicators: one event, reported on time, closed.
    let (s, k) =
        t.get(&format!("/api/v1/kpis?contract_id={}&from=2026-06-01&to=2026-06-30", f.contract), &t.admin).await;
    assert_eq!(s, StatusCode::OK, "{k}");
    let kpi = |key: &str| k["items"].as_array().unwrap().iter().find(|x| x["key"] == key).cloned().unwrap();
    assert_eq!(kpi("security_event_count")["value"].as_f64(), Some(1.0));
    let on_time = kpi("security_event_report_on_time_rate");
    assert_eq!((on_time["value"].as_f64(), on_time["denominator"].as_f64()), (Some(1.0), Some(1.0)), "{k}");
    assert_eq!(kpi("security_event_closure_rate")["value"].as_f64(), Some(1.0));
    // The monthly report's 安全事件及重大事件记录 section lists it.
    let body = json!({"contract_id": f.contract, "kind": "month", "start": "2026-06-01"});
    let (s, r) = t.post("/api/v1/reports", &t.admin, body).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (s, _, preview) = t.download(&format!("/api/v1/reports/{}/preview", r["id"].as_str().unwrap()), &t.admin).await;
    let preview = String::from_utf8(preview).unwrap();
    assert_eq!(s, StatusCode::OK);
    assert!(preview.contains("安全事件及重大事件记录") && preview.contains("门户网站遭受 SQL 注入攻击"), "{preview}");
    assert!(preview.contains("本期发生安全事件 1 起，其中较大及以上 1 起"), "{preview}");

    // Other tenants see nothing of it.
    for who in [&other.reporter, &other.pm] {
        let (s, _) = t.get(&path, who).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, list) = t.get("/api/v1/security-events", who).await;
        assert_eq!(list["total"], 0);
    }
});
