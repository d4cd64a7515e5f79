//! The engine against the seeds' clauses, and against the brute-force reference on random
//! calendars, overrides, holidays, pauses and targets.

#![allow(clippy::unwrap_used)]

use chrono::{DateTime, NaiveDate, Utc};
use proptest::prelude::*;

use super::calendar::{CalendarSpec, Override, OverrideKind, PRESETS};
use super::compiled::{Calendar, DAY, MIN, Micros, micros};
use super::holidays::{CN_TSV, HolidayEntry, HolidayKind, covered_until, parse_table};
use super::hours::Interval;
use super::reference::RefCal;
use super::target::{DayAt, Edge, Target, explain};
use super::walk::{elapsed, normalize_pauses};

fn preset(id: &str) -> Calendar {
    let p = PRESETS.iter().find(|p| p.id == id).unwrap();
    let h = if p.holiday_sets.is_empty() { vec![] } else { parse_table(CN_TSV).unwrap() };
    Calendar::compile(&p.spec(), &h, covered_until(&h))
}

/// An instant written in Beijing time.
fn bj(s: &str) -> Micros {
    micros(DateTime::parse_from_rfc3339(&format!("{s}:00+08:00")).unwrap().with_timezone(&Utc))
}

fn due(cal: &Calendar, t: Target, start: &str) -> String {
    cal.local_string(t.due(cal, bj(start), &[], &mut ()).unwrap())
}

const fn cal(minutes: u32) -> Target {
    Target::Calendar { minutes }
}
const fn biz(minutes: u32) -> Target {
    Target::Business { minutes }
}
const fn wd(days: u16) -> Target {
    Target::WorkingDays { days, at: DayAt::EndOfDay }
}

/// Seed 004 row 04 (古树名木管理系统, 7×24): four levels, 15-minute response, level 1 restores core
/// functions within 4 h and resolves within 8 h, level 2 within 8 h / 24 h, levels 3–4 within 24 h.
#[test]
fn seed_004_row_04_four_levels_around_the_clock() {
    let c = preset("preset-7x24");
    let start = "2025-10-01T22:40"; // National Day: a 7×24 clock does not care
    assert_eq!(due(&c, cal(15), start), "2025-10-01 22:55");
    assert_eq!(due(&c, cal(240), start), "2025-10-02 02:40");
    assert_eq!(due(&c, cal(480), start), "2025-10-02 06:40");
    assert_eq!(due(&c, cal(1440), start), "2025-10-02 22:40");
}

/// Seed 004 row 03 (馆藏档案管理平台): core faults in working hours 15 min on site and 1 h fixed,
/// outside them 30 min on site and 2 h restored; the out-of-hours target applies when the ticket
/// arrives outside the calendar's working time.
#[test]
fn seed_004_row_03_core_faults_by_time_of_arrival() {
    let c = preset("preset-5x8");
    let in_hours = bj("2026-03-10T09:00");
    assert!(c.is_working(in_hours));
    assert_eq!(due(&c, cal(15), "2026-03-10T09:00"), "2026-03-10 09:15");
    assert_eq!(due(&c, cal(60), "2026-03-10T09:00"), "2026-03-10 10:00");
    assert!(!c.is_working(bj("2026-03-14T22:00")), "a Saturday night");
    assert_eq!(due(&c, cal(30), "2026-03-14T22:00"), "2026-03-14 22:30");
    assert_eq!(due(&c, cal(120), "2026-03-14T22:00"), "2026-03-15 00:00");
}

/// Seed 004 row 03, demands: simple 1 working day for a plan and 5 to deliver, complex 5 / 15,
/// urgent 7 — across National Day 2025 with its make-up Sundays and Saturdays.
#[test]
fn seed_004_row_03_demands_in_working_days() {
    let c = preset("preset-5x8");
    let start = "2025-09-25T16:00"; // a Thursday
    assert_eq!(due(&c, wd(1), start), "2025-09-26 17:30");
    // 26 (Fri), 28 (Sunday, make-up day), 29, 30, then 10-01..08 off, 10-09.
    assert_eq!(due(&c, wd(5), start), "2025-10-09 17:30");
    // …10-10, 10-11 (Saturday, make-up day): the urgent demand is due on a Saturday.
    assert_eq!(due(&c, wd(7), start), "2025-10-11 17:30");
    assert_eq!(due(&c, wd(15), start), "2025-10-22 17:30");
}

