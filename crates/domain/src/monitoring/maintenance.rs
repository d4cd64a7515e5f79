//! A maintenance window as asked for, and the rules that keep windows honest: time a window
//! covers does not count against the vendor, so nobody but the bureau may reach into the past,
//! and the bureau says why when it does.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use super::availability::Maintenance;
use crate::FieldError;
use crate::error::Checker;

/// Longest one-off window: a month for the vendor's requests, a year for the bureau.
pub const MAX_ONCE_DAYS: i64 = 31;
pub const MAX_ONCE_DAYS_ADMIN: i64 = 366;
/// Clock skew tolerated before a start counts as "in the past".
const SKEW: Duration = Duration::minutes(5);

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MaintenanceInput {
    pub name: Option<String>,
    pub window: Maintenance,
    /// Why; required when the bureau records a window that starts (or takes effect) in the past.
    pub reason: Option<String>,
    /// From when a weekly window counts (default: now). Only the bureau may give a past instant.
    pub effective_from: Option<DateTime<Utc>>,
}

/// A window that passed the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedWindow {
    pub name: String,
    pub window: Maintenance,
    pub reason: Option<String>,
    pub effective_from: DateTime<Utc>,
}

impl MaintenanceInput {
    /// `admin`: the bureau itself (else vendor staff, whose window becomes a request).
    pub fn validate(&self, now: DateTime<Utc>, admin: bool) -> Result<CheckedWindow, Vec<FieldError>> {
        let mut c = Checker::default();
        let name = c.optional_text("name", self.name.as_deref(), 200).unwrap_or_else(|| "计划维护".into());
        let reason = c.optional_text("reason", self.reason.as_deref(), 2000);
        let past = |field: &str, c: &mut Checker| {
            if !admin {
                c.push(FieldError::new(
                    field,
                    "不能早于当前时间（补录过去的维护窗口只能由数据局办理）",
                    "must not be in the past (only the bureau records past maintenance)",
                ));
            } else if reason.is_none() {
                c.push(FieldError::new(
                    "reason",
                    "补录过去的维护窗口须说明原因",
                    "say why when recording past maintenance",
                ));
            }
        };
        match &self.window {
            Maintenance::Weekly { weekdays, minutes, time_zone, .. } => {
                if weekdays.is_empty() || weekdays.iter().any(|d| !(1..=7).contains(d)) {
                    c.push(FieldError::new(
                        "window.weekdays",
                        "应为 1–7（周一至周日）",
                        "must be 1–7 (Monday to Sunday)",
                    ));
                }
                if !(1..=24 * 60).contains(minutes) {
                    c.push(FieldError::new("window.minutes", "应为 1–1440", "must be from 1 to 1440"));
                }
                if time_zone.parse::<chrono_tz::Tz>().is_err() {
                    c.push(FieldError::new("window.time_zone", "未知时区", "unknown time zone"));
                }
            }
            Maintenance::Once { start, end } => {
                let max = if admin { MAX_ONCE_DAYS_ADMIN } else { MAX_ONCE_DAYS };
                if end <= start {
                    c.push(FieldError::new("window.end", "须晚于开始时间", "must be after the start"));
                } else if *end - *start > Duration::days(max) {
                    c.push(FieldError::new(
                        "window.end",
                        format!("单次维护不能超过 {max} 天"),
                        format!("a one-off window lasts at most {max} days"),
                    ));
                }
                if *start < now - SKEW {
                    past("window.start", &mut c);
                }
            }
        }
        let effective_from = match self.effective_from {
            Some(t) if !admin => {
                c.push(FieldError::new("effective_from", "只有数据局可以指定生效时间", "only the bureau sets this"));
                t
            }
            Some(t) if t < now - SKEW => {
                past("effective_from", &mut c);
                t
            }
            Some(t) => t,
            None => now,
        };
        c.finish()?;
        let effective_from = match &self.window {
            // A one-off window is in effect over its own span.
            Maintenance::Once { start, .. } => effective_from.min(*start),
            Maintenance::Weekly { .. } => effective_from,
        };
        Ok(CheckedWindow { name, window: self.window.clone(), reason, effective_from })
    }

    /// Share of a week a weekly window covers (for the decider to see what is asked).
    pub fn weekly_share(window: &Maintenance) -> Option<f64> {
        match window {
            Maintenance::Weekly { weekdays, minutes, .. } => {
                let days = weekdays.iter().collect::<std::collections::BTreeSet<_>>().len() as f64;
                Some((days * f64::from(*minutes)).min(7.0 * 1440.0) / (7.0 * 1440.0))
            }
            Maintenance::Once { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveTime;

    use super::*;

    fn once(start: DateTime<Utc>, end: DateTime<Utc>, reason: Option<&str>) -> MaintenanceInput {
        MaintenanceInput {
            name: None,
            window: Maintenance::Once { start, end },
            reason: reason.map(str::to_string),
            effective_from: None,
        }
    }

    fn fields(r: Result<CheckedWindow, Vec<FieldError>>) -> Vec<String> {
        r.err().unwrap_or_default().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn the_vendor_cannot_reach_into_the_past_or_forever() {
        let now = Utc::now();
        let y2000 = DateTime::parse_from_rfc3339("2000-01-01T00:00:00Z").unwrap().to_utc();
        let y2099 = DateTime::parse_from_rfc3339("2099-01-01T00:00:00Z").unwrap().to_utc();
        assert_eq!(fields(once(y2000, y2099, None).validate(now, false)), ["window.end", "window.start"]);
        let h = Duration::hours(1);
        assert!(once(now + h, now + h * 2, None).validate(now, false).is_ok());
        assert_eq!(fields(once(now - h * 2, now - h, None).validate(now, false)), ["window.start"]);
        // The bureau may record past maintenance, with a reason.
        assert_eq!(fields(once(now - h * 2, now - h, None).validate(now, true)), ["reason"]);
        let ok = once(now - h * 2, now - h, Some("停电抢修补录")).validate(now, true).unwrap();
        assert_eq!(ok.effective_from, now - h * 2);
        // Even the bureau: at most a year in one go.
        assert_eq!(fields(once(now + h, y2099, Some("x")).validate(now, true)), ["window.end"]);
    }

    #[test]
    fn weekly_windows_count_from_now_unless_the_bureau_says_otherwise() {
        let now = Utc::now();
        let w = MaintenanceInput {
            name: Some("周日例行维护".into()),
            window: Maintenance::Weekly {
                weekdays: vec![7],
                at: NaiveTime::from_hms_opt(2, 0, 0).unwrap(),
                minutes: 120,
                time_zone: "Asia/Shanghai".into(),
            },
            reason: None,
            effective_from: None,
        };
        assert_eq!(w.validate(now, false).unwrap().effective_from, now);
        let backdated = MaintenanceInput { effective_from: Some(now - Duration::days(30)), ..w.clone() };
        assert_eq!(fields(backdated.validate(now, false)), ["effective_from"]);
        assert_eq!(fields(backdated.validate(now, true)), ["reason"]);
        let share = MaintenanceInput::weekly_share(&w.window).unwrap();
        assert!((share - 120.0 / 10080.0).abs() < 1e-12);
    }
}
