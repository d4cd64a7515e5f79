//! `/reports`: periodic O&M reports (周报/月报/季报/半年报/年报) — made from the facts, written by
//! the vendor's manager, reviewed by the bureau, issued as docx and xlsx files that never change.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, Response};
use domain::FieldError;
use domain::list::Page;
use domain::reports::templates::{DefinitionInput, ReportDefinition, ReportTemplate};
use domain::reports::{
    NarrativeInput, Report, ReportDetail, ReportFilter, ReportInput, ReportKind, ReportStatus, ReviewInput, SectionInfo,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{DOCX, XLSX, download};
use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody};
use crate::query::{ListFilter, Listed, Query, as_decoded};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(sections))
        .routes(routes!(templates))
        .routes(routes!(get))
        .routes(routes!(narrative))
        .routes(routes!(submit))
        .routes(routes!(return_report))
        .routes(routes!(accept))
        .routes(routes!(reissue))
        .routes(routes!(preview))
        .routes(routes!(docx))
        .routes(routes!(xlsx))
        .routes(routes!(definitions, create_definition))
        .routes(routes!(update_definition, delete_definition))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ReportParams {
    contract_id: Option<String>,
    /// draft, submitted, returned, issued
    #[param(value_type = Option<String>)]
    status: Option<ReportStatus>,
    /// week, month, quarter, half_year, year, custom
    #[param(value_type = Option<String>)]
    kind: Option<ReportKind>,
    /// Only those not submitted by their due date.
    overdue: Option<bool>,
}

impl ListFilter for ReportParams {
    const SORT_KEYS: &'static [&'static str] = domain::reports::SORT_KEYS;
    type Filter = ReportFilter;

    fn check(self) -> Result<ReportFilter, Vec<FieldError>> {
        let overdue_on = self.overdue.unwrap_or(false).then(app::bureau_today);
        Ok(ReportFilter { contract_id: self.contract_id, status: self.status, kind: self.kind, overdue_on })
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct VersionParams {
    /// An issued version (default: the latest; a report not issued is written from the facts now).
    version: Option<u32>,
}
as_decoded!(VersionParams);

#[derive(Deserialize, ToSchema, Default)]
struct ReissueInput {
    reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct DefinitionList {
    items: Vec<ReportDefinition>,
}

#[derive(Serialize, ToSchema)]
struct SectionList {
    items: Vec<SectionInfo>,
}

#[derive(Serialize, ToSchema)]
struct TemplateList {
    items: Vec<ReportTemplate>,
}

/// Reports the caller may see: the bureau and auditors all; a vendor's people their contracts';
/// a unit's users the issued ones over their systems. Sort keys: period_start (default), due_on.
#[utoipa::path(get, path = "/reports", tag = "reports", operation_id = "reports_list",
    params(Listed<ReportParams>), responses((status = 200, body = Page<Report>), (status = 400, body = ProblemBody)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<ReportParams>>,
) -> ApiResult<Json<Page<Report>>> {
    Ok(Json(s.app.reports(&auth.principal, &q, &f).await?))
}

/// Makes a contract's report for the period of `kind` starting on `start` (a custom range takes
/// `end`), over the whole contract, one item or one unit's systems; the draft is written from
/// the facts at once, due by the kind's rule on the bureau's working calendar. The bureau or the
/// contract's vendor manager; one per contract, kind, scope and first day (409).
#[utoipa::path(post, path = "/reports", tag = "reports", operation_id = "reports_create",
    request_body = ReportInput,
    responses((status = 201, body = ReportDetail), (status = 403, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<ReportInput>,
) -> ApiResult<(StatusCode, Json<ReportDetail>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_report(&auth.principal, input).await?)))
}

/// The section catalogue: every section a report can hold, in the default order.
#[utoipa::path(get, path = "/reports/sections", tag = "reports", operation_id = "reports_sections",
    responses((status = 200, body = SectionList)))]
async fn sections(State(s): State<AppState>, _auth: Auth) -> Json<SectionList> {
    Json(SectionList { items: s.app.report_sections() })
}

/// The seeds' report templates (kind, due rule, sections).
#[utoipa::path(get, path = "/reports/templates", tag = "reports", operation_id = "reports_templates",
    responses((status = 200, body = TemplateList)))]
async fn templates(_auth: Auth) -> Json<TemplateList> {
    Json(TemplateList { items: domain::reports::templates::templates() })
}

#[utoipa::path(get, path = "/reports/{id}", tag = "reports", operation_id = "reports_get",
    params(("id" = String, Path)), responses((status = 200, body = ReportDetail), (status = 404, body = ProblemBody)))]
