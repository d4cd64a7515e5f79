//! A finding's fix clock: the SLA engine's clock (`tickets::clocks::from_stretches`), with the
//! stretches read from the finding's status changes. It starts when the finding was found,
//! stops while the finding is fixed, verified, a false positive or an accepted risk, runs
//! again when it reopens (the stopped stretch cut out, as a ticket's reopen does), and pauses
//! in the states the policy pauses `fix` in (`pending` unless the policy says otherwise).

use crate::sla::compiled::{Calendar, Micros};
use crate::sla::policy::{Level, PolicySpec};
use crate::sla::target::{MAX_MINUTES, Target};
use crate::tickets::clocks::{Clock, Phase, from_stretches};

use super::{Severity, VulnStatus};

/// The metric a vulnerability policy's levels name.
pub const METRIC: &str = "fix";

/// A status change: at `at` the finding entered `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub at: Micros,
    pub to: VulnStatus,
}

/// The level of a vulnerability policy for a severity: the one named after it (`critical`,
/// `危急`, …), else the one whose order is the severity's rank (1 critical … 4 low).
pub fn level(spec: &PolicySpec, severity: Severity) -> Option<&Level> {
    spec.levels
        .iter()
        .find(|l| severity.level_names().iter().any(|n| l.name.trim().eq_ignore_ascii_case(n)))
        .or_else(|| spec.levels.iter().find(|l| l.order == severity.rank()))
}

/// What a finding's fix is due by under its policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// The policy's `fix` target for the severity.
    Within(Target),
    /// Before the system's next scheduled scan (下次扫描前).
    BeforeNextScan,
}

/// The fix deadline for a severity under a policy, if the policy sets one.
pub fn deadline(spec: &PolicySpec, severity: Severity) -> Option<Deadline> {
    let l = level(spec, severity)?;
    if l.before_next_scan {
        return Some(Deadline::BeforeNextScan);
    }
    l.targets.get(METRIC).copied().map(Deadline::Within)
}

/// "Before the next scan" as a clock target: the wall time from the finding's start to the
/// moment the next scan's period opens, to the minute (at most a year, the longest target). A
/// pause or a stretch spent fixed moves the due instant later, as for any fix clock.
pub fn until_next_scan(start: Micros, next_scan: Micros) -> Target {
    let minutes = ((next_scan - start) / crate::sla::compiled::MIN).clamp(1, i64::from(MAX_MINUTES));
    Target::Calendar { minutes: minutes as u32 }
}

/// Whether the policy pauses the fix clock in `status` (`pause_states` names ticket states;
/// `pending` is the one a finding shares).
pub fn pauses_in(spec: &PolicySpec, status: VulnStatus) -> bool {
    spec.pause_states.get(status.as_str()).is_some_and(|ms| ms.iter().any(|m| m == METRIC))
}

/// The clock as of `now`, from the finding's start (when it was found) and its changes in time
/// order.
pub fn compute(
    cal: &Calendar,
    spec: &PolicySpec,
    target: Target,
    start: Micros,
    changes: &[Change],
    now: Micros,
) -> Clock {
    let now = now.max(start);
    let mut cuts: Vec<(Micros, VulnStatus)> = vec![(start, VulnStatus::Open)];
    for c in changes {
        if c.at <= start {
            cuts[0].1 = c.to;
        } else if c.at <= now {
            cuts.push((c.at, c.to));
        }
    }
    let phase = |s: VulnStatus| {
        if s.stops_clock() {
            Phase::Stop
        } else if pauses_in(spec, s) {
            Phase::Pause
        } else {
            Phase::Run
        }
    };
    let mut parts: Vec<(Micros, Micros, Phase)> = Vec::new();
    for (i, &(a, s)) in cuts.iter().enumerate() {
        let b = cuts.get(i + 1).map_or(now, |c| c.0);
        match parts.last_mut() {
            Some(last) if last.2 == phase(s) => last.1 = b,
            _ => parts.push((a, b, phase(s))),
        }
    }
    from_stretches(cal, METRIC, target, start, &parts, now)
}
