use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub username: String,
    pub display_name: Option<String>,
    pub role: String,
    pub unit_id: Option<String>,
    pub vendor_id: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    #[sea_orm(column_type = "Text")]
    pub password_hash: String,
    pub failed_logins: i32,
    pub locked_until: Option<DateTimeUtc>,
    pub password_changed_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub last_login_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub totp_last_step: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub recovery_codes: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub password_history: Option<String>,
    pub must_change_password: bool,
    pub sso_provider_id: Option<String>,
    pub sso_subject: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
