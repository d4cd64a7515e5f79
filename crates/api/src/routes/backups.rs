//! `/backup-policies`, `/backup-tasks`, `/backup-runs`, `/restore-drills`: the bureau's backup
//! policies, the periods they are due in, the runs recorded against them (a tool pushes its
//! runs to `/intake/backup-runs`), and restore drills with their reports.

use app::files::Upload;
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::FieldError;
use domain::backups::{
    BackupObject, BackupPolicy, BackupPolicyFilter, BackupPolicyInput, BackupRun, BackupRunFilter, BackupRunInput,
    BackupTask, BackupTaskFilter, BackupTaskKind, BackupTaskStatus, RestoreDrill, RestoreDrillFilter,
    RestoreDrillInput, RunResult,
};
use domain::list::Page;
use domain::void::VoidInput;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ImportReportBody;
use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody, MultipartFile};
use crate::query::{Day, ListFilter, Listed, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_policies, create_policy))
        .routes(routes!(get_policy, update_policy, delete_policy))
        .routes(routes!(tasks))
        .routes(routes!(list_runs, create_run))
        .routes(routes!(import_runs))
        .routes(routes!(get_run))
        .routes(routes!(void_run))
        .routes(routes!(list_drills, create_drill))
        .routes(routes!(get_drill))
        .routes(routes!(drill_file))
        .routes(routes!(void_drill))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PolicyParams {
    system_id: Option<String>,
    /// database, files, configuration, vm
    #[param(value_type = Option<String>)]
    object: Option<BackupObject>,
    active: Option<bool>,
}

impl ListFilter for PolicyParams {
    const SORT_KEYS: &'static [&'static str] = &[];
    type Filter = BackupPolicyFilter;

    fn check(self) -> Result<BackupPolicyFilter, Vec<FieldError>> {
        Ok(BackupPolicyFilter { system_id: self.system_id, object: self.object, active: self.active })
    }
}

/// The backup policies the caller may see, each with its last success, whether the last
/// period that ended was missed, and the period running today.
#[utoipa::path(get, path = "/backup-policies", tag = "backups", operation_id = "backup_policies_list",
    params(Listed<PolicyParams>), responses((status = 200, body = Page<BackupPolicy>), (status = 400, body = ProblemBody)))]
async fn list_policies(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<PolicyParams>>,
) -> ApiResult<Json<Page<BackupPolicy>>> {
    Ok(Json(s.app.list_backup_policies(&auth.principal, &q, &f).await?))
}

/// The bureau sets a backup policy for a system.
#[utoipa::path(post, path = "/backup-policies", tag = "backups", operation_id = "backup_policies_create",
    request_body = BackupPolicyInput,
    responses((status = 201, body = BackupPolicy), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn create_policy(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<BackupPolicyInput>,
) -> ApiResult<(StatusCode, Json<BackupPolicy>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_backup_policy(&auth.principal, input).await?)))
}

#[utoipa::path(get, path = "/backup-policies/{id}", tag = "backups", operation_id = "backup_policies_get",
    params(("id" = String, Path)), responses((status = 200, body = BackupPolicy), (status = 404, body = ProblemBody)))]
