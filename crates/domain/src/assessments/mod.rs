//! Assessments (考核): a template (考核表) of sections and criteria with points, each criterion
//! scored by a rule — by hand, by deductions per occurrence, or banded from an indicator of the
//! catalogue — and the grades and payment that follow from the total. The arithmetic is here,
//! in hundredths of a point and in fen, so the boundaries (90, 89.5, 60 …) are exact.

mod builtin;
mod scoring;
#[cfg(test)]
mod tests;
mod units;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Checker, FieldError};

pub use builtin::{BUILTIN_KEYS, builtins};
pub use scoring::{CriterionFacts, Payment, Scored, band_points, centi, criterion_points, score};
pub use units::{ScoredBy, UnitCriterion, UnitScore, UnitScoreInput, UnitScoring, combine_units};

/// A template's key: a short code people can read (`002-performance`).
pub const KEY_MAX: usize = 40;
pub const MAX_SECTIONS: usize = 20;
pub const MAX_CRITERIA: usize = 60;
pub const MAX_BANDS: usize = 10;
pub const MAX_GRADES: usize = 10;
/// The keys a list of assessments sorts by (default `to`).
pub const SORT_KEYS: &[&str] = &["to", "from"];
/// A list of deductions is in the order they were found.
pub const DEDUCTION_SORT_KEYS: &[&str] = &["created_at"];
/// Appeals are a matter of days, not months.
pub const MAX_APPEAL_DAYS: u32 = 30;
/// Proposals kept per criterion: a criterion of at most 100 points needs no more confirmed
/// occurrences than that; the rest are counted in the evidence.
pub const MAX_PROPOSALS: u64 = 500;

text_enum!(
    /// Where an assessment stands.
    AssessmentStatus {
        Draft = "draft" / "草稿" / "draft",
        Published = "published" / "已发布" / "published",
        Appealed = "appealed" / "申诉中" / "appealed",
        Final = "final" / "已定稿" / "final",
    }
);

text_enum!(
    /// Facts that propose deductions by themselves.
    FactSource {
        /// Each SLA clock breached on a ticket whose cause counts against the vendor.
        BreachedClocks = "breached_clocks" / "超时的 SLA 时限" / "breached SLA clocks",
        /// Each inspection task not done by its due time.
        MissedInspections = "missed_inspections" / "未按时完成的巡检" / "missed inspections",
        /// Each non-conformity the bureau noted reviewing a periodic report of the period.
        ReportFindings = "report_findings" / "定期报告的不符合项" / "non-conformities in periodic reports",
        /// … of a half-year report only.
        HalfYearReportFindings = "half_year_report_findings" / "半年度报告的不符合项" / "non-conformities in half-year reports",
        /// … of an annual report only.
        AnnualReportFindings = "annual_report_findings" / "年度报告的不符合项" / "non-conformities in annual reports",
    }
);

text_enum!(
    /// Where a deduction stands.
    DeductionStatus {
        Proposed = "proposed" / "待确认" / "proposed",
        Confirmed = "confirmed" / "已确认" / "confirmed",
        Dismissed = "dismissed" / "已驳回" / "dismissed",
    }
);

