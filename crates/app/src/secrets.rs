//! Secrets at rest (notification channels' passwords and signing keys): AES-256-GCM under a key
//! held outside the database — `YUNWEI_SECRET_KEY` (base64 of 32 bytes), or `<data dir>/secret.key`
//! created on first start with owner-only permissions. A stored value names its algorithm
//! (`v1:aes256gcm:` and base64 of nonce‖ciphertext), so a later suite can read what an earlier
//! one wrote. Without a key, channels that need a secret are refused rather than stored in clear.

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use domain::Msg;

use crate::{AppError, Result};

const AES_PREFIX: &str = "v1:aes256gcm:";

/// Encrypts and decrypts secrets; cheap to clone.
#[derive(Clone, Default)]
pub struct SecretBox {
    key: Option<std::sync::Arc<[u8; 32]>>,
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
    pub fn load(key_b64: Option<&str>, data_dir: Option<&Path>) -> Result<SecretBox> {
        let raw = match (key_b64, data_dir) {
            (Some(k), _) => STANDARD.decode(k.trim()).map_err(|_| internal("YUNWEI_SECRET_KEY is not base64"))?,
            (None, Some(dir)) => read_or_create(&dir.join("secret.key"))?,
            (None, None) => return Ok(SecretBox::default()),
        };
        let key: [u8; 32] = raw.try_into().map_err(|_| internal("the secret key must be 32 bytes"))?;
        Ok(SecretBox { key: Some(std::sync::Arc::new(key)) })
    }

    pub fn has_key(&self) -> bool {
        self.key.is_some()
    }

    fn cipher(&self) -> Result<Aes256Gcm> {
        let key = self.key.as_ref().ok_or_else(|| AppError::Conflict {
            msg: Msg::new(
                "服务器未配置密钥（YUNWEI_SECRET_KEY 或数据目录），无法保存密码类设置",
                "the server has no secret key (YUNWEI_SECRET_KEY or a data directory) to store secrets with",
            ),
            field: None,
        })?;
        Aes256Gcm::new_from_slice(key.as_slice()).map_err(|_| internal("secret key"))
    }

    pub fn seal(&self, plain: &[u8]) -> Result<String> {
        let cipher = self.cipher()?;
        let nonce: [u8; 12] = rand::random();
        let ct = cipher.encrypt(Nonce::from_slice(&nonce), plain).map_err(|_| internal("encrypt"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(format!("{AES_PREFIX}{}", STANDARD.encode(out)))
    }

    pub fn open(&self, sealed: &str) -> Result<Vec<u8>> {
        let body = sealed.strip_prefix(AES_PREFIX).ok_or_else(|| internal("unknown secret format"))?;
        let raw = STANDARD.decode(body).map_err(|_| internal("secret is not base64"))?;
        if raw.len() < 12 + 16 {
            return Err(internal("secret too short"));
        }
        let (nonce, ct) = raw.split_at(12);
        self.cipher()?
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| internal("a stored secret does not decrypt with this server's key"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key() {
        let dir = tempfile::tempdir().expect("dir");
        let a = SecretBox::load(None, Some(dir.path())).expect("key");
        let sealed = a.seal(b"SEC-123").expect("seal");
        assert!(sealed.starts_with(AES_PREFIX) && !sealed.contains("SEC-123"));
        let again = SecretBox::load(None, Some(dir.path())).expect("same key from the file");
        assert_eq!(again.open(&sealed).expect("open"), b"SEC-123");
        let other = SecretBox::load(Some(&STANDARD.encode([7u8; 32])), None).expect("key");
        assert!(other.open(&sealed).is_err());
        assert!(SecretBox::default().seal(b"x").is_err(), "no key, no secrets");
    }
}
