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

use super::registry::registry_routes;
use super::{ImportReportBody, Upload};
use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody};
use crate::query::{ListFilter, Listed, Query};
use crate::state::AppState;

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

registry_routes! {
    tag: "systems", paths: ("/systems", "/systems/export.xlsx", "/systems/{id}"),
    params: SystemParams, item: System, input: SystemInput,
    /// List systems the caller may see. Sort keys: name, criticality, dengbao_level, created_at, updated_at.
    list: list_systems(q, f) as (q, f),
    /// The (filtered) list as xlsx; the same columns are accepted by the import.
    export: export_systems as "信息系统",
    create: create_system, get: get_system, update: update_system, delete: delete_system,
    also: import,
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
