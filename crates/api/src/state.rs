//! Shared state of the HTTP layer.

use app::App;

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    /// Mark the session cookie `Secure` (when served over HTTPS, directly or behind a proxy).
    pub secure_cookie: bool,
}
