//! The tenancy and role sweep, generated from `openapi.json`: for every path with a parameter,
//! every method and every bound role, tenant B's object answers exactly as a missing id does
//! (same status, same problem body), never 2xx; the same for every id-valued query parameter;
//! and every write of the auditor is refused. A path whose parameter is not in the tables of
//! `sweep_common.rs` fails the sweep, so a new route is covered the day it is added.
//! `SWEEP_VERBOSE=1` prints every answer.

use std::collections::BTreeMap;
use std::time::Instant;

use reqwest::Method;

use crate::both;
use crate::harness::TestApp;
use crate::sweep_common::{
    Answer, BodyKind, GLOBAL, Op, Payload, QUERY_GLOBAL, QUERY_TENANT_B, TENANT_B, World, fill, fresh_id, operations,
    plausible_body, plausible_query, send, spec, world,
};

/// Writes the auditor may make, with the reason; every other write must answer 403 or 404.
const AUDITOR_MAY: &[(&str, &str)] = &[
    ("POST /api/v1/auth/login", "signing in is public and changes no business data"),
    ("POST /api/v1/auth/logout", "ends the auditor's own session"),
    ("POST /api/v1/auth/password", "changes the auditor's own password"),
    ("POST /api/v1/notifications/read", "marks the auditor's own notifications read"),
    ("PUT /api/v1/me/notification-preferences", "sets how the auditor's own notices reach them"),
    ("POST /api/v1/auth/totp/enroll", "the auditor's own second factor"),
    ("POST /api/v1/auth/totp/confirm", "the auditor's own second factor"),
    ("POST /api/v1/auth/totp/disable", "the auditor's own second factor"),
    ("POST /api/v1/sla/simulate", "a computation: stores nothing"),
    ("POST /api/v1/calendars/{id}/preview", "a computation: stores nothing"),
    (
        "POST /api/v1/intake/alertmanager",
        "authenticated by an integration token, not a session (a session answers 401)",
    ),
    ("POST /api/v1/intake/webhook", "authenticated by an integration token, not a session (a session answers 401)"),
    ("POST /api/v1/intake/backup-runs", "authenticated by an integration token, not a session (a session answers 401)"),
];

enum Param {
    /// Tenant B's object, and a fresh id in its place.
    Tenant(String, String),
    /// A global object: the same in both calls.
    Global(String),
}

/// How each path parameter of `op` is filled; unmapped ones are reported in `problems`.
fn path_params(op: &Op, w: &World, problems: &mut Vec<String>) -> Option<BTreeMap<String, Param>> {
    let mut out = BTreeMap::new();
    for p in &op.path_params {
        let coll = op.collection_of(p);
        if let Some((.., key)) = GLOBAL.iter().find(|g| g.0 == coll && g.1 == p) {
            out.insert(p.clone(), Param::Global(w.b(key)));
        } else if let Some((.., key)) = TENANT_B.iter().find(|g| g.0 == coll && g.1 == p) {
            out.insert(p.clone(), Param::Tenant(w.b(key), fresh_id()));
        } else {
            problems.push(format!(
                "{}: path parameter `{p}` (after `/{coll}/`) is in neither TENANT_B nor GLOBAL in \
                 crates/api/tests/api/sweep_common.rs; add it there, with the object `world()` creates for it",
                op.label()
            ));
            return None;
        }
    }
    Some(out)
}

fn paths(op: &Op, params: &BTreeMap<String, Param>) -> (String, String) {
    let pick = |real: bool| -> BTreeMap<String, String> {
        params
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Param::Global(g) => g.clone(),
                    Param::Tenant(b, missing) => (if real { b } else { missing }).clone(),
                };
                (k.clone(), v)
            })
            .collect()
    };
    (fill(&op.path, &pick(true)), fill(&op.path, &pick(false)))
}

fn query(pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let mut s = form_urlencoded::Serializer::new(String::new());
    pairs.iter().for_each(|(k, v)| {
        s.append_pair(k, v);
    });
    format!("?{}", s.finish())
}

fn payload(op: &Op, body: &Option<serde_json::Value>) -> Payload {
    match (&op.body, body) {
        (BodyKind::Multipart, _) => Payload::Png,
        (_, Some(b)) => Payload::Json(b.clone()),
        _ => Payload::None,
    }
}

struct Sweep<'a> {
    t: &'a TestApp,
    sent: usize,
    problems: Vec<String>,
}

