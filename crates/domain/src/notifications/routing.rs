//! Who gets what through which channel: the bureau's defaults per role and scope, each user's own
//! preferences on top, and quiet hours.

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Role;
use crate::error::{Checker, FieldError};

/// A default of the bureau: users of `role` (within a unit or vendor when given) get the listed
/// kinds of notice (all when empty) through `channel_id` as well as in the bell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RoutingRule {
    pub id: String,
    pub role: Role,
    pub unit_id: Option<String>,
    pub vendor_id: Option<String>,
    pub channel_id: String,
    pub kinds: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RoutingRuleInput {
    pub role: Option<String>,
    pub unit_id: Option<String>,
    pub vendor_id: Option<String>,
    pub channel_id: Option<String>,
    #[serde(default)]
    pub kinds: Vec<String>,
}

/// A rule as checked (the app checks the channel, unit and vendor exist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingRuleFields {
    pub role: Role,
    pub unit_id: Option<String>,
    pub vendor_id: Option<String>,
    pub channel_id: String,
    pub kinds: Vec<String>,
}

impl RoutingRuleInput {
    pub fn validate(&self) -> Result<RoutingRuleFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let role = match self.role.as_deref().map(str::trim) {
            None | Some("") => {
                c.push(FieldError::required("role"));
                None
            }
            Some(r) => Role::parse(r).or_else(|| {
                c.push(FieldError::new("role", "不认识的角色", "is not a role"));
                None
            }),
        };
        let unit_id = c.optional_text("unit_id", self.unit_id.as_deref(), 64);
        let vendor_id = c.optional_text("vendor_id", self.vendor_id.as_deref(), 64);
        if unit_id.is_some() && vendor_id.is_some() {
            c.push(FieldError::new("vendor_id", "单位与供应商只能指定其一", "give a unit or a vendor, not both"));
        }
        let channel_id = c.required_text("channel_id", self.channel_id.as_deref().unwrap_or(""), 64);
        let kinds = kinds(&mut c, "kinds", &self.kinds);
        c.finish()?;
        let role = role.ok_or_else(|| vec![FieldError::required("role")])?;
        Ok(RoutingRuleFields { role, unit_id, vendor_id, channel_id, kinds })
    }
}

impl RoutingRule {
    /// Whether the rule covers a user of this role and binding, for a notice of `kind`.
    pub fn covers(&self, role: Role, unit: Option<&str>, vendor: Option<&str>, kind: &str) -> bool {
        self.role == role
            && self.unit_id.as_deref().is_none_or(|u| Some(u) == unit)
            && self.vendor_id.as_deref().is_none_or(|v| Some(v) == vendor)
            && (self.kinds.is_empty() || self.kinds.iter().any(|k| k == kind))
    }
}

/// Quiet hours in the bureau's time (UTC+8): notices that are not urgent wait until they end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QuietHours {
    #[schema(value_type = String, example = "22:00")]
    pub start: NaiveTime,
    #[schema(value_type = String, example = "07:30")]
    pub end: NaiveTime,
}

impl QuietHours {
    /// When the quiet period containing `at` ends, or `None` when `at` is not in one.
    pub fn defer(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let offset = chrono::Duration::hours(8);
        let local = at + offset;
        let t = local.time();
        let inside =
            if self.start <= self.end { t >= self.start && t < self.end } else { t >= self.start || t < self.end };
        if !inside || self.start == self.end {
            return None;
        }
        let mut day = local.date_naive();
        if t >= self.end && self.start > self.end {
            day = day.succ_opt()?;
        }
        Some(day.and_time(self.end).and_utc() - offset)
    }
}

/// A user's own choices.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Preferences {
    /// The personal channels (e-mail, SMS, WeCom application) the user is reached through;
    /// `None` follows the bureau's rules for the user's role.
    pub channels: Option<Vec<String>>,
    /// Kinds of notice kept to the bell only.
    #[serde(default)]
    pub muted_kinds: Vec<String>,
    pub quiet_hours: Option<QuietHours>,
    /// A morning e-mail with the previous day's notices.
    #[serde(default)]
    pub daily_digest: bool,
    /// The user's id in WeCom (企业微信), for application messages.
    pub wecom_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PreferencesInput {
    pub channels: Option<Vec<String>>,
    #[serde(default)]
    pub muted_kinds: Vec<String>,
    /// `HH:MM`.
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
    #[serde(default)]
    pub daily_digest: bool,
    pub wecom_id: Option<String>,
}

