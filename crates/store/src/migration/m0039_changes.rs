//! Changes and releases (issue 21): approval requests gain their steps (decided in turn, the
//! waiting one kept as a number so a decision is one conditional update), delegations while a
//! decider is away, the changes with the systems they touch, and the versions systems run.

use sea_orm_migration::prelude::*;

use super::{fk, id, index, instant, opt_instant, opt_str, ref_id, short, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Approvals {
    Table,
    Steps,
    CurrentStep,
    WaitingFor,
}

#[derive(DeriveIden)]
enum ApprovalDelegations {
    Table,
    Id,
    UserId,
    DelegateId,
    StartsOn,
    EndsOn,
    Reason,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Changes {
    Table,
    Id,
    Kind,
    ChangeType,
    Risk,
    Title,
    Description,
    UnitId,
    VendorId,
    PlannedStart,
    PlannedEnd,
    Plan,
    RollbackPlan,
    TestEvidence,
    Downtime,
    Version,
    ReleasePlan,
    Status,
    ApprovalId,
    ApprovedAt,
    StartedAt,
    StartedBeforeApproval,
    FinishedAt,
    Outcome,
    OutcomeNote,
    TicketId,
    RequestedBy,
    RequestedByName,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ChangeSystems {
    Table,
    ChangeId,
    SystemId,
}

#[derive(DeriveIden)]
enum SystemVersions {
    Table,
    Id,
    SystemId,
    Version,
    ChangedAt,
    ChangeId,
    RecordedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Systems {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // `waiting_for` names who the waiting step is for (`bureau`, `unit`, `user:<id>`), so an
        // inbox is one query. One column per statement: SQLite adds one at a time.
        for mut c in [
            ColumnDef::new(Approvals::Steps).text().not_null().default("[]").take(),
            ColumnDef::new(Approvals::CurrentStep).integer().not_null().default(0).take(),
            ColumnDef::new(Approvals::WaitingFor).string_len(60).null().take(),
        ] {
            m.alter_table(Table::alter().table(Approvals::Table).add_column(&mut c).take()).await?;
        }

        use ApprovalDelegations as D;
        m.create_table(
            Table::create()
                .table(D::Table)
                .col(id(D::Id))
                .col(ref_id(D::UserId))
                .col(ref_id(D::DelegateId))
                .col(ColumnDef::new(D::StartsOn).date().not_null())
                .col(ColumnDef::new(D::EndsOn).date().not_null())
                .col(text(D::Reason))
                .col(instant(D::CreatedAt))
                .col(opt_instant(D::RevokedAt))
                .take(),
        )
        .await?;
        m.create_index(index(D::Table, "ix_approval_delegations_delegate", &["delegate_id", "ends_on"], false)).await?;
        m.create_index(index(D::Table, "ix_approval_delegations_user", &["user_id", "ends_on"], false)).await?;

        use Changes as C;
        m.create_table(
            Table::create()
                .table(C::Table)
                .col(id(C::Id))
                .col(short(C::Kind))
                .col(short(C::ChangeType))
                .col(short(C::Risk))
                .col(ColumnDef::new(C::Title).string_len(200).not_null())
                .col(text(C::Description))
                .col(ref_id(C::UnitId))
                .col(opt_str(C::VendorId, 40))
                .col(instant(C::PlannedStart))
                .col(instant(C::PlannedEnd))
                .col(text(C::Plan))
                .col(text(C::RollbackPlan))
                .col(text(C::TestEvidence))
                .col(ColumnDef::new(C::Downtime).boolean().not_null())
                .col(opt_str(C::Version, 100))
                .col(text(C::ReleasePlan))
                .col(short(C::Status))
                .col(opt_str(C::ApprovalId, 40))
                .col(opt_instant(C::ApprovedAt))
                .col(opt_instant(C::StartedAt))
                .col(ColumnDef::new(C::StartedBeforeApproval).boolean().not_null())
                .col(opt_instant(C::FinishedAt))
                .col(opt_str(C::Outcome, 20))
                .col(text(C::OutcomeNote))
                .col(opt_str(C::TicketId, 40))
                .col(ref_id(C::RequestedBy))
                .col(ColumnDef::new(C::RequestedByName).string_len(200).not_null())
                .col(instant(C::CreatedAt))
                .col(instant(C::UpdatedAt))
                .take(),
        )
        .await?;
        m.create_index(index(C::Table, "ix_changes_unit", &["unit_id", "planned_start"], false)).await?;
        m.create_index(index(C::Table, "ix_changes_vendor", &["vendor_id", "planned_start"], false)).await?;
        m.create_index(index(C::Table, "ix_changes_planned", &["planned_start"], false)).await?;

        use ChangeSystems as S;
        m.create_table(
            Table::create()
                .table(S::Table)
                .col(ref_id(S::ChangeId))
                .col(ref_id(S::SystemId))
                .primary_key(Index::create().col(S::ChangeId).col(S::SystemId))
                .foreign_key(&mut fk((S::Table, S::ChangeId), (C::Table, C::Id), ForeignKeyAction::Cascade))
                .foreign_key(&mut fk(
                    (S::Table, S::SystemId),
                    (Systems::Table, Systems::Id),
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(S::Table, "ix_change_systems_system", &["system_id"], false)).await?;

        use SystemVersions as V;
        m.create_table(
            Table::create()
                .table(V::Table)
                .col(id(V::Id))
                .col(ref_id(V::SystemId))
                .col(ColumnDef::new(V::Version).string_len(100).not_null())
                .col(instant(V::ChangedAt))
                .col(opt_str(V::ChangeId, 40))
                .col(ref_id(V::RecordedBy))
                .col(instant(V::CreatedAt))
                .foreign_key(&mut fk(
                    (V::Table, V::SystemId),
                    (Systems::Table, Systems::Id),
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(V::Table, "ix_system_versions_system", &["system_id", "changed_at"], false)).await?;
        // A release leaves one record per system, however often its outcome is sent.
        m.create_index(index(V::Table, "ux_system_versions_change", &["change_id", "system_id"], true)).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["system_versions", "change_systems", "changes", "approval_delegations"] {
            m.drop_table(Table::drop().table(Alias::new(t)).take()).await?;
        }
        for c in ["waiting_for", "current_step", "steps"] {
            m.alter_table(Table::alter().table(Approvals::Table).drop_column(Alias::new(c)).take()).await?;
        }
        Ok(())
    }
}
