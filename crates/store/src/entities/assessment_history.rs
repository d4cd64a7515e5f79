use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "assessment_history")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub assessment_id: String,
    pub criterion_key: Option<String>,
    pub action: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    #[sea_orm(column_type = "Text")]
    pub reason: Option<String>,
    pub actor_id: String,
    pub actor_name: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
