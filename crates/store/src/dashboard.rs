//! Scoped counts for the home page, each a single aggregate query.

use chrono::NaiveDate;
use domain::Scope;
use domain::dashboard::{Dashboard, Expiring, LevelCount, UnitCount};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entities::{assets, contracts, systems, units, vendors};
use crate::{Conn, IN_CHUNK, Result};

/// `today` counts the registry (expiring assets); `business_today` judges deadlines (overdue
/// reports), which follow the business clock.
pub async fn summary(c: &impl Conn, scope: &Scope, today: NaiveDate, business_today: NaiveDate) -> Result<Dashboard> {
    let db = c.conn();
    let units_n = units::Entity::find().filter(crate::units::visible(scope)).count(db).await?;
    let vendors_n = vendors::Entity::find().filter(crate::vendors::visible(scope)).count(db).await?;
    let contracts_n = contracts::Entity::find().filter(crate::contracts::visible(scope)).count(db).await?;
    let systems_n = systems::Entity::find().filter(crate::systems::visible(scope)).count(db).await?;
    let assets_n = assets::Entity::find().filter(crate::assets::visible(scope)).count(db).await?;
    let expired = crate::assets::count_expiring(c, scope, None, today.pred_opt()).await?;
    let within =
        |days: u64| crate::assets::count_expiring(c, scope, Some(today), Some(today + chrono::Days::new(days)));
    let assets_expiring =
        Expiring { expired, within_30: within(30).await?, within_60: within(60).await?, within_90: within(90).await? };

    let per_unit: Vec<(String, i64)> = systems::Entity::find()
        .filter(crate::systems::visible(scope))
        .select_only()
        .column(systems::Column::UnitId)
        .column_as(systems::Column::Id.count(), "n")
        .group_by(systems::Column::UnitId)
        .into_tuple()
        .all(db)
        .await?;
    // A visible system's owner is visible in every scope, so names are looked up unscoped.
    let ids: Vec<String> = per_unit.iter().map(|(u, _)| u.clone()).collect();
    let mut names = std::collections::HashMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let rows: Vec<(String, String)> = units::Entity::find()
            .filter(units::Column::Id.is_in(chunk.iter().cloned()))
            .select_only()
            .column(units::Column::Id)
            .column(units::Column::Name)
            .into_tuple()
            .all(db)
            .await?;
        names.extend(rows);
    }
    let mut systems_by_unit: Vec<UnitCount> = per_unit
        .into_iter()
        .map(|(unit_id, n)| UnitCount {
            unit_name: names.get(&unit_id).cloned().unwrap_or_default(),
            unit_id,
            systems: n as u64,
        })
        .collect();
    systems_by_unit.sort_by(|a, b| b.systems.cmp(&a.systems).then_with(|| a.unit_name.cmp(&b.unit_name)));

    let systems_by_level: Vec<LevelCount> = systems::Entity::find()
        .filter(crate::systems::visible(scope))
        .select_only()
        .column(systems::Column::DengbaoLevel)
        .column_as(systems::Column::Id.count(), "n")
        .group_by(systems::Column::DengbaoLevel)
        .order_by_asc(systems::Column::DengbaoLevel)
        .into_tuple::<(Option<i32>, i64)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(level, n)| LevelCount { level, systems: n as u64 })
        .collect();

    Ok(Dashboard {
        today,
        units: units_n,
        vendors: vendors_n,
        contracts: contracts_n,
        systems: systems_n,
        assets: assets_n,
        assets_expiring,
        systems_by_unit,
        systems_by_level,
        reports_overdue: crate::reports::count_overdue(c, scope, business_today).await?,
    })
}
