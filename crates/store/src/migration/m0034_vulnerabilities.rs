//! The vulnerability ledger (issue 20): findings with their fix clock kept on the row (one
//! clock per finding, so no table of clocks), their history, the imports of scanner output,
//! the saved column mappings of spreadsheet exports, and the contract item's vulnerability
//! policy.

use sea_orm_migration::prelude::*;

use super::{fk, id, index, instant, int, name, opt_date, opt_instant, opt_str, ref_id, short, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Vulnerabilities {
    Table,
    Id,
    SystemId,
    UnitId,
    AssetId,
    Title,
    Severity,
    SeverityRank,
    Cvss,
    Cve,
    Cnvd,
    Cnnvd,
    Identifiers,
    Source,
    NoticeOrg,
    NoticeNumber,
    Host,
    Port,
    Protocol,
    Url,
    PluginId,
    Description,
    Solution,
    Evidence,
    Status,
    FoundAt,
    LastSeenAt,
    SeenCount,
    AssigneeId,
    TicketId,
    PolicyId,
    PolicyVersion,
    DueAt,
    ClockState,
    RiskAt,
    Breached,
    Clock,
    NextCheckAt,
    FixedAt,
    VerifiedAt,
    DecisionReason,
    AcceptedUntil,
    RequestId,
    ImportId,
    Fingerprint,
    Revision,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum VulnerabilityEvents {
    Table,
    Id,
    VulnerabilityId,
    At,
    Kind,
    FromStatus,
    ToStatus,
    ActorId,
    ActorName,
    Note,
    Data,
}

#[derive(DeriveIden)]
enum VulnerabilityImports {
    Table,
    Id,
    Format,
    Scanner,
    FileName,
    Sha256,
    Size,
    SystemId,
    VendorId,
    StartedAt,
    Hosts,
    Counts,
    CreatedBy,
    CreatedByName,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ScanMappings {
    Table,
    Id,
    Name,
    Mapping,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Systems {
    Table,
    Id,
}

fn boolean(n: impl IntoIden) -> ColumnDef {
    ColumnDef::new(n).boolean().not_null().default(false).take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use Vulnerabilities as V;
        m.create_table(
            Table::create()
                .table(V::Table)
                .col(id(V::Id))
                .col(ref_id(V::SystemId))
                .col(ref_id(V::UnitId))
                .col(opt_str(V::AssetId, 40))
                .col(ColumnDef::new(V::Title).string_len(500).not_null())
                .col(short(V::Severity))
                .col(int(V::SeverityRank))
                .col(ColumnDef::new(V::Cvss).double().null())
                .col(opt_str(V::Cve, 40))
                .col(opt_str(V::Cnvd, 40))
                .col(opt_str(V::Cnnvd, 40))
                .col(text(V::Identifiers))
                .col(short(V::Source))
                .col(opt_str(V::NoticeOrg, 20))
                .col(opt_str(V::NoticeNumber, 200))
                .col(opt_str(V::Host, 255))
                .col(ColumnDef::new(V::Port).integer().null())
                .col(opt_str(V::Protocol, 16))
                .col(text(V::Url))
                .col(opt_str(V::PluginId, 210))
                .col(text(V::Description))
                .col(text(V::Solution))
                .col(text(V::Evidence))
                .col(short(V::Status))
                .col(instant(V::FoundAt))
                .col(instant(V::LastSeenAt))
                .col(int(V::SeenCount))
                .col(opt_str(V::AssigneeId, 40))
                .col(opt_str(V::TicketId, 40))
                .col(opt_str(V::PolicyId, 40))
                .col(ColumnDef::new(V::PolicyVersion).integer().null())
                .col(opt_instant(V::DueAt))
                .col(opt_str(V::ClockState, 20))
                .col(opt_instant(V::RiskAt))
                .col(boolean(V::Breached))
                .col(text(V::Clock))
                .col(opt_instant(V::NextCheckAt))
                .col(opt_instant(V::FixedAt))
                .col(opt_instant(V::VerifiedAt))
                .col(text(V::DecisionReason))
                .col(opt_date(V::AcceptedUntil))
                .col(opt_str(V::RequestId, 40))
                .col(opt_str(V::ImportId, 40))
                .col(ColumnDef::new(V::Fingerprint).string_len(64).not_null())
                .col(int(V::Revision))
                .col(ref_id(V::CreatedBy))
                .col(instant(V::CreatedAt))
                .col(instant(V::UpdatedAt))
                .foreign_key(&mut fk(
                    (V::Table, V::SystemId),
                    (Systems::Table, Systems::Id),
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        // One row per finding: the same check at the same place of the same system (an import
        // and a person entering it by hand meet here).
        m.create_index(index(V::Table, "ux_vulnerabilities_fingerprint", &["fingerprint"], true)).await?;
        // The ledger's lists: a unit's, a system's, everyone's, newest or gravest first.
        // The id ends each, so a page ordered by (key, id) is read from the index as it stands.
        let lists: [(&str, &[&'static str]); 9] = [
            ("ix_vulnerabilities_unit", &["unit_id", "found_at", "id"]),
            ("ix_vulnerabilities_unit_status", &["unit_id", "status", "severity_rank", "id"]),
            ("ix_vulnerabilities_system", &["system_id", "found_at", "id"]),
            // A vendor's lists name its systems (IN) and usually statuses: each pair is a range.
            ("ix_vulnerabilities_system_status", &["system_id", "status", "severity_rank", "id"]),
            ("ix_vulnerabilities_status", &["status", "severity_rank", "found_at", "id"]),
            ("ix_vulnerabilities_found", &["found_at", "id"]),
            ("ix_vulnerabilities_breached", &["breached", "found_at", "id"]),
            ("ix_vulnerabilities_due", &["due_at", "id"]),
            ("ix_vulnerabilities_rank", &["severity_rank", "id"]),
        ];
        for (n, cols) in lists {
            m.create_index(index(V::Table, n, cols, false)).await?;
        }
        m.create_index(index(V::Table, "ix_vulnerabilities_check", &["next_check_at"], false)).await?;
        for (n, col) in [
            ("ix_vulnerabilities_cve", "cve"),
            ("ix_vulnerabilities_cnvd", "cnvd"),
            ("ix_vulnerabilities_cnnvd", "cnnvd"),
        ] {
            m.create_index(index(V::Table, n, &[col], false)).await?;
        }
        m.create_index(index(V::Table, "ix_vulnerabilities_request", &["request_id"], false)).await?;
        m.create_index(index(V::Table, "ix_vulnerabilities_import", &["import_id"], false)).await?;

        use VulnerabilityEvents as E;
        m.create_table(
            Table::create()
                .table(E::Table)
                .col(id(E::Id))
                .col(ref_id(E::VulnerabilityId))
                .col(instant(E::At))
                .col(short(E::Kind))
                .col(opt_str(E::FromStatus, 20))
                .col(opt_str(E::ToStatus, 20))
                .col(opt_str(E::ActorId, 40))
                .col(name(E::ActorName))
                .col(text(E::Note))
                .col(text(E::Data))
                .foreign_key(&mut fk((E::Table, E::VulnerabilityId), (V::Table, V::Id), ForeignKeyAction::Cascade))
                .take(),
        )
        .await?;
        m.create_index(index(E::Table, "ix_vulnerability_events_of", &["vulnerability_id", "at"], false)).await?;

        use VulnerabilityImports as I;
        m.create_table(
            Table::create()
                .table(I::Table)
                .col(id(I::Id))
                .col(short(I::Format))
                .col(opt_str(I::Scanner, 100))
                .col(name(I::FileName))
                .col(ColumnDef::new(I::Sha256).string_len(80).not_null())
                .col(ColumnDef::new(I::Size).big_integer().not_null())
                .col(opt_str(I::SystemId, 40))
                .col(opt_str(I::VendorId, 40))
                .col(opt_instant(I::StartedAt))
                .col(int(I::Hosts))
                .col(text(I::Counts))
                .col(ref_id(I::CreatedBy))
                .col(name(I::CreatedByName))
                .col(instant(I::CreatedAt))
                .take(),
        )
        .await?;
        m.create_index(index(I::Table, "ix_vulnerability_imports_at", &["created_at"], false)).await?;

        use ScanMappings as S;
        m.create_table(
            Table::create()
                .table(S::Table)
                .col(id(S::Id))
                .col(name(S::Name))
                .col(text(S::Mapping))
                .col(ref_id(S::CreatedBy))
                .col(instant(S::CreatedAt))
                .col(instant(S::UpdatedAt))
                .take(),
        )
        .await?;
        m.create_index(index(S::Table, "ux_scan_mappings_name", &["name"], true)).await?;

        m.alter_table(
            Table::alter()
                .table(Alias::new("contract_items"))
                .add_column(opt_str(Alias::new("vulnerability_policy_id"), 40))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("contract_items"))
                .drop_column(Alias::new("vulnerability_policy_id"))
                .take(),
        )
        .await?;
        for t in ["scan_mappings", "vulnerability_imports", "vulnerability_events", "vulnerabilities"] {
            m.drop_table(Table::drop().table(Alias::new(t)).take()).await?;
        }
        Ok(())
    }
}
