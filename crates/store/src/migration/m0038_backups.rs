//! Backups (issue 21): the bureau's backup policies, the runs recorded or pushed against them,
//! restore drills, and the missed periods already turned into tickets (one per period: the key
//! keeps two servers or two ticks from opening a second).

use sea_orm_migration::prelude::*;

use super::{fk, id, index, instant, opt_date, opt_instant, opt_str, ref_id, short, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum BackupPolicies {
    Table,
    Id,
    SystemId,
    UnitId,
    Name,
    Object,
    Method,
    Frequency,
    CalendarId,
    HolidayRule,
    StartDate,
    EndDate,
    RetentionDays,
    Location,
    RpoMinutes,
    RtoMinutes,
    DrillFrequency,
    Active,
    Notes,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BackupRuns {
    Table,
    Id,
    PolicyId,
    SystemId,
    UnitId,
    StartedAt,
    FinishedAt,
    Result,
    SizeBytes,
    StoredAt,
    Tool,
    Message,
    Source,
    RecordedBy,
    RecordedByName,
    CreatedAt,
    VoidedAt,
    VoidedBy,
    VoidReason,
}

#[derive(DeriveIden)]
enum RestoreDrills {
    Table,
    Id,
    PolicyId,
    SystemId,
    UnitId,
    PerformedOn,
    Restored,
    RestoreMinutes,
    DataLossMinutes,
    RtoMinutes,
    RpoMinutes,
    Passed,
    Summary,
    FileName,
    ContentType,
    Size,
    Sha256,
    CreatedBy,
    CreatedByName,
    CreatedAt,
    VoidedAt,
    VoidedBy,
    VoidReason,
}

#[derive(DeriveIden)]
enum BackupMisses {
    Table,
    PolicyId,
    OpensOn,
    DueOn,
    TicketId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Systems {
    Table,
    Id,
}

fn minutes(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).big_integer().null().take()
}

fn evidence(t: &mut TableCreateStatement) {
    use RestoreDrills as D;
    t.col(ColumnDef::new(D::FileName).string_len(200).not_null())
        .col(ColumnDef::new(D::ContentType).string_len(100).not_null())
        .col(ColumnDef::new(D::Size).big_integer().not_null())
        .col(ColumnDef::new(D::Sha256).string_len(64).not_null());
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use BackupPolicies as P;
        m.create_table(
            Table::create()
                .table(P::Table)
                .col(id(P::Id))
                .col(ref_id(P::SystemId))
                .col(ref_id(P::UnitId))
                .col(ColumnDef::new(P::Name).string_len(200).not_null())
                .col(short(P::Object))
                .col(short(P::Method))
                .col(ColumnDef::new(P::Frequency).text().not_null())
                .col(ref_id(P::CalendarId))
                .col(short(P::HolidayRule))
                .col(ColumnDef::new(P::StartDate).date().not_null())
                .col(opt_date(P::EndDate))
                .col(ColumnDef::new(P::RetentionDays).big_integer().not_null())
                .col(short(P::Location))
                .col(minutes(P::RpoMinutes))
                .col(minutes(P::RtoMinutes))
                .col(text(P::DrillFrequency))
                .col(ColumnDef::new(P::Active).boolean().not_null())
                .col(text(P::Notes))
                .col(ref_id(P::CreatedBy))
                .col(instant(P::CreatedAt))
                .col(instant(P::UpdatedAt))
                .foreign_key(&mut fk(
                    (P::Table, P::SystemId),
                    (Systems::Table, Systems::Id),
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(P::Table, "ix_backup_policies_system", &["system_id"], false)).await?;
        m.create_index(index(P::Table, "ix_backup_policies_unit", &["unit_id"], false)).await?;

        use BackupRuns as R;
        m.create_table(
            Table::create()
                .table(R::Table)
                .col(id(R::Id))
                .col(ref_id(R::PolicyId))
                .col(ref_id(R::SystemId))
                .col(ref_id(R::UnitId))
                .col(instant(R::StartedAt))
                .col(instant(R::FinishedAt))
                .col(short(R::Result))
                .col(ColumnDef::new(R::SizeBytes).big_integer().null())
                .col(opt_str(R::StoredAt, 500))
                .col(opt_str(R::Tool, 100))
                .col(text(R::Message))
                .col(short(R::Source))
                .col(ref_id(R::RecordedBy))
                .col(ColumnDef::new(R::RecordedByName).string_len(200).not_null())
                .col(instant(R::CreatedAt))
                .col(opt_instant(R::VoidedAt))
                .col(opt_str(R::VoidedBy, 40))
                .col(text(R::VoidReason))
                .foreign_key(&mut fk((R::Table, R::PolicyId), (P::Table, P::Id), ForeignKeyAction::Restrict))
                .take(),
        )
        .await?;
        m.create_index(index(R::Table, "ix_backup_runs_policy", &["policy_id", "started_at"], false)).await?;
        m.create_index(index(R::Table, "ix_backup_runs_unit", &["unit_id", "started_at"], false)).await?;
        m.create_index(index(R::Table, "ix_backup_runs_system", &["system_id", "started_at"], false)).await?;

        use RestoreDrills as D;
        let mut t = Table::create();
        t.table(D::Table)
            .col(id(D::Id))
            .col(ref_id(D::PolicyId))
            .col(ref_id(D::SystemId))
            .col(ref_id(D::UnitId))
            .col(ColumnDef::new(D::PerformedOn).date().not_null())
            .col(ColumnDef::new(D::Restored).boolean().not_null())
            .col(ColumnDef::new(D::RestoreMinutes).big_integer().not_null())
            .col(ColumnDef::new(D::DataLossMinutes).big_integer().not_null())
            .col(minutes(D::RtoMinutes))
            .col(minutes(D::RpoMinutes))
            .col(ColumnDef::new(D::Passed).boolean().not_null())
            .col(ColumnDef::new(D::Summary).text().not_null());
        evidence(&mut t);
        t.col(ref_id(D::CreatedBy))
            .col(ColumnDef::new(D::CreatedByName).string_len(200).not_null())
            .col(instant(D::CreatedAt))
            .col(opt_instant(D::VoidedAt))
            .col(opt_str(D::VoidedBy, 40))
            .col(text(D::VoidReason))
            .foreign_key(&mut fk((D::Table, D::PolicyId), (P::Table, P::Id), ForeignKeyAction::Restrict));
        m.create_table(t.take()).await?;
        m.create_index(index(D::Table, "ix_restore_drills_policy", &["policy_id", "performed_on"], false)).await?;
        m.create_index(index(D::Table, "ix_restore_drills_unit", &["unit_id", "performed_on"], false)).await?;

        use BackupMisses as X;
        m.create_table(
            Table::create()
                .table(X::Table)
                .col(ref_id(X::PolicyId))
                .col(ColumnDef::new(X::OpensOn).date().not_null())
                .col(ColumnDef::new(X::DueOn).date().not_null())
                .col(opt_str(X::TicketId, 40))
                .col(instant(X::CreatedAt))
                .primary_key(Index::create().col(X::PolicyId).col(X::OpensOn))
                .foreign_key(&mut fk((X::Table, X::PolicyId), (P::Table, P::Id), ForeignKeyAction::Cascade))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["backup_misses", "restore_drills", "backup_runs", "backup_policies"] {
            m.drop_table(Table::drop().table(Alias::new(t)).take()).await?;
        }
        Ok(())
    }
}
