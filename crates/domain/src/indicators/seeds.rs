//! Targets the procurement documents state, offered as starting points for a contract item's
//! targets (`GET /kpis/target-templates`). Each names its seed and quotes the clause; values are
//! in the indicator's unit (rates as fractions, times in minutes).

use serde::Serialize;
use utoipa::ToSchema;

use super::targets::{KpiTarget, TargetOp, TargetWindow};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetTemplate {
    pub id: &'static str,
    pub name: &'static str,
    /// Where the clause comes from.
    pub source: &'static str,
    /// The clause as written.
    pub clause: &'static str,
    pub targets: Vec<KpiTarget>,
}

fn t(key: &str, op: TargetOp, value: f64, per: TargetWindow) -> KpiTarget {
    KpiTarget { key: key.into(), op, value, per }
}

pub fn templates() -> Vec<TargetTemplate> {
    use TargetOp::{AtLeast, AtMost};
    use TargetWindow::{HalfYear, Month, Period, Year};
    vec![
        TargetTemplate {
            id: "000-1",
            name: "故障数与维保完成率（000 三1①②）",
            source: "江西省交通运输厅运维项目（000）三、1 ①②",
            clause: "每年每个系统平台故障发生总数≤3起；系统运维服务巡检每天一次，系统维保工作完成率≥99%，信息化系统（平台）正常运转率≥95%。",
            targets: vec![
                t("incidents_per_system_max", AtMost, 3.0, Year),
                t("inspection_completion_rate", AtLeast, 0.99, Period),
                t("availability_min", AtLeast, 0.95, Period),
            ],
        },
        TargetTemplate {
            id: "002-99",
            name: "故障次数与可用性（002 需求99）",
            source: "张家港市政务信息化统一运维项目（002）需求99 全民（人口）健康数据中心硬件及网络服务",
            clause: "云计算资源中心的可用性保证需达到99.9%，单一故障发生时间不大于全年56分钟……单一故障次数每系统半年不得超过2次，其中重大故障不超过1次。",
            targets: vec![
                t("availability_min", AtLeast, 0.999, Period),
                t("longest_interruption_minutes", AtMost, 56.0, Year),
                t("incidents_per_system_max", AtMost, 2.0, HalfYear),
                t("major_incidents_per_system_max", AtMost, 1.0, HalfYear),
            ],
        },
        TargetTemplate {
            id: "002-128",
            name: "问题处理率与故障重复发生率（002 需求128）",
            source: "张家港市政务信息化统一运维项目（002）需求128 市一张蓝图空间规划信息平台",
            clause: "问题处理率100%，故障重复发生率≤10%，一般运行故障平均修复时间≤24小时。",
            targets: vec![
                t("handling_rate", AtLeast, 1.0, Period),
                t("repeat_fault_rate", AtMost, 0.10, Period),
                t("resolve_minutes_mean", AtMost, 1440.0, Period),
            ],
        },
        TargetTemplate {
            id: "004-30",
            name: "报障后响应率不低于 98%（004 序号 30）",
            source: "安阳市政务大数据中心运维项目（004）序号 30",
            clause: "报障后响应率不低于98%；简单软硬件维护响应时间不超过2个小时；复杂软硬件维护响应时间不超过4个小时。",
            targets: vec![t("response_on_time_rate", AtLeast, 0.98, Period)],
        },
        TargetTemplate {
            id: "004-caps",
            name: "中断时长上限（004 各系统条款）",
            source: "安阳市政务大数据中心运维项目（004）序号 03 馆藏档案管理平台、12345 政府服务热线平台",
            clause: "保障月故障中断时长≤1小时；平台服务可用率≥99.9%，全年中断时长≤2小时；重大故障4小时内解决。",
            targets: vec![
                t("downtime_per_system_max_minutes", AtMost, 60.0, Month),
                t("downtime_per_system_max_minutes", AtMost, 120.0, Year),
                t("longest_interruption_minutes", AtMost, 240.0, Period),
                t("availability_min", AtLeast, 0.999, Period),
            ],
        },
    ]
}
