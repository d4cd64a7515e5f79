//! Comments and attachments. Internal ones stay between the bureau and the vendor. Files live
//! under `<data dir>/attachments/<ticket>/<id>`; their type is read from their first bytes, never
//! taken from the name or the client's word.

use std::path::PathBuf;

use domain::tickets::input::CommentInput;
use domain::tickets::view::{Attachment, Comment};
use domain::{FieldError, Principal, Role};
use sha2::{Digest, Sha256};

use crate::{App, AppError, Result, audit};

/// Files one ticket may carry.
pub const MAX_ATTACHMENTS: u64 = 50;

/// An uploaded file.
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub internal: bool,
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

fn clean_name(name: &str) -> Result<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if base.is_empty() || base == "." || base == ".." || domain::error::has_control_chars(base) {
        return Err(FieldError::new("file", "文件名无效", "the file name is not valid").into());
    }
    Ok(base.chars().take(200).collect())
}

impl App {
    fn attachment_dir(&self, ticket_id: &str) -> Result<PathBuf> {
        let dir = self.config.data_dir.as_ref().ok_or_else(|| {
            AppError::conflict(None, "未配置数据目录，不能上传附件", "no data directory is configured for attachments")
        })?;
        Ok(dir.join("attachments").join(ticket_id))
    }

    pub async fn add_comment(&self, p: &Principal, ticket_id: &str, input: CommentInput) -> Result<Comment> {
        let body = input.validate()?;
        let t = self.visible_ticket(p, ticket_id).await?;
        if p.role == Role::Auditor {
            return Err(AppError::Forbidden);
        }
        if input.internal && p.role == Role::UnitUser {
            return Err(FieldError::new(
                "internal",
                "使用单位的留言对各方可见",
                "a unit's comments are visible to all",
            )
            .into());
        }
        let now = self.now();
        let tx = self.store.begin().await?;
        let c = store::tickets::add_comment(&tx, &t.id, (&p.user_id, &p.username), &body, input.internal, now).await?;
        audit::<(), _>(&tx, p, "comment", "ticket", &t.id, None, Some(&c), now).await?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn add_attachment(&self, p: &Principal, ticket_id: &str, upload: Upload) -> Result<Attachment> {
        let t = self.visible_ticket(p, ticket_id).await?;
        if p.role == Role::Auditor {
            return Err(AppError::Forbidden);
        }
        if upload.internal && p.role == Role::UnitUser {
            return Err(
                FieldError::new("internal", "使用单位的附件对各方可见", "a unit's files are visible to all").into()
            );
        }
        let max = self.config.max_attachment_bytes;
        if upload.bytes.is_empty() || upload.bytes.len() > max {
            return Err(FieldError::new(
                "file",
                format!("文件须大于 0 且不超过 {} MB", max / (1024 * 1024)),
                format!("the file must be non-empty and at most {} MB", max / (1024 * 1024)),
            )
            .into());
        }
        let Some(content_type) = sniff(&upload.bytes) else {
            return Err(FieldError::new(
                "file",
                "只接受图片（PNG、JPEG、GIF、WebP）、PDF、文本日志和 Office/ZIP 文件",
                "accepted: images (PNG, JPEG, GIF, WebP), PDF, text logs and Office/ZIP files",
            )
            .into());
        };
        let file_name = clean_name(&upload.file_name)?;
        if store::tickets::attachment_count(&self.store, &t.id).await? >= MAX_ATTACHMENTS {
            return Err(AppError::conflict(
                Some("file"),
                format!("每张工单最多 {MAX_ATTACHMENTS} 个附件"),
                format!("at most {MAX_ATTACHMENTS} files per ticket"),
            ));
        }
        let now = self.now();
        let a = Attachment {
            id: store::new_id(),
            ticket_id: t.id.clone(),
            file_name,
            content_type: content_type.to_string(),
            size: upload.bytes.len() as i64,
            sha256: hex::encode(Sha256::digest(&upload.bytes)),
            internal: upload.internal,
            uploaded_by: Some(p.user_id.clone()),
            created_at: now,
        };
        let dir = self.attachment_dir(&t.id)?;
        let path = dir.join(&a.id);
        let io = |e: std::io::Error| AppError::Internal(format!("writing an attachment: {e}"));
        tokio::fs::create_dir_all(&dir).await.map_err(io)?;
        tokio::fs::write(&path, &upload.bytes).await.map_err(io)?;
        let stored = async {
            let tx = self.store.begin().await?;
            store::tickets::add_attachment(&tx, &a).await?;
            audit::<(), _>(&tx, p, "attach", "ticket", &t.id, None, Some(&a), now).await?;
            tx.commit().await?;
            Ok::<_, AppError>(())
        }
        .await;
        if let Err(e) = stored {
            // No row, no file: nothing half-written stays behind.
            let _ = tokio::fs::remove_file(&path).await;
            return Err(e);
        }
        Ok(a)
    }

    /// An attachment's description and bytes, if the caller may see it.
    pub async fn attachment(&self, p: &Principal, ticket_id: &str, id: &str) -> Result<(Attachment, Vec<u8>)> {
        let t = self.visible_ticket(p, ticket_id).await?;
        let a = store::tickets::get_attachment(&self.store, &t.id, id).await?.ok_or(AppError::NotFound)?;
        if a.internal && p.role == Role::UnitUser {
            return Err(AppError::NotFound);
        }
        let bytes = tokio::fs::read(self.attachment_dir(&t.id)?.join(&a.id))
            .await
            .map_err(|e| AppError::Internal(format!("reading an attachment: {e}")))?;
        Ok((a, bytes))
    }
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

    #[test]
    fn names_lose_their_paths() {
        assert_eq!(clean_name("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(clean_name("C:\\Users\\张三\\截图.png").unwrap(), "截图.png");
        assert!(clean_name("..").is_err());
        assert!(clean_name("a\u{0}b").is_err());
    }
}
