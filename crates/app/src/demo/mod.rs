//! The demo dataset: the real structure of seed 004 (Anyang big-data centre, 14 units and 30
//! systems with their developers, service hours and SLA wording), one vendor with a PM and
//! engineers, one contract whose items cover the 30 systems, one user per unit, an auditor, and
//! a few assets. The seed states no amounts, so budgets and payment milestones are illustrative
//! and say so in the contract's notes.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use domain::registry::{
    AssetInput, CertificateInput, ContractInput, ContractItemInput, MilestoneInput, SystemInput, UnitInput, VendorInput,
};
use domain::{Principal, Role};
use serde::Deserialize;

use crate::{App, AppError, Result, system_principal};

mod assessments;
mod inspections;
mod reports;
mod security;
mod tickets;
mod vulnerabilities;

const SEED: &str = include_str!("seed004.json");
/// Every demo account's password.
pub const DEMO_PASSWORD: &str = "Demo@2026";

#[derive(Deserialize)]
struct Seed {
    project_name: String,
    units: Vec<SeedUnit>,
    systems: Vec<SeedSystem>,
    contract_items: Vec<SeedItem>,
    vendor_requirements: VendorReq,
}
#[derive(Deserialize)]
struct SeedUnit {
    key: String,
    name: String,
}
#[derive(Deserialize)]
struct SeedSystem {
    seq: u32,
    unit_key: String,
    name: String,
    developer: Option<String>,
    brand: Option<String>,
    deployment: Option<String>,
    service_hours: Option<String>,
    sla_text: Option<String>,
    description: Option<String>,
    criticality: String,
    dengbao_level: Option<i32>,
}
#[derive(Deserialize)]
struct SeedItem {
    name: String,
    system_seqs: Vec<u32>,
}
#[derive(Deserialize)]
struct VendorReq {
    notes: String,
}

/// A demo account for the printed list.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: String,
    pub role: Role,
    pub label: String,
}

fn seed() -> Result<Seed> {
    serde_json::from_str(SEED).map_err(|e| AppError::internal_from("demo dataset", e))
}

/// Illustrative budgets (fen) per item, in seed order.
const BUDGETS_FEN: [i64; 5] = [286_000_000, 315_000_000, 420_000_000, 98_000_000, 167_000_000];

