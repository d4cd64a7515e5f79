//! Alerts from other monitors: Prometheus Alertmanager's webhook (payload version 4) and a
//! generic JSON webhook (used by the Zabbix media type in `docs/`). Both become `AlertEvent`s:
//! a key for deduplication, the system the alert names, firing or resolved, and when.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::FieldError;

/// The label that names the system, unless the integration says otherwise.
pub const DEFAULT_SYSTEM_LABEL: &str = "yunwei_system";
/// Alerts one request may carry.
pub const MAX_ALERTS: usize = 500;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlertmanagerPayload {
    pub version: Option<String>,
    pub status: Option<String>,
    pub receiver: Option<String>,
    #[serde(default)]
    pub alerts: Vec<AlertmanagerAlert>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlertmanagerAlert {
    pub status: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub fingerprint: Option<String>,
    #[serde(rename = "generatorURL")]
    pub generator_url: Option<String>,
}

/// The generic webhook: one alert per request.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct WebhookAlert {
    /// The system's id or exact name.
    pub system: Option<String>,
    /// Deduplication key: the same key updates the same alert (e.g. Zabbix's event id).
    pub key: Option<String>,
    /// `firing` (or `problem`) and `resolved` (or `ok`).
    pub status: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// When it started or ended (RFC 3339); the time of receipt if absent.
    pub at: Option<String>,
}

/// One alert, whatever sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertEvent {
    pub key: String,
    pub system: Option<String>,
    pub firing: bool,
    pub at: DateTime<Utc>,
    pub title: String,
    pub description: Option<String>,
    /// Everything the sender said, kept for an alert that names no known system.
    pub labels: BTreeMap<String, String>,
}

fn instant(field: &str, v: Option<&str>) -> Result<Option<DateTime<Utc>>, FieldError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| FieldError::new(field, "时间格式应为 RFC 3339", "must be an RFC 3339 instant")),
    }
}

/// How far back an alert may date itself: older instants are a sender's clock or a bug, and an
/// outage dated there would rewrite a year of availability.
pub const MAX_ALERT_AGE_DAYS: i64 = 366;
/// Clock skew tolerated for an alert dated in the future; it counts as now.
pub const MAX_ALERT_SKEW_MINUTES: i64 = 10;

/// An alert's instant within `[now − 366 days, now + 10 min]`, the future clipped to now.
fn in_window(field: &str, t: DateTime<Utc>, now: DateTime<Utc>) -> Result<DateTime<Utc>, FieldError> {
    if t < now - chrono::Duration::days(MAX_ALERT_AGE_DAYS) {
        return Err(FieldError::new(
            field,
            format!("时间过早：须在最近 {MAX_ALERT_AGE_DAYS} 天内"),
            format!("is too old: must be within the last {MAX_ALERT_AGE_DAYS} days"),
        ));
    }
    if t > now + chrono::Duration::minutes(MAX_ALERT_SKEW_MINUTES) {
        return Err(FieldError::new(field, "不能晚于当前时间", "must not be in the future"));
    }
    Ok(t.min(now))
}

fn clip(s: &str, max: usize) -> String {
    s.chars().filter(|c| !c.is_control() || *c == '\n').take(max).collect()
}

impl AlertmanagerPayload {
    /// The payload's alerts as events; `label` names the system. Alertmanager sends
    /// `0001-01-01T00:00:00Z` as the end of a firing alert: only resolved alerts use `endsAt`.
    pub fn events(&self, label: &str, now: DateTime<Utc>) -> Result<Vec<AlertEvent>, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.version.as_deref().is_some_and(|v| v != "4") {
            errors.push(FieldError::new(
                "version",
                "只支持 Alertmanager webhook 第 4 版",
                "only payload version 4 is supported",
            ));
        }
        if self.alerts.len() > MAX_ALERTS {
            errors.push(FieldError::new(
                "alerts",
                format!("每次最多 {MAX_ALERTS} 条"),
                format!("at most {MAX_ALERTS} alerts"),
            ));
        }
        let mut out = Vec::new();
        for (i, a) in self.alerts.iter().enumerate().take(MAX_ALERTS) {
            let f = |k: &str| format!("alerts[{i}].{k}");
            let firing = match a.status.as_deref() {
                Some("firing") => true,
                Some("resolved") => false,
                _ => {
                    errors.push(FieldError::new(f("status"), "应为 firing 或 resolved", "must be firing or resolved"));
                    continue;
                }
            };
            let starts = instant(&f("startsAt"), a.starts_at.as_deref()).map_err(|e| errors.push(e)).ok().flatten();
            let ends = instant(&f("endsAt"), a.ends_at.as_deref()).map_err(|e| errors.push(e)).ok().flatten();
            // Without a fingerprint (older senders) the labels identify the alert.
            let key = match a.fingerprint.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(fp) => clip(fp, 100),
                None => clip(&a.labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","), 100),
            };
            let name = a.labels.get("alertname").cloned().unwrap_or_else(|| "告警".into());
            let title = a.annotations.get("summary").cloned().unwrap_or(name);
            let (field, given) = if firing {
                ("startsAt", starts)
            } else {
                // Alertmanager's "no end" is year 1: a resolved alert without a real end is now.
                ("endsAt", ends.filter(|t| t.timestamp() > 0))
            };
            let at = match given.map(|t| in_window(&f(field), t, now)).transpose() {
                Ok(t) => t.unwrap_or(now),
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            out.push(AlertEvent {
                key,
                system: a.labels.get(label).map(|s| clip(s.trim(), 200)).filter(|s| !s.is_empty()),
                firing,
                at,
                title: clip(&title, 180),
                description: a.annotations.get("description").map(|d| clip(d, 2000)),
                labels: a.labels.clone(),
            });
        }
        if errors.is_empty() { Ok(out) } else { Err(errors) }
    }
}

