//! Foundation tables: parties, the registry, sessions, and the audit chain.

use sea_orm_migration::prelude::*;

use super::{fk, id, index, instant, name, opt_date, opt_instant, opt_str, text};
use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let restrict = ForeignKeyAction::Restrict;
        let cascade = ForeignKeyAction::Cascade;
        m.create_table(
            Table::create()
                .table(Units::Table)
                .col(id(Units::Id))
                .col(name(Units::Name))
                .col(opt_str(Units::ShortName, 50))
                .col(opt_str(Units::ContactName, 50))
                .col(opt_str(Units::ContactPhone, 50))
                .col(opt_str(Units::Address, 200))
                .col(instant(Units::CreatedAt))
                .col(instant(Units::UpdatedAt))
                .take(),
        )
        .await?;
        m.create_index(index(Units::Table, "ux_units_name", &["name"], true)).await?;
        m.create_table(
            Table::create()
                .table(Vendors::Table)
                .col(id(Vendors::Id))
                .col(name(Vendors::Name))
                .col(opt_str(Vendors::CreditCode, 18))
                .col(opt_str(Vendors::ContactName, 50))
                .col(opt_str(Vendors::ContactPhone, 50))
                .col(opt_str(Vendors::Address, 200))
                .col(instant(Vendors::CreatedAt))
                .col(instant(Vendors::UpdatedAt))
                .take(),
        )
        .await?;
        m.create_index(index(Vendors::Table, "ux_vendors_name", &["name"], true)).await?;
        m.create_index(index(Vendors::Table, "ux_vendors_credit_code", &["credit_code"], true)).await?;
        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(id(Users::Id))
                .col(ColumnDef::new(Users::Username).string_len(64).not_null())
                .col(opt_str(Users::DisplayName, 50))
                .col(ColumnDef::new(Users::Role).string_len(20).not_null())
                .col(opt_str(Users::UnitId, 40))
                .col(opt_str(Users::VendorId, 40))
                .col(opt_str(Users::Phone, 50))
                .col(opt_str(Users::Email, 200))
                .col(ColumnDef::new(Users::Active).boolean().not_null())
                .col(ColumnDef::new(Users::PasswordHash).text().not_null())
                .col(ColumnDef::new(Users::FailedLogins).integer().not_null().default(0))
                .col(opt_instant(Users::LockedUntil))
                .col(instant(Users::PasswordChangedAt))
                .col(instant(Users::CreatedAt))
                .col(instant(Users::UpdatedAt))
                .col(opt_instant(Users::LastLoginAt))
                .foreign_key(&mut fk((Users::Table, Users::UnitId), (Units::Table, Units::Id), restrict))
                .foreign_key(&mut fk((Users::Table, Users::VendorId), (Vendors::Table, Vendors::Id), restrict))
                .take(),
        )
        .await?;
        m.create_index(index(Users::Table, "ux_users_username", &["username"], true)).await?;
        m.create_index(index(Users::Table, "ix_users_unit", &["unit_id"], false)).await?;
        m.create_index(index(Users::Table, "ix_users_vendor", &["vendor_id"], false)).await?;
        m.create_table(
            Table::create()
                .table(Certificates::Table)
                .col(id(Certificates::Id))
                .col(ColumnDef::new(Certificates::UserId).string_len(40).not_null())
                .col(name(Certificates::Name))
                .col(opt_str(Certificates::Number, 100))
                .col(opt_str(Certificates::Issuer, 200))
                .col(opt_date(Certificates::IssuedOn))
                .col(opt_date(Certificates::ExpiresOn))
                .foreign_key(&mut fk((Certificates::Table, Certificates::UserId), (Users::Table, Users::Id), cascade))
                .take(),
        )
        .await?;
        m.create_index(index(Certificates::Table, "ix_certificates_user", &["user_id"], false)).await?;
        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(ColumnDef::new(Sessions::TokenHash).string_len(64).not_null().primary_key())
                .col(ColumnDef::new(Sessions::UserId).string_len(40).not_null())
                .col(instant(Sessions::CreatedAt))
                .col(instant(Sessions::LastSeenAt))
                .foreign_key(&mut fk((Sessions::Table, Sessions::UserId), (Users::Table, Users::Id), cascade))
                .take(),
        )
        .await?;
        m.create_index(index(Sessions::Table, "ix_sessions_user", &["user_id"], false)).await?;
        m.create_table(
            Table::create()
                .table(Systems::Table)
                .col(id(Systems::Id))
                .col(name(Systems::Name))
                .col(ColumnDef::new(Systems::UnitId).string_len(40).not_null())
                .col(opt_str(Systems::Developer, 200))
                .col(opt_str(Systems::Brand, 200))
                .col(text(Systems::Deployment))
                .col(ColumnDef::new(Systems::DengbaoLevel).integer().null())
                .col(ColumnDef::new(Systems::Criticality).string_len(10).not_null())
                .col(opt_str(Systems::ServiceHours, 200))
                .col(text(Systems::SlaText))
                .col(text(Systems::Description))
                .col(instant(Systems::CreatedAt))
                .col(instant(Systems::UpdatedAt))
                .foreign_key(&mut fk((Systems::Table, Systems::UnitId), (Units::Table, Units::Id), restrict))
                .take(),
        )
        .await?;
        m.create_index(index(Systems::Table, "ux_systems_unit_name", &["unit_id", "name"], true)).await?;
        m.create_table(
            Table::create()
                .table(Contracts::Table)
                .col(id(Contracts::Id))
                .col(name(Contracts::Name))
                .col(opt_str(Contracts::Code, 100))
                .col(ColumnDef::new(Contracts::VendorId).string_len(40).not_null())
                .col(opt_date(Contracts::SignedOn))
                .col(text(Contracts::Notes))
                .col(instant(Contracts::CreatedAt))
                .col(instant(Contracts::UpdatedAt))
                .foreign_key(&mut fk((Contracts::Table, Contracts::VendorId), (Vendors::Table, Vendors::Id), restrict))
                .take(),
        )
        .await?;
        m.create_index(index(Contracts::Table, "ux_contracts_code", &["code"], true)).await?;
        m.create_index(index(Contracts::Table, "ix_contracts_vendor", &["vendor_id"], false)).await?;
        m.create_table(
            Table::create()
                .table(ContractItems::Table)
                .col(id(ContractItems::Id))
                .col(ColumnDef::new(ContractItems::ContractId).string_len(40).not_null())
                .col(ColumnDef::new(ContractItems::Position).integer().not_null())
                .col(name(ContractItems::Name))
                .col(ColumnDef::new(ContractItems::BudgetFen).big_integer().not_null())
                .col(ColumnDef::new(ContractItems::StartDate).date().not_null())
                .col(ColumnDef::new(ContractItems::EndDate).date().not_null())
                .col(ColumnDef::new(ContractItems::Milestones).text().not_null())
                .col(text(ContractItems::Notes))
                .foreign_key(&mut fk(
                    (ContractItems::Table, ContractItems::ContractId),
                    (Contracts::Table, Contracts::Id),
                    cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(ContractItems::Table, "ix_contract_items_contract", &["contract_id"], false)).await?;
        m.create_table(
            Table::create()
                .table(ContractItemSystems::Table)
                .col(ColumnDef::new(ContractItemSystems::ItemId).string_len(40).not_null())
                .col(ColumnDef::new(ContractItemSystems::SystemId).string_len(40).not_null())
                .primary_key(Index::create().col(ContractItemSystems::ItemId).col(ContractItemSystems::SystemId))
                .foreign_key(&mut fk(
                    (ContractItemSystems::Table, ContractItemSystems::ItemId),
                    (ContractItems::Table, ContractItems::Id),
                    cascade,
                ))
                .foreign_key(&mut fk(
                    (ContractItemSystems::Table, ContractItemSystems::SystemId),
                    (Systems::Table, Systems::Id),
                    restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(ContractItemSystems::Table, "ix_cis_system", &["system_id"], false)).await?;
        m.create_table(
            Table::create()
                .table(Assets::Table)
                .col(id(Assets::Id))
                .col(name(Assets::Name))
                .col(ColumnDef::new(Assets::Kind).string_len(20).not_null())
                .col(opt_str(Assets::Model, 200))
                .col(opt_str(Assets::Serial, 100))
                .col(opt_str(Assets::Location, 200))
                .col(opt_str(Assets::SystemId, 40))
                .col(opt_str(Assets::UnitId, 40))
                .col(opt_date(Assets::WarrantyEnd))
                .col(opt_date(Assets::ExpiresOn))
                .col(text(Assets::Notes))
                .col(instant(Assets::CreatedAt))
                .col(instant(Assets::UpdatedAt))
                .foreign_key(&mut fk((Assets::Table, Assets::SystemId), (Systems::Table, Systems::Id), restrict))
                .foreign_key(&mut fk((Assets::Table, Assets::UnitId), (Units::Table, Units::Id), restrict))
                .take(),
        )
        .await?;
        m.create_index(index(Assets::Table, "ix_assets_system", &["system_id"], false)).await?;
        m.create_index(index(Assets::Table, "ix_assets_unit", &["unit_id"], false)).await?;
        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(ColumnDef::new(AuditLog::Seq).big_integer().not_null().primary_key())
                .col(instant(AuditLog::At))
                .col(opt_str(AuditLog::ActorId, 40))
                .col(ColumnDef::new(AuditLog::ActorName).string_len(64).not_null())
                .col(ColumnDef::new(AuditLog::Action).string_len(40).not_null())
                .col(ColumnDef::new(AuditLog::ObjectType).string_len(40).not_null())
                .col(opt_str(AuditLog::ObjectId, 40))
                .col(text(AuditLog::Before))
                .col(text(AuditLog::After))
                .col(ColumnDef::new(AuditLog::PrevHash).string_len(64).not_null())
                .col(ColumnDef::new(AuditLog::Hash).string_len(64).not_null())
                .take(),
        )
        .await?;
        m.create_index(index(AuditLog::Table, "ix_audit_object", &["object_type", "object_id"], false)).await?;
        m.create_index(index(AuditLog::Table, "ix_audit_actor", &["actor_id"], false)).await?;
        m.create_index(index(AuditLog::Table, "ix_audit_at", &["at"], false)).await?;
        m.create_table(
            Table::create()
                .table(AuditHead::Table)
                .col(ColumnDef::new(AuditHead::Id).integer().not_null().primary_key())
                .col(ColumnDef::new(AuditHead::Seq).big_integer().not_null())
                .col(ColumnDef::new(AuditHead::Hash).string_len(64).not_null())
                .take(),
        )
        .await?;
        // The log is append-only; its head moves forward but never disappears.
        let backend = m.get_database_backend();
        for stmt in dialect::refuse_changes(backend, "audit_log", &["UPDATE", "DELETE"])
            .into_iter()
            .chain(dialect::refuse_changes(backend, "audit_head", &["DELETE"]))
        {
            m.get_connection().execute_unprepared(&stmt).await?;
        }
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("the foundation migration is not reversible".into()))
    }
}

