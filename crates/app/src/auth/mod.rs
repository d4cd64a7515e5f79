//! Login, sessions, the user's own password and the first administrator. What bounds sign-in
//! against floods is in `throttle.rs`.

mod password;
pub(crate) mod policy;
mod throttle;
pub mod totp;

use std::net::IpAddr;

use chrono::Duration;
use domain::audit::AuditEntry;
use domain::registry::{User, UserInput};
use domain::{FieldError, Msg, Principal};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{App, AppError, Result, wall_now};

use throttle::Busy;
pub(crate) use throttle::Throttle;
pub(crate) use throttle::address_key;
pub use throttle::{Aggregate, ThrottleConfig};

/// Longest password a sign-in checks; anything longer cannot be a stored password
/// (`domain::password::MAX_LEN` characters of up to 4 bytes) and is refused without hashing.
const MAX_PASSWORD_BYTES: usize = domain::password::MAX_LEN * 4;

/// How often a session's last-seen time is written, at most; reads in between do not write. With
/// a short idle timeout the write comes sooner, so an active user is never logged out.
const TOUCH_EVERY: Duration = Duration::seconds(60);

pub(crate) fn bad_credentials() -> AppError {
    AppError::Unauthenticated(Msg::new(
        "用户名或密码错误（连续失败多次将临时锁定账户）",
        "wrong user name or password (repeated failures lock the account for a while)",
    ))
}

fn local_login_disabled() -> AppError {
    AppError::Restricted {
        code: "local_login_disabled",
        msg: Msg::new("本系统已启用统一身份认证，请使用单点登录", "sign in through single sign-on"),
    }
}

fn session_ended() -> AppError {
    AppError::Unauthenticated(Msg::new("未登录或登录已过期，请重新登录", "not signed in, or the session has expired"))
}

/// Hashes on the blocking pool outside the bounded slots; only for the dummy hash made at start-up.
pub(crate) async fn hash_password_unbounded(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || password::hash(password.as_bytes(), &mut Vec::new()))
        .await
        .map_err(|e| AppError::internal_from("hashing task", e))?
        .map_err(|e| AppError::internal(format!("password hashing failed: {e}")))
}

pub(crate) fn busy(b: Busy) -> AppError {
    AppError::TooManyRequests { retry_after_secs: b.retry_after.as_secs_f64().ceil().max(1.0) as u64 }
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
    /// The password has expired (or an administrator reset it): the session may only change it.
    pub must_change_password: bool,
    /// The policy requires a second factor of this administrator, who has none yet: the session
    /// may only enrol one.
    pub totp_setup_required: bool,
    /// The previous sign-in and the failures since.
    pub notice: domain::security::SignInNotice,
}

/// Paths a restricted session may still use: who am I, sign out, change the password, enrol a
/// second factor.
const RESTRICTED_PATHS: [&str; 5] = [
    "/api/v1/auth/me",
    "/api/v1/auth/logout",
    "/api/v1/auth/password",
    "/api/v1/auth/totp/enroll",
    "/api/v1/auth/totp/confirm",
];

