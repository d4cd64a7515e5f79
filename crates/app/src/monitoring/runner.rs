//! The probe runner inside the server: one `probe::Scheduler` fed with the active monitors, and
//! one consumer of its reports that keeps the live state in memory, writes state changes at
//! once (interruptions, tickets), and writes everything else in batches: last checks every few
//! seconds, finished minutes into their hour rows, sampled raw results (every failure and one
//! success per monitor and minute), and the retention purge.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use domain::monitoring::reach::Reach;
use domain::monitoring::rollup::Minute;
use domain::monitoring::spec::MonitorSpec;
use domain::monitoring::state::MonitorState;
use domain::monitoring::{LastCheck, Monitor, MonitorCertificate};
use probe::scheduler::Stats;
use probe::{Command, Job, Prober, Report, Scheduler, SchedulerConfig};
use store::monitoring::{HourMinutes, RawResult};
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;

use crate::{App, AppError, Result};

/// How often batched writes happen.
const FLUSH_EVERY: Duration = Duration::from_secs(5);
/// Rollups are kept 13 months and a bit; raw results three days.
const KEEP_HOURS: i64 = 400 * 24;
const KEEP_RAW_DAYS: i64 = 3;

#[derive(Debug, Clone)]
struct Live {
    /// `None` until the runner has seen the monitor's state through; the stored one stands.
    state: Option<MonitorState>,
    state_since: Option<DateTime<Utc>>,
    last: LastCheck,
}

/// What the consumer has done since start, for /metrics and the benchmark.
#[derive(Debug, Default)]
pub struct WriteStats {
    /// Reports taken from the scheduler (checks minus this is the backlog).
    pub taken: AtomicU64,
    /// Batched writes and their total and longest time.
    pub flushes: AtomicU64,
    pub flush_micros_total: AtomicU64,
    pub flush_micros_max: AtomicU64,
    /// Rows written: last checks, hour rows and raw results.
    pub rows: AtomicU64,
    /// Batched writes that failed (their rows are kept for the next).
    pub failures: AtomicU64,
}

/// What this server runs: the definition and reach last given to the scheduler, by monitor.
type Running = HashMap<String, (MonitorSpec, Option<Arc<Reach>>)>;

/// The App's handle on the runner: commands go to the scheduler when it runs; the live state is
/// read by the API.
#[derive(Clone, Default)]
pub struct Runner {
    commands: Arc<Mutex<Option<mpsc::UnboundedSender<Command>>>>,
    live: Arc<RwLock<HashMap<String, Live>>>,
    stats: Arc<Mutex<Option<Arc<Stats>>>>,
    writes: Arc<WriteStats>,
    running: Arc<Mutex<Running>>,
    /// Servers probing this database, as last seen.
    members: Arc<AtomicUsize>,
    /// Wakes the share loop when a monitor changed here.
    pub(crate) wake: Arc<Notify>,
}

impl Runner {
    fn send(&self, cmd: Command) {
        if let Ok(guard) = self.commands.lock()
            && let Some(tx) = guard.as_ref()
        {
            let _ = tx.send(cmd);
        }
    }

    /// Forgets what was seen of a monitor (its definition changed).
    pub(crate) fn forget(&self, id: &str) {
        if let Ok(mut live) = self.live.write() {
            live.remove(id);
        }
    }

    /// Runs exactly `wanted`: monitors new or changed since they were given to the scheduler are
    /// (re)started with their stored state, the others stopped; unchanged ones keep running.
    pub(crate) fn apply(&self, mut wanted: HashMap<String, Job>) {
        let Ok(mut running) = self.running.lock() else { return };
        let gone: Vec<String> = running.keys().filter(|id| !wanted.contains_key(*id)).cloned().collect();
        for id in gone {
            running.remove(&id);
            self.forget(&id);
            self.send(Command::Remove(id));
        }
        for (id, job) in wanted.drain() {
            let def = (job.spec.clone(), job.reach.clone());
            if running.get(&id) == Some(&def) {
                continue;
            }
            running.insert(id.clone(), def);
            self.forget(&id);
            self.send(Command::Upsert(Box::new(job)));
        }
    }

