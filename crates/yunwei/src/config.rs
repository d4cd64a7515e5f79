//! Settings: defaults < config file < `YUNWEI_*` environment < command-line flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use serde::Deserialize;

/// Flags shared by every command; each also reads its `YUNWEI_*` variable.
#[derive(Args, Debug, Default)]
pub struct Overrides {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "YUNWEI_LISTEN", global = true)]
    pub listen: Option<String>,
    /// Directory for the SQLite database and uploaded files [default: ./yunwei-data].
    #[arg(long, env = "YUNWEI_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// `postgres://…` or `sqlite://…` [default: SQLite file in the data directory].
    #[arg(long, env = "YUNWEI_DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// A TOML config file [default: yunwei.toml in the data directory, if present].
    #[arg(long, env = "YUNWEI_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Minutes of inactivity after which a session ends [default: 30].
    #[arg(long, env = "YUNWEI_SESSION_IDLE_MINUTES", global = true)]
    pub session_idle_minutes: Option<u64>,
    /// Hours after sign-in at which a session ends however active it is [default: 12].
    #[arg(long, env = "YUNWEI_SESSION_MAX_HOURS", global = true)]
    pub session_max_hours: Option<u64>,
    /// Served over HTTPS (directly or behind a TLS proxy): Secure cookie and HSTS [default: false].
    #[arg(long, env = "YUNWEI_SECURE_COOKIE", global = true)]
    pub secure_cookie: Option<bool>,
    /// Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For is
    /// believed (e.g. `127.0.0.1,10.0.0.0/24`) [default: none].
    #[arg(long, env = "YUNWEI_TRUSTED_PROXIES", global = true)]
    pub trusted_proxies: Option<String>,
    /// Serve /api/docs and the OpenAPI document without sign-in [default: false].
    #[arg(long, env = "YUNWEI_PUBLIC_API_DOCS", global = true)]
    pub public_api_docs: Option<bool>,
    /// Log format: text or json [default: text].
    #[arg(long, env = "YUNWEI_LOG_FORMAT", global = true)]
    pub log_format: Option<String>,
    /// Cryptographic suite: default (SHA-256, AES-256-GCM) or sm (SM3, SM4-GCM) [default: default].
    #[arg(long, env = "YUNWEI_CRYPTO_SUITE", global = true)]
    pub crypto_suite: Option<String>,
    /// The address people reach Yunwei at (e.g. `https://yunwei.sjj.gov.cn`): single sign-on
    /// callbacks are built from it [default: http://<listen> when listening on the loopback;
    /// otherwise unset, and browser sign-in through a provider is refused].
    #[arg(long, env = "YUNWEI_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
}

/// The config file; every key is optional.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    session_idle_minutes: Option<u64>,
    session_max_hours: Option<u64>,
    secure_cookie: Option<bool>,
    trusted_proxies: Option<String>,
    public_api_docs: Option<bool>,
    log_format: Option<String>,
    crypto_suite: Option<String>,
    public_url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    database_url: Option<String>,
    pub session_idle: Duration,
    pub session_max: Duration,
    pub secure_cookie: bool,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub public_api_docs: bool,
    pub json_logs: bool,
    pub crypto_suite: app::secrets::CryptoSuite,
    pub public_url: Option<String>,
}

