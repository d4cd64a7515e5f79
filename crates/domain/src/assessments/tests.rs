use super::*;

fn spec(key: &str) -> TemplateSpec {
    builtins().into_iter().find(|(k, _)| *k == key).map(|(_, s)| s).unwrap()
}

fn indicators() -> Vec<String> {
    vec!["response_minutes_p90".into(), "resolve_minutes_p90".into()]
}

/// Every criterion at full points except the first, which takes `first`.
fn points_summing_to(s: &TemplateSpec, total: f64) -> Vec<Option<f64>> {
    let mut left = 100.0 - total;
    s.criteria()
        .map(|(_, c)| {
            let off = left.min(c.max_points);
            left -= off;
            Some(c.max_points - off)
        })
        .collect()
}

#[test]
fn the_builtins_are_valid_and_sum_to_100() {
    for (key, s) in builtins() {
        s.validate(&indicators()).unwrap_or_else(|e| panic!("{key}: {e:?}"));
        let sum: i64 = s.criteria().map(|(_, c)| centi(c.max_points)).sum();
        assert_eq!(sum, 10_000, "{key}");
    }
    assert_eq!(spec("002-performance").criteria().count(), 11);
    assert_eq!(spec("004-deduction").sections.len(), 6);
}

#[test]
fn payment_002_at_the_boundaries() {
    let s = spec("002-performance");
    let base = 100_000_000; // one million yuan, in fen
    let at = |score: f64, veto: bool| super::score(&s, &points_summing_to(&s, score), veto, base);
    let r = at(90.0, false);
    assert_eq!((r.grade.name.as_str(), r.payment.deduction_fen, r.payment.payable_fen), ("优秀", Some(0), Some(base)));
    let r = at(89.5, false);
    assert_eq!(r.score, 89.5);
    assert_eq!((r.grade.name.as_str(), r.payment.deduction_fen), ("良好", Some(500_000)));
    assert_eq!(at(80.0, false).payment.deduction_fen, Some(500_000));
    let r = at(79.5, false);
    assert_eq!((r.grade.name.as_str(), r.payment.deduction_fen), ("及格", Some(1_000_000)));
    let r = at(70.0, false);
    assert_eq!((r.grade.name.as_str(), r.payment.payable_fen), ("及格", Some(base - 1_000_000)));
    let r = at(69.5, false);
    assert_eq!((r.grade.name.as_str(), r.payment.negotiate, r.payment.deduction_fen), ("未达标", true, None));
    let r = at(100.0, true);
    assert_eq!((r.grade.name.as_str(), r.payment.negotiate, r.payment.payable_fen), ("未达标", true, None));
    assert!(r.complete);
}

#[test]
fn payment_004_at_the_boundaries() {
    let s = spec("004-deduction");
    let base = 345_678_901;
    let at = |score: f64| super::score(&s, &points_summing_to(&s, score), false, base);
    assert_eq!(at(90.0).payment.deduction_fen, Some(0));
    assert_eq!(at(100.0).payment.payable_fen, Some(base));
    // 10.5 points × 2 ‰ = 2.1 % of 3 456 789.01 yuan = 72 592.57 yuan (72 592.569 21, rounded).
    let r = at(89.5);
    assert_eq!((r.grade.name.as_str(), r.payment.deduction_fen), ("按分扣款", Some(7_259_257)));
    assert_eq!(r.payment.payable_fen, Some(base - 7_259_257));
    // 40 points × 2 ‰ = 8 %.
    assert_eq!(at(60.0).payment.deduction_fen, Some(27_654_312));
    let r = at(59.5);
    assert_eq!((r.grade.name.as_str(), r.payment.breach, r.payment.deduction_fen), ("视同违约", true, None));
}

#[test]
fn criteria_points_by_rule() {
    let s = spec("004-deduction");
    let tickets = s.criterion("tickets").unwrap();
    let f = CriterionFacts { deducted: 3.0, ..Default::default() };
    assert_eq!(criterion_points(tickets, &f), Some(22.0));
    let f = CriterionFacts { deducted: 40.0, ..Default::default() };
    assert_eq!(criterion_points(tickets, &f), Some(0.0), "扣完为止");
    let f = CriterionFacts { by_hand: Some(12.5), deducted: 3.0, ..Default::default() };
    assert_eq!(criterion_points(tickets, &f), Some(12.5), "by hand wins");
    let s = spec("002-performance");
    let attitude = s.criterion("service_attitude").unwrap();
    assert_eq!(criterion_points(attitude, &CriterionFacts::default()), None);
    let f = CriterionFacts { units: Some(8.5), ..Default::default() };
    assert_eq!(criterion_points(attitude, &f), Some(8.5), "the units' combined points");
    let f = CriterionFacts { units: Some(8.5), by_hand: Some(9.0), ..Default::default() };
    assert_eq!(criterion_points(attitude, &f), Some(9.0), "the bureau's hand still wins");
    let speed = s.criterion("response_speed").unwrap();
    let Rule::Banded { bands, .. } = &speed.rule else { panic!() };
    assert_eq!(band_points(bands, 60.0), Some(10.0));
    assert_eq!(band_points(bands, 60.01), Some(5.0));
    assert_eq!(band_points(bands, 240.0), Some(5.0));
    assert_eq!(band_points(bands, 100_000.0), Some(3.0));
}

#[test]
fn an_incomplete_assessment_counts_what_it_has() {
    let s = spec("002-performance");
    let mut pts = points_summing_to(&s, 100.0);
    pts[2] = None;
    let r = score(&s, &pts, false, 100);
    assert!(!r.complete);
    assert_eq!(r.score, 90.0);
}

#[test]
fn bad_templates_name_the_field() {
    let mut s = spec("002-performance");
    s.sections[0].criteria[0].max_points = 11.0;
    assert_eq!(s.validate(&indicators()).unwrap_err()[0].field, "sections");
    let mut s = spec("002-performance");
    s.sections[0].criteria[1].key = "response_speed".into();
    assert_eq!(s.validate(&indicators()).unwrap_err()[0].field, "sections[0].criteria[1].key");
    let mut s = spec("002-performance");
    if let Rule::Banded { bands, .. } = &mut s.sections[0].criteria[0].rule {
        bands[1].upto = Some(30.0);
    }
    assert_eq!(s.validate(&indicators()).unwrap_err()[0].field, "sections[0].criteria[0].rule.bands[1].upto");
    let s = spec("002-performance");
    assert_eq!(s.validate(&[]).unwrap_err()[0].field, "sections[0].criteria[0].rule.indicator");
    let mut s = spec("004-deduction");
    s.grades[2].min = 10.0;
    assert_eq!(s.validate(&[]).unwrap_err()[0].field, "grades");
    let mut s = spec("004-deduction");
    s.grades[1].min = 95.0;
    assert_eq!(s.validate(&[]).unwrap_err()[0].field, "grades[1].min");
    let mut s = spec("004-deduction");
    s.sections[0].criteria[0].max_points = 19.999;
    assert!(s.validate(&[]).unwrap_err().iter().any(|e| e.field == "sections[0].criteria[0].max_points"));
    let mut s = spec("004-deduction");
    s.appeal_days = 31;
    assert_eq!(s.validate(&[]).unwrap_err()[0].field, "appeal_days");
}
