//! Channels: the bureau's administrators add, change, test and remove them. Secrets are sealed
//! before they are stored and never shown again.

use domain::list::Page;
use domain::notifications::DeliveryFilter as LogFilter;
use domain::notifications::channels::{is_personal, secret_keys};
use domain::notifications::{Attempt, ChannelInput, Message, NotificationChannel, TestOutcome};
use domain::{Msg, Principal, Role};
use serde_json::{Map, Value};
use store::notifications::channels::{ChannelRow, StoredChannel};
use store::notifications::deliveries::{self, NewDelivery};

use crate::{App, AppError, Result, audit};

fn require_admin(p: &Principal) -> Result<()> {
    if p.role == Role::Admin { Ok(()) } else { Err(AppError::Forbidden) }
}

fn view(c: &StoredChannel, secrets: &Map<String, Value>) -> NotificationChannel {
    NotificationChannel {
        id: c.id.clone(),
        kind: c.kind,
        name: c.name.clone(),
        config: Value::Object(c.config.clone()),
        secrets_set: secret_keys(c.kind).iter().filter(|k| secrets.contains_key(**k)).map(|k| k.to_string()).collect(),
        enabled: c.enabled,
        personal: is_personal(c.kind, &c.config),
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

fn name_taken() -> AppError {
    AppError::Conflict {
        msg: Msg::new("已有同名渠道", "a channel with this name exists"), field: Some("name".into())
    }
}

impl App {
    /// A stored channel's secrets, decrypted.
    pub(crate) fn channel_secrets(&self, c: &StoredChannel) -> Result<Map<String, Value>> {
        self.open_map(c.secrets.as_deref(), &c.id)
    }

    /// A channel's settings with its secrets, as the sender needs them.
    pub(crate) fn channel_settings(&self, c: &StoredChannel) -> Result<Map<String, Value>> {
        let mut all = c.config.clone();
        all.extend(self.channel_secrets(c)?);
        Ok(all)
    }

    /// Administrators see every channel's settings; anyone else the enabled personal channels
    /// by name only, to choose from in their preferences.
    pub async fn notification_channels(&self, p: &Principal) -> Result<Vec<NotificationChannel>> {
        let mut out = Vec::new();
        for c in store::notifications::channels::list(&self.store).await? {
            if p.role == Role::Admin {
                let secrets = self.channel_secrets(&c).unwrap_or_default();
                out.push(view(&c, &secrets));
            } else if c.enabled && is_personal(c.kind, &c.config) {
                let mut v = view(&c, &Map::new());
                v.config = Value::Object(Map::new());
                out.push(v);
            }
        }
        Ok(out)
    }

    pub async fn notification_channel(&self, p: &Principal, id: &str) -> Result<NotificationChannel> {
        require_admin(p)?;
        let c = store::notifications::channels::get(&self.store, id).await?.ok_or(AppError::NotFound)?;
        Ok(view(&c, &self.channel_secrets(&c).unwrap_or_default()))
    }

    pub async fn create_notification_channel(&self, p: &Principal, input: ChannelInput) -> Result<NotificationChannel> {
        require_admin(p)?;
        let f = input.validate(None).map_err(AppError::Validation)?;
        let row = ChannelRow {
            kind: f.kind,
            name: &f.name,
            config: &f.config,
            secrets: self.seal_map(&f.secrets)?,
            enabled: f.enabled,
        };
        let now = crate::wall_now();
        let tx = self.store.begin().await?;
        let c = match store::notifications::channels::insert(&tx, &row, now).await {
            Err(store::StoreError::Conflict(_)) => return Err(name_taken()),
            r => r?,
        };
        let shown = view(&c, &f.secrets);
        audit::<(), _>(&tx, p, "create", "notification_channel", &c.id, None, Some(&shown), now).await?;
        tx.commit().await?;
        Ok(shown)
    }

    /// Changes a channel; secrets left out are kept, and the kind is the channel's own.
    pub async fn update_notification_channel(
        &self,
        p: &Principal,
        id: &str,
        mut input: ChannelInput,
    ) -> Result<NotificationChannel> {
        require_admin(p)?;
        let old = store::notifications::channels::get(&self.store, id).await?.ok_or(AppError::NotFound)?;
        let kept = self.channel_secrets(&old)?;
        if input.kind.as_deref().is_none_or(|k| k.trim().is_empty()) {
            input.kind = Some(old.kind.as_str().into());
        }
        let f = input.validate(Some(&kept)).map_err(AppError::Validation)?;
        if f.kind != old.kind {
            return Err(AppError::Validation(vec![domain::FieldError::new(
                "kind",
                "渠道类型创建后不能更改",
                "cannot change after the channel is created",
            )]));
        }
        let row = ChannelRow {
            kind: f.kind,
            name: &f.name,
            config: &f.config,
            secrets: self.seal_map(&f.secrets)?,
            enabled: f.enabled,
        };
        let now = crate::wall_now();
        let tx = self.store.begin().await?;
        let c = match store::notifications::channels::update(&tx, id, &row, now).await {
            Err(store::StoreError::Conflict(_)) => return Err(name_taken()),
            r => r?,
        };
        let before = view(&old, &kept);
        let shown = view(&c, &f.secrets);
        audit(&tx, p, "update", "notification_channel", id, Some(&before), Some(&shown), now).await?;
        tx.commit().await?;
        Ok(shown)
    }

    /// Removes a channel with its deliveries and rules. Ladders naming it keep the id and skip
    /// it (the policy's history stays as it was written).
    pub async fn delete_notification_channel(&self, p: &Principal, id: &str) -> Result<()> {
        require_admin(p)?;
        let old = store::notifications::channels::get(&self.store, id).await?.ok_or(AppError::NotFound)?;
        let now = crate::wall_now();
        let tx = self.store.begin().await?;
        store::notifications::channels::delete(&tx, id).await?;
        let before = view(&old, &Map::new());
        audit::<_, ()>(&tx, p, "delete", "notification_channel", id, Some(&before), None, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sends a test message now and logs it. A personal channel sends to `to`, else to the
    /// caller's own address on it.
    pub async fn test_notification_channel(&self, p: &Principal, id: &str, to: Option<String>) -> Result<TestOutcome> {
        require_admin(p)?;
        let c = store::notifications::channels::get(&self.store, id).await?.ok_or(AppError::NotFound)?;
        let personal = is_personal(c.kind, &c.config);
        let mut check = domain::error::Checker::default();
        let to = match c.kind {
            domain::notifications::ChannelKind::Email => check.optional_email("to", to.as_deref()),
            domain::notifications::ChannelKind::Sms => check.optional_phone("to", to.as_deref()),
            _ => check.optional_text("to", to.as_deref(), 64),
        };
        check.finish().map_err(AppError::Validation)?;
        let to = match to {
            Some(t) if personal => Some(t),
            Some(_) | None if !personal => None,
            _ => {
                let me = store::users::get(&self.store, &domain::Scope::All, &p.user_id).await?;
                let prefs = store::notifications::routing::preferences(&self.store, &p.user_id).await?;
                let found = me.and_then(|u| super::address_of(c.kind, &u, prefs.wecom_id.as_deref()));
                Some(found.ok_or_else(|| {
                    AppError::Validation(vec![domain::FieldError::new(
                        "to",
                        "请填写测试收件地址（你的账号没有该渠道的地址）",
                        "give an address to test with (your account has none for this channel)",
                    )])
                })?)
            }
        };
        let now = crate::wall_now();
        let message = Message {
            title: format!("【测试】{} 渠道测试消息", c.name),
            body: format!("这是运维管理平台发送的测试消息（{}，由 {} 发起）。", crate::bureau_time(now), p.username),
            urgent: false,
        };
        let key = format!("test:{}", store::new_id());
        let tx = self.store.begin().await?;
        let n = NewDelivery {
            channel_id: &c.id,
            notification_id: None,
            dedup_key: key.clone(),
            user_id: Some(&p.user_id),
            address: to.as_deref(),
            kind: "test",
            message: &message,
            not_before: now,
        };
        deliveries::enqueue(&tx, &n, now).await?;
        tx.commit().await?;
        // The test goes now, through the same claim and log as every delivery, and is not retried.
        let claimed = deliveries::claim_one(&self.store, &key, now + chrono::Duration::minutes(2)).await?;
        let Some(due) = claimed else { return Err(AppError::NotFound) };
        let error = self.send_due(&due, false).await?;
        Ok(TestOutcome { status: if error.is_none() { "sent" } else { "failed" }.into(), error, delivery_id: due.id })
    }

    /// The delivery log: administrators see all of it, anyone else what was sent to them.
    pub async fn notification_deliveries(
        &self,
        p: &Principal,
        mut f: LogFilter,
        page: u64,
        size: u64,
    ) -> Result<Page<Attempt>> {
        if p.role != Role::Admin {
            f.user_id = Some(p.user_id.clone());
        }
        Ok(deliveries::log(&self.store, &f, page, size).await?)
    }
}
