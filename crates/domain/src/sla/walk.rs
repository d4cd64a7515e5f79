//! The engine's core: working time walked forward interval by interval, with whole regular weeks
//! taken in one step where the calendar allows, and pauses cut out.

use super::compiled::{Calendar, DAY, Micros, WEEK};
use super::explain::Observe;

/// No computation looks further than this past its start (11 years): enough for the longest
/// target (a year of working time, or 366 working days) on a calendar with one working day a week.
pub const HORIZON: Micros = 4018 * DAY;

enum Next {
    Span(Micros, Micros),
    /// The cursor reached a local midnight: a chance to take whole weeks at once.
    Midnight,
}

struct Walker<'a, O: Observe> {
    cal: &'a Calendar,
    cursor: Micros,
    obs: &'a mut O,
}

impl<'a, O: Observe> Walker<'a, O> {
    fn new(cal: &'a Calendar, cursor: Micros, obs: &'a mut O) -> Self {
        Walker { cal, cursor, obs }
    }

    /// The next piece of working time at or after the cursor, bounded by one local day, one
    /// working interval and one UTC offset; `None` once the cursor passes `limit`.
    fn next(&mut self, limit: Micros) -> Option<Next> {
        let cal = self.cal;
        loop {
            let u = self.cursor;
            if u >= limit {
                return None;
            }
            let off = cal.offset(u);
            let day = (u + off).div_euclid(DAY);
            let tod = u + off - day * DAY;
            let plan = cal.plan(day as i32);
            if let Some(&(s, e)) = plan.intervals.iter().find(|&&(_, e)| e > tod) {
                let start = u.max(day * DAY + s - off);
                let end = day * DAY + e - off;
                match cal.transition_between(u, end) {
                    Some(t) if t <= start => self.cursor = t,
                    Some(t) => {
                        self.cursor = t;
                        return Some(Next::Span(start, t));
                    }
                    None => {
                        self.cursor = end;
                        return Some(Next::Span(start, end));
                    }
                }
                continue;
            }
            if !plan.is_working() {
                self.obs.skipped(cal, day as i32);
            }
            let midnight = (day + 1) * DAY - off;
            match cal.transition_between(u, midnight) {
                Some(t) => self.cursor = t,
                None => {
                    self.cursor = midnight;
                    return Some(Next::Midnight);
                }
            }
        }
    }

    /// Takes up to `max_weeks` whole regular weeks from a local midnight, none of them reaching
    /// `stop` (the next pause, or the end of the range); returns the weeks taken.
    fn jump(&mut self, max_weeks: i64, stop: Micros) -> i64 {
        let cal = self.cal;
        let (day, tod) = cal.local(self.cursor);
        if tod != 0 {
            return 0;
        }
        let weeks = max_weeks.min(stop.saturating_sub(self.cursor) / WEEK);
        if weeks <= 0 {
            return 0;
        }
        // Stop before the next holiday, make-up day or override.
        let weeks = match cal.next_exception_day(day) {
            Some(e) => weeks.min((i64::from(e) - i64::from(day)) / 7),
            None => weeks,
        };
        if weeks <= 0 || !cal.can_jump(self.cursor, day, weeks) {
            return 0;
        }
        self.obs.jumped(cal, day, weeks, weeks * cal.week_total());
        self.cursor += weeks * WEEK;
        weeks
    }
}

/// Pauses as sorted, disjoint intervals, walked alongside the working time.
pub struct Pauses<'p> {
    list: &'p [(Micros, Micros)],
    i: usize,
}

impl<'p> Pauses<'p> {
    /// `list` must be sorted and disjoint (see `normalize_pauses`).
    pub fn new(list: &'p [(Micros, Micros)]) -> Self {
        Pauses { list, i: 0 }
    }

    /// Where the next pause at or after `u` starts (or `u` itself if one is under way).
    fn next_start(&mut self, u: Micros) -> Micros {
        while self.list.get(self.i).is_some_and(|&(_, e)| e <= u) {
            self.i += 1;
        }
        self.list.get(self.i).map_or(Micros::MAX, |&(s, _)| s.max(u))
    }

    /// The first piece of `[s, e)`: `(end, paused)`.
    fn piece(&mut self, s: Micros, e: Micros) -> (Micros, bool) {
        let next = self.next_start(s);
        if next > s { (e.min(next), false) } else { (e.min(self.list[self.i].1), true) }
    }