/// Seed 002 需求27: “工作时间1小时响应，非工作时间3小时响应” on 5×8 hours; lunch is outside them.
#[test]
fn seed_002_one_hour_in_hours_three_outside() {
    let c = preset("preset-5x8");
    let pick = |s: &str| if c.is_working(bj(s)) { cal(60) } else { cal(180) };
    assert_eq!(due(&c, pick("2026-03-09T10:00"), "2026-03-09T10:00"), "2026-03-09 11:00");
    assert_eq!(due(&c, pick("2026-03-09T12:15"), "2026-03-09T12:15"), "2026-03-09 15:15");
    assert_eq!(due(&c, pick("2026-03-13T17:45"), "2026-03-13T17:45"), "2026-03-13 20:45");
}

/// Seed 002 需求99: “一级故障立即响应，处理周期不超过4小时，二级故障1小时内响应，处理周期不超过8小时，三级
/// 故障4小时内响应，处理周期不超过24小时”, around the clock.
#[test]
fn seed_002_three_levels() {
    let c = preset("preset-7x24");
    let s = "2026-02-16T23:30"; // Spring Festival
    assert_eq!(due(&c, cal(0), s), "2026-02-16 23:30", "immediately");
    assert_eq!(due(&c, cal(240), s), "2026-02-17 03:30");
    assert_eq!(due(&c, cal(60), s), "2026-02-17 00:30");
    assert_eq!(due(&c, cal(480), s), "2026-02-17 07:30");
    assert_eq!(due(&c, cal(1440), s), "2026-02-17 23:30");
}

/// Seed 001: on-site service 5 days × 9 hours, 08:30–17:30 on working days.
#[test]
fn seed_001_five_by_nine() {
    let c = preset("preset-5x9");
    // Friday 17:00 + 1 h of service time: 30 min on Friday, then Sunday 28th, a make-up day.
    assert_eq!(due(&c, biz(60), "2025-09-26T17:00"), "2025-09-28 09:00");
    assert_eq!(due(&c, biz(9 * 60), "2025-09-30T08:30"), "2025-09-30 17:30", "a full day, no lunch break");
    assert_eq!(due(&c, biz(9 * 60 + 1), "2025-09-30T08:30"), "2025-10-09 08:31", "then National Day");
}

/// “3个工作日内排除故障” (seed 002 需求48), reported the day before National Day; the explanation
/// names the holiday it skipped.
#[test]
fn three_working_days_over_national_day() {
    let c = preset("preset-5x8");
    let e = explain(
        &wd(3),
        &c,
        chrono::DateTime::from_timestamp_micros(bj("2025-09-30T10:00")).unwrap(),
        &[],
        crate::Lang::Zh,
    );
    assert_eq!(e.due_local.as_deref(), Some("2025-10-11 17:30"));
    let texts: Vec<&str> = e.explanation.iter().map(|s| s.text.as_str()).collect();
    assert!(texts.contains(&"跳过 2025-10-01..08：国庆节、中秋节"), "{texts:?}");
    assert!(texts.contains(&"第 3 个工作日：2025-10-11"), "{texts:?}");
    assert!(e.in_hours);
}

/// “下一个工作日” around Spring Festival 2026: Saturday 14 February is a make-up working day.
#[test]
fn next_working_day_around_spring_festival() {
    let c = preset("preset-5x8");
    let end = Target::NextWorkingDay { at: Edge::End };
    let start_of = Target::NextWorkingDay { at: Edge::Start };
    assert_eq!(due(&c, end, "2026-02-13T15:00"), "2026-02-14 17:30");
    assert_eq!(due(&c, start_of, "2026-02-14T10:00"), "2026-02-24 08:30");
    // Same time, moved into the day's hours: at lunch to the afternoon's start.
    let same = Target::WorkingDays { days: 1, at: DayAt::SameTime };
    assert_eq!(due(&c, same, "2026-03-09T12:15"), "2026-03-10 13:30");
    assert_eq!(due(&c, same, "2026-03-09T07:00"), "2026-03-10 08:30");
    assert_eq!(due(&c, same, "2026-03-09T19:00"), "2026-03-10 17:30");
}

