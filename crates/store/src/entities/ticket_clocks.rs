use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ticket_clocks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub ticket_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub metric: String,
    #[sea_orm(column_type = "Text")]
    pub target: String,
    pub start_at: DateTimeUtc,
    pub due_at: Option<DateTimeUtc>,
    pub state: String,
    pub stopped_at: Option<DateTimeUtc>,
    pub breached_at: Option<DateTimeUtc>,
    pub budget_us: i64,
    pub spent_us: i64,
    #[sea_orm(column_type = "Text")]
    pub pauses: String,
    #[sea_orm(column_type = "Text")]
    pub fired: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
