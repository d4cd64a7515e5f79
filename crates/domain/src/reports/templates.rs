//! Report definitions (which reports a contract owes, over what, by when, with which sections)
//! and the templates the seeds give for them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{DueRule, MAX_SECTIONS, ReportKind, ReportScope};
use crate::Msg;
use crate::error::{Checker, FieldError};

pub const NAME_MAX: usize = 100;

/// What a contract owes: one kind of report over one scope, period after period from `anchor`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DefinitionSpec {
    pub name: String,
    pub kind: ReportKind,
    /// The first day of the first period; the next periods follow it.
    pub anchor: NaiveDate,
    pub scope: ReportScope,
    #[serde(default)]
    pub scope_id: Option<String>,
    pub due: DueRule,
    /// Section keys in order (see the section catalogue).
    pub sections: Vec<String>,
    /// Drafts are generated when each period ends.
    pub auto: bool,
}

/// A definition as stored.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ReportDefinition {
    pub id: String,
    pub contract_id: String,
    #[serde(flatten)]
    pub spec: DefinitionSpec,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DefinitionInput {
    pub name: Option<String>,
    pub kind: Option<String>,
    /// `YYYY-MM-DD`; default: the contract's start.
    pub anchor: Option<String>,
    pub scope: Option<String>,
    pub scope_id: Option<String>,
    /// Default: the kind's (see `ReportKind::default_due`).
    pub due: Option<DueRule>,
    /// Default: every section of the catalogue.
    pub sections: Option<Vec<String>>,
    #[serde(default)]
    pub auto: Option<bool>,
    /// Start from a template (`002-monthly` …); the fields given override it.
    pub template: Option<String>,
}

impl DefinitionInput {
    /// The spec, with defaults from the template, the kind and `contract_start`; `known` says
    /// whether a section key is in the catalogue, `all_sections` is the catalogue in order.
    pub fn validate(
        &self,
        contract_start: NaiveDate,
        known: impl Fn(&str) -> bool,
        all_sections: &[String],
    ) -> Result<DefinitionSpec, Vec<FieldError>> {
        let mut c = Checker::default();
        let template = match self.template.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(key) => {
                let t = template(key);
                if t.is_none() {
                    c.push(FieldError::new("template", "没有这个报告模板", "no such report template"));
                }
                t
            }
        };
        let kind = match self.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
            Some(k) => ReportKind::parse(k).or_else(|| {
                c.push(FieldError::new(
                    "kind",
                    format!("报告类型须为 {}", ReportKind::choices()),
                    format!("must be one of {}", ReportKind::choices()),
                ));
                None
            }),
            None => template.as_ref().map(|t| t.kind).or_else(|| {
                c.push(FieldError::required("kind"));
                None
            }),
        };
        if kind == Some(ReportKind::Custom) {
            c.push(FieldError::new(
                "kind",
                "专项报告按需生成，不能定期生成",
                "a custom report is made on demand, not period after period",
            ));
        }
        let name = match (&self.name, &template) {
            (Some(n), _) => c.required_text("name", n, NAME_MAX),
            (None, Some(t)) => t.name.zh.clone(),
            (None, None) => kind.map(|k| k.label().zh).unwrap_or_default(),
        };
        let anchor = c.optional_date("anchor", self.anchor.as_deref()).unwrap_or(contract_start);
        let scope = match self.scope.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => ReportScope::Contract,
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
        if (scope == ReportScope::Contract) == scope_id.is_some() {
            c.push(FieldError::new(
                "scope_id",
                "合同分项或使用单位的报告须指定对象，整个合同的不指定",
                "name the item or unit for those scopes only",
            ));
        }
        let due = self.due.or(template.as_ref().map(|t| t.due)).or(kind.map(ReportKind::default_due));
        if let Some(d) = due
            && let Err(e) = d.check("due")
        {
            c.push(e);
        }
        let sections = self
            .sections
            .clone()
            .or_else(|| template.as_ref().map(|t| t.sections.iter().map(|s| s.to_string()).collect()))
            .unwrap_or_else(|| all_sections.to_vec());
        check_sections(&mut c, &sections, known);
        let auto = self.auto.unwrap_or(true);
        c.finish()?;
        match (kind, due) {
            (Some(kind), Some(due)) => Ok(DefinitionSpec { name, kind, anchor, scope, scope_id, due, sections, auto }),
            _ => Err(vec![FieldError::required("kind")]),
        }
    }
}

