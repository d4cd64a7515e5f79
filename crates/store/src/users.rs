//! Users (all roles) and their certificates.

use chrono::{DateTime, Utc};
use domain::list::{ListQuery, Page};
use domain::registry::lists::users::UserFilter;
use domain::registry::{Certificate, CertificateFields, User, UserFields};
use domain::{Role, Scope};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};

use crate::entities::{certificates, users};
use crate::scope::by_scope;
use crate::{Conn, Result, StoreError, Tx, corrupt, list};

/// What login needs beyond the public user.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub failed_logins: i32,
    pub locked_until: Option<DateTime<Utc>>,
    pub second: SecondFactor,
}

/// A user's second factor and password state, as sign-in reads them.
#[derive(Debug, Clone, Default)]
pub struct SecondFactor {
    /// The sealed TOTP secret (pending until `totp_enabled`).
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    /// Hashes of the unused recovery codes, as stored (JSON).
    pub recovery_codes: Option<String>,
    /// Recent password hashes, newest first (JSON).
    pub password_history: Option<String>,
    pub password_changed_at: DateTime<Utc>,
    pub must_change_password: bool,
}

pub(crate) fn to_domain(c: &impl Conn, m: users::Model) -> Result<User> {
    let phone = c.fields().open(m.phone, "users.phone")?;
    Ok(User {
        role: Role::parse(&m.role).ok_or_else(|| corrupt("users.role", &m.role))?,
        id: m.id,
        username: m.username,
        display_name: m.display_name,
        unit_id: m.unit_id,
        vendor_id: m.vendor_id,
        phone,
        email: m.email,
        active: m.active,
        created_at: m.created_at,
        updated_at: m.updated_at,
        last_login_at: m.last_login_at,
        totp_enabled: m.totp_enabled,
        sso_provider_id: m.sso_provider_id,
    })
}

fn visible(scope: &Scope) -> Condition {
    by_scope(
        scope,
        |u| Condition::all().add(users::Column::UnitId.eq(u)),
        |v| Condition::all().add(users::Column::VendorId.eq(v)),
    )
}

pub async fn get(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<User>> {
    let m = users::Entity::find_by_id(id.to_string()).filter(visible(scope)).one(c.conn()).await?;
    m.map(|m| to_domain(c, m)).transpose()
}

/// The users among `ids`, by id (missing ones left out).
pub async fn many(c: &impl Conn, ids: &[String]) -> Result<std::collections::HashMap<String, User>> {
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(crate::IN_CHUNK) {
        for m in users::Entity::find().filter(users::Column::Id.is_in(chunk.iter().cloned())).all(c.conn()).await? {
            let u = to_domain(c, m)?;
            out.insert(u.id.clone(), u);
        }
    }
    Ok(out)
}

/// How a person is named on screen (`domain::registry::shown_name`).
pub(crate) fn shown_name(m: &users::Model) -> String {
    domain::registry::shown_name(m.display_name.as_deref(), &m.username)
}

/// `shown_name` of each of `ids`, by id.
pub async fn display_names(c: &impl Conn, ids: &[String]) -> Result<std::collections::HashMap<String, String>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows = users::Entity::find().filter(users::Column::Id.is_in(ids.iter().cloned())).all(c.conn()).await?;
    Ok(rows.into_iter().map(|m| (m.id.clone(), shown_name(&m))).collect())
}

pub async fn list(c: &impl Conn, scope: &Scope, q: &ListQuery, f: &UserFilter) -> Result<Page<User>> {
    let select = users::Entity::find()
        .filter(visible(scope))
        .filter(list::eq_opt(users::Column::Role, &f.role))
        .filter(list::eq_opt(users::Column::UnitId, &f.unit_id))
        .filter(list::eq_opt(users::Column::VendorId, &f.vendor_id))
        .filter(list::search(&[users::Column::Username, users::Column::DisplayName], q.q.as_deref()));
    let sort = match q.sort.as_deref() {
        Some("display_name") => users::Column::DisplayName,
        Some("role") => users::Column::Role,
        Some("created_at") => users::Column::CreatedAt,
        Some("last_login_at") => users::Column::LastLoginAt,
        _ => users::Column::Username,
    };
    let (rows, total) = list::page(c.conn(), select, q, sort, users::Column::Id).await?;
    let items = rows.into_iter().map(|m| to_domain(c, m)).collect::<Result<Vec<_>>>()?;
    Ok(Page { items, total, page: q.page, page_size: q.page_size })
}

