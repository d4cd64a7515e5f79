//! LDAP and Active Directory: bind with the service account (or anonymously), find the one entry
//! the user filter names, bind as that entry with the password the person typed, and read their
//! attributes and groups (the entry's `memberOf`, and `groupOfNames`/`groupOfUniqueNames` under
//! `group_base_dn` when set). Values are escaped for filters and DNs (RFC 4515, RFC 4514).

use std::collections::HashMap;

use ldap3::{LdapConnAsync, LdapConnSettings, LdapError, Scope, SearchEntry, dn_escape, ldap_escape};
use serde_json::{Map, Value};

use crate::{Result, SsoError, need, provider, setting};

/// LDAP result code 49: invalid credentials.
const INVALID_CREDENTIALS: u32 = 49;

/// A directory entry that signed in: its DN, its attributes (each a list) and `groups`.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub dn: String,
    pub attributes: Map<String, Value>,
}

fn refused() -> SsoError {
    SsoError::Refused("用户名或密码错误".into())
}

fn ldap_error(what: &str, e: LdapError) -> SsoError {
    match e {
        LdapError::LdapResult { result } if result.rc == INVALID_CREDENTIALS => refused(),
        LdapError::LdapResult { result } => {
            provider(format!("{what}：LDAP 结果码 {} {}", result.rc, result.text).trim().to_string())
        }
        e => provider(format!("{what}：{e}")),
    }
}

/// Checks `username` and `password` against the directory.
pub async fn authenticate(
    client: &crate::Client,
    config: &Map<String, Value>,
    username: &str,
    password: &str,
) -> Result<Entry> {
    let timeout = client.timeout;
    // An empty password is an "unauthenticated bind" that many servers answer with success
    // (RFC 4513 §5.1.2): never let it through.
    if username.trim().is_empty() || password.is_empty() {
        return Err(refused());
    }
    let url = need(config, "url")?;
    let settings = LdapConnSettings::new()
        .set_conn_timeout(timeout)
        .set_starttls(config.get("starttls").and_then(Value::as_bool).unwrap_or(false));
    let (conn, mut ldap) =
        LdapConnAsync::with_settings(settings, url).await.map_err(|e| ldap_error("无法连接 LDAP 服务器", e))?;
    ldap3::drive!(conn);
    let out = async {
        if let Some(dn) = setting(config, "bind_dn") {
            let pw = setting(config, "bind_password").unwrap_or("");
            ldap.with_timeout(timeout).simple_bind(dn, pw).await.and_then(|r| r.success()).map_err(
                |e| match ldap_error("服务账号绑定失败", e) {
                    SsoError::Refused(_) => provider("服务账号绑定失败：bind_dn 或 bind_password 不正确"),
                    e => e,
                },
            )?;
        }
        let base = need(config, "base_dn")?;
        let filter = setting(config, "user_filter")
            .unwrap_or("(uid={username})")
            .replace("{username}", &ldap_escape(username.trim()));
        let (entries, _) = ldap
            .with_timeout(timeout)
            .search(base, Scope::Subtree, &filter, vec!["*"])
            .await
            .and_then(|r| r.success())
            .map_err(|e| ldap_error("查找用户失败", e))?;
        let entry = match entries.len() {
            1 => SearchEntry::construct(entries.into_iter().next().ok_or_else(refused)?),
            0 => return Err(refused()),
            n => return Err(provider(format!("过滤器 {filter} 找到 {n} 个条目，须恰好一个"))),
        };
        ldap.with_timeout(timeout)
            .simple_bind(&entry.dn, password)
            .await
            .and_then(|r| r.success())
            .map_err(|e| ldap_error("用户绑定失败", e))?;
        let mut groups: Vec<String> = attr(&entry.attrs, "memberOf");
        if let Some(gbase) = setting(config, "group_base_dn") {
            let dn = dn_filter_value(&entry.dn);
            let gfilter = format!("(|(member={dn})(uniqueMember={dn}))");
            let (found, _) = ldap
                .with_timeout(timeout)
                .search(gbase, Scope::Subtree, &gfilter, vec!["cn"])
                .await
                .and_then(|r| r.success())
                .map_err(|e| ldap_error("查找用户组失败", e))?;
            for g in found.into_iter().map(SearchEntry::construct) {
                groups.extend(attr(&g.attrs, "cn"));
                groups.push(g.dn);
            }
        }
        // Password hashes are never carried along (a test sign-in shows the attributes).
        let secret =
            |k: &str| ["userpassword", "unicodepwd", "sambantpassword"].contains(&k.to_ascii_lowercase().as_str());
        let mut attributes: Map<String, Value> =
            entry.attrs.iter().filter(|(k, _)| !secret(k)).map(|(k, v)| (k.clone(), Value::from(v.clone()))).collect();
        groups.dedup();
        attributes.insert("groups".into(), Value::from(groups));
        Ok(Entry { dn: entry.dn, attributes })
    }
    .await;
    let _ = ldap.unbind().await;
    out
}

fn attr(attrs: &HashMap<String, Vec<String>>, name: &str) -> Vec<String> {
    attrs.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name)).flat_map(|(_, v)| v.clone()).collect()
}

/// A DN as a value inside a filter: the DN as the server gave it, filter-escaped.
fn dn_filter_value(dn: &str) -> String {
    ldap_escape(dn).into_owned()
}

/// A user name as one RDN value, for directories that bind by a DN template.
pub fn rdn_value(username: &str) -> String {
    dn_escape(username).into_owned()
}
