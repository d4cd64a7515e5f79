//! DNS: the name resolves (through the system's resolvers or a given server) and, when told, to
//! an answer that contains the expected text (an address, a CNAME target, an MX host…).

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use domain::monitoring::reach::Reach;
use domain::monitoring::spec::{MonitorSpec, RecordType};
use hickory_resolver::config::{NameServerConfigGroup, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::rr::{RData, RecordType as Rt};
use hickory_resolver::{Resolver, TokioResolver};

use crate::Outcome;

pub(crate) struct Dns {
    system: Option<TokioResolver>,
}

fn opts() -> ResolverOpts {
    let mut o = ResolverOpts::default();
    // The monitor's own timeout bounds the check; no cache, every check asks.
    o.attempts = 1;
    o.cache_size = 0;
    o
}

fn server_addr(server: &str) -> Option<SocketAddr> {
    server.parse::<SocketAddr>().ok().or_else(|| server.parse::<IpAddr>().ok().map(|ip| SocketAddr::new(ip, 53)))
}

fn server_resolver(server: &str) -> Option<TokioResolver> {
    let addr = server_addr(server)?;
    let group = NameServerConfigGroup::from_ips_clear(&[addr.ip()], addr.port(), true);
    let config = ResolverConfig::from_parts(None, vec![], group);
    Some(Resolver::builder_with_config(config, TokioConnectionProvider::default()).with_options(opts()).build())
}

impl Dns {
    pub(crate) fn new() -> Dns {
        let system = Resolver::builder_tokio().ok().map(|b| b.with_options(opts()).build());
        Dns { system }
    }

    pub(crate) async fn check(&self, spec: &MonitorSpec, reach: Option<&Reach>, start: Instant) -> Outcome {
        let e = &spec.expect;
        // The server is the one thing a DNS check connects to.
        if let Some(reach) = reach
            && let Some(ip) = e.server.as_deref().and_then(server_addr).map(|a| a.ip())
            && !reach.allows_addr(ip)
        {
            return Outcome::down(start.elapsed(), format!("address not allowed: {ip}"));
        }
        let own;
        let resolver = match e.server.as_deref() {
            Some(s) => match server_resolver(s) {
                Some(r) => {
                    own = r;
                    &own
                }
                None => return Outcome::down(start.elapsed(), "bad DNS server"),
            },
            None => match &self.system {
                Some(r) => r,
                None => return Outcome::down(start.elapsed(), "no system DNS configuration"),
            },
        };
        let rt = match e.record_type.unwrap_or(RecordType::A) {
            RecordType::A => Rt::A,
            RecordType::Aaaa => Rt::AAAA,
            RecordType::Cname => Rt::CNAME,
            RecordType::Mx => Rt::MX,
            RecordType::Txt => Rt::TXT,
        };
        let name = format!("{}.", spec.target);
        // The name is only asked about, never connected to, yet the answer is what the check
        // reports: the failure message lists it and `answer` tests it. A restricted monitor on
        // any name would read the resolver's records for names its owner may not look at
        // (internal zones, TXT records), so its name must be under an allowed domain or answer
        // only with allowed addresses; otherwise nothing of the answer, not even whether there
        // was one, is told.
        let judged = reach.filter(|r| !r.allows_name(&spec.target));
        let lookup = match resolver.lookup(name.as_str(), rt).await {
            Ok(l) => l,
            Err(_) if judged.is_some() => {
                return Outcome::down(start.elapsed(), format!("address not allowed: {}", spec.target));
            }
            Err(err) => return Outcome::down(start.elapsed(), format!("resolution failed: {err}")),
        };
        let latency = start.elapsed();
        if let Some(reach) = judged {
            let allowed = |r: &RData| match r {
                RData::A(a) => reach.allows_addr(IpAddr::V4(a.0)),
                RData::AAAA(a) => reach.allows_addr(IpAddr::V6(a.0)),
                _ => false,
            };
            if lookup.iter().next().is_none() || !lookup.iter().all(allowed) {
                return Outcome::down(latency, format!("address not allowed: {}", spec.target));
            }
        }
        let answers: Vec<String> = lookup.iter().map(|r| r.to_string().trim_end_matches('.').to_string()).collect();
        match &e.answer {
            Some(want) if !answers.iter().any(|a| a.contains(want.trim_end_matches('.'))) => {
                Outcome::down(latency, format!("answer {} does not contain {want}", answers.join(", ")))
            }
            _ if answers.is_empty() => Outcome::down(latency, "no answer"),
            _ => Outcome::up(latency),
        }
    }
}
