//! Monitoring: monitors (written by the bureau or the manager of a vendor covering the system),
//! the probe runner in `runner.rs`, what a state change does (interruptions, tickets) in
//! `incidents.rs`, and availability against the contract's target here.

use chrono::{DateTime, Utc};
use domain::list::{ListQuery, Page};
use domain::monitoring::Monitor;
use domain::monitoring::availability::{
    Availability, DailyAvailability, Interruption, Maintenance, MaintenanceWindow, compute,
};
use domain::monitoring::spec::MonitorInput;
use domain::tickets::{Cause, DEFAULT_COUNTED_CAUSES};
use domain::{FieldError, Principal, Role};
pub use store::monitoring::MonitorFilter;
use store::monitoring::spec_of;

use crate::{App, AppError, Result, audit};

mod incidents;
pub mod intake;
mod metrics;
pub mod runner;

pub use probe::SchedulerConfig;
pub use runner::Runner;

fn may_write(p: &Principal) -> Result<()> {
    if matches!(p.role, Role::Admin | Role::VendorPm) { Ok(()) } else { Err(AppError::Forbidden) }
}

struct AvailabilityInputs {
    cuts: Vec<Interruption>,
    windows: Vec<Maintenance>,
    counted: Vec<Cause>,
    target: Option<f64>,
}

/// The longest period availability is computed over at once.
const MAX_DAYS: i64 = 400;

impl App {
    /// The system must be visible to the caller, and a vendor's manager must cover it.
    async fn monitored_system(&self, p: &Principal, system_id: &str) -> Result<domain::registry::System> {
        let Some(system) = store::systems::get(&self.store, &p.scope(), system_id).await? else {
            return Err(FieldError::new("system_id", "信息系统不存在", "no such system").into());
        };
        if p.role == Role::VendorPm {
            let covered = store::contracts::coverage(&self.store, &system.id).await?;
            if !covered.iter().any(|c| Some(&c.vendor_id) == p.vendor_id.as_ref()) {
                return Err(FieldError::new(
                    "system_id",
                    "该系统不在本单位运维合同范围内",
                    "the system is not covered by your contract",
                )
                .into());
            }
        }
        Ok(system)
    }

    pub async fn create_monitor(&self, p: &Principal, input: MonitorInput) -> Result<Monitor> {
        may_write(p)?;
        let spec = input.validate()?;
        let system = self.monitored_system(p, &spec.system_id).await?;
        let now = self.now();
        let tx = self.store.begin().await?;
        let m = store::monitoring::insert(&tx, &spec, &system.unit_id, now).await?;
        audit::<(), _>(&tx, p, "create", "monitor", &m.id, None, Some(&m), now).await?;
        tx.commit().await?;
        self.monitors.upsert(&m);
        Ok(m)
    }

    pub async fn update_monitor(&self, p: &Principal, id: &str, input: MonitorInput) -> Result<Monitor> {
        may_write(p)?;
        let before = self.get_monitor(p, id).await?;
        let spec = input.validate()?;
        let system = self.monitored_system(p, &spec.system_id).await?;
        let now = self.now();
        let tx = self.store.begin().await?;
        let m = store::monitoring::update(&tx, &before, &spec, &system.unit_id, now).await?;
        audit(&tx, p, "update", "monitor", &m.id, Some(&before), Some(&m), now).await?;
        tx.commit().await?;
        self.monitors.upsert(&m);
        Ok(m)
    }

    /// The monitor goes; its interruptions stay (availability history is evidence).
    pub async fn delete_monitor(&self, p: &Principal, id: &str) -> Result<()> {
        may_write(p)?;
        let before = self.get_monitor(p, id).await?;
        self.monitored_system(p, &before.system_id).await?;
        let now = self.now();
        let tx = self.store.begin().await?;
        store::monitoring::delete(&tx, id).await?;
        audit::<_, ()>(&tx, p, "delete", "monitor", id, Some(&before), None, now).await?;
        tx.commit().await?;
        self.monitors.remove(id);
        Ok(())
    }

