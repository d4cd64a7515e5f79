//! What an import of scanner output does to the ledger, worked out before anything is written
//! so the preview and the commit are the same plan: findings new to the ledger are created,
//! those it holds are seen again (`update`), those fixed or verified that the scan reports
//! again reopen, and fixed findings of the same scanner's checks on a host the scan covered
//! that it no longer reports are verified by the re-scan. Duplicates inside one file (a check
//! reported twice for a host and port) are merged.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Finding, VulnStatus};

/// A finding read from the file, with the row (or line) it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    pub row: usize,
    pub finding: Finding,
}

/// What the ledger holds under a fingerprint (or on a scanned host).
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    pub id: String,
    pub system_id: String,
    pub fingerprint: String,
    pub status: VulnStatus,
    pub host: Option<String>,
    pub plugin_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub create: Vec<Incoming>,
    /// (ledger id, the finding as the scan reports it now)
    pub update: Vec<(String, Incoming)>,
    pub reopen: Vec<(String, Incoming)>,
    /// Ledger ids whose fix the re-scan confirms.
    pub verify: Vec<String>,
    /// Findings merged into another of the same file.
    pub duplicates: usize,
}

/// The preview's counts (and, once written, the import's record).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Counts {
    pub create: u64,
    pub update: u64,
    pub reopen: u64,
    pub verify: u64,
    pub duplicates: u64,
    /// Informational results the scanner reported, which are not findings.
    pub informational: u64,
    /// Rows that cannot be used; an import with any writes nothing.
    pub errors: u64,
}

impl Plan {
    pub fn counts(&self) -> Counts {
        Counts {
            create: self.create.len() as u64,
            update: self.update.len() as u64,
            reopen: self.reopen.len() as u64,
            verify: self.verify.len() as u64,
            duplicates: self.duplicates as u64,
            ..Counts::default()
        }
    }
}

/// The scanner a plugin id belongs to (`nessus`, `openvas`, `table`).
fn scanner(plugin: &str) -> &str {
    plugin.split_once(':').map_or("", |(s, _)| s)
}

fn merge(into: &mut Incoming, other: Incoming) {
    let f = &mut into.finding;
    for id in other.finding.identifiers {
        if !f.identifiers.contains(&id) {
            f.identifiers.push(id);
        }
    }
    if other.finding.severity.rank() < f.severity.rank() {
        f.severity = other.finding.severity;
    }
    f.cvss = match (f.cvss, other.finding.cvss) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
}

/// Plans an import. `held` is what the ledger holds under the fingerprints of `incoming` and,
/// for verification, the fixed findings on the scanned hosts of the imported systems;
/// `scanned` is every (system, host) the scan covered.
pub fn plan(incoming: Vec<Incoming>, held: &[Held], scanned: &HashSet<(String, String)>, source_scanner: &str) -> Plan {
    let mut merged: BTreeMap<String, Incoming> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut duplicates = 0;
    for i in incoming {
        let fp = i.finding.fingerprint();
        match merged.get_mut(&fp) {
            Some(first) => {
                merge(first, i);
                duplicates += 1;
            }
            None => {
                order.push(fp.clone());
                merged.insert(fp, i);
            }
        }
    }
    let by_fp: HashMap<&str, &Held> = held.iter().map(|h| (h.fingerprint.as_str(), h)).collect();
    let mut out = Plan { duplicates, ..Plan::default() };
    for fp in &order {
        let Some(i) = merged.remove(fp) else { continue };
        match by_fp.get(fp.as_str()) {
            None => out.create.push(i),
            Some(h) if matches!(h.status, VulnStatus::Fixed | VulnStatus::Verified) => {
                out.reopen.push((h.id.clone(), i))
            }
            Some(h) => out.update.push((h.id.clone(), i)),
        }
    }
    let reported: HashSet<&str> = order.iter().map(String::as_str).collect();
    for h in held {
        let same_scanner = h.plugin_id.as_deref().is_some_and(|p| scanner(p) == source_scanner);
        let on_scanned_host =
            h.host.as_ref().is_some_and(|host| scanned.contains(&(h.system_id.clone(), host.to_ascii_lowercase())));
        if h.status == VulnStatus::Fixed
            && same_scanner
            && on_scanned_host
            && !reported.contains(h.fingerprint.as_str())
        {
            out.verify.push(h.id.clone());
        }
    }
    out.verify.sort();
    out.verify.dedup();
    out
}