/// Pauses stop a clock in its own measure: wall time for wall-clock targets, working time for
/// the others; a paused working-days target moves by the working time it lost.
#[test]
fn pauses_stop_the_clock() {
    let c = preset("preset-5x8");
    let start = bj("2026-03-09T09:00");
    let lunch_to_three = vec![(bj("2026-03-09T11:00"), bj("2026-03-09T15:00"))];
    let d = biz(240).due(&c, start, &lunch_to_three, &mut ()).unwrap();
    // 09:00–11:00 counts 2 h; paused until 15:00; 15:00–17:30 counts 2.5 h → due after 2 h at 17:00.
    assert_eq!(c.local_string(d), "2026-03-09 17:00");
    let d = cal(240).due(&c, start, &lunch_to_three, &mut ()).unwrap();
    assert_eq!(c.local_string(d), "2026-03-09 17:00");
    let d = wd(1).due(&c, start, &lunch_to_three, &mut ()).unwrap();
    // The pause cost 2.5 h of working time (11:00–12:00 and 13:30–15:00; lunch never counts), so
    // Tuesday 17:30 moves 2.5 working hours on: Wednesday 08:30 + 2.5 h.
    assert_eq!(c.local_string(d), "2026-03-11 11:00");
    // 09:00–11:00 and 15:00–17:30.
    assert_eq!(elapsed(&c, start, bj("2026-03-09T17:30"), &lunch_to_three, &mut ()), 270 * MIN);
}

/// Edge cases a property test rarely draws: a zero budget while a pause is under way, a start
/// before 1970 (years from 1900 are accepted), and the longest targets.
#[test]
fn edges() {
    let c = preset("preset-5x8");
    let start = bj("2026-03-09T09:00");
    let pause = [(start, start + 30 * MIN)];
    assert_eq!(cal(0).due(&c, start, &pause, &mut ()), Some(start + 30 * MIN));
    assert_eq!(biz(0).due(&c, start, &pause, &mut ()), Some(start + 30 * MIN));
    let r = RefCal::new(&PRESETS[1].spec(), &parse_table(CN_TSV).unwrap());
    assert_eq!(r.due(&cal(0), start, &pause), start + 30 * MIN);
    let old = bj("1969-12-01T10:00");
    assert!(biz(3000).due(&c, old, &[], &mut ()).is_some());
    assert!(biz(super::target::MAX_MINUTES).due(&c, start, &[], &mut ()).is_some(), "a year of working time");
    let sparse = Calendar::compile(
        &CalendarSpec {
            weekly: [vec![Interval { start: 600, end: 615 }], vec![], vec![], vec![], vec![], vec![], vec![]],
            ..PRESETS[1].spec()
        },
        &[],
        None,
    );
    assert!(wd(super::target::MAX_DAYS).due(&sparse, start, &[], &mut ()).is_some(), "366 Mondays");
}

/// Daylight saving: 24 hours of a 7×24 calendar in Berlin across the spring change end at 13:00
/// local time the next day, and an 08:00–18:00 day that starts in the gap is shortened.
#[test]
fn daylight_saving_changes_working_time() {
    let mut spec = PRESETS[0].spec();
    spec.time_zone = "Europe/Berlin".into();
    let c = Calendar::compile(&spec, &[], None);
    let start = micros("2026-03-28T11:00:00Z".parse::<DateTime<Utc>>().unwrap());
    let d = biz(1440).due(&c, start, &[], &mut ()).unwrap();
    assert_eq!(c.local_string(d), "2026-03-29 13:00");
    let mut night = PRESETS[0].spec();
    night.time_zone = "Europe/Berlin".into();
    night.weekly = std::array::from_fn(|_| vec![Interval { start: 120, end: 240 }]);
    let n = Calendar::compile(&night, &[], None);
    let day_start = micros("2026-03-28T23:00:00Z".parse::<DateTime<Utc>>().unwrap());
    // 02:00–04:00 on the night of the change holds only one hour (03:00–04:00 CEST).
    assert_eq!(elapsed(&n, day_start, day_start + DAY, &[], &mut ()), 60 * MIN);
}

