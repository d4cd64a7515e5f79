//! Notification channels: what each kind needs to reach people, checked field by field. A
//! channel's secrets (passwords, signing keys, API secrets) are split from the rest when it is
//! checked so the store can keep them encrypted and the API never sends them back.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::error::{Checker, FieldError};
use crate::settings::Fields;

text_enum!(
    /// The kinds of channel.
    ChannelKind {
        Email = "email" / "电子邮件" / "E-mail",
        Wecom = "wecom" / "企业微信" / "WeCom",
        Dingtalk = "dingtalk" / "钉钉" / "DingTalk",
        Feishu = "feishu" / "飞书" / "Feishu",
        Sms = "sms" / "短信" / "SMS",
        Webhook = "webhook" / "Webhook" / "Webhook",
    }
);

text_enum!(
    /// How an SMTP connection is secured.
    SmtpTls {
        Starttls = "starttls" / "STARTTLS" / "STARTTLS",
        Implicit = "implicit" / "SSL/TLS" / "implicit TLS",
        None = "none" / "不加密" / "none",
    }
);

text_enum!(
    /// The SMS gateways whose request forms Yunwei speaks.
    SmsProvider {
        Aliyun = "aliyun" / "阿里云短信" / "Alibaba Cloud SMS",
        Tencent = "tencent" / "腾讯云短信" / "Tencent Cloud SMS",
        Generic = "generic" / "自建短信平台（HTTP 模板）" / "on-premises SMS platform (HTTP template)",
    }
);

/// A channel as sent by an administrator.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ChannelInput {
    pub kind: Option<String>,
    pub name: Option<String>,
    /// Per kind; see the API description. Secret keys may be left out on update to keep them.
    #[schema(value_type = Object)]
    pub config: Option<Value>,
    pub enabled: Option<bool>,
}

/// A channel as shown: its settings without the secrets, and which secrets are set.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationChannel {
    pub id: String,
    pub kind: ChannelKind,
    pub name: String,
    #[schema(value_type = Object)]
    pub config: Value,
    /// The secret settings that hold a value (never the values).
    pub secrets_set: Vec<String>,
    pub enabled: bool,
    /// Whether the channel reaches people one by one (e-mail, SMS, WeCom application messages)
    /// rather than a group (robots, webhooks).
    pub personal: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A checked channel: the public settings and the secrets, both JSON objects.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelFields {
    pub kind: ChannelKind,
    pub name: String,
    pub config: Map<String, Value>,
    pub secrets: Map<String, Value>,
    pub enabled: bool,
}

/// The settings that are secrets, per kind.
pub fn secret_keys(kind: ChannelKind) -> &'static [&'static str] {
    match kind {
        ChannelKind::Email => &["password"],
        ChannelKind::Wecom => &["secret", "corp_secret"],
        ChannelKind::Dingtalk | ChannelKind::Feishu | ChannelKind::Webhook => &["secret"],
        ChannelKind::Sms => &["access_key_secret", "secret_key", "secret"],
    }
}

/// Whether a channel with these settings reaches people one by one.
pub fn is_personal(kind: ChannelKind, config: &Map<String, Value>) -> bool {
    match kind {
        ChannelKind::Email | ChannelKind::Sms => true,
        ChannelKind::Wecom => !config.contains_key("webhook"),
        _ => false,
    }
}

impl ChannelInput {
    /// Checks the input; `kept` holds the stored secrets of the channel being updated, which a
    /// missing or empty secret keeps.
    pub fn validate(&self, kept: Option<&Map<String, Value>>) -> Result<ChannelFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let name = c.required_text("name", self.name.as_deref().unwrap_or(""), 100);
        let kind = match self.kind.as_deref().map(str::trim) {
            None | Some("") => {
                c.push(FieldError::required("kind"));
                None
            }
            Some(k) => ChannelKind::parse(k).or_else(|| {
                c.push(FieldError::new(
                    "kind",
                    format!("渠道类型须为 {}", ChannelKind::choices()),
                    format!("must be one of {}", ChannelKind::choices()),
                ));
                None
            }),
        };
        let empty = Map::new();
        let raw = crate::settings::object(&mut c, &self.config, &empty);
        let Some(kind) = kind else {
            c.finish()?;
            return Err(vec![FieldError::required("kind")]);
        };
        let mut f = Fields::new(c, raw, kept);
        match kind {
            ChannelKind::Email => f.email(),
            ChannelKind::Wecom => f.wecom(),
            ChannelKind::Dingtalk | ChannelKind::Feishu => {
                f.url("webhook", true);
                f.secret("secret", false);
            }
            ChannelKind::Webhook => {
                f.url("url", true);
                f.secret("secret", false);
            }
            ChannelKind::Sms => f.sms(),
        }
        let (c, config, secrets) = f.finish();
        c.finish()?;
        Ok(ChannelFields { kind, name, config, secrets, enabled: self.enabled.unwrap_or(true) })
    }
}

