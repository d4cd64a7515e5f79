//! 系统可用性: each system of the scope over the period against its target, with its downtime,
//! the time excluded (maintenance windows, causes not counted against the vendor) and every
//! interruption — measured exactly as the availability indicators and the system's page measure.

use report::periodic::chart::{Chart, ChartKind};
use report::periodic::{Block, Section, Sheet, Table};
use report::xlsx::Cell;

use super::facts::{Facts, PAPER_ROWS, at, more_in_workbook, trim};
use super::{Built, SectionType};
use crate::{App, Result};

pub(crate) const SECTION: SectionType = SectionType {
    key: "availability",
    name: ("系统可用性", "Availability"),
    narrative: false,
    needs_kpis: false,
    build,
};

fn build<'a>(app: &'a App, f: &'a Facts, _: &'static str) -> Built<'a> {
    Box::pin(availability(app, f))
}

fn percent(v: Option<f64>) -> String {
    v.map_or("未监测".into(), |v| format!("{}%", trim(v * 100.0, 3)))
}

fn minutes(s: i64) -> String {
    trim(s as f64 / 60.0, 1)
}

async fn availability(_: &App, f: &Facts) -> Result<Section> {
    let mut measured = f.availability.clone();
    // The worst first; systems nothing measured last.
    measured.sort_by(|a, b| match (a.1.availability, b.1.availability) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => f.system_name(&a.0).cmp(&f.system_name(&b.0)),
    });
    let below =
        measured.iter().filter(|(_, a)| matches!((a.availability, a.target), (Some(v), Some(t)) if v < t)).count();
    let unmeasured = measured.iter().filter(|(_, a)| a.availability.is_none()).count();
    let mut blocks = vec![Block::Text(format!(
        "本期纳入统计的信息系统 {} 个，低于可用性目标的 {} 个，未监测的 {} 个。可用性 = 1 − 计入的中断时长 ÷（已过时长 − 排除时长），维护窗口内及不计入运维方责任原因的中断排除在外。",
        measured.len(),
        below,
        unmeasured
    ))];
    // The lowest first: the picture shows the systems that need attention.
    let charted: Vec<&(String, domain::monitoring::availability::Availability)> =
        measured.iter().filter(|(_, a)| a.availability.is_some()).take(report::periodic::chart::MAX_POINTS).collect();
    if !charted.is_empty() {
        let targets: Vec<f64> = charted.iter().filter_map(|(_, a)| a.target).collect();
        // One target line only where every charted system has the same one.
        let target =
            targets.first().copied().filter(|t| targets.len() == charted.len() && targets.iter().all(|x| x == t));
        let values: Vec<f64> = charted.iter().map(|(_, a)| a.availability.unwrap_or(0.0) * 100.0).collect();
        let lowest = values.iter().copied().chain(target.map(|t| t * 100.0)).fold(100.0, f64::min);
        blocks.push(Block::Chart(Chart {
            title: "可用性最低的信息系统".into(),
            kind: ChartKind::Bars,
            labels: charted.iter().map(|(id, _)| f.system_name(id)).collect(),
            values,
            unit: "%".into(),
            target: target.map(|t| t * 100.0),
            // Half the gap to 100 % below the lowest: 99.5 % draws from 99.25 %.
            floor: (lowest - (100.0 - lowest) / 2.0).clamp(0.0, 99.9),
        }));
    }
    let rows: Vec<Vec<Cell>> = measured
        .iter()
        .map(|(id, a)| {
            let counted = a.interruptions.iter().filter(|i| i.counted_seconds > 0).count();
            vec![
                Cell::from(f.system_name(id)),
                Cell::from(percent(a.availability)),
                Cell::from(a.target.map_or("—".into(), |t| format!("{}%", trim(t * 100.0, 3)))),
                Cell::from(minutes(a.downtime_seconds)),
                Cell::from(minutes(a.excluded_seconds)),
                Cell::Int(counted as i64),
            ]
        })
        .collect();
    let total = rows.len() as u64;
    let headers = ["信息系统", "可用性", "目标", "中断(分钟)", "排除(分钟)", "中断次数"].map(String::from).to_vec();
    let per_system = Sheet { name: "各系统可用性".into(), headers: headers.clone(), rows: rows.clone() };
    blocks.push(Block::Table(Table {
        caption: Some("表 各系统可用性".into()),
        headers,
        rows: rows.into_iter().take(PAPER_ROWS).collect(),
        omitted: more_in_workbook(total, PAPER_ROWS.min(total as usize)),
    }));
    let mut lines = Vec::new();
    for (id, a) in &measured {
        for i in &a.interruptions {
            lines.push(vec![
                Cell::from(f.system_name(id)),
                Cell::from(at(Some(i.start))),
                Cell::from(if i.end.is_some() { at(i.end) } else { "未恢复".into() }),
                Cell::from(minutes(i.seconds)),
                Cell::from(minutes(i.counted_seconds)),
                Cell::from(i.cause.label().zh),
                Cell::from(i.source.as_str()),
                Cell::from(a.availability.map_or(String::new(), |v| format!("{}%", trim(v * 100.0, 3)))),
            ]);
        }
    }
    if !lines.is_empty() {
        let n = lines.len() as u64;
        blocks.push(Block::Table(Table {
            caption: Some("表 中断记录".into()),
            headers: ["信息系统", "开始", "结束", "时长(分钟)", "计入(分钟)", "原因"].map(String::from).to_vec(),
            rows: lines.iter().take(PAPER_ROWS).map(|r| r[..6].to_vec()).collect(),
            omitted: more_in_workbook(n, PAPER_ROWS.min(lines.len())),
        }));
    }
    let cuts = Sheet {
        name: "中断记录".into(),
        headers: ["信息系统", "开始", "结束", "时长(分钟)", "计入(分钟)", "原因", "来源", "系统可用性"]
            .map(String::from)
            .to_vec(),
        rows: lines,
    };
    Ok(Section { key: SECTION.key.into(), title: SECTION.name.0.into(), blocks, sheets: vec![per_system, cuts] })
}
