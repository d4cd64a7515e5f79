//! The only crate that speaks SQL. SQLite (bundled, WAL) by default, PostgreSQL when the URL says
//! so; one migration tree and one query path for both. Entities stay private: repositories take
//! and return domain types.

pub mod approvals;
pub mod assessments;
pub mod assets;
pub mod audit;
pub mod backups;
pub mod calendars;
pub mod changes;
pub mod contracts;
mod crud;
pub mod dashboard;
pub mod dengbao;
mod dialect;
pub mod duty;
mod entities;
pub mod fields;
pub mod holidays;
pub mod indicators;
pub mod inspections;
pub mod leases;
mod list;
mod migration;
pub mod monitoring;
pub mod notifications;
pub mod payments;
pub mod quotas;
pub mod reports;
pub mod scans;
mod scope;
pub mod security_events;
pub mod security_plans;
pub mod sessions;
pub mod sla;
pub mod sso;
pub mod systems;
pub mod tickets;
pub mod units;
pub mod users;
pub mod vendors;
pub mod vulnerabilities;

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{
    AccessMode, ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DatabaseTransaction,
    DbErr, IsolationLevel, SqlErr, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use tokio::sync::{Mutex, OwnedMutexGuard};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write; the text names the constraint when known.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A foreign key refused the write: something still refers to the row, or a reference is dangling.
    #[error("still referenced: {0}")]
    Referenced(String),
    /// The database failed, or a value could not be written or read; `source` is kept so the
    /// log shows the whole chain.
    #[error("database error: {what}")]
    Db {
        what: String,
        #[source]
        source: Option<BoxError>,
    },
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// Any error kept as a cause.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl StoreError {
    /// A failure described by `what`, caused by `source`.
    pub fn db(what: impl Into<String>, source: impl Into<BoxError>) -> StoreError {
        StoreError::Db { what: what.into(), source: Some(source.into()) }
    }

    /// A failure with nothing underneath to keep.
    pub fn db_msg(what: impl Into<String>) -> StoreError {
        StoreError::Db { what: what.into(), source: None }
    }
}

impl From<DbErr> for StoreError {
    fn from(e: DbErr) -> Self {
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(m)) => StoreError::Conflict(m),
            Some(SqlErr::ForeignKeyConstraintViolation(m)) => StoreError::Referenced(m),
            // SQLite enforces `ON DELETE RESTRICT` with an internal trigger: its failure carries
            // the trigger's code (1811, SQLITE_CONSTRAINT_TRIGGER), not 787, so SeaORM leaves it
            // unmapped. PostgreSQL's 23503 is mapped above.
            _ if e.to_string().contains("FOREIGN KEY constraint failed") => StoreError::Referenced(e.to_string()),
            _ => StoreError::db("query failed", e),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The most values bound in one `IN (…)` list; PostgreSQL allows 65 535 parameters per query.
pub(crate) const IN_CHUNK: usize = 5000;

/// Anything queries can run on: the pool or an open transaction.
pub use fields::Fields;

pub trait Conn: Sync {
    type C: ConnectionTrait;
    fn conn(&self) -> &Self::C;
    /// The cipher for sensitive fields (`fields.rs`).
    fn fields(&self) -> &Fields {
        &fields::CLEAR
    }
}

/// The database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    /// SQLite allows one writer: write transactions queue for this lock (fairly, without a
    /// time-out) and then run on a connection of their own, so a writer never waits for a pooled
    /// connection behind readers while others queue behind it. Taking the lock first also avoids
    /// the "database is locked" and stale-snapshot errors deferred transactions otherwise meet.
    writer: Option<(Arc<Mutex<()>>, DatabaseConnection)>,
    /// The hash new audit records are chained with (the configured cryptographic suite).
    hash: domain::audit::HashAlg,
    /// Seals sensitive fields (the configured cryptographic suite).
    fields: Fields,
}

impl Conn for Store {
    type C = DatabaseConnection;
    fn conn(&self) -> &DatabaseConnection {
        &self.db
    }
    fn fields(&self) -> &Fields {
        &self.fields
    }
}

/// A write transaction. Dropping it without `commit` rolls back.
pub struct Tx {
    txn: DatabaseTransaction,
    _guard: Option<OwnedMutexGuard<()>>,
    hash: domain::audit::HashAlg,
    fields: Fields,
}

impl Conn for Tx {
    type C = DatabaseTransaction;
    fn conn(&self) -> &DatabaseTransaction {
        &self.txn
    }
    fn fields(&self) -> &Fields {
        &self.fields
    }
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        self.txn.commit().await.map_err(Into::into)
    }
}

