//! The tickets' indicators (000 三1, 002 需求99/128, 004 rows 20 and 30): counts, on-time rates
//! per clock metric, time to respond and to resolve, satisfaction, handling. Computed by
//! `app::indicators::tickets` with aggregate queries over the tickets reported in the period.

use crate::indicators::{IndicatorDef, KpiUnit};
use crate::tickets::TicketType;

pub const SOURCE: &str = "tickets";
/// The clock metrics with an on-time rate (a plan milestone is a project's, not a KPI).
pub const RATED_METRICS: [&str; 4] = ["response", "arrival", "restore", "resolve"];
/// The metrics with a mean and a 90th percentile of the time they took.
pub const TIMED_METRICS: [&str; 2] = ["response", "resolve"];

pub fn on_time_key(metric: &str) -> String {
    format!("{metric}_on_time_rate")
}

pub fn mean_key(metric: &str) -> String {
    format!("{metric}_minutes_mean")
}

pub fn p90_key(metric: &str) -> String {
    format!("{metric}_minutes_p90")
}

pub fn count_key(kind: TicketType) -> String {
    format!("{}_count", kind.as_str())
}

pub fn metric_zh(metric: &str) -> &'static str {
    match metric {
        "response" => "响应",
        "arrival" => "到场",
        "restore" => "恢复",
        _ => "解决",
    }
}

pub fn defs() -> Vec<IndicatorDef> {
    let mut out = vec![
        IndicatorDef::new(
            SOURCE,
            "ticket_count",
            KpiUnit::Count,
            ("工单总数", "Tickets"),
            (
                "期间内报告的工单（按报告时间），附各级别分布",
                "Tickets reported in the period (by report time), with the count per severity",
            ),
        )
        .lower_is_better(),
    ];
    for kind in TicketType::ALL {
        let label = kind.label();
        out.push(
            IndicatorDef::new(
                SOURCE,
                &count_key(*kind),
                KpiUnit::Count,
                (&format!("{}工单数", label.zh), &format!("Tickets: {}", label.en)),
                (&format!("期间内报告的{}类工单", label.zh), &format!("{} tickets reported in the period", label.en)),
            )
            .lower_is_better(),
        );
    }
    for m in RATED_METRICS {
        let zh = metric_zh(m);
        out.push(IndicatorDef::new(
            SOURCE,
            &on_time_key(m),
            KpiUnit::Rate,
            (&format!("{zh}及时率"), &format!("{m} on time")),
            (
                &format!("{zh}时限已达标 ÷（已达标 + 已超时）；仍在计时的不计入"),
                &format!("{m} clocks met ÷ (met + breached); clocks still running are left out"),
            ),
        ));
    }
    for m in TIMED_METRICS {
        let zh = metric_zh(m);
        out.push(
            IndicatorDef::new(
                SOURCE,
                &mean_key(m),
                KpiUnit::Minutes,
                (&format!("平均{zh}时长"), &format!("Mean time to {m}")),
                (
                    &format!("已结束的{zh}计时所用时长的平均值，按时限本身的口径（工作时间口径的计工作分钟）"),
                    &format!("Mean of the stopped {m} clocks' time, in the clock's own measure (working minutes where the target counts working time)"),
                ),
            )
            .lower_is_better(),
        );
        out.push(
            IndicatorDef::new(
                SOURCE,
                &p90_key(m),
                KpiUnit::Minutes,
                (&format!("{zh}时长第 90 百分位"), &format!("90th percentile time to {m}")),
                (
                    &format!("90% 的已结束{zh}计时不超过此时长（最近秩法）"),
                    &format!("90 % of the stopped {m} clocks took at most this long (nearest rank)"),
                ),
            )
            .lower_is_better(),
        );
    }
    out.push(
        IndicatorDef::new(
            SOURCE,
            "incidents_per_system_max",
            KpiUnit::Count,
            ("单系统故障数（最多）", "Incidents on one system (most)"),
            (
                "期间内计入运维方的故障工单数最多的一个信息系统的数量（000：每系统每年不超过 3 次；002 需求99：每半年不超过 2 次）；原因未登记的按“未查明”计入，附各系统分布",
                "The most incidents counted against the vendor on any one system in the period (000: at most 3 a system a year; 002 需求99: at most 2 a half-year); an unset cause counts as unknown; with the count per system",
            ),
        )
        .lower_is_better(),
    );
    out.push(
        IndicatorDef::new(
            SOURCE,
            "major_incidents_per_system_max",
            KpiUnit::Count,
            ("单系统重大故障数（最多）", "Major incidents on one system (most)"),
            (
                "计入运维方的故障中，处于所属时限策略最严重级别（策略至少有两个级别）的故障数最多的一个信息系统的数量（002 需求99：每半年重大故障不超过 1 次），附各系统分布",
                "The most counted incidents at their policy's most severe level (of a policy with at least two levels) on any one system (002 需求99: at most one major a half-year); with the count per system",
            ),
        )
        .lower_is_better(),
    );
    out.push(
        IndicatorDef::new(
            SOURCE,
            "repeat_fault_rate",
            KpiUnit::Rate,
            ("故障重复发生率", "Repeat faults"),
            (
                "期间内计入运维方的故障中，同一信息系统在其报告前 30 天内已有计入运维方的故障（可在期间之前）的比例（002 需求128：不超过 10%）",
                "Share of the period's incidents counted against the vendor whose system had another counted incident reported in the 30 days before (possibly before the period) (002 需求128: at most 10 %)",
            ),
        )
        .lower_is_better(),
    );
    out.push(IndicatorDef::new(
        SOURCE,
        "handling_rate",
        KpiUnit::Rate,
        ("工单处理率", "Handled"),
        (
            "期间内报告的工单中已解决或已关闭的比例",
            "Share of the tickets reported in the period that are resolved or closed",
        ),
    ));
    out.push(IndicatorDef::new(
        SOURCE,
        "resolved_within_24h_rate",
        KpiUnit::Rate,
        ("24 小时解决率", "Resolved within 24 h"),
        (
            "已解决或已关闭的工单中，自报告起 24 小时（自然时间）内解决（未经解决直接关闭的按关闭时间）的比例",
            "Share of the resolved or closed tickets resolved within 24 hours (wall clock) of the report (closing time for one closed without being resolved)",
        ),
    ));
    out.push(IndicatorDef::new(
        SOURCE,
        "satisfaction_mean",
        KpiUnit::Stars,
        ("满意度（平均星级）", "Satisfaction (mean stars)"),
        ("报告人评价的平均星级（1–5）", "Mean rating given by the reporters (1–5)"),
    ));
    out.push(IndicatorDef::new(
        SOURCE,
        "rated_rate",
        KpiUnit::Rate,
        ("评价率", "Rated"),
        ("已解决或已关闭的工单中有评价的比例", "Share of resolved or closed tickets that were rated"),
    ));
    out
}
