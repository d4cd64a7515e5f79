//! Missed backups: a period of an active policy that ended without a successful run is a
//! finding. The job (`backup_checks`) opens one ticket for it on the system, once — the key of
//! `backup_misses` decides, so two servers or two ticks never open a second.

use chrono::{Days, NaiveDate};
use domain::backups::{BackupPolicyFilter, BackupTaskKind, BackupTaskStatus};
use domain::tickets::input::TicketFields;
use domain::tickets::{Channel, TicketType};
use domain::{Msg, Scope};

use crate::{App, Result, bureau_date, system_principal};

/// How long after a period ends its miss is still ticketed: a policy entered today does not
/// open tickets for the misses of past months.
const LOOK_BACK_DAYS: u64 = 7;

impl App {
    /// Opens a ticket for each period that ended in the last week without a successful run
    /// (and ended after its policy was entered). Returns how many were opened.
    pub async fn check_missed_backups(&self) -> Result<usize> {
        let today = bureau_date(self.business_now());
        let Some(yesterday) = today.checked_sub_days(Days::new(1)) else { return Ok(0) };
        let since = today.checked_sub_days(Days::new(LOOK_BACK_DAYS)).unwrap_or(today);
        let filter = BackupPolicyFilter { active: Some(true), ..Default::default() };
        let policies = store::backups::all_policies(&self.store, &Scope::All, &filter).await?;
        let tasks = self.backup_tasks_of(&policies, (since, yesterday), today, Some(BackupTaskKind::Run)).await?;
        let mut opened = 0;
        for t in tasks.iter().filter(|t| t.status == BackupTaskStatus::Missed && t.due_on >= since) {
            let Some(policy) = policies.iter().find(|p| p.id == t.policy_id) else { continue };
            if t.due_on < bureau_date(policy.created_at) {
                continue;
            }
            let now = self.business_now();
            let tx = self.store.begin().await?;
            if !store::backups::insert_miss(&tx, &policy.id, (t.opens_on, t.due_on), now).await? {
                continue;
            }
            tx.commit().await?;
            let ticket = self.open_miss_ticket(policy, (t.opens_on, t.due_on)).await?;
            let tx = self.store.begin().await?;
            store::backups::set_miss_ticket(&tx, &policy.id, t.opens_on, &ticket).await?;
            tx.commit().await?;
            opened += 1;
        }
        Ok(opened)
    }

    async fn open_miss_ticket(
        &self,
        policy: &domain::backups::BackupPolicy,
        (opens_on, due_on): (NaiveDate, NaiveDate),
    ) -> Result<String> {
        let sys = system_principal();
        let title = Msg::new(
            format!("漏备份：{}（{opens_on} 至 {due_on}）", policy.name),
            format!("Missed backup: {} ({opens_on} to {due_on})", policy.name),
        );
        let description = format!(
            "备份策略「{}」（{}，{}）在 {opens_on} 至 {due_on} 期间没有成功的备份记录。请尽快补做备份并登记，或说明原因。",
            policy.name,
            policy.frequency_text,
            policy.object.label().zh
        );
        let fields = TicketFields {
            system_id: policy.system_id.clone(),
            kind: TicketType::Incident,
            // The least severe level: a missed copy puts data at risk, it stops no service.
            severity: None,
            title: title.zh.chars().take(200).collect(),
            description: Some(description),
            channel: Channel::Backup,
            reported_at: None,
            reporter_name: Some("Yunwei 备份检查".into()),
            contact: None,
            assignee_id: None,
        };
        let (t, _) = self.open_ticket(&sys, fields, self.business_now()).await?;
        Ok(t.id)
    }
}
