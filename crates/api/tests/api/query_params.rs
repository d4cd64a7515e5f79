//! Query parameters are declared once (issue 15): the struct a handler decodes is the one
//! `openapi.json` documents. Generated from `openapi.json`, for every GET with query parameters:
//!
//! - each documented parameter, given a valid value, is accepted (2xx);
//! - each documented parameter is read: some value of it changes the answer — a 400 naming it for
//!   a value of the wrong form, or a different answer for a filter matching nothing — so a
//!   parameter that is documented but not decoded (ignored, as every undocumented one is) fails;
//! - undocumented parameters (a cache-buster, a tracking parameter) are ignored: the answer is
//!   the same as without them (docs/architecture.md, "Query parameters").
//!
//! A new parameter whose valid value cannot be told from its schema and name fails here until it
//! is added to `SAMPLES`.

use chrono::{Datelike, Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::sweep_common::{
    Op, Payload, QUERY_GLOBAL, QUERY_TENANT_B, QueryParam, World, operations, path_of, query_string, send, spec, world,
};

/// Valid values that the schema does not tell: (path prefix, or `*` for any path, parameter,
/// value).
const SAMPLES: &[(&str, &str, &str)] = &[
    // Before the catch-all `type` below: a change's type is not a ticket's.
    ("/api/v1/changes", "status", "pending_approval"),
    ("/api/v1/changes", "type", "normal"),
    ("/api/v1/changes", "kind", "change"),
    ("/api/v1/tickets", "status", "open,new"),
    ("/api/v1/vulnerabilities", "status", "unresolved"),
    ("/api/v1/dengbao/items", "status", "closed"),
    ("/api/v1/security-tasks", "status", "open"),
    ("/api/v1/security-events", "status", "open"),
    ("/api/v1/security-events", "grade", "major"),
    ("/api/v1/security-events", "category", "attack"),
    ("/api/v1/security-", "kind", "scan"),
    ("/api/v1/vulnerabilities", "severity", "high,critical"),
    ("/api/v1/vulnerabilities", "source", "self_found"),
    ("/api/v1/approvals", "status", "pending"),
    ("/api/v1/notification-deliveries", "status", "failed"),
    ("/api/v1/assessments/{id}/deductions", "status", "confirmed"),
    ("/api/v1/assessments", "status", "published"),
    ("/api/v1/reports", "status", "issued"),
    ("/api/v1/reports", "kind", "month"),
    ("/api/v1/inspection-tasks", "status", "pending"),
    ("/api/v1/approvals", "kind", "maintenance_window"),
    ("/api/v1/monitors", "kind", "http"),
    ("/api/v1/inspection-templates", "kind", "application"),
    ("/api/v1/assets", "kind", "server"),
    ("*", "type", "incident"),
    ("*", "state", "up"),
    ("*", "criticality", "high"),
    ("*", "role", "engineer"),
    ("*", "by", "month"),
    ("*", "format", "docx"),
    ("*", "order", "desc"),
    ("*", "severity", "P1"),
    ("*", "action", "create"),
    ("*", "object_type", "system"),
    ("*", "q", "系统"),
    ("/api/v1/kpis/trend", "key", "ticket_count"),
    ("/api/v1/backup-policies", "object", "database"),
    ("/api/v1/backup-runs", "result", "success"),
    ("/api/v1/backup-tasks", "kind", "run"),
    ("/api/v1/backup-tasks", "status", "done"),
];

/// Parameters whose effect cannot be seen in the answer, with the reason: only the single
/// sign-on hops, which need a provider and a pending sign-in to show anything (`sso.rs` does).
const UNOBSERVABLE: &[(&str, &str, &str)] = &[
    (
        "/api/v1/auth/sso/{id}/start",
        "return_to",
        "read after sign-in (the SSO tests follow it); the client here follows the redirect to the provider, whose page is the same",
    ),
    (
        "/api/v1/auth/sso/{id}/callback",
        "state",
        "without a pending sign-in every value ends on the same sign-in page; the SSO tests sign in through it",
    ),
    ("/api/v1/auth/sso/{id}/callback", "code", "read only with a pending OIDC sign-in; the SSO tests exchange it"),
    ("/api/v1/auth/sso/{id}/callback", "ticket", "read only with a pending CAS sign-in; the SSO tests validate it"),
    ("/api/v1/auth/sso/{id}/callback", "error", "read only with a pending sign-in, whose provider refused it"),
];

/// The period the samples use — the world's tasks and records fall in it, and it is shorter than
/// the 31 days of per-minute charts — and the bureau's month.
fn days() -> (String, String, String) {
    let today = (Utc::now() + Duration::hours(8)).date_naive();
    let fmt = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    (fmt(today - Duration::days(7)), fmt(today + Duration::days(14)), today.format("%Y-%m").to_string())
}

fn sample(op: &Op, p: &QueryParam, w: &World) -> Result<String, String> {
    if let Some((_, _, v)) =
        SAMPLES.iter().find(|(path, name, _)| (op.path.starts_with(path) || *path == "*") && *name == p.name)
    {
        return Ok(v.to_string());
    }
    if let Some(first) = p.schema["enum"].as_array().and_then(|e| e.first()).and_then(Value::as_str) {
        return Ok(first.to_string());
    }
    let (from, to, month) = days();
    let ty = p.schema["type"].as_str().unwrap_or_default();
    Ok(match (ty, p.schema["format"].as_str(), p.name.as_str()) {
        ("boolean", ..) => "true".into(),
        ("integer", _, "year") => (Utc::now() + Duration::hours(8)).year().to_string(),
        ("integer" | "number", ..) => "1".into(),
        ("string", Some("date-time"), _) => format!("{from}T00:00:00+08:00"),
        ("string", Some("date"), _) | ("string", _, "from" | "expiring_from") => from,
        ("string", _, "to" | "expiring_before") => to,
        ("string", _, "month") => month,
        ("string", _, "sort") => p
            .description
            .split_once("one of: ")
            .and_then(|(_, keys)| keys.split([',', '.']).next())
            .map(|k| k.trim().to_string())
            .ok_or_else(|| format!("{}: `sort` does not name its keys: {:?}", op.label(), p.description))?,
        ("string", ..) => {
            let mut ids =
                QUERY_TENANT_B.iter().map(|(n, k)| (*n, *k)).chain(QUERY_GLOBAL.iter().map(|(n, _, k)| (*n, *k)));
            match ids.find(|(n, _)| *n == p.name) {
                Some((_, key)) => w.b(key),
                None if p.name.ends_with("_id") => {
                    return Err(format!("{}: no object for `{}`; add it to sweep_common's tables", op.label(), p.name));
                }
                None => "x".into(),
            }
        }
        _ => return Err(format!("{}: no sample for `{}` ({}); add one to SAMPLES", op.label(), p.name, p.schema)),
    })
}

/// A value the handler cannot take as it takes the valid one: of the wrong form for typed
/// parameters (a 400 naming it), matching nothing for text and ids (another answer).
fn probe(p: &QueryParam) -> &'static str {
    match p.schema["type"].as_str().unwrap_or_default() {
        "boolean" => "maybe",
        "integer" | "number" => "x",
        _ => "zz-matches-nothing",
    }
}

