//! Signing in through a provider. OIDC and CAS go through the browser: `start` keeps a pending
//! row under a random `state` and answers where to send the browser; the callback takes that row
//! once and asks the provider who it was. LDAP checks a typed password against the directory.
//! Then the same for all: the first mapping rule that matches decides role and unit or vendor
//! (nobody unmatched gets in); the account linked to the provider's subject is used, or one is
//! created (or, when the provider allows it, an unlinked account of the same user name is linked);
//! the session opens as a password sign-in does, audited, with the provider noted. A test sign-in
//! runs the same steps but signs nobody in and changes no account.

use std::net::IpAddr;

use chrono::Duration;
use domain::audit::AuditEntry;
use domain::registry::{User, UserFields};
use domain::sso::{Identity, MappingRule, SsoKind, SsoRedirect, SsoTestResult, first_match, safe_return, text_of};
use domain::{Msg, Principal, Role};
use serde_json::{Map, Value};
use sso::SsoError;
use store::sso::{Pending, StoredProvider};

use crate::auth::{LoginOutcome, bad_credentials, busy, security_event};
use crate::{App, AppError, Result, wall_now};

/// How long a browser sign-in may take between start and callback.
const PENDING_FOR: Duration = Duration::minutes(10);

/// Browser sign-ins pending at once, at most: anyone may start one without credentials, so a
/// flood must not grow the table without bound (a bureau's morning is far below it).
const MAX_PENDING: u64 = 10_000;

/// What the provider sent back to the callback.
#[derive(Debug, Clone, Default)]
pub struct Callback {
    pub state: Option<String>,
    pub code: Option<String>,
    pub ticket: Option<String>,
    pub error: Option<String>,
}

/// A callback's end: a session, or a test's result kept under its state.
#[derive(Debug)]
pub enum CallbackOutcome {
    SignedIn { login: Box<LoginOutcome>, return_to: String },
    Tested { state: String },
}

fn refused(text: impl std::fmt::Display) -> AppError {
    AppError::Unauthenticated(Msg::new(format!("单点登录未通过：{text}"), format!("single sign-on refused: {text}")))
}

fn from_sso(e: SsoError) -> AppError {
    match e {
        SsoError::Refused(t) => refused(t),
        SsoError::Provider(t) => {
            AppError::Upstream(Msg::new(format!("身份提供方：{t}"), format!("identity provider: {t}")))
        }
    }
}

fn expired() -> AppError {
    refused("登录请求已失效或已使用，请重新登录")
}

/// The identity as Yunwei reads it, from what a provider said.
fn identity(c: &StoredProvider, subject: String, attributes: Map<String, Value>) -> Identity {
    let cfg = |k: &str| c.config.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let (user_key, name_key) = match c.kind {
        SsoKind::Oidc => (cfg("username_claim"), cfg("display_name_claim")),
        SsoKind::Cas | SsoKind::Ldap => (cfg("username_attribute"), cfg("display_name_attribute")),
    };
    let email_key = if c.kind == SsoKind::Ldap { cfg("email_attribute") } else { "email".into() };
    let username = (!user_key.is_empty()).then(|| text_of(&attributes, &user_key)).flatten().unwrap_or(subject.clone());
    Identity {
        display_name: (!name_key.is_empty()).then(|| text_of(&attributes, &name_key)).flatten(),
        email: text_of(&attributes, &email_key),
        subject,
        username,
        attributes,
    }
}

