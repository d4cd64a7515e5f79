//! What a calendar change would do to open tickets, shown before it is applied. Closed tickets
//! and decided outcomes never move; only clocks still under way do.

use domain::sla::Calendar;
use domain::sla::calendar::CalendarInput;
use domain::sla::compiled::{instant, micros};
use domain::tickets::clocks::History;
use domain::tickets::view::{CalendarPreview, MovedDue};
use domain::{Principal, Scope};

use super::clocks::{history_of, recompute};
use crate::{App, Result, require_registry_write};

/// Open tickets a preview looks at; more are counted but not listed.
const PREVIEW_TICKETS: u64 = 2000;

impl App {
    /// The due times of open tickets that would move if calendar `id` became `input`.
    pub async fn preview_calendar(&self, p: &Principal, id: &str, input: CalendarInput) -> Result<CalendarPreview> {
        require_registry_write(p)?;
        let spec = input.validate()?;
        let (_, current) = self.compiled_calendar(id).await?;
        let (entries, reach) = store::holidays::for_codes(&self.store, &spec.holiday_sets).await?;
        let candidate = Calendar::compile(&spec, &entries, domain::sla::calendar::holidays_until(&reach).flatten());
        let ids = store::tickets::open_on_calendar(&self.store, id, PREVIEW_TICKETS + 1).await?;
        let truncated = ids.len() as u64 > PREVIEW_TICKETS;
        let now = self.business_now();
        let n = micros(now);
        let mut moved = Vec::new();
        let mut examined = 0;
        let mut cache = super::clocks::RulesCache::default();
        for tid in ids.iter().take(PREVIEW_TICKETS as usize) {
            let Some(t) = store::tickets::get(&self.store, &Scope::All, tid, now).await? else { continue };
            let rules = self.cached_rules(&t, &mut cache).await?;
            let Some(policy) = &rules.policy else { continue };
            examined += 1;
            let events = store::tickets::events(&self.store, tid).await?;
            let (changes, milestones) = history_of(&events);
            let h = History { reported_at: micros(t.reported_at), changes: &changes, milestones: &milestones };
            let stored = store::tickets::clocks(&self.store, tid).await?;
            let (mut a, mut b) = (stored.clone(), stored);
            recompute(&current, Some(&policy.spec), &h, n, &mut a);
            recompute(&candidate, Some(&policy.spec), &h, n, &mut b);
            for (x, y) in a.iter().zip(&b) {
                if x.clock.due != y.clock.due || x.clock.state != y.clock.state {
                    moved.push(MovedDue {
                        ticket_id: t.id.clone(),
                        number: t.number.clone(),
                        metric: x.clock.metric.clone(),
                        due_before: x.clock.due.map(instant),
                        due_after: y.clock.due.map(instant),
                    });
                }
            }
        }
        Ok(CalendarPreview { open_tickets: examined, truncated, moved })
    }
}
