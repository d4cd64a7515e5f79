//! Where a monitor may point. A monitor that fetches a page and reports whether a keyword is in
//! it lets whoever wrote it read, one yes/no at a time, anything the server itself can reach: its
//! own API, services bound to loopback, the cloud metadata service, the rest of the network. So
//! everyone but an administrator may only monitor the addresses and domains registered for the
//! monitored system or kept on the bureau's network allowlist, and some addresses are refused
//! whatever the lists say ([`forbidden`]).
//!
//! Pure: names are matched here, resolving them is the caller's job. The API checks a monitor
//! when it is saved ([`Reach::check_spec`], or [`Reach::check_spec_resolved`] with what
//! [`Reach::names_to_resolve`] resolves to now); the probe checks again, on every check and every
//! redirect hop, the addresses it actually connects to, because DNS answers change.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::spec::{MonitorKind, MonitorSpec, RecordType};
use crate::FieldError;

/// Alibaba Cloud's metadata service.
const ALIBABA_METADATA: Ipv4Addr = Ipv4Addr::new(100, 100, 100, 200);
/// AWS's metadata service over IPv6 (over IPv4 it is 169.254.169.254, inside link-local).
const AWS_METADATA_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);

/// Blocks refused whole, to tell a person that an allowlist entry inside one of them would
/// allow nothing. `forbidden` is the rule; this only mirrors it for entries.
const FORBIDDEN_BLOCKS: [IpNet; 7] = [
    IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(0, 0, 0, 0), 8)),
    IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(127, 0, 0, 0), 8)),
    IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(169, 254, 0, 0), 16)),
    IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(224, 0, 0, 0), 4)),
    IpNet::V6(Ipv6Net::new_assert(Ipv6Addr::UNSPECIFIED, 127)),
    IpNet::V6(Ipv6Net::new_assert(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10)),
    IpNet::V6(Ipv6Net::new_assert(Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8)),
];

/// Addresses no restricted monitor may reach, whatever the allowlists say: loopback (the
/// server's own API and local services), link-local (169.254.0.0/16 with the common cloud
/// metadata address, fe80::/10), unspecified (0.0.0.0/8 and `::`, which connect to the host
/// itself), multicast and broadcast, and the cloud metadata addresses outside those blocks.
/// IPv6 forms that carry an IPv4 address (mapped, compatible, SIIT-translated, NAT64) are judged
/// by that address, since a dual-stack socket or a translator delivers them to it.
pub fn forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = embedded_v4(v6) {
                return forbidden_v4(v4);
            }
            let first = v6.segments()[0];
            v6.is_unspecified()
                || v6.is_loopback()
                || first & 0xffc0 == 0xfe80
                || first & 0xff00 == 0xff00
                || v6 == AWS_METADATA_V6
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, _, _] = ip.octets();
    a == 0 || a == 127 || (a == 169 && b == 254) || a & 0xf0 == 224 || ip.is_broadcast() || ip == ALIBABA_METADATA
}

/// The IPv4 address an IPv6 address stands for, in the forms that reach it.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let v4 = || Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        [0, 0, 0, 0, 0, 0xffff, _, _] | [0, 0, 0, 0, 0, 0, _, _] | [0, 0, 0, 0, 0xffff, 0, _, _] => Some(v4()),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(v4()),
        _ => None,
    }
}

/// A host a monitor connects to (or, for a DNS monitor's name, asks about).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    Addr(IpAddr),
    /// Lower case, without a trailing dot.
    Name(String),
}

/// A host of a monitor and the field of the monitor it came from (`target`, `expect.server`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetHost {
    pub field: &'static str,
    pub host: Host,
}

/// The networks and domains restricted monitors may reach. Built from entries people write
/// (the addresses registered for a system, the bureau's allowlist) with [`Reach::parse`].
///
/// Loopback can never be allowed through `parse`, so production code cannot produce a `Reach`
/// that reaches the server itself. Tests of the probe, whose local servers can only listen on
/// loopback, need one: [`Reach::allowing_loopback_for_tests`] exists only with the
/// `test-loopback` feature, which only dev-dependencies enable, and opens just the loopback
/// network it is given (tests use 127.0.0.2 so that 127.0.0.1 stays forbidden to them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    nets: Vec<IpNet>,
    domains: Vec<String>,
    loopback: Vec<IpNet>,
}

