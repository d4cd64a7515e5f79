//! Roles, the caller's principal, and what each role may see and do.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Bureau administrator (数据局管理员): sees and changes everything.
    Admin,
    /// Unit user (使用单位用户): bound to one unit.
    UnitUser,
    /// Vendor project manager (供应商项目经理): bound to one vendor.
    VendorPm,
    /// Vendor engineer (驻场/远程工程师): bound to one vendor.
    Engineer,
    /// Auditor (审计管理员): reads everything and the audit log, changes nothing.
    Auditor,
    /// Security administrator (安全管理员): accounts, roles and the security policy; no business
    /// data (三权分立, with the system administrator and the auditor).
    SecurityAdmin,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::Admin, Role::UnitUser, Role::VendorPm, Role::Engineer, Role::Auditor, Role::SecurityAdmin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::UnitUser => "unit_user",
            Role::VendorPm => "vendor_pm",
            Role::Engineer => "engineer",
            Role::Auditor => "auditor",
            Role::SecurityAdmin => "security_admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Admin => "数据局管理员",
            Role::UnitUser => "使用单位用户",
            Role::VendorPm => "供应商项目经理",
            Role::Engineer => "运维工程师",
            Role::Auditor => "审计管理员",
            Role::SecurityAdmin => "安全管理员",
        }
    }

    pub fn needs_unit(self) -> bool {
        self == Role::UnitUser
    }

    pub fn needs_vendor(self) -> bool {
        matches!(self, Role::VendorPm | Role::Engineer)
    }
}

/// Who is calling. Built by the app from a valid session; never from client input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: String,
    pub username: String,
    pub role: Role,
    pub unit_id: Option<String>,
    pub vendor_id: Option<String>,
}

/// The slice of business data a principal may read. Every business query takes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    /// Systems owned by this unit, and what hangs off them.
    Unit(String),
    /// Contracts held by this vendor, the systems they cover, and what hangs off those.
    Vendor(String),
    /// Nothing at all (a misconfigured account bound to no unit or vendor).
    Nothing,
}

impl Principal {
    pub fn scope(&self) -> Scope {
        match self.role {
            Role::Admin | Role::Auditor => Scope::All,
            Role::UnitUser => self.unit_id.clone().map_or(Scope::Nothing, Scope::Unit),
            Role::VendorPm | Role::Engineer => self.vendor_id.clone().map_or(Scope::Nothing, Scope::Vendor),
            // Accounts are read through their own scope (`App::user_scope`); business data not.
            Role::SecurityAdmin => Scope::Nothing,
        }
    }

    /// Registry data (units, vendors, users, contracts, systems, assets) is changed by the bureau.
    pub fn can_write_registry(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn can_read_audit(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Auditor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(role: Role, unit: Option<&str>, vendor: Option<&str>) -> Principal {
        Principal {
            user_id: "u".into(),
            username: "x".into(),
            role,
            unit_id: unit.map(Into::into),
            vendor_id: vendor.map(Into::into),
        }
    }

    #[test]
    fn scopes_follow_roles() {
        assert_eq!(p(Role::Admin, None, None).scope(), Scope::All);
        assert_eq!(p(Role::Auditor, None, None).scope(), Scope::All);
        assert_eq!(p(Role::UnitUser, Some("a"), None).scope(), Scope::Unit("a".into()));
        assert_eq!(p(Role::UnitUser, None, None).scope(), Scope::Nothing);
        assert_eq!(p(Role::Engineer, None, Some("v")).scope(), Scope::Vendor("v".into()));
        assert_eq!(p(Role::VendorPm, None, None).scope(), Scope::Nothing);
    }

    #[test]
    fn only_admin_writes_and_auditor_reads_audit() {
        for r in Role::ALL {
            let pr = p(r, Some("a"), Some("v"));
            assert_eq!(pr.can_write_registry(), r == Role::Admin);
            assert_eq!(pr.can_read_audit(), matches!(r, Role::Admin | Role::Auditor));
        }
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
