//! Network checks (HTTP(S), TCP connect, DNS resolution, TLS certificate) and the scheduler that
//! runs them. Knows no database: monitors come in as `domain::monitoring::spec::MonitorSpec`,
//! results go out as `Report`s on a channel, so the same runner can later sit in a remote
//! `yunwei agent` and report over HTTPS.

mod allowed;
mod dns;
mod http;
mod pinned;
pub mod scheduler;
mod tcp;
mod tls;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use domain::monitoring::reach::Reach;
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
/// configuration, one system DNS resolver; and the HTTP clients of restricted checks, pinned to
/// the addresses they were allowed.
#[derive(Clone)]
pub struct Prober {
    http: reqwest::Client,
    patterns: Arc<http::Patterns>,
    tls: Arc<tls::Tls>,
    dns: Arc<dns::Dns>,
    pinned: Arc<pinned::Pinned>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("could not set up the probe: {0}")]
    Setup(String),
}

impl Prober {
    pub fn new() -> Result<Prober, ProbeError> {
        let tls = Arc::new(tls::Tls::new());
        Ok(Prober {
            http: http::client(&tls)?,
            patterns: Arc::default(),
            pinned: Arc::new(pinned::Pinned::new(tls.verifying_config())?),
            tls,
            dns: Arc::new(dns::Dns::new()),
        })
    }

    /// Runs one check of `spec`, never longer than its timeout. With a `reach` (every monitor
    /// but an administrator's) the check connects only to addresses it allows, checked after
    /// resolution and at every redirect hop, and fails with `address not allowed: …` otherwise;
    /// without one it goes wherever the target says.
    pub async fn check(&self, spec: &MonitorSpec, reach: Option<&Reach>) -> Outcome {
        let timeout = Duration::from_millis(u64::from(spec.timeout_ms));
        let start = Instant::now();
        let run = async {
            match (spec.kind, reach) {
                (MonitorKind::Http, None) => http::check(&self.http, &self.patterns, spec, start).await,
                (MonitorKind::Http, Some(r)) => pinned::check(&self.pinned, &self.patterns, spec, r, start).await,
                (MonitorKind::Tcp, _) => tcp::check(&spec.target, reach, start).await,
                (MonitorKind::Dns, _) => self.dns.check(spec, reach, start).await,
                (MonitorKind::Tls, _) => self.tls.check(spec, reach, start).await,
            }
        };
        match tokio::time::timeout(timeout, run).await {
            Ok(o) => o,
            Err(_) => Outcome::down(start.elapsed(), format!("timeout after {} ms", spec.timeout_ms)),
        }
    }
}
