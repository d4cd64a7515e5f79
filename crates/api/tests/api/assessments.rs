//! Assessments (考核): the built-in templates, the payment arithmetic at the boundaries, the flow
//! from a draft with proposals from breached clocks to a final assessment with appeals decided,
//! the appeal window across National Day, and who may see and change what.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::{bj, fixture, iso, step};

async fn template_id(t: &TestApp, key: &str) -> String {
    let (s, v) = t.get("/api/v1/assessment-templates", &t.admin).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let tpl = v["items"].as_array().unwrap().iter().find(|x| x["key"] == key).unwrap_or_else(|| panic!("{key}: {v}"));
    tpl["id"].as_str().unwrap().to_string()
}

async fn draft(t: &TestApp, contract: &str, key: &str, from: &str, to: &str) -> Value {
    let body = json!({"contract_id": contract, "template_id": template_id(t, key).await, "from": from, "to": to});
    let (s, v) = t.post("/api/v1/assessments", &t.admin, body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["status"], "draft");
    v
}

fn criterion<'a>(a: &'a Value, key: &str) -> &'a Value {
    a["criteria"].as_array().unwrap().iter().find(|c| c["key"] == key).unwrap_or_else(|| panic!("{key}: {a}"))
}

/// Sets every criterion so the total is `score`: full points, less from the first ones.
async fn score_to(t: &TestApp, a: &Value, score: f64) -> Value {
    let id = a["id"].as_str().unwrap();
    let mut lost = 100.0 - score;
    let mut last = Value::Null;
    for c in a["criteria"].as_array().unwrap() {
        let max = c["max_points"].as_f64().unwrap();
        let off = lost.min(max);
        lost -= off;
        let url = format!("/api/v1/assessments/{id}/criteria/{}", c["key"].as_str().unwrap());
        let (s, v) = t.put(&url, &t.admin, json!({"points": max - off, "reason": "考核组评议"})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        last = v;
    }
    assert_eq!(last["score"].as_f64(), Some(score), "{last}");
    last
}

async fn appeal(t: &TestApp, id: &str, token: &str, key: &str, points: f64, reason: &str) -> (StatusCode, Value) {
    let url = format!("/api/v1/assessments/{id}/criteria/{key}/appeal");
    t.post(&url, token, json!({"points": points, "reason": reason})).await
}

fn pay(a: &Value) -> (Option<i64>, Option<i64>, bool, bool) {
    let p = &a["payment"];
    (p["deduction_fen"].as_i64(), p["payable_fen"].as_i64(), p["negotiate"] == true, p["breach"] == true)
}

both!(the_built_in_templates_and_their_copies, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let (s, v) = t.get("/api/v1/assessment-templates", &f.pm).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let items = v["items"].as_array().unwrap();
    let perf = items.iter().find(|x| x["key"] == "002-performance").unwrap();
    let criteria = perf["criteria"].as_array().unwrap();
    assert_eq!(criteria.len(), 11, "{perf}");
    assert_eq!((criteria[0]["key"].as_str(), criteria[0]["name"].as_str()), (Some("response_speed"), Some("响应速度")));
    let total: f64 = criteria.iter().map(|c| c["max_points"].as_f64().unwrap()).sum();
    assert_eq!(total, 100.0);
    let ded = items.iter().find(|x| x["key"] == "004-deduction").unwrap();
    let names: Vec<&str> = ded["criteria"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "人员驻场情况",
            "运维工单落实情况",
            "运维制度建立执行情况",
            "系统巡检巡查情况",
            "系统安全加固情况",
            "应急响应情况"
        ]
    );
    let (s, _) = t.get("/api/v1/assessment-templates", &f.engineer).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "engineers see nothing of assessments");

    // A copy to change; the built-in itself is read-only.
    let id = ded["id"].as_str().unwrap();
    let (s, e) = t.post(&format!("/api/v1/assessment-templates/{id}/copy"), &f.pm, json!({"key": "x"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    let (s, e) = t.post(&format!("/api/v1/assessment-templates/{id}/copy"), &t.admin, json!({"key": "Bad Key"})).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("key")), "{e}");
    let (s, copy) =
        t.post(&format!("/api/v1/assessment-templates/{id}/copy"), &t.admin, json!({"key": "anyang-2027"})).await;
    assert_eq!(s, StatusCode::CREATED, "{copy}");
    assert_eq!(copy["builtin"], false);
    let (s, _) =
        t.post(&format!("/api/v1/assessment-templates/{id}/copy"), &t.admin, json!({"key": "anyang-2027"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "the key is taken");
    let copy_id = copy["id"].as_str().unwrap();
    let mut spec = copy.clone();
    spec["sections"][0]["criteria"][0]["max_points"] = json!(30);
    let (s, e) = t.put(&format!("/api/v1/assessment-templates/{copy_id}"), &t.admin, spec.clone()).await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("sections")),
        "{e}"
    );
    spec["sections"][1]["criteria"][0]["max_points"] = json!(15);
    let (s, v) = t.put(&format!("/api/v1/assessment-templates/{copy_id}"), &t.admin, spec.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["criteria"][0]["max_points"].as_f64(), Some(30.0));
    let (s, _) = t.put(&format!("/api/v1/assessment-templates/{id}"), &t.admin, spec).await;
    assert_eq!(s, StatusCode::CONFLICT, "built-ins are copied, not changed");
    assert_eq!(t.delete(&format!("/api/v1/assessment-templates/{id}"), &t.admin).await, StatusCode::CONFLICT);
    assert_eq!(t.delete(&format!("/api/v1/assessment-templates/{copy_id}"), &t.admin).await, StatusCode::NO_CONTENT);
});

