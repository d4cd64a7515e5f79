//! Inspection plans (a system × a checklist × a recurrence) and the tasks they generate.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::recurrence::{HolidayRule, Recurrence};
use crate::error::Checker;
use crate::{FieldError, Role};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PlanInput {
    /// Defaults to the template's name.
    pub name: Option<String>,
    pub system_id: Option<String>,
    /// An asset of the system the plan is about (a server, the UPS), if not the whole system.
    pub asset_id: Option<String>,
    pub template_id: Option<String>,
    /// `{"every": "working_day"}`, `{"every": "week", "weekdays": ["mon", "thu"]}`, … (see docs).
    #[schema(value_type = Object)]
    pub recurrence: Option<Value>,
    /// Whose working days count; the bureau's 5×8 calendar when omitted.
    pub calendar_id: Option<String>,
    /// skip, next_working_day (default), keep.
    pub holiday_rule: Option<String>,
    /// The person who inspects; or leave it empty and give `assignee_role`.
    pub assignee_id: Option<String>,
    /// engineer or vendor_pm: anyone of the system's vendor in that role may take the task.
    pub assignee_role: Option<String>,
    /// "HH:MM", the day's window (default 08:30–17:30); a task is due at its end.
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    /// YYYY-MM-DD; today when omitted.
    pub start_date: Option<String>,
    /// YYYY-MM-DD; for `times_in_period` the end of the contract item's period when omitted.
    pub end_date: Option<String>,
    pub active: Option<bool>,
    /// Why, when the change goes to the bureau for approval (vendor staff).
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlanSpec {
    pub name: Option<String>,
    pub system_id: String,
    pub asset_id: Option<String>,
    pub template_id: String,
    pub recurrence: Recurrence,
    pub calendar_id: Option<String>,
    pub holiday_rule: HolidayRule,
    pub assignee_id: Option<String>,
    pub assignee_role: Option<Role>,
    /// Minutes after midnight.
    pub window: (u32, u32),
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = InspectionPlan)]
pub struct Plan {
    pub id: String,
    pub name: String,
    pub system_id: String,
    pub unit_id: String,
    pub asset_id: Option<String>,
    pub template_id: String,
    #[schema(value_type = Object)]
    pub recurrence: Value,
    /// The recurrence in words.
    pub recurrence_text: String,
    pub calendar_id: String,
    pub holiday_rule: HolidayRule,
    pub assignee_id: Option<String>,
    pub assignee_role: Option<Role>,
    pub window_start: String,
    pub window_end: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub const DEFAULT_WINDOW: (u32, u32) = (8 * 60 + 30, 17 * 60 + 30);

/// "HH:MM" → minutes after midnight; "24:00" is the end of the day.
pub fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 || h == 24 && m == 0).then_some(h * 60 + m)
}

pub fn hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

pub fn parse_date(c: &mut Checker, field: &str, v: Option<&str>) -> Option<NaiveDate> {
    let v = v.map(str::trim).filter(|s| !s.is_empty())?;
    crate::registry::parse_date(field, v).map_err(|e| c.push(e)).ok()
}

impl PlanInput {
    pub fn validate(&self) -> Result<PlanSpec, Vec<FieldError>> {
        let mut c = Checker::default();
        let name = c.optional_text("name", self.name.as_deref(), 100);
        let system_id = c.required_text("system_id", self.system_id.as_deref().unwrap_or(""), 64);
        let template_id = c.required_text("template_id", self.template_id.as_deref().unwrap_or(""), 64);
        let asset_id = c.optional_text("asset_id", self.asset_id.as_deref(), 64);
        let calendar_id = c.optional_text("calendar_id", self.calendar_id.as_deref(), 64);
        let schedule = super::recurrence::Schedule::read(
            &mut c,
            self.recurrence.as_ref(),
            self.holiday_rule.as_deref(),
            (self.start_date.as_deref(), self.end_date.as_deref()),
        );
        let assignee_id = c.optional_text("assignee_id", self.assignee_id.as_deref(), 64);
        let assignee_role = match self.assignee_role.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some("engineer") => Some(Role::Engineer),
            Some("vendor_pm") => Some(Role::VendorPm),
            Some(_) => {
                c.push(FieldError::new("assignee_role", "应为 engineer 或 vendor_pm", "must be engineer or vendor_pm"));
                None
            }
        };
        let mut time = |field: &str, v: Option<&str>, default: u32| match v.map(str::trim).filter(|s| !s.is_empty()) {
            None => default,
            Some(s) => parse_hhmm(s).unwrap_or_else(|| {
                c.push(FieldError::new(field, "时间格式应为 HH:MM", "must be a time as HH:MM"));
                default
            }),
        };
        let window = (
            time("window_start", self.window_start.as_deref(), DEFAULT_WINDOW.0),
            time("window_end", self.window_end.as_deref(), DEFAULT_WINDOW.1),
        );
        if window.0 >= window.1 {
            c.push(FieldError::new("window_end", "结束时间应晚于开始时间", "must be after window_start"));
        }
        c.finish()?;
        Ok(PlanSpec {
            name,
            system_id,
            asset_id,
            template_id,
            recurrence: schedule.recurrence,
            calendar_id,
            holiday_rule: schedule.holiday_rule,
            assignee_id,
            assignee_role,
            window,
            start_date: schedule.start_date,
            end_date: schedule.end_date,
            active: self.active.unwrap_or(true),
        })
    }
}

/// The key a list of plans sorts by (with `order`); by name when none is given.
pub const PLAN_SORT_KEYS: &[&str] = &["name"];

/// What a list of plans can be narrowed by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanFilter {
    pub system_id: Option<String>,
    pub template_id: Option<String>,
    pub active: Option<bool>,
}

/// The key a list of tasks sorts by (with `order`): the day they are for, the default.
pub const TASK_SORT_KEYS: &[&str] = &["scheduled_for"];

/// What a list of tasks can be narrowed by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskFilter {
    pub plan_id: Option<String>,
    pub system_id: Option<String>,
    pub assignee_id: Option<String>,
    pub status: Option<TaskStatus>,
    /// `true`: not done yet (pending or overdue).
    pub open: Option<bool>,
    /// The caller's own: assigned to them, or to their role with no person named (the app fills
    /// `person` from the caller).
    pub mine: bool,
    pub person: Option<(String, crate::Role)>,
    /// Scheduled on or after.
    pub from: Option<NaiveDate>,
    /// Scheduled on or before.
    pub to: Option<NaiveDate>,
}

/// Where a task stands. `overdue` is not stored: a pending task past its due time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Pending,
    Overdue,
    Done,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = InspectionTask)]
pub struct Task {
    pub id: String,
    pub plan_id: String,
    pub system_id: String,
    pub unit_id: String,
    pub template_id: String,
    pub scheduled_for: NaiveDate,
    /// When the day's window opens and closes.
    pub opens_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub status: TaskStatus,
    pub assignee_id: Option<String>,
    pub assignee_role: Option<Role>,
    pub record_id: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Done by its due time (`null` while pending).
    pub on_time: Option<bool>,
}

impl Task {
    pub fn status_at(done: bool, due_at: DateTime<Utc>, now: DateTime<Utc>) -> TaskStatus {
        if done {
            TaskStatus::Done
        } else if now > due_at {
            TaskStatus::Overdue
        } else {
            TaskStatus::Pending
        }
    }
}
