//! The bureau's routing rules and each user's preferences.

use chrono::{DateTime, Utc};
use domain::Role;
use domain::notifications::routing::RoutingRuleFields;
use domain::notifications::{Preferences, RoutingRule};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entities::{notification_prefs as p, notification_rules as r};
use crate::{Conn, Result, StoreError, Tx, corrupt};

fn rule(m: r::Model) -> Result<RoutingRule> {
    Ok(RoutingRule {
        role: Role::parse(&m.role).ok_or_else(|| corrupt("notification_rules.role", &m.id))?,
        kinds: serde_json::from_str(&m.kinds).map_err(|_| corrupt("notification_rules.kinds", &m.id))?,
        id: m.id,
        unit_id: m.unit_id,
        vendor_id: m.vendor_id,
        channel_id: m.channel_id,
    })
}

pub async fn rules(c: &impl Conn) -> Result<Vec<RoutingRule>> {
    let rows = r::Entity::find().order_by_asc(r::Column::Role).order_by_asc(r::Column::CreatedAt).all(c.conn()).await?;
    rows.into_iter().map(rule).collect()
}

pub async fn add_rule(tx: &Tx, f: &RoutingRuleFields, now: DateTime<Utc>) -> Result<RoutingRule> {
    let m = r::ActiveModel {
        id: Set(crate::new_id()),
        role: Set(f.role.as_str().into()),
        unit_id: Set(f.unit_id.clone()),
        vendor_id: Set(f.vendor_id.clone()),
        channel_id: Set(f.channel_id.clone()),
        kinds: Set(serde_json::to_string(&f.kinds).unwrap_or_else(|_| "[]".into())),
        created_at: Set(now),
    }
    .insert(tx.conn())
    .await?;
    rule(m)
}

pub async fn delete_rule(tx: &Tx, id: &str) -> Result<()> {
    let r = r::Entity::delete_by_id(id).exec(tx.conn()).await?;
    if r.rows_affected == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// A user's preferences (the defaults when none are stored).
pub async fn preferences(c: &impl Conn, user_id: &str) -> Result<Preferences> {
    match p::Entity::find_by_id(user_id).one(c.conn()).await? {
        Some(m) => serde_json::from_str(&m.prefs).map_err(|_| corrupt("notification_prefs.prefs", user_id)),
        None => Ok(Preferences::default()),
    }
}

/// The preferences of many users at once (missing ones are the defaults).
pub async fn preferences_of(
    c: &impl Conn,
    user_ids: &[String],
) -> Result<std::collections::HashMap<String, Preferences>> {
    let mut out = std::collections::HashMap::new();
    for chunk in user_ids.chunks(crate::IN_CHUNK) {
        for m in p::Entity::find().filter(p::Column::UserId.is_in(chunk.iter().cloned())).all(c.conn()).await? {
            let prefs = serde_json::from_str(&m.prefs).map_err(|_| corrupt("notification_prefs.prefs", &m.user_id))?;
            out.insert(m.user_id, prefs);
        }
    }
    Ok(out)
}

/// Users who asked for the daily digest.
pub async fn digest_users(c: &impl Conn) -> Result<Vec<(String, Preferences)>> {
    let mut out = Vec::new();
    for m in p::Entity::find().all(c.conn()).await? {
        let prefs: Preferences =
            serde_json::from_str(&m.prefs).map_err(|_| corrupt("notification_prefs.prefs", &m.user_id))?;
        if prefs.daily_digest {
            out.push((m.user_id, prefs));
        }
    }
    Ok(out)
}

/// Writes a user's preferences (insert or replace in one statement).
pub async fn put_preferences(tx: &Tx, user_id: &str, prefs: &Preferences, now: DateTime<Utc>) -> Result<()> {
    let row = p::ActiveModel {
        user_id: Set(user_id.to_string()),
        prefs: Set(serde_json::to_string(prefs).unwrap_or_else(|_| "{}".into())),
        updated_at: Set(now),
    };
    p::Entity::insert(row)
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(p::Column::UserId)
                .update_columns([p::Column::Prefs, p::Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(tx.conn())
        .await?;
    Ok(())
}
