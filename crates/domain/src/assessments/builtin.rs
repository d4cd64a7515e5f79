//! The 考核表 shipped with Yunwei, as the seeds write them. They are read-only; the bureau copies
//! one to change points, bands or grades.

use super::{Band, Criterion, FactSource, Grade, Pay, Rule, ScoredBy, Section, TemplateSpec};

pub const BUILTIN_KEYS: &[&str] = &["002-performance", "004-deduction"];

fn criterion(key: &str, name: &str, requirement: &str, max: f64, standard: &str, rule: Rule) -> Criterion {
    Criterion {
        key: key.into(),
        name: name.into(),
        requirement: requirement.into(),
        standard: standard.into(),
        max_points: max,
        rule,
        scored_by: ScoredBy::Bureau,
    }
}

fn section(name: &str, weight: f64, criteria: Vec<Criterion>) -> Section {
    Section { name: name.into(), weight_percent: Some(weight), criteria }
}

fn grade(min: f64, name: &str, name_en: &str, pay: Pay) -> Grade {
    Grade { min, name: name.into(), name_en: name_en.into(), pay }
}

fn band(upto: Option<f64>, points: f64) -> Band {
    Band { upto, points }
}

fn deductions(each: f64, serious: Option<f64>, source: Option<FactSource>) -> Rule {
    Rule::Deductions { points_each: each, serious_points: serious, source }
}

/// Seed 002, 考核标准: the 2024 政务信息化项目统一运维绩效评估表 and its 备注.
fn performance_002() -> TemplateSpec {
    let manual = || Rule::Manual;
    TemplateSpec {
        name: "政务信息化项目统一运维绩效评估表（002）".into(),
        description: Some(
            "百分制，按得分评定优秀、良好、及格、未达标四个等级；优秀全额支付，良好扣除运维费用的 0.5%，\
             及格扣除 1%，未达标或一票否决费用另行商议。响应速度与问题解决效率按该期工单第 90 百分位的用时分档。"
                .into(),
        ),
        sections: vec![
            section(
                "服务质量",
                40.0,
                vec![
                    criterion(
                        "response_speed",
                        "响应速度",
                        "评估供应商对运维需求的响应速度。",
                        10.0,
                        "10分：在1小时内响应运维需求。\n5分：在2-4小时内响应运维需求。\n3分：超过4小时响应运维需求。\n0分：未响应或响应时间过长导致项目延误。",
                        Rule::Banded {
                            indicator: "response_minutes_p90".into(),
                            bands: vec![band(Some(60.0), 10.0), band(Some(240.0), 5.0), band(None, 3.0)],
                        },
                    ),
                    criterion(
                        "resolution_efficiency",
                        "问题解决效率",
                        "评估供应商解决问题的效率和效果。",
                        10.0,
                        "8-10分：问题在24小时内得到完全解决。\n5-7分：问题在48小时内得到完全解决。\n2-4分：问题在一周内得到完全解决。\n0-1分：问题超过一周未解决或解决不彻底。",
                        Rule::Banded {
                            indicator: "resolve_minutes_p90".into(),
                            bands: vec![
                                band(Some(1440.0), 10.0),
                                band(Some(2880.0), 7.0),
                                band(Some(10080.0), 4.0),
                                band(None, 1.0),
                            ],
                        },
                    ),
                    criterion(
                        "service_accuracy",
                        "服务准确性",
                        "评估供应商提供的服务是否准确无误。",
                        10.0,
                        "10分：提供的服务完全准确，无错误。\n7-9分：提供的服务基本准确，有轻微错误但不影响整体。\n4-6分：提供的服务存在明显错误，但能够纠正。\n0-3分：提供的服务存在严重错误，导致项目受阻或失败。",
                        manual(),
                    ),
                    criterion(
                        "service_attitude",
                        "服务态度",
                        "评估供应商的服务态度是否专业、友好。",
                        10.0,
                        "10分：服务态度专业、友好，积极沟通。\n7-9分：服务态度基本满意，沟通顺畅。\n4-6分：服务态度一般，沟通存在障碍。\n0-3分：服务态度差，沟通困难或拒绝沟通。",
                        manual(),
                    ),
                ],
            ),
            section(
                "运维情况",
                30.0,
                vec![
                    criterion(
                        "plan_execution",
                        "运维执行",
                        "评估供应商是否按照运维计划执行，是否有延误。",
                        10.0,
                        "10分：严格按照项目计划执行，无延误。\n7-9分：基本按照项目计划执行，有轻微延误但不影响整体。\n4-6分：项目计划执行存在明显延误，但能够补救。\n0-3分：项目计划执行严重延误，导致项目受阻或失败。",
                        manual(),
                    ),
                    criterion(
                        "resource_allocation",
                        "资源分配",
                        "评估供应商的资源分配是否合理，是否满足项目需求。",
                        10.0,
                        "10分：资源分配合理，完全满足项目需求。\n7-9分：资源分配基本合理，基本满足项目需求。\n4-6分：资源分配存在不足，但能够调整补充。\n0-3分：资源分配严重不足，导致项目受阻或失败。",
                        manual(),
                    ),
                    criterion(
                        "risk_management",
                        "风险管理",
                        "评估供应商在项目执行过程中的风险管理能力和应对措施。",
                        10.0,
                        "10分：风险管理能力强，有完善的风险应对措施。\n7-9分：风险管理能力基本满意，有风险应对措施。\n4-6分：风险管理能力一般，风险应对措施不够充分。\n0-3分：风险管理能力差，无风险应对措施或应对不当。",
                        manual(),
                    ),
                ],
            ),
            section(
                "定期报告",
                20.0,
                vec![
                    criterion(
                        "half_year_report",
                        "运维半年度报告",
                        "运维服务期半年提交半年度报告",
                        10.0,
                        "记录情况不真实、不完整、不准确的，每有1个不符合项，扣1分；如存在严重不真实的情况，可一次性扣除5分,本条目扣完为止。",
                        deductions(1.0, Some(5.0), Some(FactSource::HalfYearReportFindings)),
                    ),
                    criterion(
                        "annual_report",
                        "运维年度报告",
                        "运维服务期结束1个月内提交运维年度报告",
                        10.0,
                        "记录情况不真实、不完整、不准确的，每有1个不符合项，扣1分；如存在严重不真实的情况，可一次性扣除10分,本条目扣完为止。",
                        deductions(1.0, Some(10.0), Some(FactSource::AnnualReportFindings)),
                    ),
                ],
            ),
            section(
                "信息安全",
                10.0,
                vec![
                    criterion(
                        "compliance",
                        "合规性",
                        "评估供应商是否遵守相关法律法规和行业标准。",
                        5.0,
                        "5分：完全遵守相关法律法规和行业标准。\n3分：基本遵守相关法律法规和行业标准，有轻微违规。\n1分：存在明显违规行为，但能够纠正。\n0分：存在严重违规行为，导致法律纠纷或项目失败。",
                        manual(),
                    ),
                    criterion(
                        "data_security",
                        "数据安全性",
                        "评估供应商在数据处理和存储方面的安全性。",
                        5.0,
                        "5分：数据处理和存储安全性高，无数据泄露风险。\n3分：数据处理和存储安全性基本满意，存在轻微风险。\n1分：数据处理和存储安全性存在明显风险，但能够补救。\n0分：数据处理和存储安全性差，导致数据泄露或项目失败。",
                        manual(),
                    ),
                ],
            ),
        ],
        grades: vec![
            grade(90.0, "优秀", "excellent", Pay::Full),
            grade(80.0, "良好", "good", Pay::Permille { permille: 5.0 }),
            grade(70.0, "及格", "pass", Pay::Permille { permille: 10.0 }),
            grade(0.0, "未达标", "below standard", Pay::Negotiate),
        ],
        veto: vec!["出现两次及以上严重事故".into(), "发生数据泄露".into()],
        appeal_days: 5,
    }
}

