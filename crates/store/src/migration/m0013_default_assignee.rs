//! A contract item may name who handles its tickets when nobody is chosen (a unit's report, an
//! inspection's abnormal item, a monitor's outage).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("contract_items"))
                .add_column(ColumnDef::new(Alias::new("default_assignee_id")).string().null())
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(Alias::new("contract_items")).drop_column(Alias::new("default_assignee_id")).take(),
        )
        .await
    }
}
