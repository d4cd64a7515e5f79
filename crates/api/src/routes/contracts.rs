//! `/contracts` and their items.

use app::contracts::ContractFilter;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::FieldError;
use domain::list::Page;
use domain::registry::{Contract, ContractInput, ContractItem, ContractItemInput};
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
        .routes(routes!(list_items, add_item))
        .routes(routes!(get_item, update_item, delete_item))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ContractParams {
    vendor_id: Option<String>,
}

impl ListFilter for ContractParams {
    const SORT_KEYS: &'static [&'static str] = app::contracts::SORT_KEYS;
    type Filter = ContractFilter;

    fn check(self) -> Result<ContractFilter, Vec<FieldError>> {
        Ok(ContractFilter { vendor_id: self.vendor_id })
    }
}

/// List contracts the caller may see, with their items. Sort keys: name, code, signed_on,
/// created_at, updated_at. A unit user sees only the items covering its own systems.
#[utoipa::path(get, path = "/contracts", tag = "contracts", operation_id = "contracts_list", params(Listed<ContractParams>),
    responses((status = 200, body = Page<Contract>), (status = 400, body = ProblemBody)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<ContractParams>>,
) -> ApiResult<Json<Page<Contract>>> {
    Ok(Json(s.app.list_contracts(&auth.principal, &q, &f).await?))
}

/// The (filtered) list as xlsx, one row per item.
#[utoipa::path(get, path = "/contracts/export.xlsx", tag = "contracts", operation_id = "contracts_export", params(Listed<ContractParams>),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
async fn export(
    State(s): State<AppState>,
    auth: Auth,
    Query((q, f)): Query<Listed<ContractParams>>,
) -> ApiResult<Response> {
    let bytes = s.app.export_contracts(&auth.principal, &q, &f).await?;
    Ok(xlsx(&format!("合同-{}.xlsx", super::today()), bytes))
}

/// Creates a contract with its items (budgets in fen, periods as YYYY-MM-DD).
#[utoipa::path(post, path = "/contracts", tag = "contracts", operation_id = "contracts_create", request_body = ContractInput,
    responses((status = 201, body = Contract), (status = 422, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<ContractInput>,
) -> ApiResult<(StatusCode, Json<Contract>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_contract(&auth.principal, input).await?)))
}

#[utoipa::path(get, path = "/contracts/{id}", tag = "contracts", operation_id = "contracts_get", params(("id" = String, Path)),
    responses((status = 200, body = Contract), (status = 404, body = ProblemBody)))]
async fn get(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Contract>> {
    Ok(Json(s.app.get_contract(&auth.principal, &id).await?))
}

/// Replaces the contract: items carrying an `id` are updated (their ids stay), items without one
/// are added, items left out are removed.
#[utoipa::path(put, path = "/contracts/{id}", tag = "contracts", operation_id = "contracts_update", params(("id" = String, Path)), request_body = ContractInput,
    responses((status = 200, body = Contract), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<ContractInput>,
) -> ApiResult<Json<Contract>> {
    Ok(Json(s.app.update_contract(&auth.principal, &id, input).await?))
}

#[utoipa::path(delete, path = "/contracts/{id}", tag = "contracts", operation_id = "contracts_delete", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody)))]
async fn delete(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.delete_contract(&auth.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/contracts/{id}/items", tag = "contracts", operation_id = "contracts_list_items", params(("id" = String, Path)),
    responses((status = 200, body = Page<ContractItem>), (status = 404, body = ProblemBody)))]
async fn list_items(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Page<ContractItem>>> {
    Ok(Json(Page::whole(s.app.list_contract_items(&auth.principal, &id).await?)))
}

#[utoipa::path(post, path = "/contracts/{id}/items", tag = "contracts", operation_id = "contracts_add_item", params(("id" = String, Path)), request_body = ContractItemInput,
    responses((status = 201, body = ContractItem), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn add_item(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<ContractItemInput>,
) -> ApiResult<(StatusCode, Json<ContractItem>)> {
    Ok((StatusCode::CREATED, Json(s.app.add_contract_item(&auth.principal, &id, input).await?)))
}

#[utoipa::path(get, path = "/contracts/{id}/items/{item_id}", tag = "contracts", operation_id = "contracts_get_item",
    params(("id" = String, Path), ("item_id" = String, Path)),
    responses((status = 200, body = ContractItem), (status = 404, body = ProblemBody)))]
async fn get_item(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, item_id)): Path<(String, String)>,
) -> ApiResult<Json<ContractItem>> {
    Ok(Json(s.app.get_contract_item(&auth.principal, &id, &item_id).await?))
}

#[utoipa::path(put, path = "/contracts/{id}/items/{item_id}", tag = "contracts", operation_id = "contracts_update_item",
    params(("id" = String, Path), ("item_id" = String, Path)), request_body = ContractItemInput,
    responses((status = 200, body = ContractItem), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn update_item(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, item_id)): Path<(String, String)>,
    JsonBody(input): JsonBody<ContractItemInput>,
) -> ApiResult<Json<ContractItem>> {
    Ok(Json(s.app.update_contract_item(&auth.principal, &id, &item_id, input).await?))
}

#[utoipa::path(delete, path = "/contracts/{id}/items/{item_id}", tag = "contracts", operation_id = "contracts_delete_item",
    params(("id" = String, Path), ("item_id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody)))]
async fn delete_item(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, item_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    s.app.delete_contract_item(&auth.principal, &id, &item_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
