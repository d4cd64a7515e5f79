//! A monitor that goes down opens an interruption and an incident ticket on its system, with
//! the outage starting at the first failed check; when it comes back, the interruption closes at
//! the first good check, and the ticket records the restore at that moment (its restore clock
//! stops on the real event). Severity follows the system's criticality on the item's policy.

use chrono::{DateTime, Utc};
use domain::monitoring::state::State;
use domain::registry::Criticality;
use domain::tickets::input::{OutageInput, TicketFields, TransitionInput};
use domain::tickets::{Channel, Status, TicketType};
use store::monitoring::InterruptionRow;

use crate::{App, Result, system_principal};

impl App {
    /// The level a monitor's ticket gets: the most severe level is for people to declare; a
    /// highly critical system gets the second, a medium one the third, others the least.
    async fn monitor_severity(
        &self,
        system_id: &str,
        criticality: Criticality,
        at: DateTime<Utc>,
    ) -> Result<Option<String>> {
        let Some(pid) = self.coverage_at(system_id, at).await?.and_then(|c| c.sla_policy_id) else { return Ok(None) };
        let Some(policy) = store::sla::get(&self.store, &domain::Scope::All, &pid, None).await? else {
            return Ok(None);
        };
        let levels = &policy.spec.levels;
        let last = levels.len().saturating_sub(1);
        let index = match criticality {
            Criticality::High => 1.min(last),
            Criticality::Medium => 2.min(last),
            Criticality::Low => last,
        };
        Ok(levels.get(index).map(|l| l.name.clone()))
    }

    pub(crate) async fn monitor_changed(
        &self,
        monitor_id: &str,
        state: State,
        since: DateTime<Utc>,
        error: Option<&str>,
    ) -> Result<()> {
        // Probes see the real clock; business time may lag it by a moment (or be set in tests).
        let since = since.min(self.now());
        let sys = system_principal();
        let Some(m) = store::monitoring::get(&self.store, &domain::Scope::All, monitor_id).await? else {
            return Ok(());
        };
        let open = store::monitoring::open_for_monitor(&self.store, monitor_id).await?;
        let tx = self.store.begin().await?;
        store::monitoring::set_state(&tx, monitor_id, state, since).await?;
        let opened = match (state, &open) {
            (State::Down, None) => {
                let row = InterruptionRow {
                    id: store::new_id(),
                    system_id: m.system_id.clone(),
                    unit_id: m.unit_id.clone(),
                    monitor_id: Some(m.id.clone()),
                    alert_key: None,
                    source: m.name.clone(),
                    started_at: since,
                    ended_at: None,
                    error: error.map(str::to_string),
                    ticket_id: None,
                };
                store::monitoring::open_interruption(&tx, &row, self.now()).await?;
                Some(row)
            }
            (State::Up, Some(i)) => {
                store::monitoring::close_interruption(&tx, &i.id, since).await?;
                None
            }
            _ => None,
        };
        tx.commit().await?;

        // Tickets after the interruption is stored: a ticket that cannot be opened is logged,
        // the interruption (and availability) stays right.
        if let Some(row) = opened {
            let Some(system) = store::systems::get(&self.store, &domain::Scope::All, &m.system_id).await? else {
                return Ok(());
            };
            let severity = self.monitor_severity(&system.id, system.criticality, since).await?;
            let fields = TicketFields {
                system_id: system.id.clone(),
                kind: TicketType::Incident,
                severity,
                title: format!("监控告警：{} 不可用", m.name).chars().take(200).collect(),
                description: Some(format!(
                    "监控“{}”（{}）自 {} 起连续 {} 次检查失败：{}",
                    m.name,
                    m.target,
                    since.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d %H:%M:%S"),
                    m.failures_before_down,
                    error.unwrap_or("未知错误")
                )),
                channel: Channel::Monitoring,
                reported_at: None,
                reporter_name: Some("Yunwei 监控".into()),
                contact: None,
                assignee_id: None,
            };
            let t = self.open_ticket(&sys, fields, since, false).await?;
            let outage = OutageInput { outage_start: Some(since.to_rfc3339()), ..Default::default() };
            self.ticket_outage(&sys, &t.ticket.id, outage, false).await?;
            let tx = self.store.begin().await?;
            store::monitoring::set_interruption_ticket(&tx, &row.id, &t.ticket.id).await?;
            tx.commit().await?;
        }
        if let (State::Up, Some(i)) = (state, open)
            && let Some(tid) = &i.ticket_id
        {
            self.record_restore(tid, i.started_at, since).await?;
        }
        Ok(())
    }

    /// The service is back at `at`: the ticket's outage ends and, unless people already moved it
    /// past that, the ticket is marked restored at that moment.
    pub(crate) async fn record_restore(
        &self,
        ticket_id: &str,
        started: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let sys = system_principal();
        let Some(t) = store::tickets::get(&self.store, &domain::Scope::All, ticket_id, self.now()).await? else {
            return Ok(());
        };
        if t.outage_end.is_none() {
            let start = t.outage_start.unwrap_or(started);
            let outage = OutageInput {
                outage_start: Some(start.to_rfc3339()),
                outage_end: Some(at.max(start).to_rfc3339()),
                ..Default::default()
            };
            self.ticket_outage(&sys, ticket_id, outage, false).await?;
        }
        if t.status.next().contains(&Status::Restored) {
            let step = TransitionInput {
                to: Some("restored".into()),
                reason: Some("监控检测到服务恢复".into()),
                at: Some(at.to_rfc3339()),
                ..Default::default()
            };
            self.transition_ticket(&sys, ticket_id, step, false).await?;
        }
        Ok(())
    }
}
