//! Urgency order at a million tickets (the home page): an assignee's (or nobody's) running tickets
//! in due order, and the tickets of one status without a due time in id order, each read from an
//! index instead of from every ticket an engineer ever had.

use sea_orm_migration::prelude::*;

use super::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let cols = &["assignee_id", "next_due_at", "id"];
        m.create_index(index(Alias::new("tickets"), "ix_tickets_assignee_due", cols, false)).await?;
        let cols = &["status", "next_due_at", "id"];
        m.create_index(index(Alias::new("tickets"), "ix_tickets_status_due", cols, false)).await?;
        // Counting an assignee's open tickets (`total` of "my tickets").
        let cols = &["assignee_id", "status", "id"];
        m.create_index(index(Alias::new("tickets"), "ix_tickets_assignee_status", cols, false)).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in ["ix_tickets_assignee_due", "ix_tickets_status_due", "ix_tickets_assignee_status"] {
            m.drop_index(Index::drop().name(name).table(Alias::new("tickets")).to_owned()).await?;
        }
        Ok(())
    }
}
