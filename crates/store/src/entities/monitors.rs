use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "monitors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub system_id: String,
    pub unit_id: String,
    pub name: String,
    pub kind: String,
    pub target: String,
    pub interval_seconds: i32,
    pub timeout_ms: i32,
    pub failures_before_down: i32,
    pub successes_before_up: i32,
    pub expect: String,
    pub active: bool,
    pub state: String,
    pub state_since: Option<DateTimeUtc>,
    pub last_checked_at: Option<DateTimeUtc>,
    pub last_ok: Option<bool>,
    pub last_latency_ms: Option<i32>,
    pub last_error: Option<String>,
    pub cert_not_after: Option<DateTimeUtc>,
    pub cert_issuer: Option<String>,
    pub cert_subject: Option<String>,
    pub cert_chain_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub secret_headers: Option<String>,
    pub restricted: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