impl App {
    /// Starts a browser sign-in (or, with `tester`, an administrator's test): answers where to
    /// send the browser. `callback` is this server's callback address for the provider.
    pub async fn sso_start(
        &self,
        id: &str,
        callback: &str,
        return_to: Option<&str>,
        tester: Option<&Principal>,
    ) -> Result<SsoRedirect> {
        if let Some(p) = tester {
            self.require_security(p).await?;
        }
        let c = store::sso::get(&self.store, id).await?.ok_or(AppError::NotFound)?;
        if !c.enabled && tester.is_none() {
            return Err(AppError::NotFound);
        }
        let pending = Pending {
            state: sso::random_token(),
            provider_id: c.id.clone(),
            verifier: sso::random_token(),
            nonce: sso::random_token(),
            return_to: safe_return(return_to),
            test_by: tester.map(|p| p.user_id.clone()),
            created_at: wall_now(),
        };
        if store::sso::pending_since(&self.store, pending.created_at - PENDING_FOR).await? >= MAX_PENDING {
            return Err(AppError::TooManyRequests { retry_after_secs: 60 });
        }
        let settings = self.provider_settings(&c)?;
        let redirect_url = match c.kind {
            SsoKind::Oidc => {
                let d = sso::oidc::discover(&self.sso, &settings).await.map_err(from_sso)?;
                sso::oidc::authorize_url(&d, &settings, callback, &pending.state, &pending.nonce, &pending.verifier)
                    .map_err(from_sso)?
            }
            SsoKind::Cas => {
                sso::cas::login_url(&settings, &sso::cas::service(callback, &pending.state)).map_err(from_sso)?
            }
            SsoKind::Ldap => {
                return Err(AppError::conflict(
                    None,
                    "LDAP 身份源使用用户名和密码登录，没有跳转",
                    "an LDAP provider signs in with a user name and password, without a redirect",
                ));
            }
        };
        let tx = self.store.begin().await?;
        store::sso::put_pending(&tx, &pending).await?;
        tx.commit().await?;
        Ok(SsoRedirect { redirect_url, state: pending.state })
    }

    /// The browser is back from the provider.
    pub async fn sso_callback(
        &self,
        id: &str,
        callback: &str,
        cb: Callback,
        from: Option<IpAddr>,
    ) -> Result<CallbackOutcome> {
        let state = cb.state.as_deref().filter(|s| !s.is_empty() && s.len() <= 64).ok_or_else(expired)?;
        let c = store::sso::get(&self.store, id).await?.ok_or(AppError::NotFound)?;
        let tx = self.store.begin().await?;
        let pending = store::sso::take_pending(&tx, state, id, wall_now() - PENDING_FOR).await?.ok_or_else(expired)?;
        tx.commit().await?;
        let found = self.callback_identity(&c, callback, &pending, &cb).await;
        if pending.test_by.is_some() {
            let result = test_result(&c, found);
            let tx = self.store.begin().await?;
            store::sso::set_result(&tx, &pending.state, &serde_json::to_value(&result).unwrap_or_default()).await?;
            tx.commit().await?;
            return Ok(CallbackOutcome::Tested { state: pending.state });
        }
        if !c.enabled {
            return Err(expired());
        }
        let login = self.admit(&c, found?, from).await?;
        Ok(CallbackOutcome::SignedIn { login: Box::new(login), return_to: pending.return_to })
    }

