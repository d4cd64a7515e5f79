//! What keeps sign-in from being a lever against the server: a bound on password checks running
//! at once (each argon2 check holds ~19 MiB), token buckets per client address and per account
//! name, and failed sign-ins for names that do not exist counted in memory and written to the
//! audit trail as one record per address and minute instead of one row per attempt.
//!
//! All of it is per server process: with several replicas each keeps its own buckets, so an
//! attacker spreading over N replicas gets N times the rate. The lockout, which is what stops
//! guessing a password, is counted in the database and holds across replicas.

use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The limits; `AppConfig::sign_in`.
#[derive(Debug, Clone)]
pub struct ThrottleConfig {
    /// Password checks (argon2) running at once, server-wide.
    pub password_checks: usize,
    /// How long a sign-in waits for a free check before it is answered 429.
    pub check_wait: Duration,
    /// Failed sign-ins an address may make in a burst …
    pub address_burst: u32,
    /// … and then one more per this interval. Successful sign-ins give their token back, so a
    /// whole bureau behind one NAT address signing in every morning never meets the limit.
    pub address_every: Duration,
    /// The same per account name, known or not. Past it the answer is the ordinary 401 without a
    /// check: a guesser spread over many addresses learns nothing, not even that it was slowed.
    pub account_burst: u32,
    pub account_every: Duration,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            password_checks: cores.clamp(2, 8),
            check_wait: Duration::from_secs(3),
            address_burst: 30,
            address_every: Duration::from_secs(1),
            account_burst: 10,
            account_every: Duration::from_secs(6),
        }
    }
}

/// Keys kept per bucket map; beyond it full buckets are dropped, and if that is not enough new
/// keys go unmetered (the other map and the check bound still hold) rather than grow memory.
const MAX_KEYS: usize = 100_000;
/// Names kept per aggregated audit record, as a sample of what was tried.
const SAMPLE_NAMES: usize = 10;

struct Bucket {
    tokens: f64,
    at: Instant,
}

struct Buckets {
    map: Mutex<HashMap<String, Bucket>>,
    burst: f64,
    every: Duration,
}

impl Buckets {
    fn new(burst: u32, every: Duration) -> Buckets {
        Buckets { map: Mutex::default(), burst: f64::from(burst.max(1)), every: every.max(Duration::from_millis(1)) }
    }

    /// The tokens a bucket holds at `now`.
    fn level(&self, b: &Bucket, now: Instant) -> f64 {
        let gained = now.duration_since(b.at).as_secs_f64() / self.every.as_secs_f64();
        (b.tokens + gained).min(self.burst)
    }

    fn refill(&self, b: &mut Bucket, now: Instant) {
        b.tokens = self.level(b, now);
        b.at = now;
    }

    /// Takes a token, or says how long until one is there.
    fn take(&self, key: &str) -> Result<(), Duration> {
        self.take_at(key, Instant::now())
    }

    /// The same at `now` (tests walk the refill without sleeping).
    fn take_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let Ok(mut map) = self.map.lock() else { return Ok(()) };
        if !map.contains_key(key) && map.len() >= MAX_KEYS {
            map.retain(|_, b| self.level(b, now) < self.burst);
            if map.len() >= MAX_KEYS {
                return Ok(());
            }
        }
        let b = map.entry(key.to_string()).or_insert(Bucket { tokens: self.burst, at: now });
        self.refill(b, now);
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(self.every.mul_f64(1.0 - b.tokens))
        }
    }

    fn give_back(&self, key: &str) {
        let now = Instant::now();
        if let Ok(mut map) = self.map.lock()
            && let Some(b) = map.get_mut(key)
        {
            self.refill(b, now);
            b.tokens = (b.tokens + 1.0).min(self.burst);
        }
    }
}

/// Failed sign-ins not written one by one: what was tried from one address for one reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub reason: &'static str,
    pub address: String,
    pub count: u64,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    pub names: BTreeSet<String>,
}

