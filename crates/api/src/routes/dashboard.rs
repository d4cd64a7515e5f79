//! `/dashboard`: the home page's figures.

use axum::Json;
use axum::extract::State;
use domain::dashboard::Dashboard;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ProblemBody};
use crate::extract::Auth;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(summary))
}

/// Counts of the units, vendors, contracts, systems and assets the caller may see, assets expiring
/// within 30/60/90 days, and systems per unit and per 等保 level.
#[utoipa::path(get, path = "/dashboard", tag = "dashboard", operation_id = "dashboard_summary",
    responses((status = 200, body = Dashboard), (status = 401, body = ProblemBody)))]
async fn summary(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Dashboard>> {
    Ok(Json(s.app.dashboard(&auth.principal).await?))
}
