//! Which server does what when several share one database. A lease is a row with a holder and
//! an expiry (`store::leases`), taken or renewed by one conditional upsert; a holder renews well
//! before expiry and believes it holds a lease only until a margin before the expiry it last
//! wrote, so two servers never both think they hold one. A server that dies hands over within
//! one lease period; one that stops cleanly hands over at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::App;

/// How long a lease lasts without renewal.
pub const TTL: Duration = Duration::from_secs(15);
/// How often held and wanted leases are renewed.
pub const RENEW_EVERY: Duration = Duration::from_secs(5);
/// A holder stops believing in its lease this long before the expiry it wrote.
const MARGIN: Duration = Duration::from_secs(3);

/// This server's identity and the leases it holds, until when (its own monotonic clock).
#[derive(Clone)]
pub struct Leases {
    node: Arc<str>,
    held: Arc<Mutex<HashMap<String, Instant>>>,
}

impl Default for Leases {
    fn default() -> Self {
        let id = store::new_id();
        // The process id helps an operator tell servers apart; the random tail keeps a
        // restarted process (same pid in a container) from inheriting its predecessor's leases.
        let tail = &id[id.len().saturating_sub(12)..];
        Leases { node: format!("{}-{tail}", std::process::id()).into(), held: Arc::default() }
    }
}

impl Leases {
    /// This server's name in the lease table.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// Whether this server holds `name` now.
    pub fn holds(&self, name: &str) -> bool {
        self.held.lock().is_ok_and(|h| h.get(name).is_some_and(|until| Instant::now() < *until))
    }

    /// The leases this server holds now, by name.
    pub fn held(&self) -> Vec<String> {
        let now = Instant::now();
        let mut names: Vec<String> = self
            .held
            .lock()
            .map(|h| h.iter().filter(|(_, until)| now < **until).map(|(n, _)| n.clone()).collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    fn set(&self, name: &str, until: Option<Instant>) {
        if let Ok(mut h) = self.held.lock() {
            match until {
                Some(u) => h.insert(name.to_string(), u),
                None => h.remove(name),
            };
        }
    }
}

impl App {
    /// This server's leases.
    pub fn leases(&self) -> &Leases {
        &self.leases
    }

    /// Takes or renews `name`; true when this server holds it now. A database error keeps what
    /// was believed until its margin runs out.
    pub async fn renew_lease(&self, name: &str) -> bool {
        let asked = Instant::now();
        let ttl = i64::try_from(TTL.as_millis()).unwrap_or(i64::MAX);
        let taken = async {
            let tx = self.store.begin().await?;
            let got = store::leases::acquire(&tx, name, self.leases.node(), ttl).await?;
            tx.commit().await?;
            Ok::<_, store::StoreError>(got)
        };
        match taken.await {
            Ok(true) => {
                self.leases.set(name, Some(asked + TTL - MARGIN));
                true
            }
            Ok(false) => {
                self.leases.set(name, None);
                false
            }
            Err(e) => {
                tracing::warn!(lease = name, error = %crate::AppError::from(e).chain(), "could not renew a lease");
                self.leases.holds(name)
            }
        }
    }

    /// Gives up every lease this server holds (at shutdown), so others take over at once.
    pub async fn release_leases(&self) {
        for name in self.leases.held() {
            self.leases.set(&name, None);
            let released = async {
                let tx = self.store.begin().await?;
                store::leases::release(&tx, &name, self.leases.node()).await?;
                tx.commit().await
            };
            if let Err(e) = released.await {
                tracing::warn!(lease = %name, error = %crate::AppError::from(e).chain(), "could not release a lease");
            }
        }
    }
}
