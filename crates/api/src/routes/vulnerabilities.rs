//! `/vulnerabilities`: the vulnerability ledger (漏洞台账); `/vulnerability-imports`: scanner
//! output brought into it; `/scan-mappings`: the saved column mappings of spreadsheet exports.

use std::collections::BTreeMap;

use app::vulnerabilities::{ImportFile, ImportOptions, ImportTarget, MAX_SCAN_BYTES};
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::FieldError;
use domain::list::Page;
use domain::vulnerabilities::scans::{ImportPreview, ScanHeaders, ScanImport, ScanMapping, ScanMappingInput};
use domain::vulnerabilities::{
    BulkInput, BulkResult, TicketLinkInput, VulnAssignInput, VulnDetail, VulnFilter, VulnSource, VulnTransitionInput,
    Vulnerability, VulnerabilityInput, parse_severities, parse_statuses,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::xlsx;
use crate::error::{ApiError, ApiResult, ProblemBody};
use crate::extract::{Auth, ClientLang, JsonBody, MultipartFile};
use crate::query::{ListFilter, Listed, Moment, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(import))
        .routes(routes!(headers))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_SCAN_BYTES + 1024 * 1024));
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(export))
        .routes(routes!(bulk))
        .routes(routes!(get))
        .routes(routes!(transition))
        .routes(routes!(assign))
        .routes(routes!(ticket))
        .routes(routes!(imports))
        .routes(routes!(import_file))
        .routes(routes!(mappings, create_mapping))
        .routes(routes!(update_mapping, delete_mapping))
        .merge(uploads)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct VulnParams {
    system_id: Option<String>,
    unit_id: Option<String>,
    /// One or several of critical, high, medium, low (comma-separated).
    severity: Option<String>,
    /// One or several of open, confirmed, fixing, pending, fixed, verified, false_positive,
    /// risk_accepted, or `unresolved` for the first four.
    status: Option<String>,
    /// scan, web_scan, pentest, baseline, notice, self_found
    #[param(value_type = Option<String>)]
    source: Option<VulnSource>,
    assignee_id: Option<String>,
    /// true: the fix clock has breached.
    breached: Option<bool>,
    /// true: the running fix clock has reached its at-risk share and has not breached.
    at_risk: Option<bool>,
    /// Found more than this many days ago.
    older_than_days: Option<u32>,
    /// Found at or after (RFC 3339 or YYYY-MM-DD, the bureau's day).
    #[param(value_type = Option<String>)]
    from: Option<Moment>,
    /// Found before.
    #[param(value_type = Option<String>)]
    to: Option<Moment>,
    /// `CVE-…`
    cve: Option<String>,
    /// Reported by this import.
    import_id: Option<String>,
}

impl ListFilter for VulnParams {
    const SORT_KEYS: &'static [&'static str] = domain::vulnerabilities::SORT_KEYS;
    type Filter = VulnFilter;

    fn check(self) -> Result<VulnFilter, Vec<FieldError>> {
        crate::query::ordered(self.from.as_ref().map(|m| &m.at), self.to.as_ref().map(|m| &m.at))?;
        let statuses = self.status.as_deref().map(parse_statuses).transpose().map_err(|e| vec![e])?;
        let severities = self.severity.as_deref().map(parse_severities).transpose().map_err(|e| vec![e])?;
        Ok(VulnFilter {
            system_id: self.system_id,
            unit_id: self.unit_id,
            severities: severities.unwrap_or_default(),
            statuses: statuses.unwrap_or_default(),
            source: self.source,
            assignee_id: self.assignee_id,
            breached: self.breached,
            at_risk: self.at_risk,
            older_than_days: self.older_than_days,
            found_before: self.to.map(Moment::end_including_day),
            found_from: self.from.map(|m| m.at),
            cve: self.cve.map(|c| c.trim().to_ascii_uppercase()),
            import_id: self.import_id,
            now: None,
        })
    }
}

