//! The generator: tickets over three years with the shape of a real service desk, their clocks
//! computed by the SLA engine from a synthetic history, written by `store::tickets::bulk_insert`
//! in transactions of 5 000 tickets.
//!
//! About 97 % are closed, 1 % resolved and waiting for the reporter, 2 % open (new, in progress,
//! pending). About 1.7 % of the finished tickets were late; open tickets past their due time are
//! breached too, and a few are at risk. Only open tickets carry `next_due_at`/`next_check_at`; 2.5 %
//! of those are already due for the clock job (as right after a calendar change or a restart).
//! Systems are picked with a skew (the first system, unit and vendor are the busiest), so the
//! filters measured on them are the expensive ones.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use anyhow::Result;
use app::App;
use chrono::Duration;
use domain::sla::compiled::{DAY, MIN, Micros, SEC, instant, micros};
use domain::tickets::clocks::{Change, ClockState, History, compute};
use domain::tickets::view::Ticket;
use domain::tickets::{Cause, Channel, Status, TicketType};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use store::tickets::StoredClock;
use uuid::{NoContext, Timestamp, Uuid};

use crate::registry::Registry;

const HOUR: Micros = 60 * MIN;
/// Tickets per transaction.
const BATCH: usize = 5000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Closed,
    Resolved,
    New,
    InProgress,
    Pending,
}

/// What was written.
#[derive(Debug, Default)]
pub struct Stats {
    pub total: usize,
    pub closed: usize,
    pub resolved: usize,
    pub open: usize,
    pub breached: usize,
    pub at_risk: usize,
    pub due_for_check: usize,
    pub clocks: usize,
    pub seconds: f64,
}

fn pick<T: Copy>(rng: &mut StdRng, weighted: &[(T, u32)]) -> T {
    let total: u32 = weighted.iter().map(|w| w.1).sum();
    let mut x = rng.gen_range(0..total);
    for &(v, w) in weighted {
        if x < w {
            return v;
        }
        x -= w;
    }
    weighted[0].0
}

const TITLES: [&str; 12] = [
    "系统登录缓慢",
    "页面打开报 500 错误",
    "数据同步任务失败",
    "报表导出为空",
    "用户无法上传附件",
    "接口调用超时",
    "新增统计报表需求",
    "账号权限调整",
    "数据提取：上季度业务量",
    "咨询操作流程",
    "证书即将到期更换",
    "服务器磁盘空间告警",
];

struct Gen<'a> {
    reg: &'a Registry,
    now: Micros,
    rng: StdRng,
    counters: HashMap<String, u32>,
    stats: Stats,
}

fn bureau_day(t: Micros) -> String {
    (instant(t) + Duration::hours(8)).format("%Y%m%d").to_string()
}

