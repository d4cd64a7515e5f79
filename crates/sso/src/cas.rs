//! CAS 2.0 and 3.0 (what most Chinese 统一身份认证 platforms speak): the browser goes to the
//! server's `/login` with our service address, comes back with a ticket, and the ticket is
//! validated server to server at `/serviceValidate` (2.0) or `/p3/serviceValidate` (3.0, with
//! attributes). Element names are read without their prefix, so `cas:` or any other prefix works.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};
use serde_json::{Map, Value};

use crate::{Result, SsoError, need, provider, setting};

/// The service address: our callback with the sign-in's `state`, the same at login and at
/// validation (CAS compares them character for character).
pub fn service(callback: &str, state: &str) -> String {
    match url::Url::parse(callback) {
        Ok(mut u) => {
            u.query_pairs_mut().append_pair("state", state);
            u.into()
        }
        Err(_) => format!("{callback}?state={state}"),
    }
}

/// Where the browser is sent to sign in.
pub fn login_url(config: &Map<String, Value>, service: &str) -> Result<String> {
    let base = need(config, "server_url")?.trim_end_matches('/');
    let mut u = url::Url::parse(&format!("{base}/login")).map_err(|e| provider(format!("server_url：{e}")))?;
    u.query_pairs_mut().append_pair("service", service);
    Ok(u.into())
}

/// Who the ticket is for: the CAS user and the attributes (repeated ones as lists).
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    pub user: String,
    pub attributes: Map<String, Value>,
}

/// Validates a ticket for `service` at the server.
pub async fn validate(
    client: &crate::Client,
    config: &Map<String, Value>,
    service: &str,
    ticket: &str,
) -> Result<Validated> {
    let base = need(config, "server_url")?.trim_end_matches('/');
    let path = if setting(config, "version") == Some("2") { "serviceValidate" } else { "p3/serviceValidate" };
    let mut u = url::Url::parse(&format!("{base}/{path}")).map_err(|e| provider(format!("server_url：{e}")))?;
    u.query_pairs_mut().append_pair("service", service).append_pair("ticket", ticket);
    let resp = client.http.get(u).send().await.map_err(|e| provider(format!("无法访问 CAS 服务器：{e}")))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(provider(format!("CAS 服务器答复 HTTP {}", status.as_u16())));
    }
    let body = resp.text().await.map_err(|e| provider(format!("CAS 服务器的答复无法读取：{e}")))?;
    parse(&body)
}

/// Reads a `serviceResponse`.
pub fn parse(xml: &str) -> Result<Validated> {
    let mut r = Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    // The text of the element being read: quick-xml hands entity references over separately.
    let mut text = String::new();
    let mut user = None;
    let mut failure: Option<(String, String)> = None;
    let mut attributes = Map::new();
    loop {
        let ev = r.read_event().map_err(|e| provider(format!("CAS 答复不是有效的 XML：{e}")))?;
        match ev {
            Event::Start(e) => {
                let name = e.local_name().into_inner().to_string();
                if name == "authenticationFailure" {
                    let code = e
                        .try_get_attribute("code")
                        .ok()
                        .flatten()
                        .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok().map(|v| v.into_owned()))
                        .unwrap_or_default();
                    failure = Some((code, String::new()));
                }
                path.push(name);
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(e) => match e.resolve_char_ref() {
                Ok(Some(ch)) => text.push(ch),
                _ => text.push_str(resolve_predefined_entity(&e.xml10_content()).unwrap_or("")),
            },
            Event::End(_) => {
                let value = std::mem::take(&mut text).trim().to_string();
                let names: Vec<&str> = path.iter().map(String::as_str).collect();
                match names.as_slice() {
                    ["serviceResponse", "authenticationSuccess", "user"] => user = Some(value),
                    ["serviceResponse", "authenticationSuccess", "attributes", name] => {
                        add(&mut attributes, name, value)
                    }
                    ["serviceResponse", "authenticationFailure"] => {
                        if let Some(f) = failure.as_mut() {
                            f.1 = value;
                        }
                    }
                    _ => {}
                }
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some((code, text)) = failure {
        return Err(SsoError::Refused(format!("CAS 拒绝了票据：{code} {text}").trim().to_string()));
    }
    match user.filter(|u| !u.is_empty()) {
        Some(user) => Ok(Validated { user, attributes }),
        None => Err(provider("CAS 答复中既无成功也无失败")),
    }
}

fn add(attributes: &mut Map<String, Value>, name: &str, text: String) {
    match attributes.get_mut(name) {
        None => {
            attributes.insert(name.to_string(), Value::String(text));
        }
        Some(Value::Array(a)) => a.push(Value::String(text)),
        Some(v) => {
            let first = v.take();
            *v = Value::Array(vec![first, Value::String(text)]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_with_repeated_attributes() {
        let xml = r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
          <cas:authenticationSuccess>
            <cas:user>zhangsan</cas:user>
            <cas:attributes>
              <cas:displayName>张三 &amp; &#26446;四</cas:displayName>
              <cas:memberOf>运维组</cas:memberOf>
              <cas:memberOf>值班组</cas:memberOf>
            </cas:attributes>
          </cas:authenticationSuccess>
        </cas:serviceResponse>"#;
        let v = parse(xml).expect("success");
        assert_eq!(v.user, "zhangsan");
        assert_eq!(v.attributes.get("displayName"), Some(&Value::from("张三 & 李四")));
        assert_eq!(v.attributes.get("memberOf"), Some(&serde_json::json!(["运维组", "值班组"])));
    }

    #[test]
    fn failure_and_garbage_are_told_apart() {
        let xml = r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
          <cas:authenticationFailure code="INVALID_TICKET">Ticket ST-1 not recognized</cas:authenticationFailure>
        </cas:serviceResponse>"#;
        assert_eq!(
            parse(xml),
            Err(SsoError::Refused("CAS 拒绝了票据：INVALID_TICKET Ticket ST-1 not recognized".into()))
        );
        assert!(matches!(parse("<html>login</html>"), Err(SsoError::Provider(_))));
        assert!(matches!(parse("<a><b></a>"), Err(SsoError::Provider(_))));
    }
}
