//! `/units`

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::list::Page;
use domain::registry::{Unit, UnitInput};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::registry::registry_routes;
use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody};
use crate::query::{Listed, Query, unfiltered};
use crate::state::AppState;

unfiltered!(UnitParams, app::units::SORT_KEYS);

registry_routes! {
    tag: "units", paths: ("/units", "/units/export.xlsx", "/units/{id}"),
    params: UnitParams, item: Unit, input: UnitInput,
    /// List units the caller may see. Sort keys: name, created_at, updated_at.
    list: list_units(q) as (q, ()),
    /// The (filtered) list as xlsx.
    export: export_units as "单位",
    create: create_unit, get: get_unit, update: update_unit, delete: delete_unit,
}
