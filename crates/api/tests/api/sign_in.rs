//! Sign-in under attack: parallel guesses lock like serial ones, a flood of unknown names is
//! answered 401/429 without one audit row per attempt and without shutting out the address for
//! long, users change their own passwords, and sessions end at their absolute lifetime.

use std::time::Duration;

use app::AppConfig;
use app::auth::ThrottleConfig;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Backend, PASSWORD, TestApp, pg_url};

async fn attempt(t: &TestApp, username: &str, password: &str) -> (StatusCode, Option<String>) {
    let res = t
        .client
        .post(format!("{}/api/v1/auth/login", t.base))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("login request");
    let retry = res.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_string);
    (res.status(), retry)
}

/// Sends `n` wrong passwords for `username` at once; returns the statuses.
async fn parallel_guesses(t: &TestApp, username: &str, n: usize) -> Vec<StatusCode> {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let (client, base, username) = (t.client.clone(), t.base.clone(), username.to_string());
        tasks.spawn(async move {
            client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"username": username, "password": format!("Wrong#{i:04}")}))
                .send()
                .await
                .map(|r| r.status())
        });
    }
    let mut out = Vec::new();
    while let Some(r) = tasks.join_next().await {
        out.push(r.expect("task").expect("answer"));
    }
    out
}

// The contract: 40 concurrent wrong passwords, then the right one, is refused.
both!(parallel_guesses_lock_the_account, |t: TestApp| async move {
    t.user("wang", "auditor", None, None).await;
    let statuses = parallel_guesses(&t, "wang", 40).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    assert_eq!(attempt(&t, "wang", PASSWORD).await.0, StatusCode::UNAUTHORIZED, "locked");
});

/// Without the per-account limit every guess reaches the counter: each one counts.
async fn counting_is_atomic(backend: Backend) {
    let sign_in = ThrottleConfig { account_burst: 1000, address_burst: 1000, ..ThrottleConfig::default() };
    let t = TestApp::start_with(backend, AppConfig { sign_in, ..AppConfig::default() }).await;
    t.user("zhao", "auditor", None, None).await;
    let statuses = parallel_guesses(&t, "zhao", 40).await;
    assert!(statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED), "{statuses:?}");
    assert_eq!(attempt(&t, "zhao", PASSWORD).await.0, StatusCode::UNAUTHORIZED, "locked");
    let (_, audit) = t.get("/api/v1/audit?action=login_failed&page_size=100", &t.admin).await;
    let rows = audit["items"].as_array().expect("items");
    let locking: Vec<&Value> = rows.iter().filter(|r| r["after"]["locked_until"].is_string()).collect();
    // 40 failures lock at the 5th; the count starts again under the lock, so only one locks.
    assert_eq!(locking.len(), 1, "exactly one failure engaged the lock");
}

#[tokio::test]
async fn failure_counting_is_atomic_sqlite() {
    counting_is_atomic(Backend::Sqlite).await;
}

#[tokio::test]
async fn failure_counting_is_atomic_postgres() {
    if pg_url().is_some() {
        counting_is_atomic(Backend::Postgres).await;
    }
}

