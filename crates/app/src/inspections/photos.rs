//! Photos taken on site for a task, before it is recorded (the phone form uploads each picture
//! as it is taken, so a weak signal loses one photo, not the inspection). Files live under
//! `<data dir>/inspections/<task>/<id>`; only images are accepted.

use domain::inspections::record::Photo;
use domain::{FieldError, Principal, Role};

use crate::files::{clean_name, sniff};
use crate::{App, AppError, Result, audit};

pub(super) const AREA: &str = "inspections";
/// Photos one task may carry: a machine-room round photographs every cabinet, not hundreds.
pub const MAX_PHOTOS: usize = 60;
/// The quota (`store::quotas`) photos of a task are counted in.
pub(super) const QUOTA: &str = "inspection_photos";

/// A photo as uploaded; `item_id` names the checklist item it shows, if any.
pub struct PhotoUpload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub item_id: Option<String>,
}

impl App {
    pub async fn add_inspection_photo(&self, p: &Principal, task_id: &str, up: PhotoUpload) -> Result<Photo> {
        let task = self.get_inspection_task(p, task_id).await?;
        Self::may_inspect(p, &task)?;
        if task.record_id.is_some() {
            return Err(AppError::conflict(None, "该任务已完成，不能再添加照片", "the task is already recorded"));
        }
        self.check_size(&up.bytes)?;
        let content_type = sniff(&up.bytes).filter(|t| t.starts_with("image/")).ok_or_else(|| {
            FieldError::new(
                "file",
                "只接受照片（JPEG、PNG、GIF、WebP）",
                "only photos (JPEG, PNG, GIF, WebP) are accepted",
            )
        })?;
        let file_name = clean_name(&up.file_name)?;
        let item_id = match up.item_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(id) => {
                let template = store::inspections::get_template(&self.store, &task.template_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                if !template.items.iter().any(|i| i.id == id) {
                    return Err(FieldError::new(
                        "item_id",
                        "不是该任务清单中的检查项",
                        "not an item of the task's checklist",
                    )
                    .into());
                }
                Some(id.to_string())
            }
        };
        let now = self.business_now();
        let photo = Photo {
            id: store::new_id(),
            task_id: task.id.clone(),
            item_id,
            file_name,
            content_type: content_type.to_string(),
            size: up.bytes.len() as i64,
            uploaded_by: Some(p.user_id.clone()),
            created_at: now,
        };
        let stored = async {
            let tx = self.store.begin().await?;
            // Counted by the database inside the write; a recorded task's quota is closed.
            if !store::quotas::take(&tx, QUOTA, &task.id, MAX_PHOTOS as u32).await? {
                return Err(AppError::conflict(
                    Some("file"),
                    format!("每个巡检任务最多 {MAX_PHOTOS} 张照片，已签字的任务不能再添加"),
                    format!("at most {MAX_PHOTOS} photos per task, and none once it is recorded"),
                ));
            }
            store::inspections::insert_photo(&tx, &photo).await?;
            audit::<(), _>(&tx, p, "photo", "inspection_task", &task.id, None, Some(&photo), now).await?;
            tx.commit().await?;
            Ok(())
        };
        self.keep_file(AREA, &task.id, &photo.id, &up.bytes, stored).await?;
        Ok(photo)
    }

    /// The photos of a task the caller can see.
    pub async fn inspection_photos(&self, p: &Principal, task_id: &str) -> Result<Vec<Photo>> {
        let task = self.get_inspection_task(p, task_id).await?;
        Ok(store::inspections::photos(&self.store, &task.id).await?)
    }

    pub async fn inspection_photo(&self, p: &Principal, task_id: &str, id: &str) -> Result<(Photo, Vec<u8>)> {
        let task = self.get_inspection_task(p, task_id).await?;
        let photo = store::inspections::get_photo(&self.store, &task.id, id).await?.ok_or(AppError::NotFound)?;
        let bytes = self.read_file(AREA, &task.id, &photo.id).await?;
        Ok((photo, bytes))
    }

    /// A wrong picture can be taken back until the task is recorded; after that it is evidence.
    pub async fn delete_inspection_photo(&self, p: &Principal, task_id: &str, id: &str) -> Result<()> {
        let task = self.get_inspection_task(p, task_id).await?;
        Self::may_inspect(p, &task)?;
        let photo = store::inspections::get_photo(&self.store, &task.id, id).await?.ok_or(AppError::NotFound)?;
        if task.record_id.is_some() {
            return Err(AppError::conflict(
                None,
                "该任务已完成，照片不能删除",
                "the task is recorded; its photos stay",
            ));
        }
        if p.role == Role::Engineer && photo.uploaded_by.as_deref() != Some(p.user_id.as_str()) {
            return Err(AppError::Forbidden);
        }
        let now = self.business_now();
        let tx = self.store.begin().await?;
        store::inspections::delete_photo(&tx, &photo.id).await?;
        store::quotas::give_back(&tx, QUOTA, &task.id).await?;
        audit::<_, ()>(&tx, p, "delete_photo", "inspection_task", &task.id, Some(&photo), None, now).await?;
        tx.commit().await?;
        self.remove_file(AREA, &task.id, &photo.id).await;
        Ok(())
    }
}
