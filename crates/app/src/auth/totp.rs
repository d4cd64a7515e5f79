//! The second factor: TOTP (RFC 6238: SHA-1, 6 digits, 30 s, one step of skew) with ten recovery
//! codes. The secret is sealed like every secret at rest; a code is accepted once (the last
//! step is moved forward atomically), and a recovery code is used once.

use domain::security::{Enrolment, RecoveryCodes};
use domain::{FieldError, Msg, Principal};
use rand::Rng;
use sha2::{Digest, Sha256};
use totp_rs::{Builder, Totp};

use crate::{App, AppError, Result, audit, wall_now};

const ISSUER: &str = "Yunwei";
const RECOVERY_CODES: usize = 10;

fn totp(secret: Vec<u8>, account: &str) -> Result<Totp> {
    Builder::new()
        .with_secret(secret)
        .with_account_name(account.replace(':', "_"))
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|e| AppError::internal(format!("TOTP: {e}")))
}

fn hash_code(code: &str) -> String {
    let norm: String = code.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    hex::encode(Sha256::digest(norm.as_bytes()))
}

fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..RECOVERY_CODES)
        .map(|_| {
            let s: String = (0..10).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect();
            format!("{}-{}", &s[..5], &s[5..])
        })
        .collect()
}

pub(crate) fn second_factor_error(code: &'static str, zh: &str, en: &str) -> AppError {
    AppError::SecondFactor { code, msg: Msg::new(zh, en) }
}

impl App {
    /// The step a code is good for now, if it is the user's current code.
    pub(crate) fn totp_step(&self, sealed: &str, account: &str, code: &str) -> Result<Option<i64>> {
        let secret = self.secrets.open(sealed)?;
        let t = totp(secret, account)?;
        let now = u64::try_from(self.session_now().timestamp()).unwrap_or_default();
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        Ok(t.check(&code, now).and_then(|s| i64::try_from(s).ok()))
    }

    /// Checks a second factor at sign-in: a current TOTP code (each step once) or an unused
    /// recovery code (used up).
    pub(crate) async fn check_second_factor(
        &self,
        user_id: &str,
        account: &str,
        sealed: &str,
        recovery: Option<&str>,
        code: &str,
    ) -> Result<bool> {
        if let Some(step) = self.totp_step(sealed, account, code)? {
            let tx = self.store.begin().await?;
            let fresh = store::users::accept_totp_step(&tx, user_id, step).await?;
            tx.commit().await?;
            return Ok(fresh);
        }
        let Some(stored) = recovery else { return Ok(false) };
        let mut hashes: Vec<String> = serde_json::from_str(stored).unwrap_or_default();
        let h = hash_code(code);
        let Some(i) = hashes.iter().position(|x| *x == h) else { return Ok(false) };
        hashes.remove(i);
        let tx = self.store.begin().await?;
        let used = store::users::swap_recovery_codes(
            &tx,
            user_id,
            stored,
            &serde_json::to_string(&hashes).unwrap_or_default(),
        )
        .await?;
        tx.commit().await?;
        Ok(used)
    }

    /// Starts enrolment: a new secret, pending until confirmed with a code. Refused while a
    /// second factor is on (turn it off first, with a code).
    pub async fn totp_enroll(&self, p: &Principal) -> Result<Enrolment> {
        let (_, sf) = store::users::second_factor(&self.store, &p.user_id).await?.ok_or(AppError::NotFound)?;
        if sf.totp_enabled {
            return Err(AppError::conflict(
                None,
                "双因素认证已开启；如需更换，请先关闭",
                "the second factor is on; turn it off first",
            ));
        }
        let secret: [u8; 20] = rand::random();
        let t = totp(secret.to_vec(), &p.username)?;
        let url = t.to_url().map_err(|e| AppError::internal(format!("TOTP URL: {e}")))?;
        let sealed = self.secrets.seal(&secret)?;
        let tx = self.store.begin().await?;
        store::users::set_totp(&tx, &p.user_id, Some(sealed), false, None).await?;
        tx.commit().await?;
        Ok(Enrolment { secret: totp_rs::Secret::from(secret.to_vec()).to_base32(), otpauth_url: url })
    }

    /// Confirms enrolment with a current code: the second factor is on from now, and the
    /// recovery codes are shown this once.
    pub async fn totp_confirm(&self, p: &Principal, code: &str) -> Result<RecoveryCodes> {
        let (_, sf) = store::users::second_factor(&self.store, &p.user_id).await?.ok_or(AppError::NotFound)?;
        let sealed = match (&sf.totp_secret, sf.totp_enabled) {
            (Some(s), false) => s.clone(),
            (_, true) => return Err(AppError::conflict(None, "双因素认证已开启", "the second factor is already on")),
            (None, false) => {
                return Err(AppError::conflict(None, "请先开始绑定（enroll）", "start with enrol first"));
            }
        };
        let Some(step) = self.totp_step(&sealed, &p.username, code)? else {
            return Err(FieldError::new("code", "验证码不正确或已过期", "the code is wrong or has expired").into());
        };
        let codes = new_recovery_codes();
        let hashes: Vec<String> = codes.iter().map(|c| hash_code(c)).collect();
        let now = wall_now();
        let tx = self.store.begin().await?;
        store::users::set_totp(
            &tx,
            &p.user_id,
            Some(sealed),
            true,
            Some(serde_json::to_string(&hashes).unwrap_or_default()),
        )
        .await?;
        store::users::accept_totp_step(&tx, &p.user_id, step).await?;
        audit::<(), _>(&tx, p, "totp_enabled", "user", &p.user_id, None, Some(&serde_json::json!({})), now).await?;
        tx.commit().await?;
        Ok(RecoveryCodes { recovery_codes: codes })
    }

    /// Turns the second factor off with a current code (or a recovery code).
    pub async fn totp_disable(&self, p: &Principal, code: &str) -> Result<()> {
        let (_, sf) = store::users::second_factor(&self.store, &p.user_id).await?.ok_or(AppError::NotFound)?;
        let Some(sealed) = sf.totp_secret.filter(|_| sf.totp_enabled) else {
            return Err(AppError::conflict(None, "双因素认证未开启", "the second factor is not on"));
        };
        if !self.check_second_factor(&p.user_id, &p.username, &sealed, sf.recovery_codes.as_deref(), code).await? {
            return Err(FieldError::new("code", "验证码不正确或已过期", "the code is wrong or has expired").into());
        }
        let now = wall_now();
        let tx = self.store.begin().await?;
        store::users::set_totp(&tx, &p.user_id, None, false, None).await?;
        audit::<(), _>(&tx, p, "totp_disabled", "user", &p.user_id, None, Some(&serde_json::json!({})), now).await?;
        tx.commit().await?;
        self.tell_security_admins("totp_disabled", &format!("{} 关闭了双因素认证", p.username)).await?;
        Ok(())
    }
}