crate::both!(every_documented_query_parameter_is_accepted_and_read, |t: TestApp| async move {
    let spec = spec();
    let w = world(&t).await;
    // An alert naming no known system, so that the unmatched list has a row to filter.
    let (s, v) = t
        .post(
            "/api/v1/intake/webhook",
            &w.intake["webhook"],
            json!({"system": "没有这个系统", "key": "k-unmatched", "status": "firing", "title": "无主告警"}),
        )
        .await;
    assert!(s.is_success(), "unmatched alert: {s} {v}");
    let ops: Vec<Op> =
        operations(&spec).into_iter().filter(|o| o.method == Method::GET && !o.query.is_empty()).collect();
    assert!(ops.len() >= 30, "only {} reads with query parameters in openapi.json", ops.len());
    let mut problems = Vec::new();
    let mut checked = 0;
    let admin = Some(t.admin.as_str());
    for op in &ops {
        let path = match path_of(op, &w) {
            Ok(p) => p,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let mut base = Vec::new();
        for p in op.query.iter().filter(|p| p.required) {
            match sample(op, p, &w) {
                Ok(v) => base.push((p.name.clone(), v)),
                Err(e) => problems.push(e),
            }
        }
        let call = |pairs: Vec<(String, String)>| {
            let url = format!("{path}{}", query_string(&pairs));
            let t = &t;
            async move {
                (send(t, Method::GET, &url, admin, &Payload::None).await.unwrap_or_else(|e| panic!("{url}: {e}")), url)
            }
        };
        let (plain, url) = call(base.clone()).await;
        if !plain.status.is_success() {
            problems.push(format!("{url}: the required parameters alone answer {} {}", plain.status, plain.body));
            continue;
        }
        // Undocumented parameters are ignored.
        let mut extra = base.clone();
        extra.extend([("_".to_string(), "1764633600000".to_string()), ("utm_source".into(), "邮件".into())]);
        let (a, url) = call(extra).await;
        if a != plain {
            problems.push(format!("{url}: undocumented parameters changed the answer: {} {}", a.status, a.body));
        }
        for p in &op.query {
            checked += 1;
            let with = |v: String| {
                let mut pairs: Vec<_> = base.iter().filter(|(k, _)| *k != p.name).cloned().collect();
                pairs.push((p.name.clone(), v));
                pairs
            };
            match sample(op, p, &w) {
                Err(e) => problems.push(e),
                Ok(v) => {
                    let (a, url) = call(with(v)).await;
                    if !a.status.is_success() {
                        problems.push(format!("{url}: documented `{}` refused: {} {}", p.name, a.status, a.body));
                    }
                }
            }
            if UNOBSERVABLE.iter().any(|(path, name, _)| *path == op.path && *name == p.name) {
                continue;
            }
            // Only `p` differs from the plain call, and an ignored parameter leaves the answer as
            // it was (checked above): a different answer is `p` being read.
            let (a, url) = call(with(probe(p).to_string())).await;
            if a == plain {
                problems.push(format!(
                    "{url}: documented `{}` changes nothing (the value is neither refused nor filters): is it \
                     decoded?",
                    p.name
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{} problems in {checked} parameters:\n{}", problems.len(), problems.join("\n"));
    assert!(checked >= 200, "only {checked} parameters checked");
});
