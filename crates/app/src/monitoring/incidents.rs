//! What an outage does, whoever saw it (a monitor, an alert): an interruption from its start,
//! and an incident ticket on the system reported at that moment with the outage start set; when
//! the service is back, the interruption closes and the ticket records the restore at that
//! moment (its restore clock stops on the real event). Severity follows the system's
//! criticality on the covering item's policy. The interruption is written before the ticket: if
//! the ticket cannot be opened, availability is still right.

use chrono::{DateTime, Utc};
use domain::monitoring::state::MonitorState;
use domain::registry::{Criticality, System};
use domain::tickets::input::{OutageInput, TicketFields, TransitionInput};
use domain::tickets::{Channel, Status, TicketType};
use domain::{Msg, Role};
use store::monitoring::InterruptionRow;

use crate::{App, Result, system_principal};

/// An outage to record.
pub(crate) struct Outage<'a> {
    pub system: &'a System,
    pub monitor_id: Option<String>,
    pub alert_key: Option<String>,
    pub source: String,
    pub started: DateTime<Utc>,
    pub title: String,
    pub description: String,
    pub error: Option<String>,
}

impl App {
    /// The level an automatic ticket gets: the most severe level is for people to declare; a
    /// highly critical system gets the second, a medium one the third, others the least.
    async fn automatic_severity(&self, system: &System, at: DateTime<Utc>) -> Result<Option<String>> {
        let Some(pid) = self.coverage_at(&system.id, at).await?.and_then(|c| c.sla_policy_id) else { return Ok(None) };
        let Some(policy) = store::sla::get(&self.store, &domain::Scope::All, &pid, None).await? else {
            return Ok(None);
        };
        let levels = &policy.spec.levels;
        let last = levels.len().saturating_sub(1);
        let index = match system.criticality {
            Criticality::High => 1.min(last),
            Criticality::Medium => 2.min(last),
            Criticality::Low => last,
        };
        Ok(levels.get(index).map(|l| l.name.clone()))
    }

