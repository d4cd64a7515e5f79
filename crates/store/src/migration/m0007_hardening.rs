//! Limits the database keeps itself, so two servers or two requests at once cannot pass them:
//! upload quotas per owner taken by one conditional upsert, and at most one open interruption
//! per alert key and per monitor.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(UploadQuotas::Table)
                .col(ColumnDef::new(UploadQuotas::Kind).string_len(40).not_null())
                .col(ColumnDef::new(UploadQuotas::OwnerId).string_len(40).not_null())
                .col(ColumnDef::new(UploadQuotas::Used).integer().not_null())
                .primary_key(Index::create().col(UploadQuotas::Kind).col(UploadQuotas::OwnerId))
                .take(),
        )
        .await?;
        let db = m.get_connection();
        // What is already there counts; a recorded task is closed (its photos are evidence).
        db.execute_unprepared(
            "INSERT INTO upload_quotas (kind, owner_id, used) \
             SELECT 'ticket_attachments', ticket_id, COUNT(*) FROM ticket_attachments GROUP BY ticket_id",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO upload_quotas (kind, owner_id, used) \
             SELECT 'inspection_photos', task_id, COUNT(*) FROM inspection_photos GROUP BY task_id",
        )
        .await?;
        // Duplicates opened by concurrent alerts before this migration: keep the first of each
        // key open, and close the others where they began (they describe the same outage).
        for col in ["alert_key", "monitor_id"] {
            db.execute_unprepared(&format!(
                "UPDATE interruptions SET ended_at = started_at \
                 WHERE ended_at IS NULL AND {col} IS NOT NULL AND id NOT IN \
                 (SELECT MIN(id) FROM interruptions WHERE ended_at IS NULL AND {col} IS NOT NULL GROUP BY {col})"
            ))
            .await?;
            // Partial unique indexes: the same statement in SQLite and PostgreSQL.
            db.execute_unprepared(&format!(
                "CREATE UNIQUE INDEX ux_interruptions_open_{col} ON interruptions ({col}) \
                 WHERE ended_at IS NULL AND {col} IS NOT NULL"
            ))
            .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum UploadQuotas {
    Table,
    Kind,
    OwnerId,
    Used,
}
