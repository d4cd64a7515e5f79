//! Facts that propose deductions, as one shape: a breached clock, a missed inspection, or a
//! non-conformity the bureau noted reviewing a periodic report. A non-conformity noted after the
//! period's draft was made is proposed in that draft at once (the unique key on the fact keeps
//! it to one proposal however often it is offered).

use chrono::{DateTime, Utc};
use domain::assessments::{Deduction, DeductionStatus, FactSource, Rule};
use domain::reports::{Finding, ReportKind};
use store::Tx;
use store::reports::ContractFinding;

use crate::Result;

/// One fact offered as a deduction.
pub(crate) struct Proposal {
    pub subject_type: &'static str,
    pub subject_id: String,
    pub part: String,
    pub title: String,
    /// Takes the criterion's one-off serious deduction (严重不真实) where it has one.
    pub serious: bool,
}

impl Proposal {
    /// The proposed deduction on criterion `key`, at `points` = (each, serious).
    pub(crate) fn deduction(
        self,
        assessment_id: &str,
        key: &str,
        source: FactSource,
        points: (f64, Option<f64>),
        now: DateTime<Utc>,
    ) -> Deduction {
        let points = if self.serious { points.1.unwrap_or(points.0) } else { points.0 };
        Deduction {
            id: store::new_id(),
            assessment_id: assessment_id.to_string(),
            criterion_key: key.to_string(),
            source: source.as_str().to_string(),
            subject_type: Some(self.subject_type.to_string()),
            subject_id: Some(self.subject_id),
            subject_part: Some(self.part),
            title: self.title,
            points,
            status: DeductionStatus::Proposed,
            note: None,
            decided_by: None,
            decided_at: None,
            created_at: now,
        }
    }
}

/// The report kinds whose non-conformities a source proposes; none for the other sources.
pub(crate) fn kinds_of(source: FactSource) -> Option<&'static [ReportKind]> {
    match source {
        FactSource::HalfYearReportFindings => Some(&[ReportKind::HalfYear]),
        FactSource::AnnualReportFindings => Some(&[ReportKind::Year]),
        FactSource::ReportFindings => Some(ReportKind::ALL),
        FactSource::BreachedClocks | FactSource::MissedInspections => None,
    }
}

fn finding_proposal(f: &Finding, kind: ReportKind, from: chrono::NaiveDate, to: chrono::NaiveDate) -> Proposal {
    let serious = if f.serious { "（严重）" } else { "" };
    Proposal {
        subject_type: "report_finding",
        subject_id: f.id.clone(),
        part: String::new(),
        title: format!("{} {from}—{to}：{}{serious}", kind.label().zh, f.text),
        serious: f.serious,
    }
}

pub(crate) fn proposal(f: &ContractFinding) -> Proposal {
    finding_proposal(&f.finding, f.kind, f.period_start, f.period_end)
}

/// Proposes `findings` of a report in every draft of the contract whose period holds the
/// report's, under each criterion whose source takes that kind of report.
pub(crate) async fn propose_in_drafts(
    tx: &Tx,
    contract_id: &str,
    kind: ReportKind,
    period: (chrono::NaiveDate, chrono::NaiveDate),
    findings: &[Finding],
    now: DateTime<Utc>,
) -> Result<u32> {
    if findings.is_empty() {
        return Ok(0);
    }
    let mut n = 0;
    for a in store::assessments::drafts_covering(tx, contract_id, period.0, period.1).await? {
        for (_, c) in a.spec.criteria() {
            let Rule::Deductions { points_each, serious_points, source: Some(source) } = &c.rule else { continue };
            if !kinds_of(*source).is_some_and(|kinds| kinds.contains(&kind)) {
                continue;
            }
            for f in findings {
                let d = finding_proposal(f, kind, period.0, period.1).deduction(
                    &a.id,
                    &c.key,
                    *source,
                    (*points_each, *serious_points),
                    now,
                );
                store::assessments::insert_deduction(tx, &d).await?;
                n += 1;
            }
        }
    }
    Ok(n)
}
