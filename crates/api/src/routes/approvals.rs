//! `/approvals`: the inbox of requests awaiting a decision, their decision, and the bureau's
//! setting of which kinds units may decide.

use app::approvals::ApprovalFilter;
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::FieldError;
use domain::approvals::{
    Approval, ApprovalFile, ApprovalKind, ApprovalSettings, ApprovalStatus, Decision, DecisionInput, Delegation,
    DelegationInput,
};
use domain::list::Page;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody, MultipartFile};
use crate::query::{ListFilter, Listed, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(get))
        .routes(routes!(approve))
        .routes(routes!(reject))
        .routes(routes!(withdraw))
        .routes(routes!(send_back))
        .routes(routes!(delegations, delegate))
        .routes(routes!(revoke))
        .routes(routes!(files, upload))
        .routes(routes!(download))
        .routes(routes!(settings, put_settings))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ApprovalParams {
    /// pending, approved, rejected, withdrawn
    #[param(value_type = Option<String>)]
    status: Option<ApprovalStatus>,
    /// maintenance_window, monitor_update, monitor_delete, plan_update, plan_delete, ticket_pause, ticket_outage, assessment_appeal
    #[param(value_type = Option<String>)]
    kind: Option<ApprovalKind>,
    system_id: Option<String>,
    /// The monitor, plan or ticket the requests are about.
    subject_id: Option<String>,
    /// `true`: those waiting for the caller's decision (for vendor staff: those they asked).
    mine: Option<bool>,
}

impl ListFilter for ApprovalParams {
    const SORT_KEYS: &'static [&'static str] = domain::approvals::SORT_KEYS;
    /// The filter, and whether only the caller's inbox.
    type Filter = (ApprovalFilter, bool);

    fn check(self) -> Result<Self::Filter, Vec<FieldError>> {
        let f = ApprovalFilter {
            status: self.status,
            kind: self.kind,
            system_id: self.system_id,
            subject_id: self.subject_id,
            ..Default::default()
        };
        Ok((f, self.mine.unwrap_or(false)))
    }
}

/// Requests the caller may see, newest first.
#[utoipa::path(get, path = "/approvals", tag = "approvals", operation_id = "approvals_list",
    params(Listed<ApprovalParams>), responses((status = 200, body = Page<Approval>), (status = 400, body = ProblemBody)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<ApprovalParams>>,
) -> ApiResult<Json<Page<Approval>>> {
    let (f, mine) = f;
    Ok(Json(s.app.list_approvals(&auth.principal, &q, f, mine).await?))
}

#[utoipa::path(get, path = "/approvals/{id}", tag = "approvals", operation_id = "approvals_get",
    params(("id" = String, Path)), responses((status = 200, body = Approval), (status = 404, body = ProblemBody)))]
