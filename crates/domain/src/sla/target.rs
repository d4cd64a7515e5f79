//! Targets: how long a clock may run. Wall-clock minutes, minutes of working time, working days,
//! or the next working day — each with a due instant that can explain itself.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::compiled::{Calendar, DAY, MIN, Micros, date_of, instant, micros};
use super::explain::{Observe, Recorder, Step};
use super::walk::{consume, elapsed, normalize_pauses, nth_working_day_after};
use crate::{FieldError, Lang, Msg};

/// A year, the longest a target may be: a clause longer than that is a typing mistake.
pub const MAX_MINUTES: u32 = 366 * 24 * 60;
pub const MAX_DAYS: u16 = 366;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayAt {
    /// The same wall-clock time as the start, moved into that day's working hours.
    SameTime,
    /// The end of that day's last working interval.
    #[default]
    EndOfDay,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Edge {
    /// The day's first working minute.
    Start,
    /// The end of the day's last working interval.
    #[default]
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// Wall-clock minutes (7×24).
    Calendar { minutes: u32 },
    /// Minutes counted only inside the calendar's working time.
    Business { minutes: u32 },
    /// The `days`th working day after the start's day.
    WorkingDays {
        days: u16,
        #[serde(default)]
        at: DayAt,
    },
    /// The first working day after the start's day.
    NextWorkingDay {
        #[serde(default)]
        at: Edge,
    },
}

/// What a clock counts: wall-clock time, or the calendar's working time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Wall,
    Working,
}

/// The unpaused due instant of a target and the budget a clock spends towards it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub due: Micros,
    pub budget: Micros,
    pub measure: Measure,
    /// The due instant starts a working interval (a deadline at 08:30, not at 17:30 the day before).
    pub later_start: bool,
}

impl Target {
    pub fn validate(&self, field: &str) -> Result<(), FieldError> {
        let ok = match *self {
            // A zero target would be due the moment it starts: a typing mistake, not a promise.
            Target::Calendar { minutes } | Target::Business { minutes } => (1..=MAX_MINUTES).contains(&minutes),
            Target::WorkingDays { days, .. } => (1..=MAX_DAYS).contains(&days),
            Target::NextWorkingDay { .. } => true,
        };
        if ok {
            Ok(())
        } else {
            Err(FieldError::new(
                field,
                format!("时限须在 1 到 {MAX_MINUTES} 分钟、1 到 {MAX_DAYS} 个工作日之间"),
                format!("must be 1 to {MAX_MINUTES} minutes or 1 to {MAX_DAYS} working days"),
            ))
        }
    }

    pub fn measure(&self) -> Measure {
        match self {
            Target::Calendar { .. } => Measure::Wall,
            _ => Measure::Working,
        }
    }

    /// The target in words, e.g. “3 个工作日（当日下班前）”.
    pub fn text(&self) -> Msg {
        match *self {
            Target::Calendar { minutes } => {
                Msg::new(format!("{} 内（自然时间）", dur_zh(minutes)), format!("{} (wall clock)", dur_en(minutes)))
            }
            Target::Business { minutes } => {
                Msg::new(format!("{} 内（工作时间）", dur_zh(minutes)), format!("{} of working time", dur_en(minutes)))
            }
            Target::WorkingDays { days, at: DayAt::EndOfDay } => {
                Msg::new(format!("{days} 个工作日内（当日下班前）"), format!("{days} working days (end of day)"))
            }
            Target::WorkingDays { days, at: DayAt::SameTime } => {
                Msg::new(format!("{days} 个工作日内（同一时刻）"), format!("{days} working days (same time)"))
            }
            Target::NextWorkingDay { at: Edge::Start } => Msg::new("下一个工作日上班时", "next working day, start"),
            Target::NextWorkingDay { at: Edge::End } => Msg::new("下一个工作日下班前", "next working day, end"),
        }
    }

    /// The due instant and budget without pauses; `None` if the calendar has no working time
    /// within reach.
    pub fn plan<O: Observe>(&self, cal: &Calendar, start: Micros, obs: &mut O) -> Option<Plan> {
        match *self {
            Target::Calendar { minutes } => {
                let budget = i64::from(minutes) * MIN;
                obs.consumed(cal, start, start + budget);
                Some(Plan { due: start + budget, budget, measure: Measure::Wall, later_start: false })
            }
            Target::Business { minutes } => {
                let budget = i64::from(minutes) * MIN;
                let due = consume(cal, start, budget, &[], false, obs)?;
                Some(Plan { due, budget, measure: Measure::Working, later_start: false })
            }
            Target::WorkingDays { days, at } => {
                let (day0, tod) = cal.local(start);
                let day = nth_working_day_after(cal, day0, i64::from(days), obs)?;
                Some(self.on_day(cal, start, day, tod, at == DayAt::SameTime))
            }
            Target::NextWorkingDay { at } => {
                let (day0, _) = cal.local(start);
                let day = nth_working_day_after(cal, day0, 1, obs)?;
                Some(self.on_day(cal, start, day, if at == Edge::Start { 0 } else { DAY }, true))
            }
        }
    }

    /// A deadline on working day `day` at time of day `tod`, moved into that day's hours: before
    /// them to their start, after them to their end, in a gap to the next interval's start.
    fn on_day(&self, cal: &Calendar, start: Micros, day: i32, tod: Micros, clamp: bool) -> Plan {
        let ivs = &cal.plan(day).intervals;
        let (first, last) = (ivs[0].0, ivs[ivs.len() - 1].1);
        let at = if !clamp || tod >= last {
            last
        } else {
            ivs.iter().find(|&&(_, e)| e > tod).map_or(last, |&(s, _)| tod.max(s)).max(first)
        };
        let due = cal.to_utc(day, at);
        let budget = elapsed(cal, start, due, &[], &mut ());
        Plan { due, budget, measure: Measure::Working, later_start: cal.is_working(due) }
    }

