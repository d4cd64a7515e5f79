//! SLA policies: severity levels with a target per metric (and optionally another for tickets
//! that arrive outside working hours), which ticket states pause which clocks, automatic
//! severity upgrades, and the escalation ladder. Policies are versioned by the store; a ticket
//! keeps the version it started under.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::target::Target;
use crate::FieldError;
use crate::error::Checker;

/// The clocks every contract in the seeds measures; policies may add their own.
pub const METRICS: [&str; 5] = ["response", "arrival", "plan", "restore", "resolve"];
/// Ticket states a policy may pause clocks in.
pub const TICKET_STATES: [&str; 9] =
    ["new", "responded", "arrived", "in_progress", "pending", "restored", "resolved", "closed", "reopened"];
/// Who an escalation step may notify, besides `user:<id>`.
pub const RECIPIENTS: [&str; 7] = ["assignee", "reporter", "admin", "vendor_pm", "engineer", "unit_user", "auditor"];
pub const MAX_LEVELS: usize = 10;
pub const MAX_METRICS: usize = 20;
pub const MAX_LADDER: usize = 30;

pub fn is_metric_name(s: &str) -> bool {
    let b = s.as_bytes();
    (1..=32).contains(&b.len())
        && b[0].is_ascii_lowercase()
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct LevelInput {
    pub name: Option<String>,
    /// 1 is the most severe; defaults to the position in the list.
    pub order: Option<i32>,
    pub criteria: Option<String>,
    #[serde(default)]
    pub targets: BTreeMap<String, Target>,
    #[serde(default)]
    pub out_of_hours_targets: BTreeMap<String, Target>,
    /// For vulnerability policies: a finding of this level is due before the system's next
    /// scheduled scan (下次扫描前) instead of after a `fix` target.
    #[serde(default)]
    pub before_next_scan: bool,
}

/// Either the states that pause every clock, or for each state the metrics it pauses.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum PauseStatesInput {
    States(Vec<String>),
    Metrics(BTreeMap<String, Vec<String>>),
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UpgradeInput {
    /// The level a ticket leaves (its name).
    pub from: Option<String>,
    /// The more severe level it moves to.
    pub to: Option<String>,
    /// How long the ticket may stay unresolved at `from`.
    pub after: Option<Target>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct EscalationInput {
    pub metric: Option<String>,
    /// Notify when this share of the clock's budget is spent (1–99).
    pub at_percent: Option<u32>,
    /// Notify when the clock breaches.
    #[serde(default)]
    pub on_breach: bool,
    /// `assignee`, `reporter`, a role (`admin`, `vendor_pm`, …) or `user:<id>`.
    #[serde(default)]
    pub notify: Vec<String>,
    /// Notification channels (ids) the step goes out through besides the bell: a group channel
    /// (a robot, a webhook) gets one message, a personal one (e-mail, SMS, WeCom application)
    /// one per notified person.
    #[serde(default)]
    pub channels: Vec<String>,
    /// The support level the ticket moves to, e.g. L2 (on-site senior) or L4 (manufacturer).
    pub escalate_to: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PolicyInput {
    pub name: Option<String>,
    pub calendar_id: Option<String>,
    pub contract_item_id: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub levels: Vec<LevelInput>,
    pub pause_states: Option<PauseStatesInput>,
    #[serde(default)]
    pub upgrade: Vec<UpgradeInput>,
    #[serde(default)]
    pub escalation: Vec<EscalationInput>,
    /// Working days after which a resolved ticket closes itself unless the reporter acts
    /// (default 3; 0 never).
    pub auto_close_working_days: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Level {
    pub name: String,
    pub order: i32,
    pub criteria: Option<String>,
    pub targets: BTreeMap<String, Target>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub out_of_hours_targets: BTreeMap<String, Target>,
    /// The fix is due before the system's next scheduled scan (vulnerability policies).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub before_next_scan: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Upgrade {
    pub from: String,
    pub to: String,
    pub after: Target,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Escalation {
    pub metric: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_percent: Option<u32>,
    pub on_breach: bool,
    pub notify: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalate_to: Option<String>,
}

/// A validated policy, stored as one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PolicySpec {
    pub name: String,
    pub calendar_id: String,
    pub contract_item_id: Option<String>,
    pub description: Option<String>,
    /// Most severe first.
    pub levels: Vec<Level>,
    /// State → the metrics it pauses.
    pub pause_states: BTreeMap<String, Vec<String>>,
    pub upgrade: Vec<Upgrade>,
    pub escalation: Vec<Escalation>,
    /// Working days after which a resolved ticket closes itself (0: never).
    #[serde(default = "default_auto_close")]
    pub auto_close_working_days: u16,
}

pub const DEFAULT_AUTO_CLOSE_DAYS: u16 = 3;

/// A running clock that has spent this share of its budget is “at risk”, unless the policy's
/// ladder says otherwise (`PolicySpec::risk_percent`).
pub const DEFAULT_RISK_PERCENT: u32 = 80;

impl PolicySpec {
    /// The share of a metric's budget from which its clock is “at risk”: the policy's first
    /// ladder step for the metric below 100 %, so the badge turns amber when the first
    /// escalation fires; else `DEFAULT_RISK_PERCENT`.
    pub fn risk_percent(&self, metric: &str) -> u32 {
        self.escalation
            .iter()
            .filter(|e| e.metric == metric && !e.on_breach)
            .filter_map(|e| e.at_percent)
            .find(|p| (1..100).contains(p))
            .unwrap_or(DEFAULT_RISK_PERCENT)
    }
}

/// `PolicySpec::risk_percent` for a ticket that may have no policy.
pub fn risk_percent(spec: Option<&PolicySpec>, metric: &str) -> u32 {
    spec.map_or(DEFAULT_RISK_PERCENT, |s| s.risk_percent(metric))
}

fn default_auto_close() -> u16 {
    DEFAULT_AUTO_CLOSE_DAYS
}

/// The keys a list of policies sorts by; by name when none is given.
pub const SORT_KEYS: &[&str] = &["name", "created_at", "updated_at"];

/// What a list of policies can be narrowed by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyFilter {
    pub contract_item_id: Option<String>,
    pub calendar_id: Option<String>,
}

/// A stored policy at one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PolicyView {
    pub id: String,
    pub version: i32,
    /// The newest version (a ticket may still run under an older one).
    pub latest_version: i32,
    #[serde(flatten)]
    pub spec: PolicySpec,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One version in a policy's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct VersionInfo {
    pub version: i32,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// The user who saved it.
    pub created_by: Option<String>,
}

impl PolicyInput {
    pub fn validate(&self) -> Result<PolicySpec, Vec<FieldError>> {
        let mut c = Checker::default();
        let name = c.required_text("name", self.name.as_deref().unwrap_or(""), 200);
        let calendar_id = c.required_id("calendar_id", self.calendar_id.as_deref());
        let contract_item_id = c.optional_text("contract_item_id", self.contract_item_id.as_deref(), 64);
        let description = c.optional_text("description", self.description.as_deref(), 4000);
        let levels = validate_levels(&self.levels, &mut c);
        let mut metrics: BTreeSet<&str> = levels.iter().flat_map(|l| l.targets.keys().map(String::as_str)).collect();
        if levels.iter().any(|l| l.before_next_scan) {
            metrics.insert(crate::vulnerabilities::clock::METRIC);
        }
        let pause_states = validate_pauses(self.pause_states.as_ref(), &metrics, &mut c);
        let upgrade = validate_upgrades(&self.upgrade, &levels, &mut c);
        let escalation = validate_ladder(&self.escalation, &metrics, &mut c);
        let auto_close_working_days = match self.auto_close_working_days {
            None => DEFAULT_AUTO_CLOSE_DAYS,
            Some(d) if (0..=30).contains(&d) => d as u16,
            Some(_) => {
                c.push(FieldError::new("auto_close_working_days", "须为 0 到 30 的整数", "must be 0 to 30"));
                0
            }
        };
        c.finish().map(|_| PolicySpec {
            name,
            calendar_id,
            contract_item_id,
            description,
            levels,
            pause_states,
            upgrade,
            escalation,
            auto_close_working_days,
        })
    }
}

fn validate_targets(field: &str, targets: &BTreeMap<String, Target>, c: &mut Checker) {
    if targets.len() > MAX_METRICS {
        c.push(FieldError::new(field, format!("最多 {MAX_METRICS} 个指标"), format!("at most {MAX_METRICS} metrics")));
    }
    for (metric, t) in targets {
        let f = format!("{field}.{metric}");
        if !is_metric_name(metric) {
            c.push(FieldError::new(
                &f,
                "指标名只能用小写字母、数字和下划线",
                "metric names are lower-case letters, digits and _",
            ));
        } else if let Err(e) = t.validate(&f) {
            c.push(e);
        }
    }
}

fn validate_levels(input: &[LevelInput], c: &mut Checker) -> Vec<Level> {
    if input.is_empty() || input.len() > MAX_LEVELS {
        c.push(FieldError::new(
            "levels",
            format!("须有 1 到 {MAX_LEVELS} 个级别"),
            format!("1 to {MAX_LEVELS} levels"),
        ));
        return Vec::new();
    }
    let mut names = BTreeSet::new();
    let mut orders = BTreeSet::new();
    let mut out = Vec::new();
    for (i, l) in input.iter().enumerate() {
        let at = |f: &str| format!("levels[{i}].{f}");
        let name = c.required_text(&at("name"), l.name.as_deref().unwrap_or(""), 50);
        if !name.is_empty() && !names.insert(name.clone()) {
            c.push(FieldError::new(at("name"), "级别名称重复", "duplicates another level's name"));
        }
        let order = l.order.unwrap_or(i as i32 + 1);
        if !(1..=100).contains(&order) || !orders.insert(order) {
            c.push(FieldError::new(at("order"), "顺序须为 1 到 100 且不重复", "must be 1 to 100 and unique"));
        }
        let criteria = c.optional_text(&at("criteria"), l.criteria.as_deref(), 2000);
        if l.targets.is_empty() && !l.before_next_scan {
            c.push(FieldError::new(at("targets"), "至少需要一个时限", "at least one target"));
        }
        if l.before_next_scan && l.targets.contains_key(crate::vulnerabilities::clock::METRIC) {
            c.push(FieldError::new(
                at("before_next_scan"),
                "“下次扫描前修复”与修复时限（fix）只能选一个",
                "either before the next scan or a fix target, not both",
            ));
        }
        validate_targets(&at("targets"), &l.targets, c);
        validate_targets(&at("out_of_hours_targets"), &l.out_of_hours_targets, c);
        for metric in l.out_of_hours_targets.keys().filter(|m| !l.targets.contains_key(*m)) {
            c.push(FieldError::new(
                format!("{}.{metric}", at("out_of_hours_targets")),
                "该指标没有工作时间内的时限",
                "has no in-hours target",
            ));
        }
        out.push(Level {
            name,
            order,
            criteria,
            targets: l.targets.clone(),
            out_of_hours_targets: l.out_of_hours_targets.clone(),
            before_next_scan: l.before_next_scan,
        });
    }
    out.sort_by_key(|l| l.order);
    out
}

fn validate_pauses(
    input: Option<&PauseStatesInput>,
    metrics: &BTreeSet<&str>,
    c: &mut Checker,
) -> BTreeMap<String, Vec<String>> {
    let all: Vec<String> = metrics.iter().map(|m| m.to_string()).collect();
    let pairs: Vec<(String, Vec<String>)> = match input {
        None => vec![("pending".to_string(), all.clone())],
        Some(PauseStatesInput::States(states)) => states.iter().map(|s| (s.clone(), all.clone())).collect(),
        Some(PauseStatesInput::Metrics(map)) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
    };
    let mut out = BTreeMap::new();
    for (state, list) in pairs {
        let f = format!("pause_states.{state}");
        if !TICKET_STATES.contains(&state.as_str()) {
            c.push(FieldError::new(
                &f,
                format!("未知的工单状态，可选：{}", TICKET_STATES.join("、")),
                "is not a ticket state",
            ));
            continue;
        }
        let mut chosen = Vec::new();
        for m in &list {
            if m == "*" {
                chosen.extend(all.iter().cloned());
            } else if metrics.contains(m.as_str()) {
                chosen.push(m.clone());
            } else {
                c.push(FieldError::new(&f, format!("指标“{m}”不在任何级别中"), format!("metric “{m}” is in no level")));
            }
        }
        chosen.sort();
        chosen.dedup();
        out.insert(state, chosen);
    }
    out
}

fn validate_upgrades(input: &[UpgradeInput], levels: &[Level], c: &mut Checker) -> Vec<Upgrade> {
    let order = |name: &str| levels.iter().find(|l| l.name == name).map(|l| l.order);
    let mut out = Vec::new();
    for (i, u) in input.iter().enumerate() {
        let at = |f: &str| format!("upgrade[{i}].{f}");
        let from = u.from.as_deref().unwrap_or("").trim();
        let to = u.to.as_deref().unwrap_or("").trim();
        let (fo, to_o) = (order(from), order(to));
        if fo.is_none() {
            c.push(FieldError::new(at("from"), "没有这个级别", "no such level"));
        }
        if to_o.is_none() {
            c.push(FieldError::new(at("to"), "没有这个级别", "no such level"));
        }
        if let (Some(a), Some(b)) = (fo, to_o)
            && b >= a
        {
            c.push(FieldError::new(at("to"), "只能升级到更严重的级别", "must be a more severe level"));
        }
        match u.after {
            None => c.push(FieldError::required(at("after"))),
            Some(t) => {
                if let Err(e) = t.validate(&at("after")) {
                    c.push(e);
                }
                out.push(Upgrade { from: from.to_string(), to: to.to_string(), after: t });
            }
        }
    }
    out
}

fn validate_ladder(input: &[EscalationInput], metrics: &BTreeSet<&str>, c: &mut Checker) -> Vec<Escalation> {
    if input.len() > MAX_LADDER {
        c.push(FieldError::new("escalation", format!("最多 {MAX_LADDER} 步"), format!("at most {MAX_LADDER} steps")));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, e) in input.iter().enumerate() {
        let at = |f: &str| format!("escalation[{i}].{f}");
        let metric = e.metric.as_deref().unwrap_or("").trim().to_string();
        if !metrics.contains(metric.as_str()) {
            c.push(FieldError::new(at("metric"), "指标不在任何级别中", "is a metric of no level"));
        }
        match (e.at_percent, e.on_breach) {
            (Some(p), false) if (1..=99).contains(&p) => {}
            (None, true) => {}
            _ => c.push(FieldError::new(
                at("at_percent"),
                "须为 1 到 99 的百分比，或设 on_breach 为 true（二者取一）",
                "must be a percentage from 1 to 99, or on_breach true (one of them)",
            )),
        }
        if e.notify.is_empty() && e.channels.is_empty() {
            c.push(FieldError::new(at("notify"), "至少通知一人或一个渠道", "notify at least one person or channel"));
        }
        let mut channels: Vec<String> = Vec::new();
        for (j, ch) in e.channels.iter().enumerate() {
            if let Some(id) = c.optional_text(&format!("{}[{j}]", at("channels")), Some(ch), 64)
                && !channels.contains(&id)
            {
                channels.push(id);
            }
        }
        for (j, r) in e.notify.iter().enumerate() {
            let ok = RECIPIENTS.contains(&r.as_str())
                || r.strip_prefix("user:")
                    .is_some_and(|id| !id.is_empty() && id.len() <= 64 && !crate::error::has_control_chars(id));
            if !ok {
                c.push(FieldError::new(
                    format!("{}[{j}]", at("notify")),
                    format!("应为 {} 或 user:<编号>", RECIPIENTS.join("、")),
                    "must be a role, assignee, reporter or user:<id>",
                ));
            }
        }
        let escalate_to = c.optional_text(&at("escalate_to"), e.escalate_to.as_deref(), 20);
        out.push(Escalation {
            metric,
            at_percent: e.at_percent,
            on_breach: e.on_breach,
            notify: e.notify.clone(),
            channels,
            escalate_to,
        });
    }
    out
}

impl PolicySpec {
    /// A level by name, or by its order written as a number.
    pub fn level(&self, severity: &str) -> Option<&Level> {
        let s = severity.trim();
        self.levels.iter().find(|l| l.name == s).or_else(|| {
            let order: i32 = s.parse().ok()?;
            self.levels.iter().find(|l| l.order == order)
        })
    }
}

impl Level {
    /// The targets that apply to a ticket arriving in or outside working hours.
    pub fn targets_for(&self, in_hours: bool) -> BTreeMap<String, Target> {
        let mut t = self.targets.clone();
        if !in_hours {
            t.extend(self.out_of_hours_targets.iter().map(|(k, v)| (k.clone(), *v)));
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: serde_json::Value) -> PolicyInput {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_policy_from_seed_004_row_03() {
        let p = input(serde_json::json!({
            "name": "档案馆核心故障", "calendar_id": "preset-5x8",
            "levels": [{"name": "核心故障", "targets": {
                    "arrival": {"kind": "calendar", "minutes": 15}, "restore": {"kind": "calendar", "minutes": 60}},
                "out_of_hours_targets": {
                    "arrival": {"kind": "calendar", "minutes": 30}, "restore": {"kind": "calendar", "minutes": 120}}}],
            "pause_states": ["pending"],
            "escalation": [{"metric": "restore", "at_percent": 75, "notify": ["vendor_pm"]},
                           {"metric": "restore", "on_breach": true, "notify": ["admin", "user:u1"], "escalate_to": "L3"}]
        }))
        .validate()
        .unwrap();
        let l = p.level("核心故障").unwrap();
        assert_eq!(l.targets_for(false)["arrival"], Target::Calendar { minutes: 30 });
        assert_eq!(l.targets_for(true)["arrival"], Target::Calendar { minutes: 15 });
        assert_eq!(p.pause_states["pending"], ["arrival", "restore"]);
        assert_eq!(p.level("1").map(|l| l.order), Some(1));
        // The first step below 100 % sets when a clock turns amber; other metrics keep 80 %.
        assert_eq!(p.risk_percent("restore"), 75);
        assert_eq!(p.risk_percent("arrival"), DEFAULT_RISK_PERCENT);
        assert_eq!(risk_percent(None, "restore"), DEFAULT_RISK_PERCENT);
    }

    #[test]
    fn every_problem_is_named() {
        let errs = input(serde_json::json!({
            "name": "x", "calendar_id": "c",
            "levels": [
                {"name": "一级", "order": 1, "targets": {"Response!": {"kind": "calendar", "minutes": 15}}},
                {"name": "一级", "order": 1, "targets": {"resolve": {"kind": "working_days", "days": 0}},
                 "out_of_hours_targets": {"arrival": {"kind": "calendar", "minutes": 5}}}
            ],
            "pause_states": {"sleeping": ["resolve"], "pending": ["nothing"]},
            "upgrade": [{"from": "一级", "to": "一级", "after": {"kind": "calendar", "minutes": 60}}],
            "escalation": [{"metric": "resolve", "at_percent": 150, "notify": ["boss"]}]
        }))
        .validate()
        .unwrap_err();
        let fields: Vec<String> = errs.into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "levels[0].targets.Response!",
                "levels[1].name",
                "levels[1].order",
                "levels[1].targets.resolve",
                "levels[1].out_of_hours_targets.arrival",
                "pause_states.pending",
                "pause_states.sleeping",
                "upgrade[0].to",
                "escalation[0].at_percent",
                "escalation[0].notify[0]",
            ]
        );
    }
}
