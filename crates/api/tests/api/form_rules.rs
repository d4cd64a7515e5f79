//! The rules of every form, one table: an impossible or insane value is refused with the field
//! named (never rolled over, clamped or stored), and a sane one next to it is accepted.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;

fn named(body: &Value) -> Vec<String> {
    body["field_errors"]
        .as_array()
        .map_or(vec![], |a| a.iter().map(|e| e["field"].as_str().unwrap().to_string()).collect())
}

both!(every_form_refuses_what_cannot_be_meant, |t: TestApp| async move {
    let vendor = t.vendor("规则运维公司").await;
    let unit = t.unit("规则单位").await;
    let system = t.system("规则系统", &unit).await;
    let contract = |signed: &str, start: &str, budget: i64, target: f64| {
        json!({"name": "规则合同", "vendor_id": vendor, "signed_on": signed, "items": [{"name": "分项", "budget_fen": budget,
            "start_date": start, "end_date": "2026-12-31", "system_ids": [system], "availability_target": target}]})
    };
    let user = |phone: &str, email: &str| {
        json!({"username": format!("rule{}", phone.len() + email.len()), "role": "admin", "password": "Rules#Strong2026",
            "phone": phone, "email": email})
    };
    let long = "长".repeat(5001);
    let sim = |at: &str, target: Value| json!({"calendar_id": "preset-5x8", "reported_at": at, "targets": {"resolve": target}});
    let cases: Vec<(&str, &str, Value, Option<&str>)> = vec![
        // Units and vendors: a telephone is a telephone.
        ("POST", "/api/v1/units", json!({"name": "电话单位", "contact_phone": "abc-不是电话"}), Some("contact_phone")),
        ("POST", "/api/v1/units", json!({"name": "电话单位", "contact_phone": "1234"}), Some("contact_phone")),
        ("POST", "/api/v1/units", json!({"name": "电话单位", "contact_phone": "0372-1234567转8012"}), None),
        (
            "POST",
            "/api/v1/vendors",
            json!({"name": "电话公司", "contact_phone": "138-0000-0000-0000-0000-12"}),
            Some("contact_phone"),
        ),
        ("POST", "/api/v1/vendors", json!({"name": "电话公司", "contact_phone": "+86 138 0000 0000"}), None),
        // People: telephone and e-mail.
        ("POST", "/api/v1/users", user("abc", ""), Some("phone")),
        ("POST", "/api/v1/users", user("", "a@b"), Some("email")),
        ("POST", "/api/v1/users", user("", "li si@example.cn"), Some("email")),
        ("POST", "/api/v1/users", user("13800000000", "lisi@anyang.gov.cn"), None),
        // Contracts: dates of this century, never rolled over; money and targets in range.
        ("POST", "/api/v1/contracts", contract("2099-13-45", "2026-01-01", 100, 99.0), Some("signed_on")),
        ("POST", "/api/v1/contracts", contract("2100-01-01", "2026-01-01", 100, 99.0), Some("signed_on")),
        ("POST", "/api/v1/contracts", contract("2025-12-20", "1999-12-31", 100, 99.0), Some("items[0].start_date")),
        ("POST", "/api/v1/contracts", contract("2025-12-20", "2026-01-01", -100, 99.0), Some("items[0].budget_fen")),
        (
            "POST",
            "/api/v1/contracts",
            contract("2025-12-20", "2026-01-01", 100, 100.5),
            Some("items[0].availability_target"),
        ),
        (
            "POST",
            "/api/v1/contracts",
            contract("2025-12-20", "2026-01-01", 100, 0.0),
            Some("items[0].availability_target"),
        ),
        ("POST", "/api/v1/contracts", contract("2025-12-20", "2026-01-01", 100, 99.9), None),
        // Tickets: a description a person wrote, not a log dump.
        (
            "POST",
            "/api/v1/tickets",
            json!({"system_id": system, "type": "request", "title": "长描述", "description": long}),
            Some("description"),
        ),
        (
            "POST",
            "/api/v1/tickets",
            json!({"system_id": system, "type": "request", "title": "标".repeat(201)}),
            Some("title"),
        ),
        // The deadline simulator: this century, a target of something, no silent cap.
        (
            "POST",
            "/api/v1/sla/simulate",
            sim("1900-01-01T09:00:00+08:00", json!({"kind": "calendar", "minutes": 60})),
            Some("reported_at"),
        ),
        (
            "POST",
            "/api/v1/sla/simulate",
            sim("2026-03-10T09:00:00+08:00", json!({"kind": "calendar", "minutes": 0})),
            Some("targets.resolve"),
        ),
        (
            "POST",
            "/api/v1/sla/simulate",
            sim("2026-03-10T09:00:00+08:00", json!({"kind": "working_days", "days": 1000})),
            Some("targets.resolve"),
        ),
        (
            "POST",
            "/api/v1/sla/simulate",
            sim("2026-03-10T09:00:00+08:00", json!({"kind": "working_days", "days": 100000})),
            Some("targets.resolve"),
        ),
        (
            "POST",
            "/api/v1/sla/simulate",
            sim("2026-03-10T09:00:00+08:00", json!({"kind": "working_days", "days": 3})),
            None,
        ),
        // Lists: a range that runs backwards is explained, not answered with an empty page.
        ("GET", "/api/v1/tickets?from=2026-03-01&to=2026-02-01", Value::Null, Some("to")),
        ("GET", "/api/v1/inspection-tasks?from=2026-03-01&to=2026-02-01", Value::Null, Some("to")),
        ("GET", "/api/v1/inspection-records?from=2026-03-01&to=2026-02-01", Value::Null, Some("to")),
        ("GET", "/api/v1/audit?from=2026-03-01&to=2026-02-01", Value::Null, Some("to")),
        ("GET", "/api/v1/tickets?from=2026-02-01&to=2026-02-01", Value::Null, None),
    ];
    let mut problems = Vec::new();
    for (method, path, body, field) in cases {
        let (s, v) = match method {
            "GET" => t.get(path, &t.admin).await,
            _ => t.post(path, &t.admin, body.clone()).await,
        };
        let ok = match field {
            Some(f) => {
                matches!(s, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST)
                    && named(&v).iter().any(|x| x == f)
            }
            None => s.is_success(),
        };
        if !ok {
            let shown: String = body.to_string().chars().take(160).collect();
            problems.push(format!("{method} {path} {shown}: expected {field:?}, got {s} {v}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Nothing refused was stored.
    let (_, units) = t.get("/api/v1/units?q=电话单位", &t.admin).await;
    assert_eq!(units["total"], 1);
    let (_, contracts) = t.get("/api/v1/contracts?q=规则合同", &t.admin).await;
    assert_eq!(contracts["total"], 1);
});
