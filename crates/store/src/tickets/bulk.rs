//! Bulk loading of tickets and their clocks: many rows per statement, for data generators,
//! migrations from older systems and benchmarks. No audit, events or notifications: the caller
//! writes finished rows.

use domain::tickets::view::Ticket;
use sea_orm::EntityTrait;

use super::{StoredClock, active, clock_row};
use crate::entities::{ticket_clocks as tc, tickets as t};
use crate::{Conn, Result, Tx};

/// Rows per `INSERT` so that one statement binds at most ~30 000 values: under PostgreSQL's
/// 65 535 parameters and SQLite's default 32 766 variables (tickets have 38 columns, clocks 12).
const TICKET_ROWS: usize = 780;
const CLOCK_ROWS: usize = 2500;

/// Inserts finished tickets and then their clocks (`(ticket id, clocks)`), in multi-row
/// statements inside `tx`. The caller picks the transaction size (a few thousand tickets keeps
/// memory and the write-ahead log small).
pub async fn bulk_insert(tx: &Tx, tickets: &[Ticket], clocks: &[(String, Vec<StoredClock>)]) -> Result<()> {
    for chunk in tickets.chunks(TICKET_ROWS) {
        t::Entity::insert_many(chunk.iter().map(active)).exec_without_returning(tx.conn()).await?;
    }
    let mut rows = clocks.iter().flat_map(|(id, list)| list.iter().map(move |s| clock_row(id, s)));
    loop {
        let chunk: Vec<tc::ActiveModel> = rows.by_ref().take(CLOCK_ROWS).collect();
        if chunk.is_empty() {
            return Ok(());
        }
        tc::Entity::insert_many(chunk).exec_without_returning(tx.conn()).await?;
    }
}
