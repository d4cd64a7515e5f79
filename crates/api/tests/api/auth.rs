use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::both;
use crate::harness::{ADMIN_PASSWORD, TestApp};

both!(login_contract, |t: TestApp| async move {
    let (s, body) = t
        .call(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": "admin", "password": ADMIN_PASSWORD})))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(body["token"].as_str().is_some_and(|t| t.len() >= 32));
    assert_eq!(body["user"]["username"], "admin");
    assert_eq!(body["user"]["role"], "admin");
    assert!(body["user"]["id"].is_string());

    // Same answer for a wrong password and for a user that does not exist.
    let (s1, wrong) =
        t.call(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": "admin", "password": "nope"}))).await;
    let (s2, ghost) =
        t.call(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": "ghost", "password": "nope"}))).await;
    assert_eq!((s1, s2), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    assert_eq!(wrong["message"], ghost["message"]);
    assert_eq!(wrong["code"], "unauthenticated");

    // Bearer on every endpoint; nothing without it.
    let token = body["token"].as_str().unwrap();
    assert_eq!(t.get("/api/v1/auth/me", token).await.0, StatusCode::OK);
    assert_eq!(t.call(Method::GET, "/api/v1/units", None, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(t.get("/api/v1/units", "forged-token").await.0, StatusCode::UNAUTHORIZED);

    // Logout ends the session.
    assert_eq!(t.call(Method::POST, "/api/v1/auth/logout", Some(token), None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(t.get("/api/v1/auth/me", token).await.0, StatusCode::UNAUTHORIZED);
});

both!(cookie_session, |t: TestApp| async move {
    let res = t
        .client
        .post(format!("{}/api/v1/auth/login", t.base))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = res.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_string();
    let me = t.client.get(format!("{}/api/v1/auth/me", t.base)).header("cookie", pair).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
});

both!(lockout_after_repeated_failures, |t: TestApp| async move {
    t.user("zhang", "auditor", None, None).await;
    for _ in 0..5 {
        let (s, _) = t
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": "zhang", "password": "Wrong#1234"})),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    // Locked now: even the right password is refused.
    let (s, _) = t
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "zhang", "password": crate::harness::PASSWORD})),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (_, audit) = t.get("/api/v1/audit?action=login_failed&page_size=50", &t.admin).await;
    let reasons: Vec<&str> =
        audit["items"].as_array().unwrap().iter().filter_map(|r| r["after"]["reason"].as_str()).collect();
    assert!(reasons.contains(&"locked"), "{reasons:?}");
    assert_eq!(reasons.iter().filter(|r| **r == "wrong_password").count(), 5);
});

both!(health_endpoints, |t: TestApp| async move {
    assert_eq!(t.call(Method::GET, "/healthz", None, None).await.0, StatusCode::OK);
    let (s, body) = t.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["status"], "ready");
    let (s, spec) = t.get("/api/v1/openapi.json", &t.admin).await;
    assert_eq!(s, StatusCode::OK);
    assert!(spec["paths"]["/api/v1/systems"].is_object());
});

both!(idle_sessions_expire, |t: TestApp| async move {
    // 30 minutes idle by default; the session clock moves, nothing waits.
    let other = t.login("admin", crate::harness::ADMIN_PASSWORD).await;
    assert_eq!(t.get("/api/v1/units", &t.admin).await.0, StatusCode::OK);
    t.sessions.advance(chrono::Duration::minutes(29));
    assert_eq!(t.get("/api/v1/units", &t.admin).await.0, StatusCode::OK, "used within the limit");
    t.sessions.advance(chrono::Duration::minutes(29));
    assert_eq!(t.get("/api/v1/units", &t.admin).await.0, StatusCode::OK, "use keeps a session alive");
    let (s, body) = t.get("/api/v1/units", &other).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "58 minutes unused: {body}");
    t.sessions.advance(chrono::Duration::minutes(31));
    let (s, body) = t.get("/api/v1/units", &t.admin).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{body}");
});

both!(sessions_survive_a_restart, |t: TestApp| async move {
    let unit = t.unit("安阳市档案馆").await;
    let t2 = t.reopen().await;
    // The same token works against the restarted server, and the data is there.
    let (s, body) = t2.get(&format!("/api/v1/units/{unit}"), &t.admin).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["name"], "安阳市档案馆");
    let (_, v) = t2.get("/api/v1/audit/verify", &t.admin).await;
    assert_eq!(v["intact"], true);
});

both!(last_admin_is_protected, |t: TestApp| async move {
    let (_, me) = t.get("/api/v1/auth/me", &t.admin).await;
    let id = me["id"].as_str().unwrap();
    assert_eq!(t.delete(&format!("/api/v1/users/{id}"), &t.admin).await, StatusCode::CONFLICT);
    let (s, _) = t.put(&format!("/api/v1/users/{id}"), &t.admin, json!({"username": "admin", "role": "auditor"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = t
        .put(&format!("/api/v1/users/{id}"), &t.admin, json!({"username": "admin", "role": "admin", "active": false}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
});

both!(password_change_ends_sessions, |t: TestApp| async move {
    let token = t.user("li", "auditor", None, None).await;
    let (_, me) = t.get("/api/v1/auth/me", &token).await;
    let id = me["id"].as_str().unwrap();
    let (s, _) = t
        .put(
            &format!("/api/v1/users/{id}"),
            &t.admin,
            json!({"username": "li", "role": "auditor", "password": "NewPass#2026"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(t.get("/api/v1/auth/me", &token).await.0, StatusCode::UNAUTHORIZED);
    t.login("li", "NewPass#2026").await;
});