enum Entry {
    Net(IpNet),
    Domain(String),
}

/// One allowlist entry: `10.2.0.0/16`, `10.2.3.4`, `2001:db8::/32`, `zw.anyang.gov.cn`,
/// `*.gov.cn`.
fn entry(text: &str) -> Result<Entry, FieldError> {
    let bad = || {
        FieldError::new(
            "",
            "应为 IP、网段（如 10.2.0.0/16）或域名（如 zw.anyang.gov.cn）",
            "must be an IP address, a network (e.g. 10.2.0.0/16) or a domain (e.g. zw.anyang.gov.cn)",
        )
    };
    let s = text.trim();
    let net = if s.contains('/') {
        Some(s.parse::<IpNet>().map_err(|_| bad())?.trunc())
    } else {
        s.parse::<IpAddr>().ok().map(IpNet::from)
    };
    if let Some(net) = net {
        let whole = if net.prefix_len() == net.max_prefix_len() {
            forbidden(net.addr())
        } else {
            FORBIDDEN_BLOCKS.iter().any(|b| b.contains(&net))
        };
        if whole {
            return Err(FieldError::new(
                "",
                "本机、链路本地、组播和云元数据地址始终禁止监控，不能加入允许列表",
                "loopback, link-local, multicast and cloud metadata addresses are always refused and cannot be allowed",
            ));
        }
        return Ok(Entry::Net(net));
    }
    let s = s.strip_prefix("*.").unwrap_or(s);
    // The URL host parser maps Chinese domains to the punycode a URL's host becomes.
    match url::Host::parse(s) {
        Ok(url::Host::Domain(d)) => proper_name(&d).map(Entry::Domain).ok_or_else(bad),
        _ => Err(bad()),
    }
}

/// A name as people and resolvers agree on it: letters, digits, `-` and `_` in dot-separated
/// labels, lower case, one trailing dot ignored; and not ending in a number, because resolvers
/// read `2130706433`, `127.1` or `0x7f.1` as addresses.
fn proper_name(name: &str) -> Option<String> {
    let n = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let last = n.rsplit('.').next().unwrap_or("");
    let numeric = last.bytes().all(|b| b.is_ascii_digit())
        || last.strip_prefix("0x").is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
    (n.len() <= 253 && n.split('.').all(label_ok) && !numeric).then_some(n)
}

fn outside_addr(field: &str) -> FieldError {
    FieldError::new(
        field,
        "地址不在本系统登记的地址或允许的网络内",
        "the address is outside the system's registered addresses and the allowed networks",
    )
}

fn refused_addr(field: &str) -> FieldError {
    FieldError::new(
        field,
        "不能监控本机、链路本地、组播或云元数据地址",
        "loopback, link-local, multicast and cloud metadata addresses cannot be monitored",
    )
}

fn outside_name(field: &str) -> FieldError {
    FieldError::new(
        field,
        "域名不在本系统登记的域名或允许的域名内",
        "the name is outside the system's registered domains and the allowed domains",
    )
}

fn bad_host(field: &str) -> FieldError {
    FieldError::new(
        field,
        "主机应为点分十进制 IP（如 10.0.0.1）、IPv6 或域名",
        "the host must be a dotted-quad IP (e.g. 10.0.0.1), an IPv6 address or a domain name",
    )
}

/// The host text between `//`, any `user@` and any `:port`, as written.
fn written_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or("", |(_, r)| r);
    let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    host_port.split(':').next().unwrap_or("")
}

