//! Changes and releases: a normal change through the unit's and the bureau's approval (nobody
//! of the vendor decides), its downtime turned into planned maintenance only once approved, a
//! release leaving its version; standard changes approved at once, returned and amended ones,
//! a failed change opening an incident, an emergency change started before its approval; a
//! named approver's delegate; who sees what.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::{bj, fixture};

fn change(system: &str, kind: &str) -> Value {
    json!({"system_ids": [system], "type": kind, "title": "数据库补丁升级",
        "planned_start": "2026-03-10T22:00:00+08:00", "planned_end": "2026-03-11T00:00:00+08:00",
        "plan": "停应用，打补丁，启动校验", "rollback_plan": "从快照恢复"})
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

async fn decide(t: &TestApp, change: &str, token: &str, decision: &str, comment: Option<&str>) -> (StatusCode, Value) {
    t.post(&format!("/api/v1/changes/{change}/approvals"), token, json!({"decision": decision, "comment": comment}))
        .await
}

both!(a_release_through_two_approvals_with_its_downtime_and_version, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2026-03-02T10:00"));
    let mut body = change(&f.system, "normal");
    body["kind"] = json!("release");
    body["downtime"] = json!(true);
    let (s, e) = t.post("/api/v1/changes", &f.engineer, body.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a release needs its emergency plan: {e}");
    body["version"] = json!("V2.3.1");
    body["release_plan"] = json!({"scope": "全部模块", "risk_analysis": "补丁与中间件兼容性",
        "pass_criteria": "登录与检索正常", "fail_criteria": "30 分钟内无法登录", "method": "回退快照", "problem_tracking": "问题单跟踪到关闭"});
    let (s, c) = t.post("/api/v1/changes", &f.engineer, body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert_eq!(c["status"], "pending_approval", "{c}");
    let cid = id(&c);
    let approval = c["approval_id"].as_str().unwrap().to_string();

    // Nobody of the vendor decides; the bureau waits for the unit's step.
    for token in [&f.engineer, &f.pm] {
        let (s, _) = decide(&t, &cid, token, "approve", None).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    let (s, _) = decide(&t, &cid, &t.admin, "approve", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the unit decides first");
    let (_, inbox) = t.get("/api/v1/approvals?mine=true", &f.reporter).await;
    assert_eq!(inbox["total"], 1, "the unit's inbox: {inbox}");
    let (_, inbox) = t.get("/api/v1/approvals?mine=true", &t.admin).await;
    assert_eq!(inbox["total"], 0, "not the bureau's turn: {inbox}");
    let (s, e) = decide(&t, &cid, &f.reporter, "maybe", None).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("decision")));
    let (s, c) = decide(&t, &cid, &f.reporter, "approve", Some("同意，请避开白天")).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["status"], "pending_approval");
    let (_, a) = t.get(&format!("/api/v1/approvals/{approval}"), &t.admin).await;
    assert_eq!((a["current_step"].as_u64(), a["steps"][0]["status"].as_str()), (Some(1), Some("approved")), "{a}");
    assert_eq!(a["steps"][0]["comment"], "同意，请避开白天");
    assert_eq!(a["can_decide"], true);
    let (s, _) = decide(&t, &cid, &f.reporter, "approve", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the unit's step is done");

    // No maintenance window before the bureau approves; one for the window after.
    let (_, windows) = t.get(&format!("/api/v1/systems/{}/maintenance", f.system), &t.admin).await;
    assert_eq!(windows.as_array().unwrap().len(), 0, "{windows}");
    let (s, c) = decide(&t, &cid, &t.admin, "approve", None).await;
    assert_eq!((s, c["status"].as_str()), (StatusCode::OK, Some("approved")), "{c}");
    let (_, windows) = t.get(&format!("/api/v1/systems/{}/maintenance", f.system), &t.admin).await;
    let w = &windows.as_array().unwrap()[0];
    assert_eq!(w["window"]["start"], "2026-03-10T14:00:00Z", "{w}");
    assert_eq!(w["approval_id"].as_str(), Some(approval.as_str()));
    let (s, _) = decide(&t, &cid, &t.admin, "approve", None).await;
    assert_eq!(s, StatusCode::CONFLICT, "decided once");

    // Carried out; the release leaves its version.
    let (s, e) = t.post(&format!("/api/v1/changes/{cid}/finish"), &f.engineer, json!({"outcome": "success"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "not started: {e}");
    t.clock.set(bj("2026-03-10T22:05"));
    let (s, c) = t.post(&format!("/api/v1/changes/{cid}/start"), &f.engineer, json!({})).await;
    assert_eq!(
        (s, c["status"].as_str(), c["started_before_approval"].as_bool()),
        (StatusCode::OK, Some("in_progress"), Some(false))
    );
    t.clock.set(bj("2026-03-10T23:30"));
    let (s, c) = t.post(&format!("/api/v1/changes/{cid}/finish"), &f.engineer, json!({"outcome": "success"})).await;
    assert_eq!((s, c["status"].as_str()), (StatusCode::OK, Some("succeeded")), "{c}");
    let (_, versions) = t.get(&format!("/api/v1/systems/{}/versions", f.system), &f.reporter).await;
    assert_eq!(versions[0]["version"], "V2.3.1", "{versions}");
    assert_eq!(versions[0]["change_id"].as_str(), Some(cid.as_str()));
    let (s, _) = t.post(&format!("/api/v1/changes/{cid}/finish"), &f.engineer, json!({"outcome": "success"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "closed once");
});

both!(standard_returned_failed_and_emergency_changes, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let other = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "o-").await;
    t.clock.set(bj("2026-03-02T10:00"));

    // A standard change without downtime is approved at once; with downtime the bureau decides.
    let (s, c) = t.post("/api/v1/changes", &f.pm, change(&f.system, "standard")).await;
    assert_eq!(
        (s, c["status"].as_str(), c["approval_id"].as_str()),
        (StatusCode::CREATED, Some("approved"), None),
        "{c}"
    );
    let mut down = change(&f.system, "standard");
    down["downtime"] = json!(true);
    let (_, c) = t.post("/api/v1/changes", &f.pm, down).await;
    assert_eq!(c["status"], "pending_approval", "{c}");
    let (_, a) = t.get(&format!("/api/v1/approvals/{}", c["approval_id"].as_str().unwrap()), &t.admin).await;
    assert_eq!(a["steps"].as_array().unwrap().len(), 1);
    assert_eq!(a["steps"][0]["approver"], "bureau");

    // Returned with a comment, amended, asked again.
    let (_, c) = t.post("/api/v1/changes", &f.engineer, change(&f.system, "normal")).await;
    let cid = id(&c);
    let (s, _) = decide(&t, &cid, &f.reporter, "return", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "say what to amend");
    let (s, c) = decide(&t, &cid, &f.reporter, "return", Some("请补充测试记录")).await;
    assert_eq!((s, c["status"].as_str()), (StatusCode::OK, Some("returned")), "{c}");
    let (s, _) = t.put(&format!("/api/v1/changes/{cid}"), &other.engineer, change(&f.system, "normal")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another vendor's change");
    let mut amended = change(&f.system, "normal");
    amended["test_evidence"] = json!("测试环境验证通过");
    let (s, c) = t.put(&format!("/api/v1/changes/{cid}"), &f.engineer, amended).await;
    assert_eq!((s, c["status"].as_str()), (StatusCode::OK, Some("pending_approval")), "{c}");
    let (s, c) = decide(&t, &cid, &f.reporter, "reject", Some("窗口与年终结算冲突")).await;
    assert_eq!((s, c["status"].as_str()), (StatusCode::OK, Some("rejected")), "{c}");
    let (s, _) = t.post(&format!("/api/v1/changes/{cid}/start"), &f.engineer, json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "a rejected change does not start");

    // An emergency change starts before its approval; it fails and opens an incident.
    let mut urgent = change(&f.system, "emergency");
    urgent["planned_start"] = json!("2026-03-02T09:00:00+08:00");
    urgent["planned_end"] = json!("2026-03-02T12:00:00+08:00");
    let (s, c) = t.post("/api/v1/changes", &f.engineer, urgent).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let cid = id(&c);
    let (s, c) = t.post(&format!("/api/v1/changes/{cid}/start"), &f.engineer, json!({})).await;
    assert_eq!((s, c["started_before_approval"].as_bool()), (StatusCode::OK, Some(true)), "{c}");
    let (s, e) = t.post(&format!("/api/v1/changes/{cid}/finish"), &f.engineer, json!({"outcome": "failed"})).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("note")));
    let (s, c) = t
        .post(
            &format!("/api/v1/changes/{cid}/finish"),
            &f.engineer,
            json!({"outcome": "failed", "note": "补丁导致服务无法启动"}),
        )
        .await;
    assert_eq!((s, c["status"].as_str()), (StatusCode::OK, Some("failed")), "{c}");
    let ticket = c["ticket_id"].as_str().expect("an incident").to_string();
    let (_, tk) = t.get(&format!("/api/v1/tickets/{ticket}"), &t.admin).await;
    assert_eq!((tk["type"].as_str(), tk["channel"].as_str()), (Some("incident"), Some("change")), "{tk}");
    let (s, c) = decide(&t, &cid, &t.admin, "approve", Some("事后确认")).await;
    assert_eq!((s, c["status"].as_str()), (StatusCode::OK, Some("failed")), "the outcome stays: {c}");
    assert!(c["approved_at"].is_string());
    let (s, e) = t
        .post(
            "/api/v1/tickets",
            &f.reporter,
            json!({"system_id": f.system, "type": "incident", "channel": "change", "title": "x"}),
        )
        .await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("channel")));

    // Who sees what; bad input names its fields.
    let (_, mine) = t.get("/api/v1/changes", &other.pm).await;
    assert_eq!(mine["total"], 0, "{mine}");
    let (_, theirs) = t.get("/api/v1/changes", &f.reporter).await;
    assert_eq!(theirs["total"], 4, "{theirs}");
    let (_, listed) = t.get("/api/v1/changes?type=emergency&status=failed", &t.admin).await;
    assert_eq!(listed["total"], 1, "{listed}");
    let (s, _) = t.post("/api/v1/changes", &f.reporter, change(&f.system, "normal")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "units do not ask for vendor changes");
    let (s, e) = t.post("/api/v1/changes", &f.engineer, change(&other.system, "normal")).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("system_ids[0]")));
    let both_units = json!({"system_ids": [f.system, other.system], "type": "normal", "title": "跨单位",
        "planned_start": "2026-03-10T22:00:00+08:00", "planned_end": "2026-03-11T00:00:00+08:00", "rollback_plan": "回退"});
    let (s, e) = t.post("/api/v1/changes", &t.admin, both_units).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("system_ids[1]")));
    let (s, e) = t.post("/api/v1/changes", &f.engineer, json!({"type": "normal"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
});

both!(a_named_approver_away_hands_the_step_to_a_delegate, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2026-03-02T10:00"));
    let chief = t.user("chief", "admin", None, None).await;
    let (_, me) = t.get("/api/v1/auth/me", &chief).await;
    let chief_id = me["id"].as_str().or(me["user"]["id"].as_str()).unwrap().to_string();
    let rules = json!({"standard": [], "normal": [{"approver": "bureau", "user_id": chief_id}], "emergency": [{"approver": "bureau"}]});
    let (s, _) = t.put("/api/v1/change-rules", &f.pm, rules.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, r) = t.put("/api/v1/change-rules", &t.admin, rules).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (_, c) = t.post("/api/v1/changes", &f.engineer, change(&f.system, "normal")).await;
    let cid = id(&c);
    let (s, _) = decide(&t, &cid, &t.admin, "approve", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the step names the chief");

    // The chief is away: the admin decides in their place, and the step says so.
    let (_, users) = t.get("/api/v1/users?q=admin", &t.admin).await;
    let admin_id = users["items"].as_array().unwrap().iter().find(|u| u["username"] == "admin").unwrap()["id"].clone();
    let (s, e) = t
        .post(
            "/api/v1/approval-delegations",
            &chief,
            json!({"delegate_id": f.engineer_id, "starts_on": "2026-03-02", "ends_on": "2026-03-06"}),
        )
        .await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("delegate_id")),
        "never the vendor"
    );
    let (s, d) = t
        .post(
            "/api/v1/approval-delegations",
            &chief,
            json!({"delegate_id": admin_id, "starts_on": "2026-03-02", "ends_on": "2026-03-06", "reason": "出差"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let (_, inbox) = t.get("/api/v1/approvals?mine=true", &t.admin).await;
    assert_eq!(inbox["total"], 1, "the delegate's inbox: {inbox}");
    let (s, c) = decide(&t, &cid, &t.admin, "approve", None).await;
    assert_eq!((s, c["status"].as_str()), (StatusCode::OK, Some("approved")), "{c}");
    let (_, a) = t.get(&format!("/api/v1/approvals/{}", c["approval_id"].as_str().unwrap()), &chief).await;
    assert_eq!(a["steps"][0]["on_behalf_of"].as_str(), Some(chief_id.as_str()), "{a}");

    // Revoked, the delegation gives nothing more.
    let s = t.delete(&format!("/api/v1/approval-delegations/{}", d["id"].as_str().unwrap()), &chief).await;
    assert_eq!(s, StatusCode::OK);
    let (_, c) = t.post("/api/v1/changes", &f.engineer, change(&f.system, "normal")).await;
    let (s, _) = decide(&t, &id(&c), &t.admin, "approve", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the delegation was revoked");
});
