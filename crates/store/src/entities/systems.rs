use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "systems")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub unit_id: String,
    pub developer: Option<String>,
    pub brand: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub deployment: Option<String>,
    pub dengbao_level: Option<i32>,
    pub criticality: String,
    pub service_hours: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub sla_text: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
    pub addresses: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