/// An HTTP target's host as the HTTP client will read it (the same URL parser), refusing IPv4
/// addresses not written as a plain dotted quad: the parser reads `2130706433`, `0x7f.1`,
/// `0177.0.0.1` or `%31%32%37.0.0.1` as 127.0.0.1, which a person reading the monitor would not.
fn http_host(target: &str) -> Result<Host, FieldError> {
    let bad_url =
        || FieldError::new("target", "应为 http:// 或 https:// 开头的网址", "must be an http:// or https:// URL");
    let url = url::Url::parse(target).map_err(|_| bad_url())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad_url());
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) if written_host(target) == ip.to_string() => Ok(Host::Addr(IpAddr::V4(ip))),
        Some(url::Host::Ipv6(ip)) => Ok(Host::Addr(IpAddr::V6(ip))),
        Some(url::Host::Domain(d)) => proper_name(d).map(Host::Name).ok_or_else(|| bad_host("target")),
        Some(url::Host::Ipv4(_)) => Err(bad_host("target")),
        None => Err(bad_url()),
    }
}

/// The host of a `host:port` or `[v6]:port` target, split as `spec.rs` splits it.
fn host_of_host_port(target: &str) -> Result<Host, FieldError> {
    let host = match target.rsplit_once(':') {
        Some((h, _)) if !h.ends_with(':') || h.starts_with('[') => h,
        _ => target,
    };
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(Host::Addr(ip));
    }
    proper_name(host).map(Host::Name).ok_or_else(|| bad_host("target"))
}

/// Every host `spec` reaches: the target's host, and a DNS monitor's server.
pub fn target_hosts(spec: &MonitorSpec) -> Result<Vec<TargetHost>, FieldError> {
    let target = match spec.kind {
        MonitorKind::Http => http_host(&spec.target)?,
        MonitorKind::Tcp | MonitorKind::Tls => host_of_host_port(&spec.target)?,
        MonitorKind::Dns => proper_name(&spec.target).map(Host::Name).ok_or_else(|| bad_host("target"))?,
    };
    let mut hosts = vec![TargetHost { field: "target", host: target }];
    if spec.kind == MonitorKind::Dns
        && let Some(server) = &spec.expect.server
    {
        let ip =
            server.parse::<SocketAddr>().map(|a| a.ip()).or_else(|_| server.parse::<IpAddr>()).map_err(|_| {
                FieldError::new("expect.server", "应为 IP 或 IP:端口", "must be an IP address or IP:port")
            })?;
        hosts.push(TargetHost { field: "expect.server", host: Host::Addr(ip) });
    }
    Ok(hosts)
}

/// Whether a name outside the allowed domains may still be judged by what it resolves to. A
/// DNS monitor's CNAME, MX or TXT answers are not addresses, and its failure message shows
/// them: for a name outside the allowed domains that would read any record of any name the
/// resolver knows, so those monitors must name an allowed domain.
fn judged_by_addresses(spec: &MonitorSpec, field: &str) -> bool {
    spec.kind != MonitorKind::Dns
        || field != "target"
        || matches!(spec.expect.record_type, None | Some(RecordType::A) | Some(RecordType::Aaaa))
}

