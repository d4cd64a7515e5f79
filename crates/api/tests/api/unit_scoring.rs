//! Criteria the units score (使用单位评分): a copy of `004-deduction` gives 人员驻场情况 to the
//! units; each unit scores it for its own systems while the assessment is a draft (the bureau
//! may score for a unit), the contract's points are the units' weighted by their systems, and
//! nobody changes another unit's points or any after publication.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::fixture;

fn criterion<'a>(a: &'a Value, key: &str) -> &'a Value {
    a["criteria"].as_array().unwrap().iter().find(|c| c["key"] == key).unwrap_or_else(|| panic!("{key}: {a}"))
}

/// A copy of `004-deduction` whose staffing criterion the units score.
async fn units_template(t: &TestApp) -> String {
    let (_, list) = t.get("/api/v1/assessment-templates", &t.admin).await;
    let builtin = list["items"].as_array().unwrap().iter().find(|x| x["key"] == "004-deduction").unwrap();
    let url = format!("/api/v1/assessment-templates/{}/copy", builtin["id"].as_str().unwrap());
    let (s, copy) = t.post(&url, &t.admin, json!({"key": "004-units"})).await;
    assert_eq!(s, StatusCode::CREATED, "{copy}");
    let id = copy["id"].as_str().unwrap().to_string();
    let mut spec = copy.clone();
    // Only a manual criterion can be the units': the tickets criterion is scored by deductions.
    spec["sections"][1]["criteria"][0]["scored_by"] = json!("units");
    let (s, e) = t.put(&format!("/api/v1/assessment-templates/{id}"), &t.admin, spec.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field_errors"][0]["field"], "sections[1].criteria[0].scored_by", "{e}");
    spec["sections"][1]["criteria"][0]["scored_by"] = json!("bureau");
    spec["sections"][0]["criteria"][0]["rule"] = json!({"kind": "manual"});
    spec["sections"][0]["criteria"][0]["scored_by"] = json!("units");
    let (s, v) = t.put(&format!("/api/v1/assessment-templates/{id}"), &t.admin, spec).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["sections"][0]["criteria"][0]["scored_by"], "units", "{v}");
    id
}

