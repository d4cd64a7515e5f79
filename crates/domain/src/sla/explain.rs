//! Why a due time is what it is: the working time a computation consumed, the days it skipped
//! and why, the pauses it honoured. The engine reports to an `Observe`r; the fast path uses
//! `()`, which records nothing.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::compiled::{Calendar, DayReason, MIN, Micros, date_of, instant};
use crate::Msg;

/// Explanations stop listing details after this many steps (the due time is still exact).
pub const MAX_STEPS: usize = 300;

pub trait Observe {
    fn consumed(&mut self, _cal: &Calendar, _from: Micros, _to: Micros) {}
    fn skipped(&mut self, _cal: &Calendar, _day: i32) {}
    fn jumped(&mut self, _cal: &Calendar, _from_day: i32, _weeks: i64, _working: Micros) {}
    fn paused(&mut self, _cal: &Calendar, _from: Micros, _to: Micros) {}
    fn counted(&mut self, _cal: &Calendar, _day: i32, _n: i64) {}
}

impl Observe for () {}

/// One line of an explanation.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// Working time counted towards the target.
    Consumed { from: String, to: String, minutes: f64 },
    /// Days without working time.
    Skipped { from: NaiveDate, to: NaiveDate, reason: DayReason },
    /// Regular weeks passed over at once (no holiday or special day inside).
    Weeks { from: NaiveDate, to: NaiveDate, weeks: i64, minutes: f64 },
    /// A pause that stopped the clock.
    Paused { from: String, to: String, minutes: f64 },
    /// A working day counted towards a target in working days.
    WorkingDay { date: NaiveDate, n: i64 },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Recorder {
    pub steps: Vec<Step>,
    /// More happened than is listed.
    pub truncated: bool,
}

impl Recorder {
    fn push(&mut self, step: Step) {
        if self.steps.len() >= MAX_STEPS {
            self.truncated = true;
        } else {
            self.steps.push(step);
        }
    }
}

fn minutes(m: Micros) -> f64 {
    (m as f64 / MIN as f64 * 100.0).round() / 100.0
}

impl Observe for Recorder {
    fn consumed(&mut self, cal: &Calendar, from: Micros, to: Micros) {
        if to <= from {
            return;
        }
        // Spans that touch (a 7×24 calendar's days) read as one.
        if let Some(Step::Consumed { to: last_to, minutes: m, .. }) = self.steps.last_mut()
            && *last_to == cal.local_string(from)
        {
            *last_to = cal.local_string(to);
            *m = minutes((*m * MIN as f64) as Micros + (to - from));
            return;
        }
        self.push(Step::Consumed {
            from: cal.local_string(from),
            to: cal.local_string(to),
            minutes: minutes(to - from),
        });
    }

    fn skipped(&mut self, cal: &Calendar, day: i32) {
        let date = date_of(day);
        let reason = cal.reason(day);
        if let Some(Step::Skipped { from, to, reason: r }) = self.steps.last_mut()
            && *r == reason
        {
            if date > *to && (date - *to).num_days() == 1 {
                *to = date;
                return;
            }
            if date >= *from && date <= *to {
                return;
            }
        }
        self.push(Step::Skipped { from: date, to: date, reason });
    }

    fn jumped(&mut self, _cal: &Calendar, from_day: i32, weeks: i64, working: Micros) {
        let last = from_day + (weeks * 7) as i32 - 1;
        self.push(Step::Weeks { from: date_of(from_day), to: date_of(last), weeks, minutes: minutes(working) });
    }

    fn paused(&mut self, cal: &Calendar, from: Micros, to: Micros) {
        if to <= from {
            return;
        }
        if let Some(Step::Paused { to: last_to, minutes: m, .. }) = self.steps.last_mut()
            && *last_to == cal.local_string(from)
        {
            *last_to = cal.local_string(to);
            *m = minutes((*m * MIN as f64) as Micros + (to - from));
            return;
        }
        self.push(Step::Paused { from: cal.local_string(from), to: cal.local_string(to), minutes: minutes(to - from) });
    }

    fn counted(&mut self, _cal: &Calendar, day: i32, n: i64) {
        self.push(Step::WorkingDay { date: date_of(day), n });
    }
}

fn reason_text(r: &DayReason, date: NaiveDate) -> Msg {
    use chrono::Datelike;
    match r {
        DayReason::Regular => Msg::new("工作日", "working day"),
        DayReason::OffDay if date.weekday().number_from_monday() >= 6 => Msg::new("周末", "weekend"),
        DayReason::OffDay => Msg::new("休息日", "day off"),
        DayReason::Holiday { name } if name.is_empty() => Msg::new("节假日", "holiday"),
        DayReason::Holiday { name } => Msg::new(name.clone(), format!("holiday ({name})")),
        DayReason::Workday { name } if name.is_empty() => Msg::new("调休上班", "make-up working day"),
        DayReason::Workday { name } => Msg::new(format!("{name}调休上班"), format!("make-up working day ({name})")),
        DayReason::Special { note } => Msg::new(format!("特殊工作时间 {note}"), format!("special hours {note}")),
    }
}

/// `2025-10-01..08`, `2025-09-29..10-08`, `2025-12-31..2026-01-01`.
fn range(from: NaiveDate, to: NaiveDate) -> String {
    use chrono::Datelike;
    if from == to {
        from.to_string()
    } else if (from.year(), from.month()) == (to.year(), to.month()) {
        format!("{from}..{}", to.format("%d"))
    } else if from.year() == to.year() {
        format!("{from}..{}", to.format("%m-%d"))
    } else {
        format!("{from}..{to}")
    }
}

impl Step {
    /// The step as a sentence, e.g. “跳过 2025-10-01..08：国庆节、中秋节”.
    pub fn text(&self) -> Msg {
        match self {
            Step::Consumed { from, to, minutes } => Msg::new(
                format!("计时 {from} – {to}（{minutes} 分钟）"),
                format!("counted {from} – {to} ({minutes} min)"),
            ),
            Step::Skipped { from, to, reason } => {
                let r = reason_text(reason, *from);
                Msg::new(
                    format!("跳过 {}：{}", range(*from, *to), r.zh),
                    format!("skipped {}: {}", range(*from, *to), r.en),
                )
            }
            Step::Weeks { from, to, weeks, minutes } => Msg::new(
                format!("{} 整 {weeks} 周无节假日，计时 {minutes} 分钟", range(*from, *to)),
                format!("{}: {weeks} regular weeks, {minutes} min counted", range(*from, *to)),
            ),
            Step::Paused { from, to, minutes } => Msg::new(
                format!("暂停 {from} – {to}（{minutes} 分钟）"),
                format!("paused {from} – {to} ({minutes} min)"),
            ),
            Step::WorkingDay { date, n } => {
                Msg::new(format!("第 {n} 个工作日：{date}"), format!("working day {n}: {date}"))
            }
        }
    }
}

/// The instant `u` as RFC 3339 UTC, for API answers.
pub fn rfc3339(u: Micros) -> String {
    instant(u).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}
