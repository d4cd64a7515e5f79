//! HTTP(S) for restricted monitors. The shared client resolves names itself and follows
//! redirects anywhere; here every hop's host is resolved and checked first, and the request goes
//! through a client pinned to the checked addresses, with redirects off so the next hop is
//! checked the same way. A pinned client that meets any other name refuses to resolve it, so a
//! mistake here fails closed instead of falling back to the system resolver.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use domain::monitoring::reach::Reach;
use domain::monitoring::spec::MonitorSpec;
use reqwest::dns::{Name, Resolve, Resolving};
use reqwest::header::{AUTHORIZATION, COOKIE, LOCATION, PROXY_AUTHORIZATION, WWW_AUTHENTICATE};
use reqwest::{Client, Method, Url};
use rustls::ClientConfig;

use crate::allowed::{self, Host};
use crate::http::{self, MAX_REDIRECTS, Patterns};
use crate::{Outcome, ProbeError};

/// Pinned clients kept at most; past that the cache starts again. A client per monitored name
/// and answer: thousands of restricted monitors on distinct names stay cached.
const MAX_CLIENTS: usize = 4096;

/// Refuses every name: a pinned client only knows the name it was pinned to.
struct NoDns;

impl Resolve for NoDns {
    fn resolve(&self, name: Name) -> Resolving {
        let msg = format!("address not allowed: {} was not checked", name.as_str());
        Box::pin(std::future::ready(Err(msg.into())))
    }
}

type Key = (String, Vec<IpAddr>);

pub(crate) struct Pinned {
    tls: ClientConfig,
    /// For hosts written as addresses: nothing to resolve.
    direct: Client,
    clients: Mutex<HashMap<Key, Client>>,
}

impl Pinned {
    pub(crate) fn new(tls: ClientConfig) -> Result<Pinned, ProbeError> {
        let direct = build(&tls, None).map_err(|e| ProbeError::Setup(e.to_string()))?;
        Ok(Pinned { tls, direct, clients: Mutex::default() })
    }

    /// A client that reaches `url`'s host only at addresses `reach` allows.
    async fn client_for(&self, reach: &Reach, url: &Url) -> Result<Client, String> {
        let port = url.port_or_known_default().unwrap_or(80);
        // The parsed host, not the text: `http://2130706433/` is 127.0.0.1 to the client.
        let name = match url.host() {
            Some(url::Host::Ipv4(ip)) => Host::Addr(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Host::Addr(IpAddr::V6(ip)),
            Some(url::Host::Domain(d)) => Host::Name(d),
            None => return Err("the URL has no host".into()),
        };
        let addrs = allowed::addresses(reach, name, port).await?;
        let Some(url::Host::Domain(name)) = url.host() else { return Ok(self.direct.clone()) };
        let key = (name.to_string(), addrs.iter().map(SocketAddr::ip).collect());
        if let Some(c) = self.clients.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(c);
        }
        // Port 0: the URL's port, or the scheme's, is used (reqwest's documented rule).
        let pins: Vec<SocketAddr> = addrs.iter().map(|a| SocketAddr::new(a.ip(), 0)).collect();
        let client = build(&self.tls, Some((name, &pins))).map_err(|e| format!("could not set up the client: {e}"))?;
        if let Ok(mut m) = self.clients.lock() {
            if m.len() >= MAX_CLIENTS {
                m.clear();
            }
            m.insert(key, client.clone());
        }
        Ok(client)
    }

    #[cfg(test)]
    fn cached(&self) -> usize {
        self.clients.lock().map(|m| m.len()).unwrap_or(0)
    }
}

