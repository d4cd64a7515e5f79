use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "backup_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub policy_id: String,
    pub system_id: String,
    pub unit_id: String,
    pub started_at: DateTimeUtc,
    pub finished_at: DateTimeUtc,
    pub result: String,
    pub size_bytes: Option<i64>,
    pub stored_at: Option<String>,
    pub tool: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub message: Option<String>,
    pub source: String,
    pub recorded_by: String,
    pub recorded_by_name: String,
    pub created_at: DateTimeUtc,
    pub voided_at: Option<DateTimeUtc>,
    pub voided_by: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub void_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
