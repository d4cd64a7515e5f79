use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "security_plans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub system_id: String,
    pub unit_id: String,
    pub kind: String,
    #[sea_orm(column_type = "Text")]
    pub recurrence: String,
    pub calendar_id: String,
    pub holiday_rule: String,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub active: bool,
    #[sea_orm(column_type = "Text")]
    pub notes: Option<String>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
