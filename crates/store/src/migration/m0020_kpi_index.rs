//! Indicators and assessments select a contract's tickets by item and report time: a contract-
//! year was read through the report-time index of every vendor's tickets (a third of a million
//! rows at a million tickets) and filtered.

use sea_orm_migration::prelude::*;

use super::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let cols = &["contract_item_id", "reported_at", "id"];
        m.create_index(index(Alias::new("tickets"), "ix_tickets_item_reported", cols, false)).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_tickets_item_reported").table(Alias::new("tickets")).to_owned()).await
    }
}
