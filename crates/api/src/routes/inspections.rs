//! `/inspection-templates`, `/inspection-plans`, `/inspection-tasks`, `/inspection-records`.

use app::inspections::{PhotoUpload, PlanFilter, RecordFilter, TaskFilter};
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::FieldError;
use domain::inspections::plan::{Plan, PlanInput, Task, TaskStatus};
use domain::inspections::record::{Photo, Record, RecordInput};
use domain::inspections::template::{Template, TemplateInput, TemplateKind};
use domain::list::Page;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ReasonParams;
use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody, MultipartFile};
use crate::query::{Day, ListFilter, Listed, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_templates, create_template))
        .routes(routes!(get_template, update_template, delete_template))
        .routes(routes!(list_plans, create_plan))
        .routes(routes!(get_plan, update_plan, delete_plan))
        .routes(routes!(list_tasks))
        .routes(routes!(get_task))
        .routes(routes!(record))
        .routes(routes!(list_photos, upload_photo))
        .routes(routes!(get_photo, delete_photo))
        .routes(routes!(list_records))
        .routes(routes!(get_record))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TemplateParams {
    /// application, database, server, network, security, video_conference, machine_room, website, other
    #[param(value_type = Option<String>)]
    kind: Option<TemplateKind>,
}

impl ListFilter for TemplateParams {
    const SORT_KEYS: &'static [&'static str] = domain::inspections::template::SORT_KEYS;
    type Filter = Option<TemplateKind>;

    fn check(self) -> Result<Self::Filter, Vec<FieldError>> {
        Ok(self.kind)
    }
}

/// Checklist templates: the built-in ones drawn from the seeds first, then the bureau's.
#[utoipa::path(get, path = "/inspection-templates", tag = "inspections", operation_id = "inspection_templates_list",
    params(Listed<TemplateParams>), responses((status = 200, body = Page<Template>), (status = 400, body = ProblemBody)))]
async fn list_templates(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, kind)): Query<Listed<TemplateParams>>,
) -> ApiResult<Json<Page<Template>>> {
    Ok(Json(s.app.list_inspection_templates(&auth.principal, &q, kind).await?))
}

/// A checklist (administrators). Items: name, result_type (normal_abnormal, number, text,
/// photo), group, method, expected, unit/min/max for numbers, photo_required, source.
#[utoipa::path(post, path = "/inspection-templates", tag = "inspections", operation_id = "inspection_templates_create",
    request_body = TemplateInput, responses((status = 201, body = Template), (status = 422, body = ProblemBody)))]
async fn create_template(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<TemplateInput>,
) -> ApiResult<(StatusCode, Json<Template>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_inspection_template(&auth.principal, input).await?)))
}

#[utoipa::path(get, path = "/inspection-templates/{id}", tag = "inspections", operation_id = "inspection_templates_get",
    params(("id" = String, Path)), responses((status = 200, body = Template), (status = 404, body = ProblemBody)))]
async fn get_template(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Template>> {
    Ok(Json(s.app.get_inspection_template(&auth.principal, &id).await?))
}

/// Replaces a template; items that keep their `id` stay the same item for past records.
#[utoipa::path(put, path = "/inspection-templates/{id}", tag = "inspections", operation_id = "inspection_templates_update",
    params(("id" = String, Path)), request_body = TemplateInput,
    responses((status = 200, body = Template), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update_template(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<TemplateInput>,
) -> ApiResult<Json<Template>> {
    Ok(Json(s.app.update_inspection_template(&auth.principal, &id, input).await?))
}

/// Deletes a template no plan uses (built-in ones: 409).
#[utoipa::path(delete, path = "/inspection-templates/{id}", tag = "inspections", operation_id = "inspection_templates_delete",
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn delete_template(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_inspection_template(&auth.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PlanParams {
    system_id: Option<String>,
    template_id: Option<String>,
    active: Option<bool>,
}

impl ListFilter for PlanParams {
    const SORT_KEYS: &'static [&'static str] = domain::inspections::plan::PLAN_SORT_KEYS;
    type Filter = PlanFilter;

    fn check(self) -> Result<PlanFilter, Vec<FieldError>> {
        Ok(PlanFilter { system_id: self.system_id, template_id: self.template_id, active: self.active })
    }
}

/// Inspection plans of the systems the caller may see.
#[utoipa::path(get, path = "/inspection-plans", tag = "inspections", operation_id = "inspection_plans_list",
    params(Listed<PlanParams>), responses((status = 200, body = Page<Plan>), (status = 400, body = ProblemBody)))]
async fn list_plans(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<PlanParams>>,
) -> ApiResult<Json<Page<Plan>>> {
    Ok(Json(s.app.list_inspection_plans(&auth.principal, &q, &f).await?))
}

/// A plan (administrators, or the manager of a vendor covering the system). Its tasks for the
/// next 30 days exist when this answers.
#[utoipa::path(post, path = "/inspection-plans", tag = "inspections", operation_id = "inspection_plans_create",
    request_body = PlanInput, responses((status = 201, body = Plan), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn create_plan(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<PlanInput>,
) -> ApiResult<(StatusCode, Json<Plan>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_inspection_plan(&auth.principal, input).await?)))
}