impl Gen<'_> {
    /// A ticket reported at `start` (closed fate) or at a time the fate chooses.
    fn make(&mut self, fate: Fate, hint: Micros) -> (Ticket, Vec<StoredClock>) {
        let sys = &self.reg.systems[((self.rng.r#gen::<f64>().powf(1.5)) * self.reg.systems.len() as f64) as usize];
        let item = &self.reg.items[sys.item];
        let spec = &item.policy.spec;
        let cal = &item.cal;
        let li = pick(&mut self.rng, &[(0usize, 5), (1, 15), (2, 40), (3, 40)]).min(spec.levels.len() - 1);
        let level = &spec.levels[li];
        let now = self.now;
        // The wall-clock length of the resolve budget, from a start two days ago.
        let span_of = |metric: &str, start: Micros| {
            level.targets.get(metric).and_then(|t| t.due(cal, start, &[], &mut ())).map_or(DAY, |d| d - start)
        };
        let resolve_span = span_of("resolve", now - 2 * DAY);
        let r = &mut self.rng;
        let mut start = match fate {
            Fate::Closed => hint,
            Fate::Resolved => now - r.gen_range(DAY..4 * DAY),
            Fate::New => now - r.gen_range(SEC..14 * MIN),
            Fate::Pending => now - r.gen_range(2 * HOUR..10 * DAY),
            Fate::InProgress => {
                let f = pick(r, &[(0u8, 55), (1, 5), (2, 40)]);
                match f {
                    0 => now - (resolve_span as f64 * r.gen_range(0.05..0.78)) as Micros,
                    1 => now - (resolve_span as f64 * r.gen_range(0.81..0.97)) as Micros,
                    _ => now - r.gen_range(resolve_span + resolve_span / 50..20 * DAY),
                }
            }
        };
        let late = r.gen_bool(0.017);
        let late_response = r.gen_bool(if fate == Fate::InProgress { 0.05 } else { 0.004 });
        let frac = |r: &mut StdRng, late: bool| if late { r.gen_range(1.05..3.0) } else { r.gen_range(0.1..0.95) };
        let f_response = frac(r, late_response);
        let f_resolve = frac(r, late);
        let pause = r.gen_bool(0.05).then(|| (r.gen_range(5 * MIN..2 * HOUR), r.gen_range(30 * MIN..2 * DAY)));
        let after_work = r.gen_range(MIN..30 * MIN);
        let close_after = r.gen_range(2 * HOUR..3 * DAY);
        let pending_share = r.gen_range(0.1..0.9);

        // The history; finished tickets that would end in the future start a day earlier.
        let (in_hours, changes) = loop {
            let in_hours = cal.is_working(start);
            let targets = level.targets_for(in_hours);
            let due = |m: &str| targets.get(m).and_then(|t| t.due(cal, start, &[], &mut ())).unwrap_or(start + DAY);
            let at_frac = |m: &str, f: f64| start + ((due(m) - start) as f64 * f) as Micros;
            let mut changes: Vec<Change> = Vec::new();
            let mut push = |at: Micros, to: Status| {
                let at = at.max(changes.last().map_or(start, |c| c.at) + MIN);
                changes.push(Change { at, to });
                at
            };
            match fate {
                Fate::New => {}
                Fate::InProgress | Fate::Pending => {
                    let responded =
                        push(at_frac("response", f_response).min(start + (now - start) / 3), Status::Responded);
                    let work = push(responded + after_work.min((now - responded) / 3), Status::InProgress);
                    if fate == Fate::Pending {
                        push(work + ((now - work) as f64 * pending_share) as Micros, Status::Pending);
                    }
                }
                Fate::Closed | Fate::Resolved => {
                    let responded = push(at_frac("response", f_response), Status::Responded);
                    let work = push(responded + after_work, Status::InProgress);
                    let mut shift = 0;
                    if let Some((after, len)) = pause {
                        let p = push(work + after, Status::Pending);
                        push(p + len, Status::InProgress);
                        shift = len;
                    }
                    if targets.contains_key("restore") {
                        push(at_frac("restore", f_resolve) + shift, Status::Restored);
                    }
                    let resolved = push(at_frac("resolve", f_resolve) + shift, Status::Resolved);
                    if fate == Fate::Closed {
                        push(resolved + close_after, Status::Closed);
                    }
                }
            }
            if changes.last().is_none_or(|c| c.at < now - MIN) {
                break (in_hours, changes);
            }
            start -= DAY;
        };

        let targets = level.targets_for(in_hours);
        let milestones = BTreeMap::new();
        let h = History { reported_at: start, changes: &changes, milestones: &milestones };
        let mut clocks = Vec::new();
        for (metric, target) in &targets {
            let paused: Vec<Status> = spec
                .pause_states
                .iter()
                .filter(|(_, ms)| ms.contains(metric))
                .filter_map(|(s, _)| Status::parse(s))
                .collect();
            let clock = compute(cal, metric, *target, start, &paused, &h, now);
            let mut fired = Vec::new();
            if metric == "resolve" {
                if clock.percent_spent() >= 75 || clock.state == ClockState::Breached {
                    fired.push(0);
                }
                if clock.state == ClockState::Breached {
                    fired.push(1);
                }
            }
            clocks.push(StoredClock { clock, fired });
        }

        let open = fate != Fate::Closed && fate != Fate::Resolved;
        let at = |s: Status| changes.iter().rev().find(|c| c.to == s).map(|c| instant(c.at));
        let running = || clocks.iter().filter(|s| s.clock.state == ClockState::Running).map(|s| &s.clock);
        let breached = clocks.iter().any(|s| s.clock.state == ClockState::Breached);
        let (next_due_at, risk_at, next_check_at) = if open {
            let due = running().filter_map(|c| c.due).min();
            let risk = running().filter_map(|c| c.at_percent(cal, 80)).min();
            let ladder = running().filter(|c| c.metric == "resolve").filter_map(|c| c.at_percent(cal, 75));
            let mut check = running().filter_map(|c| c.due).chain(ladder).filter(|&w| w > now).min();
            if self.rng.gen_bool(0.025) {
                check = Some(now - self.rng.gen_range(0..120 * SEC));
            }
            (due, risk, check)
        } else {
            (None, None, None)
        };
        let r = &mut self.rng;
        let kind = pick(
            r,
            &[
                (TicketType::Incident, 50),
                (TicketType::Request, 20),
                (TicketType::Consultation, 15),
                (TicketType::DataRequest, 8),
                (TicketType::AccessRequest, 7),
            ],
        );
        let channel = pick(
            r,
            &[
                (Channel::Phone, 35),
                (Channel::Wechat, 25),
                (Channel::Web, 20),
                (Channel::Hotline, 10),
                (Channel::Email, 5),
                (Channel::Qq, 3),
                (Channel::Monitoring, 2),
            ],
        );
        let status = match fate {
            Fate::Closed => Status::Closed,
            Fate::Resolved => Status::Resolved,
            Fate::New => Status::New,
            Fate::InProgress => Status::InProgress,
            Fate::Pending => Status::Pending,
        };
        let finished = !open;
        let incident = kind == TicketType::Incident;
        let cause = (incident && finished).then(|| {
            pick(
                r,
                &[
                    (Cause::Vendor, 55),
                    (Cause::Unknown, 10),
                    (Cause::Carrier, 10),
                    (Cause::Infrastructure, 10),
                    (Cause::ThirdParty, 8),
                    (Cause::User, 7),
                ],
            )
        });
        let rating =
            (fate == Fate::Closed && r.gen_bool(0.75)).then(|| pick(r, &[(5, 60), (4, 30), (3, 7), (2, 2), (1, 1)]));
        let created = start + r.gen_range(0..5 * SEC);
        let updated = changes.last().map_or(created, |c| c.at.max(created));
        let (secs, nanos) = (start.div_euclid(SEC), (start.rem_euclid(SEC) * 1000) as u32);
        let ticket = Ticket {
            id: Uuid::new_v7(Timestamp::from_unix(NoContext, secs as u64, nanos)).to_string(),
            number: String::new(),
            kind,
            channel,
            title: TITLES[r.gen_range(0..TITLES.len())].to_string(),
            description: Some("用户来电反映问题，已记录现象与截图，请运维人员尽快处理。".into()),
            system_id: sys.id.clone(),
            unit_id: sys.unit_id.clone(),
            vendor_id: Some(item.vendor_id.clone()),
            contract_item_id: Some(item.id.clone()),
            policy_id: Some(item.policy.id.clone()),
            policy_version: Some(item.policy.version),
            calendar_id: Some(spec.calendar_id.clone()),
            severity: Some(level.name.clone()),
            status,
            support_level: if breached { "L2" } else { "L1" }.into(),
            reporter_id: Some(sys.reporter.0.clone()),
            reporter_name: sys.reporter.1.clone(),
            contact: Some(format!("1380372{:04}", r.gen_range(0..10_000))),
            assignee_id: (fate != Fate::New).then(|| item.staff[r.gen_range(0..item.staff.len())].clone()),
            reported_at: instant(start),
            in_hours,
            resolved_at: at(Status::Resolved),
            closed_at: at(Status::Closed),
            waiting_for: (fate == Fate::Pending).then(|| "等待使用单位提供日志".to_string()),
            cause,
            cause_counted: None,
            outage_start: incident.then(|| instant(start)),
            outage_end: if incident && finished { at(Status::Restored).or(at(Status::Resolved)) } else { None },
            rating,
            rating_comment: None,
            resolution: None,
            next_due_at: next_due_at.map(instant),
            next_due_metric: next_due_at.map(|_| "resolve".to_string()),
            at_risk: false,
            breached,
            created_at: instant(created),
            updated_at: instant(updated),
            severity_since: Some(instant(start)),
            risk_at: risk_at.map(instant),
            next_check_at: next_check_at.map(instant),
            revision: changes.len() as i32 + 1,
        };
        let s = &mut self.stats;
        s.total += 1;
        s.clocks += clocks.len();
        match fate {
            Fate::Closed => s.closed += 1,
            Fate::Resolved => s.resolved += 1,
            _ => s.open += 1,
        }
        s.breached += usize::from(breached);
        s.at_risk += usize::from(!breached && risk_at.is_some_and(|x| x <= now));
        s.due_for_check += usize::from(next_check_at.is_some_and(|x| x <= now));
        (ticket, clocks)
    }

    /// Numbers each ticket in its report's day and writes the batch in one transaction.
    async fn flush(&mut self, app: &App, batch: &mut Vec<(Ticket, Vec<StoredClock>)>) -> Result<()> {
        let mut tickets = Vec::with_capacity(batch.len());
        let mut clocks = Vec::with_capacity(batch.len());
        for (mut t, c) in batch.drain(..) {
            let day = bureau_day(micros(t.reported_at));
            let n = self.counters.entry(day.clone()).or_insert(0);
            *n += 1;
            t.number = format!("YW{day}-{n:04}");
            clocks.push((t.id.clone(), c));
            tickets.push(t);
        }
        let tx = app.store().begin().await?;
        store::tickets::bulk_insert(&tx, &tickets, &clocks).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Writes `n` tickets and prints progress.
pub async fn generate(app: &App, reg: &Registry, n: usize) -> Result<Stats> {
    let now = micros(app.business_now());
    let mut g =
        Gen { reg, now, rng: StdRng::seed_from_u64(20_261_122), counters: HashMap::new(), stats: Stats::default() };
    let open = n * 2 / 100;
    let resolved = n / 100;
    let closed = n - open - resolved;
    let (from, to) = (now - 3 * 365 * DAY, now - 6 * DAY);
    let t0 = Instant::now();
    let mut batch = Vec::with_capacity(BATCH);
    let mut written = 0usize;
    let report = |written: usize| {
        if written % 100_000 < BATCH || written == n {
            let s = t0.elapsed().as_secs_f64();
            eprintln!("  {written:>9} / {n} tickets  {:>8.0} tickets/s", written as f64 / s.max(1e-9));
        }
    };
    for i in 0..closed {
        let at = from + ((to - from) as f64 * ((i as f64 + g.rng.r#gen::<f64>()) / closed as f64)) as Micros;
        batch.push(g.make(Fate::Closed, at));
        if batch.len() == BATCH {
            g.flush(app, &mut batch).await?;
            written += BATCH;
            report(written);
        }
    }
    // The recent tickets, written in the order they were reported.
    let mut recent = Vec::with_capacity(open + resolved);
    for i in 0..open + resolved {
        let fate = if i < resolved {
            Fate::Resolved
        } else {
            let r = &mut g.rng;
            pick(r, &[(Fate::New, 10), (Fate::InProgress, 65), (Fate::Pending, 25)])
        };
        recent.push(g.make(fate, 0));
    }
    recent.sort_by_key(|(t, _)| t.reported_at);
    for x in recent {
        batch.push(x);
        if batch.len() == BATCH {
            g.flush(app, &mut batch).await?;
            written += BATCH;
            report(written);
        }
    }
    if !batch.is_empty() {
        written += batch.len();
        g.flush(app, &mut batch).await?;
        report(written);
    }
    // Numbers of today continue after the generated ones.
    let today = bureau_day(micros(app.business_now()));
    if let Some(&used) = g.counters.get(&today) {
        let tx = app.store().begin().await?;
        for _ in 0..used {
            store::tickets::next_number(&tx, &today).await?;
        }
        tx.commit().await?;
    }
    g.stats.seconds = t0.elapsed().as_secs_f64();
    Ok(g.stats)
}
