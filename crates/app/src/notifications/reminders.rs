//! Reminders that go once: a certificate's expiry at 30, 7 and 1 days, and each user's morning
//! digest by e-mail. Each is claimed by key in `reminders` before it is sent, so two servers or
//! a repeated run send it once.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use domain::notifications::channels::is_personal;
use domain::notifications::{ChannelKind, Message};
use domain::{Msg, Role};
use store::notifications::deliveries::{self, NewDelivery};

use crate::{App, Result, bureau_date};

/// Days before expiry at which whoever must renew a certificate is reminded.
pub const CERTIFICATE_REMINDERS: [i64; 3] = [30, 7, 1];
/// When the digest goes out, in the bureau's time.
const DIGEST_AT: (u32, u32) = (8, 0);

impl App {
    /// Reminds of certificates closing on their expiry: the nearest threshold reached (30, 7 or
    /// 1 day) for each certificate, once; a certificate already expired is the monitor's own
    /// warning. Returns the reminders sent.
    pub async fn remind_certificates(&self) -> Result<usize> {
        let now = self.business_now();
        let mut sent = 0;
        for m in store::monitoring::certificates_expiring(&self.store, now + Duration::days(30)).await? {
            let Some(cert) = &m.cert else { continue };
            let left = cert.not_after - now;
            if left <= Duration::zero() {
                continue;
            }
            // Days left, rounded up: 29 days and an hour is "30 days".
            let days = (left.num_seconds() + 86_399) / 86_400;
            let Some(threshold) = CERTIFICATE_REMINDERS.iter().copied().filter(|t| days <= *t).min() else { continue };
            let key = format!("cert:{}:{}:{threshold}", m.id, cert.not_after.timestamp());
            let coverage = self.coverage_at(&m.system_id, now).await?;
            let mut users = store::users::active_ids_by_role(&self.store, Role::Admin, None, None).await?;
            if let Some(c) = coverage {
                users.extend(
                    store::users::active_ids_by_role(&self.store, Role::VendorPm, None, Some(&c.vendor_id)).await?,
                );
            }
            users.sort();
            users.dedup();
            let date = crate::bureau_time(cert.not_after);
            let title = Msg::new(
                format!("证书将于 {days} 天后到期：{}", m.name),
                format!("Certificate expires in {days} days: {}", m.name),
            );
            let body = Msg::new(format!("{}，到期时间 {date}", m.target), format!("{}, expires {date}", m.target));
            let notice = store::notifications::Notice {
                ticket_id: None,
                kind: "certificate",
                title: &title,
                body: &body,
                urgent: false,
            };
            let tx = self.store.begin().await?;
            if store::notifications::reminders::claim(&tx, &key, now).await? {
                store::notifications::add(&tx, &users, &notice, now).await?;
                sent += 1;
            }
            tx.commit().await?;
        }
        Ok(sent)
    }

    /// The morning digest: from 08:00 bureau time, each user who asked for it gets one e-mail with
    /// the previous day's notices (none when there were none), through the first enabled e-mail
    /// channel. Returns the digests enqueued.
    pub async fn send_digests(&self) -> Result<usize> {
        let now = self.business_now();
        let today = bureau_date(now);
        let at = |d: chrono::NaiveDate| -> DateTime<Utc> {
            d.and_time(NaiveTime::from_hms_opt(DIGEST_AT.0, DIGEST_AT.1, 0).unwrap_or_default()).and_utc()
                - Duration::hours(8)
        };
        let (from, to) = (at(today - Duration::days(1)), at(today));
        if now < to {
            return Ok(0);
        }
        let channels = store::notifications::channels::list(&self.store).await?;
        let Some(email) =
            channels.iter().find(|c| c.enabled && c.kind == ChannelKind::Email && is_personal(c.kind, &c.config))
        else {
            return Ok(0);
        };
        let mut sent = 0;
        for (user_id, _) in store::notifications::routing::digest_users(&self.store).await? {
            let Some(u) = store::users::get(&self.store, &domain::Scope::All, &user_id).await?.filter(|u| u.active)
            else {
                continue;
            };
            let Some(address) = u.email.clone() else { continue };
            let notices = store::notifications::since(&self.store, &user_id, from, to, 200).await?;
            if notices.is_empty() {
                continue;
            }
            let lines: Vec<String> =
                notices.iter().map(|n| format!("{}  {}", crate::bureau_time(n.created_at), n.title.zh)).collect();
            let message = Message {
                title: format!("运维平台每日通知摘要（{}，共 {} 条）", today - Duration::days(1), notices.len()),
                body: lines.join("\n"),
                urgent: false,
            };
            let key = format!("digest:{user_id}:{today}");
            let tx = self.store.begin().await?;
            if store::notifications::reminders::claim(&tx, &key, now).await? {
                let d = NewDelivery {
                    channel_id: &email.id,
                    notification_id: None,
                    dedup_key: key.clone(),
                    user_id: Some(&user_id),
                    address: Some(&address),
                    kind: "digest",
                    message: &message,
                    not_before: now,
                };
                deliveries::enqueue(&tx, &d, now).await?;
                sent += 1;
            }
            tx.commit().await?;
        }
        Ok(sent)
    }
}
