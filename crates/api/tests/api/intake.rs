//! Alert intake: Alertmanager v4 and the generic webhook with integration tokens, deduplication
//! by fingerprint, the restore on resolution, unknown systems kept for the bureau, `/metrics`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::fixture;

async fn send(t: &TestApp, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    let mut req = t.client.post(format!("{}{path}", t.base)).json(&body);
    if let Some(tk) = token {
        req = req.bearer_auth(tk);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn alert(status: &str, system: &str, fingerprint: &str, starts: &str, ends: &str) -> Value {
    json!({"version": "4", "status": status, "receiver": "yunwei", "groupKey": "{}:{alertname=\"HostDown\"}",
        "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am:9093", "truncatedAlerts": 0,
        "alerts": [{"status": status, "labels": {"alertname": "HostDown", "yunwei_system": system, "instance": "10.0.0.5"},
            "annotations": {"summary": "档案服务器不可达"}, "startsAt": starts, "endsAt": ends,
            "generatorURL": "http://prom:9090/graph", "fingerprint": fingerprint}]})
}

both!(alerts_open_dedupe_and_restore_and_unknown_systems_are_kept, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2020-01-01", "2035-12-31"), "").await;
    let now = chrono::Utc::now();
    t.clock.set(now);
    let at = |min: i64| (now - chrono::Duration::minutes(min)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);

    let (s, _) = t.post("/api/v1/integrations", &f.pm, json!({"name": "x", "kind": "alertmanager"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = t.post("/api/v1/integrations", &t.admin, json!({"name": "", "kind": "nagios"})).await;
    let fields: Vec<_> = e["field_errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
    assert_eq!((s, fields), (StatusCode::UNPROCESSABLE_ENTITY, vec!["name", "kind"]));
    let (s, am) =
        t.post("/api/v1/integrations", &t.admin, json!({"name": "机房 Prometheus", "kind": "alertmanager"})).await;
    assert_eq!(s, StatusCode::CREATED, "{am}");
    let token = am["token"].as_str().unwrap().to_string();
    let (_, list) = t.get("/api/v1/integrations", &t.admin).await;
    assert!(list.to_string().find(&token).is_none(), "the token is never listed");

    let firing = alert("firing", "馆藏档案管理平台", "fp-1", &at(10), "0001-01-01T00:00:00Z");
    let (s, _) = send(&t, "/api/v1/intake/alertmanager", None, firing.clone()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = send(&t, "/api/v1/intake/alertmanager", Some("ywi_wrong"), firing.clone()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, r) = send(&t, "/api/v1/intake/alertmanager", Some(&token), firing.clone()).await;
    assert_eq!((s, r["opened"].as_u64()), (StatusCode::OK, Some(1)), "{r}");
    let (_, r) = send(&t, "/api/v1/intake/alertmanager", Some(&token), firing).await;
    assert_eq!((r["opened"].as_u64(), r["updated"].as_u64()), (Some(0), Some(1)), "deduplicated by fingerprint");
    let (_, tickets) = t.get(&format!("/api/v1/tickets?system_id={}&status=", f.system), &t.admin).await;
    assert_eq!(tickets["total"], 1);
    let tid = tickets["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(tickets["items"][0]["channel"], "monitoring");

    // Resolved a minute ago: the ticket is restored then, the outage lasted nine minutes.
    let (_, r) = send(
        &t,
        "/api/v1/intake/alertmanager",
        Some(&token),
        alert("resolved", "馆藏档案管理平台", "fp-1", &at(10), &at(1)),
    )
    .await;
    assert_eq!(r["resolved"], 1);
    let (_, tk) = t.get(&format!("/api/v1/tickets/{tid}"), &t.admin).await;
    assert_eq!(tk["status"], "restored");
    let today = (now + chrono::Duration::hours(8)).date_naive();
    let (_, a) = t
        .get(
            &format!("/api/v1/systems/{}/availability?from={}&to={today}", f.system, today.pred_opt().unwrap()),
            &t.admin,
        )
        .await;
    assert_eq!(a["downtime_seconds"], 540, "{a}");

    // An alert for a system nobody knows is kept for the bureau.
    let (_, r) = send(
        &t,
        "/api/v1/intake/alertmanager",
        Some(&token),
        alert("firing", "不存在的系统", "fp-2", &at(3), "0001-01-01T00:00:00Z"),
    )
    .await;
    assert_eq!(r["unmatched"], 1);
    let (_, u) = t.get("/api/v1/intake/unmatched", &t.admin).await;
    assert_eq!((u["total"].as_u64(), u["items"][0]["system_ref"].as_str()), (Some(1), Some("不存在的系统")));
    assert_eq!(u["items"][0]["labels"]["instance"], "10.0.0.5");
    let (s, _) = t.get("/api/v1/intake/unmatched", &f.pm).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = send(
        &t,
        "/api/v1/intake/alertmanager",
        Some(&token),
        json!({"version": "3", "alerts": [{"status": "pending"}]}),
    )
    .await;
    let fields: Vec<_> = e["field_errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
    assert_eq!((s, fields), (StatusCode::BAD_REQUEST, vec!["version", "alerts[0].status"]));

    // The generic webhook (what the Zabbix media type sends), by system id.
    let (_, wh) = t.post("/api/v1/integrations", &t.admin, json!({"name": "Zabbix", "kind": "webhook"})).await;
    let wtoken = wh["token"].as_str().unwrap().to_string();
    let (s, _) = send(&t, "/api/v1/intake/alertmanager", Some(&wtoken), json!({"version": "4", "alerts": []})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a webhook token is not an Alertmanager token");
    let body =
        json!({"system": f.system, "key": "zbx-77", "status": "PROBLEM", "title": "数据库端口 3306 不通", "at": at(5)});
    let (s, r) = send(&t, "/api/v1/intake/webhook", Some(&wtoken), body).await;
    assert_eq!((s, r["opened"].as_u64()), (StatusCode::OK, Some(1)), "{r}");
    let (_, r) =
        send(&t, "/api/v1/intake/webhook", Some(&wtoken), json!({"system": f.system, "key": "zbx-77", "status": "OK"}))
            .await;
    assert_eq!(r["resolved"], 1);
    let (s, e) = send(&t, "/api/v1/intake/webhook", Some(&wtoken), json!({"status": "maybe"})).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("key")));

    // Yunwei's own metrics, for a metrics token only.
    let (_, mt) = t.post("/api/v1/integrations", &t.admin, json!({"name": "Prometheus 抓取", "kind": "metrics"})).await;
    let mtoken = mt["token"].as_str().unwrap();
    let res = t.client.get(format!("{}/metrics", t.base)).bearer_auth(mtoken).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert!(text.contains("# TYPE yunwei_monitors gauge") && text.contains("yunwei_ticket_clocks_at_risk"), "{text}");
    let res = t.client.get(format!("{}/metrics", t.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = t.client.get(format!("{}/metrics", t.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
});