async fn get_policy(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<BackupPolicy>> {
    Ok(Json(s.app.get_backup_policy(&auth.principal, &id).await?))
}

/// The bureau changes a policy (not its system); what was due follows from it as it now is.
#[utoipa::path(put, path = "/backup-policies/{id}", tag = "backups", operation_id = "backup_policies_update",
    params(("id" = String, Path)), request_body = BackupPolicyInput,
    responses((status = 200, body = BackupPolicy), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update_policy(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<BackupPolicyInput>,
) -> ApiResult<Json<BackupPolicy>> {
    Ok(Json(s.app.update_backup_policy(&auth.principal, &id, input).await?))
}

/// A policy with runs or drills is kept (409): give it an end date instead.
#[utoipa::path(delete, path = "/backup-policies/{id}", tag = "backups", operation_id = "backup_policies_delete",
    params(("id" = String, Path)), responses((status = 204), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn delete_policy(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_backup_policy(&auth.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TaskParams {
    system_id: Option<String>,
    policy_id: Option<String>,
    /// run, drill
    #[param(value_type = Option<String>)]
    kind: Option<BackupTaskKind>,
    /// done, open, missed
    #[param(value_type = Option<String>)]
    status: Option<BackupTaskStatus>,
    /// First day (YYYY-MM-DD); the first of this year by default.
    #[param(value_type = Option<String>)]
    from: Option<Day>,
    /// Last day; today by default, at most 400 days after `from`.
    #[param(value_type = Option<String>)]
    to: Option<Day>,
}
crate::query::as_decoded!(TaskParams);

/// The periods of the active policies overlapping `from..=to`: runs due (done by a successful
/// run started within the period, on the bureau's day) and restore drills due.
#[utoipa::path(get, path = "/backup-tasks", tag = "backups", operation_id = "backup_tasks",
    params(TaskParams), responses((status = 200, body = Vec<BackupTask>), (status = 400, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn tasks(State(s): State<AppState>, auth: Auth, Query(q): Query<TaskParams>) -> ApiResult<Json<Vec<BackupTask>>> {
    let f = BackupTaskFilter {
        system_id: q.system_id,
        policy_id: q.policy_id,
        kind: q.kind,
        status: q.status,
        from: q.from.map(|d| d.0),
        to: q.to.map(|d| d.0),
    };
    Ok(Json(s.app.backup_tasks(&auth.principal, &f).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RunParams {
    policy_id: Option<String>,
    system_id: Option<String>,
    /// success, failed
    #[param(value_type = Option<String>)]
    result: Option<RunResult>,
    /// Started on or after this bureau day (YYYY-MM-DD).
    #[param(value_type = Option<String>)]
    from: Option<Day>,
    /// Started on or before this bureau day.
    #[param(value_type = Option<String>)]
    to: Option<Day>,
    /// true: void runs too.
    with_void: Option<bool>,
}

impl ListFilter for RunParams {
    const SORT_KEYS: &'static [&'static str] = &[];
    type Filter = BackupRunFilter;

    fn check(self) -> Result<BackupRunFilter, Vec<FieldError>> {
        crate::query::ordered(self.from.as_ref().map(|d| &d.0), self.to.as_ref().map(|d| &d.0))?;
        Ok(BackupRunFilter {
            policy_id: self.policy_id,
            system_id: self.system_id,
            result: self.result,
            from: self.from.map(|d| d.0),
            to: self.to.map(|d| d.0),
            with_void: self.with_void.unwrap_or(false),
        })
    }
}

/// The runs on the systems the caller may see, newest first.
#[utoipa::path(get, path = "/backup-runs", tag = "backups", operation_id = "backup_runs_list",
    params(Listed<RunParams>), responses((status = 200, body = Page<BackupRun>), (status = 400, body = ProblemBody)))]
async fn list_runs(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<RunParams>>,
) -> ApiResult<Json<Page<BackupRun>>> {
    Ok(Json(s.app.list_backup_runs(&auth.principal, &q, &f).await?))
}

/// Vendor staff (or the bureau) record a run by hand. Vendor staff record runs of the last 31
/// days and never a success into a period that has ended.
#[utoipa::path(post, path = "/backup-runs", tag = "backups", operation_id = "backup_runs_create",
    request_body = BackupRunInput,
    responses((status = 201, body = BackupRun), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn create_run(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<BackupRunInput>,
) -> ApiResult<(StatusCode, Json<BackupRun>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_backup_run(&auth.principal, input).await?)))
}

/// Imports runs from xlsx (multipart field `file`): columns 策略编号 (or 系统名称 and 策略名称),
/// 开始时间, 结束时间, 结果 (成功/失败), 大小（字节）, 存放位置, 备份工具, 说明. Either every row
/// is imported or none; errors name the row and column. The role is checked before the file is
/// read.
#[utoipa::path(post, path = "/backup-runs/import", tag = "backups", operation_id = "backup_runs_import",
    request_body(content = Vec<u8>, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportReportBody), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn import_runs(State(s): State<AppState>, auth: Auth, req: Request) -> ApiResult<Json<ImportReportBody>> {
    app::backups::may_record_backups(&auth.principal)?;
    let f = MultipartFile::read(req, &s).await?;
    Ok(Json(s.app.import_backup_runs(&auth.principal, &f.bytes).await?.into()))
}

#[utoipa::path(get, path = "/backup-runs/{id}", tag = "backups", operation_id = "backup_runs_get",
    params(("id" = String, Path)), responses((status = 200, body = BackupRun), (status = 404, body = ProblemBody)))]
async fn get_run(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<BackupRun>> {
    Ok(Json(s.app.get_backup_run(&auth.principal, &id).await?))
}

/// The bureau voids a run (a wrong policy, a test entry) with a reason; it then counts for
/// nothing and stays for the audit.
#[utoipa::path(post, path = "/backup-runs/{id}/void", tag = "backups", operation_id = "backup_runs_void",
    params(("id" = String, Path)), request_body = VoidInput,
    responses((status = 200, body = BackupRun), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn void_run(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<VoidInput>,
) -> ApiResult<Json<BackupRun>> {
    Ok(Json(s.app.void_backup_run(&auth.principal, &id, input).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DrillParams {
    policy_id: Option<String>,
    system_id: Option<String>,
    /// Performed on or after (YYYY-MM-DD).
    #[param(value_type = Option<String>)]
    from: Option<Day>,
    /// Performed on or before.
    #[param(value_type = Option<String>)]
    to: Option<Day>,
    /// true: void drills too.
    with_void: Option<bool>,
}

impl ListFilter for DrillParams {
    const SORT_KEYS: &'static [&'static str] = &[];
    type Filter = RestoreDrillFilter;

    fn check(self) -> Result<RestoreDrillFilter, Vec<FieldError>> {
        crate::query::ordered(self.from.as_ref().map(|d| &d.0), self.to.as_ref().map(|d| &d.0))?;
        Ok(RestoreDrillFilter {
            policy_id: self.policy_id,
            system_id: self.system_id,
            from: self.from.map(|d| d.0),
            to: self.to.map(|d| d.0),
            with_void: self.with_void.unwrap_or(false),
        })
    }
}

/// Restore drills on the systems the caller may see, newest first.
#[utoipa::path(get, path = "/restore-drills", tag = "backups", operation_id = "restore_drills_list",
    params(Listed<DrillParams>), responses((status = 200, body = Page<RestoreDrill>), (status = 400, body = ProblemBody)))]
async fn list_drills(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<DrillParams>>,
) -> ApiResult<Json<Page<RestoreDrill>>> {
    Ok(Json(s.app.list_restore_drills(&auth.principal, &q, &f).await?))
}

/// What a drill is sent as: its report in `file` and the fields of [`RestoreDrillInput`].
#[derive(ToSchema)]
#[allow(dead_code)]
struct DrillForm {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    policy_id: String,
    /// YYYY-MM-DD
    performed_on: String,
    /// true or false
    restored: String,
    restore_minutes: String,
    data_loss_minutes: String,
    summary: String,
}

/// Vendor staff (or the bureau) record a restore drill with its report; the verdict is read
/// against the policy's RTO and RPO, kept with the drill.
#[utoipa::path(post, path = "/restore-drills", tag = "backups", operation_id = "restore_drills_create",
    request_body(content = DrillForm, content_type = "multipart/form-data"),
    responses((status = 201, body = RestoreDrill), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn create_drill(
    State(s): State<AppState>,
    auth: Auth,
    req: Request,
) -> ApiResult<(StatusCode, Json<RestoreDrill>)> {
    app::backups::may_record_backups(&auth.principal)?;
    let f = MultipartFile::read(req, &s).await?;
    let field = |n: &str| f.fields.get(n).cloned();
    let mut bad = Vec::new();
    let mut number = |n: &str| match field(n).map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => {
            v.parse::<i64>().map_err(|_| bad.push(FieldError::new(n, "应为整数", "must be a whole number"))).ok()
        }
    };
    let restore_minutes = number("restore_minutes");
    let data_loss_minutes = number("data_loss_minutes");
    let restored = match field("restored").as_deref().map(str::trim) {
        None | Some("") => None,
        Some("true" | "1" | "是") => Some(true),
        Some("false" | "0" | "否") => Some(false),
        Some(_) => {
            bad.push(FieldError::new("restored", "应为 true 或 false", "must be true or false"));
            None
        }
    };
    if !bad.is_empty() {
        return Err(app::AppError::Validation(bad).into());
    }
    let input = RestoreDrillInput {
        policy_id: field("policy_id"),
        performed_on: field("performed_on"),
        restored,
        restore_minutes,
        data_loss_minutes,
        summary: field("summary"),
    };
    let file = Upload { name: f.file_name, bytes: f.bytes };
    Ok((StatusCode::CREATED, Json(s.app.create_restore_drill(&auth.principal, input, file).await?)))
}

#[utoipa::path(get, path = "/restore-drills/{id}", tag = "backups", operation_id = "restore_drills_get",
    params(("id" = String, Path)), responses((status = 200, body = RestoreDrill), (status = 404, body = ProblemBody)))]
async fn get_drill(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<RestoreDrill>> {
    Ok(Json(s.app.get_restore_drill(&auth.principal, &id).await?))
}

/// The drill report as uploaded.
#[utoipa::path(get, path = "/restore-drills/{id}/file", tag = "backups", operation_id = "restore_drills_file",
    params(("id" = String, Path)), responses((status = 200, body = Vec<u8>), (status = 404, body = ProblemBody)))]
async fn drill_file(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Response> {
    let (d, bytes) = s.app.restore_drill_file(&auth.principal, &id).await?;
    Ok(MultipartFile::response(&d.file_name, &d.content_type, bytes))
}

/// The bureau voids a drill with a reason.
#[utoipa::path(post, path = "/restore-drills/{id}/void", tag = "backups", operation_id = "restore_drills_void",
    params(("id" = String, Path)), request_body = VoidInput,
    responses((status = 200, body = RestoreDrill), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn void_drill(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<VoidInput>,
) -> ApiResult<Json<RestoreDrill>> {
    Ok(Json(s.app.void_restore_drill(&auth.principal, &id, input).await?))
}
