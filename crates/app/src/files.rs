//! Uploaded files (ticket attachments, inspection photos) live under the data directory, one
//! folder per owner; their type is read from their first bytes, never taken from the name or the
//! client's word, and a file is only kept once its row is stored.

use std::future::Future;
use std::path::PathBuf;

use domain::FieldError;
use sha2::{Digest, Sha256};

use crate::{App, AppError, Result};

/// A file as uploaded: its name as sent and its bytes.
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// An evidence file checked for keeping: its own name, type, size and SHA-256 (the hash is what
/// makes it evidence: anyone can check the file they download is the one uploaded).
pub(crate) struct Evidence {
    pub file_name: String,
    pub content_type: &'static str,
    pub size: i64,
    pub sha256: String,
}

/// The content type of an accepted file, from its magic bytes.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: [(&[u8], &str); 6] = [
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"%PDF-", "application/pdf"),
        (b"PK\x03\x04", "application/zip"),
    ];
    if let Some((_, t)) = SIGNATURES.iter().find(|(sig, _)| bytes.starts_with(sig)) {
        return Some(t);
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some("image/webp");
    }
    // Logs and text: valid UTF-8 without NUL or other binary control bytes.
    let text = std::str::from_utf8(bytes).ok()?;
    let binary = text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'));
    (!binary).then_some("text/plain")
}

/// The type of a report or piece of evidence (PDF, Office, image or text), or an error naming
/// the field `file`.
pub(crate) fn evidence_type(bytes: &[u8]) -> Result<&'static str> {
    sniff(bytes).ok_or_else(|| {
        FieldError::new(
            "file",
            "文件应为 PDF、Word/Excel、图片或文本文件",
            "the file must be a PDF, Word/Excel, image or text file",
        )
        .into()
    })
}

/// The file's own name without any path a client may have sent.
pub(crate) fn clean_name(name: &str) -> Result<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if base.is_empty() || base == "." || base == ".." || domain::error::has_control_chars(base) {
        return Err(FieldError::new("file", "文件名无效", "the file name is not valid").into());
    }
    Ok(base.chars().take(200).collect())
}

impl App {
    /// `<data dir>/<area>/<owner>`.
    pub(crate) fn file_dir(&self, area: &str, owner: &str) -> Result<PathBuf> {
        let dir = self.config.data_dir.as_ref().ok_or_else(|| {
            AppError::conflict(None, "未配置数据目录，不能上传文件", "no data directory is configured for files")
        })?;
        Ok(dir.join(area).join(owner))
    }

    /// Refuses an empty or oversized upload, naming the field `file`.
    /// A report or piece of evidence checked before anything is written: size, type and name.
    pub(crate) fn evidence(&self, file: &Upload) -> Result<Evidence> {
        self.check_size(&file.bytes)?;
        let content_type = evidence_type(&file.bytes)?;
        Ok(Evidence {
            file_name: clean_name(&file.name)?,
            content_type,
            size: file.bytes.len() as i64,
            sha256: hex::encode(Sha256::digest(&file.bytes)),
        })
    }

    pub(crate) fn check_size(&self, bytes: &[u8]) -> Result<()> {
        let max = self.config.max_attachment_bytes;
        if bytes.is_empty() || bytes.len() > max {
            return Err(FieldError::new(
                "file",
                format!("文件须大于 0 且不超过 {} MB", max / (1024 * 1024)),
                format!("the file must be non-empty and at most {} MB", max / (1024 * 1024)),
            )
            .into());
        }
        Ok(())
    }

    /// Writes `bytes` to `<area>/<owner>/<id>`, then runs `store` (the row and its audit); if that
    /// fails the file is removed again, so nothing half-written stays behind.
    pub(crate) async fn keep_file<F>(&self, area: &str, owner: &str, id: &str, bytes: &[u8], store: F) -> Result<()>
    where
        F: Future<Output = Result<()>>,
    {
        let dir = self.file_dir(area, owner)?;
        let path = dir.join(id);
        let io = |e: std::io::Error| AppError::internal_from(format!("writing {area} file"), e);
        let (d, p, b) = (dir.clone(), path.clone(), bytes.to_vec());
        tokio::task::spawn_blocking(move || {
            private_dir(&d)?;
            write_private(&p, &b)
        })
        .await
        .map_err(|e| AppError::internal_from("file task", e))?
        .map_err(io)?;
        if let Err(e) = store.await {
            let _ = tokio::fs::remove_file(&path).await;
            return Err(e);
        }
        Ok(())
    }

    pub(crate) async fn read_file(&self, area: &str, owner: &str, id: &str) -> Result<Vec<u8>> {
        tokio::fs::read(self.file_dir(area, owner)?.join(id))
            .await
            .map_err(|e| AppError::internal_from(format!("reading {area} file"), e))
    }

    pub(crate) async fn remove_file(&self, area: &str, owner: &str, id: &str) {
        if let Ok(dir) = self.file_dir(area, owner) {
            let _ = tokio::fs::remove_file(dir.join(id)).await;
        }
    }
}

/// Creates `dir` and its missing parents readable by the server's user only (0700): uploads are
/// evidence and personal data, not for other accounts on the machine.
pub fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

/// Writes a new file readable by the server's user only (0600).
pub fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0"), Some("image/jpeg"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff("2026-11-22 10:00 ERROR 数据库连接失败\n".as_bytes()), Some("text/plain"));
        assert_eq!(sniff(b"MZ\x90\0\x03\0"), None, "a Windows executable");
        assert_eq!(sniff(b"<script>\0</script>"), None);
    }

    #[cfg(unix)]
    #[test]
    fn files_and_folders_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("attachments").join("t1");
        private_dir(&dir).unwrap();
        write_private(&dir.join("f"), b"x").unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&root.path().join("attachments")), 0o700);
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("f")), 0o600);
    }

    #[test]
    fn names_lose_their_paths() {
        assert_eq!(clean_name("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(clean_name("C:\\Users\\张三\\截图.png").unwrap(), "截图.png");
        assert!(clean_name("..").is_err());
        assert!(clean_name("a\u{0}b").is_err());
    }
}