    pub(crate) fn set_members(&self, n: usize) {
        self.members.store(n, Ordering::Relaxed);
    }

    /// Servers probing this database, and monitors probed by this one.
    pub fn share(&self) -> (usize, usize) {
        let here = self.running.lock().map(|r| r.len()).unwrap_or(0);
        (self.members.load(Ordering::Relaxed), here)
    }

    /// The stored monitor with what the runner knows that is not written yet.
    pub(crate) fn with_live(&self, mut m: Monitor) -> Monitor {
        let Ok(live) = self.live.read() else { return m };
        let Some(l) = live.get(&m.id) else { return m };
        if let Some(state) = l.state {
            m.state = state;
        }
        m.state_since = l.state_since.or(m.state_since);
        m.last_checked_at = Some(l.last.at);
        m.last_ok = Some(l.last.ok);
        m.last_latency_ms = Some(l.last.latency_ms);
        m.last_error = l.last.error.clone();
        if l.last.cert.is_some() {
            m.cert = l.last.cert.clone();
        }
        m
    }

    /// Scheduler counters, when the runner runs.
    pub fn stats(&self) -> Option<Arc<Stats>> {
        self.stats.lock().ok().and_then(|s| s.clone())
    }

    /// The consumer's counters.
    pub fn writes(&self) -> &WriteStats {
        &self.writes
    }
}

/// A monitor and an epoch minute.
type MinuteKey = (String, i64);
/// A minute's checks: (ok, latency ms).
type Checks = Vec<(bool, u32)>;

/// What waits to be written.
#[derive(Default)]
struct Pending {
    last: HashMap<String, LastCheck>,
    /// (monitor, epoch minute) → the minute's checks.
    minutes: HashMap<MinuteKey, Checks>,
    raw: Vec<RawResult>,
    /// The minute in which a monitor's last success was kept raw.
    sampled: HashMap<String, i64>,
}

/// What one write takes out of `Pending`; given back if the write fails.
struct Batch {
    last: Vec<LastCheck>,
    minutes: Vec<(MinuteKey, Checks)>,
    raw: Vec<RawResult>,
}

impl Batch {
    /// Finished minutes as hour rows to patch.
    fn hours(&self) -> Vec<HourMinutes> {
        let mut by_hour: HashMap<(&str, i64), Vec<(usize, Minute)>> = HashMap::new();
        for ((id, minute), checks) in &self.minutes {
            by_hour
                .entry((id.as_str(), minute.div_euclid(60)))
                .or_default()
                .push((minute.rem_euclid(60) as usize, Minute::from_checks(checks)));
        }
        by_hour.into_iter().map(|((id, hour), slots)| HourMinutes { monitor_id: id.to_string(), hour, slots }).collect()
    }
}

impl Pending {
    /// Takes what is ready: every last check and raw result, and the minutes that are over
    /// (all of them when `all`).
    fn drain(&mut self, all: bool, current_minute: i64) -> Batch {
        let done: Vec<(String, i64)> =
            self.minutes.keys().filter(|(_, m)| all || *m < current_minute).cloned().collect();
        let minutes = done.into_iter().filter_map(|k| self.minutes.remove_entry(&k)).collect();
        self.sampled.retain(|_, m| *m >= current_minute - 1);
        Batch { last: self.last.drain().map(|(_, l)| l).collect(), minutes, raw: std::mem::take(&mut self.raw) }
    }

    /// Gives back a batch that could not be written; anything newer that arrived meanwhile wins.
    fn restore(&mut self, b: Batch) {
        for l in b.last {
            self.last.entry(l.monitor_id.clone()).or_insert(l);
        }
        for (key, checks) in b.minutes {
            self.minutes.entry(key).or_default().extend(checks);
        }
        let newer = std::mem::replace(&mut self.raw, b.raw);
        self.raw.extend(newer);
    }
}

fn epoch_minute(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(60)
}

