use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "backup_policies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub system_id: String,
    pub unit_id: String,
    pub name: String,
    pub object: String,
    pub method: String,
    #[sea_orm(column_type = "Text")]
    pub frequency: String,
    pub calendar_id: String,
    pub holiday_rule: String,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub retention_days: i64,
    pub location: String,
    pub rpo_minutes: Option<i64>,
    pub rto_minutes: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub drill_frequency: Option<String>,
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
