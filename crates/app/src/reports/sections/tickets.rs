//! 工单情况: the period's tickets by type, level, system and status (one aggregate pass), the
//! clocks that ran out with their tickets' causes and whether the cause counts against the
//! vendor, and — in the workbook — every ticket of the period.

use std::collections::BTreeMap;

use domain::indicators::targets::TargetWindow;
use domain::tickets::indicators::metric_zh;
use domain::tickets::{Cause, DEFAULT_COUNTED_CAUSES, Status, TicketType};
use report::periodic::chart::{Chart, ChartKind};
use report::periodic::{Block, Section, Sheet, Table};
use report::xlsx::Cell;
use store::reports::facts::TicketGroup;

use super::facts::{Facts, PAPER_ROWS, SHEET_ROWS, at, more_in_workbook, share, sheet_cut};
use super::{Built, SectionType};
use crate::{App, Result};

pub(crate) const SECTION: SectionType =
    SectionType { key: "tickets", name: ("工单情况", "Tickets"), narrative: false, needs_kpis: false, build };

fn build<'a>(app: &'a App, f: &'a Facts, _: &'static str) -> Built<'a> {
    Box::pin(tickets(app, f))
}

fn kind_zh(k: &str) -> String {
    TicketType::parse(k).map_or(k.to_string(), |t| t.label().zh)
}

fn status_zh(s: &str) -> String {
    Status::parse(s).map_or(s.to_string(), |t| t.label().zh)
}

fn cause_zh(c: Option<&str>) -> String {
    c.and_then(Cause::parse).unwrap_or(Cause::Unknown).label().zh
}

/// Sums of `groups` by `key`, largest first.
fn by<K: Ord + Clone>(groups: &[TicketGroup], key: impl Fn(&TicketGroup) -> K) -> Vec<(K, u64)> {
    let mut m: BTreeMap<K, u64> = BTreeMap::new();
    for g in groups {
        *m.entry(key(g)).or_default() += g.n;
    }
    let mut v: Vec<(K, u64)> = m.into_iter().collect();
    v.sort_by_key(|x| std::cmp::Reverse(x.1));
    v
}

fn count_table(caption: &str, what: &str, rows: Vec<(String, u64)>, total: u64) -> Block {
    Block::Table(Table {
        caption: Some(caption.into()),
        headers: vec![what.into(), "数量".into(), "占比".into()],
        rows: rows
            .into_iter()
            .map(|(k, n)| vec![Cell::Text(k), Cell::Int(n as i64), Cell::Text(share(n, total))])
            .collect(),
        omitted: None,
    })
}

