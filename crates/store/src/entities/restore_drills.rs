use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "restore_drills")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub policy_id: String,
    pub system_id: String,
    pub unit_id: String,
    pub performed_on: Date,
    pub restored: bool,
    pub restore_minutes: i64,
    pub data_loss_minutes: i64,
    pub rto_minutes: Option<i64>,
    pub rpo_minutes: Option<i64>,
    pub passed: bool,
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_by: String,
    pub created_by_name: String,
    pub created_at: DateTimeUtc,
    pub voided_at: Option<DateTimeUtc>,
    pub voided_by: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub void_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
