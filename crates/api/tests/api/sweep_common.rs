//! Shared by the two sweeps generated from `openapi.json`: the operations it documents, a world
//! of two tenants holding one object of every kind, a plausible body for every operation, and a
//! raw HTTP call that reports what came back (or that the connection was dropped).

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{PASSWORD, TestApp};

/// A tiny valid PNG header: enough for the type sniffer of uploads.
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-sweep";

/// What a path parameter names in the world, by the collection segment before it and the
/// parameter's name. Every path parameter of `openapi.json` must be in one of the two tables;
/// a new path whose parameter is in neither fails both sweeps until it is added here.
///
/// Tenant-scoped objects: the tenancy sweep substitutes tenant B's object.
pub const TENANT_B: &[(&str, &str, &str)] = &[
    ("units", "id", "unit"),
    ("systems", "id", "system"),
    ("assets", "id", "asset"),
    ("vendors", "id", "vendor"),
    ("contracts", "id", "contract"),
    ("items", "item_id", "item"),
    ("users", "id", "user"),
    ("certificates", "cert_id", "certificate"),
    ("tickets", "id", "ticket"),
    ("attachments", "attachment_id", "attachment"),
    ("monitors", "id", "monitor"),
    ("maintenance", "window_id", "window"),
    ("inspection-plans", "id", "plan"),
    ("inspection-tasks", "id", "task"),
    ("photos", "photo_id", "photo"),
    ("inspection-records", "id", "record"),
    // Policies are scoped: one named by a contract item is seen by whoever sees the item.
    ("policies", "id", "policy"),
    // Integration accounts belong to the bureau (admin only), not to a tenant; they are swept
    // anyway, since an answer that differed between an existing and a missing one would still
    // tell a caller which ids exist.
    ("integrations", "id", "integration"),
    // A request tenant B's vendor filed about tenant B's system.
    ("approvals", "id", "approval"),
    // Evidence tenant B's vendor gave with that request.
    ("files", "file_id", "approval_file"),
    // A duty shift of tenant B's vendor on its contract.
    ("duty-shifts", "id", "duty_shift"),
    // A published assessment of tenant B's contract, and a deduction of it.
    ("assessments", "id", "assessment"),
    ("deductions", "deduction_id", "deduction"),
    // Tenant B's unit, scoring its part of an assessment.
    ("units", "unit_id", "unit"),
    // A payment recorded on tenant B's contract.
    ("payments", "payment_id", "payment"),
    // A periodic report of tenant B's contract, and a report it owes.
    ("reports", "id", "report"),
    ("report-definitions", "id", "report_definition"),
    // A session of tenant B's manager: only its owner may end it.
    ("sessions", "id", "session"),
    // A finding of tenant B's system in the vulnerability ledger, and the scan import behind it.
    ("vulnerabilities", "id", "vulnerability"),
    ("vulnerability-imports", "id", "scan_import"),
    // Tenant B's system in the 等保 tracker, and a rectification item of it.
    ("systems", "system_id", "system"),
    ("items", "id", "dengbao_item"),
    // Tenant B's system's scan plan, and a report tenant B's vendor filed against it.
    ("security-plans", "id", "security_plan"),
    ("security-records", "id", "security_record"),
    // A security event on tenant B's system.
    ("security-events", "id", "security_event"),
    // Tenant B's system's backup policy, a run of it and a restore drill.
    ("backup-policies", "id", "backup_policy"),
    ("backup-runs", "id", "backup_run"),
    ("restore-drills", "id", "restore_drill"),
    // A change tenant B's vendor asked for on its system, and a delegation between its unit's users.
    ("changes", "id", "change"),
    ("approval-delegations", "id", "delegation"),
];

/// Deliberately global objects, excluded from the tenancy sweep (the reason is the third
/// field); the input sweep still fills them with the world's object (the fourth field).
pub const GLOBAL: &[(&str, &str, &str, &str)] = &[
    (
        "calendars",
        "id",
        "working calendars are shared reference data: every tenant's policies and plans count in them",
        "calendar",
    ),
    (
        "holiday-sets",
        "id",
        "the national holiday sets are shared reference data, read by every calendar",
        "holiday_set",
    ),
    ("years", "year", "a year of a (global) holiday set, not an object", "year"),
    (
        "inspection-templates",
        "id",
        "checklists are shared: every tenant's plans refer to them; only the bureau writes them",
        "template",
    ),
    (
        "assessment-templates",
        "id",
        "考核表 templates are the bureau's, shared by every contract's assessments",
        "assessment_template",
    ),
    ("criteria", "key", "a criterion's key in the assessment's template, not an object", "criterion"),
    (
        "notification-channels",
        "id",
        "notification channels are the bureau's, used by every tenant's ladders; administrators only",
        "notification_channel",
    ),
    (
        "notification-rules",
        "id",
        "routing rules are the bureau's defaults across tenants; administrators only",
        "notification_rule",
    ),
    (
        "sso-providers",
        "id",
        "identity providers are the bureau's, for every tenant's people; the security administrator's",
        "sso_provider",
    ),
    ("sso", "id", "the sign-in page's providers are public by design (see GLOBAL sso-providers)", "sso_provider"),
    ("tests", "state", "a test sign-in's random state, kept for the administrator who ran it", "sso_state"),
    ("programme", "year", "a year of the 等保 programme, not an object", "year"),
    (
        "scan-mappings",
        "id",
        "a scanner export's column layout is the same for every tenant (绿盟 is 绿盟); it holds no tenant data",
        "scan_mapping",
    ),
];