impl Reach {
    /// Reads entries written by people; errors name `field[index]`.
    pub fn parse<S: AsRef<str>>(field: &str, entries: &[S]) -> Result<Reach, Vec<FieldError>> {
        let mut reach = Reach::default();
        let mut errors = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            match entry(e.as_ref()) {
                Ok(Entry::Net(n)) => reach.nets.push(n),
                Ok(Entry::Domain(d)) => reach.domains.push(d),
                Err(mut err) => {
                    err.field = format!("{field}[{i}]");
                    errors.push(err);
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        reach.nets.sort();
        reach.nets.dedup();
        reach.domains.sort();
        reach.domains.dedup();
        Ok(reach)
    }

    /// Both allowlists at once, e.g. the system's registered addresses and the bureau's list.
    pub fn merge(mut self, other: Reach) -> Reach {
        self.nets.extend(other.nets);
        self.domains.extend(other.domains);
        self.loopback.extend(other.loopback);
        self.nets.sort();
        self.nets.dedup();
        self.domains.sort();
        self.domains.dedup();
        self
    }

    pub fn networks(&self) -> &[IpNet] {
        &self.nets
    }

    pub fn domains(&self) -> &[String] {
        &self.domains
    }

    /// Opens `net`, which must lie inside loopback (anything else is ignored), for tests whose
    /// servers can only listen there. See the type's documentation.
    #[cfg(any(test, feature = "test-loopback"))]
    pub fn allowing_loopback_for_tests(mut self, net: IpNet) -> Reach {
        if net.network().to_canonical().is_loopback() && net.broadcast().to_canonical().is_loopback() {
            self.loopback.push(net);
        }
        self
    }

    fn test_loopback(&self, ip: IpAddr) -> bool {
        !self.loopback.is_empty() && self.loopback.iter().any(|n| n.contains(&ip.to_canonical()))
    }

    /// [`forbidden`], but for the loopback a test opened.
    pub fn forbids(&self, ip: IpAddr) -> bool {
        forbidden(ip) && !self.test_loopback(ip)
    }

    /// Not forbidden, and inside an allowed network. IPv4-mapped IPv6 addresses match IPv4
    /// networks, as a dual-stack socket delivers them there.
    pub fn allows_addr(&self, ip: IpAddr) -> bool {
        if self.test_loopback(ip) {
            return true;
        }
        let canonical = ip.to_canonical();
        !forbidden(ip) && self.nets.iter().any(|n| n.contains(&canonical))
    }

    /// Whether `host` is an allowed domain or under one (`a.b.example.gov.cn` under
    /// `example.gov.cn`), by whole labels, ignoring case and a trailing dot. Addresses and
    /// number-like names are never names.
    pub fn allows_name(&self, host: &str) -> bool {
        let Some(name) = proper_name(host) else { return false };
        self.domains.iter().any(|d| {
            name == *d
                || (name.len() > d.len()
                    && name.ends_with(d.as_str())
                    && name.as_bytes()[name.len() - d.len() - 1] == b'.')
        })
    }

    /// The target check for a monitor saved by someone other than an administrator, without
    /// resolving names: addresses must be allowed, names under an allowed domain.
    pub fn check_spec(&self, spec: &MonitorSpec) -> Result<(), FieldError> {
        self.check_spec_resolved(spec, &BTreeMap::new())
    }

    /// Names of `spec` outside the allowed domains that may instead be judged by their
    /// addresses: the caller resolves them and passes the answers to `check_spec_resolved`.
    pub fn names_to_resolve(&self, spec: &MonitorSpec) -> Vec<String> {
        let Ok(hosts) = target_hosts(spec) else { return Vec::new() };
        hosts
            .into_iter()
            .filter_map(|t| match t.host {
                Host::Name(n) if !self.allows_name(&n) && judged_by_addresses(spec, t.field) => Some(n),
                _ => None,
            })
            .collect()
    }

    /// Like `check_spec`, but a name outside the allowed domains passes when `resolved` holds
    /// its addresses (keyed as `names_to_resolve` gives it) and every one of them is allowed.
    /// Which address a refused name resolves to is not told: that would answer DNS questions
    /// about names the caller may not monitor.
    pub fn check_spec_resolved(
        &self,
        spec: &MonitorSpec,
        resolved: &BTreeMap<String, Vec<IpAddr>>,
    ) -> Result<(), FieldError> {
        for t in target_hosts(spec)? {
            match &t.host {
                Host::Addr(ip) if self.forbids(*ip) => return Err(refused_addr(t.field)),
                Host::Addr(ip) if !self.allows_addr(*ip) => return Err(outside_addr(t.field)),
                Host::Addr(_) => {}
                Host::Name(n) if self.allows_name(n) => {}
                Host::Name(n) => match resolved.get(n).filter(|_| judged_by_addresses(spec, t.field)) {
                    None => return Err(outside_name(t.field)),
                    Some(addrs) if addrs.is_empty() => {
                        return Err(FieldError::new(t.field, "域名无法解析", "the name does not resolve"));
                    }
                    Some(addrs) if addrs.iter().any(|ip| !self.allows_addr(*ip)) => {
                        return Err(FieldError::new(
                            t.field,
                            "域名解析到的地址不在本系统登记的地址或允许的网络内",
                            "the name resolves to an address outside the system's registered addresses and the allowed networks",
                        ));
                    }
                    Some(_) => {}
                },
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