    async fn callback_identity(
        &self,
        c: &StoredProvider,
        callback: &str,
        pending: &Pending,
        cb: &Callback,
    ) -> Result<Identity> {
        if let Some(e) = &cb.error {
            return Err(refused(format!("身份提供方返回 {}", e.chars().take(100).collect::<String>())));
        }
        let settings = self.provider_settings(c)?;
        match c.kind {
            SsoKind::Oidc => {
                let code = cb.code.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| refused("缺少授权码"))?;
                let d = sso::oidc::discover(&self.sso, &settings).await.map_err(from_sso)?;
                let claims =
                    sso::oidc::exchange(&self.sso, &d, &settings, code, callback, &pending.verifier, &pending.nonce)
                        .await
                        .map_err(from_sso)?;
                let sub = text_of(&claims, "sub").ok_or_else(|| refused("ID 令牌缺少 sub"))?;
                Ok(identity(c, sub, claims))
            }
            SsoKind::Cas => {
                let ticket = cb.ticket.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| refused("缺少票据"))?;
                let v = sso::cas::validate(&self.sso, &settings, &sso::cas::service(callback, &pending.state), ticket)
                    .await
                    .map_err(from_sso)?;
                Ok(identity(c, v.user, v.attributes))
            }
            SsoKind::Ldap => Err(expired()),
        }
    }

    async fn ldap_identity(&self, c: &StoredProvider, username: &str, password: &str) -> Result<Identity> {
        if c.kind != SsoKind::Ldap {
            return Err(AppError::NotFound);
        }
        let settings = self.provider_settings(c)?;
        let entry = sso::ldap::authenticate(&self.sso, &settings, username, password).await.map_err(|e| match e {
            SsoError::Refused(_) => bad_credentials(),
            e => from_sso(e),
        })?;
        let subject =
            text_of(&entry.attributes, c.config.get("username_attribute").and_then(Value::as_str).unwrap_or("uid"))
                .unwrap_or_else(|| username.trim().to_string());
        let mut attributes = entry.attributes;
        attributes.insert("dn".into(), Value::String(entry.dn));
        Ok(identity(c, subject, attributes))
    }

    /// Signs in with a directory password (an LDAP provider); bounded like a password sign-in.
    pub async fn sso_password_login(
        &self,
        id: &str,
        username: &str,
        password: &str,
        from: Option<IpAddr>,
    ) -> Result<LoginOutcome> {
        let address = crate::auth::address_key(from);
        let t = wall_now();
        if let Err(b) = self.throttle.admit(&address, username.trim()) {
            self.throttle.note("rate_limited", &address, username.trim(), t);
            return Err(if b.account { bad_credentials() } else { busy(b) });
        }
        let c = store::sso::get(&self.store, id).await?.filter(|c| c.enabled).ok_or(AppError::NotFound)?;
        if username.chars().count() > 256 || password.len() > 1024 {
            return Err(bad_credentials());
        }
        match self.ldap_identity(&c, username, password).await {
            Ok(found) => {
                let out = self.admit(&c, found, from).await?;
                self.throttle.succeeded(&address, username.trim());
                Ok(out)
            }
            Err(e) => {
                self.throttle.note("sso_refused", &address, username.trim(), t);
                Err(e)
            }
        }
    }

    /// An administrator checks a directory password sign-in: who it finds and what they would get.
    pub async fn sso_test_password(
        &self,
        p: &Principal,
        id: &str,
        username: &str,
        password: &str,
    ) -> Result<SsoTestResult> {
        self.require_security(p).await?;
        let c = store::sso::get(&self.store, id).await?.ok_or(AppError::NotFound)?;
        if c.kind != SsoKind::Ldap {
            return Err(AppError::conflict(
                None,
                "只有 LDAP 身份源用密码测试",
                "only an LDAP provider is tested with a password",
            ));
        }
        Ok(test_result(&c, self.ldap_identity(&c, username, password).await))
    }

    /// A browser test's result, for the administrator who ran it.
    pub async fn sso_test_result(&self, p: &Principal, id: &str, state: &str) -> Result<SsoTestResult> {
        self.require_security(p).await?;
        let v = store::sso::result(&self.store, id, state, &p.user_id).await?.ok_or(AppError::NotFound)?;
        let pending = || SsoTestResult {
            ok: false,
            identity: None,
            rule: None,
            role: None,
            unit_id: None,
            vendor_id: None,
            error: Some("尚未完成".into()),
        };
        Ok(serde_json::from_value::<SsoTestResult>(v).unwrap_or_else(|_| pending()))
    }

    /// Removes pending sign-ins and test results past their time; run by a background job.
    pub async fn purge_sso_states(&self) -> Result<u64> {
        let tx = self.store.begin().await?;
        let n = store::sso::purge(&tx, wall_now() - PENDING_FOR * 6).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Lets a person the provider vouched for in: the mapping decides, the account is found,
    /// linked or created, kept in line with the mapping, and a session opens.
    async fn admit(&self, c: &StoredProvider, id: Identity, from: Option<IpAddr>) -> Result<LoginOutcome> {
        let address = crate::auth::address_key(from);
        let t = wall_now();
        let actor = format!("sso:{}", c.name.chars().take(56).collect::<String>());
        let refuse = |why: &str, reason: &str| {
            let detail =
                serde_json::json!({"reason": reason, "address": address, "provider": c.id, "subject": id.subject});
            (refused(why), security_event(None, &id.username, "login_failed", detail))
        };
        let Some((_, rule)) = first_match(&c.mapping, &id) else {
            let (e, ev) = refuse("账户未获授权（没有匹配的映射规则），请联系安全管理员", "unmapped");
            self.audit_alone(ev, t).await?;
            return Err(e);
        };
        let tx = self.store.begin().await?;
        let user = match store::sso::linked(&tx, &c.id, &id.subject).await? {
            Some(cred) => cred.user,
            None => match store::users::credentials(&tx, &id.username).await? {
                Some(local) if link_allowed(c) && local.user.sso_provider_id.is_none() && linkable(&local) => {
                    if !store::sso::link(&tx, &local.user.id, &c.id, &id.subject).await? {
                        return Err(expired());
                    }
                    let ev = link_event(&actor, &local.user, &c.id, &id.subject);
                    store::audit::append(&tx, &ev, t).await?;
                    local.user
                }
                Some(_) => {
                    drop(tx);
                    let (e, ev) = refuse("用户名已被本地账户占用，请安全管理员处理", "username_taken");
                    self.audit_alone(ev, t).await?;
                    return Err(e);
                }
                None => self.create_sso_user(&tx, c, &id, rule, &actor, t).await?,
            },
        };
        if !user.active {
            drop(tx);
            let (e, ev) = refuse("账户已停用", "inactive");
            self.audit_alone(ev, t).await?;
            return Err(e);
        }
        let user = self.follow_mapping(&tx, user, rule, &actor, t).await?;
        let detail =
            serde_json::json!({"address": address, "provider": c.id, "kind": c.kind.as_str(), "subject": id.subject});
        let Some((token, notice)) = self.open_session(&tx, &user, &address, Some(&c.id), detail, t).await? else {
            return Err(refused("账户已被临时锁定"));
        };
        tx.commit().await?;
        let mut user = user;
        user.last_login_at = Some(t);
        Ok(LoginOutcome { token, user, must_change_password: false, totp_setup_required: false, notice })
    }

    async fn audit_alone(&self, ev: AuditEntry, t: chrono::DateTime<chrono::Utc>) -> Result<()> {
        let tx = self.store.begin().await?;
        store::audit::append(&tx, &ev, t).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_sso_user(
        &self,
        tx: &store::Tx,
        c: &StoredProvider,
        id: &Identity,
        rule: &MappingRule,
        actor: &str,
        t: chrono::DateTime<chrono::Utc>,
    ) -> Result<User> {
        let ok_name = !id.username.is_empty()
            && id.username.chars().count() <= 64
            && id.username.chars().all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '-' | '.' | '@'));
        if !ok_name {
            return Err(refused(format!(
                "身份提供方给出的用户名“{}”不能用作账号（只能含字母、数字和 _ - . @），请在身份源设置中换一个用户名字段",
                id.username.chars().take(64).collect::<String>()
            )));
        }
        let f = UserFields {
            username: id.username.clone(),
            display_name: id.display_name.as_ref().map(|n| n.chars().take(50).collect()),
            role: rule.role,
            unit_id: rule.unit_id.clone(),
            vendor_id: rule.vendor_id.clone(),
            phone: None,
            email: id.email.clone().filter(|e| e.len() <= 255 && e.contains('@')),
            active: true,
            password: None,
        };
        // A password nobody knows: the account signs in through its provider only.
        let hash = self.hash_password(sso::random_token()).await?;
        let u = store::users::insert(tx, &f, &hash, t).await.map_err(|e| match e {
            store::StoreError::Conflict(_) => expired(),
            e => e.into(),
        })?;
        if !store::sso::link(tx, &u.id, &c.id, &id.subject).await? {
            return Err(expired());
        }
        let after = serde_json::json!({"user": u, "provider": c.id, "subject": id.subject});
        let ev = AuditEntry {
            actor_id: None,
            actor_name: actor.to_string(),
            action: "create".into(),
            object_type: "user".into(),
            object_id: Some(u.id.clone()),
            before: None,
            after: Some(after),
        };
        store::audit::append(tx, &ev, t).await?;
        Ok(u)
    }

    /// Keeps a linked account's role and unit or vendor as the mapping says (the provider's
    /// groups are the source of truth), audited; never demotes the last active administrator.
    async fn follow_mapping(
        &self,
        tx: &store::Tx,
        user: User,
        rule: &MappingRule,
        actor: &str,
        t: chrono::DateTime<chrono::Utc>,
    ) -> Result<User> {
        if user.role == rule.role && user.unit_id == rule.unit_id && user.vendor_id == rule.vendor_id {
            return Ok(user);
        }
        if user.role == Role::Admin && rule.role != Role::Admin && store::users::count_active_admins(tx).await? <= 1 {
            // Neither demoted (nobody could undo it) nor let in as what the provider no longer says.
            return Err(refused("身份提供方已不再授予最后一位系统管理员该角色，请使用应急管理员账号处理"));
        }
        let f = UserFields {
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role: rule.role,
            unit_id: rule.unit_id.clone(),
            vendor_id: rule.vendor_id.clone(),
            phone: user.phone.clone(),
            email: user.email.clone(),
            active: user.active,
            password: None,
        };
        let after = store::users::update(tx, &user.id, &f, None, t).await?;
        store::sessions::delete_for_user(tx, &user.id).await?;
        let ev = AuditEntry {
            actor_id: None,
            actor_name: actor.to_string(),
            action: "update".into(),
            object_type: "user".into(),
            object_id: Some(user.id.clone()),
            before: serde_json::to_value(&user).ok(),
            after: serde_json::to_value(&after).ok(),
        };
        store::audit::append(tx, &ev, t).await?;
        Ok(after)
    }
}

