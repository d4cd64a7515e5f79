//! Demo security operations beside the ledger: the web portal's and another system's 等保
//! filings (one assessed last year, with a rectification item open), the bureau's quarterly
//! scan plans with this quarter's report filed against the imported scan and last quarter's
//! missed on the second system, and a 较大 attack on the portal reported within its deadline,
//! recovered and waiting for the bureau to close it.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use domain::Principal;
use domain::dengbao::{DengbaoAssessmentInput, DengbaoRecordInput, RectItemInput};
use domain::security_events::{EventStageInput, SecurityEventInput};
use domain::security_plans::{SecurityPlanInput, SecurityRecordInput};
use serde_json::json;

use crate::files::Upload;
use crate::{App, Result};

/// A scan report as a scanner exports it: a short PDF.
fn report_pdf(title: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {title}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n").into_bytes()
}

impl App {
    pub(super) async fn demo_security(
        &self,
        admin: &Principal,
        engineer: &Principal,
        systems: &HashMap<u32, String>,
    ) -> Result<()> {
        let (Some(web), Some(other)) = (systems.get(&4).cloned(), systems.get(&3).cloned()) else { return Ok(()) };
        let today = crate::bureau_date(self.business_now());
        let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        // 等保: the portal filed and assessed last year; the other system is infrastructure.
        let filing = |n: &str, on: NaiveDate, class: &str| DengbaoRecordInput {
            filing_number: Some(n.into()),
            filed_on: Some(day(on)),
            reporting_class: Some(class.into()),
            ..Default::default()
        };
        let year_ago = today - Duration::days(330);
        self.put_dengbao_record(admin, &web, filing("41050013001-23001", year_ago - Duration::days(400), "other"))
            .await?;
        self.put_dengbao_record(admin, &other, filing("41050013001-24007", year_ago - Duration::days(30), "cii"))
            .await?;
        let assessed = DengbaoAssessmentInput {
            assessed_on: Some(day(year_ago)),
            assessor: Some("河南省信息安全测评中心".into()),
            score: Some(82.5),
            conclusion: Some("good".into()),
            notes: None,
        };
        let a = self.add_dengbao_assessment(admin, &web, assessed).await?;
        let item = RectItemInput {
            assessment_id: Some(a.id),
            title: Some("数据库未开启审计日志，需开启并保存 6 个月以上".into()),
            risk: Some("medium".into()),
            deadline: Some(day(today + Duration::days(20))),
        };
        self.add_dengbao_item(admin, Some(&web), item).await?;

        // Quarterly scans of both systems since the start of the year.
        let start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
        for system in [&web, &other] {
            let plan = SecurityPlanInput {
                system_id: Some(system.clone()),
                kind: Some("scan".into()),
                recurrence: Some(json!({"every": "quarter", "month": 1, "day": 1})),
                start_date: Some(day(start)),
                notes: Some("002 需求169：每季度对服务器进行 1 次漏洞检测".into()),
                ..Default::default()
            };
            self.create_security_plan(admin, plan).await?;
        }
        let import_id = {
            let q = domain::list::ListQuery { page_size: 1, ..Default::default() };
            self.list_scan_imports(engineer, &q, Some(&web)).await?.items.first().map(|i| i.id.clone())
        };
        let record = SecurityRecordInput {
            system_id: Some(web.clone()),
            kind: Some("scan".into()),
            performed_on: Some(day(today - Duration::days(7))),
            summary: Some("本季度主机漏洞扫描：2 台主机，危急 1、高危 2、中危 1、低危 1，已导入漏洞台账".into()),
            import_id,
        };
        let file =
            Upload { name: "门户网站本季度漏洞扫描报告.pdf".into(), bytes: report_pdf("quarterly scan") };
        self.create_security_record(engineer, record, file).await?;

        // A 较大 attack on the portal three days ago: reported in time, recovered.
        let found = self.business_now() - Duration::days(3);
        let event = SecurityEventInput {
            title: Some("门户网站遭受 SQL 注入攻击".into()),
            category: Some("attack".into()),
            grade: Some("significant".into()),
            system_ids: Some(vec![web.clone()]),
            description: Some("WAF 告警：检索接口出现大量注入尝试，数据库出现异常查询，未发现数据外泄".into()),
            occurred_at: Some(found - Duration::minutes(20)),
            found_at: Some(found),
            measures: Some("封禁攻击源地址段；对检索参数改用预编译语句；核查近 7 日数据库审计日志".into()),
            ..Default::default()
        };
        let e = self.create_security_event(engineer, event).await?;
        let step = |stage: &str, after: i64, r: Option<&str>| EventStageInput {
            stage: Some(stage.into()),
            at: Some(found + Duration::minutes(after)),
            report_ref: r.map(str::to_string),
            note: None,
        };
        // The steps happened days ago: written down afterwards, which is the bureau's to do.
        let id = e.event.id;
        self.security_event_stage(admin, &id, step("reported", 90, Some("市网信办 · 电话报告（演示）"))).await?;
        self.security_event_stage(admin, &id, step("contained", 120, None)).await?;
        self.security_event_stage(admin, &id, step("recovered", 300, None)).await?;
        Ok(())
    }
}
