//! `/tickets`: reporting, the lifecycle, clocks, comments, attachments; `/notifications`.

use app::tickets::TicketFilter;
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::FieldError;
use domain::list::{ListQuery, Page};
use domain::tickets::TicketType;
use domain::tickets::filter::parse_statuses;
use domain::tickets::input::{
    AssignInput, CommentInput, MilestoneInput, OutageInput, RatingInput, TicketInput, TransitionInput,
};
use domain::tickets::view::{Attachment, Comment, Notification, Ticket, TicketDetail};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::xlsx;
use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, ClientLang, JsonBody, MultipartFile};
use crate::query::{ListFilter, Listed, Moment, Query, QueryParams};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(export))
        .routes(routes!(get))
        .routes(routes!(transition))
        .routes(routes!(assign))
        .routes(routes!(milestone))
        .routes(routes!(outage))
        .routes(routes!(rate))
        .routes(routes!(comment))
        .routes(routes!(upload))
        .routes(routes!(download))
        .routes(routes!(notifications))
        .routes(routes!(read_notifications))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TicketParams {
    /// One status or several separated by commas (new, responded, arrived, in_progress, pending,
    /// restored, resolved, closed, reopened), or `open` for all but resolved and closed.
    status: Option<String>,
    system_id: Option<String>,
    unit_id: Option<String>,
    vendor_id: Option<String>,
    /// incident, request, consultation, data_request, access_request
    #[serde(rename = "type")]
    #[param(value_type = Option<String>)]
    kind: Option<TicketType>,
    severity: Option<String>,
    assignee_id: Option<String>,
    /// true: nobody handles it yet.
    unassigned: Option<bool>,
    /// Reported by this user.
    reporter_id: Option<String>,
    /// true: a clock has breached.
    breached: Option<bool>,
    /// true: a running clock has reached its at-risk share (the policy's first escalation step
    /// for the metric, else 80 % of the target) and none has breached.
    at_risk: Option<bool>,
    /// Reported at or after (RFC 3339 or YYYY-MM-DD, the bureau's day).
    #[param(value_type = Option<String>)]
    from: Option<Moment>,
    /// Reported before.
    #[param(value_type = Option<String>)]
    to: Option<Moment>,
}

impl ListFilter for TicketParams {
    const SORT_KEYS: &'static [&'static str] = app::tickets::SORT_KEYS;
    type Filter = TicketFilter;

    fn check(self) -> Result<TicketFilter, Vec<FieldError>> {
        crate::query::ordered(self.from.as_ref().map(|m| &m.at), self.to.as_ref().map(|m| &m.at))?;
        let statuses = match &self.status {
            Some(s) => parse_statuses("status", s).map_err(|e| vec![e])?,
            None => Vec::new(),
        };
        Ok(TicketFilter {
            statuses,
            system_id: self.system_id,
            unit_id: self.unit_id,
            vendor_id: self.vendor_id,
            kind: self.kind,
            severity: self.severity,
            assignee_id: self.assignee_id,
            unassigned: self.unassigned,
            reporter_id: self.reporter_id,
            breached: self.breached,
            at_risk: self.at_risk,
            from: self.from.map(|m| m.at),
            to: self.to.map(|m| m.at),
        })
    }
}

/// Tickets the caller may see: a unit its own, a vendor those of its contracts, the bureau all.
/// Sort keys: reported_at (default), next_due_at, number, updated_at, status, severity.
#[utoipa::path(get, path = "/tickets", tag = "tickets", operation_id = "tickets_list", params(Listed<TicketParams>),
    responses((status = 200, body = Page<Ticket>), (status = 400, body = ProblemBody)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<TicketParams>>,
) -> ApiResult<Json<Page<Ticket>>> {
    Ok(Json(s.app.list_tickets(&auth.principal, &q, &f).await?))
}

/// The (filtered) list as xlsx.
#[utoipa::path(get, path = "/tickets/export.xlsx", tag = "tickets", operation_id = "tickets_export", params(Listed<TicketParams>),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
async fn export(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<TicketParams>>,
) -> ApiResult<Response> {
    let bytes = s.app.export_tickets(&auth.principal, &q, &f).await?;
    Ok(xlsx(&format!("工单-{}.xlsx", super::today()), bytes))
}

