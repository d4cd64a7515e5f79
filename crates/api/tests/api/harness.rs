//! Test harness: `TestApp::start(backend)` and a small HTTP client.

use std::time::Duration;

use app::{App, AppConfig};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub const ADMIN_PASSWORD: &str = "Bureau#2026";
pub const PASSWORD: &str = "Passw0rd!x";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test body once per available backend. PostgreSQL runs when `YUNWEI_TEST_PG_URL` is set;
/// in CI (`CI=true`) a missing URL is an error, so the PostgreSQL half cannot be skipped silently.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                let t = $crate::harness::TestApp::start($crate::harness::Backend::Sqlite).await;
                ($body)(t).await;
            }
            #[tokio::test]
            async fn postgres() {
                if let Some(t) = $crate::harness::TestApp::start_pg().await {
                    ($body)(t).await;
                }
            }
        }
    };
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub app: App,
    pub db_url: String,
    pub backend: Backend,
    /// Business time of the app under test; starts at the real time and moves when told.
    pub clock: app::clock::FakeClock,
    /// The clock sessions expire by; stands still at the start unless a test moves it.
    pub sessions: app::clock::FakeClock,
    _dir: Option<tempfile::TempDir>,
    server: tokio::task::JoinHandle<()>,
    pub admin: String,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

pub fn pg_url() -> Option<String> {
    match std::env::var("YUNWEI_TEST_PG_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(std::env::var("CI").map_or(true, |v| v != "true"), "CI must set YUNWEI_TEST_PG_URL");
            None
        }
    }
}

