//! What the API answers about tickets.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::clocks::ClockState;
use super::{Cause, Channel, Status, TicketType};
use crate::sla::target::{Explanation, Target};

/// The service record written on resolving a ticket (处理结果; for incidents also 故障类型、处理方法、
/// 原因、预防措施 and the device model, 002 需求91). The reporter confirms it by confirming the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Resolution {
    /// 处理结果: what was done and how it ended.
    pub summary: String,
    /// 故障类型.
    pub fault_type: Option<String>,
    /// 处理方法.
    pub method: Option<String>,
    /// 故障原因.
    pub cause: Option<String>,
    /// 预防措施.
    pub prevention: Option<String>,
    /// 设备型号, where a device was involved.
    pub device_model: Option<String>,
}

/// A ticket as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Ticket {
    pub id: String,
    /// 工单编号, e.g. `YW20261122-0007`.
    pub number: String,
    #[serde(rename = "type")]
    pub kind: TicketType,
    pub channel: Channel,
    pub title: String,
    pub description: Option<String>,
    pub system_id: String,
    pub unit_id: String,
    pub vendor_id: Option<String>,
    pub contract_item_id: Option<String>,
    /// The SLA policy and the version the ticket runs under (pinned at creation).
    pub policy_id: Option<String>,
    pub policy_version: Option<i32>,
    pub calendar_id: Option<String>,
    /// A level name of the policy.
    pub severity: Option<String>,
    pub status: Status,
    /// L1 first line, L2 on-site senior, L3 vendor expert, L4 original manufacturer.
    pub support_level: String,
    pub reporter_id: Option<String>,
    pub reporter_name: String,
    pub contact: Option<String>,
    pub assignee_id: Option<String>,
    pub reported_at: DateTime<Utc>,
    /// The report fell inside the calendar's working time.
    pub in_hours: bool,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// What is waited for while pending.
    pub waiting_for: Option<String>,
    pub cause: Option<Cause>,
    /// Whether the cause counts against the vendor under the contract item.
    pub cause_counted: Option<bool>,
    pub outage_start: Option<DateTime<Utc>>,
    pub outage_end: Option<DateTime<Utc>>,
    pub rating: Option<i32>,
    pub rating_comment: Option<String>,
    /// What the vendor recorded on resolving (the service record of 002 需求91); cleared on reopen.
    pub resolution: Option<Resolution>,
    /// The earliest due time of a running clock.
    pub next_due_at: Option<DateTime<Utc>>,
    /// The clock that time belongs to (response, arrival, restore, resolve, …).
    pub next_due_metric: Option<String>,
    /// A running clock has spent most of its budget (see `docs/architecture.md`).
    pub at_risk: bool,
    /// A clock has breached.
    pub breached: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Since when the ticket has had its severity (the report, or the last upgrade).
    #[serde(skip)]
    pub severity_since: Option<DateTime<Utc>>,
    /// When a running clock reaches the at-risk share of its budget.
    #[serde(skip)]
    pub risk_at: Option<DateTime<Utc>>,
    /// When the clock job must look at the ticket next.
    #[serde(skip)]
    pub next_check_at: Option<DateTime<Utc>>,
    /// Bumped by every write; a write that finds another revision lost a race and retries.
    #[serde(skip)]
    pub revision: i32,
}

/// One SLA clock on a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ClockView {
    pub metric: String,
    pub target: Target,
    /// The target in words.
    pub rule: String,
    pub start_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub state: ClockState,
    pub stopped_at: Option<DateTime<Utc>>,
    pub breached_at: Option<DateTime<Utc>>,
    /// Seconds left until due (running), or overrun so far (breached, negative).
    pub remaining_seconds: Option<i64>,
    pub budget_minutes: f64,
    pub spent_minutes: f64,
    pub percent_spent: u32,
    /// The share of the budget from which the clock is “at risk” (amber): the policy's first
    /// escalation step for the metric, else 80.
    pub risk_percent: u32,
    /// When a running clock turns amber.
    pub risk_at: Option<DateTime<Utc>>,
    /// How the due time was reached, step by step.
    pub explanation: Explanation,
}

/// One entry of a ticket's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Event {
    pub seq: i32,
    pub at: DateTime<Utc>,
    /// When it was recorded (differs from `at` for back-filled times).
    pub recorded_at: DateTime<Utc>,
    pub actor_id: Option<String>,
    pub actor_name: String,
    /// created, transition, assigned, level, severity, escalation, milestone, rated, cause,
    /// attachment.
    pub kind: String,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub reason: Option<String>,
    /// Details of the event (the escalation step, the new assignee, …).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    /// The event in words, in the caller's language.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Comment {
    pub id: String,
    pub ticket_id: String,
    pub author_id: Option<String>,
    pub author_name: String,
    pub body: String,
    /// Seen by the bureau and the vendor only, never by the reporter's unit.
    pub internal: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Attachment {
    pub id: String,
    pub ticket_id: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub internal: bool,
    pub uploaded_by: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The step the file documents: a photo taken on arrival, or of the result on resolving.
    pub stage: Option<AttachmentStage>,
}

/// The step of the work an attachment documents (002 需求91: the service record with evidence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentStage {
    Arrival,
    Resolution,
}

impl AttachmentStage {
    pub fn parse(s: &str) -> Option<AttachmentStage> {
        match s {
            "arrival" => Some(AttachmentStage::Arrival),
            "resolution" => Some(AttachmentStage::Resolution),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentStage::Arrival => "arrival",
            AttachmentStage::Resolution => "resolution",
        }
    }
}

/// A ticket with everything its page shows.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TicketDetail {
    #[serde(flatten)]
    pub ticket: Ticket,
    pub clocks: Vec<ClockView>,
    pub events: Vec<Event>,
    pub comments: Vec<Comment>,
    pub attachments: Vec<Attachment>,
    /// The states the caller may move the ticket to now.
    pub allowed: Vec<Status>,
    /// Names of the policy's levels, most severe first.
    pub levels: Vec<String>,
    /// The assignee as people know them (display name, else user name); units see no user ids.
    pub assignee_name: Option<String>,
    /// What the due times follow (null for a ticket no policy covers).
    pub sla_basis: Option<SlaBasis>,
}

/// The rules behind a ticket's clocks, named: the policy at the version pinned when it was
/// reported, the level, the calendar, and whether it came in working hours.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SlaBasis {
    pub policy_id: String,
    pub policy_name: String,
    pub version: i32,
    pub level: Option<String>,
    pub calendar_id: String,
    pub calendar_name: String,
    pub in_hours: bool,
}

/// An in-app notification (the outbox other channels will read later).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Notification {
    pub id: String,
    pub user_id: String,
    pub ticket_id: Option<String>,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// A due time of an open ticket that a calendar change would move.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MovedDue {
    pub ticket_id: String,
    pub number: String,
    pub metric: String,
    pub due_before: Option<DateTime<Utc>>,
    pub due_after: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CalendarPreview {
    /// Open tickets counted in this calendar that were examined.
    pub open_tickets: usize,
    /// More open tickets exist than were examined.
    pub truncated: bool,
    pub moved: Vec<MovedDue>,
}
