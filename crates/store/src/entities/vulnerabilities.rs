use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "vulnerabilities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub system_id: String,
    pub unit_id: String,
    pub asset_id: Option<String>,
    pub title: String,
    pub severity: String,
    pub severity_rank: i32,
    pub cvss: Option<f64>,
    pub cve: Option<String>,
    pub cnvd: Option<String>,
    pub cnnvd: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub identifiers: Option<String>,
    pub source: String,
    pub notice_org: Option<String>,
    pub notice_number: Option<String>,
    pub host: Option<String>,
    pub port: Option<i32>,
    pub protocol: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub url: Option<String>,
    pub plugin_id: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub solution: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub evidence: Option<String>,
    pub status: String,
    pub found_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
    pub seen_count: i32,
    pub assignee_id: Option<String>,
    pub ticket_id: Option<String>,
    pub policy_id: Option<String>,
    pub policy_version: Option<i32>,
    pub due_at: Option<DateTimeUtc>,
    pub clock_state: Option<String>,
    pub risk_at: Option<DateTimeUtc>,
    pub breached: bool,
    #[sea_orm(column_type = "Text")]
    pub clock: Option<String>,
    pub next_check_at: Option<DateTimeUtc>,
    pub fixed_at: Option<DateTimeUtc>,
    pub verified_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub decision_reason: Option<String>,
    pub accepted_until: Option<Date>,
    pub request_id: Option<String>,
    pub import_id: Option<String>,
    pub fingerprint: String,
    pub revision: i32,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
