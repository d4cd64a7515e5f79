//! Single sign-on providers: the security administrator (or the system administrator while
//! duties are not separated) adds, changes and removes them; their secrets are sealed and never
//! shown again. The sign-in flows are in `signin.rs`.

mod signin;

use domain::sso::{SignInOptions, SsoChoice, SsoProvider, SsoProviderInput, secret_keys};
use domain::{Msg, Principal};
use serde_json::{Map, Value};
use store::sso::{ProviderRow, StoredProvider};

pub use signin::{Callback, CallbackOutcome};

use crate::{App, AppError, Result, audit, wall_now};

fn view(c: &StoredProvider, secrets: &Map<String, Value>) -> SsoProvider {
    SsoProvider {
        id: c.id.clone(),
        kind: c.kind,
        name: c.name.clone(),
        config: Value::Object(c.config.clone()),
        secrets_set: secret_keys(c.kind).iter().filter(|k| secrets.contains_key(**k)).map(|k| k.to_string()).collect(),
        mapping: c.mapping.clone(),
        enabled: c.enabled,
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

fn name_taken() -> AppError {
    AppError::Conflict {
        msg: Msg::new("已有同名身份源", "a provider with this name exists"),
        field: Some("name".into()),
    }
}

impl App {
    async fn require_security(&self, p: &Principal) -> Result<()> {
        let policy = self.security_policy().await?;
        if self.may_manage_security(p, &policy) { Ok(()) } else { Err(AppError::Forbidden) }
    }

    /// What is written for a checked provider, its secrets sealed.
    fn provider_row<'f>(&self, f: &'f domain::sso::SsoFields) -> Result<ProviderRow<'f>> {
        Ok(ProviderRow {
            kind: f.kind,
            name: &f.name,
            config: &f.config,
            secrets: self.seal_map(&f.secrets)?,
            mapping: &f.mapping,
            enabled: f.enabled,
        })
    }

    fn provider_secrets(&self, c: &StoredProvider) -> Result<Map<String, Value>> {
        self.open_map(c.secrets.as_deref(), &c.id)
    }

    /// A provider's settings with its secrets, as the protocol needs them.
    fn provider_settings(&self, c: &StoredProvider) -> Result<Map<String, Value>> {
        let mut all = c.config.clone();
        all.extend(self.provider_secrets(c)?);
        Ok(all)
    }

    pub async fn sso_providers(&self, p: &Principal) -> Result<Vec<SsoProvider>> {
        self.require_security(p).await?;
        let mut out = Vec::new();
        for c in store::sso::list(&self.store).await? {
            out.push(view(&c, &self.provider_secrets(&c)?));
        }
        Ok(out)
    }

    pub async fn sso_provider(&self, p: &Principal, id: &str) -> Result<SsoProvider> {
        self.require_security(p).await?;
        let c = store::sso::get(&self.store, id).await?.ok_or(AppError::NotFound)?;
        Ok(view(&c, &self.provider_secrets(&c)?))
    }

    /// What the sign-in page offers: whether passwords are accepted, and the enabled providers.
    pub async fn sign_in_options(&self) -> Result<SignInOptions> {
        let policy = self.security_policy().await?;
        let providers = store::sso::list(&self.store)
            .await?
            .into_iter()
            .filter(|c| c.enabled)
            .map(|c| SsoChoice { id: c.id, kind: c.kind, name: c.name })
            .collect();
        Ok(SignInOptions { local_login: policy.local_login, providers })
    }

    async fn check_rule_bindings(&self, f: &domain::sso::SsoFields) -> Result<()> {
        let mut errs = Vec::new();
        for (i, r) in f.mapping.iter().enumerate() {
            if let Some(u) = &r.unit_id
                && store::units::get(&self.store, &domain::Scope::All, u).await?.is_none()
            {
                errs.push(domain::FieldError::new(format!("mapping.{i}.unit_id"), "单位不存在", "no such unit"));
            }
            if let Some(v) = &r.vendor_id
                && store::vendors::get(&self.store, &domain::Scope::All, v).await?.is_none()
            {
                errs.push(domain::FieldError::new(format!("mapping.{i}.vendor_id"), "供应商不存在", "no such vendor"));
            }
        }
        if errs.is_empty() { Ok(()) } else { Err(AppError::Validation(errs)) }
    }

    pub async fn create_sso_provider(&self, p: &Principal, input: SsoProviderInput) -> Result<SsoProvider> {
        self.require_security(p).await?;
        let f = input.validate(None).map_err(AppError::Validation)?;
        self.check_rule_bindings(&f).await?;
        let row = self.provider_row(&f)?;
        let now = wall_now();
        let tx = self.store.begin().await?;
        let c = match store::sso::insert(&tx, &row, now).await {
            Err(store::StoreError::Conflict(_)) => return Err(name_taken()),
            r => r?,
        };
        let shown = view(&c, &f.secrets);
        audit::<(), _>(&tx, p, "create", "sso_provider", &c.id, None, Some(&shown), now).await?;
        tx.commit().await?;
        self.tell_security_admins("sso_provider", &format!("{} 添加了单点登录身份源 {}", p.username, shown.name))
            .await?;
        Ok(shown)
    }

    /// Changes a provider; secrets left out are kept, and the kind is the provider's own.
    pub async fn update_sso_provider(
        &self,
        p: &Principal,
        id: &str,
        mut input: SsoProviderInput,
    ) -> Result<SsoProvider> {
        self.require_security(p).await?;
        let old = store::sso::get(&self.store, id).await?.ok_or(AppError::NotFound)?;
        let kept = self.provider_secrets(&old)?;
        if input.kind.as_deref().is_none_or(|k| k.trim().is_empty()) {
            input.kind = Some(old.kind.as_str().into());
        }
        // A secret goes only where it was entered for: a new address needs it entered again.
        let moved = ["issuer", "server_url", "url"].iter().any(|k| {
            let sent = input.config.as_ref().and_then(|c| c.get(*k)).and_then(Value::as_str).map(str::trim);
            sent.is_some_and(|v| Some(v) != old.config.get(*k).and_then(Value::as_str))
        });
        let f = input.validate((!moved).then_some(&kept)).map_err(AppError::Validation)?;
        if f.kind != old.kind {
            return Err(AppError::Validation(vec![domain::FieldError::new(
                "kind",
                "身份源类型创建后不能更改",
                "cannot change after the provider is created",
            )]));
        }
        self.check_rule_bindings(&f).await?;
        let row = self.provider_row(&f)?;
        let now = wall_now();
        let tx = self.store.begin().await?;
        if !f.enabled && old.enabled {
            keep_a_way_in(&tx, id).await?;
        }
        let c = match store::sso::update(&tx, id, &row, now).await {
            Err(store::StoreError::Conflict(_)) => return Err(name_taken()),
            r => r?,
        };
        if !c.enabled {
            store::sessions::delete_for_provider(&tx, id).await?;
        }
        let (before, shown) = (view(&old, &kept), view(&c, &f.secrets));
        audit(&tx, p, "update", "sso_provider", id, Some(&before), Some(&shown), now).await?;
        tx.commit().await?;
        self.tell_security_admins("sso_provider", &format!("{} 修改了单点登录身份源 {}", p.username, shown.name))
            .await?;
        Ok(shown)
    }

    /// Removes a provider; its accounts stay (unlinked, unable to sign in until linked again or
    /// given a password) and its sessions end.
    pub async fn delete_sso_provider(&self, p: &Principal, id: &str) -> Result<()> {
        self.require_security(p).await?;
        let old = store::sso::get(&self.store, id).await?.ok_or(AppError::NotFound)?;
        let now = wall_now();
        let tx = self.store.begin().await?;
        if old.enabled {
            keep_a_way_in(&tx, id).await?;
        }
        store::sso::delete(&tx, id).await?;
        audit::<_, ()>(&tx, p, "delete", "sso_provider", id, Some(&view(&old, &Map::new())), None, now).await?;
        tx.commit().await?;
        self.tell_security_admins("sso_provider", &format!("{} 删除了单点登录身份源 {}", p.username, old.name)).await?;
        Ok(())
    }
}

/// While local login is off, the last enabled provider cannot go: nobody but the break-glass
/// administrator could sign in. Checked inside the write's transaction, under the lock that
/// turning local login off takes.
async fn keep_a_way_in(tx: &store::Tx, leaving: &str) -> Result<()> {
    let others = store::sso::enabled_others_locked(tx, Some(leaving)).await?;
    if others > 0 || crate::auth::policy::stored_policy(tx).await?.is_none_or(|p| p.local_login) {
        return Ok(());
    }
    Err(AppError::conflict(
        None,
        "本地登录已关闭，不能停用或删除最后一个身份源",
        "local login is off: the last enabled provider cannot go",
    ))
}
