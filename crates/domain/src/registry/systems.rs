//! Information systems (信息系统) and assets.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::parties::{NAME_MAX, TEXT_MAX};
use crate::error::{Checker, FieldError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Criticality {
    High,
    Medium,
    Low,
}

impl Criticality {
    pub const ALL: [Criticality; 3] = [Criticality::High, Criticality::Medium, Criticality::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Criticality::High => "high",
            Criticality::Medium => "medium",
            Criticality::Low => "low",
        }
    }

    /// Accepts the API spelling and the Chinese labels an import file is likely to hold.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "high" | "高" | "重要" | "核心" => Some(Criticality::High),
            "medium" | "中" | "一般" => Some(Criticality::Medium),
            "low" | "低" | "次要" => Some(Criticality::Low),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct System {
    pub id: String,
    pub name: String,
    pub unit_id: String,
    /// 系统开发商
    pub developer: Option<String>,
    pub brand: Option<String>,
    /// Where and how it runs, e.g. "政务云 17 台虚拟机，数据量 229 GB".
    pub deployment: Option<String>,
    /// 等保 level, 1–5.
    pub dengbao_level: Option<i32>,
    pub criticality: Criticality,
    /// Service hours as the contract words them, e.g. "7*24 小时".
    pub service_hours: Option<String>,
    /// The contract's service-level wording for this system.
    pub sla_text: Option<String>,
    pub description: Option<String>,
    /// Where the system lives on the network: addresses, networks and domain names
    /// (`10.2.3.0/24`, `10.2.3.4`, `zw.anyang.gov.cn`). Monitors that vendor staff define may
    /// reach only these and the bureau's allowlist.
    pub addresses: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SystemInput {
    pub name: Option<String>,
    pub unit_id: Option<String>,
    pub developer: Option<String>,
    pub brand: Option<String>,
    pub deployment: Option<String>,
    pub dengbao_level: Option<i32>,
    /// `high`, `medium` (default) or `low`.
    pub criticality: Option<String>,
    pub service_hours: Option<String>,
    pub sla_text: Option<String>,
    pub description: Option<String>,
    /// Addresses, networks and domain names of the system (at most 100).
    pub addresses: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SystemFields {
    pub name: String,
    pub unit_id: String,
    pub developer: Option<String>,
    pub brand: Option<String>,
    pub deployment: Option<String>,
    pub dengbao_level: Option<i32>,
    pub criticality: Criticality,
    pub service_hours: Option<String>,
    pub sla_text: Option<String>,
    pub description: Option<String>,
    /// `None`: not given, so a change keeps what is stored (an import without the column).
    pub addresses: Option<Vec<String>>,
}

/// Most network entries a system holds.
pub const MAX_ADDRESSES: usize = 100;

/// Splits a spreadsheet cell or a pasted list into entries (commas, semicolons, spaces, new
/// lines, full-width or not).
pub fn split_addresses(text: &str) -> Vec<String> {
    text.split([',', '，', ';', '；', '、', '\n', ' ', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl SystemInput {
    pub fn validate(&self) -> Result<SystemFields, Vec<FieldError>> {
        let mut c = Checker::default();
        if let Some(l) = self.dengbao_level
            && !(1..=5).contains(&l)
        {
            c.push(FieldError::new("dengbao_level", "等保级别须为 1 到 5", "must be between 1 and 5"));
        }
        let criticality = match self.criticality.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Criticality::Medium,
            Some(s) => Criticality::parse(s).unwrap_or_else(|| {
                c.push(FieldError::new(
                    "criticality",
                    "重要程度须为 high、medium、low 之一",
                    "must be high, medium or low",
                ));
                Criticality::Medium
            }),
        };
        let f = SystemFields {
            name: c.required_text("name", self.name.as_deref().unwrap_or(""), NAME_MAX),
            unit_id: c.required_id("unit_id", self.unit_id.as_deref()),
            developer: c.optional_text("developer", self.developer.as_deref(), NAME_MAX),
            brand: c.optional_text("brand", self.brand.as_deref(), NAME_MAX),
            deployment: c.optional_text("deployment", self.deployment.as_deref(), TEXT_MAX),
            dengbao_level: self.dengbao_level,
            criticality,
            service_hours: c.optional_text("service_hours", self.service_hours.as_deref(), NAME_MAX),
            sla_text: c.optional_text("sla_text", self.sla_text.as_deref(), TEXT_MAX),
            description: c.optional_text("description", self.description.as_deref(), TEXT_MAX),
            addresses: None,
        };
        let entries: Vec<String> =
            self.addresses.iter().flatten().map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect();
        if entries.len() > MAX_ADDRESSES {
            c.push(FieldError::new(
                "addresses",
                format!("最多 {MAX_ADDRESSES} 项"),
                format!("at most {MAX_ADDRESSES} entries"),
            ));
        } else if let Err(errs) = crate::monitoring::reach::Reach::parse("addresses", &entries) {
            errs.into_iter().for_each(|e| c.push(e));
        }
        let mut f = f;
        f.addresses = self.addresses.is_some().then_some(entries);
        c.finish().map(|_| f)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssetKind {
    Server,
    Storage,
    Network,
    Security,
    Ups,
    AirConditioner,
    Display,
    Camera,
    Link,
    Domain,
    Certificate,
    License,
    Other,
}

impl AssetKind {
    pub const ALL: [AssetKind; 13] = [
        AssetKind::Server,
        AssetKind::Storage,
        AssetKind::Network,
        AssetKind::Security,
        AssetKind::Ups,
        AssetKind::AirConditioner,
        AssetKind::Display,
        AssetKind::Camera,
        AssetKind::Link,
        AssetKind::Domain,
        AssetKind::Certificate,
        AssetKind::License,
        AssetKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::Server => "server",
            AssetKind::Storage => "storage",
            AssetKind::Network => "network",
            AssetKind::Security => "security",
            AssetKind::Ups => "ups",
            AssetKind::AirConditioner => "air_conditioner",
            AssetKind::Display => "display",
            AssetKind::Camera => "camera",
            AssetKind::Link => "link",
            AssetKind::Domain => "domain",
            AssetKind::Certificate => "certificate",
            AssetKind::License => "license",
            AssetKind::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            AssetKind::Server => "服务器",
            AssetKind::Storage => "存储设备",
            AssetKind::Network => "网络设备",
            AssetKind::Security => "安全设备",
            AssetKind::Ups => "UPS",
            AssetKind::AirConditioner => "空调",
            AssetKind::Display => "显示屏",
            AssetKind::Camera => "摄像机",
            AssetKind::Link => "专线链路",
            AssetKind::Domain => "域名",
            AssetKind::Certificate => "SSL证书",
            AssetKind::License => "软件许可",
            AssetKind::Other => "其他",
        }
    }

    /// Accepts the API spelling or the Chinese label.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        AssetKind::ALL.into_iter().find(|k| k.as_str() == s || k.label_zh() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Asset {
    pub id: String,
    pub name: String,
    pub kind: AssetKind,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub location: Option<String>,
    pub system_id: Option<String>,
    /// The owning unit; follows the linked system when there is one.
    pub unit_id: Option<String>,
    pub warranty_end: Option<NaiveDate>,
    /// Licence, certificate or domain expiry.
    pub expires_on: Option<NaiveDate>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct AssetInput {
    pub name: Option<String>,
    /// One of server, storage, network, security, ups, air_conditioner, display, camera, link,
    /// domain, certificate, license, other.
    pub kind: Option<String>,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub location: Option<String>,
    pub system_id: Option<String>,
    pub unit_id: Option<String>,
    /// `YYYY-MM-DD`
    pub warranty_end: Option<String>,
    /// `YYYY-MM-DD`
    pub expires_on: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AssetFields {
    pub name: String,
    pub kind: AssetKind,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub location: Option<String>,
    pub system_id: Option<String>,
    pub unit_id: Option<String>,
    pub warranty_end: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub notes: Option<String>,
}

impl AssetInput {
    pub fn validate(&self) -> Result<AssetFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let kind = match self.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                c.push(FieldError::required("kind"));
                AssetKind::Other
            }
            Some(k) => AssetKind::parse(k).unwrap_or_else(|| {
                c.push(FieldError::new("kind", "资产类型不正确", "is not a known asset kind"));
                AssetKind::Other
            }),
        };
        let f = AssetFields {
            name: c.required_text("name", self.name.as_deref().unwrap_or(""), NAME_MAX),
            kind,
            model: c.optional_text("model", self.model.as_deref(), NAME_MAX),
            serial: c.optional_text("serial", self.serial.as_deref(), 100),
            location: c.optional_text("location", self.location.as_deref(), NAME_MAX),
            system_id: c.optional_text("system_id", self.system_id.as_deref(), 64),
            unit_id: c.optional_text("unit_id", self.unit_id.as_deref(), 64),
            warranty_end: c.optional_date("warranty_end", self.warranty_end.as_deref()),
            expires_on: c.optional_date("expires_on", self.expires_on.as_deref()),
            notes: c.optional_text("notes", self.notes.as_deref(), TEXT_MAX),
        };
        c.finish().map(|_| f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_systems_network_entries_are_checked() {
        let input = |a: &[&str]| SystemInput {
            name: Some("官网".into()),
            unit_id: Some("u".into()),
            addresses: Some(a.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        };
        let f = input(&[" 10.2.3.0/24", "zw.anyang.gov.cn", ""]).validate().unwrap();
        assert_eq!(f.addresses.unwrap(), ["10.2.3.0/24", "zw.anyang.gov.cn"]);
        let e = input(&["10.2.3.4", "127.0.0.1"]).validate().unwrap_err();
        assert_eq!(e[0].field, "addresses[1]", "loopback is never a system's network");
        assert_eq!(
            split_addresses("10.0.0.1，10.0.0.2; a.gov.cn\nb.gov.cn"),
            ["10.0.0.1", "10.0.0.2", "a.gov.cn", "b.gov.cn"]
        );
    }

    #[test]
    fn system_validation_names_fields() {
        let e = SystemInput { dengbao_level: Some(7), criticality: Some("urgent".into()), ..Default::default() }
            .validate()
            .unwrap_err();
        let mut fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        fields.sort();
        assert_eq!(fields, ["criticality", "dengbao_level", "name", "unit_id"]);
        let ok = SystemInput {
            name: Some("OA".into()),
            unit_id: Some("u".into()),
            criticality: Some("核心".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.criticality, Criticality::High);
    }

    #[test]
    fn asset_kind_accepts_chinese_labels() {
        for k in AssetKind::ALL {
            assert_eq!(AssetKind::parse(k.label_zh()), Some(k));
            assert_eq!(AssetKind::parse(k.as_str()), Some(k));
        }
        let e = AssetInput {
            name: Some("x".into()),
            kind: Some("toaster".into()),
            warranty_end: Some("2026-13-01".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["kind", "warranty_end"]);
    }
}