    /// The due instant with the clock stopped during `pauses` (sorted, disjoint).
    pub fn due<O: Observe>(
        &self,
        cal: &Calendar,
        start: Micros,
        pauses: &[(Micros, Micros)],
        obs: &mut O,
    ) -> Option<Micros> {
        if pauses.iter().all(|&(_, e)| e <= start) {
            return self.plan(cal, start, obs).map(|p| p.due);
        }
        let plan = self.plan(cal, start, &mut ())?;
        match plan.measure {
            Measure::Wall if plan.budget == 0 => {
                // Due at once, unless a pause is under way: then when it ends.
                let mut due = start;
                for &(s, e) in pauses {
                    if s <= due && due < e {
                        obs.paused(cal, due, e);
                        due = e;
                    }
                }
                Some(due)
            }
            Measure::Wall => Some(wall_due(cal, start, plan.budget, pauses, obs)),
            Measure::Working => consume(cal, start, plan.budget, pauses, plan.later_start, obs),
        }
    }

    /// The instant at which `percent` of the budget has been spent, pauses honoured (for the
    /// escalation ladder's “at 75 %” steps).
    pub fn at_share(&self, cal: &Calendar, start: Micros, pauses: &[(Micros, Micros)], percent: u32) -> Option<Micros> {
        let plan = self.plan(cal, start, &mut ())?;
        let share = plan.budget * i64::from(percent.min(100)) / 100;
        match plan.measure {
            Measure::Wall => Some(wall_due(cal, start, share, pauses, &mut ())),
            Measure::Working => consume(cal, start, share, pauses, false, &mut ()),
        }
    }

    /// The budget the clock spends (wall-clock or working time, by the target's kind).
    pub fn budget(&self, cal: &Calendar, start: Micros) -> Option<Micros> {
        self.plan(cal, start, &mut ()).map(|p| p.budget)
    }

    /// The budget spent between `start` and `now` (never negative), pauses excluded.
    pub fn spent(&self, cal: &Calendar, start: Micros, now: Micros, pauses: &[(Micros, Micros)]) -> Micros {
        match self.measure() {
            Measure::Wall => (now - start - super::walk::Pauses::new(pauses).overlap(start, now.max(start))).max(0),
            Measure::Working => elapsed(cal, start, now, pauses, &mut ()),
        }
    }
}

/// `budget` of wall-clock time from `start`, the clock stopped during `pauses`.
fn wall_due<O: Observe>(
    cal: &Calendar,
    start: Micros,
    budget: Micros,
    pauses: &[(Micros, Micros)],
    obs: &mut O,
) -> Micros {
    let mut due = start + budget;
    for &(s, e) in pauses {
        if e <= start {
            continue;
        }
        if s >= due {
            break;
        }
        obs.paused(cal, s.max(start), e);
        due += e - s.max(start);
    }
    due
}

fn dur_zh(minutes: u32) -> String {
    match minutes {
        m if m % 1440 == 0 && m > 0 => format!("{} 天", m / 1440),
        m if m % 60 == 0 && m > 0 => format!("{} 小时", m / 60),
        m => format!("{m} 分钟"),
    }
}

fn dur_en(minutes: u32) -> String {
    match minutes {
        m if m % 1440 == 0 && m > 0 => format!("{} d", m / 1440),
        m if m % 60 == 0 && m > 0 => format!("{} h", m / 60),
        m => format!("{m} min"),
    }
}

/// A due time with the story of how it was reached.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Explanation {
    pub target: Target,
    /// The target in words, in the caller's language.
    pub rule: String,
    pub start: DateTime<Utc>,
    pub start_local: String,
    /// The start falls inside the calendar's working time.
    pub in_hours: bool,
    /// Null when the calendar has no working time within reach.
    pub due_at: Option<DateTime<Utc>>,
    pub due_local: Option<String>,
    /// The target used is the policy's out-of-hours one.
    pub out_of_hours: bool,
    pub explanation: Vec<ExplainedStep>,
    pub truncated: bool,
    /// The due date lies past the last date the calendar's holiday data covers.
    pub beyond_holiday_data: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ExplainedStep {
    #[serde(flatten)]
    pub step: Step,
    pub text: String,
}

/// Computes a due time and records why; `lang` picks the language of the sentences.
pub fn explain(
    target: &Target,
    cal: &Calendar,
    start: DateTime<Utc>,
    pauses: &[(Micros, Micros)],
    lang: Lang,
) -> Explanation {
    let s = micros(start);
    let pauses = normalize_pauses(pauses.to_vec());
    let mut rec = Recorder::default();
    let due = target.due(cal, s, &pauses, &mut rec);
    let beyond = match (due, cal.holidays_until()) {
        (Some(d), Some(until)) => date_of(cal.local(d).0) > until,
        _ => false,
    };
    Explanation {
        target: *target,
        rule: target.text().pick(lang).to_string(),
        start,
        start_local: cal.local_string(s),
        in_hours: cal.is_working(s),
        due_at: due.map(instant),
        due_local: due.map(|d| cal.local_string(d)),
        out_of_hours: false,
        explanation: rec
            .steps
            .into_iter()
            .map(|step| ExplainedStep { text: step.text().pick(lang).to_string(), step })
            .collect(),
        truncated: rec.truncated,
        beyond_holiday_data: beyond,
    }
}
