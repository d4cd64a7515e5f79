use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tickets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub number: String,
    pub kind: String,
    pub channel: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
    pub system_id: String,
    pub unit_id: String,
    pub vendor_id: Option<String>,
    pub contract_item_id: Option<String>,
    pub policy_id: Option<String>,
    pub policy_version: Option<i32>,
    pub calendar_id: Option<String>,
    pub severity: Option<String>,
    pub severity_since: Option<DateTimeUtc>,
    pub status: String,
    pub support_level: String,
    pub reporter_id: Option<String>,
    pub reporter_name: String,
    pub contact: Option<String>,
    pub assignee_id: Option<String>,
    pub reported_at: DateTimeUtc,
    pub in_hours: bool,
    pub resolved_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub waiting_for: Option<String>,
    pub cause: Option<String>,
    pub outage_start: Option<DateTimeUtc>,
    pub outage_end: Option<DateTimeUtc>,
    pub rating: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub rating_comment: Option<String>,
    pub resolution: Option<String>,
    pub next_due_at: Option<DateTimeUtc>,
    pub next_due_metric: Option<String>,
    pub risk_at: Option<DateTimeUtc>,
    pub breached: bool,
    pub next_check_at: Option<DateTimeUtc>,
    pub revision: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
