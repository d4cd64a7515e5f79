use chrono::{Duration, TimeZone, Utc};

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 2, 0, 0).unwrap()
}

fn normal() -> ChangeInput {
    ChangeInput {
        system_ids: Some(vec!["s1".into(), "s1".into(), "s2".into()]),
        change_type: Some("normal".into()),
        title: Some(" 升级数据库补丁 ".into()),
        planned_start: Some(now() + Duration::days(1)),
        planned_end: Some(now() + Duration::days(1) + Duration::hours(2)),
        rollback_plan: Some("回退到快照".into()),
        ..ChangeInput::default()
    }
}

fn fields(r: Result<ChangeSpec, Vec<FieldError>>) -> Vec<String> {
    r.unwrap_err().into_iter().map(|e| e.field).collect()
}

#[test]
fn a_normal_change() {
    let s = normal().validate(now()).unwrap();
    assert_eq!(s.system_ids, ["s1", "s2"], "duplicates dropped");
    assert_eq!((s.kind, s.change_type, s.risk), (ChangeKind::Change, ChangeType::Normal, ChangeRisk::Medium));
    assert_eq!(s.title, "升级数据库补丁");
    assert!(!s.downtime);
}

#[test]
fn what_is_required() {
    assert_eq!(
        fields(ChangeInput::default().validate(now())),
        ["system_ids", "type", "title", "planned_start", "planned_end"]
    );
    let no_rollback = ChangeInput { rollback_plan: None, ..normal() };
    assert_eq!(fields(no_rollback.validate(now())), ["rollback_plan"]);
    let standard = ChangeInput { rollback_plan: None, change_type: Some("standard".into()), ..normal() };
    assert!(standard.validate(now()).is_ok(), "a standard change is routine");
    let bad = ChangeInput { change_type: Some("urgent".into()), risk: Some("huge".into()), ..normal() };
    assert_eq!(fields(bad.validate(now())), ["type", "risk"]);
}

#[test]
fn a_release_needs_its_emergency_plan_and_version() {
    let r = ChangeInput { kind: Some("release".into()), ..normal() };
    assert_eq!(fields(r.validate(now())), ["release_plan", "version"]);
    let partial = ChangeInput {
        kind: Some("release".into()),
        version: Some("V2.3.1".into()),
        release_plan: Some(ReleasePlan { scope: Some("全部模块".into()), ..ReleasePlan::default() }),
        ..normal()
    };
    assert_eq!(
        fields(partial.validate(now())),
        [
            "release_plan.risk_analysis",
            "release_plan.pass_criteria",
            "release_plan.fail_criteria",
            "release_plan.method",
            "release_plan.problem_tracking"
        ]
    );
}

#[test]
fn the_window() {
    let backwards = ChangeInput { planned_end: Some(now()), ..normal() };
    assert_eq!(fields(backwards.validate(now())), ["planned_end"]);
    let long = ChangeInput { planned_end: Some(now() + Duration::days(20)), ..normal() };
    assert_eq!(fields(long.validate(now())), ["planned_end"]);
    let past = ChangeInput {
        planned_start: Some(now() - Duration::hours(3)),
        planned_end: Some(now() - Duration::hours(1)),
        ..normal()
    };
    assert_eq!(fields(past.clone().validate(now())), ["planned_start"]);
    let emergency = ChangeInput { change_type: Some("emergency".into()), ..past };
    assert!(emergency.validate(now()).is_ok(), "an emergency change is recorded afterwards");
}

#[test]
fn finishing() {
    let ok = ChangeFinishInput { outcome: Some("success".into()), ..ChangeFinishInput::default() };
    assert_eq!(ok.validate().unwrap().outcome, ChangeOutcome::Success);
    let failed = ChangeFinishInput { outcome: Some("failed".into()), ..ChangeFinishInput::default() };
    assert_eq!(failed.validate().unwrap_err()[0].field, "note");
    assert_eq!(ChangeFinishInput::default().validate().unwrap_err()[0].field, "outcome");
    assert_eq!(ChangeOutcome::RolledBack.status(), ChangeStatus::RolledBack);
}

#[test]
fn the_steps_by_rule() {
    let rules = ChangeRules::default();
    let approvers = |s: Vec<StepRule>| s.into_iter().map(|s| s.approver).collect::<Vec<_>>();
    assert_eq!(approvers(rules.steps(ChangeType::Normal, false, true)), [StepApprover::Unit, StepApprover::Bureau]);
    assert_eq!(approvers(rules.steps(ChangeType::Normal, false, false)), [StepApprover::Bureau], "no one at the unit");
    assert!(rules.steps(ChangeType::Standard, false, true).is_empty());
    assert_eq!(
        approvers(rules.steps(ChangeType::Standard, true, true)),
        [StepApprover::Bureau],
        "downtime is the bureau's to grant"
    );
    let unit_only = ChangeRules { normal: vec![StepRule::new(StepApprover::Unit)], ..ChangeRules::default() };
    assert_eq!(approvers(unit_only.steps(ChangeType::Normal, true, true)), [StepApprover::Unit, StepApprover::Bureau]);
    let bad = ChangeRules {
        normal: vec![StepRule { approver: StepApprover::Unit, user_id: Some("x".into()) }],
        ..ChangeRules::default()
    };
    assert_eq!(bad.validate().unwrap_err()[0].field, "normal[0].user_id");
}
