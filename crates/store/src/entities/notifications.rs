use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: String,
    pub ticket_id: Option<String>,
    pub kind: String,
    #[sea_orm(column_type = "Text")]
    pub message: String,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
    pub urgent: bool,
    pub dispatched: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
