//! Targets on a contract item judge the indicators: repeat faults and major incidents over
//! back-filled tickets, availability caps over recorded interruptions, a monthly cap judged month
//! by month, and the seeds' target templates.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::{bj, fixture};

fn kpi<'a>(v: &'a Value, key: &str) -> &'a Value {
    v["items"].as_array().unwrap().iter().find(|k| k["key"] == key).unwrap_or_else(|| panic!("{key}: {v}"))
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

/// An interruption of `system` from `start` for `minutes`, as a monitor would record it.
async fn interruption(t: &TestApp, system: &str, unit: &str, start: &str, minutes: i64) {
    let started_at = bj(start);
    let row = store::monitoring::InterruptionRow {
        id: store::new_id(),
        system_id: system.into(),
        unit_id: unit.into(),
        monitor_id: None,
        alert_key: Some(format!("test-{start}")),
        source: "测试告警".into(),
        started_at,
        ended_at: None,
        error: None,
        ticket_id: None,
    };
    let tx = t.app.store().begin().await.unwrap();
    assert!(store::monitoring::open_interruption(&tx, &row, started_at).await.unwrap());
    store::monitoring::close_interruption(&tx, &row.id, started_at + chrono::Duration::minutes(minutes)).await.unwrap();
    tx.commit().await.unwrap();
}

