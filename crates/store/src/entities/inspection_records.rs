use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "inspection_records")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub task_id: String,
    pub plan_id: String,
    pub system_id: String,
    pub unit_id: String,
    pub template_id: String,
    pub template_name: String,
    pub inspected_on: Date,
    pub inspected_at: DateTimeUtc,
    pub inspector_id: String,
    pub inspector_name: String,
    #[sea_orm(column_type = "Text")]
    pub note: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub accuracy: Option<f64>,
    pub abnormal_count: i32,
    pub created_at: DateTimeUtc,
    pub timing: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub signature: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
