use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::json;

use super::*;
use crate::inspections::recurrence::Span;
use crate::periods::periods;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn fields(e: Vec<FieldError>) -> Vec<String> {
    e.into_iter().map(|e| e.field).collect()
}

#[test]
fn a_policy_names_its_bad_fields() {
    let e = BackupPolicyInput {
        object: Some("tape".into()),
        frequency: Some(json!({"every": "fortnight"})),
        retention_days: Some(0),
        rpo_minutes: Some(-1),
        drill_frequency: Some(json!({"every": "day"})),
        ..Default::default()
    }
    .validate()
    .unwrap_err();
    assert_eq!(
        fields(e),
        ["system_id", "object", "frequency.every", "drill_frequency.every", "retention_days", "rpo_minutes"]
    );
    let e = BackupPolicyInput { system_id: Some("s".into()), object: Some("database".into()), ..Default::default() }
        .validate()
        .unwrap_err();
    assert_eq!(fields(e), ["frequency", "retention_days"]);
}

#[test]
fn a_policy_keeps_days_off_unless_told() {
    let s = BackupPolicyInput {
        system_id: Some("s".into()),
        object: Some("database".into()),
        frequency: Some(json!({"every": "week", "weekdays": ["mon"]})),
        retention_days: Some(30),
        drill_frequency: Some(json!({"every": "quarter", "month": 1, "day": 15})),
        ..Default::default()
    }
    .validate()
    .unwrap();
    assert_eq!(s.schedule.holiday_rule, HolidayRule::Keep, "a backup job runs on holidays too");
    assert_eq!(s.name, "数据库备份");
    assert_eq!((s.method, s.location), (BackupMethod::Full, BackupLocation::Local));
    assert!(matches!(s.drill, Some(Recurrence::Quarter { month: 1, day: 15 })));
}

#[test]
fn runs_are_checked_against_the_clock() {
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
    let run = |s: &str, f: &str| BackupRunInput {
        policy_id: Some("p".into()),
        started_at: Some(s.into()),
        finished_at: Some(f.into()),
        result: Some("success".into()),
        ..Default::default()
    };
    assert!(run("2026-06-01T01:00:00+08:00", "2026-06-01T02:00:00+08:00").validate(now).is_ok());
    let back = run("2026-06-01T02:00:00+08:00", "2026-06-01T01:00:00+08:00").validate(now).unwrap_err();
    assert_eq!(fields(back), ["finished_at"]);
    let future = run("2026-06-01T20:00:00+08:00", "2026-06-01T21:00:00+08:00").validate(now).unwrap_err();
    assert_eq!(fields(future), ["finished_at"]);
    let bad = BackupRunInput { result: Some("ok".into()), started_at: Some("昨天".into()), ..Default::default() }
        .validate(now)
        .unwrap_err();
    assert_eq!(fields(bad), ["policy_id", "started_at", "finished_at", "result"]);
}

#[test]
fn a_drill_is_judged_against_the_targets() {
    assert_eq!(drill_verdict(true, (180, 0), (Some(240), Some(0))), (Some(true), Some(true), true));
    assert_eq!(drill_verdict(true, (300, 0), (Some(240), Some(0))), (Some(false), Some(true), false));
    assert_eq!(drill_verdict(true, (60, 5), (None, Some(0))), (None, Some(false), false));
    assert_eq!(drill_verdict(false, (10, 0), (None, None)), (None, None, false), "a failed restore never passes");
    assert_eq!(drill_verdict(true, (10, 0), (None, None)), (None, None, true));
}

#[test]
fn a_weekly_backup_skipping_spring_festival_owes_nothing_that_week() {
    // Spring Festival 2026: 15–23 February off; Monday 16 February is a holiday, as is the 23rd.
    let off = |x: NaiveDate| {
        let holiday = x >= d("2026-02-15") && x <= d("2026-02-23");
        let weekend = chrono::Datelike::weekday(&x).num_days_from_monday() >= 5;
        !holiday && !weekend
    };
    let r = Recurrence::Week(vec![chrono::Weekday::Mon]);
    let span = Span { start: d("2026-02-02"), end: None };
    let skip = periods(&r, HolidayRule::Skip, span, (d("2026-02-09"), d("2026-03-01")), off);
    assert_eq!(skip[0], Period { opens_on: d("2026-02-09"), due_on: d("2026-03-01") });
    let (status, _) = task_status(skip[0], &[d("2026-02-10")], d("2026-03-02"));
    assert_eq!(status, BackupTaskStatus::Done, "one run covers the fortnight around the holiday");
    let moved = periods(&r, HolidayRule::NextWorkingDay, span, (d("2026-02-24"), d("2026-03-01")), off);
    assert_eq!(moved[0], Period { opens_on: d("2026-02-24"), due_on: d("2026-03-01") });
    assert_eq!(task_status(moved[0], &[d("2026-02-10")], d("2026-03-02")).0, BackupTaskStatus::Missed);
}
