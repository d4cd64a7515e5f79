//! Single sign-on: the bureau's identity providers (OpenID Connect, CAS, LDAP / Active Directory),
//! what each needs, and the rules that turn a provider's claims or groups into a role and a unit
//! or vendor. Someone no rule matches is refused: a provider account alone grants nothing.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::Role;
use crate::error::{Checker, FieldError};
use crate::settings::Fields;

text_enum!(
    /// The protocols Yunwei signs in with.
    SsoKind {
        Oidc = "oidc" / "OpenID Connect" / "OpenID Connect",
        Cas = "cas" / "CAS（统一身份认证平台）" / "CAS",
        Ldap = "ldap" / "LDAP / Active Directory" / "LDAP / Active Directory",
    }
);

text_enum!(
    /// The CAS protocol version: 3 validates at `/p3/serviceValidate` and returns attributes.
    CasVersion {
        V2 = "2" / "CAS 2.0" / "CAS 2.0",
        V3 = "3" / "CAS 3.0" / "CAS 3.0",
    }
);

/// One mapping rule: whoever's `attribute` (a claim, a CAS or LDAP attribute, or `groups`) has
/// `value` (or contains it, for a list) gets `role`, bound to `unit_id` or `vendor_id` as the role
/// needs. The first rule that matches wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MappingRule {
    pub attribute: String,
    pub value: String,
    pub role: Role,
    pub unit_id: Option<String>,
    pub vendor_id: Option<String>,
}

/// A rule as sent.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct MappingRuleInput {
    pub attribute: Option<String>,
    pub value: Option<String>,
    pub role: Option<String>,
    pub unit_id: Option<String>,
    pub vendor_id: Option<String>,
}

/// A provider as sent by the security administrator.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SsoProviderInput {
    pub kind: Option<String>,
    pub name: Option<String>,
    /// Per kind; see the API description. Secrets may be left out on update to keep them.
    #[schema(value_type = Object)]
    pub config: Option<Value>,
    pub mapping: Option<Vec<MappingRuleInput>>,
    pub enabled: Option<bool>,
}

/// A provider as shown: its settings without the secrets, and which secrets are set.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SsoProvider {
    pub id: String,
    pub kind: SsoKind,
    pub name: String,
    #[schema(value_type = Object)]
    pub config: Value,
    pub secrets_set: Vec<String>,
    pub mapping: Vec<MappingRule>,
    pub enabled: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A provider as the sign-in page lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SsoChoice {
    pub id: String,
    pub kind: SsoKind,
    pub name: String,
}

/// What the sign-in page offers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignInOptions {
    /// Whether user name and password sign-in is open (always for the break-glass administrator).
    pub local_login: bool,
    pub providers: Vec<SsoChoice>,
}

/// A checked provider.
#[derive(Debug, Clone, PartialEq)]
pub struct SsoFields {
    pub kind: SsoKind,
    pub name: String,
    pub config: Map<String, Value>,
    pub secrets: Map<String, Value>,
    pub mapping: Vec<MappingRule>,
    pub enabled: bool,
}

/// Who a provider says signed in, as Yunwei reads it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Identity {
    /// The provider's stable id for the person (OIDC `sub`, the CAS user, the LDAP user name).
    pub subject: String,
    /// The Yunwei user name an account created for them gets.
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    /// Every claim or attribute, lists kept as lists; LDAP adds `groups`.
    #[schema(value_type = Object)]
    pub attributes: Map<String, Value>,
}

/// What a test sign-in found: who, the rule that matched (by position) and what it grants, or
/// why the person would be refused.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SsoTestResult {
    pub ok: bool,
    pub identity: Option<Identity>,
    pub rule: Option<usize>,
    pub role: Option<Role>,
    pub unit_id: Option<String>,
    pub vendor_id: Option<String>,
    /// Why not, in the reader's language.
    pub error: Option<String>,
}

/// Where a test sign-in through a browser redirect goes first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SsoRedirect {
    pub redirect_url: String,
    /// The key under which the callback keeps the result (`GET …/tests/{state}`).
    pub state: String,
}

/// The settings that are secrets, per kind.
pub fn secret_keys(kind: SsoKind) -> &'static [&'static str] {
    match kind {
        SsoKind::Oidc => &["client_secret"],
        SsoKind::Cas => &[],
        SsoKind::Ldap => &["bind_password"],
    }
}