pub(crate) struct Throttle {
    checks: std::sync::Arc<Semaphore>,
    /// One argon2 buffer per check slot, kept for good (see `password.rs`).
    memory: Mutex<Vec<Vec<argon2::Block>>>,
    check_wait: Duration,
    addresses: Buckets,
    accounts: Buckets,
    pending: Mutex<HashMap<(&'static str, String), Aggregate>>,
}

/// A sign-in refused before its password was checked, and when to try again.
#[derive(Debug)]
pub(crate) struct Busy {
    pub retry_after: Duration,
    /// Refused by the account name's bucket (else the address's, or no free check).
    pub account: bool,
}

/// The key of an address: IPv6 clients usually hold a whole /64, so that is one key.
pub(crate) fn address_key(addr: Option<IpAddr>) -> String {
    match addr {
        None => "-".into(),
        Some(IpAddr::V4(a)) => a.to_string(),
        Some(IpAddr::V6(a)) => match a.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = a.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

impl Throttle {
    pub(crate) fn new(c: &ThrottleConfig) -> Throttle {
        Throttle {
            checks: std::sync::Arc::new(Semaphore::new(c.password_checks.max(1))),
            memory: Mutex::default(),
            check_wait: c.check_wait,
            addresses: Buckets::new(c.address_burst, c.address_every),
            accounts: Buckets::new(c.account_burst, c.account_every),
            pending: Mutex::default(),
        }
    }

    /// Takes a token from the address's and the account's buckets (the first refusal wins and
    /// takes nothing from the other).
    pub(crate) fn admit(&self, address: &str, account: &str) -> Result<(), Busy> {
        self.addresses.take(address).map_err(|retry_after| Busy { retry_after, account: false })?;
        if let Err(retry_after) = self.accounts.take(account) {
            self.addresses.give_back(address);
            return Err(Busy { retry_after, account: true });
        }
        Ok(())
    }

    /// A successful sign-in costs nothing against either limit.
    pub(crate) fn succeeded(&self, address: &str, account: &str) {
        self.addresses.give_back(address);
        self.accounts.give_back(account);
    }

    /// Runs `work` (a password hash or check) in one of the slots, on the blocking pool with the
    /// slot's memory, waiting at most the configured time for a slot.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<argon2::Block>) -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let busy = || Busy { retry_after: Duration::from_secs(1), account: false };
        let _permit: OwnedSemaphorePermit =
            match tokio::time::timeout(self.check_wait, self.checks.clone().acquire_owned()).await {
                Ok(Ok(p)) => p,
                _ => return Err(busy()),
            };
        let mut memory = self.memory.lock().ok().and_then(|mut m| m.pop()).unwrap_or_default();
        let (out, memory) = tokio::task::spawn_blocking(move || {
            let out = work(&mut memory);
            (out, memory)
        })
        .await
        .map_err(|_| busy())?;
        if let Ok(mut m) = self.memory.lock() {
            m.push(memory);
        }
        Ok(out)
    }

    /// Counts a failure to be written later as part of one record.
    pub(crate) fn note(&self, reason: &'static str, address: &str, name: &str, at: DateTime<Utc>) {
        let Ok(mut m) = self.pending.lock() else { return };
        // Beyond this many addresses in one minute, the rest are counted under one key.
        let overflow = m.len() >= MAX_KEYS && !m.contains_key(&(reason, address.to_string()));
        let address = if overflow { "*" } else { address };
        let a = m.entry((reason, address.to_string())).or_insert_with(|| Aggregate {
            reason,
            address: address.to_string(),
            count: 0,
            first_at: at,
            last_at: at,
            names: BTreeSet::new(),
        });
        a.count += 1;
        a.last_at = at;
        if !overflow && a.names.len() < SAMPLE_NAMES {
            a.names.insert(name.chars().take(64).collect());
        }
    }

    /// What was counted since the last call.
    pub(crate) fn drain(&self) -> Vec<Aggregate> {
        let Ok(mut m) = self.pending.lock() else { return Vec::new() };
        let mut out: Vec<Aggregate> = m.drain().map(|(_, a)| a).collect();
        out.sort_by(|a, b| a.first_at.cmp(&b.first_at).then_with(|| a.address.cmp(&b.address)));
        out
    }

    /// Counted failures put back after a failed write, so they are written next time.
    pub(crate) fn restore(&self, rows: Vec<Aggregate>) {
        let Ok(mut m) = self.pending.lock() else { return };
        for a in rows {
            match m.entry((a.reason, a.address.clone())) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(a);
                }
                std::collections::hash_map::Entry::Occupied(mut o) => {
                    let e = o.get_mut();
                    e.count += a.count;
                    e.first_at = e.first_at.min(a.first_at);
                    for n in a.names {
                        if e.names.len() < SAMPLE_NAMES {
                            e.names.insert(n);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_refuses_past_its_burst_and_refills() {
        let b = Buckets::new(3, Duration::from_millis(50));
        let t0 = Instant::now();
        assert!(b.take_at("x", t0).is_ok() && b.take_at("x", t0).is_ok() && b.take_at("x", t0).is_ok());
        let wait = b.take_at("x", t0 + Duration::from_millis(20)).expect_err("the fourth is refused");
        assert_eq!(wait, Duration::from_millis(30), "the rest of the refill");
        assert!(b.take_at("y", t0).is_ok(), "another key has its own bucket");
        assert!(b.take_at("x", t0 + Duration::from_millis(49)).is_err());
        assert!(b.take_at("x", t0 + Duration::from_millis(50)).is_ok(), "a token came back");
        assert!(b.take_at("x", t0 + Duration::from_millis(60)).is_err(), "only one");
    }

    #[test]
    fn success_gives_the_token_back() {
        let t = Throttle::new(&ThrottleConfig { address_burst: 1, account_burst: 5, ..ThrottleConfig::default() });
        t.admit("10.0.0.1", "a").expect("first");
        t.succeeded("10.0.0.1", "a");
        t.admit("10.0.0.1", "b").expect("the address's token came back");
        assert!(t.admit("10.0.0.1", "c").is_err());
    }

    #[test]
    fn a_refused_account_does_not_cost_the_address() {
        let t = Throttle::new(&ThrottleConfig { address_burst: 2, account_burst: 1, ..ThrottleConfig::default() });
        t.admit("10.0.0.1", "a").expect("first");
        assert!(t.admit("10.0.0.1", "a").is_err(), "the account is spent");
        t.admit("10.0.0.1", "b").expect("the address still has its second token");
    }

    #[test]
    fn ipv6_clients_share_their_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().expect("ip");
        let mapped: IpAddr = "::ffff:10.1.2.3".parse().expect("ip");
        assert_eq!(address_key(Some(a)), address_key(Some(b)));
        assert_eq!(address_key(Some(mapped)), "10.1.2.3");
    }

    #[test]
    fn failures_are_aggregated_per_address_and_reason() {
        let t = Throttle::new(&ThrottleConfig::default());
        let at = Utc::now();
        for i in 0..25 {
            t.note("unknown_user", "10.0.0.1", &format!("u{i}"), at);
        }
        t.note("unknown_user", "10.0.0.2", "x", at);
        t.note("rate_limited", "10.0.0.1", "x", at);
        let rows = t.drain();
        assert_eq!(rows.len(), 3);
        let first = rows.iter().find(|a| a.address == "10.0.0.1" && a.reason == "unknown_user").expect("row");
        assert_eq!(first.count, 25);
        assert_eq!(first.names.len(), SAMPLE_NAMES);
        assert!(t.drain().is_empty(), "drained");
        t.restore(rows);
        assert_eq!(t.drain().iter().map(|a| a.count).sum::<u64>(), 27, "a failed write is retried");
    }
}
