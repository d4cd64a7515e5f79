//! Assessments (考核): the bureau drafts one for a contract and a period from a 考核表 template;
//! indicators of the catalogue band some criteria, facts propose deductions for others, the
//! assessor gives the rest by hand; published, the vendor's manager may appeal a criterion
//! within the template's working days (the one approval mechanism decides it); then final,
//! locked, with the score, grade and payment fixed. Every change to a point is kept in the
//! assessment's history and the audit log.
//!
//! Who: the bureau (administrators) assesses; auditors read everything; a vendor's manager reads
//! its contracts' published assessments and appeals; a unit's users read those of the contracts
//! covering their systems; engineers see none (404).

mod appeals;
mod draft;
mod export;
pub(crate) mod findings;
mod flow;
mod publish;
mod templates;
mod units;

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use domain::assessments::{
    Assessment, AssessmentFilter, AssessmentStatus, Criterion, CriterionFacts, CriterionResult, DeductionStatus,
    HistoryEntry, Payment, Rule, ScoredBy, UnitScore, combine_units, criterion_points, score,
};
use domain::list::{ListQuery, Page};
use domain::{Principal, Role, Scope};
use store::assessments::units::UnitScoreRow;
use store::assessments::{AssessmentRow, CriterionRow, DeductionSum};

use crate::{App, AppError, Result};

pub(crate) use appeals::effects;

/// Engineers judge nobody and are judged through their manager: nothing of it is theirs.
fn reader_scope(p: &Principal) -> Result<Scope> {
    if p.role == Role::Engineer { Err(AppError::NotFound) } else { Ok(p.scope()) }
}

/// The bureau's assessor.
fn require_assessor(p: &Principal) -> Result<()> {
    if p.role == Role::Admin { Ok(()) } else { Err(AppError::Forbidden) }
}

/// A unit's users read their own unit's points of the criteria the units score, not the other
/// units' (their reasons name other units' systems).
fn for_reader(p: &Principal, mut a: Assessment) -> Assessment {
    if p.role == Role::UnitUser {
        for c in &mut a.criteria {
            c.units.retain(|u| p.unit_id.as_deref() == Some(u.unit_id.as_str()));
        }
    }
    a
}

/// What was fixed when the assessment became final.
#[derive(serde::Serialize, serde::Deserialize)]
struct FinalResult {
    score: f64,
    complete: bool,
    grade: String,
    grade_en: String,
    payment: Payment,
}

impl App {
    /// The stored assessment, if the caller may see it (404 otherwise).
    async fn visible_assessment(&self, p: &Principal, id: &str) -> Result<AssessmentRow> {
        store::assessments::get(&self.store, &reader_scope(p)?, id).await?.ok_or(AppError::NotFound)
    }

    /// The assessment as the caller may see it.
    pub async fn get_assessment(&self, p: &Principal, id: &str) -> Result<Assessment> {
        let row = self.visible_assessment(p, id).await?;
        Ok(for_reader(p, self.assessment_view(row).await?))
    }

    pub async fn list_assessments(
        &self,
        p: &Principal,
        q: &ListQuery,
        f: &AssessmentFilter,
    ) -> Result<Page<Assessment>> {
        let page = store::assessments::list(&self.store, &reader_scope(p)?, q, f).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for row in page.items {
            items.push(for_reader(p, self.assessment_view(row).await?));
        }
        Ok(Page { items, total: page.total, page: page.page, page_size: page.page_size })
    }

    /// Every change to the assessment's points and standing, oldest first.
    pub async fn assessment_history(&self, p: &Principal, id: &str) -> Result<Vec<HistoryEntry>> {
        let row = self.visible_assessment(p, id).await?;
        let mut out = store::assessments::history(&self.store, &row.id).await?;
        // Each unit's points name that unit and its reasons: a unit reads its own part on its
        // scoring page, not the others' here.
        if p.role == Role::UnitUser {
            out.retain(|h| h.action != "unit_score");
        }
        Ok(out)
    }

