use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::harness::{Backend, TestApp};

async fn verify(t: &TestApp) -> serde_json::Value {
    let (s, v) = t.get("/api/v1/audit/verify", &t.admin).await;
    assert_eq!(s, StatusCode::OK);
    v
}

/// Plays a database owner: drops the append-only guard so the tampering can happen at all.
async fn drop_guard(t: &TestApp) {
    let sql = match t.backend {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
        Backend::Postgres => "DROP TRIGGER audit_log_no_change ON audit_log;",
    };
    t.app.store().execute_raw_sql(sql).await.expect("drop guard");
}

both!(every_change_is_audited, |t: TestApp| async move {
    let unit = t.unit("安阳市民政局").await;
    t.put(&format!("/api/v1/units/{unit}"), &t.admin, json!({"name": "安阳市民政局", "short_name": "民政"})).await;
    t.delete(&format!("/api/v1/units/{unit}"), &t.admin).await;
    let (_, log) = t.get(&format!("/api/v1/audit?object_type=unit&object_id={unit}"), &t.admin).await;
    let items = log["items"].as_array().unwrap();
    let actions: Vec<&str> = items.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "update", "delete"]);
    assert_eq!(items[1]["before"]["short_name"], serde_json::Value::Null);
    assert_eq!(items[1]["after"]["short_name"], "民政");
    assert_eq!(items[2]["after"], serde_json::Value::Null);
    assert!(items.iter().all(|r| r["actor_name"] == "admin"));
    // A refused change leaves no record.
    let before = t.get("/api/v1/audit", &t.admin).await.1["total"].as_u64().unwrap();
    t.post("/api/v1/units", &t.admin, json!({})).await;
    assert_eq!(t.get("/api/v1/audit", &t.admin).await.1["total"].as_u64().unwrap(), before);
    assert_eq!(verify(&t).await["intact"], true);
});

both!(the_database_refuses_to_rewrite_history, |t: TestApp| async move {
    t.unit("某单位").await;
    let store = t.app.store();
    assert!(store.execute_raw_sql("UPDATE audit_log SET actor_name = 'x'").await.is_err());
    assert!(store.execute_raw_sql("DELETE FROM audit_log").await.is_err());
    assert!(store.execute_raw_sql("DELETE FROM audit_head").await.is_err());
    if t.backend == Backend::Postgres {
        assert!(store.execute_raw_sql("TRUNCATE audit_log").await.is_err());
        assert!(store.execute_raw_sql("TRUNCATE audit_head").await.is_err());
    }
    assert_eq!(verify(&t).await["intact"], true);
});

both!(altered_record_is_detected, |t: TestApp| async move {
    t.unit("甲").await;
    t.unit("乙").await;
    drop_guard(&t).await;
    t.app.store().execute_raw_sql("UPDATE audit_log SET after = '{\"name\":\"伪造\"}' WHERE seq = 2").await.unwrap();
    let v = verify(&t).await;
    assert_eq!(v["intact"], false);
    assert!(v["breaks"].as_array().unwrap().iter().any(|b| b["kind"] == "altered" && b["seq"] == 2), "{v}");
});

both!(removed_record_is_detected, |t: TestApp| async move {
    t.unit("甲").await;
    t.unit("乙").await;
    t.unit("丙").await;
    drop_guard(&t).await;
    t.app.store().execute_raw_sql("DELETE FROM audit_log WHERE seq = 2").await.unwrap();
    let v = verify(&t).await;
    assert_eq!(v["intact"], false);
    assert!(v["breaks"].as_array().unwrap().iter().any(|b| b["kind"] == "gap"), "{v}");
});

both!(removed_tail_is_detected, |t: TestApp| async move {
    t.unit("甲").await;
    t.unit("乙").await;
    drop_guard(&t).await;
    t.app.store().execute_raw_sql("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)").await.unwrap();
    let v = verify(&t).await;
    assert!(v["breaks"].as_array().unwrap().iter().any(|b| b["kind"] == "truncated_tail"), "{v}");
});

both!(removed_head_is_detected_and_stops_writes, |t: TestApp| async move {
    t.unit("甲").await;
    drop_guard(&t).await;
    let head_guard = match t.backend {
        Backend::Sqlite => "DROP TRIGGER audit_head_no_delete",
        Backend::Postgres => "DROP TRIGGER audit_head_no_change ON audit_head",
    };
    t.app.store().execute_raw_sql(head_guard).await.unwrap();
    t.app.store().execute_raw_sql("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)").await.unwrap();
    t.app.store().execute_raw_sql("DELETE FROM audit_head").await.unwrap();
    let v = verify(&t).await;
    assert!(v["breaks"].as_array().unwrap().iter().any(|b| b["kind"] == "head_missing"), "{v}");
    // A second chain is never started over the damage: writes stop until it is repaired.
    let (s, body) = t.post("/api/v1/units", &t.admin, json!({"name": "乙"})).await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    // The client gets the problem and its request id, never the cause (it goes to the log).
    assert_eq!(body["code"], "internal");
    assert!(body["request_id"].as_str().is_some_and(|r| !r.is_empty()), "{body}");
    assert!(!body.to_string().contains("head"), "no internals: {body}");
    assert_eq!(t.get("/api/v1/units", &t.admin).await.1["total"], 1);
});

both!(records_name_their_objects_as_people_know_them, |t: TestApp| async move {
    let f = crate::tickets::fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let (_, tk) = t
        .post(
            "/api/v1/tickets",
            &f.reporter,
            json!({"system_id": f.system, "type": "request", "title": "开通档案查询账号"}),
        )
        .await;
    let number = tk["number"].as_str().unwrap();
    let (_, log) =
        t.get(&format!("/api/v1/audit?object_type=ticket&object_id={}", tk["id"].as_str().unwrap()), &t.admin).await;
    assert_eq!(log["items"][0]["object_name"], format!("{number} 开通档案查询账号"), "{log}");
    let (_, log) = t.get(&format!("/api/v1/audit?object_type=contract&object_id={}", f.contract), &t.admin).await;
    assert_eq!(log["items"][0]["object_name"], "运维合同");
    // A deleted object keeps its id and snapshots, and has no name to show.
    let unit = t.unit("临时单位").await;
    t.delete(&format!("/api/v1/units/{unit}"), &t.admin).await;
    let (_, log) = t.get(&format!("/api/v1/audit?object_type=unit&object_id={unit}"), &t.admin).await;
    assert_eq!(log["items"][0]["object_name"], serde_json::Value::Null);
    assert_eq!(log["items"][0]["after"]["name"], "临时单位");
});
