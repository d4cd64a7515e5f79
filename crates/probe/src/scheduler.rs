//! One async loop runs every monitor at its interval: a heap of due times, a semaphore bounding
//! the checks in flight, one lightweight task per check (no thread per check), and the check's
//! own timeout, so a slow or hung target only ever holds its own slot. First runs are spread
//! over the interval by the monitor's id, so a thousand monitors added at once do not fire
//! together. A check still running when its next turn comes skips that turn (counted).

use std::cmp::Reverse;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::monitoring::reach::Reach;
use domain::monitoring::spec::MonitorSpec;
use domain::monitoring::state::{MonitorState, Tracker};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::{Outcome, Prober};

/// A monitor to run, with the state it was last known in (so a restart does not reopen or
/// re-close anything).
#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub spec: MonitorSpec,
    pub state: MonitorState,
    /// Where the monitor may connect; `None` for an administrator's monitor, which may go
    /// anywhere. Shared, as every monitor of a system has the same.
    pub reach: Option<Arc<Reach>>,
}

#[derive(Debug, Clone)]
pub enum Command {
    /// Adds a monitor or replaces its definition.
    Upsert(Box<Job>),
    Remove(String),
}

/// One check's result and what it did to the monitor's state.
#[derive(Debug, Clone)]
pub struct Report {
    pub monitor_id: String,
    /// When the check started.
    pub at: DateTime<Utc>,
    pub outcome: Outcome,
    /// How late the check started against its schedule.
    pub lag: Duration,
    pub state: MonitorState,
    /// Set when this result changed the state: the new state, and when the run of results that
    /// led to it began (the first failed check for `down`, the first good one for `up`).
    pub changed: Option<(MonitorState, DateTime<Utc>)>,
}

#[derive(Debug, Clone)]
pub struct SchedulerConfig {
    /// Checks in flight at once.
    pub max_in_flight: usize,
    /// Reports waiting for the consumer before the scheduler waits too. The default holds
    /// 6.5 s of results at 10,000 checks/s, longer than the server's batched writes take, so a
    /// write never holds checks back (about 10 MB when full).
    pub report_buffer: usize,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig { max_in_flight: 512, report_buffer: 65_536 }
    }
}

/// Counters for `/metrics`.
#[derive(Debug, Default)]
pub struct Stats {
    pub checks: AtomicU64,
    pub failures: AtomicU64,
    pub skipped: AtomicU64,
    pub monitors: AtomicU64,
    /// Sum of start lags in milliseconds (÷ checks for the mean).
    pub lag_ms_total: AtomicU64,
}

pub struct Scheduler {
    pub commands: mpsc::UnboundedSender<Command>,
    pub reports: mpsc::Receiver<Report>,
    pub stats: Arc<Stats>,
    pub handle: JoinHandle<()>,
}

struct Entry {
    spec: Arc<MonitorSpec>,
    reach: Option<Arc<Reach>>,
    tracker: Tracker,
    interval: Duration,
    generation: u64,
    in_flight: bool,
    last_ok: Option<bool>,
    streak_since: DateTime<Utc>,
}

struct Done {
    id: String,
    generation: u64,
    at: DateTime<Utc>,
    lag: Duration,
    outcome: Outcome,
}

/// Where in its interval a monitor first runs: spread by its id, the same on every start.
fn offset(id: &str, interval: Duration) -> Duration {
    let mut h = DefaultHasher::new();
    id.hash(&mut h);
    let ms = interval.as_millis().max(1) as u64;
    Duration::from_millis(h.finish() % ms)
}

impl Scheduler {
    pub fn spawn(prober: Prober, config: SchedulerConfig) -> Scheduler {
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (report_tx, reports) = mpsc::channel(config.report_buffer.max(1));
        let stats = Arc::new(Stats::default());
        let handle = tokio::spawn(run(prober, config, command_rx, report_tx, stats.clone()));
        Scheduler { commands, reports, stats, handle }
    }
}

