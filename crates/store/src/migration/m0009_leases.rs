//! Leases: which server runs a background job, and which servers are alive to share the
//! monitors. Expiry is kept in the database's own milliseconds so servers with clocks a few
//! seconds apart still agree on who holds what.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Leases::Table)
                .col(ColumnDef::new(Leases::Name).string_len(200).not_null().primary_key())
                .col(ColumnDef::new(Leases::Holder).string_len(100).not_null())
                .col(ColumnDef::new(Leases::ExpiresMs).big_integer().not_null())
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Leases::Table).take()).await
    }
}

#[derive(DeriveIden)]
enum Leases {
    Table,
    Name,
    Holder,
    ExpiresMs,
}