both!(payment_at_the_boundaries_of_both_templates, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    // The fixture's contract is 100 000.00 yuan.
    let base = 10_000_000;
    let a = draft(&t, &f.contract, "002-performance", "2026-01-01", "2026-06-30").await;
    assert_eq!(a["payment"]["base_fen"].as_i64(), Some(base));
    assert_eq!(criterion(&a, "response_speed")["points"], Value::Null, "no ticket: nothing to band");
    assert_eq!(a["complete"], false);
    let r = score_to(&t, &a, 90.0).await;
    assert_eq!((r["grade"].as_str(), pay(&r)), (Some("优秀"), (Some(0), Some(base), false, false)));
    let r = score_to(&t, &a, 89.5).await;
    assert_eq!((r["grade"].as_str(), pay(&r)), (Some("良好"), (Some(50_000), Some(base - 50_000), false, false)));
    let r = score_to(&t, &a, 80.0).await;
    assert_eq!((r["grade"].as_str(), pay(&r).0), (Some("良好"), Some(50_000)));
    let r = score_to(&t, &a, 70.0).await;
    assert_eq!((r["grade"].as_str(), pay(&r).0), (Some("及格"), Some(100_000)));
    let r = score_to(&t, &a, 69.5).await;
    assert_eq!((r["grade"].as_str(), pay(&r)), (Some("未达标"), (None, None, true, false)));
    let r = score_to(&t, &a, 100.0).await;
    let id = r["id"].as_str().unwrap();
    let (s, e) = t.put(&format!("/api/v1/assessments/{id}/veto"), &t.admin, json!({"vetoed": true})).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
    let (s, r) = t
        .put(&format!("/api/v1/assessments/{id}/veto"), &t.admin, json!({"vetoed": true, "reason": "发生数据泄露"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (r["score"].as_f64(), r["grade"].as_str(), pay(&r)),
        (Some(100.0), Some("未达标"), (None, None, true, false))
    );
    // Points must fit the criterion.
    let url = format!("/api/v1/assessments/{id}/criteria/compliance");
    let (s, e) = t.put(&url, &t.admin, json!({"points": 6, "reason": "x"})).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("points")), "{e}");
    let (s, _) =
        t.put(&format!("/api/v1/assessments/{id}/criteria/nope"), &t.admin, json!({"points": 1, "reason": "x"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // 004: 百分扣分制 on the contract price; the same period with another template is another assessment.
    let b = draft(&t, &f.contract, "004-deduction", "2026-01-01", "2026-06-30").await;
    assert_eq!(
        (b["score"].as_f64(), b["complete"].as_bool(), pay(&b)),
        (Some(100.0), Some(true), (Some(0), Some(base), false, false))
    );
    let r = score_to(&t, &b, 89.5).await;
    assert_eq!((r["grade"].as_str(), pay(&r)), (Some("按分扣款"), (Some(210_000), Some(base - 210_000), false, false)));
    let r = score_to(&t, &b, 90.0).await;
    assert_eq!(pay(&r).0, Some(0));
    let r = score_to(&t, &b, 60.0).await;
    assert_eq!(pay(&r).0, Some(800_000), "40 points × 2 ‰");
    let r = score_to(&t, &b, 59.5).await;
    assert_eq!((r["grade"].as_str(), pay(&r)), (Some("视同违约"), (None, None, false, true)));
    let bid = b["id"].as_str().unwrap();
    let (s, e) =
        t.put(&format!("/api/v1/assessments/{bid}/veto"), &t.admin, json!({"vetoed": true, "reason": "x"})).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("vetoed")));
    // One assessment per contract, template and period.
    let body =
        json!({"contract_id": f.contract, "template_id": b["template_id"], "from": "2026-01-01", "to": "2026-06-30"});
    let (s, _) = t.post("/api/v1/assessments", &t.admin, body).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, e) = t
        .post(
            "/api/v1/assessments",
            &t.admin,
            json!({"contract_id": f.contract, "from": "2026-07-01", "to": "2026-06-30"}),
        )
        .await;
    let fields: Vec<&str> =
        e["field_errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
    assert_eq!((s, fields), (StatusCode::UNPROCESSABLE_ENTITY, vec!["to", "template_id"]), "{e}");
});

