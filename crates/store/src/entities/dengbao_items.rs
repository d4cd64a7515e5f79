use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dengbao_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub system_id: String,
    pub unit_id: String,
    pub assessment_id: Option<String>,
    pub title: String,
    pub risk: String,
    pub deadline: Date,
    pub status: String,
    pub done_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub done_note: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
    pub closed_by_name: Option<String>,
    pub revision: i32,
    pub created_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
