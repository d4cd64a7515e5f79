//! `/holiday-sets`: the State Council schedule shipped with Yunwei and any other set, edited a
//! year at a time or imported from CSV or iCalendar.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::list::Page;
use domain::sla::holidays::{HolidayEntry, HolidayImportReport, HolidaySetDetail, HolidaySetInput, HolidaySetView};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Upload;
use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody};
use crate::query::{Query, as_decoded};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, delete))
        .routes(routes!(put_year))
        .routes(routes!(import))
}

/// The holiday sets with the years they cover.
#[utoipa::path(get, path = "/holiday-sets", tag = "holidays", operation_id = "holidays_list",
    responses((status = 200, body = Page<HolidaySetView>)))]
async fn list(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Page<HolidaySetView>>> {
    Ok(Json(Page::whole(s.app.list_holiday_sets(&auth.principal).await?)))
}

#[utoipa::path(post, path = "/holiday-sets", tag = "holidays", operation_id = "holidays_create", request_body = HolidaySetInput,
    responses((status = 201, body = HolidaySetView), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<HolidaySetInput>,
) -> ApiResult<(StatusCode, Json<HolidaySetView>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_holiday_set(&auth.principal, input).await?)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct YearParam {
    /// Only this year's entries.
    year: Option<i32>,
}
as_decoded!(YearParam);

/// A set with its entries (of one year with `?year=`).
#[utoipa::path(get, path = "/holiday-sets/{id}", tag = "holidays", operation_id = "holidays_get", params(("id" = String, Path), YearParam),
    responses((status = 200, body = HolidaySetDetail), (status = 404, body = ProblemBody)))]
async fn get(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(p): Query<YearParam>,
) -> ApiResult<Json<HolidaySetDetail>> {
    Ok(Json(s.app.get_holiday_set(&auth.principal, &id, p.year).await?))
}

/// Deletes a set no calendar uses (the built-in State Council set: 409).
#[utoipa::path(delete, path = "/holiday-sets/{id}", tag = "holidays", operation_id = "holidays_delete", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn delete(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_holiday_set(&auth.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
struct YearInput {
    /// Every holiday and make-up working day of the year (an empty list clears the year).
    entries: Vec<HolidayEntry>,
}

/// Replaces one year, e.g. the next State Council notice:
/// `{"entries": [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}, …]}`.
#[utoipa::path(put, path = "/holiday-sets/{id}/years/{year}", tag = "holidays", operation_id = "holidays_put_year",
    params(("id" = String, Path), ("year" = i32, Path)), request_body = YearInput,
    responses((status = 200, body = HolidaySetDetail), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn put_year(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, year)): Path<(String, String)>,
    JsonBody(input): JsonBody<YearInput>,
) -> ApiResult<Json<HolidaySetDetail>> {
    let year: i32 = year.parse().ok().filter(|y| (1900..=2999).contains(y)).ok_or_else(|| {
        crate::error::ApiError::BadRequest(vec![domain::FieldError::new("year", "年份无效", "is not a year")])
    })?;
    Ok(Json(s.app.put_holiday_year(&auth.principal, &id, year, input.entries).await?))
}

/// Imports a CSV/TSV table (`date,kind,name`; kind holiday/workday or 休/班) or an iCalendar
/// file (all-day events; summaries with 班 are make-up working days). Every year in the file
/// replaces that year of the set; one bad line and nothing is written.
#[utoipa::path(post, path = "/holiday-sets/{id}/import", tag = "holidays", operation_id = "holidays_import", params(("id" = String, Path)),
    request_body(content = Vec<u8>, content_type = "multipart/form-data"),
    responses((status = 200, body = HolidayImportReport), (status = 422, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn import(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Upload(bytes): Upload,
) -> ApiResult<Json<HolidayImportReport>> {
    Ok(Json(s.app.import_holidays(&auth.principal, &id, &bytes).await?))
}
