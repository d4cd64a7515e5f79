//! Secrets at rest (notification channels' passwords and signing keys, second-factor secrets):
//! AES-256-GCM, or SM4-GCM under the `sm` suite (GB/T 32907), under a key held outside the
//! database — `YUNWEI_SECRET_KEY` (base64 of 32 bytes), or `<data dir>/secret.key`
//! created on first start with owner-only permissions. A stored value names its algorithm
//! (`v1:aes256gcm:` and base64 of nonce‖ciphertext), so a later suite can read what an earlier
//! one wrote. Without a key, channels that need a secret are refused rather than stored in clear.

use std::path::Path;

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, AesGcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use domain::Msg;

use crate::{AppError, Result};

const AES_PREFIX: &str = "v1:aes256gcm:";
const SM4_PREFIX: &str = "v1:sm4gcm:";

/// SM4 in GCM mode with a 96-bit nonce (RustCrypto's GCM over RustCrypto's SM4).
type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

/// The cryptographic suite: the default (SHA-256, AES-256-GCM) or `sm` (SM3, SM4-GCM).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CryptoSuite {
    #[default]
    Default,
    Sm,
}

impl CryptoSuite {
    pub fn parse(s: &str) -> Option<CryptoSuite> {
        match s.trim() {
            "" | "default" => Some(CryptoSuite::Default),
            "sm" => Some(CryptoSuite::Sm),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CryptoSuite::Default => "default",
            CryptoSuite::Sm => "sm",
        }
    }

    pub fn hash(self) -> domain::audit::HashAlg {
        match self {
            CryptoSuite::Default => domain::audit::HashAlg::Sha256,
            CryptoSuite::Sm => domain::audit::HashAlg::Sm3,
        }
    }
}

/// Encrypts and decrypts secrets; cheap to clone.
#[derive(Clone, Default)]
pub struct SecretBox {
    key: Option<std::sync::Arc<[u8; 32]>>,
    suite: CryptoSuite,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.key.is_some() { "SecretBox(key set)" } else { "SecretBox(no key)" })
    }
}

fn internal(what: &str) -> AppError {
    AppError::Internal { what: what.into(), source: None }
}

impl SecretBox {
    /// The key from `key_b64` when given, else from `<data_dir>/secret.key` (created when
    /// missing), else none.
    pub fn load(key_b64: Option<&str>, data_dir: Option<&Path>, suite: CryptoSuite) -> Result<SecretBox> {
        let raw = match (key_b64, data_dir) {
            (Some(k), _) => STANDARD.decode(k.trim()).map_err(|_| internal("YUNWEI_SECRET_KEY is not base64"))?,
            (None, Some(dir)) => read_or_create(&dir.join("secret.key"))?,
            (None, None) => return Ok(SecretBox { key: None, suite }),
        };
        let key: [u8; 32] = raw.try_into().map_err(|_| internal("the secret key must be 32 bytes"))?;
        Ok(SecretBox { key: Some(std::sync::Arc::new(key)), suite })
    }

    /// Whether `sealed` was written by another suite than this box's (to re-seal on a switch).
    pub fn is_foreign(&self, sealed: &str) -> bool {
        let mine = match self.suite {
            CryptoSuite::Default => AES_PREFIX,
            CryptoSuite::Sm => SM4_PREFIX,
        };
        !sealed.starts_with(mine)
    }

    pub fn has_key(&self) -> bool {
        self.key.is_some()
    }

    fn key(&self) -> Result<&[u8; 32]> {
        let key = self.key.as_ref().ok_or_else(|| AppError::Conflict {
            msg: Msg::new(
                "服务器未配置密钥（YUNWEI_SECRET_KEY 或数据目录），无法保存密码类设置",
                "the server has no secret key (YUNWEI_SECRET_KEY or a data directory) to store secrets with",
            ),
            field: None,
        })?;
        Ok(key)
    }

