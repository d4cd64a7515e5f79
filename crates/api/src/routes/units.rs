//! `/units`

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::list::Page;
use domain::registry::{Unit, UnitInput};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::xlsx;
use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody};
use crate::query::{Listed, Query, unfiltered};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(export)).routes(routes!(get, update, delete))
}

unfiltered!(UnitParams, app::units::SORT_KEYS);

/// List units the caller may see. Sort keys: name, created_at, updated_at.
#[utoipa::path(get, path = "/units", tag = "units", operation_id = "units_list", params(Listed<UnitParams>),
    responses((status = 200, body = Page<Unit>), (status = 400, body = ProblemBody)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    Query(list): Query<Listed<UnitParams>>,
) -> ApiResult<Json<Page<Unit>>> {
    let (q, ()) = list;
    Ok(Json(s.app.list_units(&auth.principal, &q).await?))
}

/// The (filtered) list as xlsx.
#[utoipa::path(get, path = "/units/export.xlsx", tag = "units", operation_id = "units_export", params(Listed<UnitParams>),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
async fn export(State(s): State<AppState>, auth: Auth, Query(list): Query<Listed<UnitParams>>) -> ApiResult<Response> {
    let (q, ()) = list;
    let bytes = s.app.export_units(&auth.principal, &q).await?;
    Ok(xlsx(&format!("单位-{}.xlsx", super::today()), bytes))
}

#[utoipa::path(post, path = "/units", tag = "units", operation_id = "units_create", request_body = UnitInput,
    responses((status = 201, body = Unit), (status = 422, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<UnitInput>,
) -> ApiResult<(StatusCode, Json<Unit>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_unit(&auth.principal, input).await?)))
}

#[utoipa::path(get, path = "/units/{id}", tag = "units", operation_id = "units_get", params(("id" = String, Path)),
    responses((status = 200, body = Unit), (status = 404, body = ProblemBody)))]
async fn get(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Unit>> {
    Ok(Json(s.app.get_unit(&auth.principal, &id).await?))
}

#[utoipa::path(put, path = "/units/{id}", tag = "units", operation_id = "units_update", params(("id" = String, Path)), request_body = UnitInput,
    responses((status = 200, body = Unit), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<UnitInput>,
) -> ApiResult<Json<Unit>> {
    Ok(Json(s.app.update_unit(&auth.principal, &id, input).await?))
}

#[utoipa::path(delete, path = "/units/{id}", tag = "units", operation_id = "units_delete", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn delete(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_unit(&auth.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