pub async fn credentials(c: &impl Conn, username: &str) -> Result<Option<Credentials>> {
    let Some(m) = users::Entity::find().filter(users::Column::Username.eq(username)).one(c.conn()).await? else {
        return Ok(None);
    };
    credentials_of(c, m).map(Some)
}

/// A stored user's credentials.
pub(crate) fn credentials_of(c: &impl Conn, m: users::Model) -> Result<Credentials> {
    let (password_hash, failed_logins, locked_until) = (m.password_hash.clone(), m.failed_logins, m.locked_until);
    let second = second_of(&m);
    Ok(Credentials { user: to_domain(c, m)?, password_hash, failed_logins, locked_until, second })
}

fn second_of(m: &users::Model) -> SecondFactor {
    SecondFactor {
        totp_secret: m.totp_secret.clone(),
        totp_enabled: m.totp_enabled,
        recovery_codes: m.recovery_codes.clone(),
        password_history: m.password_history.clone(),
        password_changed_at: m.password_changed_at,
        must_change_password: m.must_change_password,
    }
}

/// A user's second factor by id.
pub async fn second_factor(c: &impl Conn, id: &str) -> Result<Option<(User, SecondFactor)>> {
    let Some(m) = users::Entity::find_by_id(id.to_string()).one(c.conn()).await? else { return Ok(None) };
    let second = second_of(&m);
    Ok(Some((to_domain(c, m)?, second)))
}

/// Sets the TOTP secret (sealed), whether it is on and the recovery codes' hashes; clears the
/// last accepted step.
pub async fn set_totp(
    tx: &Tx,
    id: &str,
    secret: Option<String>,
    enabled: bool,
    recovery: Option<String>,
) -> Result<()> {
    use sea_orm::sea_query::Expr;
    users::Entity::update_many()
        .col_expr(users::Column::TotpSecret, Expr::value(secret))
        .col_expr(users::Column::TotpEnabled, Expr::value(enabled))
        .col_expr(users::Column::TotpLastStep, Expr::value(Option::<i64>::None))
        .col_expr(users::Column::RecoveryCodes, Expr::value(recovery))
        .filter(users::Column::Id.eq(id))
        .exec(tx.conn())
        .await?;
    Ok(())
}

/// Every stored TOTP secret (sealed), by user: re-sealed when the suite changes.
pub async fn sealed_totp_secrets(c: &impl Conn) -> Result<Vec<(String, String)>> {
    let rows = users::Entity::find().filter(users::Column::TotpSecret.is_not_null()).all(c.conn()).await?;
    Ok(rows.into_iter().filter_map(|m| m.totp_secret.map(|s| (m.id, s))).collect())
}

/// Replaces a user's sealed TOTP secret (the same secret, sealed again).
pub async fn set_totp_secret(tx: &Tx, id: &str, sealed: &str) -> Result<()> {
    use sea_orm::sea_query::Expr;
    users::Entity::update_many()
        .col_expr(users::Column::TotpSecret, Expr::value(Some(sealed.to_string())))
        .filter(users::Column::Id.eq(id))
        .exec(tx.conn())
        .await?;
    Ok(())
}