    pub fn seal(&self, plain: &[u8]) -> Result<String> {
        let key = self.key()?;
        let nonce: [u8; 12] = rand::random();
        let n = Nonce::from_slice(&nonce);
        let (prefix, ct) = match self.suite {
            CryptoSuite::Default => {
                (AES_PREFIX, Aes256Gcm::new_from_slice(key).map_err(|_| internal("key"))?.encrypt(n, plain))
            }
            // SM4 takes a 128-bit key: the first half of the server's key.
            CryptoSuite::Sm => {
                (SM4_PREFIX, Sm4Gcm::new_from_slice(&key[..16]).map_err(|_| internal("key"))?.encrypt(n, plain))
            }
        };
        let ct = ct.map_err(|_| internal("encrypt"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(format!("{prefix}{}", STANDARD.encode(out)))
    }

    /// Opens a secret sealed by either suite.
    pub fn open(&self, sealed: &str) -> Result<Vec<u8>> {
        let (sm, body) = match (sealed.strip_prefix(AES_PREFIX), sealed.strip_prefix(SM4_PREFIX)) {
            (Some(b), _) => (false, b),
            (_, Some(b)) => (true, b),
            _ => return Err(internal("unknown secret format")),
        };
        let raw = STANDARD.decode(body).map_err(|_| internal("secret is not base64"))?;
        if raw.len() < 12 + 16 {
            return Err(internal("secret too short"));
        }
        let (nonce, ct) = raw.split_at(12);
        let key = self.key()?;
        let n = Nonce::from_slice(nonce);
        let plain = if sm {
            Sm4Gcm::new_from_slice(&key[..16]).map_err(|_| internal("key"))?.decrypt(n, ct)
        } else {
            Aes256Gcm::new_from_slice(key).map_err(|_| internal("key"))?.decrypt(n, ct)
        };
        plain.map_err(|_| internal("a stored secret does not decrypt with this server's key"))
    }
}

fn read_or_create(path: &Path) -> Result<Vec<u8>> {
    match std::fs::read_to_string(path) {
        Ok(s) => STANDARD.decode(s.trim()).map_err(|_| internal("secret.key is not base64")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key: [u8; 32] = rand::random();
            let text = STANDARD.encode(key);
            write_private(path, &text).map_err(|e| AppError::Internal {
                what: format!("cannot write {}", path.display()),
                source: Some(Box::new(e)),
            })?;
            // Another server starting at once may have written first: read back what won.
            let s = std::fs::read_to_string(path).map_err(|e| AppError::Internal {
                what: format!("cannot read {}", path.display()),
                source: Some(Box::new(e)),
            })?;
            STANDARD.decode(s.trim()).map_err(|_| internal("secret.key is not base64"))
        }
        Err(e) => {
            Err(AppError::Internal { what: format!("cannot read {}", path.display()), source: Some(Box::new(e)) })
        }
    }
}

/// Creates the file only if it does not exist, readable by the owner only.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    match o.open(path) {
        Ok(mut f) => f.write_all(text.as_bytes()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Whether a stored value is sealed (by either suite) rather than in clear.
pub(crate) fn is_sealed(stored: &str) -> bool {
    stored.starts_with(AES_PREFIX) || stored.starts_with(SM4_PREFIX)
}

/// Phone numbers at rest: sealed under the `sm` suite (SM4-GCM), in clear under the default one
/// (unchanged); opened either way, whatever the suite they were written under.
pub(crate) struct FieldBox {
    pub(crate) secrets: SecretBox,
    pub(crate) seal: bool,
}

impl store::fields::FieldCipher for FieldBox {
    fn seal(&self, plain: &str) -> std::result::Result<String, String> {
        if !self.seal || plain.is_empty() {
            return Ok(plain.to_string());
        }
        self.secrets.seal(plain.as_bytes()).map_err(|e| e.to_string())
    }

    fn open(&self, stored: &str) -> std::result::Result<String, String> {
        if !is_sealed(stored) {
            return Ok(stored.to_string());
        }
        let plain = self.secrets.open(stored).map_err(|e| e.to_string())?;
        String::from_utf8(plain).map_err(|_| "not text".to_string())
    }
}

impl crate::App {
    /// Settings' secrets (a JSON object) sealed for the store; `None` when there are none.
    pub(crate) fn seal_map(&self, secrets: &serde_json::Map<String, serde_json::Value>) -> Result<Option<String>> {
        if secrets.is_empty() {
            return Ok(None);
        }
        let plain = serde_json::to_vec(secrets).unwrap_or_default();
        self.secrets.seal(&plain).map(Some)
    }

    /// Sealed settings' secrets opened; `owner` names the record in the error.
    pub(crate) fn open_map(
        &self,
        sealed: Option<&str>,
        owner: &str,
    ) -> Result<serde_json::Map<String, serde_json::Value>> {
        let Some(sealed) = sealed else { return Ok(Default::default()) };
        match serde_json::from_slice(&self.secrets.open(sealed)?) {
            Ok(serde_json::Value::Object(m)) => Ok(m),
            _ => Err(crate::AppError::Internal {
                what: format!("{owner}: sealed secrets are not an object"),
                source: None,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key() {
        let dir = tempfile::tempdir().expect("dir");
        let a = SecretBox::load(None, Some(dir.path()), CryptoSuite::Default).expect("key");
        let sealed = a.seal(b"SEC-123").expect("seal");
        assert!(sealed.starts_with(AES_PREFIX) && !sealed.contains("SEC-123"));
        let again = SecretBox::load(None, Some(dir.path()), CryptoSuite::Sm).expect("same key from the file");
        assert_eq!(again.open(&sealed).expect("the SM box opens what the default one sealed"), b"SEC-123");
        let sm = again.seal(b"SEC-123").expect("seal");
        assert!(sm.starts_with(SM4_PREFIX) && again.is_foreign(&sealed) && !again.is_foreign(&sm));
        assert_eq!(a.open(&sm).expect("and the other way"), b"SEC-123");
        let other = SecretBox::load(Some(&STANDARD.encode([7u8; 32])), None, CryptoSuite::Sm).expect("key");
        assert!(other.open(&sealed).is_err() && other.open(&sm).is_err());
        assert!(SecretBox::default().seal(b"x").is_err(), "no key, no secrets");
    }
}
