//! 安全漏洞扫描记录 (002 需求121's monthly "安全漏洞扫描记录"): the scans imported in the period
//! with what each brought, the findings found in it by severity and what became of them, and
//! the ledger's indicators.

use report::periodic::{Block, Section, Sheet, Table};
use report::xlsx::Cell;

use super::facts::{Facts, PAPER_ROWS, SHEET_ROWS, more_in_workbook, sheet_cut};
use super::{Built, SectionType};
use crate::{App, Result};

pub(crate) const SECTION: SectionType = SectionType {
    key: "vulnerabilities",
    name: ("安全漏洞扫描记录", "Vulnerability scans"),
    narrative: false,
    needs_kpis: true,
    build,
};

fn build<'a>(app: &'a App, f: &'a Facts, _: &'static str) -> Built<'a> {
    Box::pin(scans(app, f))
}

fn bj(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M").to_string()
}

async fn scans(app: &App, f: &Facts) -> Result<Section> {
    let (start, end) = f.scope.period.instants();
    let touched = store::vulnerabilities::imports_in(app.store(), &f.scope).await?;
    let imports = store::scans::imports_between(app.store(), &f.scope.system_ids, &touched, start, end).await?;
    let (n, found) = store::vulnerabilities::found_in(app.store(), &f.scope, SHEET_ROWS).await?;
    let count = |sev: domain::vulnerabilities::Severity| found.iter().filter(|v| v.severity == sev).count();
    use domain::vulnerabilities::Severity::*;
    let mut blocks = vec![Block::Text(format!(
        "本期导入漏洞扫描结果 {} 次；新发现漏洞 {n} 个（危急 {}、高危 {}、中危 {}、低危 {}）。漏洞按时修复率 {}，平均修复时长 {}；期末未修复的危急及高危漏洞 {} 个，最长已 {} 天。",
        imports.len(),
        count(Critical),
        count(High),
        count(Medium),
        count(Low),
        f.shown("vuln_fix_on_time_rate"),
        f.shown("vuln_fix_minutes_mean"),
        f.shown("vuln_open_high_count"),
        f.shown("vuln_open_high_max_age_days"),
    ))];
    let scan_headers = ["导入时间", "文件", "扫描器", "主机数", "新增", "再次发现", "重新打开", "复扫验证", "导入人"]
        .map(String::from)
        .to_vec();
    let scan_rows: Vec<Vec<Cell>> = imports
        .iter()
        .map(|i| {
            vec![
                Cell::Text(bj(i.created_at)),
                Cell::from(i.file_name.as_str()),
                i.scanner.clone().into(),
                Cell::Int(i.hosts.into()),
                Cell::Int(i.counts.create as i64),
                Cell::Int(i.counts.update as i64),
                Cell::Int(i.counts.reopen as i64),
                Cell::Int(i.counts.verify as i64),
                Cell::from(i.created_by_name.as_str()),
            ]
        })
        .collect();
    if scan_rows.is_empty() {
        blocks.push(Block::Empty("本期未导入漏洞扫描结果。".into()));
    } else {
        blocks.push(Block::Table(Table {
            caption: Some("表 漏洞扫描记录".into()),
            headers: scan_headers.clone(),
            rows: scan_rows.iter().take(PAPER_ROWS).cloned().collect(),
            omitted: more_in_workbook(scan_rows.len() as u64, PAPER_ROWS.min(scan_rows.len())),
        }));
    }
    let headers = ["信息系统", "漏洞名称", "风险等级", "CVE", "位置", "发现时间", "状态", "修复期限", "是否超时"]
        .map(String::from)
        .to_vec();
    let rows: Vec<Vec<Cell>> = found
        .iter()
        .map(|v| {
            let place = match (&v.url, &v.host) {
                (Some(u), _) => u.clone(),
                (None, Some(h)) => v.port.map_or(h.clone(), |p| format!("{h}:{p}")),
                _ => String::new(),
            };
            vec![
                Cell::from(f.system_name(&v.system_id)),
                Cell::from(v.title.as_str()),
                Cell::Text(v.severity.label().zh),
                v.cve.clone().into(),
                Cell::Text(place),
                Cell::Text(bj(v.found_at)),
                Cell::Text(v.status.label().zh),
                v.due_at.map(bj).into(),
                Cell::from(if v.breached { "是" } else { "否" }),
            ]
        })
        .collect();
    if !rows.is_empty() {
        blocks.push(Block::Table(Table {
            caption: Some("表 本期发现的漏洞及处理情况".into()),
            headers: headers.clone(),
            rows: rows.iter().take(PAPER_ROWS).cloned().collect(),
            omitted: more_in_workbook(n, PAPER_ROWS.min(rows.len())),
        }));
    }
    if let Some(cut) = sheet_cut(n) {
        blocks.push(Block::Text(cut));
    }
    Ok(Section {
        key: SECTION.key.into(),
        title: SECTION.name.0.into(),
        blocks,
        sheets: vec![
            Sheet { name: "漏洞扫描记录".into(), headers: scan_headers, rows: scan_rows },
            Sheet { name: "本期发现漏洞".into(), headers, rows },
        ],
    })
}
