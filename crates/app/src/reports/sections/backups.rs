//! 数据备份与恢复 (002 "每周一次平台数据库备份，保留最新 30 天", 需求127's restore tests): per
//! backup policy of the report's systems, the periods that ended in the report's period — done or
//! missed — and the restore drills recorded in it with their verdict against RTO and RPO.

use domain::backups::{BackupTaskKind, BackupTaskStatus};
use report::periodic::{Block, Section, Sheet, Table};
use report::xlsx::Cell;

use super::facts::{Facts, PAPER_ROWS, at, more_in_workbook};
use super::{Built, SectionType};
use crate::{App, Result};

pub(crate) const SECTION: SectionType = SectionType {
    key: "backups",
    name: ("数据备份与恢复", "Backups and restores"),
    narrative: false,
    needs_kpis: true,
    build,
};

fn build<'a>(app: &'a App, f: &'a Facts, _: &'static str) -> Built<'a> {
    Box::pin(backups(app, f))
}

fn minutes(m: Option<i64>) -> String {
    m.map_or_else(|| "—".into(), |m| m.to_string())
}

fn met(v: Option<bool>) -> &'static str {
    match v {
        None => "未设目标",
        Some(true) => "达标",
        Some(false) => "未达标",
    }
}

async fn backups(app: &App, f: &Facts) -> Result<Section> {
    let mut ids: Vec<String> = f.names.keys().cloned().collect();
    ids.sort();
    let (from, to) = (f.scope.period.from, f.scope.period.to);
    let policies = store::backups::policies_of(app.store(), &ids).await?;
    let today = crate::bureau_date(f.now);
    let tasks = app.backup_tasks_of(&policies, (from, to), today, Some(BackupTaskKind::Run)).await?;
    let policy_ids: Vec<String> = policies.iter().map(|p| p.id.clone()).collect();
    let last = store::backups::last_successes(app.store(), &policy_ids).await?;
    let drills = store::backups::drills_of(app.store(), &policy_ids, (from, to)).await?;
    let mut blocks = vec![Block::Text(format!(
        "本期应完成备份周期的完成率 {}，漏备份 {} 次；恢复演练 {} 次，达标率 {}。",
        f.shown("backup_success_rate"),
        f.shown("backup_missed"),
        drills.len(),
        f.shown("restore_drill_pass_rate"),
    ))];
    let headers = [
        "系统",
        "备份策略",
        "备份对象",
        "频率",
        "存放位置",
        "保留天数",
        "应完成周期",
        "已完成",
        "漏备份",
        "最近成功备份",
    ]
    .map(String::from)
    .to_vec();
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for p in policies.iter().filter(|p| p.active) {
        let ended: Vec<_> =
            tasks.iter().filter(|t| t.policy_id == p.id && t.due_on >= from && t.due_on <= to).collect();
        let done = ended.iter().filter(|t| t.status == BackupTaskStatus::Done).count();
        let missed = ended.iter().filter(|t| t.status == BackupTaskStatus::Missed).count();
        rows.push(vec![
            Cell::Text(f.system_name(&p.system_id)),
            Cell::from(p.name.as_str()),
            Cell::Text(p.object.label().zh),
            Cell::from(p.frequency_text.as_str()),
            Cell::Text(p.location.label().zh),
            Cell::Int(p.retention_days),
            Cell::Int(ended.len() as i64),
            Cell::Int(done as i64),
            Cell::Int(missed as i64),
            Cell::Text(at(last.get(&p.id).copied())),
        ]);
    }
    if rows.is_empty() {
        blocks.push(Block::Empty("本期报告范围内的系统没有备份策略。".into()));
    } else {
        blocks.push(Block::Table(Table {
            caption: Some("表 备份策略执行情况".into()),
            headers: headers.clone(),
            rows: rows.iter().take(PAPER_ROWS).cloned().collect(),
            omitted: more_in_workbook(rows.len() as u64, PAPER_ROWS.min(rows.len())),
        }));
    }
    let drill_headers = [
        "系统",
        "备份策略",
        "演练日期",
        "恢复成功",
        "恢复用时（分钟）",
        "RTO（分钟）",
        "RTO",
        "数据损失（分钟）",
        "RPO（分钟）",
        "RPO",
        "结论",
    ]
    .map(String::from)
    .to_vec();
    let drill_rows: Vec<Vec<Cell>> = drills
        .iter()
        .map(|d| {
            let policy = policies.iter().find(|p| p.id == d.policy_id).map_or("", |p| p.name.as_str());
            vec![
                Cell::Text(f.system_name(&d.system_id)),
                Cell::from(policy),
                Cell::Date(d.performed_on),
                Cell::from(if d.restored { "是" } else { "否" }),
                Cell::Int(d.restore_minutes),
                Cell::Text(minutes(d.rto_minutes)),
                Cell::from(met(d.rto_met)),
                Cell::Int(d.data_loss_minutes),
                Cell::Text(minutes(d.rpo_minutes)),
                Cell::from(met(d.rpo_met)),
                Cell::from(if d.passed { "通过" } else { "未通过" }),
            ]
        })
        .collect();
    if !drill_rows.is_empty() {
        blocks.push(Block::Table(Table {
            caption: Some("表 恢复演练".into()),
            headers: drill_headers.clone(),
            rows: drill_rows.iter().take(PAPER_ROWS).cloned().collect(),
            omitted: more_in_workbook(drill_rows.len() as u64, PAPER_ROWS.min(drill_rows.len())),
        }));
    }
    Ok(Section {
        key: SECTION.key.into(),
        title: SECTION.name.0.into(),
        blocks,
        sheets: vec![
            Sheet { name: "备份策略".into(), headers, rows },
            Sheet { name: "恢复演练".into(), headers: drill_headers, rows: drill_rows },
        ],
    })
}
