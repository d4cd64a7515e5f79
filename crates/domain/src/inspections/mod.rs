//! Inspections (巡检): checklist templates, plans on a working calendar, the tasks they generate
//! and the records engineers sign.

pub mod builtin;
pub mod indicators;
pub mod plan;
pub mod record;
pub mod recurrence;
pub mod template;

#[cfg(test)]
mod tests;
