//! 考核表 templates: the built-ins as the code defines them, and the bureau's copies.

use chrono::{DateTime, Utc};
use domain::assessments::{AssessmentTemplate, TemplateSpec};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entities::assessment_templates as at;
use crate::{Conn, Result, StoreError, Tx};

fn template(m: at::Model) -> Result<AssessmentTemplate> {
    let spec: TemplateSpec =
        serde_json::from_str(&m.spec).map_err(|e| StoreError::Corrupt(format!("assessment template {}: {e}", m.id)))?;
    Ok(AssessmentTemplate {
        id: m.id,
        key: m.key,
        builtin: m.builtin,
        criteria: spec.summaries(),
        spec,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn spec_json(spec: &TemplateSpec) -> Result<String> {
    serde_json::to_string(spec).map_err(|e| StoreError::db("assessment template", e))
}

/// Writes a shipped template as the code defines it, under the id `builtin-{key}`.
pub async fn upsert_builtin(tx: &Tx, key: &str, spec: &TemplateSpec, now: DateTime<Utc>) -> Result<()> {
    let json = spec_json(spec)?;
    let id = format!("builtin-{key}");
    match at::Entity::find_by_id(id.clone()).one(tx.conn()).await? {
        Some(m) if m.spec == json && m.name == spec.name => {}
        Some(m) => {
            let mut a: at::ActiveModel = m.into();
            a.name = Set(spec.name.clone());
            a.spec = Set(json);
            a.updated_at = Set(now);
            a.update(tx.conn()).await?;
        }
        None => {
            at::ActiveModel {
                id: Set(id),
                key: Set(key.to_string()),
                name: Set(spec.name.clone()),
                builtin: Set(true),
                spec: Set(json),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(tx.conn())
            .await?;
        }
    }
    Ok(())
}

/// Every template: the built-ins first, then by name. A bureau has a handful.
pub async fn list(c: &impl Conn) -> Result<Vec<AssessmentTemplate>> {
    at::Entity::find()
        .order_by_desc(at::Column::Builtin)
        .order_by_asc(at::Column::Name)
        .order_by_asc(at::Column::Id)
        .all(c.conn())
        .await?
        .into_iter()
        .map(template)
        .collect()
}

pub async fn get(c: &impl Conn, id: &str) -> Result<Option<AssessmentTemplate>> {
    at::Entity::find_by_id(id.to_string()).one(c.conn()).await?.map(template).transpose()
}

/// A new template; a key already taken is a unique-key conflict.
pub async fn insert(tx: &Tx, key: &str, spec: &TemplateSpec, now: DateTime<Utc>) -> Result<AssessmentTemplate> {
    let m = at::ActiveModel {
        id: Set(crate::new_id()),
        key: Set(key.to_string()),
        name: Set(spec.name.clone()),
        builtin: Set(false),
        spec: Set(spec_json(spec)?),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(tx.conn())
    .await?;
    template(m)
}

/// Changes a template the bureau made; false for a built-in or one that is gone.
pub async fn update(tx: &Tx, id: &str, spec: &TemplateSpec, now: DateTime<Utc>) -> Result<bool> {
    let r = at::Entity::update_many()
        .col_expr(at::Column::Name, Expr::value(spec.name.clone()))
        .col_expr(at::Column::Spec, Expr::value(spec_json(spec)?))
        .col_expr(at::Column::UpdatedAt, Expr::value(now))
        .filter(at::Column::Id.eq(id))
        .filter(at::Column::Builtin.eq(false))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

/// Deletes a template the bureau made (its assessments keep their own copy); false for a
/// built-in or one that is gone.
pub async fn delete(tx: &Tx, id: &str) -> Result<bool> {
    let r = at::Entity::delete_many()
        .filter(at::Column::Id.eq(id))
        .filter(at::Column::Builtin.eq(false))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}
