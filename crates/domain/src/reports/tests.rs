use chrono::NaiveDate;

use super::templates::{DefinitionInput, templates};
use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

#[test]
fn periods_run_from_any_first_day() {
    let p = ReportKind::Month.period(d("2026-11-01"), None).expect("month");
    assert_eq!((p.from, p.to), (d("2026-11-01"), d("2026-11-30")));
    let p = ReportKind::Month.period(d("2026-01-31"), None).expect("month from the 31st");
    assert_eq!(p.to, d("2026-02-27"));
    let p = ReportKind::Year.period(d("2024-03-15"), None).expect("service year");
    assert_eq!(p.to, d("2025-03-14"));
    let p = ReportKind::Week.period(d("2026-11-30"), None).expect("week");
    assert_eq!(p.to, d("2026-12-06"));
    let p = ReportKind::HalfYear.period(d("2026-07-01"), None).expect("half");
    assert_eq!(p.to, d("2026-12-31"));
    assert_eq!(ReportKind::Quarter.next_start(d("2026-10-01")), Some(d("2027-01-01")));
}

#[test]
fn only_a_custom_range_takes_an_end() {
    let e = ReportKind::Month.period(d("2026-11-01"), Some(d("2026-11-30"))).expect_err("end on a month");
    assert_eq!(e.field, "end");
    let e = ReportKind::Custom.period(d("2026-11-01"), None).expect_err("custom without end");
    assert_eq!(e.field, "end");
    let e = ReportKind::Custom.period(d("2026-11-10"), Some(d("2026-11-01"))).expect_err("backwards");
    assert_eq!(e.field, "end");
    let p = ReportKind::Custom.period(d("2026-09-20"), Some(d("2026-10-08"))).expect("重保");
    assert_eq!((p.from, p.to), (d("2026-09-20"), d("2026-10-08")));
}

#[test]
fn calendar_starts() {
    assert_eq!(ReportKind::Week.calendar_start(d("2026-12-03")), d("2026-11-30"));
    assert_eq!(ReportKind::Quarter.calendar_start(d("2026-12-03")), d("2026-10-01"));
    assert_eq!(ReportKind::HalfYear.calendar_start(d("2026-06-30")), d("2026-01-01"));
    assert_eq!(ReportKind::Year.calendar_start(d("2026-06-30")), d("2026-01-01"));
}

#[test]
fn due_rules() {
    assert_eq!(DueRule::Months { months: 1 }.plain_due(d("2026-12-31")), Some(d("2027-01-31")));
    assert_eq!(DueRule::Months { months: 1 }.plain_due(d("2027-01-31")), Some(d("2027-02-28")));
    assert_eq!(DueRule::Days { days: 7 }.plain_due(d("2026-11-30")), Some(d("2026-12-07")));
    assert_eq!(DueRule::WorkingDays { days: 5 }.plain_due(d("2026-11-30")), None);
    assert!(DueRule::WorkingDays { days: 0 }.check("due").is_err());
    assert!(DueRule::Months { months: 4 }.check("due").is_err());
    assert!(DueRule::Days { days: 92 }.check("due").is_ok());
}

#[test]
fn overdue_is_the_vendors_part_only() {
    let due = d("2026-12-07");
    assert!(!is_overdue(ReportStatus::Draft, due, due));
    assert!(is_overdue(ReportStatus::Draft, due, d("2026-12-08")));
    assert!(is_overdue(ReportStatus::Returned, due, d("2026-12-08")));
    assert!(!is_overdue(ReportStatus::Submitted, due, d("2026-12-08")));
    assert!(!is_overdue(ReportStatus::Issued, due, d("2027-12-08")));
}

