use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "holiday_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub set_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub date: Date,
    pub kind: String,
    pub name: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
