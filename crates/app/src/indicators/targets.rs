//! Judging a scope's indicators against the targets of its contract items. A target over a
//! shorter window than the period asked (≤ 60 min a month, asked for a quarter) is judged in each
//! window: only the sources that own such targets are computed again, window by window.

use std::collections::HashMap;

use domain::indicators::targets::{KpiTarget, TargetWindow, judge};
use domain::indicators::{Kpi, KpiScope, Period};
use domain::registry::ContractItem;

use super::SOURCES;
use crate::{App, Result};

/// The targets that apply to a scope: one item's, or over several items for each indicator and
/// window the strictest (a contract judged as a whole meets every item's promise only if it
/// meets the hardest).
pub(crate) fn applicable(items: &[ContractItem], item_ids: &[String]) -> Vec<KpiTarget> {
    let mut out: Vec<KpiTarget> = Vec::new();
    for item in items.iter().filter(|i| item_ids.contains(&i.id)) {
        for t in &item.targets {
            match out.iter_mut().find(|o| o.key == t.key && o.per == t.per) {
                Some(o) if o.op == t.op && t.stricter_than(o) => *o = t.clone(),
                Some(_) => {}
                None => out.push(t.clone()),
            }
        }
    }
    out
}

impl App {
    /// Fills each indicator's `targets`, `target` and `met`.
    pub(crate) async fn judge_targets(&self, s: &KpiScope, kpis: &mut [Kpi], targets: &[KpiTarget]) -> Result<()> {
        // The windows each target spans, and the values per window of the sources concerned.
        let mut per_window: HashMap<TargetWindow, Vec<(Period, Vec<Kpi>)>> = HashMap::new();
        for t in targets {
            let windows = t.per.split(s.period);
            if windows.len() < 2 || per_window.contains_key(&t.per) {
                continue;
            }
            let keys: Vec<&str> = targets.iter().filter(|o| o.per == t.per).map(|o| o.key.as_str()).collect();
            let sources: Vec<_> =
                SOURCES.iter().filter(|src| (src.defs)().iter().any(|d| keys.contains(&d.key.as_str()))).collect();
            let mut values = Vec::with_capacity(windows.len());
            for w in windows {
                let sub = KpiScope { period: w, ..s.clone() };
                let mut got = Vec::new();
                for src in &sources {
                    got.extend((src.compute)(self, &sub).await?);
                }
                values.push((w, got));
            }
            per_window.insert(t.per, values);
        }
        for k in kpis.iter_mut() {
            for t in targets.iter().filter(|t| t.key == k.key) {
                let values: Vec<(Period, Option<f64>)> = match per_window.get(&t.per) {
                    Some(ws) => ws
                        .iter()
                        .map(|(w, got)| (*w, got.iter().find(|g| g.key == k.key).and_then(|g| g.value)))
                        .collect(),
                    None => vec![(s.period, k.value)],
                };
                k.targets.push(judge(t, &values));
            }
            k.target = k.targets.first().map(|r| r.target.value);
            let verdicts: Vec<bool> = k.targets.iter().filter_map(|r| r.met).collect();
            k.met = (!verdicts.is_empty()).then(|| verdicts.iter().all(|m| *m));
        }
        Ok(())
    }
}
