//! Assessments (考核): templates (the built-ins and the bureau's copies), assessments of a
//! contract over a period with the template frozen in them, their criteria's points, the
//! deductions facts propose and the assessor rules on, and the history of every change to a
//! point. One assessment per contract, template and period; one row per criterion.

use sea_orm_migration::prelude::*;

use super::{id, index, instant, int, name, opt_instant, opt_str, ref_id, short, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AssessmentTemplates {
    Table,
    Id,
    Key,
    Name,
    Builtin,
    Spec,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Assessments {
    Table,
    Id,
    ContractId,
    VendorId,
    TemplateId,
    TemplateKey,
    TemplateName,
    Spec,
    PeriodFrom,
    PeriodTo,
    Status,
    Vetoed,
    VetoReason,
    PublishedAt,
    AppealUntil,
    AcknowledgedAt,
    FinalizedAt,
    FinalResult,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AssessmentCriteria {
    Table,
    Id,
    AssessmentId,
    Key,
    Position,
    AutoPoints,
    HandPoints,
    Reason,
    Evidence,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AssessmentDeductions {
    Table,
    Id,
    AssessmentId,
    CriterionKey,
    Source,
    SubjectType,
    SubjectId,
    SubjectPart,
    Title,
    Points,
    Status,
    Note,
    DecidedBy,
    DecidedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AssessmentHistory {
    Table,
    Id,
    AssessmentId,
    CriterionKey,
    Action,
    Before,
    After,
    Reason,
    ActorId,
    ActorName,
    At,
}

fn points(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).double().null().take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AssessmentTemplates::Table)
                .col(id(AssessmentTemplates::Id))
                .col(ColumnDef::new(AssessmentTemplates::Key).string_len(40).not_null())
                .col(name(AssessmentTemplates::Name))
                .col(ColumnDef::new(AssessmentTemplates::Builtin).boolean().not_null())
                .col(ColumnDef::new(AssessmentTemplates::Spec).text().not_null())
                .col(instant(AssessmentTemplates::CreatedAt))
                .col(instant(AssessmentTemplates::UpdatedAt))
                .take(),
        )
        .await?;
        m.create_index(index(AssessmentTemplates::Table, "ux_assessment_templates_key", &["key"], true)).await?;

        m.create_table(
            Table::create()
                .table(Assessments::Table)
                .col(id(Assessments::Id))
                .col(ref_id(Assessments::ContractId))
                .col(ref_id(Assessments::VendorId))
                .col(ref_id(Assessments::TemplateId))
                .col(ColumnDef::new(Assessments::TemplateKey).string_len(40).not_null())
                .col(name(Assessments::TemplateName))
                .col(ColumnDef::new(Assessments::Spec).text().not_null())
                .col(ColumnDef::new(Assessments::PeriodFrom).date().not_null())
                .col(ColumnDef::new(Assessments::PeriodTo).date().not_null())
                .col(short(Assessments::Status))
                .col(ColumnDef::new(Assessments::Vetoed).boolean().not_null().default(false))
                .col(text(Assessments::VetoReason))
                .col(opt_instant(Assessments::PublishedAt))
                .col(opt_instant(Assessments::AppealUntil))
                .col(opt_instant(Assessments::AcknowledgedAt))
                .col(opt_instant(Assessments::FinalizedAt))
                .col(text(Assessments::FinalResult))
                .col(ref_id(Assessments::CreatedBy))
                .col(instant(Assessments::CreatedAt))
                .col(instant(Assessments::UpdatedAt))
                .take(),
        )
        .await?;
        // Two assessors drafting the same period at once make one assessment, not two.
        let cols = &["contract_id", "template_id", "period_from", "period_to"];
        m.create_index(index(Assessments::Table, "ux_assessments_period", cols, true)).await?;
        m.create_index(index(Assessments::Table, "ix_assessments_vendor", &["vendor_id", "period_to"], false)).await?;

        m.create_table(
            Table::create()
                .table(AssessmentCriteria::Table)
                .col(id(AssessmentCriteria::Id))
                .col(ref_id(AssessmentCriteria::AssessmentId))
                .col(ColumnDef::new(AssessmentCriteria::Key).string_len(40).not_null())
                .col(int(AssessmentCriteria::Position))
                .col(points(AssessmentCriteria::AutoPoints))
                .col(points(AssessmentCriteria::HandPoints))
                .col(text(AssessmentCriteria::Reason))
                .col(ColumnDef::new(AssessmentCriteria::Evidence).text().not_null())
                .col(opt_str(AssessmentCriteria::UpdatedBy, 40))
                .col(instant(AssessmentCriteria::UpdatedAt))
                .take(),
        )
        .await?;
        let cols = &["assessment_id", "key"];
        m.create_index(index(AssessmentCriteria::Table, "ux_assessment_criteria_key", cols, true)).await?;

        m.create_table(
            Table::create()
                .table(AssessmentDeductions::Table)
                .col(id(AssessmentDeductions::Id))
                .col(ref_id(AssessmentDeductions::AssessmentId))
                .col(ColumnDef::new(AssessmentDeductions::CriterionKey).string_len(40).not_null())
                .col(ColumnDef::new(AssessmentDeductions::Source).string_len(40).not_null())
                .col(opt_str(AssessmentDeductions::SubjectType, 40))
                .col(opt_str(AssessmentDeductions::SubjectId, 40))
                .col(opt_str(AssessmentDeductions::SubjectPart, 40))
                .col(ColumnDef::new(AssessmentDeductions::Title).string_len(500).not_null())
                .col(ColumnDef::new(AssessmentDeductions::Points).double().not_null())
                .col(short(AssessmentDeductions::Status))
                .col(text(AssessmentDeductions::Note))
                .col(opt_str(AssessmentDeductions::DecidedBy, 40))
                .col(opt_instant(AssessmentDeductions::DecidedAt))
                .col(instant(AssessmentDeductions::CreatedAt))
                .take(),
        )
        .await?;
        // One proposal per fact (a ticket's clock, a task) and criterion.
        let cols = &["assessment_id", "criterion_key", "subject_type", "subject_id", "subject_part"];
        m.create_index(index(AssessmentDeductions::Table, "ux_assessment_deductions_fact", cols, true)).await?;

        m.create_table(
            Table::create()
                .table(AssessmentHistory::Table)
                .col(id(AssessmentHistory::Id))
                .col(ref_id(AssessmentHistory::AssessmentId))
                .col(opt_str(AssessmentHistory::CriterionKey, 40))
                .col(short(AssessmentHistory::Action))
                .col(points(AssessmentHistory::Before))
                .col(points(AssessmentHistory::After))
                .col(text(AssessmentHistory::Reason))
                .col(ref_id(AssessmentHistory::ActorId))
                .col(name(AssessmentHistory::ActorName))
                .col(instant(AssessmentHistory::At))
                .take(),
        )
        .await?;
        let cols = &["assessment_id", "at"];
        m.create_index(index(AssessmentHistory::Table, "ix_assessment_history", cols, false)).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["assessment_history", "assessment_deductions", "assessment_criteria", "assessments"] {
            m.drop_table(Table::drop().table(Alias::new(t)).take()).await?;
        }
        m.drop_table(Table::drop().table(AssessmentTemplates::Table).take()).await
    }
}
