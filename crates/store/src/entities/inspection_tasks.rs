use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inspection_tasks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub plan_id: String,
    pub system_id: String,
    pub unit_id: String,
    pub template_id: String,
    pub scheduled_for: Date,
    pub opens_at: DateTimeUtc,
    pub due_at: DateTimeUtc,
    pub done: bool,
    pub assignee_id: Option<String>,
    pub assignee_role: Option<String>,
    pub record_id: Option<String>,
    pub completed_at: Option<DateTimeUtc>,
    pub on_time: Option<bool>,
    pub abnormal_count: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
