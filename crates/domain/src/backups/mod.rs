//! Backups (issue 21): per system the bureau's backup policies — what is backed up, how, how
//! often on the calendar, how long it is kept, where, and the RPO/RTO targets — and the runs
//! that fulfil them, recorded by hand or pushed by a backup tool. A policy's frequency cuts
//! time into periods (`crate::periods`) exactly as a security plan's does: a period is **done**
//! when a successful run started in it, **missed** once it ended without one. A missed period
//! is a finding that opens a ticket. Restore **drills** follow the policy's own drill frequency
//! and are judged against its RTO and RPO.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::FieldError;
use crate::error::Checker;
use crate::inspections::plan::parse_date;
use crate::inspections::recurrence::{HolidayRule, Recurrence, Schedule};
use crate::periods::{Period, Standing};
use crate::sla::simulate::parse_instant;

text_enum!(
    /// What a policy backs up.
    BackupObject {
        Database = "database" / "数据库" / "database",
        Files = "files" / "文件" / "files",
        Configuration = "configuration" / "配置" / "configuration",
        Vm = "vm" / "整机/虚拟机" / "whole machine or VM",
    }
);

text_enum!(
    /// How it is backed up.
    BackupMethod {
        Full = "full" / "全量" / "full",
        Incremental = "incremental" / "增量" / "incremental",
        Differential = "differential" / "差异" / "differential",
        Snapshot = "snapshot" / "快照" / "snapshot",
        Replication = "replication" / "实时复制" / "replication",
        LogArchive = "log_archive" / "日志归档" / "log archive",
    }
);

text_enum!(
    /// Where the copies are kept (002 需求122, 127: off-site copies; the buyer's own server).
    BackupLocation {
        Local = "local" / "本地" / "local",
        Offsite = "offsite" / "异地" / "off-site",
        Buyer = "buyer" / "采购人服务器" / "the buyer's server",
    }
);

text_enum!(
    /// How a run ended.
    RunResult {
        Success = "success" / "成功" / "success",
        Failed = "failed" / "失败" / "failed",
    }
);

text_enum!(
    /// How a run reached Yunwei.
    RunSource {
        Manual = "manual" / "手工登记" / "recorded by hand",
        Import = "import" / "表格导入" / "imported from a sheet",
        Tool = "tool" / "备份工具推送" / "pushed by a backup tool",
    }
);

text_enum!(
    /// Where a policy's period stands.
    BackupTaskStatus {
        Done = "done" / "已完成" / "done",
        Open = "open" / "进行中" / "open",
        Missed = "missed" / "未完成" / "missed",
    }
);

text_enum!(
    /// What a period is due for: a successful run, or a restore drill.
    BackupTaskKind {
        Run = "run" / "备份" / "backup",
        Drill = "drill" / "恢复演练" / "restore drill",
    }
);

