//! Login, sessions and the first administrator.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::Duration;
use domain::audit::AuditEntry;
use domain::registry::{User, UserInput};
use domain::{Msg, Principal};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{App, AppError, Result, now};

/// How often a session's last-seen time is written, at most; reads in between do not write. With
/// a short idle timeout the write comes sooner, so an active user is never logged out.
const TOUCH_EVERY: Duration = Duration::seconds(60);

fn bad_credentials() -> AppError {
    AppError::Unauthenticated(Msg::new(
        "用户名或密码错误（连续失败多次将临时锁定账户）",
        "wrong user name or password (repeated failures lock the account for a while)",
    ))
}

fn session_ended() -> AppError {
    AppError::Unauthenticated(Msg::new("未登录或登录已过期，请重新登录", "not signed in, or the session has expired"))
}

pub(crate) async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
    })
    .await
    .unwrap_or(false)
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A successful login: the bearer token (also set as the session cookie) and who logged in.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    pub token: String,
    pub user: User,
}

fn principal_of(u: &User) -> Principal {
    Principal {
        user_id: u.id.clone(),
        username: u.username.clone(),
        role: u.role,
        unit_id: u.unit_id.clone(),
        vendor_id: u.vendor_id.clone(),
    }
}

fn security_event(actor: Option<&User>, username: &str, action: &str, detail: serde_json::Value) -> AuditEntry {
    AuditEntry {
        actor_id: actor.map(|u| u.id.clone()),
        actor_name: username.chars().take(64).collect(),
        action: action.to_string(),
        object_type: "session".into(),
        object_id: actor.map(|u| u.id.clone()),
        before: None,
        after: Some(detail),
    }
}

impl App {
    /// Checks the credentials; the error is the same whether or not the user exists, and whether
    /// or not the account is locked. Failures and successes are audited.
    pub async fn login(&self, username: &str, password: &str) -> Result<LoginOutcome> {
        let username = username.trim();
        let creds = store::users::credentials(&self.store, username).await?;
        let Some(c) = creds else {
            verify_password(password.to_string(), (*self.dummy_hash).clone()).await;
            self.log_security(security_event(
                None,
                username,
                "login_failed",
                serde_json::json!({"reason": "unknown_user"}),
            ))
            .await?;
            return Err(bad_credentials());
        };
        let t = now();
        let locked = c.locked_until.is_some_and(|until| until > t);
        let ok = verify_password(password.to_string(), c.password_hash.clone()).await;
        if !ok || locked || !c.user.active {
            let reason = if locked {
                "locked"
            } else if !c.user.active {
                "inactive"
            } else {
                "wrong_password"
            };
            let tx = self.store.begin().await?;
            if !ok && !locked {
                let failed = c.failed_logins + 1;
                let lock = (failed >= self.config.lockout_threshold)
                    .then(|| t + Duration::from_std(self.config.lockout_duration).unwrap_or(Duration::minutes(15)));
                store::users::record_failure(&tx, &c.user.id, if lock.is_some() { 0 } else { failed }, lock).await?;
            }
            let ev = security_event(Some(&c.user), username, "login_failed", serde_json::json!({"reason": reason}));
            store::audit::append(&tx, &ev, t).await?;
            tx.commit().await?;
            return Err(bad_credentials());
        }
        let token = new_token();
        let tx = self.store.begin().await?;
        store::sessions::insert(&tx, &token_hash(&token), &c.user.id, t).await?;
        store::users::record_success(&tx, &c.user.id, t).await?;
        store::audit::append(&tx, &security_event(Some(&c.user), username, "login", serde_json::json!({})), t).await?;
        tx.commit().await?;
        let mut user = c.user;
        user.last_login_at = Some(t);
        Ok(LoginOutcome { token, user })
    }

    async fn log_security(&self, e: AuditEntry) -> Result<()> {
        let tx = self.store.begin().await?;
        store::audit::append(&tx, &e, now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Resolves a bearer token or session cookie to a principal, ending idle sessions.
    pub async fn authenticate(&self, token: &str) -> Result<Principal> {
        if token.is_empty() || token.len() > 128 {
            return Err(session_ended());
        }
        let h = token_hash(token);
        let session = store::sessions::find(&self.store, &h).await?.ok_or_else(session_ended)?;
        let t = now();
        let idle = Duration::from_std(self.config.session_idle).unwrap_or(Duration::minutes(30));
        if t - session.last_seen_at > idle {
            let tx = self.store.begin().await?;
            store::sessions::delete(&tx, &h).await?;
            tx.commit().await?;
            return Err(session_ended());
        }
        let user =
            store::users::get(&self.store, &domain::Scope::All, &session.user_id).await?.ok_or_else(session_ended)?;
        if !user.active {
            return Err(session_ended());
        }
        if t - session.last_seen_at > TOUCH_EVERY.min(idle / 4) {
            let tx = self.store.begin().await?;
            store::sessions::touch(&tx, &h, t).await?;
            tx.commit().await?;
        }
        Ok(principal_of(&user))
    }

    pub async fn logout(&self, p: &Principal, token: &str) -> Result<()> {
        let tx = self.store.begin().await?;
        store::sessions::delete(&tx, &token_hash(token)).await?;
        crate::audit::<(), ()>(&tx, p, "logout", "session", &p.user_id, None, None, now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The caller's own account.
    pub async fn me(&self, p: &Principal) -> Result<User> {
        store::users::get(&self.store, &domain::Scope::All, &p.user_id).await?.ok_or(AppError::NotFound)
    }

    /// Creates the first administrator when no user exists yet. Returns whether one was created.
    pub async fn bootstrap_admin(&self, username: &str, password: &str) -> Result<bool> {
        if store::users::count(&self.store).await? > 0 {
            return Ok(false);
        }
        let input = UserInput {
            username: Some(username.to_string()),
            role: Some("admin".into()),
            display_name: Some("系统管理员".into()),
            password: Some(password.to_string()),
            ..Default::default()
        };
        self.create_user(&crate::system_principal(), input).await?;
        Ok(true)
    }

    pub async fn has_users(&self) -> Result<bool> {
        Ok(store::users::count(&self.store).await? > 0)
    }

    /// Removes sessions idle past the timeout; run by a background job.
    pub async fn purge_idle_sessions(&self) -> Result<u64> {
        let idle = Duration::from_std(self.config.session_idle).unwrap_or(Duration::minutes(30));
        let tx = self.store.begin().await?;
        let n = store::sessions::delete_idle(&tx, now() - idle).await?;
        tx.commit().await?;
        Ok(n)
    }
}
