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
    /// Too many attempts (sign-in limits, no free password check): try again after the delay.
    #[error("too many requests; retry after {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("internal error: {0}")]
    Internal(String),
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
            StoreError::Db(m) | StoreError::Corrupt(m) => AppError::Internal(m),
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