    /// Paused time inside `[a, b)`.
    pub fn overlap(&self, a: Micros, b: Micros) -> Micros {
        self.list.iter().map(|&(s, e)| (e.min(b) - s.max(a)).max(0)).sum()
    }
}

/// Sorts pauses and merges those that overlap or touch; empty ones are dropped.
pub fn normalize_pauses(mut list: Vec<(Micros, Micros)>) -> Vec<(Micros, Micros)> {
    list.retain(|(s, e)| e > s);
    list.sort_unstable();
    let mut out: Vec<(Micros, Micros)> = Vec::with_capacity(list.len());
    for (s, e) in list {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// The instant at which `budget` of unpaused working time has elapsed since `start`. With
/// `later_start`, a budget used up exactly at the end of a working interval is due at the start of
/// the next one instead (the same working instant, as a deadline stated at an interval's start).
/// `None` if the calendar has too little working time before the horizon.
pub fn consume<O: Observe>(
    cal: &Calendar,
    start: Micros,
    budget: Micros,
    pauses: &[(Micros, Micros)],
    later_start: bool,
    obs: &mut O,
) -> Option<Micros> {
    let mut w = Walker::new(cal, start, obs);
    let mut p = Pauses::new(pauses);
    let mut remaining = budget;
    let limit = start + HORIZON;
    let week = cal.week_total();
    loop {
        // At a local midnight (reached directly, or at the end of a day's last span) whole regular
        // weeks may be taken at once.
        if week > 0 && remaining > week {
            let stop = p.next_start(w.cursor);
            remaining -= w.jump((remaining - 1) / week, stop) * week;
        }
        match w.next(limit)? {
            Next::Midnight => {}
            Next::Span(s, e) => {
                let mut a = s;
                while a < e {
                    let (b, paused) = p.piece(a, e);
                    if paused {
                        w.obs.paused(cal, a, b);
                    } else if b - a > remaining || (b - a == remaining && !(later_start && remaining > 0)) {
                        w.obs.consumed(cal, a, a + remaining);
                        return Some(a + remaining);
                    } else {
                        remaining -= b - a;
                        w.obs.consumed(cal, a, b);
                    }
                    a = b;
                }
            }
        }
    }
}

/// Unpaused working time in `[a, b)`.
pub fn elapsed<O: Observe>(cal: &Calendar, a: Micros, b: Micros, pauses: &[(Micros, Micros)], obs: &mut O) -> Micros {
    if b <= a {
        return 0;
    }
    let mut w = Walker::new(cal, a, obs);
    let mut p = Pauses::new(pauses);
    let mut total = 0;
    let week = cal.week_total();
    loop {
        if week > 0 {
            let stop = p.next_start(w.cursor).min(b);
            total += w.jump(i64::MAX, stop) * week;
        }
        let Some(next) = w.next(b) else { break };
        match next {
            Next::Midnight => {}
            Next::Span(s, e) => {
                let e = e.min(b);
                let mut x = s;
                while x < e {
                    let (y, paused) = p.piece(x, e);
                    if paused {
                        w.obs.paused(cal, x, y);
                    } else {
                        total += y - x;
                        w.obs.consumed(cal, x, y);
                    }
                    x = y;
                }
            }
        }
    }
    total
}

/// The `n`th working day after local day `day` (n ≥ 1); `None` past the horizon.
pub fn nth_working_day_after<O: Observe>(cal: &Calendar, day: i32, n: i64, obs: &mut O) -> Option<i32> {
    let mut d = day + 1;
    let mut count = 0;
    let last = day + (HORIZON / DAY) as i32;
    while d <= last {
        // Whole weeks without exceptions hold the weekly number of working days.
        let per_week = cal.week_days();
        if per_week > 0 && n - count > per_week {
            let by_exception = cal.next_exception_day(d).map_or(i64::MAX, |e| (i64::from(e) - i64::from(d)) / 7);
            let weeks = ((n - count - 1) / per_week).min(by_exception);
            if weeks > 0 {
                obs.jumped(cal, d, weeks, weeks * cal.week_total());
                d += (weeks * 7) as i32;
                count += weeks * per_week;
                continue;
            }
        }
        if cal.plan(d).is_working() {
            count += 1;
            obs.counted(cal, d, count);
            if count == n {
                return Some(d);
            }
        } else {
            obs.skipped(cal, d);
        }
        d += 1;
    }
    None
}
