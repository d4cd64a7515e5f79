//! Monitoring: monitors (written by the bureau or the manager of a vendor covering the system;
//! the vendor's changes to a monitor are requests the bureau approves, in `requests.rs`), the
//! probe runner in `runner.rs`, what a state change does (interruptions, tickets) in
//! `incidents.rs`, planned maintenance in `maintenance.rs`, what inspections read from it in
//! `inspect.rs`, and availability against the contract's target here.

use chrono::{DateTime, Utc};
use domain::approvals::ApprovalKind;
use domain::list::{ListQuery, Page};
use domain::monitoring::Monitor;
pub use domain::monitoring::MonitorFilter;
use domain::monitoring::availability::{Availability, DailyAvailability, Interruption, Planned, compute, measured};
use domain::monitoring::spec::{MonitorInput, MonitorSpec};
use domain::tickets::{Cause, DEFAULT_COUNTED_CAUSES};
use domain::{FieldError, Msg, Principal, Role};
use store::monitoring::spec_of;

use crate::approvals::NewRequest;
use crate::{App, AppError, Applied, Result, audit};

mod incidents;
pub mod inspect;
pub mod intake;
mod maintenance;
mod metrics;
mod reach;
pub(crate) mod requests;
pub mod runner;
mod shard;

pub use probe::SchedulerConfig;
pub use runner::Runner;

/// Whether a change points the monitor somewhere else.
pub(crate) fn retargets(before: &Monitor, spec: &MonitorSpec) -> bool {
    before.kind != spec.kind
        || before.target != spec.target
        || before.system_id != spec.system_id
        || before.expect.server != spec.expect.server
}

pub(crate) fn may_write(p: &Principal) -> Result<()> {
    if matches!(p.role, Role::Admin | Role::VendorPm) { Ok(()) } else { Err(AppError::Forbidden) }
}

pub(crate) struct AvailabilityInputs {
    cuts: Vec<Interruption>,
    windows: Vec<Planned>,
    counted: Vec<Cause>,
    target: Option<f64>,
    /// Epoch hours in which a monitor of the system recorded a result.
    hours: Vec<i64>,
}

