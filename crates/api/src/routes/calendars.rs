//! `/calendars`: working calendars, their presets and their month view.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::list::Page;
use domain::sla::calendar::{CalendarInput, CalendarView};
use domain::sla::compiled::DayView;
use domain::tickets::view::CalendarPreview;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody};
use crate::query::{Day, Listed, Query, as_decoded, unfiltered};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
        .routes(routes!(days))
        .routes(routes!(preview))
}

unfiltered!(CalendarParams, app::calendars::SORT_KEYS);

/// The calendars, presets (7×24, 5×8, 5×9, 7×8) included, with how far their holiday data
/// reaches and a warning 60 days before it runs out. Sort keys: name, created_at, updated_at.
#[utoipa::path(get, path = "/calendars", tag = "calendars", operation_id = "calendars_list", params(Listed<CalendarParams>),
    responses((status = 200, body = Page<CalendarView>), (status = 400, body = ProblemBody)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    Query(list): Query<Listed<CalendarParams>>,
) -> ApiResult<Json<Page<CalendarView>>> {
    let (q, ()) = list;
    Ok(Json(s.app.list_calendars(&auth.principal, &q).await?))
}

/// Creates a calendar: time zone, weekly hours (`"mon": [["08:30","12:00"],["13:30","17:30"]]`),
/// holiday sets (`["cn"]`) and dated overrides.
#[utoipa::path(post, path = "/calendars", tag = "calendars", operation_id = "calendars_create", request_body = CalendarInput,
    responses((status = 201, body = CalendarView), (status = 422, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<CalendarInput>,
) -> ApiResult<(StatusCode, Json<CalendarView>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_calendar(&auth.principal, input).await?)))
}

#[utoipa::path(get, path = "/calendars/{id}", tag = "calendars", operation_id = "calendars_get", params(("id" = String, Path)),
    responses((status = 200, body = CalendarView), (status = 404, body = ProblemBody)))]
async fn get(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<CalendarView>> {
    Ok(Json(s.app.get_calendar(&auth.principal, &id).await?))
}

/// Replaces a calendar's definition (presets are read-only: 409).
#[utoipa::path(put, path = "/calendars/{id}", tag = "calendars", operation_id = "calendars_update", params(("id" = String, Path)), request_body = CalendarInput,
    responses((status = 200, body = CalendarView), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<CalendarInput>,
) -> ApiResult<Json<CalendarView>> {
    Ok(Json(s.app.update_calendar(&auth.principal, &id, input).await?))
}

/// The due times of open tickets that would move if the calendar became the body; nothing is
/// saved. Closed tickets and decided outcomes never move.
#[utoipa::path(post, path = "/calendars/{id}/preview", tag = "calendars", operation_id = "calendars_preview", params(("id" = String, Path)), request_body = CalendarInput,
    responses((status = 200, body = CalendarPreview), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn preview(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<CalendarInput>,
) -> ApiResult<Json<CalendarPreview>> {
    Ok(Json(s.app.preview_calendar(&auth.principal, &id, input).await?))
}

/// Deletes a calendar no SLA policy uses (presets: 409).
#[utoipa::path(delete, path = "/calendars/{id}", tag = "calendars", operation_id = "calendars_delete", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn delete(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_calendar(&auth.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DaysParams {
    /// First date, YYYY-MM-DD.
    #[param(value_type = String)]
    from: Day,
    /// Last date, YYYY-MM-DD (at most 400 days after `from`).
    #[param(value_type = String)]
    to: Day,
}
as_decoded!(DaysParams);

/// Each date's working hours and why (weekday, weekend, holiday, make-up working day, override).
#[utoipa::path(get, path = "/calendars/{id}/days", tag = "calendars", operation_id = "calendars_days", params(("id" = String, Path), DaysParams),
    responses((status = 200, body = Page<DayView>), (status = 400, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn days(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(p): Query<DaysParams>,
) -> ApiResult<Json<Page<DayView>>> {
    Ok(Json(Page::whole(s.app.calendar_days(&auth.principal, &id, p.from.0, p.to.0).await?)))
}