/// Seed 004, 五、运维考评: 百分扣分制 over six areas.
fn deduction_004() -> TemplateSpec {
    let area = |key: &str, name: &str, max: f64, standard: &str, rule: Rule| {
        section(name, max, vec![criterion(key, name, "", max, standard, rule)])
    };
    TemplateSpec {
        name: "运维考评百分扣分表（004）".into(),
        description: Some(
            "百分扣分制。90 分以上（含）全额支付当期合同款项；60 至 90 分（含 60）每扣 1 分扣减总合同价款的 2‰；\
             60 分以下视同中标人单方违约，采购人有权终止合同。"
                .into(),
        ),
        sections: vec![
            area(
                "staffing",
                "人员驻场情况",
                20.0,
                "驻场人数、时间不满足承诺的，每人次扣1分；擅自撤离、长期缺岗的，一次性扣5分。",
                deductions(1.0, Some(5.0), None),
            ),
            area(
                "tickets",
                "运维工单落实情况",
                25.0,
                "工单响应、到场、恢复、解决超出约定时限（计入供应商责任的原因）的，每次扣1分。",
                deductions(1.0, None, Some(FactSource::BreachedClocks)),
            ),
            area(
                "procedures",
                "运维制度建立执行情况",
                10.0,
                "运维制度缺失或未执行的，每项扣1分；严重情形一次性扣5分。",
                deductions(1.0, Some(5.0), None),
            ),
            area(
                "inspections",
                "系统巡检巡查情况",
                20.0,
                "未按计划按时完成巡检的，每次扣1分。",
                deductions(1.0, None, Some(FactSource::MissedInspections)),
            ),
            area(
                "hardening",
                "系统安全加固情况",
                15.0,
                "漏洞、基线问题未按时加固的，每项扣1分；因未加固造成安全事件的，一次性扣5分。",
                deductions(1.0, Some(5.0), None),
            ),
            area(
                "emergency",
                "应急响应情况",
                10.0,
                "应急响应不及时或处置不当的，每次扣1分；造成严重后果的，一次性扣5分。",
                deductions(1.0, Some(5.0), None),
            ),
        ],
        grades: vec![
            grade(90.0, "全额支付", "paid in full", Pay::Full),
            grade(60.0, "按分扣款", "deducted per point", Pay::PerPointLost { permille: 2.0 }),
            grade(0.0, "视同违约", "breach of contract", Pay::Breach),
        ],
        veto: Vec::new(),
        appeal_days: 5,
    }
}

/// The shipped templates by key.
pub fn builtins() -> Vec<(&'static str, TemplateSpec)> {
    vec![(BUILTIN_KEYS[0], performance_002()), (BUILTIN_KEYS[1], deduction_004())]
}
