//! `/auth/sso` (signing in through a provider) and `/sso-providers` (the security
//! administrator's settings for them).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::sso::{SignInOptions, SsoProvider, SsoProviderInput, SsoRedirect, SsoTestResult};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, ClientAddr, JsonBody, lang_of};
use crate::query::{Query, QueryParams};
use crate::routes::auth::{LoginResponse, session_cookie, signed_in};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(options))
        .routes(routes!(start))
        .routes(routes!(callback))
        .routes(routes!(password_login))
        .routes(routes!(list_providers, create_provider))
        .routes(routes!(get_provider, update_provider, delete_provider))
        .routes(routes!(test_password))
        .routes(routes!(test_redirect))
        .routes(routes!(test_result))
}

/// This server's callback address for a provider, from `public_url`. Never from the request's
/// Host header: a forged Host would send a provider's ticket or code to another site, where it
/// could be replayed here.
fn callback_url(s: &AppState, id: &str) -> Result<String, app::AppError> {
    let base = s.http.public_url.clone().ok_or_else(|| {
        app::AppError::conflict(
            None,
            "未配置对外地址（public_url / YUNWEI_PUBLIC_URL），无法使用单点登录跳转",
            "set the public address (public_url / YUNWEI_PUBLIC_URL) to sign in through a provider",
        )
    })?;
    let id: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
    Ok(format!("{}/api/v1/auth/sso/{id}/callback", base.trim_end_matches('/')))
}

/// The cookie that ties a browser sign-in to the browser that started it (login CSRF: a
/// callback URL sent to someone else finds no cookie there).
const STATE_COOKIE: &str = "yunwei_sso_state";

fn state_cookie(s: &AppState, state: &str, max_age: u64) -> String {
    let secure = if s.http.https { "; Secure" } else { "" };
    format!("{STATE_COOKIE}={state}; HttpOnly; SameSite=Lax; Path=/api/v1/auth/sso; Max-Age={max_age}{secure}")
}

fn cookie_state(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(STATE_COOKIE).and_then(|r| r.strip_prefix('=')).map(str::to_string))
}

/// A provider's trouble, as an anonymous caller sees it: that there is one, not its addresses
/// (the administrator's test sign-in shows the detail; the log keeps it).
fn hide_upstream(e: app::AppError) -> app::AppError {
    match e {
        app::AppError::Upstream(m) => {
            tracing::warn!(detail = %m.en, "identity provider failed");
            app::AppError::Upstream(domain::Msg::new(
                "身份提供方暂时无法使用，请稍后再试或联系管理员",
                "the identity provider is unavailable; try again later or ask the administrator",
            ))
        }
        e => e,
    }
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(LOCATION, to.to_string())]).into_response()
}

/// What the sign-in page offers: password sign-in (on or off) and the enabled providers.
#[utoipa::path(get, path = "/auth/sso", tag = "auth", operation_id = "auth_sso_options", security(()),
    responses((status = 200, body = SignInOptions)))]
async fn options(State(s): State<AppState>) -> ApiResult<Json<SignInOptions>> {
    Ok(Json(s.app.sign_in_options().await?))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StartQuery {
    /// Where to go after signing in: a path of this site (anything else goes home).
    return_to: Option<String>,
}

impl QueryParams for StartQuery {
    type Value = Option<String>;

    fn check(self) -> Result<Self::Value, Vec<domain::FieldError>> {
        Ok(self.return_to)
    }
}

/// Starts signing in through an OIDC or CAS provider: answers 302 to the provider.
#[utoipa::path(get, path = "/auth/sso/{id}/start", tag = "auth", operation_id = "auth_sso_start", security(()),
    params(("id" = String, Path), StartQuery),
    responses((status = 302), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 429, body = ProblemBody), (status = 502, body = ProblemBody)))]
async fn start(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(return_to): Query<StartQuery>,
) -> ApiResult<Response> {
    let r = s.app.sso_start(&id, &callback_url(&s, &id)?, return_to.as_deref(), None).await.map_err(hide_upstream)?;
    let cookie = state_cookie(&s, &r.state, 600);
    Ok((StatusCode::FOUND, [(LOCATION, r.redirect_url), (SET_COOKIE, cookie)]).into_response())
}

