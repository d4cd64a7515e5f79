//! The ledger's indicators (000 三2, 002 需求12/60, 004 row 24): fixes on time by severity, the
//! time a fix takes, and what graver findings stay open and for how long. Computed by
//! `app::indicators::vulnerabilities` over the findings of the scope's systems.

use crate::indicators::{IndicatorDef, KpiUnit};

pub const SOURCE: &str = "vulnerabilities";

pub fn defs() -> Vec<IndicatorDef> {
    vec![
        IndicatorDef::new(
            SOURCE,
            "vuln_fix_on_time_rate",
            KpiUnit::Rate,
            ("漏洞按时修复率", "Vulnerabilities fixed on time"),
            (
                "期间内发现且有修复时限的漏洞中，在时限内修复的比例（已超过时限仍未修复的计为超时；误报不计；风险接受按申请时的结果计）",
                "Findings found in the period with a fix deadline that were fixed by it (past due and unfixed counts as late; false positives are left out; accepted risk counts as it stood when asked for)",
            ),
        ),
        IndicatorDef::new(
            SOURCE,
            "vuln_fix_minutes_mean",
            KpiUnit::Minutes,
            ("漏洞平均修复时长", "Mean time to fix a vulnerability"),
            (
                "期间内修复的漏洞从发现到修复的平均时长（自然时间，分钟），按风险等级细分",
                "Mean wall-clock minutes from finding to fix over the findings fixed in the period, by severity",
            ),
        )
        .lower_is_better(),
        IndicatorDef::new(
            SOURCE,
            "vuln_open_high_count",
            KpiUnit::Count,
            ("未修复高危及以上漏洞数", "Critical and high findings still open"),
            (
                "期末仍未修复（非误报、非风险接受）的危急和高危漏洞数",
                "Critical and high findings open at the end of the period (not false positives, not accepted risks)",
            ),
        )
        .lower_is_better(),
        IndicatorDef::new(
            SOURCE,
            "vuln_open_high_max_age_days",
            KpiUnit::Count,
            ("高危漏洞最长未修复天数", "Oldest open critical or high finding (days)"),
            (
                "期末仍未修复的危急和高危漏洞中，发现至期末的最长天数",
                "Days from finding to the end of the period of the oldest critical or high finding still open then",
            ),
        )
        .lower_is_better(),
    ]
}
