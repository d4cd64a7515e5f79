//! Single sign-on against providers the tests start: OpenID Connect (code with PKCE, ES256 ID
//! tokens, a forged one refused), CAS 3.0 (a ticket for another service refused), LDAP against
//! OpenLDAP's slapd (bind, search, groups, wrong and empty passwords, filter characters); the
//! mapping deciding who gets in; one account per subject; local login switched off with a
//! break-glass administrator.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{ADMIN_PASSWORD, PASSWORD, TestApp};
use crate::sso_fakes::{CLIENT_ID, CLIENT_SECRET, Cas, LDAP_ADMIN, LDAP_ADMIN_PW, LDAP_BASE, Oidc, Slapd};

/// A browser that follows no redirects, so each hop can be looked at.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")).map(|v| v.split(';').next().unwrap_or("").to_string()))
        .filter(|t| !t.is_empty())
}

/// One hop, with the sign-in's state cookie if given: the status, where it sends the browser,
/// and the session token it sets.
async fn hop_with(url: &str, state_cookie: Option<&str>) -> (StatusCode, String, Option<String>) {
    let mut req = browser().get(url);
    if let Some(c) = state_cookie {
        req = req.header("cookie", format!("yunwei_sso_state={c}"));
    }
    let r = req.send().await.unwrap();
    let location = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (r.status(), location, cookie(&r, "yunwei_session"))
}

async fn hop(url: &str) -> (StatusCode, String, Option<String>) {
    hop_with(url, None).await
}

