//! Payments made on a contract (date, amount, voucher), optionally against one milestone of an
//! item. A voucher number is recorded once per contract.

use sea_orm_migration::prelude::*;

use super::{id, index, instant, opt_str, ref_id, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ContractPayments {
    Table,
    Id,
    ContractId,
    ItemId,
    Milestone,
    PaidOn,
    AmountFen,
    Voucher,
    Note,
    CreatedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ContractPayments::Table)
                .col(id(ContractPayments::Id))
                .col(ref_id(ContractPayments::ContractId))
                .col(opt_str(ContractPayments::ItemId, 40))
                .col(ColumnDef::new(ContractPayments::Milestone).integer().null())
                .col(ColumnDef::new(ContractPayments::PaidOn).date().not_null())
                .col(ColumnDef::new(ContractPayments::AmountFen).big_integer().not_null())
                .col(ColumnDef::new(ContractPayments::Voucher).string_len(100).not_null())
                .col(text(ContractPayments::Note))
                .col(ref_id(ContractPayments::CreatedBy))
                .col(instant(ContractPayments::CreatedAt))
                .take(),
        )
        .await?;
        // The same voucher twice on one contract is a double entry.
        let cols = &["contract_id", "voucher"];
        m.create_index(index(ContractPayments::Table, "ux_contract_payments_voucher", cols, true)).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ContractPayments::Table).take()).await
    }
}
