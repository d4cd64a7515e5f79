//! Information systems (信息系统).

use chrono::{DateTime, Utc};
use domain::Scope;
use domain::list::{ListQuery, Page};
use domain::registry::lists::systems::SystemFilter;
use domain::registry::{Criticality, System, SystemFields};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, Set};

use crate::entities::{assets, contract_item_systems as cis, systems};
use crate::scope::{by_scope, col_in, vendor_system_ids};
use crate::{Conn, Result, Tx, corrupt, crud, list};

fn to_domain(m: systems::Model) -> Result<System> {
    Ok(System {
        criticality: Criticality::parse(&m.criticality)
            .ok_or_else(|| corrupt("systems.criticality", &m.criticality))?,
        id: m.id,
        name: m.name,
        unit_id: m.unit_id,
        developer: m.developer,
        brand: m.brand,
        deployment: m.deployment,
        dengbao_level: m.dengbao_level,
        service_hours: m.service_hours,
        sla_text: m.sla_text,
        description: m.description,
        addresses: m.addresses.as_deref().and_then(|a| serde_json::from_str(a).ok()).unwrap_or_default(),
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

pub(crate) fn visible(scope: &Scope) -> Condition {
    by_scope(
        scope,
        |u| Condition::all().add(systems::Column::UnitId.eq(u)),
        |v| col_in(systems::Column::Id, vendor_system_ids(v)),
    )
}

pub async fn get(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<System>> {
    crud::get::<systems::Entity>(c, visible(scope), id).await?.map(to_domain).transpose()
}

/// The 等保 level of each of `ids` (0 when not graded), optionally of one unit's only.
pub async fn levels(c: &impl Conn, ids: &[String], unit_id: Option<&str>) -> Result<Vec<(String, i32)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(crate::IN_CHUNK) {
        let mut q = systems::Entity::find().filter(systems::Column::Id.is_in(chunk.to_vec()));
        if let Some(u) = unit_id {
            q = q.filter(systems::Column::UnitId.eq(u));
        }
        out.extend(q.all(c.conn()).await?.into_iter().map(|m| (m.id, m.dengbao_level.unwrap_or(0))));
    }
    Ok(out)
}

/// Which of `ids` exist and are visible in `scope`.
pub async fn visible_ids(c: &impl Conn, scope: &Scope, ids: &[String]) -> Result<Vec<String>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = systems::Entity::find()
        .filter(visible(scope))
        .filter(systems::Column::Id.is_in(ids.iter().cloned()))
        .all(c.conn())
        .await?;
    Ok(rows.into_iter().map(|m| m.id).collect())
}

/// The names of `ids` (ids the caller already holds from a scoped list).
pub async fn names(c: &impl Conn, ids: &[String]) -> Result<std::collections::HashMap<String, String>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows = systems::Entity::find().filter(systems::Column::Id.is_in(ids.iter().cloned())).all(c.conn()).await?;
    Ok(rows.into_iter().map(|m| (m.id, m.name)).collect())
}

pub async fn find_by_name(c: &impl Conn, unit_id: &str, name: &str) -> Result<Option<System>> {
    let m = systems::Entity::find()
        .filter(systems::Column::UnitId.eq(unit_id))
        .filter(systems::Column::Name.eq(name))
        .one(c.conn())
        .await?;
    m.map(to_domain).transpose()
}

/// Systems of any unit with exactly this name (at most two: more than one is ambiguous).
pub async fn with_exact_name(c: &impl Conn, name: &str) -> Result<Vec<System>> {
    use sea_orm::QuerySelect;
    let rows = systems::Entity::find().filter(systems::Column::Name.eq(name)).limit(2).all(c.conn()).await?;
    rows.into_iter().map(to_domain).collect()
}

pub async fn list(c: &impl Conn, scope: &Scope, q: &ListQuery, f: &SystemFilter) -> Result<Page<System>> {
    let select = systems::Entity::find()
        .filter(visible(scope))
        .filter(list::eq_opt(systems::Column::UnitId, &f.unit_id))
        .filter(list::eq_opt(systems::Column::Criticality, &f.criticality))
        .filter(list::eq_opt(systems::Column::DengbaoLevel, &f.dengbao_level))
        .filter(list::search(
            &[systems::Column::Name, systems::Column::Developer, systems::Column::Brand],
            q.q.as_deref(),
        ));
    use systems::Column as C;
    let keys = [
        ("criticality", C::Criticality),
        ("dengbao_level", C::DengbaoLevel),
        ("created_at", C::CreatedAt),
        ("updated_at", C::UpdatedAt),
    ];
    crud::page(c, select, q, crud::sort_column(q, &keys, C::Name), C::Id, to_domain).await
}

fn active(f: &SystemFields) -> systems::ActiveModel {
    systems::ActiveModel {
        name: Set(f.name.clone()),
        unit_id: Set(f.unit_id.clone()),
        developer: Set(f.developer.clone()),
        brand: Set(f.brand.clone()),
        deployment: Set(f.deployment.clone()),
        dengbao_level: Set(f.dengbao_level),
        criticality: Set(f.criticality.as_str().to_string()),
        service_hours: Set(f.service_hours.clone()),
        sla_text: Set(f.sla_text.clone()),
        description: Set(f.description.clone()),
        addresses: match &f.addresses {
            None => sea_orm::NotSet,
            Some(a) if a.is_empty() => Set(None),
            Some(a) => Set(Some(serde_json::to_string(a).unwrap_or_default())),
        },
        ..Default::default()
    }
}

pub async fn insert(tx: &Tx, f: &SystemFields, now: DateTime<Utc>) -> Result<System> {
    let mut m = active(f);
    m.id = Set(crate::new_id());
    m.created_at = Set(now);
    m.updated_at = Set(now);
    to_domain(m.insert(tx.conn()).await?)
}

pub async fn update(tx: &Tx, id: &str, f: &SystemFields, now: DateTime<Utc>) -> Result<System> {
    let existing = crud::existing::<systems::Entity>(tx, id).await?;
    let mut m = active(f);
    m.id = sea_orm::Unchanged(existing.id);
    m.created_at = sea_orm::Unchanged(existing.created_at);
    m.updated_at = Set(now);
    to_domain(m.update(tx.conn()).await?)
}

pub async fn delete(tx: &Tx, id: &str) -> Result<()> {
    crud::delete::<systems::Entity>(tx, id).await
}

/// What still refers to a system: contract items covering it, assets linked to it, findings of
/// the vulnerability ledger and records of security work, security events, backup policies and changes on it (evidence, never cascaded away).
pub async fn dependents(c: &impl Conn, id: &str) -> Result<(u64, u64, u64)> {
    Ok((
        crud::refs::<cis::Entity>(c, cis::Column::SystemId, id).await?,
        crud::refs::<assets::Entity>(c, assets::Column::SystemId, id).await?,
        crate::vulnerabilities::count_for_system(c, id).await?
            + crate::security_plans::count_for_system(c, id).await?
            + crate::security_events::count_for_system(c, id).await?
            + crate::backups::count_for_system(c, id).await?
            + crate::changes::count_for_system(c, id).await?,
    ))
}

pub async fn count(c: &impl Conn, scope: &Scope) -> Result<u64> {
    Ok(systems::Entity::find().filter(visible(scope)).count(c.conn()).await?)
}

/// What follows a system to its new unit, by table: its monitors and their interruptions, its
/// maintenance windows, its inspection plans with every task and record, the requests about
/// them, its findings, 等保 items, security plans and records, its share of security events, its backup policies, runs and drills, and the changes touching it.
/// Tickets stay with the unit that reported them. Returns the rows moved per table.
pub async fn move_dependents(tx: &Tx, system_id: &str, unit_id: &str) -> Result<Vec<(&'static str, u64)>> {
    use sea_orm::sea_query::Expr;

    use crate::entities::{
        backup_policies as bp, backup_runs as br, inspection_plans as ip, inspection_records as ir,
        inspection_tasks as it, interruptions as iu, maintenance_windows as mw, monitors as mo, restore_drills as rd,
        security_event_systems as es, security_plans as sp, security_records as sr,
    };
    macro_rules! follow {
        ($m:ident) => {
            $m::Entity::update_many()
                .col_expr($m::Column::UnitId, Expr::value(unit_id))
                .filter($m::Column::SystemId.eq(system_id))
                .exec(tx.conn())
                .await?
                .rows_affected
        };
    }
    Ok(vec![
        ("monitors", follow!(mo)),
        ("interruptions", follow!(iu)),
        ("maintenance_windows", follow!(mw)),
        ("inspection_plans", follow!(ip)),
        ("inspection_tasks", follow!(it)),
        ("inspection_records", follow!(ir)),
        ("approvals", crate::approvals::move_system(tx, system_id, unit_id).await?),
        ("vulnerabilities", crate::vulnerabilities::move_system(tx, system_id, unit_id).await?),
        ("dengbao_items", crate::dengbao::move_system(tx, system_id, unit_id).await?),
        ("security_plans", follow!(sp)),
        ("security_records", follow!(sr)),
        ("security_event_systems", follow!(es)),
        ("backup_policies", follow!(bp)),
        ("backup_runs", follow!(br)),
        ("restore_drills", follow!(rd)),
        ("changes", crate::changes::move_system(tx, system_id, unit_id).await?),
    ])
}