/// How a criterion gets its points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rule {
    /// The assessor gives the points, with a reason.
    Manual,
    /// Full points less each confirmed occurrence (`points_each`, or `serious_points` once for a
    /// serious one), never below zero (本条目扣完为止). With a `source`, facts propose the
    /// occurrences; the assessor confirms or dismisses each, and may add more by hand.
    Deductions {
        points_each: f64,
        #[serde(default)]
        serious_points: Option<f64>,
        #[serde(default)]
        source: Option<FactSource>,
    },
    /// Points by the band an indicator's value falls in (the bands in order, each up to and
    /// including `upto`; the last has none). Minute indicators use the 90th percentile, so the
    /// band is the one nine in ten of the period's tickets were within.
    Banded { indicator: String, bands: Vec<Band> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Band {
    /// The largest value in the band (inclusive); none for the last band.
    #[serde(default)]
    pub upto: Option<f64>,
    pub points: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Criterion {
    /// Stable within the template (`response_speed`): points, appeals and exports refer to it.
    pub key: String,
    /// 二级指标
    pub name: String,
    /// 指标要求
    #[serde(default)]
    pub requirement: String,
    /// 考核标准, as the template states it.
    #[serde(default)]
    pub standard: String,
    pub max_points: f64,
    pub rule: Rule,
    /// Scored by the bureau, or by each unit for its own systems (manual criteria only).
    #[serde(default, skip_serializing_if = "ScoredBy::is_bureau")]
    pub scored_by: ScoredBy,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Section {
    /// 一级 (服务质量, 人员驻场情况 …)
    pub name: String,
    /// 权重 as printed (40 for 40 %); informative: the points decide.
    #[serde(default)]
    pub weight_percent: Option<f64>,
    pub criteria: Vec<Criterion>,
}

/// What a grade costs the vendor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Pay {
    /// The fee in full.
    Full,
    /// A fixed share of the base (002: 良好 5 ‰, 及格 10 ‰).
    Permille { permille: f64 },
    /// Each point below the full score costs `permille` of the base (004: 2 ‰).
    PerPointLost { permille: f64 },
    /// The amount is negotiated (002: 未达标 or a veto): flagged, no amount computed.
    Negotiate,
    /// A breach of contract (004: below 60): flagged, the bureau may terminate.
    Breach,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Grade {
    /// The lowest score of the grade (inclusive).
    pub min: f64,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    pub pay: Pay,
}

/// A 考核表: what is scored and what the score costs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TemplateSpec {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub sections: Vec<Section>,
    /// From the highest to the lowest; the lowest starts at 0.
    pub grades: Vec<Grade>,
    /// Conditions that fail the assessment whatever the points (一票否决), in words; empty when
    /// the template has none. A veto takes the lowest grade.
    #[serde(default)]
    pub veto: Vec<String>,
    /// Working days (on the bureau's calendar) the vendor has to appeal once published.
    pub appeal_days: u32,
}

/// A template as stored.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AssessmentTemplate {
    pub id: String,
    pub key: String,
    /// Shipped with Yunwei: read-only, copied to change.
    pub builtin: bool,
    #[serde(flatten)]
    pub spec: TemplateSpec,
    /// Every criterion in order, for readers that want the flat list.
    pub criteria: Vec<CriterionSummary>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CriterionSummary {
    pub key: String,
    pub name: String,
    pub section: String,
    pub max_points: f64,
}

impl TemplateSpec {
    /// The criteria in order with their section's name.
    pub fn criteria(&self) -> impl Iterator<Item = (&Section, &Criterion)> {
        self.sections.iter().flat_map(|s| s.criteria.iter().map(move |c| (s, c)))
    }

    pub fn criterion(&self, key: &str) -> Option<&Criterion> {
        self.criteria().map(|(_, c)| c).find(|c| c.key == key)
    }

    pub fn summaries(&self) -> Vec<CriterionSummary> {
        self.criteria()
            .map(|(s, c)| CriterionSummary {
                key: c.key.clone(),
                name: c.name.clone(),
                section: s.name.clone(),
                max_points: c.max_points,
            })
            .collect()
    }

    /// Checks a template as the bureau wrote it; `indicators` are the catalogue's keys.
    pub fn validate(&self, indicators: &[String]) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::default();
        c.required_text("name", &self.name, 200);
        c.optional_text("description", self.description.as_deref(), 2000);
        if self.appeal_days > MAX_APPEAL_DAYS {
            c.push(FieldError::new(
                "appeal_days",
                format!("申诉期不能超过 {MAX_APPEAL_DAYS} 个工作日"),
                format!("at most {MAX_APPEAL_DAYS} working days"),
            ));
        }
        if self.sections.is_empty() || self.sections.len() > MAX_SECTIONS {
            c.push(FieldError::new(
                "sections",
                format!("须有 1 至 {MAX_SECTIONS} 个一级指标"),
                format!("1 to {MAX_SECTIONS} sections"),
            ));
        }
        let mut keys = std::collections::HashSet::new();
        let mut total = 0i64;
        let mut count = 0usize;
        for (i, s) in self.sections.iter().enumerate().take(MAX_SECTIONS) {
            let f = format!("sections[{i}]");
            c.required_text(&format!("{f}.name"), &s.name, 200);
            if let Some(w) = s.weight_percent
                && !(0.0..=100.0).contains(&w)
            {
                c.push(FieldError::new(format!("{f}.weight_percent"), "权重须在 0 至 100 之间", "0 to 100"));
            }
            if s.criteria.is_empty() {
                c.push(FieldError::new(format!("{f}.criteria"), "每个一级指标至少有一项", "at least one criterion"));
            }
            for (j, cr) in s.criteria.iter().enumerate() {
                count += 1;
                let f = format!("{f}.criteria[{j}]");
                if !valid_key(&cr.key) {
                    c.push(FieldError::new(
                        format!("{f}.key"),
                        "编码须为 1 至 40 个小写字母、数字、- 或 _",
                        "1 to 40 lowercase letters, digits, - or _",
                    ));
                } else if !keys.insert(cr.key.as_str()) {
                    c.push(FieldError::new(format!("{f}.key"), "编码重复", "duplicate key"));
                }
                c.required_text(&format!("{f}.name"), &cr.name, 200);
                if cr.requirement.chars().count() > 2000 {
                    c.push(FieldError::too_long(format!("{f}.requirement"), 2000));
                }
                if cr.standard.chars().count() > 4000 {
                    c.push(FieldError::too_long(format!("{f}.standard"), 4000));
                }
                if !points_ok(cr.max_points, 100.0) || cr.max_points <= 0.0 {
                    c.push(FieldError::new(
                        format!("{f}.max_points"),
                        "分值须大于 0、不超过 100，最多两位小数",
                        "more than 0, at most 100, at most two decimals",
                    ));
                    continue;
                }
                total += centi(cr.max_points);
                validate_rule(&mut c, &f, cr, indicators);
                if cr.scored_by == ScoredBy::Units && cr.rule != Rule::Manual {
                    c.push(FieldError::new(
                        format!("{f}.scored_by"),
                        "只有人工评分的指标可以由使用单位评分",
                        "only a manual criterion can be scored by the units",
                    ));
                }
            }
        }
        if count > MAX_CRITERIA {
            c.push(FieldError::new(
                "sections",
                format!("二级指标不能超过 {MAX_CRITERIA} 项"),
                format!("at most {MAX_CRITERIA} criteria"),
            ));
        }
        if c.errors.is_empty() && total != 10_000 {
            c.push(FieldError::new(
                "sections",
                format!("各项分值合计须为 100（现为 {}）", total as f64 / 100.0),
                format!("the points must sum to 100 (now {})", total as f64 / 100.0),
            ));
        }
        validate_grades(&mut c, &self.grades);
        for (i, v) in self.veto.iter().enumerate() {
            c.required_text(&format!("veto[{i}]"), v, 500);
        }
        c.finish()
    }
}

fn valid_key(k: &str) -> bool {
    (1..=KEY_MAX).contains(&k.len())
        && k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// A template key as the bureau names a copy.
pub fn check_key(k: &str) -> Result<(), FieldError> {
    if valid_key(k) {
        Ok(())
    } else {
        Err(FieldError::new(
            "key",
            "编码须为 1 至 40 个小写字母、数字、- 或 _",
            "1 to 40 lowercase letters, digits, - or _",
        ))
    }
}

/// Within 0..=max, finite, at most two decimals.
pub fn points_ok(p: f64, max: f64) -> bool {
    p.is_finite() && (0.0..=max).contains(&p) && ((p * 100.0).round() - p * 100.0).abs() < 1e-6
}

fn validate_rule(c: &mut Checker, f: &str, cr: &Criterion, indicators: &[String]) {
    let max = cr.max_points;
    match &cr.rule {
        Rule::Manual => {}
        Rule::Deductions { points_each, serious_points, .. } => {
            if !points_ok(*points_each, max) || *points_each <= 0.0 {
                c.push(FieldError::new(
                    format!("{f}.rule.points_each"),
                    "每次扣分须大于 0 且不超过该项分值",
                    "more than 0 and at most the criterion's points",
                ));
            }
            if let Some(s) = serious_points
                && (!points_ok(*s, max) || *s <= 0.0)
            {
                c.push(FieldError::new(
                    format!("{f}.rule.serious_points"),
                    "严重情形扣分须大于 0 且不超过该项分值",
                    "more than 0 and at most the criterion's points",
                ));
            }
        }
        Rule::Banded { indicator, bands } => {
            if !indicators.iter().any(|k| k == indicator) {
                c.push(FieldError::new(format!("{f}.rule.indicator"), "指标目录中没有该指标", "no such indicator"));
            }
            if bands.is_empty() || bands.len() > MAX_BANDS {
                c.push(FieldError::new(
                    format!("{f}.rule.bands"),
                    format!("须有 1 至 {MAX_BANDS} 档"),
                    format!("1 to {MAX_BANDS} bands"),
                ));
                return;
            }
            let mut last: Option<f64> = None;
            for (k, b) in bands.iter().enumerate() {
                let bf = format!("{f}.rule.bands[{k}]");
                if !points_ok(b.points, max) {
                    c.push(FieldError::new(
                        format!("{bf}.points"),
                        "得分须在 0 至该项分值之间",
                        "0 to the criterion's points",
                    ));
                }
                let is_last = k + 1 == bands.len();
                match (b.upto, is_last) {
                    (None, true) => {}
                    (None, false) => c.push(FieldError::new(
                        format!("{bf}.upto"),
                        "只有最后一档可以不设上限",
                        "only the last band has no upper bound",
                    )),
                    (Some(_), true) => c.push(FieldError::new(
                        format!("{bf}.upto"),
                        "最后一档不设上限（其余情形）",
                        "the last band has no upper bound (everything else)",
                    )),
                    (Some(u), false) => {
                        if !u.is_finite() || last.is_some_and(|l| u <= l) {
                            c.push(FieldError::new(format!("{bf}.upto"), "各档上限须递增", "bounds must increase"));
                        }
                        last = Some(u);
                    }
                }
            }
        }
    }
}

fn validate_grades(c: &mut Checker, grades: &[Grade]) {
    if grades.is_empty() || grades.len() > MAX_GRADES {
        c.push(FieldError::new(
            "grades",
            format!("须有 1 至 {MAX_GRADES} 个等级"),
            format!("1 to {MAX_GRADES} grades"),
        ));
        return;
    }
    let mut above: Option<f64> = None;
    for (i, g) in grades.iter().enumerate() {
        let f = format!("grades[{i}]");
        c.required_text(&format!("{f}.name"), &g.name, 50);
        if g.name_en.chars().count() > 50 {
            c.push(FieldError::too_long(format!("{f}.name_en"), 50));
        }
        if !points_ok(g.min, 100.0) || above.is_some_and(|a| g.min >= a) {
            c.push(FieldError::new(
                format!("{f}.min"),
                "等级下限须在 0 至 100 之间、从高到低排列",
                "0 to 100, from the highest grade to the lowest",
            ));
        }
        above = Some(g.min);
        let permille = match g.pay {
            Pay::Permille { permille } | Pay::PerPointLost { permille } => Some(permille),
            _ => None,
        };
        if let Some(p) = permille
            && !(p.is_finite() && (0.0..=1000.0).contains(&p))
        {
            c.push(FieldError::new(format!("{f}.pay.permille"), "千分比须在 0 至 1000 之间", "0 to 1000 per mille"));
        }
    }
    if grades.last().is_some_and(|g| g.min != 0.0) {
        c.push(FieldError::new("grades", "最低等级的下限须为 0", "the lowest grade must start at 0"));
    }
}

/// A template as a copy is asked for.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CopyInput {
    pub key: Option<String>,
    pub name: Option<String>,
}

/// What a new assessment names.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AssessmentInput {
    pub contract_id: Option<String>,
    pub template_id: Option<String>,
    /// `YYYY-MM-DD`, inclusive, bureau time.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, inclusive, bureau time.
    pub to: Option<String>,
}

