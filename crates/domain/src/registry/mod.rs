//! The registry: units, vendors and their staff, contracts with items, systems and assets.
//! Each object has a stored form and an input form; `validate` turns input into a clean value or
//! a list of field errors.

mod contracts;
pub mod coverage;
pub mod lists;
mod parties;
mod systems;

pub use contracts::*;
pub use parties::*;
pub use systems::*;

use chrono::NaiveDate;

use crate::error::{Checker, FieldError};

/// Parses `YYYY-MM-DD`, the only date format the API accepts.
pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate, FieldError> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, "日期格式应为 YYYY-MM-DD", "must be a date in the form YYYY-MM-DD"))?;
    check_year(field, d)
}

/// The years a date in O&M work can fall in: a contract, a warranty, a holiday, a ticket of this
/// century. Anything else is a typing mistake (2099-13-45 is refused by the parser, 2100-02-14
/// here), and refusing it keeps every date inside the range both databases store.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2099;

pub fn check_year(field: &str, d: NaiveDate) -> Result<NaiveDate, FieldError> {
    use chrono::Datelike;
    if YEARS.contains(&d.year()) {
        Ok(d)
    } else {
        Err(FieldError::new(
            field,
            format!("年份须在 {} 到 {} 之间", YEARS.start(), YEARS.end()),
            format!("the year must be between {} and {}", YEARS.start(), YEARS.end()),
        ))
    }
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

#[cfg(test)]
mod date_tests {
    #[test]
    fn dates() {
        assert!(super::parse_date("d", "2026-02-29").is_err());
        assert!(super::parse_date("d", "-5000-01-01").is_err());
        assert!(super::parse_date("d", "3000-01-01").is_err());
        assert!(super::parse_date("d", "2099-13-45").is_err(), "never rolled over");
        assert!(super::parse_date("d", "2100-02-14").is_err());
        assert!(super::parse_date("d", "1999-12-31").is_err());
        assert!(super::parse_date("d", "2000-01-01").is_ok());
        assert!(super::parse_date("d", " 2028-02-29 ").is_ok());
    }
}
