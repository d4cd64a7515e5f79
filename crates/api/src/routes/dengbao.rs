//! `/dengbao`: the 等保 cycle tracker — each system's filing and assessments, rectification
//! items, and the year's programme against the quota.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::FieldError;
use domain::dengbao::{
    DengbaoAssessment, DengbaoAssessmentInput, DengbaoRecord, DengbaoRecordInput, ItemMoveInput, ItemStatus, Programme,
    QuotaInput, RectItem, RectItemInput,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody};
use crate::query::Query;
use crate::state::AppState;

/// A year in a path (a bad one names `year`, like every input).
fn parse_year(raw: &str) -> Result<i32, ApiError> {
    raw.trim()
        .parse::<i32>()
        .map_err(|_| FieldError::new("year", "年份无效", "is not a year"))
        .and_then(|y| domain::dengbao::year_ok("year", y))
        .map_err(|e| ApiError::BadRequest(vec![e]))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(records))
        .routes(routes!(put_record))
        .routes(routes!(assessments, add_assessment))
        .routes(routes!(items, add_item))
        .routes(routes!(move_item))
        .routes(routes!(programme))
        .routes(routes!(set_quota))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RecordParams {
    unit_id: Option<String>,
}
crate::query::as_decoded!(RecordParams);

/// Every system the caller may see with its level, filing, last assessment, next due day
/// (level 3 yearly, level 2 every two years, or the bureau's date) and open rectification items.
#[utoipa::path(get, path = "/dengbao/systems", tag = "dengbao", operation_id = "dengbao_records",
    params(RecordParams), responses((status = 200, body = Vec<DengbaoRecord>), (status = 403, body = ProblemBody)))]
async fn records(
    State(s): State<AppState>,
    auth: Auth,
    Query(q): Query<RecordParams>,
) -> ApiResult<Json<Vec<DengbaoRecord>>> {
    Ok(Json(s.app.dengbao_records(&auth.principal, q.unit_id.as_deref()).await?))
}

/// The bureau records a system's filing (备案) and may set the next assessment's day.
#[utoipa::path(put, path = "/dengbao/systems/{system_id}", tag = "dengbao", operation_id = "dengbao_put_record",
    params(("system_id" = String, Path)), request_body = DengbaoRecordInput,
    responses((status = 200, body = DengbaoRecord), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn put_record(
    State(s): State<AppState>,
    auth: Auth,
    Path(system_id): Path<String>,
    JsonBody(input): JsonBody<DengbaoRecordInput>,
) -> ApiResult<Json<DengbaoRecord>> {
    Ok(Json(s.app.put_dengbao_record(&auth.principal, &system_id, input).await?))
}

/// A system's assessments (测评), newest first.
#[utoipa::path(get, path = "/dengbao/systems/{system_id}/assessments", tag = "dengbao", operation_id = "dengbao_assessments",
    params(("system_id" = String, Path)), responses((status = 200, body = Vec<DengbaoAssessment>), (status = 404, body = ProblemBody)))]
async fn assessments(
    State(s): State<AppState>,
    auth: Auth,
    Path(system_id): Path<String>,
) -> ApiResult<Json<Vec<DengbaoAssessment>>> {
    Ok(Json(s.app.dengbao_assessments(&auth.principal, &system_id).await?))
}

/// The bureau records an assessment: date, assessor organisation, score, conclusion.
#[utoipa::path(post, path = "/dengbao/systems/{system_id}/assessments", tag = "dengbao", operation_id = "dengbao_add_assessment",
    params(("system_id" = String, Path)), request_body = DengbaoAssessmentInput,
    responses((status = 201, body = DengbaoAssessment), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn add_assessment(
    State(s): State<AppState>,
    auth: Auth,
    Path(system_id): Path<String>,
    JsonBody(input): JsonBody<DengbaoAssessmentInput>,
) -> ApiResult<(StatusCode, Json<DengbaoAssessment>)> {
    Ok((StatusCode::CREATED, Json(s.app.add_dengbao_assessment(&auth.principal, &system_id, input).await?)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ItemParams {
    system_id: Option<String>,
    /// open, done, closed
    status: Option<String>,
}
crate::query::as_decoded!(ItemParams);

/// Rectification items (整改项) the caller may see, by deadline.
#[utoipa::path(get, path = "/dengbao/items", tag = "dengbao", operation_id = "dengbao_items",
    params(ItemParams), responses((status = 200, body = Vec<RectItem>), (status = 400, body = ProblemBody)))]
async fn items(State(s): State<AppState>, auth: Auth, Query(q): Query<ItemParams>) -> ApiResult<Json<Vec<RectItem>>> {
    let status = match q.status.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => Some(ItemStatus::parse(v).ok_or_else(|| {
            ApiError::BadRequest(vec![domain::vulnerabilities::choice_error("status", &ItemStatus::choices())])
        })?),
    };
    Ok(Json(s.app.dengbao_items(&auth.principal, q.system_id.as_deref(), status).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct NewItem {
    system_id: Option<String>,
    #[serde(flatten)]
    item: RectItemInput,
}

/// The bureau lists a rectification item of a system, with its risk and deadline.
#[utoipa::path(post, path = "/dengbao/items", tag = "dengbao", operation_id = "dengbao_add_item",
    request_body = NewItem,
    responses((status = 201, body = RectItem), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn add_item(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<NewItem>,
) -> ApiResult<(StatusCode, Json<RectItem>)> {
    let item = s.app.add_dengbao_item(&auth.principal, input.system_id.as_deref(), input.item).await?;
    Ok((StatusCode::CREATED, Json(item)))
}

/// The vendor reports an item done (`to: done`, with a note); the bureau closes it (`closed`)
/// or sends it back (`open`, with a note).
#[utoipa::path(post, path = "/dengbao/items/{id}/transitions", tag = "dengbao", operation_id = "dengbao_move_item",
    params(("id" = String, Path)), request_body = ItemMoveInput,
    responses((status = 200, body = RectItem), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn move_item(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<ItemMoveInput>,
) -> ApiResult<Json<RectItem>> {
    Ok(Json(s.app.move_dengbao_item(&auth.principal, &id, input).await?))
}

/// The year's programme: the systems due (as the year began, or overdue), how many were
/// assessed and on schedule, against the quota (default 50).
#[utoipa::path(get, path = "/dengbao/programme/{year}", tag = "dengbao", operation_id = "dengbao_programme",
    params(("year" = i32, Path)), responses((status = 200, body = Programme), (status = 422, body = ProblemBody)))]
async fn programme(State(s): State<AppState>, auth: Auth, Path(year): Path<String>) -> ApiResult<Json<Programme>> {
    Ok(Json(s.app.dengbao_programme(&auth.principal, parse_year(&year)?).await?))
}

/// The bureau sets the year's quota of systems to assess.
#[utoipa::path(put, path = "/dengbao/programme/{year}", tag = "dengbao", operation_id = "dengbao_set_quota",
    params(("year" = i32, Path)), request_body = QuotaInput,
    responses((status = 200, body = Programme), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn set_quota(
    State(s): State<AppState>,
    auth: Auth,
    Path(year): Path<String>,
    JsonBody(input): JsonBody<QuotaInput>,
) -> ApiResult<Json<Programme>> {
    Ok(Json(s.app.set_dengbao_quota(&auth.principal, parse_year(&year)?, input).await?))
}