async fn tickets(app: &App, f: &Facts) -> Result<Section> {
    let s = &f.scope;
    let store = app.store();
    let long = (f.report.period_end - f.report.period_start).num_days() > 31;
    let months = if long { TargetWindow::Month.split(s.period) } else { Vec::new() };
    // Independent reads at once, each on its own pooled connection.
    let (groups, (n_breaches, breaches), lines, counts) = tokio::try_join!(
        store::reports::facts::ticket_groups(store, s),
        store::reports::facts::breaches(store, s, f.now, PAPER_ROWS as u64),
        store::reports::facts::ticket_lines(store, s, SHEET_ROWS),
        store::reports::facts::ticket_counts(store, s, &months),
    )?;
    let total: u64 = groups.iter().map(|g| g.n).sum();
    let mut blocks = Vec::new();
    if total == 0 {
        blocks.push(Block::Empty("本期无工单。".into()));
    } else {
        let breached: u64 = groups.iter().filter(|g| g.breached).map(|g| g.n).sum();
        blocks.push(Block::Text(format!(
            "本期共受理工单 {total} 张，其中发生超时的 {breached} 张（{}）。",
            share(breached, total)
        )));
        let kinds: Vec<(String, u64)> =
            by(&groups, |g| g.kind.clone()).into_iter().map(|(k, n)| (kind_zh(&k), n)).collect();
        blocks.push(Block::Chart(Chart {
            title: "工单按类型".into(),
            kind: ChartKind::Bars,
            labels: kinds.iter().map(|(k, _)| k.clone()).collect(),
            values: kinds.iter().map(|(_, n)| *n as f64).collect(),
            unit: String::new(),
            target: None,
            floor: 0.0,
        }));
        blocks.push(count_table("表 工单按类型", "类型", kinds, total));
        // Over more than a month, the month-by-month trend of the ticket count (calendar months
        // clipped to the period, as the indicator's trend splits them).
        if long {
            blocks.push(Block::Chart(Chart {
                title: "工单数量月度趋势".into(),
                kind: ChartKind::Line,
                labels: months.iter().map(|p| p.from.format("%Y-%m").to_string()).collect(),
                values: counts.iter().map(|n| *n as f64).collect(),
                unit: String::new(),
                target: None,
                floor: 0.0,
            }));
        }
        let levels = by(&groups, |g| g.severity.clone())
            .into_iter()
            .map(|(k, n)| (k.unwrap_or_else(|| "未定级".into()), n))
            .collect();
        blocks.push(count_table("表 工单按级别", "级别", levels, total));
        let statuses = by(&groups, |g| g.status.clone()).into_iter().map(|(k, n)| (status_zh(&k), n)).collect();
        blocks.push(count_table("表 工单按处理状态", "状态", statuses, total));
        blocks.push(per_system(f, &groups));
    }
    if n_breaches > 0 {
        let counted = |item: &Option<String>, cause: &Option<String>| {
            let cause = cause.as_deref().and_then(Cause::parse).unwrap_or(Cause::Unknown);
            let causes = item.as_ref().and_then(|i| s.counted_causes.iter().find(|(id, _)| id == i)).map(|(_, c)| c);
            causes.map_or(DEFAULT_COUNTED_CAUSES.contains(&cause), |c| c.contains(&cause))
        };
        blocks.push(Block::Heading("超时情况及原因".into()));
        blocks.push(Block::Table(Table {
            caption: Some("表 超时的时限".into()),
            headers: ["工单号", "标题", "系统", "时限", "截止时间", "原因", "计入考核"].map(String::from).to_vec(),
            rows: breaches
                .iter()
                .map(|b| {
                    vec![
                        Cell::from(b.number.as_str()),
                        Cell::from(b.title.as_str()),
                        Cell::from(f.system_name(&b.system_id)),
                        Cell::from(metric_zh(&b.metric)),
                        Cell::from(at(b.due_at)),
                        Cell::from(cause_zh(b.cause.as_deref())),
                        Cell::from(if counted(&b.contract_item_id, &b.cause) { "是" } else { "否" }),
                    ]
                })
                .collect(),
            omitted: more_in_workbook(n_breaches, breaches.len()),
        }));
    }
    if let Some(cut) = sheet_cut(total) {
        blocks.push(Block::Text(cut));
    }
    let sheet = Sheet {
        name: "工单".into(),
        headers: ["工单号", "标题", "类型", "级别", "系统", "状态", "原因", "报告时间", "解决时间", "是否超时"]
            .map(String::from)
            .to_vec(),
        rows: lines
            .into_iter()
            .map(|t| {
                vec![
                    Cell::Text(t.number),
                    Cell::Text(t.title),
                    Cell::Text(kind_zh(&t.kind)),
                    t.severity.into(),
                    Cell::Text(f.system_name(&t.system_id)),
                    Cell::Text(status_zh(&t.status)),
                    Cell::Text(cause_zh(t.cause.as_deref())),
                    Cell::Text(at(Some(t.reported_at))),
                    Cell::Text(at(t.resolved_at)),
                    Cell::from(if t.breached { "是" } else { "否" }),
                ]
            })
            .collect(),
    };
    Ok(Section { key: SECTION.key.into(), title: SECTION.name.0.into(), blocks, sheets: vec![sheet] })
}

/// Tickets, incidents and breaches per system, the busiest first.
fn per_system(f: &Facts, groups: &[TicketGroup]) -> Block {
    let mut m: BTreeMap<&str, (u64, u64, u64)> = BTreeMap::new();
    for g in groups {
        let e = m.entry(g.system_id.as_str()).or_default();
        e.0 += g.n;
        if g.kind == TicketType::Incident.as_str() {
            e.1 += g.n;
        }
        if g.breached {
            e.2 += g.n;
        }
    }
    let mut rows: Vec<(&str, (u64, u64, u64))> = m.into_iter().collect();
    rows.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(b.0)));
    let total = rows.len() as u64;
    Block::Table(Table {
        caption: Some("表 工单按信息系统".into()),
        headers: ["信息系统", "工单", "故障", "超时"].map(String::from).to_vec(),
        rows: rows
            .iter()
            .take(PAPER_ROWS)
            .map(|(id, (n, inc, br))| {
                vec![Cell::from(f.system_name(id)), Cell::Int(*n as i64), Cell::Int(*inc as i64), Cell::Int(*br as i64)]
            })
            .collect(),
        omitted: more_in_workbook(total, PAPER_ROWS.min(rows.len())),
    })
}
