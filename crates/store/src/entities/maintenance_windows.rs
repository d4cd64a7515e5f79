use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "maintenance_windows")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub system_id: String,
    pub unit_id: String,
    pub name: String,
    pub spec: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub reason: Option<String>,
    pub effective_from: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    pub requested_by_name: Option<String>,
    pub approved_by_name: Option<String>,
    pub approval_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