impl PreferencesInput {
    pub fn validate(&self) -> Result<Preferences, Vec<FieldError>> {
        let mut c = Checker::default();
        let time = |c: &mut Checker, f: &str, v: Option<&str>| {
            let v = v.map(str::trim).filter(|v| !v.is_empty())?;
            NaiveTime::parse_from_str(v, "%H:%M")
                .map_err(|_| c.push(FieldError::new(f, "时间格式须为 HH:MM", "must be HH:MM")))
                .ok()
        };
        let start = time(&mut c, "quiet_start", self.quiet_start.as_deref());
        let end = time(&mut c, "quiet_end", self.quiet_end.as_deref());
        let quiet_hours = match (start, end) {
            (Some(start), Some(end)) if start != end => Some(QuietHours { start, end }),
            (Some(_), Some(_)) => {
                c.push(FieldError::new("quiet_end", "结束时间不能与开始时间相同", "must differ from the start"));
                None
            }
            (Some(_), None) if self.quiet_end.as_deref().is_none_or(|s| s.trim().is_empty()) => {
                c.push(FieldError::required("quiet_end"));
                None
            }
            (None, Some(_)) if self.quiet_start.as_deref().is_none_or(|s| s.trim().is_empty()) => {
                c.push(FieldError::required("quiet_start"));
                None
            }
            _ => None,
        };
        let channels = self.channels.as_ref().map(|list| {
            let mut out: Vec<String> = Vec::new();
            for (i, id) in list.iter().enumerate() {
                if let Some(id) = c.optional_text(&format!("channels[{i}]"), Some(id), 64)
                    && !out.contains(&id)
                {
                    out.push(id);
                }
            }
            out
        });
        let muted_kinds = kinds(&mut c, "muted_kinds", &self.muted_kinds);
        let wecom_id = c.optional_text("wecom_id", self.wecom_id.as_deref(), 64);
        c.finish()?;
        Ok(Preferences { channels, muted_kinds, quiet_hours, daily_digest: self.daily_digest, wecom_id })
    }
}

fn kinds(c: &mut Checker, field: &str, list: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, k) in list.iter().enumerate() {
        let f = format!("{field}[{i}]");
        if let Some(k) = c.optional_text(&f, Some(k), 40) {
            if !k.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_') {
                c.push(FieldError::new(f, "通知类型须为小写英文标识", "must be a lowercase notice kind"));
            } else if !out.contains(&k) {
                out.push(k);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        // Bureau time h:m on 3 December 2026.
        Utc.with_ymd_and_hms(2026, 12, 3, 0, 0, 0).single().expect("valid")
            + chrono::Duration::hours(i64::from(h) - 8)
            + chrono::Duration::minutes(i64::from(m))
    }

    #[test]
    fn quiet_hours_across_midnight_defer_to_their_end() {
        let q = QuietHours {
            start: NaiveTime::from_hms_opt(22, 0, 0).expect("t"),
            end: NaiveTime::from_hms_opt(7, 30, 0).expect("t"),
        };
        assert_eq!(q.defer(at(23, 10)), Some(at(31, 30)), "late evening waits for the next morning");
        assert_eq!(q.defer(at(2, 0)), Some(at(7, 30)), "the small hours wait for this morning");
        assert_eq!(q.defer(at(7, 30)), None);
        assert_eq!(q.defer(at(12, 0)), None);
        let day = QuietHours {
            start: NaiveTime::from_hms_opt(12, 0, 0).expect("t"),
            end: NaiveTime::from_hms_opt(14, 0, 0).expect("t"),
        };
        assert_eq!(day.defer(at(13, 0)), Some(at(14, 0)));
        assert_eq!(day.defer(at(14, 0)), None);
    }

    #[test]
    fn preferences_name_the_wrong_field() {
        let e = PreferencesInput { quiet_start: Some("25:00".into()), ..Default::default() }
            .validate()
            .err()
            .unwrap_or_default();
        assert_eq!(e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["quiet_start"]);
        let e = PreferencesInput { quiet_start: Some("22:00".into()), ..Default::default() }
            .validate()
            .err()
            .unwrap_or_default();
        assert_eq!(e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["quiet_end"]);
        let e = PreferencesInput { muted_kinds: vec!["Breach!".into()], ..Default::default() }
            .validate()
            .err()
            .unwrap_or_default();
        assert_eq!(e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["muted_kinds[0]"]);
    }

    #[test]
    fn a_rule_covers_its_role_scope_and_kinds() {
        let r = RoutingRule {
            id: "r".into(),
            role: Role::VendorPm,
            unit_id: None,
            vendor_id: Some("v1".into()),
            channel_id: "c".into(),
            kinds: vec!["breached".into()],
        };
        assert!(r.covers(Role::VendorPm, None, Some("v1"), "breached"));
        assert!(!r.covers(Role::VendorPm, None, Some("v2"), "breached"));
        assert!(!r.covers(Role::VendorPm, None, Some("v1"), "created"));
        assert!(!r.covers(Role::Engineer, None, Some("v1"), "breached"));
    }
}