/// Points set by hand, with the reason.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PointsInput {
    /// Empty to return to what the rule computes.
    pub points: Option<f64>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct VetoInput {
    pub vetoed: Option<bool>,
    pub reason: Option<String>,
}

/// An occurrence the assessor adds to a deduction criterion.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DeductionInput {
    pub criterion_key: Option<String>,
    /// One occurrence at the criterion's points each, or its serious-case points.
    #[serde(default)]
    pub serious: bool,
    pub reason: Option<String>,
}

/// Confirming or dismissing a proposed deduction.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RulingInput {
    pub confirmed: Option<bool>,
    pub note: Option<String>,
}

/// The vendor manager's appeal against one criterion.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AppealInput {
    /// The points the vendor asks for.
    pub points: Option<f64>,
    pub reason: Option<String>,
}

/// One criterion of an assessment as read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CriterionResult {
    /// The row's id (appeals refer to it).
    pub id: String,
    pub key: String,
    pub section: String,
    pub name: String,
    /// 指标要求 and 考核标准, as the frozen template states them.
    pub requirement: String,
    pub standard: String,
    pub max_points: f64,
    /// How the points are found.
    pub rule: Rule,
    /// The points that count; absent while a manual criterion (or an indicator with nothing
    /// measured) waits for the assessor.
    pub points: Option<f64>,
    /// What the rule computed, before any hand.
    pub auto_points: Option<f64>,
    /// Points set by hand (overriding the rule), with `reason`.
    pub by_hand: bool,
    pub reason: Option<String>,
    /// What the rule saw: the indicator and its distribution, the deductions' counts.
    #[schema(value_type = Value)]
    pub evidence: serde_json::Value,
    pub proposed: u64,
    pub confirmed: u64,
    pub dismissed: u64,
    /// A pending appeal's request id.
    pub appeal_id: Option<String>,
    /// Who gives the points: the bureau, or the units (each row below; a unit's user reads
    /// only its own).
    pub scored_by: ScoredBy,
    pub units: Vec<UnitScore>,
}

