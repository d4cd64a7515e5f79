//! The few places where SQLite and PostgreSQL must be spoken to differently.

use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement};

/// Triggers that refuse UPDATE and DELETE on an append-only table. They stop mistakes and casual
/// tampering; a database owner can drop them, which is why the chain is verified as well.
pub fn append_only_triggers(backend: DatabaseBackend, table: &str) -> Vec<String> {
    match backend {
        DatabaseBackend::Sqlite => ["UPDATE", "DELETE"]
            .iter()
            .map(|op| {
                format!(
                    "CREATE TRIGGER {table}_no_{lower} BEFORE {op} ON {table} \
                     BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
                    lower = op.to_lowercase()
                )
            })
            .collect(),
        DatabaseBackend::Postgres => vec![
            format!(
                "CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION '{table} is append-only'; END $$"
            ),
            format!(
                "CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} \
                 FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
            ),
        ],
        _ => Vec::new(),
    }
}

/// Serialises appends to the audit chain across connections and replicas. SQLite needs nothing:
/// the store already lets one writer at a time into a transaction.
pub async fn lock_audit_chain(conn: &impl ConnectionTrait) -> Result<(), DbErr> {
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        // An arbitrary constant key ("yunwei audit") for a transaction-scoped advisory lock.
        conn.execute_raw(Statement::from_string(DatabaseBackend::Postgres, "SELECT pg_advisory_xact_lock(7931001)"))
            .await?;
    }
    Ok(())
}
