//! A calendar compiled for computation: a plan of working intervals for every local date, and
//! exact conversion between local wall-clock time and UTC instants.
//!
//! Working time is the set of UTC instants whose local wall-clock time lies in a working
//! interval of their own local date. This one definition holds everywhere, including the days a
//! zone changes its offset: a day that loses an hour loses it from its working time, a repeated
//! hour counts twice, exactly as a clock on the wall would show.

use chrono::{DateTime, Datelike, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use super::calendar::{CalendarSpec, OverrideKind};
use super::holidays::{HolidayEntry, HolidayKind};
use super::hours::Interval;

/// Microseconds since the Unix epoch (UTC instants) or since local midnight (times of day).
pub type Micros = i64;
pub const SEC: Micros = 1_000_000;
pub const MIN: Micros = 60 * SEC;
pub const DAY: Micros = 86_400 * SEC;
pub const WEEK: Micros = 7 * DAY;

/// Between these instants (1992–2100) a zone that never changes its offset gets the fast path.
const FIXED_FROM: Micros = 694_224_000 * SEC;
const FIXED_TO: Micros = 4_102_444_800 * SEC;

pub fn micros(t: DateTime<Utc>) -> Micros {
    t.timestamp_micros()
}

pub fn instant(m: Micros) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(m).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Days since 1970-01-01 of a local date.
pub fn day_number(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - 719_163
}

pub fn date_of(day: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day + 719_163).unwrap_or(NaiveDate::MAX)
}

/// 0 = Monday.
pub fn weekday_index(day: i32) -> usize {
    (day + 3).rem_euclid(7) as usize
}

/// Why a date has the hours it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DayReason {
    /// The weekly pattern's hours.
    Regular,
    /// The weekly pattern has no hours on this weekday (a weekend in a 5-day calendar).
    OffDay,
    Holiday {
        name: String,
    },
    /// A make-up working day (调休).
    Workday {
        name: String,
    },
    Special {
        note: String,
    },
}

/// One date of a calendar as a month view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DayView {
    pub date: NaiveDate,
    pub working: bool,
    #[schema(value_type = Vec<Vec<String>>)]
    pub hours: super::hours::RawHours,
    pub minutes: i64,
    pub reason: DayReason,
}

/// The working intervals of one date, in microseconds since local midnight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub intervals: Vec<(Micros, Micros)>,
    pub total: Micros,
}

impl Plan {
    fn new(intervals: &[Interval]) -> Plan {
        let intervals: Vec<_> =
            intervals.iter().map(|iv| (i64::from(iv.start) * MIN, i64::from(iv.end) * MIN)).collect();
        let total = intervals.iter().map(|(s, e)| e - s).sum();
        Plan { intervals, total }
    }

    pub fn is_working(&self) -> bool {
        self.total > 0
    }
}

#[derive(Debug, Clone)]
struct Exception {
    day: i32,
    plan: usize,
    reason: DayReason,
}

#[derive(Debug, Clone)]
pub struct Calendar {
    tz: Tz,
    /// The zone's offset when it has only one over the fast-path range.
    fixed: Option<Micros>,
    plans: Vec<Plan>,
    weekly: [usize; 7],
    /// Sorted by day, at most one per day.
    exceptions: Vec<Exception>,
    week_total: Micros,
    week_days: i64,
    holidays_until: Option<NaiveDate>,
}

impl Calendar {
    /// Compiles a validated calendar with the entries of the holiday sets it follows.
    /// `holidays_until` is the last date that holiday data covers, if any.
    pub fn compile(spec: &CalendarSpec, holidays: &[HolidayEntry], holidays_until: Option<NaiveDate>) -> Calendar {
        let tz = super::calendar::parse_time_zone(&spec.time_zone).unwrap_or(chrono_tz::Asia::Shanghai);
        let mut plans: Vec<Plan> = vec![Plan::new(&[])];
        let weekly: [usize; 7] = std::array::from_fn(|i| plan_index(&spec.weekly[i], &mut plans));
        // A make-up day has the hours of a normal working day: the first weekday with hours.
        let standard = (0..5).chain(5..7).map(|i| weekly[i]).find(|&p| plans[p].is_working()).unwrap_or(0);
        let mut by_day = std::collections::BTreeMap::new();
        for h in holidays {
            let (plan, reason) = match h.kind {
                HolidayKind::Holiday => (0, DayReason::Holiday { name: h.name.clone() }),
                HolidayKind::Workday => (standard, DayReason::Workday { name: h.name.clone() }),
            };
            by_day.insert(day_number(h.date), (plan, reason));
        }
        for o in &spec.overrides {
            let note = o.note.clone().unwrap_or_default();
            let (plan, reason) = match o.kind {
                OverrideKind::Holiday => (0, DayReason::Holiday { name: note }),
                OverrideKind::Workday => {
                    let plan = o.hours.as_deref().map_or(standard, |h| plan_index(h, &mut plans));
                    (plan, DayReason::Workday { name: note })
                }
                OverrideKind::Special => {
                    (plan_index(o.hours.as_deref().unwrap_or(&[]), &mut plans), DayReason::Special { note })
                }
            };
            by_day.insert(day_number(o.date), (plan, reason));
        }
        let exceptions = by_day.into_iter().map(|(day, (plan, reason))| Exception { day, plan, reason }).collect();
        let week_total = weekly.iter().map(|&p| plans[p].total).sum();
        let week_days = weekly.iter().filter(|&&p| plans[p].is_working()).count() as i64;
        Calendar { fixed: fixed_offset(tz), tz, plans, weekly, exceptions, week_total, week_days, holidays_until }
    }

    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    pub fn holidays_until(&self) -> Option<NaiveDate> {
        self.holidays_until
    }

