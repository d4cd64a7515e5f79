use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inspection_results")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub record_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub item_id: String,
    pub seq: i32,
    pub item_name: String,
    pub item_group: Option<String>,
    pub expected: Option<String>,
    pub result_type: String,
    #[sea_orm(column_type = "Text")]
    pub value: Option<String>,
    pub unit: Option<String>,
    pub abnormal: bool,
    pub automatic: bool,
    #[sea_orm(column_type = "Text")]
    pub note: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub suggestion: Option<String>,
    pub ticket_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
