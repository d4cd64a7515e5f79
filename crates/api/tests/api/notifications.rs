//! Notification channels against local fake receivers: each request's exact shape and
//! signature, the ladder's delivery with a retry, a restart in between, and quiet hours.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Uri};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::both;
use crate::harness::TestApp;
use crate::tickets::{bj, fixture};

#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: String,
}

impl Seen {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    pub fn param(&self, k: &str) -> Option<String> {
        form_urlencoded::parse(self.query.as_bytes()).find(|(n, _)| n == k).map(|(_, v)| v.into_owned())
    }
}

/// An HTTP receiver on loopback answering as each platform does; it fails the next `fail`
/// requests with 500.
#[derive(Clone)]
pub struct Receiver {
    pub base: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    pub fail: Arc<AtomicUsize>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let fail: Arc<AtomicUsize> = Arc::default();
        let (s2, f2) = (seen.clone(), fail.clone());
        let app = axum::Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let (seen, fail) = (s2.clone(), f2.clone());
            async move {
                let path = uri.path().to_string();
                seen.lock().unwrap().push(Seen {
                    method: method.to_string(),
                    path: path.clone(),
                    query: uri.query().unwrap_or("").to_string(),
                    headers,
                    body: String::from_utf8_lossy(&body).into_owned(),
                });
                if fail.load(Ordering::SeqCst) > 0 {
                    fail.fetch_sub(1, Ordering::SeqCst);
                    return (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "down".to_string());
                }
                let answer = match path.as_str() {
                    "/cgi-bin/gettoken" => json!({"errcode": 0, "access_token": "TOKEN1", "expires_in": 7200}),
                    "/aliyun/" => json!({"Code": "OK", "Message": "OK"}),
                    "/tencent/" => json!({"Response": {"SendStatusSet": [{"Code": "Ok"}], "RequestId": "r"}}),
                    "/feishu" => json!({"code": 0, "msg": "success"}),
                    _ => json!({"errcode": 0, "errmsg": "ok"}),
                };
                (axum::http::StatusCode::OK, answer.to_string())
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        Receiver { base, seen, fail }
    }