/// Query parameters holding an id: the tenancy sweep fills them with tenant B's object too.
pub const QUERY_TENANT_B: &[(&str, &str)] = &[
    ("system_id", "system"),
    ("unit_id", "unit"),
    ("vendor_id", "vendor"),
    ("contract_id", "contract"),
    ("contract_item_id", "item"),
    ("plan_id", "plan"),
    ("assignee_id", "user"),
    ("reporter_id", "user"),
    ("user_id", "user"),
    // The audit log is the bureau's and the auditor's only; for the others both answers are 403.
    ("actor_id", "user"),
    ("object_id", "system"),
    // Approvals about a monitor, plan or ticket.
    ("subject_id", "ticket"),
    // The findings one scan import brought.
    ("import_id", "scan_import"),
    // Runs, drills and periods of one backup policy.
    ("policy_id", "backup_policy"),
];

/// Query ids of global objects (reason), with the world's object for the input sweep.
pub const QUERY_GLOBAL: &[(&str, &str, &str)] = &[
    ("template_id", "checklists are global (see GLOBAL)", "template"),
    ("calendar_id", "calendars are global (see GLOBAL)", "calendar"),
    ("channel_id", "notification channels are global (see GLOBAL)", "notification_channel"),
];

#[derive(Debug, Clone)]
pub enum BodyKind {
    None,
    Json(Value),
    Multipart,
}

#[derive(Debug, Clone)]
pub struct QueryParam {
    pub name: String,
    pub required: bool,
    /// Its schema (`$ref`s followed) and description, as documented.
    pub schema: Value,
    pub description: String,
}

/// One operation of `openapi.json`.
#[derive(Debug, Clone)]
pub struct Op {
    pub method: Method,
    pub path: String,
    pub op_id: String,
    pub path_params: Vec<String>,
    pub query: Vec<QueryParam>,
    pub body: BodyKind,
}

impl Op {
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    pub fn is_write(&self) -> bool {
        matches!(self.method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE)
    }

    /// The collection segment before `{param}`.
    pub fn collection_of(&self, param: &str) -> String {
        let segs: Vec<&str> = self.path.split('/').collect();
        let i = segs.iter().position(|s| *s == format!("{{{param}}}")).unwrap_or(0);
        segs.get(i.wrapping_sub(1)).copied().unwrap_or("").to_string()
    }
}

/// `openapi.json` at the repository root, read at run time so new paths are swept at once.
pub fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    serde_json::from_str(&text).expect("openapi.json is JSON")
}

/// Follows `$ref`s.
pub fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap_or_default();
            resolve(spec, &spec["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// Every operation, in document order.
pub fn operations(spec: &Value) -> Vec<Op> {
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (m, o) in item.as_object().expect("path item") {
            let method = match m.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                "put" => Method::PUT,
                "patch" => Method::PATCH,
                "delete" => Method::DELETE,
                _ => continue,
            };
            let params = o["parameters"].as_array().cloned().unwrap_or_default();
            let of = |place: &str| params.iter().filter(move |p| p["in"] == place).cloned().collect::<Vec<_>>();
            let path_params = of("path").iter().map(|p| p["name"].as_str().unwrap().to_string()).collect();
            let query = of("query")
                .iter()
                .map(|p| QueryParam {
                    name: p["name"].as_str().unwrap().to_string(),
                    required: p["required"].as_bool().unwrap_or(false),
                    schema: resolve(spec, &p["schema"]).clone(),
                    description: p["description"].as_str().unwrap_or_default().to_string(),
                })
                .collect();
            let content = &o["requestBody"]["content"];
            let body = if let Some(s) = content.get("application/json") {
                BodyKind::Json(s["schema"].clone())
            } else if content.get("multipart/form-data").is_some() {
                BodyKind::Multipart
            } else {
                BodyKind::None
            };
            ops.push(Op {
                method,
                path: path.clone(),
                op_id: o["operationId"].as_str().unwrap_or_default().to_string(),
                path_params,
                query,
                body,
            });
        }
    }
    ops
}

