use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "security_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub title: String,
    pub category: String,
    pub grade: String,
    pub grade_rank: i32,
    pub status: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub occurred_at: Option<DateTimeUtc>,
    pub found_at: DateTimeUtc,
    pub reporting_class: String,
    pub report_due_at: Option<DateTimeUtc>,
    pub reported_at: Option<DateTimeUtc>,
    pub report_ref: Option<String>,
    pub contained_at: Option<DateTimeUtc>,
    pub recovered_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub measures: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub lessons: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub ticket_ids: String,
    #[sea_orm(column_type = "Text")]
    pub vulnerability_ids: String,
    pub created_by: String,
    pub created_by_name: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub revision: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
