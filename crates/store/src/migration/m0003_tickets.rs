//! Tickets, their timeline, SLA clocks, comments, attachments, and the notification outbox;
//! contract items learn their SLA policy and which outage causes count against the vendor.

use sea_orm_migration::prelude::*;

use super::{fk, id, index, instant, name, opt_instant, opt_str, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn ref_id(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).string_len(40).not_null().take()
}
fn big(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).big_integer().not_null().take()
}
fn json(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).text().not_null().take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let items = Alias::new("contract_items");
        m.alter_table(Table::alter().table(items.clone()).add_column(opt_str(Alias::new("sla_policy_id"), 40)).take())
            .await?;
        m.alter_table(
            Table::alter()
                .table(items)
                .add_column(
                    ColumnDef::new(Alias::new("counted_causes")).text().not_null().default("[\"unknown\",\"vendor\"]"),
                )
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(TicketCounters::Table)
                .col(ColumnDef::new(TicketCounters::Day).string_len(8).not_null().primary_key())
                .col(ColumnDef::new(TicketCounters::N).integer().not_null())
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Tickets::Table)
                .col(id(Tickets::Id))
                .col(ColumnDef::new(Tickets::Number).string_len(32).not_null())
                .col(ColumnDef::new(Tickets::Kind).string_len(20).not_null())
                .col(ColumnDef::new(Tickets::Channel).string_len(20).not_null())
                .col(name(Tickets::Title))
                .col(text(Tickets::Description))
                .col(ref_id(Tickets::SystemId))
                .col(ref_id(Tickets::UnitId))
                .col(opt_str(Tickets::VendorId, 40))
                .col(opt_str(Tickets::ContractItemId, 40))
                .col(opt_str(Tickets::PolicyId, 40))
                .col(ColumnDef::new(Tickets::PolicyVersion).integer().null())
                .col(opt_str(Tickets::CalendarId, 40))
                .col(opt_str(Tickets::Severity, 50))
                .col(opt_instant(Tickets::SeveritySince))
                .col(ColumnDef::new(Tickets::Status).string_len(20).not_null())
                .col(ColumnDef::new(Tickets::SupportLevel).string_len(4).not_null())
                .col(opt_str(Tickets::ReporterId, 40))
                .col(ColumnDef::new(Tickets::ReporterName).string_len(100).not_null())
                .col(opt_str(Tickets::Contact, 100))
                .col(opt_str(Tickets::AssigneeId, 40))
                .col(instant(Tickets::ReportedAt))
                .col(ColumnDef::new(Tickets::InHours).boolean().not_null())
                .col(opt_instant(Tickets::ResolvedAt))
                .col(opt_instant(Tickets::ClosedAt))
                .col(opt_str(Tickets::WaitingFor, 200))
                .col(opt_str(Tickets::Cause, 20))
                .col(opt_instant(Tickets::OutageStart))
                .col(opt_instant(Tickets::OutageEnd))
                .col(ColumnDef::new(Tickets::Rating).integer().null())
                .col(text(Tickets::RatingComment))
                .col(opt_instant(Tickets::NextDueAt))
                .col(opt_instant(Tickets::RiskAt))
                .col(ColumnDef::new(Tickets::Breached).boolean().not_null())
                .col(opt_instant(Tickets::NextCheckAt))
                .col(ColumnDef::new(Tickets::Revision).integer().not_null())
                .col(instant(Tickets::CreatedAt))
                .col(instant(Tickets::UpdatedAt))
                .foreign_key(&mut fk(
                    (Tickets::Table, Tickets::SystemId),
                    (Alias::new("systems"), Alias::new("id")),
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        // Lists filter by one of these and sort by `reported_at` (or `next_due_at`), ties broken by
        // `id`. With `id` in the index a page's ids come from the index alone (see
        // `tickets::list`); the status index also carries `next_due_at` for “open, most urgent
        // first”. `breached` and the at-risk test (`breached = false AND risk_at <= now`) select a
        // few percent of a million rows and need their own. Measured in docs/benchmarks.md.
        for (name, cols, unique) in [
            ("ux_tickets_number", &["number"][..], true),
            ("ix_tickets_reported", &["reported_at", "id"][..], false),
            ("ix_tickets_status", &["status", "reported_at", "id", "next_due_at"][..], false),
            ("ix_tickets_system", &["system_id", "reported_at", "id"][..], false),
            ("ix_tickets_unit", &["unit_id", "reported_at", "id"][..], false),
            ("ix_tickets_vendor", &["vendor_id", "reported_at", "id"][..], false),
            ("ix_tickets_assignee", &["assignee_id", "reported_at", "id"][..], false),
            ("ix_tickets_breached", &["breached", "reported_at", "id"][..], false),
            ("ix_tickets_risk", &["breached", "risk_at"][..], false),
            ("ix_tickets_next_check", &["next_check_at"][..], false),
            ("ix_tickets_next_due", &["next_due_at", "id"][..], false),
            ("ix_tickets_calendar", &["calendar_id", "status"][..], false),
        ] {
            m.create_index(index(Tickets::Table, name, cols, unique)).await?;
        }

        m.create_table(
            Table::create()
                .table(TicketEvents::Table)
                .col(ref_id(TicketEvents::TicketId))
                .col(ColumnDef::new(TicketEvents::Seq).integer().not_null())
                .col(instant(TicketEvents::At))
                .col(instant(TicketEvents::RecordedAt))
                .col(opt_str(TicketEvents::ActorId, 40))
                .col(ColumnDef::new(TicketEvents::ActorName).string_len(100).not_null())
                .col(ColumnDef::new(TicketEvents::Kind).string_len(20).not_null())
                .col(opt_str(TicketEvents::FromStatus, 20))
                .col(opt_str(TicketEvents::ToStatus, 20))
                .col(text(TicketEvents::Reason))
                .col(json(TicketEvents::Data))
                .primary_key(Index::create().col(TicketEvents::TicketId).col(TicketEvents::Seq))
                .foreign_key(&mut fk(
                    (TicketEvents::Table, TicketEvents::TicketId),
                    (Tickets::Table, Tickets::Id),
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(TicketClocks::Table)
                .col(ref_id(TicketClocks::TicketId))
                .col(ColumnDef::new(TicketClocks::Metric).string_len(32).not_null())
                .col(json(TicketClocks::Target))
                .col(instant(TicketClocks::StartAt))
                .col(opt_instant(TicketClocks::DueAt))
                .col(ColumnDef::new(TicketClocks::State).string_len(10).not_null())
                .col(opt_instant(TicketClocks::StoppedAt))
                .col(opt_instant(TicketClocks::BreachedAt))
                .col(big(TicketClocks::BudgetUs))
                .col(big(TicketClocks::SpentUs))
                .col(json(TicketClocks::Pauses))
                .col(json(TicketClocks::Fired))
                .primary_key(Index::create().col(TicketClocks::TicketId).col(TicketClocks::Metric))
                .foreign_key(&mut fk(
                    (TicketClocks::Table, TicketClocks::TicketId),
                    (Tickets::Table, Tickets::Id),
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(TicketClocks::Table, "ix_ticket_clocks_due", &["state", "due_at"], false)).await?;

        m.create_table(
            Table::create()
                .table(TicketComments::Table)
                .col(id(TicketComments::Id))
                .col(ref_id(TicketComments::TicketId))
                .col(opt_str(TicketComments::AuthorId, 40))
                .col(ColumnDef::new(TicketComments::AuthorName).string_len(100).not_null())
                .col(ColumnDef::new(TicketComments::Body).text().not_null())
                .col(ColumnDef::new(TicketComments::Internal).boolean().not_null())
                .col(instant(TicketComments::CreatedAt))
                .foreign_key(&mut fk(
                    (TicketComments::Table, TicketComments::TicketId),
                    (Tickets::Table, Tickets::Id),
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(TicketComments::Table, "ix_ticket_comments_ticket", &["ticket_id", "created_at"], false))
            .await?;

        m.create_table(
            Table::create()
                .table(TicketAttachments::Table)
                .col(id(TicketAttachments::Id))
                .col(ref_id(TicketAttachments::TicketId))
                .col(ColumnDef::new(TicketAttachments::FileName).string_len(200).not_null())
                .col(ColumnDef::new(TicketAttachments::ContentType).string_len(100).not_null())
                .col(big(TicketAttachments::Size))
                .col(ColumnDef::new(TicketAttachments::Sha256).string_len(64).not_null())
                .col(ColumnDef::new(TicketAttachments::Internal).boolean().not_null())
                .col(opt_str(TicketAttachments::UploadedBy, 40))
                .col(instant(TicketAttachments::CreatedAt))
                .foreign_key(&mut fk(
                    (TicketAttachments::Table, TicketAttachments::TicketId),
                    (Tickets::Table, Tickets::Id),
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(TicketAttachments::Table, "ix_ticket_attachments_ticket", &["ticket_id"], false)).await?;

        m.create_table(
            Table::create()
                .table(Notifications::Table)
                .col(id(Notifications::Id))
                .col(ref_id(Notifications::UserId))
                .col(opt_str(Notifications::TicketId, 40))
                .col(ColumnDef::new(Notifications::Kind).string_len(20).not_null())
                .col(json(Notifications::Message))
                .col(instant(Notifications::CreatedAt))
                .col(opt_instant(Notifications::ReadAt))
                .foreign_key(&mut fk(
                    (Notifications::Table, Notifications::UserId),
                    (Alias::new("users"), Alias::new("id")),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    (Notifications::Table, Notifications::TicketId),
                    (Tickets::Table, Tickets::Id),
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(Notifications::Table, "ix_notifications_user", &["user_id", "created_at"], false)).await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("the tickets migration is not reversible".into()))
    }
}

#[derive(DeriveIden)]
enum TicketCounters {
    Table,
    Day,
    N,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
    Number,
    Kind,
    Channel,
    Title,
    Description,
    SystemId,
    UnitId,
    VendorId,
    ContractItemId,
    PolicyId,
    PolicyVersion,
    CalendarId,
    Severity,
    SeveritySince,
    Status,
    SupportLevel,
    ReporterId,
    ReporterName,
    Contact,
    AssigneeId,
    ReportedAt,
    InHours,
    ResolvedAt,
    ClosedAt,
    WaitingFor,
    Cause,
    OutageStart,
    OutageEnd,
    Rating,
    RatingComment,
    NextDueAt,
    RiskAt,
    Breached,
    NextCheckAt,
    Revision,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TicketEvents {
    Table,
    TicketId,
    Seq,
    At,
    RecordedAt,
    ActorId,
    ActorName,
    Kind,
    FromStatus,
    ToStatus,
    Reason,
    Data,
}

#[derive(DeriveIden)]
enum TicketClocks {
    Table,
    TicketId,
    Metric,
    Target,
    StartAt,
    DueAt,
    State,
    StoppedAt,
    BreachedAt,
    BudgetUs,
    SpentUs,
    Pauses,
    Fired,
}

#[derive(DeriveIden)]
enum TicketComments {
    Table,
    Id,
    TicketId,
    AuthorId,
    AuthorName,
    Body,
    Internal,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TicketAttachments {
    Table,
    Id,
    TicketId,
    FileName,
    ContentType,
    Size,
    Sha256,
    Internal,
    UploadedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    TicketId,
    Kind,
    Message,
    CreatedAt,
    ReadAt,
}
