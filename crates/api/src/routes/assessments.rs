//! `/assessments`: a contract's assessment (考核) over a period — drafted and scored by the
//! bureau, published to the vendor, appealed, made final — and its export as the filled 考核表.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::FieldError;
use domain::approvals::Approval;
use domain::assessments::{
    AppealInput, Assessment, AssessmentFilter, AssessmentInput, AssessmentStatus, Deduction, DeductionInput,
    DeductionStatus, HistoryEntry, PointsInput, RulingInput, UnitScoreInput, UnitScoring, VetoInput,
};
use domain::list::Page;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{DOCX, XLSX, download};
use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody};
use crate::query::{ListFilter, Listed, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get))
        .routes(routes!(set_points))
        .routes(routes!(set_veto))
        .routes(routes!(deductions, add_deduction))
        .routes(routes!(rule_deduction))
        .routes(routes!(rule_all))
        .routes(routes!(publish))
        .routes(routes!(appeal))
        .routes(routes!(appeals))
        .routes(routes!(acknowledge))
        .routes(routes!(finalize))
        .routes(routes!(history))
        .routes(routes!(unit_scoring))
        .routes(routes!(set_unit_points))
        .routes(routes!(export_xlsx))
        .routes(routes!(export_docx))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AssessmentParams {
    contract_id: Option<String>,
    /// draft, published, appealed, final
    #[param(value_type = Option<String>)]
    status: Option<AssessmentStatus>,
}

impl ListFilter for AssessmentParams {
    const SORT_KEYS: &'static [&'static str] = domain::assessments::SORT_KEYS;
    type Filter = AssessmentFilter;

    fn check(self) -> Result<AssessmentFilter, Vec<FieldError>> {
        Ok(AssessmentFilter { contract_id: self.contract_id, status: self.status })
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DeductionParams {
    criterion_key: Option<String>,
    /// proposed, confirmed, dismissed
    #[param(value_type = Option<String>)]
    status: Option<DeductionStatus>,
}

impl ListFilter for DeductionParams {
    const SORT_KEYS: &'static [&'static str] = domain::assessments::DEDUCTION_SORT_KEYS;
    type Filter = (Option<String>, Option<DeductionStatus>);

    fn check(self) -> Result<Self::Filter, Vec<FieldError>> {
        Ok((self.criterion_key, self.status))
    }
}

#[derive(Serialize, ToSchema)]
struct HistoryList {
    items: Vec<HistoryEntry>,
}

#[derive(Serialize, ToSchema)]
struct UnitScoringList {
    items: Vec<UnitScoring>,
}

#[derive(Serialize, ToSchema)]
struct AppealList {
    items: Vec<Approval>,
}

/// Rules on every proposed deduction of a criterion at once.
#[derive(Deserialize, ToSchema, Default)]
struct RuleAllInput {
    confirmed: Option<bool>,
    note: Option<String>,
}

/// Assessments the caller may see: the bureau and auditors all, a vendor's manager its
/// contracts' published ones, a unit's users those of the contracts covering their systems;
/// engineers none (404). Sort keys: to (default), from.
#[utoipa::path(get, path = "/assessments", tag = "assessments", operation_id = "assessments_list",
    params(Listed<AssessmentParams>), responses((status = 200, body = Page<Assessment>), (status = 400, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<AssessmentParams>>,
) -> ApiResult<Json<Page<Assessment>>> {
    Ok(Json(s.app.list_assessments(&auth.principal, &q, &f).await?))
}

/// Drafts the assessment of a contract over whole days with a template (the bureau): banded
/// criteria from the indicators, deductions proposed from breached clocks and missed
/// inspections. One per contract, template and period (409). The payment is reckoned on the
/// contract's `total_fen`.
#[utoipa::path(post, path = "/assessments", tag = "assessments", operation_id = "assessments_create",
    request_body = AssessmentInput,
    responses((status = 201, body = Assessment), (status = 403, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<AssessmentInput>,
) -> ApiResult<(StatusCode, Json<Assessment>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_assessment(&auth.principal, input).await?)))
}

#[utoipa::path(get, path = "/assessments/{id}", tag = "assessments", operation_id = "assessments_get",
    params(("id" = String, Path)), responses((status = 200, body = Assessment), (status = 404, body = ProblemBody)))]
