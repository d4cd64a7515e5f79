//! Reminders that go once per key.

use chrono::{DateTime, Utc};
use sea_orm::{EntityTrait, Set};

use crate::entities::reminders as r;
use crate::{Conn, Result, Tx};

/// Claims `key`: true the first time, false ever after (the primary key decides between
/// servers and repeated runs).
pub async fn claim(tx: &Tx, key: &str, now: DateTime<Utc>) -> Result<bool> {
    let row = r::ActiveModel { key: Set(key.chars().take(300).collect()), sent_at: Set(now) };
    let n = r::Entity::insert(row)
        .on_conflict(sea_orm::sea_query::OnConflict::new().do_nothing().to_owned())
        .exec_without_returning(tx.conn())
        .await?;
    Ok(n == 1)
}
