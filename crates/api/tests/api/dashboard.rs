use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::harness::TestApp;

both!(dashboard_counts_what_the_caller_sees, |t: TestApp| async move {
    let today = app::bureau_today();
    let day = |offset: i64| (today + chrono::Duration::days(offset)).format("%Y-%m-%d").to_string();
    let unit_a = t.unit("单位甲").await;
    let unit_b = t.unit("单位乙").await;
    let a1 = t.system("甲一", &unit_a).await;
    let (s, _) =
        t.post("/api/v1/systems", &t.admin, json!({"name": "甲二", "unit_id": unit_a, "dengbao_level": 3})).await;
    assert_eq!(s, StatusCode::CREATED);
    let b1 = t.system("乙一", &unit_b).await;
    for (name, system, warranty) in
        [("a", &a1, day(10)), ("b", &a1, day(45)), ("c", &a1, day(80)), ("d", &a1, day(-5)), ("e", &b1, day(3))]
    {
        t.create("assets", json!({"name": name, "kind": "server", "system_id": system, "warranty_end": warranty}))
            .await;
    }
    let vendor = t.vendor("供应商").await;
    t.contract("合同", &vendor, &[&b1]).await;

    let (s, d) = t.get("/api/v1/dashboard", &t.admin).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(
        (&d["units"], &d["systems"], &d["contracts"], &d["vendors"], &d["assets"]),
        (&json!(2), &json!(3), &json!(1), &json!(1), &json!(5))
    );
    assert_eq!(d["assets_expiring"], json!({"expired": 1, "within_30": 2, "within_60": 3, "within_90": 4}));
    assert_eq!(d["systems_by_unit"][0], json!({"unit_id": unit_a, "unit_name": "单位甲", "systems": 2}));
    // The databases order NULL differently; compare sorted.
    let mut levels = d["systems_by_level"].as_array().unwrap().clone();
    levels.sort_by_key(|x| x["level"].as_i64().unwrap_or(0));
    assert_eq!(levels, [json!({"level": null, "systems": 2}), json!({"level": 3, "systems": 1})]);

    // A unit user counts only its own unit's part; the other unit's asset expiring in 3 days is not there.
    let tok = t.user("ub", "unit_user", Some(&unit_b), None).await;
    let (_, d) = t.get("/api/v1/dashboard", &tok).await;
    assert_eq!(
        (&d["units"], &d["systems"], &d["contracts"], &d["assets"]),
        (&json!(1), &json!(1), &json!(1), &json!(1))
    );
    assert_eq!(d["assets_expiring"], json!({"expired": 0, "within_30": 1, "within_60": 1, "within_90": 1}));
    assert_eq!(d["systems_by_unit"], json!([{"unit_id": unit_b, "unit_name": "单位乙", "systems": 1}]));
    assert_eq!(t.get("/api/v1/dashboard", "not-a-token").await.0, StatusCode::UNAUTHORIZED);
});

/// `/` and the single-page app's routes answer with the UI when it is built, and with a page
/// explaining how to build it when not; unknown API paths stay JSON problems.
#[tokio::test]
async fn the_ui_or_how_to_build_it() {
    let t = TestApp::start(crate::harness::Backend::Sqlite).await;
    for path in ["/", "/systems", "/contracts/abc/items"] {
        let res = t.client.get(format!("{}{path}", t.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let ctype = res.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ctype.starts_with("text/html"), "{path}: {ctype}");
        let body = res.text().await.unwrap();
        if api::ui_present() {
            assert!(body.contains(r#"<div id="app">"#), "{path}");
        } else {
            assert!(body.contains("npm run build"), "{path}");
        }
    }
    let (s, body) = t.get("/api/v1/nowhere", &t.admin).await;
    assert_eq!((s, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (s, body) = t.get("/api/nowhere", &t.admin).await;
    assert_eq!((s, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
}

both!(expiring_filter_matches_the_dashboard, |t: TestApp| async move {
    let today = app::bureau_today();
    let day = |offset: i64| (today + chrono::Duration::days(offset)).format("%Y-%m-%d").to_string();
    let unit = t.unit("单位").await;
    let sys = t.system("系统", &unit).await;
    for (name, warranty, licence) in
        [("a", Some(day(-3)), None), ("b", Some(day(-3)), Some(day(20))), ("c", None, Some(day(40))), ("d", None, None)]
    {
        t.create(
            "assets",
            json!({"name": name, "kind": "license", "system_id": sys, "warranty_end": warranty, "expires_on": licence}),
        )
        .await;
    }
    let (_, d) = t.get("/api/v1/dashboard", &t.admin).await;
    let names = |path: String| {
        let t = &t;
        async move {
            let (s, list) = t.get(&path, &t.admin).await;
            assert_eq!(s, StatusCode::OK, "{list}");
            let mut v: Vec<String> =
                list["items"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().to_string()).collect();
            v.sort();
            v
        }
    };
    let within_30 = names(format!("/api/v1/assets?expiring_from={}&expiring_before={}", day(0), day(30))).await;
    assert_eq!(within_30, ["b"]);
    assert_eq!(d["assets_expiring"]["within_30"], 1);
    let expired = names(format!("/api/v1/assets?expiring_before={}", day(-1))).await;
    assert_eq!(expired, ["a", "b"]);
    assert_eq!(d["assets_expiring"]["expired"], 2);
    let (s, body) = t.get("/api/v1/assets?expiring_from=soon", &t.admin).await;
    assert_eq!((s, body["field_errors"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("expiring_from")));
});
