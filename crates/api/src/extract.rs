//! Extractors: the caller's principal, JSON bodies with errors that name the field, uploads.
//! Query strings are `crate::query`.

use app::App;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use domain::{FieldError, Lang, Principal};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "yunwei_session";

/// The authenticated caller, from `Authorization: Bearer …` or the session cookie.
pub struct Auth {
    pub principal: Principal,
    pub token: String,
}

/// The bearer token, or else the session cookie.
pub fn token_from_headers(headers: &axum::http::HeaderMap) -> Option<String> {
    if let Some(v) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok())
        && let Some(t) = v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer "))
    {
        return Some(t.trim().to_string());
    }
    headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == SESSION_COOKIE).then(|| v.to_string())
    })
}

impl<S> FromRequestParts<S> for Auth
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state).app;
        let token = token_from_headers(&parts.headers).unwrap_or_default();
        // Inside the nested `/api/v1` router `uri` has lost its prefix; the original has it.
        let path = parts.extensions.get::<axum::extract::OriginalUri>().map_or(parts.uri.path(), |u| u.0.path());
        let principal = App::authenticate_request(&app, &token, path).await?;
        Ok(Auth { principal, token })
    }
}

/// The client's address: the peer, or — when the peer is a trusted proxy — the nearest address in
/// `X-Forwarded-For` that is not one (a client can prepend anything, so the list is read from the
/// right). `None` when the server was started without peer addresses (some tests).
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S> FromRequestParts<S> for ClientAddr
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let http = AppState::from_ref(state).http;
        let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
        Ok(ClientAddr(peer.map(|p| client_address(p, &parts.headers, &http.trusted_proxies))))
    }
}

/// The language the client reads: English when its first `Accept-Language` preference is
/// English, Chinese otherwise. Decided once per request here and handed to use cases as a
/// `domain::Lang`; the `localize` middleware renders problem bodies by the same rule.
pub struct ClientLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for ClientLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientLang(lang_of(&parts.headers)))
    }
}

/// The one rule from `Accept-Language` to a language (see `ClientLang`).
pub fn lang_of(headers: &axum::http::HeaderMap) -> Lang {
    let english = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|first| first.trim().to_ascii_lowercase().starts_with("en"));
    if english { Lang::En } else { Lang::Zh }
}

fn client_address(
    peer: std::net::IpAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[ipnet::IpNet],
) -> std::net::IpAddr {
    let is_trusted = |a: &std::net::IpAddr| trusted.iter().any(|n| n.contains(a));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<std::net::IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|h| h.trim().parse().ok())
        .collect();
    hops.iter().rev().find(|a| !is_trusted(a)).or(hops.first()).copied().unwrap_or(peer)
}

/// A JSON body whose errors name the offending field (`items[0].budget_fen`). Text holding
/// control characters is refused wherever it appears, so no use case has to remember to.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !crate::guard::body_type_allowed(req.headers(), false) {
            return Err(crate::guard::wrong_body_type());
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|_| {
            ApiError::BadRequest(vec![FieldError::new(
                "body",
                "请求体过大或无法读取",
                "the body is too large or unreadable",
            )])
        })?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::BadRequest(vec![FieldError::new(
                "body",
                format!("不是有效的 JSON（第 {} 行第 {} 列）", e.line(), e.column()),
                format!("is not valid JSON (line {}, column {})", e.line(), e.column()),
            )])
        })?;
        // Every body of this API is an object; serde would otherwise read an array positionally
        // into a struct's fields.
        if !value.is_object() {
            return Err(ApiError::BadRequest(vec![FieldError::new(
                "body",
                "请求体须为 JSON 对象",
                "must be a JSON object",
            )]));
        }
        let mut bad = Vec::new();
        control_chars_in(&value, "", &mut bad);
        check(bad)?;
        serde_path_to_error::deserialize(value).map(JsonBody).map_err(|e| {
            let path = e.path().to_string();
            ApiError::BadRequest(vec![serde_field_error(if path == "." { "" } else { &path }, &e.into_inner())])
        })
    }
}

fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() { child.to_string() } else { format!("{parent}.{child}") }
}

/// Every string (and key) under `v` with a control character, by path.
fn control_chars_in(v: &serde_json::Value, path: &str, out: &mut Vec<FieldError>) {
    match v {
        serde_json::Value::String(s) if domain::error::has_control_chars(s) => {
            out.push(FieldError::control_chars(if path.is_empty() { "body" } else { path }))
        }
        serde_json::Value::Array(a) => {
            a.iter().enumerate().for_each(|(i, x)| control_chars_in(x, &format!("{path}[{i}]"), out))
        }
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                let key = if domain::error::has_control_chars(k) { k.escape_default().to_string() } else { k.clone() };
                if key != *k {
                    out.push(FieldError::control_chars(join(path, &key)));
                }
                control_chars_in(x, &join(path, &key), out);
            }
        }
        _ => {}
    }
}

