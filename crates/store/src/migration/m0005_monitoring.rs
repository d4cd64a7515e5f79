//! Monitoring: monitors with their live state, interruptions (kept forever), per-minute rollups
//! packed sixty to an hour row (kept 13 months), sampled raw results (kept three days), and
//! planned maintenance windows.

use sea_orm_migration::prelude::*;

use super::{fk, id, index, instant, int, name, opt_instant, opt_str, ref_id, short, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn opt_int(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).integer().null().take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let system = || (Alias::new("systems"), Alias::new("id"));
        m.create_table(
            Table::create()
                .table(Monitors::Table)
                .col(id(Monitors::Id))
                .col(ref_id(Monitors::SystemId))
                .col(ref_id(Monitors::UnitId))
                .col(name(Monitors::Name))
                .col(short(Monitors::Kind))
                .col(ColumnDef::new(Monitors::Target).string_len(500).not_null())
                .col(int(Monitors::IntervalSeconds))
                .col(int(Monitors::TimeoutMs))
                .col(int(Monitors::FailuresBeforeDown))
                .col(int(Monitors::SuccessesBeforeUp))
                .col(ColumnDef::new(Monitors::Expect).text().not_null())
                .col(ColumnDef::new(Monitors::Active).boolean().not_null())
                .col(short(Monitors::State))
                .col(opt_instant(Monitors::StateSince))
                .col(opt_instant(Monitors::LastCheckedAt))
                .col(ColumnDef::new(Monitors::LastOk).boolean().null())
                .col(opt_int(Monitors::LastLatencyMs))
                .col(text(Monitors::LastError))
                .col(opt_instant(Monitors::CertNotAfter))
                .col(opt_str(Monitors::CertIssuer, 500))
                .col(opt_str(Monitors::CertSubject, 500))
                .col(text(Monitors::CertChainError))
                .col(instant(Monitors::CreatedAt))
                .col(instant(Monitors::UpdatedAt))
                .foreign_key(&mut fk((Monitors::Table, Monitors::SystemId), system(), ForeignKeyAction::Restrict))
                .take(),
        )
        .await?;
        m.create_index(index(Monitors::Table, "ix_monitors_system", &["system_id"], false)).await?;
        m.create_index(index(Monitors::Table, "ix_monitors_unit", &["unit_id"], false)).await?;

        m.create_table(
            Table::create()
                .table(Interruptions::Table)
                .col(id(Interruptions::Id))
                .col(ref_id(Interruptions::SystemId))
                .col(ref_id(Interruptions::UnitId))
                .col(opt_str(Interruptions::MonitorId, 40))
                .col(opt_str(Interruptions::AlertKey, 200))
                .col(name(Interruptions::Source))
                .col(instant(Interruptions::StartedAt))
                .col(opt_instant(Interruptions::EndedAt))
                .col(text(Interruptions::Error))
                .col(opt_str(Interruptions::TicketId, 40))
                .col(instant(Interruptions::CreatedAt))
                .foreign_key(&mut fk(
                    (Interruptions::Table, Interruptions::SystemId),
                    system(),
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(Interruptions::Table, "ix_interruptions_system", &["system_id", "started_at"], false))
            .await?;
        m.create_index(index(Interruptions::Table, "ix_interruptions_monitor", &["monitor_id", "ended_at"], false))
            .await?;
        m.create_index(index(Interruptions::Table, "ix_interruptions_alert", &["alert_key", "ended_at"], false))
            .await?;

        m.create_table(
            Table::create()
                .table(Hours::Table)
                .col(ColumnDef::new(Hours::MonitorId).string_len(40).not_null())
                .col(ColumnDef::new(Hours::Hour).big_integer().not_null())
                .col(ColumnDef::new(Hours::Slots).blob().not_null())
                .primary_key(Index::create().col(Hours::MonitorId).col(Hours::Hour))
                .take(),
        )
        .await?;
        m.create_index(index(Hours::Table, "ix_monitor_hours_hour", &["hour"], false)).await?;

        m.create_table(
            Table::create()
                .table(Results::Table)
                .col(ColumnDef::new(Results::MonitorId).string_len(40).not_null())
                .col(ColumnDef::new(Results::At).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Results::Ok).boolean().not_null())
                .col(int(Results::LatencyMs))
                .col(text(Results::Error))
                .primary_key(Index::create().col(Results::MonitorId).col(Results::At))
                .take(),
        )
        .await?;
        m.create_index(index(Results::Table, "ix_monitor_results_at", &["at"], false)).await?;

        m.create_table(
            Table::create()
                .table(Maintenance::Table)
                .col(id(Maintenance::Id))
                .col(ref_id(Maintenance::SystemId))
                .col(ref_id(Maintenance::UnitId))
                .col(name(Maintenance::Name))
                .col(ColumnDef::new(Maintenance::Spec).text().not_null())
                .col(instant(Maintenance::CreatedAt))
                .col(instant(Maintenance::UpdatedAt))
                .foreign_key(&mut fk((Maintenance::Table, Maintenance::SystemId), system(), ForeignKeyAction::Cascade))
                .take(),
        )
        .await?;
        m.create_index(index(Maintenance::Table, "ix_maintenance_system", &["system_id"], false)).await?;

        m.alter_table(
            Table::alter()
                .table(Alias::new("contract_items"))
                .add_column(ColumnDef::new(Alias::new("availability_target")).double().null())
                .take(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Monitors {
    Table,
    Id,
    SystemId,
    UnitId,
    Name,
    Kind,
    Target,
    IntervalSeconds,
    TimeoutMs,
    FailuresBeforeDown,
    SuccessesBeforeUp,
    Expect,
    Active,
    State,
    StateSince,
    LastCheckedAt,
    LastOk,
    LastLatencyMs,
    LastError,
    CertNotAfter,
    CertIssuer,
    CertSubject,
    CertChainError,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Interruptions {
    Table,
    Id,
    SystemId,
    UnitId,
    MonitorId,
    AlertKey,
    Source,
    StartedAt,
    EndedAt,
    Error,
    TicketId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Hours {
    #[sea_orm(iden = "monitor_hours")]
    Table,
    MonitorId,
    Hour,
    Slots,
}

#[derive(DeriveIden)]
enum Results {
    #[sea_orm(iden = "monitor_results")]
    Table,
    MonitorId,
    At,
    Ok,
    LatencyMs,
    Error,
}

#[derive(DeriveIden)]
enum Maintenance {
    #[sea_orm(iden = "maintenance_windows")]
    Table,
    Id,
    SystemId,
    UnitId,
    Name,
    Spec,
    CreatedAt,
    UpdatedAt,
}
