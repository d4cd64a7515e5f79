//! Use cases by feature, and the background jobs. Each service function checks permissions on its
//! first line, so the API, the UI and the jobs share one set of rules.

pub mod approvals;
pub mod assessments;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod backups;
pub mod calendars;
pub mod changes;
pub mod clock;
pub mod contracts;
mod crypto;
pub mod dashboard;
pub mod demo;
pub mod dengbao;
pub mod duty;
mod error;
mod export;
pub mod files;
pub mod holidays;
pub mod import;
pub mod indicators;
pub mod inspections;
pub mod jobs;
pub mod leases;
pub mod monitoring;
pub mod notifications;
pub mod payments;
pub mod reports;
mod schedules;
pub mod secrets;
pub mod security_events;
pub mod security_plans;
pub mod sla;
pub mod sso;
pub mod systems;
pub mod tickets;
pub mod today;
pub mod units;
pub mod users;
pub mod vendors;
pub mod vulnerabilities;

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::Principal;
use domain::audit::AuditEntry;
use serde::Serialize;
use store::{Store, Tx};

pub use error::{AppError, Result};
pub use export::Format;
pub use store::Store as Database;

/// Settings the use cases need.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// A session unused for this long ends (等保: log out on idle).
    pub session_idle: Duration,
    /// A session ends this long after sign-in however active it is.
    pub session_max: Duration,
    /// Bounds on sign-in attempts and password checks.
    pub sign_in: auth::ThrottleConfig,
    /// Consecutive failed logins that lock an account.
    pub lockout_threshold: i32,
    pub lockout_duration: Duration,
    /// Where uploaded files live (`<data dir>/attachments`); `None` refuses uploads.
    pub data_dir: Option<std::path::PathBuf>,
    /// Largest attachment accepted.
    pub max_attachment_bytes: usize,
    /// The key secrets at rest are sealed with (base64 of 32 bytes); without it,
    /// `<data dir>/secret.key` (see `secrets`).
    pub secret_key: Option<String>,
    /// The cryptographic suite: SHA-256 and AES-256-GCM, or `sm` (SM3 and SM4-GCM).
    pub crypto_suite: secrets::CryptoSuite,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            session_idle: Duration::from_secs(30 * 60),
            session_max: Duration::from_secs(12 * 3600),
            sign_in: auth::ThrottleConfig::default(),
            lockout_threshold: 5,
            lockout_duration: Duration::from_secs(15 * 60),
            data_dir: None,
            max_attachment_bytes: 10 * 1024 * 1024,
            secret_key: None,
            crypto_suite: secrets::CryptoSuite::Default,
        }
    }
}

/// The application: the store plus the rules. Cheap to clone.
#[derive(Clone)]
pub struct App {
    store: Store,
    config: AppConfig,
    /// A hash of nothing, verified against when a login names no user, so the answer takes
    /// as long as for a real user.
    dummy_hash: std::sync::Arc<String>,
    clock: std::sync::Arc<dyn clock::Clock>,
    /// When sessions were used and end: the system clock, apart from business time so that a
    /// test moving business time does not end its sessions (`with_session_clock`).
    session_clock: std::sync::Arc<dyn clock::Clock>,
    /// Where checklist items with a `source` read themselves from.
    sources: inspections::auto::Sources,
    /// The probe runner's handle (idle until `start_monitoring`).
    monitors: monitoring::Runner,
    /// Sign-in limits and the bound on password checks, shared by every clone.
    throttle: std::sync::Arc<auth::Throttle>,
    /// What approved requests do, by kind.
    effects: approvals::Effects,
    /// Which shared work this server holds.
    leases: leases::Leases,
    /// The fonts report charts are drawn with, loaded at the first chart.
    chart_fonts: std::sync::Arc<std::sync::OnceLock<std::sync::Arc<report::periodic::chart::ChartFonts>>>,
    /// Seals and opens secrets at rest.
    secrets: secrets::SecretBox,
    /// Sends through notification channels.
    sender: notify::Sender,
    /// Talks to single sign-on providers.
    sso: ::sso::Client,
    /// The security policy, read at most every few seconds.
    policy_cache: auth::policy::PolicyCache,
}

impl App {
    pub async fn new(store: Store, config: AppConfig) -> Result<App> {
        let dummy_hash = auth::hash_password_unbounded("not-a-password-Aa1!".to_string()).await?;
        let throttle = std::sync::Arc::new(auth::Throttle::new(&config.sign_in));
        let secrets =
            secrets::SecretBox::load(config.secret_key.as_deref(), config.data_dir.as_deref(), config.crypto_suite)?;
        let fields =
            secrets::FieldBox { secrets: secrets.clone(), seal: config.crypto_suite == secrets::CryptoSuite::Sm };
        let store =
            store.with_hash(config.crypto_suite.hash()).with_fields(store::Fields::new(std::sync::Arc::new(fields)));
        Ok(App {
            secrets,
            sender: notify::Sender::default(),
            sso: ::sso::Client::default(),
            policy_cache: Default::default(),
            throttle,
            effects: approvals::Effects::standard(),
            store,
            config,
            dummy_hash: std::sync::Arc::new(dummy_hash),
            clock: std::sync::Arc::new(clock::SystemClock),
            session_clock: std::sync::Arc::new(clock::SystemClock),
            sources: inspections::auto::Sources::standard(),
            monitors: monitoring::Runner::default(),
            leases: leases::Leases::default(),
            chart_fonts: std::sync::Arc::default(),
        })
    }

