//! The addresses a restricted check may connect to. Names are resolved here, once per check,
//! and the connection goes to the addresses that were checked, never to a second answer a
//! rebinding DNS server might give the connector.

use std::net::{IpAddr, SocketAddr};

use domain::monitoring::reach::Reach;

/// A host as the check will contact it.
pub(crate) enum Host<'a> {
    Addr(IpAddr),
    Name(&'a str),
}

/// The host and port of a `host:port` or `[v6]:port` target (as `spec.rs` writes them).
pub(crate) fn split_host_port(target: &str) -> Option<(Host<'_>, u16)> {
    let (host, port) = target.rsplit_once(':')?;
    let port = port.parse().ok()?;
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    Some((host.parse().map_or(Host::Name(host), Host::Addr), port))
}

/// The addresses of `host` that `reach` lets a check connect to, sorted. A name under an
/// allowed domain belongs to the system, so any address that is not forbidden will do; any
/// other name counts only through addresses inside the allowed networks. For those other names
/// the error neither shows the addresses nor tells a failed lookup apart: either would answer
/// DNS questions about names the monitor's owner may not look at.
pub(crate) async fn addresses(reach: &Reach, host: Host<'_>, port: u16) -> Result<Vec<SocketAddr>, String> {
    let name = match host {
        Host::Addr(ip) if reach.allows_addr(ip) => return Ok(vec![SocketAddr::new(ip, port)]),
        Host::Addr(ip) => return Err(format!("address not allowed: {ip}")),
        Host::Name(name) => name,
    };
    let by_name = reach.allows_name(name);
    let found: Vec<SocketAddr> = match tokio::net::lookup_host((name, port)).await {
        Ok(found) => found.collect(),
        Err(e) if by_name => return Err(format!("resolution failed: {e}")),
        Err(_) => return Err(format!("address not allowed: {name}")),
    };
    let mut ok: Vec<SocketAddr> = found
        .iter()
        .copied()
        .filter(|a| if by_name { !reach.forbids(a.ip()) } else { reach.allows_addr(a.ip()) })
        .collect();
    ok.sort();
    ok.dedup();
    if !ok.is_empty() {
        Ok(ok)
    } else if by_name {
        let list: Vec<String> = found.iter().map(|a| a.ip().to_string()).collect();
        Err(format!("address not allowed: {name} resolves to {}", list.join(", ")))
    } else {
        Err(format!("address not allowed: {name}"))
    }
}

/// The allowed addresses of a `host:port` target.
pub(crate) async fn of_host_port(reach: &Reach, target: &str) -> Result<Vec<SocketAddr>, String> {
    let Some((host, port)) = split_host_port(target) else { return Err("target has no port".into()) };
    addresses(reach, host, port).await
}
