//! Room for the `sm` suite's values on PostgreSQL: an SM3 hash is `sm3:` and 64 hex digits (the
//! audit chain, stored files, issued reports), and a phone number may be stored sealed (SM4-GCM,
//! base64 with a prefix). Those columns were sized for SHA-256 hex and bare numbers. SQLite does
//! not enforce lengths and is left as it is.

use sea_orm::DatabaseBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, column, length before, length now, nullable).
const COLUMNS: [(&str, &str, u32, u32, bool); 10] = [
    ("users", "phone", 50, 255, true),
    ("units", "contact_phone", 50, 255, true),
    ("vendors", "contact_phone", 50, 255, true),
    ("audit_log", "prev_hash", 64, 80, false),
    ("audit_log", "hash", 64, 80, false),
    ("audit_head", "hash", 64, 80, false),
    ("ticket_attachments", "sha256", 64, 80, false),
    ("approval_files", "sha256", 64, 80, false),
    ("report_versions", "docx_sha256", 64, 80, false),
    ("report_versions", "xlsx_sha256", 64, 80, false),
];

async fn resize(m: &SchemaManager<'_>, up: bool) -> Result<(), DbErr> {
    if m.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    for (table, column, before, now, nullable) in COLUMNS {
        let mut c = ColumnDef::new(Alias::new(column));
        c.string_len(if up { now } else { before });
        if nullable {
            c.null();
        } else {
            c.not_null();
        }
        m.alter_table(Table::alter().table(Alias::new(table)).modify_column(c).take()).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        resize(m, true).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        resize(m, false).await
    }
}
