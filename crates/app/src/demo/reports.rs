//! The demo's periodic reports: the contract owes seed 004's weekly summary and monthly report;
//! the job writes the drafts of the last ended week and month, and last month's is written by the
//! vendor's manager, submitted and accepted — issued with its files — so the list shows both a
//! draft waiting for the vendor and an issued report.

use domain::Principal;
use domain::reports::templates::DefinitionInput;
use domain::reports::{NarrativeInput, ReportFilter, ReportKind, ReviewInput};

use crate::{App, Result};

impl App {
    pub(super) async fn demo_reports(&self, admin: &Principal, pm: &Principal, contract_id: &str) -> Result<()> {
        let contract = store::contracts::get(&self.store, &domain::Scope::All, contract_id).await?;
        let start =
            contract.and_then(|c| c.items.iter().map(|i| i.start_date).min()).unwrap_or_else(crate::bureau_today);
        for (template, anchor) in [("004-monthly", start), ("004-weekly", ReportKind::Week.calendar_start(start))] {
            let input = DefinitionInput {
                template: Some(template.into()),
                anchor: Some(anchor.to_string()),
                ..DefinitionInput::default()
            };
            self.create_report_definition(admin, contract_id, input).await?;
        }
        self.generate_due_reports().await?;
        // Issuing writes files: a loader without a data directory leaves the drafts.
        if self.config.data_dir.is_none() {
            return Ok(());
        }
        let filter = ReportFilter {
            contract_id: Some(contract_id.into()),
            kind: Some(ReportKind::Month),
            ..ReportFilter::default()
        };
        let q = domain::list::ListQuery {
            sort: Some("period_start".into()),
            order: domain::list::Order::Desc,
            ..Default::default()
        };
        let Some(month) = self.reports(admin, &q, &filter).await?.items.into_iter().next() else { return Ok(()) };
        let texts = [
            (
                "summary",
                "本月 30 个信息系统运行总体平稳。完成日常巡检和节前安全检查，处理故障及服务请求，按时提交巡检记录。",
            ),
            ("problems", "个别系统服务器磁盘使用率接近 80%，备份存储空间紧张；一起故障的到场时间超出承诺。"),
            ("plan", "下月完成备份存储扩容，清理历史日志；对到场超时问题调整驻场排班，重大活动期间安排专人值守。"),
        ];
        let sections = texts.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        self.set_report_narrative(pm, &month.id, NarrativeInput { sections }).await?;
        self.submit_report(pm, &month.id).await?;
        let review = ReviewInput {
            note: Some("内容完整，数据与系统记录一致，同意。".into()), findings: Vec::new()
        };
        self.accept_report(admin, &month.id, review).await?;
        Ok(())
    }
}
