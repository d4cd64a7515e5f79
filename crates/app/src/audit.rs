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
}
