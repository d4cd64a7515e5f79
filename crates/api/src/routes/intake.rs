//! Alert intake (`/intake/alertmanager`, `/intake/webhook`) with an integration account's
//! bearer token; the integration accounts and unmatched alerts for the bureau; and `/metrics`
//! in the Prometheus text format, outside `/api/v1`, for a `metrics` integration token.

use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::backups::{BackupRun, BackupRunInput};
use domain::list::Page;
use domain::monitoring::intake::{
    AlertmanagerPayload, IntakeReport, Integration, IntegrationInput, IntegrationKind, UnmatchedAlert, WebhookAlert,
};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody};
use crate::query::{Listed, Query, unfiltered};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(alertmanager))
        .routes(routes!(webhook))
        .routes(routes!(backup_run))
        .routes(routes!(list_integrations, create_integration))
        .routes(routes!(delete_integration))
        .routes(routes!(unmatched))
}

/// `/metrics`, mounted at the root.
pub fn metrics_router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

fn bearer(headers: &HeaderMap) -> Result<String, ApiError> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|t| t.trim().to_string())
        .ok_or_else(|| {
            ApiError::App(app::AppError::Unauthenticated(domain::Msg::new(
                "缺少集成令牌",
                "an integration token is required",
            )))
        })
}

/// Prometheus Alertmanager's webhook (payload version 4). Alerts name their system by the
/// integration's label (default `yunwei_system`: a system id or exact name); firing opens or
/// keeps an outage with its ticket (deduplicated by fingerprint), resolved records the restore.
#[utoipa::path(post, path = "/intake/alertmanager", tag = "monitoring", operation_id = "intake_alertmanager",
    request_body = AlertmanagerPayload,
    responses((status = 200, body = IntakeReport), (status = 400, body = ProblemBody), (status = 401, body = ProblemBody), (status = 403, body = ProblemBody)))]
async fn alertmanager(
    State(s): State<AppState>,
    headers: HeaderMap,
    JsonBody(payload): JsonBody<AlertmanagerPayload>,
) -> ApiResult<Json<IntakeReport>> {
    let i = s.app.integration_for(&bearer(&headers)?, &[IntegrationKind::Alertmanager]).await?;
    let events = payload.events(&i.system_label, s.app.business_now()).map_err(ApiError::BadRequest)?;
    Ok(Json(s.app.take_alerts(&i, events).await?))
}

/// A generic alert: `{"system", "key", "status": "firing"|"resolved", "title", "description", "at"}`
/// (the Zabbix media type in `docs/zabbix-media-type.yaml` sends this).
#[utoipa::path(post, path = "/intake/webhook", tag = "monitoring", operation_id = "intake_webhook",
    request_body = WebhookAlert,
    responses((status = 200, body = IntakeReport), (status = 400, body = ProblemBody), (status = 401, body = ProblemBody)))]
async fn webhook(
    State(s): State<AppState>,
    headers: HeaderMap,
    JsonBody(alert): JsonBody<WebhookAlert>,
) -> ApiResult<Json<IntakeReport>> {
    let i = s.app.integration_for(&bearer(&headers)?, &[IntegrationKind::Webhook]).await?;
    let event = alert.event(s.app.business_now()).map_err(ApiError::BadRequest)?;
    Ok(Json(s.app.take_alerts(&i, vec![event]).await?))
}

/// A backup tool reports a run (an integration account of kind `backup`):
/// `{"policy_id", "started_at", "finished_at", "result": "success"|"failed", "size_bytes"?,
/// "stored_at"?, "tool"?, "message"?}`. Runs that started more than 48 hours ago are refused.
#[utoipa::path(post, path = "/intake/backup-runs", tag = "backups", operation_id = "intake_backup_run",
    request_body = BackupRunInput,
    responses((status = 201, body = BackupRun), (status = 401, body = ProblemBody), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn backup_run(
    State(s): State<AppState>,
    headers: HeaderMap,
    JsonBody(input): JsonBody<BackupRunInput>,
) -> ApiResult<(StatusCode, Json<BackupRun>)> {
    let i = s.app.integration_for(&bearer(&headers)?, &[IntegrationKind::Backup]).await?;
    Ok((StatusCode::CREATED, Json(s.app.intake_backup_run(&i, input).await?)))
}

#[utoipa::path(get, path = "/integrations", tag = "monitoring", operation_id = "integrations_list",
    responses((status = 200, body = Vec<Integration>), (status = 403, body = ProblemBody)))]
async fn list_integrations(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<Integration>>> {
    Ok(Json(s.app.list_integrations(&auth.principal).await?))
}

#[derive(Serialize, ToSchema)]
struct NewIntegration {
    integration: Integration,
    /// Shown once: give it to the sender as its bearer token.
    token: String,
}

/// An integration account (administrators). The answer carries its token, never shown again.
#[utoipa::path(post, path = "/integrations", tag = "monitoring", operation_id = "integrations_create",
    request_body = IntegrationInput,
    responses((status = 201, body = NewIntegration), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn create_integration(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<IntegrationInput>,
) -> ApiResult<(StatusCode, Json<NewIntegration>)> {
    let (integration, token) = s.app.create_integration(&auth.principal, input).await?;
    Ok((StatusCode::CREATED, Json(NewIntegration { integration, token })))
}

#[utoipa::path(delete, path = "/integrations/{id}", tag = "monitoring", operation_id = "integrations_delete",
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = ProblemBody)))]
async fn delete_integration(
    State(s): State<AppState>,
    auth: Auth,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> ApiResult<StatusCode> {
    s.app.delete_integration(&auth.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

unfiltered!(UnmatchedParams, domain::monitoring::intake::UNMATCHED_SORT_KEYS);

/// Alerts that named no known system, newest first (administrators).
#[utoipa::path(get, path = "/intake/unmatched", tag = "monitoring", operation_id = "intake_unmatched",
    params(Listed<UnmatchedParams>), responses((status = 200, body = Page<UnmatchedAlert>), (status = 403, body = ProblemBody)))]
async fn unmatched(
    State(s): State<AppState>,
    auth: Auth,
    Query(list): Query<Listed<UnmatchedParams>>,
) -> ApiResult<Json<Page<UnmatchedAlert>>> {
    let (q, ()) = list;
    Ok(Json(s.app.unmatched_alerts(&auth.principal, &q).await?))
}

async fn metrics(State(s): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    s.app.integration_for(&bearer(&headers)?, &[IntegrationKind::Metrics]).await?;
    let body = s.app.metrics_text().await?;
    Ok(([(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response())
}