async fn run(
    prober: Prober,
    config: SchedulerConfig,
    mut commands: mpsc::UnboundedReceiver<Command>,
    reports: mpsc::Sender<Report>,
    stats: Arc<Stats>,
) {
    let slots = Arc::new(Semaphore::new(config.max_in_flight.max(1)));
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Done>();
    let mut entries: HashMap<String, Entry> = HashMap::new();
    let mut heap: BinaryHeap<Reverse<(Instant, u64, String)>> = BinaryHeap::new();
    let mut generation = 0u64;
    let mut commands_open = true;
    loop {
        let next_due = heap.peek().map(|Reverse((t, _, _))| *t);
        tokio::select! {
            cmd = commands.recv(), if commands_open => match cmd {
                None => commands_open = false,
                Some(Command::Upsert(job)) => {
                    generation += 1;
                    let interval = Duration::from_secs(u64::from(job.spec.interval_seconds.max(1)));
                    let tracker = Tracker::new(job.state, job.spec.failures_before_down, job.spec.successes_before_up);
                    let active = job.spec.active;
                    let entry = Entry {
                        spec: Arc::new(job.spec),
                        reach: job.reach,
                        tracker,
                        interval,
                        generation,
                        in_flight: false,
                        last_ok: None,
                        streak_since: Utc::now(),
                    };
                    if active {
                        heap.push(Reverse((Instant::now() + offset(&job.id, interval), generation, job.id.clone())));
                        entries.insert(job.id, entry);
                    } else {
                        entries.remove(&job.id);
                    }
                    stats.monitors.store(entries.len() as u64, Ordering::Relaxed);
                }
                Some(Command::Remove(id)) => {
                    entries.remove(&id);
                    stats.monitors.store(entries.len() as u64, Ordering::Relaxed);
                }
            },
            Some(done) = done_rx.recv() => {
                let Some(e) = entries.get_mut(&done.id).filter(|e| e.generation == done.generation) else { continue };
                e.in_flight = false;
                let ok = done.outcome.ok;
                if e.last_ok != Some(ok) {
                    e.last_ok = Some(ok);
                    e.streak_since = done.at;
                }
                let changed = e.tracker.observe(ok).map(|s| (s, e.streak_since));
                stats.checks.fetch_add(1, Ordering::Relaxed);
                stats.lag_ms_total.fetch_add(done.lag.as_millis() as u64, Ordering::Relaxed);
                if !ok {
                    stats.failures.fetch_add(1, Ordering::Relaxed);
                }
                let report = Report {
                    monitor_id: done.id,
                    at: done.at,
                    outcome: done.outcome,
                    lag: done.lag,
                    state: e.tracker.state,
                    changed,
                };
                if reports.send(report).await.is_err() {
                    return; // nobody listens any more
                }
            },
            _ = tokio::time::sleep_until(next_due.unwrap_or_else(Instant::now)), if next_due.is_some() => {
                let now = Instant::now();
                while let Some(Reverse((due, gen_, _))) = heap.peek().cloned() {
                    if due > now {
                        break;
                    }
                    let Some(Reverse((_, _, id))) = heap.pop() else { break };
                    let Some(e) = entries.get_mut(&id).filter(|e| e.generation == gen_) else { continue };
                    // Fixed rate: the next turn is one interval on; turns missed while the loop
                    // was busy are skipped rather than run in a burst.
                    let mut next = due + e.interval;
                    while next <= now {
                        next += e.interval;
                        stats.skipped.fetch_add(1, Ordering::Relaxed);
                    }
                    heap.push(Reverse((next, gen_, id.clone())));
                    if e.in_flight {
                        stats.skipped.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    e.in_flight = true;
                    let (spec, reach) = (e.spec.clone(), e.reach.clone());
                    let (prober, slots, done_tx) = (prober.clone(), slots.clone(), done_tx.clone());
                    tokio::spawn(async move {
                        let Ok(_permit) = slots.acquire_owned().await else { return };
                        let started = Instant::now();
                        let at = Utc::now();
                        let outcome = prober.check(&spec, reach.as_deref()).await;
                        let lag = started.saturating_duration_since(due);
                        let _ = done_tx.send(Done { id, generation: gen_, at, lag, outcome });
                    });
                }
            },
            else => break,
        }
    }
}
