//! Security events' indicators (`domain::security_events::indicators`) over the events found in
//! the period on the scope's systems.

use domain::indicators::{Kpi, KpiScope};
use domain::security_events::EventStatus;
use domain::security_events::indicators::defs;

use super::{Computed, Source};
use crate::App;

pub const SOURCE: Source = Source { defs, compute };

fn compute<'a>(app: &'a App, s: &'a KpiScope) -> Computed<'a> {
    Box::pin(async move {
        let now = app.business_now();
        let mut ids = s.system_ids.clone();
        if let Some(id) = &s.system_id {
            ids.retain(|x| x == id);
        }
        if let Some(u) = &s.unit_id {
            let mine = store::systems::levels(app.store(), &ids, Some(u)).await?;
            ids.retain(|x| mine.iter().any(|m| &m.0 == x));
        }
        let events = app.security_events_between(&ids, s.period.instants()).await?;
        let (mut on_time, mut due) = (0u64, 0u64);
        for e in &events {
            match (e.report_due_at, e.reported_at) {
                (Some(d), Some(r)) => {
                    due += 1;
                    if r <= d {
                        on_time += 1;
                    }
                }
                (Some(d), None) if now > d => due += 1,
                _ => {}
            }
        }
        let closed = events.iter().filter(|e| e.status == EventStatus::Closed).count() as u64;
        Ok(vec![
            Kpi::count("security_event_count", events.len() as u64),
            Kpi::rate("security_event_report_on_time_rate", on_time, due),
            Kpi::rate("security_event_closure_rate", closed, events.len() as u64),
        ])
    })
}
