//! Security plans and the records of work done (issue 20): per system and kind one plan, and
//! the reports the vendor files against it.

use sea_orm_migration::prelude::*;

use super::{fk, id, index, instant, opt_date, opt_instant, opt_str, ref_id, short, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SecurityPlans {
    Table,
    Id,
    SystemId,
    UnitId,
    Kind,
    Recurrence,
    CalendarId,
    HolidayRule,
    StartDate,
    EndDate,
    Active,
    Notes,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SecurityRecords {
    Table,
    Id,
    SystemId,
    UnitId,
    Kind,
    PerformedOn,
    Summary,
    ImportId,
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
enum Systems {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use SecurityPlans as P;
        m.create_table(
            Table::create()
                .table(P::Table)
                .col(id(P::Id))
                .col(ref_id(P::SystemId))
                .col(ref_id(P::UnitId))
                .col(short(P::Kind))
                .col(ColumnDef::new(P::Recurrence).text().not_null())
                .col(ref_id(P::CalendarId))
                .col(short(P::HolidayRule))
                .col(ColumnDef::new(P::StartDate).date().not_null())
                .col(opt_date(P::EndDate))
                .col(ColumnDef::new(P::Active).boolean().not_null())
                .col(text(P::Notes))
                .col(ref_id(P::CreatedBy))
                .col(instant(P::CreatedAt))
                .col(instant(P::UpdatedAt))
                .foreign_key(&mut fk((P::Table, P::SystemId), (Systems::Table, Systems::Id), ForeignKeyAction::Cascade))
                .take(),
        )
        .await?;
        // One plan per system and kind: two would make one period count twice.
        m.create_index(index(P::Table, "ux_security_plans_system_kind", &["system_id", "kind"], true)).await?;
        m.create_index(index(P::Table, "ix_security_plans_unit", &["unit_id"], false)).await?;
        use SecurityRecords as R;
        m.create_table(
            Table::create()
                .table(R::Table)
                .col(id(R::Id))
                .col(ref_id(R::SystemId))
                .col(ref_id(R::UnitId))
                .col(short(R::Kind))
                .col(ColumnDef::new(R::PerformedOn).date().not_null())
                .col(ColumnDef::new(R::Summary).text().not_null())
                .col(opt_str(R::ImportId, 40))
                .col(ColumnDef::new(R::FileName).string_len(200).not_null())
                .col(ColumnDef::new(R::ContentType).string_len(100).not_null())
                .col(ColumnDef::new(R::Size).big_integer().not_null())
                .col(ColumnDef::new(R::Sha256).string_len(64).not_null())
                .col(ref_id(R::CreatedBy))
                .col(ColumnDef::new(R::CreatedByName).string_len(200).not_null())
                .col(instant(R::CreatedAt))
                .col(opt_instant(R::VoidedAt))
                .col(opt_str(R::VoidedBy, 40))
                .col(text(R::VoidReason))
                .foreign_key(&mut fk(
                    (R::Table, R::SystemId),
                    (Systems::Table, Systems::Id),
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(R::Table, "ix_security_records_system", &["system_id", "kind", "performed_on"], false))
            .await?;
        m.create_index(index(R::Table, "ix_security_records_unit", &["unit_id", "performed_on"], false)).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["security_records", "security_plans"] {
            m.drop_table(Table::drop().table(Alias::new(t)).take()).await?;
        }
        Ok(())
    }
}
