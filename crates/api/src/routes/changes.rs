//! `/changes`: change and release requests, their approval in steps, their implementation and
//! outcome; `/change-rules`: who approves each type; `/systems/{id}/versions`: what a system runs.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::FieldError;
use domain::approvals::VerdictInput;
use domain::changes::{
    Change, ChangeFilter, ChangeFinishInput, ChangeInput, ChangeKind, ChangeRules, ChangeStartInput, ChangeStatus,
    ChangeType, SystemVersion,
};
use domain::list::Page;
use domain::void::VoidInput;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody};
use crate::query::{Day, ListFilter, Listed, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, amend))
        .routes(routes!(decide))
        .routes(routes!(start))
        .routes(routes!(finish))
        .routes(routes!(cancel))
        .routes(routes!(rules, put_rules))
        .routes(routes!(versions))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ChangeParams {
    /// pending_approval, approved, rejected, returned, in_progress, succeeded, failed, rolled_back, cancelled
    #[param(value_type = Option<String>)]
    status: Option<ChangeStatus>,
    /// standard, normal, emergency
    #[serde(rename = "type")]
    #[param(rename = "type", value_type = Option<String>)]
    change_type: Option<ChangeType>,
    /// change, release
    #[param(value_type = Option<String>)]
    kind: Option<ChangeKind>,
    system_id: Option<String>,
    /// Windows ending on or after this bureau day (YYYY-MM-DD).
    #[param(value_type = Option<String>)]
    from: Option<Day>,
    /// Windows starting on or before this bureau day.
    #[param(value_type = Option<String>)]
    to: Option<Day>,
}

impl ListFilter for ChangeParams {
    const SORT_KEYS: &'static [&'static str] = domain::changes::SORT_KEYS;
    type Filter = ChangeFilter;

    fn check(self) -> Result<ChangeFilter, Vec<FieldError>> {
        crate::query::ordered(self.from.as_ref().map(|d| &d.0), self.to.as_ref().map(|d| &d.0))?;
        Ok(ChangeFilter {
            status: self.status,
            change_type: self.change_type,
            kind: self.kind,
            system_id: self.system_id,
            from: self.from.map(|d| d.0),
            to: self.to.map(|d| d.0),
        })
    }
}

/// The changes the caller may see: a unit those on its systems, a vendor those it asked for
/// and those on the systems it maintains; latest window first.
#[utoipa::path(get, path = "/changes", tag = "changes", operation_id = "changes_list",
    params(Listed<ChangeParams>), responses((status = 200, body = Page<Change>), (status = 400, body = ProblemBody)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<ChangeParams>>,
) -> ApiResult<Json<Page<Change>>> {
    Ok(Json(s.app.list_changes(&auth.principal, &q, &f).await?))
}

/// Asks for a change (vendor staff or the bureau): `pending_approval` with its steps by the
/// bureau's rule, or `approved` at once when the rule has none (a standard change without
/// downtime).
#[utoipa::path(post, path = "/changes", tag = "changes", operation_id = "changes_create",
    request_body = ChangeInput,
    responses((status = 201, body = Change), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<ChangeInput>,
) -> ApiResult<(StatusCode, Json<Change>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_change(&auth.principal, input).await?)))
}

#[utoipa::path(get, path = "/changes/{id}", tag = "changes", operation_id = "changes_get",
    params(("id" = String, Path)), responses((status = 200, body = Change), (status = 404, body = ProblemBody)))]
async fn get(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Change>> {
    Ok(Json(s.app.get_change(&auth.principal, &id).await?))
}

/// Amends a change returned for changes and asks again.
#[utoipa::path(put, path = "/changes/{id}", tag = "changes", operation_id = "changes_amend",
    params(("id" = String, Path)), request_body = ChangeInput,
    responses((status = 200, body = Change), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn amend(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<ChangeInput>,
) -> ApiResult<Json<Change>> {
    Ok(Json(s.app.amend_change(&auth.principal, &id, input).await?))
}

/// Decides the waiting step: `approve`, `reject` or `return` (a comment is required for the
/// last two). Only whoever the step names (or their delegate) may; never vendor staff.
#[utoipa::path(post, path = "/changes/{id}/approvals", tag = "changes", operation_id = "changes_decide",
    params(("id" = String, Path)), request_body = VerdictInput,
    responses((status = 200, body = Change), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn decide(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<VerdictInput>,
) -> ApiResult<Json<Change>> {
    Ok(Json(s.app.decide_change(&auth.principal, &id, input).await?))
}

/// Work begins: an approved change, or an emergency one still waiting (marked as started
/// before approval).
#[utoipa::path(post, path = "/changes/{id}/start", tag = "changes", operation_id = "changes_start",
    params(("id" = String, Path)), request_body = ChangeStartInput,
    responses((status = 200, body = Change), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn start(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<ChangeStartInput>,
) -> ApiResult<Json<Change>> {
    Ok(Json(s.app.start_change(&auth.principal, &id, input).await?))
}

/// The outcome: `success`, `failed` (opens an incident) or `rolled_back`; a successful release
/// records the version its systems now run.
#[utoipa::path(post, path = "/changes/{id}/finish", tag = "changes", operation_id = "changes_finish",
    params(("id" = String, Path)), request_body = ChangeFinishInput,
    responses((status = 200, body = Change), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn finish(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<ChangeFinishInput>,
) -> ApiResult<Json<Change>> {
    Ok(Json(s.app.finish_change(&auth.principal, &id, input).await?))
}

/// Calls a change off before it starts (with the reason); its pending request is closed.
#[utoipa::path(post, path = "/changes/{id}/cancel", tag = "changes", operation_id = "changes_cancel",
    params(("id" = String, Path)), request_body = VoidInput,
    responses((status = 200, body = Change), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn cancel(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<VoidInput>,
) -> ApiResult<Json<Change>> {
    Ok(Json(s.app.cancel_change(&auth.principal, &id, input).await?))
}

/// Who approves each type of change, in order.
#[utoipa::path(get, path = "/change-rules", tag = "changes", operation_id = "changes_rules",
    responses((status = 200, body = ChangeRules)))]
async fn rules(State(s): State<AppState>, _auth: Auth) -> ApiResult<Json<ChangeRules>> {
    Ok(Json(s.app.change_rules().await?))
}

/// The bureau sets who approves each type (at most three steps; a bureau step may name one
/// administrator).
#[utoipa::path(put, path = "/change-rules", tag = "changes", operation_id = "changes_put_rules",
    request_body = ChangeRules,
    responses((status = 200, body = ChangeRules), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn put_rules(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<ChangeRules>,
) -> ApiResult<Json<ChangeRules>> {
    Ok(Json(s.app.set_change_rules(&auth.principal, input).await?))
}

/// The versions a system has run, newest first (left by successful releases).
#[utoipa::path(get, path = "/systems/{id}/versions", tag = "changes", operation_id = "changes_versions",
    params(("id" = String, Path)), responses((status = 200, body = Vec<SystemVersion>), (status = 404, body = ProblemBody)))]
async fn versions(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<SystemVersion>>> {
    Ok(Json(s.app.system_versions(&auth.principal, &id).await?))
}
