use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "approvals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub kind: String,
    pub subject_type: String,
    pub subject_id: Option<String>,
    pub system_id: Option<String>,
    pub unit_id: Option<String>,
    pub vendor_id: Option<String>,
    pub title: String,
    pub title_en: String,
    pub proposed: String,
    pub current: Option<String>,
    pub reason: Option<String>,
    pub payload: String,
    pub status: String,
    pub requested_by: String,
    pub requested_by_name: String,
    pub requester_role: String,
    pub requested_at: DateTimeUtc,
    pub decided_by: Option<String>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub comment: Option<String>,
    pub unit_may_decide: bool,
    pub steps: String,
    pub current_step: i32,
    pub waiting_for: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