/// Sections: at least one, each known, none twice.
pub fn check_sections(c: &mut Checker, sections: &[String], known: impl Fn(&str) -> bool) {
    if sections.is_empty() {
        c.push(FieldError::new("sections", "报告至少包含一个章节", "a report holds at least one section"));
    }
    if sections.len() > MAX_SECTIONS {
        c.push(FieldError::new(
            "sections",
            format!("最多 {MAX_SECTIONS} 个章节"),
            format!("at most {MAX_SECTIONS} sections"),
        ));
    }
    for (i, s) in sections.iter().enumerate() {
        if !known(s) {
            c.push(FieldError::new(format!("sections[{i}]"), "没有这个章节类型", "no such section type"));
        } else if sections[..i].contains(s) {
            c.push(FieldError::new(format!("sections[{i}]"), "章节重复", "the section is listed twice"));
        }
    }
}

/// A report definition as the seeds ask for it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ReportTemplate {
    pub key: &'static str,
    pub name: Msg,
    /// Where the seed asks for it.
    pub source: &'static str,
    pub kind: ReportKind,
    pub due: DueRule,
    pub sections: Vec<&'static str>,
}

const ALL: &[&str] = &[
    "overview",
    "indicators",
    "tickets",
    "availability",
    "inspections",
    "vulnerabilities",
    "security_events",
    "backups",
    "problem_list",
    "summary",
    "problems",
    "plan",
    "suggestions",
];

/// The seeds' periodic reports.
pub fn templates() -> Vec<ReportTemplate> {
    let t = |key, zh: &str, en: &str, source, kind, due, sections: &[&'static str]| ReportTemplate {
        key,
        name: Msg::new(zh, en),
        source,
        kind,
        due,
        sections: sections.to_vec(),
    };
    vec![
        t(
            "004-weekly",
            "运维周报",
            "Weekly O&M summary",
            "004 第12行：每周汇总",
            ReportKind::Week,
            DueRule::WorkingDays { days: 1 },
            &["overview", "tickets", "problem_list", "summary", "plan"],
        ),
        t(
            "002-monthly",
            "运维月报",
            "Monthly O&M report",
            "002 需求121：巡检记录、安全漏洞扫描记录、问题清单、重大事件记录",
            ReportKind::Month,
            DueRule::WorkingDays { days: 5 },
            &[
                "overview",
                "indicators",
                "tickets",
                "inspections",
                "vulnerabilities",
                "security_events",
                "problem_list",
                "summary",
                "problems",
                "plan",
            ],
        ),
        t(
            "004-monthly",
            "系统运行月报",
            "Monthly operations report",
            "004 第12行：可用性、性能、故障情况",
            ReportKind::Month,
            DueRule::WorkingDays { days: 5 },
            &["overview", "availability", "indicators", "tickets", "problem_list", "summary", "problems", "plan"],
        ),
        t(
            "001-quarterly",
            "运维季度报告",
            "Quarterly O&M report",
            "001 三(一)5",
            ReportKind::Quarter,
            DueRule::WorkingDays { days: 10 },
            ALL,
        ),
        t(
            "002-half-year",
            "运维半年度报告",
            "Half-year O&M report",
            "002 考核表：定期报告（半年度）",
            ReportKind::HalfYear,
            DueRule::WorkingDays { days: 10 },
            ALL,
        ),
        t(
            "002-annual",
            "运维年度报告",
            "Annual O&M report",
            "002 考核表：服务期结束 1 个月内提交年度报告",
            ReportKind::Year,
            DueRule::Months { months: 1 },
            ALL,
        ),
    ]
}

pub fn template(key: &str) -> Option<ReportTemplate> {
    templates().into_iter().find(|t| t.key == key)
}