impl App {
    /// Starts the probes and the consumer of their results; both stop when `shutdown` turns
    /// true (the consumer writes what it holds first). The server calls this at start-up.
    pub async fn start_monitoring(
        &self,
        config: SchedulerConfig,
        shutdown: watch::Receiver<bool>,
    ) -> Result<JoinHandle<()>> {
        let prober = Prober::new().map_err(|e| AppError::internal_from("starting the probes", e))?;
        let scheduler = Scheduler::spawn(prober, config);
        if let Ok(mut c) = self.monitors.commands.lock() {
            *c = Some(scheduler.commands.clone());
        }
        if let Ok(mut s) = self.monitors.stats.lock() {
            *s = Some(scheduler.stats.clone());
        }
        if let Ok(mut r) = self.monitors.running.lock() {
            r.clear();
        }
        let seen = self.first_share().await;
        let app = self.clone();
        Ok(tokio::spawn(async move {
            let share = app.clone().keep_share(seen, shutdown.clone());
            tokio::join!(share, app.consume(scheduler, shutdown));
        }))
    }

    async fn consume(&self, mut scheduler: Scheduler, mut shutdown: watch::Receiver<bool>) {
        let mut pending = Pending::default();
        let mut flush = tokio::time::interval(FLUSH_EVERY);
        flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_purge: Option<DateTime<Utc>> = None;
        loop {
            tokio::select! {
                r = scheduler.reports.recv() => match r {
                    Some(r) => self.take(&mut pending, r).await,
                    None => break,
                },
                _ = flush.tick() => {
                    // Written inline: while a write runs, results wait in the channel (65,536 by
                    // default, 6.5 s at 10,000 checks/s); a writer beside the consumer showed no
                    // gain (docs/benchmarks.md).
                    let now = crate::wall_now();
                    if let Some(failed) = self.write(pending.drain(false, epoch_minute(now))).await {
                        pending.restore(failed);
                    }
                    let due = last_purge.is_none_or(|t| now - t > chrono::Duration::hours(1));
                    if due && self.leases().holds(super::shard::PURGE_LEASE) {
                        last_purge = Some(now);
                        if let Err(e) = self.purge_monitoring(now).await {
                            tracing::warn!(error = %e.chain(), "monitoring: purge failed");
                        }
                    }
                }
                _ = shutdown.changed() => break,
            }
        }
        scheduler.handle.abort();
        if let Ok(mut c) = self.monitors.commands.lock() {
            *c = None;
        }
        if let Ok(mut r) = self.monitors.running.lock() {
            r.clear();
        }
        let _ = self.write(pending.drain(true, epoch_minute(crate::wall_now()))).await;
    }

    async fn take(&self, pending: &mut Pending, r: Report) {
        self.monitors.writes.taken.fetch_add(1, Ordering::Relaxed);
        let cert = r.outcome.cert.as_ref().map(|c| MonitorCertificate {
            not_after: c.not_after,
            issuer: Some(c.issuer.clone()),
            subject: Some(c.subject.clone()),
            chain_error: c.chain_error.clone(),
        });
        let last = LastCheck {
            monitor_id: r.monitor_id.clone(),
            at: r.at,
            ok: r.outcome.ok,
            latency_ms: r.outcome.latency_ms,
            error: r.outcome.error.clone(),
            cert,
        };
        let minute = epoch_minute(r.at);
        pending.minutes.entry((r.monitor_id.clone(), minute)).or_default().push((r.outcome.ok, r.outcome.latency_ms));
        let keep = !r.outcome.ok || pending.sampled.get(&r.monitor_id) != Some(&minute);
        if keep {
            if r.outcome.ok {
                pending.sampled.insert(r.monitor_id.clone(), minute);
            }
            pending.raw.push(RawResult {
                monitor_id: r.monitor_id.clone(),
                at: r.at,
                ok: r.outcome.ok,
                latency_ms: r.outcome.latency_ms,
                error: r.outcome.error.clone(),
            });
        }
        // The check is shown at once; a new state only once it is written (interruption, ticket).
        if let Ok(mut live) = self.monitors.live.write() {
            let entry = live.entry(r.monitor_id.clone()).or_insert_with(|| Live {
                state: None,
                state_since: None,
                last: last.clone(),
            });
            entry.last = last.clone();
            if r.changed.is_none() {
                entry.state = Some(r.state);
            }
        }
        if let Some((state, since)) = r.changed {
            if let Err(e) = self.monitor_changed(&r.monitor_id, state, since, r.outcome.error.as_deref()).await {
                tracing::warn!(monitor = %r.monitor_id, error = ?e, "monitoring: recording a state change failed");
            }
            if let Ok(mut live) = self.monitors.live.write()
                && let Some(entry) = live.get_mut(&r.monitor_id)
            {
                entry.state = Some(state);
                entry.state_since = Some(since);
            }
        }
        pending.last.insert(r.monitor_id.clone(), last);
    }