/// A read-only transaction on a pooled connection: every statement in it sees the database as
/// of its first read, so figures computed in several statements agree with each other. Dropping
/// it ends it.
pub struct Snapshot {
    txn: DatabaseTransaction,
    fields: Fields,
}

impl Conn for Snapshot {
    type C = DatabaseTransaction;
    fn conn(&self) -> &DatabaseTransaction {
        &self.txn
    }
    fn fields(&self) -> &Fields {
        &self.fields
    }
}

impl Store {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://…`).
    pub async fn connect(url: &str) -> Result<Store> {
        let mut opts = ConnectOptions::new(url.to_string());
        opts.sqlx_logging(false).acquire_timeout(Duration::from_secs(10));
        let sqlite = url.starts_with("sqlite:");
        if sqlite {
            opts.max_connections(8).min_connections(1);
            opts.map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
            });
        } else {
            opts.max_connections(16).min_connections(1);
        }
        let db = Database::connect(opts.clone()).await.map_err(|e| StoreError::db("connecting", e))?;
        let writer = if sqlite {
            opts.max_connections(1).min_connections(1);
            let w = Database::connect(opts).await.map_err(|e| StoreError::db("connecting the writer", e))?;
            Some((Arc::new(Mutex::new(())), w))
        } else {
            None
        };
        Ok(Store { db, writer, hash: domain::audit::HashAlg::default(), fields: Fields::default() })
    }

    pub async fn migrate(&self) -> Result<()> {
        migration::Migrator::up(&self.db, None).await.map_err(|e| StoreError::db("migrating", e))
    }

    /// Number of migrations not yet applied.
    pub async fn pending_migrations(&self) -> Result<usize> {
        Ok(migration::Migrator::get_pending_migrations(&self.db).await?.len())
    }

    /// The same store chaining new audit records with `hash` (the `sm` suite: SM3).
    pub fn with_hash(self, hash: domain::audit::HashAlg) -> Store {
        Store { hash, ..self }
    }

    pub fn hash(&self) -> domain::audit::HashAlg {
        self.hash
    }

    /// The same store sealing sensitive fields with `fields` (see `fields.rs`).
    pub fn with_fields(self, fields: Fields) -> Store {
        Store { fields, ..self }
    }

    pub async fn begin(&self) -> Result<Tx> {
        match &self.writer {
            Some((lock, conn)) => {
                let guard = lock.clone().lock_owned().await;
                Ok(Tx { txn: conn.begin().await?, _guard: Some(guard), hash: self.hash, fields: self.fields.clone() })
            }
            None => Ok(Tx { txn: self.db.begin().await?, _guard: None, hash: self.hash, fields: self.fields.clone() }),
        }
    }

    /// A consistent read of several statements (see [`Snapshot`]). SQLite in WAL mode keeps the
    /// snapshot of a transaction's first read by itself; PostgreSQL needs repeatable read.
    pub async fn snapshot(&self) -> Result<Snapshot> {
        let txn = match self.db.get_database_backend() {
            DatabaseBackend::Postgres => {
                self.db.begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly)).await?
            }
            _ => self.db.begin().await?,
        };
        Ok(Snapshot { txn, fields: self.fields.clone() })
    }

    pub async fn ping(&self) -> Result<()> {
        self.db.ping().await.map_err(Into::into)
    }

    pub fn backend_name(&self) -> &'static str {
        match self.db.get_database_backend() {
            DatabaseBackend::Postgres => "postgresql",
            DatabaseBackend::Sqlite => "sqlite",
            _ => "other",
        }
    }

    pub async fn close(self) -> Result<()> {
        if let Some((_, w)) = self.writer {
            w.close().await?;
        }
        self.db.close().await.map_err(Into::into)
    }

    /// Runs raw SQL. For tests that play an attacker with database access, and for operators.
    pub async fn execute_raw_sql(&self, sql: &str) -> Result<()> {
        self.db.execute_unprepared(sql).await?;
        Ok(())
    }

    /// Runs a raw query of two text columns (tests that inspect what is stored, operators).
    pub async fn query_pairs(&self, sql: &str) -> Result<Vec<(String, String)>> {
        let rows = self.db.query_all_raw(sea_orm::Statement::from_string(self.db.get_database_backend(), sql)).await?;
        rows.iter()
            .map(|r| Ok((r.try_get_by_index::<String>(0)?, r.try_get_by_index::<String>(1)?)))
            .collect::<std::result::Result<Vec<_>, DbErr>>()
            .map_err(Into::into)
    }
}

/// A new opaque id: a UUIDv7, so ids sort by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: {value}"))
}