impl Settings {
    pub fn resolve(o: &Overrides) -> anyhow::Result<Settings> {
        let data_dir_hint = o.data_dir.clone().unwrap_or_else(|| PathBuf::from("./yunwei-data"));
        let file = match &o.config {
            Some(p) => read_file(p)?,
            None => {
                let p = data_dir_hint.join("yunwei.toml");
                if p.exists() { read_file(&p)? } else { FileSettings::default() }
            }
        };
        let listen = o.listen.clone().or(file.listen).unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr = listen.parse().with_context(|| format!("listen: not an address:port: {listen}"))?;
        let minutes = o.session_idle_minutes.or(file.session_idle_minutes).unwrap_or(30);
        if !(1..=24 * 60).contains(&minutes) {
            anyhow::bail!("session_idle_minutes must be between 1 and 1440, not {minutes}");
        }
        let max_hours = o.session_max_hours.or(file.session_max_hours).unwrap_or(12);
        if !(1..=24 * 30).contains(&max_hours) || max_hours * 60 < minutes {
            anyhow::bail!("session_max_hours must be between 1 and 720 and not shorter than the idle timeout");
        }
        let trusted_proxies = parse_networks(o.trusted_proxies.clone().or(file.trusted_proxies).as_deref())?;
        let log_format = o.log_format.clone().or(file.log_format).unwrap_or_else(|| "text".into());
        if log_format != "text" && log_format != "json" {
            anyhow::bail!("log_format must be text or json, not {log_format}");
        }
        let suite = o.crypto_suite.clone().or(file.crypto_suite).unwrap_or_default();
        let crypto_suite = app::secrets::CryptoSuite::parse(&suite)
            .with_context(|| format!("crypto_suite must be default or sm, not {suite}"))?;
        let public_url = o.public_url.clone().or(file.public_url).map(|u| u.trim().trim_end_matches('/').to_string());
        // Served on the loopback only (the demo, a test run): that address is the public one.
        let public_url = public_url
            .filter(|u| !u.is_empty())
            .or_else(|| listen.ip().is_loopback().then(|| format!("http://{listen}")));
        if let Some(u) = &public_url {
            let ok = url::Url::parse(u).is_ok_and(|p| matches!(p.scheme(), "http" | "https") && p.host_str().is_some());
            if !ok {
                anyhow::bail!("public_url must be a full http:// or https:// address, not {u}");
            }
        }
        Ok(Settings {
            public_url,
            crypto_suite,
            listen,
            data_dir: o.data_dir.clone().or(file.data_dir).unwrap_or(data_dir_hint),
            database_url: o.database_url.clone().or(file.database_url).filter(|u| !u.trim().is_empty()),
            session_idle: Duration::from_secs(minutes * 60),
            session_max: Duration::from_secs(max_hours * 3600),
            secure_cookie: o.secure_cookie.or(file.secure_cookie).unwrap_or(false),
            trusted_proxies,
            public_api_docs: o.public_api_docs.or(file.public_api_docs).unwrap_or(false),
            json_logs: log_format == "json",
        })
    }

    /// The configured URL, or a SQLite file in the data directory (created if missing).
    pub fn database_url(&self) -> anyhow::Result<String> {
        if let Some(u) = &self.database_url {
            return Ok(u.clone());
        }
        app::files::private_dir(&self.data_dir)
            .with_context(|| format!("creating the data directory {}", self.data_dir.display()))?;
        let db = self.data_dir.join("yunwei.db");
        private_file(&db).with_context(|| format!("creating the database file {}", db.display()))?;
        Ok(sqlite_url(&db))
    }

    /// Like `database_url`, for commands that read what is there: a missing SQLite file is an
    /// error (most likely a wrong `--data-dir`), not an empty database to create.
    pub fn existing_database_url(&self) -> anyhow::Result<String> {
        let file = self.data_dir.join("yunwei.db");
        if self.database_url.is_none() && !file.exists() {
            anyhow::bail!("no database at {}: check --data-dir or --database-url", file.display());
        }
        self.database_url()
    }

    pub fn with_data_dir(&self, dir: &Path) -> Settings {
        Settings { data_dir: dir.to_path_buf(), database_url: None, ..self.clone() }
    }

    pub fn app_config(&self) -> app::AppConfig {
        app::AppConfig {
            session_idle: self.session_idle,
            session_max: self.session_max,
            data_dir: Some(self.data_dir.clone()),
            // Read here and never kept in `Config`, so it cannot reach a log line; without it
            // the key is `<data dir>/secret.key`.
            secret_key: std::env::var("YUNWEI_SECRET_KEY").ok().filter(|k| !k.trim().is_empty()),
            crypto_suite: self.crypto_suite,
            ..Default::default()
        }
    }

    pub fn http_config(&self) -> api::HttpConfig {
        api::HttpConfig {
            https: self.secure_cookie,
            trusted_proxies: self.trusted_proxies.clone(),
            public_api_docs: self.public_api_docs,
            public_url: self.public_url.clone(),
            writes: None,
        }
    }
}

/// Creates the SQLite file owner-only (0600) before SQLite does, so the database and the WAL and
/// shared-memory files SQLite derives from it are never readable by other accounts.
fn private_file(path: &Path) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path).map(|_| ())
}

/// `10.0.0.1, 10.1.0.0/16` → networks; a bare address is its own /32 or /128.
fn parse_networks(text: Option<&str>) -> anyhow::Result<Vec<ipnet::IpNet>> {
    let Some(text) = text else { return Ok(Vec::new()) };
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| anyhow::anyhow!("trusted_proxies: not an address or network: {s}"))
        })
        .collect()
}

pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

fn read_file(p: &Path) -> anyhow::Result<FileSettings> {
    let text = std::fs::read_to_string(p).with_context(|| format!("reading config file {}", p.display()))?;
    toml::from_str(&text).with_context(|| format!("parsing config file {}", p.display()))
}

pub fn init_tracing(s: &Settings) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("YUNWEI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn,tower_http=info"));
    // Colours only for a person at a terminal, not for journald or a log file.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    if s.json_logs {
        builder.json().init();
    } else {
        builder.init();
    }
}
