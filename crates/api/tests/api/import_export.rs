use report::xlsx::{Cell, read_table, write_table};
use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::harness::TestApp;

const SYSTEM_HEADERS: &[&str] = &["系统名称", "所属单位", "开发商", "等保级别", "重要程度", "服务时间"];

fn sheet(headers: &[&str], rows: Vec<Vec<&str>>) -> Vec<u8> {
    let rows: Vec<Vec<Cell>> = rows.into_iter().map(|r| r.into_iter().map(Cell::from).collect()).collect();
    write_table("导入", headers, &rows).unwrap()
}

async fn count(t: &TestApp, collection: &str) -> u64 {
    t.get(&format!("/api/v1/{collection}"), &t.admin).await.1["total"].as_u64().unwrap()
}

both!(system_import_is_all_or_nothing, |t: TestApp| async move {
    t.unit("安阳市档案馆").await;
    t.unit("安阳市民政局").await;
    let bad = sheet(
        SYSTEM_HEADERS,
        vec![
            vec!["馆藏档案管理平台", "安阳市档案馆", "某软件公司", "3", "高", "7*24"],
            vec!["智慧养老平台", "不存在的单位", "", "", "", ""],
            vec!["", "安阳市民政局", "", "", "", ""],
            vec!["养老服务平台", "安阳市民政局", "", "七", "", ""],
            vec!["馆藏档案管理平台", "安阳市档案馆", "", "", "", ""],
            vec!["民政数据", "安阳市民政局", "", "", "紧急", ""],
        ],
    );
    let (s, body) = t.upload("/api/v1/systems/import", &t.admin, bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let errors: Vec<(u64, &str)> = body["row_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(errors, [(3, "所属单位"), (4, "系统名称"), (5, "等保级别"), (6, "系统名称"), (7, "重要程度")]);
    assert_eq!(count(&t, "systems").await, 0, "nothing half-imported");

    let good = sheet(
        SYSTEM_HEADERS,
        vec![
            vec!["馆藏档案管理平台", "安阳市档案馆", "某软件公司", "三级", "高", "7*24"],
            vec!["智慧养老平台", "安阳市民政局", "", "2", "medium", ""],
        ],
    );
    let (s, body) = t.upload("/api/v1/systems/import", &t.admin, good).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!((body["created"].as_u64(), body["updated"].as_u64()), (Some(2), Some(0)));
    let (_, list) = t.get("/api/v1/systems?q=%E9%A6%86%E8%97%8F", &t.admin).await;
    assert_eq!(list["items"][0]["dengbao_level"], 3);
    assert_eq!(list["items"][0]["criticality"], "high");

    // Export, edit in "Excel", import back: rows with an id update in place.
    let (s, ct, bytes) = t.download("/api/v1/systems/export.xlsx", &t.admin).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ct.unwrap().contains("spreadsheetml"));
    let table = read_table(&bytes).unwrap();
    assert_eq!(table.rows.len(), 2);
    let headers: Vec<&str> = table.headers.iter().map(String::as_str).collect();
    let name_col = table.column(&["系统名称"]).unwrap();
    let dev_col = table.column(&["开发商"]).unwrap();
    let edited: Vec<Vec<Cell>> = table
        .rows
        .iter()
        .map(|(_, r)| {
            let mut r = r.clone();
            r[dev_col] = "新开发商".into();
            r.iter().map(|c| Cell::Text(c.clone())).collect()
        })
        .collect();
    let (s, body) = t.upload("/api/v1/systems/import", &t.admin, write_table("x", &headers, &edited).unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!((body["created"].as_u64(), body["updated"].as_u64()), (Some(0), Some(2)));
    assert_eq!(count(&t, "systems").await, 2);
    let (_, list) = t.get("/api/v1/systems", &t.admin).await;
    assert!(list["items"].as_array().unwrap().iter().all(|s| s["developer"] == "新开发商"));
    assert!(table.rows.iter().any(|(_, r)| r[name_col] == "智慧养老平台"));
    let (_, log) = t.get("/api/v1/audit?action=import", &t.admin).await;
    assert_eq!(log["total"], 2);
});

both!(asset_import_checks_references, |t: TestApp| async move {
    let unit = t.unit("安阳市行政审批和政务信息管理局").await;
    t.system("协同办公平台", &unit).await;
    let headers = &["资产名称", "资产类型", "序列号", "所属单位", "所属系统", "保修截止"];
    let bad = sheet(
        headers,
        vec![
            vec!["应用服务器", "服务器", "SN-1", "", "协同办公平台", "2027-03-31"],
            vec!["数据库服务器", "计算器", "SN-2", "", "协同办公平台", ""],
            vec!["交换机", "network", "SN-3", "", "不存在的系统", ""],
            vec!["防火墙", "security", "SN-1", "", "", "明年"],
        ],
    );
    let (s, body) = t.upload("/api/v1/assets/import", &t.admin, bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let errors: Vec<(u64, &str)> = body["row_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(errors, [(3, "资产类型"), (4, "所属系统"), (5, "保修截止")]);
    assert_eq!(count(&t, "assets").await, 0);

    let good = sheet(headers, vec![vec!["应用服务器", "服务器", "SN-1", "", "协同办公平台", "2027-03-31"]]);
    let (s, body) = t.upload("/api/v1/assets/import", &t.admin, good.clone()).await;
    assert_eq!((s, body["created"].as_u64()), (StatusCode::OK, Some(1)));
    let (_, list) = t.get("/api/v1/assets", &t.admin).await;
    assert_eq!(list["items"][0]["unit_id"], unit.as_str());
    assert_eq!(list["items"][0]["warranty_end"], "2027-03-31");
    // The same serial again updates rather than duplicates.
    let (_, body) = t.upload("/api/v1/assets/import", &t.admin, good).await;
    assert_eq!(body["updated"].as_u64(), Some(1));
    assert_eq!(count(&t, "assets").await, 1);
});

both!(unusable_files_are_refused, |t: TestApp| async move {
    let (s, body) = t.upload("/api/v1/systems/import", &t.admin, b"this is not a spreadsheet".to_vec()).await;
    assert_eq!((s, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("import_file")));
    let (s, body) = t.upload("/api/v1/systems/import", &t.admin, sheet(&["名称"], vec![vec!["x"]])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["message"].as_str().unwrap().contains("系统名称"), "{body}");
    let res = t.client.post(format!("{}/api/v1/systems/import", t.base)).bearer_auth(&t.admin).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let unit_user = {
        let u = t.unit("单位").await;
        t.user("uu", "unit_user", Some(&u), None).await
    };
    let (s, _) = t.upload("/api/v1/systems/import", &unit_user, sheet(SYSTEM_HEADERS, vec![vec!["a", "单位"]])).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(count(&t, "systems").await, 0);
});

both!(every_list_exports, |t: TestApp| async move {
    let unit = t.unit("安阳市图书馆").await;
    let system = t.system("智慧图书馆", &unit).await;
    let vendor = t.vendor("供应商").await;
    t.contract("合同", &vendor, &[&system]).await;
    t.create("assets", json!({"name": "服务器", "kind": "server", "system_id": system})).await;
    for c in ["units", "vendors", "users", "contracts", "systems", "assets", "audit"] {
        let (s, ct, bytes) = t.download(&format!("/api/v1/{c}/export.xlsx"), &t.admin).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(ct.as_deref(), Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
        let table = read_table(&bytes).unwrap();
        assert!(!table.rows.is_empty(), "{c}");
    }
    // The export follows the list's filter.
    let (_, _, bytes) = t.download("/api/v1/systems/export.xlsx?q=nothing-matches", &t.admin).await;
    assert!(read_table(&bytes).unwrap().rows.is_empty());
    let (_, _, bytes) = t.download("/api/v1/contracts/export.xlsx", &t.admin).await;
    let table = read_table(&bytes).unwrap();
    let budget = table.column(&["分项预算（元）"]).unwrap();
    assert_eq!(table.rows[0].1[budget], "100000");
});