/// The longest retention a policy may name: ten years (archives of government records).
pub const MAX_RETENTION_DAYS: i64 = 3650;
/// RPO and RTO targets up to a month, in minutes.
pub const MAX_TARGET_MINUTES: i64 = 31 * 24 * 60;

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct BackupPolicyInput {
    pub system_id: Option<String>,
    /// A short name ("Oracle 全库备份"); the object's name when omitted.
    pub name: Option<String>,
    /// database, files, configuration, vm.
    pub object: Option<String>,
    /// full (default), incremental, differential, snapshot, replication, log_archive.
    pub method: Option<String>,
    /// As for inspection plans: `{"every": "day"}`, `{"every": "week", "weekdays": ["mon"]}`, …
    #[schema(value_type = Object)]
    pub frequency: Option<Value>,
    /// Whose days count; the bureau's 5×8 calendar when omitted.
    pub calendar_id: Option<String>,
    /// keep (default: a backup job runs on days off too), skip, next_working_day.
    pub holiday_rule: Option<String>,
    /// YYYY-MM-DD; today when omitted.
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub retention_days: Option<i64>,
    /// local (default), offsite, buyer.
    pub location: Option<String>,
    pub rpo_minutes: Option<i64>,
    pub rto_minutes: Option<i64>,
    /// How often a restore is drilled (quarterly, yearly …), in the same form; none when omitted.
    #[schema(value_type = Option<Object>)]
    pub drill_frequency: Option<Value>,
    pub active: Option<bool>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BackupPolicySpec {
    pub system_id: String,
    pub name: String,
    pub object: BackupObject,
    pub method: BackupMethod,
    pub schedule: Schedule,
    pub calendar_id: Option<String>,
    pub retention_days: i64,
    pub location: BackupLocation,
    pub rpo_minutes: Option<i64>,
    pub rto_minutes: Option<i64>,
    pub drill: Option<Recurrence>,
    pub active: bool,
    pub notes: Option<String>,
}

impl BackupPolicyInput {
    pub fn validate(&self) -> Result<BackupPolicySpec, Vec<FieldError>> {
        let mut c = Checker::default();
        let system_id = c.required_text("system_id", self.system_id.as_deref().unwrap_or(""), 64);
        let object = c.choice("object", self.object.as_deref(), BackupObject::parse, BackupObject::choices());
        let method = c.optional_choice("method", self.method.as_deref(), BackupMethod::parse, BackupMethod::choices());
        let location =
            c.optional_choice("location", self.location.as_deref(), BackupLocation::parse, BackupLocation::choices());
        let holiday_rule = self.holiday_rule.as_deref().filter(|s| !s.trim().is_empty()).unwrap_or("keep");
        let schedule = Schedule::read(
            &mut c,
            self.frequency.as_ref(),
            Some(holiday_rule),
            (self.start_date.as_deref(), self.end_date.as_deref()),
        );
        // The inspection reader names its fields `recurrence…`; here the field is `frequency`.
        for e in &mut c.errors {
            if let Some(rest) = e.field.strip_prefix("recurrence") {
                e.field = format!("frequency{rest}");
            }
        }
        if matches!(schedule.recurrence, Recurrence::TimesInPeriod(_)) && schedule.end_date.is_none() {
            c.push(FieldError::new("end_date", "按期间内次数的策略需要结束日期", "times_in_period needs an end date"));
        }
        let drill = match &self.drill_frequency {
            None | Some(Value::Null) => None,
            Some(v) => match Recurrence::parse(v) {
                Ok(Recurrence::WorkingDay | Recurrence::Day | Recurrence::Week(_)) => {
                    c.push(FieldError::new(
                        "drill_frequency.every",
                        "恢复演练最多每月一次，请选择每月、每季度或每年若干次",
                        "restore drills are monthly at most: choose month, quarter or times a year",
                    ));
                    None
                }
                Ok(r) => Some(r),
                Err(e) => {
                    let field = e.field.replacen("recurrence", "drill_frequency", 1);
                    c.push(FieldError { field, ..e });
                    None
                }
            },
        };
        let retention = c.optional_range("retention_days", self.retention_days, 1, MAX_RETENTION_DAYS);
        if retention.is_none() {
            c.push(FieldError::required("retention_days"));
        }
        let rpo = c.optional_range("rpo_minutes", self.rpo_minutes, 0, MAX_TARGET_MINUTES);
        let rto = c.optional_range("rto_minutes", self.rto_minutes, 1, MAX_TARGET_MINUTES);
        let name = c.optional_text("name", self.name.as_deref(), 200);
        let calendar_id = c.optional_text("calendar_id", self.calendar_id.as_deref(), 64);
        let notes = c.optional_text("notes", self.notes.as_deref(), 2000);
        c.finish()?;
        let object = object.unwrap_or(BackupObject::Database);
        Ok(BackupPolicySpec {
            system_id,
            name: name.unwrap_or_else(|| format!("{}备份", object.label().zh)),
            object,
            method: method.unwrap_or(BackupMethod::Full),
            schedule,
            calendar_id,
            retention_days: retention.unwrap_or(30),
            location: location.unwrap_or(BackupLocation::Local),
            rpo_minutes: rpo,
            rto_minutes: rto,
            drill,
            active: self.active.unwrap_or(true),
            notes,
        })
    }
}

/// A policy as everyone reads it, with where it stands today.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct BackupPolicy {
    pub id: String,
    pub system_id: String,
    pub unit_id: String,
    pub name: String,
    pub object: BackupObject,
    pub method: BackupMethod,
    #[schema(value_type = Object)]
    pub frequency: Value,
    /// The frequency in words.
    pub frequency_text: String,
    pub calendar_id: String,
    pub holiday_rule: HolidayRule,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub retention_days: i64,
    pub location: BackupLocation,
    pub rpo_minutes: Option<i64>,
    pub rto_minutes: Option<i64>,
    #[schema(value_type = Option<Object>)]
    pub drill_frequency: Option<Value>,
    pub drill_frequency_text: Option<String>,
    pub active: bool,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the latest successful run started.
    pub last_success_at: Option<DateTime<Utc>>,
    /// The latest period that has ended had no successful run.
    pub missed: bool,
    /// The period running today, if any.
    pub current_period: Option<BackupTask>,
}

