//! Single sign-on: identity providers (secrets arrive encrypted, kept in their own column), the
//! pending browser sign-ins by `state`, and accounts' links to a provider subject.

use chrono::{DateTime, Utc};
use domain::sso::{MappingRule, SsoKind};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::{Map, Value};

use crate::entities::{sso_providers as p, sso_states as s, users};
use crate::{Conn, Result, StoreError, Tx, corrupt};

/// A stored provider; `secrets` is the ciphertext of a JSON object.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredProvider {
    pub id: String,
    pub kind: SsoKind,
    pub name: String,
    pub config: Map<String, Value>,
    pub secrets: Option<String>,
    pub mapping: Vec<MappingRule>,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What is written.
pub struct ProviderRow<'a> {
    pub kind: SsoKind,
    pub name: &'a str,
    pub config: &'a Map<String, Value>,
    pub secrets: Option<String>,
    pub mapping: &'a [MappingRule],
    pub enabled: bool,
}

fn stored(m: p::Model) -> Result<StoredProvider> {
    let kind = SsoKind::parse(&m.kind).ok_or_else(|| corrupt("sso_providers.kind", &m.id))?;
    let Ok(Value::Object(config)) = serde_json::from_str(&m.config) else {
        return Err(corrupt("sso_providers.config", &m.id));
    };
    let mapping = serde_json::from_str(&m.mapping).map_err(|_| corrupt("sso_providers.mapping", &m.id))?;
    Ok(StoredProvider {
        id: m.id,
        kind,
        name: m.name,
        config,
        secrets: m.secrets,
        mapping,
        enabled: m.enabled,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

pub async fn list(conn: &impl Conn) -> Result<Vec<StoredProvider>> {
    let rows = p::Entity::find().order_by_asc(p::Column::Name).all(conn.conn()).await?;
    rows.into_iter().map(stored).collect()
}

pub async fn get(conn: &impl Conn, id: &str) -> Result<Option<StoredProvider>> {
    p::Entity::find_by_id(id).one(conn.conn()).await?.map(stored).transpose()
}

fn model(r: &ProviderRow<'_>) -> p::ActiveModel {
    p::ActiveModel {
        kind: Set(r.kind.as_str().into()),
        name: Set(r.name.to_string()),
        config: Set(Value::Object(r.config.clone()).to_string()),
        secrets: Set(r.secrets.clone()),
        mapping: Set(serde_json::to_string(r.mapping).unwrap_or_else(|_| "[]".into())),
        enabled: Set(r.enabled),
        ..Default::default()
    }
}

pub async fn insert(tx: &Tx, r: &ProviderRow<'_>, now: DateTime<Utc>) -> Result<StoredProvider> {
    let mut m = model(r);
    m.id = Set(crate::new_id());
    m.created_at = Set(now);
    m.updated_at = Set(now);
    stored(m.insert(tx.conn()).await?)
}

pub async fn update(tx: &Tx, id: &str, r: &ProviderRow<'_>, now: DateTime<Utc>) -> Result<StoredProvider> {
    let mut m = model(r);
    m.id = sea_orm::Unchanged(id.to_string());
    m.updated_at = Set(now);
    m.update(tx.conn())
        .await
        .map_err(|e| match e {
            sea_orm::DbErr::RecordNotUpdated => StoreError::NotFound,
            e => e.into(),
        })
        .and_then(stored)
}

/// Enabled providers other than `leaving`, counted inside `tx` under the lock that turning
/// local login off takes too: neither can slip past the other's check.
pub async fn enabled_others_locked(tx: &Tx, leaving: Option<&str>) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    crate::dialect::lock(tx.conn(), crate::dialect::LOCK_WAY_IN).await?;
    let mut q = p::Entity::find().filter(p::Column::Enabled.eq(true));
    if let Some(id) = leaving {
        q = q.filter(p::Column::Id.ne(id));
    }
    Ok(q.count(tx.conn()).await?)
}

/// Re-encrypted secrets (a change of cryptographic suite).
pub async fn set_secrets(tx: &Tx, id: &str, secrets: Option<String>) -> Result<()> {
    p::Entity::update_many()
        .col_expr(p::Column::Secrets, Expr::value(secrets))
        .filter(p::Column::Id.eq(id))
        .exec(tx.conn())
        .await?;
    Ok(())
}

/// Removes a provider and its pending sign-ins; its accounts stay, unlinked, and its sessions end.
pub async fn delete(tx: &Tx, id: &str) -> Result<()> {
    s::Entity::delete_many().filter(s::Column::ProviderId.eq(id)).exec(tx.conn()).await?;
    users::Entity::update_many()
        .col_expr(users::Column::SsoProviderId, Expr::value(Option::<String>::None))
        .col_expr(users::Column::SsoSubject, Expr::value(Option::<String>::None))
        .filter(users::Column::SsoProviderId.eq(id))
        .exec(tx.conn())
        .await?;
    crate::entities::sessions::Entity::delete_many()
        .filter(crate::entities::sessions::Column::ProviderId.eq(id))
        .exec(tx.conn())
        .await?;
    let r = p::Entity::delete_by_id(id).exec(tx.conn()).await?;
    if r.rows_affected == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// A pending browser sign-in.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub state: String,
    pub provider_id: String,
    pub verifier: String,
    pub nonce: String,
    pub return_to: String,
    /// The administrator running a test sign-in (nobody is signed in by it).
    pub test_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn put_pending(tx: &Tx, x: &Pending) -> Result<()> {
    s::ActiveModel {
        state: Set(x.state.clone()),
        provider_id: Set(x.provider_id.clone()),
        verifier: Set(x.verifier.clone()),
        nonce: Set(x.nonce.clone()),
        return_to: Set(x.return_to.clone()),
        test_by: Set(x.test_by.clone()),
        result: Set(None),
        created_at: Set(x.created_at),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

/// Takes a pending sign-in once: read, then claimed by a conditional update that only one
/// caller can win (a replayed or raced callback finds it gone). A test keeps its row for the
/// result; a real sign-in's row is removed.
pub async fn take_pending(tx: &Tx, state: &str, provider_id: &str, since: DateTime<Utc>) -> Result<Option<Pending>> {
    let Some(m) = s::Entity::find_by_id(state)
        .filter(s::Column::ProviderId.eq(provider_id))
        .filter(s::Column::Result.is_null())
        .filter(s::Column::CreatedAt.gte(since))
        .one(tx.conn())
        .await?
    else {
        return Ok(None);
    };
    let claimed = if m.test_by.is_some() {
        s::Entity::update_many()
            .col_expr(s::Column::Result, Expr::value("{}"))
            .filter(s::Column::State.eq(state))
            .filter(s::Column::Result.is_null())
            .exec(tx.conn())
            .await?
            .rows_affected
    } else {
        s::Entity::delete_many().filter(s::Column::State.eq(state)).exec(tx.conn()).await?.rows_affected
    };
    if claimed != 1 {
        return Ok(None);
    }
    Ok(Some(Pending {
        state: m.state,
        provider_id: m.provider_id,
        verifier: m.verifier,
        nonce: m.nonce,
        return_to: m.return_to,
        test_by: m.test_by,
        created_at: m.created_at,
    }))
}

/// Stores what a test sign-in found.
pub async fn set_result(tx: &Tx, state: &str, result: &Value) -> Result<()> {
    s::Entity::update_many()
        .col_expr(s::Column::Result, Expr::value(result.to_string()))
        .filter(s::Column::State.eq(state))
        .exec(tx.conn())
        .await?;
    Ok(())
}

/// A test sign-in's result, for the administrator who ran it.
pub async fn result(conn: &impl Conn, provider_id: &str, state: &str, test_by: &str) -> Result<Option<Value>> {
    let m = s::Entity::find_by_id(state)
        .filter(s::Column::ProviderId.eq(provider_id))
        .filter(s::Column::TestBy.eq(test_by))
        .one(conn.conn())
        .await?;
    Ok(m.and_then(|m| m.result).and_then(|r| serde_json::from_str(&r).ok()))
}

/// Pending sign-ins started since `since`.
pub async fn pending_since(conn: &impl Conn, since: DateTime<Utc>) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    Ok(s::Entity::find().filter(s::Column::CreatedAt.gte(since)).count(conn.conn()).await?)
}

/// Removes pending sign-ins and test results older than `before`.
pub async fn purge(tx: &Tx, before: DateTime<Utc>) -> Result<u64> {
    Ok(s::Entity::delete_many().filter(s::Column::CreatedAt.lt(before)).exec(tx.conn()).await?.rows_affected)
}

/// The account linked to a provider's subject, with its credentials.
pub async fn linked(conn: &impl Conn, provider_id: &str, subject: &str) -> Result<Option<crate::users::Credentials>> {
    let m = users::Entity::find()
        .filter(users::Column::SsoProviderId.eq(provider_id))
        .filter(users::Column::SsoSubject.eq(subject))
        .one(conn.conn())
        .await?;
    m.map(|m| crate::users::credentials_of(conn, m)).transpose()
}

/// Links an unlinked account to a provider's subject; false when it is linked already (to
/// anything) — the unique key refuses a second account for the same subject.
pub async fn link(tx: &Tx, user_id: &str, provider_id: &str, subject: &str) -> Result<bool> {
    let r = users::Entity::update_many()
        .col_expr(users::Column::SsoProviderId, Expr::value(provider_id))
        .col_expr(users::Column::SsoSubject, Expr::value(subject))
        .filter(users::Column::Id.eq(user_id))
        .filter(users::Column::SsoProviderId.is_null())
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}
