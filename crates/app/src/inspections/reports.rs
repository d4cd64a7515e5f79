//! Completion and on-time rates, the 巡检记录表 (xlsx and docx) and the monthly summary per
//! contract. Everything is read through the caller's scope.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Months, NaiveDate};
use domain::inspections::record::RecordFilter;
use domain::inspections::record::{COMPLETION_TARGET, Rate, RateBy, RateReport};
use domain::list::{ListQuery, Order};
use domain::registry::Contract;
use domain::{FieldError, Principal};
use report::docx::TableDocument;
use report::xlsx::Cell;
use store::inspections::TaskFact;

use crate::systems::SystemFilter;
use crate::{App, AppError, Result};

/// The longest period a rate or an export covers.
const MAX_DAYS: i64 = 366;

pub use crate::export::Format;

/// Rates for `from..=to`, grouped `by`, optionally for one system or contract.
#[derive(Debug, Clone)]
pub struct RateQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: RateBy,
    pub system_id: Option<String>,
    pub contract_id: Option<String>,
}

fn check_period(from: NaiveDate, to: NaiveDate) -> Result<()> {
    if to < from || (to - from).num_days() >= MAX_DAYS {
        return Err(FieldError::new(
            "to",
            format!("结束日期须不早于开始日期，且跨度不超过 {MAX_DAYS} 天"),
            format!("must not be before from, and the period at most {MAX_DAYS} days"),
        )
        .into());
    }
    Ok(())
}

fn percent(r: Option<f64>) -> String {
    r.map_or_else(|| "—".to_string(), |v| format!("{:.1}%", v * 100.0))
}

fn render_err(e: report::ReportError) -> AppError {
    AppError::internal_from("rendering a report", e)
}

impl App {
    async fn visible_system_names(&self, p: &Principal) -> Result<HashMap<String, String>> {
        let all = self.list_systems(p, &ListQuery::default().unpaged(), &SystemFilter::default()).await?;
        Ok(all.items.into_iter().map(|s| (s.id, s.name)).collect())
    }

    pub async fn inspection_rates(&self, p: &Principal, q: &RateQuery) -> Result<RateReport> {
        let contract = match &q.contract_id {
            Some(id) => Some(self.rated_contract(p, id).await?),
            None => None,
        };
        self.rates(p, q, contract).await
    }

    /// A contract the caller may see, named as the `contract_id` field when not.
    async fn rated_contract(&self, p: &Principal, id: &str) -> Result<Contract> {
        self.get_contract(p, id).await.map_err(|e| match e {
            AppError::NotFound => FieldError::new("contract_id", "合同不存在", "no such contract").into(),
            e => e,
        })
    }

    async fn rates(&self, p: &Principal, q: &RateQuery, contract: Option<Contract>) -> Result<RateReport> {
        check_period(q.from, q.to)?;
        let mut facts = store::inspections::facts(
            &self.store,
            &p.scope(),
            q.system_id.as_deref(),
            q.from,
            q.to,
            self.business_now(),
        )
        .await?;
        if let Some(c) = &contract {
            facts.retain(|f| c.covers(&f.system_id, f.scheduled_for));
        }
        let names = self.visible_system_names(p).await?;
        let contracts = match (q.by, contract) {
            (RateBy::Contract, Some(c)) => vec![c],
            (RateBy::Contract, None) => {
                self.list_contracts(p, &ListQuery::default().unpaged(), &Default::default()).await?.items
            }
            _ => Vec::new(),
        };
        let mut rows: BTreeMap<String, Rate> = BTreeMap::new();
        let mut total = Rate::new("total".into(), "合计".into(), 0, 0, 0, 0);
        let mut add = |key: &str, name: &dyn Fn() -> String, f: &TaskFact| {
            rows.entry(key.to_string()).or_insert_with(|| Rate::new(key.to_string(), name(), 0, 0, 0, 0)).count(
                f.done,
                f.on_time,
                i64::from(f.abnormal),
            );
        };
        for f in &facts {
            total.count(f.done, f.on_time, i64::from(f.abnormal));
            match q.by {
                RateBy::System => add(&f.system_id, &|| names.get(&f.system_id).cloned().unwrap_or_default(), f),
                RateBy::Month => {
                    let m = f.scheduled_for.format("%Y-%m").to_string();
                    add(&m, &|| m.clone(), f)
                }
                RateBy::Contract => {
                    for c in contracts.iter().filter(|c| c.covers(&f.system_id, f.scheduled_for)) {
                        add(&c.id, &|| c.name.clone(), f)
                    }
                }
            }
        }
        let mut rows: Vec<Rate> = rows.into_values().collect();
        if q.by != RateBy::Month {
            rows.sort_by(|a, b| a.name.cmp(&b.name));
        }
        Ok(RateReport { from: q.from, to: q.to, by: q.by, target: COMPLETION_TARGET, rows, total })
    }

