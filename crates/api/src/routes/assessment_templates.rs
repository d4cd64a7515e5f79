//! `/assessment-templates`: the 考核表 templates — the built-ins (`002-performance`,
//! `004-deduction`) and the bureau's copies.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::assessments::{AssessmentTemplate, CopyInput, TemplateSpec};
use domain::list::Page;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(get, update, delete)).routes(routes!(copy))
}

/// Every template, the built-ins first: sections with weights, criteria with their maximum
/// points and scoring rule, grades with what each costs, veto conditions, the appeal days.
/// `criteria` lists the criteria flat. Engineers are refused (404).
#[utoipa::path(get, path = "/assessment-templates", tag = "assessments", operation_id = "assessment_templates_list",
    responses((status = 200, body = Page<AssessmentTemplate>), (status = 404, body = ProblemBody)))]
async fn list(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Page<AssessmentTemplate>>> {
    let items = s.app.list_assessment_templates(&auth.principal).await?;
    let total = items.len() as u64;
    Ok(Json(Page { items, total, page: 1, page_size: total.max(1) }))
}

#[utoipa::path(get, path = "/assessment-templates/{id}", tag = "assessments", operation_id = "assessment_templates_get",
    params(("id" = String, Path)), responses((status = 200, body = AssessmentTemplate), (status = 404, body = ProblemBody)))]
async fn get(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<AssessmentTemplate>> {
    Ok(Json(s.app.get_assessment_template(&auth.principal, &id).await?))
}

/// Copies a template under a new key (the bureau), to change its points, bands or grades.
#[utoipa::path(post, path = "/assessment-templates/{id}/copy", tag = "assessments", operation_id = "assessment_templates_copy",
    params(("id" = String, Path)), request_body = CopyInput,
    responses((status = 201, body = AssessmentTemplate), (status = 403, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn copy(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<CopyInput>,
) -> ApiResult<(StatusCode, Json<AssessmentTemplate>)> {
    Ok((StatusCode::CREATED, Json(s.app.copy_assessment_template(&auth.principal, &id, input).await?)))
}

/// Changes a copy (the built-ins answer 409). The points must sum to 100; assessments already
/// drafted keep the template as it was.
#[utoipa::path(put, path = "/assessment-templates/{id}", tag = "assessments", operation_id = "assessment_templates_update",
    params(("id" = String, Path)), request_body = TemplateSpec,
    responses((status = 200, body = AssessmentTemplate), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(spec): JsonBody<TemplateSpec>,
) -> ApiResult<Json<AssessmentTemplate>> {
    Ok(Json(s.app.update_assessment_template(&auth.principal, &id, spec).await?))
}

#[utoipa::path(delete, path = "/assessment-templates/{id}", tag = "assessments", operation_id = "assessment_templates_delete",
    params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn delete(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_assessment_template(&auth.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
