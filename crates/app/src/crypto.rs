//! The cryptographic suite in force, and switching it: under `sm`, new audit records are chained
//! with SM3, stored files and issued reports are hashed with SM3, and secrets at rest are sealed
//! with SM4-GCM. A switch (the configured suite differs from the one recorded in `settings`)
//! re-seals every stored secret and writes an audit record under the new suite — the marked point
//! from which the chain continues; earlier records keep their SHA-256 hashes and still verify,
//! since each stored hash names its algorithm.

use crate::secrets::CryptoSuite;
use crate::{App, Result, wall_now};

const KEY: &str = "crypto_suite";

impl App {
    /// A file's or report's hash under the suite in force (`sm3:<hex>` under `sm`).
    pub(crate) fn content_hash(&self, bytes: &[u8]) -> String {
        self.store.hash().hash(&[bytes])
    }

    /// Brings stored secrets and the record of the suite in line with the configuration; run at
    /// start-up. Idempotent: a second server starting with the same suite finds nothing to do.
    pub(crate) async fn apply_crypto_suite(&self) -> Result<()> {
        let want = self.config.crypto_suite;
        let recorded = store::approvals::setting(&self.store, KEY).await?;
        let was = recorded.as_ref().and_then(|v| v.as_str()).and_then(CryptoSuite::parse).unwrap_or_default();
        if recorded.is_some() && was == want {
            return Ok(());
        }
        let now = wall_now();
        let tx = self.store.begin().await?;
        let mut resealed = 0usize;
        if self.secrets.has_key() {
            for c in store::notifications::channels::list(&tx).await? {
                if let Some(s) = c.secrets.as_deref().filter(|s| self.secrets.is_foreign(s)) {
                    let plain = self.secrets.open(s)?;
                    store::notifications::channels::set_secrets(&tx, &c.id, Some(self.secrets.seal(&plain)?)).await?;
                    resealed += 1;
                }
            }
            for c in store::sso::list(&tx).await? {
                if let Some(s) = c.secrets.as_deref().filter(|s| self.secrets.is_foreign(s)) {
                    let plain = self.secrets.open(s)?;
                    store::sso::set_secrets(&tx, &c.id, Some(self.secrets.seal(&plain)?)).await?;
                    resealed += 1;
                }
            }
            // Phone numbers: sealed under `sm`, back in clear under the default suite.
            let sm = want == CryptoSuite::Sm;
            for (table, column) in store::fields::SEALED {
                for (id, v) in store::fields::stored(&tx, table, column).await? {
                    let sealed = crate::secrets::is_sealed(&v);
                    let next = if sm && !sealed {
                        Some(self.secrets.seal(v.as_bytes())?)
                    } else if sealed && (!sm || self.secrets.is_foreign(&v)) {
                        let plain = String::from_utf8(self.secrets.open(&v)?).unwrap_or_default();
                        Some(if sm { self.secrets.seal(plain.as_bytes())? } else { plain })
                    } else {
                        None
                    };
                    if let Some(next) = next {
                        store::fields::set_stored(&tx, table, column, &id, &next).await?;
                        resealed += 1;
                    }
                }
            }
            for (id, s) in store::users::sealed_totp_secrets(&tx).await? {
                if self.secrets.is_foreign(&s) {
                    let plain = self.secrets.open(&s)?;
                    store::users::set_totp_secret(&tx, &id, &self.secrets.seal(&plain)?).await?;
                    resealed += 1;
                }
            }
        }
        if recorded.is_some() || want != CryptoSuite::Default {
            let entry = domain::audit::AuditEntry {
                actor_id: None,
                actor_name: "system".into(),
                action: "crypto_suite_changed".into(),
                object_type: "crypto_suite".into(),
                object_id: Some(KEY.into()),
                before: Some(serde_json::json!({"suite": was.as_str()})),
                after: Some(serde_json::json!({"suite": want.as_str(), "secrets_resealed": resealed})),
            };
            store::audit::append(&tx, &entry, now).await?;
        }
        store::approvals::put_setting(&tx, KEY, &serde_json::json!(want.as_str()), now).await?;
        tx.commit().await?;
        if resealed > 0 || was != want {
            tracing::info!(from = was.as_str(), to = want.as_str(), resealed, "cryptographic suite applied");
        }
        Ok(())
    }
}