/// The operation's path with the world's objects in it: tenant B's, or the global ones.
pub fn path_of(op: &Op, w: &World) -> Result<String, String> {
    let mut values = BTreeMap::new();
    for p in &op.path_params {
        let coll = op.collection_of(p);
        let key = TENANT_B
            .iter()
            .find(|g| g.0 == coll && g.1 == p)
            .map(|g| g.2)
            .or_else(|| GLOBAL.iter().find(|g| g.0 == coll && g.1 == p).map(|g| g.3))
            .ok_or_else(|| {
                format!(
                    "{}: path parameter `{p}` (after `/{coll}/`) is in neither TENANT_B nor GLOBAL in \
                     crates/api/tests/api/sweep_common.rs; add it there",
                    op.label()
                )
            })?;
        values.insert(p.clone(), w.b(key));
    }
    Ok(fill(&op.path, &values))
}

/// `?a=1&b=2`, percent-encoded; empty without pairs.
pub fn query_string(pairs: &[(String, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    pairs.iter().for_each(|(k, v)| {
        s.append_pair(k, v);
    });
    let q = s.finish();
    if q.is_empty() { q } else { format!("?{q}") }
}

/// Puts `values[param]` into the path template.
pub fn fill(path: &str, values: &BTreeMap<String, String>) -> String {
    values.iter().fold(path.to_string(), |p, (k, v)| p.replace(&format!("{{{k}}}"), v))
}

/// A well-formed id that names nothing: a fresh UUIDv7.
pub fn fresh_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Two tenants. A: unit A with a system and an asset, vendor 1 whose contract covers A's system,
/// and the three bound callers (a unit user of A, vendor 1's project manager and engineer).
/// B: one object of every kind, under unit B and vendor 2 (whose contract covers B's system).
pub struct World {
    pub ua: String,
    pub pm1: String,
    pub eng1: String,
    pub auditor: String,
    /// Tenant A's objects, for plausible bodies ("unit", "system", "vendor", "engineer", …).
    pub a: BTreeMap<&'static str, String>,
    /// Tenant B's objects and the global ones, by the keys of the tables above.
    pub b: BTreeMap<&'static str, String>,
    /// Integration tokens by kind (`webhook`, `alertmanager`, `backup`).
    pub intake: BTreeMap<&'static str, String>,
    /// A valid SLA policy (seed template 004-row-04).
    pub policy: Value,
}

impl World {
    pub fn b(&self, key: &str) -> String {
        self.b.get(key).unwrap_or_else(|| panic!("the world has no `{key}`")).clone()
    }
    pub fn a(&self, key: &str) -> String {
        self.a.get(key).unwrap_or_else(|| panic!("the world has no A-side `{key}`")).clone()
    }
}

async fn user_id(t: &TestApp, username: &str, role: &str, unit: Option<&str>, vendor: Option<&str>) -> String {
    t.create(
        "users",
        json!({"username": username, "role": role, "unit_id": unit, "vendor_id": vendor, "password": PASSWORD}),
    )
    .await
}

async fn upload(t: &TestApp, path: &str, extra: &[(&str, &str)]) -> Value {
    let mut form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("p.png"));
    for (k, v) in extra {
        form = form.text(k.to_string(), v.to_string());
    }
    let res = t.client.post(format!("{}{path}", t.base)).bearer_auth(&t.admin).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "upload {path}");
    res.json().await.unwrap()
}

