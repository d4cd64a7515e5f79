use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "change_systems")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub change_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub system_id: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
