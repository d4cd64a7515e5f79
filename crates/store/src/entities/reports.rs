use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub contract_id: String,
    pub vendor_id: String,
    pub definition_id: Option<String>,
    pub kind: String,
    pub scope: String,
    pub scope_id: String,
    pub period_start: Date,
    pub period_end: Date,
    pub due_on: Date,
    pub status: String,
    #[sea_orm(column_type = "Text")]
    pub sections: String,
    #[sea_orm(column_type = "Text")]
    pub narrative: String,
    pub version: i32,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub first_submitted_at: Option<DateTimeUtc>,
    pub submitted_at: Option<DateTimeUtc>,
    pub issued_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
