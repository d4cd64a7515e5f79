//! 安全事件及重大事件记录 (002 需求121's "重大事件记录"; 004 row 24's events handled with
//! evidence): the events found in the period on the report's systems, with their grade, the
//! report to the authorities against its deadline, and how they were handled.

use report::periodic::{Block, Section, Sheet, Table};
use report::xlsx::Cell;

use super::facts::{Facts, PAPER_ROWS, at, more_in_workbook};
use super::{Built, SectionType};
use crate::{App, Result};

pub(crate) const SECTION: SectionType = SectionType {
    key: "security_events",
    name: ("安全事件及重大事件记录", "Security and major events"),
    narrative: false,
    needs_kpis: true,
    build,
};

fn build<'a>(app: &'a App, f: &'a Facts, _: &'static str) -> Built<'a> {
    Box::pin(events(app, f))
}

async fn events(app: &App, f: &Facts) -> Result<Section> {
    let mut ids: Vec<String> = f.names.keys().cloned().collect();
    ids.sort();
    let events = app.security_events_between(&ids, f.scope.period.instants()).await?;
    let reportable = events.iter().filter(|e| e.grade.reportable()).count();
    let mut blocks = vec![Block::Text(format!(
        "本期发生安全事件 {} 起，其中较大及以上 {reportable} 起；按时上报率 {}，事件处置率 {}。",
        events.len(),
        f.shown("security_event_report_on_time_rate"),
        f.shown("security_event_closure_rate"),
    ))];
    let headers = [
        "事件名称",
        "事件分类",
        "事件级别",
        "涉及系统",
        "发现时间",
        "上报时限",
        "上报时间",
        "是否按时上报",
        "恢复时间",
        "状态",
        "处置措施",
    ]
    .map(String::from)
    .to_vec();
    let rows: Vec<Vec<Cell>> = events
        .iter()
        .map(|e| {
            let systems: Vec<String> = e.system_ids.iter().map(|s| f.system_name(s)).collect();
            let on_time = match e.report_late {
                None => "无需上报",
                Some(false) if e.reported_at.is_some() => "是",
                Some(false) => "未到时限",
                Some(true) => "否",
            };
            vec![
                Cell::from(e.title.as_str()),
                Cell::Text(e.category.label().zh),
                Cell::Text(e.grade.label().zh),
                Cell::Text(systems.join("、")),
                Cell::Text(at(Some(e.found_at))),
                Cell::Text(at(e.report_due_at)),
                Cell::Text(at(e.reported_at)),
                Cell::from(on_time),
                Cell::Text(at(e.recovered_at)),
                Cell::Text(e.status.label().zh),
                e.measures.clone().into(),
            ]
        })
        .collect();
    if rows.is_empty() {
        blocks.push(Block::Empty("本期未发生安全事件。".into()));
    } else {
        blocks.push(Block::Table(Table {
            caption: Some("表 安全事件及处置情况".into()),
            headers: headers.clone(),
            rows: rows.iter().take(PAPER_ROWS).cloned().collect(),
            omitted: more_in_workbook(rows.len() as u64, PAPER_ROWS.min(rows.len())),
        }));
    }
    Ok(Section {
        key: SECTION.key.into(),
        title: SECTION.name.0.into(),
        blocks,
        sheets: vec![Sheet { name: "安全事件".into(), headers, rows }],
    })
}
