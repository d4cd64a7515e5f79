//! An inspection record keeps when it was signed against its window (early, on time, late) and
//! the signature drawn on the phone.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("inspection_records"))
                .add_column(ColumnDef::new(Alias::new("timing")).string().null())
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("inspection_records"))
                .add_column(ColumnDef::new(Alias::new("signature")).text().null())
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for c in ["timing", "signature"] {
            m.alter_table(Table::alter().table(Alias::new("inspection_records")).drop_column(Alias::new(c)).take())
                .await?;
        }
        Ok(())
    }
}