/// A fresh PostgreSQL database for one test, named after a new id.
async fn fresh_pg_database(admin_url: &str) -> String {
    let name = format!("yunwei_t_{}", uuid_like());
    let store = store_connect(admin_url).await;
    store.execute_raw_sql(&format!("CREATE DATABASE {name}")).await.expect("create test database");
    store.close().await.ok();
    let (base, query) = admin_url.split_once('?').map_or((admin_url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

async fn store_connect(url: &str) -> app::Database {
    app::Database::connect(url).await.expect("connect")
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    format!("{}_{}_{}", std::process::id(), t % 1_000_000_000_000, N.fetch_add(1, Ordering::Relaxed))
}

impl TestApp {
    pub async fn start(backend: Backend) -> TestApp {
        Self::start_with(backend, AppConfig::default()).await
    }

    pub async fn start_pg() -> Option<TestApp> {
        pg_url()?;
        Some(Self::start(Backend::Postgres).await)
    }

    pub async fn start_with(backend: Backend, config: AppConfig) -> TestApp {
        Self::start_full(backend, config, api::HttpConfig::default()).await
    }

    /// With the HTTP settings the binary would pass (HTTPS, trusted proxies, public API page).
    pub async fn start_full(backend: Backend, mut config: AppConfig, http: api::HttpConfig) -> TestApp {
        // Server-side errors (a 500's cause) print with the failing test's output.
        let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "error".into());
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
        let dir = tempfile::tempdir().expect("tempdir");
        let db_url = match backend {
            Backend::Sqlite => format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display()),
            Backend::Postgres => fresh_pg_database(&pg_url().expect("pg url")).await,
        };
        config.data_dir = Some(dir.path().to_path_buf());
        let clock = app::clock::FakeClock::new(chrono::Utc::now());
        let sessions = app::clock::FakeClock::new(chrono::Utc::now());
        let app = App::open(&db_url, config)
            .await
            .expect("open app")
            .with_clock(std::sync::Arc::new(clock.clone()))
            .with_session_clock(std::sync::Arc::new(sessions.clone()));
        app.bootstrap_admin("admin", ADMIN_PASSWORD).await.expect("bootstrap admin");
        Self::serve(app, db_url, backend, Some(dir), (clock, sessions), http).await
    }

    /// Starts a server on an existing database (restart tests), with the same clock and files.
    pub async fn reopen(&self) -> TestApp {
        let config = AppConfig { data_dir: self.app.config().data_dir.clone(), ..AppConfig::default() };
        let app = App::open(&self.db_url, config)
            .await
            .expect("reopen")
            .with_clock(std::sync::Arc::new(self.clock.clone()))
            .with_session_clock(std::sync::Arc::new(self.sessions.clone()));
        let clocks = (self.clock.clone(), self.sessions.clone());
        Self::serve(app, self.db_url.clone(), self.backend, None, clocks, api::HttpConfig::default()).await
    }

    async fn serve(
        app: App,
        db_url: String,
        backend: Backend,
        dir: Option<tempfile::TempDir>,
        (clock, sessions): (app::clock::FakeClock, app::clock::FakeClock),
        http: api::HttpConfig,
    ) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        // Single sign-on callbacks are built from the public address only: here, this server.
        let mut http = http;
        http.public_url.get_or_insert_with(|| format!("http://{addr}"));
        let router = api::router(app.clone(), http);
        let server = tokio::spawn(async move {
            axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.ok();
        });
        let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
        let mut t = TestApp {
            base: format!("http://{addr}"),
            client,
            app,
            db_url,
            backend,
            clock,
            sessions,
            _dir: dir,
            server,
            admin: String::new(),
        };
        t.admin = t.login("admin", ADMIN_PASSWORD).await;
        t
    }

    pub async fn login(&self, username: &str, password: &str) -> String {
        let (s, body) = self
            .call(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": username, "password": password})))
            .await;
        assert_eq!(s, StatusCode::OK, "login {username}: {body}");
        body["token"].as_str().expect("token").to_string()
    }

    /// Sends a JSON request; returns the status and the body (Null when empty or not JSON).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> StatusCode {
        self.call(Method::DELETE, path, Some(token), None).await.0
    }

    /// Creates through the API as admin and returns the new id; panics unless 201.
    pub async fn create(&self, collection: &str, body: Value) -> String {
        let (s, v) = self.post(&format!("/api/v1/{collection}"), &self.admin, body).await;
        assert_eq!(s, StatusCode::CREATED, "create {collection}: {v}");
        v["id"].as_str().expect("id").to_string()
    }

    pub async fn unit(&self, name: &str) -> String {
        self.create("units", json!({"name": name})).await
    }

    pub async fn system(&self, name: &str, unit_id: &str) -> String {
        self.create("systems", json!({"name": name, "unit_id": unit_id})).await
    }

    pub async fn vendor(&self, name: &str) -> String {
        self.create("vendors", json!({"name": name})).await
    }

    pub async fn contract(&self, name: &str, vendor_id: &str, system_ids: &[&str]) -> String {
        self.create(
            "contracts",
            json!({"name": name, "vendor_id": vendor_id, "items": [
                {"name": "软件运维", "budget_fen": 10_000_000, "start_date": "2026-01-01", "end_date": "2026-12-31", "system_ids": system_ids}
            ]}),
        )
        .await
    }

    /// Creates a user and returns a logged-in token for them.
    pub async fn user(&self, username: &str, role: &str, unit_id: Option<&str>, vendor_id: Option<&str>) -> String {
        self.create("users", json!({"username": username, "role": role, "unit_id": unit_id, "vendor_id": vendor_id, "password": PASSWORD}))
            .await;
        self.login(username, PASSWORD).await
    }

    pub async fn download(&self, path: &str, token: &str) -> (StatusCode, Option<String>, Vec<u8>) {
        let res = self.client.get(format!("{}{path}", self.base)).bearer_auth(token).send().await.expect("request");
        let status = res.status();
        let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
        (status, ct, res.bytes().await.map(|b| b.to_vec()).unwrap_or_default())
    }

    pub async fn upload(&self, path: &str, token: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        self.upload_with(path, token, ("import.xlsx", bytes), &[]).await
    }

    /// A multipart POST of `file` (its name and bytes) with text `fields`.
    pub async fn upload_with(
        &self,
        path: &str,
        token: &str,
        (name, bytes): (&str, Vec<u8>),
        fields: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("upload");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}