fn is_administrator(role: domain::Role) -> bool {
    matches!(role, domain::Role::Admin | domain::Role::SecurityAdmin | domain::Role::Auditor)
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

pub(crate) fn security_event(
    actor: Option<&User>,
    username: &str,
    action: &str,
    detail: serde_json::Value,
) -> AuditEntry {
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
    /// Hashes a new password in one of the bounded password-check slots.
    pub(crate) async fn hash_password(&self, password: String) -> Result<String> {
        self.throttle
            .run(move |memory| password::hash(password.as_bytes(), memory))
            .await
            .map_err(busy)?
            .map_err(|e| AppError::internal(format!("password hashing failed: {e}")))
    }

    /// Checks a password against a hash in a bounded slot; 429 when no slot came in time, noted
    /// for the audit trail under the address like any refused attempt.
    async fn check_password(&self, password: &str, hash: String, address: &str, username: &str) -> Result<bool> {
        let password = password.to_string();
        match self.throttle.run(move |memory| password::verify(password.as_bytes(), &hash, memory)).await {
            Ok(ok) => Ok(ok),
            Err(b) => {
                self.throttle.note("rate_limited", address, username, wall_now());
                Err(busy(b))
            }
        }
    }

    /// Checks the credentials; the error is the same whether or not the user exists, and whether
    /// or not the account is locked, and both cost one password check. Every attempt takes a
    /// token from the address's and the name's buckets first (429 when empty, without a
    /// check); failures are counted in the database in one statement, so parallel guesses lock
    /// the account like serial ones. Known accounts' failures and successes are audited one by
    /// one; failures for unknown names and refused attempts are aggregated per address.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        second: Option<&str>,
        from: Option<IpAddr>,
    ) -> Result<LoginOutcome> {
        let username = username.trim();
        let address = address_key(from);
        let t = wall_now();
        if let Err(b) = self.throttle.admit(&address, username) {
            self.throttle.note("rate_limited", &address, username, t);
            return Err(if b.account { bad_credentials() } else { busy(b) });
        }
        if password.len() > MAX_PASSWORD_BYTES || username.chars().count() > 64 {
            self.throttle.note("malformed", &address, username, t);
            return Err(bad_credentials());
        }
        let policy = self.security_policy().await?;
        let creds = store::users::credentials(&self.store, username).await?;
        let Some(c) = creds else {
            // The same check as for a real user, so the answer takes as long.
            self.check_password(password, (*self.dummy_hash).clone(), &address, username).await?;
            self.throttle.note("unknown_user", &address, username, t);
            return Err(bad_credentials());
        };
        let mut ok = self.check_password(password, c.password_hash.clone(), &address, username).await?;
        let t = wall_now();
        let detail = |reason: &str| serde_json::json!({"reason": reason, "address": address});
        // Refused only after the password check, so every name answers a wrong password alike
        // and the break-glass account cannot be told from the others.
        if ok && !policy.allows_local(username) {
            self.throttle.note("local_login_disabled", &address, username, t);
            return Err(local_login_disabled());
        }
        let mut reason = if ok { "inactive" } else { "wrong_password" };
        if ok && c.user.active && c.second.totp_enabled {
            let Some(code) = second.map(str::trim).filter(|s| !s.is_empty()) else {
                // The password was right: the client asks for the code and sends both again.
                return Err(totp::second_factor_error(
                    "totp_required",
                    "请输入动态验证码",
                    "enter the code from your authenticator",
                ));
            };
            let sealed = c.second.totp_secret.clone().unwrap_or_default();
            ok = self
                .check_second_factor(&c.user.id, username, &sealed, c.second.recovery_codes.as_deref(), code)
                .await?;
            reason = "wrong_totp";
        }
        if ok && c.user.active {
            let tx = self.store.begin().await?;
            let expired = policy.expired(c.second.password_changed_at, self.session_now());
            let must_change = c.second.must_change_password || expired;
            let ok_detail = serde_json::json!({"address": address, "second_factor": c.second.totp_enabled, "must_change_password": must_change});
            if let Some((token, notice)) = self.open_session(&tx, &c.user, &address, None, ok_detail, t).await? {
                if expired && !c.second.must_change_password {
                    store::users::set_password_state(&tx, &c.user.id, c.second.password_history.clone(), true).await?;
                }
                tx.commit().await?;
                self.throttle.succeeded(&address, username);
                let totp_setup_required =
                    policy.totp_required_for_admins && is_administrator(c.user.role) && !c.second.totp_enabled;
                let mut user = c.user;
                user.last_login_at = Some(t);
                return Ok(LoginOutcome {
                    token,
                    user,
                    must_change_password: must_change,
                    totp_setup_required,
                    notice,
                });
            }
            let ev = security_event(Some(&c.user), username, "login_failed", detail("locked"));
            store::audit::append(&tx, &ev, t).await?;
            tx.commit().await?;
            return Err(bad_credentials());
        }
        let tx = self.store.begin().await?;
        let mut d = detail(reason);
        if !ok {
            let until = t + Duration::minutes(i64::from(policy.lockout_minutes));
            let threshold = i32::from(policy.lockout_threshold);
            let locked_now = store::users::count_failure(&tx, &c.user.id, threshold, t, until).await?;
            if c.locked_until.is_some_and(|u| u > t) {
                d["reason"] = "locked".into();
            }
            if locked_now {
                d["locked_until"] = serde_json::to_value(until).unwrap_or_default();
            }
        }
        let locked = d.get("locked_until").is_some();
        let ev = security_event(Some(&c.user), username, "login_failed", d);
        store::audit::append(&tx, &ev, t).await?;
        tx.commit().await?;
        if locked {
            self.tell_security_admins("lockout", &format!("账户 {username} 因连续登录失败被锁定（{address}）")).await?;
        }
        if reason == "wrong_totp" {
            return Err(totp::second_factor_error("totp_invalid", "动态验证码不正确", "the code is wrong"));
        }
        Err(bad_credentials())
    }

    /// Opens a session for `user` inside `tx`: records the sign-in unless the account is locked
    /// (then `None`), reads the sign-in notice, stores the session (with the provider it came
    /// through) and audits `login` with `detail`.
    pub(crate) async fn open_session(
        &self,
        tx: &store::Tx,
        user: &User,
        address: &str,
        provider_id: Option<&str>,
        detail: serde_json::Value,
        t: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<(String, domain::security::SignInNotice)>> {
        if !store::users::record_success(tx, &user.id, t).await? {
            return Ok(None);
        }
        let (last, failed_since) = store::audit::sign_in_history(tx, &user.id).await?;
        let notice = domain::security::SignInNotice {
            last_at: last.as_ref().map(|l| l.0),
            last_address: last.and_then(|l| l.1),
            failed_since,
        };
        let token = new_token();
        store::sessions::insert(tx, &token_hash(&token), &user.id, address, provider_id, self.session_now()).await?;
        store::audit::append(tx, &security_event(Some(user), &user.username, "login", detail), t).await?;
        Ok(Some((token, notice)))
    }

    /// Writes the failed sign-ins counted in memory (unknown names, refused attempts) as one
    /// audit record per address and reason; run every minute and at shutdown.
    pub async fn flush_sign_in_events(&self) -> Result<usize> {
        let rows = self.throttle.drain();
        if rows.is_empty() {
            return Ok(0);
        }
        let n = rows.len();
        let write = async {
            let tx = self.store.begin().await?;
            for a in &rows {
                let first = a.names.iter().next().cloned().unwrap_or_default();
                let detail = serde_json::json!({
                    "reason": a.reason,
                    "address": a.address,
                    "count": a.count,
                    "first_at": a.first_at,
                    "last_at": a.last_at,
                    "usernames": a.names,
                });
                store::audit::append(&tx, &security_event(None, &first, "login_failed", detail), a.last_at).await?;
            }
            tx.commit().await?;
            Result::Ok(())
        };
        match write.await {
            Ok(()) => Ok(n),
            Err(e) => {
                self.throttle.restore(rows);
                Err(e)
            }
        }
    }

    /// Changes the caller's own password: the current one is checked like a sign-in (and a wrong
    /// one counts towards the lockout), the new one must meet the policy, and every other session
    /// of the user ends.
    pub async fn change_password(
        &self,
        p: &Principal,
        token: &str,
        current: &str,
        new: &str,
        from: Option<IpAddr>,
    ) -> Result<()> {
        let address = address_key(from);
        let t = wall_now();
        if let Err(b) = self.throttle.admit(&address, &p.username) {
            self.throttle.note("rate_limited", &address, &p.username, t);
            return Err(busy(b));
        }
        let policy = self.security_policy().await?;
        policy.check_password("new_password", new, &p.username)?;
        if new == current {
            return Err(FieldError::new(
                "new_password",
                "新密码不能与当前密码相同",
                "must differ from the current one",
            )
            .into());
        }
        let c = store::users::credentials(&self.store, &p.username).await?.ok_or_else(session_ended)?;
        let ok = current.len() <= MAX_PASSWORD_BYTES
            && self.check_password(current, c.password_hash.clone(), &address, &p.username).await?;
        if !ok {
            let tx = self.store.begin().await?;
            let until = t + Duration::minutes(i64::from(policy.lockout_minutes));
            store::users::count_failure(&tx, &c.user.id, i32::from(policy.lockout_threshold), t, until).await?;
            let detail = serde_json::json!({"reason": "wrong_password", "address": address});
            store::audit::append(&tx, &security_event(Some(&c.user), &p.username, "password_change_failed", detail), t)
                .await?;
            tx.commit().await?;
            return Err(FieldError::new("current_password", "当前密码不正确", "the current password is wrong").into());
        }
        // The history: the new password may not be one of the last n (checked like a sign-in,
        // one bounded check each).
        let mut history: Vec<String> =
            c.second.password_history.as_deref().and_then(|h| serde_json::from_str(h).ok()).unwrap_or_default();
        history.truncate(usize::from(policy.password_history));
        for old in &history {
            if self.check_password(new, old.clone(), &address, &p.username).await? {
                return Err(FieldError::new(
                    "new_password",
                    format!("不能与最近 {} 次使用过的密码相同", policy.password_history),
                    format!("must differ from the last {} passwords", policy.password_history),
                )
                .into());
            }
        }
        let hash = self.hash_password(new.to_string()).await?;
        history.insert(0, c.password_hash.clone());
        history.truncate(usize::from(policy.password_history));
        let history = (!history.is_empty()).then(|| serde_json::to_string(&history).unwrap_or_default());
        let tx = self.store.begin().await?;
        store::users::set_password(&tx, &c.user.id, &hash, t).await?;
        store::users::set_password_state(&tx, &c.user.id, history, false).await?;
        let ended = store::sessions::delete_others(&tx, &c.user.id, &token_hash(token)).await?;
        let detail = serde_json::json!({"address": address, "other_sessions_ended": ended});
        store::audit::append(&tx, &security_event(Some(&c.user), &p.username, "password_change", detail), t).await?;
        tx.commit().await?;
        self.throttle.succeeded(&address, &p.username);
        Ok(())
    }

    /// The session clock's instant (the system clock but in tests), at the stored precision.
    fn session_now(&self) -> chrono::DateTime<chrono::Utc> {
        domain::audit::truncate_micros(self.session_clock.now())
    }

    /// Resolves a bearer token or session cookie to a principal, ending sessions that were idle
    /// too long or have reached their absolute lifetime.
    pub async fn authenticate(&self, token: &str) -> Result<Principal> {
        self.authenticate_session(token).await.map(|(p, _)| p)
    }

    /// As `authenticate`, for a request to `path`: a session that must first change its
    /// password (or enrol a second factor the policy requires) may only do that.
    pub async fn authenticate_request(&self, token: &str, path: &str) -> Result<Principal> {
        let (p, restriction) = self.authenticate_session(token).await?;
        match restriction {
            Some(r) if !RESTRICTED_PATHS.contains(&path) => Err(r),
            _ => Ok(p),
        }
    }

    async fn authenticate_session(&self, token: &str) -> Result<(Principal, Option<AppError>)> {
        if token.is_empty() || token.len() > 128 {
            return Err(session_ended());
        }
        let h = token_hash(token);
        let (session, user, must_change, totp_on) =
            store::sessions::find_with_user(&self.store, &h).await?.ok_or_else(session_ended)?;
        let t = self.session_now();
        let policy = self.security_policy().await?;
        let idle = Duration::minutes(i64::from(policy.idle_timeout_minutes));
        let max = Duration::from_std(self.config.session_max).unwrap_or(Duration::hours(12));
        if t - session.last_seen_at > idle || t - session.created_at > max {
            let tx = self.store.begin().await?;
            store::sessions::delete(&tx, &h).await?;
            tx.commit().await?;
            return Err(session_ended());
        }
        if !user.active {
            return Err(session_ended());
        }
        if t - session.last_seen_at > TOUCH_EVERY.min(idle / 4) {
            let tx = self.store.begin().await?;
            store::sessions::touch(&tx, &h, t).await?;
            tx.commit().await?;
        }
        let restriction = if must_change {
            Some(AppError::Restricted {
                code: "password_change_required",
                msg: Msg::new(
                    "密码已过期或被重置，请先修改密码",
                    "your password has expired or was reset: change it first",
                ),
            })
        } else if policy.totp_required_for_admins
            && is_administrator(user.role)
            && !totp_on
            && session.provider_id.is_none()
        {
            Some(AppError::Restricted {
                code: "totp_setup_required",
                msg: Msg::new(
                    "安全策略要求管理员启用双因素认证，请先绑定",
                    "the policy requires administrators to set up a second factor first",
                ),
            })
        } else {
            None
        };
        Ok((principal_of(&user), restriction))
    }

    pub async fn logout(&self, p: &Principal, token: &str) -> Result<()> {
        let tx = self.store.begin().await?;
        store::sessions::delete(&tx, &token_hash(token)).await?;
        crate::audit::<(), ()>(&tx, p, "logout", "session", &p.user_id, None, None, wall_now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The caller's sessions, the current one marked.
    pub async fn my_sessions(&self, p: &Principal, token: &str) -> Result<Vec<domain::security::SessionInfo>> {
        let current = token_hash(token);
        Ok(store::sessions::of_user(&self.store, &p.user_id)
            .await?
            .into_iter()
            .map(|(id, created_at, last_seen_at, address)| domain::security::SessionInfo {
                current: id == current,
                id,
                created_at,
                last_seen_at,
                address,
            })
            .collect())
    }

    /// Ends one of the caller's sessions (a phone left signed in somewhere); audited.
    pub async fn revoke_session(&self, p: &Principal, id: &str) -> Result<()> {
        let tx = self.store.begin().await?;
        if !store::sessions::delete_of_user(&tx, &p.user_id, id).await? {
            return Err(AppError::NotFound);
        }
        let short: String = id.chars().take(12).collect();
        let detail = serde_json::json!({"session": short});
        crate::audit::<(), _>(&tx, p, "session_revoked", "session", &p.user_id, None, Some(&detail), wall_now())
            .await?;
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

    /// Removes sessions idle past the timeout or past their lifetime; run by a background job.
    pub async fn purge_idle_sessions(&self) -> Result<u64> {
        let idle = Duration::from_std(self.config.session_idle).unwrap_or(Duration::minutes(30));
        let max = Duration::from_std(self.config.session_max).unwrap_or(Duration::hours(12));
        let t = self.session_now();
        let tx = self.store.begin().await?;
        let n = store::sessions::delete_idle(&tx, t - idle, t - max).await?;
        tx.commit().await?;
        // Sign-ins started through a provider and never finished go the same way.
        self.purge_sso_states().await?;
        Ok(n)
    }
}
