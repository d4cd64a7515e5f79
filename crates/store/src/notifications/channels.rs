//! Notification channels. Secrets arrive here already encrypted (the app holds the key) and are
//! kept in their own column, never in `config`.

use chrono::{DateTime, Utc};
use domain::notifications::ChannelKind;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::{Map, Value};

use crate::entities::notification_channels as c;
use crate::{Conn, Result, StoreError, Tx, corrupt};

/// A stored channel; `secrets` is the ciphertext of a JSON object.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredChannel {
    pub id: String,
    pub kind: ChannelKind,
    pub name: String,
    pub config: Map<String, Value>,
    pub secrets: Option<String>,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What is written.
pub struct ChannelRow<'a> {
    pub kind: ChannelKind,
    pub name: &'a str,
    pub config: &'a Map<String, Value>,
    pub secrets: Option<String>,
    pub enabled: bool,
}

fn stored(m: c::Model) -> Result<StoredChannel> {
    let kind = ChannelKind::parse(&m.kind).ok_or_else(|| corrupt("notification_channels.kind", &m.id))?;
    let config = match serde_json::from_str(&m.config) {
        Ok(Value::Object(o)) => o,
        _ => return Err(corrupt("notification_channels.config", &m.id)),
    };
    Ok(StoredChannel {
        id: m.id,
        kind,
        name: m.name,
        config,
        secrets: m.secrets,
        enabled: m.enabled,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

pub async fn list(conn: &impl Conn) -> Result<Vec<StoredChannel>> {
    let rows = c::Entity::find().order_by_asc(c::Column::Name).all(conn.conn()).await?;
    rows.into_iter().map(stored).collect()
}

pub async fn get(conn: &impl Conn, id: &str) -> Result<Option<StoredChannel>> {
    c::Entity::find_by_id(id).one(conn.conn()).await?.map(stored).transpose()
}

/// The channels among `ids` (missing ones left out).
pub async fn many(conn: &impl Conn, ids: &[String]) -> Result<Vec<StoredChannel>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = c::Entity::find()
        .filter(c::Column::Id.is_in(ids.iter().take(crate::IN_CHUNK).cloned()))
        .all(conn.conn())
        .await?;
    rows.into_iter().map(stored).collect()
}

pub async fn insert(tx: &Tx, r: &ChannelRow<'_>, now: DateTime<Utc>) -> Result<StoredChannel> {
    let m = c::ActiveModel {
        id: Set(crate::new_id()),
        kind: Set(r.kind.as_str().into()),
        name: Set(r.name.to_string()),
        config: Set(Value::Object(r.config.clone()).to_string()),
        secrets: Set(r.secrets.clone()),
        enabled: Set(r.enabled),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(tx.conn())
    .await?;
    stored(m)
}

pub async fn update(tx: &Tx, id: &str, r: &ChannelRow<'_>, now: DateTime<Utc>) -> Result<StoredChannel> {
    let m = c::ActiveModel {
        id: Set(id.to_string()),
        kind: Set(r.kind.as_str().into()),
        name: Set(r.name.to_string()),
        config: Set(Value::Object(r.config.clone()).to_string()),
        secrets: Set(r.secrets.clone()),
        enabled: Set(r.enabled),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(tx.conn())
    .await
    .map_err(|e| match e {
        sea_orm::DbErr::RecordNotUpdated => StoreError::NotFound,
        e => e.into(),
    })?;
    stored(m)
}

/// Re-encrypted secrets (a change of cryptographic suite).
pub async fn set_secrets(tx: &Tx, id: &str, secrets: Option<String>) -> Result<()> {
    c::Entity::update_many()
        .col_expr(c::Column::Secrets, sea_orm::sea_query::Expr::value(secrets))
        .filter(c::Column::Id.eq(id))
        .exec(tx.conn())
        .await?;
    Ok(())
}

/// Removes a channel with its deliveries and rules.
pub async fn delete(tx: &Tx, id: &str) -> Result<()> {
    let r = c::Entity::delete_by_id(id).exec(tx.conn()).await?;
    if r.rows_affected == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}
