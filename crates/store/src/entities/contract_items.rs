use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "contract_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub contract_id: String,
    pub position: i32,
    pub name: String,
    pub budget_fen: i64,
    pub start_date: Date,
    pub end_date: Date,
    #[sea_orm(column_type = "Text")]
    pub milestones: String,
    #[sea_orm(column_type = "Text")]
    pub notes: Option<String>,
    pub sla_policy_id: Option<String>,
    pub vulnerability_policy_id: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub counted_causes: String,
    pub availability_target: Option<f64>,
    pub default_assignee_id: Option<String>,
    pub assign_to_duty: bool,
    #[sea_orm(column_type = "Text")]
    pub targets: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
