//! Backup runs: recorded by vendor staff or the bureau, or pushed by a backup tool with an
//! integration token (kind `backup`). A run is evidence: never edited; the bureau voids one
//! with a reason.

use chrono::{DateTime, Utc};
use domain::backups::{
    BackupPolicy, BackupRun, BackupRunFields, BackupRunFilter, BackupRunInput, BackupTaskKind, RunResult, RunSource,
};
use domain::list::{ListQuery, Page};
use domain::monitoring::intake::Integration;
use domain::void::VoidInput;
use domain::{FieldError, Principal, Role, Scope};

use super::{may_read, may_record_backups};
use crate::{App, AppError, Result, audit, bureau_date};

/// A tool reports a run as it ends; one that started longer ago than this is refused (a tool
/// replaying old runs would fill missed periods after the fact). Late runs are the bureau's.
pub const BACKUP_INTAKE_MAX_AGE_HOURS: i64 = 48;

/// How far back vendor staff may date a run they record by hand.
pub(super) const VENDOR_BACKDATE_DAYS: i64 = 31;

impl App {
    pub async fn list_backup_runs(&self, p: &Principal, q: &ListQuery, f: &BackupRunFilter) -> Result<Page<BackupRun>> {
        may_read(p)?;
        Ok(store::backups::list_runs(&self.store, &p.scope(), q, f).await?)
    }

    pub async fn get_backup_run(&self, p: &Principal, id: &str) -> Result<BackupRun> {
        may_read(p)?;
        store::backups::get_run(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)
    }

    /// The policy a run names, as the caller sees it; a missing or hidden one names the field.
    pub(super) async fn run_policy(&self, scope: &Scope, id: &str) -> Result<BackupPolicy> {
        store::backups::get_policy(&self.store, scope, id)
            .await?
            .ok_or_else(|| FieldError::new("policy_id", "备份策略不存在", "no such backup policy").into())
    }

    /// Vendor staff of the system's vendor and the bureau record a run by hand.
    pub async fn create_backup_run(&self, p: &Principal, input: BackupRunInput) -> Result<BackupRun> {
        may_record_backups(p)?;
        let now = self.business_now();
        let f = input.validate(now)?;
        let policy = self.run_policy(&p.scope(), &f.policy_id).await?;
        if p.role != Role::Admin {
            if (now - f.started_at).num_days() > VENDOR_BACKDATE_DAYS {
                return Err(FieldError::new(
                    "started_at",
                    format!("只能登记 {VENDOR_BACKDATE_DAYS} 天内的备份，更早的请数据局登记"),
                    format!("runs older than {VENDOR_BACKDATE_DAYS} days are recorded by the bureau"),
                )
                .into());
            }
            if f.result == RunResult::Success {
                let day = bureau_date(f.started_at);
                self.check_not_into_ended_backup_period(&policy, BackupTaskKind::Run, day, "started_at").await?;
            }
        }
        let who = (p.user_id.clone(), self.person_name(p).await?);
        let run = new_run(&policy, f, RunSource::Manual, who, now);
        self.write_runs(p, std::slice::from_ref(&run), now).await?;
        Ok(run)
    }

    /// A backup tool reports a run (`POST /intake/backup-runs`). The policy must be active; the
    /// run must have started within [`BACKUP_INTAKE_MAX_AGE_HOURS`].
    pub async fn intake_backup_run(&self, i: &Integration, input: BackupRunInput) -> Result<BackupRun> {
        let now = self.business_now();
        let f = input.validate(now)?;
        let policy = self.run_policy(&Scope::All, &f.policy_id).await?;
        if !policy.active {
            return Err(FieldError::new("policy_id", "备份策略已停用", "the backup policy is not active").into());
        }
        if (now - f.started_at).num_hours() >= BACKUP_INTAKE_MAX_AGE_HOURS {
            return Err(FieldError::new(
                "started_at",
                format!("工具只能推送 {BACKUP_INTAKE_MAX_AGE_HOURS} 小时内开始的备份，更早的请数据局登记"),
                format!("a tool reports runs started within {BACKUP_INTAKE_MAX_AGE_HOURS} hours; the bureau records older ones"),
            )
            .into());
        }
        let actor = Principal {
            // The integration's id: the run says by its source that a tool pushed it.
            user_id: i.id.clone(),
            username: i.name.clone(),
            role: Role::Engineer,
            unit_id: None,
            vendor_id: None,
        };
        let run = new_run(&policy, f, RunSource::Tool, (actor.user_id.clone(), i.name.clone()), now);
        let tx = self.store.begin().await?;
        store::monitoring::touch_integration(&tx, &i.id, now).await?;
        tx.commit().await?;
        self.write_runs(&actor, std::slice::from_ref(&run), now).await?;
        Ok(run)
    }

    /// Writes runs with their audit entries, in one transaction.
    pub(crate) async fn write_runs(&self, p: &Principal, runs: &[BackupRun], now: DateTime<Utc>) -> Result<()> {
        let tx = self.store.begin().await?;
        store::backups::insert_runs(&tx, runs).await?;
        for r in runs {
            audit::<(), _>(&tx, p, "create", "backup_run", &r.id, None, Some(r), now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The bureau voids a run with a reason; a run is voided once (409 after).
    pub async fn void_backup_run(&self, p: &Principal, id: &str, input: VoidInput) -> Result<BackupRun> {
        let before = self.get_backup_run(p, id).await?;
        if p.role != Role::Admin {
            return Err(AppError::Forbidden);
        }
        let reason = input.validate()?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        if !store::backups::void_run(&tx, id, &p.user_id, &reason, now).await? {
            return Err(AppError::conflict(None, "该记录已作废", "the run is already void"));
        }
        let after = BackupRun { voided_at: Some(now), void_reason: Some(reason), ..before.clone() };
        audit(&tx, p, "void", "backup_run", id, Some(&before), Some(&after), now).await?;
        tx.commit().await?;
        Ok(after)
    }
}

pub(super) fn new_run(
    policy: &BackupPolicy,
    f: BackupRunFields,
    source: RunSource,
    (by, by_name): (String, String),
    now: DateTime<Utc>,
) -> BackupRun {
    BackupRun {
        id: store::new_id(),
        policy_id: policy.id.clone(),
        system_id: policy.system_id.clone(),
        unit_id: policy.unit_id.clone(),
        started_at: f.started_at,
        finished_at: f.finished_at,
        result: f.result,
        size_bytes: f.size_bytes,
        stored_at: f.stored_at,
        tool: f.tool,
        message: f.message,
        source,
        recorded_by: by,
        recorded_by_name: by_name,
        created_at: now,
        voided_at: None,
        void_reason: None,
    }
}