/// Start (the state cookie set) → provider → callback (the cookie sent back); answers the
/// callback's hop, the callback address and the state cookie.
async fn browser_sign_in(
    t: &TestApp,
    provider: &str,
    return_to: &str,
) -> ((StatusCode, String, Option<String>), String, String) {
    let r = browser()
        .get(format!("{}/api/v1/auth/sso/{provider}/start?return_to={return_to}", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND, "start");
    let state = cookie(&r, "yunwei_sso_state").expect("the state cookie");
    let to_provider = r.headers()["location"].to_str().unwrap().to_string();
    let (s, to_callback, _) = hop(&to_provider).await;
    assert_eq!(s, StatusCode::FOUND, "provider");
    assert!(to_callback.starts_with(&format!("{}/api/v1/auth/sso/{provider}/callback?", t.base)), "{to_callback}");
    (hop_with(&to_callback, Some(&state)).await, to_callback, state)
}

async fn provider(t: &TestApp, body: Value) -> String {
    let (s, p) = t.post("/api/v1/sso-providers", &t.admin, body).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert!(p["config"].get("client_secret").is_none() && p["config"].get("bind_password").is_none(), "{p}");
    p["id"].as_str().unwrap().to_string()
}

async fn me(t: &TestApp, token: &str) -> Value {
    let (s, u) = t.get("/api/v1/auth/me", token).await;
    assert_eq!(s, StatusCode::OK, "{u}");
    u
}

async fn users_named(t: &TestApp, username: &str) -> usize {
    let (_, page) = t.get(&format!("/api/v1/users?q={username}"), &t.admin).await;
    page["items"].as_array().unwrap().iter().filter(|u| u["username"] == username).count()
}

both!(openid_connect_signs_in_with_pkce_and_maps_groups, |t: TestApp| async move {
    let idp = Oidc::start().await;
    let vendor = t.vendor("运维公司").await;
    let id = provider(
        &t,
        json!({"kind": "oidc", "name": "市统一身份认证", "config": {"issuer": idp.issuer, "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET},
            "mapping": [{"attribute": "groups", "value": "ops", "role": "engineer", "vendor_id": vendor},
                        {"attribute": "department", "value": "大数据局", "role": "auditor"}]}),
    )
    .await;
    let (s, shown) = t.get(&format!("/api/v1/sso-providers/{id}"), &t.admin).await;
    assert_eq!((s, shown["secrets_set"].clone()), (StatusCode::OK, json!(["client_secret"])), "{shown}");
    let (_, opts) = t.call(reqwest::Method::GET, "/api/v1/auth/sso", None, None).await;
    assert_eq!(opts["providers"][0]["id"], json!(id), "{opts}");
    // A new issuer needs the secret entered again: it never follows the provider elsewhere.
    let moved = json!({"name": "市统一身份认证", "config": {"issuer": "https://elsewhere.example.cn", "client_id": CLIENT_ID},
        "mapping": [{"attribute": "groups", "value": "ops", "role": "engineer", "vendor_id": vendor}]});
    let (s, v) = t.put(&format!("/api/v1/sso-providers/{id}"), &t.admin, moved).await;
    assert_eq!((s, v["secrets_set"].clone()), (StatusCode::OK, json!([])), "{v}");
    let back = json!({"name": "市统一身份认证", "config": {"issuer": idp.issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
        "mapping": [{"attribute": "groups", "value": "ops", "role": "engineer", "vendor_id": vendor},
                    {"attribute": "department", "value": "大数据局", "role": "auditor"}]});
    assert_eq!(t.put(&format!("/api/v1/sso-providers/{id}"), &t.admin, back).await.0, StatusCode::OK);

    idp.next(json!({"sub": "u-1001", "preferred_username": "wang.wu", "name": "王五", "email": "wang@ops.cn", "groups": ["ops"]}));
    let ((s, to, token), callback, state) = browser_sign_in(&t, &id, "/tickets").await;
    assert_eq!((s, to.as_str()), (StatusCode::FOUND, "/tickets"));
    let q = idp.last_authorize();
    assert_eq!(q.get("code_challenge_method").map(String::as_str), Some("S256"), "{q:?}");
    assert!(q.get("nonce").is_some_and(|n| n.len() >= 32) && q.get("scope").is_some_and(|s| s.contains("openid")));
    let u = me(&t, &token.expect("a session cookie")).await;
    assert_eq!((u["username"].as_str(), u["role"].as_str()), (Some("wang.wu"), Some("engineer")), "{u}");
    assert_eq!((u["vendor_id"].as_str(), u["display_name"].as_str()), (Some(vendor.as_str()), Some("王五")));
    assert_eq!(u["sso_provider_id"], json!(id));

    // The callback replayed, even from the same browser: the state is spent.
    let (s, to, token) = hop_with(&callback, Some(&state)).await;
    assert!(s == StatusCode::FOUND && to.starts_with("/login?sso_error=") && token.is_none(), "{to}");
    // A callback URL sent to someone else (login CSRF): their browser has no state cookie.
    let r = browser().get(format!("{}/api/v1/auth/sso/{id}/start", t.base)).send().await.unwrap();
    let (_, lured, _) = hop(r.headers()["location"].to_str().unwrap()).await;
    let (s, to, token) = hop(&lured).await;
    assert!(s == StatusCode::FOUND && to.starts_with("/login?sso_error=") && token.is_none(), "{to}");
    // Signing in again uses the same account.
    let ((_, _, token), ..) = browser_sign_in(&t, &id, "/").await;
    assert_eq!(me(&t, &token.unwrap()).await["id"], u["id"]);
    assert_eq!(users_named(&t, "wang.wu").await, 1);

    // The mapping follows the provider: out of ops, the user-info department makes an auditor.
    idp.next(json!({"sub": "u-1001", "preferred_username": "wang.wu", "groups": []}));
    let ((_, _, token), ..) = browser_sign_in(&t, &id, "/").await;
    let again = me(&t, &token.unwrap()).await;
    assert_eq!((again["role"].as_str(), again["vendor_id"].clone()), (Some("auditor"), Value::Null), "{again}");

    // Nobody unmatched gets in, and no account is made for them.
    let idp2 = idp.clone();
    t.put(
        &format!("/api/v1/sso-providers/{id}"),
        &t.admin,
        json!({"name": "市统一身份认证", "config": {"issuer": idp2.issuer, "client_id": CLIENT_ID},
            "mapping": [{"attribute": "groups", "value": "ops", "role": "engineer", "vendor_id": vendor}]}),
    )
    .await;
    idp.next(json!({"sub": "u-2002", "preferred_username": "zhao", "groups": ["finance"]}));
    let ((s, to, token), ..) = browser_sign_in(&t, &id, "/").await;
    assert!(s == StatusCode::FOUND && to.starts_with("/login?sso_error=") && token.is_none(), "{to}");
    assert_eq!(users_named(&t, "zhao").await, 0);

    // A token signed by a key the provider did not publish is refused.
    idp.forge();
    idp.next(json!({"sub": "u-1001", "preferred_username": "wang.wu", "groups": ["ops"]}));
    let ((s, to, token), ..) = browser_sign_in(&t, &id, "/").await;
    assert!(s == StatusCode::FOUND && to.starts_with("/login?sso_error=") && token.is_none(), "{to}");

    let (_, log) = t.get("/api/v1/audit?object_type=session", &t.admin).await;
    let logins: Vec<&Value> = log["items"].as_array().unwrap().iter().filter(|e| e["action"] == "login").collect();
    assert!(logins.iter().any(|e| e["after"]["provider"] == json!(id)), "{log}");
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "login_failed" && e["after"]["reason"] == "unmapped")
    );
});

both!(cas_validates_a_ticket_for_our_service_only, |t: TestApp| async move {
    let cas = Cas::start().await;
    let unit = t.unit("财政局").await;
    let id = provider(
        &t,
        json!({"kind": "cas", "name": "政务统一身份认证平台", "config": {"server_url": cas.server_url, "display_name_attribute": "cn"},
            "mapping": [{"attribute": "dept", "value": "财政局", "role": "unit_user", "unit_id": unit}]}),
    )
    .await;
    cas.next("liu.yang", &[("cn", "刘洋"), ("dept", "财政局"), ("dept", "办公室")]);
    let ((s, to, token), ..) = browser_sign_in(&t, &id, "/").await;
    assert_eq!((s, to.as_str()), (StatusCode::FOUND, "/"));
    let u = me(&t, &token.unwrap()).await;
    assert_eq!(
        (u["role"].as_str(), u["unit_id"].as_str(), u["display_name"].as_str()),
        (Some("unit_user"), Some(unit.as_str()), Some("刘洋"))
    );

    // A ticket issued for another service (or a made-up one) is refused.
    let r = browser().get(format!("{}/api/v1/auth/sso/{id}/start", t.base)).send().await.unwrap();
    let state = cookie(&r, "yunwei_sso_state").unwrap();
    let (_, to_callback, _) = hop(r.headers()["location"].to_str().unwrap()).await;
    let tampered = to_callback.replace("ticket=ST-", "ticket=ST-9");
    let (s, to, token) = hop_with(&tampered, Some(&state)).await;
    assert!(s == StatusCode::FOUND && to.starts_with("/login?sso_error=") && token.is_none(), "{to}");

    // A test sign-in shows who and what, and signs nobody in.
    cas.next("chen", &[("dept", "教育局")]);
    let (s, r) = t.post(&format!("/api/v1/sso-providers/{id}/test-redirect"), &t.admin, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (_, to_callback, _) = hop(r["redirect_url"].as_str().unwrap()).await;
    let (s, to, token) = hop_with(&to_callback, r["state"].as_str()).await;
    assert_eq!((s, token), (StatusCode::FOUND, None));
    assert_eq!(to, format!("/security?sso_provider={id}&sso_test={}", r["state"].as_str().unwrap()));
    let path = format!("/api/v1/sso-providers/{id}/tests/{}", r["state"].as_str().unwrap());
    let (s, result) = t.get(&path, &t.admin).await;
    assert_eq!((s, result["ok"].as_bool()), (StatusCode::OK, Some(false)), "{result}");
    assert_eq!(result["identity"]["username"], "chen");
    assert_eq!(users_named(&t, "chen").await, 0);
});

#[tokio::test]
async fn ldap_binds_searches_and_reads_groups() {
    let Some(ldap) = Slapd::start() else { return };
    let t = TestApp::start(crate::harness::Backend::Sqlite).await;
    ldap_checks(&t, &ldap).await;
    if let Some(t) = TestApp::start_pg().await {
        ldap_checks(&t, &ldap).await;
    }
}

async fn ldap_checks(t: &TestApp, ldap: &Slapd) {
    let id = provider(
        t,
        json!({"kind": "ldap", "name": "局域网目录", "config": {"url": ldap.url, "bind_dn": LDAP_ADMIN, "bind_password": LDAP_ADMIN_PW,
            "base_dn": format!("ou=people,{LDAP_BASE}"), "group_base_dn": format!("ou=groups,{LDAP_BASE}")},
            "mapping": [{"attribute": "groups", "value": "ops", "role": "admin"}]}),
    )
    .await;
    let path = format!("/api/v1/auth/sso/{id}/login");
    let login = |u: &str, p: &str| {
        let body = json!({"username": u, "password": p});
        t.call(reqwest::Method::POST, &path, None, Some(body))
    };
    let (s, v) = login("zhang", "Zhang#2026").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let u = me(t, v["token"].as_str().unwrap()).await;
    assert_eq!(
        (u["role"].as_str(), u["email"].as_str(), u["display_name"].as_str()),
        (Some("admin"), Some("zhang@sjj.gov.cn"), Some("张三"))
    );
    for (user, pw) in
        [("zhang", "wrong"), ("zhang", ""), ("nobody", "x"), ("*", "Zhang#2026"), ("zhang)(uid=*", "Zhang#2026")]
    {
        let (s, v) = login(user, pw).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")), "{user}: {v}");
    }
    // li is in the directory but in no mapped group.
    let (s, v) = login("li", "Li#2026x").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    assert!(v["message"].as_str().unwrap().contains("映射"), "{v}");
    let (s, r) = t
        .post(&format!("/api/v1/sso-providers/{id}/test"), &t.admin, json!({"username": "li", "password": "Li#2026x"}))
        .await;
    assert_eq!(
        (s, r["ok"].as_bool(), r["identity"]["username"].as_str()),
        (StatusCode::OK, Some(false), Some("li")),
        "{r}"
    );
    let (_, r) = t
        .post(
            &format!("/api/v1/sso-providers/{id}/test"),
            &t.admin,
            json!({"username": "zhang", "password": "Zhang#2026"}),
        )
        .await;
    assert_eq!(
        (r["ok"].as_bool(), r["rule"].as_u64(), r["role"].as_str()),
        (Some(true), Some(0), Some("admin")),
        "{r}"
    );
    assert!(r["identity"]["attributes"]["groups"].as_array().unwrap().contains(&json!("ops")), "{r}");
    // A wrong service password is the administrator's problem, named as such.
    let (s, v) = t
        .put(
            &format!("/api/v1/sso-providers/{id}"),
            &t.admin,
            json!({"name": "局域网目录", "config": {"url": ldap.url, "bind_dn": LDAP_ADMIN, "bind_password": "nope",
                "base_dn": LDAP_BASE}, "mapping": [{"attribute": "groups", "value": "ops", "role": "admin"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = login("zhang", "Zhang#2026").await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::BAD_GATEWAY, Some("identity_provider")), "{v}");
}

both!(local_login_goes_off_but_for_the_break_glass_administrator, |t: TestApp| async move {
    let vendor = t.vendor("运维公司").await;
    t.user("zhou", "engineer", None, Some(&vendor)).await;
    let mut policy = t.get("/api/v1/security-policy", &t.admin).await.1;
    policy["local_login"] = json!(false);
    let (s, v) = t.put("/api/v1/security-policy", &t.admin, policy.clone()).await;
    assert_eq!(
        (s, v["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("break_glass_username")),
        "{v}"
    );
    policy["break_glass_username"] = json!("admin");
    let (s, v) = t.put("/api/v1/security-policy", &t.admin, policy.clone()).await;
    assert_eq!(
        (s, v["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("local_login")),
        "no provider yet: {v}"
    );
    let cas = Cas::start().await;
    let id = provider(
        &t,
        json!({"kind": "cas", "name": "统一认证", "config": {"server_url": cas.server_url},
            "mapping": [{"attribute": "dept", "value": "x", "role": "auditor"}]}),
    )
    .await;
    let (s, v) = t.put("/api/v1/security-policy", &t.admin, policy).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = t
        .call(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "zhou", "password": PASSWORD})),
        )
        .await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::FORBIDDEN, Some("local_login_disabled")), "{v}");
    t.login("admin", ADMIN_PASSWORD).await;
    let (_, opts) = t.call(reqwest::Method::GET, "/api/v1/auth/sso", None, None).await;
    assert_eq!(opts["local_login"], json!(false));
    // The last provider cannot go while local login is off.
    assert_eq!(t.delete(&format!("/api/v1/sso-providers/{id}"), &t.admin).await, StatusCode::CONFLICT);
});

both!(providers_are_the_security_administrators_and_checked_by_field, |t: TestApp| async move {
    let vendor = t.vendor("运维公司").await;
    let pm = t.user("pm", "vendor_pm", None, Some(&vendor)).await;
    let (s, _) = t.get("/api/v1/sso-providers", &pm).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = t
        .post(
            "/api/v1/sso-providers",
            &t.admin,
            json!({"kind": "ldap", "name": "目录", "config": {"url": "http://dc1", "base_dn": "dc=x"},
                "mapping": [{"attribute": "groups", "value": "ops", "role": "engineer"},
                            {"attribute": "groups", "value": "u", "role": "unit_user", "unit_id": "no-such-unit"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> =
        v["field_errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["config.url", "mapping.0.vendor_id"], "{v}");
    let (s, v) = t
        .post(
            "/api/v1/sso-providers",
            &t.admin,
            json!({"kind": "cas", "name": "目录", "config": {"server_url": "https://cas.gov.cn/cas"},
                "mapping": [{"attribute": "groups", "value": "u", "role": "unit_user", "unit_id": "no-such-unit"}]}),
        )
        .await;
    assert_eq!(
        (s, v["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("mapping.0.unit_id")),
        "{v}"
    );
    let (s, v) = t
        .call(
            reqwest::Method::POST,
            "/api/v1/auth/sso/nope/login",
            None,
            Some(json!({"username": "a", "password": "b"})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (s, v) = t.call(reqwest::Method::GET, "/api/v1/auth/sso/nope/start", None, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
});

both!(a_provider_never_takes_over_an_administrator_by_name, |t: TestApp| async move {
    let cas = Cas::start().await;
    let vendor = t.vendor("运维公司").await;
    t.user("sun", "engineer", None, Some(&vendor)).await;
    let id = provider(
        &t,
        json!({"kind": "cas", "name": "统一认证", "config": {"server_url": cas.server_url, "link_by_username": true},
            "mapping": [{"attribute": "dept", "value": "运维", "role": "engineer", "vendor_id": vendor}]}),
    )
    .await;
    // The local administrator's name: refused, not linked.
    cas.next("admin", &[("dept", "运维")]);
    let ((s, to, token), ..) = browser_sign_in(&t, &id, "/").await;
    assert!(s == StatusCode::FOUND && to.starts_with("/login?sso_error=") && token.is_none(), "{to}");
    let (_, page) = t.get("/api/v1/users?q=admin", &t.admin).await;
    assert_eq!(page["items"][0]["sso_provider_id"], Value::Null, "{page}");
    // An engineer's account is linked, as the provider allows.
    cas.next("sun", &[("dept", "运维")]);
    let ((_, _, token), ..) = browser_sign_in(&t, &id, "/").await;
    let token = token.expect("linked");
    let u = me(&t, &token).await;
    assert_eq!((u["username"].as_str(), u["sso_provider_id"].clone()), (Some("sun"), json!(id)));
    // Disabling the provider ends its sessions.
    let body = json!({"name": "统一认证", "enabled": false, "config": {"server_url": cas.server_url},
        "mapping": [{"attribute": "dept", "value": "运维", "role": "engineer", "vendor_id": vendor}]});
    assert_eq!(t.put(&format!("/api/v1/sso-providers/{id}"), &t.admin, body).await.0, StatusCode::OK);
    assert_eq!(t.get("/api/v1/auth/me", &token).await.0, StatusCode::UNAUTHORIZED);
});
