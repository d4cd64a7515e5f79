//! Demo vulnerability ledger: the contract's items name 002's "重大安全漏洞 24 小时内修复"
//! policy; last week's quarterly scan of two systems was imported from its Nessus file; since
//! then some findings were fixed (one verified by the bureau), one is under way and close to its
//! deadline, one breached over the weekend, and the vendor asked the bureau to accept one risk —
//! waiting in the administrator's approvals.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use domain::Principal;
use domain::vulnerabilities::{VulnTransitionInput, VulnerabilityInput};

use crate::vulnerabilities::{ImportFile, ImportOptions, ImportTarget};
use crate::{App, Result};

/// (host, port, Nessus severity, plugin id, name, CVE)
const SCAN: [(&str, u16, u8, &str, &str, &str); 6] = [
    ("10.41.8.21", 443, 4, "73412", "OpenSSL 多个远程漏洞（心脏出血）", "CVE-2014-0160"),
    ("10.41.8.21", 22, 3, "187201", "OpenSSH 远程代码执行漏洞（regreSSHion）", "CVE-2024-6387"),
    ("10.41.8.21", 8080, 2, "88099", "Web 服务器允许 TRACE 方法", "CVE-2003-1567"),
    ("10.41.8.22", 3306, 3, "128030", "MySQL 存在远程拒绝服务漏洞", "CVE-2019-2614"),
    ("10.41.8.22", 80, 1, "10107", "HTTP 服务器版本信息泄露", ""),
    ("10.41.8.22", 0, 0, "19506", "Nessus 扫描信息", ""),
];

fn nessus() -> Vec<u8> {
    let mut x = String::from("<?xml version=\"1.0\" ?>\n<NessusClientData_v2><Report name=\"第四季度漏洞扫描\">\n");
    let mut host = "";
    for (h, port, sev, plugin, name, cve) in SCAN {
        if h != host {
            if !host.is_empty() {
                x.push_str("</ReportHost>\n");
            }
            x.push_str(&format!(
                "<ReportHost name=\"{h}\"><HostProperties><tag name=\"host-ip\">{h}</tag></HostProperties>\n"
            ));
            host = h;
        }
        let cve = if cve.is_empty() { String::new() } else { format!("<cve>{cve}</cve>") };
        x.push_str(&format!(
            "<ReportItem port=\"{port}\" svc_name=\"svc\" protocol=\"tcp\" severity=\"{sev}\" pluginID=\"{plugin}\" pluginName=\"{name}\">\
             <description>{name}。</description><solution>升级到厂商发布的修复版本，或按加固指南关闭相应服务。</solution>{cve}</ReportItem>\n"
        ));
    }
    x.push_str("</ReportHost>\n</Report></NessusClientData_v2>\n");
    x.into_bytes()
}

impl App {
    pub(super) async fn demo_vulnerabilities(
        &self,
        admin: &Principal,
        engineer: &Principal,
        systems: &HashMap<u32, String>,
    ) -> Result<()> {
        let (Some(web), Some(other)) = (systems.get(&4).cloned(), systems.get(&3).cloned()) else { return Ok(()) };
        let preview = self
            .import_vulnerabilities(
                engineer,
                ImportFile { name: "第四季度漏洞扫描.nessus".into(), bytes: nessus() },
                ImportOptions {
                    target: ImportTarget::System(web.clone()),
                    mapping: None,
                    mapping_id: None,
                    source: None,
                    dry_run: false,
                },
            )
            .await?;
        let import_id = preview.import.map(|i| i.id).unwrap_or_default();
        let q = domain::list::ListQuery { page_size: 50, ..Default::default() };
        let f = domain::vulnerabilities::VulnFilter { import_id: Some(import_id), ..Default::default() };
        let found = self.list_vulnerabilities(engineer, &q, &f).await?.items;
        let by_title = |part: &str| found.iter().find(|v| v.title.contains(part)).map(|v| v.id.clone());
        let lang = domain::Lang::Zh;
        let mv = |to: &str, reason: Option<&str>, until: Option<NaiveDate>| VulnTransitionInput {
            to: Some(to.into()),
            reason: reason.map(str::to_string),
            accepted_until: until,
        };
        if let Some(id) = by_title("心脏出血") {
            self.transition_vulnerability(engineer, &id, mv("fixed", None, None), lang).await?;
            self.transition_vulnerability(admin, &id, mv("verified", None, None), lang).await?;
        }
        if let Some(id) = by_title("regreSSHion") {
            self.transition_vulnerability(engineer, &id, mv("fixing", None, None), lang).await?;
        }
        if let Some(id) = by_title("MySQL") {
            self.transition_vulnerability(engineer, &id, mv("fixed", None, None), lang).await?;
        }
        if let Some(id) = by_title("TRACE") {
            let until = crate::bureau_date(self.business_now()) + Duration::days(90);
            let reason = Some("该端口仅内网访问，系统计划下季度迁移上云后下线");
            self.transition_vulnerability(engineer, &id, mv("risk_accepted", reason, Some(until)), lang).await?;
        }
        // A notice from the public security bureau, found four days ago and not yet fixed.
        let found_at = self.business_now() - Duration::days(4);
        self.create_vulnerability(
            engineer,
            VulnerabilityInput {
                system_id: Some(other),
                title: Some("门户网站存在 SQL 注入漏洞".into()),
                severity: Some("critical".into()),
                source: Some("notice".into()),
                notice_org: Some("police".into()),
                notice_number: Some("安公网安通〔演示〕12号".into()),
                url: Some("https://www.example.gov.cn/search?kw=".into()),
                solution: Some("对检索参数使用预编译语句，部署 WAF 规则".into()),
                found_at: Some(found_at),
                ..Default::default()
            },
            lang,
        )
        .await?;
        self.check_due_vulnerabilities().await?;
        Ok(())
    }
}
