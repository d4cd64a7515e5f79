//! The bureau's security policy, kept in `settings` and cached for a few seconds (it is read on
//! every request for the idle timeout); a change reaches other servers within that time.

use std::time::{Duration, Instant};

use domain::security::SecurityPolicy;
use domain::{Principal, Role};

use crate::{App, AppError, Result, audit, wall_now};

const KEY: &str = "security_policy";
const FRESH_FOR: Duration = Duration::from_secs(10);

/// The stored policy as `conn` sees it (inside a transaction: its own view), uncached.
pub(crate) async fn stored_policy(conn: &impl store::Conn) -> Result<Option<SecurityPolicy>> {
    match store::approvals::setting(conn, KEY).await? {
        Some(v) => {
            serde_json::from_value(v).map(Some).map_err(|_| AppError::internal("the stored security policy is corrupt"))
        }
        None => Ok(None),
    }
}

/// The cached policy and when it was read.
pub(crate) type PolicyCache = std::sync::Arc<std::sync::Mutex<Option<(Instant, SecurityPolicy)>>>;

fn no_provider() -> AppError {
    AppError::Validation(vec![domain::FieldError::new(
        "local_login",
        "关闭本地登录前须先启用一个单点登录身份源",
        "enable a single sign-on provider before turning local login off",
    )])
}

impl App {
    /// The policy in force: the bureau's, else the defaults with the server's configured lockout
    /// and idle timeout.
    pub async fn security_policy(&self) -> Result<SecurityPolicy> {
        if let Ok(c) = self.policy_cache.lock()
            && let Some((at, p)) = c.as_ref()
            && at.elapsed() < FRESH_FOR
        {
            return Ok(p.clone());
        }
        let p = match stored_policy(&self.store).await? {
            Some(p) => p,
            None => self.default_policy(),
        };
        if let Ok(mut c) = self.policy_cache.lock() {
            *c = Some((Instant::now(), p.clone()));
        }
        Ok(p)
    }

    fn default_policy(&self) -> SecurityPolicy {
        let minutes = |d: Duration| u16::try_from(d.as_secs() / 60).unwrap_or(u16::MAX);
        SecurityPolicy {
            lockout_threshold: u16::try_from(self.config.lockout_threshold).unwrap_or(5),
            lockout_minutes: minutes(self.config.lockout_duration).max(1),
            idle_timeout_minutes: minutes(self.config.session_idle).max(1),
            ..SecurityPolicy::default()
        }
    }

    /// Who may set the policy: the security administrator, and the system administrator while
    /// duties are not separated.
    pub(crate) fn may_manage_security(&self, p: &Principal, policy: &SecurityPolicy) -> bool {
        p.role == Role::SecurityAdmin || (p.role == Role::Admin && !policy.separation_of_duties)
    }

    pub async fn put_security_policy(&self, p: &Principal, next: SecurityPolicy) -> Result<SecurityPolicy> {
        let old = self.security_policy().await?;
        if !self.may_manage_security(p, &old) {
            return Err(AppError::Forbidden);
        }
        next.validate().map_err(AppError::Validation)?;
        if next.separation_of_duties && !old.separation_of_duties {
            self.check_three_administrators().await?;
        }
        if !next.local_login {
            self.check_break_glass(&next).await?;
        }
        let now = wall_now();
        let tx = self.store.begin().await?;
        if !next.local_login && store::sso::enabled_others_locked(&tx, None).await? == 0 {
            return Err(no_provider());
        }
        let value = serde_json::to_value(&next).unwrap_or_default();
        store::approvals::put_setting(&tx, KEY, &value, now).await?;
        audit(&tx, p, "update", "security_policy", KEY, Some(&old), Some(&next), now).await?;
        tx.commit().await?;
        if let Ok(mut c) = self.policy_cache.lock() {
            *c = Some((Instant::now(), next.clone()));
        }
        self.tell_security_admins("policy_changed", &format!("{} 修改了安全策略", p.username)).await?;
        Ok(next)
    }

    /// Separating duties needs an active security and audit administrator, or nobody could
    /// manage accounts or read the audit afterwards.
    async fn check_three_administrators(&self) -> Result<()> {
        for (role, zh, en) in [
            (Role::SecurityAdmin, "安全管理员", "security administrator"),
            (Role::Auditor, "审计管理员", "audit administrator"),
        ] {
            if store::users::active_ids_by_role(&self.store, role, None, None).await?.is_empty() {
                return Err(AppError::Validation(vec![domain::FieldError::new(
                    "separation_of_duties",
                    format!("开启三权分立前须先有一个启用的{zh}账号"),
                    format!("needs an active {en} account first"),
                )]));
            }
        }
        Ok(())
    }

    /// Local login may only go off with a way back in: an active break-glass administrator with
    /// a password, and an enabled identity provider for everyone else.
    async fn check_break_glass(&self, next: &SecurityPolicy) -> Result<()> {
        let field =
            |zh: &str, en: &str| AppError::Validation(vec![domain::FieldError::new("break_glass_username", zh, en)]);
        let c = store::users::credentials(&self.store, next.break_glass_username.trim()).await?;
        match c {
            Some(c) if c.user.active && matches!(c.user.role, Role::Admin | Role::SecurityAdmin) => {}
            _ => {
                return Err(field(
                    "应急账号须为启用的系统管理员或安全管理员",
                    "must be an active system or security administrator",
                ));
            }
        }
        if !store::sso::list(&self.store).await?.iter().any(|p| p.enabled) {
            return Err(no_provider());
        }
        Ok(())
    }

    /// A security-relevant event reaches the security administrators (in the bell, and through
    /// their channels).
    pub(crate) async fn tell_security_admins(&self, kind: &str, text: &str) -> Result<()> {
        let mut users = store::users::active_ids_by_role(&self.store, Role::SecurityAdmin, None, None).await?;
        if users.is_empty() {
            users = store::users::active_ids_by_role(&self.store, Role::Admin, None, None).await?;
        }
        let title = domain::Msg::new(format!("安全事件：{text}"), format!("Security event: {text}"));
        let body = domain::Msg::new(kind, kind);
        let notice = store::notifications::Notice {
            ticket_id: None,
            kind: "security",
            title: &title,
            body: &body,
            urgent: false,
        };
        let tx = self.store.begin().await?;
        store::notifications::add(&tx, &users, &notice, wall_now()).await?;
        tx.commit().await?;
        Ok(())
    }
}