    /// The same app reading business time from `clock` (tests).
    pub fn with_clock(self, clock: std::sync::Arc<dyn clock::Clock>) -> App {
        App { clock, ..self }
    }

    /// The same app timing sessions (idle and absolute expiry) by `clock` (tests).
    pub fn with_session_clock(self, session_clock: std::sync::Arc<dyn clock::Clock>) -> App {
        App { session_clock, ..self }
    }

    /// The same app with `sources` answering automatic checklist items instead of the standard
    /// ones (`Sources::standard`, registered by `new`).
    pub fn with_sources(self, sources: inspections::auto::Sources) -> App {
        App { sources, ..self }
    }

    /// Business time, from the injectable `clock` (tests stage it): when tickets are reported, SLA
    /// clocks run and breach, approvals and inspections are dated, and jobs look for due work.
    /// Real time for record stamps, sessions and leases is `wall_now()`.
    pub fn business_now(&self) -> DateTime<Utc> {
        domain::audit::truncate_micros(self.clock.now())
    }

    /// Connects, migrates and builds the app.
    pub async fn open(database_url: &str, config: AppConfig) -> Result<App> {
        let store = Store::connect(database_url).await?;
        store.migrate().await?;
        let app = App::new(store, config).await?;
        app.ensure_reference_data().await?;
        app.apply_crypto_suite().await?;
        Ok(app)
    }

    /// The store, for the binary's wiring (closing the pool) and for tests that tamper with it;
    /// request handling goes through the use cases.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// `sqlite` or `postgres`, for readiness and diagnostics.
    pub fn backend_name(&self) -> &'static str {
        self.store.backend_name()
    }

    pub fn config(&self) -> &AppConfig {
        &self.config
    }

    pub async fn ready(&self) -> Result<()> {
        self.store.ping().await.map_err(Into::into)
    }
}

/// Wall time: the real current instant, at the precision the database and the audit chain keep.
/// For stamps on registry records and their audit entries, sessions (login, idle and absolute
/// expiry), the login throttle and start-up seeding — things that must follow the real clock
/// whatever a test does to business time. Business rules read `App::business_now()`.
pub(crate) fn wall_now() -> DateTime<Utc> {
    domain::audit::truncate_micros(Utc::now())
}

/// Today's date for the bureau. China keeps UTC+8 all year; calendars with their own time zones
/// come with the SLA engine.
pub fn bureau_today() -> chrono::NaiveDate {
    bureau_date(wall_now())
}

/// The bureau's date (UTC+8) of an instant.
pub fn bureau_date(t: DateTime<Utc>) -> chrono::NaiveDate {
    (t + chrono::Duration::hours(8)).date_naive()
}

/// An instant as the bureau reads it (`2026-03-06 17:30`, UTC+8), for messages.
pub fn bureau_time(t: DateTime<Utc>) -> String {
    (t + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M").to_string()
}

fn to_json<T: Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

/// Records a change made by `p` inside `tx`. Flat arguments keep the many call sites one line each.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn audit<B: Serialize, A: Serialize>(
    tx: &Tx,
    p: &Principal,
    action: &str,
    object_type: &str,
    object_id: &str,
    before: Option<&B>,
    after: Option<&A>,
    now: DateTime<Utc>,
) -> Result<()> {
    let entry = AuditEntry {
        actor_id: Some(p.user_id.clone()),
        actor_name: p.username.clone(),
        action: action.to_string(),
        object_type: object_type.to_string(),
        object_id: Some(object_id.to_string()),
        before: before.and_then(to_json),
        after: after.and_then(to_json),
    };
    store::audit::append(tx, &entry, now).await?;
    Ok(())
}

/// The registry is written by the bureau only.
pub(crate) fn require_registry_write(p: &Principal) -> Result<()> {
    if p.can_write_registry() { Ok(()) } else { Err(AppError::Forbidden) }
}

/// A change to an existing registry object. A caller who may not write learns no more than a
/// reader would: an object hidden from them answers 404 exactly as a missing id does, a visible
/// one 403. `visible` is the caller's scoped read of the object, awaited only for such callers.
pub(crate) async fn require_registry_write_to<T>(
    p: &Principal,
    visible: impl std::future::Future<Output = Result<T>>,
) -> Result<()> {
    if p.can_write_registry() {
        return Ok(());
    }
    visible.await?;
    Err(AppError::Forbidden)
}

/// A change made at once, or filed as a request for someone else's approval (the measured party
/// does not move its own measurement).
#[derive(Debug)]
pub enum Applied<T> {
    Done(T),
    Requested(Box<domain::approvals::Approval>),
}

/// The principal used by the system itself (CLI, demo loader, jobs) in the audit trail.
pub fn system_principal() -> Principal {
    Principal {
        user_id: "system".into(),
        username: "system".into(),
        role: domain::Role::Admin,
        unit_id: None,
        vendor_id: None,
    }
}
