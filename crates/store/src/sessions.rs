//! Login sessions, stored by the SHA-256 of their token so a database leak yields no live token.

use chrono::{DateTime, Utc};
use domain::registry::User;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, Set};

use crate::entities::{sessions, users};
use crate::{Conn, Result, Tx};

#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub user_id: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The identity provider it signed in through, if any.
    pub provider_id: Option<String>,
}

/// A new session; `provider_id` when it came through single sign-on.
pub async fn insert(
    tx: &Tx,
    token_hash: &str,
    user_id: &str,
    address: &str,
    provider_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    sessions::ActiveModel {
        token_hash: Set(token_hash.to_string()),
        user_id: Set(user_id.to_string()),
        created_at: Set(now),
        last_seen_at: Set(now),
        address: Set(Some(address.chars().take(64).collect())),
        provider_id: Set(provider_id.map(str::to_string)),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

/// The session and its user in one query (every authenticated request asks this first), with whether the user must change their password first and
/// whether their second factor is on.
pub async fn find_with_user(c: &impl Conn, token_hash: &str) -> Result<Option<(Session, User, bool, bool)>> {
    let owner = sessions::Entity::belongs_to(users::Entity).from(sessions::Column::UserId).to(users::Column::Id).into();
    let row = sessions::Entity::find_by_id(token_hash.to_string())
        .join(JoinType::InnerJoin, owner)
        .select_also(users::Entity)
        .one(c.conn())
        .await?;
    let Some((m, Some(u))) = row else { return Ok(None) };
    let session = Session {
        token_hash: m.token_hash,
        user_id: m.user_id,
        created_at: m.created_at,
        last_seen_at: m.last_seen_at,
        provider_id: m.provider_id,
    };
    let (must_change, totp_on) = (u.must_change_password, u.totp_enabled);
    Ok(Some((session, crate::users::to_domain(c, u)?, must_change, totp_on)))
}

/// A user's sessions, most recently used first: (token hash, created, last seen, address).
pub async fn of_user(
    c: &impl Conn,
    user_id: &str,
) -> Result<Vec<(String, DateTime<Utc>, DateTime<Utc>, Option<String>)>> {
    use sea_orm::QueryOrder;
    let rows = sessions::Entity::find()
        .filter(sessions::Column::UserId.eq(user_id))
        .order_by_desc(sessions::Column::LastSeenAt)
        .limit(200)
        .all(c.conn())
        .await?;
    Ok(rows.into_iter().map(|m| (m.token_hash, m.created_at, m.last_seen_at, m.address)).collect())
}

/// Ends one of a user's sessions; false when the user has no such session.
pub async fn delete_of_user(tx: &Tx, user_id: &str, token_hash: &str) -> Result<bool> {
    let r = sessions::Entity::delete_many()
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::TokenHash.eq(token_hash))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected > 0)
}

pub async fn touch(tx: &Tx, token_hash: &str, now: DateTime<Utc>) -> Result<()> {
    sessions::Entity::update_many()
        .col_expr(sessions::Column::LastSeenAt, sea_orm::sea_query::Expr::value(now))
        .filter(sessions::Column::TokenHash.eq(token_hash))
        .exec(tx.conn())
        .await?;
    Ok(())
}

pub async fn delete(tx: &Tx, token_hash: &str) -> Result<bool> {
    let r = sessions::Entity::delete_by_id(token_hash.to_string()).exec(tx.conn()).await?;
    Ok(r.rows_affected > 0)
}

/// Ends every session of a user (password change, deactivation, deletion).
pub async fn delete_for_user(tx: &Tx, user_id: &str) -> Result<u64> {
    let r = sessions::Entity::delete_many().filter(sessions::Column::UserId.eq(user_id)).exec(tx.conn()).await?;
    Ok(r.rows_affected)
}

/// Ends every session of a user but one (the user changed their own password in it).
pub async fn delete_others(tx: &Tx, user_id: &str, keep_token_hash: &str) -> Result<u64> {
    let r = sessions::Entity::delete_many()
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::TokenHash.ne(keep_token_hash))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected)
}

/// Removes sessions idle since before `idle_cutoff` or created before `created_cutoff`.
pub async fn delete_idle(tx: &Tx, idle_cutoff: DateTime<Utc>, created_cutoff: DateTime<Utc>) -> Result<u64> {
    let r = sessions::Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(sessions::Column::LastSeenAt.lt(idle_cutoff))
                .add(sessions::Column::CreatedAt.lt(created_cutoff)),
        )
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected)
}

/// Ends every session that came through a provider (the provider was disabled).
pub async fn delete_for_provider(tx: &Tx, provider_id: &str) -> Result<u64> {
    let r =
        sessions::Entity::delete_many().filter(sessions::Column::ProviderId.eq(provider_id)).exec(tx.conn()).await?;
    Ok(r.rows_affected)
}
