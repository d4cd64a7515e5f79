//! SMS: Alibaba Cloud's SendSms (RPC signature v1, HMAC-SHA1), Tencent Cloud's SendSms (TC3-HMAC-
//! SHA256), or an on-premises platform's HTTP template. Cloud SMS only sends approved templates:
//! the message goes in as one template parameter (Alibaba: `template_param`, default `content`;
//! Tencent: the first and only parameter).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use domain::notifications::Message;
use domain::notifications::channels::SmsProvider;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::sign::{hmac_sha256, webhook_signature};
use crate::{Result, SendError, Settings, answer, cut, describe, plain};

pub(crate) async fn send(
    http: &reqwest::Client,
    ch: &Settings<'_>,
    to: &str,
    msg: &Message,
    now: DateTime<Utc>,
) -> Result<()> {
    // Template parameters are short; the title says what happened.
    let text = cut(&msg.title, 300);
    match ch.get("provider").and_then(SmsProvider::parse).unwrap_or(SmsProvider::Generic) {
        SmsProvider::Aliyun => aliyun(http, ch, to, &text, now).await,
        SmsProvider::Tencent => tencent(http, ch, to, &text, now).await,
        SmsProvider::Generic => generic(http, ch, to, &cut(&plain(msg), 500), now).await,
    }
}

/// RFC 3986 percent-encoding as Alibaba Cloud's signature wants it.
fn pct(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The signed query of an Alibaba Cloud RPC call.
pub(crate) fn aliyun_query(params: &[(&str, String)], secret: &str) -> String {
    let mut sorted: Vec<(String, String)> = params.iter().map(|(k, v)| (pct(k), pct(v))).collect();
    sorted.sort();
    let canonical: Vec<String> = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let canonical = canonical.join("&");
    let to_sign = format!("GET&{}&{}", pct("/"), pct(&canonical));
    let mut m =
        Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes()).expect("HMAC takes keys of any length");
    m.update(to_sign.as_bytes());
    let signature = STANDARD.encode(m.finalize().into_bytes());
    format!("Signature={}&{canonical}", pct(&signature))
}