/// What a provider sends back. Providers add parameters of their own (`session_state`, `iss`),
/// so anything else is ignored here rather than refused.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    state: Option<String>,
    /// OIDC's authorization code.
    code: Option<String>,
    /// CAS's service ticket.
    ticket: Option<String>,
    /// OIDC's error, when the provider refused.
    error: Option<String>,
}

/// Where the provider sends the browser back. Signed in: the session cookie and 302 to the page
/// asked for. Refused: 302 to the sign-in page with `sso_error`. A test: 302 to the security
/// settings with `sso_test`, where the result is read.
#[utoipa::path(get, path = "/auth/sso/{id}/callback", tag = "auth", operation_id = "auth_sso_callback", security(()),
    params(("id" = String, Path), CallbackQuery), responses((status = 302)))]
async fn callback(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ClientAddr(from): ClientAddr,
    axum::extract::Query(q): axum::extract::Query<CallbackQuery>,
) -> Response {
    let cb = app::sso::Callback { state: q.state, code: q.code, ticket: q.ticket, error: q.error };
    // The state must be the one this browser started with.
    let bound = cb.state.is_some() && cb.state == cookie_state(&headers);
    let done = match callback_url(&s, &id) {
        Ok(url) if bound => s.app.sso_callback(&id, &url, cb, from).await.map_err(hide_upstream),
        Ok(_) => Err(app::AppError::Unauthenticated(domain::Msg::new(
            "登录请求不是从本浏览器发起的，请重新登录",
            "the sign-in was not started in this browser; sign in again",
        ))),
        Err(e) => Err(e),
    };
    let clear = state_cookie(&s, "", 0);
    match done {
        Ok(app::sso::CallbackOutcome::SignedIn { login, return_to }) => {
            let max_age = s.app.config().session_max.as_secs().max(60);
            let cookie = session_cookie(&s, &login.token, max_age);
            let mut r = (StatusCode::FOUND, [(LOCATION, return_to), (SET_COOKIE, cookie)]).into_response();
            r.headers_mut().append(SET_COOKIE, clear.parse().expect("a cookie"));
            r
        }
        Ok(app::sso::CallbackOutcome::Tested { state }) => {
            let id: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
            let to = format!("/security?sso_provider={id}&sso_test={state}");
            (StatusCode::FOUND, [(LOCATION, to), (SET_COOKIE, clear)]).into_response()
        }
        Err(e) => {
            let problem = crate::error::ApiError::from(e).problem();
            let text = problem.message.pick(lang_of(&headers)).to_string();
            let text: String = form_urlencoded::byte_serialize(text.as_bytes()).collect();
            redirect(&format!("/login?sso_error={text}"))
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordLogin {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
}

/// Signs in with a directory (LDAP / Active Directory) user name and password; answers as
/// `/auth/login` does.
#[utoipa::path(post, path = "/auth/sso/{id}/login", tag = "auth", operation_id = "auth_sso_login", security(()),
    params(("id" = String, Path)), request_body = PasswordLogin,
    responses((status = 200, body = LoginResponse), (status = 401, body = ProblemBody), (status = 404, body = ProblemBody), (status = 429, body = ProblemBody), (status = 502, body = ProblemBody)))]
async fn password_login(
    State(s): State<AppState>,
    Path(id): Path<String>,
    ClientAddr(from): ClientAddr,
    JsonBody(req): JsonBody<PasswordLogin>,
) -> ApiResult<Response> {
    let out = s.app.sso_password_login(&id, &req.username, &req.password, from).await.map_err(hide_upstream)?;
    Ok(signed_in(&s, out))
}

/// The providers (the security administrator, or the system administrator while duties are not
/// separated), without secrets.
#[utoipa::path(get, path = "/sso-providers", tag = "auth", operation_id = "sso_providers",
    responses((status = 200, body = Vec<SsoProvider>), (status = 403, body = ProblemBody)))]
