use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "monitor_hours")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub monitor_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub hour: i64,
    pub slots: Vec<u8>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
