//! WeCom application messages to a person by their WeCom user id: an access token from the
//! corp's id and the application's secret (cached until shortly before it expires), then the
//! message. `api_base` serves 政务微信 and private deployments.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use domain::notifications::Message;
use serde_json::{Value, json};

use crate::{Result, SendError, Sender, Settings, cut, post_json};

const DEFAULT_BASE: &str = "https://qyapi.weixin.qq.com";

/// Tokens by corp id and agent, with the instant they stop being used.
#[derive(Clone, Default)]
pub(crate) struct Tokens(Arc<Mutex<HashMap<String, (String, Instant)>>>);

impl Sender {
    pub(crate) async fn wecom_app(&self, ch: &Settings<'_>, to: &str, msg: &Message) -> Result<()> {
        let base = ch.get("api_base").unwrap_or(DEFAULT_BASE).trim_end_matches('/').to_string();
        let corp = ch.need("corp_id")?;
        let agent = ch.need("agent_id")?;
        let key = format!("{base}|{corp}|{agent}");
        let cached =
            self.tokens.0.lock().ok().and_then(|m| m.get(&key).filter(|(_, until)| *until > Instant::now()).cloned());
        let token = match cached {
            Some((t, _)) => t,
            None => {
                let url = format!("{base}/cgi-bin/gettoken");
                let req = self.http.get(url).query(&[("corpid", corp), ("corpsecret", ch.need("corp_secret")?)]);
                let res = req.send().await.map_err(|e| SendError(crate::describe(&e)))?;
                let v = crate::answer(res).await?;
                let t = v
                    .get("access_token")
                    .and_then(Value::as_str)
                    .ok_or_else(|| SendError("企业微信未返回 access_token".into()))?;
                let ttl = v.get("expires_in").and_then(Value::as_u64).unwrap_or(7200);
                let until = Instant::now() + Duration::from_secs(ttl.saturating_sub(300));
                if let Ok(mut m) = self.tokens.0.lock() {
                    m.insert(key.clone(), (t.to_string(), until));
                }
                t.to_string()
            }
        };
        let agentid: Value = agent.parse::<i64>().map_or_else(|_| json!(agent), |n| json!(n));
        let content = cut(&format!("**{}**\n{}", msg.title, msg.body), 2048);
        let body = json!({"touser": to, "msgtype": "markdown", "agentid": agentid, "markdown": {"content": content}});
        let url = format!("{base}/cgi-bin/message/send");
        let sent = post_json(self.http.post(url).query(&[("access_token", token.as_str())]), &body).await;
        if sent.is_err()
            && let Ok(mut m) = self.tokens.0.lock()
        {
            // The token may have been revoked; the retry fetches a new one.
            m.remove(&key);
        }
        sent.map(|_| ())
    }
}
