//! Reminders sent, by key (a certificate's 30/7/1-day reminder, a digest of a day): a reminder
//! goes once, whichever server's job gets there first — the primary key decides.

use sea_orm_migration::prelude::*;

use super::instant;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Reminders {
    Table,
    Key,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Reminders::Table)
                .col(ColumnDef::new(Reminders::Key).string_len(300).not_null().primary_key())
                .col(instant(Reminders::SentAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Reminders::Table).to_owned()).await
    }
}
