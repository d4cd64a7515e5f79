//! The audit trail: who changed what, when, from what to what — chained by SHA-256 so that an
//! altered, inserted or removed record breaks the chain.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// The hash the first record chains from.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The keys the audit log sorts by; `seq` when none is given.
pub const SORT_KEYS: &[&str] = &["seq", "at"];

/// What the audit log can be narrowed by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    pub actor_id: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub action: Option<String>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub to: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditRecord {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<String>,
    pub actor_name: String,
    /// `create`, `update`, `delete`, `import`, `login`, `login_failed`, `logout`, …
    pub action: String,
    /// `unit`, `vendor`, `user`, `contract`, `system`, `asset`, `session`, …
    pub object_type: String,
    pub object_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
    pub prev_hash: String,
    pub hash: String,
    /// What people call the object (a ticket's number and title, a contract's name), filled
    /// when records are listed; not part of the hash.
    #[serde(default)]
    pub object_name: Option<String>,
}

/// What a use case records; the store adds seq, time and the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// The hash function of the chain and of stored files: SHA-256 (the default suite), or SM3
/// (GB/T 32905, the `sm` suite of commercial cryptography). An SM3 hash is written `sm3:<hex>`, so
/// each record says how to check it and a chain that switched suites stays verifiable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HashAlg {
    #[default]
    Sha256,
    Sm3,
}

pub const SM3_PREFIX: &str = "sm3:";

impl HashAlg {
    /// The algorithm a stored hash was made with.
    pub fn of(stored: &str) -> HashAlg {
        if stored.starts_with(SM3_PREFIX) { HashAlg::Sm3 } else { HashAlg::Sha256 }
    }

    /// `parts` hashed in order, written as stored.
    pub fn hash(self, parts: &[&[u8]]) -> String {
        match self {
            HashAlg::Sha256 => {
                let mut h = Sha256::new();
                parts.iter().for_each(|p| h.update(p));
                hex::encode(h.finalize())
            }
            HashAlg::Sm3 => {
                let mut h = sm3::Sm3::new();
                parts.iter().for_each(|p| sm3::Digest::update(&mut h, p));
                format!("{SM3_PREFIX}{}", hex::encode(sm3::Digest::finalize(h)))
            }
        }
    }
}

/// Hash of one record over its content and its predecessor's hash (SHA-256; see `record_hash_with`). JSON objects serialise with
/// sorted keys (serde_json's default map), and the instant at microsecond precision, which both
/// SQLite and PostgreSQL store exactly — so the hash survives a round trip through either.
#[allow(clippy::too_many_arguments)]
pub fn record_hash(
    prev_hash: &str,
    seq: i64,
    at: DateTime<Utc>,
    actor_id: Option<&str>,
    actor_name: &str,
    action: &str,
    object_type: &str,
    object_id: Option<&str>,
    before: Option<&Value>,
    after: Option<&Value>,
) -> String {
    record_hash_with(
        HashAlg::Sha256,
        prev_hash,
        seq,
        at,
        actor_id,
        actor_name,
        action,
        object_type,
        object_id,
        before,
        after,
    )
}

/// Hash of one record with `alg`.
#[allow(clippy::too_many_arguments)]
pub fn record_hash_with(
    alg: HashAlg,
    prev_hash: &str,
    seq: i64,
    at: DateTime<Utc>,
    actor_id: Option<&str>,
    actor_name: &str,
    action: &str,
    object_type: &str,
    object_id: Option<&str>,
    before: Option<&Value>,
    after: Option<&Value>,
) -> String {
    let body = serde_json::json!({
        "seq": seq,
        "at_us": at.timestamp_micros(),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "before": before,
        "after": after,
    });
    alg.hash(&[prev_hash.as_bytes(), b"\n", body.to_string().as_bytes()])
}

impl AuditRecord {
    /// The record's hash recomputed with the algorithm its stored hash names.
    pub fn compute_hash(&self) -> String {
        self.compute_hash_as(HashAlg::of(&self.hash))
    }

    /// The record's hash with `alg`.
    pub fn compute_hash_as(&self, alg: HashAlg) -> String {
        record_hash_with(
            alg,
            &self.prev_hash,
            self.seq,
            self.at,
            self.actor_id.as_deref(),
            &self.actor_name,
            &self.action,
            &self.object_type,
            self.object_id.as_deref(),
            self.before.as_ref(),
            self.after.as_ref(),
        )
    }
}

