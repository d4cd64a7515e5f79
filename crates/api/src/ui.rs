//! The web UI, built by Vite into `web/dist` and embedded in the binary (read from disk in debug
//! builds). Without a built UI the server still runs, and `/` explains how to build it.

use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_FRAME_OPTIONS};
use axum::http::{HeaderValue, Uri};
use axum::response::{Html, IntoResponse, Response};

use crate::error::ApiError;

#[derive(rust_embed::Embed)]
// Relative to this crate's Cargo.toml.
#[folder = "../../web/dist"]
#[allow_missing = true]
struct Dist;

/// The UI needs nothing from elsewhere: scripts, styles, fonts and images are all served here.
/// Element Plus sets inline styles, hence `'unsafe-inline'` for styles only.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; \
                   object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Whether the binary carries a built UI.
pub fn present() -> bool {
    Dist::get("index.html").is_some()
}

/// Files of the UI by path; any other path outside `/api` is a route of the single-page app and
/// gets `index.html`.
pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path == "api" || path.starts_with("api/") {
        return ApiError::App(app::AppError::NotFound).into_response();
    }
    if !path.is_empty()
        && let Some(file) = Dist::get(path)
    {
        // Vite puts content hashes in the names under assets/: they never change.
        let cache = if path.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
        return file_response(file, cache);
    }
    match Dist::get("index.html") {
        Some(index) => file_response(index, "no-cache"),
        None => Html(include_str!("root.html")).into_response(),
    }
}

fn file_response(file: rust_embed::EmbeddedFile, cache: &'static str) -> Response {
    let mime = file.metadata.mimetype().to_string();
    let is_html = mime.starts_with("text/html");
    let mut res = file.data.into_owned().into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&mime) {
        h.insert(CONTENT_TYPE, v);
    }
    h.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    if is_html {
        h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
        h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    res
}