/// What a list of policies can be narrowed by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BackupPolicyFilter {
    pub system_id: Option<String>,
    pub object: Option<BackupObject>,
    pub active: Option<bool>,
}

/// One period of a policy and what was done in it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct BackupTask {
    pub policy_id: String,
    pub system_id: String,
    pub unit_id: String,
    pub kind: BackupTaskKind,
    pub opens_on: NaiveDate,
    pub due_on: NaiveDate,
    pub status: BackupTaskStatus,
    /// The first successful run or drill of the period.
    pub done_on: Option<NaiveDate>,
}

/// A period's standing on `today`, given the days successes started on.
pub fn task_status(p: Period, done: &[NaiveDate], today: NaiveDate) -> (BackupTaskStatus, Option<NaiveDate>) {
    match p.standing(done, today) {
        Standing::Done(on) => (BackupTaskStatus::Done, Some(on)),
        Standing::Missed => (BackupTaskStatus::Missed, None),
        Standing::Open => (BackupTaskStatus::Open, None),
    }
}

/// What a task list can be narrowed by (`from..=to` at most `periods::MAX_RANGE_DAYS` long).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BackupTaskFilter {
    pub system_id: Option<String>,
    pub policy_id: Option<String>,
    pub kind: Option<BackupTaskKind>,
    pub status: Option<BackupTaskStatus>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// A run as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct BackupRun {
    pub id: String,
    pub policy_id: String,
    pub system_id: String,
    pub unit_id: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub result: RunResult,
    pub size_bytes: Option<i64>,
    /// Where this copy is kept (a path, a bucket, a tape label).
    pub stored_at: Option<String>,
    /// The tool that made it ("RMAN", "Veeam", "mysqldump"), if known.
    pub tool: Option<String>,
    pub message: Option<String>,
    pub source: RunSource,
    /// The person who recorded it, or the integration account that pushed it.
    pub recorded_by: String,
    pub recorded_by_name: String,
    pub created_at: DateTime<Utc>,
    /// Set when the bureau voids a run (a wrong policy, a test entry); it then counts for
    /// nothing and stays for the audit.
    pub voided_at: Option<DateTime<Utc>>,
    pub void_reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct BackupRunInput {
    pub policy_id: Option<String>,
    /// RFC 3339.
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// success or failed.
    pub result: Option<String>,
    pub size_bytes: Option<i64>,
    pub stored_at: Option<String>,
    pub tool: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BackupRunFields {
    pub policy_id: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub result: RunResult,
    pub size_bytes: Option<i64>,
    pub stored_at: Option<String>,
    pub tool: Option<String>,
    pub message: Option<String>,
}

/// How long a run may take at most: three days (a whole-machine copy over a slow line).
pub const MAX_RUN_HOURS: i64 = 72;
/// Clocks differ: a run may end this much after the server's now.
pub const CLOCK_SKEW_MINUTES: i64 = 5;

impl BackupRunInput {
    pub fn validate(&self, now: DateTime<Utc>) -> Result<BackupRunFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let policy_id = c.required_text("policy_id", self.policy_id.as_deref().unwrap_or(""), 64);
        let mut instant = |field: &str, v: Option<&str>| match v.map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                c.push(FieldError::required(field));
                None
            }
            Some(s) => parse_instant(field, s).map_err(|e| c.push(e)).ok(),
        };
        let started_at = instant("started_at", self.started_at.as_deref());
        let finished_at = instant("finished_at", self.finished_at.as_deref());
        let skew = chrono::Duration::minutes(CLOCK_SKEW_MINUTES);
        if let (Some(s), Some(f)) = (started_at, finished_at) {
            if f < s {
                c.push(FieldError::new("finished_at", "不能早于开始时间", "must not be before started_at"));
            } else if (f - s).num_hours() > MAX_RUN_HOURS {
                c.push(FieldError::new(
                    "finished_at",
                    format!("一次备份最长 {MAX_RUN_HOURS} 小时"),
                    format!("a run lasts at most {MAX_RUN_HOURS} hours"),
                ));
            }
        }
        if finished_at.is_some_and(|f| f > now + skew) {
            c.push(FieldError::new("finished_at", "不能晚于当前时间", "must not be in the future"));
        }
        let result = c.choice("result", self.result.as_deref(), RunResult::parse, RunResult::choices());
        let size_bytes = c.optional_range("size_bytes", self.size_bytes, 0, i64::MAX);
        let stored_at = c.optional_text("stored_at", self.stored_at.as_deref(), 500);
        let tool = c.optional_text("tool", self.tool.as_deref(), 100);
        let message = c.optional_text("message", self.message.as_deref(), 4000);
        c.finish()?;
        let (Some(started_at), Some(finished_at), Some(result)) = (started_at, finished_at, result) else {
            return Err(vec![FieldError::required("started_at")]);
        };
        Ok(BackupRunFields { policy_id, started_at, finished_at, result, size_bytes, stored_at, tool, message })
    }
}