    /// Writes a batch in one transaction, timed and counted in the writer's statistics; gives
    /// the batch back when it could not be written.
    async fn write(&self, b: Batch) -> Option<Batch> {
        let hours = b.hours();
        let rows = (b.last.len() + hours.len() + b.raw.len()) as u64;
        if rows == 0 {
            return None;
        }
        let started = Instant::now();
        let w = &self.monitors.writes;
        let written = async {
            let tx = self.store.begin().await?;
            store::monitoring::record_last_checks(&tx, &b.last).await?;
            store::monitoring::merge_minutes(&tx, &hours).await?;
            store::monitoring::insert_results(&tx, &b.raw).await?;
            tx.commit().await?;
            Ok::<(), AppError>(())
        }
        .await;
        if let Err(e) = written {
            w.failures.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(error = %e.chain(), "monitoring: writing results failed; kept for the next try");
            return Some(b);
        }
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        w.flushes.fetch_add(1, Ordering::Relaxed);
        w.flush_micros_total.fetch_add(micros, Ordering::Relaxed);
        w.flush_micros_max.fetch_max(micros, Ordering::Relaxed);
        w.rows.fetch_add(rows, Ordering::Relaxed);
        None
    }

    async fn purge_monitoring(&self, now: DateTime<Utc>) -> Result<u64> {
        let hour = now.timestamp().div_euclid(3600) - KEEP_HOURS;
        let tx = self.store.begin().await?;
        let n = store::monitoring::purge(&tx, hour, now - chrono::Duration::days(KEEP_RAW_DAYS)).await?;
        // Memberships of servers that stopped without a word (a new process is a new member).
        store::leases::purge(&tx, 24 * 3600 * 1000).await?;
        tx.commit().await?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn check(id: &str, second: u32, ok: bool) -> LastCheck {
        let at = Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, second).unwrap();
        LastCheck { monitor_id: id.into(), at, ok, latency_ms: 5, error: None, cert: None }
    }

    #[test]
    fn a_failed_batch_comes_back_without_overwriting_newer_results() {
        let mut p = Pending::default();
        p.last.insert("a".into(), check("a", 1, true));
        p.minutes.insert(("a".into(), 100), vec![(true, 5)]);
        p.minutes.insert(("a".into(), 101), vec![(true, 6)]);
        p.raw.push(RawResult {
            monitor_id: "a".into(),
            at: check("a", 1, true).at,
            ok: true,
            latency_ms: 5,
            error: None,
        });
        // Minute 101 is still running: only 100 is taken.
        let b = p.drain(false, 101);
        assert_eq!((b.last.len(), b.minutes.len(), b.raw.len()), (1, 1, 1));
        assert_eq!(b.hours().len(), 1);
        assert!(p.last.is_empty() && p.raw.is_empty() && p.minutes.len() == 1);

        // Meanwhile a newer check and more of minute 100 (a late report) arrive; the write fails.
        p.last.insert("a".into(), check("a", 2, false));
        p.minutes.insert(("a".into(), 100), vec![(false, 7)]);
        p.raw.push(RawResult {
            monitor_id: "a".into(),
            at: check("a", 2, false).at,
            ok: false,
            latency_ms: 7,
            error: None,
        });
        p.restore(b);
        assert!(!p.last["a"].ok, "the newer last check stays");
        assert_eq!(p.minutes[&("a".to_string(), 100)].len(), 2);
        assert_eq!(p.raw.iter().map(|r| r.ok).collect::<Vec<_>>(), [true, false], "oldest first");

        // At the end everything goes, the running minute too.
        let all = p.drain(true, 101);
        assert_eq!((all.last.len(), all.minutes.len(), all.raw.len()), (1, 2, 2));
        assert!(p.minutes.is_empty());
    }
}
