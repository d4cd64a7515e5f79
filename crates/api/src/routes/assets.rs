//! `/assets`

use app::assets::AssetFilter;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::FieldError;
use domain::list::Page;
use domain::registry::{Asset, AssetInput};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ImportReportBody, Upload, xlsx};
use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody};
use crate::query::{Day, ListFilter, Listed, Query};
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
struct AssetParams {
    /// server, storage, network, security, ups, air_conditioner, display, camera, link, domain,
    /// certificate, license, other
    kind: Option<String>,
    system_id: Option<String>,
    unit_id: Option<String>,
    /// Warranty end or expiry on or after this date (YYYY-MM-DD).
    #[param(value_type = Option<String>)]
    expiring_from: Option<Day>,
    /// Warranty end or expiry on or before this date (YYYY-MM-DD).
    #[param(value_type = Option<String>)]
    expiring_before: Option<Day>,
}

impl ListFilter for AssetParams {
    const SORT_KEYS: &'static [&'static str] = app::assets::SORT_KEYS;
    type Filter = AssetFilter;

    fn check(self) -> Result<AssetFilter, Vec<FieldError>> {
        Ok(AssetFilter {
            kind: self.kind,
            system_id: self.system_id,
            unit_id: self.unit_id,
            expiring_from: self.expiring_from.map(|d| d.0),
            expiring_before: self.expiring_before.map(|d| d.0),
        })
    }
}

/// List assets the caller may see. Sort keys: name, kind, warranty_end, expires_on, created_at, updated_at.
#[utoipa::path(get, path = "/assets", tag = "assets", operation_id = "assets_list", params(Listed<AssetParams>),
    responses((status = 200, body = Page<Asset>), (status = 400, body = ProblemBody)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<AssetParams>>,
) -> ApiResult<Json<Page<Asset>>> {
    Ok(Json(s.app.list_assets(&auth.principal, &q, &f).await?))
}

/// The (filtered) list as xlsx; the same columns are accepted by the import.
#[utoipa::path(get, path = "/assets/export.xlsx", tag = "assets", operation_id = "assets_export", params(Listed<AssetParams>),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
async fn export(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<AssetParams>>,
) -> ApiResult<Response> {
    let bytes = s.app.export_assets(&auth.principal, &q, &f).await?;
    Ok(xlsx(&format!("资产-{}.xlsx", super::today()), bytes))
}

/// Imports assets from xlsx (multipart field `file`, or the raw file as the body). Either every
/// row is imported or none; errors name the row and column.
#[utoipa::path(post, path = "/assets/import", tag = "assets", operation_id = "assets_import",
    request_body(content = Vec<u8>, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportReportBody), (status = 422, body = ProblemBody)))]
async fn import(State(s): State<AppState>, auth: Auth, upload: Upload) -> ApiResult<Json<ImportReportBody>> {
    let r = s.app.import_assets(&auth.principal, &upload.0).await?;
    Ok(Json(r.into()))
}

#[utoipa::path(post, path = "/assets", tag = "assets", operation_id = "assets_create", request_body = AssetInput,
    responses((status = 201, body = Asset), (status = 422, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<AssetInput>,
) -> ApiResult<(StatusCode, Json<Asset>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_asset(&auth.principal, input).await?)))
}

#[utoipa::path(get, path = "/assets/{id}", tag = "assets", operation_id = "assets_get", params(("id" = String, Path)),
    responses((status = 200, body = Asset), (status = 404, body = ProblemBody)))]
async fn get(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Asset>> {
    Ok(Json(s.app.get_asset(&auth.principal, &id).await?))
}

#[utoipa::path(put, path = "/assets/{id}", tag = "assets", operation_id = "assets_update", params(("id" = String, Path)), request_body = AssetInput,
    responses((status = 200, body = Asset), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<AssetInput>,
) -> ApiResult<Json<Asset>> {
    Ok(Json(s.app.update_asset(&auth.principal, &id, input).await?))
}

#[utoipa::path(delete, path = "/assets/{id}", tag = "assets", operation_id = "assets_delete", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn delete(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_asset(&auth.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