impl SsoProviderInput {
    /// Checks the input; `kept` holds the stored secrets of the provider being updated.
    pub fn validate(&self, kept: Option<&Map<String, Value>>) -> Result<SsoFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let name = c.required_text("name", self.name.as_deref().unwrap_or(""), 100);
        let kind = match self.kind.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(k) => SsoKind::parse(k),
        };
        let Some(kind) = kind else {
            c.push(FieldError::new(
                "kind",
                format!("类型须为 {}", SsoKind::choices()),
                format!("must be one of {}", SsoKind::choices()),
            ));
            c.finish()?;
            return Err(Vec::new());
        };
        let empty = Map::new();
        let raw = crate::settings::object(&mut c, &self.config, &empty);
        let mut f = Fields::new(c, raw, kept);
        match kind {
            SsoKind::Oidc => {
                f.url("issuer", true);
                f.text("client_id", true, 255);
                f.secret("client_secret", false);
                if f.text("scopes", false, 500).is_none() {
                    f.config.insert("scopes".into(), "openid profile email".into());
                }
                default_text(&mut f, "username_claim", "preferred_username");
                default_text(&mut f, "display_name_claim", "name");
            }
            SsoKind::Cas => {
                f.url("server_url", true);
                let v = f.choice("version", CasVersion::parse, &CasVersion::choices(), CasVersion::V3);
                f.config.insert("version".into(), v.as_str().into());
                f.text("username_attribute", false, 100);
                f.text("display_name_attribute", false, 100);
            }
            SsoKind::Ldap => ldap(&mut f),
        }
        f.flag("link_by_username", false);
        let (mut c, config, secrets) = f.finish();
        let mapping = rules(&mut c, self.mapping.as_deref().unwrap_or_default());
        c.finish()?;
        Ok(SsoFields { kind, name, config, secrets, mapping, enabled: self.enabled.unwrap_or(true) })
    }
}

fn default_text(f: &mut Fields<'_>, k: &'static str, default: &str) {
    if f.text(k, false, 100).is_none() {
        f.config.insert(k.into(), default.into());
    }
}

fn ldap(f: &mut Fields<'_>) {
    if let Some(u) = f.text("url", true, 500) {
        let ok = url::Url::parse(&u).is_ok_and(|u| matches!(u.scheme(), "ldap" | "ldaps") && u.host_str().is_some());
        if !ok {
            f.c.push(FieldError::new(
                "config.url",
                "须为 ldap:// 或 ldaps:// 开头的地址",
                "must be an ldap:// or ldaps:// address",
            ));
        }
    }
    f.flag("starttls", false);
    f.text("bind_dn", false, 500);
    f.secret("bind_password", false);
    f.text("base_dn", true, 500);
    match f.text("user_filter", false, 500) {
        Some(flt) if !flt.contains("{username}") || !flt.starts_with('(') => f.c.push(FieldError::new(
            "config.user_filter",
            "须为括号括起的过滤器并包含 {username}，如 (uid={username})",
            "must be a parenthesised filter containing {username}, e.g. (uid={username})",
        )),
        Some(_) => {}
        None => {
            f.config.insert("user_filter".into(), "(uid={username})".into());
        }
    }
    default_text(f, "username_attribute", "uid");
    default_text(f, "display_name_attribute", "cn");
    default_text(f, "email_attribute", "mail");
    f.text("group_base_dn", false, 500);
}

fn rules(c: &mut Checker, input: &[MappingRuleInput]) -> Vec<MappingRule> {
    let mut out = Vec::new();
    if input.len() > 100 {
        c.push(FieldError::new("mapping", "映射规则最多 100 条", "at most 100 rules"));
        return out;
    }
    for (i, r) in input.iter().enumerate() {
        let field = |k: &str| format!("mapping.{i}.{k}");
        let attribute = c.required_text(&field("attribute"), r.attribute.as_deref().unwrap_or(""), 100);
        let value = c.required_text(&field("value"), r.value.as_deref().unwrap_or(""), 500);
        let role = match r.role.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(Role::parse) {
            Some(Some(role)) => Some(role),
            Some(None) => {
                c.push(FieldError::new(field("role"), "不认识的角色", "is not a role"));
                None
            }
            None => {
                c.push(FieldError::required(field("role")));
                None
            }
        };
        let unit_id = c.optional_text(&field("unit_id"), r.unit_id.as_deref(), 64);
        let vendor_id = c.optional_text(&field("vendor_id"), r.vendor_id.as_deref(), 64);
        let Some(role) = role else { continue };
        if role.needs_unit() != unit_id.is_some() {
            let (zh, en) = if role.needs_unit() {
                ("使用单位用户须指定单位", "is required for unit users")
            } else {
                ("只有使用单位用户绑定单位", "only unit users belong to a unit")
            };
            c.push(FieldError::new(field("unit_id"), zh, en));
        }
        if role.needs_vendor() != vendor_id.is_some() {
            let (zh, en) = if role.needs_vendor() {
                ("供应商人员须指定供应商", "is required for vendor staff")
            } else {
                ("只有供应商人员绑定供应商", "only vendor staff belong to a vendor")
            };
            c.push(FieldError::new(field("vendor_id"), zh, en));
        }
        out.push(MappingRule { attribute, value, role, unit_id, vendor_id });
    }
    out
}

/// Whether an attribute (a text, a number or a list of them) holds `value`; case matters, as it
/// does for group names in most directories' exact matches.
fn holds(v: &Value, value: &str) -> bool {
    match v {
        Value::String(s) => s == value,
        Value::Number(n) => n.to_string() == value,
        Value::Bool(b) => b.to_string() == value,
        Value::Array(a) => a.iter().any(|x| holds(x, value)),
        _ => false,
    }
}