    /// Working time in a week without exceptions.
    pub fn week_total(&self) -> Micros {
        self.week_total
    }

    pub fn week_days(&self) -> i64 {
        self.week_days
    }

    fn exception(&self, day: i32) -> Option<&Exception> {
        self.exceptions.binary_search_by_key(&day, |e| e.day).ok().map(|i| &self.exceptions[i])
    }

    /// The first exception on or after `day`.
    pub fn next_exception_day(&self, day: i32) -> Option<i32> {
        let i = self.exceptions.partition_point(|e| e.day < day);
        self.exceptions.get(i).map(|e| e.day)
    }

    pub fn plan(&self, day: i32) -> &Plan {
        match self.exception(day) {
            Some(e) => &self.plans[e.plan],
            None => &self.plans[self.weekly[weekday_index(day)]],
        }
    }

    pub fn reason(&self, day: i32) -> DayReason {
        match self.exception(day) {
            Some(e) => e.reason.clone(),
            None if self.plans[self.weekly[weekday_index(day)]].is_working() => DayReason::Regular,
            None => DayReason::OffDay,
        }
    }

    /// Whether a stretch of `weeks` regular weeks may be jumped from `u` (a local midnight):
    /// one offset throughout and no exception inside.
    pub fn can_jump(&self, u: Micros, day: i32, weeks: i64) -> bool {
        let end = u + weeks * WEEK;
        self.fixed.is_some()
            && (FIXED_FROM..FIXED_TO).contains(&u)
            && end < FIXED_TO
            && self.next_exception_day(day).is_none_or(|e| i64::from(e) >= i64::from(day) + weeks * 7)
    }

    /// The zone's offset (local minus UTC) at instant `u`.
    pub fn offset(&self, u: Micros) -> Micros {
        match self.fixed {
            Some(off) if (FIXED_FROM..FIXED_TO).contains(&u) => off,
            _ => tz_offset(self.tz, u),
        }
    }

    /// The first instant in `(a, b]` where the offset differs from the offset at `a`. Windows are
    /// at most about two days long, and no zone changes its offset twice within one.
    pub fn transition_between(&self, a: Micros, b: Micros) -> Option<Micros> {
        if b <= a || (self.fixed.is_some() && a >= FIXED_FROM && b < FIXED_TO) {
            return None;
        }
        let off_a = self.offset(a);
        if self.offset(b) == off_a {
            return None;
        }
        // Offsets change on whole seconds: search seconds.
        let (mut lo, mut hi) = (a.div_euclid(SEC), b.div_euclid(SEC));
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.offset(mid * SEC) == off_a { lo = mid } else { hi = mid }
        }
        Some((hi * SEC).max(a + 1))
    }

    /// The local date and time of day (microseconds) of instant `u`.
    pub fn local(&self, u: Micros) -> (i32, Micros) {
        let l = u + self.offset(u);
        (l.div_euclid(DAY) as i32, l.rem_euclid(DAY))
    }

    /// The earliest instant whose local time on `day` is at or after `tod`: exact where the
    /// local time exists once, the earlier instant where it exists twice, the end of the gap
    /// where it does not exist.
    pub fn to_utc(&self, day: i32, tod: Micros) -> Micros {
        let l = i64::from(day) * DAY + tod;
        let guess = l - self.offset(l - self.offset(l));
        if self.fixed.is_some() && (FIXED_FROM..FIXED_TO).contains(&guess) {
            return guess;
        }
        let before = l - self.offset(l - 2 * DAY);
        let after = l - self.offset(l + 2 * DAY);
        let mut candidates: Vec<Micros> =
            [before, after, guess].into_iter().filter(|&u| u + self.offset(u) == l).collect();
        candidates.sort_unstable();
        match candidates.first() {
            Some(&u) => u,
            // Inside a gap: the local time jumps over `l` at the transition.
            None => self.transition_between(after.min(before) - SEC, after.max(before)).unwrap_or(guess),
        }
    }

    /// `YYYY-MM-DD HH:MM` in the calendar's zone, for explanations.
    pub fn local_string(&self, u: Micros) -> String {
        let (day, tod) = self.local(u);
        let secs = tod / SEC;
        let mut s = format!("{} {:02}:{:02}", date_of(day), secs / 3600, secs % 3600 / 60);
        if secs % 60 != 0 || tod % SEC != 0 {
            s.push_str(&format!(":{:02}", secs % 60));
        }
        s
    }

    pub fn day_view(&self, date: NaiveDate) -> DayView {
        let day = day_number(date);
        let plan = self.plan(day);
        let ivs: Vec<Interval> =
            plan.intervals.iter().map(|&(s, e)| Interval { start: (s / MIN) as u16, end: (e / MIN) as u16 }).collect();
        DayView {
            date,
            working: plan.is_working(),
            hours: super::hours::format_hours(&ivs),
            minutes: plan.total / MIN,
            reason: self.reason(day),
        }
    }

    /// Whether instant `u` is working time.
    pub fn is_working(&self, u: Micros) -> bool {
        let (day, tod) = self.local(u);
        self.plan(day).intervals.iter().any(|&(s, e)| s <= tod && tod < e)
    }
}

