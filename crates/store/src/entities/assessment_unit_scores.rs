use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "assessment_unit_scores")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub assessment_id: String,
    pub criterion_key: String,
    pub unit_id: String,
    pub systems: i32,
    pub points: Option<f64>,
    #[sea_orm(column_type = "Text")]
    pub reason: Option<String>,
    pub scored_by: Option<String>,
    pub scored_by_name: Option<String>,
    pub scored_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
