//! Comments and attachments of a ticket. Internal ones are for the bureau and the vendor only.

use chrono::{DateTime, Utc};
use domain::tickets::view::{Attachment, AttachmentStage, Comment};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entities::{ticket_attachments as ta, ticket_comments as tcm};
use crate::{Conn, Result, Tx};

fn comment(m: tcm::Model) -> Comment {
    Comment {
        id: m.id,
        ticket_id: m.ticket_id,
        author_id: m.author_id,
        author_name: m.author_name,
        body: m.body,
        internal: m.internal,
        created_at: m.created_at,
    }
}

pub async fn comments(c: &impl Conn, ticket_id: &str, with_internal: bool) -> Result<Vec<Comment>> {
    let mut s = tcm::Entity::find().filter(tcm::Column::TicketId.eq(ticket_id));
    if !with_internal {
        s = s.filter(tcm::Column::Internal.eq(false));
    }
    let rows = s.order_by_asc(tcm::Column::CreatedAt).order_by_asc(tcm::Column::Id).all(c.conn()).await?;
    Ok(rows.into_iter().map(comment).collect())
}

pub async fn add_comment(
    tx: &Tx,
    ticket_id: &str,
    author: (&str, &str),
    body: &str,
    internal: bool,
    now: DateTime<Utc>,
) -> Result<Comment> {
    let m = tcm::ActiveModel {
        id: Set(crate::new_id()),
        ticket_id: Set(ticket_id.to_string()),
        author_id: Set(Some(author.0.to_string())),
        author_name: Set(author.1.to_string()),
        body: Set(body.to_string()),
        internal: Set(internal),
        created_at: Set(now),
    }
    .insert(tx.conn())
    .await?;
    Ok(comment(m))
}

fn attachment(m: ta::Model) -> Attachment {
    Attachment {
        id: m.id,
        ticket_id: m.ticket_id,
        file_name: m.file_name,
        content_type: m.content_type,
        size: m.size,
        sha256: m.sha256,
        internal: m.internal,
        uploaded_by: m.uploaded_by,
        created_at: m.created_at,
        stage: m.stage.as_deref().and_then(AttachmentStage::parse),
    }
}

pub async fn attachments(c: &impl Conn, ticket_id: &str, with_internal: bool) -> Result<Vec<Attachment>> {
    let mut s = ta::Entity::find().filter(ta::Column::TicketId.eq(ticket_id));
    if !with_internal {
        s = s.filter(ta::Column::Internal.eq(false));
    }
    let rows = s.order_by_asc(ta::Column::CreatedAt).order_by_asc(ta::Column::Id).all(c.conn()).await?;
    Ok(rows.into_iter().map(attachment).collect())
}

pub async fn get_attachment(c: &impl Conn, ticket_id: &str, id: &str) -> Result<Option<Attachment>> {
    let m = ta::Entity::find_by_id(id.to_string()).filter(ta::Column::TicketId.eq(ticket_id)).one(c.conn()).await?;
    Ok(m.map(attachment))
}

pub async fn add_attachment(tx: &Tx, a: &Attachment) -> Result<()> {
    ta::ActiveModel {
        id: Set(a.id.clone()),
        ticket_id: Set(a.ticket_id.clone()),
        file_name: Set(a.file_name.clone()),
        content_type: Set(a.content_type.clone()),
        size: Set(a.size),
        sha256: Set(a.sha256.clone()),
        internal: Set(a.internal),
        uploaded_by: Set(a.uploaded_by.clone()),
        created_at: Set(a.created_at),
        stage: Set(a.stage.map(|s| s.as_str().to_string())),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}
