//! `/security-events`: security events graded by GB/T 20986-2023, their steps with the
//! reporting clock, the timeline and the evidence.

use app::files::Upload;
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::FieldError;
use domain::list::Page;
use domain::security_events::{
    EventCategory, EventFile, EventGrade, EventNoteInput, EventStageInput, EventStatus, SecurityEvent,
    SecurityEventDetail, SecurityEventFilter, SecurityEventInput,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody, MultipartFile};
use crate::query::{ListFilter, Listed, Moment, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update))
        .routes(routes!(stage))
        .routes(routes!(note))
        .routes(routes!(add_file))
        .routes(routes!(file))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct EventParams {
    system_id: Option<String>,
    /// open, contained, recovered, closed
    #[param(value_type = Option<String>)]
    status: Option<EventStatus>,
    /// especially_major, major, significant, general
    #[param(value_type = Option<String>)]
    grade: Option<EventGrade>,
    /// malware, attack, data, content, equipment, violation, hazard, abnormal, force_majeure, other
    #[param(value_type = Option<String>)]
    category: Option<EventCategory>,
    /// Found on or after (a day or an instant).
    #[param(value_type = Option<String>)]
    from: Option<Moment>,
    /// Found on or before (a day: that whole day).
    #[param(value_type = Option<String>)]
    to: Option<Moment>,
}

impl ListFilter for EventParams {
    const SORT_KEYS: &'static [&'static str] = &["found_at", "grade"];
    type Filter = SecurityEventFilter;

    fn check(self) -> Result<SecurityEventFilter, Vec<FieldError>> {
        crate::query::ordered(self.from.as_ref().map(|m| &m.at), self.to.as_ref().map(|m| &m.at))?;
        Ok(SecurityEventFilter {
            system_id: self.system_id,
            status: self.status,
            grade: self.grade,
            category: self.category,
            found_from: self.from.map(|m| m.at),
            found_before: self.to.map(Moment::end_including_day),
        })
    }
}

/// The events on the systems the caller may see, newest first; `report_late` says whether the
/// report to the authorities is (or was) past its deadline.
#[utoipa::path(get, path = "/security-events", tag = "security_events", operation_id = "security_events_list",
    params(Listed<EventParams>), responses((status = 200, body = Page<SecurityEvent>), (status = 400, body = ProblemBody)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<EventParams>>,
) -> ApiResult<Json<Page<SecurityEvent>>> {
    Ok(Json(s.app.list_security_events(&auth.principal, &q, &f).await?))
}

/// Records an event (vendor staff or the bureau). Grades 较大 and above get a reporting
/// deadline from when it was found: 1 h, 2 h or 4 h by the strictest reporting class of its
/// systems.
#[utoipa::path(post, path = "/security-events", tag = "security_events", operation_id = "security_events_create",
    request_body = SecurityEventInput,
    responses((status = 201, body = SecurityEventDetail), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<SecurityEventInput>,
) -> ApiResult<(StatusCode, Json<SecurityEventDetail>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_security_event(&auth.principal, input).await?)))
}

/// The event with its timeline and evidence files.
#[utoipa::path(get, path = "/security-events/{id}", tag = "security_events", operation_id = "security_events_get",
    params(("id" = String, Path)), responses((status = 200, body = SecurityEventDetail), (status = 404, body = ProblemBody)))]
async fn get(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<SecurityEventDetail>> {
    Ok(Json(s.app.get_security_event(&auth.principal, &id).await?))
}

/// Changes the account of an event. Lowering the grade, moving the found or occurred time and
/// removing a system are the bureau's (422 naming the field for vendor staff).
#[utoipa::path(put, path = "/security-events/{id}", tag = "security_events", operation_id = "security_events_update",
    params(("id" = String, Path)), request_body = SecurityEventInput,
    responses((status = 200, body = SecurityEventDetail), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<SecurityEventInput>,
) -> ApiResult<Json<SecurityEventDetail>> {
    Ok(Json(s.app.update_security_event(&auth.principal, &id, input).await?))
}

/// Records a step — reported (with to whom and the number), contained, recovered — at a time
/// not before the event was found; closing is the bureau's, once recovered with its measures
/// written and, for a reportable event, reported.
#[utoipa::path(post, path = "/security-events/{id}/stages", tag = "security_events", operation_id = "security_events_stage",
    params(("id" = String, Path)), request_body = EventStageInput,
    responses((status = 200, body = SecurityEventDetail), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn stage(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<EventStageInput>,
) -> ApiResult<Json<SecurityEventDetail>> {
    Ok(Json(s.app.security_event_stage(&auth.principal, &id, input).await?))
}

/// A note on the event's timeline.
#[utoipa::path(post, path = "/security-events/{id}/notes", tag = "security_events", operation_id = "security_events_note",
    params(("id" = String, Path)), request_body = EventNoteInput,
    responses((status = 200, body = SecurityEventDetail), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn note(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<EventNoteInput>,
) -> ApiResult<Json<SecurityEventDetail>> {
    Ok(Json(s.app.security_event_note(&auth.principal, &id, input).await?))
}

/// Evidence, sent as `file`.
#[derive(ToSchema)]
#[allow(dead_code)]
struct EvidenceForm {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Adds evidence (logs, screenshots, reports): kept as uploaded with its SHA-256, never
/// replaced or removed.
#[utoipa::path(post, path = "/security-events/{id}/files", tag = "security_events", operation_id = "security_events_add_file",
    params(("id" = String, Path)), request_body(content = EvidenceForm, content_type = "multipart/form-data"),
    responses((status = 201, body = EventFile), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn add_file(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    req: Request,
) -> ApiResult<(StatusCode, Json<EventFile>)> {
    s.app.may_add_security_event_file(&auth.principal, &id).await?;
    let f = MultipartFile::read(req, &s).await?;
    let upload = Upload { name: f.file_name, bytes: f.bytes };
    Ok((StatusCode::CREATED, Json(s.app.add_security_event_file(&auth.principal, &id, upload).await?)))
}

/// An evidence file as uploaded.
#[utoipa::path(get, path = "/security-events/{id}/files/{file_id}", tag = "security_events", operation_id = "security_events_file",
    params(("id" = String, Path), ("file_id" = String, Path)),
    responses((status = 200, body = Vec<u8>), (status = 404, body = ProblemBody)))]
async fn file(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, file_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (f, bytes) = s.app.security_event_file(&auth.principal, &id, &file_id).await?;
    Ok(MultipartFile::response(&f.file_name, &f.content_type, bytes))
}
