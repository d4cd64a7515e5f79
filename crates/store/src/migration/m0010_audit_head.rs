//! The audit chain's head marker follows each appended record inside the database: an insert
//! trigger moves it, so appending a record is one statement after reading the head, and the
//! chain's lock is held for two statements instead of three.

use sea_orm::DatabaseBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &str = "CREATE TRIGGER audit_log_head AFTER INSERT ON audit_log BEGIN \
     INSERT INTO audit_head (id, seq, hash) VALUES (1, NEW.seq, NEW.hash) \
     ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash; END";

const PG_UP: [&str; 2] = [
    "CREATE OR REPLACE FUNCTION audit_log_head() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
     INSERT INTO audit_head (id, seq, hash) VALUES (1, NEW.seq, NEW.hash) \
     ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash; RETURN NULL; END $$",
    "CREATE TRIGGER audit_log_head AFTER INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_head()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match m.get_database_backend() {
            DatabaseBackend::Postgres => {
                for sql in PG_UP {
                    db.execute_unprepared(sql).await?;
                }
            }
            _ => {
                db.execute_unprepared(SQLITE_UP).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if m.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared("DROP TRIGGER IF EXISTS audit_log_head ON audit_log").await?;
            db.execute_unprepared("DROP FUNCTION IF EXISTS audit_log_head()").await?;
        } else {
            db.execute_unprepared("DROP TRIGGER IF EXISTS audit_log_head").await?;
        }
        Ok(())
    }
}