/// The ledger as the caller may see it: a unit its systems', a vendor those of the systems its
/// contracts cover, the bureau and auditors all. Long texts (description, solution, evidence)
/// are on each finding's own page. Sort keys: found_at (default, newest first), severity,
/// due_at, updated_at, last_seen_at.
#[utoipa::path(get, path = "/vulnerabilities", tag = "vulnerabilities", operation_id = "vulnerabilities_list",
    params(Listed<VulnParams>), responses((status = 200, body = Page<Vulnerability>), (status = 400, body = ProblemBody)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<VulnParams>>,
) -> ApiResult<Json<Page<Vulnerability>>> {
    Ok(Json(s.app.list_vulnerabilities(&auth.principal, &q, &f).await?))
}

/// The (filtered) ledger as xlsx (漏洞修复台账).
#[utoipa::path(get, path = "/vulnerabilities/export.xlsx", tag = "vulnerabilities", operation_id = "vulnerabilities_export",
    params(Listed<VulnParams>),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
async fn export(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<VulnParams>>,
) -> ApiResult<Response> {
    let bytes = s.app.export_vulnerabilities(&auth.principal, &q, &f).await?;
    Ok(xlsx(&format!("漏洞修复台账-{}.xlsx", super::today()), bytes))
}

/// Records a finding (vendor staff or the bureau). When the contract item covering the system
/// names a vulnerability policy with a `fix` target for the severity, the answer carries the
/// fix clock. The same check at the same place of a system is in the ledger once (409).
#[utoipa::path(post, path = "/vulnerabilities", tag = "vulnerabilities", operation_id = "vulnerabilities_create",
    request_body = VulnerabilityInput,
    responses((status = 201, body = VulnDetail), (status = 403, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    ClientLang(lang): ClientLang,
    JsonBody(input): JsonBody<VulnerabilityInput>,
) -> ApiResult<(StatusCode, Json<VulnDetail>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_vulnerability(&auth.principal, input, lang).await?)))
}

/// A finding with its fix clock as of now, its history and the moves the caller may make.
#[utoipa::path(get, path = "/vulnerabilities/{id}", tag = "vulnerabilities", operation_id = "vulnerabilities_get",
    params(("id" = String, Path)), responses((status = 200, body = VulnDetail), (status = 404, body = ProblemBody)))]
async fn get(
    State(s): State<AppState>,
    auth: Auth,
    ClientLang(lang): ClientLang,
    Path(id): Path<String>,
) -> ApiResult<Json<VulnDetail>> {
    Ok(Json(s.app.get_vulnerability(&auth.principal, &id, lang).await?))
}

