//! O&M contracts (运维合同) and their items (分项).

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::parties::{NAME_MAX, TEXT_MAX};
use crate::error::{Checker, FieldError};
use crate::indicators::IndicatorDef;
use crate::indicators::targets::{KpiTarget, KpiTargetInput};
use crate::tickets::{Cause, DEFAULT_COUNTED_CAUSES};

/// Budgets above this (one hundred billion yuan) are typing mistakes, not contracts.
pub const MAX_BUDGET_FEN: i64 = 10_000_000_000_000;
pub const MAX_ITEMS: usize = 500;
/// 002, the largest seed, has 180 service items over about 40 bureaus; a thousand systems in one
/// item is far beyond any real contract and keeps every query's parameter list bounded.
pub const MAX_ITEM_SYSTEMS: usize = 1000;
pub const MAX_MILESTONES: usize = 20;

/// A payment milestone: a share of the item's budget and the condition that releases it
/// (001: 30 % on signing, 60 % on acceptance, 10 % after a year), due on a date or after the
/// assessment of a period (004: 依据考评结果支付当期合同款项), whose final result deducts from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Milestone {
    pub percent: u32,
    pub condition: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_on: Option<NaiveDate>,
    /// Paid after the final assessment of this period (first and last day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessed_from: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessed_to: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ContractItem {
    pub id: String,
    pub contract_id: String,
    pub name: String,
    pub budget_fen: i64,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub system_ids: Vec<String>,
    pub milestones: Vec<Milestone>,
    pub notes: Option<String>,
    /// The SLA policy the tickets of the item's systems run under.
    pub sla_policy_id: Option<String>,
    /// The SLA policy whose `fix` targets by severity set the deadlines of the vulnerabilities
    /// found on the item's systems.
    #[serde(default)]
    pub vulnerability_policy_id: Option<String>,
    /// Outage causes that count against the vendor (availability, scoring).
    pub counted_causes: Vec<Cause>,
    /// Promised availability in percent (99.9), if the item promises one.
    pub availability_target: Option<f64>,
    /// Who handles the item's tickets when nobody is chosen: an engineer or project manager of
    /// the contract's vendor.
    pub default_assignee_id: Option<String>,
    /// Whether the item's new tickets go first to whoever of the vendor is on duty (值班) at the
    /// time, and to `default_assignee_id` only when nobody is.
    pub assign_to_duty: bool,
    /// What the item promises of its indicators (response on time ≥ 98 %, ≤ 3 incidents a
    /// system a year, …): the KPI page and the reports judge its figures against them.
    pub targets: Vec<KpiTarget>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Contract {
    pub id: String,
    pub name: String,
    /// 合同编号
    pub code: Option<String>,
    pub vendor_id: String,
    pub signed_on: Option<NaiveDate>,
    pub notes: Option<String>,
    /// Sum of the visible items' budgets.
    pub total_fen: i64,
    pub items: Vec<ContractItem>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct MilestoneInput {
    pub percent: Option<i64>,
    pub condition: Option<String>,
    /// `YYYY-MM-DD`: when it falls due (or give the assessed period instead).
    pub due_on: Option<String>,
    /// `YYYY-MM-DD`: paid after the final assessment of the period from this day …
    pub assessed_from: Option<String>,
    /// … to this one.
    pub assessed_to: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ContractItemInput {
    /// Present when updating an existing item inside a contract `PUT`; absent for a new item.
    pub id: Option<String>,
    pub name: Option<String>,
    pub budget_fen: Option<i64>,
    /// `YYYY-MM-DD`
    pub start_date: Option<String>,
    /// `YYYY-MM-DD`
    pub end_date: Option<String>,
    #[serde(default)]
    pub system_ids: Vec<String>,
    #[serde(default)]
    pub milestones: Vec<MilestoneInput>,
    pub notes: Option<String>,
    pub sla_policy_id: Option<String>,
    /// An SLA policy whose levels (named critical/high/medium/low or 危急/高危/中危/低危, else by
    /// order) give the `fix` target of each severity of vulnerability.
    pub vulnerability_policy_id: Option<String>,
    /// vendor, carrier, infrastructure, third_party, user, unknown (default: vendor and unknown).
    pub counted_causes: Option<Vec<String>>,
    /// Promised availability in percent, e.g. 99.9 (more than 0, at most 100).
    pub availability_target: Option<f64>,
    /// Who handles the item's tickets when nobody is chosen: an engineer or project manager of
    /// the contract's vendor.
    pub default_assignee_id: Option<String>,
    /// Hand new tickets to whoever is on duty first (default: no).
    pub assign_to_duty: Option<bool>,
    /// Targets on the catalogue's indicators (`GET /kpis/target-templates` holds the seeds').
    #[serde(default)]
    pub targets: Vec<KpiTargetInput>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ContractInput {
    pub name: Option<String>,
    pub code: Option<String>,
    pub vendor_id: Option<String>,
    /// `YYYY-MM-DD`
    pub signed_on: Option<String>,
    pub notes: Option<String>,
    #[serde(default)]
    pub items: Vec<ContractItemInput>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContractItemFields {
    pub id: Option<String>,
    pub name: String,
    pub budget_fen: i64,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub system_ids: Vec<String>,
    pub milestones: Vec<Milestone>,
    pub notes: Option<String>,
    pub sla_policy_id: Option<String>,
    pub vulnerability_policy_id: Option<String>,
    pub counted_causes: Vec<Cause>,
    pub availability_target: Option<f64>,
    /// Who handles the item's tickets when nobody is chosen: an engineer or project manager of
    /// the contract's vendor.
    pub default_assignee_id: Option<String>,
    pub assign_to_duty: bool,
    pub targets: Vec<KpiTarget>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContractFields {
    pub name: String,
    pub code: Option<String>,
    pub vendor_id: String,
    pub signed_on: Option<NaiveDate>,
    pub notes: Option<String>,
    pub items: Vec<ContractItemFields>,
}

impl ContractItemInput {
    /// Checks the item; its targets must name indicators of `catalogue`.
    pub fn validate(&self, catalogue: &[IndicatorDef]) -> Result<ContractItemFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let name = c.required_text("name", self.name.as_deref().unwrap_or(""), NAME_MAX);
        let budget_fen = match self.budget_fen {
            None => {
                c.push(FieldError::required("budget_fen"));
                0
            }
            Some(b) if !(0..=MAX_BUDGET_FEN).contains(&b) => {
                c.push(FieldError::new(
                    "budget_fen",
                    "预算（分）须为 0 到 10¹³ 之间的整数",
                    "must be an integer number of fen between 0 and 10^13",
                ));
                0
            }
            Some(b) => b,
        };
        let start = c.required_date("start_date", self.start_date.as_deref());
        let end = c.required_date("end_date", self.end_date.as_deref());
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            c.push(FieldError::new("end_date", "服务期结束日期不能早于开始日期", "must not be before start_date"));
        }
        let mut seen = HashSet::new();
        let mut system_ids = Vec::new();
        if self.system_ids.len() > MAX_ITEM_SYSTEMS {
            c.push(FieldError::new(
                "system_ids",
                format!("一个分项最多覆盖 {MAX_ITEM_SYSTEMS} 个信息系统"),
                format!("at most {MAX_ITEM_SYSTEMS} systems per item"),
            ));
        }
        for (i, id) in self.system_ids.iter().take(MAX_ITEM_SYSTEMS).enumerate() {
            let id = id.trim();
            if id.is_empty() || id.len() > 64 || crate::error::has_control_chars(id) {
                c.push(FieldError::new(format!("system_ids[{i}]"), "系统编号无效", "is not a valid id"));
            } else if !seen.insert(id.to_string()) {
                c.push(FieldError::new(format!("system_ids[{i}]"), "系统重复", "is listed twice"));
            } else {
                system_ids.push(id.to_string());
            }
        }
        let mut milestones = Vec::new();
        if self.milestones.len() > MAX_MILESTONES {
            c.push(FieldError::new(
                "milestones",
                format!("付款节点不能超过 {MAX_MILESTONES} 个"),
                format!("at most {MAX_MILESTONES} milestones"),
            ));
        }
        for (i, m) in self.milestones.iter().take(MAX_MILESTONES).enumerate() {
            let percent = match m.percent {
                Some(p) if (1..=100).contains(&p) => p as u32,
                _ => {
                    c.push(FieldError::new(
                        format!("milestones[{i}].percent"),
                        "比例须为 1 到 100 的整数",
                        "must be an integer from 1 to 100",
                    ));
                    0
                }
            };
            let condition =
                c.required_text(&format!("milestones[{i}].condition"), m.condition.as_deref().unwrap_or(""), NAME_MAX);
            let due_on = c.optional_date(&format!("milestones[{i}].due_on"), m.due_on.as_deref());
            let assessed_from = c.optional_date(&format!("milestones[{i}].assessed_from"), m.assessed_from.as_deref());
            let assessed_to = c.optional_date(&format!("milestones[{i}].assessed_to"), m.assessed_to.as_deref());
            match (assessed_from, assessed_to) {
                (Some(f), Some(t)) if t < f => c.push(FieldError::new(
                    format!("milestones[{i}].assessed_to"),
                    "考核期间的结束日期不能早于开始日期",
                    "must not be before assessed_from",
                )),
                (Some(_), None) => c.push(FieldError::required(format!("milestones[{i}].assessed_to"))),
                (None, Some(_)) => c.push(FieldError::required(format!("milestones[{i}].assessed_from"))),
                _ => {}
            }
            if due_on.is_some() && assessed_from.is_some() {
                c.push(FieldError::new(
                    format!("milestones[{i}].due_on"),
                    "到期日与考核期间只填一项：按日期付款，或考核定稿后付款",
                    "give a due date or an assessed period, not both",
                ));
            }
            milestones.push(Milestone { percent, condition, due_on, assessed_from, assessed_to });
        }
        let sum: u32 = milestones.iter().map(|m| m.percent).sum();
        if !milestones.is_empty() && sum != 100 && c.errors.is_empty() {
            c.push(FieldError::new(
                "milestones",
                format!("付款比例合计须为 100%，当前为 {sum}%"),
                format!("percentages must add up to 100, not {sum}"),
            ));
        }
        let f = ContractItemFields {
            id: c.optional_text("id", self.id.as_deref(), 64),
            name,
            budget_fen,
            start_date: start.unwrap_or_default(),
            end_date: end.unwrap_or_default(),
            system_ids,
            milestones,
            notes: c.optional_text("notes", self.notes.as_deref(), TEXT_MAX),
            sla_policy_id: c.optional_text("sla_policy_id", self.sla_policy_id.as_deref(), 64),
            vulnerability_policy_id: c.optional_text(
                "vulnerability_policy_id",
                self.vulnerability_policy_id.as_deref(),
                64,
            ),
            counted_causes: counted_causes(&mut c, self.counted_causes.as_deref()),
            availability_target: match self.availability_target {
                Some(t) if !(t > 0.0 && t <= 100.0) => {
                    c.push(FieldError::new(
                        "availability_target",
                        "应为 0–100 之间的百分数，如 99.9",
                        "must be a percentage above 0 and at most 100, e.g. 99.9",
                    ));
                    None
                }
                t => t,
            },
            default_assignee_id: c.optional_text("default_assignee_id", self.default_assignee_id.as_deref(), 64),
            assign_to_duty: self.assign_to_duty.unwrap_or(false),
            targets: crate::indicators::targets::validate(&self.targets, catalogue).unwrap_or_else(|errors| {
                errors.into_iter().for_each(|e| c.push(e));
                Vec::new()
            }),
        };
        c.finish().map(|_| f)
    }
}

fn counted_causes(c: &mut Checker, input: Option<&[String]>) -> Vec<Cause> {
    let Some(list) = input else { return DEFAULT_COUNTED_CAUSES.to_vec() };
    let mut out = Vec::new();
    for (i, s) in list.iter().enumerate() {
        match Cause::parse(s) {
            Some(cause) if !out.contains(&cause) => out.push(cause),
            Some(_) => c.push(FieldError::new(format!("counted_causes[{i}]"), "重复", "is listed twice")),
            None => c.push(FieldError::new(
                format!("counted_causes[{i}]"),
                format!("可选值：{}", Cause::choices()),
                format!("must be one of: {}", Cause::choices()),
            )),
        }
    }
    out.sort();
    out
}

impl ContractInput {
    /// Checks the contract and its items; targets must name indicators of `catalogue`.
    pub fn validate(&self, catalogue: &[IndicatorDef]) -> Result<ContractFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let name = c.required_text("name", self.name.as_deref().unwrap_or(""), NAME_MAX);
        let code = c.optional_text("code", self.code.as_deref(), 100);
        let vendor_id = c.required_id("vendor_id", self.vendor_id.as_deref());
        let signed_on = c.optional_date("signed_on", self.signed_on.as_deref());
        let notes = c.optional_text("notes", self.notes.as_deref(), TEXT_MAX);
        if self.items.len() > MAX_ITEMS {
            c.push(FieldError::new(
                "items",
                format!("分项不能超过 {MAX_ITEMS} 个"),
                format!("at most {MAX_ITEMS} items"),
            ));
        }
        let mut items = Vec::new();
        let mut names = HashSet::new();
        let mut ids = HashSet::new();
        for (i, item) in self.items.iter().take(MAX_ITEMS).enumerate() {
            match item.validate(catalogue) {
                Ok(f) => {
                    if !names.insert(f.name.clone()) {
                        c.push(FieldError::new(
                            format!("items[{i}].name"),
                            "分项名称重复",
                            "duplicates another item's name",
                        ));
                    }
                    if let Some(id) = &f.id
                        && !ids.insert(id.clone())
                    {
                        c.push(FieldError::new(format!("items[{i}].id"), "分项编号重复", "is listed twice"));
                    }
                    items.push(f);
                }
                Err(errs) => c.errors.extend(errs.into_iter().map(|e| e.nested(&format!("items[{i}]")))),
            }
        }
        c.finish().map(|_| ContractFields { name, code, vendor_id, signed_on, notes, items })
    }
}

/// Formats fen as yuan with two decimals, the way the bureau reads money.
pub fn fen_to_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> ContractItemInput {
        ContractItemInput {
            name: Some("软件运维".into()),
            budget_fen: Some(12_345_600),
            start_date: Some("2026-07-01".into()),
            end_date: Some("2027-06-30".into()),
            system_ids: vec!["s1".into()],
            milestones: vec![
                MilestoneInput { percent: Some(30), condition: Some("合同签订".into()), ..Default::default() },
                MilestoneInput {
                    percent: Some(70),
                    condition: Some("考核合格".into()),
                    assessed_from: Some("2026-01-01".into()),
                    assessed_to: Some("2026-12-31".into()),
                    ..Default::default()
                },
            ],
            ..Default::default()
        }
    }

    #[test]
    fn valid_item() {
        let f = item().validate(&[]).unwrap();
        assert_eq!(f.milestones.iter().map(|m| m.percent).sum::<u32>(), 100);
    }

    #[test]
    fn item_errors_are_nested_by_index() {
        let mut bad = item();
        bad.end_date = Some("2026-06-30".into());
        bad.budget_fen = Some(-1);
        bad.milestones[1].percent = Some(60);
        let input = ContractInput {
            name: Some("c".into()),
            vendor_id: Some("v".into()),
            items: vec![item(), bad],
            ..Default::default()
        };
        let errs = input.validate(&[]).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["items[1].budget_fen", "items[1].end_date"]);
    }

    #[test]
    fn a_milestone_falls_due_on_a_date_or_after_an_assessed_period() {
        let f = item().validate(&[]).unwrap();
        assert_eq!(f.milestones[1].assessed_to, NaiveDate::from_ymd_opt(2026, 12, 31));
        let mut both = item();
        both.milestones[1].due_on = Some("2026-06-30".into());
        assert_eq!(both.validate(&[]).unwrap_err()[0].field, "milestones[1].due_on");
        let mut half = item();
        half.milestones[1].assessed_to = None;
        assert_eq!(half.validate(&[]).unwrap_err()[0].field, "milestones[1].assessed_to");
        let mut reversed = item();
        reversed.milestones[1].assessed_from = Some("2027-01-01".into());
        assert_eq!(reversed.validate(&[]).unwrap_err()[0].field, "milestones[1].assessed_to");
        let mut bad = item();
        bad.milestones[0].due_on = Some("2026-02-30".into());
        assert_eq!(bad.validate(&[]).unwrap_err()[0].field, "milestones[0].due_on");
    }

    #[test]
    fn milestones_must_sum_to_100() {
        let mut bad = item();
        bad.milestones[1].percent = Some(60);
        assert_eq!(bad.validate(&[]).unwrap_err()[0].field, "milestones");
    }

    #[test]
    fn duplicate_names_and_systems() {
        let mut dup = item();
        dup.system_ids = vec!["a".into(), "a".into()];
        assert_eq!(dup.validate(&[]).unwrap_err()[0].field, "system_ids[1]");
        let input = ContractInput {
            name: Some("c".into()),
            vendor_id: Some("v".into()),
            items: vec![item(), item()],
            ..Default::default()
        };
        assert_eq!(input.validate(&[]).unwrap_err()[0].field, "items[1].name");
        let mut same_id = item();
        same_id.id = Some("i1".into());
        let mut other = same_id.clone();
        other.name = Some("硬件运维".into());
        let input = ContractInput {
            name: Some("c".into()),
            vendor_id: Some("v".into()),
            items: vec![same_id, other],
            ..Default::default()
        };
        assert_eq!(input.validate(&[]).unwrap_err()[0].field, "items[1].id");
    }

    #[test]
    fn lists_are_bounded() {
        let mut big = item();
        big.system_ids = (0..=MAX_ITEM_SYSTEMS).map(|i| format!("s{i}")).collect();
        assert_eq!(big.validate(&[]).unwrap_err()[0].field, "system_ids");
        let mut many = item();
        many.milestones =
            (0..=MAX_MILESTONES).map(|_| MilestoneInput { percent: Some(1), ..Default::default() }).collect();
        assert_eq!(many.validate(&[]).unwrap_err()[0].field, "milestones");
    }

    #[test]
    fn yuan_formatting() {
        assert_eq!(fen_to_yuan(12_345_600), "123456.00");
        assert_eq!(fen_to_yuan(5), "0.05");
        assert_eq!(fen_to_yuan(-105), "-1.05");
    }
}