async fn created(t: &TestApp, path: &str, body: Value) -> Value {
    let (s, v) = t.post(path, &t.admin, body).await;
    assert_eq!(s, StatusCode::CREATED, "create {path}: {v}");
    v
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

pub async fn world(t: &TestApp) -> World {
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    let unit_a = t.unit("甲单位").await;
    let sys_a = t.system("甲系统", &unit_a).await;
    let vendor_1 = t.vendor("供应商一").await;
    let contract_a = t.contract("合同一", &vendor_1, &[&sys_a]).await;
    let ua = t.user("ua", "unit_user", Some(&unit_a), None).await;
    let pm1 = t.user("pm1", "vendor_pm", None, Some(&vendor_1)).await;
    let eng1 = t.user("eng1", "engineer", None, Some(&vendor_1)).await;
    let auditor = t.user("shenji", "auditor", None, None).await;
    let (_, eng) = t.get("/api/v1/users?q=eng1", &t.admin).await;
    a.insert("engineer", eng["items"][0]["id"].as_str().unwrap().to_string());
    a.insert("unit", unit_a);
    a.insert("system", sys_a);
    a.insert("vendor", vendor_1);
    let backup_a =
        json!({"system_id": a["system"], "object": "files", "frequency": {"every": "day"}, "retention_days": 7});
    a.insert("backup_policy", id(&created(t, "/api/v1/backup-policies", backup_a).await));
    a.insert("contract", contract_a);

    let unit = t.unit("乙单位").await;
    let system = t.system("乙系统", &unit).await;
    let asset = t.create("assets", json!({"name": "乙服务器", "kind": "server", "system_id": system})).await;
    let vendor = t.vendor("供应商二").await;
    let (_, tpl) = t.get("/api/v1/sla/templates", &t.admin).await;
    let policy_body =
        tpl["items"].as_array().unwrap().iter().find(|x| x["id"] == "004-row-04").unwrap()["policy"].clone();
    let policy = t.create("sla/policies", policy_body.clone()).await;
    let contract = created(
        t,
        "/api/v1/contracts",
        json!({"name": "合同二", "vendor_id": vendor, "items": [{"name": "乙分项", "budget_fen": 100,
            "start_date": "2026-01-01", "end_date": "2027-12-31", "system_ids": [system], "sla_policy_id": policy}]}),
    )
    .await;
    let item = contract["items"][0]["id"].as_str().unwrap().to_string();
    user_id(t, "ub", "unit_user", Some(&unit), None).await;
    user_id(t, "pm2", "vendor_pm", None, Some(&vendor)).await;
    let user = user_id(t, "eng2", "engineer", None, Some(&vendor)).await;
    let certificate = id(&created(t, &format!("/api/v1/users/{user}/certificates"), json!({"name": "CISP"})).await);
    let ticket = id(&created(
        t,
        "/api/v1/tickets",
        json!({"system_id": system, "type": "incident", "title": "乙系统无法登录", "description": "502"}),
    )
    .await);
    created(t, &format!("/api/v1/tickets/{ticket}/comments"), json!({"body": "已收到"})).await;
    let attachment = id(&upload(t, &format!("/api/v1/tickets/{ticket}/attachments"), &[]).await);
    let monitor = id(&created(
        t,
        "/api/v1/monitors",
        json!({"system_id": system, "kind": "http", "target": "http://127.0.0.1:9/", "interval_seconds": 3600, "expect": {}}),
    )
    .await);
    let window = id(&created(
        t,
        &format!("/api/v1/systems/{system}/maintenance"),
        json!({"name": "例行维护", "window": {"repeat": "once", "start": "2099-01-01T00:00:00Z", "end": "2099-01-01T01:00:00Z"}}),
    )
    .await);
    let template = t
        .create(
            "inspection-templates",
            json!({"name": "日常巡检", "kind": "application", "items": [
                {"id": "up", "name": "系统可访问", "result_type": "normal_abnormal"}]}),
        )
        .await;
    let plan = t
        .create(
            "inspection-plans",
            json!({"system_id": system, "template_id": template, "recurrence": {"every": "day"}, "assignee_id": user}),
        )
        .await;
    let (_, tasks) = t.get(&format!("/api/v1/inspection-tasks?plan_id={plan}&page_size=5"), &t.admin).await;
    let task_id = |i: usize| tasks["items"][i]["id"].as_str().unwrap_or_else(|| panic!("tasks: {tasks}")).to_string();
    let (task, recorded) = (task_id(0), task_id(1));
    let photo = id(&upload(t, &format!("/api/v1/inspection-tasks/{task}/photos"), &[("item_id", "up")]).await);
    let record = id(&created(
        t,
        &format!("/api/v1/inspection-tasks/{recorded}/record"),
        json!({"results": [{"item_id": "up", "result": "normal"}]}),
    )
    .await);
    let mut intake = BTreeMap::new();
    let mut integration = String::new();
    for kind in ["webhook", "alertmanager", "backup"] {
        let v = created(t, "/api/v1/integrations", json!({"name": format!("{kind} 接入"), "kind": kind})).await;
        integration = id(&v["integration"]);
        intake.insert(kind, v["token"].as_str().unwrap().to_string());
    }
    let pm2 = t.login("pm2", crate::harness::PASSWORD).await;
    // A session of tenant B's manager, by the id its owner sees (the SHA-256 of the token).
    let session = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(pm2.as_bytes()));
    let (s, req) = t
        .post(
            &format!("/api/v1/systems/{system}/maintenance"),
            &pm2,
            json!({"window": {"repeat": "once", "start": "2099-02-01T00:00:00Z", "end": "2099-02-01T01:00:00Z"}}),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "request: {req}");
    let approval = id(&req);
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("通知.png"));
    let res = t
        .client
        .post(format!("{}/api/v1/approvals/{approval}/files", t.base))
        .bearer_auth(&pm2)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "evidence for the request");
    let approval_file = id(&res.json::<Value>().await.unwrap());
    let duty_shift = id(&created(
        t,
        "/api/v1/duty-shifts",
        json!({"contract_id": id(&contract), "user_id": user, "starts_at": "2099-03-01T00:00:00Z",
            "ends_at": "2099-03-01T08:00:00Z"}),
    )
    .await);
    let (_, templates) = t.get("/api/v1/assessment-templates", &t.admin).await;
    let assessment_template =
        templates["items"].as_array().unwrap().iter().find(|x| x["key"] == "004-deduction").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
    let assessment = id(&created(
        t,
        "/api/v1/assessments",
        json!({"contract_id": id(&contract), "template_id": assessment_template, "from": "2026-01-01", "to": "2026-03-31"}),
    )
    .await);
    created(
        t,
        &format!("/api/v1/assessments/{assessment}/deductions"),
        json!({"criterion_key": "staffing", "reason": "驻场人数不足"}),
    )
    .await;
    let (_, ds) = t.get(&format!("/api/v1/assessments/{assessment}/deductions"), &t.admin).await;
    let deduction = id(&ds["items"][0]);
    let (s, v) = t.post(&format!("/api/v1/assessments/{assessment}/publish"), &t.admin, json!({})).await;
    assert_eq!(s, StatusCode::OK, "publish: {v}");
    let payment = id(&created(
        t,
        &format!("/api/v1/contracts/{}/payments", id(&contract)),
        json!({"paid_on": "2026-01-15", "amount_fen": 1, "voucher": "记-001"}),
    )
    .await);
    let report = id(&created(
        t,
        "/api/v1/reports",
        json!({"contract_id": id(&contract), "kind": "month", "start": "2026-01-01"}),
    )
    .await);
    let report_definition = id(&created(
        t,
        &format!("/api/v1/contracts/{}/report-definitions", id(&contract)),
        json!({"template": "001-quarterly", "auto": false}),
    )
    .await);
    // Issued, so that its files have a version 1.
    let narrative = json!({"sections": {"summary": "正常", "problems": "无", "plan": "继续", "suggestions": "无"}});
    let (s, v) = t.put(&format!("/api/v1/reports/{report}/narrative"), &pm2, narrative).await;
    assert_eq!(s, StatusCode::OK, "narrative: {v}");
    let (s, v) = t.post(&format!("/api/v1/reports/{report}/submit"), &pm2, json!({})).await;
    assert_eq!(s, StatusCode::OK, "submit: {v}");
    let (s, v) = t.post(&format!("/api/v1/reports/{report}/accept"), &t.admin, json!({})).await;
    assert_eq!(s, StatusCode::OK, "accept: {v}");
    let calendar = id(&created(t, "/api/v1/calendars", calendar_body("数据局工作日历")).await);
    let holiday_set = id(&created(t, "/api/v1/holiday-sets", json!({"code": "sweep", "name": "扫描用节假日"})).await);
    let sms = json!({"kind": "sms", "name": "扫描用短信", "config": {"provider": "generic", "url": "http://127.0.0.1:9/sms",
        "body_template": "{phone} {content}", "content_type": "text/plain"}});
    let notification_channel = id(&created(t, "/api/v1/notification-channels", sms).await);
    let rule = json!({"role": "engineer", "channel_id": notification_channel});
    let notification_rule = id(&created(t, "/api/v1/notification-rules", rule).await);
    // A test to a closed port: the delivery log has a failed attempt to filter.
    let test = format!("/api/v1/notification-channels/{notification_channel}/test");
    let (s, v) = t.post(&test, &t.admin, json!({"to": "13800000000"})).await;
    assert_eq!((s, &v["status"]), (StatusCode::OK, &json!("failed")), "{v}");
    // The CAS server is Yunwei itself: the sweeps' client follows the redirect to somewhere that answers.
    let cas = json!({"kind": "cas", "name": "扫描用统一认证", "config": {"server_url": format!("{}/cas", t.base)},
        "mapping": [{"attribute": "dept", "value": "x", "role": "auditor"}]});
    let sso_provider = id(&created(t, "/api/v1/sso-providers", cas).await);
    let finding =
        json!({"system_id": system, "title": "乙系统弱口令", "severity": "high", "host": "10.2.0.1", "port": 22});
    let (s, v) = t.post("/api/v1/vulnerabilities", &pm2, finding).await;
    assert_eq!(s, StatusCode::CREATED, "vulnerability: {v}");
    let vulnerability = id(&v);
    let nessus = "<NessusClientData_v2><Report name=\"s\"><ReportHost name=\"10.2.0.1\">\
        <ReportItem port=\"80\" protocol=\"tcp\" severity=\"2\" pluginID=\"1\" pluginName=\"HTTP TRACE\"/>\
        </ReportHost></Report></NessusClientData_v2>";
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(nessus.as_bytes().to_vec()).file_name("b.nessus"))
        .text("system_id", system.clone());
    let res = t.client.post(format!("{}/api/v1/vulnerability-imports", t.base)).bearer_auth(&pm2).multipart(form);
    let res = res.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let imported: Value = res.json().await.unwrap();
    let scan_import = imported["import"]["id"].as_str().unwrap().to_string();
    let mapping = json!({"name": "扫描用列映射", "mapping": {"title": "漏洞名称", "severity": "风险等级"}});
    let scan_mapping = id(&created(t, "/api/v1/scan-mappings", mapping).await);
    let rectification =
        json!({"system_id": system, "title": "乙系统未开启审计", "risk": "high", "deadline": "2026-12-31"});
    let dengbao_item = id(&created(t, "/api/v1/dengbao/items", rectification).await);
    let today = app::bureau_date(app::clock::Clock::now(&t.clock));
    let year_start = format!("{}-01-01", chrono::Datelike::year(&today));
    let scan_plan = json!({"system_id": system, "kind": "scan", "recurrence": {"every": "month", "day": 1},
        "start_date": year_start, "notes": "乙系统月度扫描"});
    let security_plan = id(&created(t, "/api/v1/security-plans", scan_plan).await);
    let today = today.to_string();
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(b"%PDF-1.4 report".to_vec()).file_name("r.pdf"))
        .text("system_id", system.clone())
        .text("kind", "scan")
        .text("performed_on", today.clone())
        .text("summary", "乙系统月度扫描");
    let res = t.client.post(format!("{}/api/v1/security-records", t.base)).bearer_auth(&pm2).multipart(form);
    let res = res.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let security_record = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let event = json!({"title": "乙系统遭受暴力破解", "category": "attack", "grade": "general",
        "system_ids": [system], "description": "SSH 登录失败激增"});
    let (s, v) = t.post("/api/v1/security-events", &pm2, event).await;
    assert_eq!(s, StatusCode::CREATED, "security event: {v}");
    let security_event = id(&v);
    let backup = json!({"system_id": system, "name": "乙系统数据库备份", "object": "database",
        "frequency": {"every": "day"}, "start_date": year_start, "retention_days": 30, "rpo_minutes": 60,
        "rto_minutes": 240, "drill_frequency": {"every": "quarter", "month": 1, "day": 1}, "notes": "乙系统每日备份"});
    let backup_policy = id(&created(t, "/api/v1/backup-policies", backup).await);
    let now = app::clock::Clock::now(&t.clock);
    let run = json!({"policy_id": backup_policy, "started_at": (now - chrono::Duration::hours(1)).to_rfc3339(),
        "finished_at": (now - chrono::Duration::minutes(30)).to_rfc3339(), "result": "success", "tool": "RMAN",
        "stored_at": "/backup/乙", "message": "乙系统备份"});
    let backup_run = id(&created(t, "/api/v1/backup-runs", run).await);
    let drill = [
        ("policy_id", backup_policy.as_str()),
        ("performed_on", today.as_str()),
        ("restored", "true"),
        ("restore_minutes", "90"),
        ("data_loss_minutes", "0"),
        ("summary", "乙系统恢复演练"),
    ];
    let restore_drill = id(&upload(t, "/api/v1/restore-drills", &drill).await);
    let change = json!({"system_ids": [system], "type": "normal", "title": "乙系统补丁升级",
        "planned_start": (now + chrono::Duration::days(1)).to_rfc3339(),
        "planned_end": (now + chrono::Duration::days(1) + chrono::Duration::hours(2)).to_rfc3339(),
        "rollback_plan": "乙系统回退"});
    let (s, v) = t.post("/api/v1/changes", &pm2, change).await;
    assert_eq!(s, StatusCode::CREATED, "change: {v}");
    let change = id(&v);
    let ub2 = user_id(t, "ub2", "unit_user", Some(&unit), None).await;
    let ub = t.login("ub", crate::harness::PASSWORD).await;
    let delegation = json!({"delegate_id": ub2, "starts_on": today, "ends_on": today, "reason": "乙单位出差"});
    let (s, v) = t.post("/api/v1/approval-delegations", &ub, delegation).await;
    assert_eq!(s, StatusCode::CREATED, "delegation: {v}");
    let delegation = id(&v);
    for (k, v) in [
        ("backup_policy", backup_policy),
        ("backup_run", backup_run),
        ("restore_drill", restore_drill),
        ("change", change),
        ("delegation", delegation),
        ("security_event", security_event),
        ("security_plan", security_plan),
        ("security_record", security_record),
        ("dengbao_item", dengbao_item),
        ("vulnerability", vulnerability),
        ("scan_import", scan_import),
        ("scan_mapping", scan_mapping),
        ("sso_provider", sso_provider),
        ("sso_state", "no-such-state".to_string()),
        ("unit", unit),
        ("system", system),
        ("asset", asset),
        ("vendor", vendor),
        ("contract", id(&contract)),
        ("item", item),
        ("user", user),
        ("certificate", certificate),
        ("ticket", ticket),
        ("attachment", attachment),
        ("monitor", monitor),
        ("window", window),
        ("plan", plan),
        ("task", task),
        ("photo", photo),
        ("record", record),
        ("policy", policy),
        ("integration", integration),
        ("approval", approval),
        ("approval_file", approval_file),
        ("duty_shift", duty_shift),
        ("calendar", calendar),
        ("holiday_set", holiday_set),
        ("year", "2026".to_string()),
        ("template", template),
        ("assessment_template", assessment_template),
        ("assessment", assessment),
        ("deduction", deduction),
        ("payment", payment),
        ("report", report),
        ("report_definition", report_definition),
        ("criterion", "staffing".to_string()),
        ("session", session),
        ("notification_channel", notification_channel),
        ("notification_rule", notification_rule),
    ] {
        b.insert(k, v);
    }
    World { ua, pm1, eng1, auditor, a, b, intake, policy: policy_body }
}

