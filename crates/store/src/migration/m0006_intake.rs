//! Alert intake: integration accounts (a name, a kind, a token kept only as its hash) and the
//! alerts that named no known system, kept for the administrator instead of dropped.

use sea_orm_migration::prelude::*;

use super::{id, index, instant, name, opt_instant, opt_str, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Integrations::Table)
                .col(id(Integrations::Id))
                .col(name(Integrations::Name))
                .col(ColumnDef::new(Integrations::Kind).string_len(20).not_null())
                .col(ColumnDef::new(Integrations::TokenHash).string_len(64).not_null())
                .col(ColumnDef::new(Integrations::SystemLabel).string_len(100).not_null())
                .col(ColumnDef::new(Integrations::Active).boolean().not_null())
                .col(instant(Integrations::CreatedAt))
                .col(opt_instant(Integrations::LastUsedAt))
                .take(),
        )
        .await?;
        m.create_index(index(Integrations::Table, "ux_integrations_token", &["token_hash"], true)).await?;

        m.create_table(
            Table::create()
                .table(Unmatched::Table)
                .col(id(Unmatched::Id))
                .col(ColumnDef::new(Unmatched::IntegrationId).string_len(40).not_null())
                .col(ColumnDef::new(Unmatched::AlertKey).string_len(200).not_null())
                .col(opt_str(Unmatched::SystemRef, 200))
                .col(ColumnDef::new(Unmatched::Firing).boolean().not_null())
                .col(instant(Unmatched::At))
                .col(name(Unmatched::Title))
                .col(text(Unmatched::Labels))
                .col(instant(Unmatched::ReceivedAt))
                .take(),
        )
        .await?;
        m.create_index(index(Unmatched::Table, "ix_unmatched_alerts_received", &["received_at"], false)).await
    }
}

#[derive(DeriveIden)]
enum Integrations {
    Table,
    Id,
    Name,
    Kind,
    TokenHash,
    SystemLabel,
    Active,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum Unmatched {
    #[sea_orm(iden = "unmatched_alerts")]
    Table,
    Id,
    IntegrationId,
    AlertKey,
    SystemRef,
    Firing,
    At,
    Title,
    Labels,
    ReceivedAt,
}
