//! Network checks (HTTP(S), TCP connect, DNS resolution, TLS certificate) and the scheduler that
//! runs them. Knows no database: monitors come in as `domain::monitoring::spec::MonitorSpec`,
//! results go out as `Report`s on a channel, so the same runner can later sit in a remote
//! `yunwei agent` and report over HTTPS.

mod dns;
mod http;
pub mod scheduler;
mod tcp;
mod tls;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use domain::monitoring::spec::{MonitorKind, MonitorSpec};
use serde::Serialize;

pub use scheduler::{Command, Job, Report, Scheduler, SchedulerConfig};

/// What one check found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub ok: bool,
    /// Time to the answer (to the end of the body when the body is checked).
    pub latency_ms: u32,
    /// Why the check failed, in a few words (e.g. `status 503`, `timeout after 1000 ms`).
    pub error: Option<String>,
    /// HTTP status, when there was one.
    pub status: Option<u16>,
    /// The server certificate, for TLS monitors.
    pub cert: Option<CertInfo>,
}

impl Outcome {
    fn up(latency: Duration) -> Outcome {
        Outcome { ok: true, latency_ms: millis(latency), error: None, status: None, cert: None }
    }

    fn down(latency: Duration, error: impl Into<String>) -> Outcome {
        Outcome { ok: false, latency_ms: millis(latency), error: Some(error.into()), status: None, cert: None }
    }
}

/// The leaf certificate a TLS monitor saw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    pub not_after: DateTime<Utc>,
    /// Whole days left at the time of the check (negative once expired).
    pub days_left: i64,
    /// Why the chain does not verify against the built-in roots, if it does not.
    pub chain_error: Option<String>,
}

fn millis(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX)
}

/// Shared clients for all checks: one HTTP connection pool, compiled patterns, one TLS
/// configuration, one system DNS resolver.
#[derive(Clone)]
pub struct Prober {
    http: reqwest::Client,
    patterns: Arc<http::Patterns>,
    tls: Arc<tls::Tls>,
    dns: Arc<dns::Dns>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("could not set up the probe: {0}")]
    Setup(String),
}

impl Prober {
    pub fn new() -> Result<Prober, ProbeError> {
        let tls = Arc::new(tls::Tls::new());
        Ok(Prober { http: http::client(&tls)?, patterns: Arc::default(), tls, dns: Arc::new(dns::Dns::new()) })
    }

    /// Runs one check of `spec`, never longer than its timeout.
    pub async fn check(&self, spec: &MonitorSpec) -> Outcome {
        let timeout = Duration::from_millis(u64::from(spec.timeout_ms));
        let start = Instant::now();
        let run = async {
            match spec.kind {
                MonitorKind::Http => http::check(&self.http, &self.patterns, spec, start).await,
                MonitorKind::Tcp => tcp::check(&spec.target, start).await,
                MonitorKind::Dns => self.dns.check(spec, start).await,
                MonitorKind::Tls => self.tls.check(spec, start).await,
            }
        };
        match tokio::time::timeout(timeout, run).await {
            Ok(o) => o,
            Err(_) => Outcome::down(start.elapsed(), format!("timeout after {} ms", spec.timeout_ms)),
        }
    }
}
