//! Recurrences across the 2025 and 2026 holidays and make-up days, checklists and results.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::json;

use super::builtin::BUILTINS;
use super::plan::PlanInput;
use super::record::{AutoReading, AutoValue, ResultInput, evaluate};
use super::recurrence::{HolidayRule, Recurrence, Span, occurrences};
use super::template::{ItemInput, TemplateInput};
use crate::sla::calendar::PRESETS;
use crate::sla::compiled::{Calendar, day_number};
use crate::sla::holidays::{CN_TSV, covered_until, parse_table};

fn bureau() -> Calendar {
    let p = PRESETS.iter().find(|p| p.id == "preset-5x8").unwrap();
    let h = parse_table(CN_TSV).unwrap();
    Calendar::compile(&p.spec(), &h, covered_until(&h))
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn run(r: serde_json::Value, rule: HolidayRule, span: (&str, Option<&str>), from: &str, to: &str) -> Vec<String> {
    let cal = bureau();
    let r = Recurrence::parse(&r).unwrap();
    let span = Span { start: d(span.0), end: span.1.map(d) };
    occurrences(&r, rule, span, d(from), d(to), |x| cal.plan(day_number(x)).is_working())
        .into_iter()
        .map(|x| x.to_string())
        .collect()
}

const OPEN: (&str, Option<&str>) = ("2025-01-01", None);

#[test]
fn every_working_day_across_spring_festival_2026() {
    let days = run(json!({"every": "working_day"}), HolidayRule::Skip, OPEN, "2026-02-13", "2026-02-25");
    // Saturday 2026-02-14 is a make-up working day; 15–23 February are the holiday.
    assert_eq!(days, ["2026-02-13", "2026-02-14", "2026-02-24", "2026-02-25"]);
    assert!(!days.contains(&"2026-02-16".to_string()));
}

#[test]
fn every_working_day_across_national_day_2025() {
    let days = run(json!({"every": "working_day"}), HolidayRule::Skip, OPEN, "2025-09-27", "2025-10-12");
    // 28 September and 11 October are make-up Saturdays/Sundays; 1–8 October off.
    assert_eq!(days, ["2025-09-28", "2025-09-29", "2025-09-30", "2025-10-09", "2025-10-10", "2025-10-11"]);
}

#[test]
fn every_day_includes_holidays() {
    assert_eq!(run(json!({"every": "day"}), HolidayRule::Skip, OPEN, "2026-02-15", "2026-02-17").len(), 3);
}

#[test]
fn twice_a_week_under_the_three_holiday_rules() {
    let r = json!({"every": "week", "weekdays": ["thu", "mon"]});
    // Thursday 2026-10-01 and Monday 2026-10-05 fall in National Day 2026 (1–7 October).
    let span = ("2026-09-28", "2026-10-12");
    assert_eq!(run(r.clone(), HolidayRule::Skip, OPEN, span.0, span.1), ["2026-09-28", "2026-10-08", "2026-10-12"]);
    assert_eq!(
        run(r.clone(), HolidayRule::Keep, OPEN, span.0, span.1),
        ["2026-09-28", "2026-10-01", "2026-10-05", "2026-10-08", "2026-10-12"]
    );
    // Both days off move to Thursday 8 October, which is one task, not two (and not three).
    assert_eq!(run(r, HolidayRule::NextWorkingDay, OPEN, span.0, span.1), ["2026-09-28", "2026-10-08", "2026-10-12"]);
}

#[test]
fn monthly_on_the_first_moves_past_new_year_and_national_day() {
    let r = json!({"every": "month", "day": 1});
    let days = run(r, HolidayRule::NextWorkingDay, OPEN, "2025-09-15", "2026-01-31");
    assert_eq!(days, ["2025-10-09", "2025-11-03", "2025-12-01", "2026-01-04"]);
}

#[test]
fn month_day_31_is_the_last_day_of_short_months() {
    let days = run(json!({"every": "month", "day": 31}), HolidayRule::Keep, OPEN, "2026-02-01", "2026-04-30");
    assert_eq!(days, ["2026-02-28", "2026-03-31", "2026-04-30"]);
}

#[test]
fn quarterly_and_four_times_a_year() {
    let q = run(
        json!({"every": "quarter", "month": 1, "day": 1}),
        HolidayRule::NextWorkingDay,
        OPEN,
        "2026-01-01",
        "2026-12-31",
    );
    // 1 January and 1 October are holidays; 1 April and 1 July are working days.
    assert_eq!(q, ["2026-01-04", "2026-04-01", "2026-07-01", "2026-10-08"]);
    let four = run(json!({"times_per_year": 4}), HolidayRule::NextWorkingDay, OPEN, "2026-01-01", "2026-12-31");
    assert_eq!(four, q);
    let five = run(json!({"times_per_year": 5}), HolidayRule::Keep, OPEN, "2026-01-01", "2026-12-31");
    assert_eq!(five, ["2026-01-01", "2026-03-15", "2026-05-27", "2026-08-08", "2026-10-20"]);
}

#[test]
fn three_times_in_the_service_period() {
    // 000: items run from 2026-07-01 to 2027-06-30.
    let span = ("2026-07-01", Some("2027-06-30"));
    let days = run(json!({"times_in_period": 3}), HolidayRule::NextWorkingDay, span, "2026-01-01", "2027-12-31");
    assert_eq!(days, ["2026-07-01", "2026-10-30", "2027-03-01"]);
    // Nothing before the plan starts or after it ends, whatever the window.
    assert!(run(json!({"every": "day"}), HolidayRule::Keep, span, "2027-06-29", "2027-07-05").len() == 2);
}

#[test]
fn recurrence_errors_name_the_field() {
    let e = |v: serde_json::Value| Recurrence::parse(&v).unwrap_err().field;
    assert_eq!(e(json!("daily")), "recurrence");
    assert_eq!(e(json!({})), "recurrence.every");
    assert_eq!(e(json!({"every": "fortnight"})), "recurrence.every");
    assert_eq!(e(json!({"every": "week"})), "recurrence.weekdays");
    assert_eq!(e(json!({"every": "week", "weekdays": ["mon", "xyz"]})), "recurrence.weekdays[1]");
    assert_eq!(e(json!({"every": "week", "weekdays": []})), "recurrence.weekdays");
    assert_eq!(e(json!({"every": "month", "day": 0})), "recurrence.day");
    assert_eq!(e(json!({"every": "quarter", "month": 4, "day": 1})), "recurrence.month");
    assert_eq!(e(json!({"times_per_year": -1})), "recurrence.times_per_year");
    let r = Recurrence::parse(&json!({"every": "week", "weekdays": ["thu", "mon", "thu"]})).unwrap();
    assert_eq!(r.to_json(), json!({"every": "week", "weekdays": ["mon", "thu"]}));
    assert_eq!(r.describe().zh, "每周一、四");
}

#[test]
fn plans_check_their_fields() {
    let bad = PlanInput {
        system_id: Some(" ".into()),
        recurrence: Some(json!({"times_in_period": 10})),
        holiday_rule: Some("maybe".into()),
        assignee_role: Some("auditor".into()),
        window_start: Some("18:00".into()),
        window_end: Some("17:30".into()),
        start_date: Some("2026-07-01".into()),
        end_date: Some("2026-07-05".into()),
        ..Default::default()
    };
    let fields: BTreeSet<String> = bad.validate().unwrap_err().into_iter().map(|e| e.field).collect();
    let want =
        ["system_id", "template_id", "holiday_rule", "assignee_role", "window_end", "recurrence.times_in_period"];
    assert_eq!(fields, want.iter().map(|s| s.to_string()).collect());
}

fn item(name: &str, kind: &str) -> ItemInput {
    ItemInput { name: Some(name.into()), result_type: Some(kind.into()), ..Default::default() }
}

#[test]
fn templates_keep_item_ids_and_check_ranges() {
    let mut n = 0;
    let t = TemplateInput {
        name: Some("服务器".into()),
        kind: Some("server".into()),
        items: vec![
            ItemInput { id: Some("disk".into()), max: Some(80.0), unit: Some("%".into()), ..item("磁盘", "number") },
            item("照片", "photo"),
        ],
        ..Default::default()
    }
    .validate(|| {
        n += 1;
        format!("new-{n}")
    })
    .unwrap();
    assert_eq!(t.items[0].id, "disk");
    assert_eq!(t.items[1].id, "new-1");
    assert!(t.items[1].photo_required);
    assert_eq!(t.items[0].range_text().unwrap(), "≤ 80 %");
    let e = TemplateInput {
        name: Some("x".into()),
        items: vec![
            ItemInput { id: Some("a".into()), min: Some(5.0), max: Some(1.0), ..item("n", "number") },
            ItemInput { id: Some("a".into()), max: Some(1.0), ..item("t", "text") },
            item("", "dial"),
        ],
        ..Default::default()
    }
    .validate(|| "z".into())
    .unwrap_err();
    let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["items[0].max", "items[1].id", "items[1].max", "items[2].name", "items[2].result_type"]);
}