// ---- property tests against the reference ----

const ZONES: &[&str] = &[
    "Asia/Shanghai",
    "Europe/Berlin",
    "America/New_York",
    "UTC",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Pacific/Chatham",
];

fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
}

fn day_hours() -> impl Strategy<Value = Vec<Interval>> {
    prop_oneof![
        2 => Just(vec![]),
        1 => Just(vec![Interval { start: 0, end: 1440 }]),
        6 => proptest::collection::btree_set(0u16..=96, 2..=6).prop_map(|s| {
            let b: Vec<u16> = s.into_iter().map(|q| q * 15).collect();
            b.chunks_exact(2).map(|c| Interval { start: c[0], end: c[1] }).collect()
        }),
    ]
}

fn spec_strategy() -> impl Strategy<Value = (CalendarSpec, Vec<HolidayEntry>)> {
    let days = proptest::array::uniform7(day_hours());
    let overrides = proptest::collection::vec((0i64..80, 0u8..3, day_hours()), 0..6);
    let holidays = proptest::collection::vec((0i64..80, any::<bool>()), 0..10);
    (proptest::sample::select(ZONES), days, overrides, holidays).prop_filter_map(
        "a week needs working time",
        |(zone, weekly, overrides, holidays)| {
            if weekly.iter().all(Vec::is_empty) {
                return None;
            }
            let mut seen = std::collections::HashSet::new();
            let overrides = overrides
                .into_iter()
                .filter(|(d, _, _)| seen.insert(*d))
                .map(|(d, k, hours)| {
                    let kind = [OverrideKind::Holiday, OverrideKind::Workday, OverrideKind::Special][k as usize];
                    let hours = match kind {
                        OverrideKind::Holiday => None,
                        OverrideKind::Workday if hours.is_empty() => None,
                        _ if hours.is_empty() => Some(vec![Interval { start: 540, end: 600 }]),
                        _ => Some(hours),
                    };
                    Override { date: base() + chrono::Days::new(d as u64), kind, hours, note: None }
                })
                .collect();
            let mut hseen = std::collections::HashSet::new();
            let holidays = holidays
                .into_iter()
                .filter(|(d, _)| hseen.insert(*d))
                .map(|(d, work)| HolidayEntry {
                    date: base() + chrono::Days::new(d as u64),
                    kind: if work { HolidayKind::Workday } else { HolidayKind::Holiday },
                    name: format!("H{d}"),
                })
                .collect();
            let spec = CalendarSpec {
                name: "p".into(),
                time_zone: zone.to_string(),
                weekly,
                holiday_sets: vec![],
                overrides,
                description: None,
            };
            Some((spec, holidays))
        },
    )
}

fn target_strategy(week_minutes: u32) -> impl Strategy<Value = Target> {
    let cap = (week_minutes * 2).clamp(1, 3000);
    // Several weeks, so whole-week jumps meet holidays, overrides and pauses.
    let long = (week_minutes * 9).clamp(1, 40_000);
    prop_oneof![
        (0..3000u32).prop_map(|minutes| Target::Calendar { minutes }),
        (0..=cap).prop_map(|minutes| Target::Business { minutes }),
        (cap..=long.max(cap)).prop_map(|minutes| Target::Business { minutes }),
        (1..30u16, any::<bool>()).prop_map(|(days, same)| Target::WorkingDays {
            days,
            at: if same { DayAt::SameTime } else { DayAt::EndOfDay }
        }),
        any::<bool>().prop_map(|s| Target::NextWorkingDay { at: if s { Edge::Start } else { Edge::End } }),
    ]
}

