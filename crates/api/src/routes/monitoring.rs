//! `/monitors`, `/systems/{id}/availability` and `/systems/{id}/maintenance`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use domain::FieldError;
use domain::list::Page;
use domain::monitoring::Monitor;
use domain::monitoring::MonitorFilter;
use domain::monitoring::availability::{Availability, DailyAvailability, MaintenanceWindow};
use domain::monitoring::maintenance::MaintenanceInput;
use domain::monitoring::rollup::Minute;
use domain::monitoring::spec::{MonitorInput, MonitorKind};
use domain::monitoring::state::MonitorState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ReasonParams, applied, applied_removal};
use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody};
use crate::query::{ListFilter, Listed, Moment, Query, as_decoded};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
        .routes(routes!(minutes))
        .routes(routes!(availability))
        .routes(routes!(availability_daily))
        .routes(routes!(list_maintenance, add_maintenance))
        .routes(routes!(delete_maintenance))
        .routes(routes!(allowlist, put_allowlist))
}

/// Networks and domains every monitor defined by vendor staff may reach, besides the system's
/// own (`addresses` of the system).
#[derive(Serialize, Deserialize, ToSchema)]
struct Allowlist {
    /// `10.2.0.0/16`, `10.2.3.4`, `zw.anyang.gov.cn`, `*.gov.cn`.
    entries: Vec<String>,
}

#[utoipa::path(get, path = "/network-allowlist", tag = "monitoring", operation_id = "monitoring_allowlist",
    responses((status = 200, body = Allowlist)))]
async fn allowlist(State(s): State<AppState>, _auth: Auth) -> ApiResult<Json<Allowlist>> {
    Ok(Json(Allowlist { entries: s.app.network_allowlist().await? }))
}

/// Replaces the bureau's allowlist (administrators); running monitors follow at once. Loopback,
/// link-local and cloud metadata addresses can never be allowed.
#[utoipa::path(put, path = "/network-allowlist", tag = "monitoring", operation_id = "monitoring_put_allowlist",
    request_body = Allowlist, responses((status = 200, body = Allowlist), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn put_allowlist(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<Allowlist>,
) -> ApiResult<Json<Allowlist>> {
    Ok(Json(Allowlist { entries: s.app.set_network_allowlist(&auth.principal, input.entries).await? }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct MonitorParams {
    system_id: Option<String>,
    /// http, tcp, dns, tls
    #[param(value_type = Option<String>)]
    kind: Option<MonitorKind>,
    /// up, down, unknown
    #[param(value_type = Option<String>)]
    state: Option<MonitorState>,
}

impl ListFilter for MonitorParams {
    const SORT_KEYS: &'static [&'static str] = domain::monitoring::SORT_KEYS;
    type Filter = MonitorFilter;

    fn check(self) -> Result<MonitorFilter, Vec<FieldError>> {
        Ok(MonitorFilter { system_id: self.system_id, kind: self.kind, state: self.state })
    }
}

/// Monitors the caller may see, by name.
#[utoipa::path(get, path = "/monitors", tag = "monitoring", operation_id = "monitors_list",
    params(Listed<MonitorParams>), responses((status = 200, body = Page<Monitor>), (status = 400, body = ProblemBody)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<MonitorParams>>,
) -> ApiResult<Json<Page<Monitor>>> {
    Ok(Json(s.app.list_monitors(&auth.principal, &q, &f).await?))
}

/// A monitor on a system (the bureau, or the manager of a vendor covering it). It starts
/// checking at once; `state` is `unknown` until the first check.
#[utoipa::path(post, path = "/monitors", tag = "monitoring", operation_id = "monitors_create",
    request_body = MonitorInput, responses((status = 201, body = Monitor), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<MonitorInput>,
) -> ApiResult<(StatusCode, Json<Monitor>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_monitor(&auth.principal, input).await?)))
}

#[utoipa::path(get, path = "/monitors/{id}", tag = "monitoring", operation_id = "monitors_get",
    params(("id" = String, Path)), responses((status = 200, body = Monitor), (status = 404, body = ProblemBody)))]
