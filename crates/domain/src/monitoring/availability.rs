//! Availability in seconds: the time a system was interrupted in a period, less what planned
//! maintenance covered and what causes the contract does not count (a carrier's line, the power),
//! against the contract's target, with the error budget that is left.
//!
//! Interruptions of one system may overlap (two monitors see the same outage): they are merged,
//! and where merged pieces disagree on whether they count, counting wins.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::tickets::Cause;

/// A span of time a system was unavailable.
#[derive(Debug, Clone, PartialEq)]
pub struct Interruption {
    pub start: DateTime<Utc>,
    /// `None` while it lasts.
    pub end: Option<DateTime<Utc>>,
    pub cause: Cause,
    /// What saw it: a monitor's name, an alert, a ticket number.
    pub source: String,
    pub ticket_id: Option<String>,
}

/// Planned maintenance: once, or every week on some days at a local time, in a time zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "repeat", rename_all = "snake_case")]
pub enum Maintenance {
    Once {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    Weekly {
        /// 1 = Monday … 7 = Sunday.
        weekdays: Vec<u8>,
        /// Local start, `HH:MM`.
        #[schema(value_type = String)]
        at: NaiveTime,
        minutes: u32,
        /// IANA zone, e.g. `Asia/Shanghai`.
        time_zone: String,
    },
}

impl Maintenance {
    /// The windows that touch `[from, to)`, as instants.
    pub fn windows(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        match self {
            Maintenance::Once { start, end } => {
                if *start < to && *end > from {
                    vec![(*start, *end)]
                } else {
                    vec![]
                }
            }
            Maintenance::Weekly { weekdays, at, minutes, time_zone } => {
                let Ok(tz) = time_zone.parse::<Tz>() else { return vec![] };
                let length = Duration::minutes(i64::from(*minutes));
                let mut out = Vec::new();
                // Start a day early so a window that began before `from` is seen.
                let mut day = (from - length).with_timezone(&tz).date_naive() - Duration::days(1);
                let last = to.with_timezone(&tz).date_naive();
                while day <= last {
                    let wd = chrono::Datelike::weekday(&day).number_from_monday() as u8;
                    // A local time that a DST change skips has no window that day.
                    if weekdays.contains(&wd)
                        && let Some(local) = day.and_time(*at).and_local_timezone(tz).earliest()
                    {
                        let start = local.with_timezone(&Utc);
                        let end = start + length;
                        if start < to && end > from {
                            out.push((start, end));
                        }
                    }
                    day += Duration::days(1);
                }
                out
            }
        }
    }
}

/// A window as it counts: only while it was in effect, from when it took effect (made by the
/// bureau, or approved) until it was ended. A window added today never reaches back into last
/// month, and ending one does not rewrite the months it covered.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub window: Maintenance,
    pub from: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
}

impl Planned {
    /// A window in effect for all time (tests, and the arithmetic of one period).
    pub fn always(window: Maintenance) -> Planned {
        Planned { window, from: DateTime::<Utc>::MIN_UTC, until: None }
    }

    /// Its occurrences within `[from, to)` and within its time in effect, clipped to both.
    pub fn spans(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let a = from.max(self.from);
        let b = self.until.map_or(to, |u| u.min(to));
        if a >= b {
            return Vec::new();
        }
        self.window.windows(a, b).into_iter().map(|(s, e)| (s.max(a), e.min(b))).filter(|(s, e)| s < e).collect()
    }
}

/// A system's planned maintenance, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MaintenanceWindow {
    pub id: String,
    pub system_id: String,
    pub name: String,
    pub window: Maintenance,
    /// Why it was added (required for one the bureau records after the fact).
    pub reason: Option<String>,
    /// From when it counts.
    pub effective_from: DateTime<Utc>,
    /// When it was ended; it still counts before that.
    pub ended_at: Option<DateTime<Utc>>,
    /// Who asked for it (vendor staff) …
    pub requested_by: Option<String>,
    /// … and who approved it; both empty for one the bureau added itself.
    pub approved_by: Option<String>,
    pub approval_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl MaintenanceWindow {
    pub fn planned(&self) -> Planned {
        Planned { window: self.window.clone(), from: self.effective_from, until: self.ended_at }
    }
}

/// One day (the bureau's) of a system's availability, for uptime bars.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DailyAvailability {
    pub date: chrono::NaiveDate,
    /// `null` when nothing measured the system that day (see `measured`).
    pub availability: Option<f64>,
    pub downtime_seconds: i64,
    pub excluded_seconds: i64,
}

