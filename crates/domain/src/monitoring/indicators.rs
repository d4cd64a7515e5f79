//! Availability's indicators (000 三1②, 002 需求99, 004 rows 13/20 and the caps its clauses
//! state besides a percentage: ≤ 1 h a month, ≤ 4 h an outage, ≤ 2 h a year, a single fault
//! ≤ 56 min). Computed by `app::indicators::availability` per system of the scope from its
//! recorded interruptions, less maintenance and the causes its contract item does not count.

use crate::indicators::{IndicatorDef, KpiUnit};

pub const SOURCE: &str = "availability";

pub fn defs() -> Vec<IndicatorDef> {
    vec![
        IndicatorDef::new(
            SOURCE,
            "availability_min",
            KpiUnit::Rate,
            ("可用率（最低的系统）", "Availability (lowest system)"),
            (
                "各信息系统可用率中最低者：1 − 计入运维方的中断时长 ÷（已过时长 − 维护窗口与不计入原因的中断）；无任何监测的系统不计，附各系统可用率",
                "The lowest of the systems' availability: 1 − counted downtime ÷ (elapsed − maintenance and interruptions of causes not counted); systems nothing measured are left out; with each system's figure",
            ),
        ),
        IndicatorDef::new(
            SOURCE,
            "availability_below_target_count",
            KpiUnit::Count,
            ("未达可用率承诺的系统数", "Systems below their availability target"),
            (
                "可用率低于其合同分项承诺可用率的信息系统个数，附这些系统",
                "Systems whose availability is below what their contract item promises, with those systems",
            ),
        )
        .lower_is_better(),
        IndicatorDef::new(
            SOURCE,
            "downtime_minutes",
            KpiUnit::Minutes,
            ("中断时长合计", "Downtime, all systems"),
            (
                "各信息系统计入运维方的中断时长之和（自然分钟），附各系统时长",
                "Downtime counted against the vendor summed over the systems (wall-clock minutes), with each system's",
            ),
        )
        .lower_is_better(),
        IndicatorDef::new(
            SOURCE,
            "downtime_per_system_max_minutes",
            KpiUnit::Minutes,
            ("单系统中断时长（最多）", "Downtime of one system (most)"),
            (
                "计入运维方的中断时长最多的一个信息系统的时长（004：每月不超过 1 小时、全年不超过 2 小时）",
                "The most downtime counted against the vendor of any one system (004: at most 1 h a month, 2 h a year)",
            ),
        )
        .lower_is_better(),
        IndicatorDef::new(
            SOURCE,
            "longest_interruption_minutes",
            KpiUnit::Minutes,
            ("最长单次中断", "Longest interruption"),
            (
                "期间内计入运维方的时长最长的一次中断（004：单次不超过 4 小时；002 需求99：单一故障不超过 56 分钟），附各系统最长一次",
                "The longest single interruption counted against the vendor in the period (004: at most 4 h an outage; 002 需求99: a single fault at most 56 min), with each system's longest",
            ),
        )
        .lower_is_better(),
        IndicatorDef::new(
            SOURCE,
            "interruption_count",
            KpiUnit::Count,
            ("中断次数", "Interruptions"),
            (
                "期间内有计入运维方时长的中断次数（同一系统重叠的监测记录按各自记录计），附各系统次数",
                "Interruptions with time counted against the vendor in the period (overlapping records of one system count each), with the count per system",
            ),
        )
        .lower_is_better(),
    ]
}
