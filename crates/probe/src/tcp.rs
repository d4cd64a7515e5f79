//! TCP: the port accepts a connection.

use std::time::Instant;

use tokio::net::TcpStream;

use crate::Outcome;

pub(crate) async fn check(target: &str, start: Instant) -> Outcome {
    match TcpStream::connect(target).await {
        Ok(_) => Outcome::up(start.elapsed()),
        Err(e) => Outcome::down(start.elapsed(), format!("connect failed: {e}")),
    }
}
