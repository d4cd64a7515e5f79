//! Evidence with a request: the vendor's manager attaches files to an appeal while it awaits the
//! bureau; whoever sees the request reads them; nobody else adds any, and none is added once it
//! is decided.

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::harness::TestApp;
use crate::tickets::{bj, fixture};

const PDF: &[u8] = b"%PDF-1.4\n% leave approval form\n";

both!(an_appeal_carries_its_evidence, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2026-10-08T09:00"));
    let (_, templates) = t.get("/api/v1/assessment-templates", &t.admin).await;
    let template = templates["items"].as_array().unwrap().iter().find(|x| x["key"] == "004-deduction").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({"contract_id": f.contract, "template_id": template, "from": "2026-07-01", "to": "2026-09-30"});
    let (s, a) = t.post("/api/v1/assessments", &t.admin, body).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let id = a["id"].as_str().unwrap().to_string();
    let (s, v) = t
        .put(
            &format!("/api/v1/assessments/{id}/criteria/staffing"),
            &t.admin,
            json!({"points": 15, "reason": "驻场缺员"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = t.post(&format!("/api/v1/assessments/{id}/publish"), &t.admin, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, appeal) = t
        .post(
            &format!("/api/v1/assessments/{id}/criteria/staffing/appeal"),
            &f.pm,
            json!({"points": 20, "reason": "两名驻场人员经采购人同意调休"}),
        )
        .await;
    assert!(s.is_success(), "{appeal}");
    let files = format!("/api/v1/approvals/{}/files", appeal["id"].as_str().unwrap());

    // The manager who appealed gives the approved leave form; the type comes from the bytes.
    let (s, file) = t.upload(&files, &f.pm, PDF.to_vec()).await;
    assert_eq!((s, file["content_type"].as_str()), (StatusCode::CREATED, Some("application/pdf")), "{file}");
    // Binary garbage is named; nobody but the one who asked adds to the request.
    let (s, e) = t.upload(&files, &f.pm, vec![0, 1, 2, 3, 0xff]).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("file")), "{e}");
    let (s, _) = t.upload(&files, &t.admin, PDF.to_vec()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let other = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "o-").await;
    for token in [&other.pm, &f.engineer] {
        let (s, _) = t.upload(&files, token, PDF.to_vec()).await;
        assert!(matches!(s, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN), "{s}");
    }

    // The bureau reads it beside the appeal, byte for byte; another vendor does not see it.
    let (s, list) = t.get(&files, &t.admin).await;
    assert_eq!((s, list.as_array().map(Vec::len)), (StatusCode::OK, Some(1)), "{list}");
    let one = format!("{files}/{}", file["id"].as_str().unwrap());
    let (s, ct, bytes) = t.download(&one, &t.admin).await;
    assert_eq!((s, ct.as_deref(), bytes.as_slice()), (StatusCode::OK, Some("application/pdf"), PDF));
    assert_eq!(t.get(&files, &other.pm).await.0, StatusCode::NOT_FOUND);
    assert_eq!(t.download(&one, &other.pm).await.0, StatusCode::NOT_FOUND);

    // At most ten files; once decided, the evidence is what the decision was made on.
    for _ in 1..10 {
        assert_eq!(t.upload(&files, &f.pm, PDF.to_vec()).await.0, StatusCode::CREATED);
    }
    let (s, e) = t.upload(&files, &f.pm, PDF.to_vec()).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::CONFLICT, Some("file")), "{e}");
    let approve = format!("/api/v1/approvals/{}/approve", appeal["id"].as_str().unwrap());
    let (s, d) = t.post(&approve, &t.admin, json!({"comment": "调休有审批记录"})).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let (s, e) = t.upload(&files, &f.pm, PDF.to_vec()).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(e["field_errors"][0]["message"].as_str().unwrap().contains("已处理"), "{e}");
    let (_, list) = t.get(&files, &f.pm).await;
    assert_eq!(list.as_array().map(Vec::len), Some(10));
});
