//! Every resource, for every bound role: another tenant's id answers 404 exactly as a missing one,
//! lists and exports hold only the caller's slice, and writes are refused.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;

struct World {
    unit_a: String,
    unit_b: String,
    sys_a: String,
    sys_b: String,
    sys_c: String,
    asset_a: String,
    asset_b: String,
    vendor_1: String,
    vendor_2: String,
    contract_1: String,
    contract_2: String,
    user_a: String,
    user_b: String,
}

/// Units A and B; vendor 1 holds a contract covering A's first system and B's third system,
/// vendor 2 holds a contract covering B's system only.
async fn world(t: &TestApp) -> World {
    let unit_a = t.unit("单位甲").await;
    let unit_b = t.unit("单位乙").await;
    let sys_a = t.system("甲系统", &unit_a).await;
    let sys_b = t.system("乙系统", &unit_b).await;
    let sys_c = t.system("乙的第三个系统", &unit_b).await;
    let asset_a = t.create("assets", json!({"name": "甲服务器", "kind": "server", "system_id": sys_a})).await;
    let asset_b = t.create("assets", json!({"name": "乙服务器", "kind": "server", "system_id": sys_b})).await;
    let vendor_1 = t.vendor("供应商一").await;
    let vendor_2 = t.vendor("供应商二").await;
    let contract_1 = t
        .create(
            "contracts",
            json!({"name": "合同一", "vendor_id": vendor_1, "items": [
                {"name": "甲分项", "budget_fen": 100, "start_date": "2026-01-01", "end_date": "2026-12-31", "system_ids": [sys_a]},
                {"name": "乙分项", "budget_fen": 200, "start_date": "2026-01-01", "end_date": "2026-12-31", "system_ids": [sys_c]}
            ]}),
        )
        .await;
    let contract_2 = t.contract("合同二", &vendor_2, &[&sys_b]).await;
    let user_a = t
        .create("users", json!({"username": "ua", "role": "unit_user", "unit_id": unit_a, "password": "Passw0rd!x"}))
        .await;
    let user_b = t
        .create("users", json!({"username": "ub", "role": "unit_user", "unit_id": unit_b, "password": "Passw0rd!x"}))
        .await;
    World {
        unit_a,
        unit_b,
        sys_a,
        sys_b,
        sys_c,
        asset_a,
        asset_b,
        vendor_1,
        vendor_2,
        contract_1,
        contract_2,
        user_a,
        user_b,
    }
}

