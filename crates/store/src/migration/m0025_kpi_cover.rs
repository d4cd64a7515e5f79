//! The indicators read a contract's tickets by item and report time, and every column the
//! ticket passes aggregate (type, level, status, rating, resolution times, system, policy,
//! cause) was fetched from the table: a contract-year's 75 000 tickets lie on 29 000 pages of
//! it. The item index now carries those columns, so the passes read the index alone (on
//! PostgreSQL as non-key columns, on SQLite, which has no `INCLUDE`, as trailing key columns).
//! It replaces `ix_tickets_item_reported`, whose key is its prefix.

use sea_orm::DatabaseBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const KEY: &[&str] = &["contract_item_id", "reported_at", "id"];
const CARRIED: &[&str] = &[
    "kind",
    "severity",
    "status",
    "rating",
    "resolved_at",
    "closed_at",
    "system_id",
    "policy_id",
    "policy_version",
    "cause",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut i = Index::create();
        i.name("ix_tickets_item_kpi").table(Alias::new("tickets"));
        for c in KEY {
            i.col(Alias::new(*c));
        }
        let postgres = m.get_database_backend() == DatabaseBackend::Postgres;
        for c in CARRIED {
            if postgres {
                i.include(Alias::new(*c));
            } else {
                i.col(Alias::new(*c));
            }
        }
        m.create_index(i).await?;
        m.drop_index(Index::drop().name("ix_tickets_item_reported").table(Alias::new("tickets")).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(super::index(Alias::new("tickets"), "ix_tickets_item_reported", KEY, false)).await?;
        m.drop_index(Index::drop().name("ix_tickets_item_kpi").table(Alias::new("tickets")).to_owned()).await
    }
}
