//! Sensitive fields at rest (phone numbers): sealed on the way in and opened on the way out by a
//! cipher the app installs (`Store::with_fields`), so every query that writes or reads them goes
//! through one place. Without a cipher, values are stored and read as they are.

use std::sync::Arc;

use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};

use crate::{Conn, Result, StoreError, Tx};

/// Seals and opens one field value. `open` must pass a value stored in clear through unchanged,
/// so rows written before a change of suite still read.
pub trait FieldCipher: Send + Sync {
    fn seal(&self, plain: &str) -> std::result::Result<String, String>;
    fn open(&self, stored: &str) -> std::result::Result<String, String>;
}

/// The installed cipher, if any. Cheap to clone.
#[derive(Clone, Default)]
pub struct Fields(Option<Arc<dyn FieldCipher>>);

/// No cipher: values as they are.
pub(crate) static CLEAR: Fields = Fields(None);

impl Fields {
    pub fn new(cipher: Arc<dyn FieldCipher>) -> Fields {
        Fields(Some(cipher))
    }

    /// The value to store.
    pub fn seal(&self, v: Option<&str>) -> Result<Option<String>> {
        match (&self.0, v) {
            (Some(c), Some(v)) => c.seal(v).map(Some).map_err(|e| StoreError::db_msg(format!("sealing a field: {e}"))),
            (_, v) => Ok(v.map(str::to_string)),
        }
    }

    /// The stored value opened; `what` names the column for the error.
    pub fn open(&self, v: Option<String>, what: &str) -> Result<Option<String>> {
        match (&self.0, v) {
            (Some(c), Some(v)) => c.open(&v).map(Some).map_err(|e| StoreError::Corrupt(format!("{what}: {e}"))),
            (_, v) => Ok(v),
        }
    }
}

/// The sealed columns: (table, column). Each table's key is `id`.
pub const SEALED: [(&str, &str); 3] = [("users", "phone"), ("units", "contact_phone"), ("vendors", "contact_phone")];

/// Every value of a sealed column as stored (sealed or not), by id: for a change of suite.
pub async fn stored(tx: &Tx, table: &str, column: &str) -> Result<Vec<(String, String)>> {
    let q = Query::select()
        .column(Alias::new("id"))
        .column(Alias::new(column))
        .from(Alias::new(table))
        .and_where(Expr::col(Alias::new(column)).is_not_null())
        .to_owned();
    let backend = tx.conn().get_database_backend();
    let rows = tx.conn().query_all_raw(backend.build(&q)).await?;
    rows.iter().map(|r| Ok((r.try_get_by_index::<String>(0)?, r.try_get_by_index::<String>(1)?))).collect()
}

/// Replaces one stored value as given (already sealed or opened).
pub async fn set_stored(tx: &Tx, table: &str, column: &str, id: &str, value: &str) -> Result<()> {
    let q = Query::update()
        .table(Alias::new(table))
        .value(Alias::new(column), value)
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .to_owned();
    let backend = tx.conn().get_database_backend();
    tx.conn().execute_raw(backend.build(&q)).await?;
    Ok(())
}
