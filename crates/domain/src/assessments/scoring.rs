//! From points to a score, a grade and money. Points are kept in hundredths (`centi`) and money
//! in fen, so 89.5 is below 90 and 2 ‰ of a price is rounded once, half up.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Band, Criterion, Grade, Pay, Rule, TemplateSpec};

/// Points in hundredths (two decimals are all a template allows).
pub fn centi(p: f64) -> i64 {
    (p * 100.0).round() as i64
}

fn points_of(c: i64) -> f64 {
    c as f64 / 100.0
}

/// The points of the band `value` falls in.
pub fn band_points(bands: &[Band], value: f64) -> Option<f64> {
    bands.iter().find(|b| b.upto.is_none_or(|u| value <= u)).map(|b| b.points)
}

/// What is known about one criterion of an assessment.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CriterionFacts {
    /// Points set by hand (overriding the rule).
    pub by_hand: Option<f64>,
    /// What a banded rule computed from its indicator (none when nothing was measured).
    pub banded: Option<f64>,
    /// The sum of the confirmed deductions.
    pub deducted: f64,
    /// A criterion the units score: their combined points, once every unit has scored
    /// ([`super::combine_units`]).
    pub units: Option<f64>,
}

/// The points that count for a criterion, if it has any yet.
pub fn criterion_points(c: &Criterion, f: &CriterionFacts) -> Option<f64> {
    if let Some(p) = f.by_hand {
        return Some(p);
    }
    match &c.rule {
        Rule::Manual => f.units,
        Rule::Deductions { .. } => Some(points_of((centi(c.max_points) - centi(f.deducted)).max(0))),
        Rule::Banded { .. } => f.banded,
    }
}

/// What the vendor is paid for the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Payment {
    /// What the deduction is taken from: the contract's total price.
    pub base_fen: i64,
    /// Absent when the template leaves the amount to negotiation or the grade is a breach.
    pub deduction_fen: Option<i64>,
    pub payable_fen: Option<i64>,
    /// The amount is to be negotiated (002: 未达标 or a veto).
    pub negotiate: bool,
    /// A breach of contract: the bureau may terminate (004: below 60).
    pub breach: bool,
}

/// The total and what follows from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub score: f64,
    pub complete: bool,
    pub grade: Grade,
    pub payment: Payment,
}

/// `a × b ÷ d`, rounded half up, for non-negative amounts.
fn mul_div(a: i64, b: i64, d: i64) -> i64 {
    let (a, b, d) = (i128::from(a.max(0)), i128::from(b.max(0)), i128::from(d.max(1)));
    i64::try_from((a * b + d / 2) / d).unwrap_or(i64::MAX)
}

/// The score (the sum of the criteria's points; one without points counts 0 and leaves the
/// assessment incomplete), the grade it reaches (the lowest, when vetoed) and the payment on
/// `base_fen`.
pub fn score(spec: &TemplateSpec, points: &[Option<f64>], vetoed: bool, base_fen: i64) -> Scored {
    let total: i64 = points.iter().flatten().map(|p| centi(*p)).sum();
    let complete = points.iter().all(Option::is_some) && points.len() == spec.criteria().count();
    let lowest = spec.grades.last().cloned().unwrap_or(Grade {
        min: 0.0,
        name: "未定级".into(),
        name_en: "ungraded".into(),
        pay: Pay::Negotiate,
    });
    let grade =
        if vetoed { lowest } else { spec.grades.iter().find(|g| total >= centi(g.min)).cloned().unwrap_or(lowest) };
    let full: i64 = spec.criteria().map(|(_, c)| centi(c.max_points)).sum();
    let mut payment =
        Payment { base_fen, deduction_fen: Some(0), payable_fen: Some(base_fen), negotiate: false, breach: false };
    let deduct = |d: i64| (Some(d.min(base_fen.max(0))), Some(base_fen - d.min(base_fen.max(0))));
    match grade.pay {
        Pay::Full => {}
        // permille has at most a few decimals: in hundred-thousandths of the base.
        Pay::Permille { permille } => {
            (payment.deduction_fen, payment.payable_fen) = deduct(mul_div(base_fen, centi(permille), 100_000));
        }
        Pay::PerPointLost { permille } => {
            let lost = (full - total).max(0);
            let d = mul_div(base_fen, lost * centi(permille), 10_000_000);
            (payment.deduction_fen, payment.payable_fen) = deduct(d);
        }
        Pay::Negotiate => {
            payment.negotiate = true;
            (payment.deduction_fen, payment.payable_fen) = (None, None);
        }
        Pay::Breach => {
            payment.breach = true;
            (payment.deduction_fen, payment.payable_fen) = (None, None);
        }
    }
    Scored { score: points_of(total), complete, grade, payment }
}
