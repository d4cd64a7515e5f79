//! Periodic reports: the definitions a contract owes, the reports (at most one per contract,
//! kind, scope and first day — the job and a person generating the same report meet this key),
//! the bureau's non-conformities, the history and the issued versions (at most one per number).
//! A contract-wide report stores its scope id as '' so the unique key holds on both databases.

use sea_orm_migration::prelude::*;

use super::{fk, id, index, instant, int, name, opt_instant, opt_str, ref_id, short, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ReportDefinitions {
    Table,
    Id,
    ContractId,
    Name,
    Kind,
    Anchor,
    Scope,
    ScopeId,
    Due,
    Sections,
    Auto,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    Id,
    ContractId,
    VendorId,
    DefinitionId,
    Kind,
    Scope,
    ScopeId,
    PeriodStart,
    PeriodEnd,
    DueOn,
    Status,
    Sections,
    Narrative,
    Version,
    CreatedBy,
    CreatedAt,
    FirstSubmittedAt,
    SubmittedAt,
    IssuedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ReportFindings {
    Table,
    Id,
    ReportId,
    Text,
    Serious,
    CreatedBy,
    CreatedByName,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ReportEvents {
    Table,
    Id,
    ReportId,
    Action,
    Note,
    Actor,
    ActorName,
    At,
}

#[derive(DeriveIden)]
enum ReportVersions {
    Table,
    Id,
    ReportId,
    Version,
    FileId,
    DocxSha256,
    XlsxSha256,
    DocxSize,
    XlsxSize,
    Reason,
    IssuedBy,
    IssuedByName,
    IssuedAt,
}

fn date(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).date().not_null().take()
}

fn scope_id(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).string_len(40).not_null().default("").take()
}

fn to_report(t: impl IntoIden, c: impl IntoIden) -> ForeignKeyCreateStatement {
    fk((t, c), (Reports::Table, Reports::Id), ForeignKeyAction::Cascade)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ReportDefinitions::Table)
                .col(id(ReportDefinitions::Id))
                .col(ref_id(ReportDefinitions::ContractId))
                .col(name(ReportDefinitions::Name))
                .col(short(ReportDefinitions::Kind))
                .col(date(ReportDefinitions::Anchor))
                .col(short(ReportDefinitions::Scope))
                .col(scope_id(ReportDefinitions::ScopeId))
                .col(ColumnDef::new(ReportDefinitions::Due).text().not_null())
                .col(ColumnDef::new(ReportDefinitions::Sections).text().not_null())
                .col(ColumnDef::new(ReportDefinitions::Auto).boolean().not_null())
                .col(ref_id(ReportDefinitions::CreatedBy))
                .col(instant(ReportDefinitions::CreatedAt))
                .col(instant(ReportDefinitions::UpdatedAt))
                .foreign_key(&mut fk(
                    (ReportDefinitions::Table, ReportDefinitions::ContractId),
                    (Alias::new("contracts"), Alias::new("id")),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        let cols = &["contract_id", "kind", "scope", "scope_id"];
        m.create_index(index(ReportDefinitions::Table, "ux_report_definitions", cols, true)).await?;

        m.create_table(
            Table::create()
                .table(Reports::Table)
                .col(id(Reports::Id))
                .col(ref_id(Reports::ContractId))
                .col(ref_id(Reports::VendorId))
                .col(opt_str(Reports::DefinitionId, 40))
                .col(short(Reports::Kind))
                .col(short(Reports::Scope))
                .col(scope_id(Reports::ScopeId))
                .col(date(Reports::PeriodStart))
                .col(date(Reports::PeriodEnd))
                .col(date(Reports::DueOn))
                .col(short(Reports::Status))
                .col(ColumnDef::new(Reports::Sections).text().not_null())
                .col(ColumnDef::new(Reports::Narrative).text().not_null())
                .col(int(Reports::Version))
                .col(ref_id(Reports::CreatedBy))
                .col(instant(Reports::CreatedAt))
                .col(opt_instant(Reports::FirstSubmittedAt))
                .col(opt_instant(Reports::SubmittedAt))
                .col(opt_instant(Reports::IssuedAt))
                .col(instant(Reports::UpdatedAt))
                .foreign_key(&mut fk(
                    (Reports::Table, Reports::ContractId),
                    (Alias::new("contracts"), Alias::new("id")),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        let cols = &["contract_id", "kind", "scope", "scope_id", "period_start"];
        m.create_index(index(Reports::Table, "ux_reports_period", cols, true)).await?;
        // The dashboard's overdue reports and the job's pass over what is due.
        m.create_index(index(Reports::Table, "ix_reports_status_due", &["status", "due_on"], false)).await?;

        m.create_table(
            Table::create()
                .table(ReportFindings::Table)
                .col(id(ReportFindings::Id))
                .col(ref_id(ReportFindings::ReportId))
                .col(ColumnDef::new(ReportFindings::Text).text().not_null())
                .col(ColumnDef::new(ReportFindings::Serious).boolean().not_null())
                .col(ref_id(ReportFindings::CreatedBy))
                .col(name(ReportFindings::CreatedByName))
                .col(instant(ReportFindings::CreatedAt))
                .foreign_key(&mut to_report(ReportFindings::Table, ReportFindings::ReportId))
                .to_owned(),
        )
        .await?;
        m.create_index(index(ReportFindings::Table, "ix_report_findings_report", &["report_id", "created_at"], false))
            .await?;

        m.create_table(
            Table::create()
                .table(ReportEvents::Table)
                .col(id(ReportEvents::Id))
                .col(ref_id(ReportEvents::ReportId))
                .col(short(ReportEvents::Action))
                .col(text(ReportEvents::Note))
                .col(ref_id(ReportEvents::Actor))
                .col(name(ReportEvents::ActorName))
                .col(instant(ReportEvents::At))
                .foreign_key(&mut to_report(ReportEvents::Table, ReportEvents::ReportId))
                .to_owned(),
        )
        .await?;
        m.create_index(index(ReportEvents::Table, "ix_report_events_report", &["report_id", "at"], false)).await?;

        m.create_table(
            Table::create()
                .table(ReportVersions::Table)
                .col(id(ReportVersions::Id))
                .col(ref_id(ReportVersions::ReportId))
                .col(int(ReportVersions::Version))
                .col(ref_id(ReportVersions::FileId))
                .col(ColumnDef::new(ReportVersions::DocxSha256).string_len(64).not_null())
                .col(ColumnDef::new(ReportVersions::XlsxSha256).string_len(64).not_null())
                .col(ColumnDef::new(ReportVersions::DocxSize).big_integer().not_null())
                .col(ColumnDef::new(ReportVersions::XlsxSize).big_integer().not_null())
                .col(text(ReportVersions::Reason))
                .col(ref_id(ReportVersions::IssuedBy))
                .col(name(ReportVersions::IssuedByName))
                .col(instant(ReportVersions::IssuedAt))
                .foreign_key(&mut to_report(ReportVersions::Table, ReportVersions::ReportId))
                .to_owned(),
        )
        .await?;
        m.create_index(index(ReportVersions::Table, "ux_report_versions", &["report_id", "version"], true)).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["report_versions", "report_events", "report_findings", "reports", "report_definitions"] {
            m.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