    pub async fn get_monitor(&self, p: &Principal, id: &str) -> Result<Monitor> {
        let m = store::monitoring::get(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)?;
        Ok(self.monitors.with_live(m))
    }

    pub async fn list_monitors(&self, p: &Principal, q: &ListQuery, f: &MonitorFilter) -> Result<Page<Monitor>> {
        let page = store::monitoring::list(&self.store, &p.scope(), q, f).await?;
        Ok(Page { items: page.items.into_iter().map(|m| self.monitors.with_live(m)).collect(), ..page })
    }

    /// What availability of a system is computed from over `[from, to)`: its interruptions with
    /// their causes, its maintenance, the causes its contract item counts, and its target.
    async fn availability_inputs(
        &self,
        p: &Principal,
        system_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<AvailabilityInputs> {
        if to <= from || (to - from).num_days() > MAX_DAYS {
            return Err(FieldError::new(
                "to",
                format!("须晚于 from，且跨度不超过 {MAX_DAYS} 天"),
                format!("must be after from and at most {MAX_DAYS} days later"),
            )
            .into());
        }
        let system = store::systems::get(&self.store, &p.scope(), system_id).await?.ok_or(AppError::NotFound)?;
        let rows = store::monitoring::interruptions_of(&self.store, &system.id, from, to).await?;
        let mut cuts = Vec::with_capacity(rows.len());
        for r in rows {
            // The cause is what the ticket that followed the interruption says (an engineer
            // records "carrier" there); without one, it is not known and counts.
            let cause = match &r.ticket_id {
                Some(t) => {
                    store::tickets::get(&self.store, &domain::Scope::All, t, self.now()).await?.and_then(|t| t.cause)
                }
                None => None,
            };
            cuts.push(Interruption {
                start: r.started_at,
                end: r.ended_at,
                cause: cause.unwrap_or(Cause::Unknown),
                source: r.source,
                ticket_id: r.ticket_id,
            });
        }
        let windows: Vec<Maintenance> =
            store::monitoring::maintenance_of(&self.store, &system.id).await?.into_iter().map(|w| w.window).collect();
        let day = crate::bureau_date(from.max(to - chrono::Duration::seconds(1)).min(self.now()));
        let cover = store::contracts::coverage(&self.store, &system.id).await?;
        let item = cover.iter().find(|c| c.start_date <= day && day <= c.end_date);
        let counted = item.map_or(DEFAULT_COUNTED_CAUSES.to_vec(), |c| c.counted_causes.clone());
        let target = item.and_then(|c| c.availability_target).map(|t| t / 100.0);
        Ok(AvailabilityInputs { cuts, windows, counted, target })
    }

    /// Availability of a system over `[from, to)`: its interruptions, less maintenance and the
    /// causes its contract item does not count, against the item's target.
    pub async fn system_availability(
        &self,
        p: &Principal,
        system_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Availability> {
        let i = self.availability_inputs(p, system_id, from, to).await?;
        Ok(compute(from, to, self.now(), &i.cuts, &i.windows, &i.counted, i.target))
    }

    /// The same, day by day (the bureau's days), for uptime bars.
    pub async fn system_availability_daily(
        &self,
        p: &Principal,
        system_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<DailyAvailability>> {
        let i = self.availability_inputs(p, system_id, from, to).await?;
        let now = self.now();
        let mut out = Vec::new();
        let mut day_start = from;
        while day_start < to.min(now) {
            let day_end = (day_start + chrono::Duration::days(1)).min(to);
            let a = compute(day_start, day_end, now, &i.cuts, &i.windows, &i.counted, i.target);
            out.push(DailyAvailability {
                date: crate::bureau_date(day_start),
                availability: a.availability,
                downtime_seconds: a.downtime_seconds,
                excluded_seconds: a.excluded_seconds,
            });
            day_start = day_end;
        }
        Ok(out)
    }

    pub async fn add_maintenance(
        &self,
        p: &Principal,
        system_id: &str,
        name: &str,
        window: Maintenance,
    ) -> Result<MaintenanceWindow> {
        may_write(p)?;
        let system = self.monitored_system(p, system_id).await.map_err(|e| match e {
            AppError::Validation(_) => AppError::NotFound,
            e => e,
        })?;
        let name = domain::error::Checker::default()
            .optional_text("name", Some(name), 200)
            .unwrap_or_else(|| "计划维护".into());
        if let Maintenance::Weekly { weekdays, minutes, time_zone, .. } = &window {
            if weekdays.is_empty() || weekdays.iter().any(|d| !(1..=7).contains(d)) {
                return Err(FieldError::new(
                    "window.weekdays",
                    "应为 1–7（周一至周日）",
                    "must be 1–7 (Monday to Sunday)",
                )
                .into());
            }
            if !(1..=24 * 60).contains(minutes) {
                return Err(FieldError::new("window.minutes", "应为 1–1440", "must be from 1 to 1440").into());
            }
            if time_zone.parse::<chrono_tz::Tz>().is_err() {
                return Err(FieldError::new("window.time_zone", "未知时区", "unknown time zone").into());
            }
        }
        if let Maintenance::Once { start, end } = &window
            && end <= start
        {
            return Err(FieldError::new("window.end", "须晚于开始时间", "must be after the start").into());
        }
        let now = self.now();
        let w = MaintenanceWindow { id: store::new_id(), system_id: system.id.clone(), name, window, created_at: now };
        let tx = self.store.begin().await?;
        store::monitoring::insert_maintenance(&tx, &w, &system.unit_id).await?;
        audit::<(), _>(&tx, p, "create", "maintenance_window", &w.id, None, Some(&w), now).await?;
        tx.commit().await?;
        Ok(w)
    }

    pub async fn list_maintenance(&self, p: &Principal, system_id: &str) -> Result<Vec<MaintenanceWindow>> {
        let system = store::systems::get(&self.store, &p.scope(), system_id).await?.ok_or(AppError::NotFound)?;
        Ok(store::monitoring::maintenance_of(&self.store, &system.id).await?)
    }

    pub async fn delete_maintenance(&self, p: &Principal, system_id: &str, id: &str) -> Result<()> {
        may_write(p)?;
        let system = self.monitored_system(p, system_id).await.map_err(|_| AppError::NotFound)?;
        let now = self.now();
        let tx = self.store.begin().await?;
        if !store::monitoring::delete_maintenance(&tx, &system.id, id).await? {
            return Err(AppError::NotFound);
        }
        audit::<(), ()>(&tx, p, "delete", "maintenance_window", id, None, None, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A monitor's per-minute rollups over `[from, to)`, as (epoch minute, rollup).
    pub async fn monitor_minutes(
        &self,
        p: &Principal,
        id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(i64, domain::monitoring::rollup::Minute)>> {
        let m = self.get_monitor(p, id).await?;
        if to <= from || (to - from).num_days() > 31 {
            return Err(FieldError::new(
                "to",
                "须晚于 from，且跨度不超过 31 天",
                "must be after from and at most 31 days later",
            )
            .into());
        }
        let (a, b) = (from.timestamp().div_euclid(60), to.timestamp().div_euclid(60));
        let rows =
            store::monitoring::minutes_between(&self.store, &m.id, a.div_euclid(60), b.div_euclid(60) + 1).await?;
        Ok(rows.into_iter().filter(|(t, _)| *t >= a && *t < b).collect())
    }

    /// What the runner starts with.
    pub(crate) async fn monitor_jobs(&self) -> Result<Vec<probe::Job>> {
        Ok(store::monitoring::active(&self.store)
            .await?
            .into_iter()
            .map(|m| probe::Job { id: m.id.clone(), spec: spec_of(&m), state: m.state, reach: None })
            .collect())
    }
}
