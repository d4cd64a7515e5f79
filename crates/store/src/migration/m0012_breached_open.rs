//! Urgency order reads the breached tickets still open first (`tickets::due_order_ids`): a few
//! hundred of a million rows, found by `breached` and `status` without visiting the closed ones.

use sea_orm_migration::prelude::*;

use super::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let cols = &["breached", "status", "reported_at", "id"];
        m.create_index(index(Alias::new("tickets"), "ix_tickets_breached_status", cols, false)).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_tickets_breached_status").table(Alias::new("tickets")).to_owned()).await
    }
}
