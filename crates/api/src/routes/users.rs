//! `/users` and their certificates.

use app::users::UserFilter;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::FieldError;
use domain::list::Page;
use domain::registry::{Certificate, CertificateInput, User, UserInput};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::xlsx;
use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody};
use crate::query::{ListFilter, Listed, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(export))
        .routes(routes!(get, update, delete))
        .routes(routes!(list_certificates, create_certificate))
        .routes(routes!(update_certificate, delete_certificate))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct UserParams {
    /// admin, unit_user, vendor_pm, engineer, auditor
    role: Option<String>,
    unit_id: Option<String>,
    vendor_id: Option<String>,
}

impl ListFilter for UserParams {
    const SORT_KEYS: &'static [&'static str] = app::users::SORT_KEYS;
    type Filter = UserFilter;

    fn check(self) -> Result<UserFilter, Vec<FieldError>> {
        Ok(UserFilter { role: self.role, unit_id: self.unit_id, vendor_id: self.vendor_id })
    }
}

/// List users the caller may see. Sort keys: username, display_name, role, created_at, last_login_at.
#[utoipa::path(get, path = "/users", tag = "users", operation_id = "users_list", params(Listed<UserParams>),
    responses((status = 200, body = Page<User>), (status = 400, body = ProblemBody)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<UserParams>>,
) -> ApiResult<Json<Page<User>>> {
    Ok(Json(s.app.list_users(&auth.principal, &q, &f).await?))
}

#[utoipa::path(get, path = "/users/export.xlsx", tag = "users", operation_id = "users_export", params(Listed<UserParams>),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
async fn export(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<UserParams>>,
) -> ApiResult<Response> {
    let bytes = s.app.export_users(&auth.principal, &q, &f).await?;
    Ok(xlsx(&format!("用户-{}.xlsx", super::today()), bytes))
}

/// Creates a user. Passwords need 8+ characters and 3 of: upper case, lower case, digits, symbols.
#[utoipa::path(post, path = "/users", tag = "users", operation_id = "users_create", request_body = UserInput,
    responses((status = 201, body = User), (status = 422, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<UserInput>,
) -> ApiResult<(StatusCode, Json<User>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_user(&auth.principal, input).await?)))
}

#[utoipa::path(get, path = "/users/{id}", tag = "users", operation_id = "users_get", params(("id" = String, Path)),
    responses((status = 200, body = User), (status = 404, body = ProblemBody)))]
async fn get(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<User>> {
    Ok(Json(s.app.get_user(&auth.principal, &id).await?))
}

/// Updates a user; `password` is optional here. A new password, role or binding ends the user's sessions.
#[utoipa::path(put, path = "/users/{id}", tag = "users", operation_id = "users_update", params(("id" = String, Path)), request_body = UserInput,
    responses((status = 200, body = User), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<UserInput>,
) -> ApiResult<Json<User>> {
    Ok(Json(s.app.update_user(&auth.principal, &id, input).await?))
}

#[utoipa::path(delete, path = "/users/{id}", tag = "users", operation_id = "users_delete", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn delete(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_user(&auth.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/users/{id}/certificates", tag = "users", operation_id = "users_list_certificates", params(("id" = String, Path)),
    responses((status = 200, body = Page<Certificate>), (status = 404, body = ProblemBody)))]
async fn list_certificates(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Page<Certificate>>> {
    Ok(Json(Page::whole(s.app.list_certificates(&auth.principal, &id).await?)))
}

#[utoipa::path(post, path = "/users/{id}/certificates", tag = "users", operation_id = "users_create_certificate", params(("id" = String, Path)), request_body = CertificateInput,
    responses((status = 201, body = Certificate), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn create_certificate(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<CertificateInput>,
) -> ApiResult<(StatusCode, Json<Certificate>)> {
    Ok((StatusCode::CREATED, Json(s.app.put_certificate(&auth.principal, &id, None, input).await?)))
}

#[utoipa::path(put, path = "/users/{id}/certificates/{cert_id}", tag = "users", operation_id = "users_update_certificate",
    params(("id" = String, Path), ("cert_id" = String, Path)), request_body = CertificateInput,
    responses((status = 200, body = Certificate), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update_certificate(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, cert_id)): Path<(String, String)>,
    JsonBody(input): JsonBody<CertificateInput>,
) -> ApiResult<Json<Certificate>> {
    Ok(Json(s.app.put_certificate(&auth.principal, &id, Some(&cert_id), input).await?))
}

#[utoipa::path(delete, path = "/users/{id}/certificates/{cert_id}", tag = "users", operation_id = "users_delete_certificate",
    params(("id" = String, Path), ("cert_id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody)))]
async fn delete_certificate(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, cert_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    s.app.delete_certificate(&auth.principal, &id, &cert_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