async fn get(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Approval>> {
    Ok(Json(s.app.get_approval(&auth.principal, &id).await?))
}

/// Approves and carries out the request (the bureau; the unit concerned for the kinds the bureau
/// opened to units). 409 when it was already decided, or when its subject changed since.
#[utoipa::path(post, path = "/approvals/{id}/approve", tag = "approvals", operation_id = "approvals_approve",
    params(("id" = String, Path)), request_body = DecisionInput,
    responses((status = 200, body = Approval), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn approve(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<DecisionInput>,
) -> ApiResult<Json<Approval>> {
    Ok(Json(s.app.decide_approval(&auth.principal, &id, Decision::Approve, input).await?))
}

/// Rejects the request; the comment saying why is required.
#[utoipa::path(post, path = "/approvals/{id}/reject", tag = "approvals", operation_id = "approvals_reject",
    params(("id" = String, Path)), request_body = DecisionInput,
    responses((status = 200, body = Approval), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn reject(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<DecisionInput>,
) -> ApiResult<Json<Approval>> {
    Ok(Json(s.app.decide_approval(&auth.principal, &id, Decision::Reject, input).await?))
}

/// Returns the request to the requester to amend and ask again (a change); the comment saying
/// what to amend is required.
#[utoipa::path(post, path = "/approvals/{id}/return", tag = "approvals", operation_id = "approvals_return",
    params(("id" = String, Path)), request_body = DecisionInput,
    responses((status = 200, body = Approval), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn send_back(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<DecisionInput>,
) -> ApiResult<Json<Approval>> {
    Ok(Json(s.app.decide_approval(&auth.principal, &id, Decision::Return, input).await?))
}

/// The caller's delegations given and received, not yet over (the bureau sees everyone's).
#[utoipa::path(get, path = "/approval-delegations", tag = "approvals", operation_id = "approvals_delegations",
    responses((status = 200, body = Vec<Delegation>)))]
async fn delegations(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<Delegation>>> {
    Ok(Json(s.app.list_delegations(&auth.principal).await?))
}

/// A decider hands their decisions to a colleague of the same role while away.
#[utoipa::path(post, path = "/approval-delegations", tag = "approvals", operation_id = "approvals_delegate",
    request_body = DelegationInput,
    responses((status = 201, body = Delegation), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn delegate(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<DelegationInput>,
) -> ApiResult<(StatusCode, Json<Delegation>)> {
    Ok((StatusCode::CREATED, Json(s.app.add_delegation(&auth.principal, input).await?)))
}

/// Ends a delegation now (the one who gave it, or the bureau).
#[utoipa::path(delete, path = "/approval-delegations/{id}", tag = "approvals", operation_id = "approvals_revoke_delegation",
    params(("id" = String, Path)),
    responses((status = 200, body = Delegation), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn revoke(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Delegation>> {
    Ok(Json(s.app.revoke_delegation(&auth.principal, &id).await?))
}

/// The requester takes a pending request back.
#[utoipa::path(post, path = "/approvals/{id}/withdraw", tag = "approvals", operation_id = "approvals_withdraw",
    params(("id" = String, Path)),
    responses((status = 200, body = Approval), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn withdraw(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Approval>> {
    Ok(Json(s.app.withdraw_approval(&auth.principal, &id).await?))
}

/// Which kinds of request units may decide for their own systems and tickets.
#[utoipa::path(get, path = "/approval-settings", tag = "approvals", operation_id = "approvals_settings",
    responses((status = 200, body = ApprovalSettings)))]
async fn settings(State(s): State<AppState>, _auth: Auth) -> ApiResult<Json<ApprovalSettings>> {
    Ok(Json(s.app.approval_settings().await?))
}

/// Sets them (the bureau).
#[utoipa::path(put, path = "/approval-settings", tag = "approvals", operation_id = "approvals_put_settings",
    request_body = ApprovalSettings, responses((status = 200, body = ApprovalSettings), (status = 403, body = ProblemBody)))]
async fn put_settings(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<ApprovalSettings>,
) -> ApiResult<Json<ApprovalSettings>> {
    Ok(Json(s.app.set_approval_settings(&auth.principal, input).await?))
}

/// A multipart upload: `file`.
#[derive(ToSchema)]
#[allow(dead_code)]
struct FileForm {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The files given with a request, oldest first; whoever sees the request sees them.
#[utoipa::path(get, path = "/approvals/{id}/files", tag = "approvals", operation_id = "approvals_files",
    params(("id" = String, Path)), responses((status = 200, body = Vec<ApprovalFile>), (status = 404, body = ProblemBody)))]
async fn files(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Vec<ApprovalFile>>> {
    Ok(Json(s.app.approval_files(&auth.principal, &id).await?))
}

/// Adds evidence to a pending request of the caller's (at most 10 files of 10 MB; the type is
/// read from the file's bytes). 409 once the request is decided or withdrawn.
#[utoipa::path(post, path = "/approvals/{id}/files", tag = "approvals", operation_id = "approvals_upload",
    params(("id" = String, Path)), request_body(content = FileForm, content_type = "multipart/form-data"),
    responses((status = 201, body = ApprovalFile), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody),
        (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn upload(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    req: Request,
) -> ApiResult<(StatusCode, Json<ApprovalFile>)> {
    let f = MultipartFile::read(req, &s).await?;
    Ok((StatusCode::CREATED, Json(s.app.add_approval_file(&auth.principal, &id, &f.file_name, f.bytes).await?)))
}

/// Downloads a request's file; images are shown inline, everything else downloads.
#[utoipa::path(get, path = "/approvals/{id}/files/{file_id}", tag = "approvals", operation_id = "approvals_download",
    params(("id" = String, Path), ("file_id" = String, Path)),
    responses((status = 200, body = Vec<u8>), (status = 404, body = ProblemBody)))]
async fn download(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, fid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (f, bytes) = s.app.approval_file(&auth.principal, &id, &fid).await?;
    Ok(MultipartFile::response(&f.file_name, &f.content_type, bytes))
}
