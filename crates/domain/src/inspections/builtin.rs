//! The checklists Yunwei ships, drawn from what the seed contracts ask inspectors to look at:
//! databases (002 需求127: tablespace, backup integrity, patches, error logs), servers (004: CPU,
//! memory, disk below 80 %), network and security devices, the video-conference MCU (004 row 16),
//! the machine room (002 需求33/34: UPS, air-conditioning, grounding) and websites (002: reachable,
//! not tampered with, no hidden links). Read-only; a bureau copies one to adapt it.

use super::template::{Item, ResultType, TemplateKind};

/// (group, name, method, expected, result type, unit, min, max, automatic source)
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    ResultType,
    &'static str,
    Option<f64>,
    Option<f64>,
    &'static str,
);

pub struct Builtin {
    pub id: &'static str,
    pub name: &'static str,
    pub kind: TemplateKind,
    pub description: &'static str,
    rows: &'static [Row],
}

use ResultType::{NormalAbnormal as NA, Number as NUM, Photo as PH, Text as TX};

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        id: "builtin-application",
        name: "应用系统日常巡检",
        kind: TemplateKind::Application,
        description: "应用可用性、关键功能、日志与证书（000 每日巡检）",
        rows: &[
            (
                "可用性",
                "系统首页可正常访问",
                "浏览器访问系统地址",
                "页面正常打开，无报错",
                NA,
                "",
                None,
                None,
                "monitor:http",
            ),
            ("可用性", "登录与关键业务功能", "使用测试账号登录并走通一项核心业务", "功能正常", NA, "", None, None, ""),
            ("性能", "页面响应时间", "打开首页计时", "不超过 3 秒", NUM, "秒", None, Some(3.0), ""),
            ("日志", "应用错误日志", "查看当日应用日志中的 ERROR", "无新增严重错误", NA, "", None, None, ""),
            ("接口", "与第三方系统的数据接口", "查看接口调用与同步任务", "调用成功，无积压", NA, "", None, None, ""),
            ("安全", "SSL 证书有效期", "查看证书到期日", "剩余 30 天以上", NUM, "天", Some(30.0), None, "monitor:tls"),
        ],
    },
    Builtin {
        id: "builtin-database",
        name: "数据库巡检",
        kind: TemplateKind::Database,
        description: "表空间、备份完整性、补丁、错误日志（002 需求127 数据库健康检查）",
        rows: &[
            ("空间", "表空间使用率", "查询各表空间已用比例", "低于 80%", NUM, "%", None, Some(80.0), ""),
            (
                "备份",
                "最近一次备份完成且完整",
                "核对备份日志与备份文件校验",
                "按计划完成，校验通过",
                NA,
                "",
                None,
                None,
                "",
            ),
            ("备份", "备份保留期", "检查最早的可用备份", "不少于 30 天", NUM, "天", Some(30.0), None, ""),
            ("补丁", "数据库补丁集", "对照厂商发布的最新补丁", "已应用最新补丁集或已评估", NA, "", None, None, ""),
            ("日志", "告警日志与跟踪文件", "检查 alert 日志中的 ORA-/ERROR", "无新增错误", NA, "", None, None, ""),
            ("性能", "会话数与锁等待", "查看活动会话与阻塞", "无长时间锁等待", NA, "", None, None, ""),
        ],
    },
    Builtin {
        id: "builtin-server",
        name: "服务器巡检",
        kind: TemplateKind::Server,
        description: "CPU、内存、磁盘低于 80%、服务与日志（004）",
        rows: &[
            ("资源", "CPU 使用率", "top / 任务管理器，取巡检时值", "低于 80%", NUM, "%", None, Some(80.0), ""),
            ("资源", "内存使用率", "free / 任务管理器", "低于 80%", NUM, "%", None, Some(80.0), ""),
            ("资源", "磁盘使用率（最高分区）", "df -h，取最高的分区", "低于 80%", NUM, "%", None, Some(80.0), ""),
            ("服务", "关键服务与进程", "检查应用、中间件进程", "全部运行", NA, "", None, None, ""),
            ("日志", "系统日志", "检查 /var/log/messages 或事件查看器", "无硬件或严重错误", NA, "", None, None, ""),
            ("安全", "系统补丁与账号", "检查待装补丁与异常账号", "无高危缺失补丁，无异常账号", NA, "", None, None, ""),
        ],
    },
    Builtin {
        id: "builtin-network",
        name: "网络设备巡检",
        kind: TemplateKind::Network,
        description: "交换机、路由器：运行状态、端口、链路、配置备份",
        rows: &[
            ("硬件", "设备指示灯与电源、风扇", "现场查看或 display device", "无告警", NA, "", None, None, ""),
            ("资源", "CPU 使用率", "display cpu-usage", "低于 70%", NUM, "%", None, Some(70.0), ""),
            ("链路", "上联与专线链路", "查看端口状态与错包", "链路 up，无持续错包", NA, "", None, None, ""),
            ("配置", "配置备份", "导出当前配置并与上次比较", "已备份，变更有记录", NA, "", None, None, ""),
        ],
    },
    Builtin {
        id: "builtin-security",
        name: "安全设备巡检",
        kind: TemplateKind::Security,
        description: "防火墙、入侵防御、网页防篡改：策略、特征库、日志",
        rows: &[
            ("运行", "设备运行状态与 HA", "查看管理界面", "运行正常，主备同步", NA, "", None, None, ""),
            ("特征库", "特征库与病毒库版本", "查看更新时间", "7 天内已更新", NA, "", None, None, ""),
            ("策略", "访问控制策略", "检查新增或临时策略", "无过期的临时放通策略", NA, "", None, None, ""),
            ("日志", "攻击与告警日志", "查看当日高危事件", "高危事件均已处置", TX, "", None, None, ""),
        ],
    },
    Builtin {
        id: "builtin-video-conference",
        name: "视频会议系统（MCU）巡检",
        kind: TemplateKind::VideoConference,
        description: "MCU、终端、线路与会前测试（004 第 16 项）",
        rows: &[
            ("MCU", "MCU 运行状态", "登录 MCU 管理界面", "运行正常，无告警", NA, "", None, None, ""),
            ("终端", "各会场终端在线", "查看终端注册状态", "全部在线", NA, "", None, None, ""),
            ("线路", "会议专线与带宽", "测试丢包与时延", "丢包低于 1%", NUM, "%", None, Some(1.0), ""),
            ("会前", "音视频测试", "与主会场互通测试图像与声音", "图像清晰，声音正常", NA, "", None, None, ""),
            ("现场", "会场设备照片", "拍摄主会场设备", "", PH, "", None, None, ""),
        ],
    },
    Builtin {
        id: "builtin-machine-room",
        name: "机房巡检",
        kind: TemplateKind::MachineRoom,
        description: "UPS、精密空调、防雷接地、温湿度、消防（002 需求33、34）",
        rows: &[
            ("环境", "机房温度", "读取温湿度计", "18–27 ℃", NUM, "℃", Some(18.0), Some(27.0), ""),
            ("环境", "机房湿度", "读取温湿度计", "40–60 %", NUM, "%", Some(40.0), Some(60.0), ""),
            (
                "供电",
                "UPS 运行参数与告警",
                "查看 UPS 面板：输入输出电压、负载、旁路",
                "无告警，负载低于 80%",
                NA,
                "",
                None,
                None,
                "",
            ),
            ("供电", "UPS 电池", "查看电池电压与后备时间", "正常", NA, "", None, None, ""),
            ("空调", "精密空调运行", "查看空调面板与告警", "运行正常，无漏水", NA, "", None, None, ""),
            ("防雷接地", "接地与防雷装置", "目视检查接地线与防雷器状态", "连接牢固，指示正常", NA, "", None, None, ""),
            ("消防", "消防设施与门禁", "检查气体灭火控制器与门禁记录", "正常", NA, "", None, None, ""),
            ("现场", "机房现场照片", "拍摄机柜通道", "", PH, "", None, None, ""),
        ],
    },
    Builtin {
        id: "builtin-website",
        name: "网站巡检",
        kind: TemplateKind::Website,
        description: "可访问、未被篡改、无暗链、证书（002）",
        rows: &[
            ("可用性", "网站可访问", "访问首页与主要栏目", "正常打开", NA, "", None, None, "monitor:http"),
            ("内容安全", "网页未被篡改", "对照发布内容检查首页与重要页面", "与发布内容一致", NA, "", None, None, ""),
            ("内容安全", "无暗链、无违规外链", "检查页面源码中的隐藏链接", "未发现暗链", NA, "", None, None, ""),
            ("内容安全", "栏目更新与错别字", "检查重要栏目", "无长期未更新栏目和错敏字", TX, "", None, None, ""),
            ("安全", "SSL 证书有效期", "查看证书到期日", "剩余 30 天以上", NUM, "天", Some(30.0), None, "monitor:tls"),
        ],
    },
];

impl Builtin {
    pub fn items(&self) -> Vec<Item> {
        let text = |s: &str| (!s.is_empty()).then(|| s.to_string());
        self.rows
            .iter()
            .enumerate()
            .map(|(i, &(group, name, method, expected, result_type, unit, min, max, source))| Item {
                id: format!("{}-{:02}", self.id, i + 1),
                name: name.to_string(),
                group: text(group),
                method: text(method),
                expected: text(expected),
                result_type,
                unit: text(unit),
                min,
                max,
                photo_required: result_type == ResultType::Photo,
                source: text(source),
            })
            .collect()
    }
}

pub fn is_builtin(id: &str) -> bool {
    BUILTINS.iter().any(|b| b.id == id)
}
