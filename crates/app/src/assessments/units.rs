//! The units' part of an assessment (使用单位评分): each unit served by the contract scores the
//! criteria the template gives the units, for its own systems, while the assessment is a draft;
//! the bureau may score for a unit that does not. The criterion's points combine the units'
//! (`domain::assessments::combine_units`).

use domain::assessments::{
    AssessmentStatus, ScoredBy, UnitCriterion, UnitScoreInput, UnitScoring, no_criterion, points_ok,
};
use domain::error::Checker;
use domain::{FieldError, Principal, Role, Scope};
use serde_json::json;
use store::assessments::units::UnitScoreRow;

use super::history;
use crate::{App, AppError, Result, audit};

/// The most assessments a to-do lists (a unit scores a few a year).
const MAX_LISTED: u64 = 50;

/// The unit whose part `p` may read: its own for a unit's user, any for the bureau and the
/// auditor (none: every unit's); vendors and engineers have none before publication.
fn reader_unit(p: &Principal) -> Result<Option<String>> {
    match p.role {
        Role::Admin | Role::Auditor => Ok(None),
        Role::UnitUser => p.unit_id.clone().map(Some).ok_or(AppError::NotFound),
        _ => Err(AppError::NotFound),
    }
}

impl App {
    /// What the caller's unit scores (every unit's, for the bureau and the auditor): the
    /// assessments with criteria the units score, drafts first to be done, newest period first.
    pub async fn unit_scoring(&self, p: &Principal) -> Result<Vec<UnitScoring>> {
        let unit = reader_unit(p)?;
        let statuses =
            [AssessmentStatus::Draft, AssessmentStatus::Published, AssessmentStatus::Appealed, AssessmentStatus::Final];
        let found = store::assessments::units::assignments(&self.store, unit.as_deref(), &statuses, MAX_LISTED).await?;
        self.scoring_parts(unit.as_deref(), found).await
    }

    /// The units' parts of the assessments `found` names (each with its units), read as `unit`
    /// (none: every unit) may.
    async fn scoring_parts(&self, unit: Option<&str>, found: Vec<(String, Vec<String>)>) -> Result<Vec<UnitScoring>> {
        let mut out = Vec::new();
        for (id, units) in found {
            let Some(row) = store::assessments::get(&self.store, &Scope::All, &id).await? else { continue };
            let rows = store::assessments::units::of_assessment(&self.store, &id, unit).await?;
            let contract = store::contracts::get(&self.store, &Scope::All, &row.contract_id).await?;
            for u in units {
                let mine: Vec<&UnitScoreRow> = rows.iter().filter(|r| r.unit_id == u).collect();
                let Some(first) = mine.first() else { continue };
                let criteria = row
                    .spec
                    .criteria()
                    .filter(|(_, c)| c.scored_by == ScoredBy::Units)
                    .filter_map(|(s, c)| {
                        let r = mine.iter().find(|r| r.criterion_key == c.key)?;
                        Some(UnitCriterion {
                            key: c.key.clone(),
                            section: s.name.clone(),
                            name: c.name.clone(),
                            requirement: c.requirement.clone(),
                            standard: c.standard.clone(),
                            max_points: c.max_points,
                            points: r.points,
                            reason: r.reason.clone(),
                            scored_by_name: r.scored_by_name.clone(),
                            scored_at: r.scored_at,
                        })
                    })
                    .collect();
                out.push(UnitScoring {
                    assessment_id: row.id.clone(),
                    contract_id: row.contract_id.clone(),
                    contract_name: contract.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
                    template_name: row.template_name.clone(),
                    from: row.from,
                    to: row.to,
                    status: row.status,
                    unit_id: u.clone(),
                    unit_name: first.unit_name.clone(),
                    systems: first.systems,
                    criteria,
                });
            }
        }
        Ok(out)
    }

    /// A unit's points for a criterion the units score (its own unit's, for a unit's user; any
    /// unit's, for the bureau scoring in its place), with a reason whenever points are lost;
    /// drafts only. No points withdraws the unit's. Returns the unit's part.
    pub async fn set_unit_points(
        &self,
        p: &Principal,
        id: &str,
        unit_id: &str,
        key: &str,
        input: UnitScoreInput,
    ) -> Result<UnitScoring> {
        match p.role {
            Role::Admin => {}
            Role::UnitUser if p.unit_id.as_deref() == Some(unit_id) => {}
            Role::UnitUser => return Err(AppError::Forbidden),
            _ => return Err(AppError::NotFound),
        }
        let row = store::assessments::get(&self.store, &Scope::All, id).await?.ok_or(AppError::NotFound)?;
        let rows = store::assessments::units::of_assessment(&self.store, id, Some(unit_id)).await?;
        // A unit that scores nothing here does not learn that the draft exists.
        let Some(mine) = rows.iter().find(|r| r.criterion_key == key) else {
            return Err(if rows.is_empty() { AppError::NotFound } else { no_criterion().into() });
        };
        let def = row.spec.criterion(key).ok_or_else(no_criterion)?;
        let mut check = Checker::default();
        if let Some(pts) = input.points
            && !points_ok(pts, def.max_points)
        {
            check.push(FieldError::new(
                "points",
                format!("得分须在 0 至 {} 之间，最多两位小数", def.max_points),
                format!("0 to {}, at most two decimals", def.max_points),
            ));
        }
        let reason = check.optional_text("reason", input.reason.as_deref(), 2000);
        if input.points.is_some_and(|pts| pts < def.max_points) && reason.is_none() {
            check.push(FieldError::new("reason", "扣分须说明理由", "say why points are lost"));
        }
        check.finish()?;
        let a = self.reread_scoped(&Scope::All, id).await?;
        let before = a.criteria.iter().find(|c| c.key == key).and_then(|c| c.points);
        let name = self.person_name(p).await?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        if !store::assessments::touch(&tx, id, &[AssessmentStatus::Draft], now).await? {
            return Err(AppError::conflict(
                None,
                "考核已发布，单位评分不能再改",
                "the assessment is published: the units' points are fixed",
            ));
        }
        let by = (p.user_id.as_str(), name.as_str());
        let reason = if input.points.is_some() { reason } else { None };
        if !store::assessments::units::set_points(&tx, id, key, unit_id, input.points, reason.as_deref(), by, now)
            .await?
        {
            return Err(AppError::NotFound);
        }
        let after = super::points_in(&tx, &a, key).await?;
        let said = match input.points {
            Some(pts) => format!(
                "{}：{} 分{}",
                mine.unit_name,
                pts,
                reason.as_deref().map(|r| format!("，{r}")).unwrap_or_default()
            ),
            None => format!("{}：撤回评分", mine.unit_name),
        };
        let h = history(id, "unit_score", p, &name, now).on(key).points(before, after).because(Some(&said));
        store::assessments::add_history(&tx, &h).await?;
        let was = json!({"unit_id": unit_id, "criterion": key, "points": mine.points, "reason": mine.reason});
        let now_is = json!({"unit_id": unit_id, "criterion": key, "points": input.points, "reason": reason});
        audit(&tx, p, "update", "assessment_unit_score", id, Some(&was), Some(&now_is), now).await?;
        tx.commit().await?;
        let mut parts = self.scoring_parts(Some(unit_id), vec![(id.to_string(), vec![unit_id.to_string()])]).await?;
        parts.pop().ok_or(AppError::NotFound)
    }
}