both!(targets_judge_the_figures_window_by_window, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let (_, contract) = t.get(&format!("/api/v1/contracts/{}", f.contract), &t.admin).await;
    let item = contract["items"][0]["id"].as_str().unwrap().to_string();
    let (_, templates) = t.get("/api/v1/kpis/target-templates", &f.pm).await;
    let (_, catalogue) = t.get("/api/v1/kpis/catalogue", &f.pm).await;
    for tpl in templates["items"].as_array().unwrap() {
        for target in tpl["targets"].as_array().unwrap() {
            assert!(catalogue.to_string().contains(&format!("\"key\":{}", target["key"])), "{target}");
        }
    }
    let seed = templates["items"].as_array().unwrap().iter().find(|x| x["id"] == "002-99").unwrap().clone();
    let mut targets = seed["targets"].as_array().unwrap().clone();
    targets.push(json!({"key": "repeat_fault_rate", "op": "at_most", "value": 0.1}));
    targets.push(json!({"key": "downtime_per_system_max_minutes", "op": "at_most", "value": 60, "per": "month"}));
    let body = |targets: Value| {
        json!({"name": "运维合同", "vendor_id": f.vendor, "items": [{"id": item, "name": "软件运维",
            "budget_fen": 10_000_000, "start_date": "2026-01-01", "end_date": "2026-12-31",
            "system_ids": [f.system], "sla_policy_id": f.policy, "availability_target": 99.9, "targets": targets}]})
    };
    // A rate is a fraction; an unknown indicator is named; the vendor cannot set its own targets.
    let (s, e) = t
        .put(
            &format!("/api/v1/contracts/{}", f.contract),
            &t.admin,
            body(json!([
            {"key": "response_on_time_rate", "op": "at_least", "value": 98},
            {"key": "uptime", "op": "at_least", "value": 0.9}])),
        )
        .await;
    let fields: Vec<_> = e["field_errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
    assert_eq!(
        (s, fields),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["items[0].targets[0].value", "items[0].targets[1].key"])
    );
    let (s, _) = t.put(&format!("/api/v1/contracts/{}", f.contract), &f.pm, body(json!(targets.clone()))).await;
    assert!(s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND, "{s}");
    let (s, saved) = t.put(&format!("/api/v1/contracts/{}", f.contract), &t.admin, body(json!(targets))).await;
    assert_eq!(s, StatusCode::OK, "{saved}");
    assert_eq!(saved["items"][0]["targets"].as_array().unwrap().len(), 6, "{saved}");

    // Incidents, back-filled: 1 October (major), 2 November (major, 32 days later: not a
    // repeat), 20 November (major, a repeat of the 2nd), 25 November (minor, a repeat).
    for (at, level) in [
        ("2026-10-01T09:00", "一级（紧急）"),
        ("2026-11-02T09:00", "一级（紧急）"),
        ("2026-11-20T09:00", "一级（紧急）"),
        ("2026-11-25T09:00", "三级（一般）"),
    ] {
        let (s, tk) = t
            .post(
                "/api/v1/tickets",
                &t.admin,
                json!({"system_id": f.system, "type": "incident", "severity": level, "title": format!("故障 {at}"),
                "channel": "phone", "reported_at": bj(at).to_rfc3339()}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{tk}");
    }
    // Interruptions: 30 minutes in October, 70 in November.
    interruption(&t, &f.system, &f.unit, "2026-10-10T03:00", 30).await;
    interruption(&t, &f.system, &f.unit, "2026-11-10T03:00", 70).await;
    t.clock.set(bj("2026-12-01T09:00"));

    let url = format!("/api/v1/kpis?contract_id={}&from=2026-11-01&to=2026-11-30", f.contract);
    let (s, nov) = t.get(&url, &t.admin).await;
    assert_eq!(s, StatusCode::OK, "{nov}");
    let repeat = kpi(&nov, "repeat_fault_rate");
    assert_eq!((repeat["numerator"].as_f64(), repeat["denominator"].as_f64()), (Some(2.0), Some(3.0)), "{repeat}");
    assert_eq!((repeat["target"].as_f64(), repeat["met"].as_bool()), (Some(0.1), Some(false)));
    let major = kpi(&nov, "major_incidents_per_system_max");
    assert_eq!((major["value"].as_f64(), major["met"].as_bool()), (Some(2.0), Some(false)), "{major}");
    assert_eq!(kpi(&nov, "incidents_per_system_max")["value"].as_f64(), Some(3.0));
    let longest = kpi(&nov, "longest_interruption_minutes");
    assert_eq!(
        (longest["value"].as_f64(), longest["met"].as_bool()),
        (Some(70.0), Some(false)),
        "56 a year: {longest}"
    );
    assert_eq!(kpi(&nov, "interruption_count")["value"].as_f64(), Some(1.0));
    let low = kpi(&nov, "availability_min");
    assert!(close(low["value"].as_f64(), 1.0 - 70.0 / 43_200.0), "{low}");
    assert_eq!(low["breakdown"][0]["id"], f.system.as_str());
    assert_eq!(kpi(&nov, "availability_below_target_count")["value"].as_f64(), Some(1.0), "99.9 % promised");
    // A figure without a target has no verdict.
    assert_eq!(kpi(&nov, "ticket_count")["met"], Value::Null);

    // Two months: the monthly cap of 60 minutes holds in October (30) and is missed in November
    // (70), though the most of one system over both is 100.
    let two = format!("/api/v1/kpis?contract_id={}&from=2026-10-01&to=2026-11-30", f.contract);
    let (_, v) = t.get(&two, &t.admin).await;
    let cap = kpi(&v, "downtime_per_system_max_minutes");
    assert_eq!((cap["value"].as_f64(), cap["met"].as_bool()), (Some(100.0), Some(false)), "{cap}");
    assert_eq!(
        cap["targets"][0]["missed"],
        json!([{"from": "2026-11-01", "to": "2026-11-30", "value": 70.0}]),
        "{cap}"
    );
    assert_eq!(kpi(&v, "interruption_count")["value"].as_f64(), Some(2.0));
    assert!(close(kpi(&v, "downtime_minutes")["value"].as_f64(), 100.0));
    assert_eq!(kpi(&v, "repeat_fault_rate")["denominator"].as_f64(), Some(4.0), "October's incident counts too");
    // The trend: month by month, each judged.
    let trend = format!(
        "/api/v1/kpis/trend?contract_id={}&key=downtime_per_system_max_minutes&from=2026-10-01&to=2026-11-30",
        f.contract
    );
    let (s, tr) = t.get(&trend, &f.pm).await;
    assert_eq!(s, StatusCode::OK, "{tr}");
    let points: Vec<_> = tr["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["from"].as_str().unwrap(), p["kpi"]["value"].as_f64(), p["kpi"]["met"].as_bool()))
        .collect();
    assert_eq!(points, vec![("2026-10-01", Some(30.0), Some(true)), ("2026-11-01", Some(70.0), Some(false))]);
    let (s, e) = t.get(&trend.replace("downtime_per_system_max_minutes", "uptime"), &t.admin).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("key")), "{e}");
    let (s, _) = t.get(&trend, &f.engineer).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // October alone meets the cap.
    let (_, oct) =
        t.get(&format!("/api/v1/kpis?contract_id={}&from=2026-10-01&to=2026-10-31", f.contract), &t.admin).await;
    assert_eq!(kpi(&oct, "downtime_per_system_max_minutes")["met"].as_bool(), Some(true));

    // One item of the contract: the same figures; an item of another contract is named.
    let (s, one) = t.get(&format!("{url}&contract_item_id={item}"), &t.admin).await;
    assert_eq!((s, kpi(&one, "repeat_fault_rate")["met"].as_bool()), (StatusCode::OK, Some(false)), "{one}");
    let other = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "o-").await;
    let (_, oc) = t.get(&format!("/api/v1/contracts/{}", other.contract), &t.admin).await;
    let foreign = oc["items"][0]["id"].as_str().unwrap();
    let (s, e) = t.get(&format!("{url}&contract_item_id={foreign}"), &t.admin).await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("contract_item_id")),
        "{e}"
    );
    // The unit's user sees its own system's figures; another unit's system has none to show.
    let (_, mine) = t.get(&url, &f.reporter).await;
    assert_eq!(kpi(&mine, "interruption_count")["value"].as_f64(), Some(1.0));
});
