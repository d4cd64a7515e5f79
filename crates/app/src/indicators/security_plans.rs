//! Security plan completion (`domain::security_plans::indicators`): the periods of the scope's
//! plans that ended in the assessment period, done or not; those still running count only
//! once done.

use domain::indicators::{Kpi, KpiScope};
use domain::security_plans::SecTaskStatus;
use domain::security_plans::indicators::defs;

use super::{Computed, Source};
use crate::App;

pub const SOURCE: Source = Source { defs, compute };

fn compute<'a>(app: &'a App, s: &'a KpiScope) -> Computed<'a> {
    Box::pin(async move {
        let today = crate::bureau_date(app.business_now());
        let (from, to) = (s.period.from, s.period.to);
        let mut ids = s.system_ids.clone();
        if let Some(id) = &s.system_id {
            ids.retain(|x| x == id);
        }
        let mut plans = store::security_plans::plans_of(app.store(), &ids).await?;
        if let Some(u) = &s.unit_id {
            plans.retain(|p| &p.unit_id == u);
        }
        let tasks = app.tasks_of(&plans, (from, to), today).await?;
        let (mut done, mut counted) = (0u64, 0u64);
        for t in tasks.iter().filter(|t| t.due_on >= from && t.due_on <= to) {
            match t.status {
                SecTaskStatus::Done => {
                    done += 1;
                    counted += 1;
                }
                SecTaskStatus::Missed => counted += 1,
                SecTaskStatus::Open => {}
            }
        }
        Ok(vec![Kpi::rate("security_plan_completion_rate", done, counted)])
    })
}