/// The index of the plan with these intervals, added if new (calendars share few distinct days).
fn plan_index(ivs: &[Interval], plans: &mut Vec<Plan>) -> usize {
    let p = Plan::new(ivs);
    match plans.iter().position(|x| *x == p) {
        Some(i) => i,
        None => {
            plans.push(p);
            plans.len() - 1
        }
    }
}

fn tz_offset(tz: Tz, u: Micros) -> Micros {
    let t = instant(u).naive_utc();
    i64::from(tz.offset_from_utc_datetime(&t).fix().local_minus_utc()) * SEC
}

/// The zone's offset if it is the same at every sample from 1992 to 2100 (every 14 days, which
/// no daylight-saving period or offset change is shorter than).
fn fixed_offset(tz: Tz) -> Option<Micros> {
    let first = tz_offset(tz, FIXED_FROM);
    let mut u = FIXED_FROM;
    while u < FIXED_TO {
        if tz_offset(tz, u) != first {
            return None;
        }
        u += 14 * DAY;
    }
    Some(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::calendar::PRESETS;
    use crate::sla::holidays::{CN_TSV, parse_table};

    fn cn_5x8() -> Calendar {
        let h = parse_table(CN_TSV).unwrap();
        Calendar::compile(&PRESETS[1].spec(), &h, super::super::holidays::covered_until(&h))
    }

    fn at(s: &str) -> Micros {
        micros(DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc))
    }

    #[test]
    fn days_follow_the_state_council_schedule() {
        let c = cn_5x8();
        let day = |s: &str| day_number(s.parse().unwrap());
        assert!(c.plan(day("2025-09-30")).is_working());
        assert!(!c.plan(day("2025-10-01")).is_working());
        assert_eq!(c.reason(day("2025-10-08")), DayReason::Holiday { name: "国庆节、中秋节".into() });
        assert_eq!(c.reason(day("2025-10-11")), DayReason::Workday { name: "国庆节、中秋节".into() });
        assert_eq!(c.plan(day("2025-10-11")).total, 7 * 60 * MIN + 30 * MIN, "a make-up day has normal hours");
        assert_eq!(c.reason(day("2025-10-12")), DayReason::OffDay);
        assert_eq!(c.week_total(), 5 * (7 * 60 + 30) * MIN);
        assert_eq!(c.week_days(), 5);
    }

    #[test]
    fn local_time_in_shanghai_and_across_daylight_saving() {
        let c = cn_5x8();
        assert!(c.is_working(at("2025-09-30T01:00:00Z")), "09:00 in Beijing");
        assert!(!c.is_working(at("2025-09-30T04:30:00Z")), "12:30 is lunch");
        assert_eq!(c.local_string(at("2025-09-30T01:00:00Z")), "2025-09-30 09:00");
        assert_eq!(c.transition_between(at("2025-01-01T00:00:00Z"), at("2025-01-02T00:00:00Z")), None);

        let mut spec = PRESETS[0].spec();
        spec.time_zone = "Europe/Berlin".into();
        let b = Calendar::compile(&spec, &[], None);
        assert_eq!(
            b.transition_between(at("2026-03-28T12:00:00Z"), at("2026-03-30T00:00:00Z")),
            Some(at("2026-03-29T01:00:00Z"))
        );
        let day = day_number("2026-03-29".parse().unwrap());
        // 02:30 does not exist that night: the earliest later time is 03:00 CEST.
        assert_eq!(b.to_utc(day, 150 * MIN), at("2026-03-29T01:00:00Z"));
        assert_eq!(b.to_utc(day, 4 * 60 * MIN), at("2026-03-29T02:00:00Z"));
        // 02:30 on 25 October happens twice: the first one.
        let oct = day_number("2026-10-25".parse().unwrap());
        assert_eq!(b.to_utc(oct, 150 * MIN), at("2026-10-25T00:30:00Z"));
    }
}
