//! What every response and every browser request goes through: security headers, refusal of
//! cross-site writes made with the session cookie, and the API page behind sign-in.

use axum::extract::{Request, State};
use axum::http::header::{
    AUTHORIZATION, CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, HOST, LOCATION, ORIGIN, REFERRER_POLICY,
    STRICT_TRANSPORT_SECURITY, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::Msg;

use crate::error::{ApiError, Problem};
use crate::extract::SESSION_COOKIE;
use crate::state::AppState;

/// JSON and files need nothing: no scripts, no frames.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/// The interactive API page (Swagger UI, served from the binary).
const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                        img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; \
                        form-action 'self'; frame-ancestors 'none'";

/// Whether the request authenticates with the session cookie (and not a bearer token): only
/// such requests can be forged by another site, since a browser adds cookies on its own.
pub fn cookie_session(headers: &HeaderMap) -> bool {
    headers.get(AUTHORIZATION).is_none()
        && headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .any(|c| c.trim().split_once('=').is_some_and(|(k, _)| k == SESSION_COOKIE))
}

fn is_docs(path: &str) -> bool {
    path == "/api/docs" || path.starts_with("/api/docs/") || path == "/api/v1/openapi.json"
}

/// Security headers on every response; the UI's own HTML sets its stricter CSP in `ui.rs`.
pub async fn headers(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let docs = req.uri().path().starts_with("/api/docs");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.entry(X_FRAME_OPTIONS).or_insert(HeaderValue::from_static("DENY"));
    let csp = if docs { DOCS_CSP } else { API_CSP };
    h.entry(CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(csp));
    if s.http.https {
        h.insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    res
}

fn refused(zh: &str, en: &str, status: StatusCode, code: &'static str) -> Response {
    let p = Problem {
        status,
        code,
        message: Msg::new(zh, en),
        field_errors: Vec::new(),
        row_errors: Vec::new(),
        retry_after: None,
    };
    let mut r = p.render(domain::Lang::Zh, "");
    r.extensions_mut().insert(p);
    r
}

/// The `host[:port]` an `Origin` names.
fn origin_authority(origin: &str) -> Option<&str> {
    let rest = origin.split_once("://")?.1;
    Some(rest.split('/').next().unwrap_or(rest))
}

/// Refuses unsafe requests made with the session cookie (and sign-in itself) that the browser
/// says come from another site: `Sec-Fetch-Site` other than `same-origin`/`none`, or an
/// `Origin` whose authority is not this request's `Host`. A reverse proxy must pass `Host` on.
/// Cookie-authenticated bodies must also be JSON or a file upload (checked by the extractors),
/// so a plain HTML form on another site cannot post one.
pub async fn cross_site(req: Request, next: Next) -> Response {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let h = req.headers();
    let login = req.uri().path() == "/api/v1/auth/login";
    if unsafe_method && (login || cookie_session(h)) {
        let fetch_site = h.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        let bad_fetch = fetch_site.is_some_and(|v| v != "same-origin" && v != "none");
        let host = h.get(HOST).and_then(|v| v.to_str().ok());
        let bad_origin = match h.get(ORIGIN).map(|v| v.to_str().unwrap_or("null")) {
            None => false,
            Some(o) => origin_authority(o).is_none_or(|a| Some(a) != host),
        };
        if bad_fetch || bad_origin {
            return refused(
                "拒绝来自其他网站的请求",
                "a request from another site was refused",
                StatusCode::FORBIDDEN,
                "cross_site",
            );
        }
    }
    next.run(req).await
}

/// Whether a cookie-authenticated request may carry a body of this type: JSON, or for uploads
/// multipart and the raw types an import accepts. Bearer clients are not limited.
pub fn body_type_allowed(headers: &HeaderMap, uploads: bool) -> bool {
    if !cookie_session(headers) {
        return true;
    }
    let ct = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let essence = ct.split(';').next().unwrap_or("").trim().to_string();
    essence == "application/json"
        || (uploads
            && (essence == "multipart/form-data"
                || essence == "application/octet-stream"
                || essence.starts_with("application/vnd.")
                || essence == "text/csv"
                || essence == "text/calendar"))
}

/// The error for a body type `body_type_allowed` refused.
pub fn wrong_body_type() -> ApiError {
    ApiError::UnsupportedMediaType
}

/// `/api/docs` and the OpenAPI document need a signed-in user unless `public_api_docs` is set:
/// the page redirects to sign-in and back, the document answers 401.
pub async fn docs_gate(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if s.http.public_api_docs || !is_docs(&path) {
        return next.run(req).await;
    }
    let token = crate::extract::token_from_headers(req.headers()).unwrap_or_default();
    if s.app.authenticate(&token).await.is_ok() {
        return next.run(req).await;
    }
    if path.starts_with("/api/docs") {
        return (StatusCode::SEE_OTHER, [(LOCATION, "/login?redirect=/api/docs/")]).into_response();
    }
    ApiError::App(app::AppError::Unauthenticated(Msg::new(
        "未登录或登录已过期，请重新登录",
        "not signed in, or the session has expired",
    )))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_compared_by_authority() {
        assert_eq!(origin_authority("https://yunwei.gov.cn"), Some("yunwei.gov.cn"));
        assert_eq!(origin_authority("http://127.0.0.1:8080"), Some("127.0.0.1:8080"));
        assert_eq!(origin_authority("null"), None);
    }

    #[test]
    fn only_cookie_sessions_are_limited_to_json() {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert!(body_type_allowed(&h, false), "no session at all");
        h.insert(COOKIE, HeaderValue::from_static("a=1; yunwei_session=abc"));
        assert!(!body_type_allowed(&h, false));
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
        assert!(body_type_allowed(&h, false));
        h.insert(CONTENT_TYPE, HeaderValue::from_static("multipart/form-data; boundary=x"));
        assert!(!body_type_allowed(&h, false) && body_type_allowed(&h, true));
        h.insert(AUTHORIZATION, HeaderValue::from_static("Bearer t"));
        h.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert!(body_type_allowed(&h, false), "bearer clients choose their own");
    }
}
