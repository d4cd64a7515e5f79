//! Duty shifts (值班): who of a contract's vendor is on duty from when to when. A contract item
//! may hand its new tickets to whoever is on duty (`ContractItem::assign_to_duty`); engineers
//! see their coming shifts on their home page. Holiday rosters generated from the calendar,
//! swaps and the duty log (issue 22) are built on this record.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Checker, FieldError};

/// A shift is at most a month long (a week of on-call is common; longer is a typing mistake).
pub const MAX_SHIFT_DAYS: i64 = 31;
/// A shift may be entered after it began (the morning's duty typed at nine), but not later than
/// this: the record of who was on duty is not rewritten afterwards.
pub const LATE_ENTRY_HOURS: i64 = 24;
pub const NOTE_MAX: usize = 500;
pub const SORT_KEYS: &[&str] = &["starts_at", "ends_at"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DutyShift {
    pub id: String,
    pub contract_id: String,
    pub vendor_id: String,
    pub user_id: String,
    /// The person's display name when the shift was entered.
    pub user_name: String,
    pub starts_at: DateTime<Utc>,
    /// Exclusive: at this instant the next shift takes over.
    pub ends_at: DateTime<Utc>,
    pub note: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl DutyShift {
    pub fn covers(&self, at: DateTime<Utc>) -> bool {
        self.starts_at <= at && at < self.ends_at
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct DutyShiftInput {
    pub contract_id: Option<String>,
    /// An active engineer or project manager of the contract's vendor.
    pub user_id: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DutyShiftFields {
    pub contract_id: String,
    pub user_id: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub note: Option<String>,
}

fn year_ok(c: &mut Checker, field: &str, t: DateTime<Utc>) {
    use chrono::Datelike;
    if !crate::registry::YEARS.contains(&t.year()) {
        let (a, b) = (crate::registry::YEARS.start(), crate::registry::YEARS.end());
        c.push(FieldError::new(
            field,
            format!("年份须在 {a} 到 {b} 之间"),
            format!("the year must be between {a} and {b}"),
        ));
    }
}

impl DutyShiftInput {
    pub fn validate(&self, now: DateTime<Utc>) -> Result<DutyShiftFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let contract_id = c.required_text("contract_id", self.contract_id.as_deref().unwrap_or(""), 64);
        let user_id = c.required_text("user_id", self.user_id.as_deref().unwrap_or(""), 64);
        let note = c.optional_text("note", self.note.as_deref(), NOTE_MAX);
        if self.starts_at.is_none() {
            c.push(FieldError::required("starts_at"));
        }
        if self.ends_at.is_none() {
            c.push(FieldError::required("ends_at"));
        }
        let (starts_at, ends_at) = (self.starts_at.unwrap_or(now), self.ends_at.unwrap_or(now));
        if let (Some(s), Some(e)) = (self.starts_at, self.ends_at) {
            year_ok(&mut c, "starts_at", s);
            year_ok(&mut c, "ends_at", e);
            if e <= s {
                c.push(FieldError::new("ends_at", "须晚于开始时间", "must be after the start"));
            } else if e - s > Duration::days(MAX_SHIFT_DAYS) {
                c.push(FieldError::new(
                    "ends_at",
                    format!("一个班次不能超过 {MAX_SHIFT_DAYS} 天"),
                    format!("a shift lasts at most {MAX_SHIFT_DAYS} days"),
                ));
            }
            if s < now - Duration::hours(LATE_ENTRY_HOURS) {
                c.push(FieldError::new(
                    "starts_at",
                    format!("不能补录 {LATE_ENTRY_HOURS} 小时前开始的班次"),
                    format!("a shift that began more than {LATE_ENTRY_HOURS} hours ago cannot be entered"),
                ));
            }
        }
        c.finish().map(|_| DutyShiftFields { contract_id, user_id, starts_at, ends_at, note })
    }
}

/// What a duty list can be narrowed by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DutyFilter {
    pub contract_id: Option<String>,
    pub user_id: Option<String>,
    /// Only the caller's own shifts.
    pub mine: bool,
    /// Shifts that end after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Shifts that begin before this instant.
    pub to: Option<DateTime<Utc>>,
}

/// Of the people on duty at once, who takes the next ticket: the one with the fewest open
/// tickets, then the one whose shift began first, then by id — so two servers pick the same
/// person from the same facts.
pub fn pick_on_duty(on_duty: &[(DutyShift, u64)]) -> Option<&DutyShift> {
    on_duty
        .iter()
        .min_by(|a, b| (a.1, a.0.starts_at, &a.0.user_id).cmp(&(b.1, b.0.starts_at, &b.0.user_id)))
        .map(|x| &x.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-10-01T00:00:00Z").unwrap().with_timezone(&Utc) + Duration::hours(h)
    }

    fn input(s: i64, e: i64) -> DutyShiftInput {
        DutyShiftInput {
            contract_id: Some("c".into()),
            user_id: Some("u".into()),
            starts_at: Some(at(s)),
            ends_at: Some(at(e)),
            note: None,
        }
    }

    fn fields(r: Result<DutyShiftFields, Vec<FieldError>>) -> Vec<String> {
        r.err().unwrap_or_default().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn shifts_are_checked_field_by_field() {
        let now = at(0);
        assert!(input(0, 24).validate(now).is_ok());
        assert!(input(-23, 1).validate(now).is_ok(), "this morning's shift typed late");
        assert_eq!(fields(input(-25, 1).validate(now)), ["starts_at"]);
        assert_eq!(fields(input(5, 5).validate(now)), ["ends_at"]);
        assert_eq!(fields(input(5, 4).validate(now)), ["ends_at"]);
        assert_eq!(fields(input(0, 24 * 31 + 1).validate(now)), ["ends_at"]);
        assert!(input(0, 24 * 31).validate(now).is_ok());
        assert_eq!(fields(DutyShiftInput::default().validate(now)), ["contract_id", "user_id", "starts_at", "ends_at"]);
        let far =
            DutyShiftInput { ends_at: Some(at(24 * 365 * 80)), starts_at: Some(at(24 * 365 * 80 - 1)), ..input(0, 1) };
        assert_eq!(fields(far.validate(now)), ["starts_at", "ends_at"]);
    }

    #[test]
    fn a_shift_covers_its_start_and_not_its_end() {
        let s = DutyShift {
            id: "s".into(),
            contract_id: "c".into(),
            vendor_id: "v".into(),
            user_id: "u".into(),
            user_name: "U".into(),
            starts_at: at(0),
            ends_at: at(8),
            note: None,
            created_by: "p".into(),
            created_at: at(0),
        };
        assert!(s.covers(at(0)));
        assert!(s.covers(at(7)));
        assert!(!s.covers(at(8)));
        assert!(!s.covers(at(-1)));
    }

    #[test]
    fn the_least_busy_on_duty_takes_the_ticket() {
        let shift = |u: &str, start: i64| DutyShift {
            id: u.into(),
            contract_id: "c".into(),
            vendor_id: "v".into(),
            user_id: u.into(),
            user_name: u.into(),
            starts_at: at(start),
            ends_at: at(24),
            note: None,
            created_by: "p".into(),
            created_at: at(0),
        };
        assert!(pick_on_duty(&[]).is_none());
        let on = [(shift("b", 0), 2), (shift("a", 1), 1), (shift("c", 0), 1)];
        assert_eq!(pick_on_duty(&on).unwrap().user_id, "c", "fewest open, then earliest shift");
        let on = [(shift("b", 0), 1), (shift("a", 0), 1)];
        assert_eq!(pick_on_duty(&on).unwrap().user_id, "a", "then by id");
    }
}
