//! Units (单位), vendors (供应商), users and their certificates.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Role;
use crate::error::{Checker, FieldError};

pub const NAME_MAX: usize = 200;
pub const TEXT_MAX: usize = 4000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Unit {
    pub id: String,
    pub name: String,
    pub short_name: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct UnitInput {
    pub name: Option<String>,
    pub short_name: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
}

/// A unit's fields after validation.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitFields {
    pub name: String,
    pub short_name: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
}

impl UnitInput {
    pub fn validate(&self) -> Result<UnitFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let f = UnitFields {
            name: c.required_text("name", self.name.as_deref().unwrap_or(""), NAME_MAX),
            short_name: c.optional_text("short_name", self.short_name.as_deref(), 50),
            contact_name: c.optional_text("contact_name", self.contact_name.as_deref(), 50),
            contact_phone: c.optional_phone("contact_phone", self.contact_phone.as_deref()),
            address: c.optional_text("address", self.address.as_deref(), NAME_MAX),
        };
        c.finish().map(|_| f)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Vendor {
    pub id: String,
    pub name: String,
    /// 统一社会信用代码 (unified social credit code).
    pub credit_code: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct VendorInput {
    pub name: Option<String>,
    pub credit_code: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VendorFields {
    pub name: String,
    pub credit_code: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
}

impl VendorInput {
    pub fn validate(&self) -> Result<VendorFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let credit_code = c.optional_text("credit_code", self.credit_code.as_deref(), 18);
        if let Some(code) = &credit_code
            && (code.chars().count() != 18 || !code.chars().all(|ch| ch.is_ascii_alphanumeric()))
        {
            c.push(FieldError::new(
                "credit_code",
                "统一社会信用代码应为 18 位字母或数字",
                "must be 18 letters or digits",
            ));
        }
        let f = VendorFields {
            name: c.required_text("name", self.name.as_deref().unwrap_or(""), NAME_MAX),
            credit_code: credit_code.map(|s| s.to_ascii_uppercase()),
            contact_name: c.optional_text("contact_name", self.contact_name.as_deref(), 50),
            contact_phone: c.optional_phone("contact_phone", self.contact_phone.as_deref()),
            address: c.optional_text("address", self.address.as_deref(), NAME_MAX),
        };
        c.finish().map(|_| f)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: Option<String>,
    pub role: Role,
    pub unit_id: Option<String>,
    pub vendor_id: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
    /// The user signs in with a second factor (TOTP).
    #[serde(default)]
    pub totp_enabled: bool,
    /// The identity provider the account signs in through, when it is linked to one.
    #[serde(default)]
    pub sso_provider_id: Option<String>,
}

/// How a person is named on screen: the display name, else the user name.
pub fn shown_name(display_name: Option<&str>, username: &str) -> String {
    display_name.filter(|n| !n.trim().is_empty()).unwrap_or(username).to_string()
}

impl User {
    pub fn shown_name(&self) -> String {
        shown_name(self.display_name.as_deref(), &self.username)
    }

    /// Still works for `vendor_id`: active and bound to it.
    pub fn works_for(&self, vendor_id: &str) -> bool {
        self.active && self.vendor_id.as_deref() == Some(vendor_id)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct UserInput {
    pub username: Option<String>,
    pub display_name: Option<String>,
    /// One of `admin`, `unit_user`, `vendor_pm`, `engineer`, `auditor`.
    pub role: Option<String>,
    pub unit_id: Option<String>,
    pub vendor_id: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub active: Option<bool>,
    /// Required on create; on update, a new password if present.
    pub password: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UserFields {
    pub username: String,
    pub display_name: Option<String>,
    pub role: Role,
    pub unit_id: Option<String>,
    pub vendor_id: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    pub password: Option<String>,
}

impl UserInput {
    /// `creating` makes the password required.
    pub fn validate(&self, creating: bool) -> Result<UserFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let username = c.required_text("username", self.username.as_deref().unwrap_or(""), 64);
        if !username.is_empty()
            && !username.chars().all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '-' | '.' | '@'))
        {
            c.push(FieldError::new(
                "username",
                "用户名只能包含字母、数字和 _ - . @",
                "may contain only letters, digits and _ - . @",
            ));
        }
        let role = match self.role.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                c.push(FieldError::required("role"));
                Role::UnitUser
            }
            Some(r) => Role::parse(r).unwrap_or_else(|| {
                c.push(FieldError::new(
                    "role",
                    "角色须为 admin、unit_user、vendor_pm、engineer、auditor 之一",
                    "must be one of admin, unit_user, vendor_pm, engineer, auditor",
                ));
                Role::UnitUser
            }),
        };
        let unit_id = c.optional_text("unit_id", self.unit_id.as_deref(), 64);
        let vendor_id = c.optional_text("vendor_id", self.vendor_id.as_deref(), 64);
        if role.needs_unit() && unit_id.is_none() {
            c.push(FieldError::new("unit_id", "使用单位用户必须指定单位", "is required for unit users"));
        }
        if !role.needs_unit() && unit_id.is_some() {
            c.push(FieldError::new("unit_id", "只有使用单位用户可以绑定单位", "only unit users belong to a unit"));
        }
        if role.needs_vendor() && vendor_id.is_none() {
            c.push(FieldError::new("vendor_id", "供应商人员必须指定供应商", "is required for vendor staff"));
        }
        if !role.needs_vendor() && vendor_id.is_some() {
            c.push(FieldError::new(
                "vendor_id",
                "只有供应商人员可以绑定供应商",
                "only vendor staff belong to a vendor",
            ));
        }
        let email = c.optional_email("email", self.email.as_deref());
        let password = self.password.clone().filter(|p| !p.is_empty());
        match &password {
            None if creating => c.push(FieldError::required("password")),
            Some(p) => {
                if let Err(e) = crate::password::check("password", p, &username) {
                    c.push(e);
                }
            }
            None => {}
        }
        let f = UserFields {
            display_name: c.optional_text("display_name", self.display_name.as_deref(), 50),
            phone: c.optional_phone("phone", self.phone.as_deref()),
            username,
            role,
            unit_id,
            vendor_id,
            email,
            active: self.active.unwrap_or(true),
            password,
        };
        c.finish().map(|_| f)
    }
}

/// A staff member's qualification (CISP, 信息系统项目管理师, 工程师职称 …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Certificate {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub number: Option<String>,
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CertificateInput {
    pub name: Option<String>,
    pub number: Option<String>,
    pub issuer: Option<String>,
    /// `YYYY-MM-DD`
    pub issued_on: Option<String>,
    /// `YYYY-MM-DD`
    pub expires_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CertificateFields {
    pub name: String,
    pub number: Option<String>,
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
}

impl CertificateInput {
    pub fn validate(&self) -> Result<CertificateFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let f = CertificateFields {
            name: c.required_text("name", self.name.as_deref().unwrap_or(""), NAME_MAX),
            number: c.optional_text("number", self.number.as_deref(), 100),
            issuer: c.optional_text("issuer", self.issuer.as_deref(), NAME_MAX),
            issued_on: c.optional_date("issued_on", self.issued_on.as_deref()),
            expires_on: c.optional_date("expires_on", self.expires_on.as_deref()),
        };
        if let (Some(a), Some(b)) = (f.issued_on, f.expires_on)
            && b < a
        {
            c.push(FieldError::new("expires_on", "到期日期不能早于发证日期", "must not be before issued_on"));
        }
        c.finish().map(|_| f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_requires_name_and_trims() {
        let e = UnitInput::default().validate().unwrap_err();
        assert_eq!(e[0].field, "name");
        let f =
            UnitInput { name: Some("  安阳市数据局 ".into()), address: Some(" ".into()), ..Default::default() }
                .validate()
                .unwrap();
        assert_eq!((f.name.as_str(), f.address), ("安阳市数据局", None));
    }

    #[test]
    fn user_role_bindings() {
        let base = UserInput {
            username: Some("zhang".into()),
            role: Some("unit_user".into()),
            password: Some("Yunwei@2026".into()),
            ..Default::default()
        };
        let e = base.validate(true).unwrap_err();
        assert_eq!(e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["unit_id"]);
        let ok = UserInput { unit_id: Some("u1".into()), ..base.clone() }.validate(true).unwrap();
        assert_eq!(ok.role, Role::UnitUser);
        let e = UserInput { vendor_id: Some("v".into()), unit_id: Some("u1".into()), ..base.clone() }
            .validate(true)
            .unwrap_err();
        assert_eq!(e[0].field, "vendor_id");
        let e = UserInput { password: None, unit_id: Some("u".into()), ..base.clone() }.validate(true).unwrap_err();
        assert_eq!(e[0].field, "password");
        assert!(UserInput { password: None, unit_id: Some("u".into()), ..base }.validate(false).is_ok());
    }

    #[test]
    fn vendor_credit_code() {
        let v = VendorInput { name: Some("x".into()), credit_code: Some("91410500MA123".into()), ..Default::default() };
        assert_eq!(v.validate().unwrap_err()[0].field, "credit_code");
        let v = VendorInput {
            name: Some("x".into()),
            credit_code: Some("91410500ma12345678".into()),
            ..Default::default()
        };
        assert_eq!(v.validate().unwrap().credit_code.as_deref(), Some("91410500MA12345678"));
    }

    #[test]
    fn certificate_dates() {
        let c = CertificateInput {
            name: Some("CISP".into()),
            issued_on: Some("2025-01-01".into()),
            expires_on: Some("2024-01-01".into()),
            ..Default::default()
        };
        assert_eq!(c.validate().unwrap_err()[0].field, "expires_on");
        let c =
            CertificateInput { name: Some("CISP".into()), issued_on: Some("2025/01/01".into()), ..Default::default() };
        assert_eq!(c.validate().unwrap_err()[0].field, "issued_on");
    }
}