#[utoipa::path(get, path = "/inspection-plans/{id}", tag = "inspections", operation_id = "inspection_plans_get",
    params(("id" = String, Path)), responses((status = 200, body = Plan), (status = 404, body = ProblemBody)))]
async fn get_plan(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Plan>> {
    Ok(Json(s.app.get_inspection_plan(&auth.principal, &id).await?))
}

/// Replaces a plan; its open tasks from today on follow the new schedule, done ones stay. The
/// vendor's manager changes the name and assignee at once; a change of what is due is filed for
/// the bureau's approval (202 with the request).
#[utoipa::path(put, path = "/inspection-plans/{id}", tag = "inspections", operation_id = "inspection_plans_update",
    params(("id" = String, Path)), request_body = PlanInput,
    responses((status = 200, body = Plan), (status = 202, body = domain::approvals::Approval), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update_plan(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<PlanInput>,
) -> ApiResult<axum::response::Response> {
    Ok(super::applied(s.app.update_inspection_plan(&auth.principal, &id, input).await?, StatusCode::OK))
}

/// Deletes a plan without records (with records: 409, deactivate it). The vendor's manager asks
/// (202 with the request).
#[utoipa::path(delete, path = "/inspection-plans/{id}", tag = "inspections", operation_id = "inspection_plans_delete",
    params(("id" = String, Path), ReasonParams),
    responses((status = 204), (status = 202, body = domain::approvals::Approval), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn delete_plan(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(p): Query<ReasonParams>,
) -> ApiResult<axum::response::Response> {
    Ok(super::applied_removal(s.app.delete_inspection_plan(&auth.principal, &id, p.reason.as_deref()).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TaskParams {
    plan_id: Option<String>,
    system_id: Option<String>,
    assignee_id: Option<String>,
    /// pending, overdue, done
    #[param(value_type = Option<String>)]
    status: Option<TaskStatus>,
    /// true: not done yet (pending or overdue).
    open: Option<bool>,
    /// true: the caller's own (assigned to them, or to their role with nobody named).
    mine: Option<bool>,
    /// First day (YYYY-MM-DD), inclusive.
    #[param(value_type = Option<String>)]
    from: Option<Day>,
    /// Last day, inclusive.
    #[param(value_type = Option<String>)]
    to: Option<Day>,
}

impl ListFilter for TaskParams {
    const SORT_KEYS: &'static [&'static str] = domain::inspections::plan::TASK_SORT_KEYS;
    type Filter = TaskFilter;

    fn check(self) -> Result<TaskFilter, Vec<FieldError>> {
        crate::query::ordered(self.from.as_ref().map(|d| &d.0), self.to.as_ref().map(|d| &d.0))?;
        Ok(TaskFilter {
            plan_id: self.plan_id,
            system_id: self.system_id,
            assignee_id: self.assignee_id,
            status: self.status,
            open: self.open,
            mine: self.mine.unwrap_or(false),
            person: None,
            from: self.from.map(|d| d.0),
            to: self.to.map(|d| d.0),
        })
    }
}

/// Generated tasks by day (`scheduled_for`), oldest first unless `order=desc`.
#[utoipa::path(get, path = "/inspection-tasks", tag = "inspections", operation_id = "inspection_tasks_list",
    params(Listed<TaskParams>), responses((status = 200, body = Page<Task>), (status = 400, body = ProblemBody)))]
async fn list_tasks(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<TaskParams>>,
) -> ApiResult<Json<Page<Task>>> {
    Ok(Json(s.app.list_inspection_tasks(&auth.principal, &q, &f).await?))
}

#[utoipa::path(get, path = "/inspection-tasks/{id}", tag = "inspections", operation_id = "inspection_tasks_get",
    params(("id" = String, Path)), responses((status = 200, body = Task), (status = 404, body = ProblemBody)))]
async fn get_task(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Task>> {
    Ok(Json(s.app.get_inspection_task(&auth.principal, &id).await?))
}

/// Signs off a task with one result per item. Each abnormal result opens an incident ticket on
/// the system (or links the open one given as `ticket_id`); the record names it.
#[utoipa::path(post, path = "/inspection-tasks/{id}/record", tag = "inspections", operation_id = "inspection_tasks_record",
    params(("id" = String, Path)), request_body = RecordInput,
    responses((status = 201, body = Record), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn record(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<RecordInput>,
) -> ApiResult<(StatusCode, Json<Record>)> {
    let r = s.app.record_inspection(&auth.principal, &id, input).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// A photo upload: `file` (JPEG, PNG, GIF or WebP), and `item_id`, the checklist item it shows.
#[derive(ToSchema)]
#[allow(dead_code)]
struct PhotoForm {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    item_id: Option<String>,
}

/// Adds a photo to a task before it is recorded (items that need a photo count them).
#[utoipa::path(post, path = "/inspection-tasks/{id}/photos", tag = "inspections", operation_id = "inspection_photos_upload",
    params(("id" = String, Path)), request_body(content = PhotoForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Photo), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn upload_photo(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    req: Request,
) -> ApiResult<(StatusCode, Json<Photo>)> {
    let mut f = MultipartFile::read(req, &s).await?;
    let up = PhotoUpload { file_name: f.file_name, bytes: f.bytes, item_id: f.fields.remove("item_id") };
    Ok((StatusCode::CREATED, Json(s.app.add_inspection_photo(&auth.principal, &id, up).await?)))
}

#[utoipa::path(get, path = "/inspection-tasks/{id}/photos", tag = "inspections", operation_id = "inspection_photos_list",
    params(("id" = String, Path)), responses((status = 200, body = Vec<Photo>), (status = 404, body = ProblemBody)))]
async fn list_photos(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Vec<Photo>>> {
    Ok(Json(s.app.inspection_photos(&auth.principal, &id).await?))
}

#[utoipa::path(get, path = "/inspection-tasks/{id}/photos/{photo_id}", tag = "inspections", operation_id = "inspection_photos_get",
    params(("id" = String, Path), ("photo_id" = String, Path)),
    responses((status = 200, body = Vec<u8>), (status = 404, body = ProblemBody)))]
async fn get_photo(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, photo_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (p, bytes) = s.app.inspection_photo(&auth.principal, &id, &photo_id).await?;
    Ok(MultipartFile::response(&p.file_name, &p.content_type, bytes))
}

/// Takes a photo back before the task is recorded.
#[utoipa::path(delete, path = "/inspection-tasks/{id}/photos/{photo_id}", tag = "inspections", operation_id = "inspection_photos_delete",
    params(("id" = String, Path), ("photo_id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn delete_photo(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, photo_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    s.app.delete_inspection_photo(&auth.principal, &id, &photo_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RecordParams {
    system_id: Option<String>,
    plan_id: Option<String>,
    /// true: records with an abnormal result.
    abnormal: Option<bool>,
    /// First inspection day (YYYY-MM-DD).
    #[param(value_type = Option<String>)]
    from: Option<Day>,
    #[param(value_type = Option<String>)]
    to: Option<Day>,
}

impl ListFilter for RecordParams {
    const SORT_KEYS: &'static [&'static str] = domain::inspections::record::SORT_KEYS;
    type Filter = RecordFilter;

    fn check(self) -> Result<RecordFilter, Vec<FieldError>> {
        crate::query::ordered(self.from.as_ref().map(|d| &d.0), self.to.as_ref().map(|d| &d.0))?;
        Ok(RecordFilter {
            system_id: self.system_id,
            plan_id: self.plan_id,
            abnormal: self.abnormal,
            from: self.from.map(|d| d.0),
            to: self.to.map(|d| d.0),
        })
    }
}

/// Inspection records with their results (巡检记录表), newest first.
#[utoipa::path(get, path = "/inspection-records", tag = "inspections", operation_id = "inspection_records_list",
    params(Listed<RecordParams>), responses((status = 200, body = Page<Record>), (status = 400, body = ProblemBody)))]
async fn list_records(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<RecordParams>>,
) -> ApiResult<Json<Page<Record>>> {
    Ok(Json(s.app.list_inspection_records(&auth.principal, &q, &f).await?))
}

#[utoipa::path(get, path = "/inspection-records/{id}", tag = "inspections", operation_id = "inspection_records_get",
    params(("id" = String, Path)), responses((status = 200, body = Record), (status = 404, body = ProblemBody)))]
async fn get_record(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Record>> {
    Ok(Json(s.app.get_inspection_record(&auth.principal, &id).await?))
}
