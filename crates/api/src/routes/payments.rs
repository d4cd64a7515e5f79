//! `/contracts/{id}/payments`: what a contract's milestones come to after its assessments, what
//! was paid, what remains.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::payments::{PaymentInput, PaymentRecord, PaymentSummary};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ProblemBody};
use crate::extract::{Auth, JsonBody};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(summary, record)).routes(routes!(delete))
}

/// Each milestone (its amount, the deduction of its period's final assessment, what is payable
/// and paid), the payments, and the contract's total, deducted, paid and outstanding amounts.
/// The bureau, the auditor and the vendor's manager; others 404.
#[utoipa::path(get, path = "/contracts/{id}/payments", tag = "assessments", operation_id = "payments_summary",
    params(("id" = String, Path)), responses((status = 200, body = PaymentSummary), (status = 404, body = ProblemBody)))]
async fn summary(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<PaymentSummary>> {
    Ok(Json(s.app.payment_summary(&auth.principal, &id).await?))
}

/// Records a payment (the bureau): date, amount, voucher (once per contract), optionally the
/// milestone it pays. Never more than the outstanding amount.
#[utoipa::path(post, path = "/contracts/{id}/payments", tag = "assessments", operation_id = "payments_record",
    params(("id" = String, Path)), request_body = PaymentInput,
    responses((status = 201, body = PaymentRecord), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn record(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<PaymentInput>,
) -> ApiResult<(StatusCode, Json<PaymentRecord>)> {
    Ok((StatusCode::CREATED, Json(s.app.record_payment(&auth.principal, &id, input).await?)))
}

/// Removes a payment recorded by mistake (the bureau).
#[utoipa::path(delete, path = "/contracts/{id}/payments/{payment_id}", tag = "assessments", operation_id = "payments_delete",
    params(("id" = String, Path), ("payment_id" = String, Path)),
    responses((status = 204), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn delete(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, payment_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    s.app.delete_payment(&auth.principal, &id, &payment_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
