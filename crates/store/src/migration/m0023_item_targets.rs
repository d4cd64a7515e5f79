//! Targets on a contract item's indicators (key, comparison, value, window), kept as JSON like
//! its milestones: read and written with the item, never queried inside.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("contract_items"))
                .add_column(ColumnDef::new(Alias::new("targets")).text().not_null().default("[]"))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Alias::new("contract_items")).drop_column(Alias::new("targets")).take())
            .await
    }
}
