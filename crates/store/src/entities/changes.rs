use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "changes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub kind: String,
    pub change_type: String,
    pub risk: String,
    pub title: String,
    pub description: Option<String>,
    pub unit_id: String,
    pub vendor_id: Option<String>,
    pub planned_start: DateTimeUtc,
    pub planned_end: DateTimeUtc,
    pub plan: Option<String>,
    pub rollback_plan: Option<String>,
    pub test_evidence: Option<String>,
    pub downtime: bool,
    pub version: Option<String>,
    pub release_plan: Option<String>,
    pub status: String,
    pub approval_id: Option<String>,
    pub approved_at: Option<DateTimeUtc>,
    pub started_at: Option<DateTimeUtc>,
    pub started_before_approval: bool,
    pub finished_at: Option<DateTimeUtc>,
    pub outcome: Option<String>,
    pub outcome_note: Option<String>,
    pub ticket_id: Option<String>,
    pub requested_by: String,
    pub requested_by_name: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
