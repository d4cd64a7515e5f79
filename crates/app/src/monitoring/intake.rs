//! Alert intake: integration accounts (the bureau creates them; the token is shown once and
//! kept only as its hash), and what an alert does — firing opens an outage on the system it
//! names (deduplicated by its key), resolved records the restore. An alert that names no known
//! system is kept for the administrator, never dropped.

use domain::list::{ListQuery, Page};
use domain::monitoring::intake::{
    AlertEvent, IntakeReport, Integration, IntegrationInput, IntegrationKind, UnmatchedAlert,
};
use domain::registry::System;
use domain::{Principal, Role};

use super::incidents::Outage;
use crate::auth::{new_token, token_hash};
use crate::{App, AppError, Result, audit};

fn admin_only(p: &Principal) -> Result<()> {
    if p.role == Role::Admin { Ok(()) } else { Err(AppError::Forbidden) }
}

impl App {
    /// Creates an integration account; the token in the answer is never shown again.
    pub async fn create_integration(&self, p: &Principal, input: IntegrationInput) -> Result<(Integration, String)> {
        admin_only(p)?;
        let (name, kind, system_label) = input.validate()?;
        let now = self.business_now();
        let i = Integration {
            id: store::new_id(),
            name,
            kind,
            system_label,
            active: true,
            created_at: now,
            last_used_at: None,
        };
        let token = format!("ywi_{}", new_token());
        let tx = self.store.begin().await?;
        store::monitoring::insert_integration(&tx, &i, &token_hash(&token)).await?;
        audit::<(), _>(&tx, p, "create", "integration", &i.id, None, Some(&i), now).await?;
        tx.commit().await?;
        Ok((i, token))
    }

    pub async fn list_integrations(&self, p: &Principal) -> Result<Vec<Integration>> {
        admin_only(p)?;
        Ok(store::monitoring::integrations(&self.store).await?)
    }

    pub async fn delete_integration(&self, p: &Principal, id: &str) -> Result<()> {
        admin_only(p)?;
        let before = store::monitoring::get_integration(&self.store, id).await?.ok_or(AppError::NotFound)?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        store::monitoring::delete_integration(&tx, id).await?;
        audit::<_, ()>(&tx, p, "delete", "integration", id, Some(&before), None, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The integration a bearer token belongs to, if it is active and of one of `kinds`.
    pub async fn integration_for(&self, token: &str, kinds: &[IntegrationKind]) -> Result<Integration> {
        let i = store::monitoring::integration_by_token(&self.store, &token_hash(token.trim()))
            .await?
            .filter(|i| i.active)
            .ok_or_else(|| {
                AppError::Unauthenticated(domain::Msg::new(
                    "集成令牌无效或已停用",
                    "the integration token is not valid",
                ))
            })?;
        if !kinds.contains(&i.kind) {
            return Err(AppError::Forbidden);
        }
        Ok(i)
    }

    pub async fn unmatched_alerts(&self, p: &Principal, q: &ListQuery) -> Result<Page<UnmatchedAlert>> {
        admin_only(p)?;
        Ok(store::monitoring::unmatched(&self.store, q).await?)
    }

    /// The system an alert names: its id, or a name only one system has.
    async fn alerted_system(&self, reference: &str) -> Result<Option<System>> {
        if let Some(s) = store::systems::get(&self.store, &domain::Scope::All, reference).await? {
            return Ok(Some(s));
        }
        let mut named = store::systems::with_exact_name(&self.store, reference).await?;
        Ok(if named.len() == 1 { named.pop() } else { None })
    }

    /// Handles the alerts of one request in order.
    pub async fn take_alerts(&self, integration: &Integration, events: Vec<AlertEvent>) -> Result<IntakeReport> {
        let mut report = IntakeReport::default();
        let now = self.business_now();
        for e in events {
            let system = match &e.system {
                Some(r) => self.alerted_system(r).await?,
                None => None,
            };
            let key = format!("{}:{}", integration.id, e.key);
            let Some(system) = system else {
                let a = UnmatchedAlert {
                    id: store::new_id(),
                    integration_id: integration.id.clone(),
                    key: e.key.clone(),
                    system_ref: e.system.clone(),
                    firing: e.firing,
                    at: e.at,
                    title: e.title.clone(),
                    labels: e.labels.clone(),
                    received_at: now,
                };
                let tx = self.store.begin().await?;
                store::monitoring::insert_unmatched(&tx, &a).await?;
                tx.commit().await?;
                report.unmatched += 1;
                continue;
            };
            let open = store::monitoring::open_for_alert(&self.store, &key).await?;
            match (e.firing, open) {
                (true, Some(_)) => report.updated += 1,
                (true, None) => {
                    let description = e.description.clone().unwrap_or_else(|| e.title.clone());
                    let opened = self
                        .open_outage(Outage {
                            system: &system,
                            monitor_id: None,
                            alert_key: Some(key),
                            source: format!("{}：{}", integration.name, e.title),
                            started: e.at,
                            title: format!("告警：{}", e.title),
                            description: format!("{description}\n（来自 {}）", integration.name),
                            error: Some(e.title.clone()),
                        })
                        .await?;
                    // A twin of this alert arriving at the same moment opened it first.
                    if opened { report.opened += 1 } else { report.updated += 1 }
                }
                (false, Some(i)) => {
                    self.close_outage(&i, e.at).await?;
                    report.resolved += 1;
                }
                // A resolution for an alert never seen firing: nothing was down here.
                (false, None) => {}
            }
        }
        let tx = self.store.begin().await?;
        store::monitoring::touch_integration(&tx, &integration.id, now).await?;
        tx.commit().await?;
        Ok(report)
    }
}
