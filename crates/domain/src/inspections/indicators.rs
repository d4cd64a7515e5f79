//! The inspections' indicators (004 row 20: inspections done as planned, the fixed 99 % becoming
//! the item's target; abnormal items found). Computed by `app::indicators::inspections` over the
//! tasks scheduled in the period.

use crate::indicators::{IndicatorDef, KpiUnit};

pub const SOURCE: &str = "inspections";

pub fn defs() -> Vec<IndicatorDef> {
    vec![
        IndicatorDef::new(
            SOURCE,
            "inspection_completion_rate",
            KpiUnit::Rate,
            ("巡检完成率", "Inspections done"),
            (
                "期间内应完成（已到截止时间）的巡检任务中已完成的比例；未到截止时间且未完成的不计入",
                "Tasks scheduled in the period and already due that were done; tasks not yet due and not done are left out",
            ),
        ),
        IndicatorDef::new(
            SOURCE,
            "inspection_on_time_rate",
            KpiUnit::Rate,
            ("巡检按时率", "Inspections on time"),
            ("已完成的巡检任务中在截止时间前完成的比例", "Share of the done tasks that were done by their due time"),
        ),
        IndicatorDef::new(
            SOURCE,
            "inspection_abnormal_count",
            KpiUnit::Count,
            ("巡检发现异常项数", "Abnormal items found"),
            ("期间内完成的巡检记录中判为异常的检查项数", "Items found abnormal in the tasks done in the period"),
        )
        .lower_is_better(),
    ]
}
