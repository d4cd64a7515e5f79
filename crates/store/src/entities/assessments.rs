use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "assessments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub contract_id: String,
    pub vendor_id: String,
    pub template_id: String,
    pub template_key: String,
    pub template_name: String,
    #[sea_orm(column_type = "Text")]
    pub spec: String,
    pub period_from: Date,
    pub period_to: Date,
    pub status: String,
    pub vetoed: bool,
    #[sea_orm(column_type = "Text")]
    pub veto_reason: Option<String>,
    pub published_at: Option<DateTimeUtc>,
    pub appeal_until: Option<DateTimeUtc>,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub finalized_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub final_result: Option<String>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
