//! Runs from a spreadsheet (a backup tool's log pasted into Excel, a month's manual sheet): the
//! shared import rules — every row checked first, all written in one transaction or none, errors
//! by row and column. A row names its policy by id, or by system and policy name as a
//! spreadsheet user would. Times are RFC 3339 or the bureau's wall time (`2026-03-02 01:30`).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use domain::backups::{BackupPolicy, BackupPolicyFilter, BackupRunInput, BackupTaskKind, RunResult, RunSource};
use domain::{FieldError, Msg, Principal, Role};

use super::runs::{VENDOR_BACKDATE_DAYS, new_run};
use super::{ended_period, may_record_backups};
use crate::import::{ImportError, ImportReport, Sheet, row_errors_of};
use crate::{App, bureau_date};

/// (header, API field) of each column; `policy_id` or `system` + `policy` name the policy.
pub const RUN_COLUMNS: &[(&str, &str)] = &[
    ("策略编号", "policy_id"),
    ("系统名称", "system"),
    ("策略名称", "policy"),
    ("开始时间", "started_at"),
    ("结束时间", "finished_at"),
    ("结果", "result"),
    ("大小（字节）", "size_bytes"),
    ("存放位置", "stored_at"),
    ("备份工具", "tool"),
    ("说明", "message"),
];

/// A time as a sheet holds it: RFC 3339 as is; a wall time without a zone is the bureau's.
fn sheet_time(v: Option<String>) -> Option<String> {
    let v = v?;
    if DateTime::parse_from_rfc3339(&v).is_ok() {
        return Some(v);
    }
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&v, f) {
            return Some(format!("{}+08:00", t.format("%Y-%m-%dT%H:%M:%S")));
        }
    }
    Some(v)
}

fn sheet_result(v: Option<String>) -> Option<String> {
    v.map(|r| match r.as_str() {
        "成功" => "success".into(),
        "失败" => "failed".into(),
        _ => r.to_lowercase(),
    })
}

impl App {
    pub async fn import_backup_runs(
        &self,
        p: &Principal,
        bytes: &[u8],
    ) -> std::result::Result<ImportReport, ImportError> {
        may_record_backups(p)?;
        let sheet = Sheet::open(bytes, RUN_COLUMNS, &["started_at", "finished_at", "result"])?;
        let policies = store::backups::all_policies(&self.store, &p.scope(), &BackupPolicyFilter::default()).await?;
        let names = self.system_names_of(&policies).await?;
        let now = self.business_now();
        let who = (p.user_id.clone(), self.person_name(p).await?);
        // Whether a day's period of a policy has ended, asked once per policy and day.
        let mut ended: HashMap<(String, NaiveDate), bool> = HashMap::new();
        let mut errors = Vec::new();
        let mut runs = Vec::new();
        for (row, cells) in &sheet.table.rows {
            let row = *row;
            let policy = match self.sheet_policy(&sheet, cells, &policies, &names) {
                Ok(policy) => policy,
                Err(e) => {
                    errors.push(sheet.err(row, e.field.as_str(), e.msg));
                    continue;
                }
            };
            let size_bytes = match sheet.get(cells, "size_bytes").map(|s| s.parse::<i64>()) {
                None => None,
                Some(Ok(n)) => Some(n),
                Some(Err(_)) => {
                    errors.push(sheet.err(row, "size_bytes", Msg::new("应为整数", "must be a whole number")));
                    continue;
                }
            };
            let input = BackupRunInput {
                policy_id: Some(policy.id.clone()),
                started_at: sheet_time(sheet.get(cells, "started_at")),
                finished_at: sheet_time(sheet.get(cells, "finished_at")),
                result: sheet_result(sheet.get(cells, "result")),
                size_bytes,
                stored_at: sheet.get(cells, "stored_at"),
                tool: sheet.get(cells, "tool"),
                message: sheet.get(cells, "message"),
            };
            let f = match input.validate(now) {
                Ok(f) => f,
                Err(e) => {
                    row_errors_of(&sheet, row, e, &mut errors);
                    continue;
                }
            };
            if p.role != Role::Admin {
                if (now - f.started_at).num_days() > VENDOR_BACKDATE_DAYS {
                    let msg = Msg::new(
                        format!("只能导入 {VENDOR_BACKDATE_DAYS} 天内的备份，更早的请数据局登记"),
                        format!("runs older than {VENDOR_BACKDATE_DAYS} days are recorded by the bureau"),
                    );
                    errors.push(sheet.err(row, "started_at", msg));
                    continue;
                }
                let day = bureau_date(f.started_at);
                let key = (policy.id.clone(), day);
                if f.result == RunResult::Success && !ended.contains_key(&key) {
                    let late = self.backup_period_ended(policy, BackupTaskKind::Run, day).await?;
                    ended.insert(key.clone(), late);
                }
                if f.result == RunResult::Success && ended[&key] {
                    errors.push(sheet.err(row, "started_at", ended_period()));
                    continue;
                }
            }
            runs.push(new_run(policy, f, RunSource::Import, who.clone(), now));
        }
        if !errors.is_empty() {
            return Err(ImportError::Rows(errors));
        }
        self.write_runs(p, &runs, now).await?;
        Ok(ImportReport { created: runs.len() as u64, updated: 0 })
    }