/// serde's messages are English and technical; the field path it gives is what matters, so the
/// common cases get a sentence in each language and the rest keep serde's wording as detail.
fn serde_field_error(path: &str, e: &serde_json::Error) -> FieldError {
    let text = e.to_string();
    let backticked = |s: &str| s.split('`').nth(1).map(str::to_string);
    if let Some(rest) = text.strip_prefix("missing field ") {
        return FieldError::required(join(path, &backticked(rest).unwrap_or_default()));
    }
    let field = if path.is_empty() { "body".to_string() } else { path.to_string() };
    if text.starts_with("invalid type:") {
        let expected = text.rsplit("expected ").next().unwrap_or("");
        let zh = if expected.contains("string") {
            "文本"
        } else if ["i64", "u64", "i32", "u32", "u8", "i16", "u16", "integer"].iter().any(|n| expected.contains(n)) {
            "整数"
        } else if expected.contains("bool") {
            "true 或 false"
        } else if expected.contains("sequence") {
            "数组"
        } else if expected.contains("map") || expected.starts_with("struct") {
            "对象"
        } else {
            expected
        };
        return FieldError::new(
            field,
            format!("类型不正确，应为{zh}"),
            format!("has the wrong type: expected {expected}"),
        );
    }
    if text.starts_with("unknown variant") {
        let options = text.split_once("expected ").map_or("", |(_, o)| o);
        return FieldError::new(field, format!("取值无效，可选：{options}"), format!("is not one of: {options}"));
    }
    if text.starts_with("invalid value:") {
        return FieldError::new(field, "数值超出允许范围", format!("is out of range ({text})"));
    }
    FieldError::new(field, format!("格式不正确（{text}）"), format!("is malformed ({text})"))
}

/// Any error answers 400 naming the fields.
fn check(errors: Vec<FieldError>) -> Result<(), ApiError> {
    if errors.is_empty() { Ok(()) } else { Err(ApiError::BadRequest(errors)) }
}

/// Whether a raw (percent-encoded) URI path encodes a control character, such as `%00`.
pub fn path_has_control_chars(path: &str) -> bool {
    let b = path.as_bytes();
    b.iter().any(|c| c.is_ascii_control())
        || b.windows(3).any(|w| {
            w[0] == b'%'
                && std::str::from_utf8(&w[1..])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .is_some_and(|c| c < 0x20 || c == 0x7f)
        })
}

/// A multipart upload: the `file` part and the text of every other part.
pub struct MultipartFile {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub fields: std::collections::HashMap<String, String>,
}

impl MultipartFile {
    pub async fn read(req: Request, state: &AppState) -> Result<MultipartFile, ApiError> {
        let missing =
            || ApiError::BadRequest(vec![FieldError::new("file", "请选择要上传的文件", "no file was uploaded")]);
        if !crate::guard::body_type_allowed(req.headers(), true) {
            return Err(crate::guard::wrong_body_type());
        }
        let mut form = axum::extract::Multipart::from_request(req, state).await.map_err(|_| missing())?;
        let (mut file, mut fields) = (None, std::collections::HashMap::new());
        while let Some(field) = form.next_field().await.map_err(|_| missing())? {
            let Some(name) = field.name().map(str::to_string) else { continue };
            if name == "file" {
                let file_name = field.file_name().unwrap_or("file").to_string();
                file = Some((file_name, field.bytes().await.map_err(|_| missing())?.to_vec()));
            } else {
                fields.insert(name, field.text().await.map_err(|_| missing())?);
            }
        }
        let (file_name, bytes) = file.ok_or_else(missing)?;
        Ok(MultipartFile { file_name, bytes, fields })
    }

    /// A file download: images inline, everything else as an attachment, never sniffed by the
    /// browser.
    pub fn response(file_name: &str, content_type: &str, bytes: Vec<u8>) -> axum::response::Response {
        use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
        use axum::response::IntoResponse;
        let inline = content_type.starts_with("image/");
        let encoded: String =
            form_urlencoded::byte_serialize(file_name.as_bytes()).collect::<String>().replace('+', "%20");
        let disposition = format!("{}; filename*=UTF-8''{encoded}", if inline { "inline" } else { "attachment" });
        let content_type = if content_type == "text/plain" {
            "text/plain; charset=utf-8".to_string()
        } else {
            content_type.to_string()
        };
        (
            [
                (CONTENT_TYPE, content_type),
                (CONTENT_DISPOSITION, disposition),
                (X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            ],
            bytes,
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let proxy: std::net::IpAddr = "10.0.0.2".parse().expect("ip");
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/24".parse().expect("net")];
        let mut h = axum::http::HeaderMap::new();
        h.insert("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.0.0.3".parse().expect("header"));
        assert_eq!(client_address(proxy, &h, &trusted).to_string(), "203.0.113.7", "the spoofable left end is ignored");
        let outsider: std::net::IpAddr = "198.51.100.1".parse().expect("ip");
        assert_eq!(client_address(outsider, &h, &trusted), outsider, "an untrusted peer's header is ignored");
        assert_eq!(client_address(proxy, &axum::http::HeaderMap::new(), &trusted), proxy);
    }
}
