//! Where monitors may connect. The bureau's own monitors go anywhere; a monitor that vendor
//! staff defined (`restricted`) may reach only the system's registered networks and domains and
//! the bureau's allowlist, never loopback, link-local or cloud metadata addresses — checked when
//! it is saved (after resolving its names) and again by the probe at every connection and
//! redirect (`domain::monitoring::reach`, `crates/probe`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use domain::monitoring::Monitor;
use domain::monitoring::reach::Reach;
use domain::monitoring::spec::MonitorSpec;
use domain::registry::System;
use domain::{FieldError, Principal, Role};

use crate::{App, AppError, Result, audit};

const ALLOWLIST_KEY: &str = "network_allowlist";
/// How long saving a monitor waits for its names to resolve.
const RESOLVE_WAIT: Duration = Duration::from_secs(3);

impl App {
    /// The networks and domains the bureau lets every vendor-defined monitor reach.
    pub async fn network_allowlist(&self) -> Result<Vec<String>> {
        Ok(store::approvals::setting(&self.store, ALLOWLIST_KEY)
            .await?
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default())
    }

    /// Sets them (the bureau); running restricted monitors follow at once.
    pub async fn set_network_allowlist(&self, p: &Principal, entries: Vec<String>) -> Result<Vec<String>> {
        crate::require_registry_write(p)?;
        let entries: Vec<String> =
            entries.into_iter().map(|e| e.trim().to_string()).filter(|e| !e.is_empty()).collect();
        if entries.len() > 1000 {
            return Err(FieldError::new("entries", "最多 1000 项", "at most 1000 entries").into());
        }
        Reach::parse("entries", &entries)?;
        let before = self.network_allowlist().await?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        store::approvals::put_setting(&tx, ALLOWLIST_KEY, &serde_json::json!(entries), now).await?;
        audit(&tx, p, "update", "settings", ALLOWLIST_KEY, Some(&before), Some(&entries), now).await?;
        tx.commit().await?;
        self.monitors_changed(None).await;
        Ok(entries)
    }

    /// What a restricted monitor of `system` may reach.
    pub(crate) async fn reach_for(&self, system: &System) -> Result<Reach> {
        // Both lists were checked when saved; an entry that no longer parses is left out.
        let own = Reach::parse("addresses", &system.addresses).unwrap_or_default();
        let bureau = Reach::parse("entries", &self.network_allowlist().await?).unwrap_or_default();
        Ok(own.merge(bureau))
    }

    /// A non-administrator's monitor must stay inside the system's reach; names are resolved now
    /// so a name outside the allowed domains must point only at allowed addresses.
    pub(crate) async fn check_reach(&self, p: &Principal, spec: &MonitorSpec, system: &System) -> Result<()> {
        if p.role == Role::Admin {
            return Ok(());
        }
        let reach = self.reach_for(system).await?;
        reach.check_spec(spec)?;
        let mut resolved: BTreeMap<String, Vec<std::net::IpAddr>> = BTreeMap::new();
        for name in reach.names_to_resolve(spec) {
            let lookup = tokio::net::lookup_host((name.as_str(), 0));
            let addrs = match tokio::time::timeout(RESOLVE_WAIT, lookup).await {
                Ok(Ok(a)) => a.map(|s| s.ip()).collect(),
                _ => Vec::new(),
            };
            resolved.insert(name, addrs);
        }
        Ok(reach.check_spec_resolved(spec, &resolved)?)
    }

    /// The reach a monitor runs with: none for the bureau's own.
    pub(crate) async fn job_reach(&self, m: &Monitor) -> Result<Option<Arc<Reach>>> {
        if !m.restricted {
            return Ok(None);
        }
        let system =
            store::systems::get(&self.store, &domain::Scope::All, &m.system_id).await?.ok_or(AppError::NotFound)?;
        Ok(Some(Arc::new(self.reach_for(&system).await?)))
    }

    /// The active monitors as the runner runs them; a restricted one carries its system's
    /// reach, worked out once per system (so a change of the system's networks or of the
    /// bureau's allowlist reaches the running monitors with the next reload).
    pub(crate) async fn monitor_jobs(&self) -> Result<Vec<probe::Job>> {
        let mut cache: HashMap<String, Option<Arc<Reach>>> = HashMap::new();
        let mut jobs = Vec::new();
        for (m, spec) in store::monitoring::active_runs(&self.store).await? {
            let reach = match (m.restricted, cache.get(&m.system_id)) {
                (false, _) => None,
                (true, Some(r)) => r.clone(),
                (true, None) => {
                    let r = self.job_reach(&m).await?;
                    cache.insert(m.system_id.clone(), r.clone());
                    r
                }
            };
            jobs.push(probe::Job { id: m.id.clone(), spec, state: m.state, reach });
        }
        Ok(jobs)
    }
}
