//! What every section of one report reads: the report, its contract, the checked KPI scope of
//! its period (narrowed to its item or unit), the catalogue's indicators judged against the
//! targets — computed once, exactly as `GET /kpis` computes them — and the systems' names.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::indicators::{IndicatorDef, Kpi, KpiScope, KpiUnit};
use domain::registry::Contract;
use store::reports::ReportRow;

/// The rows a section puts on paper before it says "and N more in the workbook".
pub(crate) const PAPER_ROWS: usize = 50;
/// The rows a section's sheet holds at most (the workbook says so when cut).
pub(crate) const SHEET_ROWS: u64 = domain::list::MAX_EXPORT_ROWS;

pub(crate) struct Facts {
    pub report: ReportRow,
    pub contract: Contract,
    pub scope: KpiScope,
    pub kpis: Vec<Kpi>,
    /// Each system's availability over the period, where the report has the section.
    pub availability: Vec<(String, domain::monitoring::availability::Availability)>,
    pub catalogue: Vec<IndicatorDef>,
    /// The scope's systems (one unit's, for a unit's report), by id.
    pub names: HashMap<String, String>,
    pub now: DateTime<Utc>,
}

impl Facts {
    pub fn kpi(&self, key: &str) -> Option<&Kpi> {
        self.kpis.iter().find(|k| k.key == key)
    }

    pub fn def(&self, key: &str) -> Option<&IndicatorDef> {
        self.catalogue.iter().find(|d| d.key == key)
    }

    /// An indicator's value as the paper shows it (— when nothing was measured).
    pub fn shown(&self, key: &str) -> String {
        match (self.kpi(key), self.def(key)) {
            (Some(k), Some(d)) => value_text(k.value, d.unit),
            _ => "—".into(),
        }
    }

    pub fn system_name(&self, id: &str) -> String {
        self.names.get(id).cloned().unwrap_or_else(|| id.to_string())
    }
}

/// A value in its unit: 97.5%, 12, 8.3 分钟, 4.6 星.
pub(crate) fn value_text(v: Option<f64>, unit: KpiUnit) -> String {
    let Some(v) = v else { return "—".into() };
    match unit {
        KpiUnit::Rate => format!("{}%", trim(v * 100.0, 2)),
        KpiUnit::Count => trim(v, 2),
        KpiUnit::Minutes => format!("{} 分钟", trim(v, 1)),
        KpiUnit::Stars => format!("{} 星", trim(v, 2)),
    }
}

/// `v` with at most `places` decimals and no trailing zeros.
pub(crate) fn trim(v: f64, places: usize) -> String {
    let s = format!("{v:.places$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// A share of a whole, as a percentage with one decimal.
pub(crate) fn share(n: u64, of: u64) -> String {
    if of == 0 { "—".into() } else { format!("{}%", trim(n as f64 * 100.0 / of as f64, 1)) }
}

/// An instant as the bureau reads it.
pub(crate) fn at(t: Option<DateTime<Utc>>) -> String {
    t.map(crate::bureau_time).unwrap_or_default()
}

/// "另有 N 条见 Excel 附表" under a table cut for paper.
pub(crate) fn more_in_workbook(total: u64, shown: usize) -> Option<String> {
    (total > shown as u64).then(|| format!("本表列出前 {shown} 条，共 {total} 条，完整清单见 Excel 附表。"))
}

/// "… 仅含前 N 条" when a sheet was cut at its bound.
pub(crate) fn sheet_cut(total: u64) -> Option<String> {
    (total > SHEET_ROWS).then(|| format!("共 {total} 条，附表仅含前 {SHEET_ROWS} 条。"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_on_paper() {
        assert_eq!(value_text(Some(0.975), KpiUnit::Rate), "97.5%");
        assert_eq!(value_text(Some(1.0), KpiUnit::Rate), "100%");
        assert_eq!(value_text(Some(12.0), KpiUnit::Count), "12");
        assert_eq!(value_text(Some(8.25), KpiUnit::Minutes), "8.2 分钟");
        assert_eq!(value_text(None, KpiUnit::Minutes), "—");
        assert_eq!(share(1, 3), "33.3%");
        assert_eq!(share(0, 0), "—");
    }
}