fn ids(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

async fn hidden(t: &TestApp, token: &str, path: &str) {
    let (s, body) = t.get(path, token).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{path} must be hidden: {body}");
    let (_, missing) = t.get("/api/v1/units/00000000-0000-0000-0000-000000000000", token).await;
    assert_eq!(body["message"], missing["message"], "a hidden object looks exactly like a missing one");
}

async fn visible(t: &TestApp, token: &str, path: &str) {
    let (s, body) = t.get(path, token).await;
    assert_eq!(s, StatusCode::OK, "{path} must be visible: {body}");
}

async fn list_ids(t: &TestApp, token: &str, collection: &str) -> Vec<String> {
    let (s, list) = t.get(&format!("/api/v1/{collection}?page_size=500"), token).await;
    assert_eq!(s, StatusCode::OK, "{collection}: {list}");
    let mut v = ids(&list);
    v.sort();
    v
}

fn sorted(mut v: Vec<&String>) -> Vec<String> {
    v.sort();
    v.into_iter().cloned().collect()
}

/// Registry writes are the bureau's. A writer who may not write gets 403 for an object it can see
/// and 404, exactly as for a missing id, for one it cannot.
async fn writes_refused(t: &TestApp, token: &str, w: &World) {
    let (s, _) = t.post("/api/v1/units", token, json!({"name": "新单位"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = t.post("/api/v1/systems", token, json!({"name": "x", "unit_id": w.unit_a})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) =
        t.post("/api/v1/users", token, json!({"username": "evil", "role": "admin", "password": "Passw0rd!x"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = t.upload("/api/v1/assets/import", token, b"PK not really".to_vec()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    for path in [
        format!("/api/v1/systems/{}", w.sys_a),
        format!("/api/v1/systems/{}", w.sys_b),
        format!("/api/v1/assets/{}", w.asset_a),
        format!("/api/v1/assets/{}", w.asset_b),
        format!("/api/v1/contracts/{}", w.contract_1),
        format!("/api/v1/contracts/{}", w.contract_2),
        format!("/api/v1/units/{}", w.unit_b),
        format!("/api/v1/vendors/{}", w.vendor_2),
        format!("/api/v1/users/{}", w.user_b),
    ] {
        let expected = match t.get(&path, token).await.0 {
            StatusCode::OK => StatusCode::FORBIDDEN,
            _ => StatusCode::NOT_FOUND,
        };
        assert_eq!(t.delete(&path, token).await, expected, "DELETE {path}");
        let (s, body) = t.put(&path, token, json!({"name": "改名"})).await;
        assert_eq!(s, expected, "PUT {path}: {body}");
    }
    let cert_path = format!("/api/v1/users/{}/certificates", w.user_b);
    let expected = if t.get(&cert_path, token).await.0 == StatusCode::OK { 403 } else { 404 };
    let (s, _) = t.post(&cert_path, token, json!({"name": "CISP"})).await;
    assert_eq!(s.as_u16(), expected, "POST {cert_path}");
    assert_eq!(t.get("/api/v1/audit", token).await.0, StatusCode::FORBIDDEN);
    let (_, sys) = t.get(&format!("/api/v1/systems/{}", w.sys_a), &t.admin).await;
    assert_eq!(sys["name"], "甲系统", "nothing changed");
    assert_eq!(list_ids(t, &t.admin, "units").await.len(), 2, "nothing deleted");
}

both!(unit_user_sees_only_its_unit, |t: TestApp| async move {
    let w = world(&t).await;
    let tok = t.login("ua", "Passw0rd!x").await;
    assert_eq!(list_ids(&t, &tok, "units").await, vec![w.unit_a.clone()]);
    assert_eq!(list_ids(&t, &tok, "systems").await, vec![w.sys_a.clone()]);
    assert_eq!(list_ids(&t, &tok, "assets").await, vec![w.asset_a.clone()]);
    assert_eq!(list_ids(&t, &tok, "vendors").await, vec![w.vendor_1.clone()]);
    assert_eq!(list_ids(&t, &tok, "contracts").await, vec![w.contract_1.clone()]);
    assert_eq!(list_ids(&t, &tok, "users").await, vec![w.user_a.clone()]);
    // Inside the shared contract, only the item covering its own system.
    let (_, c) = t.get(&format!("/api/v1/contracts/{}", w.contract_1), &tok).await;
    let items = c["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["system_ids"], json!([w.sys_a]));
    let other_item = {
        let (_, full) = t.get(&format!("/api/v1/contracts/{}", w.contract_1), &t.admin).await;
        full["items"].as_array().unwrap().iter().find(|i| i["name"] == "乙分项").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    hidden(&t, &tok, &format!("/api/v1/contracts/{}/items/{other_item}", w.contract_1)).await;

    visible(&t, &tok, &format!("/api/v1/systems/{}", w.sys_a)).await;
    hidden(&t, &tok, &format!("/api/v1/units/{}", w.unit_b)).await;
    hidden(&t, &tok, &format!("/api/v1/systems/{}", w.sys_b)).await;
    hidden(&t, &tok, &format!("/api/v1/assets/{}", w.asset_b)).await;
    hidden(&t, &tok, &format!("/api/v1/vendors/{}", w.vendor_2)).await;
    hidden(&t, &tok, &format!("/api/v1/contracts/{}", w.contract_2)).await;
    hidden(&t, &tok, &format!("/api/v1/contracts/{}/items", w.contract_2)).await;
    hidden(&t, &tok, &format!("/api/v1/users/{}", w.user_b)).await;
    hidden(&t, &tok, &format!("/api/v1/users/{}/certificates", w.user_b)).await;
    visible(&t, &tok, &format!("/api/v1/users/{}/certificates", w.user_a)).await;
    // Filtering by another unit's id yields nothing rather than that unit's data.
    let (_, p) = t.get(&format!("/api/v1/systems?unit_id={}", w.unit_b), &tok).await;
    assert_eq!(p["total"], 0);
    writes_refused(&t, &tok, &w).await;
});

both!(vendor_staff_see_only_their_contracts, |t: TestApp| async move {
    let w = world(&t).await;
    let tok = t.user("eng1", "engineer", None, Some(&w.vendor_1)).await;
    assert_eq!(list_ids(&t, &tok, "contracts").await, vec![w.contract_1.clone()]);
    assert_eq!(list_ids(&t, &tok, "vendors").await, vec![w.vendor_1.clone()]);
    assert_eq!(list_ids(&t, &tok, "systems").await, sorted(vec![&w.sys_a, &w.sys_c]));
    assert_eq!(list_ids(&t, &tok, "units").await, sorted(vec![&w.unit_a, &w.unit_b]));
    assert_eq!(list_ids(&t, &tok, "assets").await, vec![w.asset_a.clone()]);
    let (_, c) = t.get(&format!("/api/v1/contracts/{}", w.contract_1), &tok).await;
    assert_eq!(c["items"].as_array().unwrap().len(), 2, "the vendor sees its whole contract");
    hidden(&t, &tok, &format!("/api/v1/contracts/{}", w.contract_2)).await;
    hidden(&t, &tok, &format!("/api/v1/vendors/{}", w.vendor_2)).await;
    hidden(&t, &tok, &format!("/api/v1/systems/{}", w.sys_b)).await;
    hidden(&t, &tok, &format!("/api/v1/assets/{}", w.asset_b)).await;
    hidden(&t, &tok, &format!("/api/v1/users/{}", w.user_a)).await;
    writes_refused(&t, &tok, &w).await;

    let pm_id = t
        .create(
            "users",
            json!({"username": "pm2", "role": "vendor_pm", "vendor_id": w.vendor_2, "password": "Passw0rd!x"}),
        )
        .await;
    let (s, _) = t.post(&format!("/api/v1/users/{pm_id}/certificates"), &t.admin, json!({"name": "CISP"})).await;
    assert_eq!(s, StatusCode::CREATED);
    // The other vendor's staff and their certificates are hidden.
    hidden(&t, &tok, &format!("/api/v1/users/{pm_id}")).await;
    hidden(&t, &tok, &format!("/api/v1/users/{pm_id}/certificates")).await;
    let pm = t.login("pm2", "Passw0rd!x").await;
    assert_eq!(list_ids(&t, &pm, "systems").await, vec![w.sys_b.clone()]);
    assert_eq!(list_ids(&t, &pm, "users").await, vec![pm_id.clone()]);
    visible(&t, &pm, &format!("/api/v1/users/{pm_id}/certificates")).await;
    hidden(&t, &pm, &format!("/api/v1/contracts/{}", w.contract_1)).await;
    hidden(&t, &pm, &format!("/api/v1/contracts/{}/items", w.contract_1)).await;
    let (_, full) = t.get(&format!("/api/v1/contracts/{}", w.contract_1), &t.admin).await;
    let item = full["items"][0]["id"].as_str().unwrap().to_string();
    hidden(&t, &pm, &format!("/api/v1/contracts/{}/items/{item}", w.contract_1)).await;
    let (s, _) = t.put(&format!("/api/v1/contracts/{}/items/{item}", w.contract_1), &pm, json!({"name": "x"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    hidden(&t, &pm, &format!("/api/v1/units/{}", w.unit_a)).await;
    writes_refused(&t, &pm, &w).await;
});

both!(auditor_reads_everything_changes_nothing, |t: TestApp| async move {
    let w = world(&t).await;
    let tok = t.user("shenji", "auditor", None, None).await;
    assert_eq!(list_ids(&t, &tok, "systems").await.len(), 3);
    visible(&t, &tok, &format!("/api/v1/contracts/{}", w.contract_2)).await;
    assert_eq!(t.get("/api/v1/audit", &tok).await.0, StatusCode::OK);
    let (s, _) = t.post("/api/v1/units", &tok, json!({"name": "新单位"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(t.delete(&format!("/api/v1/systems/{}", w.sys_a), &tok).await, StatusCode::FORBIDDEN);
});

both!(exports_are_scoped, |t: TestApp| async move {
    let w = world(&t).await;
    let tok = t.login("ua", "Passw0rd!x").await;
    for (collection, expected) in
        [("systems", 1), ("assets", 1), ("units", 1), ("contracts", 1), ("vendors", 1), ("users", 1)]
    {
        let (s, _, bytes) = t.download(&format!("/api/v1/{collection}/export.xlsx"), &tok).await;
        assert_eq!(s, StatusCode::OK);
        let table = report::xlsx::read_table(&bytes).unwrap();
        assert_eq!(table.rows.len(), expected, "{collection}");
    }
    let (_, _, bytes) = t.download("/api/v1/systems/export.xlsx", &tok).await;
    let table = report::xlsx::read_table(&bytes).unwrap();
    assert_eq!(table.rows[0].1[0], w.sys_a);
    assert_eq!(t.download("/api/v1/audit/export.xlsx", &tok).await.0, StatusCode::FORBIDDEN);

    let eng = t.user("eng1", "engineer", None, Some(&w.vendor_1)).await;
    for (collection, expected) in
        [("systems", 2), ("assets", 1), ("units", 2), ("contracts", 2), ("vendors", 1), ("users", 1)]
    {
        let (s, _, bytes) = t.download(&format!("/api/v1/{collection}/export.xlsx"), &eng).await;
        assert_eq!(s, StatusCode::OK);
        // Contracts export one row per item: vendor 1's contract has two.
        assert_eq!(report::xlsx::read_table(&bytes).unwrap().rows.len(), expected, "{collection}");
    }
    let (_, _, bytes) = t.download("/api/v1/systems/export.xlsx", &eng).await;
    let table = report::xlsx::read_table(&bytes).unwrap();
    let mut exported: Vec<&String> = table.rows.iter().map(|r| &r.1[0]).collect();
    exported.sort();
    assert_eq!(exported, sorted(vec![&w.sys_a, &w.sys_c]).iter().collect::<Vec<_>>());
    assert_eq!(t.download("/api/v1/audit/export.xlsx", &eng).await.0, StatusCode::FORBIDDEN);
});
