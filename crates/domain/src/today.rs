//! The “today” home page: per role, the few lists that need someone now, each with its size and
//! the first items, most urgent first.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Role;

/// Items a section carries; its `count` says how many there are in all.
pub const ITEMS_PER_SECTION: u64 = 5;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Today {
    /// The bureau's date the page is for.
    pub today: NaiveDate,
    pub role: Role,
    pub sections: Vec<TodaySection>,
}

/// One list of the home page. Keys: `breached`, `at_risk`, `unassigned`, `systems_down`,
/// `inspections_overdue`, `approvals` (bureau, vendor manager, auditor); `my_tickets`,
/// `my_inspections_today`, `my_duty`, `unassigned` (engineer); `my_open`, `awaiting_confirmation` (unit user).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TodaySection {
    pub key: String,
    /// How many there are (a ticket count is exact up to 1,000).
    pub count: u64,
    /// The web page listing all of them, already filtered (a path with its query).
    pub link: String,
    pub items: Vec<TodayItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TodayKind {
    Ticket,
    System,
    InspectionTask,
    Approval,
    DutyShift,
}

/// One thing to look at, with what a phone card shows of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TodayItem {
    pub kind: TodayKind,
    pub id: String,
    pub title: String,
    /// A ticket's number.
    pub number: Option<String>,
    pub system_id: Option<String>,
    pub system_name: Option<String>,
    /// The moment that matters: a ticket's next due time (none once breached: it belongs to
    /// another clock), a task's due time, since when a system is down, when a request was made.
    pub at: Option<DateTime<Utc>>,
    /// For the badge: `breached`, `at_risk`, `running`, `overdue`, `pending`, `down`, `on_duty`,
    /// `upcoming` (a duty shift), or a ticket's status for a unit's own reports.
    pub state: String,
}
