//! Sends a message through a notification channel: e-mail over SMTP, WeCom (robot and application
//! messages), DingTalk and Feishu robots with their signatures, SMS through the cloud gateways'
//! signed APIs or an on-premises platform's HTTP template, and a signed generic webhook. The
//! settings are the channel's, with its secrets already decrypted; nothing here stores anything.

mod email;
mod robots;
mod sign;
mod sms;
mod wecom;

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::notifications::{ChannelKind, Message};
use serde_json::{Map, Value};

pub use sign::{dingtalk_sign, feishu_sign, webhook_signature};

/// Why a send failed, as the delivery log shows it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SendError(pub String);

pub type Result<T> = std::result::Result<T, SendError>;

/// A channel as the sender needs it: the kind and every setting, secrets included.
pub struct Settings<'a> {
    pub kind: ChannelKind,
    pub config: &'a Map<String, Value>,
}

impl Settings<'_> {
    fn get(&self, k: &str) -> Option<&str> {
        self.config.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
    }

    fn need(&self, k: &str) -> Result<&str> {
        self.get(k).ok_or_else(|| SendError(format!("渠道缺少设置 {k}")))
    }
}

/// Sends messages; cheap to clone (one HTTP client, one WeCom token cache).
#[derive(Clone)]
pub struct Sender {
    http: reqwest::Client,
    tokens: wecom::Tokens,
    timeout: Duration,
}

impl Default for Sender {
    fn default() -> Self {
        Sender::new(Duration::from_secs(15))
    }
}

impl Sender {
    pub fn new(timeout: Duration) -> Sender {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            // A receiver that redirects elsewhere is not followed: the bureau configured one address.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Yunwei/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Sender { http, tokens: wecom::Tokens::default(), timeout }
    }

    /// Sends `msg` through the channel; `to` is the person's address on a personal channel (an
    /// e-mail address, a mobile number, a WeCom user id) and `None` on a group channel. `id` is
    /// the delivery's, the same on every retry, so a webhook receiver can drop repeats.
    pub async fn send(
        &self,
        ch: &Settings<'_>,
        to: Option<&str>,
        msg: &Message,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let personal = domain::notifications::channels::is_personal(ch.kind, ch.config);
        let to = match (personal, to.map(str::trim).filter(|t| !t.is_empty())) {
            (true, None) => return Err(SendError("收件人没有该渠道的地址（邮箱、手机号或企业微信账号）".into())),
            (_, to) => to,
        };
        match ch.kind {
            ChannelKind::Email => email::send(ch, to.unwrap_or_default(), msg, self.timeout).await,
            ChannelKind::Wecom if personal => self.wecom_app(ch, to.unwrap_or_default(), msg).await,
            ChannelKind::Wecom => robots::wecom(&self.http, ch, msg).await,
            ChannelKind::Dingtalk => robots::dingtalk(&self.http, ch, msg, now).await,
            ChannelKind::Feishu => robots::feishu(&self.http, ch, msg, now).await,
            ChannelKind::Webhook => robots::webhook(&self.http, ch, msg, id, now).await,
            ChannelKind::Sms => sms::send(&self.http, ch, to.unwrap_or_default(), msg, now).await,
        }
    }
}

/// A message as plain text: the title, then the body.
fn plain(msg: &Message) -> String {
    if msg.body.trim().is_empty() || msg.body == msg.title {
        msg.title.clone()
    } else {
        format!("{}\n{}", msg.title, msg.body)
    }
}

/// Cuts `s` to at most `max` bytes on a character boundary (robots refuse longer messages).
fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max.saturating_sub(3);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// Posts JSON and checks both the HTTP status and the error code the Chinese platforms put in a
/// 200 answer (`errcode`, `code`).
async fn post_json(req: reqwest::RequestBuilder, body: &Value) -> Result<Value> {
    let res = req.json(body).send().await.map_err(|e| SendError(describe(&e)))?;
    answer(res).await
}

async fn answer(res: reqwest::Response) -> Result<Value> {
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(SendError(format!("HTTP {}：{}", status.as_u16(), cut(&text, 300))));
    }
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    for key in ["errcode", "code", "StatusCode"] {
        if let Some(code) = v.get(key).and_then(Value::as_i64).filter(|c| *c != 0) {
            let msg =
                ["errmsg", "msg", "StatusMessage"].iter().find_map(|k| v.get(*k).and_then(Value::as_str)).unwrap_or("");
            return Err(SendError(format!("{key} {code}：{msg}")));
        }
    }
    Ok(v)
}

fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "超时"
    } else if e.is_connect() {
        "无法连接"
    } else {
        "请求失败"
    };
    let mut s = format!("{what}：{e}");
    let mut src = std::error::Error::source(e);
    while let Some(x) = src {
        s.push_str(&format!("：{x}"));
        src = x.source();
    }
    cut(&s, 500)
}
