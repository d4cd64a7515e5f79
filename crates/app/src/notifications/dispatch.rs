//! The delivery job: routes each new notice of the bell to the personal channels its user gets
//! (their preferences, else the bureau's rules for their role and scope; quiet hours defer what is
//! not urgent), enqueues the ladder's messages, and sends what is due with retries and backoff.
//! Everything goes through the database — routed notices are marked, deliveries are claimed — so
//! a restart or a second server loses and duplicates nothing.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use domain::notifications::channels::is_personal;
use domain::notifications::{Message, Preferences, retry_after};
use domain::sla::policy::Escalation;
use domain::tickets::view::Ticket;
use store::Tx;
use store::notifications::channels::StoredChannel;
use store::notifications::deliveries::{self, Due, NewDelivery, Outcome};

use crate::{App, Result};

/// Notices routed and deliveries tried in one run.
#[derive(Debug, Default, Clone, Copy)]
pub struct DeliveryReport {
    pub routed: usize,
    pub sent: usize,
    pub failed: usize,
}

const BATCH: u64 = 200;
/// How long a claim lasts: well beyond one send's timeout.
const CLAIM: i64 = 120;

impl App {
    /// The job: route, then send what is due.
    pub async fn deliver_notifications(&self) -> Result<DeliveryReport> {
        let mut report = DeliveryReport { routed: self.route_notices().await?, ..Default::default() };
        loop {
            let now = self.business_now();
            let due = deliveries::claim_due(&self.store, now, now + Duration::seconds(CLAIM), 50).await?;
            if due.is_empty() {
                break;
            }
            for d in &due {
                match self.send_due(d, true).await? {
                    None => report.sent += 1,
                    Some(_) => report.failed += 1,
                }
            }
        }
        Ok(report)
    }

    /// Sends one claimed delivery and records the attempt; the error when it failed. With
    /// `retry`, a failure is tried again after the backoff, else given up.
    pub(crate) async fn send_due(&self, d: &Due, retry: bool) -> Result<Option<String>> {
        let now = self.business_now();
        let channel = store::notifications::channels::get(&self.store, &d.channel_id).await?;
        let error = match channel {
            None => Some("渠道已删除".to_string()),
            Some(c) if !c.enabled => Some("渠道已停用".to_string()),
            Some(c) => match self.channel_settings(&c) {
                Err(e) => Some(format!("渠道密钥无法解密：{e}")),
                Ok(config) => {
                    let settings = notify::Settings { kind: c.kind, config: &config };
                    self.sender
                        .send(&settings, d.address.as_deref(), &d.message, &d.id, crate::wall_now())
                        .await
                        .err()
                        .map(|e| e.0)
                }
            },
        };
        let attempt = d.attempts + 1;
        let retry_at = if retry { retry_after(attempt).map(|w| now + w) } else { None };
        let outcome = Outcome { error: error.clone(), retry_at };
        let tx = self.store.begin().await?;
        deliveries::record(&tx, d, attempt, &outcome, now).await?;
        tx.commit().await?;
        if let Some(e) = &error {
            tracing::info!(delivery = %d.id, channel = %d.channel_id, attempt, error = %e, "notification delivery failed");
        }
        Ok(error)
    }

