//! `/notification-channels`, `/notification-rules`, `/notification-deliveries` and
//! `/me/notification-preferences`: notifications beyond the bell.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::FieldError;
use domain::list::{ListQuery, Page};
use domain::notifications::{
    Attempt, ChannelInput, DeliveryFilter as LogFilter, NotificationChannel, Preferences, PreferencesInput,
    RoutingRule, RoutingRuleInput, TestInput, TestOutcome,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody};
use crate::query::{Query, QueryParams};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_channels, create_channel))
        .routes(routes!(get_channel, update_channel, delete_channel))
        .routes(routes!(test_channel))
        .routes(routes!(deliveries))
        .routes(routes!(list_rules, create_rule))
        .routes(routes!(delete_rule))
        .routes(routes!(my_preferences, put_my_preferences))
}

/// The channels. Administrators: every channel's settings without secrets, and which secrets
/// are set; anyone else: the enabled personal channels by name, to choose in their preferences.
#[utoipa::path(get, path = "/notification-channels", tag = "notifications", operation_id = "notifications_channels",
    responses((status = 200, body = Vec<NotificationChannel>), (status = 403, body = ProblemBody)))]
async fn list_channels(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<NotificationChannel>>> {
    Ok(Json(s.app.notification_channels(&auth.principal).await?))
}

/// Adds a channel (administrators). `config` per kind — `email`: `host`, `port`, `username`,
/// `password`, `from`, `tls` (`starttls`, `implicit`, `none`); `wecom`: `webhook` (group robot) or
/// `corp_id`, `agent_id`, `corp_secret`, `api_base` (application messages to a person's WeCom id);
/// `dingtalk`, `feishu`: `webhook`, `secret`; `sms`: `provider` (`aliyun`: `access_key_id`,
/// `access_key_secret`, `sign_name`, `template_code`, `template_param`; `tencent`: `secret_id`,
/// `secret_key`, `sdk_app_id`, `sign_name`, `template_id`, `region`; `generic`: `url`,
/// `body_template` with `{phone}` and `{content}`, `content_type`, `secret`); `webhook`: `url`,
/// `secret`. Secrets are stored encrypted and never returned.
#[utoipa::path(post, path = "/notification-channels", tag = "notifications", operation_id = "notifications_create_channel",
    request_body = ChannelInput,
    responses((status = 201, body = NotificationChannel), (status = 403, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn create_channel(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<ChannelInput>,
) -> ApiResult<(StatusCode, Json<NotificationChannel>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_notification_channel(&auth.principal, input).await?)))
}