    /// Opens the interruption, then its ticket; false (and nothing written) when the monitor or
    /// alert already has an open interruption.
    pub(crate) async fn open_outage(&self, o: Outage<'_>) -> Result<bool> {
        let row = InterruptionRow {
            id: store::new_id(),
            system_id: o.system.id.clone(),
            unit_id: o.system.unit_id.clone(),
            monitor_id: o.monitor_id,
            alert_key: o.alert_key,
            source: o.source,
            started_at: o.started,
            ended_at: None,
            error: o.error,
            ticket_id: None,
        };
        let tx = self.store.begin().await?;
        if !store::monitoring::open_interruption(&tx, &row, self.business_now()).await? {
            return Ok(false);
        }
        tx.commit().await?;
        let sys = system_principal();
        let fields = TicketFields {
            system_id: o.system.id.clone(),
            kind: TicketType::Incident,
            severity: self.automatic_severity(o.system, o.started).await?,
            title: o.title.chars().take(200).collect(),
            description: Some(o.description),
            channel: Channel::Monitoring,
            reported_at: None,
            reporter_name: Some("Yunwei 监控".into()),
            contact: None,
            assignee_id: None,
        };
        let (t, _) = self.open_ticket(&sys, fields, o.started).await?;
        let outage = OutageInput { outage_start: Some(o.started.to_rfc3339()), ..Default::default() };
        self.outage(&sys, &t.id, outage).await?;
        let tx = self.store.begin().await?;
        store::monitoring::set_interruption_ticket(&tx, &row.id, &t.id).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Closes the interruption at `at` and records the restore on its ticket.
    pub(crate) async fn close_outage(&self, i: &InterruptionRow, at: DateTime<Utc>) -> Result<()> {
        let at = at.max(i.started_at);
        let tx = self.store.begin().await?;
        store::monitoring::close_interruption(&tx, &i.id, at).await?;
        tx.commit().await?;
        match &i.ticket_id {
            Some(tid) => self.record_restore(tid, i.started_at, at).await,
            None => Ok(()),
        }
    }

    pub(crate) async fn monitor_changed(
        &self,
        monitor_id: &str,
        state: MonitorState,
        since: DateTime<Utc>,
        error: Option<&str>,
    ) -> Result<()> {
        // Probes see the real clock; business time may lag it by a moment (or be set in tests).
        let since = since.min(self.business_now());
        let Some(m) = store::monitoring::get(&self.store, &domain::Scope::All, monitor_id).await? else {
            return Ok(());
        };
        let tx = self.store.begin().await?;
        store::monitoring::set_state(&tx, monitor_id, state, since).await?;
        tx.commit().await?;
        // A certificate near its expiry or not trusted is a warning, not an outage: TLS monitors
        // show on the certificate board and in /metrics, and whoever must renew it hears once,
        // but availability is not interrupted.
        if m.kind == domain::monitoring::spec::MonitorKind::Tls {
            if state == MonitorState::Down {
                self.warn_certificate(&m, error.unwrap_or("未知错误"), since).await?;
            }
            return Ok(());
        }
        let open = store::monitoring::open_for_monitor(&self.store, monitor_id).await?;
        match (state, open) {
            (MonitorState::Down, None) => {
                let Some(system) = store::systems::get(&self.store, &domain::Scope::All, &m.system_id).await? else {
                    return Ok(());
                };
                let description = format!(
                    "监控“{}”（{}）自 {} 起连续 {} 次检查失败：{}",
                    m.name,
                    m.target,
                    since.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d %H:%M:%S"),
                    m.failures_before_down,
                    error.unwrap_or("未知错误")
                );
                self.open_outage(Outage {
                    system: &system,
                    monitor_id: Some(m.id.clone()),
                    alert_key: None,
                    source: m.name.clone(),
                    started: since,
                    title: format!("监控告警：{} 不可用", m.name),
                    description,
                    error: error.map(str::to_string),
                })
                .await
                .map(|_| ())
            }
            (MonitorState::Up, Some(i)) => self.close_outage(&i, since).await,
            _ => Ok(()),
        }
    }

    /// A certificate needs attention: the managers of the vendor covering the system and the
    /// administrators get a notification (once per change to down, not on every check).
    async fn warn_certificate(&self, m: &domain::monitoring::Monitor, error: &str, at: DateTime<Utc>) -> Result<()> {
        let coverage = self.coverage_at(&m.system_id, at).await?;
        let tx = self.store.begin().await?;
        let mut users = store::users::active_ids_by_role(&tx, Role::Admin, None, None).await?;
        if let Some(c) = coverage {
            users.extend(store::users::active_ids_by_role(&tx, Role::VendorPm, None, Some(&c.vendor_id)).await?);
        }
        users.sort();
        users.dedup();
        let title = Msg::new(format!("证书告警：{}", m.name), format!("Certificate warning: {}", m.name));
        let body = Msg::new(format!("{}：{error}", m.target), format!("{}: {error}", m.target));
        let notice = store::notifications::Notice {
            ticket_id: None,
            kind: "certificate",
            title: &title,
            body: &body,
            urgent: false,
        };
        store::notifications::add(&tx, &users, &notice, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The service is back at `at`: the ticket's outage ends and, unless people already moved it
    /// past that, the ticket is marked restored at that moment.
    async fn record_restore(&self, ticket_id: &str, started: DateTime<Utc>, at: DateTime<Utc>) -> Result<()> {
        let sys = system_principal();
        let Some(t) = store::tickets::get(&self.store, &domain::Scope::All, ticket_id, self.business_now()).await?
        else {
            return Ok(());
        };
        if t.outage_end.is_none() {
            let start = t.outage_start.unwrap_or(started);
            let outage = OutageInput {
                outage_start: Some(start.to_rfc3339()),
                outage_end: Some(at.max(start).to_rfc3339()),
                ..Default::default()
            };
            self.outage(&sys, ticket_id, outage).await?;
        }
        if t.status.next().contains(&Status::Restored) {
            let step = TransitionInput {
                to: Some("restored".into()),
                reason: Some("监控检测到服务恢复".into()),
                at: Some(at.to_rfc3339()),
                ..Default::default()
            };
            self.transition(&sys, ticket_id, step).await?;
        }
        Ok(())
    }
}