    pub fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

fn hmac256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

async fn channel(t: &TestApp, kind: &str, name: &str, config: Value) -> String {
    let (s, v) =
        t.post("/api/v1/notification-channels", &t.admin, json!({"kind": kind, "name": name, "config": config})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_str().unwrap().to_string()
}

async fn test_send(t: &TestApp, id: &str, body: Value) -> Value {
    let (s, v) = t.post(&format!("/api/v1/notification-channels/{id}/test"), &t.admin, body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

both!(channels_keep_secrets_and_name_bad_settings, |t: TestApp| async move {
    let r = Receiver::start().await;
    let id = channel(
        &t,
        "dingtalk",
        "值班群",
        json!({"webhook": format!("{}/robot/send?access_token=abc", r.base), "secret": "SEC-dd"}),
    )
    .await;
    let (_, v) = t.get(&format!("/api/v1/notification-channels/{id}"), &t.admin).await;
    assert_eq!(v["secrets_set"], json!(["secret"]), "{v}");
    assert!(!v.to_string().contains("SEC-dd"), "the secret is never returned: {v}");
    let (_, all) = t.get("/api/v1/notification-channels", &t.admin).await;
    assert!(!all.to_string().contains("SEC-dd"));
    // Stored encrypted: the database does not hold it in clear either.
    let raw = store::notifications::channels::list(t.app.store()).await.unwrap();
    assert!(
        raw.iter().all(|c| c.secrets.as_deref().is_some_and(|s| !s.contains("SEC-dd") && s.starts_with("v1:"))),
        "{raw:?}"
    );
    // An update without the secret keeps it.
    let (s, v) = t
        .put(
            &format!("/api/v1/notification-channels/{id}"),
            &t.admin,
            json!({"name": "值班群（新）", "config": {"webhook": format!("{}/robot/send?access_token=abc", r.base)}}),
        )
        .await;
    assert_eq!((s, &v["secrets_set"]), (StatusCode::OK, &json!(["secret"])), "{v}");

    let (s, e) = t
        .post(
            "/api/v1/notification-channels",
            &t.admin,
            json!({"kind": "email", "name": "邮件", "config": {"host": "", "tls": "ssl", "from": "x"}}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["field_errors"].as_array().unwrap().iter().filter_map(|f| f["field"].as_str()).collect();
    assert_eq!(fields, ["config.host", "config.tls", "config.from"], "{e}");
    let (s, _) = t
        .post(
            "/api/v1/notification-channels",
            &t.admin,
            json!({"kind": "webhook", "name": "值班群（新）", "config": {"url": "http://x.cn"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "names are unique");
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "n").await;
    // Others see the enabled personal channels by name, to choose from; never a setting.
    channel(
        &t,
        "sms",
        "短信",
        json!({"provider": "generic", "url": format!("{}/sms", r.base), "body_template": "{phone} {content}"}),
    )
    .await;
    let (s, seen) = t.get("/api/v1/notification-channels", &f.pm).await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> = seen.as_array().unwrap().iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names, ["短信"], "{seen}");
    assert_eq!(seen[0]["config"], json!({}));
    let (s, _) = t
        .post(
            "/api/v1/notification-channels",
            &f.pm,
            json!({"kind": "webhook", "name": "x", "config": {"url": "http://x.cn"}}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = t.post(&format!("/api/v1/notification-channels/{id}/test"), &f.pm, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
});

both!(each_channel_sends_the_documented_request, |t: TestApp| async move {
    let r = Receiver::start().await;
    let b = &r.base;
    // WeCom group robot: markdown.
    let id = channel(&t, "wecom", "企业微信群", json!({"webhook": format!("{b}/cgi-bin/webhook/send?key=K1")})).await;
    assert_eq!(test_send(&t, &id, json!({})).await["status"], "sent");
    let seen = r.take();
    assert_eq!(
        (seen.len(), seen[0].path.as_str(), seen[0].param("key").as_deref()),
        (1, "/cgi-bin/webhook/send", Some("K1"))
    );
    assert_eq!((seen[0].method.as_str(), &seen[0].json()["msgtype"]), ("POST", &json!("markdown")));
    assert!(seen[0].json()["markdown"]["content"].as_str().unwrap().contains("测试"));

    // DingTalk: timestamp (ms) and sign in the query.
    let before = chrono::Utc::now().timestamp_millis();
    let id = channel(
        &t,
        "dingtalk",
        "钉钉群",
        json!({"webhook": format!("{b}/robot/send?access_token=D1"), "secret": "SECd"}),
    )
    .await;
    assert_eq!(test_send(&t, &id, json!({})).await["status"], "sent");
    let s = &r.take()[0];
    let ts: i64 = s.param("timestamp").unwrap().parse().unwrap();
    assert!(ts >= before && ts <= chrono::Utc::now().timestamp_millis(), "milliseconds: {ts}");
    let want = STANDARD.encode(hmac256(b"SECd", format!("{ts}\nSECd").as_bytes()));
    assert_eq!(s.param("sign"), Some(want));
    assert!(s.query.contains("sign=") && !s.query.contains('+'), "URL-encoded: {}", s.query);
    assert_eq!(s.param("access_token").as_deref(), Some("D1"));

    // Feishu: timestamp (s) and sign in the body.
    let id = channel(&t, "feishu", "飞书群", json!({"webhook": format!("{b}/feishu"), "secret": "SECf"})).await;
    assert_eq!(test_send(&t, &id, json!({})).await["status"], "sent");
    let body = r.take()[0].json();
    let ts: i64 = body["timestamp"].as_str().unwrap().parse().unwrap();
    assert!((ts - chrono::Utc::now().timestamp()).abs() < 60, "seconds: {ts}");
    assert_eq!(body["sign"], STANDARD.encode(hmac256(format!("{ts}\nSECf").as_bytes(), b"")));
    assert_eq!(body["msg_type"], "text");

    // Our webhook: HMAC over "timestamp.body".
    let id = channel(&t, "webhook", "值班系统", json!({"url": format!("{b}/hook"), "secret": "SECw"})).await;
    assert_eq!(test_send(&t, &id, json!({})).await["status"], "sent");
    let s = &r.take()[0];
    let ts = s.headers["x-yunwei-timestamp"].to_str().unwrap();
    let want = format!("sha256={}", hex::encode(hmac256(b"SECw", format!("{ts}.{}", s.body).as_bytes())));
    assert_eq!(s.headers["x-yunwei-signature"].to_str().unwrap(), want);
    assert!(s.json()["title"].as_str().unwrap().contains("测试"));

    // WeCom application message to a person: a token, then the message with it.
    let id = channel(
        &t,
        "wecom",
        "企业微信应用",
        json!({"corp_id": "ww1", "agent_id": "1000002", "corp_secret": "CS", "api_base": b}),
    )
    .await;
    assert_eq!(test_send(&t, &id, json!({"to": "ZhangSan"})).await["status"], "sent");
    let seen = r.take();
    assert_eq!(seen[0].path, "/cgi-bin/gettoken");
    assert_eq!((seen[0].param("corpid").as_deref(), seen[0].param("corpsecret").as_deref()), (Some("ww1"), Some("CS")));
    assert_eq!(
        (seen[1].path.as_str(), seen[1].param("access_token").as_deref()),
        ("/cgi-bin/message/send", Some("TOKEN1"))
    );
    assert_eq!(
        (seen[1].json()["touser"].clone(), seen[1].json()["agentid"].clone()),
        (json!("ZhangSan"), json!(1000002))
    );

    // SMS through Alibaba Cloud: a signed RPC query.
    let id = channel(
        &t,
        "sms",
        "阿里云短信",
        json!({"provider": "aliyun", "access_key_id": "AK", "access_key_secret": "AS",
        "sign_name": "数据局", "template_code": "SMS_1", "endpoint": format!("{b}/aliyun/")}),
    )
    .await;
    assert_eq!(test_send(&t, &id, json!({"to": "13800000000"})).await["status"], "sent");
    let s = &r.take()[0];
    assert_eq!(
        (s.param("Action").as_deref(), s.param("PhoneNumbers").as_deref()),
        (Some("SendSms"), Some("13800000000"))
    );
    assert_eq!(s.param("SignatureMethod").as_deref(), Some("HMAC-SHA1"));
    assert!(s.param("Signature").is_some_and(|x| !x.is_empty()));
    assert!(
        serde_json::from_str::<Value>(&s.param("TemplateParam").unwrap()).unwrap()["content"]
            .as_str()
            .unwrap()
            .contains("测试")
    );

    // SMS through Tencent Cloud: TC3-HMAC-SHA256, checked from the secret key.
    let id = channel(
        &t,
        "sms",
        "腾讯云短信",
        json!({"provider": "tencent", "secret_id": "SID", "secret_key": "SKEY",
        "sdk_app_id": "1400000000", "sign_name": "数据局", "template_id": "123", "endpoint": format!("{b}/tencent/")}),
    )
    .await;
    assert_eq!(test_send(&t, &id, json!({"to": "13800000000"})).await["status"], "sent");
    let s = &r.take()[0];
    let ts: i64 = s.headers["x-tc-timestamp"].to_str().unwrap().parse().unwrap();
    let date = chrono::DateTime::from_timestamp(ts, 0).unwrap().format("%Y-%m-%d").to_string();
    let host = b.trim_start_matches("http://");
    let canonical = format!(
        "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:{host}\n\ncontent-type;host\n{}",
        hex::encode(<Sha256 as sha2::Digest>::digest(s.body.as_bytes()))
    );
    let to_sign = format!(
        "TC3-HMAC-SHA256\n{ts}\n{date}/sms/tc3_request\n{}",
        hex::encode(<Sha256 as sha2::Digest>::digest(canonical.as_bytes()))
    );
    let k = hmac256(&hmac256(&hmac256(b"TC3SKEY", date.as_bytes()), b"sms"), b"tc3_request");
    let auth = s.headers["authorization"].to_str().unwrap();
    assert!(auth.ends_with(&format!("Signature={}", hex::encode(hmac256(&k, to_sign.as_bytes())))), "{auth}");
    assert_eq!(s.json()["PhoneNumberSet"], json!(["+8613800000000"]));

    // An on-premises SMS platform: the template filled in, JSON-escaped.
    let id = channel(
        &t,
        "sms",
        "自建短信",
        json!({"provider": "generic", "url": format!("{b}/sms"),
        "body_template": "{\"mobile\": \"{phone}\", \"text\": \"{content}\"}"}),
    )
    .await;
    assert_eq!(test_send(&t, &id, json!({"to": "13900000000"})).await["status"], "sent");
    let body = r.take()[0].json();
    assert_eq!(body["mobile"], "13900000000");
    assert!(body["text"].as_str().unwrap().contains("测试"));

    // A receiver that fails: the test says why, and the log keeps it.
    r.fail.store(1, Ordering::SeqCst);
    let out = test_send(&t, &id, json!({"to": "13900000000"})).await;
    assert_eq!(out["status"], "failed");
    assert!(out["error"].as_str().unwrap().contains("500"), "{out}");
    let (_, log) = t.get(&format!("/api/v1/notification-deliveries?channel_id={id}"), &t.admin).await;
    let statuses: Vec<&str> = log["items"].as_array().unwrap().iter().filter_map(|a| a["status"].as_str()).collect();
    assert_eq!(statuses, ["failed", "sent"], "{log}");
});

both!(email_goes_over_smtp, |t: TestApp| async move {
    let smtp = crate::notify_smtp::FakeSmtp::start().await;
    let id = channel(
        &t,
        "email",
        "邮件",
        json!({"host": "127.0.0.1", "port": smtp.port, "tls": "none", "from": "运维平台 <ops@bureau.gov.cn>"}),
    )
    .await;
    let out = test_send(&t, &id, json!({"to": "zhang@unit.gov.cn"})).await;
    assert_eq!(out["status"], "sent", "{out}");
    let mail = smtp.mails().pop().unwrap();
    assert!(mail.contains("RCPT TO:<zhang@unit.gov.cn>"), "{mail}");
    assert!(mail.contains("MAIL FROM:<ops@bureau.gov.cn>"), "{mail}");
    assert!(mail.contains("Subject:"), "{mail}");
});

/// Gives the fixture's project manager (user `pm` of `vendor`) an address: `{"phone": …}` or
/// `{"email": …}`.
async fn reach_pm(t: &TestApp, vendor: &str, address: Value) {
    let (_, pm) = t.get("/api/v1/users?q=pm", &t.admin).await;
    let id = pm["items"][0]["id"].as_str().unwrap().to_string();
    let mut body = json!({"username": "pm", "role": "vendor_pm", "vendor_id": vendor});
    body.as_object_mut().unwrap().extend(address.as_object().unwrap().clone());
    let (s, v) = t.put(&format!("/api/v1/users/{id}"), &t.admin, body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

/// Seed template 004-row-04's policy with its restore breach sent to `channel` as well.
async fn ladder_to(t: &TestApp, policy: &str, channel: &str) -> (StatusCode, Value) {
    let (_, tpl) = t.get("/api/v1/sla/templates", &t.admin).await;
    let mut body = tpl["items"].as_array().unwrap().iter().find(|x| x["id"] == "004-row-04").unwrap()["policy"].clone();
    body["escalation"]
        .as_array_mut()
        .unwrap()
        .push(json!({"metric": "restore", "on_breach": true, "notify": [], "channels": [channel]}));
    t.put(&format!("/api/v1/sla/policies/{policy}"), &t.admin, body).await
}

both!(a_breach_reaches_the_ladders_webhook_once_retried_across_a_restart, |t: TestApp| async move {
    let r = Receiver::start().await;
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let hook = channel(&t, "webhook", "升级群", json!({"url": format!("{}/hook", r.base), "secret": "S"})).await;
    // A ladder naming a channel that does not exist is refused with the field.
    let (s, e) = ladder_to(&t, &f.policy, "nope").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["field_errors"][0]["field"].as_str().unwrap().ends_with(".channels[0]"), "{e}");
    let (s, v) = ladder_to(&t, &f.policy, &hook).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    t.clock.set(bj("2026-11-20T19:30"));
    let (s, tk) = t
        .post(
            "/api/v1/tickets",
            &f.reporter,
            json!({"system_id": f.system, "type": "incident",
        "severity": "一级（紧急）", "title": "古树名木系统无法登录"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{tk}");
    // Restore is due at 23:30; at 23:31 it has breached.
    t.clock.set(bj("2026-11-20T23:31"));
    t.app.check_due_tickets().await.unwrap();
    r.fail.store(1, Ordering::SeqCst);
    let rep = t.app.deliver_notifications().await.unwrap();
    assert_eq!((rep.sent, rep.failed), (0, 1));
    // The server restarts before the retry; the new one sends it once the backoff has passed.
    let t2 = t.reopen().await;
    t2.app.deliver_notifications().await.unwrap();
    assert_eq!(r.seen.lock().unwrap().len(), 1, "not before the backoff");
    t.clock.set(bj("2026-11-20T23:32"));
    let rep = t2.app.deliver_notifications().await.unwrap();
    assert_eq!((rep.sent, rep.failed), (1, 0));
    t2.app.check_due_tickets().await.unwrap();
    t2.app.deliver_notifications().await.unwrap();
    let seen = r.take();
    assert_eq!(seen.len(), 2, "one failed try and one delivery, nothing more");
    let (first, retry) = (seen[0].json(), seen[1].json());
    assert_eq!(
        (&first["id"], &first["title"], &first["body"]),
        (&retry["id"], &retry["title"], &retry["body"]),
        "the retry is the same message"
    );
    assert!(retry["title"].as_str().unwrap().contains("恢复已超时") && retry["urgent"] == true, "{retry}");
    let (_, log) = t2.get(&format!("/api/v1/notification-deliveries?channel_id={hook}"), &t2.admin).await;
    let statuses: Vec<&str> = log["items"].as_array().unwrap().iter().filter_map(|a| a["status"].as_str()).collect();
    assert_eq!(statuses, ["sent", "failed"], "{log}");
    assert!(log["items"][1]["error"].as_str().unwrap().contains("500"));
});

both!(quiet_hours_hold_routine_notices_but_not_urgent_ones, |t: TestApp| async move {
    let r = Receiver::start().await;
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let sms = channel(
        &t,
        "sms",
        "短信",
        json!({"provider": "generic", "url": format!("{}/sms", r.base),
        "body_template": "{\"mobile\": \"{phone}\", \"text\": \"{content}\"}"}),
    )
    .await;
    // The bureau's default: project managers get every notice by SMS.
    let (s, rule) =
        t.post("/api/v1/notification-rules", &t.admin, json!({"role": "vendor_pm", "channel_id": sms})).await;
    assert_eq!(s, StatusCode::CREATED, "{rule}");
    reach_pm(&t, &f.vendor, json!({"phone": "13700000000"})).await;
    let (s, v) = t
        .put("/api/v1/me/notification-preferences", &f.pm, json!({"quiet_start": "22:00", "quiet_end": "07:30"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, e) = t.put("/api/v1/me/notification-preferences", &f.pm, json!({"quiet_start": "22:00"})).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("quiet_end")));

    // 23:00: a routine ticket (the least severe level) waits for the morning...
    t.clock.set(bj("2026-11-20T23:00"));
    let (_, levels) = t.get(&format!("/api/v1/sla/policies/{}", f.policy), &t.admin).await;
    let least = levels["levels"].as_array().unwrap().last().unwrap()["name"].as_str().unwrap().to_string();
    let (s, _) = t
        .post(
            "/api/v1/tickets",
            &f.reporter,
            json!({"system_id": f.system, "type": "request", "severity": least, "title": "新增账号"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    t.app.deliver_notifications().await.unwrap();
    assert!(r.take().is_empty(), "held during quiet hours");
    // ...while an outage of the most severe level goes through at once.
    let (s, _) = t
        .post(
            "/api/v1/tickets",
            &f.reporter,
            json!({"system_id": f.system, "type": "incident", "severity": "一级（紧急）", "title": "系统宕机"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    t.app.deliver_notifications().await.unwrap();
    let seen = r.take();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].json()["mobile"], "13700000000");
    assert!(seen[0].json()["text"].as_str().unwrap().contains("新工单"));
    t.clock.set(bj("2026-11-21T07:31"));
    t.app.deliver_notifications().await.unwrap();
    assert_eq!(r.take().len(), 1, "the held notice goes when quiet hours end");
    // The project manager sees what was sent to them; not the bureau's whole log.
    let (_, mine) = t.get("/api/v1/notification-deliveries", &f.pm).await;
    assert_eq!(mine["total"], 2, "{mine}");
});

both!(certificates_are_reminded_at_30_7_and_1_days_once_each, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2026-11-20T09:00"));
    let tls =
        json!({"system_id": f.system, "kind": "tls", "target": "portal.example.gov.cn:443", "interval_seconds": 3600});
    let (s, m) = t.post("/api/v1/monitors", &t.admin, tls).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let not_after = bj("2026-12-15T12:00");
    let check = domain::monitoring::LastCheck {
        monitor_id: m["id"].as_str().unwrap().to_string(),
        at: bj("2026-11-20T08:59"),
        ok: true,
        latency_ms: 20,
        error: None,
        cert: Some(domain::monitoring::MonitorCertificate {
            not_after,
            issuer: None,
            subject: None,
            chain_error: None,
        }),
    };
    let tx = t.app.store().begin().await.unwrap();
    store::monitoring::record_last_checks(&tx, &[check]).await.unwrap();
    tx.commit().await.unwrap();
    // 25 days and 3 hours left (26 days, rounded up): the 30-day reminder, once.
    assert_eq!(t.app.remind_certificates().await.unwrap(), 1);
    assert_eq!(t.app.remind_certificates().await.unwrap(), 0);
    t.clock.set(bj("2026-12-09T09:00"));
    assert_eq!(t.app.remind_certificates().await.unwrap(), 1, "6 days left: the 7-day reminder");
    t.clock.set(bj("2026-12-15T00:00"));
    assert_eq!(t.app.remind_certificates().await.unwrap(), 1, "12 hours left: the 1-day reminder");
    assert_eq!(t.app.remind_certificates().await.unwrap(), 0);
    let (_, inbox) = t.get("/api/v1/notifications", &f.pm).await;
    let titles: Vec<&str> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "certificate")
        .filter_map(|n| n["title"].as_str())
        .collect();
    assert_eq!(titles.len(), 3, "{inbox}");
    assert!(
        titles.iter().any(|x| x.contains("26 天"))
            && titles.iter().any(|x| x.contains(" 7 天"))
            && titles.iter().any(|x| x.contains(" 1 天")),
        "{titles:?}"
    );
    let (_, inbox) = t.get("/api/v1/notifications", &f.reporter).await;
    assert_eq!(inbox["items"].as_array().unwrap().iter().filter(|n| n["kind"] == "certificate").count(), 0);
});

both!(a_morning_digest_gathers_the_previous_days_notices, |t: TestApp| async move {
    let smtp = crate::notify_smtp::FakeSmtp::start().await;
    channel(
        &t,
        "email",
        "邮件",
        json!({"host": "127.0.0.1", "port": smtp.port, "tls": "none", "from": "ops@bureau.gov.cn"}),
    )
    .await;
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    reach_pm(&t, &f.vendor, json!({"email": "pm@vendor.cn"})).await;
    let pm = t.login("pm", crate::harness::PASSWORD).await;
    let (s, v) = t
        .put("/api/v1/me/notification-preferences", &pm, json!({"daily_digest": true, "muted_kinds": ["created"]}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    t.clock.set(bj("2026-11-20T10:00"));
    for title in ["门户网站无法访问", "新增账号"] {
        let (s, _) = t
            .post(
                "/api/v1/tickets",
                &f.reporter,
                json!({"system_id": f.system, "type": "request", "severity": "三级（一般）", "title": title}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    // Before eight the next morning nothing goes; from eight, one digest, once.
    t.clock.set(bj("2026-11-21T07:50"));
    assert_eq!(t.app.send_digests().await.unwrap(), 0);
    t.clock.set(bj("2026-11-21T08:05"));
    assert_eq!(t.app.send_digests().await.unwrap(), 1);
    assert_eq!(t.app.send_digests().await.unwrap(), 0);
    t.app.deliver_notifications().await.unwrap();
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1, "muted kinds stay in the bell, the digest is the only mail: {mails:?}");
    assert!(mails[0].contains("RCPT TO:<pm@vendor.cn>"), "{}", mails[0]);
});
