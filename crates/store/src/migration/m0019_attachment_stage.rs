//! A ticket's attachment may say which step it documents: a photo on arrival, or of the result
//! on resolving (the service record of 002 需求91 with its evidence).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("ticket_attachments"))
                .add_column(ColumnDef::new(Alias::new("stage")).string_len(20).null())
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Alias::new("ticket_attachments")).drop_column(Alias::new("stage")).take())
            .await
    }
}
