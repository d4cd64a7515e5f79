//! Yunwei's own metrics in the Prometheus text format: monitors by state, probe counts and
//! schedule lag, tickets at risk or breached.

use std::fmt::Write;
use std::sync::atomic::Ordering;

use domain::Scope;
use domain::list::ListQuery;
use domain::monitoring::state::MonitorState;
use domain::tickets::Status;
use domain::tickets::filter::TicketFilter;

use crate::{App, Result};

fn metric(out: &mut String, name: &str, kind: &str, help: &str, samples: &[(&str, f64)]) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    for (labels, v) in samples {
        let _ = writeln!(out, "{name}{labels} {v}");
    }
}

impl App {
    pub async fn metrics_text(&self) -> Result<String> {
        let mut out = String::new();
        let monitors = store::monitoring::active(&self.store).await?;
        let count = |s: MonitorState| {
            monitors.iter().map(|m| self.monitors.with_live(m.clone())).filter(|m| m.state == s).count() as f64
        };
        metric(
            &mut out,
            "yunwei_monitors",
            "gauge",
            "Active monitors by state.",
            &[
                ("{state=\"up\"}", count(MonitorState::Up)),
                ("{state=\"down\"}", count(MonitorState::Down)),
                ("{state=\"unknown\"}", count(MonitorState::Unknown)),
            ],
        );
        if let Some(s) = self.monitors.stats() {
            let checks = s.checks.load(Ordering::Relaxed) as f64;
            let lag = s.lag_ms_total.load(Ordering::Relaxed) as f64 / 1000.0;
            metric(&mut out, "yunwei_probe_checks_total", "counter", "Checks run since start.", &[("", checks)]);
            metric(
                &mut out,
                "yunwei_probe_failures_total",
                "counter",
                "Failed checks since start.",
                &[("", s.failures.load(Ordering::Relaxed) as f64)],
            );
            metric(
                &mut out,
                "yunwei_probe_skipped_total",
                "counter",
                "Turns skipped because the previous check still ran or the loop was late.",
                &[("", s.skipped.load(Ordering::Relaxed) as f64)],
            );
            metric(
                &mut out,
                "yunwei_probe_lag_seconds_sum",
                "counter",
                "Sum of how late checks started against their schedule.",
                &[("", lag)],
            );
            metric(
                &mut out,
                "yunwei_probe_lag_seconds_count",
                "counter",
                "Checks counted in the lag sum.",
                &[("", checks)],
            );
        }
        let w = self.monitors.writes();
        let load = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed) as f64;
        metric(
            &mut out,
            "yunwei_monitor_results_taken_total",
            "counter",
            "Check results taken by the writer (checks minus this is its backlog).",
            &[("", load(&w.taken))],
        );
        metric(
            &mut out,
            "yunwei_monitor_write_seconds_sum",
            "counter",
            "Time spent in batched writes of check results.",
            &[("", load(&w.flush_micros_total) / 1e6)],
        );
        metric(
            &mut out,
            "yunwei_monitor_write_seconds_count",
            "counter",
            "Batched writes that wrote something.",
            &[("", load(&w.flushes))],
        );
        metric(
            &mut out,
            "yunwei_monitor_write_seconds_max",
            "gauge",
            "The longest batched write since start.",
            &[("", load(&w.flush_micros_max) / 1e6)],
        );
        metric(
            &mut out,
            "yunwei_monitor_write_rows_total",
            "counter",
            "Rows written: last checks, hour rows, raw results.",
            &[("", load(&w.rows))],
        );
        metric(
            &mut out,
            "yunwei_monitor_write_failures_total",
            "counter",
            "Batched writes that failed (kept for the next).",
            &[("", load(&w.failures))],
        );
        let (members, here) = self.monitors.share();
        metric(
            &mut out,
            "yunwei_probe_servers",
            "gauge",
            "Servers sharing the monitors of this database, as last seen by this one.",
            &[("", members as f64)],
        );
        metric(
            &mut out,
            "yunwei_monitors_probed_here",
            "gauge",
            "Active monitors this server probes (its share).",
            &[("", here as f64)],
        );
        let held: Vec<(String, f64)> =
            self.leases().held().into_iter().map(|name| (format!("{{lease=\"{name}\"}}"), 1.0)).collect();
        let held: Vec<(&str, f64)> = held.iter().map(|(l, v)| (l.as_str(), *v)).collect();
        metric(
            &mut out,
            "yunwei_lease_held",
            "gauge",
            "Leases this server holds (jobs it runs, its probe membership).",
            &held,
        );
        let now = self.business_now();
        let q = ListQuery { page_size: 1, ..ListQuery::default() };
        let open: Vec<Status> =
            Status::ALL.iter().copied().filter(|s| !matches!(s, Status::Resolved | Status::Closed)).collect();
        let at_risk = TicketFilter { statuses: open.clone(), at_risk: Some(true), ..Default::default() };
        let breached = TicketFilter { statuses: open, breached: Some(true), ..Default::default() };
        let n = |p: domain::list::Page<_>| p.total as f64;
        let risk = n(store::tickets::list(&self.store, &Scope::All, &q, &at_risk, now).await?);
        let late = n(store::tickets::list(&self.store, &Scope::All, &q, &breached, now).await?);
        metric(
            &mut out,
            "yunwei_ticket_clocks_at_risk",
            "gauge",
            "Open tickets with an SLA clock near its due time (counted up to 1001).",
            &[("", risk)],
        );
        metric(
            &mut out,
            "yunwei_tickets_breached_open",
            "gauge",
            "Open tickets with a missed SLA clock (counted up to 1001).",
            &[("", late)],
        );
        Ok(out)
    }
}
