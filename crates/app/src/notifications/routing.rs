//! The bureau's routing rules (administrators) and each user's own preferences.

use domain::notifications::channels::is_personal;
use domain::notifications::{Preferences, PreferencesInput, RoutingRule, RoutingRuleInput};
use domain::{FieldError, Principal, Role, Scope};

use crate::{App, AppError, Result, audit};

impl App {
    /// Whether `id` names a personal channel; the error names `field`.
    async fn personal_channel(&self, id: &str, field: &str) -> Result<()> {
        match store::notifications::channels::get(&self.store, id).await? {
            Some(c) if is_personal(c.kind, &c.config) => Ok(()),
            Some(_) => Err(AppError::Validation(vec![FieldError::new(
                field,
                "须为按人发送的渠道（邮件、短信、企业微信应用消息）；群机器人在升级规则中使用",
                "must be a personal channel (e-mail, SMS, WeCom application); group robots belong in escalation ladders",
            )])),
            None => Err(AppError::Validation(vec![FieldError::new(field, "渠道不存在", "no such channel")])),
        }
    }

    pub async fn notification_rules(&self, p: &Principal) -> Result<Vec<RoutingRule>> {
        if p.role != Role::Admin {
            return Err(AppError::Forbidden);
        }
        Ok(store::notifications::routing::rules(&self.store).await?)
    }

    pub async fn create_notification_rule(&self, p: &Principal, input: RoutingRuleInput) -> Result<RoutingRule> {
        if p.role != Role::Admin {
            return Err(AppError::Forbidden);
        }
        let f = input.validate().map_err(AppError::Validation)?;
        self.personal_channel(&f.channel_id, "channel_id").await?;
        if let Some(u) = &f.unit_id
            && store::units::get(&self.store, &Scope::All, u).await?.is_none()
        {
            return Err(AppError::Validation(vec![FieldError::new("unit_id", "单位不存在", "no such unit")]));
        }
        if let Some(v) = &f.vendor_id
            && store::vendors::get(&self.store, &Scope::All, v).await?.is_none()
        {
            return Err(AppError::Validation(vec![FieldError::new("vendor_id", "供应商不存在", "no such vendor")]));
        }
        let now = crate::wall_now();
        let tx = self.store.begin().await?;
        let r = store::notifications::routing::add_rule(&tx, &f, now).await?;
        audit::<(), _>(&tx, p, "create", "notification_rule", &r.id, None, Some(&r), now).await?;
        tx.commit().await?;
        Ok(r)
    }

    pub async fn delete_notification_rule(&self, p: &Principal, id: &str) -> Result<()> {
        if p.role != Role::Admin {
            return Err(AppError::Forbidden);
        }
        let old = store::notifications::routing::rules(&self.store).await?.into_iter().find(|r| r.id == id);
        let old = old.ok_or(AppError::NotFound)?;
        let now = crate::wall_now();
        let tx = self.store.begin().await?;
        store::notifications::routing::delete_rule(&tx, id).await?;
        audit::<_, ()>(&tx, p, "delete", "notification_rule", id, Some(&old), None, now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn my_notification_preferences(&self, p: &Principal) -> Result<Preferences> {
        Ok(store::notifications::routing::preferences(&self.store, &p.user_id).await?)
    }

    pub async fn put_my_notification_preferences(&self, p: &Principal, input: PreferencesInput) -> Result<Preferences> {
        let prefs = input.validate().map_err(AppError::Validation)?;
        for (i, id) in prefs.channels.iter().flatten().enumerate() {
            self.personal_channel(id, &format!("channels[{i}]")).await?;
        }
        let now = crate::wall_now();
        let tx = self.store.begin().await?;
        store::notifications::routing::put_preferences(&tx, &p.user_id, &prefs, now).await?;
        tx.commit().await?;
        Ok(prefs)
    }
}
