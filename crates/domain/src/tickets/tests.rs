//! Clocks from histories: the stop rules, pauses, reopen, breach and the settling of outcomes.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::clocks::{Change, ClockState, History, compute, settle};
use super::{Role, Status};
use crate::sla::calendar::PRESETS;
use crate::sla::compiled::{Calendar, MIN, Micros, micros};
use crate::sla::holidays::{CN_TSV, covered_until, parse_table};
use crate::sla::target::Target;

fn preset(id: &str) -> Calendar {
    let p = PRESETS.iter().find(|p| p.id == id).unwrap();
    let h = if p.holiday_sets.is_empty() { vec![] } else { parse_table(CN_TSV).unwrap() };
    Calendar::compile(&p.spec(), &h, covered_until(&h))
}

fn bj(s: &str) -> Micros {
    micros(DateTime::parse_from_rfc3339(&format!("{s}:00+08:00")).unwrap().with_timezone(&Utc))
}

fn ch(at: &str, to: Status) -> Change {
    Change { at: bj(at), to }
}

const WALL_60: Target = Target::Calendar { minutes: 60 };

#[test]
fn response_stops_at_the_first_step_out_of_new() {
    let cal = preset("preset-7x24");
    let changes = [ch("2025-09-30T10:10", Status::InProgress), ch("2025-09-30T10:20", Status::Pending)];
    let none = BTreeMap::new();
    let h = History { reported_at: bj("2025-09-30T10:00"), changes: &changes, milestones: &none };
    let c = compute(&cal, "response", Target::Calendar { minutes: 15 }, h.reported_at, &[], &h, bj("2025-09-30T12:00"));
    assert_eq!((c.state, c.stopped_at), (ClockState::Met, Some(bj("2025-09-30T10:10"))));
    assert_eq!(c.due, Some(bj("2025-09-30T10:15")));
    assert_eq!(c.spent, 10 * MIN);
}

#[test]
fn pending_pauses_and_the_due_time_moves_by_the_pause() {
    let cal = preset("preset-7x24");
    let none = BTreeMap::new();
    let changes = [
        ch("2025-09-30T10:05", Status::Responded),
        ch("2025-09-30T10:20", Status::Pending),
        ch("2025-09-30T10:50", Status::InProgress),
    ];
    let h = History { reported_at: bj("2025-09-30T10:00"), changes: &changes, milestones: &none };
    let pending = [Status::Pending];
    // While pending, the due time is unknown.
    let c = compute(&cal, "restore", WALL_60, h.reported_at, &pending, &h, bj("2025-09-30T10:30"));
    assert_eq!((c.state, c.due), (ClockState::Paused, None));
    assert_eq!(c.spent, 20 * MIN);
    // After it, the 30 paused minutes are added.
    let c = compute(&cal, "restore", WALL_60, h.reported_at, &pending, &h, bj("2025-09-30T11:00"));
    assert_eq!((c.state, c.due), (ClockState::Running, Some(bj("2025-09-30T11:30"))));
    assert_eq!(c.pauses, vec![(bj("2025-09-30T10:20"), bj("2025-09-30T10:50"))]);
    // Still running past its due time: breached at the due time, not when someone looked.
    let c = compute(&cal, "restore", WALL_60, h.reported_at, &pending, &h, bj("2025-09-30T13:00"));
    assert_eq!((c.state, c.breached_at), (ClockState::Breached, Some(bj("2025-09-30T11:30"))));
}

#[test]
fn a_reopen_resumes_resolve_without_the_resolved_period() {
    let cal = preset("preset-7x24");
    let none = BTreeMap::new();
    let changes = [
        ch("2025-09-30T10:10", Status::InProgress),
        ch("2025-09-30T10:40", Status::Resolved),
        ch("2025-09-30T12:40", Status::Reopened),
        ch("2025-09-30T12:50", Status::Resolved),
    ];
    let h = History { reported_at: bj("2025-09-30T10:00"), changes: &changes, milestones: &none };
    let at_resolve = History { changes: &changes[..2], ..h };
    let first = compute(&cal, "resolve", WALL_60, h.reported_at, &[], &at_resolve, bj("2025-09-30T11:00"));
    assert_eq!((first.state, first.stopped_at), (ClockState::Met, Some(bj("2025-09-30T10:40"))));
    let c = compute(&cal, "resolve", WALL_60, h.reported_at, &[], &h, bj("2025-09-30T13:00"));
    assert_eq!(c.state, ClockState::Met);
    assert_eq!(c.due, Some(bj("2025-09-30T13:00")), "two resolved hours are cut out");
    assert_eq!(c.spent, 50 * MIN);
    // The met outcome of the first resolve does not survive the reopen.
    assert_eq!(settle(Some(&first), c.clone()), c);
    // Response was met once and stays met.
    let r = compute(&cal, "response", WALL_60, h.reported_at, &[], &h, bj("2025-09-30T13:00"));
    assert_eq!(r.stopped_at, Some(bj("2025-09-30T10:10")));
}

#[test]
fn a_clock_paused_after_its_due_time_is_breached() {
    let cal = preset("preset-7x24");
    let none = BTreeMap::new();
    let changes = [ch("2025-09-30T11:30", Status::Pending)];
    let h = History { reported_at: bj("2025-09-30T10:00"), changes: &changes, milestones: &none };
    let c = compute(&cal, "restore", WALL_60, h.reported_at, &[Status::Pending], &h, bj("2025-09-30T12:00"));
    assert_eq!((c.state, c.breached_at), (ClockState::Breached, Some(bj("2025-09-30T11:00"))));
}

