//! 巡检情况: the inspections scheduled in the period per system (due, done, on time, abnormal
//! items) and every abnormal item found with what became of it (the ticket it opened and that
//! ticket's state).

use report::periodic::{Block, Section, Sheet, Table};
use report::xlsx::Cell;

use super::facts::{Facts, PAPER_ROWS, SHEET_ROWS, more_in_workbook, share, sheet_cut};
use super::{Built, SectionType};
use crate::{App, Result};

pub(crate) const SECTION: SectionType =
    SectionType {
        key: "inspections", name: ("巡检情况", "Inspections"), narrative: false, needs_kpis: false, build
    };

fn build<'a>(app: &'a App, f: &'a Facts, _: &'static str) -> Built<'a> {
    Box::pin(inspections(app, f))
}

async fn inspections(app: &App, f: &Facts) -> Result<Section> {
    let per_system = store::reports::facts::tasks_per_system(app.store(), &f.scope, f.now).await?;
    let (due, done, on_time, abnormal) =
        per_system.iter().fold((0, 0, 0, 0), |(a, b, c, d), x| (a + x.due, b + x.done, c + x.on_time, d + x.abnormal));
    let mut blocks = vec![Block::Text(format!(
        "本期应完成巡检 {due} 次，已完成 {done} 次（完成率 {}），按时完成 {on_time} 次（按时率 {}），发现异常项 {abnormal} 个。",
        share(done, due),
        share(on_time, done)
    ))];
    let headers = ["信息系统", "应完成", "已完成", "按时完成", "完成率", "异常项"].map(String::from).to_vec();
    let rows: Vec<Vec<Cell>> = per_system
        .iter()
        .map(|x| {
            vec![
                Cell::from(f.system_name(&x.system_id)),
                Cell::Int(x.due as i64),
                Cell::Int(x.done as i64),
                Cell::Int(x.on_time as i64),
                Cell::from(share(x.done, x.due)),
                Cell::Int(x.abnormal as i64),
            ]
        })
        .collect();
    if rows.is_empty() {
        blocks.push(Block::Empty("本期无应完成的巡检任务。".into()));
    } else {
        blocks.push(Block::Table(Table {
            caption: Some("表 各系统巡检".into()),
            headers: headers.clone(),
            rows: rows.iter().take(PAPER_ROWS).cloned().collect(),
            omitted: more_in_workbook(rows.len() as u64, PAPER_ROWS.min(rows.len())),
        }));
    }
    let (n, items) = store::reports::facts::abnormal_items(app.store(), &f.scope, SHEET_ROWS).await?;
    let ticket_ids: Vec<String> = items.iter().filter_map(|i| i.ticket_id.clone()).collect();
    let tickets = store::reports::facts::ticket_states(app.store(), &ticket_ids).await?;
    let outcome = |id: &Option<String>| -> (String, String) {
        match id.as_ref().and_then(|id| tickets.iter().find(|(t, _, _)| t == id)) {
            Some((_, number, status)) => {
                let status = domain::tickets::Status::parse(status).map_or(status.clone(), |s| s.label().zh);
                (number.clone(), status)
            }
            None => (String::new(), "未转工单".into()),
        }
    };
    let lines: Vec<Vec<Cell>> = items
        .iter()
        .map(|i| {
            let (number, state) = outcome(&i.ticket_id);
            vec![
                Cell::from(f.system_name(&i.system_id)),
                Cell::Date(i.scheduled_for),
                Cell::from(i.item_name.as_str()),
                i.value.clone().into(),
                i.note.clone().into(),
                Cell::Text(number),
                Cell::Text(state),
            ]
        })
        .collect();
    if !lines.is_empty() {
        blocks.push(Block::Table(Table {
            caption: Some("表 异常项及处理结果".into()),
            headers: ["信息系统", "巡检日期", "检查项", "结果", "说明", "工单", "处理状态"].map(String::from).to_vec(),
            rows: lines.iter().take(PAPER_ROWS).cloned().collect(),
            omitted: more_in_workbook(n, PAPER_ROWS.min(lines.len())),
        }));
    }
    if let Some(cut) = sheet_cut(n) {
        blocks.push(Block::Text(cut));
    }
    let abnormal_sheet = Sheet {
        name: "巡检异常项".into(),
        headers: ["信息系统", "巡检日期", "检查项", "结果", "说明", "工单", "处理状态"].map(String::from).to_vec(),
        rows: lines,
    };
    let tasks_sheet = Sheet { name: "各系统巡检".into(), headers, rows };
    Ok(Section {
        key: SECTION.key.into(),
        title: SECTION.name.0.into(),
        blocks,
        sheets: vec![tasks_sheet, abnormal_sheet],
    })
}
