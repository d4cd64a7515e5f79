//! The HTTP layer: axum routers by feature, the OpenAPI document generated from them, the auth
//! extractor, and the one place where errors become HTTP responses.

mod error;
mod extract;
mod guard;
mod query;
mod routes;
mod state;
mod ui;

use std::time::Duration;

use app::App;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

pub use error::{ApiError, Problem};
pub use state::{AppState, HttpConfig};
pub use ui::present as ui_present;

/// Largest accepted request body (xlsx imports).
pub const MAX_BODY: usize = 16 * 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(title = "Yunwei 运维 API", description = "政务信息系统运维管理平台 — O&M management for government data bureaus."),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "auth", description = "登录与会话 / sign-in and sessions"),
        (name = "dashboard", description = "首页统计 / home page figures"),
        (name = "units", description = "单位 / units"),
        (name = "vendors", description = "供应商 / vendors"),
        (name = "users", description = "用户与证书 / users and certificates"),
        (name = "contracts", description = "运维合同与分项 / contracts and items"),
        (name = "systems", description = "信息系统 / information systems"),
        (name = "assets", description = "资产 / assets"),
        (name = "audit", description = "审计日志 / audit trail"),
        (name = "calendars", description = "工作日历 / working calendars"),
        (name = "holidays", description = "节假日数据 / holiday sets"),
        (name = "sla", description = "SLA 策略与模拟 / SLA policies and the simulator"),
        (name = "tickets", description = "工单与通知 / tickets and notifications"),
        (name = "inspections", description = "巡检模板、计划、任务与记录 / inspection templates, plans, tasks and records"),
        (name = "monitoring", description = "监控、可用性与计划维护 / monitors, availability and maintenance"),
        (name = "approvals", description = "审批：需经数据局同意的变更 / requests awaiting a decision"),
        (name = "duty", description = "值班安排 / duty shifts"),
        (name = "kpis", description = "考核指标 / indicators (KPIs)"),
        (name = "assessments", description = "考核、申诉与付款 / assessments, appeals and payment"),
        (name = "reports", description = "定期运维报告 / periodic O&M reports"),
        (name = "notifications", description = "通知渠道、规则与发送记录 / notification channels, rules and deliveries"),
        (name = "vulnerabilities", description = "漏洞台账与扫描导入 / the vulnerability ledger and scan imports"),
        (name = "dengbao", description = "等保测评周期与整改 / 等保 assessments, rectification and the yearly programme"),
        (name = "security_events", description = "安全事件、上报时限与证据 / security events, the reporting clock and evidence"),
        (name = "backups", description = "备份策略、备份记录与恢复演练 / backup policies, runs and restore drills"),
        (name = "changes", description = "变更与发布、审批与版本记录 / changes and releases, their approval and version records"),
        (name = "security_plans", description = "安全检测计划、任务与报告 / security plans, their periods and reports"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The `/api/v1` routes and their OpenAPI document.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let v1 = OpenApiRouter::new()
        .merge(routes::auth::router())
        .merge(routes::dashboard::router())
        .merge(routes::units::router())
        .merge(routes::vendors::router())
        .merge(routes::users::router())
        .merge(routes::contracts::router())
        .merge(routes::systems::router())
        .merge(routes::assets::router())
        .merge(routes::audit::router())
        .merge(routes::calendars::router())
        .merge(routes::holidays::router())
        .merge(routes::sla::router())
        .merge(routes::tickets::router())
        .merge(routes::inspections::router())
        .merge(routes::inspection_reports::router())
        .merge(routes::monitoring::router())
        .merge(routes::intake::router())
        .merge(routes::approvals::router())
        .merge(routes::duty::router())
        .merge(routes::kpis::router())
        .merge(routes::assessment_templates::router())
        .merge(routes::assessments::router())
        .merge(routes::payments::router())
        .merge(routes::notifications::router())
        .merge(routes::sso::router())
        .merge(routes::reports::router())
        .merge(routes::vulnerabilities::router())
        .merge(routes::dengbao::router())
        .merge(routes::security_plans::router())
        .merge(routes::backups::router())
        .merge(routes::changes::router())
        .merge(routes::security_events::router());
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api/v1", v1).split_for_parts()
}

/// The OpenAPI document, as served at `/api/v1/openapi.json` and committed as `openapi.json`.
pub fn openapi_json() -> String {
    let (_, doc) = api();
    doc.to_pretty_json().unwrap_or_else(|_| "{}".into())
}

/// The whole HTTP application.
pub fn router(app: App, http: HttpConfig) -> Router {
    let state = AppState { app, http: std::sync::Arc::new(http) };
    let (api_routes, doc) = api();
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(api_routes)
        .merge(SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", doc))
        .merge(routes::health::router())
        .merge(routes::intake::metrics_router())
        .fallback(ui::serve)
        .layer(axum::middleware::from_fn_with_state(state.clone(), writes_apart))
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard::docs_gate))
        .layer(axum::middleware::from_fn(guard::cross_site))
        .with_state(state.clone())
        // Panics and timeouts become problem responses inside `localize`, which renders them
        // like any other error.
        .layer(CatchPanicLayer::custom(|_| error::ApiError::App(app::AppError::internal("panic")).into_response()))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(120),
        ))
        .layer(axum::middleware::from_fn(localize))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        // xlsx files are zip archives already.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .compress_when(DefaultPredicate::new().and(NotForContentType::const_new(routes::XLSX))),
        )
        .layer(axum::middleware::from_fn_with_state(state, guard::headers))
        .layer(TraceLayer::new_for_http())
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// Runs requests that change something on the runtime set aside for them, so that under load a
/// write holding the database's write section is not left waiting behind many reads for its turn
/// on a worker between statements.
async fn writes_apart(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let reads = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    match &state.http.writes {
        Some(rt) if !reads => rt
            .spawn(next.run(req))
            .await
            .unwrap_or_else(|_| error::ApiError::App(app::AppError::internal("write task")).into_response()),
        _ => next.run(req).await,
    }
}

/// Renders error bodies in the client's language and stamps them with the request id.
async fn localize(req: Request, next: Next) -> Response {
    let lang = extract::lang_of(req.headers());
    let request_id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let mut res = if extract::path_has_control_chars(req.uri().path()) {
        // Ids with control characters cannot exist; PostgreSQL would refuse even to look them up.
        ApiError::BadRequest(vec![domain::FieldError::control_chars("path")]).into_response()
    } else {
        next.run(req).await
    };
    if let Some(error::Cause(cause)) = res.extensions_mut().remove::<error::Cause>() {
        tracing::error!(request_id = %request_id, error = %cause, "internal error");
    }
    let problem = res.extensions_mut().remove::<Problem>().or_else(|| {
        let status = res.status();
        let is_json = res
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        ((status.is_client_error() || status.is_server_error()) && !is_json).then(|| Problem::for_status(status))
    });
    if let Some(p) = problem {
        let headers = std::mem::take(res.headers_mut());
        res = p.render(lang, &request_id);
        for (k, v) in headers.iter() {
            if k != axum::http::header::CONTENT_TYPE && k != axum::http::header::CONTENT_LENGTH {
                res.headers_mut().insert(k.clone(), v.clone());
            }
        }
    }
    res
}
