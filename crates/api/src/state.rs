//! Shared state of the HTTP layer.

use app::App;

/// How the server is exposed; set by the binary from its settings.
#[derive(Clone, Debug, Default)]
pub struct HttpConfig {
    /// Served over HTTPS (directly or behind a TLS proxy): the session cookie is `Secure` and
    /// responses carry `Strict-Transport-Security`.
    pub https: bool,
    /// Proxies whose `X-Forwarded-For` is believed, for the client address that sign-in limits
    /// and the audit trail use. Empty: the peer address is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Serve `/api/docs` and the OpenAPI document without sign-in.
    pub public_api_docs: bool,
    /// The address people reach Yunwei at, for single sign-on callbacks; `None`: the request's
    /// own scheme and host.
    pub public_url: Option<String>,
    /// Where requests that write run (see `writes_apart`); `None`: beside the reads.
    pub writes: Option<tokio::runtime::Handle>,
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub http: std::sync::Arc<HttpConfig>,
}
