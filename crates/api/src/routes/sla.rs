//! `/sla`: versioned SLA policies, the seed templates, and the simulator.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::FieldError;
use domain::list::Page;
use domain::sla::policy::{PolicyInput, PolicyView, VersionInfo};
use domain::sla::simulate::{SimulateInput, SimulateResult};
use domain::sla::templates::Template;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, ClientLang, JsonBody};
use crate::query::{ListFilter, Listed, Query, as_decoded};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
        .routes(routes!(versions))
        .routes(routes!(simulate))
        .routes(routes!(templates))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PolicyParams {
    contract_item_id: Option<String>,
    calendar_id: Option<String>,
}

impl ListFilter for PolicyParams {
    const SORT_KEYS: &'static [&'static str] = app::sla::SORT_KEYS;
    type Filter = app::sla::PolicyFilter;

    fn check(self) -> Result<Self::Filter, Vec<FieldError>> {
        Ok(app::sla::PolicyFilter { contract_item_id: self.contract_item_id, calendar_id: self.calendar_id })
    }
}

/// Policies the caller may see, at their newest version. A policy tied to a contract item is
/// seen by whoever sees the item. Sort keys: name, created_at, updated_at.
#[utoipa::path(get, path = "/sla/policies", tag = "sla", operation_id = "sla_list", params(Listed<PolicyParams>),
    responses((status = 200, body = Page<PolicyView>), (status = 400, body = ProblemBody)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<PolicyParams>>,
) -> ApiResult<Json<Page<PolicyView>>> {
    Ok(Json(s.app.list_policies(&auth.principal, &q, &f).await?))
}

/// Creates a policy at version 1: levels with a target per metric (`response`, `arrival`,
/// `plan`, `restore`, `resolve` or custom), out-of-hours targets, pause states, upgrades and the
/// escalation ladder.
#[utoipa::path(post, path = "/sla/policies", tag = "sla", operation_id = "sla_create", request_body = PolicyInput,
    responses((status = 201, body = PolicyView), (status = 422, body = ProblemBody)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<PolicyInput>,
) -> ApiResult<(StatusCode, Json<PolicyView>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_policy(&auth.principal, input).await?)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct VersionParam {
    /// An older version (default: the newest).
    version: Option<i32>,
}
as_decoded!(VersionParam);

#[utoipa::path(get, path = "/sla/policies/{id}", tag = "sla", operation_id = "sla_get", params(("id" = String, Path), VersionParam),
    responses((status = 200, body = PolicyView), (status = 404, body = ProblemBody)))]
async fn get(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(p): Query<VersionParam>,
) -> ApiResult<Json<PolicyView>> {
    Ok(Json(s.app.get_policy(&auth.principal, &id, p.version).await?))
}

/// Saves the body as the policy's next version; tickets keep the version they started under.
#[utoipa::path(put, path = "/sla/policies/{id}", tag = "sla", operation_id = "sla_update", params(("id" = String, Path)), request_body = PolicyInput,
    responses((status = 200, body = PolicyView), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<PolicyInput>,
) -> ApiResult<Json<PolicyView>> {
    Ok(Json(s.app.update_policy(&auth.principal, &id, input).await?))
}

#[utoipa::path(delete, path = "/sla/policies/{id}", tag = "sla", operation_id = "sla_delete", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody)))]
async fn delete(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_policy(&auth.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The policy's versions, newest first.
#[utoipa::path(get, path = "/sla/policies/{id}/versions", tag = "sla", operation_id = "sla_versions", params(("id" = String, Path)),
    responses((status = 200, body = Page<VersionInfo>), (status = 404, body = ProblemBody)))]
async fn versions(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Page<VersionInfo>>> {
    Ok(Json(Page::whole(s.app.policy_versions(&auth.principal, &id).await?)))
}

/// Due times for a report at `reported_at`, from inline `targets` (and `out_of_hours_targets`)
/// in a calendar, or from `policy_id` and `severity`; each explains itself step by step.
#[utoipa::path(post, path = "/sla/simulate", tag = "sla", operation_id = "sla_simulate", request_body = SimulateInput,
    responses((status = 200, body = SimulateResult), (status = 422, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn simulate(
    State(s): State<AppState>,
    auth: Auth,
    ClientLang(lang): ClientLang,
    JsonBody(input): JsonBody<SimulateInput>,
) -> ApiResult<Json<SimulateResult>> {
    Ok(Json(s.app.simulate(&auth.principal, input, lang).await?))
}

/// Policies drawn from the procurement documents' clauses, as starting points.
#[utoipa::path(get, path = "/sla/templates", tag = "sla", operation_id = "sla_templates",
    responses((status = 200, body = Page<Template>)))]
async fn templates(State(s): State<AppState>, _auth: Auth) -> ApiResult<Json<Page<Template>>> {
    Ok(Json(Page::whole(s.app.sla_templates())))
}
