//! Query strings: one typed struct per query, which both decodes the request and documents it
//! (`serde::Deserialize` + `utoipa::IntoParams`), so the parameters a route accepts are the ones
//! `openapi.json` lists.
//!
//! `Query<T>` reads the query string into `T` through a deserializer that knows the query's
//! conventions (see `de`): values are trimmed and an empty one counts as absent, `true`/`1` and
//! `false`/`0` are booleans, numbers are decimal, enums are named in snake_case. Every bad value
//! is answered at once, by name, in one 400 — not only the first — in the order the parameters
//! are documented, followed by what `QueryParams::check` finds about the values together (page
//! ranges, sort keys). Parameters `T` does not document are ignored (a browser's or a proxy's
//! cache-buster, a tracking parameter); a control character anywhere in the query is refused.

mod de;
#[cfg(test)]
mod tests;
mod types;

use std::collections::{BTreeMap, HashMap};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use domain::FieldError;
use domain::list::ListQuery;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;
use utoipa::openapi::Required;
use utoipa::openapi::path::{Parameter, ParameterIn};

pub use self::types::{Day, Moment, Month};
use crate::error::ApiError;

/// A struct of query parameters and what it checks into: the handler gets `Value`.
pub trait QueryParams: DeserializeOwned + IntoParams {
    type Value;
    /// Checks of the decoded values together (ranges, combinations), and their translation
    /// into what the use case takes.
    fn check(self) -> Result<Self::Value, Vec<FieldError>>;
}

/// The checked value of the query string's `T`.
pub struct Query<T: QueryParams>(pub T::Value);

impl<S: Send + Sync, T: QueryParams> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse::<T>(parts.uri.query().unwrap_or("")).map(Query).map_err(ApiError::BadRequest)
    }
}

/// Queries whose decoded struct is what the handler uses.
macro_rules! as_decoded {
    ($($t:ty),+ $(,)?) => {$(
        impl $crate::query::QueryParams for $t {
            type Value = $t;
            fn check(self) -> Result<$t, Vec<domain::FieldError>> {
                Ok(self)
            }
        }
    )+};
}
pub(crate) use as_decoded;

/// The parameters every list takes.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Page number, from 1 (default 1).
    page: Option<u64>,
    /// Rows per page, 1–500 (default 20).
    page_size: Option<u64>,
    /// Sort key; each list names its own.
    sort: Option<String>,
    /// `asc` (default) or `desc`.
    order: Option<String>,
    /// Free text matched against names.
    q: Option<String>,
}

impl ListParams {
    /// Paging and sorting, checked against the list's sort keys.
    pub fn check(self, sort_keys: &[&str]) -> Result<ListQuery, Vec<FieldError>> {
        ListQuery::parse(
            self.page,
            self.page_size,
            self.sort.as_deref(),
            self.order.as_deref(),
            self.q.as_deref(),
            sort_keys,
        )
    }
}

/// A list's own filters: the parameters it takes besides `ListParams`, and the keys it sorts by.
pub trait ListFilter: DeserializeOwned + IntoParams {
    const SORT_KEYS: &'static [&'static str];
    type Filter;
    fn check(self) -> Result<Self::Filter, Vec<FieldError>>;
}

/// A list's query: `ListParams` and the list's filters, read from the one query string and
/// documented together (the `sort` parameter naming the list's keys).
pub struct Listed<F>(ListParams, F);

impl<'de, F: Deserialize<'de>> Deserialize<'de> for Listed<F> {
    /// Both halves read the whole query string (see `de`), each taking the names it knows.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (list, filter) = <(ListParams, F)>::deserialize(d)?;
        Ok(Listed(list, filter))
    }
}

impl<F: ListFilter> IntoParams for Listed<F> {
    fn into_params(parameter_in_provider: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let mut params = ListParams::into_params(&parameter_in_provider);
        for p in params.iter_mut().filter(|p| p.name == "sort") {
            p.description = Some(format!("Sort key, one of: {}.", F::SORT_KEYS.join(", ")));
        }
        params.extend(F::into_params(parameter_in_provider));
        params
    }
}

