//! Demo tickets: a fortnight of work, each under its system's own clause of seed 004 (the
//! four-level 7×24 clause of most systems, "15 minutes to respond, an hour on site" of the
//! collaborative office platform, "4 hours" of the 综治 platform) — closed and rated, under way,
//! pending, breached, and one just reported — entered as the bureau back-fills phone reports, so
//! every clock and the timeline are real. Resolved tickets close themselves three
//! working days later, as the policy says, and are rated after.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use domain::Principal;
use domain::sla::policy::PolicyInput;
use domain::tickets::input::{RatingInput, ResolutionInput, TicketInput, TransitionInput};

use crate::{App, AppError, Result};

/// What happens to a demo ticket, in minutes after its report.
struct Story {
    system_seq: u32,
    severity: &'static str,
    kind: &'static str,
    title: &'static str,
    reporter: &'static str,
    /// Minutes before now that it was reported.
    ago: i64,
    steps: &'static [(i64, &'static str, Option<&'static str>)],
    /// The service record on resolving: summary, fault type, method, cause, prevention.
    resolution: Option<[&'static str; 5]>,
    rating: Option<i64>,
}

const STORIES: [Story; 8] = [
    Story {
        system_seq: 4,
        severity: "一级（紧急）",
        kind: "incident",
        title: "古树名木系统无法登录，提示 502",
        reporter: "城市管理局 张科长",
        ago: 13 * 24 * 60,
        steps: &[(8, "responded", None), (40, "arrived", None), (150, "restored", None), (300, "resolved", None)],
        resolution: Some([
            "重启应用服务并扩大连接池后恢复登录，观察 2 小时无异常",
            "应用故障",
            "重启应用服务，连接池由 50 调至 200",
            "访问高峰时数据库连接池耗尽",
            "增加连接池监控项，连接数超过 80% 时告警",
        ]),
        rating: Some(5),
    },
    Story {
        system_seq: 3,
        severity: "二级（严重）",
        kind: "incident",
        title: "馆藏档案借阅报表生成失败",
        reporter: "档案馆 刘老师",
        ago: 9 * 24 * 60,
        steps: &[(12, "responded", None), (60, "in_progress", None), (600, "resolved", None)],
        resolution: Some([
            "修复报表模板字段映射后报表生成正常",
            "软件缺陷",
            "修正借阅报表模板的字段映射并重新发布",
            "上次版本升级改了字段名，报表模板未同步",
            "版本发布前增加报表回归测试",
        ]),
        rating: Some(4),
    },
    Story {
        system_seq: 1,
        severity: "三级（一般）",
        kind: "request",
        title: "智慧监督平台新增科室账号 3 个",
        reporter: "市纪委监委 陈主任",
        ago: 6 * 24 * 60,
        steps: &[(10, "responded", None), (200, "resolved", None)],
        resolution: Some(["已新增 3 个科室账号并告知初始密码", "", "", "", ""]),
        rating: None,
    },
    Story {
        system_seq: 6,
        severity: "二级（严重）",
        kind: "incident",
        title: "网签备案系统提交合同报错",
        reporter: "住建局 王科员",
        ago: 3 * 24 * 60,
        steps: &[(25, "responded", None), (90, "in_progress", None)],
        resolution: None,
        rating: None,
    },
    Story {
        system_seq: 2,
        severity: "三级（一般）",
        kind: "data_request",
        title: "导出 2025 年度提案办理数据",
        reporter: "市政协 赵老师",
        ago: 30 * 60,
        steps: &[(5, "responded", None), (10, "pending", Some("等待用户确认导出字段"))],
        resolution: None,
        rating: None,
    },
    Story {
        system_seq: 5,
        severity: "二级（严重）",
        kind: "incident",
        title: "不动产登记查询缓慢",
        reporter: "自然资源和规划局 孙科员",
        ago: 3 * 60,
        steps: &[(9, "responded", None), (20, "in_progress", None)],
        resolution: None,
        rating: None,
    },
    // 协同办公平台 runs under row 17's clause: 15 minutes to respond, an hour on site, a simple
    // fault restored within 2 hours.
    Story {
        system_seq: 17,
        severity: "简单故障",
        kind: "incident",
        title: "协同办公平台公文流转卡在签批环节",
        reporter: "市政府办公室 李秘书",
        ago: 2 * 24 * 60,
        steps: &[(9, "responded", None), (45, "arrived", None), (100, "restored", None), (130, "resolved", None)],
        resolution: Some([
            "清理卡住的流程实例并重启工作流引擎，公文恢复流转",
            "应用故障",
            "清理异常流程实例，重启工作流引擎",
            "签批节点并发提交导致流程锁未释放",
            "升级工作流引擎补丁，增加流程锁超时释放",
        ]),
        rating: Some(5),
    },
    // 综治平台 runs under row 07's clause: one level, 4 hours to respond.
    Story {
        system_seq: 7,
        severity: "故障",
        kind: "incident",
        title: "综治平台网格事件上报页面打不开",
        reporter: "市委政法委 周老师",
        ago: 20,
        steps: &[],
        resolution: None,
        rating: None,
    },
];

fn at(t: DateTime<Utc>) -> Option<String> {
    Some(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

impl App {
    /// A policy from one of seed 004's clauses (a template of `domain::sla::templates`).
    pub(super) async fn demo_policy(&self, sys: &Principal, template_id: &str) -> Result<(String, String)> {
        let template = domain::sla::templates::templates()
            .into_iter()
            .find(|t| t.id == template_id)
            .ok_or_else(|| AppError::internal(format!("demo: template {template_id}")))?;
        let input: PolicyInput = serde_json::from_value(template.policy)
            .map_err(|e| AppError::internal(format!("demo: template {template_id}: {e:?}")))?;
        let policy = self.create_policy(sys, input).await?;
        Ok((policy.id, policy.spec.name))
    }

    pub(super) async fn demo_tickets(&self, sys: &Principal, systems: &HashMap<u32, String>) -> Result<()> {
        let now = self.business_now();
        for s in &STORIES {
            let Some(system_id) = systems.get(&s.system_seq) else { continue };
            let reported = now - Duration::minutes(s.ago);
            let input = TicketInput {
                system_id: Some(system_id.clone()),
                kind: Some(s.kind.into()),
                severity: Some(s.severity.into()),
                title: Some(s.title.into()),
                channel: Some("phone".into()),
                reported_at: at(reported),
                reporter_name: Some(s.reporter.into()),
                ..Default::default()
            };
            let t = self.create_ticket(sys, input, domain::Lang::Zh).await?;
            for (minutes, to, reason) in s.steps {
                let when = reported + Duration::minutes(*minutes);
                if when > now {
                    break;
                }
                let resolution = s.resolution.filter(|_| *to == "resolved").map(|r| {
                    let text = |v: &str| (!v.is_empty()).then(|| v.to_string());
                    ResolutionInput {
                        summary: text(r[0]),
                        fault_type: text(r[1]),
                        method: text(r[2]),
                        cause: text(r[3]),
                        prevention: text(r[4]),
                        device_model: None,
                    }
                });
                let step = TransitionInput {
                    to: Some((*to).into()),
                    reason: reason.map(Into::into),
                    at: at(when),
                    resolution,
                    ..Default::default()
                };
                self.transition_ticket(sys, &t.ticket.id, step, domain::Lang::Zh).await?;
            }
            if let Some(r) = s.rating {
                let rating = RatingInput { rating: Some(r), comment: Some("处理及时，态度很好".into()) };
                self.rate_ticket(sys, &t.ticket.id, rating, domain::Lang::Zh).await?;
            }
        }
        // Breaches that happened “while nobody looked” are recorded at their due times.
        self.check_due_tickets().await?;
        Ok(())
    }
}
