//! The 等保 cycle tracker: due days by level, assessments, rectification items the vendor
//! reports done and the bureau closes, the year's programme against its quota, and who sees
//! what.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::{bj, fixture};

fn record<'a>(list: &'a Value, system: &str) -> &'a Value {
    list.as_array().unwrap().iter().find(|r| r["system_id"] == system).unwrap()
}

both!(the_dengbao_cycle_is_tracked_to_its_programme, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let other = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "o-").await;
    t.clock.set(bj("2026-12-03T10:00"));
    // A level 3 system (the fixture's) and a level 2 one of another unit.
    let (_, mut sys) = t.get(&format!("/api/v1/systems/{}", f.system), &t.admin).await;
    sys["dengbao_level"] = json!(3);
    let (s, v) = t.put(&format!("/api/v1/systems/{}", f.system), &t.admin, sys).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, mut sys) = t.get(&format!("/api/v1/systems/{}", other.system), &t.admin).await;
    sys["dengbao_level"] = json!(2);
    t.put(&format!("/api/v1/systems/{}", other.system), &t.admin, sys).await;

    // Filed, never assessed: due since its filing.
    let path = format!("/api/v1/dengbao/systems/{}", f.system);
    let filing = json!({"filing_number": "41050013001-25001", "filed_on": "2025-06-01"});
    let (s, _) = t.put(&path, &f.pm, filing.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "filings are the bureau's");
    let (s, r) = t.put(&path, &t.admin, filing).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (r["level"].as_i64(), r["next_due_on"].as_str(), r["overdue"].as_bool()),
        (Some(3), Some("2025-06-01"), Some(true))
    );
    // The audit keeps the filing as it was and as it became.
    let (_, log) = t.get(&format!("/api/v1/audit?object_type=dengbao_record&object_id={}", f.system), &t.admin).await;
    let entry = &log["items"][0];
    assert_eq!((entry["action"].as_str(), entry["before"]["filing_number"].as_str()), (Some("update"), None), "{log}");
    assert_eq!(entry["after"]["filing_number"], "41050013001-25001", "{log}");
    // An assessment moves the next one a year on (level 3); level 2 waits two years.
    let assess = |day: &str| json!({"assessed_on": day, "assessor": "河南省信息安全测评中心", "score": 86.5, "conclusion": "good"});
    let (s, a) = t.post(&format!("{path}/assessments"), &t.admin, assess("2026-03-15")).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let (s, _) = t.post(&format!("{path}/assessments"), &t.admin, assess("2026-03-15")).await;
    assert_eq!(s, StatusCode::CONFLICT, "the same assessment twice");
    let (s, e) = t
        .post(
            &format!("{path}/assessments"),
            &t.admin,
            json!({"assessed_on": "2027-01-01", "score": 101, "conclusion": "great"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["field_errors"].as_array().unwrap().iter().filter_map(|x| x["field"].as_str()).collect();
    assert_eq!(fields, ["assessed_on", "assessor", "score", "conclusion"], "{e}");
    let other_path = format!("/api/v1/dengbao/systems/{}/assessments", other.system);
    let (s, _) = t.post(&other_path, &t.admin, assess("2025-06-01")).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, list) = t.get("/api/v1/dengbao/systems", &t.admin).await;
    let mine = record(&list, &f.system);
    assert_eq!(
        (mine["next_due_on"].as_str(), mine["overdue"].as_bool(), mine["last_score"].as_f64()),
        (Some("2027-03-15"), Some(false), Some(86.5))
    );
    assert_eq!(record(&list, &other.system)["next_due_on"], "2027-06-01");

    // Rectification: the bureau lists it, the vendor reports it done, the bureau closes it.
    let item = json!({"system_id": f.system, "assessment_id": a["id"], "title": "数据库未启用审计日志", "risk": "high", "deadline": "2026-11-30"});
    let (s, _) = t.post("/api/v1/dengbao/items", &f.engineer, item.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, i) = t.post("/api/v1/dengbao/items", &t.admin, item).await;
    assert_eq!((s, i["late"].as_bool()), (StatusCode::CREATED, Some(true)), "{i}");
    let id = i["id"].as_str().unwrap();
    let step = format!("/api/v1/dengbao/items/{id}/transitions");
    let (s, e) = t.post(&step, &f.engineer, json!({"to": "done"})).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("note")));
    let (s, i) = t.post(&step, &f.engineer, json!({"to": "done", "note": "已开启数据库审计并保留 6 个月"})).await;
    assert_eq!((s, i["status"].as_str()), (StatusCode::OK, Some("done")), "{i}");
    let (s, _) = t.post(&step, &f.engineer, json!({"to": "closed"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the vendor does not close what it is measured by");
    let (s, _) = t.post(&step, &other.engineer, json!({"to": "done", "note": "x"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another vendor does not see it");
    let (s, _) = t.post(&step, &f.reporter, json!({"to": "done", "note": "x"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "units move no item");
    let (s, i) = t.post(&step, &t.admin, json!({"to": "closed"})).await;
    assert_eq!((s, i["status"].as_str(), i["late"].as_bool()), (StatusCode::OK, Some("closed"), Some(true)), "{i}");
    let (_, items) = t.get("/api/v1/dengbao/items?status=closed", &f.reporter).await;
    assert_eq!(items.as_array().unwrap().len(), 1);
    let (_, items) = t.get("/api/v1/dengbao/items", &other.reporter).await;
    assert_eq!(items, json!([]), "another unit sees none");
    let (s, _) = t.get("/api/v1/dengbao/items?status=finished", &t.admin).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // The programme of 2026: the level 3 system was due (since its filing) and assessed, late;
    // the level 2 system was not due. The quota is 50 until the bureau sets it.
    let (s, p) = t.get("/api/v1/dengbao/programme/2026", &t.admin).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(
        (p["quota"].as_u64(), p["due_count"].as_u64(), p["assessed_count"].as_u64(), p["on_schedule_count"].as_u64()),
        (Some(50), Some(1), Some(1), Some(0)),
        "{p}"
    );
    assert_eq!(p["due"][0]["system_id"], f.system.as_str());
    let (s, _) = t.put("/api/v1/dengbao/programme/2026", &f.pm, json!({"quota": 60})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, p) = t.put("/api/v1/dengbao/programme/2026", &t.admin, json!({"quota": 60})).await;
    assert_eq!((s, p["quota"].as_u64()), (StatusCode::OK, Some(60)));
    let (s, e) = t.get("/api/v1/dengbao/programme/26", &t.admin).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("year")));
    // The indicators: the filing's due day (2025-06-01) passed unassessed in 2025; the item
    // due in November was closed after its deadline.
    let kpi = |k: &Value, key: &str| k["items"].as_array().unwrap().iter().find(|x| x["key"] == key).cloned().unwrap();
    let (s, k) =
        t.get(&format!("/api/v1/kpis?contract_id={}&from=2025-01-01&to=2025-12-31", f.contract), &t.admin).await;
    assert_eq!(s, StatusCode::OK, "{k}");
    let on_schedule = kpi(&k, "dengbao_on_schedule_rate");
    assert_eq!((on_schedule["value"].as_f64(), on_schedule["denominator"].as_f64()), (Some(0.0), Some(1.0)), "{k}");
    let (_, k) =
        t.get(&format!("/api/v1/kpis?contract_id={}&from=2026-11-01&to=2026-11-30", f.contract), &t.admin).await;
    let closure = kpi(&k, "rectification_closure_rate");
    assert_eq!((closure["value"].as_f64(), closure["denominator"].as_f64()), (Some(0.0), Some(1.0)), "{k}");
    // Units see their systems only; vendors those they maintain.
    let (_, list) = t.get("/api/v1/dengbao/systems", &f.reporter).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (s, _) = t.get(&format!("/api/v1/dengbao/systems/{}/assessments", other.system), &f.pm).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
});
