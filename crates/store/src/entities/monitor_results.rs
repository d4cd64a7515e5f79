use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "monitor_results")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub monitor_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub at: DateTimeUtc,
    pub ok: bool,
    pub latency_ms: i32,
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