/// The first rule the identity matches, with its position.
pub fn first_match<'r>(rules: &'r [MappingRule], id: &Identity) -> Option<(usize, &'r MappingRule)> {
    rules.iter().enumerate().find(|(_, r)| id.attributes.get(&r.attribute).is_some_and(|v| holds(v, &r.value)))
}

/// A claim or attribute as one text: the first of a list.
pub fn text_of(attrs: &Map<String, Value>, key: &str) -> Option<String> {
    let v = match attrs.get(key)? {
        Value::Array(a) => a.first()?,
        v => v,
    };
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A return address after sign-in: a path of this site only (never `//host` or a scheme), else
/// the home page.
pub fn safe_return(to: Option<&str>) -> String {
    match to.map(str::trim) {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.starts_with("/\\")
                && p.len() <= 500
                && !p.chars().any(|c| c.is_control() || c == '\\') =>
        {
            p.to_string()
        }
        _ => "/".into(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn input(kind: &str, config: Value, mapping: Vec<MappingRuleInput>) -> SsoProviderInput {
        SsoProviderInput {
            kind: Some(kind.into()),
            name: Some("市统一身份认证".into()),
            config: Some(config),
            mapping: Some(mapping),
            enabled: None,
        }
    }

    fn rule(attribute: &str, value: &str, role: &str, unit: Option<&str>, vendor: Option<&str>) -> MappingRuleInput {
        MappingRuleInput {
            attribute: Some(attribute.into()),
            value: Some(value.into()),
            role: Some(role.into()),
            unit_id: unit.map(Into::into),
            vendor_id: vendor.map(Into::into),
        }
    }

    fn fields(r: Result<SsoFields, Vec<FieldError>>) -> Vec<String> {
        r.err().unwrap_or_default().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn each_kind_names_what_is_missing_or_wrong() {
        assert_eq!(
            fields(input("oidc", json!({"issuer": "ftp://x"}), vec![]).validate(None)),
            ["config.issuer", "config.client_id"]
        );
        assert_eq!(
            fields(
                input("cas", json!({"server_url": "https://cas.gov.cn/cas", "version": "4"}), vec![]).validate(None)
            ),
            ["config.version"]
        );
        assert_eq!(
            fields(
                input("ldap", json!({"url": "http://dc1", "user_filter": "uid=x", "colour": 1}), vec![]).validate(None)
            ),
            ["config.url", "config.base_dn", "config.user_filter", "config.colour"]
        );
        assert_eq!(fields(input("saml", json!({}), vec![]).validate(None)), ["kind"]);
        let bad_rules = vec![
            rule("groups", "ops", "engineer", None, None),
            rule("", "x", "overlord", None, None),
            rule("dept", "财政局", "unit_user", None, Some("v1")),
        ];
        assert_eq!(
            fields(input("cas", json!({"server_url": "https://cas.gov.cn/cas"}), bad_rules).validate(None)),
            [
                "mapping.0.vendor_id",
                "mapping.1.attribute",
                "mapping.1.role",
                "mapping.2.unit_id",
                "mapping.2.vendor_id"
            ]
        );
    }

    #[test]
    fn defaults_are_filled_and_secrets_split() {
        let f = input(
            "ldap",
            json!({"url": "ldaps://dc1.gov.cn", "base_dn": "dc=gov,dc=cn", "bind_dn": "cn=yunwei", "bind_password": "pw"}),
            vec![rule("groups", "ops", "admin", None, None)],
        )
        .validate(None)
        .expect("valid");
        assert_eq!(f.config.get("user_filter"), Some(&json!("(uid={username})")));
        assert_eq!(f.config.get("link_by_username"), Some(&json!(false)));
        assert_eq!(f.secrets.get("bind_password"), Some(&json!("pw")));
        assert!(!f.config.contains_key("bind_password"));
        assert_eq!(f.mapping[0].role, Role::Admin);
    }

    #[test]
    fn the_first_matching_rule_wins_and_nobody_else_gets_in() {
        let rules = vec![
            MappingRule {
                attribute: "groups".into(),
                value: "cn=ops,ou=groups".into(),
                role: Role::Engineer,
                unit_id: None,
                vendor_id: Some("v1".into()),
            },
            MappingRule {
                attribute: "dept".into(),
                value: "大数据局".into(),
                role: Role::Admin,
                unit_id: None,
                vendor_id: None,
            },
        ];
        let mut id = Identity { subject: "zhang".into(), username: "zhang".into(), ..Default::default() };
        assert!(first_match(&rules, &id).is_none());
        id.attributes.insert("dept".into(), json!("大数据局"));
        id.attributes.insert("groups".into(), json!(["cn=x", "cn=ops,ou=groups"]));
        assert_eq!(first_match(&rules, &id).map(|(i, _)| i), Some(0));
        assert_eq!(text_of(&id.attributes, "groups").as_deref(), Some("cn=x"));
    }

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(safe_return(Some("/tickets/1?x=2")), "/tickets/1?x=2");
        for bad in ["//evil.cn", "https://evil.cn", "/\\evil.cn", "tickets", ""] {
            assert_eq!(safe_return(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_return(None), "/");
    }
}