/// One interruption as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct InterruptionView {
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    pub cause: Cause,
    pub source: String,
    pub ticket_id: Option<String>,
    /// Inside the period.
    pub seconds: i64,
    /// Counted against the vendor (not in maintenance, cause counted).
    pub counted_seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Availability {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The part of the period that has passed, in seconds.
    pub elapsed_seconds: i64,
    /// 1 − downtime ÷ (elapsed − excluded); `null` when nothing measured the system in the
    /// period (no monitor result, no interruption from any source): no figure, never 100 %.
    pub availability: Option<f64>,
    /// Counted interruption.
    pub downtime_seconds: i64,
    /// Interruption not counted: maintenance windows and excluded causes.
    pub excluded_seconds: i64,
    /// The contract's target (0.999 for 99.9 %).
    pub target: Option<f64>,
    /// Downtime the target allows over the whole period.
    pub budget_seconds: Option<i64>,
    /// What is left of it (negative once exceeded).
    pub budget_left_seconds: Option<i64>,
    pub interruptions: Vec<InterruptionView>,
}

/// Seconds of `[a, b)` covered by the (sorted, merged) `windows`.
fn covered(a: DateTime<Utc>, b: DateTime<Utc>, windows: &[(DateTime<Utc>, DateTime<Utc>)]) -> i64 {
    windows.iter().map(|(s, e)| ((*e).min(b) - (*s).max(a)).num_seconds().max(0)).sum()
}

fn merge(mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    spans.sort();
    let mut out: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for (s, e) in spans {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Availability over `[from, to)` as of `now`.
/// Whether anything measured the system within `[a, b)`: a monitor's result in one of `hours`
/// (epoch hours with results) or an interruption from any source (monitor, alert, ticket).
pub fn measured(a: DateTime<Utc>, b: DateTime<Utc>, hours: &[i64], interruptions: &[Interruption]) -> bool {
    let (a_s, b_s) = (a.timestamp(), b.timestamp());
    hours.iter().any(|h| h * 3600 < b_s && (h + 1) * 3600 > a_s)
        || interruptions.iter().any(|i| i.start < b && i.end.is_none_or(|e| e > a))
}

pub fn compute(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
    interruptions: &[Interruption],
    maintenance: &[Planned],
    counted: &[Cause],
    target: Option<f64>,
) -> Availability {
    let until = to.min(now).max(from);
    let elapsed = (until - from).num_seconds();
    let windows = merge(maintenance.iter().flat_map(|m| m.spans(from, until)).collect());
    let clip = |i: &Interruption| {
        let s = i.start.max(from);
        let e = i.end.unwrap_or(until).min(until);
        (s < e).then_some((s, e))
    };
    // Counted time: the union of counted interruptions less maintenance. Excluded time: the
    // union of all interruptions less the counted part.
    let counting: Vec<_> = interruptions.iter().filter(|i| counted.contains(&i.cause)).filter_map(clip).collect();
    let all = merge(interruptions.iter().filter_map(clip).collect());
    let counting = merge(counting);
    let downtime: i64 = counting.iter().map(|(s, e)| (*e - *s).num_seconds() - covered(*s, *e, &windows)).sum();
    let total: i64 = all.iter().map(|(s, e)| (*e - *s).num_seconds()).sum();
    let excluded = total - downtime;
    let measured = elapsed - excluded;
    let availability = Some(if measured > 0 { 1.0 - downtime as f64 / measured as f64 } else { 1.0 });
    let budget = target.map(|t| ((1.0 - t) * (to - from).num_seconds() as f64).round() as i64);
    let mut views: Vec<InterruptionView> = interruptions
        .iter()
        .filter_map(|i| {
            let (s, e) = clip(i)?;
            let seconds = (e - s).num_seconds();
            let counted_seconds = if counted.contains(&i.cause) { seconds - covered(s, e, &windows) } else { 0 };
            Some(InterruptionView {
                start: i.start,
                end: i.end,
                cause: i.cause,
                source: i.source.clone(),
                ticket_id: i.ticket_id.clone(),
                seconds,
                counted_seconds,
            })
        })
        .collect();
    views.sort_by_key(|v| v.start);
    Availability {
        from,
        to,
        elapsed_seconds: elapsed,
        availability,
        downtime_seconds: downtime,
        excluded_seconds: excluded,
        target,
        budget_seconds: budget,
        budget_left_seconds: budget.map(|b| b - downtime),
        interruptions: views,
    }
}
