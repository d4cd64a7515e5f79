//! The ledger as a workbook (漏洞修复台账), in the columns a bureau files: the filtered list,
//! every row, with the system and unit by name and times in Beijing time.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::Principal;
use domain::list::ListQuery;
use domain::vulnerabilities::VulnFilter;
use report::xlsx::{Cell, write_table};

use crate::{App, AppError, Result};

const HEADERS: [&str; 19] = [
    "序号",
    "信息系统",
    "使用单位",
    "漏洞名称",
    "风险等级",
    "CVSS",
    "CVE",
    "CNVD",
    "CNNVD",
    "来源",
    "主机",
    "端口",
    "URL",
    "状态",
    "发现时间",
    "修复期限",
    "是否超时",
    "修复时间",
    "验证时间",
];

impl App {
    pub async fn export_vulnerabilities(&self, p: &Principal, q: &ListQuery, f: &VulnFilter) -> Result<Vec<u8>> {
        let page = self.list_vulnerabilities(p, &q.unpaged(), f).await?;
        let systems = self.list_systems(p, &ListQuery::default().unpaged(), &Default::default()).await?;
        let system_name: HashMap<_, _> = systems.items.into_iter().map(|s| (s.id, s.name)).collect();
        let units = self.list_units(p, &ListQuery::default().unpaged()).await?;
        let unit_name: HashMap<_, _> = units.items.into_iter().map(|u| (u.id, u.name)).collect();
        let bj = |t: Option<DateTime<Utc>>| -> Cell {
            t.map_or(Cell::Empty, |t| Cell::Text((t + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M").to_string()))
        };
        let rows: Vec<Vec<Cell>> = page
            .items
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                vec![
                    Cell::Int(i as i64 + 1),
                    system_name.get(&v.system_id).cloned().unwrap_or(v.system_id).into(),
                    unit_name.get(&v.unit_id).cloned().unwrap_or(v.unit_id).into(),
                    v.title.into(),
                    v.severity.label().zh.into(),
                    v.cvss.map_or(Cell::Empty, |c| Cell::Text(format!("{c:.1}"))),
                    v.cve.into(),
                    v.cnvd.into(),
                    v.cnnvd.into(),
                    v.source.label().zh.into(),
                    v.host.into(),
                    v.port.map_or(Cell::Empty, |p| Cell::Int(p.into())),
                    v.url.into(),
                    v.status.label().zh.into(),
                    bj(Some(v.found_at)),
                    bj(v.due_at),
                    (if v.breached { "是" } else { "否" }).into(),
                    bj(v.fixed_at),
                    bj(v.verified_at),
                ]
            })
            .collect();
        write_table("漏洞修复台账", &HEADERS, &rows).map_err(|e| AppError::internal_from("writing the spreadsheet", e))
    }
}
