//! Evidence given with a request: whoever asked attaches files while it awaits a decision (an
//! appeal's 调休审批单, a photo of the carrier's notice); whoever may see the request reads
//! them. Once decided or withdrawn, the request's files are what the decision was made on and
//! stay as they are.

use domain::approvals::{ApprovalFile, ApprovalStatus};
use domain::{FieldError, Principal};

use crate::files::{clean_name, sniff};
use crate::{App, AppError, Result, audit};

/// Where the files live under the data directory.
const AREA: &str = "approvals";
/// At most this many files per request.
pub const MAX_FILES: u32 = 10;

fn closed() -> AppError {
    AppError::conflict(
        Some("file"),
        "申请已处理或撤回，不能再补充材料",
        "the request is decided or withdrawn: no more files",
    )
}

impl App {
    /// Attaches a file to a pending request of the caller's.
    pub async fn add_approval_file(
        &self,
        p: &Principal,
        approval_id: &str,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<ApprovalFile> {
        let a = self.get_approval(p, approval_id).await?;
        if a.requested_by != p.user_id {
            return Err(AppError::Forbidden);
        }
        if a.status != ApprovalStatus::Pending {
            return Err(closed());
        }
        self.check_size(&bytes)?;
        let Some(content_type) = sniff(&bytes) else {
            return Err(FieldError::new(
                "file",
                "只接受图片（PNG、JPEG、GIF、WebP）、PDF、文本和 Office/ZIP 文件",
                "accepted: images (PNG, JPEG, GIF, WebP), PDF, text and Office/ZIP files",
            )
            .into());
        };
        let now = self.business_now();
        let f = ApprovalFile {
            id: store::new_id(),
            approval_id: a.id.clone(),
            file_name: clean_name(file_name)?,
            content_type: content_type.to_string(),
            size: bytes.len() as i64,
            sha256: self.content_hash(&bytes),
            uploaded_by: p.user_id.clone(),
            created_at: now,
        };
        let stored = async {
            let tx = self.store.begin().await?;
            // Still pending, and held so until this commits: a decision waits for the file.
            if !store::approvals::lock_pending(&tx, &a.id).await? {
                return Err(closed());
            }
            // Counted by the database inside the write, so parallel uploads cannot pass the cap.
            if !store::quotas::take(&tx, "approval_files", &a.id, MAX_FILES).await? {
                return Err(AppError::conflict(
                    Some("file"),
                    format!("每项申请最多 {MAX_FILES} 个附件"),
                    format!("at most {MAX_FILES} files per request"),
                ));
            }
            store::approvals::add_file(&tx, &f).await?;
            audit::<(), _>(&tx, p, "attach", "approval", &a.id, None, Some(&f), now).await?;
            tx.commit().await?;
            Ok(())
        };
        self.keep_file(AREA, &a.id, &f.id, &bytes, stored).await?;
        Ok(f)
    }

    /// The files of a request the caller may see.
    pub async fn approval_files(&self, p: &Principal, approval_id: &str) -> Result<Vec<ApprovalFile>> {
        let a = self.get_approval(p, approval_id).await?;
        Ok(store::approvals::files(&self.store, &a.id).await?)
    }

    /// One file's description and bytes, if the caller may see its request.
    pub async fn approval_file(&self, p: &Principal, approval_id: &str, id: &str) -> Result<(ApprovalFile, Vec<u8>)> {
        let a = self.get_approval(p, approval_id).await?;
        let f = store::approvals::get_file(&self.store, &a.id, id).await?.ok_or(AppError::NotFound)?;
        let bytes = self.read_file(AREA, &a.id, &f.id).await?;
        Ok((f, bytes))
    }
}
