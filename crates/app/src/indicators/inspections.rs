//! The inspections' indicators (`domain::inspections::indicators`).

use domain::indicators::{Kpi, KpiScope};
use domain::inspections::indicators::defs;

use super::{Computed, Source};
use crate::App;

pub const SOURCE: Source = Source { defs, compute };

fn compute<'a>(app: &'a App, s: &'a KpiScope) -> Computed<'a> {
    Box::pin(async move {
        let t = store::indicators::task_stats(app.store(), s, app.business_now()).await?;
        Ok(vec![
            Kpi::rate("inspection_completion_rate", t.done, t.due),
            Kpi::rate("inspection_on_time_rate", t.on_time, t.done),
            Kpi::count("inspection_abnormal_count", t.abnormal_items.max(0) as u64),
        ])
    })
}
