//! Parameter types with the API's own formats: a date, an instant or a day, a month. Each
//! refuses a bad value with a sentence in both languages.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};

use super::de::refuse;

/// A date, `YYYY-MM-DD` (years 1900–2999).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day(pub NaiveDate);

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        domain::registry::parse_date("", &s).map(Day).map_err(|e| refuse(&e.msg.zh, &e.msg.en))
    }
}

/// An instant as RFC 3339, or a date (`YYYY-MM-DD`) meaning the start of that day in UTC+8,
/// the bureau's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    pub at: DateTime<Utc>,
    /// Given as a date rather than an instant.
    pub is_day: bool,
}

impl Moment {
    /// The end of a period that ends at this: a day is included whole.
    pub fn end_including_day(self) -> DateTime<Utc> {
        if self.is_day { self.at + Duration::days(1) } else { self.at }
    }
}

impl<'de> Deserialize<'de> for Moment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if let Ok(t) = DateTime::parse_from_rfc3339(&s) {
            return match domain::registry::check_year("", t.date_naive()) {
                Ok(_) => Ok(Moment { at: t.with_timezone(&Utc), is_day: false }),
                Err(e) => Err(refuse(&e.msg.zh, &e.msg.en)),
            };
        }
        let bad = || refuse("时间格式应为 RFC 3339 或 YYYY-MM-DD", "must be RFC 3339 or YYYY-MM-DD");
        let day = domain::registry::parse_date("", &s).map_err(|_| bad())?;
        let beijing = FixedOffset::east_opt(8 * 3600).ok_or_else(bad)?;
        let start = day.and_hms_opt(0, 0, 0).and_then(|t| t.and_local_timezone(beijing).single()).ok_or_else(bad)?;
        Ok(Moment { at: start.with_timezone(&Utc), is_day: true })
    }
}

/// A month, `YYYY-MM`: its first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month(pub NaiveDate);

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d")
            .map(Month)
            .map_err(|_| refuse("格式应为 YYYY-MM", "must be YYYY-MM"))
    }
}
