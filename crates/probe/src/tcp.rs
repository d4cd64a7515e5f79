//! TCP: the port accepts a connection.

use std::time::Instant;

use domain::monitoring::reach::Reach;
use tokio::net::TcpStream;

use crate::{Outcome, allowed};

pub(crate) async fn check(target: &str, reach: Option<&Reach>, start: Instant) -> Outcome {
    let connected = match reach {
        None => TcpStream::connect(target).await,
        Some(reach) => match allowed::of_host_port(reach, target).await {
            Ok(addrs) => TcpStream::connect(addrs.as_slice()).await,
            Err(e) => return Outcome::down(start.elapsed(), e),
        },
    };
    match connected {
        Ok(_) => Outcome::up(start.elapsed()),
        Err(e) => Outcome::down(start.elapsed(), format!("connect failed: {e}")),
    }
}
