//! The home page at a million tickets (issue 16). The unassigned open tickets of one vendor (the
//! "unassigned" card of its engineers and manager) are few among a million, which SQLite found by
//! walking every ticket the vendor ever had (0.9 s cold): a partial index holds only tickets
//! nobody handles. A unit user's own reports by status ("my open reports", "waiting for my
//! confirmation") were counted by walking the unit's whole history (130 ms). Both statements work
//! on both databases.

use sea_orm_migration::prelude::*;

use super::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_tickets_unassigned ON tickets (vendor_id, status, next_due_at, id) \
                 WHERE assignee_id IS NULL",
            )
            .await?;
        let cols = &["reporter_id", "status", "reported_at", "id"];
        m.create_index(index(Alias::new("tickets"), "ix_tickets_reporter_status", cols, false)).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in ["ix_tickets_unassigned", "ix_tickets_reporter_status"] {
            m.drop_index(Index::drop().name(name).table(Alias::new("tickets")).to_owned()).await?;
        }
        Ok(())
    }
}
