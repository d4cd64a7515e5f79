//! `GET /kpis`: a contract's indicators over back-filled facts whose clocks are known by hand,
//! and who may read them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::{bj, fixture, step};

fn kpi<'a>(v: &'a Value, key: &str) -> &'a Value {
    v["items"].as_array().unwrap().iter().find(|k| k["key"] == key).unwrap_or_else(|| panic!("{key}: {v}"))
}

fn value(v: &Value, key: &str) -> Option<f64> {
    kpi(v, key)["value"].as_f64()
}

both!(indicators_come_from_the_recorded_facts, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let report =
        |title: &str| json!({"system_id": f.system, "type": "incident", "severity": "二级（严重）", "title": title});
    let id = |v: &Value| v["id"].as_str().unwrap().to_string();
    // A is answered in 5 minutes (met), B in 20 (the 15-minute response breached), C not yet.
    t.clock.set(bj("2026-11-23T10:00"));
    let a = id(&t.post("/api/v1/tickets", &f.reporter, report("档案检索很慢")).await.1);
    let b = id(&t.post("/api/v1/tickets", &f.reporter, report("打印服务中断")).await.1);
    t.clock.set(bj("2026-11-23T10:05"));
    step(&t, &a, &f.engineer, json!({"to": "responded"})).await;
    t.clock.set(bj("2026-11-23T10:20"));
    step(&t, &b, &f.engineer, json!({"to": "responded"})).await;
    t.clock.set(bj("2026-11-23T10:30"));
    t.post("/api/v1/tickets", &f.reporter, report("扫描仪离线")).await;
    t.clock.set(bj("2026-11-23T10:40"));
    step(&t, &a, &f.engineer, json!({"to": "in_progress"})).await;
    step(&t, &a, &f.engineer, json!({"to": "resolved", "resolution": {"summary": "重建索引"}})).await;
    step(&t, &a, &f.reporter, json!({"to": "closed"})).await;
    let (s, _) = t.post(&format!("/api/v1/tickets/{a}/rating"), &f.reporter, json!({"rating": 4})).await;
    assert_eq!(s, StatusCode::OK);
    // A request in October is outside the period.
    let (s, old) = t
        .post(
            "/api/v1/tickets",
            &t.admin,
            json!({"system_id": f.system, "type": "request", "title": "旧需求",
            "channel": "phone", "reported_at": "2026-10-31T15:59:00Z"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{old}");

    let url = format!("/api/v1/kpis?contract_id={}&from=2026-11-01&to=2026-11-30", f.contract);
    let (s, v) = t.get(&url, &t.admin).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (value(&v, "ticket_count"), value(&v, "incident_count"), value(&v, "request_count")),
        (Some(3.0), Some(3.0), Some(0.0))
    );
    let r = kpi(&v, "response_on_time_rate");
    assert_eq!(
        (r["value"].as_f64(), r["numerator"].as_f64(), r["denominator"].as_f64()),
        (Some(0.5), Some(1.0), Some(2.0)),
        "C still runs: {r}"
    );
    assert_eq!(value(&v, "response_minutes_mean"), Some(12.5));
    assert_eq!(value(&v, "response_minutes_p90"), Some(20.0), "nearest rank of two");
    assert_eq!(kpi(&v, "resolve_on_time_rate")["denominator"].as_f64(), Some(1.0), "only A stopped its resolve clock");
    assert_eq!(value(&v, "resolve_minutes_mean"), Some(40.0));
    assert_eq!(
        (value(&v, "handling_rate"), value(&v, "satisfaction_mean"), value(&v, "rated_rate")),
        (Some(1.0 / 3.0), Some(4.0), Some(1.0))
    );
    assert_eq!(value(&v, "inspection_completion_rate"), None, "no task was due: unmeasured, not 100 %");
    assert_eq!(kpi(&v, "ticket_count")["breakdown"], json!([{"label": "二级（严重）", "id": null, "value": 3.0}]));
    let per_system = kpi(&v, "incidents_per_system_max");
    assert_eq!(per_system["value"].as_f64(), Some(3.0), "{per_system}");
    assert_eq!(per_system["breakdown"], json!([{"label": "馆藏档案管理平台", "id": f.system, "value": 3.0}]));
    // The bureau finds B was the carrier's line: an excused cause no longer counts against the vendor.
    let (s, e) = t.put(&format!("/api/v1/tickets/{b}/outage"), &t.admin, json!({"cause": "carrier"})).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let (_, v) = t.get(&url, &t.admin).await;
    assert_eq!((value(&v, "incidents_per_system_max"), value(&v, "incident_count")), (Some(2.0), Some(3.0)));
    // Every indicator of the catalogue, in its order.
    let (_, cat) = t.get("/api/v1/kpis/catalogue", &f.pm).await;
    let keys = |v: &Value| {
        v["items"].as_array().unwrap().iter().map(|k| k["key"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(keys(&v), keys(&cat));
    // October holds only the request, its clocks long past due: breached even before the
    // due-check job has recorded it.
    let (_, oct) =
        t.get(&format!("/api/v1/kpis?contract_id={}&from=2026-10-01&to=2026-10-31", f.contract), &t.admin).await;
    assert_eq!(
        (value(&oct, "ticket_count"), value(&oct, "request_count"), value(&oct, "response_on_time_rate")),
        (Some(1.0), Some(1.0), Some(0.0))
    );
    // Resolved three weeks after its report: not within 24 hours; A (40 minutes) was.
    let old = id(&old);
    step(&t, &old, &f.engineer, json!({"to": "in_progress"})).await;
    step(&t, &old, &f.engineer, json!({"to": "resolved", "resolution": {"summary": "已导出"}})).await;
    let (_, oct) =
        t.get(&format!("/api/v1/kpis?contract_id={}&from=2026-10-01&to=2026-10-31", f.contract), &t.admin).await;
    let day = kpi(&oct, "resolved_within_24h_rate");
    assert_eq!((day["value"].as_f64(), day["denominator"].as_f64()), (Some(0.0), Some(1.0)), "{day}");
    let (_, nov) = t.get(&url, &t.admin).await;
    assert_eq!(value(&nov, "resolved_within_24h_rate"), Some(1.0));

    // An inspection done on time finds the machine room too warm: one abnormal item, one ticket.
    let template = t
        .create(
            "inspection-templates",
            json!({"name": "机房巡检", "kind": "machine_room", "items": [
            {"id": "temp", "name": "机房温度", "result_type": "number", "unit": "℃", "max": 28}]}),
        )
        .await;
    let plan = json!({"system_id": f.system, "template_id": template, "recurrence": {"every": "day"}, "assignee_id": f.engineer_id});
    let (s, p) = t.post("/api/v1/inspection-plans", &f.pm, plan).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let tasks = format!("/api/v1/inspection-tasks?plan_id={}&from=2026-11-23&to=2026-11-23", p["id"].as_str().unwrap());
    let task = t.get(&tasks, &f.engineer).await.1["items"][0]["id"].as_str().unwrap().to_string();
    t.clock.set(bj("2026-11-23T10:44"));
    let body = json!({"results": [{"item_id": "temp", "result": 31, "note": "空调故障"}]});
    let (s, rec) = t.post(&format!("/api/v1/inspection-tasks/{task}/record"), &f.engineer, body).await;
    assert_eq!(s, StatusCode::CREATED, "{rec}");
    let (_, v) = t.get(&url, &t.admin).await;
    assert_eq!((value(&v, "inspection_completion_rate"), value(&v, "inspection_on_time_rate")), (Some(1.0), Some(1.0)));
    assert_eq!((value(&v, "inspection_abnormal_count"), value(&v, "ticket_count")), (Some(1.0), Some(4.0)));
    let r = kpi(&v, "response_on_time_rate");
    assert_eq!(r["denominator"].as_f64(), Some(2.0), "the new ticket's clock still runs");

    // Who: the vendor's manager and the unit read; an engineer is refused; others see no contract.
    for token in [&f.pm, &f.reporter, &t.admin] {
        let (s, w) = t.get(&url, token).await;
        assert_eq!((s, value(&w, "ticket_count")), (StatusCode::OK, Some(4.0)), "{w}");
    }
    let (s, _) = t.get(&url, &f.engineer).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let other = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "o-").await;
    for token in [&other.pm, &other.reporter] {
        let (s, e) = t.get(&url, token).await;
        assert_eq!(
            (s, e["field_errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("contract_id")),
            "{e}"
        );
    }
    // What: dates in order, a system the contract covers.
    let base = format!("/api/v1/kpis?contract_id={}", f.contract);
    for (q, field, status) in [
        ("&from=2026-11-30&to=2026-11-01", "to", StatusCode::UNPROCESSABLE_ENTITY),
        ("&to=2026-11-30", "from", StatusCode::BAD_REQUEST),
        ("&from=2026-02-30&to=2026-11-30", "from", StatusCode::BAD_REQUEST),
    ] {
        let (s, e) = t.get(&format!("{base}{q}"), &t.admin).await;
        assert_eq!((s, e["field_errors"][0]["field"].as_str()), (status, Some(field)), "{q}: {e}");
    }
    let (s, e) = t.get(&format!("{url}&system_id={}", other.system), &t.admin).await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("system_id")),
        "{e}"
    );
    let (s, w) = t.get(&format!("{url}&system_id={}", f.system), &t.admin).await;
    assert_eq!((s, value(&w, "ticket_count")), (StatusCode::OK, Some(4.0)));

    // One unit's systems of the contract; a unit the contract does not serve is named.
    let (s, w) = t.get(&format!("{url}&unit_id={}", f.unit), &t.admin).await;
    assert_eq!((s, value(&w, "ticket_count")), (StatusCode::OK, Some(4.0)), "{w}");
    let (s, e) = t.get(&format!("{url}&unit_id={}", other.unit), &t.admin).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unit_id")));
    // A unit's user asking for another unit still reads only its own.
    let (s, w) = t.get(&format!("{url}&unit_id={}", other.unit), &f.reporter).await;
    assert_eq!((s, value(&w, "ticket_count")), (StatusCode::OK, Some(4.0)), "{w}");

    // Every contract of a vendor: a second contract of the same vendor adds its tickets.
    let second = t.system("档案数字化平台", &f.unit).await;
    t.create(
        "contracts",
        json!({"name": "数字化运维合同", "vendor_id": f.vendor, "items": [{
            "name": "数字化运维", "budget_fen": 1_000_000, "start_date": "2026-01-01", "end_date": "2026-12-31",
            "system_ids": [second], "sla_policy_id": f.policy}]}),
    )
    .await;
    t.clock.set(bj("2026-11-24T09:00"));
    let (s, tk) = t
        .post("/api/v1/tickets", &f.reporter, json!({"system_id": second, "type": "request", "title": "扫描件补录"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{tk}");
    let vendor_url = format!("/api/v1/kpis/vendor?vendor_id={}&from=2026-11-01&to=2026-11-30", f.vendor);
    for token in [&t.admin, &f.pm] {
        let (s, w) = t.get(&vendor_url, token).await;
        assert_eq!(
            (s, value(&w, "ticket_count"), value(&w, "request_count")),
            (StatusCode::OK, Some(5.0), Some(1.0)),
            "{w}"
        );
    }
    let (_, w) = t.get(&url, &t.admin).await;
    assert_eq!(value(&w, "ticket_count"), Some(4.0), "the first contract alone");
    let (s, e) = t.get(&vendor_url, &other.pm).await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("vendor_id")),
        "{e}"
    );
    let (s, e) = t.get(&format!("{vendor_url}&unit_id={}", other.unit), &t.admin).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unit_id")));
});