/// An assessment as read by everyone concerned.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Assessment {
    pub id: String,
    pub contract_id: String,
    pub contract_name: String,
    pub vendor_id: String,
    pub template_id: String,
    pub template_key: String,
    pub template_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub status: AssessmentStatus,
    pub criteria: Vec<CriterionResult>,
    pub score: f64,
    /// Every criterion has points.
    pub complete: bool,
    pub grade: String,
    pub grade_en: String,
    pub vetoed: bool,
    pub veto_reason: Option<String>,
    /// The template's veto conditions (none: no veto possible).
    pub veto_conditions: Vec<String>,
    pub payment: Payment,
    pub published_at: Option<DateTime<Utc>>,
    /// The end of the appeal window (the bureau's working days after publication).
    pub appeal_until: Option<DateTime<Utc>>,
    /// When the vendor's manager declared it has no (further) appeal.
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub finalized_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// The template as it was when the assessment was drafted (later edits do not move it).
    #[serde(skip)]
    pub spec: TemplateSpec,
}

/// A deduction occurrence: proposed by facts or added by the assessor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Deduction {
    pub id: String,
    pub assessment_id: String,
    pub criterion_key: String,
    /// `breached_clocks`, `missed_inspections`, or `manual`.
    pub source: String,
    /// `ticket`, `inspection_task`, or none for a manual one.
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    /// Which part of the subject (a ticket's clock metric); empty for a whole subject.
    pub subject_part: Option<String>,
    pub title: String,
    pub points: f64,
    pub status: DeductionStatus,
    pub note: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// One change to an assessment's points or standing, kept for ever.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HistoryEntry {
    pub id: String,
    pub assessment_id: String,
    pub criterion_key: Option<String>,
    /// `draft`, `set`, `deduction`, `veto`, `publish`, `appeal`, `appeal_accepted`,
    /// `appeal_rejected`, `acknowledge`, `final`.
    pub action: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub reason: Option<String>,
    pub actor_id: String,
    pub actor_name: String,
    pub at: DateTime<Utc>,
}

/// What a list of assessments can be narrowed by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssessmentFilter {
    pub contract_id: Option<String>,
    pub status: Option<AssessmentStatus>,
}

/// The message for a criterion key the template does not have.
pub fn no_criterion() -> FieldError {
    FieldError::new("criterion_key", "考核表中没有该指标", "no such criterion in the template")
}

/// `YYYY-MM-DD` for a named field.
pub fn parse_date(field: &str, v: Option<&str>) -> Result<NaiveDate, FieldError> {
    let v = v.map(str::trim).filter(|s| !s.is_empty()).ok_or_else(|| FieldError::required(field))?;
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, "日期格式应为 YYYY-MM-DD", "expected YYYY-MM-DD"))
}

impl HistoryEntry {
    /// About one criterion.
    pub fn on(mut self, key: &str) -> HistoryEntry {
        self.criterion_key = Some(key.to_string());
        self
    }

    /// The criterion's points before and after.
    pub fn points(mut self, before: Option<f64>, after: Option<f64>) -> HistoryEntry {
        self.before = before;
        self.after = after;
        self
    }

    pub fn because(mut self, reason: Option<&str>) -> HistoryEntry {
        self.reason = reason.map(str::to_string);
        self
    }
}
