//! Up and down: a monitor is declared down after `failures_before_down` consecutive failed
//! checks and up again after `successes_before_up` consecutive good ones. A new monitor is
//! `unknown` until its first verdict; the first success makes it up at once (nothing was down).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MonitorState {
    Unknown,
    Up,
    Down,
}

impl MonitorState {
    pub fn as_str(self) -> &'static str {
        match self {
            MonitorState::Unknown => "unknown",
            MonitorState::Up => "up",
            MonitorState::Down => "down",
        }
    }

    pub fn parse(s: &str) -> Option<MonitorState> {
        match s {
            "unknown" => Some(MonitorState::Unknown),
            "up" => Some(MonitorState::Up),
            "down" => Some(MonitorState::Down),
            _ => None,
        }
    }
}

/// The running verdict of one monitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tracker {
    pub state: MonitorState,
    failures: u32,
    successes: u32,
    failures_before_down: u32,
    successes_before_up: u32,
}

impl Tracker {
    pub fn new(state: MonitorState, failures_before_down: u32, successes_before_up: u32) -> Tracker {
        Tracker {
            state,
            failures: 0,
            successes: 0,
            failures_before_down: failures_before_down.max(1),
            successes_before_up: successes_before_up.max(1),
        }
    }

    /// Takes one check's result; returns the new state when it changed.
    pub fn observe(&mut self, ok: bool) -> Option<MonitorState> {
        if ok {
            self.failures = 0;
            self.successes = self.successes.saturating_add(1);
        } else {
            self.successes = 0;
            self.failures = self.failures.saturating_add(1);
        }
        let next = match self.state {
            MonitorState::Unknown if ok => MonitorState::Up,
            MonitorState::Down if ok && self.successes >= self.successes_before_up => MonitorState::Up,
            MonitorState::Unknown | MonitorState::Up if !ok && self.failures >= self.failures_before_down => {
                MonitorState::Down
            }
            s => s,
        };
        (next != self.state).then(|| {
            self.state = next;
            next
        })
    }

    /// Failed checks in a row so far (for "down since the first failure").
    pub fn failures(&self) -> u32 {
        self.failures
    }
}
