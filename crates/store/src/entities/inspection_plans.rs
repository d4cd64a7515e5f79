use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inspection_plans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub system_id: String,
    pub unit_id: String,
    pub asset_id: Option<String>,
    pub template_id: String,
    #[sea_orm(column_type = "Text")]
    pub recurrence: String,
    pub calendar_id: String,
    pub holiday_rule: String,
    pub assignee_id: Option<String>,
    pub assignee_role: Option<String>,
    pub window_start: i32,
    pub window_end: i32,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub active: bool,
    pub generated_until: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