/// Reports a problem. The SLA policy comes from the contract item covering the system on the
/// report's date (its newest version, pinned to the ticket); `severity` is a level of it.
#[utoipa::path(post, path = "/tickets", tag = "tickets", operation_id = "tickets_create", request_body = TicketInput,
    responses((status = 201, body = TicketDetail), (status = 422, body = ProblemBody)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    ClientLang(lang): ClientLang,
    JsonBody(input): JsonBody<TicketInput>,
) -> ApiResult<(StatusCode, Json<TicketDetail>)> {
    let t = s.app.create_ticket(&auth.principal, input, lang).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// A ticket with its clocks (each explaining its due time), timeline, comments and files.
#[utoipa::path(get, path = "/tickets/{id}", tag = "tickets", operation_id = "tickets_get", params(("id" = String, Path)),
    responses((status = 200, body = TicketDetail), (status = 404, body = ProblemBody)))]
async fn get(
    State(s): State<AppState>,
    auth: Auth,
    ClientLang(lang): ClientLang,
    Path(id): Path<String>,
) -> ApiResult<Json<TicketDetail>> {
    Ok(Json(s.app.get_ticket(&auth.principal, &id, lang).await?))
}

/// Moves the ticket to another state. A move the lifecycle does not allow answers 409 and names
/// the allowed ones; `at` (a past instant) is for administrators back-filling. Vendor staff
/// pausing the clocks (`pending`) ask: 202 with the request, which the ticket's unit or the bureau
/// approves; the pause then counts from the request.
#[utoipa::path(post, path = "/tickets/{id}/transitions", tag = "tickets", operation_id = "tickets_transition",
    params(("id" = String, Path)), request_body = TransitionInput,
    responses((status = 200, body = TicketDetail), (status = 202, body = domain::approvals::Approval), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn transition(
    State(s): State<AppState>,
    auth: Auth,
    ClientLang(lang): ClientLang,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<TransitionInput>,
) -> ApiResult<axum::response::Response> {
    let done = s.app.transition_ticket(&auth.principal, &id, input, lang).await?;
    Ok(super::applied(done, axum::http::StatusCode::OK))
}

/// Assigns an engineer and/or moves the ticket to support level L1–L4.
#[utoipa::path(post, path = "/tickets/{id}/assign", tag = "tickets", operation_id = "tickets_assign",
    params(("id" = String, Path)), request_body = AssignInput,
    responses((status = 200, body = TicketDetail), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn assign(
    State(s): State<AppState>,
    auth: Auth,
    ClientLang(lang): ClientLang,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<AssignInput>,
) -> ApiResult<Json<TicketDetail>> {
    Ok(Json(s.app.assign_ticket(&auth.principal, &id, input, lang).await?))
}

/// Records a milestone that stops a clock (`plan`, or a custom metric of the policy).
#[utoipa::path(post, path = "/tickets/{id}/milestones", tag = "tickets", operation_id = "tickets_milestone",
    params(("id" = String, Path)), request_body = MilestoneInput,
    responses((status = 200, body = TicketDetail), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn milestone(
    State(s): State<AppState>,
    auth: Auth,
    ClientLang(lang): ClientLang,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<MilestoneInput>,
) -> ApiResult<Json<TicketDetail>> {
    Ok(Json(s.app.ticket_milestone(&auth.principal, &id, input, lang).await?))
}

/// An incident's outage cause and interruption times.
#[utoipa::path(put, path = "/tickets/{id}/outage", tag = "tickets", operation_id = "tickets_outage",
    params(("id" = String, Path)), request_body = OutageInput,
    responses((status = 200, body = TicketDetail), (status = 202, body = domain::approvals::Approval), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn outage(
    State(s): State<AppState>,
    auth: Auth,
    ClientLang(lang): ClientLang,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<OutageInput>,
) -> ApiResult<axum::response::Response> {
    let done = s.app.ticket_outage(&auth.principal, &id, input, lang).await?;
    Ok(super::applied(done, axum::http::StatusCode::OK))
}

/// The reporter's satisfaction, 1–5 with a comment, once the ticket is resolved.
#[utoipa::path(post, path = "/tickets/{id}/rating", tag = "tickets", operation_id = "tickets_rate",
    params(("id" = String, Path)), request_body = RatingInput,
    responses((status = 200, body = TicketDetail), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn rate(
    State(s): State<AppState>,
    auth: Auth,
    ClientLang(lang): ClientLang,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<RatingInput>,
) -> ApiResult<Json<TicketDetail>> {
    Ok(Json(s.app.rate_ticket(&auth.principal, &id, input, lang).await?))
}

/// Adds a comment; `internal` ones are hidden from the reporter's unit.
#[utoipa::path(post, path = "/tickets/{id}/comments", tag = "tickets", operation_id = "tickets_comment",
    params(("id" = String, Path)), request_body = CommentInput,
    responses((status = 201, body = Comment), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn comment(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<CommentInput>,
) -> ApiResult<(StatusCode, Json<Comment>)> {
    Ok((StatusCode::CREATED, Json(s.app.add_comment(&auth.principal, &id, input).await?)))
}

/// A multipart upload: `file`, and `internal` (`true` to hide it from the reporter's unit).
#[derive(ToSchema)]
#[allow(dead_code)]
struct UploadForm {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    internal: Option<bool>,
    /// `arrival` (a photo on arriving) or `resolution` (of the result, on resolving).
    stage: Option<String>,
}

/// Attaches a photo, screenshot, log or document (at most 10 MB; the type is read from the
/// file's bytes).
#[utoipa::path(post, path = "/tickets/{id}/attachments", tag = "tickets", operation_id = "tickets_upload",
    params(("id" = String, Path)), request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Attachment), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn upload(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    req: Request,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    let f = MultipartFile::read(req, &s).await?;
    let internal = f.fields.get("internal").is_some_and(|v| v.trim() == "true");
    let stage = f.fields.get("stage").map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let (file_name, bytes) = (f.file_name, f.bytes);
    let upload = app::tickets::Upload { file_name, bytes, internal, stage };
    Ok((StatusCode::CREATED, Json(s.app.add_attachment(&auth.principal, &id, upload).await?)))
}

/// Downloads an attachment; images are shown inline, everything else downloads.
#[utoipa::path(get, path = "/tickets/{id}/attachments/{attachment_id}", tag = "tickets", operation_id = "tickets_download",
    params(("id" = String, Path), ("attachment_id" = String, Path)),
    responses((status = 200, body = Vec<u8>), (status = 404, body = ProblemBody)))]
async fn download(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, aid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (a, bytes) = s.app.attachment(&auth.principal, &id, &aid).await?;
    Ok(MultipartFile::response(&a.file_name, &a.content_type, bytes))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct NotificationParams {
    /// true: only unread ones.
    unread: Option<bool>,
    page: Option<u64>,
    page_size: Option<u64>,
}

impl QueryParams for NotificationParams {
    /// Only unread ones, and the page.
    type Value = (bool, ListQuery);

    fn check(self) -> Result<Self::Value, Vec<FieldError>> {
        let q = ListQuery::parse(self.page, self.page_size, None, None, None, &[])?;
        Ok((self.unread.unwrap_or(false), q))
    }
}

/// The caller's in-app notifications, newest first.
#[utoipa::path(get, path = "/notifications", tag = "tickets", operation_id = "tickets_notifications", params(NotificationParams),
    responses((status = 200, body = Page<Notification>)))]
async fn notifications(
    State(s): State<AppState>,
    auth: Auth,
    ClientLang(lang): ClientLang,
    Query((unread, q)): Query<NotificationParams>,
) -> ApiResult<Json<Page<Notification>>> {
    let page = s.app.notifications(&auth.principal, unread, q.page, q.page_size, lang).await?;
    Ok(Json(page))
}

#[derive(Deserialize, ToSchema)]
struct ReadInput {
    /// The notifications to mark read; empty or absent for all.
    #[serde(default)]
    ids: Vec<String>,
}

#[derive(Serialize, ToSchema)]
struct ReadResult {
    marked: u64,
}

/// Marks notifications read.
#[utoipa::path(post, path = "/notifications/read", tag = "tickets", operation_id = "tickets_read_notifications", request_body = ReadInput,
    responses((status = 200, body = ReadResult)))]
async fn read_notifications(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<ReadInput>,
) -> ApiResult<Json<ReadResult>> {
    let marked = s.app.read_notifications(&auth.principal, &input.ids).await?;
    Ok(Json(ReadResult { marked }))
}
