//! Restore drills: a copy restored and timed, with its report. The verdict is read against the
//! policy's RTO and RPO as they stood when the drill was recorded (kept with the drill).

use domain::backups::{BackupTaskKind, RestoreDrill, RestoreDrillFilter, RestoreDrillInput, drill_verdict};
use domain::list::{ListQuery, Page};
use domain::void::VoidInput;
use domain::{Principal, Role};

use super::{may_read, may_record_backups};
use crate::files::Upload;
use crate::{App, AppError, Result, audit, bureau_date};

const AREA: &str = "restore_drills";

impl App {
    pub async fn list_restore_drills(
        &self,
        p: &Principal,
        q: &ListQuery,
        f: &RestoreDrillFilter,
    ) -> Result<Page<RestoreDrill>> {
        may_read(p)?;
        Ok(store::backups::list_drills(&self.store, &p.scope(), q, f).await?)
    }

    pub async fn get_restore_drill(&self, p: &Principal, id: &str) -> Result<RestoreDrill> {
        may_read(p)?;
        store::backups::get_drill(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)
    }

    /// Vendor staff of the system's vendor and the bureau record a drill with its report.
    pub async fn create_restore_drill(
        &self,
        p: &Principal,
        input: RestoreDrillInput,
        file: Upload,
    ) -> Result<RestoreDrill> {
        may_record_backups(p)?;
        let now = self.business_now();
        let f = input.validate(bureau_date(now), p.role == Role::Admin)?;
        let policy = self.run_policy(&p.scope(), &f.policy_id).await?;
        if p.role != Role::Admin {
            self.check_not_into_ended_backup_period(&policy, BackupTaskKind::Drill, f.performed_on, "performed_on")
                .await?;
        }
        let e = self.evidence(&file)?;
        let targets = (policy.rto_minutes, policy.rpo_minutes);
        let (rto_met, rpo_met, passed) = drill_verdict(f.restored, (f.restore_minutes, f.data_loss_minutes), targets);
        let d = RestoreDrill {
            id: store::new_id(),
            policy_id: policy.id.clone(),
            system_id: policy.system_id.clone(),
            unit_id: policy.unit_id.clone(),
            performed_on: f.performed_on,
            restored: f.restored,
            restore_minutes: f.restore_minutes,
            data_loss_minutes: f.data_loss_minutes,
            rto_minutes: policy.rto_minutes,
            rpo_minutes: policy.rpo_minutes,
            rto_met,
            rpo_met,
            passed,
            summary: f.summary,
            file_name: e.file_name,
            content_type: e.content_type.into(),
            size: e.size,
            sha256: e.sha256,
            created_by: p.user_id.clone(),
            created_by_name: self.person_name(p).await?,
            created_at: now,
            voided_at: None,
            void_reason: None,
        };
        // The file is on disk before the transaction begins: no lock is held while it is written.
        let write = async {
            let tx = self.store.begin().await?;
            store::backups::insert_drill(&tx, &d).await?;
            audit::<(), _>(&tx, p, "create", "restore_drill", &d.id, None, Some(&d), now).await?;
            tx.commit().await.map_err(AppError::from)
        };
        self.keep_file(AREA, &d.id, &d.id, &file.bytes, write).await?;
        Ok(d)
    }

    /// The report as uploaded.
    pub async fn restore_drill_file(&self, p: &Principal, id: &str) -> Result<(RestoreDrill, Vec<u8>)> {
        let d = self.get_restore_drill(p, id).await?;
        let bytes = self.read_file(AREA, &d.id, &d.id).await?;
        Ok((d, bytes))
    }

    /// The bureau voids a drill with a reason, once.
    pub async fn void_restore_drill(&self, p: &Principal, id: &str, input: VoidInput) -> Result<RestoreDrill> {
        let before = self.get_restore_drill(p, id).await?;
        if p.role != Role::Admin {
            return Err(AppError::Forbidden);
        }
        let reason = input.validate()?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        if !store::backups::void_drill(&tx, id, &p.user_id, &reason, now).await? {
            return Err(AppError::conflict(None, "该记录已作废", "the drill is already void"));
        }
        let after = RestoreDrill { voided_at: Some(now), void_reason: Some(reason), ..before.clone() };
        audit(&tx, p, "void", "restore_drill", id, Some(&before), Some(&after), now).await?;
        tx.commit().await?;
        Ok(after)
    }
}
