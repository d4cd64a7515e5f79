//! The service record written on resolving a ticket (JSON: summary, fault type, method, cause,
//! prevention, device model).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("tickets"))
                .add_column(ColumnDef::new(Alias::new("resolution")).text().null())
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Alias::new("tickets")).drop_column(Alias::new("resolution")).take()).await
    }
}
