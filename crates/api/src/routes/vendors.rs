//! `/vendors`

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::list::Page;
use domain::registry::{Vendor, VendorInput};
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

unfiltered!(VendorParams, app::vendors::SORT_KEYS);

/// List vendors the caller may see. Sort keys: name, created_at, updated_at.
#[utoipa::path(get, path = "/vendors", tag = "vendors", operation_id = "vendors_list", params(Listed<VendorParams>),
    responses((status = 200, body = Page<Vendor>), (status = 400, body = ProblemBody)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    Query(list): Query<Listed<VendorParams>>,
) -> ApiResult<Json<Page<Vendor>>> {
    let (q, ()) = list;
    Ok(Json(s.app.list_vendors(&auth.principal, &q).await?))
}

/// The (filtered) list as xlsx.
#[utoipa::path(get, path = "/vendors/export.xlsx", tag = "vendors", operation_id = "vendors_export", params(Listed<VendorParams>),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
async fn export(
    State(s): State<AppState>,
    auth: Auth,
    Query(list): Query<Listed<VendorParams>>,
) -> ApiResult<Response> {
    let (q, ()) = list;
    let bytes = s.app.export_vendors(&auth.principal, &q).await?;
    Ok(xlsx(&format!("供应商-{}.xlsx", super::today()), bytes))
}

#[utoipa::path(post, path = "/vendors", tag = "vendors", operation_id = "vendors_create", request_body = VendorInput,
    responses((status = 201, body = Vendor), (status = 422, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<VendorInput>,
) -> ApiResult<(StatusCode, Json<Vendor>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_vendor(&auth.principal, input).await?)))
}

#[utoipa::path(get, path = "/vendors/{id}", tag = "vendors", operation_id = "vendors_get", params(("id" = String, Path)),
    responses((status = 200, body = Vendor), (status = 404, body = ProblemBody)))]
async fn get(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Vendor>> {
    Ok(Json(s.app.get_vendor(&auth.principal, &id).await?))
}

#[utoipa::path(put, path = "/vendors/{id}", tag = "vendors", operation_id = "vendors_update", params(("id" = String, Path)), request_body = VendorInput,
    responses((status = 200, body = Vendor), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<VendorInput>,
) -> ApiResult<Json<Vendor>> {
    Ok(Json(s.app.update_vendor(&auth.principal, &id, input).await?))
}

#[utoipa::path(delete, path = "/vendors/{id}", tag = "vendors", operation_id = "vendors_delete", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn delete(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_vendor(&auth.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
