//! `/security-plans`, `/security-tasks`, `/security-records`: planned security work (scans, web
//! scans, penetration tests, baseline checks, risk assessments), the periods it is due in, and
//! the reports filed against it.

use app::files::Upload;
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::FieldError;
use domain::list::Page;
use domain::security_plans::{
    SecTaskKind, SecTaskStatus, SecurityPlan, SecurityPlanFilter, SecurityPlanInput, SecurityRecord,
    SecurityRecordFilter, SecurityRecordInput, SecurityTask, SecurityTaskFilter,
};
use domain::void::VoidInput;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody, MultipartFile};
use crate::query::{Day, ListFilter, Listed, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_plans, create_plan))
        .routes(routes!(get_plan, update_plan, delete_plan))
        .routes(routes!(tasks))
        .routes(routes!(list_records, create_record))
        .routes(routes!(get_record))
        .routes(routes!(record_file))
        .routes(routes!(void_record))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PlanParams {
    system_id: Option<String>,
    /// scan, web_scan, pentest, baseline, risk_assessment
    #[param(value_type = Option<String>)]
    kind: Option<SecTaskKind>,
    active: Option<bool>,
}

impl ListFilter for PlanParams {
    const SORT_KEYS: &'static [&'static str] = &[];
    type Filter = SecurityPlanFilter;

    fn check(self) -> Result<SecurityPlanFilter, Vec<FieldError>> {
        Ok(SecurityPlanFilter { system_id: self.system_id, kind: self.kind, active: self.active })
    }
}

/// The security plans the caller may see, by system and kind.
#[utoipa::path(get, path = "/security-plans", tag = "security_plans", operation_id = "security_plans_list",
    params(Listed<PlanParams>), responses((status = 200, body = Page<SecurityPlan>), (status = 400, body = ProblemBody)))]
async fn list_plans(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<PlanParams>>,
) -> ApiResult<Json<Page<SecurityPlan>>> {
    Ok(Json(s.app.list_security_plans(&auth.principal, &q, &f).await?))
}

/// The bureau plans a kind of security work for a system (one plan per system and kind).
#[utoipa::path(post, path = "/security-plans", tag = "security_plans", operation_id = "security_plans_create",
    request_body = SecurityPlanInput,
    responses((status = 201, body = SecurityPlan), (status = 403, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn create_plan(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<SecurityPlanInput>,
) -> ApiResult<(StatusCode, Json<SecurityPlan>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_security_plan(&auth.principal, input).await?)))
}

#[utoipa::path(get, path = "/security-plans/{id}", tag = "security_plans", operation_id = "security_plans_get",
    params(("id" = String, Path)), responses((status = 200, body = SecurityPlan), (status = 404, body = ProblemBody)))]