async fn get(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Assessment>> {
    Ok(Json(s.app.get_assessment(&auth.principal, &id).await?))
}

/// Sets a criterion's points by hand with a reason, or (no points) returns it to its rule.
/// Drafts only (409 once published: points then change through appeals).
#[utoipa::path(put, path = "/assessments/{id}/criteria/{key}", tag = "assessments", operation_id = "assessments_set_points",
    params(("id" = String, Path), ("key" = String, Path)), request_body = PointsInput,
    responses((status = 200, body = Assessment), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn set_points(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, key)): Path<(String, String)>,
    JsonBody(input): JsonBody<PointsInput>,
) -> ApiResult<Json<Assessment>> {
    Ok(Json(s.app.set_assessment_points(&auth.principal, &id, &key, input).await?))
}

/// Vetoes (一票否决: the lowest grade) or lifts the veto, with a reason; only for templates with
/// veto conditions.
#[utoipa::path(put, path = "/assessments/{id}/veto", tag = "assessments", operation_id = "assessments_set_veto",
    params(("id" = String, Path)), request_body = VetoInput,
    responses((status = 200, body = Assessment), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn set_veto(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<VetoInput>,
) -> ApiResult<Json<Assessment>> {
    Ok(Json(s.app.set_assessment_veto(&auth.principal, &id, input).await?))
}

/// The deductions of the assessment, oldest first.
#[utoipa::path(get, path = "/assessments/{id}/deductions", tag = "assessments", operation_id = "assessments_deductions",
    params(("id" = String, Path), Listed<DeductionParams>),
    responses((status = 200, body = Page<Deduction>), (status = 400, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn deductions(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query((q, f)): Query<Listed<DeductionParams>>,
) -> ApiResult<Json<Page<Deduction>>> {
    let (key, status) = f;
    Ok(Json(s.app.list_assessment_deductions(&auth.principal, &id, &q, key, status).await?))
}

/// Adds an occurrence to a deduction criterion (confirmed), with its reason.
#[utoipa::path(post, path = "/assessments/{id}/deductions", tag = "assessments", operation_id = "assessments_add_deduction",
    params(("id" = String, Path)), request_body = DeductionInput,
    responses((status = 201, body = Assessment), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn add_deduction(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<DeductionInput>,
) -> ApiResult<(StatusCode, Json<Assessment>)> {
    Ok((StatusCode::CREATED, Json(s.app.add_assessment_deduction(&auth.principal, &id, input).await?)))
}

/// Confirms or dismisses one deduction.
#[utoipa::path(put, path = "/assessments/{id}/deductions/{deduction_id}", tag = "assessments", operation_id = "assessments_rule_deduction",
    params(("id" = String, Path), ("deduction_id" = String, Path)), request_body = RulingInput,
    responses((status = 200, body = Assessment), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn rule_deduction(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, deduction_id)): Path<(String, String)>,
    JsonBody(input): JsonBody<RulingInput>,
) -> ApiResult<Json<Assessment>> {
    Ok(Json(s.app.rule_assessment_deduction(&auth.principal, &id, &deduction_id, input).await?))
}

/// Confirms or dismisses every proposed deduction of a criterion.
#[utoipa::path(put, path = "/assessments/{id}/criteria/{key}/deductions", tag = "assessments", operation_id = "assessments_rule_all",
    params(("id" = String, Path), ("key" = String, Path)), request_body = RuleAllInput,
    responses((status = 200, body = Assessment), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn rule_all(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, key)): Path<(String, String)>,
    JsonBody(input): JsonBody<RuleAllInput>,
) -> ApiResult<Json<Assessment>> {
    Ok(Json(s.app.rule_all_assessment_deductions(&auth.principal, &id, &key, input.confirmed, input.note).await?))
}

/// Publishes a complete draft to the vendor; the appeal window runs the template's working days
/// on the bureau's calendar.
#[utoipa::path(post, path = "/assessments/{id}/publish", tag = "assessments", operation_id = "assessments_publish",
    params(("id" = String, Path)),
    responses((status = 200, body = Assessment), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn publish(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Assessment>> {
    Ok(Json(s.app.publish_assessment(&auth.principal, &id).await?))
}

/// The vendor's manager appeals a criterion within the window, asking for other points with a
/// reason: a request (`assessment_appeal`) the bureau approves (the points change) or rejects
/// in `/approvals`.
#[utoipa::path(post, path = "/assessments/{id}/criteria/{key}/appeal", tag = "assessments", operation_id = "assessments_appeal",
    params(("id" = String, Path), ("key" = String, Path)), request_body = AppealInput,
    responses((status = 201, body = Approval), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn appeal(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, key)): Path<(String, String)>,
    JsonBody(input): JsonBody<AppealInput>,
) -> ApiResult<(StatusCode, Json<Approval>)> {
    Ok((StatusCode::CREATED, Json(s.app.appeal_assessment(&auth.principal, &id, &key, input).await?)))
}

/// The appeals against the assessment, newest first.
#[utoipa::path(get, path = "/assessments/{id}/appeals", tag = "assessments", operation_id = "assessments_appeals",
    params(("id" = String, Path)), responses((status = 200, body = AppealList), (status = 404, body = ProblemBody)))]
async fn appeals(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<AppealList>> {
    Ok(Json(AppealList { items: s.app.assessment_appeals(&auth.principal, &id).await? }))
}

/// The vendor's manager declares no (further) appeal, so the bureau may close it early.
#[utoipa::path(post, path = "/assessments/{id}/acknowledge", tag = "assessments", operation_id = "assessments_acknowledge",
    params(("id" = String, Path)),
    responses((status = 200, body = Assessment), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn acknowledge(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Assessment>> {
    Ok(Json(s.app.acknowledge_assessment(&auth.principal, &id).await?))
}

/// Makes the assessment final (the bureau): no appeal pending, and the window over or
/// acknowledged. Score, grade and payment are fixed.
#[utoipa::path(post, path = "/assessments/{id}/finalize", tag = "assessments", operation_id = "assessments_finalize",
    params(("id" = String, Path)),
    responses((status = 200, body = Assessment), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn finalize(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Assessment>> {
    Ok(Json(s.app.finalize_assessment(&auth.principal, &id).await?))
}

/// Every change to the assessment's points and standing, oldest first.
#[utoipa::path(get, path = "/assessments/{id}/history", tag = "assessments", operation_id = "assessments_history",
    params(("id" = String, Path)), responses((status = 200, body = HistoryList), (status = 404, body = ProblemBody)))]
async fn history(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<HistoryList>> {
    Ok(Json(HistoryList { items: s.app.assessment_history(&auth.principal, &id).await? }))
}

/// What the units score (使用单位评分): a unit's users get their unit's part of each
/// assessment whose template gives criteria to the units (drafts are theirs to score); the
/// bureau and the auditor every unit's; vendors and engineers nothing (404). Newest first, at
/// most 50 assessments.
#[utoipa::path(get, path = "/assessment-scoring", tag = "assessments", operation_id = "assessments_unit_scoring",
    responses((status = 200, body = UnitScoringList), (status = 404, body = ProblemBody)))]
async fn unit_scoring(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<UnitScoringList>> {
    Ok(Json(UnitScoringList { items: s.app.unit_scoring(&auth.principal).await? }))
}

/// A unit's points for a criterion the units score, for its own systems: by the unit's users
/// (403 for another unit), or by the bureau for the unit. A reason is required when points are
/// lost; no points withdraws the unit's. Drafts only (409 after). Returns the unit's part.
#[utoipa::path(put, path = "/assessments/{id}/units/{unit_id}/criteria/{key}", tag = "assessments", operation_id = "assessments_set_unit_points",
    params(("id" = String, Path), ("unit_id" = String, Path), ("key" = String, Path)), request_body = UnitScoreInput,
    responses((status = 200, body = UnitScoring), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn set_unit_points(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, unit_id, key)): Path<(String, String, String)>,
    JsonBody(input): JsonBody<UnitScoreInput>,
) -> ApiResult<Json<UnitScoring>> {
    Ok(Json(s.app.set_unit_points(&auth.principal, &id, &unit_id, &key, input).await?))
}

/// The filled 考核表 (序号, 权重, 一级, 二级指标, 指标要求, 权重分, 考核标准, 得分) with the
/// evidence, deductions and history on further sheets.
#[utoipa::path(get, path = "/assessments/{id}/export.xlsx", tag = "assessments", operation_id = "assessments_export_xlsx",
    params(("id" = String, Path)), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404, body = ProblemBody)))]
async fn export_xlsx(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Response> {
    let (name, bytes) = s.app.export_assessment(&auth.principal, &id, app::Format::Xlsx).await?;
    Ok(download(&format!("{name}.xlsx"), XLSX, bytes))
}

/// The filled 考核表 as a Word document, the evidence as an appendix.
#[utoipa::path(get, path = "/assessments/{id}/export.docx", tag = "assessments", operation_id = "assessments_export_docx",
    params(("id" = String, Path)), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (status = 404, body = ProblemBody)))]
async fn export_docx(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Response> {
    let (name, bytes) = s.app.export_assessment(&auth.principal, &id, app::Format::Docx).await?;
    Ok(download(&format!("{name}.docx"), DOCX, bytes))
}
