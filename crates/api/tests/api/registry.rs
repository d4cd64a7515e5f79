use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;

/// Create → get → list → update → delete → 404, for one collection.
async fn crud(t: &TestApp, collection: &str, create: Value, update: Value, changed: (&str, Value)) {
    let id = t.create(collection, create).await;
    let (s, got) = t.get(&format!("/api/v1/{collection}/{id}"), &t.admin).await;
    assert_eq!(s, StatusCode::OK, "{collection}: {got}");
    assert_eq!(got["id"], id.as_str());
    let (s, list) = t.get(&format!("/api/v1/{collection}"), &t.admin).await;
    assert_eq!(s, StatusCode::OK);
    assert!(list["items"].as_array().unwrap().iter().any(|i| i["id"] == id.as_str()), "{collection} list: {list}");
    assert!(list["total"].as_u64().unwrap() >= 1);
    assert_eq!((list["page"].as_u64(), list["page_size"].as_u64()), (Some(1), Some(20)));
    let (s, upd) = t.put(&format!("/api/v1/{collection}/{id}"), &t.admin, update).await;
    assert_eq!(s, StatusCode::OK, "{collection} update: {upd}");
    assert_eq!(upd[changed.0], changed.1, "{collection} update: {upd}");
    let (_, again) = t.get(&format!("/api/v1/{collection}/{id}"), &t.admin).await;
    assert_eq!(again[changed.0], changed.1);
    assert_eq!(t.delete(&format!("/api/v1/{collection}/{id}"), &t.admin).await, StatusCode::NO_CONTENT);
    assert_eq!(t.get(&format!("/api/v1/{collection}/{id}"), &t.admin).await.0, StatusCode::NOT_FOUND);
    assert_eq!(t.delete(&format!("/api/v1/{collection}/{id}"), &t.admin).await, StatusCode::NOT_FOUND);
}

both!(crud_every_collection, |t: TestApp| async move {
    crud(
        &t,
        "units",
        json!({"name": "安阳市民政局"}),
        json!({"name": "安阳市民政局", "short_name": "民政局"}),
        ("short_name", json!("民政局")),
    )
    .await;
    crud(
        &t,
        "vendors",
        json!({"name": "某科技公司"}),
        json!({"name": "某科技公司", "contact_name": "赵"}),
        ("contact_name", json!("赵")),
    )
    .await;
    let unit = t.unit("安阳市档案馆").await;
    crud(
        &t,
        "systems",
        json!({"name": "档案管理平台", "unit_id": unit, "dengbao_level": 2}),
        json!({"name": "档案管理平台", "unit_id": unit, "dengbao_level": 3, "criticality": "high"}),
        ("dengbao_level", json!(3)),
    )
    .await;
    let system = t.system("馆藏档案管理平台", &unit).await;
    crud(
        &t,
        "assets",
        json!({"name": "UPS", "kind": "ups", "system_id": system, "warranty_end": "2027-01-01"}),
        json!({"name": "UPS 主机", "kind": "ups", "system_id": system}),
        ("name", json!("UPS 主机")),
    )
    .await;
    let (_, asset_owner) =
        t.post("/api/v1/assets", &t.admin, json!({"name": "服务器", "kind": "server", "system_id": system})).await;
    assert_eq!(asset_owner["unit_id"], unit.as_str(), "an asset follows its system's unit");
    let vendor = t.vendor("运维公司").await;
    crud(
        &t,
        "users",
        json!({"username": "eng9", "role": "engineer", "vendor_id": vendor, "password": "Passw0rd!x"}),
        json!({"username": "eng9", "role": "engineer", "vendor_id": vendor, "display_name": "孙工"}),
        ("display_name", json!("孙工")),
    )
    .await;
    crud(
        &t,
        "contracts",
        json!({"name": "2026 运维合同", "vendor_id": vendor, "items": [
            {"name": "软件运维", "budget_fen": 12_345_600, "start_date": "2026-07-01", "end_date": "2027-06-30", "system_ids": [system],
             "milestones": [{"percent": 30, "condition": "签订"}, {"percent": 70, "condition": "验收"}]}
        ]}),
        json!({"name": "2026 年运维合同", "vendor_id": vendor, "items": []}),
        ("name", json!("2026 年运维合同")),
    )
    .await;
});