async fn get(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Monitor>> {
    Ok(Json(s.app.get_monitor(&auth.principal, &id).await?))
}

#[utoipa::path(put, path = "/monitors/{id}", tag = "monitoring", operation_id = "monitors_update",
    params(("id" = String, Path)), request_body = MonitorInput,
    responses((status = 200, body = Monitor), (status = 202, description = "The vendor's change, filed for the bureau's approval", body = domain::approvals::Approval),
        (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<MonitorInput>,
) -> ApiResult<Response> {
    Ok(applied(s.app.update_monitor(&auth.principal, &id, input).await?, StatusCode::OK))
}

/// Removes a monitor; the interruptions it recorded stay in the system's availability. The
/// vendor's manager asks the bureau (202 with the request), saying why in `reason`.
#[utoipa::path(delete, path = "/monitors/{id}", tag = "monitoring", operation_id = "monitors_delete",
    params(("id" = String, Path), ReasonParams),
    responses((status = 204), (status = 202, body = domain::approvals::Approval), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn delete(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(p): Query<ReasonParams>,
) -> ApiResult<Response> {
    Ok(applied_removal(s.app.delete_monitor(&auth.principal, &id, p.reason.as_deref()).await?))
}

/// A period of instants; a date means the bureau's day, and a date `to` includes that day.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PeriodParams {
    /// RFC 3339 or YYYY-MM-DD (the bureau's day).
    #[param(value_type = String)]
    from: Moment,
    /// RFC 3339 or YYYY-MM-DD (that day included).
    #[param(value_type = String)]
    to: Moment,
}
as_decoded!(PeriodParams);

impl PeriodParams {
    fn period(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (self.from.at, self.to.end_including_day())
    }
}

#[derive(Serialize, ToSchema)]
struct MinutePoint {
    /// The minute's start.
    at: DateTime<Utc>,
    #[serde(flatten)]
    minute: Minute,
}

/// Per-minute checks, failures and latency (min/avg/max/p95) of a monitor, for charts.
#[utoipa::path(get, path = "/monitors/{id}/minutes", tag = "monitoring", operation_id = "monitors_minutes",
    params(("id" = String, Path), PeriodParams), responses((status = 200, body = Vec<MinutePoint>), (status = 400, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn minutes(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(p): Query<PeriodParams>,
) -> ApiResult<Json<Vec<MinutePoint>>> {
    let (from, to) = p.period();
    let rows = s.app.monitor_minutes(&auth.principal, &id, from, to).await?;
    Ok(Json(
        rows.into_iter()
            .filter_map(|(m, minute)| DateTime::from_timestamp(m * 60, 0).map(|at| MinutePoint { at, minute }))
            .collect(),
    ))
}

/// Availability of a system over a period: interruptions in seconds, less maintenance windows
/// and the causes its contract item does not count, against the item's target.
#[utoipa::path(get, path = "/systems/{id}/availability", tag = "monitoring", operation_id = "systems_availability",
    params(("id" = String, Path), PeriodParams),
    responses((status = 200, body = Availability), (status = 400, body = ProblemBody), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn availability(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(p): Query<PeriodParams>,
) -> ApiResult<Json<Availability>> {
    let (from, to) = p.period();
    Ok(Json(s.app.system_availability(&auth.principal, &id, from, to).await?))
}

/// The same, one row per day of the bureau (UTC+8), up to now.
#[utoipa::path(get, path = "/systems/{id}/availability/daily", tag = "monitoring", operation_id = "systems_availability_daily",
    params(("id" = String, Path), PeriodParams),
    responses((status = 200, body = Vec<DailyAvailability>), (status = 400, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn availability_daily(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(p): Query<PeriodParams>,
) -> ApiResult<Json<Vec<DailyAvailability>>> {
    let (from, to) = p.period();
    Ok(Json(s.app.system_availability_daily(&auth.principal, &id, from, to).await?))
}

#[utoipa::path(get, path = "/systems/{id}/maintenance", tag = "monitoring", operation_id = "maintenance_list",
    params(("id" = String, Path)), responses((status = 200, body = Vec<MaintenanceWindow>), (status = 404, body = ProblemBody)))]
async fn list_maintenance(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<MaintenanceWindow>>> {
    Ok(Json(s.app.list_maintenance(&auth.principal, &id).await?))
}

/// Planned maintenance of a system: its time does not count as interruption. The bureau adds it
/// at once (201); the vendor's manager asks (202 with the request), and the window counts from
/// the request once approved. Only the bureau may record a window in the past, with a `reason`.
/// `window` is `{"repeat": "once", "start", "end"}` or `{"repeat": "weekly", "weekdays": [7],
/// "at": "02:00", "minutes": 120, "time_zone": "Asia/Shanghai"}`.
#[utoipa::path(post, path = "/systems/{id}/maintenance", tag = "monitoring", operation_id = "maintenance_add",
    params(("id" = String, Path)), request_body = MaintenanceInput,
    responses((status = 201, body = MaintenanceWindow), (status = 202, body = domain::approvals::Approval), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn add_maintenance(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<MaintenanceInput>,
) -> ApiResult<Response> {
    Ok(applied(s.app.add_maintenance(&auth.principal, &id, input).await?, StatusCode::CREATED))
}

/// Ends a window now (the bureau or the vendor's manager): it still counts for the time before.
#[utoipa::path(delete, path = "/systems/{id}/maintenance/{window_id}", tag = "monitoring", operation_id = "maintenance_delete",
    params(("id" = String, Path), ("window_id" = String, Path)), responses((status = 204), (status = 404, body = ProblemBody)))]
async fn delete_maintenance(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, window_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    s.app.delete_maintenance(&auth.principal, &id, &window_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
