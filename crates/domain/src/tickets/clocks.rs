//! SLA clocks computed from a ticket's history. A clock is a pure function of the target, the
//! calendar, the moments the ticket changed state and the instant asked about: nothing is held in
//! memory timers, so any replica can recompute any clock at any time and get the same answer.
//!
//! How each metric stops (see docs/architecture.md, "Ticket clocks"):
//! - `response`: the first step out of `new`, whatever it is;
//! - `arrival`: arriving on site, or restoring / resolving before anyone arrived;
//! - `restore`: `restored`, `resolved` or `closed`; it runs again if the ticket leaves them;
//! - `resolve`: `resolved` or `closed`; it runs again after a reopen;
//! - `plan` and custom metrics: their milestone, or resolving.
//!
//! The time a clock spends stopped before it runs again, and the time the ticket spends in a
//! state the policy pauses the metric in, are cut out of the clock.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Status;
use crate::sla::compiled::{Calendar, Micros};
use crate::sla::target::Target;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    Running,
    Paused,
    Met,
    Breached,
}

impl ClockState {
    pub fn as_str(self) -> &'static str {
        match self {
            ClockState::Running => "running",
            ClockState::Paused => "paused",
            ClockState::Met => "met",
            ClockState::Breached => "breached",
        }
    }

    pub fn parse(s: &str) -> Option<ClockState> {
        [ClockState::Running, ClockState::Paused, ClockState::Met, ClockState::Breached]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// A state change: at `at` the ticket entered `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub at: Micros,
    pub to: Status,
}

/// What a clock is computed from.
#[derive(Debug, Clone, Copy)]
pub struct History<'a> {
    pub reported_at: Micros,
    /// In time order.
    pub changes: &'a [Change],
    /// Milestones reached (metric → instant), for `plan` and custom metrics.
    pub milestones: &'a BTreeMap<String, Micros>,
}

/// One clock as of some instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    pub metric: String,
    pub target: Target,
    pub start: Micros,
    /// Unknown while paused (it depends on when the pause ends), or when the calendar has no
    /// working time within reach.
    pub due: Option<Micros>,
    pub state: ClockState,
    pub stopped_at: Option<Micros>,
    /// When the pause under way began (not stored: the history has it).
    #[serde(default)]
    pub paused_at: Option<Micros>,
    pub breached_at: Option<Micros>,
    /// The budget in the target's measure (wall-clock or working time).
    pub budget: Micros,
    pub spent: Micros,
    /// The stretches cut out of the clock, sorted and disjoint.
    pub pauses: Vec<(Micros, Micros)>,
}

/// Where a clock is during a stretch of its subject's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Run,
    Pause,
    Stop,
}

/// When the metric stops for good (`Once`), or the states it is stopped in (`InStates`).
enum StopRule {
    Once(Option<Micros>),
    InStates(&'static [Status]),
}

fn stop_rule(metric: &str, h: &History) -> StopRule {
    let first = |pred: &dyn Fn(Status) -> bool| h.changes.iter().find(|c| pred(c.to)).map(|c| c.at);
    match metric {
        "response" => StopRule::Once(h.changes.first().map(|c| c.at)),
        "arrival" => StopRule::Once(first(&|s| matches!(s, Status::Arrived | Status::Restored | Status::Resolved))),
        "restore" => StopRule::InStates(&[Status::Restored, Status::Resolved, Status::Closed]),
        "resolve" => StopRule::InStates(&[Status::Resolved, Status::Closed]),
        other => {
            let resolved = first(&|s| s == Status::Resolved);
            let milestone = h.milestones.get(other).copied();
            StopRule::Once(match (milestone, resolved) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            })
        }
    }
}

/// The ticket's history as stretches `[from, to)` in one phase of this metric, up to `now`.
fn stretches(
    h: &History,
    rule: &StopRule,
    paused_in: &[Status],
    start: Micros,
    now: Micros,
) -> Vec<(Micros, Micros, Phase)> {
    let mut points: Vec<(Micros, Status)> = vec![(h.reported_at, Status::New)];
    points.extend(h.changes.iter().map(|c| (c.at, c.to)));
    let mut cuts: Vec<Micros> = points.iter().map(|p| p.0).collect();
    if let StopRule::Once(Some(t)) = rule {
        cuts.push(*t);
    }
    cuts.push(start);
    // A change at `now` itself already decides the phase the clock is in.
    cuts.retain(|&t| t >= start && t <= now);
    cuts.sort_unstable();
    cuts.dedup();
    let status_at = |t: Micros| points.iter().rev().find(|p| p.0 <= t).map_or(Status::New, |p| p.1);
    let phase_at = |t: Micros| {
        let s = status_at(t);
        let stopped = match rule {
            StopRule::Once(at) => at.is_some_and(|at| at <= t),
            StopRule::InStates(states) => states.contains(&s),
        };
        if stopped {
            Phase::Stop
        } else if paused_in.contains(&s) {
            Phase::Pause
        } else {
            Phase::Run
        }
    };
    let mut out: Vec<(Micros, Micros, Phase)> = Vec::new();
    for (i, &a) in cuts.iter().enumerate() {
        let b = cuts.get(i + 1).copied().unwrap_or(now);
        let phase = phase_at(a);
        match out.last_mut() {
            Some(last) if last.2 == phase => last.1 = b,
            _ => out.push((a, b, phase)),
        }
    }
    out
}