impl AvailabilityInputs {
    /// Availability over `[from, to)` as of `now`, with no figure where nothing measured.
    pub(crate) fn over(&self, from: DateTime<Utc>, to: DateTime<Utc>, now: DateTime<Utc>) -> Availability {
        let mut a = compute(from, to, now, &self.cuts, &self.windows, &self.counted, self.target);
        if !measured(from, to.min(now), &self.hours, &self.cuts) {
            a.availability = None;
        }
        a
    }
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
        self.check_reach(p, &spec, &system).await?;
        let restricted = p.role != Role::Admin;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        let m = store::monitoring::insert(&tx, &spec, &system.unit_id, restricted, now).await?;
        audit::<(), _>(&tx, p, "create", "monitor", &m.id, None, Some(&m), now).await?;
        tx.commit().await?;
        self.monitors_changed(Some(&m.id)).await;
        Ok(m)
    }

    /// The bureau changes a monitor at once. The vendor's manager changes its name at once; any
    /// other change is what the vendor is measured by, so it becomes a request the bureau
    /// approves (`Applied::Requested`) and the monitor runs unchanged meanwhile.
    pub async fn update_monitor(&self, p: &Principal, id: &str, input: MonitorInput) -> Result<Applied<Monitor>> {
        may_write(p)?;
        let before = self.get_monitor(p, id).await?;
        let mut spec = input.validate()?;
        let secrets = store::monitoring::secret_headers(&self.store, id).await?;
        spec.expect.keep_secrets(&secrets)?;
        let system = self.monitored_system(p, &spec.system_id).await?;
        // A new destination chosen by vendor staff must be inside the system's reach; the
        // bureau's own target stays the bureau's choice (and unrestricted) when they only ask to
        // change something else about it.
        if retargets(&before, &spec) {
            self.check_reach(p, &spec, &system).await?;
        }
        if p.role != Role::Admin {
            let mut running = spec_of(&before);
            running.expect.headers = secrets;
            if (MonitorSpec { name: spec.name.clone(), ..running }) != spec {
                let reason = crate::approvals::reason(input.reason.as_deref())?;
                let a = self.request_monitor_change(p, &before, Some(&spec), &system, reason).await?;
                return Ok(Applied::Requested(Box::new(a)));
            }
        }
        // Saved by the bureau, it is the bureau's definition; by the vendor, restricted once the
        // vendor chose where it points.
        let restricted = p.role != Role::Admin && (before.restricted || retargets(&before, &spec));
        Ok(Applied::Done(self.write_monitor(p, &before, &spec, &system.unit_id, restricted).await?))
    }

    async fn write_monitor(
        &self,
        p: &Principal,
        before: &Monitor,
        spec: &MonitorSpec,
        unit_id: &str,
        restricted: bool,
    ) -> Result<Monitor> {
        let now = self.business_now();
        let tx = self.store.begin().await?;
        let m = store::monitoring::update(&tx, before, spec, unit_id, restricted, now).await?;
        audit(&tx, p, "update", "monitor", &m.id, Some(before), Some(&m), now).await?;
        tx.commit().await?;
        self.monitors_changed(Some(&m.id)).await;
        Ok(m)
    }

    /// The monitor goes; its interruptions stay (availability history is evidence). The vendor's
    /// manager asks the bureau.
    pub async fn delete_monitor(&self, p: &Principal, id: &str, reason: Option<&str>) -> Result<Applied<()>> {
        may_write(p)?;
        let before = self.get_monitor(p, id).await?;
        let system = self.monitored_system(p, &before.system_id).await?;
        if p.role != Role::Admin {
            let reason = crate::approvals::reason(reason)?;
            let a = self.request_monitor_change(p, &before, None, &system, reason).await?;
            return Ok(Applied::Requested(Box::new(a)));
        }
        let now = self.business_now();
        let tx = self.store.begin().await?;
        store::monitoring::delete(&tx, id).await?;
        self.close_requests_about(&tx, p, "monitor", id, now).await?;
        audit::<_, ()>(&tx, p, "delete", "monitor", id, Some(&before), None, now).await?;
        tx.commit().await?;
        self.monitors_changed(Some(id)).await;
        Ok(Applied::Done(()))
    }

    /// Files the vendor's change (`Some`) or removal (`None`) of a monitor for approval.
    async fn request_monitor_change(
        &self,
        p: &Principal,
        before: &Monitor,
        spec: Option<&MonitorSpec>,
        system: &domain::registry::System,
        reason: Option<String>,
    ) -> Result<domain::approvals::Approval> {
        let name = &before.name;
        let (kind, title, proposed) = match spec {
            Some(s) => {
                let shown = MonitorSpec { expect: s.expect.masked(), ..s.clone() };
                let title = if !s.active && before.active {
                    Msg::new(format!("停用监控“{name}”"), format!("Switch off monitor \"{name}\""))
                } else {
                    Msg::new(format!("修改监控“{name}”"), format!("Change monitor \"{name}\""))
                };
                (ApprovalKind::MonitorUpdate, title, serde_json::to_value(shown))
            }
            None => (
                ApprovalKind::MonitorDelete,
                Msg::new(format!("删除监控“{name}”"), format!("Remove monitor \"{name}\"")),
                Ok(serde_json::json!({})),
            ),
        };
        let payload = requests::MonitorPayload { spec: spec.cloned(), seen: spec_of(before) };
        self.request_approval(
            p,
            NewRequest {
                kind,
                subject_type: "monitor",
                subject_id: Some(before.id.clone()),
                system_id: Some(system.id.clone()),
                unit_id: Some(system.unit_id.clone()),
                vendor_id: p.vendor_id.clone(),
                title,
                proposed: proposed.unwrap_or_default(),
                current: serde_json::to_value(before).ok(),
                reason,
                payload: serde_json::to_value(&payload).unwrap_or_default(),
            },
        )
        .await
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
        let day = crate::bureau_date(from.max(to - chrono::Duration::seconds(1)).min(self.business_now()));
        let cover = store::contracts::coverage(&self.store, &system.id).await?;
        let item = domain::registry::coverage::serving_on(&cover, day);
        let counted = item.map_or(DEFAULT_COUNTED_CAUSES.to_vec(), |c| c.counted_causes.clone());
        let target = item.and_then(|c| c.availability_target).map(|t| t / 100.0);
        let mut i = self.recorded_availability(&system.id, from, to, counted, target).await?;
        // A minute reaches `monitor_hours` once it is over; a check made this minute measures too.
        let monitors = self.system_monitors(p, &system.id, None).await?;
        i.hours.extend(monitors.iter().filter_map(|m| m.last_checked_at).map(|at| at.timestamp().div_euclid(3600)));
        Ok(i)
    }

    /// What the database holds for a system's availability over `[from, to)` under an item's
    /// counted causes and target: for a caller already checked (and for the indicators, which
    /// measure whole past days and leave out the minute in progress).
    pub(crate) async fn recorded_availability(
        &self,
        system_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        counted: Vec<Cause>,
        target: Option<f64>,
    ) -> Result<AvailabilityInputs> {
        let rows = store::monitoring::interruptions_of(&self.store, system_id, from, to).await?;
        let mut cuts = Vec::with_capacity(rows.len());
        for r in rows {
            // The cause is what the ticket that followed the interruption says (an engineer
            // records "carrier" there); without one, it is not known and counts.
            let cause = match &r.ticket_id {
                Some(t) => store::tickets::get(&self.store, &domain::Scope::All, t, self.business_now())
                    .await?
                    .and_then(|t| t.cause),
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
        let windows: Vec<Planned> =
            store::monitoring::maintenance_of(&self.store, system_id).await?.iter().map(|w| w.planned()).collect();
        let (from_hour, to_hour) = (from.timestamp().div_euclid(3600), (to.timestamp() + 3599).div_euclid(3600));
        let hours = store::monitoring::measured_hours(&self.store, system_id, from_hour, to_hour).await?;
        Ok(AvailabilityInputs { cuts, windows, counted, target, hours })
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
        Ok(i.over(from, to, self.business_now()))
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
        let now = self.business_now();
        let mut out = Vec::new();
        let mut day_start = from;
        while day_start < to.min(now) {
            let day_end = (day_start + chrono::Duration::days(1)).min(to);
            let a = compute(day_start, day_end, now, &i.cuts, &i.windows, &i.counted, i.target);
            out.push(DailyAvailability {
                date: crate::bureau_date(day_start),
                availability: a.availability.filter(|_| measured(day_start, day_end.min(now), &i.hours, &i.cuts)),
                downtime_seconds: a.downtime_seconds,
                excluded_seconds: a.excluded_seconds,
            });
            day_start = day_end;
        }
        Ok(out)
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
}
