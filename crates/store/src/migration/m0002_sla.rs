//! Working calendars, holiday sets and versioned SLA policies.

use sea_orm_migration::prelude::*;

use super::{fk, id, index, instant, name, opt_str, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn json(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).text().not_null().take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let restrict = ForeignKeyAction::Restrict;
        let cascade = ForeignKeyAction::Cascade;
        m.create_table(
            Table::create()
                .table(HolidaySets::Table)
                .col(id(HolidaySets::Id))
                .col(ColumnDef::new(HolidaySets::Code).string_len(32).not_null())
                .col(name(HolidaySets::Name))
                .col(text(HolidaySets::Description))
                .col(ColumnDef::new(HolidaySets::EditedYears).text().not_null().default("[]"))
                .col(instant(HolidaySets::CreatedAt))
                .col(instant(HolidaySets::UpdatedAt))
                .take(),
        )
        .await?;
        m.create_index(index(HolidaySets::Table, "ux_holiday_sets_code", &["code"], true)).await?;
        m.create_table(
            Table::create()
                .table(HolidayEntries::Table)
                .col(ColumnDef::new(HolidayEntries::SetId).string_len(40).not_null())
                .col(ColumnDef::new(HolidayEntries::Date).date().not_null())
                .col(ColumnDef::new(HolidayEntries::Kind).string_len(16).not_null())
                .col(ColumnDef::new(HolidayEntries::Name).string_len(100).not_null())
                .primary_key(Index::create().col(HolidayEntries::SetId).col(HolidayEntries::Date))
                .foreign_key(&mut fk(
                    (HolidayEntries::Table, HolidayEntries::SetId),
                    (HolidaySets::Table, HolidaySets::Id),
                    cascade,
                ))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Calendars::Table)
                .col(id(Calendars::Id))
                .col(name(Calendars::Name))
                .col(ColumnDef::new(Calendars::TimeZone).string_len(64).not_null())
                .col(json(Calendars::Weekly))
                .col(json(Calendars::HolidaySets))
                .col(json(Calendars::Overrides))
                .col(text(Calendars::Description))
                .col(ColumnDef::new(Calendars::Preset).boolean().not_null().default(false))
                .col(instant(Calendars::CreatedAt))
                .col(instant(Calendars::UpdatedAt))
                .take(),
        )
        .await?;
        m.create_index(index(Calendars::Table, "ux_calendars_name", &["name"], true)).await?;
        m.create_table(
            Table::create()
                .table(SlaPolicies::Table)
                .col(id(SlaPolicies::Id))
                .col(name(SlaPolicies::Name))
                .col(ColumnDef::new(SlaPolicies::CalendarId).string_len(40).not_null())
                .col(opt_str(SlaPolicies::ContractItemId, 40))
                .col(ColumnDef::new(SlaPolicies::LatestVersion).integer().not_null())
                .col(instant(SlaPolicies::CreatedAt))
                .col(instant(SlaPolicies::UpdatedAt))
                .foreign_key(&mut fk(
                    (SlaPolicies::Table, SlaPolicies::CalendarId),
                    (Calendars::Table, Calendars::Id),
                    restrict,
                ))
                .foreign_key(&mut fk(
                    (SlaPolicies::Table, SlaPolicies::ContractItemId),
                    (Alias::new("contract_items"), Alias::new("id")),
                    ForeignKeyAction::SetNull,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(SlaPolicies::Table, "ix_sla_policies_item", &["contract_item_id"], false)).await?;
        m.create_index(index(SlaPolicies::Table, "ix_sla_policies_calendar", &["calendar_id"], false)).await?;
        m.create_table(
            Table::create()
                .table(SlaPolicyVersions::Table)
                .col(ColumnDef::new(SlaPolicyVersions::PolicyId).string_len(40).not_null())
                .col(ColumnDef::new(SlaPolicyVersions::Version).integer().not_null())
                .col(ColumnDef::new(SlaPolicyVersions::CalendarId).string_len(40).not_null())
                .col(json(SlaPolicyVersions::Spec))
                .col(instant(SlaPolicyVersions::CreatedAt))
                .col(opt_str(SlaPolicyVersions::CreatedBy, 40))
                .primary_key(Index::create().col(SlaPolicyVersions::PolicyId).col(SlaPolicyVersions::Version))
                .foreign_key(&mut fk(
                    (SlaPolicyVersions::Table, SlaPolicyVersions::PolicyId),
                    (SlaPolicies::Table, SlaPolicies::Id),
                    cascade,
                ))
                // Every version keeps its calendar: a ticket pinned to an old version needs it.
                .foreign_key(&mut fk(
                    (SlaPolicyVersions::Table, SlaPolicyVersions::CalendarId),
                    (Calendars::Table, Calendars::Id),
                    restrict,
                ))
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("the SLA migration is not reversible".into()))
    }
}

#[derive(DeriveIden)]
enum HolidaySets {
    Table,
    Id,
    Code,
    Name,
    Description,
    EditedYears,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum HolidayEntries {
    Table,
    SetId,
    Date,
    Kind,
    Name,
}

#[derive(DeriveIden)]
enum Calendars {
    Table,
    Id,
    Name,
    TimeZone,
    Weekly,
    HolidaySets,
    Overrides,
    Description,
    Preset,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SlaPolicies {
    Table,
    Id,
    Name,
    CalendarId,
    ContractItemId,
    LatestVersion,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SlaPolicyVersions {
    Table,
    PolicyId,
    Version,
    CalendarId,
    Spec,
    CreatedAt,
    CreatedBy,
}
