//! Liveness and readiness, outside `/api/v1` and without authentication.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

/// The process is up.
async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

/// The database answers.
async fn readyz(State(s): State<AppState>) -> (StatusCode, Json<Value>) {
    match s.app.ready().await {
        Ok(()) => (StatusCode::OK, Json(json!({"status": "ready", "database": s.app.backend_name()}))),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "unavailable"})))
        }
    }
}
