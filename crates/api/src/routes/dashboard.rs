//! `/dashboard`: the registry's figures; `/me/today`: the caller's home page.

use axum::Json;
use axum::extract::State;
use domain::dashboard::Dashboard;
use domain::today::Today;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, ClientLang};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(summary)).routes(routes!(today))
}

/// Counts of the units, vendors, contracts, systems and assets the caller may see, assets expiring
/// within 30/60/90 days, and systems per unit and per 等保 level.
#[utoipa::path(get, path = "/dashboard", tag = "dashboard", operation_id = "dashboard_summary",
    responses((status = 200, body = Dashboard), (status = 401, body = ProblemBody)))]
async fn summary(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Dashboard>> {
    Ok(Json(s.app.dashboard(&auth.principal).await?))
}

/// What needs the caller now, by role: the bureau and a vendor's manager see breached, at-risk
/// and unassigned tickets, systems down, overdue inspections and the requests waiting (keys
/// `breached`, `at_risk`, `unassigned`, `systems_down`, `inspections_overdue`, `approvals`); an
/// engineer `my_tickets` (most urgent first), `my_inspections_today` (with overdue ones) and
/// `unassigned`; a unit user `my_open` and `awaiting_confirmation`. Each section has its count,
/// its first five items and the link of its full list.
#[utoipa::path(get, path = "/me/today", tag = "dashboard", operation_id = "me_today",
    responses((status = 200, body = Today), (status = 401, body = ProblemBody)))]
async fn today(State(s): State<AppState>, auth: Auth, ClientLang(lang): ClientLang) -> ApiResult<Json<Today>> {
    Ok(Json(s.app.today(&auth.principal, lang).await?))
}
