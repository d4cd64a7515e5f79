//! `/inspection-rates`, `/inspection-records/export` (巡检记录表) and
//! `/inspection-summary/export` (the monthly summary of a contract).

use app::inspections::{Format, RateQuery};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use domain::FieldError;
use domain::inspections::record::{RateBy, RateReport};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{DOCX, XLSX, download};
use crate::error::{ApiResult, ProblemBody};
use crate::extract::Auth;
use crate::query::{Day, Month, Query, QueryParams, as_decoded};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(rates)).routes(routes!(export_records)).routes(routes!(export_summary))
}

fn file(name: String, format: Format, bytes: Vec<u8>) -> Response {
    match format {
        Format::Xlsx => download(&format!("{name}.xlsx"), XLSX, bytes),
        Format::Docx => download(&format!("{name}.docx"), DOCX, bytes),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RateParams {
    /// First day (YYYY-MM-DD), required.
    #[param(value_type = String)]
    from: Day,
    /// Last day, required; at most 366 days after `from`.
    #[param(value_type = String)]
    to: Day,
    /// `system` (default), `contract` or `month`.
    #[param(value_type = Option<String>)]
    by: Option<RateBy>,
    system_id: Option<String>,
    /// Only tasks of systems the contract's items cover, within the items' periods.
    contract_id: Option<String>,
}

impl QueryParams for RateParams {
    type Value = RateQuery;

    fn check(self) -> Result<RateQuery, Vec<FieldError>> {
        Ok(RateQuery {
            from: self.from.0,
            to: self.to.0,
            by: self.by.unwrap_or(RateBy::System),
            system_id: self.system_id,
            contract_id: self.contract_id,
        })
    }
}

/// Completion and on-time rates of the tasks due in a period (000 asks ≥ 99 % for daily
/// inspections). A task counts once its due time has passed or it is done.
#[utoipa::path(get, path = "/inspection-rates", tag = "inspections", operation_id = "inspection_rates",
    params(RateParams), responses((status = 200, body = RateReport), (status = 400, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn rates(State(s): State<AppState>, auth: Auth, Query(q): Query<RateParams>) -> ApiResult<Json<RateReport>> {
    Ok(Json(s.app.inspection_rates(&auth.principal, &q).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RecordExportParams {
    system_id: String,
    #[param(value_type = String)]
    from: Day,
    #[param(value_type = String)]
    to: Day,
    /// `xlsx` (default) or `docx`.
    #[param(value_type = Option<String>)]
    format: Option<Format>,
}
as_decoded!(RecordExportParams);

/// The 巡检记录表 of a system for a period: 巡检日期, 巡检人, 巡检内容项, 巡检结果,
/// 异常情况处理建议, 异常情况处理结果, 异常情况处理完成日期, one row per item.
#[utoipa::path(get, path = "/inspection-records/export", tag = "inspections", operation_id = "inspection_records_export",
    params(RecordExportParams), responses((status = 200, body = Vec<u8>), (status = 400, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn export_records(
    State(s): State<AppState>,
    auth: Auth,
    Query(p): Query<RecordExportParams>,
) -> ApiResult<Response> {
    let format = p.format.unwrap_or(Format::Xlsx);
    let (name, bytes) =
        s.app.export_inspection_records(&auth.principal, &p.system_id, p.from.0, p.to.0, format).await?;
    Ok(file(name, format, bytes))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SummaryParams {
    contract_id: String,
    /// The month, `YYYY-MM`.
    #[param(value_type = String)]
    month: Month,
    /// `xlsx` (default) or `docx`.
    #[param(value_type = Option<String>)]
    format: Option<Format>,
}
as_decoded!(SummaryParams);

/// The monthly inspection summary of a contract: per covered system, tasks due, done and on
/// time, the rates against 99 %, abnormal findings and those still open.
#[utoipa::path(get, path = "/inspection-summary/export", tag = "inspections", operation_id = "inspection_summary_export",
    params(SummaryParams), responses((status = 200, body = Vec<u8>), (status = 400, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn export_summary(State(s): State<AppState>, auth: Auth, Query(p): Query<SummaryParams>) -> ApiResult<Response> {
    let format = p.format.unwrap_or(Format::Xlsx);
    let (name, bytes) = s.app.export_inspection_summary(&auth.principal, &p.contract_id, p.month.0, format).await?;
    Ok(file(name, format, bytes))
}