/// Moves a finding through its lifecycle. The vendor's false positive, accepted risk and pause
/// are requests to the bureau (202 with the request; the move counts from the request once
/// approved); verifying a fix by hand and reopening are the bureau's.
#[utoipa::path(post, path = "/vulnerabilities/{id}/transitions", tag = "vulnerabilities", operation_id = "vulnerabilities_transition",
    params(("id" = String, Path)), request_body = VulnTransitionInput,
    responses((status = 200, body = VulnDetail), (status = 202, body = domain::approvals::Approval), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn transition(
    State(s): State<AppState>,
    auth: Auth,
    ClientLang(lang): ClientLang,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<VulnTransitionInput>,
) -> ApiResult<Response> {
    let done = s.app.transition_vulnerability(&auth.principal, &id, input, lang).await?;
    Ok(super::applied(done, StatusCode::OK))
}

/// Gives the finding to an engineer or manager of the vendor maintaining the system.
#[utoipa::path(post, path = "/vulnerabilities/{id}/assign", tag = "vulnerabilities", operation_id = "vulnerabilities_assign",
    params(("id" = String, Path)), request_body = VulnAssignInput,
    responses((status = 200, body = VulnDetail), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn assign(
    State(s): State<AppState>,
    auth: Auth,
    ClientLang(lang): ClientLang,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<VulnAssignInput>,
) -> ApiResult<Json<VulnDetail>> {
    Ok(Json(s.app.assign_vulnerability(&auth.principal, &id, input, lang).await?))
}

/// Links a ticket of the same system to the finding, or opens one for its fix.
#[utoipa::path(post, path = "/vulnerabilities/{id}/ticket", tag = "vulnerabilities", operation_id = "vulnerabilities_ticket",
    params(("id" = String, Path)), request_body = TicketLinkInput,
    responses((status = 200, body = VulnDetail), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn ticket(
    State(s): State<AppState>,
    auth: Auth,
    ClientLang(lang): ClientLang,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<TicketLinkInput>,
) -> ApiResult<Json<VulnDetail>> {
    Ok(Json(s.app.vulnerability_ticket(&auth.principal, &id, input, lang).await?))
}

/// Moves or assigns up to 1,000 findings at once, all or nothing. The vendor's false
/// positives, accepted risks and pauses become one request for the bureau (`request_id`).
#[utoipa::path(post, path = "/vulnerabilities/bulk", tag = "vulnerabilities", operation_id = "vulnerabilities_bulk",
    request_body = BulkInput,
    responses((status = 200, body = BulkResult), (status = 403, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn bulk(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<BulkInput>,
) -> ApiResult<Json<BulkResult>> {
    Ok(Json(s.app.bulk_vulnerabilities(&auth.principal, input).await?))
}

/// A scanner's report: `file` (Nessus `.nessus`, OpenVAS/Greenbone XML, or an xlsx/CSV export),
/// and where its findings go — `system_id`, or `hosts` (JSON: host, IP or CIDR → system id; hosts
/// it does not name are matched with the systems' registered addresses); for a spreadsheet
/// `mapping` (JSON) or `mapping_id`; `source` (default scan); `dry_run` (`true`: only preview).
#[derive(ToSchema)]
#[allow(dead_code)]
struct ImportForm {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    system_id: Option<String>,
    hosts: Option<String>,
    mapping: Option<String>,
    mapping_id: Option<String>,
    source: Option<String>,
    dry_run: Option<bool>,
}

fn json_field<T: serde::de::DeserializeOwned>(f: &MultipartFile, name: &str) -> Result<Option<T>, ApiError> {
    let Some(raw) = f.fields.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) else { return Ok(None) };
    serde_json::from_str(raw).map(Some).map_err(|e| {
        ApiError::BadRequest(vec![FieldError::new(name, format!("须为 JSON：{e}"), format!("must be JSON: {e}"))])
    })
}

/// Imports a scan into the ledger. With `dry_run` the answer is the preview — how many findings
/// it would create, update (seen again), reopen (fixed, reported again) and verify (fixed, no
/// longer reported on a host the scan covered), and the rows it cannot use — and nothing is
/// written. Without it the findings are written in one transaction, or none when any row is
/// unusable (422 naming the rows). Importing the same file again creates nothing new.
#[utoipa::path(post, path = "/vulnerability-imports", tag = "vulnerabilities", operation_id = "vulnerabilities_import",
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportPreview), (status = 201, body = ImportPreview), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn import(State(s): State<AppState>, auth: Auth, req: Request) -> ApiResult<(StatusCode, Json<ImportPreview>)> {
    let f = MultipartFile::read(req, &s).await?;
    let dry_run = f.fields.get("dry_run").is_some_and(|v| matches!(v.trim(), "true" | "1"));
    let system_id = f.fields.get("system_id").map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let hosts: Option<BTreeMap<String, String>> = json_field(&f, "hosts")?;
    let target = match (system_id, hosts) {
        (Some(id), _) => ImportTarget::System(id),
        (None, h) => ImportTarget::Hosts(h.unwrap_or_default()),
    };
    let options = ImportOptions {
        target,
        mapping: json_field(&f, "mapping")?,
        mapping_id: f.fields.get("mapping_id").map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
        source: f.fields.get("source").cloned(),
        dry_run,
    };
    let file = ImportFile { name: f.file_name, bytes: f.bytes };
    let preview = s.app.import_vulnerabilities(&auth.principal, file, options).await?;
    Ok((if dry_run { StatusCode::OK } else { StatusCode::CREATED }, Json(preview)))
}

/// The header row of a spreadsheet export (`file`) and the column mapping guessed from it.
#[utoipa::path(post, path = "/vulnerability-imports/headers", tag = "vulnerabilities", operation_id = "vulnerabilities_import_headers",
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses((status = 200, body = ScanHeaders), (status = 422, body = ProblemBody)))]
async fn headers(State(s): State<AppState>, auth: Auth, req: Request) -> ApiResult<Json<ScanHeaders>> {
    let f = MultipartFile::read(req, &s).await?;
    Ok(Json(s.app.scan_headers(&auth.principal, f.bytes).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ImportParams {
    system_id: Option<String>,
}

impl ListFilter for ImportParams {
    const SORT_KEYS: &'static [&'static str] = &[];
    type Filter = Option<String>;

    fn check(self) -> Result<Option<String>, Vec<FieldError>> {
        Ok(self.system_id)
    }
}

/// The imports of scans the caller may see, newest first.
#[utoipa::path(get, path = "/vulnerability-imports", tag = "vulnerabilities", operation_id = "vulnerabilities_imports",
    params(Listed<ImportParams>), responses((status = 200, body = Page<ScanImport>), (status = 400, body = ProblemBody)))]
async fn imports(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, system_id)): Query<Listed<ImportParams>>,
) -> ApiResult<Json<Page<ScanImport>>> {
    Ok(Json(s.app.list_scan_imports(&auth.principal, &q, system_id.as_deref()).await?))
}

