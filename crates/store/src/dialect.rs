//! The few places where SQLite and PostgreSQL must be spoken to differently.

use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement, Value};

/// Triggers that refuse the given row operations (`UPDATE`, `DELETE`) on a table, and in
/// PostgreSQL also `TRUNCATE`. They stop mistakes and casual tampering; a database owner can drop
/// them, which is why the audit chain is verified as well.
pub fn refuse_changes(backend: DatabaseBackend, table: &str, ops: &[&str]) -> Vec<String> {
    match backend {
        DatabaseBackend::Sqlite => ops
            .iter()
            .map(|op| {
                format!(
                    "CREATE TRIGGER {table}_no_{lower} BEFORE {op} ON {table} \
                     BEGIN SELECT RAISE(ABORT, '{table}: {op} refused'); END",
                    lower = op.to_lowercase()
                )
            })
            .collect(),
        DatabaseBackend::Postgres => vec![
            format!(
                "CREATE OR REPLACE FUNCTION {table}_refuse() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION '{table}: % refused', TG_OP; END $$"
            ),
            format!(
                "CREATE TRIGGER {table}_no_change BEFORE {ops} OR TRUNCATE ON {table} \
                 FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse()",
                ops = ops.join(" OR ")
            ),
        ],
        _ => Vec::new(),
    }
}

/// Keys of transaction-scoped advisory locks, arbitrary but fixed.
pub const LOCK_AUDIT_CHAIN: i64 = 7_931_001;
pub const LOCK_ADMINS: i64 = 7_931_002;
/// Local login and the enabled identity providers (the way in).
pub const LOCK_WAY_IN: i64 = 7_931_003;

/// Serialises one kind of write across connections and replicas (PostgreSQL) until the
/// transaction ends. SQLite needs nothing: the store lets one writer at a time into a transaction.
pub async fn lock(conn: &impl ConnectionTrait, key: i64) -> Result<(), DbErr> {
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        conn.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [key.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Writes `sql` with `$n` placeholders as the backend wants them.
pub fn statement(backend: DatabaseBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DatabaseBackend::Postgres => sql.to_string(),
        _ => {
            let mut out = sql.to_string();
            for n in (1..=values.len()).rev() {
                out = out.replace(&format!("${n}"), &format!("?{n}"));
            }
            out
        }
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// SQL for the seconds from timestamp column `a` to `b`: SQLite keeps instants as RFC 3339 text
/// (`julianday` reads it, offset and fractional seconds included), PostgreSQL as `timestamptz`.
pub fn seconds_between(backend: DatabaseBackend, a: &str, b: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("EXTRACT(EPOCH FROM ({b} - {a}))"),
        _ => format!("((julianday({b}) - julianday({a})) * 86400.0)"),
    }
}
