//! 等保 level-3 controls: the second factor (TOTP with a fixed clock, recovery codes), password
//! expiry and history, and the policy's own checks.

use chrono::{Duration, Utc};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{PASSWORD, TestApp};

fn base32(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut bits, mut n, mut out) = (0u64, 0u32, Vec::new());
    for c in s.trim_end_matches('=').bytes() {
        bits = (bits << 5) | A.iter().position(|x| *x == c).unwrap() as u64;
        n += 5;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

/// RFC 6238 with SHA-1, 6 digits and 30 s steps, computed here independently of the server.
fn code(secret: &[u8], unix: i64) -> String {
    let mut m = Hmac::<sha1::Sha1>::new_from_slice(secret).unwrap();
    m.update(&((unix / 30) as u64).to_be_bytes());
    let h = m.finalize().into_bytes();
    let o = (h[19] & 0x0f) as usize;
    let v =
        (u32::from(h[o] & 0x7f) << 24) | (u32::from(h[o + 1]) << 16) | (u32::from(h[o + 2]) << 8) | u32::from(h[o + 3]);
    format!("{:06}", v % 1_000_000)
}

async fn login(t: &TestApp, user: &str, password: &str, totp: Option<&str>) -> (StatusCode, Value) {
    let mut body = json!({"username": user, "password": password});
    if let Some(c) = totp {
        body["totp"] = json!(c);
    }
    t.call(reqwest::Method::POST, "/api/v1/auth/login", None, Some(body)).await
}

both!(a_second_factor_is_enrolled_and_then_required, |t: TestApp| async move {
    let at = Utc::now() + Duration::minutes(1);
    t.sessions.set(at);
    let me = t.user("zhang", "engineer", None, Some(&t.vendor("运维公司").await)).await;
    let (s, e) = t.post("/api/v1/auth/totp/enroll", &me, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert!(e["otpauth_url"].as_str().unwrap().starts_with("otpauth://totp/Yunwei:zhang?"), "{e}");
    let secret = base32(e["secret"].as_str().unwrap());
    assert_eq!(secret.len(), 20);
    // A wrong code does not turn it on.
    let (s, v) = t.post("/api/v1/auth/totp/confirm", &me, json!({"code": "000000"})).await;
    assert_eq!((s, v["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("code")), "{v}");
    let (s, r) = t.post("/api/v1/auth/totp/confirm", &me, json!({"code": code(&secret, at.timestamp())})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let recovery: Vec<String> =
        r["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    assert_eq!(recovery.len(), 10);

    // The password alone is not enough.
    let (s, v) = login(&t, "zhang", PASSWORD, None).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("totp_required")), "{v}");
    let (s, v) = login(&t, "zhang", PASSWORD, Some("123456")).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("totp_invalid")), "{v}");
    // The next step's code signs in — once.
    let next = at + Duration::seconds(30);
    t.sessions.set(next);
    let c = code(&secret, next.timestamp());
    let (s, v) = login(&t, "zhang", PASSWORD, Some(&c)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = login(&t, "zhang", PASSWORD, Some(&c)).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("totp_invalid")), "a code is good once: {v}");
    // A wrong password with a right code is still a wrong password.
    let (s, v) = login(&t, "zhang", "Wrong#Pass2026", Some(&code(&secret, next.timestamp() + 30))).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")), "{v}");
    // A recovery code works once.
    let (s, _) = login(&t, "zhang", PASSWORD, Some(&recovery[0])).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = login(&t, "zhang", PASSWORD, Some(&recovery[0])).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Enrolling again while it is on is refused; turning it off needs a code.
    assert_eq!(t.post("/api/v1/auth/totp/enroll", &me, json!({})).await.0, StatusCode::CONFLICT);
    let (s, _) = t.post("/api/v1/auth/totp/disable", &me, json!({"code": "000000"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = t.post("/api/v1/auth/totp/disable", &me, json!({"code": recovery[1]})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(login(&t, "zhang", PASSWORD, None).await.0, StatusCode::OK);
    // The audit has both changes.
    let (_, log) = t.get("/api/v1/audit?object_type=user", &t.admin).await;
    let actions: Vec<&str> = log["items"].as_array().unwrap().iter().filter_map(|r| r["action"].as_str()).collect();
    assert!(actions.contains(&"totp_enabled") && actions.contains(&"totp_disabled"), "{actions:?}");
});

both!(an_expired_password_must_be_changed_first_and_not_to_a_recent_one, |t: TestApp| async move {
    let (s, p) = t.get("/api/v1/security-policy", &t.admin).await;
    assert_eq!((s, &p["password_expiry_days"]), (StatusCode::OK, &json!(0)), "{p}");
    let mut policy = p.clone();
    policy["password_expiry_days"] = json!(90);
    policy["password_history"] = json!(3);
    let (s, v) = t.put("/api/v1/security-policy", &t.admin, policy.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut bad = policy.clone();
    bad["lockout_threshold"] = json!(0);
    let (s, e) = t.put("/api/v1/security-policy", &t.admin, bad).await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("lockout_threshold"))
    );
    // Policy changes are audited.
    let (_, log) = t.get("/api/v1/audit?object_type=security_policy", &t.admin).await;
    assert_eq!(log["total"], 1, "{log}");
    let vendor = t.vendor("运维公司").await;
    t.user("li", "engineer", None, Some(&vendor)).await;
    let (s, v) = login(&t, "li", PASSWORD, None).await;
    assert_eq!((s, &v["must_change_password"]), (StatusCode::OK, &json!(false)));

    // 91 days later the password has expired: sign-in works, but only to change it.
    t.sessions.set(Utc::now() + Duration::days(91));
    let (s, v) = login(&t, "li", PASSWORD, None).await;
    assert_eq!((s, &v["must_change_password"]), (StatusCode::OK, &json!(true)), "{v}");
    let token = v["token"].as_str().unwrap().to_string();
    let (s, e) = t.get("/api/v1/tickets", &token).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::FORBIDDEN, Some("password_change_required")), "{e}");
    assert_eq!(t.get("/api/v1/auth/me", &token).await.0, StatusCode::OK);
    let change = |new: &str| json!({"current_password": PASSWORD, "new_password": new});
    let (s, _) = t.post("/api/v1/auth/password", &token, change("Second#Pass2026")).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, v) = t.get("/api/v1/tickets", &token).await;
    assert_eq!(s, StatusCode::OK, "changed: the session is whole again: {v}");
    // Back to the previous password: refused by the history.
    let (s, e) = t
        .post("/api/v1/auth/password", &token, json!({"current_password": "Second#Pass2026", "new_password": PASSWORD}))
        .await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("new_password")),
        "{e}"
    );
});