/// Like the shared client (same TLS configuration, agent and pool), but without redirects,
/// proxies (a proxy would resolve the name again, out of reach of the check) or DNS.
fn build(tls: &ClientConfig, pin: Option<(&str, &[SocketAddr])>) -> Result<Client, reqwest::Error> {
    let mut b = Client::builder()
        .use_preconfigured_tls(tls.clone())
        .user_agent(http::USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .pool_max_idle_per_host(4)
        .dns_resolver(Arc::new(NoDns));
    if let Some((host, addrs)) = pin {
        b = b.resolve_to_addrs(host, addrs);
    }
    b.build()
}

/// Credentials the shared client drops when a redirect leaves the host; so do we.
fn sensitive(name: &str) -> bool {
    [AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION, WWW_AUTHENTICATE].iter().any(|h| h.as_str().eq_ignore_ascii_case(name))
        || name.eq_ignore_ascii_case("cookie2")
}

pub(crate) async fn check(
    pinned: &Pinned,
    patterns: &Patterns,
    spec: &MonitorSpec,
    reach: &Reach,
    start: Instant,
) -> Outcome {
    let mut url = match Url::parse(&spec.target) {
        Ok(u) => u,
        Err(e) => return Outcome::down(start.elapsed(), format!("bad URL: {e}")),
    };
    let mut method = http::method(spec);
    let mut left_host = false;
    for hop in 0..=MAX_REDIRECTS {
        let client = match pinned.client_for(reach, &url).await {
            Ok(c) => c,
            Err(e) => return Outcome::down(start.elapsed(), e),
        };
        let mut req = client.request(method.clone(), url.clone());
        for (k, v) in spec.expect.headers.iter().filter(|(k, _)| !(left_host && sensitive(k))) {
            req = req.header(k, v);
        }
        let res = match req.send().await {
            Ok(r) => r,
            Err(e) => return Outcome::down(start.elapsed(), http::describe(&e)),
        };
        let status = res.status();
        // A redirect without a Location is an answer like any other, as for the shared client.
        let Some(location) = res.headers().get(LOCATION).filter(|_| status.is_redirection()) else {
            return http::evaluate(res, patterns, spec, start).await;
        };
        if hop == MAX_REDIRECTS {
            break;
        }
        let next =
            location.to_str().ok().and_then(|l| url.join(l).ok()).filter(|u| matches!(u.scheme(), "http" | "https"));
        let Some(next) = next else {
            return Outcome {
                status: Some(status.as_u16()),
                ..Outcome::down(start.elapsed(), "bad redirect location")
            };
        };
        // As browsers (and the shared client) do: these turn a POST or PUT into a GET.
        if matches!(status.as_u16(), 301..=303) && method != Method::GET && method != Method::HEAD {
            method = Method::GET;
        }
        left_host |= next.host_str() != url.host_str() || next.port_or_known_default() != url.port_or_known_default();
        url = next;
    }
    Outcome::down(start.elapsed(), "too many redirects")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::tls::Tls;

    #[tokio::test]
    async fn pinned_clients_are_reused_per_name_and_answer_and_the_cache_is_bounded() {
        let pinned = Pinned::new(Tls::new().verifying_config()).unwrap();
        let reach = Reach::parse("n", &["localhost"])
            .unwrap()
            .allowing_loopback_for_tests("127.0.0.0/8".parse().unwrap())
            .allowing_loopback_for_tests("::1/128".parse().unwrap());
        let url = Url::parse("http://localhost:9/").unwrap();
        pinned.client_for(&reach, &url).await.unwrap();
        pinned.client_for(&reach, &Url::parse("https://LOCALHOST/x").unwrap()).await.unwrap();
        assert_eq!(pinned.cached(), 1, "one client for the name and its addresses, whatever the port");
        pinned.client_for(&reach, &Url::parse("http://127.0.0.1:9/").unwrap()).await.unwrap();
        assert_eq!(pinned.cached(), 1, "addresses use the direct client");

        if let Ok(mut m) = pinned.clients.lock() {
            m.clear();
            for i in 0..MAX_CLIENTS {
                m.insert((format!("h{i}"), vec![]), pinned.direct.clone());
            }
        }
        pinned.client_for(&reach, &url).await.unwrap();
        assert_eq!(pinned.cached(), 1, "a full cache starts again");
    }
}
