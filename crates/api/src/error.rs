//! Every error leaves the API here, in one exhaustive match, as a problem body
//! `{code, message, field_errors?, row_errors?, request_id}` — Chinese unless the client asks
//! for English with `Accept-Language: en`.

use app::AppError;
use app::import::{ImportError, RowError};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::{FieldError, Lang, Msg};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug)]
pub enum ApiError {
    App(AppError),
    Import(ImportError),
    /// A request the API itself refuses (malformed JSON, bad query parameter, missing upload).
    BadRequest(Vec<FieldError>),
    /// A body of a type the route does not take (a browser session sends JSON or an upload).
    UnsupportedMediaType,
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError::App(e)
    }
}

impl From<ImportError> for ApiError {
    fn from(e: ImportError) -> Self {
        ApiError::Import(e)
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(e: Vec<FieldError>) -> Self {
        ApiError::BadRequest(e)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// What goes into the body, kept in both languages until the response leaves.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: Msg,
    pub field_errors: Vec<FieldError>,
    pub row_errors: Vec<RowError>,
    /// Seconds for a `Retry-After` header (429).
    pub retry_after: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldErrorBody {
    pub field: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct RowErrorBody {
    pub row: usize,
    pub column: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProblemBody {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub field_errors: Vec<FieldErrorBody>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub row_errors: Vec<RowErrorBody>,
    pub request_id: String,
}

fn problem(status: StatusCode, code: &'static str, zh: &str, en: &str) -> Problem {
    Problem {
        status,
        code,
        message: Msg::new(zh, en),
        field_errors: Vec::new(),
        row_errors: Vec::new(),
        retry_after: None,
    }
}

/// The cause chain of an internal error, for the log only.
#[derive(Debug, Clone)]
pub struct Cause(pub String);

/// The problem an application error answers with. Internal errors say nothing of their cause.
fn app_problem(e: &AppError) -> Problem {
    match e {
        AppError::NotFound => problem(StatusCode::NOT_FOUND, "not_found", "记录不存在", "not found"),
        AppError::Conflict { msg, field } => Problem {
            status: StatusCode::CONFLICT,
            code: "conflict",
            message: msg.clone(),
            field_errors: field.iter().map(|f| FieldError { field: f.clone(), msg: msg.clone() }).collect(),
            row_errors: Vec::new(),
            retry_after: None,
        },
        AppError::Validation(errs) => Problem {
            field_errors: errs.clone(),
            ..problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "输入有误，请检查标出的字段",
                "invalid input; see the fields",
            )
        },
        AppError::Forbidden => {
            problem(StatusCode::FORBIDDEN, "forbidden", "没有执行该操作的权限", "you may not do this")
        }
        AppError::Unauthenticated(msg) => {
            Problem { message: msg.clone(), ..problem(StatusCode::UNAUTHORIZED, "unauthenticated", "", "") }
        }
        AppError::SecondFactor { code, msg } => {
            Problem { message: msg.clone(), ..problem(StatusCode::UNAUTHORIZED, code, "", "") }
        }
        AppError::Restricted { code, msg } => {
            Problem { message: msg.clone(), ..problem(StatusCode::FORBIDDEN, code, "", "") }
        }
        AppError::Upstream(msg) => {
            Problem { message: msg.clone(), ..problem(StatusCode::BAD_GATEWAY, "identity_provider", "", "") }
        }
        AppError::TooManyRequests { retry_after_secs } => Problem {
            retry_after: Some(*retry_after_secs),
            ..problem(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "尝试过于频繁，请稍后再试",
                "too many attempts; please try again shortly",
            )
        },
        AppError::Internal { .. } => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "服务器内部错误，请稍后重试",
            "internal error; please try again later",
        ),
    }
}

impl ApiError {
    pub fn problem(&self) -> Problem {
        match self {
            ApiError::App(e) | ApiError::Import(ImportError::App(e)) => app_problem(e),
            ApiError::Import(ImportError::File(msg)) => {
                Problem { message: msg.clone(), ..problem(StatusCode::UNPROCESSABLE_ENTITY, "import_file", "", "") }
            }
            ApiError::Import(ImportError::Rows(rows)) => Problem {
                row_errors: rows.clone(),
                message: Msg::new(
                    format!("导入失败：{} 处错误，未导入任何数据", rows.len()),
                    format!("import rejected: {} errors; nothing was imported", rows.len()),
                ),
                ..problem(StatusCode::UNPROCESSABLE_ENTITY, "import_rows", "", "")
            },
            ApiError::UnsupportedMediaType => problem(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请求体须为 JSON（上传文件时为 multipart/form-data）",
                "the body must be JSON (multipart/form-data for uploads)",
            ),
            ApiError::BadRequest(errs) => Problem {
                field_errors: errs.clone(),
                ..problem(StatusCode::BAD_REQUEST, "bad_request", "请求格式有误", "malformed request")
            },
        }
    }

    /// The cause chain, for an internal error.
    fn cause(&self) -> Option<Cause> {
        match self {
            ApiError::App(e @ AppError::Internal { .. })
            | ApiError::Import(ImportError::App(e @ AppError::Internal { .. })) => Some(Cause(e.chain())),
            _ => None,
        }
    }
}

impl Problem {
    /// For error responses made outside our handlers (an unknown method, a timeout, a rejected
    /// path), so that every error a client sees has the same shape.
    pub fn for_status(status: StatusCode) -> Problem {
        let (code, zh, en) = match status.as_u16() {
            400 => ("bad_request", "请求格式有误", "malformed request"),
            404 => ("not_found", "记录不存在", "not found"),
            405 => ("method_not_allowed", "不支持该请求方法", "method not allowed"),
            408 => ("timeout", "请求处理超时，请稍后重试", "the request timed out; please try again"),
            413 => ("too_large", "请求体过大", "the request body is too large"),
            429 => ("too_many_requests", "尝试过于频繁，请稍后再试", "too many attempts; please try again shortly"),
            415 => ("unsupported_media_type", "不支持的内容类型", "unsupported content type"),
            s if s >= 500 => ("internal", "服务器内部错误，请稍后重试", "internal error; please try again later"),
            _ => ("bad_request", "请求无法处理", "the request cannot be processed"),
        };
        problem(status, code, zh, en)
    }

    pub fn render(&self, lang: Lang, request_id: &str) -> Response {
        let body = ProblemBody {
            code: self.code.to_string(),
            message: self.message.pick(lang).to_string(),
            field_errors: self
                .field_errors
                .iter()
                .map(|f| FieldErrorBody { field: f.field.clone(), message: f.msg.pick(lang).to_string() })
                .collect(),
            row_errors: self
                .row_errors
                .iter()
                .map(|r| RowErrorBody {
                    row: r.row,
                    column: r.column.clone(),
                    message: r.message.pick(lang).to_string(),
                })
                .collect(),
            request_id: request_id.to_string(),
        };
        let mut res = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(secs));
        }
        res
    }
}

impl IntoResponse for ApiError {
    /// Renders in Chinese now and leaves the problem (and an internal error's cause) in the
    /// extensions, so the `localize` middleware can render it again in the client's language
    /// with the request id, and log the cause once with that id.
    fn into_response(self) -> Response {
        let p = self.problem();
        let mut r = p.render(Lang::Zh, "");
        r.extensions_mut().insert(p);
        if let Some(c) = self.cause() {
            r.extensions_mut().insert(c);
        }
        r
    }
}