impl Sweep<'_> {
    async fn call(&mut self, op: &Op, path: &str, token: &str, body: &Payload) -> Option<Answer> {
        self.sent += 1;
        match send(self.t, op.method.clone(), path, Some(token), body).await {
            Ok(a) => Some(a),
            Err(e) => {
                self.problems.push(format!("{} ({path}): {e}", op.label()));
                None
            }
        }
    }

    /// Tenant B's object and a missing one must answer alike; one named in the path must not be
    /// found (`by_path`).
    async fn compare(&mut self, role: &str, token: &str, op: &Op, (real, missing): (String, String), body: &Payload) {
        let by_path = real.split('?').next() != missing.split('?').next();
        let (Some(b), Some(m)) = (self.call(op, &real, token, body).await, self.call(op, &missing, token, body).await)
        else {
            return;
        };
        if std::env::var("SWEEP_VERBOSE").is_ok() {
            println!("{role}: {} {real} → {} {}", op.method, b.status, b.body);
        }
        if b != m || (by_path && b.status.is_success()) {
            self.problems.push(format!(
                "{role}: {} — tenant B's object ({real}) answered {} {}, a missing id answered {} {}",
                op.label(),
                b.status,
                b.body,
                m.status,
                m.body
            ));
        }
    }
}

both!(another_tenants_objects_answer_exactly_as_missing_ones, |t: TestApp| async move {
    let spec = spec();
    let mut ops = operations(&spec);
    // Deletes last, so that a delete that wrongly went through spoils no other comparison.
    ops.sort_by_key(|o| o.method == Method::DELETE);
    let w = world(&t).await;
    let started = Instant::now();
    let mut s = Sweep { t: &t, sent: 0, problems: Vec::new() };
    let roles = [("unit user of A", &w.ua), ("vendor_pm of vendor 1", &w.pm1), ("engineer of vendor 1", &w.eng1)];
    let mut swept = 0;
    for op in &ops {
        let Some(params) = path_params(op, &w, &mut s.problems) else { continue };
        let body = plausible_body(&spec, op, &w);
        let required: Vec<(String, String)> =
            op.query.iter().filter(|q| q.required).map(|q| (q.name.clone(), plausible_query(&q.name, &w))).collect();
        let tenant_path = params.values().any(|p| matches!(p, Param::Tenant(..)));
        if tenant_path {
            swept += 1;
            let (real, missing) = paths(op, &params);
            let q = query(&required);
            for (role, token) in roles {
                s.compare(role, token, op, (format!("{real}{q}"), format!("{missing}{q}")), &payload(op, &body)).await;
            }
        }
        // Id-valued query parameters of reads: tenant B's id filters exactly like a missing one.
        if op.method != Method::GET {
            continue;
        }
        for qp in op.query.iter().filter(|q| q.name.ends_with("_id")) {
            if QUERY_GLOBAL.iter().any(|g| g.0 == qp.name) {
                continue;
            }
            let Some((_, key)) = QUERY_TENANT_B.iter().find(|g| g.0 == qp.name) else {
                s.problems.push(format!(
                    "{}: query parameter `{}` holds an id but is in neither QUERY_TENANT_B nor QUERY_GLOBAL in \
                     crates/api/tests/api/sweep_common.rs; add it there",
                    op.label(),
                    qp.name
                ));
                continue;
            };
            swept += 1;
            let (real, missing) = paths(op, &params);
            let with = |id: String| {
                let mut pairs: Vec<(String, String)> =
                    required.iter().filter(|(k, _)| *k != qp.name).cloned().collect();
                pairs.push((qp.name.clone(), id));
                query(&pairs)
            };
            let (b_query, m_query) = (with(w.b(key)), with(fresh_id()));
            for (role, token) in roles {
                let pair = (format!("{real}{b_query}"), format!("{missing}{m_query}"));
                s.compare(role, token, op, pair, &Payload::None).await;
            }
        }
    }
    // The auditor sees everything and changes nothing.
    for op in ops.iter().filter(|o| o.is_write()) {
        if AUDITOR_MAY.iter().any(|(l, _)| *l == op.label()) {
            continue;
        }
        let Some(params) = path_params(op, &w, &mut Vec::new()) else { continue };
        let (real, _) = paths(op, &params);
        let body = payload(op, &plausible_body(&spec, op, &w));
        if let Some(a) = s.call(op, &real, &w.auditor, &body).await
            && ![403, 404].contains(&a.status.as_u16())
        {
            s.problems.push(format!(
                "auditor: {} ({real}) answered {} {}, expected 403 or 404",
                op.label(),
                a.status,
                a.body
            ));
        }
    }
    println!(
        "tenancy sweep ({:?}): {swept} operation/parameter cases, {} requests in {:.1} s",
        t.backend,
        s.sent,
        started.elapsed().as_secs_f64()
    );
    assert!(s.problems.is_empty(), "{} problems:\n{}", s.problems.len(), s.problems.join("\n"));
});