fn case() -> impl Strategy<Value = (CalendarSpec, Vec<HolidayEntry>, Target, Micros, Vec<(Micros, Micros)>)> {
    spec_strategy()
        .prop_flat_map(|(spec, holidays)| {
            let week: u32 = spec.weekly.iter().flatten().map(Interval::minutes).sum();
            // From September (the southern spring and the northern autumn changes) to May, with the
            // overrides and holidays around March.
            let start0 = micros(base().and_hms_opt(0, 0, 0).unwrap().and_utc()) - 180 * DAY;
            let starts = prop_oneof![
                (0i64..(250 * 24 * 60)).prop_map(move |m| start0 + m * MIN),
                (0i64..(90 * 24 * 60)).prop_map(move |m| start0 + 150 * DAY + m * MIN),
            ];
            let pauses = prop_oneof![
                proptest::collection::vec((0i64..(4 * 24 * 60), 0i64..(24 * 60)), 0..3),
                proptest::collection::vec((0i64..(40 * 24 * 60), 0i64..(5 * 24 * 60)), 0..4),
            ];
            (Just(spec), Just(holidays), target_strategy(week), starts, pauses)
        })
        .prop_map(|(spec, holidays, target, start, pauses)| {
            let pauses =
                normalize_pauses(pauses.into_iter().map(|(o, l)| (start + o * MIN, start + (o + l) * MIN)).collect());
            (spec, holidays, target, start, pauses)
        })
}

proptest! {
    // PROPTEST_CASES=5000 runs a deeper search locally; CI runs the default.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300),
        ..ProptestConfig::default()
    })]

    #[test]
    fn due_times_match_the_reference((spec, holidays, target, start, pauses) in case()) {
        let c = Calendar::compile(&spec, &holidays, None);
        let r = RefCal::new(&spec, &holidays);
        let plain = target.due(&c, start, &[], &mut ()).unwrap();
        prop_assert_eq!(plain, r.due(&target, start, &[]), "{} without pauses", c.local_string(plain));
        let paused = target.due(&c, start, &pauses, &mut ()).unwrap();
        prop_assert_eq!(paused, r.due(&target, start, &pauses), "{} with pauses {:?}", c.local_string(paused), pauses);
        // The explained computation agrees with the fast one.
        let e = explain(&target, &c, super::compiled::instant(start), &pauses, crate::Lang::Zh);
        prop_assert_eq!(e.due_at.map(micros), Some(paused));
        // The clock has spent its whole budget exactly at the due time.
        let plan = target.plan(&c, start, &mut ()).unwrap();
        if plan.measure == super::target::Measure::Working {
            prop_assert_eq!(target.spent(&c, start, paused, &pauses), plan.budget);
        }
    }

    #[test]
    fn elapsed_working_time_matches_the_reference(
        (spec, holidays, _t, a, pauses) in case(),
        len in 0i64..(12 * 24 * 60),
    ) {
        let c = Calendar::compile(&spec, &holidays, None);
        let r = RefCal::new(&spec, &holidays);
        let b = a + len * MIN;
        prop_assert_eq!(elapsed(&c, a, b, &pauses, &mut ()), r.elapsed(a, b, &pauses));
    }
}

/// Long spans take whole weeks at once and still agree with a day-by-day count.
#[test]
fn week_jumps_agree_with_walking() {
    let c = preset("preset-5x8");
    let start = bj("2025-11-03T10:17");
    let r = RefCal::new(&PRESETS[1].spec(), &parse_table(CN_TSV).unwrap());
    for minutes in [450 * 5 * 3, 450 * 5 * 9 + 7, 450 * 40] {
        let t = biz(minutes);
        assert_eq!(t.due(&c, start, &[], &mut ()).unwrap(), r.due(&t, start, &[]), "{minutes}");
    }
    for days in [20u16, 61, 120] {
        let t = wd(days);
        assert_eq!(t.due(&c, start, &[], &mut ()).unwrap(), r.due(&t, start, &[]), "{days} days");
    }
}
