use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;

fn fields(body: &Value) -> Vec<String> {
    body["field_errors"]
        .as_array()
        .map_or(vec![], |a| a.iter().map(|e| e["field"].as_str().unwrap().to_string()).collect())
}

both!(bad_input_names_the_field, |t: TestApp| async move {
    let (s, body) = t.post("/api/v1/units", &t.admin, json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["name"]);
    assert_eq!(body["field_errors"][0]["message"], "必填");
    assert!(body["request_id"].as_str().is_some_and(|r| !r.is_empty()));

    // English on request.
    let res = t
        .client
        .post(format!("{}/api/v1/units", t.base))
        .bearer_auth(&t.admin)
        .header("accept-language", "en-US,en;q=0.9")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["field_errors"][0]["message"], "is required");

    // A wrong JSON type names its path.
    let (s, body) = t
        .post("/api/v1/contracts", &t.admin, json!({"name": "c", "vendor_id": "v", "items": [{"budget_fen": "一百"}]}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&body), ["items[0].budget_fen"]);
    // Not JSON at all.
    let res =
        t.client.post(format!("{}/api/v1/units", t.base)).bearer_auth(&t.admin).body("{name:").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // Nested item errors, all at once.
    let vendor = t.vendor("供应商").await;
    let (s, body) = t
        .post("/api/v1/contracts", &t.admin, json!({"name": "c", "vendor_id": vendor, "items": [
            {"name": "a", "budget_fen": -5, "start_date": "2026-07-01", "end_date": "2026-06-01"},
            {"name": "b", "budget_fen": 1, "start_date": "2026/07/01", "end_date": "2026-12-31", "system_ids": ["nope"]}
        ]}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["items[0].budget_fen", "items[0].end_date", "items[1].start_date"]);

    // References that do not exist.
    let (s, body) = t.post("/api/v1/contracts", &t.admin, json!({"name": "c", "vendor_id": "missing"})).await;
    assert_eq!((s, fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["vendor_id".to_string()]));
    let (s, body) = t
        .post("/api/v1/contracts", &t.admin, json!({"name": "c", "vendor_id": vendor, "items": [{"name": "a", "budget_fen": 1, "start_date": "2026-01-01", "end_date": "2026-12-31", "system_ids": ["ghost"]}]}))
        .await;
    assert_eq!((s, fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["items[0].system_ids[0]".to_string()]));
    let (s, body) = t.post("/api/v1/systems", &t.admin, json!({"name": "x", "unit_id": "ghost"})).await;
    assert_eq!((s, fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["unit_id".to_string()]));
    let (s, body) = t
        .post(
            "/api/v1/users",
            &t.admin,
            json!({"username": "u", "role": "unit_user", "unit_id": "ghost", "password": "Passw0rd!x"}),
        )
        .await;
    assert_eq!((s, fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["unit_id".to_string()]));
    let (s, body) =
        t.post("/api/v1/users", &t.admin, json!({"username": "u", "role": "admin", "password": "weak"})).await;
    assert_eq!((s, fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["password".to_string()]));

    // Duplicates answer 409 naming the field, and the original survives.
    let unit = t.unit("安阳市图书馆").await;
    let (s, body) = t.post("/api/v1/units", &t.admin, json!({"name": "安阳市图书馆"})).await;
    assert_eq!((s, fields(&body)), (StatusCode::CONFLICT, vec!["name".to_string()]));
    t.system("智慧图书馆", &unit).await;
    let (s, _) = t.post("/api/v1/systems", &t.admin, json!({"name": "智慧图书馆", "unit_id": unit})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, list) = t.get("/api/v1/units", &t.admin).await;
    assert_eq!(list["total"], 1);

    // Bad list parameters.
    let (s, body) = t.get("/api/v1/systems?page=0&page_size=x&sort=password&order=sideways", &t.admin).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&body), ["page_size", "page", "sort", "order"]);
    let (s, body) = t.get("/api/v1/audit?from=yesterday", &t.admin).await;
    assert_eq!((s, fields(&body)), (StatusCode::BAD_REQUEST, vec!["from".to_string()]));

    // Oversized and hostile input is refused cleanly.
    let (s, body) = t.post("/api/v1/units", &t.admin, json!({"name": "单".repeat(201)})).await;
    assert_eq!((s, fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["name".to_string()]));
    let (s, _) = t.post("/api/v1/units", &t.admin, json!({"name": "'; DROP TABLE units; --"})).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(t.get("/api/v1/units", &t.admin).await.1["total"], 2);
    let (s, _) = t.get("/api/v1/nowhere", &t.admin).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
});