/// Writes the security administrator may make besides the auditor's: accounts, roles, the
/// security policy and the identity providers.
const SECURITY_ADMIN_MAY: &[&str] = &[
    "POST /api/v1/users",
    "PUT /api/v1/users/{id}",
    "DELETE /api/v1/users/{id}",
    "PUT /api/v1/security-policy",
    "POST /api/v1/sso-providers",
    "PUT /api/v1/sso-providers/{id}",
    "DELETE /api/v1/sso-providers/{id}",
    "POST /api/v1/sso-providers/{id}/test",
    "POST /api/v1/sso-providers/{id}/test-redirect",
];

/// Writes the system administrator may not make once duties are separated.
const ADMIN_MAY_NOT: &[&str] = &[
    "POST /api/v1/users",
    "PUT /api/v1/users/{id}",
    "DELETE /api/v1/users/{id}",
    "PUT /api/v1/security-policy",
    "POST /api/v1/sso-providers",
    "PUT /api/v1/sso-providers/{id}",
    "DELETE /api/v1/sso-providers/{id}",
    "POST /api/v1/sso-providers/{id}/test",
    "POST /api/v1/sso-providers/{id}/test-redirect",
];

// 三权分立, over every mutating endpoint of openapi.json: with separation on, the auditor and the
// security administrator are refused every write but their own (listed above), the system
// administrator is refused accounts, roles and the policy, and only the auditor reads the audit.
both!(the_three_administrators_each_do_only_their_own_work, |t: TestApp| async move {
    let spec = spec();
    let w = world(&t).await;
    let security = t.user("anquan", "security_admin", None, None).await;
    let (s, v) = t.get("/api/v1/security-policy", &t.admin).await;
    assert_eq!(s.as_u16(), 200, "{v}");
    let mut policy = v.clone();
    policy["separation_of_duties"] = serde_json::json!(true);
    let (s, v) = t.put("/api/v1/security-policy", &t.admin, policy.clone()).await;
    assert_eq!(s.as_u16(), 200, "{v}");
    let mut s = Sweep { t: &t, sent: 0, problems: Vec::new() };
    let ops = operations(&spec);
    for op in ops.iter().filter(|o| o.is_write()) {
        let label = op.label();
        let Some(params) = path_params(op, &w, &mut Vec::new()) else { continue };
        let (real, _) = paths(op, &params);
        let body = payload(op, &plausible_body(&spec, op, &w));
        let refused = |who: &str, a: Option<Answer>, problems: &mut Vec<String>| {
            if let Some(a) = a
                && ![403, 404].contains(&a.status.as_u16())
            {
                problems.push(format!("{who}: {label} ({real}) answered {} {}, expected 403 or 404", a.status, a.body));
            }
        };
        let own = AUDITOR_MAY.iter().any(|(l, _)| *l == label);
        if !own && !SECURITY_ADMIN_MAY.contains(&label.as_str()) {
            let a = s.call(op, &real, &security, &body).await;
            refused("security administrator", a, &mut s.problems);
        }
        if !own {
            let a = s.call(op, &real, &w.auditor, &body).await;
            refused("auditor", a, &mut s.problems);
        }
        if ADMIN_MAY_NOT.contains(&label.as_str()) {
            let a = s.call(op, &real, &t.admin, &body).await;
            refused("system administrator", a, &mut s.problems);
        }
    }
    // Reading the audit is the auditor's alone.
    assert_eq!(t.get("/api/v1/audit", &w.auditor).await.0.as_u16(), 200);
    assert_eq!(t.get("/api/v1/audit", &t.admin).await.0.as_u16(), 403);
    assert_eq!(t.get("/api/v1/audit", &security).await.0.as_u16(), 403);
    // The security administrator changes a role; the system administrator may not.
    let (_, users) = t.get("/api/v1/users?q=shenji", &security).await;
    let id = users["items"][0]["id"].as_str().unwrap().to_string();
    let body = serde_json::json!({"username": "shenji", "role": "unit_user", "unit_id": w.b("unit")});
    assert_eq!(t.put(&format!("/api/v1/users/{id}"), &t.admin, body.clone()).await.0.as_u16(), 403);
    let (st, v) = t.put(&format!("/api/v1/users/{id}"), &security, body).await;
    assert_eq!(st.as_u16(), 200, "{v}");
    // The security administrator heard of it.
    let (_, inbox) = t.get("/api/v1/notifications", &security).await;
    assert!(inbox["items"].as_array().unwrap().iter().any(|n| n["kind"] == "security"), "{inbox}");
    assert!(s.problems.is_empty(), "{} problems:\n{}", s.problems.len(), s.problems.join("\n"));
});