async fn get_plan(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<SecurityPlan>> {
    Ok(Json(s.app.get_security_plan(&auth.principal, &id).await?))
}

/// The bureau changes a plan; what was due follows from the plan as it now is.
#[utoipa::path(put, path = "/security-plans/{id}", tag = "security_plans", operation_id = "security_plans_update",
    params(("id" = String, Path)), request_body = SecurityPlanInput,
    responses((status = 200, body = SecurityPlan), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update_plan(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<SecurityPlanInput>,
) -> ApiResult<Json<SecurityPlan>> {
    Ok(Json(s.app.update_security_plan(&auth.principal, &id, input).await?))
}

#[utoipa::path(delete, path = "/security-plans/{id}", tag = "security_plans", operation_id = "security_plans_delete",
    params(("id" = String, Path)), responses((status = 204), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn delete_plan(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_security_plan(&auth.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TaskParams {
    system_id: Option<String>,
    /// scan, web_scan, pentest, baseline, risk_assessment
    #[param(value_type = Option<String>)]
    kind: Option<SecTaskKind>,
    /// done, open, missed
    #[param(value_type = Option<String>)]
    status: Option<SecTaskStatus>,
    /// First day (YYYY-MM-DD); the first of this year by default.
    #[param(value_type = Option<String>)]
    from: Option<Day>,
    /// Last day; today by default, at most 400 days after `from`.
    #[param(value_type = Option<String>)]
    to: Option<Day>,
}
crate::query::as_decoded!(TaskParams);

/// The periods of the active plans overlapping `from..=to`: each runs from one occurrence to the
/// day before the next and is done when a report of its kind was recorded within it.
#[utoipa::path(get, path = "/security-tasks", tag = "security_plans", operation_id = "security_tasks",
    params(TaskParams), responses((status = 200, body = Vec<SecurityTask>), (status = 400, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn tasks(
    State(s): State<AppState>,
    auth: Auth,
    Query(q): Query<TaskParams>,
) -> ApiResult<Json<Vec<SecurityTask>>> {
    let f = SecurityTaskFilter {
        system_id: q.system_id,
        kind: q.kind,
        status: q.status,
        from: q.from.map(|d| d.0),
        to: q.to.map(|d| d.0),
    };
    Ok(Json(s.app.security_tasks(&auth.principal, &f).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RecordParams {
    system_id: Option<String>,
    /// scan, web_scan, pentest, baseline, risk_assessment
    #[param(value_type = Option<String>)]
    kind: Option<SecTaskKind>,
    /// Performed on or after (YYYY-MM-DD).
    #[param(value_type = Option<String>)]
    from: Option<Day>,
    /// Performed on or before.
    #[param(value_type = Option<String>)]
    to: Option<Day>,
    /// true: void records too.
    with_void: Option<bool>,
}

impl ListFilter for RecordParams {
    const SORT_KEYS: &'static [&'static str] = &[];
    type Filter = SecurityRecordFilter;

    fn check(self) -> Result<SecurityRecordFilter, Vec<FieldError>> {
        crate::query::ordered(self.from.as_ref().map(|d| &d.0), self.to.as_ref().map(|d| &d.0))?;
        Ok(SecurityRecordFilter {
            system_id: self.system_id,
            kind: self.kind,
            from: self.from.map(|d| d.0),
            to: self.to.map(|d| d.0),
            with_void: self.with_void.unwrap_or(false),
        })
    }
}

/// The security work recorded on the systems the caller may see, newest first.
#[utoipa::path(get, path = "/security-records", tag = "security_plans", operation_id = "security_records_list",
    params(Listed<RecordParams>), responses((status = 200, body = Page<SecurityRecord>), (status = 400, body = ProblemBody)))]
async fn list_records(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<RecordParams>>,
) -> ApiResult<Json<Page<SecurityRecord>>> {
    Ok(Json(s.app.list_security_records(&auth.principal, &q, &f).await?))
}

/// What a record is sent as: its report in `file` and the fields of [`SecurityRecordInput`].
#[derive(ToSchema)]
#[allow(dead_code)]
struct RecordForm {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    system_id: String,
    /// scan, web_scan, pentest, baseline, risk_assessment
    kind: String,
    /// YYYY-MM-DD
    performed_on: String,
    summary: String,
    import_id: Option<String>,
}

/// Vendor staff (or the bureau) record security work done, with its report; the report is kept
/// as uploaded with its SHA-256 and the record is never edited.
#[utoipa::path(post, path = "/security-records", tag = "security_plans", operation_id = "security_records_create",
    request_body(content = RecordForm, content_type = "multipart/form-data"),
    responses((status = 201, body = SecurityRecord), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn create_record(
    State(s): State<AppState>,
    auth: Auth,
    req: Request,
) -> ApiResult<(StatusCode, Json<SecurityRecord>)> {
    app::security_plans::may_record_security_work(&auth.principal)?;
    let f = MultipartFile::read(req, &s).await?;
    let field = |n: &str| f.fields.get(n).cloned();
    let input = SecurityRecordInput {
        system_id: field("system_id"),
        kind: field("kind"),
        performed_on: field("performed_on"),
        summary: field("summary"),
        import_id: field("import_id"),
    };
    let file = Upload { name: f.file_name, bytes: f.bytes };
    Ok((StatusCode::CREATED, Json(s.app.create_security_record(&auth.principal, input, file).await?)))
}

#[utoipa::path(get, path = "/security-records/{id}", tag = "security_plans", operation_id = "security_records_get",
    params(("id" = String, Path)), responses((status = 200, body = SecurityRecord), (status = 404, body = ProblemBody)))]
async fn get_record(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<SecurityRecord>> {
    Ok(Json(s.app.get_security_record(&auth.principal, &id).await?))
}

/// The report as uploaded.
#[utoipa::path(get, path = "/security-records/{id}/file", tag = "security_plans", operation_id = "security_records_file",
    params(("id" = String, Path)), responses((status = 200, body = Vec<u8>), (status = 404, body = ProblemBody)))]
async fn record_file(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Response> {
    let (r, bytes) = s.app.security_record_file(&auth.principal, &id).await?;
    Ok(MultipartFile::response(&r.file_name, &r.content_type, bytes))
}

/// The bureau voids a record (wrong system, not a report) with a reason; it then counts for
/// nothing and stays for the audit.
#[utoipa::path(post, path = "/security-records/{id}/void", tag = "security_plans", operation_id = "security_records_void",
    params(("id" = String, Path)), request_body = VoidInput,
    responses((status = 200, body = SecurityRecord), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn void_record(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<VoidInput>,
) -> ApiResult<Json<SecurityRecord>> {
    Ok(Json(s.app.void_security_record(&auth.principal, &id, input).await?))
}
