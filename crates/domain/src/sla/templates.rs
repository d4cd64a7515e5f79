//! Policies drawn from the clauses of the procurement documents, offered as starting points in
//! the policy editor. Each names the seed it comes from and quotes the clause.

use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Template {
    pub id: &'static str,
    pub name: &'static str,
    /// Where the clause comes from.
    pub source: &'static str,
    /// The clause as written.
    pub clause: &'static str,
    /// A policy body for `POST /sla/policies`, with a suggested preset calendar.
    #[schema(value_type = Object)]
    pub policy: Value,
}

fn c(minutes: u32) -> Value {
    json!({"kind": "calendar", "minutes": minutes})
}
fn b(minutes: u32) -> Value {
    json!({"kind": "business", "minutes": minutes})
}
fn wd(days: u32) -> Value {
    json!({"kind": "working_days", "days": days, "at": "end_of_day"})
}

pub fn templates() -> Vec<Template> {
    vec![
        Template {
            id: "004-row-04",
            name: "四级故障（7×24）",
            source: "安阳市政务大数据中心运维项目（004）序号 04 古树名木管理系统",
            clause: "一级(紧急)：不超15分钟响应，4小时内恢复核心功能，8小时内完全解决；二级(严重)：15分钟响应，8小时内恢复核心功能，24小时内完全解决；三级(一般)：15分钟响应，24小时内解决；四级(轻微)：15分钟响应，24小时内解决。",
            policy: json!({
                "name": "四级故障（7×24）", "calendar_id": "preset-7x24",
                "levels": [
                    {"name": "一级（紧急）", "order": 1, "targets": {"response": c(15), "restore": c(240), "resolve": c(480)}},
                    {"name": "二级（严重）", "order": 2, "targets": {"response": c(15), "restore": c(480), "resolve": c(1440)}},
                    {"name": "三级（一般）", "order": 3, "targets": {"response": c(15), "resolve": c(1440)}},
                    {"name": "四级（轻微）", "order": 4, "targets": {"response": c(15), "resolve": c(1440)}}
                ],
                "pause_states": {"pending": ["restore", "resolve"]},
                "escalation": [
                    {"metric": "resolve", "at_percent": 75, "notify": ["assignee", "vendor_pm"]},
                    {"metric": "resolve", "on_breach": true, "notify": ["vendor_pm", "admin"], "escalate_to": "L2"}
                ]
            }),
        },
        Template {
            id: "004-row-15",
            name: "15 分钟响应，1 小时到场，简单 2 小时 / 复杂 24 小时恢复（7×24）",
            source: "安阳市政务大数据中心运维项目（004）序号 15–18、23、25–29（视频会议、电子政务外网、协同办公、政府网站等）",
            clause: "服务时间：7*24h技术保障支持；响应时效：响应时间15分钟；到场时间：1小时以内；故障恢复时间：简单故障2小时以内，复杂故障24小时以内。",
            policy: json!({
                "name": "15 分钟响应 / 1 小时到场（7×24）", "calendar_id": "preset-7x24",
                "levels": [
                    {"name": "复杂故障", "order": 1, "criteria": "需多方协同或更换设备、恢复时间长的故障",
                     "targets": {"response": c(15), "arrival": c(60), "restore": c(1440)}},
                    {"name": "简单故障", "order": 2, "criteria": "可现场直接排除的故障",
                     "targets": {"response": c(15), "arrival": c(60), "restore": c(120)}}
                ],
                "pause_states": {"pending": ["restore"]}
            }),
        },
        Template {
            id: "004-row-14",
            name: "2 小时响应，4 小时到场，简单 4 小时 / 复杂 24 小时恢复（7×24）",
            source: "安阳市政务大数据中心运维项目（004）序号 14 电子政务服务平台",
            clause: "服务时间：7*24h技术保障支持；响应时效：响应时间2小时以内；到场时间：4小时以内；故障恢复时间：简单故障4小时以内，复杂故障24小时以内。",
            policy: json!({
                "name": "2 小时响应 / 4 小时到场（7×24）", "calendar_id": "preset-7x24",
                "levels": [
                    {"name": "复杂故障", "order": 1, "targets": {"response": c(120), "arrival": c(240), "restore": c(1440)}},
                    {"name": "简单故障", "order": 2, "targets": {"response": c(120), "arrival": c(240), "restore": c(240)}}
                ],
                "pause_states": {"pending": ["restore"]}
            }),
        },
        Template {
            id: "004-row-07",
            name: "4 小时响应与到场，6 小时恢复（7×24）",
            source: "安阳市政务大数据中心运维项目（004）序号 07 综治信息化平台",
            clause: "服务时间：7*24小时技术保障支持；响应时效：4小时以内；运维到场时间：4小时以内；故障恢复时间：6小时以内。",
            policy: json!({
                "name": "4 小时响应 / 6 小时恢复（7×24）", "calendar_id": "preset-7x24",
                "levels": [{"name": "故障", "order": 1, "targets": {"response": c(240), "arrival": c(240), "restore": c(360)}}],
                "pause_states": {"pending": ["restore"]}
            }),
        },
        Template {
            id: "004-row-08",
            name: "7×8：半小时响应，2 小时到场，4 小时恢复；中等故障 8 / 24 小时排除",
            source: "安阳市政务大数据中心运维项目（004）序号 08 人力资源市场智慧就业信息化系统",
            clause: "服务时间：7×8小时技术保障支持；响应时效：0.5小时以内；到场时间：2小时以内；故障恢复时间：4小时以内。硬件4小时排一般故障、8小时排中等故障；软件4小时排一般故障、24小时排中等故障。",
            policy: json!({
                "name": "就业系统（7×8）", "calendar_id": "preset-7x8",
                "levels": [
                    {"name": "中等故障（软件）", "order": 1, "targets": {"response": b(30), "arrival": b(120), "restore": b(240), "resolve": b(1440)}},
                    {"name": "中等故障（硬件）", "order": 2, "targets": {"response": b(30), "arrival": b(120), "restore": b(240), "resolve": b(480)}},
                    {"name": "一般故障", "order": 3, "targets": {"response": b(30), "arrival": b(120), "restore": b(240), "resolve": b(240)}}
                ],
                "pause_states": {"pending": ["restore", "resolve"]}
            }),
        },
        Template {
            id: "004-row-03-faults",
            name: "核心 / 功能 / 涉密模块故障（区分工作时间）",
            source: "安阳市政务大数据中心运维项目（004）序号 03 馆藏档案管理平台",
            clause: "核心故障工作时间15分钟内现场处置，1小时内修复；非工作时间30分钟内到场，2小时内恢复服务。功能故障工作时间30分钟响应，2小时修复；非工作时间4小时内处理。涉密模块故障15分钟响应，1小时修复。",
            policy: json!({
                "name": "档案管理平台故障", "calendar_id": "preset-5x8",
                "levels": [
                    {"name": "核心故障", "order": 1, "criteria": "系统崩溃、数据无法访问",
                     "targets": {"arrival": c(15), "restore": c(60)},
                     "out_of_hours_targets": {"arrival": c(30), "restore": c(120)}},
                    {"name": "涉密模块故障", "order": 2, "criteria": "涉密档案解密异常",
                     "targets": {"response": c(15), "restore": c(60)}},
                    {"name": "功能故障", "order": 3, "criteria": "借阅流程报错、报表生成失败",
                     "targets": {"response": c(30), "restore": c(120)},
                     "out_of_hours_targets": {"response": c(240)}}
                ],
                "pause_states": {"pending": ["restore"]}
            }),
        },
        Template {
            id: "004-row-03-demands",
            name: "需求分级（工作日）",
            source: "安阳市政务大数据中心运维项目（004）序号 03 馆藏档案管理平台",
            clause: "简单功能需求1个工作日反馈方案，5个工作日落地；复杂需求5个工作日内答复可行性，15个工作日内实现；紧急需求7个工作日内优先完成。",
            policy: json!({
                "name": "需求响应", "calendar_id": "preset-5x8",
                "levels": [
                    {"name": "紧急需求", "order": 1, "targets": {"resolve": wd(7)}},
                    {"name": "简单需求", "order": 2, "targets": {"plan": wd(1), "resolve": wd(5)}},
                    {"name": "复杂需求", "order": 3, "targets": {"plan": wd(5), "resolve": wd(15)}}
                ],
                "pause_states": {"pending": ["plan", "resolve"]}
            }),
        },
        Template {
            id: "002-req-27",
            name: "工作时间 1 小时 / 非工作时间 3 小时响应",
            source: "张家港市政务信息化统一运维项目（002）需求27",
            clause: "运维服务 5x8小时专人支持，发现故障及时响应(工作时间1小时响应，非工作时间 3小时响应)。",
            policy: json!({
                "name": "故障响应（5×8）", "calendar_id": "preset-5x8",
                "levels": [{"name": "故障", "order": 1, "targets": {"response": c(60)}, "out_of_hours_targets": {"response": c(180)}}]
            }),
        },
        Template {
            id: "002-req-99",
            name: "三级故障（立即响应，4 / 8 / 24 小时处理）",
            source: "张家港市政务信息化统一运维项目（002）需求99",
            clause: "一级故障立即响应，处理周期不超过4小时，二级故障1小时内响应，处理周期不超过8小时，三级故障4小时内响应，处理周期不超过24小时或应用户要求即时处理。",
            policy: json!({
                "name": "三级故障", "calendar_id": "preset-7x24",
                "levels": [
                    {"name": "一级故障", "order": 1, "criteria": "立即响应（按 15 分钟考核，可调整）", "targets": {"response": c(15), "resolve": c(240)}},
                    {"name": "二级故障", "order": 2, "targets": {"response": c(60), "resolve": c(480)}},
                    {"name": "三级故障", "order": 3, "targets": {"response": c(240), "resolve": c(1440)}}
                ],
                "upgrade": [{"from": "三级故障", "to": "二级故障", "after": c(1440)}]
            }),
        },
        Template {
            id: "002-req-48",
            name: "30 分钟响应，3 个工作日排除故障",
            source: "张家港市政务信息化统一运维项目（002）需求48",
            clause: "30分钟内响应，诊断原有系统运行故障并在3个工作日内排除故障。",
            policy: json!({
                "name": "档案系统故障", "calendar_id": "preset-5x8",
                "levels": [{"name": "故障", "order": 1, "targets": {"response": c(30), "resolve": wd(3)}}]
            }),
        },
        Template {
            id: "002-req-57",
            name: "原厂维保：下一个工作日发出备件",
            source: "张家港市政务信息化统一运维项目（002）需求57",
            clause: "为2台H3C/LS-10506核心交换机提供一年原厂维保服务，7*24小时响应，下一个工作日发出。",
            policy: json!({
                "name": "核心交换机原厂维保", "calendar_id": "preset-5x8",
                "levels": [{"name": "硬件故障", "order": 1, "criteria": "需更换备件的硬件故障",
                    "targets": {"response": c(30), "dispatch": json!({"kind": "next_working_day", "at": "end"})}}]
            }),
        },
        Template {
            id: "001",
            name: "5×9 现场 / 7×24 远程（15 分钟响应）",
            source: "江门市蓬江区智慧政务办公平台运维（001）",
            clause: "现场维护为5天×9小时（工作日每天8：30至17：30）；远程维护为7天×24小时。系统故障响应时间不超过15分钟，其他工作响应时间不超过1个小时。",
            policy: json!({
                "name": "办公平台响应", "calendar_id": "preset-5x9",
                "levels": [
                    {"name": "系统故障", "order": 1, "targets": {"response": c(15)}},
                    {"name": "其他工作", "order": 2, "targets": {"response": b(60)}}
                ]
            }),
        },
        Template {
            id: "000",
            name: "驻场 10 分钟响应，2 小时方案，12 小时解决",
            source: "江西省交通运输厅运维项目（000）",
            clause: "驻场技术人员须在10分钟内响应问题处理，远程维护人员响应时间为1小时内，2小时内提出处理方案，12小时内解决故障。",
            policy: json!({
                "name": "交通运输厅运维", "calendar_id": "preset-7x24",
                "levels": [
                    {"name": "一般故障", "order": 2, "targets": {"response": c(10), "plan": c(120), "resolve": c(720)}},
                    {"name": "较大及重大故障", "order": 1, "targets": {"response": c(10), "plan": c(120), "resolve": c(1440)}}
                ]
            }),
        },
        // Vulnerability policies: a contract item names one as `vulnerability_policy_id`; their
        // levels are named after the severities and set the `fix` target.
        Template {
            id: "002-vuln-24h",
            name: "漏洞修复：重大安全漏洞 24 小时内修复",
            source: "张家港市政务信息化统一运维项目（002）需求12 数字平台GIS运维、需求13",
            clause: "定期做好安全检测，对于检测出的重大安全漏洞，在24小时内提出解决方案并修复漏洞。",
            policy: json!({
                "name": "漏洞修复（重大漏洞 24 小时）", "calendar_id": "preset-7x24",
                "description": "危急、高危漏洞 24 小时内修复；中危、低危合同未约定时限，不设级别，不计时。",
                "levels": [
                    {"name": "危急", "order": 1, "targets": {"fix": c(1440)}},
                    {"name": "高危", "order": 2, "targets": {"fix": c(1440)}}
                ],
                "escalation": [
                    {"metric": "fix", "at_percent": 75, "notify": ["assignee", "vendor_pm"]},
                    {"metric": "fix", "on_breach": true, "notify": ["vendor_pm", "admin"]}
                ]
            }),
        },
        Template {
            id: "002-vuln-12h",
            name: "漏洞修复：发现的漏洞 12 小时内修复",
            source: "张家港市政务信息化统一运维项目（002）需求60 市公安局网站运维",
            clause: "对系统的安全漏洞定期进行扫描检查并对发现的漏洞12小时内修复。",
            policy: json!({
                "name": "漏洞修复（12 小时）", "calendar_id": "preset-7x24",
                "levels": [
                    {"name": "危急", "order": 1, "targets": {"fix": c(720)}},
                    {"name": "高危", "order": 2, "targets": {"fix": c(720)}},
                    {"name": "中危", "order": 3, "targets": {"fix": c(720)}},
                    {"name": "低危", "order": 4, "targets": {"fix": c(720)}}
                ],
                "escalation": [
                    {"metric": "fix", "at_percent": 75, "notify": ["assignee", "vendor_pm"]},
                    {"metric": "fix", "on_breach": true, "notify": ["vendor_pm", "admin"]}
                ]
            }),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::policy::PolicyInput;

    #[test]
    fn every_template_is_a_valid_policy() {
        for t in templates() {
            let input: PolicyInput = serde_json::from_value(t.policy.clone()).unwrap();
            let spec = input.validate().unwrap_or_else(|e| panic!("{}: {e:?}", t.id));
            assert!(crate::sla::calendar::is_preset(&spec.calendar_id), "{}", t.id);
        }
    }
}
