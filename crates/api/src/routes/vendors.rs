//! `/vendors`

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::list::Page;
use domain::registry::{Vendor, VendorInput};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::registry::registry_routes;
use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody};
use crate::query::{Listed, Query, unfiltered};
use crate::state::AppState;

unfiltered!(VendorParams, app::vendors::SORT_KEYS);

registry_routes! {
    tag: "vendors", paths: ("/vendors", "/vendors/export.xlsx", "/vendors/{id}"),
    params: VendorParams, item: Vendor, input: VendorInput,
    /// List vendors the caller may see. Sort keys: name, created_at, updated_at.
    list: list_vendors(q) as (q, ()),
    /// The (filtered) list as xlsx.
    export: export_vendors as "供应商",
    create: create_vendor, get: get_vendor, update: update_vendor, delete: delete_vendor,
}
