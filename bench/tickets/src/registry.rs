//! The registry the tickets hang on, created through the app's use cases as an administrator
//! would: 40 units with a user each, 400 systems, 10 vendors with a PM and two engineers, one
//! contract per vendor whose two items cover the vendor's systems under an SLA policy (the
//! seed template `004-row-04` on `preset-7x24`, and a working-time copy on `preset-5x8`).

use anyhow::{Context, Result, anyhow};
use app::App;
use chrono::Duration;
use domain::Principal;
use domain::list::ListQuery;
use domain::registry::{ContractInput, ContractItemInput, SystemInput, UnitInput, UserInput, VendorInput};
use domain::sla::compiled::Calendar;
use domain::sla::policy::{PolicyInput, PolicyView};
use serde_json::Value;

pub const PASSWORD: &str = "Bench#2026-tickets";
pub const UNITS: usize = 40;
pub const SYSTEMS_PER_UNIT: usize = 10;
/// Vendors by default: 10 contracts of 40 systems. `--vendors 2` makes two contracts of 200
/// systems each (the periodic-report benchmark's contract).
pub const VENDORS: usize = 10;

/// A contract item with what a ticket under it needs.
pub struct Item {
    pub id: String,
    pub vendor_id: String,
    pub policy: PolicyView,
    pub cal: Calendar,
    /// The vendor's engineers and PM (assignees).
    pub staff: Vec<String>,
}

pub struct Sys {
    pub id: String,
    pub unit_id: String,
    /// Index into `Registry::items`.
    pub item: usize,
    /// The unit's user, who reports (id, display name).
    pub reporter: (String, String),
}

pub struct Registry {
    pub admin: Principal,
    /// The user of the first unit (the busiest one in the generated data).
    pub unit_user: Principal,
    /// The first vendor's project manager.
    pub pm: Principal,
    /// An engineer of the first vendor (the busiest one).
    pub engineer: Principal,
    pub systems: Vec<Sys>,
    pub items: Vec<Item>,
    /// Contract ids by code: the first is the busiest vendor's.
    pub contracts: Vec<String>,
}

async fn principal(app: &App, username: &str) -> Result<Principal> {
    let out = app.login(username, PASSWORD, None, None).await.map_err(|e| anyhow!("login {username}: {e}"))?;
    app.authenticate(&out.token).await.map_err(|e| anyhow!("session of {username}: {e}"))
}

fn unit_user_name(u: usize) -> String {
    format!("unit{:02}", u + 1)
}
fn engineer_name(v: usize, k: usize) -> String {
    format!("eng{:02}{}", v + 1, ["a", "b"][k])
}
fn system_name(u: usize, s: usize) -> String {
    format!("基准系统-{:02}-{:02}", u + 1, s + 1)
}

/// The seed template `004-row-04` as a policy body; `working_time` moves it onto `preset-5x8`
/// with its minutes counted in working time.
fn policy_body(app: &App, working_time: bool) -> Result<PolicyInput> {
    let t = app.sla_templates().into_iter().find(|t| t.id == "004-row-04").context("template 004-row-04")?;
    let mut body = t.policy;
    if working_time {
        body["name"] = Value::from("四级故障（5×8 工作时间）");
        body["calendar_id"] = Value::from("preset-5x8");
        for level in body["levels"].as_array_mut().into_iter().flatten() {
            for target in level["targets"].as_object_mut().into_iter().flat_map(|m| m.values_mut()) {
                target["kind"] = Value::from("business");
            }
        }
    }
    Ok(serde_json::from_value(body)?)
}

fn user(username: String, display: String, role: &str, unit: Option<&str>, vendor: Option<&str>) -> UserInput {
    UserInput {
        username: Some(username),
        display_name: Some(display),
        role: Some(role.into()),
        unit_id: unit.map(Into::into),
        vendor_id: vendor.map(Into::into),
        password: Some(PASSWORD.into()),
        ..Default::default()
    }
}

fn e(e: app::AppError) -> anyhow::Error {
    anyhow!("{e:?}")
}

