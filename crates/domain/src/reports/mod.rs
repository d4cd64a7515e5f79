//! Periodic O&M reports (周报/月报/季报/半年报/年报): a contract's report over a period, written
//! from the recorded facts by registered section types and completed by the vendor's narrative;
//! reviewed by the bureau, who accepts it (it is then issued as immutable files) or returns it,
//! noting non-conformities (不符合项) that the period's assessment proposes as deductions.

mod period;
pub mod templates;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Checker, FieldError};

pub use period::DueRule;

/// The keys a list of reports sorts by (default `period_start`, newest first by the page).
pub const SORT_KEYS: &[&str] = &["period_start", "due_on"];
/// A narrative section holds prose, not a book.
pub const NARRATIVE_MAX: usize = 20_000;
pub const FINDING_MAX: usize = 1_000;
/// A review notes a handful of non-conformities, never hundreds.
pub const MAX_FINDINGS: usize = 50;
pub const MAX_SECTIONS: usize = 30;
pub const NOTE_MAX: usize = 2_000;

text_enum!(
    /// How long a report's period is.
    ReportKind {
        Week = "week" / "周报" / "weekly report",
        Month = "month" / "月报" / "monthly report",
        Quarter = "quarter" / "季报" / "quarterly report",
        HalfYear = "half_year" / "半年报" / "half-year report",
        Year = "year" / "年报" / "annual report",
        /// Any range the bureau names (a 重保 period, a service period that is not a year).
        Custom = "custom" / "专项报告" / "report over a custom range",
    }
);

text_enum!(
    /// Where a report stands.
    ReportStatus {
        /// Generated from the facts; the vendor writes the narrative.
        Draft = "draft" / "草稿" / "draft",
        /// With the bureau for review.
        Submitted = "submitted" / "待审核" / "submitted",
        /// Sent back with a note and non-conformities; the vendor fixes and resubmits.
        Returned = "returned" / "已退回" / "returned",
        /// Accepted and issued as files that do not change (reissued as new versions).
        Issued = "issued" / "已签发" / "issued",
    }
);

text_enum!(
    /// What a report covers.
    ReportScope {
        Contract = "contract" / "整个合同" / "the whole contract",
        Item = "item" / "合同分项" / "one contract item",
        Unit = "unit" / "使用单位" / "one unit's systems",
    }
);

/// The narrative sections the vendor writes; every other section is written from the facts.
pub const NARRATIVE_KEYS: &[&str] = &["summary", "problems", "plan", "suggestions"];

/// Whether `key` is a narrative section.
pub fn is_narrative(key: &str) -> bool {
    NARRATIVE_KEYS.contains(&key)
}

/// A section type of the catalogue, as the API lists it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SectionInfo {
    pub key: String,
    pub name: crate::Msg,
    /// Written by the vendor rather than from the facts.
    pub narrative: bool,
}

/// A report as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Report {
    pub id: String,
    pub contract_id: String,
    pub contract_name: String,
    pub vendor_id: String,
    /// The definition it was generated from; none for one made by hand.
    pub definition_id: Option<String>,
    pub kind: ReportKind,
    pub scope: ReportScope,
    /// The item or the unit of the scope.
    pub scope_id: Option<String>,
    pub scope_name: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// The last day the vendor may submit it (on the bureau's working calendar).
    pub due_on: NaiveDate,
    pub status: ReportStatus,
    /// Not yet submitted and past its due date.
    pub overdue: bool,
    /// The sections in order (keys of the registry).
    pub sections: Vec<String>,
    /// The vendor's text per narrative section.
    pub narrative: BTreeMap<String, String>,
    /// The latest issued version (0 before it is issued).
    pub version: u32,
    pub created_at: DateTime<Utc>,
    /// The first submission: lateness is judged by it, not by a resubmission.
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub issued_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// A non-conformity (不符合项) the bureau noted in a review.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Finding {
    pub id: String,
    pub report_id: String,
    pub text: String,
    /// 严重不真实: the template's one-off deduction instead of the per-item one.
    pub serious: bool,
    pub created_by: String,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
}

/// One step of a report's history.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ReportEvent {
    /// `created`, `narrative`, `submitted`, `returned`, `issued`, `reissued`.
    pub action: String,
    pub note: Option<String>,
    pub actor: String,
    pub actor_name: String,
    pub at: DateTime<Utc>,
}

/// An issued version: the files as they were issued, with their digests.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ReportVersion {
    pub version: u32,
    pub docx_sha256: String,
    pub xlsx_sha256: String,
    pub docx_size: u64,
    pub xlsx_size: u64,
    /// Why it was reissued (none for the first).
    pub reason: Option<String>,
    pub issued_by: String,
    pub issued_by_name: String,
    pub issued_at: DateTime<Utc>,
}

/// A report with what its page shows beside it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ReportDetail {
    #[serde(flatten)]
    pub report: Report,
    pub findings: Vec<Finding>,
    pub history: Vec<ReportEvent>,
    pub versions: Vec<ReportVersion>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ReportInput {
    pub contract_id: Option<String>,
    pub kind: Option<String>,
    /// `YYYY-MM-DD`: the first day of the period.
    pub start: Option<String>,
    /// `YYYY-MM-DD`: the last day, for a custom range only.
    pub end: Option<String>,
    /// `contract` (default), `item` or `unit`.
    pub scope: Option<String>,
    /// The item or the unit the scope names.
    pub scope_id: Option<String>,
}