    async fn system_names_of(&self, policies: &[BackupPolicy]) -> crate::Result<HashMap<String, String>> {
        let mut ids: Vec<String> = policies.iter().map(|p| p.system_id.clone()).collect();
        ids.sort();
        ids.dedup();
        Ok(store::systems::names(&self.store, &ids).await?)
    }

    /// The policy a row names, among those the caller sees.
    fn sheet_policy<'a>(
        &self,
        sheet: &Sheet,
        cells: &[String],
        policies: &'a [BackupPolicy],
        system_names: &HashMap<String, String>,
    ) -> Result<&'a BackupPolicy, FieldError> {
        if let Some(id) = sheet.get(cells, "policy_id") {
            return policies
                .iter()
                .find(|p| p.id == id)
                .ok_or_else(|| FieldError::new("policy_id", "备份策略不存在", "no such backup policy"));
        }
        let (Some(system), Some(name)) = (sheet.get(cells, "system"), sheet.get(cells, "policy")) else {
            return Err(FieldError::new(
                "policy_id",
                "请填写策略编号，或系统名称和策略名称",
                "give the policy id, or the system and policy names",
            ));
        };
        let found: Vec<&BackupPolicy> = policies
            .iter()
            .filter(|p| p.name == name && system_names.get(&p.system_id).is_some_and(|s| *s == system))
            .collect();
        match found.as_slice() {
            [one] => Ok(one),
            [] => Err(FieldError::new(
                "policy",
                format!("系统“{system}”没有名为“{name}”的备份策略"),
                format!("“{system}” has no backup policy named “{name}”"),
            )),
            _ => Err(FieldError::new(
                "policy",
                "同名策略不止一个，请填写策略编号",
                "several policies have this name; give the policy id",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_times_are_the_bureaus_wall_time() {
        assert_eq!(sheet_time(Some("2026-03-02 01:30".into())).as_deref(), Some("2026-03-02T01:30:00+08:00"));
        assert_eq!(sheet_time(Some("2026/03/02 01:30:15".into())).as_deref(), Some("2026-03-02T01:30:15+08:00"));
        assert_eq!(sheet_time(Some("2026-03-02T01:30:00Z".into())).as_deref(), Some("2026-03-02T01:30:00Z"));
        assert_eq!(sheet_time(Some("昨天".into())).as_deref(), Some("昨天"), "left for the validator to name");
        assert_eq!(sheet_result(Some("成功".into())).as_deref(), Some("success"));
        assert_eq!(sheet_result(Some("FAILED".into())).as_deref(), Some("failed"));
    }
}
