//! Criteria the units score (使用单位评分): where the template says so, each unit served by the
//! contract gives a criterion its points for its own systems, and the contract's points are the
//! units' points weighted by how many of the contract's systems each unit has — a unit with
//! eight systems weighs eight times one with a single system, so the score follows the service
//! the systems received rather than the number of units. The criterion has points once every
//! unit has scored (the bureau may score for a unit that does not, or set the criterion by hand).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AssessmentStatus, centi};

/// Who gives a criterion its points.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScoredBy {
    /// The bureau's assessor (or the criterion's rule).
    #[default]
    Bureau,
    /// Each unit for its own systems, combined by [`combine_units`]; manual criteria only.
    Units,
}

impl ScoredBy {
    pub fn is_bureau(&self) -> bool {
        *self == ScoredBy::Bureau
    }
}

/// The contract's points from the units' (`(systems, points)` each): the mean weighted by
/// systems, in hundredths rounded half up; none until every unit has scored.
pub fn combine_units(scores: &[(u32, Option<f64>)]) -> Option<f64> {
    let weight: i64 = scores.iter().map(|(w, _)| i64::from(*w)).sum();
    if scores.is_empty() || weight == 0 {
        return None;
    }
    let mut sum = 0i64;
    for (w, p) in scores {
        sum += i64::from(*w) * centi((*p)?);
    }
    Some(((sum * 2 + weight) / (weight * 2)) as f64 / 100.0)
}

/// One unit's points for one criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UnitScore {
    pub criterion_key: String,
    pub unit_id: String,
    pub unit_name: String,
    /// The contract's systems of this unit: the unit's weight.
    pub systems: u32,
    pub points: Option<f64>,
    pub reason: Option<String>,
    /// Who scored: the unit's user, or the bureau for the unit.
    pub scored_by: Option<String>,
    pub scored_by_name: Option<String>,
    pub scored_at: Option<DateTime<Utc>>,
}

/// A unit's points for a criterion, with the reason.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UnitScoreInput {
    /// Empty to withdraw the unit's points.
    pub points: Option<f64>,
    pub reason: Option<String>,
}

/// What a unit is asked to score in one assessment: its to-do.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct UnitScoring {
    pub assessment_id: String,
    pub contract_id: String,
    pub contract_name: String,
    pub template_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub status: AssessmentStatus,
    pub unit_id: String,
    pub unit_name: String,
    pub systems: u32,
    pub criteria: Vec<UnitCriterion>,
}

/// A criterion as a unit scores it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct UnitCriterion {
    pub key: String,
    pub section: String,
    pub name: String,
    pub requirement: String,
    pub standard: String,
    pub max_points: f64,
    pub points: Option<f64>,
    pub reason: Option<String>,
    pub scored_by_name: Option<String>,
    pub scored_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_weigh_by_their_systems() {
        assert_eq!(combine_units(&[]), None);
        assert_eq!(combine_units(&[(3, Some(10.0)), (1, None)]), None, "a unit has not scored");
        assert_eq!(combine_units(&[(3, Some(10.0)), (1, Some(6.0))]), Some(9.0));
        assert_eq!(combine_units(&[(1, Some(10.0)), (1, Some(9.0))]), Some(9.5));
        // 2 × 8.33 + 1 × 7 = 23.66 over 3 = 7.8866… → 7.89
        assert_eq!(combine_units(&[(2, Some(8.33)), (1, Some(7.0))]), Some(7.89));
        // 1 × 0.01 + 1 × 0 = 0.005 → half up to 0.01
        assert_eq!(combine_units(&[(1, Some(0.01)), (1, Some(0.0))]), Some(0.01));
        assert_eq!(combine_units(&[(0, Some(5.0))]), None, "no systems, no weight");
    }
}
