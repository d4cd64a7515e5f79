//! `/auth` — login, logout, and who am I.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use domain::Role;
use domain::registry::User;
use domain::security::{CodeInput, Enrolment, RecoveryCodes, SecurityPolicy, SessionInfo, SignInNotice};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, ClientAddr, JsonBody, SESSION_COOKIE};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
        .routes(routes!(totp_enroll))
        .routes(routes!(totp_confirm))
        .routes(routes!(totp_disable))
        .routes(routes!(get_security_policy, put_security_policy))
        .routes(routes!(sessions))
        .routes(routes!(revoke_session))
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    /// The code from the authenticator (or a recovery code) when the account has a second factor.
    #[serde(default)]
    pub totp: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LoginUser {
    pub id: String,
    pub username: String,
    pub role: Role,
    pub display_name: Option<String>,
    pub unit_id: Option<String>,
    pub vendor_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`; browsers get the same token as an HttpOnly cookie.
    pub token: String,
    pub user: LoginUser,
    /// The password has expired or was reset: this session may only change it.
    pub must_change_password: bool,
    /// The policy requires a second factor of this administrator: this session may only enrol.
    pub totp_setup_required: bool,
    /// The previous sign-in (time, address) and the failed attempts since: shown at sign-in.
    pub notice: SignInNotice,
}

pub(crate) fn session_cookie(state: &AppState, value: &str, max_age: u64) -> String {
    let secure = if state.http.https { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}")
}

/// Signs in. Wrong credentials answer 401 with the same message whether or not the user exists;
/// repeated failures lock the account for a while. Too many attempts from one address or for one
/// name answer 429 with `Retry-After`. An account with a second factor answers 401
/// `totp_required` to the right password without `totp`, and 401 `totp_invalid` to a wrong code.
#[utoipa::path(post, path = "/auth/login", tag = "auth", operation_id = "auth_login", request_body = LoginRequest, security(()),
    responses((status = 200, body = LoginResponse), (status = 401, body = ProblemBody), (status = 429, body = ProblemBody)))]
async fn login(
    State(s): State<AppState>,
    ClientAddr(from): ClientAddr,
    JsonBody(req): JsonBody<LoginRequest>,
) -> ApiResult<Response> {
    let out = s.app.login(&req.username, &req.password, req.totp.as_deref(), from).await?;
    Ok(signed_in(&s, out))
}

/// The answer to a sign-in: the body, and the token as the session cookie.
pub(crate) fn signed_in(s: &AppState, out: app::auth::LoginOutcome) -> Response {
    let max_age = s.app.config().session_max.as_secs().max(60);
    let body = LoginResponse {
        token: out.token.clone(),
        user: LoginUser {
            id: out.user.id,
            username: out.user.username,
            role: out.user.role,
            display_name: out.user.display_name,
            unit_id: out.user.unit_id,
            vendor_id: out.user.vendor_id,
        },
        must_change_password: out.must_change_password,
        totp_setup_required: out.totp_setup_required,
        notice: out.notice,
    };
    ([(SET_COOKIE, session_cookie(s, &out.token, max_age))], Json(body)).into_response()
}

/// Ends the current session.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", operation_id = "auth_logout", responses((status = 204), (status = 401, body = ProblemBody)))]
async fn logout(State(s): State<AppState>, auth: Auth) -> ApiResult<Response> {
    s.app.logout(&auth.principal, &auth.token).await?;
    Ok(([(SET_COOKIE, session_cookie(&s, "", 0))], StatusCode::NO_CONTENT).into_response())
}

/// The signed-in user.
#[utoipa::path(get, path = "/auth/me", tag = "auth", operation_id = "auth_me", responses((status = 200, body = User), (status = 401, body = ProblemBody)))]
async fn me(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<User>> {
    Ok(Json(s.app.me(&auth.principal).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub new_password: String,
}

/// Changes the signed-in user's own password (the policy applies: 8+ characters, 3 of 4
/// classes, not the user name). Every other session of the user ends; this one stays.
#[utoipa::path(post, path = "/auth/password", tag = "auth", operation_id = "auth_change_password", request_body = PasswordChange,
    responses((status = 204), (status = 401, body = ProblemBody), (status = 422, body = ProblemBody), (status = 429, body = ProblemBody)))]
async fn change_password(
    State(s): State<AppState>,
    auth: Auth,
    ClientAddr(from): ClientAddr,
    JsonBody(req): JsonBody<PasswordChange>,
) -> ApiResult<StatusCode> {
    s.app.change_password(&auth.principal, &auth.token, &req.current_password, &req.new_password, from).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Starts enrolling a second factor (TOTP): a new secret, shown once, pending until confirmed.
/// 409 while one is on.
#[utoipa::path(post, path = "/auth/totp/enroll", tag = "auth", operation_id = "auth_totp_enroll",
    responses((status = 200, body = Enrolment), (status = 401, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn totp_enroll(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Enrolment>> {
    Ok(Json(s.app.totp_enroll(&auth.principal).await?))
}

/// Turns the second factor on with a current code; answers the ten recovery codes, shown once.
#[utoipa::path(post, path = "/auth/totp/confirm", tag = "auth", operation_id = "auth_totp_confirm", request_body = CodeInput,
    responses((status = 200, body = RecoveryCodes), (status = 401, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn totp_confirm(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(req): JsonBody<CodeInput>,
) -> ApiResult<Json<RecoveryCodes>> {
    Ok(Json(s.app.totp_confirm(&auth.principal, &req.code).await?))
}

/// Turns the second factor off with a current code or a recovery code.
#[utoipa::path(post, path = "/auth/totp/disable", tag = "auth", operation_id = "auth_totp_disable", request_body = CodeInput,
    responses((status = 204), (status = 401, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn totp_disable(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(req): JsonBody<CodeInput>,
) -> ApiResult<StatusCode> {
    s.app.totp_disable(&auth.principal, &req.code).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The security policy in force (password rules, lockout, idle timeout, second factor,
/// separation of duties). Everyone signed in may read it (the password form shows its rules).
#[utoipa::path(get, path = "/security-policy", tag = "auth", operation_id = "auth_security_policy",
    responses((status = 200, body = SecurityPolicy), (status = 401, body = ProblemBody)))]
async fn get_security_policy(State(s): State<AppState>, _auth: Auth) -> ApiResult<Json<SecurityPolicy>> {
    Ok(Json(s.app.security_policy().await?))
}

/// Sets the security policy: the security administrator, or the system administrator while
/// duties are not separated. Turning separation on needs an active security administrator and
/// auditor.
#[utoipa::path(put, path = "/security-policy", tag = "auth", operation_id = "auth_put_security_policy", request_body = SecurityPolicy,
    responses((status = 200, body = SecurityPolicy), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn put_security_policy(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(req): JsonBody<SecurityPolicy>,
) -> ApiResult<Json<SecurityPolicy>> {
    Ok(Json(s.app.put_security_policy(&auth.principal, req).await?))
}

/// The caller's sessions (most recently used first), the current one marked.
#[utoipa::path(get, path = "/auth/sessions", tag = "auth", operation_id = "auth_sessions",
    responses((status = 200, body = Vec<SessionInfo>), (status = 401, body = ProblemBody)))]
async fn sessions(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<SessionInfo>>> {
    Ok(Json(s.app.my_sessions(&auth.principal, &auth.token).await?))
}

/// Ends one of the caller's sessions; 404 for anyone else's.
#[utoipa::path(delete, path = "/auth/sessions/{id}", tag = "auth", operation_id = "auth_revoke_session",
    params(("id" = String, Path)), responses((status = 204), (status = 401, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn revoke_session(
    State(s): State<AppState>,
    auth: Auth,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> ApiResult<StatusCode> {
    s.app.revoke_session(&auth.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
