//! Files given as evidence with a request for approval (an appeal's supporting documents): one
//! row per file, the bytes under the data directory.

use sea_orm_migration::prelude::*;

use super::{fk, id, index, instant, name, ref_id};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApprovalFiles {
    Table,
    Id,
    ApprovalId,
    FileName,
    ContentType,
    Size,
    Sha256,
    UploadedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ApprovalFiles::Table)
                .col(id(ApprovalFiles::Id))
                .col(ref_id(ApprovalFiles::ApprovalId))
                .col(name(ApprovalFiles::FileName))
                .col(ColumnDef::new(ApprovalFiles::ContentType).string_len(100).not_null())
                .col(ColumnDef::new(ApprovalFiles::Size).big_integer().not_null())
                .col(ColumnDef::new(ApprovalFiles::Sha256).string_len(64).not_null())
                .col(ref_id(ApprovalFiles::UploadedBy))
                .col(instant(ApprovalFiles::CreatedAt))
                .foreign_key(&mut fk(
                    (ApprovalFiles::Table, ApprovalFiles::ApprovalId),
                    (Alias::new("approvals"), Alias::new("id")),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(ApprovalFiles::Table, "ix_approval_files_approval", &["approval_id"], false)).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ApprovalFiles::Table).to_owned()).await
    }
}
