//! The routes every registry resource (units, vendors, systems, assets) has in common: list,
//! xlsx export, create, get, update, delete. One macro writes them with their OpenAPI entries, so
//! the four resources cannot drift apart; what a resource has of its own (its query parameters,
//! its import) stays in its module.

/// Writes `list`, `export`, `create`, `get`, `update` and `delete` handlers for one resource, and
/// its `router()` with them and with the resource's own handler `also` (its import), if any.
///
/// - `list: list_x(q, f)` names the `App` method and the arguments it takes after the principal;
///   `bind` is the pattern the decoded `Listed<params>` query is bound to (`(q, ())` when the
///   resource has no filter of its own).
/// - `sheet` is the name of the exported file, before the date.
/// - The doc comments before `list` and `export` become those operations' OpenAPI summaries.
macro_rules! registry_routes {
    (
        tag: $tag:tt,
        paths: ($path:tt, $export_path:tt, $item_path:tt),
        params: $params:ty,
        item: $item:ty,
        input: $input:ty,
        $(#[$list_doc:meta])*
        list: $list:ident($($arg:ident),+) as $bind:pat,
        $(#[$export_doc:meta])*
        export: $export:ident as $sheet:tt,
        create: $create:ident,
        get: $get:ident,
        update: $update:ident,
        delete: $delete:ident
        $(, also: $also:ident)? $(,)?
    ) => {
        pub fn router() -> OpenApiRouter<AppState> {
            OpenApiRouter::new()
                .routes(routes!(list, create))
                .routes(routes!(export))
                $(.routes(routes!($also)))?
                .routes(routes!(get, update, delete))
        }

        $(#[$list_doc])*
        #[utoipa::path(get, path = $path, tag = $tag, operation_id = concat!($tag, "_list"), params(Listed<$params>),
            responses((status = 200, body = Page<$item>), (status = 400, body = ProblemBody)))]
        async fn list(
            State(s): State<AppState>,
            auth: Auth,
            Query(listed): Query<Listed<$params>>,
        ) -> ApiResult<Json<Page<$item>>> {
            let $bind = listed;
            Ok(Json(s.app.$list(&auth.principal, $(&$arg),+).await?))
        }

        $(#[$export_doc])*
        #[utoipa::path(get, path = $export_path, tag = $tag, operation_id = concat!($tag, "_export"), params(Listed<$params>),
            responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
        async fn export(State(s): State<AppState>, auth: Auth, Query(listed): Query<Listed<$params>>) -> ApiResult<Response> {
            let $bind = listed;
            let bytes = s.app.$export(&auth.principal, $(&$arg),+).await?;
            Ok(super::xlsx(&format!(concat!($sheet, "-{}.xlsx"), super::today()), bytes))
        }

        #[utoipa::path(post, path = $path, tag = $tag, operation_id = concat!($tag, "_create"), request_body = $input,
            responses((status = 201, body = $item), (status = 422, body = ProblemBody), (status = 409, body = ProblemBody)))]
        async fn create(
            State(s): State<AppState>,
            auth: Auth,
            JsonBody(input): JsonBody<$input>,
        ) -> ApiResult<(StatusCode, Json<$item>)> {
            Ok((StatusCode::CREATED, Json(s.app.$create(&auth.principal, input).await?)))
        }

        #[utoipa::path(get, path = $item_path, tag = $tag, operation_id = concat!($tag, "_get"), params(("id" = String, Path)),
            responses((status = 200, body = $item), (status = 404, body = ProblemBody)))]
        async fn get(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<$item>> {
            Ok(Json(s.app.$get(&auth.principal, &id).await?))
        }

        #[utoipa::path(put, path = $item_path, tag = $tag, operation_id = concat!($tag, "_update"), params(("id" = String, Path)), request_body = $input,
            responses((status = 200, body = $item), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
        async fn update(
            State(s): State<AppState>,
            auth: Auth,
            Path(id): Path<String>,
            JsonBody(input): JsonBody<$input>,
        ) -> ApiResult<Json<$item>> {
            Ok(Json(s.app.$update(&auth.principal, &id, input).await?))
        }

        #[utoipa::path(delete, path = $item_path, tag = $tag, operation_id = concat!($tag, "_delete"), params(("id" = String, Path)),
            responses((status = 204), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody)))]
        async fn delete(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
            s.app.$delete(&auth.principal, &id).await?;
            Ok(StatusCode::NO_CONTENT)
        }
    };
}
pub(crate) use registry_routes;