#[test]
fn builtin_templates_are_valid_and_cover_the_seeds() {
    let kinds: BTreeSet<_> = BUILTINS.iter().map(|b| b.kind.as_str()).collect();
    for k in ["application", "database", "server", "network", "security", "video_conference", "machine_room", "website"]
    {
        assert!(kinds.contains(k), "{k}");
    }
    for b in BUILTINS {
        let items = b.items();
        let ids: BTreeSet<_> = items.iter().map(|i| i.id.clone()).collect();
        assert_eq!(ids.len(), items.len(), "{}", b.id);
        assert!(items.iter().all(|i| i.min.is_none() || i.max.is_none() || i.min <= i.max));
    }
    let server = BUILTINS.iter().find(|b| b.id == "builtin-server").unwrap().items();
    assert!(server.iter().any(|i| i.name.contains("磁盘") && i.max == Some(80.0)));
}

#[test]
fn results_are_judged_and_complete() {
    let spec = TemplateInput {
        name: Some("t".into()),
        items: vec![
            ItemInput { id: Some("up".into()), ..item("可访问", "normal_abnormal") },
            ItemInput { id: Some("disk".into()), max: Some(80.0), ..item("磁盘", "number") },
            ItemInput { id: Some("pic".into()), ..item("现场", "photo") },
            ItemInput {
                id: Some("auto".into()),
                source: Some("monitor:http".into()),
                ..item("自动", "normal_abnormal")
            },
        ],
        ..Default::default()
    }
    .validate(|| "x".into())
    .unwrap();
    let r = |id: &str, v: serde_json::Value| ResultInput {
        item_id: Some(id.into()),
        result: Some(v),
        ..Default::default()
    };
    let photos = HashMap::from([("pic".to_string(), 1)]);
    let auto = HashMap::from([(
        "auto".to_string(),
        AutoReading::Read { value: AutoValue::Normal(true), fault: false, detail: "监控正常".into() },
    )]);
    let out = evaluate(
        &spec.items,
        &[
            r("up", json!("正常")),
            ResultInput { note: Some("/data 分区满".into()), ..r("disk", json!("85.5")) },
            r("pic", json!(null)),
        ],
        &photos,
        &auto,
    )
    .unwrap();
    assert_eq!(out.len(), 4);
    assert!(!out[0].abnormal);
    assert!(out[1].abnormal, "85.5 % is above 80 %");
    assert!(out[3].automatic && !out[3].abnormal);
    assert_eq!(out[3].note.as_deref(), Some("监控正常"));
    // What the inspector found wrong needs words; a percentage cannot exceed the whole.
    let e = evaluate(&spec.items, &[r("up", json!("abnormal")), r("disk", json!(90))], &photos, &auto).unwrap_err();
    let fields: Vec<&str> = e.iter().map(|x| x.field.as_str()).collect();
    assert!(fields.contains(&"results[0].note") && fields.contains(&"results[1].note"), "{fields:?}");

    let e = evaluate(
        &spec.items,
        &[r("up", json!("maybe")), r("disk", json!("lots")), r("nope", json!(1)), r("up", json!("normal"))],
        &HashMap::new(),
        &HashMap::new(),
    )
    .unwrap_err();
    let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["results[0].result", "results[1].result", "results[2].item_id", "results[3].item_id", "results", "results"]
    );
    assert!(e.iter().any(|x| x.msg.zh.contains("现场")));
}

