//! What a hostile client could do with the HTTP surface: forge writes from another site with
//! the cookie, read the API page without signing in, send identical alerts at once or alerts
//! dated in year 1, and race uploads past their caps.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::harness::{ADMIN_PASSWORD, Backend, TestApp};
use crate::tickets::fixture;

/// Signs in as the browser does and returns the `name=value` cookie pair.
async fn cookie(t: &TestApp) -> String {
    let res = t
        .client
        .post(format!("{}/api/v1/auth/login", t.base))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    let set = res.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap().to_string();
    set.split(';').next().unwrap().to_string()
}

both!(cookie_writes_from_another_site_are_refused, |t: TestApp| async move {
    let c = cookie(&t).await;
    let units = format!("{}/api/v1/units", t.base);
    let host = t.base.trim_start_matches("http://").to_string();
    let post = |origin: Option<&str>, site: Option<&str>, ct: &str, body: &str| {
        let mut r = t.client.post(&units).header("cookie", &c).header("content-type", ct).body(body.to_string());
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        if let Some(s) = site {
            r = r.header("sec-fetch-site", s);
        }
        r.send()
    };
    let body = r#"{"name": "跨站单位"}"#;
    let r = post(Some("https://evil.example"), None, "application/json", body).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "cross_site");
    let r = post(None, Some("cross-site"), "application/json", body).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = post(Some("null"), None, "application/json", body).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A plain form's content type, even from the same site, is not JSON.
    let r = post(None, None, "text/plain", body).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = post(None, None, "application/x-www-form-urlencoded", body).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (_, list) = t.get("/api/v1/units", &t.admin).await;
    assert_eq!(list["total"], 0, "nothing was written");
    // The same site goes through.
    let origin = format!("http://{host}");
    let r = post(Some(&origin), Some("same-origin"), "application/json", body).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // A bearer client is not a browser: no Origin rules, any content type it likes for JSON.
    let r = t
        .client
        .post(&units)
        .bearer_auth(&t.admin)
        .header("origin", "https://tool.example")
        .header("content-type", "text/plain")
        .body(r#"{"name": "脚本单位"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // Signing in from another site is refused too (login CSRF).
    let r = t
        .client
        .post(format!("{}/api/v1/auth/login", t.base))
        .header("origin", "https://evil.example")
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
});

#[tokio::test]
async fn security_headers_and_the_api_page_behind_sign_in() {
    let http = api::HttpConfig { https: true, ..api::HttpConfig::default() };
    let t = TestApp::start_full(Backend::Sqlite, app::AppConfig::default(), http).await;
    let r = t.client.get(format!("{}/api/v1/units", t.base)).bearer_auth(&t.admin).send().await.unwrap();
    let h = r.headers();
    assert_eq!(h["referrer-policy"], "same-origin");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    assert_eq!(h["strict-transport-security"], "max-age=31536000");
    let r = t.client.post(format!("{}/api/v1/auth/login", t.base)).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["referrer-policy"], "same-origin", "an error has them too");
    let r = t
        .client
        .post(format!("{}/api/v1/auth/login", t.base))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(r.headers()["set-cookie"].to_str().unwrap().contains("Secure"));

    // The API page and document need a session; the page sends the browser to sign in.
    let no_redirect = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = no_redirect.get(format!("{}/api/docs/", t.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login?redirect=/api/docs/");
    assert_eq!(t.call(Method::GET, "/api/v1/openapi.json", None, None).await.0, StatusCode::UNAUTHORIZED);
    let (s, spec) = t.get("/api/v1/openapi.json", &t.admin).await;
    assert_eq!(s, StatusCode::OK);
    assert!(spec["paths"]["/api/v1/systems"].is_object());
    let c = cookie(&t).await;
    let r = no_redirect.get(format!("{}/api/docs/", t.base)).header("cookie", c).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));

    // A setting opens them.
    let open = api::HttpConfig { public_api_docs: true, ..api::HttpConfig::default() };
    let t = TestApp::start_full(Backend::Sqlite, app::AppConfig::default(), open).await;
    assert_eq!(t.call(Method::GET, "/api/v1/openapi.json", None, None).await.0, StatusCode::OK);
}

