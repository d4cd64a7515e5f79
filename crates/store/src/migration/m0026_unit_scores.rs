//! Criteria the units score: one row per assessment, criterion and unit served by the contract,
//! made with the draft (the unit's weight is its number of the contract's systems then); the
//! unit's points and reason arrive later. At most one row per unit and criterion.

use sea_orm_migration::prelude::*;

use super::{fk, id, index, int, opt_instant, opt_str, ref_id, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AssessmentUnitScores {
    Table,
    Id,
    AssessmentId,
    CriterionKey,
    UnitId,
    Systems,
    Points,
    Reason,
    ScoredBy,
    ScoredByName,
    ScoredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AssessmentUnitScores::Table)
                .col(id(AssessmentUnitScores::Id))
                .col(ref_id(AssessmentUnitScores::AssessmentId))
                .col(ColumnDef::new(AssessmentUnitScores::CriterionKey).string_len(40).not_null())
                .col(ref_id(AssessmentUnitScores::UnitId))
                .col(int(AssessmentUnitScores::Systems))
                .col(ColumnDef::new(AssessmentUnitScores::Points).double().null())
                .col(text(AssessmentUnitScores::Reason))
                .col(opt_str(AssessmentUnitScores::ScoredBy, 40))
                .col(opt_str(AssessmentUnitScores::ScoredByName, 200))
                .col(opt_instant(AssessmentUnitScores::ScoredAt))
                .foreign_key(&mut fk(
                    (AssessmentUnitScores::Table, AssessmentUnitScores::AssessmentId),
                    (Alias::new("assessments"), Alias::new("id")),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        let cols = &["assessment_id", "criterion_key", "unit_id"];
        m.create_index(index(AssessmentUnitScores::Table, "ux_assessment_unit_scores", cols, true)).await?;
        // A unit's to-do: the drafts it scores in.
        let cols = &["unit_id", "assessment_id"];
        m.create_index(index(AssessmentUnitScores::Table, "ix_assessment_unit_scores_unit", cols, false)).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AssessmentUnitScores::Table).to_owned()).await
    }
}