impl Registry {
    /// Creates the registry in an empty database.
    /// `vendors` divides the units into contracts of two units per item (2, 4, 10 or 20).
    pub async fn create(app: &App, vendors: usize) -> Result<Registry> {
        if vendors == 0 || !UNITS.is_multiple_of(2 * vendors) {
            return Err(anyhow!("--vendors must divide {} units into pairs: 2, 4, 10 or 20", UNITS));
        }
        let units_per_vendor = UNITS / vendors;
        app.bootstrap_admin("admin", PASSWORD).await.map_err(e)?;
        let admin = principal(app, "admin").await?;
        let p = &admin;

        let mut units = Vec::new();
        for u in 0..UNITS {
            let name = format!("基准单位{:02}", u + 1);
            let unit =
                app.create_unit(p, UnitInput { name: Some(name.clone()), ..Default::default() }).await.map_err(e)?;
            let display = format!("{name}联络员");
            app.create_user(p, user(unit_user_name(u), display, "unit_user", Some(&unit.id), None)).await.map_err(e)?;
            units.push(unit.id);
        }
        let mut system_ids = Vec::new();
        for (u, unit_id) in units.iter().enumerate() {
            for s in 0..SYSTEMS_PER_UNIT {
                let input = SystemInput {
                    name: Some(system_name(u, s)),
                    unit_id: Some(unit_id.clone()),
                    criticality: Some(["high", "medium", "medium", "low"][s % 4].into()),
                    service_hours: Some("7×24".into()),
                    ..Default::default()
                };
                system_ids.push(app.create_system(p, input).await.map_err(e)?.id);
            }
        }
        let round_the_clock = app.create_policy(p, policy_body(app, false)?).await.map_err(e)?;
        let working_hours = app.create_policy(p, policy_body(app, true)?).await.map_err(e)?;
        let fixes =
            app.sla_templates().into_iter().find(|t| t.id == "002-vuln-24h").context("template 002-vuln-24h")?;
        let fixes = app.create_policy(p, serde_json::from_value(fixes.policy)?).await.map_err(e)?;

        let today = app::bureau_today();
        let start = today - Duration::days(3 * 366 + 30);
        let end = today + Duration::days(365);
        for v in 0..vendors {
            let vendor = app
                .create_vendor(
                    p,
                    VendorInput {
                        name: Some(format!("基准运维服务商{:02}有限公司", v + 1)),
                        credit_code: Some(format!("91410500BENCH{:05}", v + 1)),
                        contact_name: Some("项目经理".into()),
                        ..Default::default()
                    },
                )
                .await
                .map_err(e)?;
            let pm = format!("pm{:02}", v + 1);
            app.create_user(p, user(pm, format!("服务商{:02}项目经理", v + 1), "vendor_pm", None, Some(&vendor.id)))
                .await
                .map_err(e)?;
            for k in 0..2 {
                let display = format!("服务商{:02}工程师{}", v + 1, k + 1);
                app.create_user(p, user(engineer_name(v, k), display, "engineer", None, Some(&vendor.id)))
                    .await
                    .map_err(e)?;
            }
            let items = (0..units_per_vendor / 2)
                .map(|k| {
                    let first = (v * units_per_vendor + 2 * k) * SYSTEMS_PER_UNIT;
                    // One item in four runs on working hours.
                    let policy = if k == 1 && v % 2 == 0 { &working_hours } else { &round_the_clock };
                    ContractItemInput {
                        name: Some(format!("运维分项{}", k + 1)),
                        budget_fen: Some(100_000_000),
                        start_date: Some(start.to_string()),
                        end_date: Some(end.to_string()),
                        system_ids: system_ids[first..first + 2 * SYSTEMS_PER_UNIT].to_vec(),
                        sla_policy_id: Some(policy.id.clone()),
                        vulnerability_policy_id: Some(fixes.id.clone()),
                        ..Default::default()
                    }
                })
                .collect();
            let contract = ContractInput {
                name: Some(format!("基准运维服务合同{:02}", v + 1)),
                code: Some(format!("BENCH-2026-{:02}", v + 1)),
                vendor_id: Some(vendor.id.clone()),
                signed_on: Some(start.to_string()),
                notes: None,
                items,
            };
            app.create_contract(p, contract).await.map_err(e)?;
        }
        Registry::load(app).await
    }

    /// Reads back a registry made by `create` (also to measure again on an existing database).
    pub async fn load(app: &App) -> Result<Registry> {
        let admin = principal(app, "admin").await?;
        let unit_user = principal(app, &unit_user_name(0)).await?;
        let engineer = principal(app, &engineer_name(0, 0)).await?;
        let pm = principal(app, "pm01").await?;
        let all = ListQuery::default().unpaged();
        let unit_users: Vec<_> = app
            .list_users(&admin, &all, &Default::default())
            .await
            .map_err(e)?
            .items
            .into_iter()
            .filter(|u| u.unit_id.is_some())
            .collect();
        let mut items = Vec::new();
        let mut systems = Vec::new();
        let mut contracts = app.list_contracts(&admin, &all, &Default::default()).await.map_err(e)?.items;
        contracts.sort_by(|a, b| a.code.cmp(&b.code));
        let users = app.list_users(&admin, &all, &Default::default()).await.map_err(e)?.items;
        let all_systems = app.list_systems(&admin, &all, &Default::default()).await.map_err(e)?.items;
        let contract_ids = contracts.iter().map(|c| c.id.clone()).collect();
        for c in contracts {
            let staff: Vec<String> =
                users.iter().filter(|u| u.vendor_id.as_deref() == Some(&c.vendor_id)).map(|u| u.id.clone()).collect();
            for it in c.items {
                let pid = it.sla_policy_id.clone().context("item without a policy")?;
                let policy = app.get_policy(&admin, &pid, None).await.map_err(e)?;
                let (_, cal) = app.compiled_calendar(&policy.spec.calendar_id).await.map_err(e)?;
                let mut mine: Vec<_> = all_systems.iter().filter(|s| it.system_ids.contains(&s.id)).cloned().collect();
                mine.sort_by(|a, b| a.name.cmp(&b.name));
                for s in mine {
                    let reporter = unit_users
                        .iter()
                        .find(|u| u.unit_id.as_deref() == Some(&s.unit_id))
                        .map(|u| (u.id.clone(), u.display_name.clone().unwrap_or_else(|| u.username.clone())))
                        .context("unit without a user")?;
                    systems.push(Sys { id: s.id, unit_id: s.unit_id, item: items.len(), reporter });
                }
                items.push(Item { id: it.id, vendor_id: c.vendor_id.clone(), policy, cal, staff: staff.clone() });
            }
        }
        if systems.len() != UNITS * SYSTEMS_PER_UNIT {
            return Err(anyhow!(
                "expected {} systems under contract, found {}",
                UNITS * SYSTEMS_PER_UNIT,
                systems.len()
            ));
        }
        Ok(Registry { admin, unit_user, engineer, pm, systems, items, contracts: contract_ids })
    }
}