impl App {
    /// Loads the demo dataset into an empty database and returns the accounts it created.
    pub async fn load_demo(&self) -> Result<Vec<DemoAccount>> {
        let sys = system_principal();
        let seed = seed()?;
        let mut accounts = Vec::new();
        let admin_id =
            self.demo_user(&sys, "admin", Role::Admin, "数据局管理员（王主任）", None, None, &mut accounts).await?;
        self.demo_user(&sys, "auditor", Role::Auditor, "审计管理员（李审计）", None, None, &mut accounts).await?;

        let mut unit_ids = HashMap::new();
        let mut unit_users = Vec::new();
        for (i, u) in seed.units.iter().enumerate() {
            let unit = self.create_unit(&sys, UnitInput { name: Some(u.name.clone()), ..Default::default() }).await?;
            let username = format!("unit{:02}", i + 1);
            let label = format!("{}（单位用户）", u.name);
            let user = self
                .demo_user(&sys, &username, Role::UnitUser, &label, Some(unit.id.clone()), None, &mut accounts)
                .await?;
            unit_users.push(Principal {
                user_id: user,
                username,
                role: Role::UnitUser,
                unit_id: Some(unit.id.clone()),
                vendor_id: None,
            });
            unit_ids.insert(u.key.clone(), unit.id);
        }

        let mut system_ids = HashMap::new();
        for s in &seed.systems {
            let unit_id = unit_ids
                .get(&s.unit_key)
                .cloned()
                .ok_or_else(|| AppError::internal(format!("demo: unit {}", s.unit_key)))?;
            let created = self
                .create_system(
                    &sys,
                    SystemInput {
                        name: Some(s.name.clone()),
                        unit_id: Some(unit_id),
                        developer: s.developer.clone(),
                        brand: s.brand.clone(),
                        deployment: s.deployment.clone(),
                        dengbao_level: s.dengbao_level,
                        criticality: Some(s.criticality.clone()),
                        service_hours: s.service_hours.clone(),
                        sla_text: s.sla_text.clone(),
                        description: s.description.clone(),
                        addresses: None,
                    },
                )
                .await?;
            system_ids.insert(s.seq, created.id);
        }

        let vendor = self
            .create_vendor(
                &sys,
                VendorInput {
                    name: Some("安阳云维信息技术有限公司（演示）".into()),
                    credit_code: Some("91410500MA9DEMO001".into()),
                    contact_name: Some("赵经理".into()),
                    contact_phone: Some("0372-5550100".into()),
                    address: Some("河南省安阳市文峰区（演示地址）".into()),
                },
            )
            .await?;
        let pm = self
            .demo_user(&sys, "pm", Role::VendorPm, "项目经理（赵经理）", None, Some(vendor.id.clone()), &mut accounts)
            .await?;
        self.put_certificate(&sys, &pm, None, cert("信息系统项目管理师", "软考办", 2021, 2031)).await?;
        let mut engineers = Vec::new();
        for (i, name) in ["驻场工程师（孙工）", "驻场工程师（周工）", "远程工程师（吴工）"].iter().enumerate()
        {
            let id = self
                .demo_user(
                    &sys,
                    &format!("eng{}", i + 1),
                    Role::Engineer,
                    name,
                    None,
                    Some(vendor.id.clone()),
                    &mut accounts,
                )
                .await?;
            self.put_certificate(
                &sys,
                &id,
                None,
                cert("CISP 注册信息安全专业人员", "中国信息安全测评中心", 2023, 2026 + i as i32),
            )
            .await?;
            engineers.push((id, format!("eng{}", i + 1)));
        }

        // A year-long contract for the current year, so the demo's clocks run whenever it starts.
        let year = chrono::Datelike::year(&crate::bureau_today());
        // Each system runs under its own clause: an item per category of seed 004 and clause,
        // its budget shared by the number of systems.
        let mut policies: HashMap<&str, (String, String)> = HashMap::new();
        let (fix_policy, _) = self.demo_policy(&sys, "002-vuln-24h").await?;
        let mut items = Vec::new();
        for (it, budget) in seed.contract_items.iter().zip(BUDGETS_FEN) {
            let mut by_clause: Vec<(&str, Vec<u32>)> = Vec::new();
            for seq in &it.system_seqs {
                let clause = clause_of(*seq);
                match by_clause.iter_mut().find(|(c, _)| *c == clause) {
                    Some((_, seqs)) => seqs.push(*seq),
                    None => by_clause.push((clause, vec![*seq])),
                }
            }
            let systems = it.system_seqs.len().max(1) as i64;
            let mut left = budget;
            for (n, (clause, seqs)) in by_clause.iter().enumerate() {
                if !policies.contains_key(clause) {
                    policies.insert(clause, self.demo_policy(&sys, clause).await?);
                }
                let (policy, policy_name) = policies.get(clause).cloned().unwrap_or_default();
                let share = if n + 1 == by_clause.len() { left } else { budget * seqs.len() as i64 / systems };
                left -= share;
                let name = if by_clause.len() == 1 { it.name.clone() } else { format!("{}·{policy_name}", it.name) };
                let mut item = demo_item(
                    name,
                    share,
                    year,
                    seqs.iter().filter_map(|s| system_ids.get(s).cloned()).collect(),
                    policy,
                );
                item.vulnerability_policy_id = Some(fix_policy.clone());
                items.push(item);
            }
        }
        let contract = self
            .create_contract(
                &sys,
                ContractInput {
                    name: Some(seed.project_name.clone()),
                    code: Some("AYZC-2025-YW-001（演示）".into()),
                    vendor_id: Some(vendor.id.clone()),
                    signed_on: Some("2025-12-20".into()),
                    notes: Some(format!(
                        "金额与付款节点为演示数据，招标文件未载明。{}",
                        seed.vendor_requirements.notes
                    )),
                    items,
                },
            )
            .await?;

        self.demo_assets(&sys, &system_ids).await?;
        self.demo_tickets(&sys, &system_ids).await?;
        let covered: Vec<String> = seed
            .contract_items
            .iter()
            .flat_map(|it| it.system_seqs.iter().filter_map(|s| system_ids.get(s).cloned()))
            .collect();
        self.demo_inspections(&sys, &covered, &engineers, &vendor.id).await?;
        let person = |user_id: &str, username: &str, role: Role, vendor_id: Option<String>| Principal {
            user_id: user_id.to_string(),
            username: username.to_string(),
            role,
            unit_id: None,
            vendor_id,
        };
        let admin = person(&admin_id, "admin", Role::Admin, None);
        let manager = person(&pm, "pm", Role::VendorPm, Some(vendor.id.clone()));
        self.demo_assessment(&admin, &manager, &contract.id).await?;
        self.demo_unit_scoring(&admin, &unit_users, &contract.id).await?;
        self.demo_reports(&admin, &manager, &contract.id).await?;
        if let Some((id, name)) = engineers.first() {
            let engineer = person(id, name, Role::Engineer, Some(vendor.id.clone()));
            self.demo_vulnerabilities(&admin, &engineer, &system_ids).await?;
            self.demo_security(&admin, &engineer, &system_ids).await?;
        }
        Ok(accounts)
    }

    #[allow(clippy::too_many_arguments)]
    async fn demo_user(
        &self,
        sys: &Principal,
        username: &str,
        role: Role,
        label: &str,
        unit_id: Option<String>,
        vendor_id: Option<String>,
        accounts: &mut Vec<DemoAccount>,
    ) -> Result<String> {
        let u = self
            .create_user(
                sys,
                domain::registry::UserInput {
                    username: Some(username.into()),
                    display_name: Some(label.chars().take(50).collect()),
                    role: Some(role.as_str().into()),
                    unit_id,
                    vendor_id,
                    password: Some(DEMO_PASSWORD.into()),
                    ..Default::default()
                },
            )
            .await?;
        accounts.push(DemoAccount { username: username.into(), role, label: label.into() });
        Ok(u.id)
    }

