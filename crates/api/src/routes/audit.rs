//! `/audit` — auditors and administrators only.

use app::audit::AuditFilter;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use domain::FieldError;
use domain::audit::{AuditRecord, ChainBreak};
use domain::list::Page;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::xlsx;
use crate::error::{ApiResult, ProblemBody};
use crate::extract::Auth;
use crate::query::{ListFilter, Listed, Moment, Query, QueryParams};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(export)).routes(routes!(verify)).routes(routes!(archive))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditParams {
    actor_id: Option<String>,
    object_type: Option<String>,
    object_id: Option<String>,
    action: Option<String>,
    /// From this instant (RFC 3339) or date (YYYY-MM-DD, Beijing time), inclusive.
    #[param(value_type = Option<String>)]
    from: Option<Moment>,
    /// Until this instant or date, exclusive.
    #[param(value_type = Option<String>)]
    to: Option<Moment>,
}

impl ListFilter for AuditParams {
    const SORT_KEYS: &'static [&'static str] = app::audit::SORT_KEYS;
    type Filter = AuditFilter;

    fn check(self) -> Result<AuditFilter, Vec<FieldError>> {
        crate::query::ordered(self.from.as_ref().map(|m| &m.at), self.to.as_ref().map(|m| &m.at))?;
        Ok(AuditFilter {
            actor_id: self.actor_id,
            object_type: self.object_type,
            object_id: self.object_id,
            action: self.action,
            from: self.from.map(|m| m.at),
            to: self.to.map(|m| m.at),
        })
    }
}

/// Audit records, oldest first unless `order=desc`. Sort keys: seq, at.
#[utoipa::path(get, path = "/audit", tag = "audit", operation_id = "audit_list", params(Listed<AuditParams>),
    responses((status = 200, body = Page<AuditRecord>), (status = 403, body = ProblemBody)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<AuditParams>>,
) -> ApiResult<Json<Page<AuditRecord>>> {
    Ok(Json(s.app.list_audit(&auth.principal, &q, &f).await?))
}

#[utoipa::path(get, path = "/audit/export.xlsx", tag = "audit", operation_id = "audit_export", params(Listed<AuditParams>),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
async fn export(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<AuditParams>>,
) -> ApiResult<Response> {
    let bytes = s.app.export_audit(&auth.principal, &q, &f).await?;
    Ok(xlsx(&format!("审计日志-{}.xlsx", super::today()), bytes))
}

#[derive(Serialize, ToSchema)]
pub struct VerifyBody {
    pub intact: bool,
    pub checked: u64,
    pub last_seq: i64,
    pub last_hash: String,
    pub breaks: Vec<ChainBreak>,
}

/// Walks the whole hash chain and reports any altered, inserted or removed record.
#[utoipa::path(get, path = "/audit/verify", tag = "audit", operation_id = "audit_verify",
    responses((status = 200, body = VerifyBody), (status = 403, body = ProblemBody)))]
async fn verify(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<VerifyBody>> {
    let r = s.app.verify_audit(&auth.principal).await?;
    Ok(Json(VerifyBody {
        intact: r.intact(),
        checked: r.checked,
        last_seq: r.last_seq,
        last_hash: r.last_hash,
        breaks: r.breaks,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ArchiveParams {
    /// The first record (default: the first of the chain).
    from_seq: Option<i64>,
    /// The last record (default: the last of the chain).
    to_seq: Option<i64>,
}

impl QueryParams for ArchiveParams {
    type Value = (Option<i64>, Option<i64>);

    fn check(self) -> Result<Self::Value, Vec<FieldError>> {
        if let (Some(a), Some(b)) = (self.from_seq, self.to_seq)
            && a > b
        {
            return Err(vec![FieldError::new("to_seq", "不能小于 from_seq", "must not be below from_seq")]);
        }
        Ok((self.from_seq, self.to_seq))
    }
}

/// An archive of a segment of the chain (JSON Lines: a header with the hash the first record
/// links to and the last record's hash, then each record with its hashes), verifiable on its own
/// with `yunwei audit verify-archive FILE` and against the live chain by its last hash.
#[utoipa::path(get, path = "/audit/archive", tag = "audit", operation_id = "audit_archive", params(ArchiveParams),
    responses((status = 200, content_type = "application/x-ndjson", body = Vec<u8>), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn archive(
    State(s): State<AppState>,
    auth: Auth,
    Query((from, to)): Query<ArchiveParams>,
) -> ApiResult<Response> {
    let bytes = s.app.archive_audit(&auth.principal, from, to).await?;
    Ok(super::download(&format!("审计归档-{}.jsonl", super::today()), "application/x-ndjson", bytes))
}
