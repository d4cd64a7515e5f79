use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "assessment_deductions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub assessment_id: String,
    pub criterion_key: String,
    pub source: String,
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    pub subject_part: Option<String>,
    pub title: String,
    pub points: f64,
    pub status: String,
    #[sea_orm(column_type = "Text")]
    pub note: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