fn alert(fingerprint: &str, starts: &str) -> Value {
    json!({"version": "4", "status": "firing", "alerts": [{"status": "firing",
        "labels": {"alertname": "HostDown", "yunwei_system": "馆藏档案管理平台"},
        "annotations": {"summary": "档案服务器不可达"}, "startsAt": starts, "endsAt": "0001-01-01T00:00:00Z",
        "fingerprint": fingerprint}]})
}

// The contract: 10 concurrent identical alerts open exactly one outage and one ticket; an alert
// dated in year 1 is refused before anything is written.
both!(identical_alerts_at_once_open_one_ticket, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2020-01-01", "2035-12-31"), "").await;
    let now = chrono::Utc::now();
    t.clock.set(now);
    let (_, am) = t.post("/api/v1/integrations", &t.admin, json!({"name": "Prometheus", "kind": "alertmanager"})).await;
    let token = am["token"].as_str().unwrap().to_string();
    let (_, hook) = t.post("/api/v1/integrations", &t.admin, json!({"name": "Zabbix", "kind": "webhook"})).await;
    let hook = hook["token"].as_str().unwrap().to_string();
    let starts = (now - chrono::Duration::minutes(5)).to_rfc3339();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let (client, base) = (t.client.clone(), t.base.clone());
        let (path, tk, body) = if i % 2 == 0 {
            ("alertmanager", token.clone(), alert("fp-same", &starts))
        } else {
            ("webhook", hook.clone(), json!({"system": "馆藏档案管理平台", "key": "zbx-1", "status": "firing"}))
        };
        tasks.spawn(async move {
            client
                .post(format!("{base}/api/v1/intake/{path}"))
                .bearer_auth(tk)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    while let Some(s) = tasks.join_next().await {
        assert_eq!(s.unwrap(), StatusCode::OK);
    }
    let (_, tickets) = t.get(&format!("/api/v1/tickets?system_id={}", f.system), &t.admin).await;
    assert_eq!(tickets["total"], 2, "one ticket per alert, not per request: {tickets}");

    let before = t.get(&format!("/api/v1/tickets?system_id={}", f.system), &t.admin).await.1["total"].clone();
    let res = t
        .client
        .post(format!("{}/api/v1/intake/alertmanager", t.base))
        .bearer_auth(&token)
        .json(&alert("fp-ancient", "0001-01-01T00:00:00Z"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["field_errors"][0]["field"], "alerts[0].startsAt");
    let (_, after) = t.get(&format!("/api/v1/tickets?system_id={}", f.system), &t.admin).await;
    assert_eq!(after["total"], before, "no ticket from a refused alert");
    let day = (now + chrono::Duration::hours(8)).date_naive();
    let (_, a) = t
        .get(&format!("/api/v1/systems/{}/availability?from={}&to={day}", f.system, day.pred_opt().unwrap()), &t.admin)
        .await;
    // Only the five minutes of the real alerts: an outage since year 1 would cover the whole span.
    assert!(a["downtime_seconds"].as_i64().is_some_and(|d| d <= 301), "no interruption from the refused alert: {a}");
});

// Uploads racing past the cap: the database counts, so exactly the cap gets in.
both!(parallel_uploads_stop_at_the_cap, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let (_, tk) = t
        .post("/api/v1/tickets", &f.reporter, json!({"system_id": f.system, "type": "incident", "title": "截图很多"}))
        .await;
    let id = tk["id"].as_str().unwrap().to_string();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..60 {
        let (client, base, token, id) = (t.client.clone(), t.base.clone(), f.reporter.clone(), id.clone());
        tasks.spawn(async move {
            let part = reqwest::multipart::Part::bytes(format!("log line {i}\n").into_bytes()).file_name("a.log");
            let form = reqwest::multipart::Form::new().part("file", part);
            let url = format!("{base}/api/v1/tickets/{id}/attachments");
            client.post(url).bearer_auth(token).multipart(form).send().await.unwrap().status()
        });
    }
    let mut created = 0;
    while let Some(s) = tasks.join_next().await {
        match s.unwrap() {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(created, 50);
    let (_, detail) = t.get(&format!("/api/v1/tickets/{id}"), &f.reporter).await;
    assert_eq!(detail["attachments"].as_array().map(Vec::len), Some(50));
});
