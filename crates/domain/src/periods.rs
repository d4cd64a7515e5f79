//! The periods a recurring plan cuts time into (security plans, backup policies, restore
//! drills): each runs from one occurrence to the day before the next. What falls in a period is
//! the feature's business; the periods are computed, never stored, so a changed calendar or
//! plan changes what was due, never a fact.

use chrono::{Days, NaiveDate};

use crate::inspections::recurrence::{HolidayRule, Recurrence, Span, occurrences};

/// How long the periods of a plan may be looked back over and ahead for: a year and a month
/// covers the longest period a recurrence makes (once a year) with a holiday move.
pub const PERIOD_REACH_DAYS: u64 = 400;

/// The longest stretch a task list is asked for at once.
pub const MAX_RANGE_DAYS: i64 = 400;

/// One period of a plan: from `opens_on` to `due_on`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub opens_on: NaiveDate,
    pub due_on: NaiveDate,
}

/// Where a period stands on `today`, given the days its work was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Done, first on this day.
    Done(NaiveDate),
    /// Ended without the work.
    Missed,
    /// Still open, the work not done yet.
    Open,
}

impl Period {
    /// Done when any of `done` falls in the period (the first such day is kept); otherwise
    /// missed once `today` is past its last day.
    pub fn standing(self, done: &[NaiveDate], today: NaiveDate) -> Standing {
        match done.iter().filter(|d| **d >= self.opens_on && **d <= self.due_on).min() {
            Some(first) => Standing::Done(*first),
            None if today > self.due_on => Standing::Missed,
            None => Standing::Open,
        }
    }
}

/// The plan's periods that overlap `from..=to`. Each ends the day before the next occurrence;
/// the last one at the plan's end, or a year after it opened when the plan has no end.
pub fn periods(
    recurrence: &Recurrence,
    rule: HolidayRule,
    span: Span,
    (from, to): (NaiveDate, NaiveDate),
    is_working: impl Fn(NaiveDate) -> bool,
) -> Vec<Period> {
    let mut back = from.checked_sub_days(Days::new(PERIOD_REACH_DAYS)).unwrap_or(from);
    let mut ahead = to.checked_add_days(Days::new(PERIOD_REACH_DAYS)).unwrap_or(to);
    // "n times in the period" may space its occurrences further apart than the reach.
    if let (Recurrence::TimesInPeriod(_), Some(end)) = (recurrence, span.end) {
        (back, ahead) = (span.start, end);
    }
    let days = occurrences(recurrence, rule, span, back, ahead, is_working);
    let mut out = Vec::new();
    for (i, opens_on) in days.iter().enumerate() {
        let due_on = match days.get(i + 1) {
            Some(next) => next.pred_opt().unwrap_or(*next),
            None => span.end.unwrap_or_else(|| opens_on.checked_add_days(Days::new(364)).unwrap_or(*opens_on)),
        };
        if *opens_on <= to && due_on >= from {
            out.push(Period { opens_on: *opens_on, due_on });
        }
    }
    out
}

/// The first day after `after` on which a new period of the plan opens: the next scheduled
/// scan, when the plan is a scan plan.
pub fn next_opening(
    recurrence: &Recurrence,
    rule: HolidayRule,
    span: Span,
    after: NaiveDate,
    is_working: impl Fn(NaiveDate) -> bool,
) -> Option<NaiveDate> {
    let to = after.checked_add_days(Days::new(PERIOD_REACH_DAYS))?;
    periods(recurrence, rule, span, (after, to), is_working).into_iter().map(|p| p.opens_on).find(|d| *d > after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn quarterly_periods_run_to_the_day_before_the_next() {
        let r = Recurrence::Quarter { month: 1, day: 1 };
        let span = Span { start: d("2026-01-01"), end: None };
        let weekdays = |x: NaiveDate| chrono::Datelike::weekday(&x).num_days_from_monday() < 5;
        let p = periods(&r, HolidayRule::NextWorkingDay, span, (d("2026-03-01"), d("2026-07-15")), weekdays);
        let got: Vec<(String, String)> = p.iter().map(|p| (p.opens_on.to_string(), p.due_on.to_string())).collect();
        // 2026-01-01 is a Thursday, 04-01 a Wednesday, 07-01 a Wednesday.
        assert_eq!(
            got,
            [
                ("2026-01-01".into(), "2026-03-31".into()),
                ("2026-04-01".into(), "2026-06-30".into()),
                ("2026-07-01".into(), "2026-09-30".into())
            ]
        );
    }

    #[test]
    fn the_next_scan_opens_after_the_day_found() {
        let r = Recurrence::Quarter { month: 1, day: 1 };
        let span = Span { start: d("2026-01-01"), end: Some(d("2026-12-31")) };
        let next = |day: &str| next_opening(&r, HolidayRule::Keep, span, d(day), |_| true);
        assert_eq!(next("2026-05-10"), Some(d("2026-07-01")));
        assert_eq!(next("2026-07-01"), Some(d("2026-10-01")), "a period opening today is not the next");
        assert_eq!(next("2026-10-02"), None, "the plan ends before another scan");
        assert_eq!(next("2025-06-01"), Some(d("2026-01-01")), "a plan not yet started opens on its start");
    }

    #[test]
    fn the_last_period_ends_with_the_plan() {
        let r = Recurrence::TimesPerYear(1);
        let span = Span { start: d("2026-01-01"), end: Some(d("2026-06-30")) };
        let p = periods(&r, HolidayRule::Keep, span, (d("2026-01-01"), d("2026-12-31")), |_| true);
        assert_eq!(p, [Period { opens_on: d("2026-01-01"), due_on: d("2026-06-30") }]);
    }

    #[test]
    fn times_in_a_long_period_keep_their_first_period() {
        let r = Recurrence::TimesInPeriod(2);
        let span = Span { start: d("2026-01-01"), end: Some(d("2028-12-31")) };
        let p = periods(&r, HolidayRule::Keep, span, (d("2027-06-01"), d("2027-06-30")), |_| true);
        assert_eq!(p.first().map(|x| x.opens_on), Some(d("2026-01-01")), "{p:?}");
        let all = periods(&r, HolidayRule::Keep, span, (d("2026-01-01"), d("2028-12-31")), |_| true);
        assert_eq!(all.last().map(|x| x.due_on), Some(d("2028-12-31")), "{all:?}");
    }
}
