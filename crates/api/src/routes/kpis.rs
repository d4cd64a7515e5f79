//! `/kpis`: the indicator catalogue and a contract's indicators over a period.

use app::indicators::KpiQuery;
use axum::Json;
use axum::extract::State;
use domain::indicators::seeds::{TargetTemplate, templates};
use domain::indicators::{IndicatorDef, Kpi};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ProblemBody};
use crate::extract::Auth;
use crate::query::{Day, Query, as_decoded};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(catalogue))
        .routes(routes!(target_templates))
        .routes(routes!(trend))
        .routes(routes!(vendor))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct VendorKpiParams {
    /// Every contract of this vendor the caller may read.
    vendor_id: String,
    /// One system the vendor's contracts cover (default: all of them).
    system_id: Option<String>,
    /// One unit's systems (a unit's users always get their own unit's).
    unit_id: Option<String>,
    /// First day, `YYYY-MM-DD` (the bureau's day).
    #[param(value_type = String)]
    from: Day,
    /// Last day, included.
    #[param(value_type = String)]
    to: Day,
}
as_decoded!(VendorKpiParams);

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct KpiParams {
    contract_id: String,
    /// One item of the contract: its tickets and systems, judged against its targets (default:
    /// the whole contract, judged against the strictest of its items' targets).
    contract_item_id: Option<String>,
    /// One system the contract covers (default: all of them).
    system_id: Option<String>,
    /// One unit's systems of the contract (a unit's users always get their own unit's).
    unit_id: Option<String>,
    /// First day, `YYYY-MM-DD` (the bureau's day).
    #[param(value_type = String)]
    from: Day,
    /// Last day, included.
    #[param(value_type = String)]
    to: Day,
}
as_decoded!(KpiParams);

#[derive(Serialize, ToSchema)]
struct KpiList {
    items: Vec<Kpi>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct KeyParam {
    /// The indicator (a key of `/kpis/catalogue`).
    key: String,
}
as_decoded!(KeyParam);

impl From<KpiParams> for KpiQuery {
    fn from(p: KpiParams) -> KpiQuery {
        KpiQuery {
            contract_id: Some(p.contract_id),
            vendor_id: None,
            contract_item_id: p.contract_item_id,
            system_id: p.system_id,
            unit_id: p.unit_id,
            from: Some(p.from.0),
            to: Some(p.to.0),
        }
    }
}

/// One month of a trend.
#[derive(Serialize, ToSchema)]
struct TrendPoint {
    #[schema(value_type = String)]
    from: chrono::NaiveDate,
    #[schema(value_type = String)]
    to: chrono::NaiveDate,
    kpi: Kpi,
}

#[derive(Serialize, ToSchema)]
struct Trend {
    items: Vec<TrendPoint>,
}

#[derive(Serialize, ToSchema)]
struct TargetTemplates {
    items: Vec<TargetTemplate>,
}

#[derive(Serialize, ToSchema)]
struct Catalogue {
    items: Vec<IndicatorDef>,
}

/// A contract's indicators over whole days: rates are fractions 0..1 (`value` absent when
/// nothing was measured), with their numerator and denominator; times in minutes of the clock's
/// own measure; each judged against the targets of the contract items it covers. The bureau and the auditor see any contract, a vendor's manager their own, a
/// unit's user the figures of their own systems; engineers are refused.
#[utoipa::path(get, path = "/kpis", tag = "kpis", operation_id = "kpis_list", params(KpiParams),
    responses((status = 200, body = KpiList), (status = 400, body = ProblemBody), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn list(State(s): State<AppState>, auth: Auth, Query(p): Query<KpiParams>) -> ApiResult<Json<KpiList>> {
    Ok(Json(KpiList { items: s.app.kpis(&auth.principal, &p.into()).await? }))
}

/// A vendor's indicators over every contract of it the caller may read (the bureau compares
/// vendors; a vendor's manager sees its whole book): the same figures and rules as `/kpis`,
/// judged against the strictest of all the contracts' item targets.
#[utoipa::path(get, path = "/kpis/vendor", tag = "kpis", operation_id = "kpis_vendor", params(VendorKpiParams),
    responses((status = 200, body = KpiList), (status = 400, body = ProblemBody), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn vendor(State(s): State<AppState>, auth: Auth, Query(p): Query<VendorKpiParams>) -> ApiResult<Json<KpiList>> {
    let q = KpiQuery {
        vendor_id: Some(p.vendor_id),
        system_id: p.system_id,
        unit_id: p.unit_id,
        from: Some(p.from.0),
        to: Some(p.to.0),
        ..Default::default()
    };
    Ok(Json(KpiList { items: s.app.kpis(&auth.principal, &q).await? }))
}

/// Every indicator Yunwei computes: key, feature, unit, name and definition in both languages.
#[utoipa::path(get, path = "/kpis/catalogue", tag = "kpis", operation_id = "kpis_catalogue",
    responses((status = 200, body = Catalogue)))]
async fn catalogue(State(s): State<AppState>, _auth: Auth) -> ApiResult<Json<Catalogue>> {
    Ok(Json(Catalogue { items: s.app.indicator_catalogue() }))
}

/// Targets the procurement documents state (000 三1①②, 002 需求99 and 需求128, 004 row 30 and
/// the outage caps of 004's clauses), to copy into a contract item's `targets`.
#[utoipa::path(get, path = "/kpis/target-templates", tag = "kpis", operation_id = "kpis_target_templates",
    responses((status = 200, body = TargetTemplates)))]
async fn target_templates(_auth: Auth) -> ApiResult<Json<TargetTemplates>> {
    Ok(Json(TargetTemplates { items: templates() }))
}

/// One indicator month by month over the period (calendar months clipped to it), each judged
/// against the targets that apply; the same scope and rules as `/kpis`.
#[utoipa::path(get, path = "/kpis/trend", tag = "kpis", operation_id = "kpis_trend", params(KeyParam, KpiParams),
    responses((status = 200, body = Trend), (status = 400, body = ProblemBody), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn trend(
    State(s): State<AppState>,
    auth: Auth,
    Query(k): Query<KeyParam>,
    Query(p): Query<KpiParams>,
) -> ApiResult<Json<Trend>> {
    let points = s.app.kpi_trend(&auth.principal, &p.into(), &k.key).await?;
    Ok(Json(Trend { items: points.into_iter().map(|(w, kpi)| TrendPoint { from: w.from, to: w.to, kpi }).collect() }))
}
