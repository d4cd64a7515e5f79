//! The vulnerability ledger's indicators (`domain::vulnerabilities::indicators`).

use domain::indicators::{Kpi, KpiPart, KpiScope};
use domain::vulnerabilities::Severity;
use domain::vulnerabilities::indicators::defs;

use super::{Computed, Source};
use crate::App;

pub const SOURCE: Source = Source { defs, compute };

fn label(sev: &str) -> String {
    Severity::parse(sev).map_or_else(|| sev.to_string(), |s| s.label().zh)
}

fn compute<'a>(app: &'a App, s: &'a KpiScope) -> Computed<'a> {
    Box::pin(async move {
        let v = store::indicators::vuln_stats(app.store(), s, app.business_now()).await?;
        let (met, breached) = v.clocks.iter().fold((0, 0), |(m, b), x| (m + x.1, b + x.2));
        let on_time = Kpi::rate("vuln_fix_on_time_rate", met, met + breached).with_breakdown(
            v.clocks
                .iter()
                .filter(|x| x.1 + x.2 > 0)
                .map(|x| KpiPart { label: label(&x.0), id: None, value: x.1 as f64 / (x.1 + x.2) as f64 })
                .collect(),
        );
        let (fixed, secs) = v.fixes.iter().fold((0u64, 0.0), |(n, t), x| (n + x.1, t + x.2));
        let mean = Kpi::maybe("vuln_fix_minutes_mean", (fixed > 0).then(|| secs / fixed as f64 / 60.0)).with_breakdown(
            v.fixes
                .iter()
                .filter(|x| x.1 > 0)
                .map(|x| KpiPart { label: label(&x.0), id: None, value: x.2 / x.1 as f64 / 60.0 })
                .collect(),
        );
        let (_, end) = s.period.instants();
        let age = v.oldest_open_high.map(|t| ((end - t).num_seconds().max(0) / 86_400) as f64);
        Ok(vec![
            on_time,
            mean,
            Kpi::count("vuln_open_high_count", v.open_high),
            Kpi::maybe("vuln_open_high_max_age_days", age.or((v.open_high == 0).then_some(0.0))),
        ])
    })
}