both!(units_score_their_own_systems_and_the_contract_combines_them, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    // A second unit with two systems on the same contract: it weighs twice the first.
    let unit_b = t.unit("民政局").await;
    let b1 = t.system("社会救助平台", &unit_b).await;
    let b2 = t.system("养老服务平台", &unit_b).await;
    let contract = t
        .create(
            "contracts",
            json!({"name": "两单位运维合同", "vendor_id": f.vendor, "items": [{
                "name": "软件运维", "budget_fen": 50_000_000, "start_date": "2026-01-01", "end_date": "2026-12-31",
                "system_ids": [f.system, b1, b2], "sla_policy_id": f.policy}]}),
        )
        .await;
    let b_user = t.user("mzj-user", "unit_user", Some(&unit_b), None).await;
    let template = units_template(&t).await;
    let body = json!({"contract_id": contract, "template_id": template, "from": "2026-07-01", "to": "2026-09-30"});
    let (s, a) = t.post("/api/v1/assessments", &t.admin, body).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let id = a["id"].as_str().unwrap().to_string();
    let staffing = criterion(&a, "staffing");
    assert_eq!(staffing["scored_by"], "units");
    let units = staffing["units"].as_array().unwrap();
    assert_eq!(units.len(), 2, "{staffing}");
    let weight = |u: &str| units.iter().find(|x| x["unit_id"] == u).unwrap()["systems"].as_u64();
    assert_eq!((weight(&f.unit), weight(&unit_b)), (Some(1), Some(2)));
    assert_eq!(staffing["points"], Value::Null, "no unit has scored");
    assert_eq!(a["complete"], false);

    // Each unit sees its own part of the draft, not the draft itself.
    let (s, todo) = t.get("/api/v1/assessment-scoring", &f.reporter).await;
    assert_eq!(s, StatusCode::OK, "{todo}");
    let items = todo["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{todo}");
    assert_eq!((items[0]["unit_id"].as_str(), items[0]["status"].as_str()), (Some(f.unit.as_str()), Some("draft")));
    assert_eq!(items[0]["criteria"].as_array().unwrap().len(), 1, "only the units' criteria");
    assert_eq!(t.get(&format!("/api/v1/assessments/{id}"), &f.reporter).await.0, StatusCode::NOT_FOUND);
    for token in [&f.pm, &f.engineer] {
        assert_eq!(t.get("/api/v1/assessment-scoring", token).await.0, StatusCode::NOT_FOUND);
    }
    let (_, all) = t.get("/api/v1/assessment-scoring", &t.admin).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2, "the bureau follows every unit: {all}");

    // Nobody scores for another unit but the bureau; lost points need a reason.
    let url = |unit: &str, key: &str| format!("/api/v1/assessments/{id}/units/{unit}/criteria/{key}");
    let (s, _) = t.put(&url(&unit_b, "staffing"), &f.reporter, json!({"points": 20, "reason": "x"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    for token in [&f.pm, &f.engineer] {
        let (s, _) = t.put(&url(&f.unit, "staffing"), token, json!({"points": 20})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    let (s, e) = t.put(&url(&f.unit, "staffing"), &f.reporter, json!({"points": 15})).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")), "{e}");
    let (s, e) = t.put(&url(&f.unit, "staffing"), &f.reporter, json!({"points": 20.5, "reason": "x"})).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("points")), "{e}");
    let (s, e) = t.put(&url(&f.unit, "tickets"), &f.reporter, json!({"points": 20, "reason": "x"})).await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("criterion_key")),
        "{e}"
    );
    let (s, part) =
        t.put(&url(&f.unit, "staffing"), &f.reporter, json!({"points": 15, "reason": "7 月两次驻场缺岗"})).await;
    assert_eq!(s, StatusCode::OK, "{part}");
    assert_eq!(part["criteria"][0]["points"].as_f64(), Some(15.0));
    assert_eq!(part["criteria"][0]["scored_by_name"], "reporter", "{part}");
    let (_, a) = t.get(&format!("/api/v1/assessments/{id}"), &t.admin).await;
    assert_eq!(criterion(&a, "staffing")["points"], Value::Null, "one unit still to score");

    // The bureau scores for the second unit: (1 × 15 + 2 × 18) ÷ 3 = 17.
    let (s, part) = t.put(&url(&unit_b, "staffing"), &t.admin, json!({"points": 18, "reason": "代为评分"})).await;
    assert_eq!(s, StatusCode::OK, "{part}");
    let (_, a) = t.get(&format!("/api/v1/assessments/{id}"), &t.admin).await;
    assert_eq!(criterion(&a, "staffing")["points"].as_f64(), Some(17.0), "{a}");
    assert_eq!(a["complete"], true);
    assert_eq!(a["score"].as_f64(), Some(97.0));
    let (_, h) = t.get(&format!("/api/v1/assessments/{id}/history"), &t.admin).await;
    let scored: Vec<&Value> = h["items"].as_array().unwrap().iter().filter(|e| e["action"] == "unit_score").collect();
    assert_eq!(scored.len(), 2, "{h}");
    assert_eq!((scored[1]["before"].as_f64(), scored[1]["after"].as_f64()), (None, Some(17.0)));
    // The unit's own user changes its mind: the combined points follow.
    let (s, _) = t.put(&url(&unit_b, "staffing"), &b_user, json!({"points": 12, "reason": "驻场人数不足"})).await;
    assert_eq!(s, StatusCode::OK);
    let (_, a) = t.get(&format!("/api/v1/assessments/{id}"), &t.admin).await;
    assert_eq!(criterion(&a, "staffing")["points"].as_f64(), Some(13.0), "(15 + 24) ÷ 3: {a}");

    // Published: the units' points are fixed; each unit reads its own row only.
    let (s, p) = t.post(&format!("/api/v1/assessments/{id}/publish"), &t.admin, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let (s, _) = t.put(&url(&f.unit, "staffing"), &f.reporter, json!({"points": 20})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, mine) = t.get(&format!("/api/v1/assessments/{id}"), &f.reporter).await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    let rows = criterion(&mine, "staffing")["units"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["unit_id"], f.unit.as_str());
    let (_, h) = t.get(&format!("/api/v1/assessments/{id}/history"), &f.reporter).await;
    assert!(h["items"].as_array().unwrap().iter().all(|e| e["action"] != "unit_score"), "{h}");
    let (_, pm) = t.get(&format!("/api/v1/assessments/{id}"), &f.pm).await;
    assert_eq!(criterion(&pm, "staffing")["units"].as_array().unwrap().len(), 2, "the vendor sees the grounds");
    let (s, _, bytes) = t.download(&format!("/api/v1/assessments/{id}/export.docx"), &t.admin).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!bytes.is_empty());
});
