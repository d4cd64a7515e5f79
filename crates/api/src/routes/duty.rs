//! `/duty-shifts`: who of a vendor is on duty (值班) when.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::FieldError;
use domain::duty::{DutyFilter, DutyShift, DutyShiftInput};
use domain::list::Page;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody};
use crate::query::{ListFilter, Listed, Moment, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(delete))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DutyParams {
    contract_id: Option<String>,
    user_id: Option<String>,
    /// `true`: only the caller's own shifts.
    mine: Option<bool>,
    /// Shifts still running at or after this (RFC 3339 or YYYY-MM-DD, the bureau's day).
    #[param(value_type = Option<String>)]
    from: Option<Moment>,
    /// Shifts beginning before this (a date includes that whole day).
    #[param(value_type = Option<String>)]
    to: Option<Moment>,
}

impl ListFilter for DutyParams {
    const SORT_KEYS: &'static [&'static str] = domain::duty::SORT_KEYS;
    type Filter = DutyFilter;

    fn check(self) -> Result<DutyFilter, Vec<FieldError>> {
        crate::query::ordered(self.from.as_ref().map(|m| &m.at), self.to.as_ref().map(|m| &m.at))?;
        Ok(DutyFilter {
            contract_id: self.contract_id,
            user_id: self.user_id,
            mine: self.mine.unwrap_or(false),
            from: self.from.map(|m| m.at),
            to: self.to.map(Moment::end_including_day),
        })
    }
}

/// Duty shifts the caller may see (a vendor its own contracts', a unit those of the contracts
/// covering its systems). Sort keys: starts_at (default), ends_at.
#[utoipa::path(get, path = "/duty-shifts", tag = "duty", operation_id = "duty_list", params(Listed<DutyParams>),
    responses((status = 200, body = Page<DutyShift>), (status = 400, body = ProblemBody)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<DutyParams>>,
) -> ApiResult<Json<Page<DutyShift>>> {
    Ok(Json(s.app.list_duty(&auth.principal, &q, &f).await?))
}

/// Puts an engineer or project manager of the contract's vendor on duty (the bureau, or that
/// vendor's manager). A shift may be entered up to 24 hours after it began, lasts at most 31
/// days, and the same person cannot start twice at the same instant on one contract (409).
#[utoipa::path(post, path = "/duty-shifts", tag = "duty", operation_id = "duty_create", request_body = DutyShiftInput,
    responses((status = 201, body = DutyShift), (status = 403, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<DutyShiftInput>,
) -> ApiResult<(StatusCode, Json<DutyShift>)> {
    Ok((StatusCode::CREATED, Json(s.app.add_duty(&auth.principal, input).await?)))
}

/// Removes a shift that has not begun (409 once it has: it records who was on duty).
#[utoipa::path(delete, path = "/duty-shifts/{id}", tag = "duty", operation_id = "duty_delete", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn delete(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_duty(&auth.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
