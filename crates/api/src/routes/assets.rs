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

use super::registry::registry_routes;
use super::{ImportReportBody, Upload};
use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody};
use crate::query::{Day, ListFilter, Listed, Query};
use crate::state::AppState;

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

registry_routes! {
    tag: "assets", paths: ("/assets", "/assets/export.xlsx", "/assets/{id}"),
    params: AssetParams, item: Asset, input: AssetInput,
    /// List assets the caller may see. Sort keys: name, kind, warranty_end, expires_on, created_at, updated_at.
    list: list_assets(q, f) as (q, f),
    /// The (filtered) list as xlsx; the same columns are accepted by the import.
    export: export_assets as "资产",
    create: create_asset, get: get_asset, update: update_asset, delete: delete_asset,
    also: import,
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
