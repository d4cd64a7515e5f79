//! Comments and attachments. Internal ones stay between the bureau and the vendor. Files live
//! under `<data dir>/attachments/<ticket>/<id>`; their type is read from their first bytes, never
//! taken from the name or the client's word.

use domain::tickets::input::CommentInput;
use domain::tickets::view::{Attachment, AttachmentStage, Comment};
use domain::{FieldError, Principal, Role};

use crate::files::{clean_name, sniff};
use crate::{App, AppError, Result, audit};

/// Where attachments live under the data directory.
const ATTACHMENTS: &str = "attachments";

/// Files one ticket may carry.
pub const MAX_ATTACHMENTS: u64 = 50;

/// An uploaded file.
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub internal: bool,
    /// `arrival` or `resolution` (vendor staff and the bureau).
    pub stage: Option<String>,
}

impl App {
    pub async fn add_comment(&self, p: &Principal, ticket_id: &str, input: CommentInput) -> Result<Comment> {
        let body = input.validate()?;
        let t = self.visible_ticket(p, ticket_id).await?;
        if matches!(p.role, Role::Auditor | Role::SecurityAdmin) {
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
        let now = self.business_now();
        let tx = self.store.begin().await?;
        let c = store::tickets::add_comment(&tx, &t.id, (&p.user_id, &p.username), &body, input.internal, now).await?;
        audit::<(), _>(&tx, p, "comment", "ticket", &t.id, None, Some(&c), now).await?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn add_attachment(&self, p: &Principal, ticket_id: &str, upload: Upload) -> Result<Attachment> {
        let t = self.visible_ticket(p, ticket_id).await?;
        if matches!(p.role, Role::Auditor | Role::SecurityAdmin) {
            return Err(AppError::Forbidden);
        }
        if upload.internal && p.role == Role::UnitUser {
            return Err(
                FieldError::new("internal", "使用单位的附件对各方可见", "a unit's files are visible to all").into()
            );
        }
        let stage = match upload.stage.as_deref() {
            None => None,
            Some(_) if p.role == Role::UnitUser => {
                return Err(FieldError::new(
                    "stage",
                    "到场和处理结果照片由运维方上传",
                    "arrival and result photos are the vendor's",
                )
                .into());
            }
            Some(s) => Some(AttachmentStage::parse(s).ok_or_else(|| {
                FieldError::new(
                    "stage",
                    "可选值：arrival（到场）、resolution（处理结果）",
                    "one of: arrival, resolution",
                )
            })?),
        };
        self.check_size(&upload.bytes)?;
        let Some(content_type) = sniff(&upload.bytes) else {
            return Err(FieldError::new(
                "file",
                "只接受图片（PNG、JPEG、GIF、WebP）、PDF、文本日志和 Office/ZIP 文件",
                "accepted: images (PNG, JPEG, GIF, WebP), PDF, text logs and Office/ZIP files",
            )
            .into());
        };
        let file_name = clean_name(&upload.file_name)?;
        let now = self.business_now();
        let a = Attachment {
            id: store::new_id(),
            ticket_id: t.id.clone(),
            file_name,
            content_type: content_type.to_string(),
            size: upload.bytes.len() as i64,
            sha256: self.content_hash(&upload.bytes),
            internal: upload.internal,
            uploaded_by: Some(p.user_id.clone()),
            created_at: now,
            stage,
        };
        self.store_attachment(p, a, &upload.bytes).await
    }

    /// A photo taken during an inspection, carried to the ticket its abnormal result opened.
    pub(crate) async fn carry_photo(
        &self,
        p: &Principal,
        ticket_id: &str,
        photo: &domain::inspections::record::Photo,
        bytes: &[u8],
    ) -> Result<Attachment> {
        let a = Attachment {
            id: store::new_id(),
            ticket_id: ticket_id.to_string(),
            file_name: photo.file_name.clone(),
            content_type: photo.content_type.clone(),
            size: bytes.len() as i64,
            sha256: self.content_hash(bytes),
            internal: false,
            uploaded_by: photo.uploaded_by.clone(),
            created_at: photo.created_at,
            stage: None,
        };
        self.store_attachment(p, a, bytes).await
    }

    /// Writes the file and its row (within the ticket's quota), audited; neither stays without
    /// the other.
    async fn store_attachment(&self, p: &Principal, a: Attachment, bytes: &[u8]) -> Result<Attachment> {
        let (t, now) = (a.ticket_id.clone(), self.business_now());
        let stored = async {
            let tx = self.store.begin().await?;
            // Counted by the database inside the write, so parallel uploads cannot pass the cap.
            if !store::quotas::take(&tx, "ticket_attachments", &t, MAX_ATTACHMENTS as u32).await? {
                return Err(AppError::conflict(
                    Some("file"),
                    format!("每张工单最多 {MAX_ATTACHMENTS} 个附件"),
                    format!("at most {MAX_ATTACHMENTS} files per ticket"),
                ));
            }
            store::tickets::add_attachment(&tx, &a).await?;
            audit::<(), _>(&tx, p, "attach", "ticket", &t, None, Some(&a), now).await?;
            tx.commit().await?;
            Ok(())
        };
        self.keep_file(ATTACHMENTS, &t, &a.id, bytes, stored).await?;
        Ok(a)
    }

    /// An attachment's description and bytes, if the caller may see it.
    pub async fn attachment(&self, p: &Principal, ticket_id: &str, id: &str) -> Result<(Attachment, Vec<u8>)> {
        let t = self.visible_ticket(p, ticket_id).await?;
        let a = store::tickets::get_attachment(&self.store, &t.id, id).await?.ok_or(AppError::NotFound)?;
        if a.internal && p.role == Role::UnitUser {
            return Err(AppError::NotFound);
        }
        let bytes = self.read_file(ATTACHMENTS, &t.id, &a.id).await?;
        Ok((a, bytes))
    }
}