/// A report request as checked (the app checks the contract and the scope exist).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportFields {
    pub contract_id: String,
    pub kind: ReportKind,
    pub period: crate::indicators::Period,
    pub scope: ReportScope,
    pub scope_id: Option<String>,
}

impl ReportInput {
    pub fn validate(&self) -> Result<ReportFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let contract_id = c.required_text("contract_id", self.contract_id.as_deref().unwrap_or(""), 64);
        let kind = match self.kind.as_deref().map(str::trim) {
            None | Some("") => {
                c.push(FieldError::required("kind"));
                None
            }
            Some(k) => ReportKind::parse(k).or_else(|| {
                c.push(FieldError::new(
                    "kind",
                    format!("报告类型须为 {}", ReportKind::choices()),
                    format!("must be one of {}", ReportKind::choices()),
                ));
                None
            }),
        };
        let start = c.required_date("start", self.start.as_deref());
        let end = c.optional_date("end", self.end.as_deref());
        let scope = match self.scope.as_deref().map(str::trim) {
            None | Some("") => ReportScope::Contract,
            Some(s) => ReportScope::parse(s).unwrap_or_else(|| {
                c.push(FieldError::new(
                    "scope",
                    format!("报告范围须为 {}", ReportScope::choices()),
                    format!("must be one of {}", ReportScope::choices()),
                ));
                ReportScope::Contract
            }),
        };
        let scope_id = c.optional_text("scope_id", self.scope_id.as_deref(), 64);
        match (scope, &scope_id) {
            (ReportScope::Contract, Some(_)) => c.push(FieldError::new(
                "scope_id",
                "整个合同的报告不指定范围对象",
                "a whole-contract report names no item or unit",
            )),
            (ReportScope::Item | ReportScope::Unit, None) => c.push(FieldError::required("scope_id")),
            _ => {}
        }
        let period = match (kind, start) {
            (Some(k), Some(s)) => k.period(s, end).map_err(|e| c.push(e)).ok(),
            _ => None,
        };
        c.finish()?;
        match (kind, period) {
            (Some(kind), Some(period)) => Ok(ReportFields { contract_id, kind, period, scope, scope_id }),
            _ => Err(vec![FieldError::required("kind")]),
        }
    }
}

/// A review's non-conformity as sent.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct FindingInput {
    pub text: Option<String>,
    #[serde(default)]
    pub serious: bool,
}

/// The bureau's review: a note (required to return) and the non-conformities found.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ReviewInput {
    pub note: Option<String>,
    #[serde(default)]
    pub findings: Vec<FindingInput>,
}

/// A review as checked: the note, and each non-conformity as `(text, serious)`.
pub type Review = (Option<String>, Vec<(String, bool)>);

impl ReviewInput {
    /// The note and the findings; `note_required` when returning.
    pub fn validate(&self, note_required: bool) -> Result<Review, Vec<FieldError>> {
        let mut c = Checker::default();
        let note = if note_required {
            Some(c.required_text("note", self.note.as_deref().unwrap_or(""), NOTE_MAX))
        } else {
            c.optional_text("note", self.note.as_deref(), NOTE_MAX)
        };
        if self.findings.len() > MAX_FINDINGS {
            c.push(FieldError::new(
                "findings",
                format!("一次审核最多记录 {MAX_FINDINGS} 个不符合项"),
                format!("at most {MAX_FINDINGS} non-conformities a review"),
            ));
        }
        let findings = self
            .findings
            .iter()
            .take(MAX_FINDINGS)
            .enumerate()
            .map(|(i, f)| {
                let text =
                    c.required_text(&format!("findings[{i}].text"), f.text.as_deref().unwrap_or(""), FINDING_MAX);
                (text, f.serious)
            })
            .collect();
        c.finish()?;
        Ok((note, findings))
    }
}

/// The narrative as sent: text per narrative section; a section left out keeps its text.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NarrativeInput {
    pub sections: BTreeMap<String, String>,
}

impl NarrativeInput {
    /// The texts, trimmed, for the report's narrative sections only.
    pub fn validate(&self, report_sections: &[String]) -> Result<BTreeMap<String, String>, Vec<FieldError>> {
        let mut c = Checker::default();
        let mut out = BTreeMap::new();
        for (key, text) in &self.sections {
            let field = format!("sections.{key}");
            if !is_narrative(key) || !report_sections.contains(key) {
                c.push(FieldError::new(
                    field,
                    "报告中没有这个可编写的章节",
                    "the report has no such narrative section",
                ));
                continue;
            }
            if text.chars().count() > NARRATIVE_MAX {
                c.push(FieldError::too_long(field, NARRATIVE_MAX));
                continue;
            }
            // Line breaks and tabs are prose; other control characters are not.
            if text.chars().any(|ch| ch.is_control() && !matches!(ch, '\n' | '\r' | '\t')) {
                c.push(FieldError::control_chars(field));
                continue;
            }
            out.insert(key.clone(), text.trim().replace("\r\n", "\n"));
        }
        c.finish()?;
        Ok(out)
    }
}

/// What a list of reports is filtered by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportFilter {
    pub contract_id: Option<String>,
    pub status: Option<ReportStatus>,
    pub kind: Option<ReportKind>,
    /// Only those not submitted by their due date (`today`).
    pub overdue_on: Option<NaiveDate>,
}

/// Whether a report in `status` due on `due_on` is overdue on `today`: the vendor has not
/// submitted it (or has it back) and the due day has passed.
pub fn is_overdue(status: ReportStatus, due_on: NaiveDate, today: NaiveDate) -> bool {
    matches!(status, ReportStatus::Draft | ReportStatus::Returned) && today > due_on
}