/// Accounts a provider may never take over by name: administrators of any kind and accounts
/// with a second factor (linking would bypass it).
fn linkable(local: &store::users::Credentials) -> bool {
    !matches!(local.user.role, Role::Admin | Role::SecurityAdmin | Role::Auditor) && !local.second.totp_enabled
}

fn link_allowed(c: &StoredProvider) -> bool {
    c.config.get("link_by_username").and_then(Value::as_bool).unwrap_or(false)
}

fn link_event(actor: &str, u: &User, provider: &str, subject: &str) -> AuditEntry {
    AuditEntry {
        actor_id: None,
        actor_name: actor.to_string(),
        action: "sso_link".into(),
        object_type: "user".into(),
        object_id: Some(u.id.clone()),
        before: None,
        after: Some(serde_json::json!({"provider": provider, "subject": subject})),
    }
}

fn test_result(c: &StoredProvider, found: Result<Identity>) -> SsoTestResult {
    let none = |error: String, identity: Option<Identity>| SsoTestResult {
        ok: false,
        identity,
        rule: None,
        role: None,
        unit_id: None,
        vendor_id: None,
        error: Some(error),
    };
    match found {
        Err(e) => none(error_text(&e), None),
        Ok(id) => match first_match(&c.mapping, &id) {
            None => none("没有匹配的映射规则：此人将被拒绝".into(), Some(id)),
            Some((i, r)) => SsoTestResult {
                ok: true,
                rule: Some(i),
                role: Some(r.role),
                unit_id: r.unit_id.clone(),
                vendor_id: r.vendor_id.clone(),
                identity: Some(id),
                error: None,
            },
        },
    }
}

fn error_text(e: &AppError) -> String {
    match e {
        AppError::Unauthenticated(m) | AppError::Upstream(m) => m.zh.clone(),
        AppError::Internal { .. } => "服务器内部错误".into(),
        e => e.to_string(),
    }
}
