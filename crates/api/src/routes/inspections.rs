//! `/inspection-templates`, `/inspection-plans`, `/inspection-tasks`, `/inspection-records`.

use app::inspections::{PhotoUpload, PlanFilter, RecordFilter, TaskFilter};
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
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

use super::ListParams;
use crate::error::{ApiResult, ProblemBody, wants_english};
use crate::extract::{Auth, JsonBody, MultipartFile, Params, check};
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
#[allow(dead_code)]
struct TemplateParams {
    /// application, database, server, network, security, video_conference, machine_room, website, other
    kind: Option<String>,
}

/// Checklist templates: the built-in ones drawn from the seeds first, then the bureau's.
#[utoipa::path(get, path = "/inspection-templates", tag = "inspections", operation_id = "inspection_templates_list",
    params(ListParams, TemplateParams), responses((status = 200, body = Page<Template>), (status = 400, body = ProblemBody)))]
async fn list_templates(State(s): State<AppState>, auth: Auth, params: Params) -> ApiResult<Json<Page<Template>>> {
    let mut errors = Vec::new();
    let q = params.list(domain::inspections::template::SORT_KEYS, &mut errors);
    let kind = params.text("kind").and_then(|k| {
        let parsed = TemplateKind::parse(&k);
        if parsed.is_none() {
            errors.push(FieldError::new("kind", format!("可选值：{}", TemplateKind::choices()), "unknown kind"));
        }
        parsed
    });
    check(errors)?;
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
#[allow(dead_code)]
struct PlanParams {
    system_id: Option<String>,
    template_id: Option<String>,
    active: Option<bool>,
}

/// Inspection plans of the systems the caller may see.
#[utoipa::path(get, path = "/inspection-plans", tag = "inspections", operation_id = "inspection_plans_list",
    params(ListParams, PlanParams), responses((status = 200, body = Page<Plan>), (status = 400, body = ProblemBody)))]
async fn list_plans(State(s): State<AppState>, auth: Auth, params: Params) -> ApiResult<Json<Page<Plan>>> {
    let mut errors = Vec::new();
    let q = params.list(domain::inspections::plan::PLAN_SORT_KEYS, &mut errors);
    let f = PlanFilter {
        system_id: params.text("system_id"),
        template_id: params.text("template_id"),
        active: params.flag("active", &mut errors),
    };
    check(errors)?;
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
    params(("id" = String, Path), ("reason" = Option<String>, Query, description = "Why (a request to the bureau)")),
    responses((status = 204), (status = 202, body = domain::approvals::Approval), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn delete_plan(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<axum::response::Response> {
    let reason = params.text("reason");
    Ok(super::applied_removal(s.app.delete_inspection_plan(&auth.principal, &id, reason.as_deref()).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct TaskParams {
    plan_id: Option<String>,
    system_id: Option<String>,
    assignee_id: Option<String>,
    /// pending, overdue, done
    status: Option<String>,
    /// First day (YYYY-MM-DD), inclusive.
    from: Option<String>,
    /// Last day, inclusive.
    to: Option<String>,
}

/// Generated tasks by day (`scheduled_for`), oldest first unless `order=desc`.
#[utoipa::path(get, path = "/inspection-tasks", tag = "inspections", operation_id = "inspection_tasks_list",
    params(ListParams, TaskParams), responses((status = 200, body = Page<Task>), (status = 400, body = ProblemBody)))]
async fn list_tasks(State(s): State<AppState>, auth: Auth, params: Params) -> ApiResult<Json<Page<Task>>> {
    let mut errors = Vec::new();
    let mut q = params.list(domain::inspections::plan::TASK_SORT_KEYS, &mut errors);
    if params.text("order").is_none() {
        q.order = domain::list::Order::Asc;
    }
    let status = params.text("status").and_then(|v| match v.as_str() {
        "pending" => Some(TaskStatus::Pending),
        "overdue" => Some(TaskStatus::Overdue),
        "done" => Some(TaskStatus::Done),
        _ => {
            errors.push(FieldError::new("status", "可选值：pending、overdue、done", "one of: pending, overdue, done"));
            None
        }
    });
    let f = TaskFilter {
        plan_id: params.text("plan_id"),
        system_id: params.text("system_id"),
        assignee_id: params.text("assignee_id"),
        status,
        from: params.date("from", &mut errors),
        to: params.date("to", &mut errors),
    };
    check(errors)?;
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
    headers: HeaderMap,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<RecordInput>,
) -> ApiResult<(StatusCode, Json<Record>)> {
    let r = s.app.record_inspection(&auth.principal, &id, input, wants_english(&headers)).await?;
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
#[allow(dead_code)]
struct RecordParams {
    system_id: Option<String>,
    plan_id: Option<String>,
    /// true: records with an abnormal result.
    abnormal: Option<bool>,
    /// First inspection day (YYYY-MM-DD).
    from: Option<String>,
    to: Option<String>,
}

/// Inspection records with their results (巡检记录表), newest first.
#[utoipa::path(get, path = "/inspection-records", tag = "inspections", operation_id = "inspection_records_list",
    params(ListParams, RecordParams), responses((status = 200, body = Page<Record>), (status = 400, body = ProblemBody)))]
async fn list_records(State(s): State<AppState>, auth: Auth, params: Params) -> ApiResult<Json<Page<Record>>> {
    let mut errors = Vec::new();
    let q = params.list(domain::inspections::record::SORT_KEYS, &mut errors);
    let f = RecordFilter {
        system_id: params.text("system_id"),
        plan_id: params.text("plan_id"),
        abnormal: params.flag("abnormal", &mut errors),
        from: params.date("from", &mut errors),
        to: params.date("to", &mut errors),
    };
    check(errors)?;
    Ok(Json(s.app.list_inspection_records(&auth.principal, &q, &f).await?))
}

#[utoipa::path(get, path = "/inspection-records/{id}", tag = "inspections", operation_id = "inspection_records_get",
    params(("id" = String, Path)), responses((status = 200, body = Record), (status = 404, body = ProblemBody)))]
async fn get_record(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Record>> {
    Ok(Json(s.app.get_inspection_record(&auth.principal, &id).await?))
}
