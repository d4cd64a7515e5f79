//! The bureau's security policy (等保 2.0 level 3, application side): password rules, lockout,
//! idle timeout, the second factor and the separation of the three administrators' duties. The
//! defaults are common 等保 test practice (STANDARDS.md marks the numbers [S]: policy, not law).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Checker, FieldError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct SecurityPolicy {
    /// Shortest password (8–64).
    pub password_min_length: u16,
    /// Character classes a password needs of upper, lower, digits, symbols (3–4).
    pub password_classes: u16,
    /// Earlier passwords a new one may not repeat (0–24).
    pub password_history: u16,
    /// Days after which a password must be changed at the next sign-in (0: never; up to 365).
    pub password_expiry_days: u16,
    /// Failed sign-ins that lock an account (3–20).
    pub lockout_threshold: u16,
    /// How long a lock lasts, in minutes (1–1440).
    pub lockout_minutes: u16,
    /// Minutes without use after which a session ends (5–480).
    pub idle_timeout_minutes: u16,
    /// Administrators (all three kinds) must sign in with a second factor.
    pub totp_required_for_admins: bool,
    /// 三权分立: the system, security and audit administrators each do only their own work.
    pub separation_of_duties: bool,
    /// Whether people may sign in with a user name and password; when off, only through single
    /// sign-on, but for the break-glass administrator.
    pub local_login: bool,
    /// The one local account that may still sign in with a password when local login is off
    /// (for when the identity provider is down).
    pub break_glass_username: String,
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        SecurityPolicy {
            password_min_length: 8,
            password_classes: 3,
            password_history: 5,
            password_expiry_days: 0,
            lockout_threshold: 5,
            lockout_minutes: 15,
            idle_timeout_minutes: 30,
            totp_required_for_admins: false,
            separation_of_duties: false,
            local_login: true,
            break_glass_username: String::new(),
        }
    }
}

impl SecurityPolicy {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::default();
        let mut range = |field: &str, v: u16, lo: u16, hi: u16| {
            if !(lo..=hi).contains(&v) {
                c.push(FieldError::new(field, format!("须在 {lo} 到 {hi} 之间"), format!("must be from {lo} to {hi}")));
            }
        };
        range("password_min_length", self.password_min_length, 8, 64);
        range("password_classes", self.password_classes, 3, 4);
        range("password_history", self.password_history, 0, 24);
        range("password_expiry_days", self.password_expiry_days, 0, 365);
        range("lockout_threshold", self.lockout_threshold, 3, 20);
        range("lockout_minutes", self.lockout_minutes, 1, 1440);
        range("idle_timeout_minutes", self.idle_timeout_minutes, 5, 480);
        if self.break_glass_username.chars().count() > 64 {
            c.push(FieldError::new("break_glass_username", "最多 64 个字符", "at most 64 characters"));
        }
        if !self.local_login && self.break_glass_username.trim().is_empty() {
            c.push(FieldError::new(
                "break_glass_username",
                "关闭本地登录前须指定一个应急管理员账号",
                "name a break-glass administrator before turning local login off",
            ));
        }
        c.finish()
    }

    /// Checks a new password against the length and classes (and the user name).
    pub fn check_password(&self, field: &str, password: &str, username: &str) -> Result<(), FieldError> {
        let len = password.chars().count();
        let min = usize::from(self.password_min_length);
        if len < min {
            return Err(FieldError::new(
                field,
                format!("密码至少 {min} 位"),
                format!("must have at least {min} characters"),
            ));
        }
        crate::password::check(field, password, username)?;
        let need = usize::from(self.password_classes);
        if crate::password::classes(password) < need {
            return Err(FieldError::new(
                field,
                format!("密码须包含大写字母、小写字母、数字、特殊字符中的至少 {need} 类"),
                format!("must contain at least {need} of: upper case, lower case, digits, symbols"),
            ));
        }
        Ok(())
    }

    /// Whether `username` may sign in with a password under this policy.
    pub fn allows_local(&self, username: &str) -> bool {
        self.local_login || (!username.is_empty() && username == self.break_glass_username.trim())
    }

    /// Whether a password last changed at `changed` has expired at `now`.
    pub fn expired(&self, changed: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.password_expiry_days > 0 && now - changed >= chrono::Duration::days(i64::from(self.password_expiry_days))
    }
}

/// What enrolment in the second factor shows once: the secret for typing in, and the URL for a
/// QR code.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Enrolment {
    /// Base32, as authenticator apps take it.
    pub secret: String,
    pub otpauth_url: String,
}

/// The recovery codes, shown once when the second factor is turned on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// One of the caller's sessions, to tell apart and revoke.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionInfo {
    /// The SHA-256 of the session's token (the token itself is never stored).
    pub id: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_seen_at: chrono::DateTime<chrono::Utc>,
    /// The address it signed in from.
    pub address: Option<String>,
    /// The session making this request.
    pub current: bool,
}

/// What a sign-in tells the user about the account's use since last time (等保: login notices).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct SignInNotice {
    /// The previous successful sign-in, if any.
    pub last_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_address: Option<String>,
    /// Failed sign-ins since then.
    pub failed_since: u64,
}

/// A code from the authenticator (or a recovery code).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CodeInput {
    #[serde(default)]
    pub code: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_checks_its_ranges_and_passwords() {
        let bad = SecurityPolicy { password_min_length: 4, lockout_threshold: 0, ..Default::default() };
        let fields: Vec<String> = bad.validate().err().unwrap_or_default().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["password_min_length", "lockout_threshold"]);
        let strict = SecurityPolicy { password_min_length: 12, password_classes: 4, ..Default::default() };
        assert!(strict.check_password("p", "Yunwei@2026", "x").is_err(), "11 characters");
        assert!(strict.check_password("p", "Yunwei2026ab", "x").is_err(), "no symbol");
        assert!(strict.check_password("p", "Yunwei@2026a", "x").is_ok());
        let t = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        let ninety = SecurityPolicy { password_expiry_days: 90, ..Default::default() };
        assert!(!ninety.expired(t, t + chrono::Duration::days(89)));
        assert!(ninety.expired(t, t + chrono::Duration::days(90)));
        assert!(!SecurityPolicy::default().expired(t, t + chrono::Duration::days(9000)));
    }
}
