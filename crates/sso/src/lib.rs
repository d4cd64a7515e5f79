//! Talks to identity providers: OpenID Connect (authorization code with PKCE, the ID token checked
//! against the provider's published keys), CAS 2.0/3.0 ticket validation, and LDAP / Active
//! Directory bind and search. Settings arrive with their secrets decrypted; nothing here stores
//! anything or decides who may enter — that is the mapping's job, in the app.

pub mod cas;
pub mod ldap;
pub mod oidc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde_json::{Map, Value};

/// Why a sign-in failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SsoError {
    /// The person's credentials or ticket were refused (wrong password, unknown user, a used or
    /// forged ticket): the answer to the user is "refused".
    #[error("{0}")]
    Refused(String),
    /// The provider could not be reached or answered something unusable: a matter for the
    /// administrator.
    #[error("{0}")]
    Provider(String),
}

pub type Result<T> = std::result::Result<T, SsoError>;

fn provider(what: impl std::fmt::Display) -> SsoError {
    SsoError::Provider(what.to_string())
}

/// A random URL-safe token of 32 bytes (state, nonce, PKCE verifier).
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// A setting as text, trimmed, if set.
fn setting<'a>(config: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    config.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

fn need<'a>(config: &'a Map<String, Value>, k: &str) -> Result<&'a str> {
    setting(config, k).ok_or_else(|| provider(format!("缺少设置 {k}")))
}

/// Talks to providers; cheap to clone. HTTP follows no redirects (a provider that redirects its
/// API is misconfigured, and following would carry codes elsewhere); every call is bounded.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    timeout: std::time::Duration,
}

impl Default for Client {
    fn default() -> Self {
        Client::new(std::time::Duration::from_secs(10))
    }
}

impl Client {
    pub fn new(timeout: std::time::Duration) -> Client {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Yunwei-SSO")
            .build()
            .unwrap_or_default();
        Client { http, timeout }
    }
}
