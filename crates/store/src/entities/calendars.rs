use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendars")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub time_zone: String,
    #[sea_orm(column_type = "Text")]
    pub weekly: String,
    #[sea_orm(column_type = "Text")]
    pub holiday_sets: String,
    #[sea_orm(column_type = "Text")]
    pub overrides: String,
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
    pub preset: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