    /// The 巡检记录表 of one system for a period: one row per checklist item inspected, with
    /// the fields 001 names, oldest first as it is filed.
    pub async fn export_inspection_records(
        &self,
        p: &Principal,
        system_id: &str,
        from: NaiveDate,
        to: NaiveDate,
        format: Format,
    ) -> Result<(String, Vec<u8>)> {
        check_period(from, to)?;
        let system = self.get_system(p, system_id).await.map_err(|e| match e {
            AppError::NotFound => FieldError::new("system_id", "系统不存在", "no such system").into(),
            e => e,
        })?;
        let q = ListQuery { order: Order::Asc, ..ListQuery::default().unpaged() };
        let f =
            RecordFilter { system_id: Some(system.id.clone()), from: Some(from), to: Some(to), ..Default::default() };
        let records = self.list_inspection_records(p, &q, &f).await?.items;
        let headers = [
            "序号",
            "巡检日期",
            "巡检人",
            "巡检内容项",
            "巡检结果",
            "异常情况处理建议",
            "异常情况处理结果",
            "异常情况处理完成日期",
        ];
        let mut rows = Vec::new();
        for r in &records {
            for v in &r.results {
                let value = v.value.as_ref().map(|x| format!("{x}{}", v.unit.as_deref().unwrap_or("")));
                let mut result = if v.abnormal { "异常".to_string() } else { "正常".to_string() };
                if let Some(x) = value.filter(|x| !x.is_empty()) {
                    result.push_str(&format!("（{x}）"));
                }
                if let Some(n) = &v.note {
                    result.push_str(&format!("：{n}"));
                }
                let item = match &v.group {
                    Some(g) => format!("{g} / {}", v.item_name),
                    None => v.item_name.clone(),
                };
                rows.push(vec![
                    Cell::Int(rows.len() as i64 + 1),
                    Cell::Date(r.inspected_on),
                    r.inspector_name.as_str().into(),
                    item.into(),
                    result.into(),
                    v.suggestion.clone().into(),
                    v.handling.clone().into(),
                    v.handled_on.into(),
                ]);
            }
        }
        let period = format!("{from} 至 {to}");
        let name = format!("巡检记录表-{}-{}-{}", system.name, from.format("%Y%m%d"), to.format("%Y%m%d"));
        let bytes = match format {
            Format::Xlsx => report::xlsx::write_table("巡检记录表", &headers, &rows).map_err(render_err)?,
            Format::Docx => report::docx::write_table(&TableDocument {
                title: "巡检记录表",
                lines: &[
                    format!("系统名称：{}", system.name),
                    format!("巡检期间：{period}（共 {} 次巡检）", records.len()),
                ],
                headers: &headers,
                rows: &rows,
                footer: &[
                    "运维单位（盖章）：                    巡检人签字：                    使用单位确认：".to_string()
                ],
            })
            .map_err(render_err)?,
        };
        Ok((name, bytes))
    }

    /// The monthly inspection summary of a contract: per covered system, tasks due, done and on
    /// time, the rates against the 99 % target, abnormal findings and tickets still open.
    pub async fn export_inspection_summary(
        &self,
        p: &Principal,
        contract_id: &str,
        month: NaiveDate,
        format: Format,
    ) -> Result<(String, Vec<u8>)> {
        let from = month.with_day(1).unwrap_or(month);
        let to = from.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(from);
        let contract = self.rated_contract(p, contract_id).await?;
        let q = RateQuery { from, to, by: RateBy::System, system_id: None, contract_id: Some(contract.id.clone()) };
        let report = self.rates(p, &q, Some(contract.clone())).await?;
        let f = RecordFilter { from: Some(from), to: Some(to), abnormal: Some(true), ..Default::default() };
        let mut open: HashMap<String, i64> = HashMap::new();
        for r in self.list_inspection_records(p, &ListQuery::default().unpaged(), &f).await?.items {
            if contract.covers(&r.system_id, r.inspected_on) {
                let n = r.results.iter().filter(|v| v.abnormal && v.handled_on.is_none()).count() as i64;
                *open.entry(r.system_id).or_default() += n;
            }
        }
        let headers =
            ["系统", "应巡检", "已完成", "按时完成", "完成率", "按时率", "是否达标（≥99%）", "异常项", "未处理完异常"];
        let line = |r: &Rate, open: i64| {
            let met = r.completion_rate.map_or("—", |v| if v >= COMPLETION_TARGET { "达标" } else { "未达标" });
            vec![
                r.name.as_str().into(),
                Cell::Int(r.due),
                Cell::Int(r.done),
                Cell::Int(r.on_time),
                percent(r.completion_rate).into(),
                percent(r.on_time_rate).into(),
                met.into(),
                Cell::Int(r.abnormal),
                Cell::Int(open),
            ]
        };
        let mut rows: Vec<Vec<Cell>> =
            report.rows.iter().map(|r| line(r, open.get(&r.key).copied().unwrap_or(0))).collect();
        rows.push(line(&report.total, open.values().sum()));
        let ym = from.format("%Y年%m月").to_string();
        let name = format!("巡检月度汇总-{}-{}", contract.name, from.format("%Y%m"));
        let bytes = match format {
            Format::Xlsx => report::xlsx::write_table("巡检月度汇总", &headers, &rows).map_err(render_err)?,
            Format::Docx => report::docx::write_table(&TableDocument {
                title: &format!("{ym}巡检情况汇总"),
                lines: &[
                    format!(
                        "合同：{}{}",
                        contract.name,
                        contract.code.as_ref().map(|c| format!("（{c}）")).unwrap_or_default()
                    ),
                    format!("统计期间：{from} 至 {to}；应巡检指截至统计时已到期的巡检任务"),
                ],
                headers: &headers,
                rows: &rows,
                footer: &["运维单位（盖章）：                    项目负责人：                    日期：".to_string()],
            })
            .map_err(render_err)?,
        };
        Ok((name, bytes))
    }
}