both!(from_a_draft_to_a_final_assessment_with_appeals, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let other = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "o-").await;
    // A ticket answered in 20 minutes: the 15-minute response breached, against the vendor.
    t.clock.set(bj("2026-09-10T10:00"));
    let (s, tk) = t
        .post(
            "/api/v1/tickets",
            &f.reporter,
            json!({"system_id": f.system, "type": "incident", "severity": "二级（严重）", "title": "档案检索很慢"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{tk}");
    let tid = tk["id"].as_str().unwrap().to_string();
    t.clock.set(bj("2026-09-10T10:20"));
    step(&t, &tid, &f.engineer, json!({"to": "responded"})).await;
    step(&t, &tid, &f.engineer, json!({"to": "in_progress"})).await;
    step(&t, &tid, &f.engineer, json!({"to": "resolved", "resolution": {"summary": "重建索引"}})).await;

    // Wednesday 30 September, the day before National Day.
    t.clock.set(bj("2026-09-30T10:00"));
    let a = draft(&t, &f.contract, "004-deduction", "2026-07-01", "2026-09-30").await;
    let id = a["id"].as_str().unwrap().to_string();
    let tickets = criterion(&a, "tickets");
    assert_eq!((tickets["proposed"].as_u64(), tickets["points"].as_f64()), (Some(1), Some(25.0)), "{tickets}");
    assert_eq!(tickets["evidence"]["total"].as_u64(), Some(1));
    // 002 bands the response by the period's 90th percentile: 20 minutes, within the hour.
    let perf = draft(&t, &f.contract, "002-performance", "2026-07-01", "2026-09-30").await;
    let speed = criterion(&perf, "response_speed");
    assert_eq!(speed["points"].as_f64(), Some(10.0), "{speed}");
    assert_eq!(speed["evidence"]["value"].as_f64(), Some(20.0));
    let counts: Vec<u64> =
        speed["evidence"]["distribution"].as_array().unwrap().iter().map(|b| b["count"].as_u64().unwrap()).collect();
    assert_eq!(counts, [1, 0, 0]);
    let (_, ds) = t.get(&format!("/api/v1/assessments/{id}/deductions?status=proposed"), &t.admin).await;
    let d = &ds["items"][0];
    assert!(d["title"].as_str().unwrap().contains("响应超时"), "{d}");
    assert_eq!((d["subject_type"].as_str(), d["subject_id"].as_str()), (Some("ticket"), Some(tid.as_str())));
    // Drafts are the bureau's alone.
    for token in [&f.pm, &f.engineer, &f.reporter] {
        assert_eq!(t.get(&format!("/api/v1/assessments/{id}"), token).await.0, StatusCode::NOT_FOUND);
    }
    let (s, e) = t.post(&format!("/api/v1/assessments/{id}/publish"), &t.admin, json!({})).await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("deductions")),
        "{e}"
    );
    let (s, v) = t
        .put(
            &format!("/api/v1/assessments/{id}/deductions/{}", d["id"].as_str().unwrap()),
            &t.admin,
            json!({"confirmed": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(criterion(&v, "tickets")["points"].as_f64(), Some(24.0));
    let body = json!({"criterion_key": "staffing", "serious": true, "reason": "8 月驻场工程师擅自撤离 3 天"});
    let (s, v) = t.post(&format!("/api/v1/assessments/{id}/deductions"), &t.admin, body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!((criterion(&v, "staffing")["points"].as_f64(), v["score"].as_f64()), (Some(15.0), Some(94.0)));
    let (s, v) = t.post(&format!("/api/v1/assessments/{id}/publish"), &t.admin, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Five working days on the bureau's calendar: 8, 9, 10 (a Saturday worked), 12 and 13 October.
    assert_eq!(v["appeal_until"], iso("2026-10-13T17:30"));
    let (s, _) = t
        .put(&format!("/api/v1/assessments/{id}/criteria/procedures"), &t.admin, json!({"points": 5, "reason": "x"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "published: points change through appeals only");

    // Who sees it now: the vendor's manager and the unit served; not engineers, not others.
    assert_eq!(t.get(&format!("/api/v1/assessments/{id}"), &f.pm).await.0, StatusCode::OK);
    assert_eq!(t.get(&format!("/api/v1/assessments/{id}"), &f.reporter).await.0, StatusCode::OK);
    // The unit reads the score, not the occurrences (they name every unit's tickets).
    assert_eq!(t.get(&format!("/api/v1/assessments/{id}/deductions"), &f.reporter).await.0, StatusCode::NOT_FOUND);
    assert_eq!(t.download(&format!("/api/v1/assessments/{id}/export.xlsx"), &f.reporter).await.0, StatusCode::OK);
    assert_eq!(t.get(&format!("/api/v1/assessments/{id}/deductions"), &f.pm).await.0, StatusCode::OK);
    for token in [&f.engineer, &other.pm, &other.reporter] {
        assert_eq!(t.get(&format!("/api/v1/assessments/{id}"), token).await.0, StatusCode::NOT_FOUND);
        assert_eq!(t.download(&format!("/api/v1/assessments/{id}/export.xlsx"), token).await.0, StatusCode::NOT_FOUND);
    }
    let (s, _) = t
        .put(&format!("/api/v1/assessments/{id}/criteria/staffing"), &f.reporter, json!({"points": 20, "reason": "x"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a unit's user scores nothing the template does not give it");
    let (s, _) = t
        .put(
            &format!("/api/v1/assessments/{id}/criteria/staffing"),
            &other.reporter,
            json!({"points": 20, "reason": "x"}),
        )
        .await;
    assert!(matches!(s, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{s}");

    // The vendor appeals two criteria; one pending appeal per criterion.
    let (s, e) = t
        .post(
            &format!("/api/v1/assessments/{id}/criteria/staffing/appeal"),
            &f.engineer,
            json!({"points": 20, "reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
    let (s, first) = appeal(&t, &id, &f.pm, "staffing", 20.0, "撤离系经采购人同意的调休，附审批单").await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    assert_eq!(first["kind"], "assessment_appeal");
    let (s, _) = appeal(&t, &id, &f.pm, "staffing", 18.0, "再次申诉").await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, second) = appeal(&t, &id, &f.pm, "tickets", 25.0, "用户当时未接电话").await;
    assert_eq!(s, StatusCode::CREATED, "{second}");
    let (_, v) = t.get(&format!("/api/v1/assessments/{id}"), &f.pm).await;
    assert_eq!(v["status"], "appealed");
    // The bureau rules: the first accepted, the second rejected with its reason.
    let (s, _) =
        t.post(&format!("/api/v1/approvals/{}/approve", first["id"].as_str().unwrap()), &f.pm, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the measured party does not decide its own appeal");
    let (s, r) = t
        .post(
            &format!("/api/v1/approvals/{}/approve", first["id"].as_str().unwrap()),
            &t.admin,
            json!({"comment": "调休有审批记录"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (s, r) = t
        .post(
            &format!("/api/v1/approvals/{}/reject", second["id"].as_str().unwrap()),
            &t.admin,
            json!({"comment": "工单记录显示已接通"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (_, v) = t.get(&format!("/api/v1/assessments/{id}"), &t.admin).await;
    assert_eq!(
        (criterion(&v, "staffing")["points"].as_f64(), criterion(&v, "tickets")["points"].as_f64()),
        (Some(20.0), Some(24.0))
    );
    assert_eq!(v["score"].as_f64(), Some(99.0));
    let (_, appeals) = t.get(&format!("/api/v1/assessments/{id}/appeals"), &f.pm).await;
    let states: Vec<&str> =
        appeals["items"].as_array().unwrap().iter().map(|a| a["status"].as_str().unwrap()).collect();
    assert_eq!(states, ["rejected", "approved"]);

    // Not final while the window is open and the vendor has not acknowledged.
    t.clock.set(bj("2026-10-09T09:00"));
    let (s, e) = t.post(&format!("/api/v1/assessments/{id}/finalize"), &t.admin, json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    t.clock.set(bj("2026-10-14T09:00"));
    let (s, _) = appeal(&t, &id, &f.pm, "procedures", 10.0, "太迟了").await;
    assert_eq!(s, StatusCode::CONFLICT, "the window closed at 17:30 on the 13th");
    let (s, v) = t.post(&format!("/api/v1/assessments/{id}/finalize"), &t.admin, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["status"].as_str(), v["score"].as_f64(), v["grade"].as_str()),
        (Some("final"), Some(99.0), Some("全额支付"))
    );
    assert_eq!(pay(&v), (Some(0), Some(10_000_000), false, false));
    let (s, _) = t.post(&format!("/api/v1/assessments/{id}/finalize"), &t.admin, json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, h) = t.get(&format!("/api/v1/assessments/{id}/history"), &f.pm).await;
    let actions: Vec<&str> = h["items"].as_array().unwrap().iter().map(|x| x["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["draft", "confirm", "deduction", "publish", "appeal", "appeal", "appeal_accepted", "final"]);
    let accepted = &h["items"][6];
    assert_eq!((accepted["before"].as_f64(), accepted["after"].as_f64()), (Some(15.0), Some(20.0)));
    for (ext, kind) in [("xlsx", "spreadsheetml"), ("docx", "wordprocessingml")] {
        let (s, ct, bytes) = t.download(&format!("/api/v1/assessments/{id}/export.{ext}"), &f.pm).await;
        assert_eq!(s, StatusCode::OK);
        assert!(ct.unwrap_or_default().contains(kind));
        assert!(bytes.starts_with(b"PK"), "a zip container");
    }
});

both!(acknowledging_closes_the_window_early, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2026-11-02T09:00"));
    let a = draft(&t, &f.contract, "004-deduction", "2026-10-01", "2026-10-31").await;
    let id = a["id"].as_str().unwrap();
    let (s, _) = t.post(&format!("/api/v1/assessments/{id}/acknowledge"), &f.pm, json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a draft is not the vendor's to see");
    let (s, _) = t.post(&format!("/api/v1/assessments/{id}/publish"), &t.admin, json!({})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = t.post(&format!("/api/v1/assessments/{id}/acknowledge"), &t.admin, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the vendor acknowledges, not the bureau");
    let (s, v) = t.post(&format!("/api/v1/assessments/{id}/acknowledge"), &f.pm, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["acknowledged_at"].is_string());
    let (s, _) = t
        .post(
            &format!("/api/v1/assessments/{id}/criteria/staffing/appeal"),
            &f.pm,
            json!({"points": 19, "reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "acknowledged: no further appeal");
    let (s, v) = t.post(&format!("/api/v1/assessments/{id}/finalize"), &t.admin, json!({})).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("final")), "{v}");
    let (_, list) = t.get(&format!("/api/v1/assessments?contract_id={}&status=final", f.contract), &f.pm).await;
    assert_eq!(list["total"].as_u64(), Some(1), "{list}");
});