/// The clock of `metric` with `target`, started at `start` (the report, or the last severity
/// upgrade), as of `now`. `paused_in` are the states the policy pauses this metric in.
pub fn compute(
    cal: &Calendar,
    metric: &str,
    target: Target,
    start: Micros,
    paused_in: &[Status],
    h: &History,
    now: Micros,
) -> Clock {
    let rule = stop_rule(metric, h);
    let now = now.max(start);
    let parts = stretches(h, &rule, paused_in, start, now);
    from_stretches(cal, metric, target, start, &parts, now)
}

/// The clock of `metric` given its subject's history as stretches `[from, to)` in one phase,
/// from `start` up to `now`, in time order: the one computation behind every clock, whether
/// its stretches come from a ticket's states or a vulnerability's.
pub fn from_stretches(
    cal: &Calendar,
    metric: &str,
    target: Target,
    start: Micros,
    parts: &[(Micros, Micros, Phase)],
    now: Micros,
) -> Clock {
    let now = now.max(start);
    // The last stretch says where the clock is now; every stretch before it that did not run is
    // cut out of the clock.
    let (tail_start, phase) = parts.last().map_or((start, Phase::Run), |p| (p.0, p.2));
    let pauses: Vec<(Micros, Micros)> =
        parts.iter().filter(|p| p.2 != Phase::Run && p.1 <= tail_start).map(|p| (p.0, p.1)).collect();
    let due = target.due(cal, start, &pauses, &mut ());
    let budget = target.budget(cal, start).unwrap_or(0);
    let until = if phase == Phase::Run { now } else { tail_start };
    let spent = target.spent(cal, start, until, &pauses);
    let mut clock = Clock {
        metric: metric.to_string(),
        target,
        start,
        due,
        state: ClockState::Running,
        stopped_at: None,
        paused_at: None,
        breached_at: None,
        budget,
        spent,
        pauses,
    };
    let late = |at: Micros| due.is_some_and(|d| at > d);
    match phase {
        Phase::Run if due.is_some_and(|d| now >= d) => {
            clock.state = ClockState::Breached;
            clock.breached_at = due;
        }
        Phase::Run => {}
        Phase::Pause if late(tail_start) => {
            clock.state = ClockState::Breached;
            clock.breached_at = due;
        }
        Phase::Pause => {
            clock.state = ClockState::Paused;
            clock.paused_at = Some(tail_start);
            clock.due = None;
        }
        Phase::Stop => {
            clock.stopped_at = Some(tail_start);
            if late(tail_start) {
                clock.state = ClockState::Breached;
                clock.breached_at = due;
            } else {
                clock.state = ClockState::Met;
            }
        }
    }
    clock
}

/// Outcomes once decided stay decided: a breach is not undone by a later change to the calendar,
/// and a met clock keeps the due time it met while it stays stopped — such changes move only
/// clocks still under way. Only the history itself can undo a breach: a change back-filled by an
/// administrator showing the clock stopped by the due time it was breached at. A met clock that
/// runs again (a reopen) takes the fresh computation.
pub fn settle(previous: Option<&Clock>, fresh: Clock) -> Clock {
    let stopped_in_time =
        |p: &Clock| matches!((fresh.stopped_at.or(fresh.paused_at), p.due), (Some(s), Some(d)) if s <= d);
    match previous {
        Some(p) if p.state == ClockState::Breached && !stopped_in_time(p) => Clock {
            state: ClockState::Breached,
            due: p.due,
            breached_at: p.breached_at,
            target: p.target,
            start: p.start,
            ..fresh
        },
        Some(p) if p.state == ClockState::Met && fresh.stopped_at.is_some() && fresh.stopped_at == p.stopped_at => {
            p.clone()
        }
        _ => fresh,
    }
}

impl Clock {
    /// Whether the clock still counts (running, or paused and able to run again).
    pub fn is_live(&self) -> bool {
        matches!(self.state, ClockState::Running | ClockState::Paused)
    }

    /// The instant the clock reaches `percent` of its budget, if it is running.
    pub fn at_percent(&self, cal: &Calendar, percent: u32) -> Option<Micros> {
        if self.state != ClockState::Running {
            return None;
        }
        self.target.at_share(cal, self.start, &self.pauses, percent)
    }

    /// When an escalation step (`on_breach`, or `at_percent` of the budget) was reached, as of
    /// `now`; a step still ahead of a running clock adds the moment it will be reached to `wake`.
    pub fn step_reached(
        &self,
        cal: &Calendar,
        on_breach: bool,
        at_percent: Option<u32>,
        now: Micros,
        wake: &mut Vec<Micros>,
    ) -> Option<Micros> {
        if on_breach {
            return self.breached_at;
        }
        let p = at_percent.unwrap_or(100);
        let share = self.target.at_share(cal, self.start, &self.pauses, p);
        let spent_enough = self.budget > 0 && i128::from(self.spent) * 100 >= i128::from(self.budget) * i128::from(p);
        if spent_enough || self.state == ClockState::Breached {
            return Some(share.map_or(now, |x| x.min(now)));
        }
        if self.state == ClockState::Running
            && let Some(x) = share
        {
            wake.push(x);
        }
        None
    }

    /// The share of the budget spent, in percent (0 when the budget is zero and nothing is due).
    pub fn percent_spent(&self) -> u32 {
        if self.budget <= 0 {
            return if self.state == ClockState::Breached { 100 } else { 0 };
        }
        (self.spent.saturating_mul(100) / self.budget).clamp(0, 10_000) as u32
    }
}
