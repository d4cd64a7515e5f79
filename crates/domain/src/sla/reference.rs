//! A deliberately naive reference for the property tests: it walks UTC minute by minute and
//! asks chrono-tz for every minute's local time, with its own reading of the calendar spec.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, TimeZone, Timelike};
use chrono_tz::Tz;

use super::calendar::{CalendarSpec, OverrideKind};
use super::compiled::{MIN, Micros, instant};
use super::holidays::{HolidayEntry, HolidayKind};
use super::hours::Interval;
use super::target::{DayAt, Edge, Target};

pub struct RefCal {
    tz: Tz,
    weekly: [Vec<Interval>; 7],
    days: HashMap<NaiveDate, Vec<Interval>>,
}

impl RefCal {
    pub fn new(spec: &CalendarSpec, holidays: &[HolidayEntry]) -> RefCal {
        let tz: Tz = spec.time_zone.parse().expect("valid zone");
        let standard = spec.weekly.iter().find(|d| !d.is_empty()).cloned().unwrap_or_default();
        let mut days = HashMap::new();
        for h in holidays {
            days.insert(h.date, if h.kind == HolidayKind::Holiday { vec![] } else { standard.clone() });
        }
        for o in &spec.overrides {
            let hours = match o.kind {
                OverrideKind::Holiday => vec![],
                _ => o.hours.clone().unwrap_or_else(|| standard.clone()),
            };
            days.insert(o.date, hours);
        }
        RefCal { tz, weekly: spec.weekly.clone(), days }
    }

    pub fn hours(&self, d: NaiveDate) -> &[Interval] {
        self.days.get(&d).map_or(&self.weekly[d.weekday().num_days_from_monday() as usize], |v| v)
    }

    /// Local date and minute of day of a UTC minute.
    fn local(&self, u: Micros) -> (NaiveDate, u32) {
        let l = self.tz.from_utc_datetime(&instant(u).naive_utc()).naive_local();
        (l.date(), l.hour() * 60 + l.minute())
    }

    pub fn working(&self, u: Micros) -> bool {
        let (d, m) = self.local(u);
        self.hours(d).iter().any(|iv| u32::from(iv.start) <= m && m < u32::from(iv.end))
    }

    /// Counts minutes; `u` must be on a whole minute.
    pub fn elapsed(&self, a: Micros, b: Micros, pauses: &[(Micros, Micros)]) -> Micros {
        let mut n = 0;
        let mut u = a;
        while u < b {
            if self.working(u) && !paused(pauses, u) {
                n += 1;
            }
            u += MIN;
        }
        n * MIN
    }

    fn consume(&self, start: Micros, budget: Micros, pauses: &[(Micros, Micros)], later_start: bool) -> Micros {
        let counts = |u: Micros| self.working(u) && !paused(pauses, u);
        let mut u = start;
        let mut left = budget / MIN;
        if left == 0 {
            while !counts(u) {
                u += MIN;
            }
            return u;
        }
        loop {
            if counts(u) {
                left -= 1;
                if left == 0 {
                    let mut due = u + MIN;
                    if later_start {
                        while !counts(due) {
                            due += MIN;
                        }
                    }
                    return due;
                }
            }
            u += MIN;
        }
    }

    /// The earliest minute whose local date and time is at or after `(day, minute)`.
    fn to_utc(&self, day: NaiveDate, minute: u32) -> Micros {
        let target = (day, minute);
        let mut u =
            self.tz.from_utc_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight")).timestamp_micros() - 36 * 60 * MIN;
        loop {
            let (d, m) = self.local(u);
            if (d, m) >= target {
                return u;
            }
            u += MIN;
        }
    }

    fn nth_working_day_after(&self, d: NaiveDate, n: i64) -> NaiveDate {
        let mut d = d;
        let mut count = 0;
        loop {
            d = d.succ_opt().expect("date");
            if !self.hours(d).is_empty() {
                count += 1;
                if count == n {
                    return d;
                }
            }
        }
    }

    fn on_day(&self, start: Micros, day: NaiveDate, minute: u32, clamp: bool) -> (Micros, Micros, bool) {
        let ivs = self.hours(day);
        let last = u32::from(ivs[ivs.len() - 1].end);
        let at = if !clamp || minute >= last {
            last
        } else {
            let next = ivs.iter().find(|iv| u32::from(iv.end) > minute).expect("interval");
            minute.max(u32::from(next.start))
        };
        let due = if at == 1440 { self.to_utc(day.succ_opt().expect("date"), 0) } else { self.to_utc(day, at) };
        (due, self.elapsed(start, due, &[]), self.working(due))
    }

    pub fn due(&self, t: &Target, start: Micros, pauses: &[(Micros, Micros)]) -> Micros {
        match *t {
            Target::Calendar { minutes } => {
                let mut left = i64::from(minutes);
                let mut u = start;
                if left == 0 {
                    while paused(pauses, u) {
                        u += MIN;
                    }
                    return u;
                }
                loop {
                    if !paused(pauses, u) {
                        left -= 1;
                        if left == 0 {
                            return u + MIN;
                        }
                    }
                    u += MIN;
                }
            }
            Target::Business { minutes } => self.consume(start, i64::from(minutes) * MIN, pauses, false),
            Target::WorkingDays { days, at } => {
                let (d0, m) = self.local(start);
                let day = self.nth_working_day_after(d0, i64::from(days));
                let (due, budget, later) = self.on_day(start, day, m, at == DayAt::SameTime);
                if pauses.is_empty() { due } else { self.consume(start, budget, pauses, later) }
            }
            Target::NextWorkingDay { at } => {
                let (d0, _) = self.local(start);
                let day = self.nth_working_day_after(d0, 1);
                let (due, budget, later) = self.on_day(start, day, if at == Edge::Start { 0 } else { 1440 }, true);
                if pauses.is_empty() { due } else { self.consume(start, budget, pauses, later) }
            }
        }
    }
}

fn paused(pauses: &[(Micros, Micros)], u: Micros) -> bool {
    pauses.iter().any(|&(s, e)| s <= u && u < e)
}
