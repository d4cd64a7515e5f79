//! Monitors shared between the servers of one database. Each server running probes holds the
//! lease `probe-node:<server>`; the live holders are the members, and each monitor belongs to
//! the member with the highest hash of (member, monitor) — rendezvous hashing, so a server that
//! joins or leaves moves only its own share. Every server computes the same owners from the same
//! members, renews every few seconds and takes over a dead server's share once its lease has
//! expired (within one lease period and one renewal). Changes to monitors bump a revision in the
//! settings, so every server reloads its share; a full comparison also runs every minute.
//!
//! While membership changes, a monitor may briefly be probed by two servers or by none (at most
//! one renewal); state changes stay single because an open interruption is unique per monitor in
//! the database, and its ticket is opened only by whoever opened it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio::sync::watch;

use crate::{App, Result, leases};

const NODE_PREFIX: &str = "probe-node:";
/// The monitoring purge runs on one server.
pub(crate) const PURGE_LEASE: &str = "job:monitoring_purge";
const REVISION_KEY: &str = "monitor_revision";
/// A full comparison with the stored monitors this often, whatever the revision says.
const FULL_EVERY: Duration = Duration::from_secs(60);

/// The member that probes `monitor`, if any.
pub(crate) fn owner<'a>(members: &'a [String], monitor: &str) -> Option<&'a str> {
    let weight = |m: &str| {
        let d = Sha256::new().chain_update(m.as_bytes()).chain_update([0]).chain_update(monitor.as_bytes()).finalize();
        u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
    };
    members.iter().max_by_key(|m| (weight(m), m.as_str())).map(String::as_str)
}

/// What the share loop last acted on.
#[derive(Default)]
pub(crate) struct Seen {
    members: Option<Vec<String>>,
    revision: Option<serde_json::Value>,
    full_at: Option<Instant>,
}

impl App {
    /// Tells every server that monitors changed: this one at once, the others at their next
    /// renewal. `id` is forgotten from the live view now, so its old result is not shown.
    pub(crate) async fn monitors_changed(&self, id: Option<&str>) {
        if let Some(id) = id {
            self.monitors.forget(id);
        }
        let now = self.business_now();
        let bump = async {
            let tx = self.store.begin().await?;
            store::approvals::put_setting(&tx, REVISION_KEY, &serde_json::json!(store::new_id()), now).await?;
            tx.commit().await?;
            Ok::<_, crate::AppError>(())
        };
        if let Err(e) = bump.await {
            // The other servers still catch up at their minutely comparison.
            tracing::warn!(error = %e.chain(), "monitoring: could not announce a monitor change");
        }
        self.monitors.wake.notify_one();
    }

    /// The servers probing now, this one included while its lease holds; none (probe nothing)
    /// when this server cannot show the database it is alive. A failed read keeps `previous`.
    async fn probe_members(&self, previous: Option<&Vec<String>>) -> Vec<String> {
        let me = self.leases().node().to_string();
        if !self.renew_lease(&format!("{NODE_PREFIX}{me}")).await {
            return Vec::new();
        }
        match store::leases::live(&self.store, NODE_PREFIX).await {
            Ok(rows) => {
                let mut members: Vec<String> = rows.into_iter().map(|(_, holder)| holder).collect();
                if !members.contains(&me) {
                    members.push(me);
                }
                members.sort();
                members
            }
            Err(e) => {
                tracing::warn!(error = %crate::AppError::from(e).chain(), "monitoring: could not read the probing servers");
                previous.cloned().unwrap_or_else(|| vec![me])
            }
        }
    }

    /// Runs this server's share of the active monitors: starts what is new or changed, stops
    /// what is gone or now another server's.
    async fn resync(&self, members: &[String]) -> Result<()> {
        let me = self.leases().node();
        let wanted: HashMap<String, probe::Job> = self
            .monitor_jobs()
            .await?
            .into_iter()
            .filter(|j| owner(members, &j.id) == Some(me))
            .map(|j| (j.id.clone(), j))
            .collect();
        self.monitors.apply(wanted);
        Ok(())
    }

    /// One round: renew, look, and resync if anything moved.
    async fn share_round(&self, seen: &mut Seen, woken: bool) {
        let members = self.probe_members(seen.members.as_ref()).await;
        self.monitors.set_members(members.len());
        self.renew_lease(PURGE_LEASE).await;
        let revision = store::approvals::setting(&self.store, REVISION_KEY).await.ok().flatten();
        let due = seen.full_at.is_none_or(|t| t.elapsed() >= FULL_EVERY);
        if !woken && !due && seen.members.as_ref() == Some(&members) && seen.revision == revision {
            return;
        }
        match self.resync(&members).await {
            Ok(()) => {
                seen.members = Some(members);
                seen.revision = revision;
                seen.full_at = Some(Instant::now());
            }
            Err(e) => tracing::warn!(error = %e.chain(), "monitoring: could not load the monitors; retrying"),
        }
    }

    /// Keeps this server's share until `shutdown`; the first round has run before this starts.
    pub(crate) async fn keep_share(self, mut seen: Seen, mut shutdown: watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(leases::RENEW_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            let woken = tokio::select! {
                _ = tick.tick() => false,
                _ = self.monitors.wake.notified() => true,
                _ = shutdown.changed() => break,
            };
            if *shutdown.borrow() {
                break;
            }
            self.share_round(&mut seen, woken).await;
        }
    }

    /// The first round, run before the server starts serving so probes begin at once.
    pub(crate) async fn first_share(&self) -> Seen {
        let mut seen = Seen::default();
        self.share_round(&mut seen, true).await;
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_monitor_has_one_owner_and_only_a_leaving_members_share_moves() {
        let three: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let two: Vec<String> = ["a", "c"].map(String::from).to_vec();
        let ids: Vec<String> = (0..3000).map(|i| format!("monitor-{i}")).collect();
        let mut per = HashMap::new();
        for id in &ids {
            *per.entry(owner(&three, id).unwrap()).or_insert(0) += 1;
            let before = owner(&three, id).unwrap();
            let after = owner(&two, id).unwrap();
            if before != "b" {
                assert_eq!(before, after, "{id} moved although its owner stayed");
            }
        }
        // Roughly a third each.
        for m in ["a", "b", "c"] {
            assert!((800..1200).contains(&per[m]), "{m} has {}", per[m]);
        }
        assert_eq!(owner(&[], "x"), None);
        assert_eq!(owner(&["solo".to_string()], "x"), Some("solo"));
    }
}
