//! Duty shifts (值班): who of a contract's vendor is on duty when, so a contract item can hand
//! its new tickets to whoever is on duty. Issue 22 grows this into generated holiday rosters and
//! swaps; the shift row is the one record both use.

use sea_orm_migration::prelude::*;

use super::{id, index, instant, name, ref_id, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DutyShifts {
    Table,
    Id,
    ContractId,
    VendorId,
    UserId,
    UserName,
    StartsAt,
    EndsAt,
    Note,
    CreatedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DutyShifts::Table)
                .col(id(DutyShifts::Id))
                .col(ref_id(DutyShifts::ContractId))
                .col(ref_id(DutyShifts::VendorId))
                .col(ref_id(DutyShifts::UserId))
                .col(name(DutyShifts::UserName))
                .col(instant(DutyShifts::StartsAt))
                .col(instant(DutyShifts::EndsAt))
                .col(text(DutyShifts::Note))
                .col(ref_id(DutyShifts::CreatedBy))
                .col(instant(DutyShifts::CreatedAt))
                .take(),
        )
        .await?;
        // The same person twice from the same moment on one contract is a double submission.
        let cols = &["contract_id", "user_id", "starts_at"];
        m.create_index(index(DutyShifts::Table, "ux_duty_shifts_person_start", cols, true)).await?;
        // Who is on duty at an instant: shifts of a contract by start.
        let cols = &["contract_id", "starts_at"];
        m.create_index(index(DutyShifts::Table, "ix_duty_shifts_contract", cols, false)).await?;
        let cols = &["user_id", "ends_at"];
        m.create_index(index(DutyShifts::Table, "ix_duty_shifts_user", cols, false)).await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("contract_items"))
                .add_column(ColumnDef::new(Alias::new("assign_to_duty")).boolean().not_null().default(false))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(Alias::new("contract_items")).drop_column(Alias::new("assign_to_duty")).take(),
        )
        .await?;
        m.drop_table(Table::drop().table(DutyShifts::Table).take()).await
    }
}