/// Accepts TOTP time step `step` once: true when no later or equal step was accepted before (one
/// atomic update, so a code replayed in parallel is accepted once).
pub async fn accept_totp_step(tx: &Tx, id: &str, step: i64) -> Result<bool> {
    use sea_orm::sea_query::Expr;
    let r = users::Entity::update_many()
        .col_expr(users::Column::TotpLastStep, Expr::value(Some(step)))
        .filter(users::Column::Id.eq(id))
        .filter(
            sea_orm::Condition::any()
                .add(users::Column::TotpLastStep.is_null())
                .add(users::Column::TotpLastStep.lt(step)),
        )
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

/// Replaces the recovery codes if they are still `old` (a code is used once, even in parallel).
pub async fn swap_recovery_codes(tx: &Tx, id: &str, old: &str, new: &str) -> Result<bool> {
    use sea_orm::sea_query::Expr;
    let r = users::Entity::update_many()
        .col_expr(users::Column::RecoveryCodes, Expr::value(Some(new.to_string())))
        .filter(users::Column::Id.eq(id))
        .filter(users::Column::RecoveryCodes.eq(old))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

/// Keeps the recent password hashes and whether a change is due before anything else.
pub async fn set_password_state(tx: &Tx, id: &str, history: Option<String>, must_change: bool) -> Result<()> {
    use sea_orm::sea_query::Expr;
    users::Entity::update_many()
        .col_expr(users::Column::PasswordHistory, Expr::value(history))
        .col_expr(users::Column::MustChangePassword, Expr::value(must_change))
        .filter(users::Column::Id.eq(id))
        .exec(tx.conn())
        .await?;
    Ok(())
}

pub async fn count(c: &impl Conn) -> Result<u64> {
    Ok(users::Entity::find().count(c.conn()).await?)
}

/// Counts the active administrators inside `tx`, holding off any other transaction that would
/// change one until `tx` ends — so two concurrent demotions cannot both see "one more left".
pub async fn count_active_admins(tx: &Tx) -> Result<u64> {
    crate::dialect::lock(tx.conn(), crate::dialect::LOCK_ADMINS).await?;
    Ok(users::Entity::find()
        .filter(users::Column::Role.eq(Role::Admin.as_str()))
        .filter(users::Column::Active.eq(true))
        .count(tx.conn())
        .await?)
}

pub async fn insert(tx: &Tx, f: &UserFields, password_hash: &str, now: DateTime<Utc>) -> Result<User> {
    let m = users::ActiveModel {
        id: Set(crate::new_id()),
        username: Set(f.username.clone()),
        display_name: Set(f.display_name.clone()),
        role: Set(f.role.as_str().to_string()),
        unit_id: Set(f.unit_id.clone()),
        vendor_id: Set(f.vendor_id.clone()),
        phone: Set(tx.fields().seal(f.phone.as_deref())?),
        email: Set(f.email.clone()),
        active: Set(f.active),
        password_hash: Set(password_hash.to_string()),
        failed_logins: Set(0),
        locked_until: Set(None),
        password_changed_at: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
        last_login_at: Set(None),
        totp_secret: Set(None),
        totp_enabled: Set(false),
        totp_last_step: Set(None),
        recovery_codes: Set(None),
        password_history: Set(None),
        must_change_password: Set(false),
        sso_provider_id: Set(None),
        sso_subject: Set(None),
    };
    to_domain(tx, m.insert(tx.conn()).await?)
}

/// Updates the profile; a new password hash, when given, also clears any lockout.
pub async fn update(
    tx: &Tx,
    id: &str,
    f: &UserFields,
    password_hash: Option<&str>,
    now: DateTime<Utc>,
) -> Result<User> {
    let existing = users::Entity::find_by_id(id.to_string()).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
    let mut m: users::ActiveModel = existing.into();
    m.username = Set(f.username.clone());
    m.display_name = Set(f.display_name.clone());
    m.role = Set(f.role.as_str().to_string());
    m.unit_id = Set(f.unit_id.clone());
    m.vendor_id = Set(f.vendor_id.clone());
    m.phone = Set(tx.fields().seal(f.phone.as_deref())?);
    m.email = Set(f.email.clone());
    m.active = Set(f.active);
    if let Some(h) = password_hash {
        m.password_hash = Set(h.to_string());
        m.password_changed_at = Set(now);
        m.failed_logins = Set(0);
        m.locked_until = Set(None);
    }
    m.updated_at = Set(now);
    to_domain(tx, m.update(tx.conn()).await?)
}

pub async fn delete(tx: &Tx, id: &str) -> Result<()> {
    let r = users::Entity::delete_by_id(id.to_string()).exec(tx.conn()).await?;
    if r.rows_affected == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Counts a failed login in one statement, so parallel guesses cannot overwrite each other's
/// count: the `threshold`th failure in a row locks the account until `until` and starts the count
/// again; while the account is locked, failures are not counted. Returns whether this failure
/// locked it.
pub async fn count_failure(
    tx: &Tx,
    id: &str,
    threshold: i32,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool> {
    use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait};
    let locked = || Expr::col(users::Column::LockedUntil).gt(now);
    let reaching = || Expr::col(users::Column::FailedLogins).add(1).gte(threshold);
    let count = CaseStatement::new()
        .case(locked(), Expr::col(users::Column::FailedLogins))
        .case(reaching(), Expr::val(0))
        .finally(Expr::col(users::Column::FailedLogins).add(1));
    let lock = CaseStatement::new()
        .case(locked(), Expr::col(users::Column::LockedUntil))
        .case(reaching(), Expr::val(until))
        .finally(Expr::col(users::Column::LockedUntil));
    users::Entity::update_many()
        .col_expr(users::Column::FailedLogins, count.into())
        .col_expr(users::Column::LockedUntil, lock.into())
        .filter(users::Column::Id.eq(id))
        .exec(tx.conn())
        .await?;
    let m = users::Entity::find_by_id(id.to_string()).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
    Ok(m.locked_until == Some(until))
}

/// Records a successful login unless the account is locked at `now` (a lock set by a parallel
/// failure wins). Returns whether the login was recorded.
pub async fn record_success(tx: &Tx, id: &str, now: DateTime<Utc>) -> Result<bool> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    let r = users::Entity::update_many()
        .col_expr(users::Column::FailedLogins, Expr::value(0))
        .col_expr(users::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(users::Column::LastLoginAt, Expr::value(Some(now)))
        .filter(users::Column::Id.eq(id))
        .filter(
            sea_orm::Condition::any()
                .add(users::Column::LockedUntil.is_null())
                .add(Expr::col(users::Column::LockedUntil).lte(now)),
        )
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

/// Replaces a user's password hash (the user changing their own password).
pub async fn set_password(tx: &Tx, id: &str, password_hash: &str, now: DateTime<Utc>) -> Result<()> {
    let m = users::ActiveModel {
        id: sea_orm::Unchanged(id.to_string()),
        password_hash: Set(password_hash.to_string()),
        updated_at: Set(now),
        ..Default::default()
    };
    m.update(tx.conn()).await?;
    Ok(())
}

fn cert_to_domain(m: certificates::Model) -> Certificate {
    Certificate {
        id: m.id,
        user_id: m.user_id,
        name: m.name,
        number: m.number,
        issuer: m.issuer,
        issued_on: m.issued_on,
        expires_on: m.expires_on,
    }
}

pub async fn certificates(c: &impl Conn, user_id: &str) -> Result<Vec<Certificate>> {
    let rows = certificates::Entity::find()
        .filter(certificates::Column::UserId.eq(user_id))
        .order_by_asc(certificates::Column::Name)
        .order_by_asc(certificates::Column::Id)
        .all(c.conn())
        .await?;
    Ok(rows.into_iter().map(cert_to_domain).collect())
}

pub async fn certificate(c: &impl Conn, user_id: &str, id: &str) -> Result<Option<Certificate>> {
    let m = certificates::Entity::find_by_id(id.to_string())
        .filter(certificates::Column::UserId.eq(user_id))
        .one(c.conn())
        .await?;
    Ok(m.map(cert_to_domain))
}

pub async fn put_certificate(tx: &Tx, user_id: &str, id: Option<&str>, f: &CertificateFields) -> Result<Certificate> {
    let mut m = certificates::ActiveModel {
        id: Set(crate::new_id()),
        user_id: Set(user_id.to_string()),
        name: Set(f.name.clone()),
        number: Set(f.number.clone()),
        issuer: Set(f.issuer.clone()),
        issued_on: Set(f.issued_on),
        expires_on: Set(f.expires_on),
    };
    let saved = match id {
        None => m.insert(tx.conn()).await?,
        Some(id) => {
            certificate(tx, user_id, id).await?.ok_or(StoreError::NotFound)?;
            m.id = sea_orm::Unchanged(id.to_string());
            m.update(tx.conn()).await?
        }
    };
    Ok(cert_to_domain(saved))
}

pub async fn delete_certificate(tx: &Tx, user_id: &str, id: &str) -> Result<()> {
    let r = certificates::Entity::delete_many()
        .filter(certificates::Column::Id.eq(id))
        .filter(certificates::Column::UserId.eq(user_id))
        .exec(tx.conn())
        .await?;
    if r.rows_affected == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Ids of the active users with `role`, bound to `unit_id` / `vendor_id` when given (the
/// recipients of a notification addressed to a role).
pub async fn active_ids_by_role(
    c: &impl Conn,
    role: Role,
    unit_id: Option<&str>,
    vendor_id: Option<&str>,
) -> Result<Vec<String>> {
    use sea_orm::QuerySelect;
    let mut s = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(users::Column::Role.eq(role.as_str()))
        .filter(users::Column::Active.eq(true));
    if let Some(u) = unit_id {
        s = s.filter(users::Column::UnitId.eq(u));
    }
    if let Some(v) = vendor_id {
        s = s.filter(users::Column::VendorId.eq(v));
    }
    Ok(s.limit(1000).into_tuple().all(c.conn()).await?)
}