/// The scanner's file an import brought, as uploaded (the evidence of the scan).
#[utoipa::path(get, path = "/vulnerability-imports/{id}/file", tag = "vulnerabilities", operation_id = "vulnerabilities_import_file",
    params(("id" = String, Path)), responses((status = 200, body = Vec<u8>), (status = 404, body = ProblemBody)))]
async fn import_file(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Response> {
    let (i, bytes) = s.app.scan_import_file(&auth.principal, &id).await?;
    Ok(MultipartFile::response(&i.file_name, "application/octet-stream", bytes))
}

/// The saved column mappings of spreadsheet exports (vendor staff and the bureau).
#[utoipa::path(get, path = "/scan-mappings", tag = "vulnerabilities", operation_id = "scan_mappings_list",
    responses((status = 200, body = Vec<ScanMapping>)))]
async fn mappings(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<ScanMapping>>> {
    Ok(Json(s.app.scan_mappings(&auth.principal).await?))
}

/// Saves a column mapping under a name (409 for a name in use).
#[utoipa::path(post, path = "/scan-mappings", tag = "vulnerabilities", operation_id = "scan_mappings_create",
    request_body = ScanMappingInput,
    responses((status = 201, body = ScanMapping), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn create_mapping(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<ScanMappingInput>,
) -> ApiResult<(StatusCode, Json<ScanMapping>)> {
    Ok((StatusCode::CREATED, Json(s.app.save_scan_mapping(&auth.principal, None, input).await?)))
}

#[utoipa::path(put, path = "/scan-mappings/{id}", tag = "vulnerabilities", operation_id = "scan_mappings_update",
    params(("id" = String, Path)), request_body = ScanMappingInput,
    responses((status = 200, body = ScanMapping), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update_mapping(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<ScanMappingInput>,
) -> ApiResult<Json<ScanMapping>> {
    Ok(Json(s.app.save_scan_mapping(&auth.principal, Some(&id), input).await?))
}

#[utoipa::path(delete, path = "/scan-mappings/{id}", tag = "vulnerabilities", operation_id = "scan_mappings_delete",
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = ProblemBody)))]
async fn delete_mapping(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_scan_mapping(&auth.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