#[utoipa::path(get, path = "/notification-channels/{id}", tag = "notifications", operation_id = "notifications_get_channel",
    params(("id" = String, Path)), responses((status = 200, body = NotificationChannel), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn get_channel(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<NotificationChannel>> {
    Ok(Json(s.app.notification_channel(&auth.principal, &id).await?))
}

/// Changes a channel; secrets left out or empty keep their stored values; the kind stays.
#[utoipa::path(put, path = "/notification-channels/{id}", tag = "notifications", operation_id = "notifications_update_channel",
    params(("id" = String, Path)), request_body = ChannelInput,
    responses((status = 200, body = NotificationChannel), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update_channel(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<ChannelInput>,
) -> ApiResult<Json<NotificationChannel>> {
    Ok(Json(s.app.update_notification_channel(&auth.principal, &id, input).await?))
}

/// Removes a channel with its delivery log and rules.
#[utoipa::path(delete, path = "/notification-channels/{id}", tag = "notifications", operation_id = "notifications_delete_channel",
    params(("id" = String, Path)), responses((status = 204), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn delete_channel(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_notification_channel(&auth.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends a test message now (not retried) and logs it. A personal channel sends to `to`, else
/// to the caller's own address on it.
#[utoipa::path(post, path = "/notification-channels/{id}/test", tag = "notifications", operation_id = "notifications_test_channel",
    params(("id" = String, Path)), request_body = TestInput,
    responses((status = 200, body = TestOutcome), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn test_channel(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<TestOutcome>> {
    // The body is optional: a robot's test needs nothing.
    let to = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let input: TestInput = serde_json::from_slice(&body).map_err(|_| {
            app::AppError::Validation(vec![FieldError::new(
                "to",
                "请求体须为 JSON 对象",
                "the body must be a JSON object",
            )])
        })?;
        input.to
    };
    Ok(Json(s.app.test_notification_channel(&auth.principal, &id, to).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DeliveryParams {
    channel_id: Option<String>,
    /// sent, failed, pending
    status: Option<String>,
    page: Option<u64>,
    page_size: Option<u64>,
}

impl QueryParams for DeliveryParams {
    type Value = (LogFilter, ListQuery);

    fn check(self) -> Result<Self::Value, Vec<FieldError>> {
        let q = ListQuery::parse(self.page, self.page_size, None, None, None, &[])?;
        let status = self.status.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        if let Some(st) = &status
            && !["sent", "failed", "pending"].contains(&st.as_str())
        {
            return Err(vec![FieldError::new(
                "status",
                "须为 sent、failed 或 pending",
                "must be sent, failed or pending",
            )]);
        }
        let channel_id = self.channel_id.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        Ok((LogFilter { channel_id, user_id: None, status }, q))
    }
}

/// The delivery log, newest first: each attempt (`sent`, or `failed` with the reason) and the
/// deliveries not tried yet (`pending`). Administrators see all; others what was sent to them.
#[utoipa::path(get, path = "/notification-deliveries", tag = "notifications", operation_id = "notifications_deliveries",
    params(DeliveryParams), responses((status = 200, body = Page<Attempt>), (status = 422, body = ProblemBody)))]
async fn deliveries(
    State(s): State<AppState>,
    auth: Auth,
    Query((f, q)): Query<DeliveryParams>,
) -> ApiResult<Json<Page<Attempt>>> {
    Ok(Json(s.app.notification_deliveries(&auth.principal, f, q.page, q.page_size).await?))
}

/// The bureau's defaults: users of a role (within a unit or vendor) get these kinds of notice
/// (all when empty) through a personal channel, unless their own preferences say otherwise.
#[utoipa::path(get, path = "/notification-rules", tag = "notifications", operation_id = "notifications_rules",
    responses((status = 200, body = Vec<RoutingRule>), (status = 403, body = ProblemBody)))]
async fn list_rules(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<RoutingRule>>> {
    Ok(Json(s.app.notification_rules(&auth.principal).await?))
}

#[utoipa::path(post, path = "/notification-rules", tag = "notifications", operation_id = "notifications_create_rule",
    request_body = RoutingRuleInput,
    responses((status = 201, body = RoutingRule), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn create_rule(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<RoutingRuleInput>,
) -> ApiResult<(StatusCode, Json<RoutingRule>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_notification_rule(&auth.principal, input).await?)))
}

#[utoipa::path(delete, path = "/notification-rules/{id}", tag = "notifications", operation_id = "notifications_delete_rule",
    params(("id" = String, Path)), responses((status = 204), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn delete_rule(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_notification_rule(&auth.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's own choices: personal channels (or the bureau's rules), muted kinds, quiet hours
/// (breaches and outages of the most severe level still go through), the daily digest, WeCom id.
#[utoipa::path(get, path = "/me/notification-preferences", tag = "notifications", operation_id = "notifications_my_preferences",
    responses((status = 200, body = Preferences)))]
async fn my_preferences(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Preferences>> {
    Ok(Json(s.app.my_notification_preferences(&auth.principal).await?))
}

#[utoipa::path(put, path = "/me/notification-preferences", tag = "notifications", operation_id = "notifications_put_my_preferences",
    request_body = PreferencesInput, responses((status = 200, body = Preferences), (status = 422, body = ProblemBody)))]
async fn put_my_preferences(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<PreferencesInput>,
) -> ApiResult<Json<Preferences>> {
    Ok(Json(s.app.put_my_notification_preferences(&auth.principal, input).await?))
}
