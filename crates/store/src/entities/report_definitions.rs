use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "report_definitions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub contract_id: String,
    pub name: String,
    pub kind: String,
    pub anchor: Date,
    pub scope: String,
    pub scope_id: String,
    #[sea_orm(column_type = "Text")]
    pub due: String,
    #[sea_orm(column_type = "Text")]
    pub sections: String,
    pub auto: bool,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
