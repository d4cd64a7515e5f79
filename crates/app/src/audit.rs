//! Reading and verifying the audit trail.

pub use domain::audit::{AuditFilter, SORT_KEYS};
use domain::audit::{AuditRecord, ChainBreak};
use domain::list::{ListQuery, Page};
use domain::{Principal, Role};
use serde::Serialize;

use crate::{App, AppError, Result};

/// The result of walking the chain.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub checked: u64,
    pub last_seq: i64,
    pub last_hash: String,
    pub breaks: Vec<ChainBreak>,
}

impl VerifyReport {
    pub fn intact(&self) -> bool {
        self.breaks.is_empty()
    }
}

impl App {
    /// The audit administrator reads the audit; the system administrator too while duties are
    /// not separated (`SecurityPolicy::separation_of_duties`).
    pub(crate) async fn may_read_audit(&self, p: &Principal) -> Result<bool> {
        Ok(p.role == Role::Auditor || (p.role == Role::Admin && !self.security_policy().await?.separation_of_duties))
    }

    pub async fn list_audit(&self, p: &Principal, q: &ListQuery, f: &AuditFilter) -> Result<Page<AuditRecord>> {
        if !self.may_read_audit(p).await? {
            return Err(AppError::Forbidden);
        }
        let mut page = store::audit::list(&self.store, q, f).await?;
        let names = store::audit::object_names(&self.store, &page.items).await?;
        for r in &mut page.items {
            r.object_name =
                r.object_id.as_ref().and_then(|id| names.get(&(r.object_type.clone(), id.clone())).cloned());
        }
        Ok(page)
    }

    /// Walks the whole chain. Open to auditors and admins through the API, and to the operator
    /// through `yunwei audit verify`.
    pub async fn verify_audit(&self, p: &Principal) -> Result<VerifyReport> {
        if !self.may_read_audit(p).await? {
            return Err(AppError::Forbidden);
        }
        let v = store::audit::verify(&self.store).await?;
        let (last_seq, last_hash) = v.last();
        Ok(VerifyReport { checked: v.checked, last_seq, last_hash: last_hash.to_string(), breaks: v.breaks.clone() })
    }

    /// An archive of records `from..=to` (the whole chain by default, at most 200,000 records):
    /// a JSON Lines file whose first line is the segment's header, verifiable on its own with
    /// `yunwei audit verify-archive`. Like the xlsx export, reading it leaves no record (a GET
    /// that wrote one would answer differently each time).
    pub async fn archive_audit(&self, p: &Principal, from: Option<i64>, to: Option<i64>) -> Result<Vec<u8>> {
        if !self.may_read_audit(p).await? {
            return Err(AppError::Forbidden);
        }
        const MAX: u64 = 200_000;
        let from = from.unwrap_or(1).max(1);
        let (prev_hash, records) = store::audit::segment(&self.store, from, to.unwrap_or(i64::MAX), MAX).await?;
        let (Some(first), Some(last)) = (records.first(), records.last()) else {
            return Err(
                domain::FieldError::new("from_seq", "该范围内没有审计记录", "no audit records in this range").into()
            );
        };
        let now = crate::wall_now();
        let header = domain::audit::SegmentHeader {
            kind: domain::audit::SEGMENT_KIND.into(),
            from_seq: first.seq,
            to_seq: last.seq,
            prev_hash,
            last_hash: last.hash.clone(),
            count: records.len() as u64,
            exported_at: now,
        };
        let mut out = serde_json::to_vec(&header).unwrap_or_default();
        for r in &records {
            out.push(b'\n');
            out.extend(serde_json::to_vec(r).unwrap_or_default());
        }
        out.push(b'\n');
        Ok(out)
    }
}
