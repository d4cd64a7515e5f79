//! Group channels: the WeCom, DingTalk and Feishu robots, and our signed webhook.

use chrono::{DateTime, Utc};
use domain::notifications::Message;
use serde_json::json;

use crate::sign::{dingtalk_sign, feishu_sign, webhook_signature};
use crate::{Result, SendError, Settings, cut, plain, post_json};

/// WeCom's group robot: markdown, at most 4096 bytes.
pub(crate) async fn wecom(http: &reqwest::Client, ch: &Settings<'_>, msg: &Message) -> Result<()> {
    let url = ch.need("webhook")?;
    let content = cut(&format!("**{}**\n{}", msg.title, quote(&msg.body)), 4096);
    post_json(http.post(url), &json!({"msgtype": "markdown", "markdown": {"content": content}})).await.map(|_| ())
}

/// DingTalk's robot: `timestamp` (ms) and `sign` in the query when the robot has a secret.
pub(crate) async fn dingtalk(
    http: &reqwest::Client,
    ch: &Settings<'_>,
    msg: &Message,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut url = url::Url::parse(ch.need("webhook")?).map_err(|e| SendError(format!("地址无效：{e}")))?;
    if let Some(secret) = ch.get("secret") {
        let ts = now.timestamp_millis();
        url.query_pairs_mut().append_pair("timestamp", &ts.to_string()).append_pair("sign", &dingtalk_sign(ts, secret));
    }
    let text = cut(&format!("### {}\n{}", msg.title, quote(&msg.body)), 5000);
    let body = json!({"msgtype": "markdown", "markdown": {"title": cut(&msg.title, 100), "text": text}});
    post_json(http.post(url), &body).await.map(|_| ())
}

/// Feishu's robot: `timestamp` (s, as text) and `sign` in the body when the robot has a secret.
pub(crate) async fn feishu(http: &reqwest::Client, ch: &Settings<'_>, msg: &Message, now: DateTime<Utc>) -> Result<()> {
    let url = ch.need("webhook")?;
    let mut body = json!({"msg_type": "text", "content": {"text": cut(&plain(msg), 4000)}});
    if let Some(secret) = ch.get("secret") {
        let ts = now.timestamp();
        body["timestamp"] = json!(ts.to_string());
        body["sign"] = json!(feishu_sign(ts, secret));
    }
    post_json(http.post(url), &body).await.map(|_| ())
}

/// Our webhook: the message as JSON, signed in `X-Yunwei-Signature` over the timestamp and the
/// exact body when the channel has a secret; `id` is the same on every retry.
pub(crate) async fn webhook(
    http: &reqwest::Client,
    ch: &Settings<'_>,
    msg: &Message,
    id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let url = ch.need("url")?;
    let ts = now.timestamp();
    let body = json!({
        "id": id,
        "title": msg.title,
        "body": msg.body,
        "urgent": msg.urgent,
        "sent_at": now.to_rfc3339(),
    });
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let mut req = http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("X-Yunwei-Timestamp", ts.to_string());
    if let Some(secret) = ch.get("secret") {
        req = req.header("X-Yunwei-Signature", webhook_signature(ts, &bytes, secret));
    }
    let res = req.body(bytes).send().await.map_err(|e| SendError(crate::describe(&e)))?;
    crate::answer(res).await.map(|_| ())
}

/// The body as a markdown quote, line by line.
fn quote(body: &str) -> String {
    body.lines().filter(|l| !l.trim().is_empty()).map(|l| format!("> {l}")).collect::<Vec<_>>().join("\n")
}