// The contract: 600 concurrent sign-ins for unknown names answer 401 or 429, other users keep
// working meanwhile, the address can sign in again within seconds, and the audit trail holds
// aggregated records, not 600 rows.
both!(a_flood_of_unknown_names_is_bounded, |t: TestApp| async move {
    let unit = t.unit("洪水测试单位").await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..600 {
        let (client, base) = (t.client.clone(), t.base.clone());
        tasks.spawn(async move {
            let res = client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"username": format!("ghost{i}"), "password": "Nope#2026x"}))
                .send()
                .await
                .expect("answer");
            (res.status(), res.headers().get("retry-after").is_some())
        });
    }
    // Signed-in users are not held up by the flood.
    let (s, _) = t.get(&format!("/api/v1/units/{unit}"), &t.admin).await;
    assert_eq!(s, StatusCode::OK);
    let mut refused = 0;
    let mut failed = 0;
    while let Some(r) = tasks.join_next().await {
        match r.expect("task") {
            (StatusCode::UNAUTHORIZED, _) => failed += 1,
            (StatusCode::TOO_MANY_REQUESTS, retry) => {
                assert!(retry, "429 carries Retry-After");
                refused += 1
            }
            (other, _) => panic!("unexpected {other}"),
        }
    }
    assert_eq!(failed + refused, 600);
    assert!(refused > 0, "the address limit engaged");
    // A valid sign-in from the same address goes through within seconds.
    let mut signed_in = false;
    for _ in 0..40 {
        if attempt(&t, "admin", crate::harness::ADMIN_PASSWORD).await.0 == StatusCode::OK {
            signed_in = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(signed_in, "the address was not shut out");
    t.app.flush_sign_in_events().await.expect("flush");
    let (_, audit) = t.get("/api/v1/audit?action=login_failed&page_size=500", &t.admin).await;
    let rows = audit["items"].as_array().expect("items");
    assert!(rows.len() < 10, "aggregated, not one row per attempt: {}", rows.len());
    let count = |reason: &str| -> u64 {
        rows.iter().filter(|r| r["after"]["reason"] == reason).filter_map(|r| r["after"]["count"].as_u64()).sum()
    };
    assert_eq!(count("unknown_user"), failed);
    assert!(count("rate_limited") >= refused, "refusals are recorded too");
    assert!(rows.iter().all(|r| r["after"]["address"] == "127.0.0.1"), "the address is kept");
});

both!(users_change_their_own_password, |t: TestApp| async move {
    let token = t.user("chen", "auditor", None, None).await;
    let other = t.login("chen", PASSWORD).await;
    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let (s, body) = t.post("/api/v1/auth/password", &token, change("Wrong#2026x", "Better#2027")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field_errors"][0]["field"], "current_password");
    let (s, body) = t.post("/api/v1/auth/password", &token, change(PASSWORD, "short")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field_errors"][0]["field"], "new_password");
    let (s, _) = t.post("/api/v1/auth/password", &token, change(PASSWORD, "chen#2027Abc")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "the user name may not be in it");
    let (s, body) = t.post("/api/v1/auth/password", &token, change(PASSWORD, "Better#2027")).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(t.get("/api/v1/auth/me", &token).await.0, StatusCode::OK, "this session stays");
    assert_eq!(t.get("/api/v1/auth/me", &other).await.0, StatusCode::UNAUTHORIZED, "the others end");
    assert_eq!(attempt(&t, "chen", PASSWORD).await.0, StatusCode::UNAUTHORIZED);
    t.login("chen", "Better#2027").await;
    let (_, audit) = t.get("/api/v1/audit?action=password_change", &t.admin).await;
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(1));
    assert!(!audit.to_string().contains("Better#2027"), "the password is not audited");
    // Signed out, nothing changes.
    let (s, _) = t.call(Method::POST, "/api/v1/auth/password", None, Some(change(PASSWORD, "Other#2028x"))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
});

both!(sessions_end_at_their_absolute_lifetime, |t: TestApp| async move {
    // Busy every 20 minutes for 12 hours (the default lifetime), so the idle timeout never applies.
    for step in 1..=36 {
        assert_eq!(t.get("/api/v1/auth/me", &t.admin).await.0, StatusCode::OK, "at {} minutes", (step - 1) * 20);
        t.sessions.advance(chrono::Duration::minutes(20));
    }
    // Twelve hours since sign-in exactly: still inside; a second later, over.
    assert_eq!(t.get("/api/v1/auth/me", &t.admin).await.0, StatusCode::OK);
    t.sessions.advance(chrono::Duration::seconds(1));
    assert_eq!(t.get("/api/v1/auth/me", &t.admin).await.0, StatusCode::UNAUTHORIZED);
});