async fn get(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<ReportDetail>> {
    Ok(Json(s.app.report(&auth.principal, &id).await?))
}

/// Saves the vendor's narrative (工作总结, 存在问题, 下一步计划, 意见建议): the sections sent
/// replace theirs. The contract's vendor manager, while the report is a draft or returned.
#[utoipa::path(put, path = "/reports/{id}/narrative", tag = "reports", operation_id = "reports_narrative",
    params(("id" = String, Path)), request_body = NarrativeInput,
    responses((status = 200, body = ReportDetail), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn narrative(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<NarrativeInput>,
) -> ApiResult<Json<ReportDetail>> {
    Ok(Json(s.app.set_report_narrative(&auth.principal, &id, input).await?))
}

/// Submits the report to the bureau (every narrative section written, else 422 naming them).
#[utoipa::path(post, path = "/reports/{id}/submit", tag = "reports", operation_id = "reports_submit",
    params(("id" = String, Path)),
    responses((status = 200, body = ReportDetail), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn submit(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<ReportDetail>> {
    Ok(Json(s.app.submit_report(&auth.principal, &id).await?))
}

/// Returns a submitted report to the vendor with a note (required) and the non-conformities
/// found, which the period's draft assessments propose as deductions. The bureau.
#[utoipa::path(post, path = "/reports/{id}/return", tag = "reports", operation_id = "reports_return",
    params(("id" = String, Path)), request_body = ReviewInput,
    responses((status = 200, body = ReportDetail), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn return_report(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<ReviewInput>,
) -> ApiResult<Json<ReportDetail>> {
    Ok(Json(s.app.return_report(&auth.principal, &id, input).await?))
}

/// Accepts a submitted report (noting any non-conformities) and issues it: version 1's docx and
/// xlsx are written and kept with their SHA-256. The bureau.
#[utoipa::path(post, path = "/reports/{id}/accept", tag = "reports", operation_id = "reports_accept",
    params(("id" = String, Path)), request_body = ReviewInput,
    responses((status = 200, body = ReportDetail), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn accept(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<ReviewInput>,
) -> ApiResult<Json<ReportDetail>> {
    Ok(Json(s.app.accept_report(&auth.principal, &id, input).await?))
}

/// Issues an issued report again from the facts as they stand, as the next version, with the
/// reason (required); the earlier versions' files stay. The bureau.
#[utoipa::path(post, path = "/reports/{id}/reissue", tag = "reports", operation_id = "reports_reissue",
    params(("id" = String, Path)), request_body = ReissueInput,
    responses((status = 200, body = ReportDetail), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn reissue(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<ReissueInput>,
) -> ApiResult<Json<ReportDetail>> {
    Ok(Json(s.app.reissue_report(&auth.principal, &id, input.reason).await?))
}

/// The report as an HTML fragment for the preview (as issued, or written from the facts now).
#[utoipa::path(get, path = "/reports/{id}/preview", tag = "reports", operation_id = "reports_preview",
    params(("id" = String, Path)), responses((status = 200, content_type = "text/html"), (status = 404, body = ProblemBody)))]
async fn preview(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Html<String>> {
    Ok(Html(s.app.report_preview(&auth.principal, &id).await?))
}

/// The report as Word: an issued version's file as issued, or a draft written from the facts now.
#[utoipa::path(get, path = "/reports/{id}/report.docx", tag = "reports", operation_id = "reports_docx",
    params(("id" = String, Path), VersionParams),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn docx(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(v): Query<VersionParams>,
) -> ApiResult<Response> {
    let (name, bytes) = s.app.report_file(&auth.principal, &id, app::reports::ReportFile::Docx, v.version).await?;
    Ok(download(&name, DOCX, bytes))
}

/// The report as a workbook: a sheet per section with the rows behind its figures.
#[utoipa::path(get, path = "/reports/{id}/report.xlsx", tag = "reports", operation_id = "reports_xlsx",
    params(("id" = String, Path), VersionParams),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn xlsx(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(v): Query<VersionParams>,
) -> ApiResult<Response> {
    let (name, bytes) = s.app.report_file(&auth.principal, &id, app::reports::ReportFile::Xlsx, v.version).await?;
    Ok(download(&name, XLSX, bytes))
}

/// The reports the contract owes: kind, scope, first period, due rule, sections, and whether
/// the job writes each period's draft when it ends.
#[utoipa::path(get, path = "/contracts/{id}/report-definitions", tag = "reports", operation_id = "reports_definitions",
    params(("id" = String, Path)), responses((status = 200, body = DefinitionList), (status = 404, body = ProblemBody)))]
async fn definitions(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<DefinitionList>> {
    Ok(Json(DefinitionList { items: s.app.report_definitions(&auth.principal, &id).await? }))
}

/// Adds a report the contract owes (the bureau), from a template (`002-monthly` …) or by kind;
/// unset fields take the template's, the kind's or the contract's (anchor: its start). One per
/// kind and scope (409).
#[utoipa::path(post, path = "/contracts/{id}/report-definitions", tag = "reports", operation_id = "reports_create_definition",
    params(("id" = String, Path)), request_body = DefinitionInput,
    responses((status = 201, body = ReportDefinition), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn create_definition(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<DefinitionInput>,
) -> ApiResult<(StatusCode, Json<ReportDefinition>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_report_definition(&auth.principal, &id, input).await?)))
}

/// Replaces a report definition (the bureau); the reports already made keep their own period,
/// due date and sections.
#[utoipa::path(put, path = "/report-definitions/{id}", tag = "reports", operation_id = "reports_update_definition",
    params(("id" = String, Path)), request_body = DefinitionInput,
    responses((status = 200, body = ReportDefinition), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update_definition(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<DefinitionInput>,
) -> ApiResult<Json<ReportDefinition>> {
    Ok(Json(s.app.update_report_definition(&auth.principal, &id, input).await?))
}

/// Removes a report definition (the bureau); the reports made under it stay.
#[utoipa::path(delete, path = "/report-definitions/{id}", tag = "reports", operation_id = "reports_delete_definition",
    params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn delete_definition(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_report_definition(&auth.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