    /// The deductions of an assessment (proposed, confirmed, dismissed), optionally of one
    /// criterion and status.
    pub async fn list_assessment_deductions(
        &self,
        p: &Principal,
        id: &str,
        q: &ListQuery,
        criterion_key: Option<String>,
        status: Option<DeductionStatus>,
    ) -> Result<Page<domain::assessments::Deduction>> {
        // Occurrences name tickets and tasks of every unit the contract serves: a unit's users
        // read the score, not the other units' tickets.
        if p.role == Role::UnitUser {
            return Err(AppError::NotFound);
        }
        let row = self.visible_assessment(p, id).await?;
        Ok(store::assessments::deductions(&self.store, &row.id, q, criterion_key, status).await?)
    }

    /// The appeals made against the assessment (every state), newest first.
    pub async fn assessment_appeals(&self, p: &Principal, id: &str) -> Result<Vec<domain::approvals::Approval>> {
        let row = self.visible_assessment(p, id).await?;
        let ids: Vec<String> =
            store::assessments::criteria(&self.store, &row.id).await?.into_iter().map(|c| c.id).collect();
        let mut out = store::approvals::about_subjects(&self.store, appeals::SUBJECT, &ids).await?;
        out.sort_by(|a, b| b.requested_at.cmp(&a.requested_at).then_with(|| b.id.cmp(&a.id)));
        Ok(out.into_iter().map(|a| Self::with_caller(p, a)).collect())
    }

    /// The assessment with its points, score, grade and payment worked out.
    pub(crate) async fn assessment_view(&self, row: AssessmentRow) -> Result<Assessment> {
        let criteria = store::assessments::criteria(&self.store, &row.id).await?;
        let sums = store::assessments::deduction_sums(&self.store, &row.id).await?;
        let ids: Vec<String> = criteria.iter().map(|c| c.id.clone()).collect();
        let pending = store::approvals::pending_by_subjects(&self.store, appeals::SUBJECT, &ids).await?;
        // The price is the whole contract's, whoever reads it.
        let contract = store::contracts::get(&self.store, &Scope::All, &row.contract_id).await?;
        let (contract_name, base_fen) = contract.map_or((String::new(), 0), |c| (c.name, c.total_fen));
        let units = store::assessments::units::of_assessment(&self.store, &row.id, None).await?;
        let stored = Stored { criteria: &criteria, sums: &sums, units: &units };
        Ok(view(row, &stored, &pending, contract_name, base_fen))
    }
}

/// What an assessment's points are computed from.
struct Stored<'a> {
    criteria: &'a [CriterionRow],
    sums: &'a [DeductionSum],
    units: &'a [UnitScoreRow],
}

/// The facts of one criterion: points by hand, what its rule computed, the confirmed
/// deductions, and for a criterion the units score, their combined points.
fn facts_of(def: &Criterion, c: &CriterionRow, deducted: f64, units: &[UnitScoreRow]) -> CriterionFacts {
    let units = (def.scored_by == ScoredBy::Units).then(|| {
        let scores: Vec<(u32, Option<f64>)> =
            units.iter().filter(|u| u.criterion_key == c.key).map(|u| (u.systems, u.points)).collect();
        combine_units(&scores)
    });
    CriterionFacts {
        by_hand: c.hand_points,
        banded: matches!(def.rule, Rule::Banded { .. }).then_some(c.auto_points).flatten(),
        deducted,
        units: units.flatten(),
    }
}

fn unit_score(u: &UnitScoreRow) -> UnitScore {
    UnitScore {
        criterion_key: u.criterion_key.clone(),
        unit_id: u.unit_id.clone(),
        unit_name: u.unit_name.clone(),
        systems: u.systems,
        points: u.points,
        reason: u.reason.clone(),
        scored_by: u.scored_by.clone(),
        scored_by_name: u.scored_by_name.clone(),
        scored_at: u.scored_at,
    }
}