/// Truncates an instant to the microsecond, the precision the chain is computed at.
pub fn truncate_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChainBreak {
    /// The record's content does not match its hash: it was altered.
    Altered { seq: i64 },
    /// The record does not point at its predecessor: one was removed or inserted.
    Unlinked { seq: i64 },
    /// Sequence numbers skip: records were removed.
    Gap { after_seq: i64, next_seq: i64 },
    /// The head marker names a later record than the chain holds: the tail was removed.
    TruncatedTail { head_seq: i64, last_seq: i64 },
    /// The chain holds records the head marker does not cover: they were added behind the
    /// application's back, or the head was rolled back.
    HeadBehind { head_seq: i64, last_seq: i64 },
    /// Records exist but the head marker is gone: it was deleted, perhaps with the tail.
    HeadMissing { last_seq: i64 },
}

/// Incremental verification over records in `seq` order, so the store can stream a long chain.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    prev_seq: i64,
    prev_hash: String,
    pub checked: u64,
    pub breaks: Vec<ChainBreak>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self { prev_seq: 0, prev_hash: GENESIS.to_string(), checked: 0, breaks: Vec::new() }
    }
}

/// The first line of an archived segment of the chain: which records it holds, the hash the
/// first one links to, and the last one's hash — enough to verify the segment on its own and to
/// match it against the live chain or the next segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentHeader {
    /// Always `yunwei-audit-segment`.
    pub kind: String,
    pub from_seq: i64,
    pub to_seq: i64,
    pub prev_hash: String,
    pub last_hash: String,
    pub count: u64,
    pub exported_at: DateTime<Utc>,
}

pub const SEGMENT_KIND: &str = "yunwei-audit-segment";

/// Verifies an archived segment: its records in order from the header's predecessor, and its
/// end against the header.
pub fn verify_segment(header: &SegmentHeader, records: &[AuditRecord]) -> Vec<ChainBreak> {
    let mut v = ChainVerifier::starting_after(header.from_seq - 1, &header.prev_hash);
    records.iter().for_each(|r| v.push(r));
    v.finish(Some((header.to_seq, &header.last_hash))).breaks
}

impl ChainVerifier {
    /// A verifier for records that follow record `seq` with `hash` (an archived segment).
    pub fn starting_after(seq: i64, hash: &str) -> Self {
        Self { prev_seq: seq, prev_hash: hash.to_string(), checked: 0, breaks: Vec::new() }
    }

    pub fn push(&mut self, r: &AuditRecord) {
        self.checked += 1;
        if r.seq != self.prev_seq + 1 {
            self.breaks.push(ChainBreak::Gap { after_seq: self.prev_seq, next_seq: r.seq });
        }
        if r.prev_hash != self.prev_hash {
            self.breaks.push(ChainBreak::Unlinked { seq: r.seq });
        }
        if r.compute_hash() != r.hash {
            self.breaks.push(ChainBreak::Altered { seq: r.seq });
        }
        self.prev_seq = r.seq;
        self.prev_hash = r.hash.clone();
    }

    /// Compares the end of the chain with the head marker the store keeps beside it.
    pub fn finish(mut self, head: Option<(i64, &str)>) -> Self {
        let last_seq = self.prev_seq;
        match head {
            Some((head_seq, _)) if head_seq > last_seq => {
                self.breaks.push(ChainBreak::TruncatedTail { head_seq, last_seq })
            }
            Some((head_seq, _)) if head_seq < last_seq => {
                self.breaks.push(ChainBreak::HeadBehind { head_seq, last_seq })
            }
            Some((head_seq, head_hash)) if head_hash != self.prev_hash => {
                self.breaks.push(ChainBreak::Altered { seq: head_seq })
            }
            Some(_) => {}
            None if self.checked > 0 => self.breaks.push(ChainBreak::HeadMissing { last_seq }),
            None => {}
        }
        self
    }

