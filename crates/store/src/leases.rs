//! Leases with a holder and an expiry in the database's clock. Taking and renewing are one
//! conditional upsert, so two servers asking at the same moment cannot both get a lease.

use sea_orm::{ConnectionTrait, DatabaseBackend};

use crate::dialect::statement;
use crate::{Conn, Result, Tx};

/// The database's current time in epoch milliseconds.
fn now_ms(backend: DatabaseBackend) -> &'static str {
    match backend {
        DatabaseBackend::Postgres => "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT",
        _ => "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)",
    }
}

/// Takes `name` for `holder` for `ttl_ms`, or renews it if `holder` has it; false when another
/// holder's lease has not expired.
pub async fn acquire(c: &Tx, name: &str, holder: &str, ttl_ms: i64) -> Result<bool> {
    let backend = c.conn().get_database_backend();
    let now = now_ms(backend);
    let sql = format!(
        "INSERT INTO leases (name, holder, expires_ms) VALUES ($1, $2, {now} + $3) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_ms = excluded.expires_ms \
         WHERE leases.holder = excluded.holder OR leases.expires_ms < {now}"
    );
    let values = vec![name.into(), holder.into(), ttl_ms.into()];
    let r = c.conn().execute_raw(statement(backend, &sql, values)).await?;
    Ok(r.rows_affected() == 1)
}

/// Gives `name` up if `holder` has it (a clean shutdown hands over at once).
pub async fn release(c: &Tx, name: &str, holder: &str) -> Result<()> {
    let backend = c.conn().get_database_backend();
    let sql = "DELETE FROM leases WHERE name = $1 AND holder = $2";
    c.conn().execute_raw(statement(backend, sql, vec![name.into(), holder.into()])).await?;
    Ok(())
}

/// The unexpired leases whose name starts with `prefix`, as (name, holder), by name.
pub async fn live(c: &impl Conn, prefix: &str) -> Result<Vec<(String, String)>> {
    let backend = c.conn().get_database_backend();
    let sql = format!(
        "SELECT name, holder FROM leases WHERE name LIKE $1 ESCAPE '!' AND expires_ms > {} ORDER BY name",
        now_ms(backend)
    );
    let pattern = format!("{}%", prefix.replace('!', "!!").replace('%', "!%").replace('_', "!_"));
    let rows = c.conn().query_all_raw(statement(backend, &sql, vec![pattern.into()])).await?;
    rows.iter().map(|r| Ok((r.try_get::<String>("", "name")?, r.try_get::<String>("", "holder")?))).collect()
}

/// Removes leases expired more than `older_than_ms` ago (servers that stopped without a word
/// leave their membership behind).
pub async fn purge(c: &Tx, older_than_ms: i64) -> Result<u64> {
    let backend = c.conn().get_database_backend();
    let sql = format!("DELETE FROM leases WHERE expires_ms < {} - $1", now_ms(backend));
    let r = c.conn().execute_raw(statement(backend, &sql, vec![older_than_ms.into()])).await?;
    Ok(r.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    async fn take(store: &Store, name: &str, holder: &str, ttl: i64) -> bool {
        let tx = store.begin().await.unwrap();
        let got = acquire(&tx, name, holder, ttl).await.unwrap();
        tx.commit().await.unwrap();
        got
    }

    async fn give(store: &Store, name: &str, holder: &str) {
        let tx = store.begin().await.unwrap();
        release(&tx, name, holder).await.unwrap();
        tx.commit().await.unwrap();
    }

    #[tokio::test]
    async fn one_holder_at_a_time_until_expiry_or_release() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&format!("sqlite://{}/l.db?mode=rwc", dir.path().display())).await.unwrap();
        store.migrate().await.unwrap();
        assert!(take(&store, "job:a", "one", 60_000).await);
        assert!(!take(&store, "job:a", "two", 60_000).await, "held by one");
        assert!(take(&store, "job:a", "one", 60_000).await, "renewed by its holder");
        give(&store, "job:a", "two").await;
        assert!(!take(&store, "job:a", "two", 60_000).await, "only the holder releases");
        give(&store, "job:a", "one").await;
        assert!(take(&store, "job:a", "two", 1).await);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(take(&store, "job:a", "one", 60_000).await, "an expired lease is taken over");

        assert!(take(&store, "node:x_1", "x", 60_000).await);
        assert!(take(&store, "node:y", "y", 1).await);
        assert!(take(&store, "nodeZ", "z", 60_000).await);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let live = live(&store, "node:").await.unwrap();
        assert_eq!(live, vec![("node:x_1".to_string(), "x".to_string())], "expired and other names left out");
        let tx = store.begin().await.unwrap();
        assert_eq!(purge(&tx, 0).await.unwrap(), 1);
        tx.commit().await.unwrap();
    }
}