    async fn demo_assets(&self, sys: &Principal, systems: &HashMap<u32, String>) -> Result<()> {
        let today = crate::wall_now().date_naive();
        let days = |n: i64| Some((today + Duration::days(n)).to_string());
        let assets = [
            (
                16,
                "市级核心节点至省电子政务外网专线",
                "link",
                Some("1000M 光纤专线"),
                Some("党政综合楼机房"),
                None,
                days(75),
            ),
            (16, "MCE 接入设备（备用）", "network", Some("华为 AR6140"), Some("党政综合楼机房"), days(25), None),
            (18, "政府网站 SSL 证书", "certificate", Some("OV 通配符证书"), None, None, days(20)),
            (18, "政府网站域名", "domain", None, None, None, days(200)),
            (20, "指挥中心 UPS 主机", "ups", Some("山特 3C3 Pro 60KVA"), Some("指挥中心设备间"), days(55), None),
            (20, "指挥中心精密空调", "air_conditioner", Some("艾默生 P1030"), Some("指挥中心设备间"), days(140), None),
            (20, "指挥中心 LED 大屏", "display", Some("P1.5 小间距 LED"), Some("指挥大厅"), days(400), None),
            (15, "视频会议 MCU", "network", Some("华为 CloudMCU"), Some("市政府 3 楼机房"), days(85), None),
            (23, "数据中台应用服务器 1", "server", Some("政务云 16C/64G 虚拟机"), Some("政务云"), None, None),
            (23, "数据中台数据库服务器", "server", Some("政务云 32C/128G 虚拟机"), Some("政务云"), None, None),
            (24, "态势感知探针", "security", Some("奇安信 天眼"), Some("政务外网核心区"), days(300), days(45)),
            (30, "遥感监测点位 1 号设备", "camera", Some("尾气遥感监测仪"), Some("文峰大道与中华路口"), days(35), None),
        ];
        for (i, (seq, name, kind, model, location, warranty, expiry)) in assets.into_iter().enumerate() {
            self.create_asset(
                sys,
                AssetInput {
                    name: Some(name.into()),
                    kind: Some(kind.into()),
                    model: model.map(Into::into),
                    serial: Some(format!("DEMO-{:04}", i + 1)),
                    location: location.map(Into::into),
                    system_id: systems.get(&seq).cloned(),
                    warranty_end: warranty,
                    expires_on: expiry,
                    ..Default::default()
                },
            )
            .await?;
        }
        Ok(())
    }
}

fn cert(name: &str, issuer: &str, from: i32, to: i32) -> CertificateInput {
    CertificateInput {
        name: Some(name.into()),
        issuer: Some(issuer.into()),
        issued_on: Some(format!("{from}-06-30")),
        expires_on: Some(format!("{to}-06-30")),
        ..Default::default()
    }
}

/// The first and last day of quarter `q` (0-based) of `year`.
/// The clause of seed 004 a system's service runs under (its `sla_text`): rows 15–18, 23 and
/// 25–29 "15 minutes, an hour on site", row 14 "2 hours, 4 hours on site", row 07 "4 hours",
/// row 08 the 7×8 employment system; the others the four-level 7×24 clause of row 04.
fn clause_of(seq: u32) -> &'static str {
    match seq {
        7 => "004-row-07",
        8 => "004-row-08",
        14 => "004-row-14",
        15..=18 | 23 | 25..=29 => "004-row-15",
        _ => "004-row-04",
    }
}

/// A demo contract item for the current year, paid by the quarter's 考评 (004 五: ≥ 90 in full,
/// 2 ‰ of the price per point below), with 004 row 30's response rate and the outage caps of
/// 004's clauses as its targets.
fn demo_item(name: String, budget: i64, year: i32, system_ids: Vec<String>, policy: String) -> ContractItemInput {
    let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default();
    ContractItemInput {
        name: Some(name),
        budget_fen: Some(budget),
        start_date: Some(start.to_string()),
        end_date: Some(end.to_string()),
        system_ids,
        milestones: (0..4)
            .map(|q| MilestoneInput {
                percent: Some(25),
                condition: Some(format!("第{}季度考评后支付", ["一", "二", "三", "四"][q])),
                assessed_from: Some(quarter(year, q).0.to_string()),
                assessed_to: Some(quarter(year, q).1.to_string()),
                ..Default::default()
            })
            .collect(),
        sla_policy_id: Some(policy),
        targets: domain::indicators::seeds::templates()
            .iter()
            .filter(|t| matches!(t.id, "004-30" | "004-caps"))
            .flat_map(|t| t.targets.iter().map(Into::into))
            .collect(),
        ..Default::default()
    }
}

pub(crate) fn quarter(year: i32, q: usize) -> (NaiveDate, NaiveDate) {
    let first = |m: u32| NaiveDate::from_ymd_opt(year, m, 1).unwrap_or_default();
    let m = 1 + 3 * q as u32;
    let next = if q == 3 { NaiveDate::from_ymd_opt(year + 1, 1, 1).unwrap_or_default() } else { first(m + 3) };
    (first(m), next.pred_opt().unwrap_or_default())
}
