//! Which clock a ticket's next due time belongs to, so a list row can say "响应 剩 5 分".

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("tickets"))
                .add_column(ColumnDef::new(Alias::new("next_due_metric")).string().null())
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Alias::new("tickets")).drop_column(Alias::new("next_due_metric")).take())
            .await
    }
}