/// What a list of runs can be narrowed by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BackupRunFilter {
    pub policy_id: Option<String>,
    pub system_id: Option<String>,
    pub result: Option<RunResult>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub with_void: bool,
}

/// A restore drill: the data restored from a copy, timed. The policy's targets at the time are
/// kept with it, so a later change of policy does not change a verdict.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RestoreDrill {
    pub id: String,
    pub policy_id: String,
    pub system_id: String,
    pub unit_id: String,
    pub performed_on: NaiveDate,
    /// Whether the restored system and data worked.
    pub restored: bool,
    /// From the start of the restore to service back, measured.
    pub restore_minutes: i64,
    /// How far behind the failure point the restored data was.
    pub data_loss_minutes: i64,
    pub rto_minutes: Option<i64>,
    pub rpo_minutes: Option<i64>,
    pub rto_met: Option<bool>,
    pub rpo_met: Option<bool>,
    /// Restored, and no target missed.
    pub passed: bool,
    pub summary: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_by: String,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    pub voided_at: Option<DateTime<Utc>>,
    pub void_reason: Option<String>,
}

/// The fields of a drill besides its report.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct RestoreDrillInput {
    pub policy_id: Option<String>,
    /// YYYY-MM-DD; not in the future.
    pub performed_on: Option<String>,
    pub restored: Option<bool>,
    pub restore_minutes: Option<i64>,
    pub data_loss_minutes: Option<i64>,
    pub summary: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RestoreDrillFields {
    pub policy_id: String,
    pub performed_on: NaiveDate,
    pub restored: bool,
    pub restore_minutes: i64,
    pub data_loss_minutes: i64,
    pub summary: String,
}

/// How far back vendor staff may date a drill: a report is filed within the month.
pub const VENDOR_BACKDATE_DAYS: i64 = 31;