    /// Routes notices not yet routed; returns how many.
    async fn route_notices(&self) -> Result<usize> {
        let mut routed = 0;
        loop {
            let notices = store::notifications::undispatched(&self.store, BATCH).await?;
            if notices.is_empty() {
                return Ok(routed);
            }
            let rules = store::notifications::routing::rules(&self.store).await?;
            let channels: HashMap<String, StoredChannel> = store::notifications::channels::list(&self.store)
                .await?
                .into_iter()
                .filter(|c| c.enabled && is_personal(c.kind, &c.config))
                .map(|c| (c.id.clone(), c))
                .collect();
            let mut ids: Vec<String> = notices.iter().map(|n| n.user_id.clone()).collect();
            ids.sort();
            ids.dedup();
            let users = store::users::many(&self.store, &ids).await?;
            let prefs = store::notifications::routing::preferences_of(&self.store, &ids).await?;
            let none = Preferences::default();
            let tx = self.store.begin().await?;
            for n in &notices {
                let Some(u) = users.get(&n.user_id).filter(|u| u.active) else { continue };
                let pr = prefs.get(&u.id).unwrap_or(&none);
                if pr.muted_kinds.contains(&n.kind) && !n.urgent {
                    continue;
                }
                let chosen: Vec<&String> = match &pr.channels {
                    Some(list) => list.iter().collect(),
                    None => rules
                        .iter()
                        .filter(|r| r.covers(u.role, u.unit_id.as_deref(), u.vendor_id.as_deref(), &n.kind))
                        .map(|r| &r.channel_id)
                        .collect(),
                };
                let message = Message { title: n.title.zh.clone(), body: n.body.zh.clone(), urgent: n.urgent };
                for cid in chosen {
                    let Some(c) = channels.get(cid) else { continue };
                    let Some(address) = super::address_of(c.kind, u, pr.wecom_id.as_deref()) else { continue };
                    let not_before = not_before(pr, n.urgent, n.created_at);
                    let d = NewDelivery {
                        channel_id: &c.id,
                        notification_id: Some(&n.id),
                        dedup_key: format!("n:{}:{}", n.id, c.id),
                        user_id: Some(&u.id),
                        address: Some(&address),
                        kind: &n.kind,
                        message: &message,
                        not_before,
                    };
                    deliveries::enqueue(&tx, &d, n.created_at).await?;
                }
            }
            let ids: Vec<String> = notices.iter().map(|n| n.id.clone()).collect();
            store::notifications::mark_dispatched(&tx, &ids).await?;
            tx.commit().await?;
            routed += notices.len();
        }
    }

    /// A ladder step's messages through the channels it names, in the step's transaction: a
    /// group channel gets one, a personal one one per person told. `clock` identifies the clock
    /// run (a level change restarts clocks, and their steps may fire again).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn enqueue_ladder(
        &self,
        tx: &Tx,
        t: &Ticket,
        step: &Escalation,
        index: usize,
        clock: i64,
        users: &[String],
        message: &Message,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if step.channels.is_empty() {
            return Ok(());
        }
        let found = store::notifications::channels::many(tx, &step.channels).await?;
        let people = store::users::many(tx, users).await?;
        let prefs = store::notifications::routing::preferences_of(tx, users).await?;
        let none = Preferences::default();
        for c in found.iter().filter(|c| c.enabled) {
            let base = format!("ladder:{}:{}:{clock}:{index}:{}", t.id, step.metric, c.id);
            if !is_personal(c.kind, &c.config) {
                let d = NewDelivery {
                    channel_id: &c.id,
                    notification_id: None,
                    dedup_key: base,
                    user_id: None,
                    address: None,
                    kind: "escalation",
                    message,
                    not_before: now,
                };
                deliveries::enqueue(tx, &d, now).await?;
                continue;
            }
            for id in users {
                let Some(u) = people.get(id) else { continue };
                let pr = prefs.get(id).unwrap_or(&none);
                let Some(address) = super::address_of(c.kind, u, pr.wecom_id.as_deref()) else { continue };
                let d = NewDelivery {
                    channel_id: &c.id,
                    notification_id: None,
                    dedup_key: format!("{base}:{id}"),
                    user_id: Some(id),
                    address: Some(&address),
                    kind: "escalation",
                    message,
                    not_before: not_before(pr, message.urgent, now),
                };
                deliveries::enqueue(tx, &d, now).await?;
            }
        }
        Ok(())
    }
}

/// When a notice may first go to a person: at once when urgent or outside their quiet hours,
/// else when those end.
fn not_before(p: &Preferences, urgent: bool, at: DateTime<Utc>) -> DateTime<Utc> {
    if urgent {
        return at;
    }
    p.quiet_hours.and_then(|q| q.defer(at)).unwrap_or(at)
}