// What a careless script or a hostile client sends: every answer is a 4xx problem body naming
// the field, on both databases (PostgreSQL refuses NUL bytes outright), and nothing is stored.
both!(hostile_input_is_refused_cleanly, |t: TestApp| async move {
    let (s, body) = t
        .call(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "ad\u{0}min", "password": "x"})),
        )
        .await;
    assert_eq!((s, fields(&body)), (StatusCode::BAD_REQUEST, vec!["username".to_string()]), "{body}");
    let (s, body) = t.post("/api/v1/units", &t.admin, json!({"name": "单位\u{0}", "notes": "ok"})).await;
    assert_eq!((s, fields(&body)), (StatusCode::BAD_REQUEST, vec!["name".to_string()]), "{body}");
    let vendor = t.vendor("供应商").await;
    let (s, body) = t
        .post("/api/v1/contracts", &t.admin, json!({"name": "c", "vendor_id": vendor, "items": [
            {"name": "a", "budget_fen": 1, "start_date": "2026-01-01", "end_date": "2026-12-31", "system_ids": ["ok", "x\u{1b}[31m"]}
        ]}))
        .await;
    assert_eq!((s, fields(&body)), (StatusCode::BAD_REQUEST, vec!["items[0].system_ids[1]".to_string()]), "{body}");
    // Lists that would exceed the databases' parameter limits are refused by size first.
    let many: Vec<String> = (0..70_000).map(|i| format!("s{i}")).collect();
    let (s, body) = t
        .post(
            "/api/v1/contracts",
            &t.admin,
            json!({"name": "c", "vendor_id": vendor, "items": [
                {"name": "a", "budget_fen": 1, "start_date": "2026-01-01", "end_date": "2026-12-31", "system_ids": many}
            ]}),
        )
        .await;
    assert_eq!((s, fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["items[0].system_ids".to_string()]));
    // serde's technical wording becomes a sentence.
    let (s, body) = t.post("/api/v1/units", &t.admin, json!({"name": 5})).await;
    assert_eq!((s, fields(&body)), (StatusCode::BAD_REQUEST, vec!["name".to_string()]));
    assert_eq!(body["field_errors"][0]["message"], "类型不正确，应为文本");
    // A login without a password is simply a failed login.
    let (s, _) = t.call(reqwest::Method::POST, "/api/v1/auth/login", None, Some(json!({"username": "admin"}))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, body) = t.post("/api/v1/units", &t.admin, json!([1, 2])).await;
    assert_eq!((s, fields(&body)), (StatusCode::BAD_REQUEST, vec!["body".to_string()]), "{body}");
    // Errors made outside the handlers have the same shape.
    let (s, body) = t.call(reqwest::Method::PATCH, "/api/v1/units", Some(&t.admin), None).await;
    assert_eq!((s, body["code"].as_str()), (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed")), "{body}");
    assert!(body["request_id"].as_str().is_some_and(|r| !r.is_empty()));
    let (s, body) = t.get("/api/v1/units/%FF%FE", &t.admin).await;
    assert!(s.is_client_error() && body["code"].is_string(), "{s} {body}");
    assert_eq!(t.get("/api/v1/units", &t.admin).await.1["total"], 0, "nothing was stored");
});

// An audit record larger than an Excel cell does not break the audit export for good.
both!(large_audit_records_export, |t: TestApp| async move {
    let vendor = t.vendor("供应商").await;
    let unit = t.unit("单位").await;
    let sys = t.system("系统", &unit).await;
    let items: Vec<Value> = (0..300)
        .map(|i| json!({"name": format!("分项{i}"), "budget_fen": 1, "start_date": "2026-01-01", "end_date": "2026-12-31", "system_ids": [sys], "notes": "说明".repeat(20)}))
        .collect();
    let (s, _) =
        t.post("/api/v1/contracts", &t.admin, json!({"name": "大合同", "vendor_id": vendor, "items": items})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _, bytes) = t.download("/api/v1/audit/export.xlsx", &t.admin).await;
    assert_eq!(s, StatusCode::OK);
    let table = report::xlsx::read_table(&bytes).unwrap();
    assert!(table.rows.iter().flat_map(|r| &r.1).any(|c| c.ends_with("（已截断 / truncated）")));
});