async fn aliyun(http: &reqwest::Client, ch: &Settings<'_>, to: &str, text: &str, now: DateTime<Utc>) -> Result<()> {
    let endpoint = ch.get("endpoint").unwrap_or("https://dysmsapi.aliyuncs.com/");
    let param = ch.get("template_param").unwrap_or("content");
    let params = [
        ("AccessKeyId", ch.need("access_key_id")?.to_string()),
        ("Action", "SendSms".into()),
        ("Format", "JSON".into()),
        ("PhoneNumbers", to.to_string()),
        ("RegionId", "cn-hangzhou".into()),
        ("SignName", ch.need("sign_name")?.to_string()),
        ("SignatureMethod", "HMAC-SHA1".into()),
        ("SignatureNonce", format!("{:032x}", rand::random::<u128>())),
        ("SignatureVersion", "1.0".into()),
        ("TemplateCode", ch.need("template_code")?.to_string()),
        ("TemplateParam", json!({ param: text }).to_string()),
        ("Timestamp", now.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        ("Version", "2017-05-25".into()),
    ];
    let url = format!("{}?{}", endpoint.trim_end_matches('?'), aliyun_query(&params, ch.need("access_key_secret")?));
    let res = http.get(url).send().await.map_err(|e| SendError(describe(&e)))?;
    let v = answer(res).await?;
    match v.get("Code").and_then(Value::as_str) {
        Some("OK") => Ok(()),
        code => Err(SendError(format!(
            "阿里云短信：{} {}",
            code.unwrap_or("?"),
            v.get("Message").and_then(Value::as_str).unwrap_or("")
        ))),
    }
}

/// The `Authorization` header of a Tencent Cloud API 3.0 call (TC3-HMAC-SHA256).
pub(crate) fn tencent_authorization(
    secret_id: &str,
    secret_key: &str,
    host: &str,
    payload: &[u8],
    timestamp: i64,
) -> String {
    let date = DateTime::from_timestamp(timestamp, 0).unwrap_or_default().format("%Y-%m-%d").to_string();
    let canonical = format!(
        "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:{host}\n\ncontent-type;host\n{}",
        hex::encode(Sha256::digest(payload))
    );
    let scope = format!("{date}/sms/tc3_request");
    let to_sign =
        format!("TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{}", hex::encode(Sha256::digest(canonical.as_bytes())));
    let k_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let k_service = hmac_sha256(&k_date, b"sms");
    let k_signing = hmac_sha256(&k_service, b"tc3_request");
    let signature = hex::encode(hmac_sha256(&k_signing, to_sign.as_bytes()));
    format!("TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}")
}

async fn tencent(http: &reqwest::Client, ch: &Settings<'_>, to: &str, text: &str, now: DateTime<Utc>) -> Result<()> {
    let endpoint = ch.get("endpoint").unwrap_or("https://sms.tencentcloudapi.com/");
    let url = url::Url::parse(endpoint).map_err(|e| SendError(format!("地址无效：{e}")))?;
    let host = match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => return Err(SendError("地址无效".into())),
    };
    let phone = if to.starts_with('+') { to.to_string() } else { format!("+86{to}") };
    let payload = serde_json::to_vec(&json!({
        "PhoneNumberSet": [phone],
        "SmsSdkAppId": ch.need("sdk_app_id")?,
        "SignName": ch.need("sign_name")?,
        "TemplateId": ch.need("template_id")?,
        "TemplateParamSet": [text],
    }))
    .unwrap_or_default();
    let ts = now.timestamp();
    let auth = tencent_authorization(ch.need("secret_id")?, ch.need("secret_key")?, &host, &payload, ts);
    let res = http
        .post(url)
        .header("Authorization", auth)
        .header("Content-Type", "application/json; charset=utf-8")
        .header("X-TC-Action", "SendSms")
        .header("X-TC-Version", "2021-01-11")
        .header("X-TC-Timestamp", ts.to_string())
        .header("X-TC-Region", ch.get("region").unwrap_or("ap-guangzhou"))
        .body(payload)
        .send()
        .await
        .map_err(|e| SendError(describe(&e)))?;
    let v = answer(res).await?;
    let r = &v["Response"];
    if let Some(e) = r.get("Error") {
        return Err(SendError(format!(
            "腾讯云短信：{} {}",
            e["Code"].as_str().unwrap_or("?"),
            e["Message"].as_str().unwrap_or("")
        )));
    }
    match r["SendStatusSet"][0]["Code"].as_str() {
        Some("Ok") => Ok(()),
        code => Err(SendError(format!("腾讯云短信：{}", code.unwrap_or("无发送结果")))),
    }
}

/// An on-premises platform: the body template with `{phone}` and `{content}` filled in (escaped
/// for JSON or a form as the content type says), signed like our webhook when there is a secret.
async fn generic(http: &reqwest::Client, ch: &Settings<'_>, to: &str, text: &str, now: DateTime<Utc>) -> Result<()> {
    let content_type = ch.get("content_type").unwrap_or("application/json");
    let escape = |s: &str| -> String {
        if content_type.contains("json") {
            let quoted = Value::String(s.to_string()).to_string();
            quoted[1..quoted.len() - 1].to_string()
        } else if content_type.contains("x-www-form-urlencoded") {
            pct(s)
        } else {
            s.to_string()
        }
    };
    let body = ch.need("body_template")?.replace("{phone}", &escape(to)).replace("{content}", &escape(text));
    let ts = now.timestamp();
    let mut req = http.post(ch.need("url")?).header(reqwest::header::CONTENT_TYPE, content_type);
    if let Some(secret) = ch.get("secret") {
        req = req
            .header("X-Yunwei-Timestamp", ts.to_string())
            .header("X-Yunwei-Signature", webhook_signature(ts, body.as_bytes(), secret));
    }
    let res = req.body(body).send().await.map_err(|e| SendError(describe(&e)))?;
    answer(res).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_is_rfc3986() {
        assert_eq!(pct("a b*~/+"), "a%20b%2A~%2F%2B");
        assert_eq!(pct("运"), "%E8%BF%90");
    }

    #[test]
    fn alibaba_queries_are_sorted_and_signed() {
        let q = aliyun_query(&[("B", "2".into()), ("A", "1 2".into())], "s");
        assert!(q.starts_with("Signature="));
        assert!(q.ends_with("&A=1%202&B=2"), "{q}");
    }
}
