use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dengbao_records")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub system_id: String,
    pub filing_number: Option<String>,
    pub filed_on: Option<Date>,
    pub next_due_set: Option<Date>,
    #[sea_orm(column_type = "Text")]
    pub notes: Option<String>,
    pub reporting_class: Option<String>,
    pub updated_by: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