#[test]
fn a_report_request_names_its_errors() {
    let errs = ReportInput::default().validate().expect_err("empty");
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["contract_id", "kind", "start"]);
    let input = ReportInput {
        contract_id: Some("c".into()),
        kind: Some("fortnight".into()),
        start: Some("2026-13-01".into()),
        scope: Some("unit".into()),
        ..ReportInput::default()
    };
    let fields: Vec<String> = input.validate().expect_err("bad").into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["kind", "start", "scope_id"]);
    let ok = ReportInput {
        contract_id: Some(" c1 ".into()),
        kind: Some("month".into()),
        start: Some("2026-11-01".into()),
        ..ReportInput::default()
    }
    .validate()
    .expect("valid");
    assert_eq!((ok.contract_id.as_str(), ok.kind, ok.scope), ("c1", ReportKind::Month, ReportScope::Contract));
    assert_eq!(ok.period.to, d("2026-11-30"));
}

#[test]
fn narrative_takes_the_reports_own_sections() {
    let sections: Vec<String> = ["overview", "summary", "plan"].iter().map(|s| s.to_string()).collect();
    let mut input = NarrativeInput::default();
    input.sections.insert("summary".into(), "  本月完成巡检 20 次。\r\n无重大故障。 ".into());
    let ok = input.validate(&sections).expect("valid");
    assert_eq!(ok["summary"], "本月完成巡检 20 次。\n无重大故障。");
    input.sections.insert("overview".into(), "x".into());
    input.sections.insert("problems".into(), "x".into());
    input.sections.insert("plan".into(), "a\u{7}b".into());
    let fields: Vec<String> = input.validate(&sections).expect_err("bad").into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["sections.overview", "sections.plan", "sections.problems"]);
    input.sections.clear();
    input.sections.insert("summary".into(), "字".repeat(NARRATIVE_MAX + 1));
    assert!(input.validate(&sections).is_err());
}

#[test]
fn a_review_needs_a_note_to_return() {
    let r = ReviewInput { note: None, findings: vec![] };
    assert_eq!(r.validate(true).expect_err("no note")[0].field, "note");
    assert!(r.validate(false).is_ok());
    let r = ReviewInput {
        note: Some("工单统计与系统不符".into()),
        findings: vec![FindingInput { text: Some("故障数少报 2 起".into()), serious: false }, FindingInput::default()],
    };
    assert_eq!(r.validate(true).expect_err("empty finding")[0].field, "findings[1].text");
}

#[test]
fn definitions_default_from_template_kind_and_contract() {
    let all: Vec<String> = ["overview", "tickets", "summary"].iter().map(|s| s.to_string()).collect();
    let known = |s: &str| {
        [
            "overview",
            "indicators",
            "tickets",
            "availability",
            "inspections",
            "vulnerabilities",
            "security_events",
            "backups",
            "problem_list",
            "summary",
            "problems",
            "plan",
            "suggestions",
        ]
        .contains(&s)
    };
    let input = DefinitionInput { kind: Some("month".into()), ..DefinitionInput::default() };
    let spec = input.validate(d("2026-03-15"), known, &all).expect("month");
    assert_eq!(
        (spec.anchor, spec.due, spec.sections.len(), spec.auto),
        (d("2026-03-15"), DueRule::WorkingDays { days: 5 }, 3, true)
    );
    assert_eq!(spec.name, "月报");
    let input = DefinitionInput { template: Some("002-annual".into()), ..DefinitionInput::default() };
    let spec = input.validate(d("2026-01-01"), known, &all).expect("annual");
    assert_eq!((spec.kind, spec.due), (ReportKind::Year, DueRule::Months { months: 1 }));
    let input = DefinitionInput {
        kind: Some("custom".into()),
        sections: Some(vec!["overview".into(), "nope".into(), "overview".into()]),
        scope: Some("item".into()),
        ..DefinitionInput::default()
    };
    let fields: Vec<String> =
        input.validate(d("2026-01-01"), known, &all).expect_err("bad").into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["kind", "scope_id", "sections[1]", "sections[2]"]);
    for t in templates() {
        assert!(t.sections.iter().all(|s| known(s)), "{} lists an unknown section", t.key);
        assert!(t.due.check("due").is_ok());
    }
}
