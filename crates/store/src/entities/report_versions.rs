use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "report_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub report_id: String,
    pub version: i32,
    pub file_id: String,
    pub docx_sha256: String,
    pub xlsx_sha256: String,
    pub docx_size: i64,
    pub xlsx_size: i64,
    #[sea_orm(column_type = "Text")]
    pub reason: Option<String>,
    pub issued_by: String,
    pub issued_by_name: String,
    pub issued_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