impl Fields<'_> {
    fn email(&mut self) {
        self.text("host", true, 255);
        let tls = self.choice("tls", SmtpTls::parse, &SmtpTls::choices(), SmtpTls::Starttls);
        let default_port = match tls {
            SmtpTls::Implicit => 465,
            SmtpTls::Starttls => 587,
            SmtpTls::None => 25,
        };
        self.seen.push("port");
        let port = match self.raw.get("port") {
            None | Some(Value::Null) => Some(default_port),
            Some(v) => v
                .as_u64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                .filter(|p| (1..=65535).contains(p)),
        };
        match port {
            Some(p) => {
                self.config.insert("port".into(), Value::from(p));
            }
            None => {
                self.c.push(FieldError::new(Self::field("port"), "须为 1–65535 的端口号", "must be a port 1–65535"))
            }
        }
        self.config.insert("tls".into(), Value::String(tls.as_str().into()));
        self.text("username", false, 255);
        self.secret("password", false);
        self.seen.push("from");
        if let Some(from) = self.raw.get("from").and_then(Value::as_str) {
            let f = self.c.optional_email(&Self::field("from"), Some(from_address(from)));
            if f.is_some() {
                self.config.insert("from".into(), Value::String(from.trim().to_string()));
            }
        } else {
            self.c.push(FieldError::required(Self::field("from")));
        }
    }

    fn wecom(&mut self) {
        self.seen.push("webhook");
        if self.raw.get("webhook").and_then(Value::as_str).is_some_and(|s| !s.trim().is_empty()) {
            self.url("webhook", true);
            self.secret("secret", false);
            return;
        }
        // Application messages: the corp's id, the application's agent id and secret, and the
        // API base (政务微信 and private deployments have their own).
        self.text("corp_id", true, 100);
        self.text("agent_id", true, 40);
        self.secret("corp_secret", true);
        self.url("api_base", false);
    }

    fn sms(&mut self) {
        let provider = self.choice("provider", SmsProvider::parse, &SmsProvider::choices(), SmsProvider::Generic);
        self.config.insert("provider".into(), Value::String(provider.as_str().into()));
        match provider {
            SmsProvider::Aliyun => {
                self.text("access_key_id", true, 200);
                self.secret("access_key_secret", true);
                self.text("sign_name", true, 100);
                self.text("template_code", true, 100);
                self.text("template_param", false, 60);
                self.url("endpoint", false);
            }
            SmsProvider::Tencent => {
                self.text("secret_id", true, 200);
                self.secret("secret_key", true);
                self.text("sdk_app_id", true, 60);
                self.text("sign_name", true, 100);
                self.text("template_id", true, 60);
                self.text("region", false, 40);
                self.url("endpoint", false);
            }
            SmsProvider::Generic => {
                self.url("url", true);
                let body = self.text("body_template", true, 4000);
                if body.as_deref().is_some_and(|b| !b.contains("{phone}") || !b.contains("{content}")) {
                    self.c.push(FieldError::new(
                        Self::field("body_template"),
                        "须包含 {phone} 与 {content} 两个占位符",
                        "must contain the placeholders {phone} and {content}",
                    ));
                }
                self.text("content_type", false, 100);
                self.secret("secret", false);
            }
        }
    }
}

/// The address in `名称 <a@b.cn>` or a bare address.
pub fn from_address(from: &str) -> &str {
    let f = from.trim();
    match (f.rfind('<'), f.rfind('>')) {
        (Some(a), Some(b)) if a < b => f[a + 1..b].trim(),
        _ => f,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn input(kind: &str, config: Value) -> ChannelInput {
        ChannelInput { kind: Some(kind.into()), name: Some("值班群".into()), config: Some(config), enabled: None }
    }

    fn fields(r: Result<ChannelFields, Vec<FieldError>>) -> Vec<String> {
        r.err().unwrap_or_default().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn secrets_are_split_from_the_settings_and_kept_on_update() {
        let f = input(
            "dingtalk",
            json!({"webhook": "https://oapi.dingtalk.com/robot/send?access_token=x", "secret": "SEC1"}),
        )
        .validate(None)
        .expect("valid");
        assert_eq!(f.secrets.get("secret"), Some(&json!("SEC1")));
        assert!(!f.config.contains_key("secret"));
        let again = input("dingtalk", json!({"webhook": "https://oapi.dingtalk.com/robot/send?access_token=x"}))
            .validate(Some(&f.secrets))
            .expect("valid");
        assert_eq!(again.secrets, f.secrets);
    }

    #[test]
    fn each_kind_names_what_is_missing_or_wrong() {
        assert_eq!(fields(input("webhook", json!({"url": "ftp://x"})).validate(None)), ["config.url"]);
        assert_eq!(
            fields(input("email", json!({"port": 0, "tls": "ssl", "from": "not-mail"})).validate(None)),
            ["config.host", "config.tls", "config.port", "config.from"]
        );
        assert_eq!(
            fields(input("wecom", json!({"corp_id": "ww1"})).validate(None)),
            ["config.agent_id", "config.corp_secret"]
        );
        assert_eq!(
            fields(
                input("sms", json!({"provider": "generic", "url": "http://sms.local/send", "body_template": "x"}))
                    .validate(None)
            ),
            ["config.body_template"]
        );
        assert_eq!(
            fields(input("feishu", json!({"webhook": "https://x.cn/h", "colour": 1})).validate(None)),
            ["config.colour"]
        );
        assert_eq!(fields(input("pigeon", json!({})).validate(None)), ["kind"]);
    }

    #[test]
    fn personal_channels_reach_people_one_by_one() {
        let robot = input("wecom", json!({"webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}))
            .validate(None)
            .expect("valid");
        assert!(!is_personal(robot.kind, &robot.config));
        let app = input("wecom", json!({"corp_id": "ww1", "agent_id": "1000002", "corp_secret": "s"}))
            .validate(None)
            .expect("valid");
        assert!(is_personal(app.kind, &app.config));
        let mail = input("email", json!({"host": "smtp.gov.cn", "from": "运维平台 <ops@gov.cn>"}))
            .validate(None)
            .expect("valid");
        assert_eq!(mail.config.get("port"), Some(&json!(587)));
    }
}