impl RestoreDrillInput {
    pub fn validate(&self, today: NaiveDate, bureau: bool) -> Result<RestoreDrillFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let policy_id = c.required_text("policy_id", self.policy_id.as_deref().unwrap_or(""), 64);
        let performed_on = parse_date(&mut c, "performed_on", self.performed_on.as_deref());
        match performed_on {
            None if self.performed_on.as_deref().is_none_or(|s| s.trim().is_empty()) => {
                c.push(FieldError::required("performed_on"))
            }
            Some(d) if d > today => {
                c.push(FieldError::new("performed_on", "不能晚于今天", "must not be in the future"))
            }
            Some(d) if !bureau && (today - d).num_days() > VENDOR_BACKDATE_DAYS => c.push(FieldError::new(
                "performed_on",
                format!("只能登记 {VENDOR_BACKDATE_DAYS} 天内的演练，更早的请数据局登记"),
                format!("drills older than {VENDOR_BACKDATE_DAYS} days are recorded by the bureau"),
            )),
            _ => {}
        }
        if self.restored.is_none() {
            c.push(FieldError::required("restored"));
        }
        let restore = c.optional_range("restore_minutes", self.restore_minutes, 0, MAX_TARGET_MINUTES);
        if restore.is_none() {
            c.push(FieldError::required("restore_minutes"));
        }
        let loss = c.optional_range("data_loss_minutes", self.data_loss_minutes, 0, MAX_TARGET_MINUTES);
        if loss.is_none() {
            c.push(FieldError::required("data_loss_minutes"));
        }
        let summary = c.required_text("summary", self.summary.as_deref().unwrap_or(""), 4000);
        c.finish()?;
        Ok(RestoreDrillFields {
            policy_id,
            performed_on: performed_on.unwrap_or(today),
            restored: self.restored.unwrap_or(false),
            restore_minutes: restore.unwrap_or(0),
            data_loss_minutes: loss.unwrap_or(0),
            summary,
        })
    }
}

/// The verdict of a drill against the targets: (RTO met, RPO met, passed). A target not set is
/// not judged; a failed restore never passes.
pub fn drill_verdict(
    restored: bool,
    (restore_minutes, data_loss_minutes): (i64, i64),
    (rto, rpo): (Option<i64>, Option<i64>),
) -> (Option<bool>, Option<bool>, bool) {
    let rto_met = rto.map(|t| restored && restore_minutes <= t);
    let rpo_met = rpo.map(|t| restored && data_loss_minutes <= t);
    (rto_met, rpo_met, restored && rto_met != Some(false) && rpo_met != Some(false))
}

/// What a list of drills can be narrowed by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RestoreDrillFilter {
    pub policy_id: Option<String>,
    pub system_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub with_void: bool,
}

pub mod indicators {
    use crate::indicators::{IndicatorDef, KpiUnit};

    pub const SOURCE: &str = "backups";

    pub fn defs() -> Vec<IndicatorDef> {
        vec![
            IndicatorDef::new(
                SOURCE,
                "backup_success_rate",
                KpiUnit::Rate,
                ("备份完成率", "Backups done"),
                (
                    "期间内结束的备份策略周期中，周期内有成功备份的比例；未结束且未完成的周期不计入",
                    "Periods of backup policies ending in the period that had a successful run within them; periods not yet ended and not done are left out",
                ),
            ),
            IndicatorDef::new(
                SOURCE,
                "backup_missed",
                KpiUnit::Count,
                ("漏备份次数", "Missed backups"),
                (
                    "期间内结束、没有成功备份的备份策略周期数",
                    "Periods of backup policies ending in the period without a successful run",
                ),
            ),
            IndicatorDef::new(
                SOURCE,
                "restore_drill_completion_rate",
                KpiUnit::Rate,
                ("恢复演练完成率", "Restore drills done"),
                (
                    "期间内结束的恢复演练周期中，周期内登记了演练的比例",
                    "Restore drill periods ending in the period that had a drill recorded within them",
                ),
            ),
            IndicatorDef::new(
                SOURCE,
                "restore_drill_pass_rate",
                KpiUnit::Rate,
                ("恢复演练达标率", "Restore drills passed"),
                (
                    "期间内的恢复演练中，恢复成功且达到 RTO、RPO 目标的比例",
                    "Restore drills in the period that restored the data within the RTO and RPO targets",
                ),
            ),
        ]
    }
}

#[cfg(test)]
mod tests;
