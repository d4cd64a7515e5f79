//! Requests that create and change tickets, and their validation.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::view::Resolution;
use super::{Cause, Channel, SUPPORT_LEVELS, Status, TicketType};
use crate::error::Checker;
use crate::geo::Location;
use crate::sla::simulate::parse_instant;
use crate::{FieldError, Msg};

pub const TITLE_MAX: usize = 200;
/// A description: what a clerk or an engineer writes about one problem (a log excerpt belongs in
/// an attachment).
pub const TEXT_MAX: usize = 5_000;
pub const REASON_MAX: usize = 2000;
/// A ticket that changed state this often is being misused; further changes are refused.
pub const MAX_EVENTS: usize = 2000;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TicketInput {
    pub system_id: Option<String>,
    /// incident, request, consultation, data_request, access_request.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// A level name of the policy (or its order as a number); default the least severe level.
    pub severity: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// phone, wechat, qq, email, web (default), hotline, monitoring.
    pub channel: Option<String>,
    /// RFC 3339; only an administrator may give a past instant (back-filling a phone report).
    pub reported_at: Option<String>,
    /// Who reported it, when someone reports on another's behalf (default: the caller).
    pub reporter_name: Option<String>,
    /// A phone number or other way to reach the reporter.
    pub contact: Option<String>,
    pub assignee_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TicketFields {
    pub system_id: String,
    pub kind: TicketType,
    pub severity: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub channel: Channel,
    pub reported_at: Option<DateTime<Utc>>,
    pub reporter_name: Option<String>,
    pub contact: Option<String>,
    pub assignee_id: Option<String>,
}

fn choice<T>(
    c: &mut Checker,
    field: &str,
    v: Option<&str>,
    parse: fn(&str) -> Option<T>,
    choices: String,
) -> Option<T> {
    let v = v?;
    let parsed = parse(v);
    if parsed.is_none() {
        c.push(FieldError::new(field, format!("可选值：{choices}"), format!("must be one of: {choices}")));
    }
    parsed
}

fn instant(c: &mut Checker, field: &str, v: Option<&str>) -> Option<DateTime<Utc>> {
    let v = v.map(str::trim).filter(|v| !v.is_empty())?;
    parse_instant(field, v).map_err(|e| c.push(e)).ok().map(crate::audit::truncate_micros)
}

impl TicketInput {
    pub fn validate(&self) -> Result<TicketFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let system_id = c.required_id("system_id", self.system_id.as_deref());
        let kind = match self.kind.as_deref() {
            None => {
                c.push(FieldError::required("type"));
                None
            }
            v => choice(&mut c, "type", v, TicketType::parse, TicketType::choices()),
        };
        let severity = c.optional_text("severity", self.severity.as_deref(), 50);
        let title = c.required_text("title", self.title.as_deref().unwrap_or(""), TITLE_MAX);
        let description = c.optional_text("description", self.description.as_deref(), TEXT_MAX);
        let channel = choice(&mut c, "channel", self.channel.as_deref(), Channel::parse, Channel::choices());
        let reported_at = instant(&mut c, "reported_at", self.reported_at.as_deref());
        let reporter_name = c.optional_text("reporter_name", self.reporter_name.as_deref(), 100);
        let contact = c.optional_text("contact", self.contact.as_deref(), 100);
        let assignee_id = c.optional_text("assignee_id", self.assignee_id.as_deref(), 64);
        c.finish()?;
        Ok(TicketFields {
            system_id,
            kind: kind.unwrap_or(TicketType::Incident),
            severity,
            title,
            description,
            channel: channel.unwrap_or(Channel::Web),
            reported_at,
            reporter_name,
            contact,
            assignee_id,
        })
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct TransitionInput {
    /// responded, arrived, in_progress, pending, restored, resolved, closed, reopened.
    pub to: Option<String>,
    /// Required for `pending` and `reopened`.
    pub reason: Option<String>,
    /// While pending: who or what is waited for (the user's confirmation, a spare part, …).
    pub waiting_for: Option<String>,
    /// RFC 3339; only an administrator may give a past instant.
    pub at: Option<String>,
    /// Required for `resolved` (and only there): the service record.
    pub resolution: Option<ResolutionInput>,
    /// Only for `arrived`: where the engineer was, as the phone reports it.
    pub location: Option<Location>,
}

/// The service record given on resolving; `summary` is required.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ResolutionInput {
    pub summary: Option<String>,
    pub fault_type: Option<String>,
    pub method: Option<String>,
    pub cause: Option<String>,
    pub prevention: Option<String>,
    pub device_model: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TransitionFields {
    pub to: Status,
    pub reason: Option<String>,
    pub waiting_for: Option<String>,
    pub at: Option<DateTime<Utc>>,
    pub resolution: Option<Resolution>,
    pub location: Option<Location>,
}

impl ResolutionInput {
    fn check(&self, c: &mut Checker) -> Resolution {
        let summary = c.required_text("resolution.summary", self.summary.as_deref().unwrap_or(""), REASON_MAX);
        let mut short = |field: &str, v: &Option<String>| c.optional_text(field, v.as_deref(), REASON_MAX);
        Resolution {
            summary,
            fault_type: short("resolution.fault_type", &self.fault_type),
            method: short("resolution.method", &self.method),
            cause: short("resolution.cause", &self.cause),
            prevention: short("resolution.prevention", &self.prevention),
            device_model: short("resolution.device_model", &self.device_model),
        }
    }
}

impl TransitionInput {
    pub fn validate(&self) -> Result<TransitionFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let to = match self.to.as_deref() {
            None => {
                c.push(FieldError::required("to"));
                None
            }
            v => choice(&mut c, "to", v, Status::parse, Status::choices()),
        };
        if to == Some(Status::New) {
            c.push(FieldError::new("to", "不能回到新建状态", "a ticket cannot return to new"));
        }
        let reason = c.optional_text("reason", self.reason.as_deref(), REASON_MAX);
        if matches!(to, Some(Status::Pending | Status::Reopened)) && reason.is_none() {
            c.push(FieldError::new("reason", "挂起和重开须说明原因", "pending and reopening need a reason"));
        }
        let waiting_for = c.optional_text("waiting_for", self.waiting_for.as_deref(), 200);
        let at = instant(&mut c, "at", self.at.as_deref());
        let resolution = match (&self.resolution, to) {
            (Some(r), Some(Status::Resolved)) => Some(r.check(&mut c)),
            (None, Some(Status::Resolved)) => {
                c.push(FieldError::new(
                    "resolution",
                    "解决工单须填写处理结果",
                    "resolving a ticket needs its resolution (what was done)",
                ));
                None
            }
            (Some(_), _) => {
                c.push(FieldError::new(
                    "resolution",
                    "处理结果只在解决工单时填写",
                    "a resolution is given only when resolving",
                ));
                None
            }
            (None, _) => None,
        };
        let location = match (&self.location, to) {
            (Some(l), Some(Status::Arrived)) => l.check("location").map_err(|e| c.push(e)).ok(),
            (Some(_), _) => {
                c.push(FieldError::new("location", "位置只在到场时记录", "a location is recorded on arrival only"));
                None
            }
            (None, _) => None,
        };
        c.finish()?;
        Ok(TransitionFields { to: to.unwrap_or(Status::InProgress), reason, waiting_for, at, resolution, location })
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AssignInput {
    /// The engineer who works the ticket; `null` or empty to unassign.
    pub assignee_id: Option<String>,
    /// L1–L4.
    pub support_level: Option<String>,
    pub reason: Option<String>,
}

/// A validated assignment: the assignee, the support level, the reason.
pub type AssignFields = (Option<String>, Option<String>, Option<String>);
/// A validated milestone: the metric, when (if back-filled), a note.
pub type MilestoneFields = (String, Option<DateTime<Utc>>, Option<String>);

impl AssignInput {
    pub fn validate(&self) -> Result<AssignFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let assignee = c.optional_text("assignee_id", self.assignee_id.as_deref(), 64);
        let level = c.optional_text("support_level", self.support_level.as_deref(), 4);
        if let Some(l) = &level
            && !SUPPORT_LEVELS.contains(&l.as_str())
        {
            c.push(FieldError::new("support_level", "可选值：L1、L2、L3、L4", "must be L1, L2, L3 or L4"));
        }
        let reason = c.optional_text("reason", self.reason.as_deref(), REASON_MAX);
        c.finish().map(|_| (assignee, level, reason))
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CommentInput {
    pub body: Option<String>,
    /// Visible to the bureau and the vendor only.
    #[serde(default)]
    pub internal: bool,
}

impl CommentInput {
    pub fn validate(&self) -> Result<String, Vec<FieldError>> {
        let mut c = Checker::default();
        let body = c.required_text("body", self.body.as_deref().unwrap_or(""), TEXT_MAX);
        c.finish().map(|_| body)
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RatingInput {
    /// 1 (very dissatisfied) to 5 (very satisfied).
    pub rating: Option<i64>,
    pub comment: Option<String>,
}

impl RatingInput {
    pub fn validate(&self) -> Result<(i32, Option<String>), Vec<FieldError>> {
        let mut c = Checker::default();
        let rating = match self.rating {
            Some(r) if (1..=5).contains(&r) => r as i32,
            _ => {
                c.push(FieldError::new("rating", "评分须为 1 到 5 的整数", "must be an integer from 1 to 5"));
                0
            }
        };
        let comment = c.optional_text("comment", self.comment.as_deref(), REASON_MAX);
        c.finish().map(|_| (rating, comment))
    }
}

/// An incident's outage: its cause and when the service was interrupted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct OutageInput {
    /// vendor, carrier, infrastructure, third_party, user, unknown.
    pub cause: Option<String>,
    /// RFC 3339.
    pub outage_start: Option<String>,
    /// RFC 3339.
    pub outage_end: Option<String>,
    /// Why, when vendor staff's record goes to the bureau for approval.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutageFields {
    pub cause: Option<Cause>,
    pub outage_start: Option<DateTime<Utc>>,
    pub outage_end: Option<DateTime<Utc>>,
}

impl OutageInput {
    pub fn validate(&self) -> Result<OutageFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let cause = choice(&mut c, "cause", self.cause.as_deref(), Cause::parse, Cause::choices());
        let outage_start = instant(&mut c, "outage_start", self.outage_start.as_deref());
        let outage_end = instant(&mut c, "outage_end", self.outage_end.as_deref());
        if let (Some(s), Some(e)) = (outage_start, outage_end)
            && e < s
        {
            c.push(FieldError::new("outage_end", "中断结束不能早于开始", "must not be before outage_start"));
        }
        if outage_end.is_some() && outage_start.is_none() {
            c.push(FieldError::new("outage_start", "有结束时间时须填开始时间", "is required with outage_end"));
        }
        c.finish().map(|_| OutageFields { cause, outage_start, outage_end })
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = TicketMilestoneInput)]
pub struct MilestoneInput {
    /// The metric the milestone ends: `plan` (a solution plan handed in) or a custom metric.
    pub metric: Option<String>,
    /// RFC 3339; only an administrator may give a past instant.
    pub at: Option<String>,
    pub note: Option<String>,
}

impl MilestoneInput {
    pub fn validate(&self) -> Result<MilestoneFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let metric = c.required_text("metric", self.metric.as_deref().unwrap_or(""), 32);
        if !metric.is_empty() && ["response", "arrival", "restore", "resolve"].contains(&metric.as_str()) {
            c.push(FieldError::new(
                "metric",
                "该指标由状态变化结束，请使用状态流转",
                "this metric ends with a state change; use a transition",
            ));
        }
        let at = instant(&mut c, "at", self.at.as_deref());
        let note = c.optional_text("note", self.note.as_deref(), REASON_MAX);
        c.finish().map(|_| (metric, at, note))
    }
}

/// Why a transition is refused: the states the ticket may move to instead.
pub fn transition_refused(from: Status, to: Status, allowed: &[Status]) -> Msg {
    let list = |en: bool| {
        if allowed.is_empty() {
            return if en { "none".to_string() } else { "无".to_string() };
        }
        allowed
            .iter()
            .map(|s| if en { s.as_str().to_string() } else { format!("{}（{}）", s.label().zh, s.as_str()) })
            .collect::<Vec<_>>()
            .join(if en { ", " } else { "、" })
    };
    Msg::new(
        format!("工单当前为“{}”，不能转为“{}”；可转为：{}", from.label().zh, to.label().zh, list(false)),
        format!("the ticket is {}, it cannot become {}; allowed: {}", from.as_str(), to.as_str(), list(true)),
    )
}
