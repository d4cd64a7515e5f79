//! Security events (issue 20): the event, the systems it hit (with their units, for tenancy),
//! its timeline and its evidence files; and each system's reporting class, kept with its 等保
//! filing.

use sea_orm_migration::prelude::*;

use super::{id, index, instant, int, opt_instant, opt_str, ref_id, short, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DengbaoRecords {
    Table,
    ReportingClass,
}

#[derive(DeriveIden)]
enum SecurityEvents {
    Table,
    Id,
    Title,
    Category,
    Grade,
    GradeRank,
    Status,
    Description,
    OccurredAt,
    FoundAt,
    ReportingClass,
    ReportDueAt,
    ReportedAt,
    ReportRef,
    ContainedAt,
    RecoveredAt,
    ClosedAt,
    Measures,
    Lessons,
    TicketIds,
    VulnerabilityIds,
    CreatedBy,
    CreatedByName,
    CreatedAt,
    UpdatedAt,
    Revision,
}

#[derive(DeriveIden)]
enum SecurityEventSystems {
    Table,
    EventId,
    SystemId,
    UnitId,
}

#[derive(DeriveIden)]
enum SecurityEventEntries {
    Table,
    Id,
    EventId,
    At,
    Kind,
    Text,
    ActorId,
    ActorName,
    RecordedAt,
}

#[derive(DeriveIden)]
enum SecurityEventFiles {
    Table,
    Id,
    EventId,
    FileName,
    ContentType,
    Size,
    Sha256,
    UploadedBy,
    UploadedByName,
    UploadedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(DengbaoRecords::Table).add_column(opt_str(DengbaoRecords::ReportingClass, 20)).take(),
        )
        .await?;
        use SecurityEvents as E;
        m.create_table(
            Table::create()
                .table(E::Table)
                .col(id(E::Id))
                .col(ColumnDef::new(E::Title).string_len(200).not_null())
                .col(short(E::Category))
                .col(short(E::Grade))
                .col(int(E::GradeRank))
                .col(short(E::Status))
                .col(ColumnDef::new(E::Description).text().not_null())
                .col(opt_instant(E::OccurredAt))
                .col(instant(E::FoundAt))
                .col(short(E::ReportingClass))
                .col(opt_instant(E::ReportDueAt))
                .col(opt_instant(E::ReportedAt))
                .col(opt_str(E::ReportRef, 500))
                .col(opt_instant(E::ContainedAt))
                .col(opt_instant(E::RecoveredAt))
                .col(opt_instant(E::ClosedAt))
                .col(text(E::Measures))
                .col(text(E::Lessons))
                .col(ColumnDef::new(E::TicketIds).text().not_null())
                .col(ColumnDef::new(E::VulnerabilityIds).text().not_null())
                .col(ref_id(E::CreatedBy))
                .col(ColumnDef::new(E::CreatedByName).string_len(200).not_null())
                .col(instant(E::CreatedAt))
                .col(instant(E::UpdatedAt))
                .col(int(E::Revision))
                .take(),
        )
        .await?;
        m.create_index(index(E::Table, "ix_security_events_found", &["found_at"], false)).await?;
        m.create_index(index(E::Table, "ix_security_events_status", &["status", "found_at"], false)).await?;
        use SecurityEventSystems as S;
        m.create_table(
            Table::create()
                .table(S::Table)
                .col(ref_id(S::EventId))
                .col(ref_id(S::SystemId))
                .col(ref_id(S::UnitId))
                .primary_key(Index::create().col(S::EventId).col(S::SystemId))
                .take(),
        )
        .await?;
        m.create_index(index(S::Table, "ix_security_event_systems_system", &["system_id", "event_id"], false)).await?;
        m.create_index(index(S::Table, "ix_security_event_systems_unit", &["unit_id", "event_id"], false)).await?;
        use SecurityEventEntries as T;
        m.create_table(
            Table::create()
                .table(T::Table)
                .col(id(T::Id))
                .col(ref_id(T::EventId))
                .col(instant(T::At))
                .col(short(T::Kind))
                .col(text(T::Text))
                .col(ref_id(T::ActorId))
                .col(ColumnDef::new(T::ActorName).string_len(200).not_null())
                .col(instant(T::RecordedAt))
                .take(),
        )
        .await?;
        m.create_index(index(T::Table, "ix_security_event_entries_event", &["event_id", "at"], false)).await?;
        use SecurityEventFiles as F;
        m.create_table(
            Table::create()
                .table(F::Table)
                .col(id(F::Id))
                .col(ref_id(F::EventId))
                .col(ColumnDef::new(F::FileName).string_len(200).not_null())
                .col(ColumnDef::new(F::ContentType).string_len(100).not_null())
                .col(ColumnDef::new(F::Size).big_integer().not_null())
                .col(ColumnDef::new(F::Sha256).string_len(64).not_null())
                .col(ref_id(F::UploadedBy))
                .col(ColumnDef::new(F::UploadedByName).string_len(200).not_null())
                .col(instant(F::UploadedAt))
                .take(),
        )
        .await?;
        m.create_index(index(F::Table, "ix_security_event_files_event", &["event_id"], false)).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["security_event_files", "security_event_entries", "security_event_systems", "security_events"] {
            m.drop_table(Table::drop().table(Alias::new(t)).take()).await?;
        }
        m.alter_table(Table::alter().table(DengbaoRecords::Table).drop_column(DengbaoRecords::ReportingClass).take())
            .await?;
        Ok(())
    }
}