async fn list_providers(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<SsoProvider>>> {
    Ok(Json(s.app.sso_providers(&auth.principal).await?))
}

/// Adds a provider. `config` per kind — `oidc`: `issuer`, `client_id`, `client_secret`,
/// `scopes`, `username_claim` (default `preferred_username`), `display_name_claim` (`name`);
/// `cas`: `server_url`, `version` (`2`, `3`), `username_attribute`, `display_name_attribute`;
/// `ldap`: `url` (`ldap://`, `ldaps://`), `starttls`, `bind_dn`, `bind_password`, `base_dn`,
/// `user_filter` (default `(uid={username})`), `username_attribute` (`uid`),
/// `display_name_attribute` (`cn`), `email_attribute` (`mail`), `group_base_dn`; all:
/// `link_by_username`. `mapping`: rules `{attribute, value, role, unit_id?, vendor_id?}`, the
/// first match decides; nobody unmatched signs in.
#[utoipa::path(post, path = "/sso-providers", tag = "auth", operation_id = "sso_create_provider", request_body = SsoProviderInput,
    responses((status = 201, body = SsoProvider), (status = 403, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn create_provider(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<SsoProviderInput>,
) -> ApiResult<(StatusCode, Json<SsoProvider>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_sso_provider(&auth.principal, input).await?)))
}

#[utoipa::path(get, path = "/sso-providers/{id}", tag = "auth", operation_id = "sso_provider", params(("id" = String, Path)),
    responses((status = 200, body = SsoProvider), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn get_provider(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<SsoProvider>> {
    Ok(Json(s.app.sso_provider(&auth.principal, &id).await?))
}

/// Changes a provider; secrets left out are kept.
#[utoipa::path(put, path = "/sso-providers/{id}", tag = "auth", operation_id = "sso_update_provider", params(("id" = String, Path)),
    request_body = SsoProviderInput,
    responses((status = 200, body = SsoProvider), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update_provider(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<SsoProviderInput>,
) -> ApiResult<Json<SsoProvider>> {
    Ok(Json(s.app.update_sso_provider(&auth.principal, &id, input).await?))
}

/// Removes a provider: its accounts stay, unlinked, and their sessions through it end.
#[utoipa::path(delete, path = "/sso-providers/{id}", tag = "auth", operation_id = "sso_delete_provider", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn delete_provider(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_sso_provider(&auth.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Tests an LDAP provider with a directory user name and password: who it finds, the rule that
/// matches and what it grants, or why the person would be refused. Nobody is signed in.
#[utoipa::path(post, path = "/sso-providers/{id}/test", tag = "auth", operation_id = "sso_test_password", params(("id" = String, Path)),
    request_body = PasswordLogin,
    responses((status = 200, body = SsoTestResult), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn test_password(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<PasswordLogin>,
) -> ApiResult<Json<SsoTestResult>> {
    Ok(Json(s.app.sso_test_password(&auth.principal, &id, &req.username, &req.password).await?))
}

/// Starts a test sign-in through an OIDC or CAS provider: send the browser to `redirect_url`;
/// it comes back to the security settings, which read the result under `state`.
#[utoipa::path(post, path = "/sso-providers/{id}/test-redirect", tag = "auth", operation_id = "sso_test_redirect", params(("id" = String, Path)),
    responses((status = 200, body = SsoRedirect), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 502, body = ProblemBody)))]
async fn test_redirect(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Response> {
    let r = s.app.sso_start(&id, &callback_url(&s, &id)?, None, Some(&auth.principal)).await?;
    let cookie = state_cookie(&s, &r.state, 600);
    Ok(([(SET_COOKIE, cookie)], Json(r)).into_response())
}

/// A test sign-in's result, for the administrator who started it.
#[utoipa::path(get, path = "/sso-providers/{id}/tests/{state}", tag = "auth", operation_id = "sso_test_result",
    params(("id" = String, Path), ("state" = String, Path)),
    responses((status = 200, body = SsoTestResult), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn test_result(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, state)): Path<(String, String)>,
) -> ApiResult<Json<SsoTestResult>> {
    Ok(Json(s.app.sso_test_result(&auth.principal, &id, &state).await?))
}
