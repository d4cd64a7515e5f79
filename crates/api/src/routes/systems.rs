//! `/systems`

use app::systems::SystemFilter;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::FieldError;
use domain::list::Page;
use domain::registry::{System, SystemInput};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ImportReportBody, Upload, xlsx};
use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody};
use crate::query::{ListFilter, Listed, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(export))
        .routes(routes!(import))
        .routes(routes!(get, update, delete))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SystemParams {
    unit_id: Option<String>,
    /// high, medium, low
    criticality: Option<String>,
    /// 1–5
    dengbao_level: Option<i32>,
}

impl ListFilter for SystemParams {
    const SORT_KEYS: &'static [&'static str] = app::systems::SORT_KEYS;
    type Filter = SystemFilter;

    fn check(self) -> Result<SystemFilter, Vec<FieldError>> {
        Ok(SystemFilter { unit_id: self.unit_id, criticality: self.criticality, dengbao_level: self.dengbao_level })
    }
}

/// List systems the caller may see. Sort keys: name, criticality, dengbao_level, created_at, updated_at.
#[utoipa::path(get, path = "/systems", tag = "systems", operation_id = "systems_list", params(Listed<SystemParams>),
    responses((status = 200, body = Page<System>), (status = 400, body = ProblemBody)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<SystemParams>>,
) -> ApiResult<Json<Page<System>>> {
    Ok(Json(s.app.list_systems(&auth.principal, &q, &f).await?))
}

/// The (filtered) list as xlsx; the same columns are accepted by the import.
#[utoipa::path(get, path = "/systems/export.xlsx", tag = "systems", operation_id = "systems_export", params(Listed<SystemParams>),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
async fn export(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<SystemParams>>,
) -> ApiResult<Response> {
    let bytes = s.app.export_systems(&auth.principal, &q, &f).await?;
    Ok(xlsx(&format!("信息系统-{}.xlsx", super::today()), bytes))
}

/// Imports systems from xlsx (multipart field `file`, or the raw file as the body). Either every
/// row is imported or none; errors name the row and column.
#[utoipa::path(post, path = "/systems/import", tag = "systems", operation_id = "systems_import",
    request_body(content = Vec<u8>, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportReportBody), (status = 422, body = ProblemBody)))]
async fn import(State(s): State<AppState>, auth: Auth, upload: Upload) -> ApiResult<Json<ImportReportBody>> {
    let r = s.app.import_systems(&auth.principal, &upload.0).await?;
    Ok(Json(r.into()))
}

#[utoipa::path(post, path = "/systems", tag = "systems", operation_id = "systems_create", request_body = SystemInput,
    responses((status = 201, body = System), (status = 422, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<SystemInput>,
) -> ApiResult<(StatusCode, Json<System>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_system(&auth.principal, input).await?)))
}

#[utoipa::path(get, path = "/systems/{id}", tag = "systems", operation_id = "systems_get", params(("id" = String, Path)),
    responses((status = 200, body = System), (status = 404, body = ProblemBody)))]
async fn get(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<System>> {
    Ok(Json(s.app.get_system(&auth.principal, &id).await?))
}

#[utoipa::path(put, path = "/systems/{id}", tag = "systems", operation_id = "systems_update", params(("id" = String, Path)), request_body = SystemInput,
    responses((status = 200, body = System), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<SystemInput>,
) -> ApiResult<Json<System>> {
    Ok(Json(s.app.update_system(&auth.principal, &id, input).await?))
}

#[utoipa::path(delete, path = "/systems/{id}", tag = "systems", operation_id = "systems_delete", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn delete(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_system(&auth.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
