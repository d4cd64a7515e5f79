//! `/inspection-rates`, `/inspection-records/export` (巡检记录表) and
//! `/inspection-summary/export` (the monthly summary of a contract).

use app::inspections::{Format, RateQuery};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use domain::FieldError;
use domain::inspections::record::{RateBy, RateReport};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{DOCX, XLSX, download};
use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, Params, check};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(rates)).routes(routes!(export_records)).routes(routes!(export_summary))
}

fn required_date(params: &Params, key: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    params.required(key, errors).and_then(|_| params.date(key, errors))
}

fn format(params: &Params, errors: &mut Vec<FieldError>) -> Format {
    match params.text("format").as_deref() {
        None | Some("xlsx") => Format::Xlsx,
        Some("docx") => Format::Docx,
        Some(_) => {
            errors.push(FieldError::new("format", "可选值：xlsx、docx", "one of: xlsx, docx"));
            Format::Xlsx
        }
    }
}

fn file(name: String, format: Format, bytes: Vec<u8>) -> Response {
    match format {
        Format::Xlsx => download(&format!("{name}.xlsx"), XLSX, bytes),
        Format::Docx => download(&format!("{name}.docx"), DOCX, bytes),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct RateParams {
    /// First day (YYYY-MM-DD), required.
    from: String,
    /// Last day, required; at most 366 days after `from`.
    to: String,
    /// `system` (default), `contract` or `month`.
    by: Option<String>,
    system_id: Option<String>,
    /// Only tasks of systems the contract's items cover, within the items' periods.
    contract_id: Option<String>,
}

/// Completion and on-time rates of the tasks due in a period (000 asks ≥ 99 % for daily
/// inspections). A task counts once its due time has passed or it is done.
#[utoipa::path(get, path = "/inspection-rates", tag = "inspections", operation_id = "inspection_rates",
    params(RateParams), responses((status = 200, body = RateReport), (status = 400, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn rates(State(s): State<AppState>, auth: Auth, params: Params) -> ApiResult<Json<RateReport>> {
    let mut errors = Vec::new();
    let from = required_date(&params, "from", &mut errors);
    let to = required_date(&params, "to", &mut errors);
    let by = match params.text("by") {
        None => RateBy::System,
        Some(b) => RateBy::parse(&b).unwrap_or_else(|| {
            errors.push(FieldError::new("by", "可选值：system、contract、month", "one of: system, contract, month"));
            RateBy::System
        }),
    };
    check(errors)?;
    let (Some(from), Some(to)) = (from, to) else { unreachable!("checked above") };
    let q = RateQuery { from, to, by, system_id: params.text("system_id"), contract_id: params.text("contract_id") };
    Ok(Json(s.app.inspection_rates(&auth.principal, &q).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct RecordExportParams {
    system_id: String,
    from: String,
    to: String,
    /// `xlsx` (default) or `docx`.
    format: Option<String>,
}

/// The 巡检记录表 of a system for a period: 巡检日期, 巡检人, 巡检内容项, 巡检结果,
/// 异常情况处理建议, 异常情况处理结果, 异常情况处理完成日期, one row per item.
#[utoipa::path(get, path = "/inspection-records/export", tag = "inspections", operation_id = "inspection_records_export",
    params(RecordExportParams), responses((status = 200, body = Vec<u8>), (status = 400, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn export_records(State(s): State<AppState>, auth: Auth, params: Params) -> ApiResult<Response> {
    let mut errors = Vec::new();
    let system_id = params.required("system_id", &mut errors).unwrap_or_default();
    let from = required_date(&params, "from", &mut errors);
    let to = required_date(&params, "to", &mut errors);
    let format = format(&params, &mut errors);
    check(errors)?;
    let (Some(from), Some(to)) = (from, to) else { unreachable!("checked above") };
    let (name, bytes) = s.app.export_inspection_records(&auth.principal, &system_id, from, to, format).await?;
    Ok(file(name, format, bytes))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct SummaryParams {
    contract_id: String,
    /// The month, `YYYY-MM`.
    month: String,
    /// `xlsx` (default) or `docx`.
    format: Option<String>,
}

/// The monthly inspection summary of a contract: per covered system, tasks due, done and on
/// time, the rates against 99 %, abnormal findings and those still open.
#[utoipa::path(get, path = "/inspection-summary/export", tag = "inspections", operation_id = "inspection_summary_export",
    params(SummaryParams), responses((status = 200, body = Vec<u8>), (status = 400, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn export_summary(State(s): State<AppState>, auth: Auth, params: Params) -> ApiResult<Response> {
    let mut errors = Vec::new();
    let contract_id = params.required("contract_id", &mut errors).unwrap_or_default();
    let month = params.text("month");
    let first = month.as_deref().and_then(|m| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok());
    if first.is_none() {
        errors.push(FieldError::new("month", "格式应为 YYYY-MM", "must be YYYY-MM"));
    }
    let format = format(&params, &mut errors);
    check(errors)?;
    let Some(first) = first else { unreachable!("checked above") };
    let (name, bytes) = s.app.export_inspection_summary(&auth.principal, &contract_id, first, format).await?;
    Ok(file(name, format, bytes))
}
