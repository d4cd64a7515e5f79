//! Monitoring: what a monitor checks and how its results become up/down intervals. The probes
//! themselves run in `crates/probe`; availability against contract targets is computed here.

pub mod availability;
pub mod indicators;
pub mod inspect;
pub mod intake;
pub mod maintenance;
pub mod reach;
pub mod rollup;
pub mod spec;
pub mod state;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use self::spec::{Expect, MonitorKind};
use self::state::MonitorState;

/// The key a list of monitors sorts by (with `order`); by name when none is given.
pub const SORT_KEYS: &[&str] = &["name"];

/// What a list of monitors can be narrowed by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonitorFilter {
    pub system_id: Option<String>,
    pub kind: Option<MonitorKind>,
    pub state: Option<MonitorState>,
}

/// A monitor with its live state.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Monitor {
    pub id: String,
    pub system_id: String,
    pub unit_id: String,
    pub name: String,
    pub kind: MonitorKind,
    pub target: String,
    pub interval_seconds: u32,
    pub timeout_ms: u32,
    pub failures_before_down: u32,
    pub successes_before_up: u32,
    /// What the check must see; request header values read as `spec::SECRET_MASK`.
    pub expect: Expect,
    pub active: bool,
    /// Defined by someone other than an administrator: its target is held to the system's
    /// registered networks and the bureau's allowlist, at every connection.
    pub restricted: bool,
    /// `up`, `down` or `unknown` (not checked yet, or paused).
    pub state: MonitorState,
    pub state_since: Option<DateTime<Utc>>,
    pub last_checked_at: Option<DateTime<Utc>>,
    pub last_ok: Option<bool>,
    pub last_latency_ms: Option<u32>,
    pub last_error: Option<String>,
    /// The certificate a TLS monitor last saw.
    pub cert: Option<MonitorCertificate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MonitorCertificate {
    pub not_after: DateTime<Utc>,
    pub issuer: Option<String>,
    pub subject: Option<String>,
    pub chain_error: Option<String>,
}

/// What one check left on its monitor (written in batches).
#[derive(Debug, Clone, PartialEq)]
pub struct LastCheck {
    pub monitor_id: String,
    pub at: DateTime<Utc>,
    pub ok: bool,
    pub latency_ms: u32,
    pub error: Option<String>,
    pub cert: Option<MonitorCertificate>,
}
