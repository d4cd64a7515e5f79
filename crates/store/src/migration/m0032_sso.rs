//! Single sign-on: the identity providers (secrets encrypted, in their own column; the mapping
//! rules as JSON), the pending browser sign-ins (one row per `state`, taken once by a delete, so
//! a callback replayed or raced on two servers signs in once), each account's link to its
//! provider (one account per provider subject, by a unique key) and the provider a session came
//! through.

use sea_orm_migration::prelude::*;

use super::{fk, id, index, instant, name, opt_str, ref_id, short, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SsoProviders {
    Table,
    Id,
    Kind,
    Name,
    Config,
    Secrets,
    Mapping,
    Enabled,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SsoStates {
    Table,
    State,
    ProviderId,
    Verifier,
    Nonce,
    ReturnTo,
    TestBy,
    Result,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SsoProviders::Table)
                .col(id(SsoProviders::Id))
                .col(short(SsoProviders::Kind))
                .col(name(SsoProviders::Name))
                .col(ColumnDef::new(SsoProviders::Config).text().not_null())
                .col(text(SsoProviders::Secrets))
                .col(ColumnDef::new(SsoProviders::Mapping).text().not_null())
                .col(ColumnDef::new(SsoProviders::Enabled).boolean().not_null())
                .col(instant(SsoProviders::CreatedAt))
                .col(instant(SsoProviders::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(SsoProviders::Table, "ux_sso_providers_name", &["name"], true)).await?;
        m.create_table(
            Table::create()
                .table(SsoStates::Table)
                .col(ColumnDef::new(SsoStates::State).string_len(64).not_null().primary_key())
                .col(ref_id(SsoStates::ProviderId))
                .col(ColumnDef::new(SsoStates::Verifier).string_len(64).not_null())
                .col(ColumnDef::new(SsoStates::Nonce).string_len(64).not_null())
                .col(ColumnDef::new(SsoStates::ReturnTo).string_len(500).not_null())
                .col(opt_str(SsoStates::TestBy, 40))
                .col(text(SsoStates::Result))
                .col(instant(SsoStates::CreatedAt))
                .foreign_key(&mut fk(
                    (SsoStates::Table, SsoStates::ProviderId),
                    (SsoProviders::Table, SsoProviders::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(SsoStates::Table, "ix_sso_states_created", &["created_at"], false)).await?;
        for (col, len) in [("sso_provider_id", 40), ("sso_subject", 255)] {
            m.alter_table(
                Table::alter()
                    .table(Alias::new("users"))
                    .add_column(ColumnDef::new(Alias::new(col)).string_len(len).null())
                    .take(),
            )
            .await?;
        }
        m.create_index(index(Alias::new("users"), "ux_users_sso", &["sso_provider_id", "sso_subject"], true)).await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("sessions"))
                .add_column(ColumnDef::new(Alias::new("provider_id")).string_len(40).null())
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Alias::new("sessions")).drop_column(Alias::new("provider_id")).take())
            .await?;
        m.drop_index(Index::drop().name("ux_users_sso").table(Alias::new("users")).to_owned()).await?;
        for col in ["sso_subject", "sso_provider_id"] {
            m.alter_table(Table::alter().table(Alias::new("users")).drop_column(Alias::new(col)).take()).await?;
        }
        m.drop_table(Table::drop().table(SsoStates::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(SsoProviders::Table).to_owned()).await
    }
}
