//! The app's one error enum; the API maps it to HTTP in one place.

use domain::{FieldError, Msg};
use store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Missing, or not visible to the caller — the two are indistinguishable on purpose.
    #[error("not found")]
    NotFound,
    /// The request is well-formed but clashes with stored data (a duplicate, a reference).
    #[error("conflict: {}", .msg.en)]
    Conflict { msg: Msg, field: Option<String> },
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("forbidden")]
    Forbidden,
    #[error("unauthenticated: {}", .0.en)]
    Unauthenticated(Msg),
    /// Sign-in needs (`totp_required`) or got a wrong (`totp_invalid`) second factor.
    #[error("second factor: {code}")]
    SecondFactor { code: &'static str, msg: Msg },
    /// The session may only change its password (or enrol a second factor) until it does.
    #[error("restricted session: {code}")]
    Restricted { code: &'static str, msg: Msg },
    /// An identity provider could not be reached or answered something unusable (502).
    #[error("identity provider: {}", .0.en)]
    Upstream(Msg),
    /// Too many attempts (sign-in limits, no free password check): try again after the delay.
    #[error("too many requests; retry after {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    /// Something the caller cannot fix; `source` keeps the cause for the log (the client sees
    /// no internals).
    #[error("internal error: {what}")]
    Internal {
        what: String,
        #[source]
        source: Option<store::BoxError>,
    },
}

pub type Result<T> = std::result::Result<T, AppError>;

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(_) => AppError::Conflict {
                msg: Msg::new("与已有记录重复", "duplicates an existing record"),
                field: None,
            },
            StoreError::Referenced(_) => AppError::Conflict {
                msg: Msg::new(
                    "该记录仍被其他记录引用，或引用的记录不存在",
                    "the record is still referenced, or refers to a missing record",
                ),
                field: None,
            },
            e @ (StoreError::Db { .. } | StoreError::Corrupt(_)) => {
                AppError::Internal { what: "store".into(), source: Some(Box::new(e)) }
            }
        }
    }
}

impl From<Vec<FieldError>> for AppError {
    fn from(e: Vec<FieldError>) -> Self {
        AppError::Validation(e)
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Validation(vec![e])
    }
}

impl AppError {
    /// The error and each of its causes, `a: b: c`, for the log.
    pub fn chain(&self) -> String {
        let mut out = self.to_string();
        let mut next = std::error::Error::source(self);
        while let Some(s) = next {
            out.push_str(": ");
            out.push_str(&s.to_string());
            next = s.source();
        }
        out
    }

    /// An internal failure described by `what`.
    pub fn internal(what: impl Into<String>) -> Self {
        AppError::Internal { what: what.into(), source: None }
    }

    /// An internal failure described by `what`, caused by `source`.
    pub fn internal_from(what: impl Into<String>, source: impl Into<store::BoxError>) -> Self {
        AppError::Internal { what: what.into(), source: Some(source.into()) }
    }

    pub fn conflict(field: Option<&str>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::Conflict { msg: Msg::new(zh, en), field: field.map(str::to_string) }
    }

    /// Turns a unique-constraint failure into a conflict on `field` with a readable message.
    pub(crate) fn unique(field: &'static str, zh: &'static str, en: &'static str) -> impl Fn(StoreError) -> AppError {
        move |e| match e {
            StoreError::Conflict(_) => AppError::conflict(Some(field), zh, en),
            other => other.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_keeps_its_causes() {
        let e = AppError::from(StoreError::db("query failed", std::io::Error::other("disk I/O error")));
        let chain = e.chain();
        assert!(chain.starts_with("internal error: store: database error: query failed"), "{chain}");
        assert!(chain.ends_with("disk I/O error"), "{chain}");
        let io = std::io::Error::other("no space left on device");
        assert!(AppError::internal_from("writing ticket file", io).chain().contains("no space left"));
    }
}
