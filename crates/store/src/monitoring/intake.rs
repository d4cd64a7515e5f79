//! Integration accounts and the alerts that named no known system.

use chrono::{DateTime, Utc};
use domain::list::{ListQuery, Page};
use domain::monitoring::intake::{Integration, IntegrationKind, UnmatchedAlert};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};

use crate::entities::{integrations as ig, unmatched_alerts as ua};
use crate::{Conn, Result, Tx, corrupt, list};

fn integration(m: ig::Model) -> Result<Integration> {
    Ok(Integration {
        kind: IntegrationKind::parse(&m.kind).ok_or_else(|| corrupt("integrations.kind", &m.id))?,
        id: m.id,
        name: m.name,
        system_label: m.system_label,
        active: m.active,
        created_at: m.created_at,
        last_used_at: m.last_used_at,
    })
}

pub async fn insert_integration(tx: &Tx, i: &Integration, token_hash: &str) -> Result<()> {
    ig::ActiveModel {
        id: Set(i.id.clone()),
        name: Set(i.name.clone()),
        kind: Set(i.kind.as_str().into()),
        token_hash: Set(token_hash.to_string()),
        system_label: Set(i.system_label.clone()),
        active: Set(i.active),
        created_at: Set(i.created_at),
        last_used_at: Set(None),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

pub async fn integrations(c: &impl Conn) -> Result<Vec<Integration>> {
    ig::Entity::find().order_by_asc(ig::Column::Name).all(c.conn()).await?.into_iter().map(integration).collect()
}

pub async fn integration_by_token(c: &impl Conn, token_hash: &str) -> Result<Option<Integration>> {
    ig::Entity::find().filter(ig::Column::TokenHash.eq(token_hash)).one(c.conn()).await?.map(integration).transpose()
}

pub async fn get_integration(c: &impl Conn, id: &str) -> Result<Option<Integration>> {
    ig::Entity::find_by_id(id.to_string()).one(c.conn()).await?.map(integration).transpose()
}

pub async fn touch_integration(tx: &Tx, id: &str, at: DateTime<Utc>) -> Result<()> {
    ig::Entity::update_many()
        .col_expr(ig::Column::LastUsedAt, sea_orm::sea_query::Expr::value(at))
        .filter(ig::Column::Id.eq(id))
        .exec(tx.conn())
        .await?;
    Ok(())
}

pub async fn delete_integration(tx: &Tx, id: &str) -> Result<()> {
    ig::Entity::delete_by_id(id.to_string()).exec(tx.conn()).await?;
    Ok(())
}

pub async fn insert_unmatched(tx: &Tx, a: &UnmatchedAlert) -> Result<()> {
    ua::ActiveModel {
        id: Set(a.id.clone()),
        integration_id: Set(a.integration_id.clone()),
        alert_key: Set(a.key.clone()),
        system_ref: Set(a.system_ref.clone()),
        firing: Set(a.firing),
        at: Set(a.at),
        title: Set(a.title.chars().take(200).collect()),
        labels: Set(serde_json::to_string(&a.labels).ok()),
        received_at: Set(a.received_at),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

pub async fn unmatched(c: &impl Conn, q: &ListQuery) -> Result<Page<UnmatchedAlert>> {
    let s = ua::Entity::find()
        .filter(list::search(&[ua::Column::Title, ua::Column::AlertKey, ua::Column::SystemRef], q.q.as_deref()));
    let total = s.clone().count(c.conn()).await?;
    let dir = list::direction(q, domain::list::Order::Desc);
    let rows = s
        .order_by(ua::Column::ReceivedAt, dir.clone())
        .order_by(ua::Column::Id, dir)
        .paginate(c.conn(), q.page_size)
        .fetch_page(q.page.saturating_sub(1))
        .await?;
    let items = rows
        .into_iter()
        .map(|m| UnmatchedAlert {
            labels: m.labels.as_deref().and_then(|l| serde_json::from_str(l).ok()).unwrap_or_default(),
            id: m.id,
            integration_id: m.integration_id,
            key: m.alert_key,
            system_ref: m.system_ref,
            firing: m.firing,
            at: m.at,
            title: m.title,
            received_at: m.received_at,
        })
        .collect();
    Ok(Page { items, total, page: q.page, page_size: q.page_size })
}
