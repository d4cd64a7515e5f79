//! "My tickets, most urgent first" and "unassigned, most urgent first" (the home page) read the
//! running tickets of one assignee (or of none) in due order from an index, instead of every
//! ticket the engineer ever had, sorted.

use sea_orm_migration::prelude::*;

use super::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let cols = &["assignee_id", "next_due_at", "id"];
        m.create_index(index(Alias::new("tickets"), "ix_tickets_assignee_due", cols, false)).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_tickets_assignee_due").table(Alias::new("tickets")).to_owned()).await
    }
}