#[test]
fn a_measured_item_keeps_its_measurement_and_an_unmeasured_one_says_why() {
    let spec = TemplateInput {
        name: Some("t".into()),
        items: vec![
            ItemInput {
                id: Some("up".into()),
                source: Some("monitor:http".into()),
                ..item("网站可访问", "normal_abnormal")
            },
            ItemInput {
                id: Some("cert".into()),
                source: Some("monitor:tls".into()),
                min: Some(30.0),
                ..item("证书", "number")
            },
        ],
        ..Default::default()
    }
    .validate(|| "x".into())
    .unwrap();
    let r = |id: &str, v: serde_json::Value| ResultInput {
        item_id: Some(id.into()),
        result: Some(v),
        ..Default::default()
    };
    let down =
        AutoReading::Read { value: AutoValue::Normal(false), fault: true, detail: "官网首页：异常".into() };
    let none =
        AutoReading::Unread(crate::Msg::new("该系统没有 TLS 证书监控", "the system has no TLS certificate monitor"));
    let auto = HashMap::from([("up".to_string(), down.clone()), ("cert".to_string(), none.clone())]);
    // The inspector says normal: the monitor's "down" stands, with what it saw and the note.
    let out = evaluate(
        &spec.items,
        &[ResultInput { note: Some("首页能打开".into()), ..r("up", json!("normal")) }, r("cert", json!(45))],
        &HashMap::new(),
        &auto,
    )
    .unwrap();
    assert_eq!((out[0].value.as_deref(), out[0].abnormal, out[0].automatic), (Some("abnormal"), true, true));
    assert_eq!(out[0].note.as_deref(), Some("官网首页：异常；首页能打开"));
    assert_eq!((out[1].number, out[1].abnormal, out[1].automatic), (Some(45.0), false, false));
    assert_eq!(out[1].note.as_deref(), Some("未自动读取（该系统没有 TLS 证书监控），人工填写"));
    // A measured "up" may still be flagged by the inspector; left blank it is filled.
    let up = AutoReading::Read { value: AutoValue::Normal(true), fault: false, detail: "正常".into() };
    let auto = HashMap::from([("up".to_string(), up), ("cert".to_string(), none)]);
    let flagged = ResultInput { abnormal: Some(true), ..r("up", json!(null)) };
    let expiring = ResultInput { note: Some("证书 10 天后到期".into()), ..r("cert", json!(10)) };
    let out = evaluate(&spec.items, &[flagged, expiring], &HashMap::new(), &auto).unwrap();
    assert!(out[0].automatic && out[0].abnormal && out[1].abnormal);
    let out = evaluate(&spec.items, &[r("up", json!(null)), r("cert", json!(31))], &HashMap::new(), &auto).unwrap();
    assert!(out[0].automatic && !out[0].abnormal);
    // Unmeasured and unanswered: the error says why it must be answered.
    let e = evaluate(&spec.items, &[r("cert", json!(null))], &HashMap::new(), &auto).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].field, "results[0].result");
    assert_eq!(e[0].msg.zh, "需人工填写：该系统没有 TLS 证书监控");
    let e = evaluate(&spec.items, &[], &HashMap::new(), &auto).unwrap_err();
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(
        e[0].msg.en,
        "the result of “证书” is missing (answer it by hand: the system has no TLS certificate monitor)"
    );
}

