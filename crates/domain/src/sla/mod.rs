//! Working calendars and the SLA engine: when a clock is due, how much of it has run, and why.
//!
//! Everything here is pure computation on compiled calendars; see `docs/architecture.md`
//! ("SLA engine") for the definitions the engine implements.

pub mod calendar;
pub mod compiled;
pub mod explain;
pub mod holidays;
pub mod hours;
pub mod policy;
pub mod simulate;
pub mod target;
pub mod templates;
mod walk;

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

pub use calendar::{CalendarInput, CalendarSpec, CalendarView, PRESETS};
pub use compiled::{Calendar, DayReason, DayView, Micros};
pub use holidays::{HolidayEntry, HolidayKind};
pub use target::{Explanation, Measure, Target, explain};
pub use walk::normalize_pauses;
