//! The 等保 tracker's indicators (`domain::dengbao::indicators`), over the scope's systems:
//! bounded by the number of systems and items, read once and judged here.

use domain::dengbao::indicators::defs;
use domain::dengbao::{ItemStatus, next_due};
use domain::indicators::{Kpi, KpiScope};

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
        let systems = store::systems::levels(app.store(), &ids, s.unit_id.as_deref()).await?;
        let ids: Vec<String> = systems.iter().map(|x| x.0.clone()).collect();
        let records = store::dengbao::records(app.store(), &ids).await?;
        let assessments = store::dengbao::assessments(app.store(), &ids).await?;
        let (mut met, mut due) = (0u64, 0u64);
        for (id, level) in &systems {
            let f = records.iter().find(|r| &r.system_id == id).map(|r| r.fields.clone());
            let last = assessments.iter().find(|a| &a.system_id == id && a.assessed_on < from).map(|a| a.assessed_on);
            let set = f.as_ref().and_then(|f| f.next_due_set);
            let filed = f.as_ref().and_then(|f| f.filed_on);
            let Some(day) = next_due(*level, last, filed, set, from).filter(|d| *d >= from && *d <= to) else {
                continue;
            };
            let done = assessments.iter().any(|a| &a.system_id == id && a.assessed_on >= from && a.assessed_on <= day);
            if done {
                met += 1;
                due += 1;
            } else if day < today {
                due += 1;
            }
        }
        let items = store::dengbao::items_due_between(app.store(), &ids, from, to, today).await?;
        let (mut closed, mut counted) = (0u64, 0u64);
        for i in &items {
            if i.status == ItemStatus::Closed && !i.late {
                closed += 1;
                counted += 1;
            } else if i.status == ItemStatus::Closed || i.deadline < today {
                counted += 1;
            }
        }
        Ok(vec![
            Kpi::rate("dengbao_on_schedule_rate", met, due),
            Kpi::rate("rectification_closure_rate", closed, counted),
        ])
    })
}
