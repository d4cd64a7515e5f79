//! Routers by feature, each registering its routes and their OpenAPI entries in one place.

pub mod approvals;
pub mod assessment_templates;
pub mod assessments;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod backups;
pub mod calendars;
pub mod changes;
pub mod contracts;
pub mod dashboard;
pub mod dengbao;
pub mod duty;
pub mod health;
pub mod holidays;
pub mod inspection_reports;
pub mod inspections;
pub mod intake;
pub mod kpis;
pub mod monitoring;
pub mod notifications;
pub mod payments;
mod registry;
pub mod reports;
pub mod security_events;
pub mod security_plans;
pub mod sla;
pub mod sso;
pub mod systems;
pub mod tickets;
pub mod units;
pub mod users;
pub mod vendors;
pub mod vulnerabilities;

use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

/// Why a removal is asked for: the vendor's request to the bureau says it.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReasonParams {
    /// Why (a request to the bureau)
    pub reason: Option<String>,
}
crate::query::as_decoded!(ReasonParams);

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// An xlsx download named `name` (UTF-8 file names per RFC 6266 / RFC 5987).
pub fn xlsx(name: &str, bytes: Vec<u8>) -> Response {
    download(name, XLSX, bytes)
}

/// A download of `content_type` named `name`.
pub fn download(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect();
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>().replace('+', "%20");
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    ([(CONTENT_TYPE, content_type.to_string()), (CONTENT_DISPOSITION, disposition)], bytes).into_response()
}

/// A change made (answered with `done` and the result) or filed for approval (202 with the
/// request, which the caller can follow in the approvals inbox).
pub fn applied<T: serde::Serialize>(a: app::Applied<T>, done: axum::http::StatusCode) -> Response {
    match a {
        app::Applied::Done(t) => (done, axum::Json(t)).into_response(),
        app::Applied::Requested(r) => (axum::http::StatusCode::ACCEPTED, axum::Json(r)).into_response(),
    }
}

/// The same for a removal: 204, or 202 with the request.
pub fn applied_removal(a: app::Applied<()>) -> Response {
    match a {
        app::Applied::Done(()) => axum::http::StatusCode::NO_CONTENT.into_response(),
        app::Applied::Requested(r) => (axum::http::StatusCode::ACCEPTED, axum::Json(r)).into_response(),
    }
}

/// Today's date in the bureau's time zone, for file names.
pub fn today() -> String {
    app::bureau_today().format("%Y%m%d").to_string()
}

/// The outcome of an import that went through.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ImportReportBody {
    pub created: u64,
    pub updated: u64,
}

impl From<app::import::ImportReport> for ImportReportBody {
    fn from(r: app::import::ImportReport) -> Self {
        ImportReportBody { created: r.created, updated: r.updated }
    }
}

/// An uploaded file: the `file` field of a multipart form, or the raw request body.
pub struct Upload(pub Vec<u8>);

impl<S: Send + Sync> axum::extract::FromRequest<S> for Upload {
    type Rejection = crate::error::ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        use domain::FieldError;
        let missing = || {
            crate::error::ApiError::BadRequest(vec![FieldError::new(
                "file",
                "请选择要上传的文件",
                "no file was uploaded",
            )])
        };
        if !crate::guard::body_type_allowed(req.headers(), true) {
            return Err(crate::guard::wrong_body_type());
        }
        let is_multipart = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !is_multipart {
            let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|_| missing())?;
            return if bytes.is_empty() { Err(missing()) } else { Ok(Upload(bytes.to_vec())) };
        }
        let mut form = axum::extract::Multipart::from_request(req, state).await.map_err(|_| missing())?;
        while let Some(field) = form.next_field().await.map_err(|_| missing())? {
            if field.name() == Some("file") {
                let bytes = field.bytes().await.map_err(|_| missing())?;
                return if bytes.is_empty() { Err(missing()) } else { Ok(Upload(bytes.to_vec())) };
            }
        }
        Err(missing())
    }
}
