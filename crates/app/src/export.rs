//! xlsx exports of every list, with the caller's filters and scope.

use std::collections::HashMap;

use domain::Principal;
use domain::list::ListQuery;
use report::xlsx::{Cell, write_table};

use crate::import::{ASSET_COLUMNS, SYSTEM_COLUMNS};
use crate::{App, AppError, Result};

/// A document format for exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Xlsx,
    Docx,
}

fn render(sheet: &str, headers: &[&str], rows: &[Vec<Cell>]) -> Result<Vec<u8>> {
    write_table(sheet, headers, rows).map_err(|e| AppError::internal_from("writing the spreadsheet", e))
}

fn headers(cols: &[(&'static str, &str)]) -> Vec<&'static str> {
    cols.iter().map(|(h, _)| *h).collect()
}

impl App {
    async fn unit_name_map(&self, p: &Principal) -> Result<HashMap<String, String>> {
        let all = self.list_units(p, &ListQuery::default().unpaged()).await?;
        Ok(all.items.into_iter().map(|u| (u.id, u.name)).collect())
    }

    pub async fn export_units(&self, p: &Principal, q: &ListQuery) -> Result<Vec<u8>> {
        let page = self.list_units(p, &q.unpaged()).await?;
        let rows: Vec<Vec<Cell>> = page
            .items
            .into_iter()
            .map(|u| {
                vec![
                    u.id.into(),
                    u.name.into(),
                    u.short_name.into(),
                    u.contact_name.into(),
                    u.contact_phone.into(),
                    u.address.into(),
                ]
            })
            .collect();
        render("单位", &["编号", "单位名称", "简称", "联系人", "联系电话", "地址"], &rows)
    }

    pub async fn export_vendors(&self, p: &Principal, q: &ListQuery) -> Result<Vec<u8>> {
        let page = self.list_vendors(p, &q.unpaged()).await?;
        let rows: Vec<Vec<Cell>> = page
            .items
            .into_iter()
            .map(|v| {
                vec![
                    v.id.into(),
                    v.name.into(),
                    v.credit_code.into(),
                    v.contact_name.into(),
                    v.contact_phone.into(),
                    v.address.into(),
                ]
            })
            .collect();
        render("供应商", &["编号", "供应商名称", "统一社会信用代码", "联系人", "联系电话", "地址"], &rows)
    }

    pub async fn export_users(&self, p: &Principal, q: &ListQuery, f: &crate::users::UserFilter) -> Result<Vec<u8>> {
        let page = self.list_users(p, &q.unpaged(), f).await?;
        let units = self.unit_name_map(p).await?;
        let vendors: HashMap<String, String> = self
            .list_vendors(p, &ListQuery::default().unpaged())
            .await?
            .items
            .into_iter()
            .map(|v| (v.id, v.name))
            .collect();
        let rows: Vec<Vec<Cell>> = page
            .items
            .into_iter()
            .map(|u| {
                vec![
                    u.id.into(),
                    u.username.into(),
                    u.display_name.into(),
                    u.role.label_zh().into(),
                    u.unit_id.and_then(|id| units.get(&id).cloned()).into(),
                    u.vendor_id.and_then(|id| vendors.get(&id).cloned()).into(),
                    u.phone.into(),
                    u.email.into(),
                    (if u.active { "启用" } else { "停用" }).into(),
                ]
            })
            .collect();
        render("用户", &["编号", "用户名", "姓名", "角色", "所属单位", "所属供应商", "电话", "邮箱", "状态"], &rows)
    }

    /// One row per contract item, with the contract's own columns repeated.
    pub async fn export_contracts(
        &self,
        p: &Principal,
        q: &ListQuery,
        f: &crate::contracts::ContractFilter,
    ) -> Result<Vec<u8>> {
        let page = self.list_contracts(p, &q.unpaged(), f).await?;
        let vendors: HashMap<String, String> = self
            .list_vendors(p, &ListQuery::default().unpaged())
            .await?
            .items
            .into_iter()
            .map(|v| (v.id, v.name))
            .collect();
        let mut rows = Vec::new();
        for c in page.items {
            let head: Vec<Cell> = vec![
                c.id.clone().into(),
                c.name.clone().into(),
                c.code.clone().into(),
                vendors.get(&c.vendor_id).cloned().into(),
                c.signed_on.into(),
                Cell::Fen(c.total_fen),
            ];
            if c.items.is_empty() {
                rows.push(head);
                continue;
            }
            for i in &c.items {
                let milestones = i
                    .milestones
                    .iter()
                    .map(|m| format!("{}%：{}", m.percent, m.condition))
                    .collect::<Vec<_>>()
                    .join("；");
                let mut row = head.clone();
                row.extend([
                    i.name.clone().into(),
                    Cell::Fen(i.budget_fen),
                    Cell::Date(i.start_date),
                    Cell::Date(i.end_date),
                    Cell::Int(i.system_ids.len() as i64),
                    milestones.into(),
                ]);
                rows.push(row);
            }
        }
        render(
            "合同",
            &[
                "编号",
                "合同名称",
                "合同编号",
                "供应商",
                "签订日期",
                "合同总额（元）",
                "分项名称",
                "分项预算（元）",
                "服务开始",
                "服务结束",
                "覆盖系统数",
                "付款节点",
            ],
            &rows,
        )
    }

    pub async fn export_systems(
        &self,
        p: &Principal,
        q: &ListQuery,
        f: &crate::systems::SystemFilter,
    ) -> Result<Vec<u8>> {
        let page = self.list_systems(p, &q.unpaged(), f).await?;
        let units = self.unit_name_map(p).await?;
        let rows: Vec<Vec<Cell>> = page
            .items
            .into_iter()
            .map(|s| {
                vec![
                    s.id.into(),
                    s.name.into(),
                    units.get(&s.unit_id).cloned().into(),
                    s.developer.into(),
                    s.brand.into(),
                    s.deployment.into(),
                    s.dengbao_level.map_or(Cell::Empty, |l| Cell::Int(l.into())),
                    s.criticality.as_str().into(),
                    s.service_hours.into(),
                    s.sla_text.into(),
                    s.description.into(),
                    s.addresses.join(", ").into(),
                ]
            })
            .collect();
        render("信息系统", &headers(SYSTEM_COLUMNS), &rows)
    }

    pub async fn export_assets(&self, p: &Principal, q: &ListQuery, f: &crate::assets::AssetFilter) -> Result<Vec<u8>> {
        let page = self.list_assets(p, &q.unpaged(), f).await?;
        let units = self.unit_name_map(p).await?;
        let systems: HashMap<String, String> = self
            .list_systems(p, &ListQuery::default().unpaged(), &Default::default())
            .await?
            .items
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        let rows: Vec<Vec<Cell>> = page
            .items
            .into_iter()
            .map(|a| {
                vec![
                    a.id.into(),
                    a.name.into(),
                    a.kind.label_zh().into(),
                    a.model.into(),
                    a.serial.into(),
                    a.location.into(),
                    a.unit_id.and_then(|u| units.get(&u).cloned()).into(),
                    a.system_id.and_then(|s| systems.get(&s).cloned()).into(),
                    a.warranty_end.into(),
                    a.expires_on.into(),
                    a.notes.into(),
                ]
            })
            .collect();
        render("资产", &headers(ASSET_COLUMNS), &rows)
    }

    pub async fn export_audit(&self, p: &Principal, q: &ListQuery, f: &crate::audit::AuditFilter) -> Result<Vec<u8>> {
        let page = self.list_audit(p, &q.unpaged(), f).await?;
        let rows: Vec<Vec<Cell>> = page
            .items
            .into_iter()
            .map(|r| {
                vec![
                    Cell::Int(r.seq),
                    r.at.format("%Y-%m-%d %H:%M:%S%.3f UTC").to_string().into(),
                    r.actor_name.into(),
                    r.action.into(),
                    r.object_type.into(),
                    r.object_id.into(),
                    r.object_name.into(),
                    r.before.map(|v| v.to_string()).into(),
                    r.after.map(|v| v.to_string()).into(),
                    r.hash.into(),
                ]
            })
            .collect();
        render(
            "审计日志",
            &["序号", "时间", "操作人", "操作", "对象类型", "对象编号", "对象名称", "变更前", "变更后", "哈希"],
            &rows,
        )
    }
}