both!(contract_items, |t: TestApp| async move {
    let unit = t.unit("交通运输厅").await;
    let s1 = t.system("路网监测", &unit).await;
    let s2 = t.system("治超系统", &unit).await;
    let vendor = t.vendor("运维公司").await;
    let id = t.contract("运维合同", &vendor, &[&s1]).await;
    let (_, c) = t.get(&format!("/api/v1/contracts/{id}"), &t.admin).await;
    let item = c["items"][0].clone();
    assert_eq!(item["budget_fen"], 10_000_000);
    assert_eq!(c["total_fen"], 10_000_000);
    assert_eq!(item["system_ids"], json!([s1]));

    // Items as their own resource.
    let (s, added) = t
        .post(&format!("/api/v1/contracts/{id}/items"), &t.admin, json!({"name": "硬件维保", "budget_fen": 500, "start_date": "2026-07-01", "end_date": "2027-06-30", "system_ids": [s2]}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{added}");
    let (_, items) = t.get(&format!("/api/v1/contracts/{id}/items"), &t.admin).await;
    assert_eq!((items["items"].as_array().unwrap().len(), &items["total"]), (2, &json!(2)), "{items}");
    let item2 = added["id"].as_str().unwrap();
    let (s, upd) = t
        .put(&format!("/api/v1/contracts/{id}/items/{item2}"), &t.admin, json!({"name": "硬件维保", "budget_fen": 700, "start_date": "2026-07-01", "end_date": "2027-06-30", "system_ids": [s1, s2]}))
        .await;
    assert_eq!(s, StatusCode::OK, "{upd}");
    assert_eq!(upd["system_ids"].as_array().unwrap().len(), 2);

    // A contract PUT keeps item ids it names and drops the others.
    let keep = item["id"].as_str().unwrap();
    let (s, c2) = t
        .put(&format!("/api/v1/contracts/{id}"), &t.admin, json!({"name": "运维合同", "vendor_id": vendor, "items": [
            {"id": keep, "name": "软件运维", "budget_fen": 1, "start_date": "2026-01-01", "end_date": "2026-12-31", "system_ids": [s2]},
            {"name": "新分项", "budget_fen": 2, "start_date": "2026-01-01", "end_date": "2026-12-31"}
        ]}))
        .await;
    assert_eq!(s, StatusCode::OK, "{c2}");
    let ids: Vec<&str> = c2["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], keep);
    assert!(!ids.contains(&item2));
    assert_eq!(t.get(&format!("/api/v1/contracts/{id}/items/{item2}"), &t.admin).await.0, StatusCode::NOT_FOUND);
    assert_eq!(t.delete(&format!("/api/v1/contracts/{id}/items/{keep}"), &t.admin).await, StatusCode::NO_CONTENT);
    let (_, c3) = t.get(&format!("/api/v1/contracts/{id}"), &t.admin).await;
    assert_eq!(c3["total_fen"], 2);
});

both!(list_filter_sort_page, |t: TestApp| async move {
    let a = t.unit("A 单位").await;
    let b = t.unit("B 单位").await;
    for i in 0..7 {
        t.create("systems", json!({"name": format!("系统{i:02}"), "unit_id": if i % 2 == 0 { &a } else { &b }, "dengbao_level": 2 + i % 2})).await;
    }
    let (_, p) = t.get(&format!("/api/v1/systems?unit_id={a}&page_size=2&page=2&sort=name&order=desc"), &t.admin).await;
    assert_eq!(p["total"], 4);
    let names: Vec<&str> = p["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["系统02", "系统00"]);
    let (_, p) = t.get("/api/v1/systems?dengbao_level=3", &t.admin).await;
    assert_eq!(p["total"], 3);
    let (_, p) = t.get(&format!("/api/v1/systems?q={}", "%E7%B3%BB%E7%BB%9F05"), &t.admin).await;
    assert_eq!(p["total"], 1);
    // `%` and `_` are literal in searches.
    let (_, p) = t.get("/api/v1/systems?q=%25", &t.admin).await;
    assert_eq!(p["total"], 0);
});

both!(deleting_what_is_referenced_is_refused, |t: TestApp| async move {
    let unit = t.unit("有系统的单位").await;
    let system = t.system("系统", &unit).await;
    let vendor = t.vendor("供应商").await;
    t.contract("合同", &vendor, &[&system]).await;
    let (s, body) = t.call(reqwest::Method::DELETE, &format!("/api/v1/units/{unit}"), Some(&t.admin), None).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(body["message"].as_str().unwrap().contains("1 个信息系统"), "{body}");
    assert_eq!(t.delete(&format!("/api/v1/systems/{system}"), &t.admin).await, StatusCode::CONFLICT);
    assert_eq!(t.delete(&format!("/api/v1/vendors/{vendor}"), &t.admin).await, StatusCode::CONFLICT);
    assert_eq!(t.get(&format!("/api/v1/systems/{system}"), &t.admin).await.0, StatusCode::OK, "nothing was lost");
});

both!(certificates, |t: TestApp| async move {
    let vendor = t.vendor("供应商").await;
    let id = t
        .create("users", json!({"username": "pm1", "role": "vendor_pm", "vendor_id": vendor, "password": "Passw0rd!x"}))
        .await;
    let (s, c) = t
        .post(
            &format!("/api/v1/users/{id}/certificates"),
            &t.admin,
            json!({"name": "CISP", "expires_on": "2028-01-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let cid = c["id"].as_str().unwrap();
    let (s, c) = t
        .put(
            &format!("/api/v1/users/{id}/certificates/{cid}"),
            &t.admin,
            json!({"name": "CISP-PTE", "expires_on": "2029-01-01"}),
        )
        .await;
    assert_eq!((s, c["name"].as_str()), (StatusCode::OK, Some("CISP-PTE")));
    let (_, list) = t.get(&format!("/api/v1/users/{id}/certificates"), &t.admin).await;
    assert_eq!((list["items"].as_array().unwrap().len(), &list["total"]), (1, &json!(1)), "{list}");
    assert_eq!(t.delete(&format!("/api/v1/users/{id}/certificates/{cid}"), &t.admin).await, StatusCode::NO_CONTENT);
    // A certificate deleted with its holder leaves its own audit record.
    let (_, c) = t.post(&format!("/api/v1/users/{id}/certificates"), &t.admin, json!({"name": "PMP"})).await;
    let cid = c["id"].as_str().unwrap().to_string();
    assert_eq!(t.delete(&format!("/api/v1/users/{id}"), &t.admin).await, StatusCode::NO_CONTENT);
    let (_, log) = t.get(&format!("/api/v1/audit?object_type=certificate&object_id={cid}"), &t.admin).await;
    let actions: Vec<&str> = log["items"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "delete").count(), 1, "{log}");
});