both!(sign_in_tells_of_the_last_one_and_sessions_can_be_ended, |t: TestApp| async move {
    let vendor = t.vendor("运维公司").await;
    t.user("wang", "engineer", None, Some(&vendor)).await;
    let (s, _) = login(&t, "wang", "Wrong#Pass2026", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, v) = login(&t, "wang", PASSWORD, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["notice"]["last_at"].is_string(), "the harness signed in before: {v}");
    assert_eq!(v["notice"]["failed_since"], 1, "{v}");
    let phone = v["token"].as_str().unwrap().to_string();
    let (_, v) = login(&t, "wang", PASSWORD, None).await;
    assert_eq!(v["notice"]["failed_since"], 0);
    let desk = v["token"].as_str().unwrap().to_string();
    let (s, list) = t.get("/api/v1/auth/sessions", &desk).await;
    assert_eq!(s, StatusCode::OK);
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), 3, "{list}");
    assert_eq!(items.iter().filter(|x| x["current"] == true).count(), 1);
    let phone_id = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(phone.as_bytes()));
    assert!(items.iter().any(|x| x["id"] == phone_id.as_str()));
    // Someone else cannot end it; its owner can, and it stops working at once.
    assert_eq!(t.delete(&format!("/api/v1/auth/sessions/{phone_id}"), &t.admin).await, StatusCode::NOT_FOUND);
    assert_eq!(t.delete(&format!("/api/v1/auth/sessions/{phone_id}"), &desk).await, StatusCode::NO_CONTENT);
    assert_eq!(t.get("/api/v1/auth/me", &phone).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(t.get("/api/v1/auth/me", &desk).await.0, StatusCode::OK);
});

/// Under the `sm` suite phone numbers are stored sealed with SM4 and read back in clear; a
/// restart under the default suite opens them again in the database.
async fn phones_at_rest(backend: crate::harness::Backend) {
    let config = app::AppConfig { crypto_suite: app::secrets::CryptoSuite::Sm, ..Default::default() };
    let t = TestApp::start_with(backend, config).await;
    let unit = t.create("units", json!({"name": "财政局", "contact_phone": "0571-88001234"})).await;
    t.create(
        "users",
        json!({"username": "qian", "role": "unit_user", "unit_id": unit, "password": PASSWORD,
        "phone": "13800138000"}),
    )
    .await;
    let store = t.app.store();
    let phone = store.query_pairs("SELECT username, phone FROM users WHERE username = 'qian'").await.unwrap();
    assert!(phone[0].1.starts_with("v1:sm4gcm:") && !phone[0].1.contains("13800138000"), "{phone:?}");
    let contact = store.query_pairs("SELECT name, contact_phone FROM units").await.unwrap();
    assert!(contact[0].1.starts_with("v1:sm4gcm:"), "{contact:?}");
    let (_, users) = t.get("/api/v1/users?q=qian", &t.admin).await;
    assert_eq!(users["items"][0]["phone"], "13800138000", "{users}");
    let (_, u) = t.get(&format!("/api/v1/units/{unit}"), &t.admin).await;
    assert_eq!(u["contact_phone"], "0571-88001234", "{u}");
    // Back to the default suite: the numbers are in clear again, and still read.
    let again = t.reopen().await;
    let phone =
        again.app.store().query_pairs("SELECT username, phone FROM users WHERE username = 'qian'").await.unwrap();
    assert_eq!(phone[0].1, "13800138000");
    let admin = again.login("admin", crate::harness::ADMIN_PASSWORD).await;
    let (_, users) = again.get("/api/v1/users?q=qian", &admin).await;
    assert_eq!(users["items"][0]["phone"], "13800138000", "{users}");
}

#[tokio::test]
async fn phone_numbers_are_sealed_under_the_sm_suite() {
    phones_at_rest(crate::harness::Backend::Sqlite).await;
    if crate::harness::pg_url().is_some() {
        phones_at_rest(crate::harness::Backend::Postgres).await;
    }
}