pub fn calendar_body(name: &str) -> Value {
    let day = json!([["08:30", "12:00"], ["13:30", "17:30"]]);
    json!({"name": name, "time_zone": "Asia/Shanghai", "holiday_sets": ["cn"], "overrides": [],
        "weekly": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": [], "sun": []}})
}

/// A body that passes validation for the operation (naming tenant A's objects where it names
/// any), so a handler that skipped a lookup would answer 2xx rather than a 4xx about the body.
/// Operations not listed get one built from their schema.
pub fn plausible_body(spec: &Value, op: &Op, w: &World) -> Option<Value> {
    let BodyKind::Json(schema) = &op.body else { return None };
    let (unit, system, vendor, engineer) = (w.a("unit"), w.a("system"), w.a("vendor"), w.a("engineer"));
    let item = json!({"name": "新分项", "budget_fen": 1, "start_date": "2026-01-01", "end_date": "2026-12-31", "system_ids": [system]});
    Some(match op.op_id.as_str() {
        "assets_create" | "assets_update" => json!({"name": "新资产", "kind": "server", "system_id": system}),
        "auth_login" => json!({"username": "nobody", "password": "wrong"}),
        "assessments_set_points" | "assessments_appeal" => json!({"points": 1, "reason": "复核"}),
        "assessments_set_veto" => json!({"vetoed": false, "reason": "复核"}),
        "assessments_add_deduction" => json!({"criterion_key": "staffing", "reason": "复核"}),
        "assessments_rule_deduction" | "assessments_rule_all" => json!({"confirmed": true}),
        "assessment_templates_copy" => json!({"key": "sweep-copy"}),
        "payments_record" => json!({"paid_on": "2026-01-20", "amount_fen": 1, "voucher": "记-002"}),
        "reports_create" => json!({"contract_id": w.a("contract"), "kind": "month", "start": "2026-02-01"}),
        "reports_narrative" => json!({"sections": {"summary": "本月工作正常"}}),
        "reports_return" => json!({"note": "请补充", "findings": [{"text": "数据不全"}]}),
        "reports_reissue" => json!({"reason": "复核"}),
        "reports_create_definition" | "reports_update_definition" => json!({"template": "002-monthly", "auto": false}),
        "assessment_templates_update" => json!({"name": "考核表", "appeal_days": 5,
            "sections": [{"name": "服务", "criteria": [{"key": "all", "name": "综合", "max_points": 100, "rule": {"kind": "manual"}}]}],
            "grades": [{"min": 0, "name": "合格", "pay": {"kind": "full"}}]}),
        "calendars_create" | "calendars_update" | "calendars_preview" => calendar_body("新日历"),
        "contracts_create" | "contracts_update" => json!({"name": "新合同", "vendor_id": vendor, "items": [item]}),
        "contracts_add_item" | "contracts_update_item" => item,
        "holidays_create" => json!({"code": "x", "name": "新节假日"}),
        "holidays_put_year" => json!({"entries": [{"date": "2026-10-01", "kind": "holiday", "name": "国庆节"}]}),
        "inspection_plans_create" | "inspection_plans_update" => {
            json!({"system_id": system, "template_id": w.b("template"), "recurrence": {"every": "working_day"}})
        }
        "inspection_tasks_record" => json!({"results": [{"item_id": "up", "result": "normal"}]}),
        "inspection_templates_create" | "inspection_templates_update" => {
            json!({"name": "新模板", "kind": "application",
            "items": [{"id": "up", "name": "可访问", "result_type": "normal_abnormal"}]})
        }
        "intake_webhook" => json!({"system": system, "key": "k1", "status": "firing", "title": "告警"}),
        "intake_alertmanager" => json!({"version": "4", "status": "firing", "receiver": "yunwei", "alerts": [
            {"status": "firing", "labels": {"alertname": "HostDown", "yunwei_system": system},
             "annotations": {}, "startsAt": "2026-11-30T00:00:00Z", "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "f1"}]}),
        "integrations_create" => json!({"name": "新接入", "kind": "webhook"}),
        "backup_policies_create" | "backup_policies_update" => {
            json!({"system_id": system, "object": "database", "frequency": {"every": "day"}, "retention_days": 30})
        }
        "backup_runs_create" | "intake_backup_run" => json!({"policy_id": w.a("backup_policy"),
            "started_at": "2026-11-30T01:00:00+08:00", "finished_at": "2026-11-30T01:30:00+08:00", "result": "failed"}),
        "changes_create" | "changes_amend" => json!({"system_ids": [system], "type": "normal", "title": "变更",
            "planned_start": "2099-03-01T00:00:00Z", "planned_end": "2099-03-01T02:00:00Z", "rollback_plan": "回退"}),
        "changes_decide" => json!({"decision": "approve"}),
        "changes_finish" => json!({"outcome": "success"}),
        "changes_cancel" => json!({"reason": "取消"}),
        "monitors_create" | "monitors_update" => {
            json!({"system_id": system, "kind": "http", "target": "http://127.0.0.1:9/", "interval_seconds": 3600, "expect": {}})
        }
        "tickets_read_notifications" => json!({}),
        "sla_create" | "sla_update" => w.policy.clone(),
        "sla_simulate" => json!({"calendar_id": "preset-5x8", "reported_at": "2026-11-30T10:00:00+08:00",
            "targets": {"resolve": {"kind": "business", "minutes": 240}}}),
        "systems_create" | "systems_update" => json!({"name": "新系统", "unit_id": unit}),
        "maintenance_add" => {
            json!({"window": {"repeat": "once", "start": "2099-01-01T00:00:00Z", "end": "2099-01-01T01:00:00Z"}})
        }
        "tickets_create" => json!({"system_id": system, "type": "incident", "title": "新工单"}),
        "tickets_assign" => json!({"assignee_id": engineer}),
        "tickets_comment" => json!({"body": "留言"}),
        "tickets_milestone" => json!({"metric": "plan", "note": "方案"}),
        "tickets_outage" => json!({"cause": "carrier"}),
        "tickets_rate" => json!({"rating": 5}),
        "tickets_transition" => json!({"to": "responded"}),
        "units_create" | "units_update" | "vendors_create" | "vendors_update" => json!({"name": "新名称"}),
        "users_create" | "users_update" => {
            json!({"username": "newuser", "role": "unit_user", "unit_id": unit, "password": PASSWORD})
        }
        "users_create_certificate" | "users_update_certificate" => json!({"name": "CISP"}),
        _ => example(spec, schema, 0),
    })
}

/// A value of the schema's shape: its required and optional properties with simple values.
pub fn example(spec: &Value, schema: &Value, depth: usize) -> Value {
    let s = resolve(spec, schema);
    if depth > 4 {
        return Value::Null;
    }
    if let Some(first) = s["oneOf"].as_array().and_then(|v| v.first()).or_else(|| s["allOf"].get(0)) {
        return example(spec, first, depth + 1);
    }
    if let Some(e) = s["enum"].as_array().and_then(|v| v.first()) {
        return e.clone();
    }
    let ty = match &s["type"] {
        Value::String(t) => t.clone(),
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null").to_string(),
        _ if s.get("properties").is_some() => "object".into(),
        _ => "null".into(),
    };
    match ty.as_str() {
        "object" => Value::Object(
            s["properties"]
                .as_object()
                .map(|p| p.iter().map(|(k, v)| (k.clone(), example(spec, v, depth + 1))).collect())
                .unwrap_or_default(),
        ),
        "array" => json!([example(spec, &s["items"], depth + 1)]),
        "string" => match s["format"].as_str() {
            Some("date") => json!("2026-11-30"),
            Some("date-time") => json!("2026-11-30T02:00:00Z"),
            _ => json!("x"),
        },
        "integer" | "number" => json!(1),
        "boolean" => json!(false),
        _ => Value::Null,
    }
}

/// A plausible value for a query parameter, by name.
pub fn plausible_query(name: &str, w: &World) -> String {
    match name {
        "from" => "2026-11-01".into(),
        "to" => "2026-11-30".into(),
        "month" => "2026-11".into(),
        "format" => "xlsx".into(),
        "system_id" => w.b("system"),
        "contract_id" => w.b("contract"),
        "contract_item_id" => w.b("item"),
        _ => "1".into(),
    }
}

/// What is sent.
pub enum Payload {
    None,
    Json(Value),
    /// Raw bytes with a content type (or none).
    Raw(Vec<u8>, Option<&'static str>),
    /// A multipart form with a PNG as `file`.
    Png,
}

/// What came back, comparable between two calls: the status and the body without its request
/// id (xlsx as its cells, other binaries by type and length).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

pub async fn send(
    t: &TestApp,
    method: Method,
    path_and_query: &str,
    token: Option<&str>,
    payload: &Payload,
) -> Result<Answer, String> {
    let mut req = t.client.request(method, format!("{}{path_and_query}", t.base));
    if let Some(tk) = token {
        req = req.bearer_auth(tk);
    }
    req = match payload {
        Payload::None => req,
        Payload::Json(v) => req.json(v),
        Payload::Raw(bytes, ct) => {
            let r = req.body(bytes.clone());
            match ct {
                Some(ct) => r.header("content-type", *ct),
                None => r,
            }
        }
        Payload::Png => req.multipart(
            reqwest::multipart::Form::new()
                .part("file", reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("p.png")),
        ),
    };
    let res = req.send().await.map_err(|e| format!("no answer: {e}"))?;
    let status = res.status();
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let bytes = res.bytes().await.map_err(|e| format!("answer cut off: {e}"))?;
    let body = if ct.starts_with("application/json") {
        let mut v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if let Some(o) = v.as_object_mut() {
            o.remove("request_id");
        }
        v
    } else if ct.contains("spreadsheetml") {
        match report::xlsx::read_table(&bytes) {
            Ok(table) => json!({"xlsx": format!("{:?} {:?}", table.headers, table.rows)}),
            Err(e) => json!({"xlsx_error": e.to_string()}),
        }
    } else {
        json!({"content_type": ct, "len": bytes.len()})
    };
    Ok(Answer { status, body })
}
