//! 问题清单: what the period hands on — every ticket of the scope reported before the period
//! ended and not resolved by then, however old, so the next report carries it forward until it
//! is closed.

use report::periodic::{Block, Section, Sheet, Table};
use report::xlsx::Cell;

use super::facts::{Facts, PAPER_ROWS, SHEET_ROWS, at, more_in_workbook, sheet_cut};
use super::{Built, SectionType};
use crate::{App, Result};

pub(crate) const SECTION: SectionType = SectionType {
    key: "problem_list",
    name: ("问题清单", "Open problems"),
    narrative: false,
    needs_kpis: false,
    build,
};

fn build<'a>(app: &'a App, f: &'a Facts, _: &'static str) -> Built<'a> {
    Box::pin(problems(app, f))
}

async fn problems(app: &App, f: &Facts) -> Result<Section> {
    let (total, open) = store::reports::facts::open_at_end(app.store(), &f.scope, SHEET_ROWS).await?;
    let end = f.report.period_end;
    let carried = open.iter().filter(|t| crate::bureau_date(t.reported_at) < f.report.period_start).count();
    let rows: Vec<Vec<Cell>> = open
        .iter()
        .map(|t| {
            let days = (end - crate::bureau_date(t.reported_at)).num_days() + 1;
            vec![
                Cell::from(t.number.as_str()),
                Cell::from(t.title.as_str()),
                Cell::from(f.system_name(&t.system_id)),
                t.severity.clone().into(),
                Cell::from(domain::tickets::Status::parse(&t.status).map_or(t.status.clone(), |s| s.label().zh)),
                Cell::from(at(Some(t.reported_at))),
                Cell::Int(days),
            ]
        })
        .collect();
    let headers = ["工单号", "问题", "信息系统", "级别", "状态", "提出时间", "已持续(天)"].map(String::from).to_vec();
    let mut blocks = Vec::new();
    if total == 0 {
        blocks.push(Block::Empty(format!("截至 {end}，无未解决的问题。")));
    } else {
        blocks.push(Block::Text(format!("截至 {end}，未解决的问题 {total} 个，其中自以前各期延续的 {carried} 个。")));
        blocks.push(Block::Table(Table {
            caption: Some("表 未解决的问题".into()),
            headers: headers.clone(),
            rows: rows.iter().take(PAPER_ROWS).cloned().collect(),
            omitted: more_in_workbook(total, PAPER_ROWS.min(rows.len())),
        }));
        if let Some(cut) = sheet_cut(total) {
            blocks.push(Block::Text(cut));
        }
    }
    Ok(Section {
        key: SECTION.key.into(),
        title: SECTION.name.0.into(),
        blocks,
        sheets: vec![Sheet { name: "问题清单".into(), headers, rows }],
    })
}