/// Builds the view from what is stored; the final result, once fixed, is shown as fixed.
fn view(
    row: AssessmentRow,
    stored: &Stored<'_>,
    pending: &HashMap<String, String>,
    contract_name: String,
    base_fen: i64,
) -> Assessment {
    let Stored { criteria, sums, units } = *stored;
    let mut results = Vec::with_capacity(criteria.len());
    for c in criteria {
        let Some((section, def)) = row.spec.criteria().find(|(_, d)| d.key == c.key) else { continue };
        let of = |st: DeductionStatus| sums.iter().find(|s| s.criterion_key == c.key && s.status == st);
        let confirmed = of(DeductionStatus::Confirmed);
        let facts = facts_of(def, c, confirmed.map_or(0.0, |s| s.points), units);
        let auto = criterion_points(def, &CriterionFacts { by_hand: None, ..facts });
        results.push(CriterionResult {
            id: c.id.clone(),
            key: c.key.clone(),
            section: section.name.clone(),
            name: def.name.clone(),
            requirement: def.requirement.clone(),
            standard: def.standard.clone(),
            max_points: def.max_points,
            rule: def.rule.clone(),
            points: criterion_points(def, &facts),
            auto_points: auto,
            by_hand: c.hand_points.is_some(),
            reason: c.reason.clone(),
            evidence: c.evidence.clone(),
            proposed: of(DeductionStatus::Proposed).map_or(0, |s| s.count),
            confirmed: confirmed.map_or(0, |s| s.count),
            dismissed: of(DeductionStatus::Dismissed).map_or(0, |s| s.count),
            appeal_id: pending.get(&c.id).cloned(),
            scored_by: def.scored_by,
            units: units.iter().filter(|u| u.criterion_key == c.key).map(unit_score).collect(),
        });
    }
    let points: Vec<Option<f64>> = results.iter().map(|c| c.points).collect();
    let scored = score(&row.spec, &points, row.vetoed, base_fen);
    let fixed: Option<FinalResult> = row.final_result.clone().and_then(|v| serde_json::from_value(v).ok());
    let (score, complete, grade, grade_en, payment) = match fixed {
        Some(f) => (f.score, f.complete, f.grade, f.grade_en, f.payment),
        None => (scored.score, scored.complete, scored.grade.name, scored.grade.name_en, scored.payment),
    };
    Assessment {
        id: row.id,
        contract_id: row.contract_id,
        contract_name,
        vendor_id: row.vendor_id,
        template_id: row.template_id,
        template_key: row.template_key,
        template_name: row.template_name,
        from: row.from,
        to: row.to,
        status: row.status,
        criteria: results,
        score,
        complete,
        grade,
        grade_en,
        vetoed: row.vetoed,
        veto_reason: row.veto_reason,
        veto_conditions: row.spec.veto.clone(),
        payment,
        published_at: row.published_at,
        appeal_until: row.appeal_until,
        acknowledged_at: row.acknowledged_at,
        finalized_at: row.finalized_at,
        created_by: row.created_by,
        created_at: row.created_at,
        spec: row.spec,
    }
}

/// A criterion's points as they stand inside `tx` (after a change made in it).
async fn points_in(tx: &store::Tx, a: &Assessment, key: &str) -> Result<Option<f64>> {
    let Some(def) = a.spec.criterion(key) else { return Ok(None) };
    let rows = store::assessments::criteria(tx, &a.id).await?;
    let Some(c) = rows.iter().find(|c| c.key == key) else { return Ok(None) };
    let deducted = store::assessments::deduction_sums(tx, &a.id)
        .await?
        .into_iter()
        .filter(|s| s.criterion_key == key && s.status == DeductionStatus::Confirmed)
        .map(|s| s.points)
        .sum();
    let units = store::assessments::units::of_assessment(tx, &a.id, None).await?;
    Ok(criterion_points(def, &facts_of(def, c, deducted, &units)))
}

/// A history entry by `p` (shown as `name`) at `now`.
fn history(id: &str, action: &str, p: &Principal, name: &str, now: DateTime<Utc>) -> HistoryEntry {
    HistoryEntry {
        id: store::new_id(),
        assessment_id: id.to_string(),
        criterion_key: None,
        action: action.to_string(),
        before: None,
        after: None,
        reason: None,
        actor_id: p.user_id.clone(),
        actor_name: name.to_string(),
        at: now,
    }
}

/// Statuses in which the vendor may still appeal and the bureau rule on appeals.
const OPEN: &[AssessmentStatus] = &[AssessmentStatus::Published, AssessmentStatus::Appealed];