#[test]
fn arrival_and_plan_stop_for_good() {
    let cal = preset("preset-7x24");
    let mut milestones = BTreeMap::new();
    milestones.insert("plan".to_string(), bj("2025-09-30T10:45"));
    let changes = [ch("2025-09-30T10:30", Status::Restored), ch("2025-09-30T10:40", Status::InProgress)];
    let h = History { reported_at: bj("2025-09-30T10:00"), changes: &changes, milestones: &milestones };
    let now = bj("2025-09-30T12:00");
    let a = compute(&cal, "arrival", WALL_60, h.reported_at, &[], &h, now);
    assert_eq!((a.state, a.stopped_at), (ClockState::Met, Some(bj("2025-09-30T10:30"))), "restored remotely");
    let p = compute(&cal, "plan", WALL_60, h.reported_at, &[], &h, now);
    assert_eq!((p.state, p.stopped_at), (ClockState::Met, Some(bj("2025-09-30T10:45"))));
    // Restore ran again after the relapse, minus the ten restored minutes, and breached.
    let r = compute(&cal, "restore", WALL_60, h.reported_at, &[], &h, now);
    assert_eq!((r.state, r.due), (ClockState::Breached, Some(bj("2025-09-30T11:10"))));
}

#[test]
fn working_time_clock_across_a_weekend() {
    let cal = preset("preset-5x8");
    let none = BTreeMap::new();
    // Friday 2025-09-26 17:00 with 2 working hours: 30 minutes on Friday, 90 on Sunday's
    // make-up day (2025-09-28 is a working day before National Day).
    let h = History { reported_at: bj("2025-09-26T17:00"), changes: &[], milestones: &none };
    let c = compute(&cal, "restore", Target::Business { minutes: 120 }, h.reported_at, &[], &h, bj("2025-09-27T09:00"));
    assert_eq!(c.state, ClockState::Running);
    assert_eq!(cal.local_string(c.due.unwrap()), "2025-09-28 10:00", "working day from 08:30");
    assert_eq!(c.spent, 30 * MIN);
    assert_eq!(c.at_percent(&cal, 50).map(|u| cal.local_string(u)).as_deref(), Some("2025-09-28 09:00"));
}

#[test]
fn settled_outcomes_do_not_move() {
    let cal = preset("preset-7x24");
    let none = BTreeMap::new();
    let changes = [ch("2025-09-30T10:30", Status::Resolved)];
    let h = History { reported_at: bj("2025-09-30T10:00"), changes: &changes, milestones: &none };
    let met = compute(&cal, "resolve", WALL_60, h.reported_at, &[], &h, bj("2025-09-30T11:00"));
    // The same history under a 20-minute target would breach; the decided outcome stays.
    let stricter =
        compute(&cal, "resolve", Target::Calendar { minutes: 20 }, h.reported_at, &[], &h, bj("2025-09-30T11:00"));
    assert_eq!(stricter.state, ClockState::Breached);
    assert_eq!(settle(Some(&met), stricter.clone()), met);
    assert_eq!(settle(Some(&stricter), met.clone()).state, ClockState::Breached, "a calendar change undoes no breach");
    // A back-filled history that shows the clock stopped in time does.
    let early = History { changes: &[ch("2025-09-30T10:15", Status::Resolved)], ..h };
    let backfilled =
        compute(&cal, "resolve", Target::Calendar { minutes: 20 }, h.reported_at, &[], &early, bj("2025-09-30T11:00"));
    assert_eq!(settle(Some(&stricter), backfilled).state, ClockState::Met);
}

#[test]
fn who_may_move_a_ticket() {
    assert!(Status::Resolved.may_enter(Role::Engineer));
    assert!(!Status::Closed.may_enter(Role::Engineer));
    assert!(Status::Closed.may_enter(Role::UnitUser));
    assert!(!Status::Resolved.may_enter(Role::UnitUser));
    assert!(!Status::Responded.may_enter(Role::Auditor));
    assert!(Status::Reopened.may_enter(Role::Admin));
    assert!(Status::Resolved.next().contains(&Status::Reopened));
    assert!(!Status::New.next().contains(&Status::Closed));
    for s in Status::ALL {
        assert!(!s.next().contains(&Status::New), "nothing returns to new");
    }
}

#[test]
fn a_change_at_the_instant_asked_about_counts() {
    let cal = preset("preset-7x24");
    let none = BTreeMap::new();
    let changes = [ch("2025-09-30T10:20", Status::Pending)];
    let h = History { reported_at: bj("2025-09-30T10:00"), changes: &changes, milestones: &none };
    let c = compute(&cal, "restore", WALL_60, h.reported_at, &[Status::Pending], &h, bj("2025-09-30T10:20"));
    assert_eq!(c.state, ClockState::Paused);
    let r = compute(&cal, "response", WALL_60, h.reported_at, &[], &h, bj("2025-09-30T10:20"));
    assert_eq!((r.state, r.stopped_at), (ClockState::Met, Some(bj("2025-09-30T10:20"))));
}