proptest! {
    /// The job fills a sliding 30-day window every day: whatever the windows, the dates are the
    /// same as one pass over the whole range, so running it again (or in pieces) adds nothing.
    #[test]
    fn generation_is_the_same_in_any_pieces(
        kind in 0usize..7,
        rule in 0usize..3,
        start in 0u32..700,
        cuts in proptest::collection::vec(0u32..400, 0..6),
    ) {
        let cal = bureau();
        let r = [
            json!({"every": "working_day"}), json!({"every": "day"}),
            json!({"every": "week", "weekdays": ["mon", "thu", "sun"]}), json!({"every": "month", "day": 31}),
            json!({"every": "quarter", "month": 2, "day": 29}), json!({"times_per_year": 7}),
            json!({"times_in_period": 5}),
        ][kind].clone();
        let r = Recurrence::parse(&r).unwrap();
        let rule = HolidayRule::ALL[rule];
        let first = d("2025-01-01") + chrono::Days::new(u64::from(start));
        let span = Span { start: first, end: Some(first + chrono::Days::new(400)) };
        let work = |x: NaiveDate| cal.plan(day_number(x)).is_working();
        let (a, b) = (first - chrono::Days::new(10), first + chrono::Days::new(410));
        let whole = occurrences(&r, rule, span, a, b, work);
        let mut bounds: Vec<NaiveDate> = cuts.iter().map(|c| a + chrono::Days::new(u64::from(*c))).collect();
        bounds.push(a);
        bounds.push(b + chrono::Days::new(1));
        bounds.sort();
        bounds.dedup();
        let mut pieces = Vec::new();
        for w in bounds.windows(2) {
            pieces.extend(occurrences(&r, rule, span, w[0], w[1].pred_opt().unwrap(), work));
        }
        prop_assert_eq!(&pieces, &whole);
        // Twice over the same window gives the same dates again.
        prop_assert_eq!(occurrences(&r, rule, span, a, b, work), whole.clone());
        // Every date is in the span, and each at most once.
        let set: BTreeSet<_> = whole.iter().collect();
        prop_assert_eq!(set.len(), whole.len());
        prop_assert!(whole.iter().all(|x| *x >= span.start && Some(*x) <= span.end));
    }
}