impl WebhookAlert {
    pub fn event(&self, now: DateTime<Utc>) -> Result<AlertEvent, Vec<FieldError>> {
        let mut errors = Vec::new();
        let key = self.key.as_deref().map(str::trim).filter(|s| !s.is_empty());
        if key.is_none() {
            errors.push(FieldError::required("key"));
        }
        let firing = match self.status.as_deref().map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            Some("firing" | "problem") => true,
            Some("resolved" | "ok") => false,
            _ => {
                errors.push(FieldError::new("status", "应为 firing 或 resolved", "must be firing or resolved"));
                true
            }
        };
        let at = instant("at", self.at.as_deref())
            .and_then(|t| t.map(|t| in_window("at", t, now)).transpose())
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut labels = BTreeMap::new();
        if let Some(s) = &self.system {
            labels.insert("system".to_string(), clip(s, 200));
        }
        Ok(AlertEvent {
            key: clip(key.unwrap_or_default(), 100),
            system: self.system.as_deref().map(|s| clip(s.trim(), 200)).filter(|s| !s.is_empty()),
            firing,
            at: at.unwrap_or(now),
            title: clip(self.title.as_deref().unwrap_or("告警"), 180),
            description: self.description.as_deref().map(|d| clip(d, 2000)),
            labels,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_alertmanager_v4_payload_becomes_events() {
        let p: AlertmanagerPayload = serde_json::from_value(json!({
        "version": "4", "status": "firing", "receiver": "yunwei", "groupKey": "{}:{}",
        "alerts": [
            {"status": "firing", "labels": {"alertname": "HostDown", "yunwei_system": "智慧图书馆"},
             "annotations": {"summary": "主机不可达", "description": "10.0.0.5 ping 不通"},
             "startsAt": "2026-11-22T01:00:00Z", "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "c0ffee"},
            {"status": "resolved", "labels": {"alertname": "DiskFull"},
             "startsAt": "2026-11-22T00:00:00Z", "endsAt": "2026-11-22T00:30:00Z"}
        ]}))
        .unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-22T02:00:00Z").unwrap().to_utc();
        let e = p.events(DEFAULT_SYSTEM_LABEL, now).unwrap();
        assert_eq!((e[0].key.as_str(), e[0].system.as_deref(), e[0].firing), ("c0ffee", Some("智慧图书馆"), true));
        assert_eq!(
            (e[0].title.as_str(), e[0].at.to_rfc3339()),
            ("主机不可达", "2026-11-22T01:00:00+00:00".to_string())
        );
        assert_eq!((e[1].key.as_str(), e[1].system.as_deref(), e[1].firing), ("alertname=DiskFull", None, false));
        assert_eq!(e[1].at.to_rfc3339(), "2026-11-22T00:30:00+00:00");

        let bad: AlertmanagerPayload =
            serde_json::from_value(json!({"version": "3", "alerts": [{"status": "pending", "startsAt": "x"}]}))
                .unwrap();
        let fields: Vec<_> = bad.events(DEFAULT_SYSTEM_LABEL, now).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["version", "alerts[0].status"]);
    }

    #[test]
    fn alerts_dated_out_of_a_sane_window_are_refused() {
        let now = DateTime::parse_from_rfc3339("2026-11-22T02:00:00Z").unwrap().to_utc();
        let payload = |starts: &str| -> AlertmanagerPayload {
            serde_json::from_value(json!({"version": "4", "alerts": [
                {"status": "firing", "labels": {"alertname": "A"}, "startsAt": "2026-11-22T01:00:00Z"},
                {"status": "firing", "labels": {"alertname": "B"}, "startsAt": starts}
            ]}))
            .unwrap()
        };
        for bad in ["0001-01-01T00:00:00Z", "2025-11-01T00:00:00Z", "2026-11-22T03:00:00Z"] {
            let errs = payload(bad).events(DEFAULT_SYSTEM_LABEL, now).unwrap_err();
            assert_eq!(errs.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["alerts[1].startsAt"], "{bad}");
        }
        // A few minutes of clock skew count as now.
        let e = payload("2026-11-22T02:05:00Z").events(DEFAULT_SYSTEM_LABEL, now).unwrap();
        assert_eq!(e[1].at, now);
        let w = WebhookAlert {
            key: Some("k".into()),
            status: Some("firing".into()),
            at: Some("0001-01-01T00:00:00Z".into()),
            ..Default::default()
        };
        assert_eq!(w.event(now).unwrap_err()[0].field, "at");
    }

    #[test]
    fn the_generic_webhook() {
        let now = Utc::now();
        let w = WebhookAlert {
            system: Some("官网".into()),
            key: Some("zbx-123".into()),
            status: Some("PROBLEM".into()),
            ..Default::default()
        };
        let e = w.event(now).unwrap();
        assert!(e.firing && e.at == now && e.key == "zbx-123");
        let fields: Vec<_> =
            WebhookAlert { status: Some("maybe".into()), at: Some("soon".into()), ..Default::default() }
                .event(now)
                .unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect();
        assert_eq!(fields, ["key", "status", "at"]);
    }
}

text_enum!(
    /// What an integration account sends.
    IntegrationKind {
        Alertmanager = "alertmanager" / "Prometheus Alertmanager" / "Prometheus Alertmanager",
        Webhook = "webhook" / "通用 Webhook（含 Zabbix）" / "generic webhook (Zabbix too)",
        Metrics = "metrics" / "指标采集（/metrics）" / "metrics scraping (/metrics)",
        Backup = "backup" / "备份工具推送" / "backup tool runs",
    }
);

/// An integration account; its token is shown once, when it is created.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ToSchema)]
pub struct Integration {
    pub id: String,
    pub name: String,
    pub kind: IntegrationKind,
    /// The alert label that names the system (Alertmanager).
    pub system_label: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct IntegrationInput {
    pub name: Option<String>,
    /// alertmanager, webhook, metrics or backup.
    pub kind: Option<String>,
    /// Default `yunwei_system`.
    pub system_label: Option<String>,
}

/// What an intake request did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, ToSchema)]
pub struct IntakeReport {
    /// Alerts that opened an outage.
    pub opened: u32,
    /// Firing alerts already open (deduplicated).
    pub updated: u32,
    pub resolved: u32,
    /// Alerts kept for the administrator because they name no known system.
    pub unmatched: u32,
}

/// The key the list of unmatched alerts sorts by (with `order`); newest first when none is given.
pub const UNMATCHED_SORT_KEYS: &[&str] = &["received_at"];

/// An alert that named no system Yunwei knows, kept for the administrator.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ToSchema)]
pub struct UnmatchedAlert {
    pub id: String,
    pub integration_id: String,
    pub key: String,
    /// What the alert gave as the system, if anything.
    pub system_ref: Option<String>,
    pub firing: bool,
    pub at: DateTime<Utc>,
    pub title: String,
    pub labels: BTreeMap<String, String>,
    pub received_at: DateTime<Utc>,
}

impl IntegrationInput {
    pub fn validate(&self) -> Result<(String, IntegrationKind, String), Vec<FieldError>> {
        let mut c = crate::error::Checker::default();
        let name = c.required_text("name", self.name.as_deref().unwrap_or(""), 200);
        let kind = match self.kind.as_deref().map(str::trim) {
            None | Some("") => {
                c.push(FieldError::required("kind"));
                IntegrationKind::Webhook
            }
            Some(k) => IntegrationKind::parse(k).unwrap_or_else(|| {
                c.push(FieldError::new(
                    "kind",
                    format!("可选值：{}", IntegrationKind::choices()),
                    "one of: alertmanager, webhook, metrics",
                ));
                IntegrationKind::Webhook
            }),
        };
        let label = c
            .optional_text("system_label", self.system_label.as_deref(), 100)
            .unwrap_or_else(|| DEFAULT_SYSTEM_LABEL.into());
        if !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            c.push(FieldError::new(
                "system_label",
                "只能包含字母、数字和下划线",
                "letters, digits and underscores only",
            ));
        }
        c.finish()?;
        Ok((name, kind, label))
    }
}