#[derive(DeriveIden)]
enum Units {
    Table,
    Id,
    Name,
    ShortName,
    ContactName,
    ContactPhone,
    Address,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum Vendors {
    Table,
    Id,
    Name,
    CreditCode,
    ContactName,
    ContactPhone,
    Address,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    DisplayName,
    Role,
    UnitId,
    VendorId,
    Phone,
    Email,
    Active,
    PasswordHash,
    FailedLogins,
    LockedUntil,
    PasswordChangedAt,
    CreatedAt,
    UpdatedAt,
    LastLoginAt,
}
#[derive(DeriveIden)]
enum Certificates {
    Table,
    Id,
    UserId,
    Name,
    Number,
    Issuer,
    IssuedOn,
    ExpiresOn,
}
#[derive(DeriveIden)]
enum Sessions {
    Table,
    TokenHash,
    UserId,
    CreatedAt,
    LastSeenAt,
}
#[derive(DeriveIden)]
enum Systems {
    Table,
    Id,
    Name,
    UnitId,
    Developer,
    Brand,
    Deployment,
    DengbaoLevel,
    Criticality,
    ServiceHours,
    SlaText,
    Description,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum Contracts {
    Table,
    Id,
    Name,
    Code,
    VendorId,
    SignedOn,
    Notes,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum ContractItems {
    Table,
    Id,
    ContractId,
    Position,
    Name,
    BudgetFen,
    StartDate,
    EndDate,
    Milestones,
    Notes,
}
#[derive(DeriveIden)]
enum ContractItemSystems {
    Table,
    ItemId,
    SystemId,
}
#[derive(DeriveIden)]
enum Assets {
    Table,
    Id,
    Name,
    Kind,
    Model,
    Serial,
    Location,
    SystemId,
    UnitId,
    WarrantyEnd,
    ExpiresOn,
    Notes,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Seq,
    At,
    ActorId,
    ActorName,
    Action,
    ObjectType,
    ObjectId,
    Before,
    After,
    PrevHash,
    Hash,
}
#[derive(DeriveIden)]
enum AuditHead {
    Table,
    Id,
    Seq,
    Hash,
}
