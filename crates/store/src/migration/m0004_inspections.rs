//! Inspections: checklist templates, plans, the tasks they generate, the signed records with
//! their results, and the photos taken on site.

use sea_orm_migration::prelude::*;

use super::{fk, id, index, instant, int, name, opt_date, opt_instant, opt_str, ref_id, short, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn flag(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).boolean().not_null().take()
}
fn date(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).date().not_null().take()
}
fn real(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).double().null().take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Templates::Table)
                .col(id(Templates::Id))
                .col(name(Templates::Name))
                .col(short(Templates::Kind))
                .col(text(Templates::Description))
                .col(flag(Templates::Builtin))
                .col(ColumnDef::new(Templates::Items).text().not_null())
                .col(instant(Templates::CreatedAt))
                .col(instant(Templates::UpdatedAt))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Plans::Table)
                .col(id(Plans::Id))
                .col(name(Plans::Name))
                .col(ref_id(Plans::SystemId))
                .col(ref_id(Plans::UnitId))
                .col(opt_str(Plans::AssetId, 40))
                .col(ref_id(Plans::TemplateId))
                .col(ColumnDef::new(Plans::Recurrence).text().not_null())
                .col(ref_id(Plans::CalendarId))
                .col(short(Plans::HolidayRule))
                .col(opt_str(Plans::AssigneeId, 40))
                .col(opt_str(Plans::AssigneeRole, 20))
                .col(int(Plans::WindowStart))
                .col(int(Plans::WindowEnd))
                .col(date(Plans::StartDate))
                .col(opt_date(Plans::EndDate))
                .col(flag(Plans::Active))
                .col(opt_date(Plans::GeneratedUntil))
                .col(instant(Plans::CreatedAt))
                .col(instant(Plans::UpdatedAt))
                .foreign_key(&mut fk(
                    (Plans::Table, Plans::SystemId),
                    (Alias::new("systems"), Alias::new("id")),
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    (Plans::Table, Plans::TemplateId),
                    (Templates::Table, Templates::Id),
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        for (name, cols) in [
            ("ix_inspection_plans_system", &["system_id"][..]),
            ("ix_inspection_plans_unit", &["unit_id"][..]),
            ("ix_inspection_plans_template", &["template_id"][..]),
            ("ix_inspection_plans_calendar", &["calendar_id"][..]),
        ] {
            m.create_index(index(Plans::Table, name, cols, false)).await?;
        }

        m.create_table(
            Table::create()
                .table(Tasks::Table)
                .col(id(Tasks::Id))
                .col(ref_id(Tasks::PlanId))
                .col(ref_id(Tasks::SystemId))
                .col(ref_id(Tasks::UnitId))
                .col(ref_id(Tasks::TemplateId))
                .col(date(Tasks::ScheduledFor))
                .col(instant(Tasks::OpensAt))
                .col(instant(Tasks::DueAt))
                .col(flag(Tasks::Done))
                .col(opt_str(Tasks::AssigneeId, 40))
                .col(opt_str(Tasks::AssigneeRole, 20))
                .col(opt_str(Tasks::RecordId, 40))
                .col(opt_instant(Tasks::CompletedAt))
                .col(ColumnDef::new(Tasks::OnTime).boolean().null())
                .col(int(Tasks::AbnormalCount))
                .col(instant(Tasks::CreatedAt))
                .foreign_key(&mut fk(
                    (Tasks::Table, Tasks::PlanId),
                    (Plans::Table, Plans::Id),
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        // One task per plan and day is what makes generation idempotent (insert-if-absent).
        for (name, cols, unique) in [
            ("ux_inspection_tasks_plan_day", &["plan_id", "scheduled_for"][..], true),
            ("ix_inspection_tasks_day", &["scheduled_for", "id"][..], false),
            ("ix_inspection_tasks_system", &["system_id", "scheduled_for"][..], false),
            ("ix_inspection_tasks_unit", &["unit_id", "scheduled_for"][..], false),
            ("ix_inspection_tasks_assignee", &["assignee_id", "scheduled_for"][..], false),
            ("ix_inspection_tasks_due", &["done", "due_at"][..], false),
        ] {
            m.create_index(index(Tasks::Table, name, cols, unique)).await?;
        }

        m.create_table(
            Table::create()
                .table(Records::Table)
                .col(id(Records::Id))
                .col(ref_id(Records::TaskId))
                .col(ref_id(Records::PlanId))
                .col(ref_id(Records::SystemId))
                .col(ref_id(Records::UnitId))
                .col(ref_id(Records::TemplateId))
                .col(name(Records::TemplateName))
                .col(date(Records::InspectedOn))
                .col(instant(Records::InspectedAt))
                .col(ref_id(Records::InspectorId))
                .col(ColumnDef::new(Records::InspectorName).string_len(100).not_null())
                .col(text(Records::Note))
                .col(real(Records::Latitude))
                .col(real(Records::Longitude))
                .col(real(Records::Accuracy))
                .col(int(Records::AbnormalCount))
                .col(instant(Records::CreatedAt))
                .take(),
        )
        .await?;
        for (name, cols, unique) in [
            ("ux_inspection_records_task", &["task_id"][..], true),
            ("ix_inspection_records_system", &["system_id", "inspected_on"][..], false),
            ("ix_inspection_records_unit", &["unit_id", "inspected_on"][..], false),
        ] {
            m.create_index(index(Records::Table, name, cols, unique)).await?;
        }

        m.create_table(
            Table::create()
                .table(Results::Table)
                .col(ref_id(Results::RecordId))
                .col(ColumnDef::new(Results::ItemId).string_len(64).not_null())
                .col(int(Results::Seq))
                .col(name(Results::ItemName))
                .col(opt_str(Results::ItemGroup, 50))
                .col(opt_str(Results::Expected, 200))
                .col(short(Results::ResultType))
                .col(text(Results::Value))
                .col(opt_str(Results::Unit, 20))
                .col(flag(Results::Abnormal))
                .col(flag(Results::Automatic))
                .col(text(Results::Note))
                .col(text(Results::Suggestion))
                .col(opt_str(Results::TicketId, 40))
                .primary_key(Index::create().col(Results::RecordId).col(Results::ItemId))
                .foreign_key(&mut fk(
                    (Results::Table, Results::RecordId),
                    (Records::Table, Records::Id),
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(Results::Table, "ix_inspection_results_ticket", &["ticket_id"], false)).await?;

        m.create_table(
            Table::create()
                .table(Photos::Table)
                .col(id(Photos::Id))
                .col(ref_id(Photos::TaskId))
                .col(ColumnDef::new(Photos::ItemId).string_len(64).null())
                .col(name(Photos::FileName))
                .col(ColumnDef::new(Photos::ContentType).string_len(100).not_null())
                .col(ColumnDef::new(Photos::Size).big_integer().not_null())
                .col(opt_str(Photos::UploadedBy, 40))
                .col(instant(Photos::CreatedAt))
                .take(),
        )
        .await?;
        m.create_index(index(Photos::Table, "ix_inspection_photos_task", &["task_id"], false)).await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("the inspections migration is not reversible".into()))
    }
}

#[derive(DeriveIden)]
enum Templates {
    #[sea_orm(iden = "inspection_templates")]
    Table,
    Id,
    Name,
    Kind,
    Description,
    Builtin,
    Items,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Plans {
    #[sea_orm(iden = "inspection_plans")]
    Table,
    Id,
    Name,
    SystemId,
    UnitId,
    AssetId,
    TemplateId,
    Recurrence,
    CalendarId,
    HolidayRule,
    AssigneeId,
    AssigneeRole,
    WindowStart,
    WindowEnd,
    StartDate,
    EndDate,
    Active,
    GeneratedUntil,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Tasks {
    #[sea_orm(iden = "inspection_tasks")]
    Table,
    Id,
    PlanId,
    SystemId,
    UnitId,
    TemplateId,
    ScheduledFor,
    OpensAt,
    DueAt,
    Done,
    AssigneeId,
    AssigneeRole,
    RecordId,
    CompletedAt,
    OnTime,
    AbnormalCount,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Records {
    #[sea_orm(iden = "inspection_records")]
    Table,
    Id,
    TaskId,
    PlanId,
    SystemId,
    UnitId,
    TemplateId,
    TemplateName,
    InspectedOn,
    InspectedAt,
    InspectorId,
    InspectorName,
    Note,
    Latitude,
    Longitude,
    Accuracy,
    AbnormalCount,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Results {
    #[sea_orm(iden = "inspection_results")]
    Table,
    RecordId,
    ItemId,
    Seq,
    ItemName,
    ItemGroup,
    Expected,
    ResultType,
    Value,
    Unit,
    Abnormal,
    Automatic,
    Note,
    Suggestion,
    TicketId,
}

#[derive(DeriveIden)]
enum Photos {
    #[sea_orm(iden = "inspection_photos")]
    Table,
    Id,
    TaskId,
    ItemId,
    FileName,
    ContentType,
    Size,
    UploadedBy,
    CreatedAt,
}
