//! E-mail over SMTP with STARTTLS, implicit TLS or (inside a trusted network) none.

use std::time::Duration;

use domain::notifications::Message;
use domain::notifications::channels::SmtpTls;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::{Result, SendError, Settings};

pub(crate) async fn send(ch: &Settings<'_>, to: &str, msg: &Message, timeout: Duration) -> Result<()> {
    let host = ch.need("host")?;
    let port = ch.config.get("port").and_then(serde_json::Value::as_u64).and_then(|p| u16::try_from(p).ok());
    let tls = ch.get("tls").and_then(SmtpTls::parse).unwrap_or(SmtpTls::Starttls);
    let bad = |what: &str, e: &dyn std::fmt::Display| SendError(format!("{what}：{e}"));
    let mut b = match tls {
        SmtpTls::Implicit => AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(|e| bad("SMTP 设置无效", &e))?,
        SmtpTls::Starttls => {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(|e| bad("SMTP 设置无效", &e))?
        }
        SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
    };
    if let Some(p) = port {
        b = b.port(p);
    }
    if let Some(user) = ch.get("username") {
        b = b.credentials(Credentials::new(user.to_string(), ch.get("password").unwrap_or_default().to_string()));
    }
    let transport = b.timeout(Some(timeout)).build();
    let from = ch.need("from")?.parse().map_err(|e| bad("发件人地址无效", &e))?;
    let to = to.parse().map_err(|e| bad("收件人地址无效", &e))?;
    let email = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(msg.title.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(format!("{}\n\n{}\n\n-- \n运维管理平台 Yunwei", msg.title, msg.body))
        .map_err(|e| bad("邮件无法生成", &e))?;
    transport.send(email).await.map(|_| ()).map_err(|e| bad("SMTP 发送失败", &e))
}