impl<F: ListFilter> QueryParams for Listed<F> {
    type Value = (ListQuery, F::Filter);

    fn check(self) -> Result<Self::Value, Vec<FieldError>> {
        match (self.0.check(F::SORT_KEYS), self.1.check()) {
            (Ok(q), Ok(f)) => Ok((q, f)),
            (q, f) => Err(q.err().into_iter().chain(f.err()).flatten().collect()),
        }
    }
}

/// A list with no filters of its own, sorted by `$keys`.
macro_rules! unfiltered {
    ($(#[$m:meta])* $name:ident, $keys:expr) => {
        $(#[$m])*
        #[derive(serde::Deserialize, utoipa::IntoParams)]
        #[into_params(parameter_in = Query)]
        pub struct $name {}

        impl $crate::query::ListFilter for $name {
            const SORT_KEYS: &'static [&'static str] = $keys;
            type Filter = ();
            fn check(self) -> Result<(), Vec<domain::FieldError>> {
                Ok(())
            }
        }
    };
}
pub(crate) use unfiltered;

/// Reads and checks a query string as `T`; the errors name the parameters.
pub fn parse<T: QueryParams>(query: &str) -> Result<T::Value, Vec<FieldError>> {
    // A repeated name keeps its last value.
    let raw: HashMap<String, String> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let mut bad: Vec<FieldError> = raw
        .iter()
        .filter(|(k, v)| domain::error::has_control_chars(k) || domain::error::has_control_chars(v))
        .map(|(k, _)| FieldError::control_chars(k.escape_default().to_string()))
        .collect();
    if !bad.is_empty() {
        bad.sort_by(|a, b| a.field.cmp(&b.field));
        return Err(bad);
    }
    let mut values: BTreeMap<String, String> = raw
        .into_iter()
        .filter_map(|(k, v)| {
            let v = v.trim();
            (!v.is_empty()).then(|| (k, v.to_string()))
        })
        .collect();
    let documented = T::into_params(|| Some(ParameterIn::Query));
    let mut errors: Vec<FieldError> = documented
        .iter()
        .filter(|p| matches!(p.required, Required::True) && !values.contains_key(&p.name))
        .map(|p| FieldError::required(&p.name))
        .collect();
    // A value that does not decode is reported and set aside, and the rest decoded again, so
    // that every bad value is named at once.
    let decoded = loop {
        match T::deserialize(de::Values(&values)) {
            Ok(t) => break Some(t),
            Err(e) => {
                let field = e.field().map(str::to_string);
                let known = field.as_ref().is_some_and(|f| errors.iter().any(|x| &x.field == f));
                if e.is_missing() {
                    if !known {
                        errors.push(e.into_field_error());
                    }
                    break None;
                }
                errors.push(e.into_field_error());
                match field {
                    Some(f) if values.remove(&f).is_some() => continue,
                    _ => break None,
                }
            }
        }
    };
    let position = |f: &str| documented.iter().position(|p| p.name == f).unwrap_or(usize::MAX);
    errors.sort_by_key(|e| position(&e.field));
    match decoded.map(T::check) {
        Some(Ok(v)) if errors.is_empty() => Ok(v),
        Some(Err(more)) => {
            errors.extend(more);
            Err(errors)
        }
        _ if errors.is_empty() => Err(vec![FieldError::new("query", "查询参数无效", "the query is not valid")]),
        _ => Err(errors),
    }
}

/// A `from`–`to` range must not run backwards: an empty list would hide the typing mistake.
pub fn ordered<T: PartialOrd>(from: Option<&T>, to: Option<&T>) -> Result<(), Vec<FieldError>> {
    match (from, to) {
        (Some(f), Some(t)) if t < f => Err(vec![FieldError::new(
            "to",
            "结束时间早于开始时间，请检查时间范围",
            "is before `from`: check the range",
        )]),
        _ => Ok(()),
    }
}
