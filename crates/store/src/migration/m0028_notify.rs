//! Notifications beyond the bell: the channels (secrets encrypted, in their own column), the
//! deliveries (at most one per dedup key: a ladder step, a notice routed to a channel, a test),
//! each attempt, the bureau's routing rules and each user's preferences. Notices in the bell gain
//! `urgent` and `dispatched`; those stored before start dispatched, so an upgrade sends nothing old.

use sea_orm_migration::prelude::*;

use super::{fk, id, index, instant, int, name, opt_instant, opt_str, ref_id, short, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum NotificationChannels {
    Table,
    Id,
    Kind,
    Name,
    Config,
    Secrets,
    Enabled,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum NotificationDeliveries {
    Table,
    Id,
    ChannelId,
    NotificationId,
    DedupKey,
    UserId,
    Address,
    Kind,
    Message,
    Status,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    LastError,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum NotificationAttempts {
    Table,
    Id,
    DeliveryId,
    ChannelId,
    Attempt,
    At,
    Ok,
    Error,
}

#[derive(DeriveIden)]
enum NotificationRules {
    Table,
    Id,
    Role,
    UnitId,
    VendorId,
    ChannelId,
    Kinds,
    CreatedAt,
}

#[derive(DeriveIden)]
enum NotificationPrefs {
    Table,
    UserId,
    Prefs,
    UpdatedAt,
}

fn to_channel(t: impl IntoIden, c: impl IntoIden) -> ForeignKeyCreateStatement {
    fk((t, c), (NotificationChannels::Table, NotificationChannels::Id), ForeignKeyAction::Cascade)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(NotificationChannels::Table)
                .col(id(NotificationChannels::Id))
                .col(short(NotificationChannels::Kind))
                .col(name(NotificationChannels::Name))
                .col(ColumnDef::new(NotificationChannels::Config).text().not_null())
                .col(text(NotificationChannels::Secrets))
                .col(ColumnDef::new(NotificationChannels::Enabled).boolean().not_null())
                .col(instant(NotificationChannels::CreatedAt))
                .col(instant(NotificationChannels::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(NotificationChannels::Table, "ux_notification_channels_name", &["name"], true)).await?;
        m.create_table(
            Table::create()
                .table(NotificationDeliveries::Table)
                .col(id(NotificationDeliveries::Id))
                .col(ref_id(NotificationDeliveries::ChannelId))
                .col(opt_str(NotificationDeliveries::NotificationId, 40))
                .col(ColumnDef::new(NotificationDeliveries::DedupKey).string_len(400).not_null())
                .col(opt_str(NotificationDeliveries::UserId, 40))
                .col(opt_str(NotificationDeliveries::Address, 255))
                .col(ColumnDef::new(NotificationDeliveries::Kind).string_len(40).not_null())
                .col(ColumnDef::new(NotificationDeliveries::Message).text().not_null())
                .col(short(NotificationDeliveries::Status))
                .col(int(NotificationDeliveries::Attempts))
                .col(opt_instant(NotificationDeliveries::NextAttemptAt))
                .col(opt_instant(NotificationDeliveries::ClaimedUntil))
                .col(text(NotificationDeliveries::LastError))
                .col(instant(NotificationDeliveries::CreatedAt))
                .col(opt_instant(NotificationDeliveries::SentAt))
                .foreign_key(&mut to_channel(NotificationDeliveries::Table, NotificationDeliveries::ChannelId))
                .to_owned(),
        )
        .await?;
        let t = || NotificationDeliveries::Table;
        m.create_index(index(t(), "ux_notification_deliveries_dedup", &["dedup_key"], true)).await?;
        m.create_index(index(t(), "ix_notification_deliveries_due", &["status", "next_attempt_at"], false)).await?;
        m.create_table(
            Table::create()
                .table(NotificationAttempts::Table)
                .col(id(NotificationAttempts::Id))
                .col(ref_id(NotificationAttempts::DeliveryId))
                .col(ref_id(NotificationAttempts::ChannelId))
                .col(int(NotificationAttempts::Attempt))
                .col(instant(NotificationAttempts::At))
                .col(ColumnDef::new(NotificationAttempts::Ok).boolean().not_null())
                .col(text(NotificationAttempts::Error))
                .foreign_key(&mut fk(
                    (NotificationAttempts::Table, NotificationAttempts::DeliveryId),
                    (NotificationDeliveries::Table, NotificationDeliveries::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        let t = || NotificationAttempts::Table;
        m.create_index(index(t(), "ux_notification_attempts", &["delivery_id", "attempt"], true)).await?;
        m.create_index(index(t(), "ix_notification_attempts_channel", &["channel_id", "at"], false)).await?;
        m.create_table(
            Table::create()
                .table(NotificationRules::Table)
                .col(id(NotificationRules::Id))
                .col(short(NotificationRules::Role))
                .col(opt_str(NotificationRules::UnitId, 40))
                .col(opt_str(NotificationRules::VendorId, 40))
                .col(ref_id(NotificationRules::ChannelId))
                .col(ColumnDef::new(NotificationRules::Kinds).text().not_null())
                .col(instant(NotificationRules::CreatedAt))
                .foreign_key(&mut to_channel(NotificationRules::Table, NotificationRules::ChannelId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(NotificationPrefs::Table)
                .col(id(NotificationPrefs::UserId))
                .col(ColumnDef::new(NotificationPrefs::Prefs).text().not_null())
                .col(instant(NotificationPrefs::UpdatedAt))
                .foreign_key(&mut fk(
                    (NotificationPrefs::Table, NotificationPrefs::UserId),
                    (Alias::new("users"), Alias::new("id")),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        for (col, default) in [("urgent", false), ("dispatched", true)] {
            m.alter_table(
                Table::alter()
                    .table(Alias::new("notifications"))
                    .add_column(ColumnDef::new(Alias::new(col)).boolean().not_null().default(default))
                    .take(),
            )
            .await?;
        }
        m.create_index(index(
            Alias::new("notifications"),
            "ix_notifications_dispatch",
            &["dispatched", "created_at"],
            false,
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_notifications_dispatch").table(Alias::new("notifications")).to_owned())
            .await?;
        for col in ["urgent", "dispatched"] {
            m.alter_table(Table::alter().table(Alias::new("notifications")).drop_column(Alias::new(col)).take())
                .await?;
        }
        for t in [
            "notification_prefs",
            "notification_rules",
            "notification_attempts",
            "notification_deliveries",
            "notification_channels",
        ] {
            m.drop_table(Table::drop().table(Alias::new(t)).take()).await?;
        }
        Ok(())
    }
}
