//! Drafting an assessment: the template frozen into it, banded criteria from the catalogue's
//! indicators (with the distribution behind them), deductions proposed from facts.

use domain::assessments::{
    Assessment, AssessmentInput, AssessmentStatus, FactSource, MAX_PROPOSALS, Rule, ScoredBy, band_points, parse_date,
};
use domain::indicators::{Kpi, KpiScope, Period};
use domain::tickets::indicators::metric_zh;
use domain::{FieldError, Principal, Scope};
use serde_json::json;
use store::assessments::{AssessmentRow, CriterionRow};

use super::findings::Proposal;
use crate::indicators::contract_scope;
use crate::{App, AppError, Result, audit};

/// The clock metric a minutes indicator measures (`response_minutes_p90` → `response`).
fn timed_metric(indicator: &str) -> Option<&str> {
    indicator.strip_suffix("_minutes_p90").or_else(|| indicator.strip_suffix("_minutes_mean"))
}

impl App {
    /// Drafts the assessment of a contract over a period with a template. One per contract,
    /// template and period: a second is a conflict naming the first.
    pub async fn create_assessment(&self, p: &Principal, input: AssessmentInput) -> Result<Assessment> {
        super::require_assessor(p)?;
        let mut errors = Vec::new();
        let from = parse_date("from", input.from.as_deref()).map_err(|e| errors.push(e)).ok();
        let to = parse_date("to", input.to.as_deref()).map_err(|e| errors.push(e)).ok();
        let period = match (from, to) {
            (Some(f), Some(t)) => Period::new(f, t).map_err(|e| errors.push(e)).ok(),
            _ => None,
        };
        let contract = match input.contract_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                errors.push(FieldError::required("contract_id"));
                None
            }
            Some(id) => {
                let c = store::contracts::get(&self.store, &Scope::All, id).await?;
                if c.is_none() {
                    errors.push(FieldError::new("contract_id", "合同不存在", "no such contract"));
                }
                c
            }
        };
        let template = match input.template_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                errors.push(FieldError::required("template_id"));
                None
            }
            Some(id) => {
                let t = store::assessments::templates::get(&self.store, id).await?;
                if t.is_none() {
                    errors.push(FieldError::new("template_id", "考核表不存在", "no such template"));
                }
                t
            }
        };
        let (Some(period), Some(contract), Some(template), true) = (period, contract, template, errors.is_empty())
        else {
            return Err(AppError::Validation(errors));
        };
        let now = self.business_now();
        let scope = contract_scope(&contract, period);
        let spec = template.spec.clone();
        let banded = spec.criteria().any(|(_, c)| matches!(c.rule, Rule::Banded { .. }));
        let kpis = if banded { self.kpis_of(&scope).await? } else { Vec::new() };
        let id = store::new_id();
        let mut criteria = Vec::new();
        let mut deductions = Vec::new();
        for (position, (_, c)) in spec.criteria().enumerate() {
            let (auto_points, evidence) = match &c.rule {
                Rule::Manual => (None, json!({})),
                Rule::Banded { indicator, bands } => self.banded(&scope, &kpis, indicator, bands).await?,
                Rule::Deductions { points_each, serious_points, source } => match source {
                    None => (None, json!({})),
                    Some(s) => {
                        let (total, found) = self.proposals(&scope, *s, now).await?;
                        let evidence = json!({"source": s.as_str(), "total": total, "proposed": found.len()});
                        let points = (*points_each, *serious_points);
                        deductions.extend(found.into_iter().map(|f| f.deduction(&id, &c.key, *s, points, now)));
                        (None, evidence)
                    }
                },
            };
            criteria.push(CriterionRow {
                id: store::new_id(),
                key: c.key.clone(),
                position: position as i32,
                auto_points,
                hand_points: None,
                reason: None,
                evidence,
            });
        }
        let row = AssessmentRow {
            id: id.clone(),
            contract_id: contract.id.clone(),
            vendor_id: contract.vendor_id.clone(),
            template_id: template.id.clone(),
            template_key: template.key.clone(),
            template_name: spec.name.clone(),
            spec,
            from: period.from,
            to: period.to,
            status: AssessmentStatus::Draft,
            vetoed: false,
            veto_reason: None,
            published_at: None,
            appeal_until: None,
            acknowledged_at: None,
            finalized_at: None,
            final_result: None,
            created_by: p.user_id.clone(),
            created_at: now,
        };
        let by_units: Vec<&str> =
            row.spec.criteria().filter(|(_, c)| c.scored_by == ScoredBy::Units).map(|(_, c)| c.key.as_str()).collect();
        let units = if by_units.is_empty() {
            Vec::new()
        } else {
            store::assessments::units::units_of_systems(&self.store, &scope.system_ids).await?
        };
        let unit_rows: Vec<(String, String, u32)> =
            by_units.iter().flat_map(|k| units.iter().map(move |(u, n)| (k.to_string(), u.clone(), *n))).collect();
        let name = self.person_name(p).await?;
        let tx = self.store.begin().await?;
        store::assessments::insert(&tx, &row, &criteria, &deductions).await.map_err(AppError::unique(
            "from",
            "该合同在此期间已有使用同一考核表的考核",
            "the contract already has an assessment with this template for this period",
        ))?;
        store::assessments::units::insert(&tx, &id, &unit_rows).await?;
        store::assessments::add_history(&tx, &super::history(&id, "draft", p, &name, now)).await?;
        let summary = json!({"contract_id": row.contract_id, "template_id": row.template_id, "from": row.from, "to": row.to, "proposals": deductions.len()});
        audit::<(), _>(&tx, p, "create", "assessment", &id, None, Some(&summary), now).await?;
        tx.commit().await?;
        let row = store::assessments::get(&self.store, &Scope::All, &id).await?.ok_or(AppError::NotFound)?;
        self.assessment_view(row).await
    }

    /// A banded criterion's points and evidence: the indicator's value, and for a time the
    /// number of tickets in each band.
    async fn banded(
        &self,
        scope: &KpiScope,
        kpis: &[Kpi],
        indicator: &str,
        bands: &[domain::assessments::Band],
    ) -> Result<(Option<f64>, serde_json::Value)> {
        let kpi = kpis.iter().find(|k| k.key == indicator);
        let value = kpi.and_then(|k| k.value);
        let def = self.indicator_catalogue().into_iter().find(|d| d.key == indicator);
        let mut evidence = json!({
            "indicator": indicator,
            "name": def.as_ref().map(|d| d.name.clone()),
            "definition": def.as_ref().map(|d| d.definition.clone()),
            "value": value,
            "numerator": kpi.and_then(|k| k.numerator),
            "denominator": kpi.and_then(|k| k.denominator),
        });
        if let Some(metric) = timed_metric(indicator) {
            let edges: Vec<i64> =
                bands.iter().filter_map(|b| b.upto).map(|m| (m * 60_000_000.0).round() as i64).collect();
            let counts = store::assessments::facts::stopped_distribution(&self.store, scope, metric, &edges).await?;
            let parts: Vec<_> = bands
                .iter()
                .zip(counts)
                .map(|(b, n)| json!({"upto": b.upto, "points": b.points, "count": n}))
                .collect();
            evidence["distribution"] = json!(parts);
        }
        Ok((value.and_then(|v| band_points(bands, v)), evidence))
    }

    /// The facts that propose deductions, at most `MAX_PROPOSALS`, and how many there are.
    async fn proposals(
        &self,
        scope: &KpiScope,
        source: FactSource,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(u64, Vec<Proposal>)> {
        let proposal =
            |subject_type, subject_id, part, title| Proposal { subject_type, subject_id, part, title, serious: false };
        Ok(match source {
            FactSource::BreachedClocks => {
                let (total, clocks) =
                    store::assessments::facts::breached_clocks(&self.store, scope, now, MAX_PROPOSALS).await?;
                let found = clocks
                    .into_iter()
                    .map(|c| {
                        let title = format!("{} {}：{}超时", c.number, c.title, metric_zh(&c.metric));
                        proposal("ticket", c.ticket_id, c.metric, title)
                    })
                    .collect();
                (total, found)
            }
            FactSource::MissedInspections => {
                let (total, tasks) =
                    store::assessments::facts::missed_tasks(&self.store, scope, now, MAX_PROPOSALS).await?;
                let found = tasks
                    .into_iter()
                    .map(|t| {
                        let what = if t.done { "逾期完成" } else { "未完成" };
                        let title = format!("{} {} 巡检{what}", t.system_name, t.scheduled_for);
                        proposal("inspection_task", t.task_id, String::new(), title)
                    })
                    .collect();
                (total, found)
            }
            FactSource::ReportFindings | FactSource::HalfYearReportFindings | FactSource::AnnualReportFindings => {
                let (from, to) = (scope.period.from, scope.period.to);
                let kinds = super::findings::kinds_of(source).unwrap_or_default();
                let found = store::reports::contract_findings(&self.store, &scope.contract_id, kinds, from, to).await?;
                let total = found.len() as u64;
                (total, found.iter().take(MAX_PROPOSALS as usize).map(super::findings::proposal).collect())
            }
        })
    }
}
