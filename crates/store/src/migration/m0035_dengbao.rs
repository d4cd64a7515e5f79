//! The 等保 cycle tracker (issue 20): a system's filing and the due day the bureau set, its
//! assessments, the rectification items they leave, and the bureau's yearly quota.

use sea_orm_migration::prelude::*;

use super::{fk, id, index, instant, int, name, opt_date, opt_instant, opt_str, ref_id, short, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DengbaoRecords {
    Table,
    SystemId,
    FilingNumber,
    FiledOn,
    NextDueSet,
    Notes,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DengbaoAssessments {
    Table,
    Id,
    SystemId,
    AssessedOn,
    Assessor,
    Score,
    Conclusion,
    Notes,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DengbaoItems {
    Table,
    Id,
    SystemId,
    UnitId,
    AssessmentId,
    Title,
    Risk,
    Deadline,
    Status,
    DoneAt,
    DoneNote,
    ClosedAt,
    ClosedByName,
    Revision,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DengbaoQuotas {
    Table,
    Year,
    Quota,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Systems {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use DengbaoRecords as R;
        m.create_table(
            Table::create()
                .table(R::Table)
                .col(ColumnDef::new(R::SystemId).string_len(40).not_null().primary_key())
                .col(opt_str(R::FilingNumber, 100))
                .col(opt_date(R::FiledOn))
                .col(opt_date(R::NextDueSet))
                .col(text(R::Notes))
                .col(ref_id(R::UpdatedBy))
                .col(instant(R::UpdatedAt))
                .foreign_key(&mut fk((R::Table, R::SystemId), (Systems::Table, Systems::Id), ForeignKeyAction::Cascade))
                .take(),
        )
        .await?;
        use DengbaoAssessments as A;
        m.create_table(
            Table::create()
                .table(A::Table)
                .col(id(A::Id))
                .col(ref_id(A::SystemId))
                .col(ColumnDef::new(A::AssessedOn).date().not_null())
                .col(name(A::Assessor))
                .col(ColumnDef::new(A::Score).double().null())
                .col(short(A::Conclusion))
                .col(text(A::Notes))
                .col(ref_id(A::CreatedBy))
                .col(instant(A::CreatedAt))
                .foreign_key(&mut fk((A::Table, A::SystemId), (Systems::Table, Systems::Id), ForeignKeyAction::Cascade))
                .take(),
        )
        .await?;
        // The same assessment entered twice is one: a system is assessed once a day at most.
        m.create_index(index(A::Table, "ux_dengbao_assessments_day", &["system_id", "assessed_on"], true)).await?;
        use DengbaoItems as I;
        m.create_table(
            Table::create()
                .table(I::Table)
                .col(id(I::Id))
                .col(ref_id(I::SystemId))
                .col(ref_id(I::UnitId))
                .col(opt_str(I::AssessmentId, 40))
                .col(ColumnDef::new(I::Title).string_len(500).not_null())
                .col(short(I::Risk))
                .col(ColumnDef::new(I::Deadline).date().not_null())
                .col(short(I::Status))
                .col(opt_instant(I::DoneAt))
                .col(text(I::DoneNote))
                .col(opt_instant(I::ClosedAt))
                .col(opt_str(I::ClosedByName, 200))
                .col(int(I::Revision))
                .col(ref_id(I::CreatedBy))
                .col(instant(I::CreatedAt))
                .foreign_key(&mut fk((I::Table, I::SystemId), (Systems::Table, Systems::Id), ForeignKeyAction::Cascade))
                .take(),
        )
        .await?;
        m.create_index(index(I::Table, "ix_dengbao_items_system", &["system_id", "status", "deadline"], false)).await?;
        m.create_index(index(I::Table, "ix_dengbao_items_unit", &["unit_id", "status"], false)).await?;
        use DengbaoQuotas as Q;
        m.create_table(
            Table::create()
                .table(Q::Table)
                .col(ColumnDef::new(Q::Year).integer().not_null().primary_key())
                .col(int(Q::Quota))
                .col(ref_id(Q::UpdatedBy))
                .col(instant(Q::UpdatedAt))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["dengbao_quotas", "dengbao_items", "dengbao_assessments", "dengbao_records"] {
            m.drop_table(Table::drop().table(Alias::new(t)).take()).await?;
        }
        Ok(())
    }
}
