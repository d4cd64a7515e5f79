//! The registry: units, vendors and their staff, contracts with items, systems and assets.
//! Each object has a stored form and an input form; `validate` turns input into a clean value or
//! a list of field errors.

mod contracts;
mod parties;
mod systems;

pub use contracts::*;
pub use parties::*;
pub use systems::*;

use chrono::NaiveDate;

use crate::error::{Checker, FieldError};

/// Parses `YYYY-MM-DD`, the only date format the API accepts.
pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        FieldError::new(
            field,
            "日期格式应为 YYYY-MM-DD",
            "must be a date in the form YYYY-MM-DD",
        )
    })
}

impl Checker {
    pub fn optional_date(&mut self, field: &str, value: Option<&str>) -> Option<NaiveDate> {
        let v = value.map(str::trim).filter(|v| !v.is_empty())?;
        match parse_date(field, v) {
            Ok(d) => Some(d),
            Err(e) => {
                self.push(e);
                None
            }
        }
    }

    pub fn required_date(&mut self, field: &str, value: Option<&str>) -> Option<NaiveDate> {
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => {
                self.push(FieldError::required(field));
                None
            }
            Some(v) => self.optional_date(field, Some(v)),
        }
    }

    /// Ids are opaque strings; only their presence and length are checked here. Whether the id
    /// exists (and is visible to the caller) is the app's question.
    pub fn required_id(&mut self, field: &str, value: Option<&str>) -> String {
        self.required_text(field, value.unwrap_or(""), 64)
    }
}