    pub fn last(&self) -> (i64, &str) {
        (self.prev_seq, &self.prev_hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn chain(n: usize) -> Vec<AuditRecord> {
        let mut out: Vec<AuditRecord> = Vec::new();
        for i in 0..n {
            let prev = out.last().map_or(GENESIS.to_string(), |r| r.hash.clone());
            let mut r = AuditRecord {
                object_name: None,
                seq: i as i64 + 1,
                at: DateTime::from_timestamp_micros(1_700_000_000_000_000 + i as i64).unwrap(),
                actor_id: Some("u1".into()),
                actor_name: "admin".into(),
                action: "update".into(),
                object_type: "unit".into(),
                object_id: Some(format!("o{i}")),
                before: Some(serde_json::json!({"name": "a", "n": i})),
                after: Some(serde_json::json!({"n": i + 1, "name": "b"})),
                prev_hash: prev,
                hash: String::new(),
            };
            r.hash = r.compute_hash();
            out.push(r);
        }
        out
    }

    fn verify(records: &[AuditRecord], head: Option<(i64, &str)>) -> Vec<ChainBreak> {
        let mut v = ChainVerifier::default();
        records.iter().for_each(|r| v.push(r));
        v.finish(head).breaks
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        assert!(verify(&c, Some((5, &c[4].hash))).is_empty());
    }

    #[test]
    fn a_chain_that_switched_to_sm3_verifies_and_shows_tampering() {
        let mut c = chain(5);
        // From record 3 on, the SM suite: each record hashed with SM3 over its predecessor's hash.
        for i in 2..5 {
            c[i].prev_hash = c[i - 1].hash.clone();
            c[i].hash = record_hash_with(
                HashAlg::Sm3,
                &c[i].prev_hash,
                c[i].seq,
                c[i].at,
                c[i].actor_id.as_deref(),
                &c[i].actor_name,
                &c[i].action,
                &c[i].object_type,
                c[i].object_id.as_deref(),
                c[i].before.as_ref(),
                c[i].after.as_ref(),
            );
        }
        assert!(c[2].hash.starts_with(SM3_PREFIX) && c[2].hash.len() == SM3_PREFIX.len() + 64);
        assert_ne!(c[2].hash.trim_start_matches(SM3_PREFIX), c[2].clone().compute_hash_as(HashAlg::Sha256));
        let head = c[4].hash.clone();
        assert!(verify(&c, Some((5, &head))).is_empty());
        c[3].actor_name = "mallory".into();
        assert_eq!(verify(&c, Some((5, &head))), [ChainBreak::Altered { seq: 4 }]);
    }

    #[test]
    fn key_order_does_not_matter() {
        let mut c = chain(1);
        c[0].after = Some(serde_json::from_str(r#"{"name":"b","n":1}"#).unwrap());
        let head = c[0].hash.clone();
        assert!(verify(&c, Some((1, &head))).is_empty());
    }

    #[test]
    fn truncated_tail_is_detected() {
        let c = chain(5);
        let head = c[4].hash.clone();
        assert_eq!(verify(&c[..4], Some((5, &head))), [ChainBreak::TruncatedTail { head_seq: 5, last_seq: 4 }]);
    }

    #[test]
    fn head_must_match_the_end() {
        let c = chain(3);
        assert_eq!(verify(&c, None), [ChainBreak::HeadMissing { last_seq: 3 }]);
        assert_eq!(verify(&c, Some((2, &c[1].hash))), [ChainBreak::HeadBehind { head_seq: 2, last_seq: 3 }]);
        assert_eq!(verify(&c, Some((3, &c[1].hash))), [ChainBreak::Altered { seq: 3 }]);
        assert!(verify(&[], None).is_empty());
    }

    proptest! {
        #[test]
        fn any_single_alteration_is_detected(n in 2usize..12, victim in 0usize..12, field in 0u8..4) {
            let mut c = chain(n);
            let i = victim % n;
            match field {
                0 => c[i].actor_name.push('x'),
                1 => c[i].after = Some(serde_json::json!({"name": "forged"})),
                2 => c[i].at += chrono::Duration::microseconds(1),
                _ => c[i].object_type = "system".into(),
            }
            let head = c[n - 1].hash.clone();
            let altered = ChainBreak::Altered { seq: i as i64 + 1 };
            prop_assert!(verify(&c, Some((n as i64, &head))).contains(&altered));
        }

        #[test]
        fn any_removal_is_detected(n in 2usize..12, victim in 0usize..12) {
            let mut c = chain(n);
            let head = c[n - 1].hash.clone();
            c.remove(victim % n);
            prop_assert!(!verify(&c, Some((n as i64, &head))).is_empty());
        }
    }
}
