//! The ledger's rules: input checks, fingerprints, the fix clock, who may move what, and the
//! plan of an import.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

use super::clock::{Change, Deadline, compute, deadline, level, until_next_scan};
use super::import::{Held, Incoming, plan};
use super::*;
use crate::sla::calendar::PRESETS;
use crate::sla::compiled::{Calendar, MIN, Micros, micros};
use crate::sla::holidays::{CN_TSV, covered_until, parse_table};
use crate::sla::policy::{PolicyInput, PolicySpec};
use crate::sla::target::Target;

fn preset(id: &str) -> Calendar {
    let p = PRESETS.iter().find(|p| p.id == id).unwrap();
    let h = if p.holiday_sets.is_empty() { vec![] } else { parse_table(CN_TSV).unwrap() };
    Calendar::compile(&p.spec(), &h, covered_until(&h))
}

fn bj(s: &str) -> Micros {
    micros(DateTime::parse_from_rfc3339(&format!("{s}:00+08:00")).unwrap().with_timezone(&Utc))
}

fn now() -> DateTime<Utc> {
    "2026-11-20T08:00:00Z".parse().unwrap()
}

fn policy() -> PolicySpec {
    let input: PolicyInput = serde_json::from_value(json!({
        "name": "漏洞修复", "calendar_id": "preset-5x8",
        "levels": [
            {"name": "危急", "targets": {"fix": {"kind": "calendar", "minutes": 1440}}},
            {"name": "高危", "targets": {"fix": {"kind": "calendar", "minutes": 2880}}},
            {"name": "中危", "targets": {"fix": {"kind": "working_days", "days": 10}}},
        ]
    }))
    .unwrap();
    input.validate().unwrap()
}

fn finding(system: &str, plugin: Option<&str>, host: &str, port: u16) -> Finding {
    let input: VulnerabilityInput = serde_json::from_value(json!({
        "system_id": system, "title": "OpenSSH  regreSSHion", "severity": "high",
        "host": host, "port": port, "plugin_id": plugin, "cve": "cve-2024-6387",
    }))
    .unwrap();
    input.validate(now()).unwrap()
}

#[test]
fn input_is_checked_field_by_field() {
    let input: VulnerabilityInput = serde_json::from_value(json!({
        "system_id": "s", "title": " ", "severity": "urgent", "cvss": 11.0, "cve": "CVE-21",
        "port": 70000, "source": "notice", "found_at": "2030-01-01T00:00:00Z"
    }))
    .unwrap();
    let errs = input.validate(now()).unwrap_err();
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    for f in ["title", "severity", "cvss", "cve", "port", "notice_org", "found_at"] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
}

#[test]
fn identifiers_are_normalised_and_the_fingerprint_ignores_case_and_spacing() {
    let a = finding("s1", None, "10.0.0.1", 22);
    assert_eq!(a.identifiers, vec!["CVE-2024-6387".to_string()]);
    assert_eq!(a.cve().as_deref(), Some("CVE-2024-6387"));
    let mut b = a.clone();
    b.host = Some("10.0.0.1 ".into());
    b.title = "openssh regresshion".into();
    assert_eq!(a.fingerprint(), b.fingerprint());
    let mut other_port = a.clone();
    other_port.port = Some(2222);
    assert_ne!(a.fingerprint(), other_port.fingerprint());
    let other_system = finding("s2", None, "10.0.0.1", 22);
    assert_ne!(a.fingerprint(), other_system.fingerprint());
    assert_eq!(identifier(" cnnvd-202112-799 ").as_deref(), Some("CNNVD-202112-799"));
    assert_eq!(identifier("CVE-2021"), None);
}

fn target(p: &PolicySpec, s: Severity) -> Option<Target> {
    match deadline(p, s)? {
        Deadline::Within(t) => Some(t),
        Deadline::BeforeNextScan => None,
    }
}

#[test]
fn a_level_due_before_the_next_scan_runs_until_that_scan_opens() {
    let mut p = policy();
    p.levels[2].targets.clear();
    p.levels[2].before_next_scan = true;
    assert_eq!(deadline(&p, Severity::Medium), Some(Deadline::BeforeNextScan));
    assert!(matches!(deadline(&p, Severity::High), Some(Deadline::Within(_))));
    // Found on Friday 16:00, the next scan period opens on 1 December at midnight: wall time,
    // whatever the working calendar says.
    let start = bj("2026-11-20T16:00");
    let t = until_next_scan(start, bj("2026-12-01T00:00"));
    assert_eq!(t, Target::Calendar { minutes: (10 * 24 + 8) * 60 });
    let c = compute(&preset("preset-5x8"), &p, t, start, &[], bj("2026-11-21T09:00"));
    assert_eq!(c.due, Some(bj("2026-12-01T00:00")));
    // Never zero, never beyond a year.
    assert_eq!(until_next_scan(start, start), Target::Calendar { minutes: 1 });
    assert_eq!(until_next_scan(start, start + 400 * 86_400_000_000), Target::Calendar { minutes: 366 * 24 * 60 });
}

#[test]
fn a_policy_level_is_found_by_name_or_by_rank() {
    let p = policy();
    assert_eq!(level(&p, Severity::Critical).unwrap().name, "危急");
    assert_eq!(level(&p, Severity::Medium).unwrap().name, "中危");
    assert!(target(&p, Severity::Low).is_none());
}

#[test]
fn a_critical_24_hour_clock_runs_across_the_weekend_and_stops_when_fixed() {
    // Found on Friday 2026-11-20 at 16:00: a calendar-hours target is due on Saturday 16:00,
    // whatever the working calendar says.
    let cal = preset("preset-5x8");
    let p = policy();
    let t = target(&p, Severity::Critical).unwrap();
    let start = bj("2026-11-20T16:00");
    let c = compute(&cal, &p, t, start, &[], bj("2026-11-21T15:00"));
    assert_eq!((c.state, c.due), (ClockState::Running, Some(bj("2026-11-21T16:00"))));
    let c = compute(&cal, &p, t, start, &[], bj("2026-11-23T09:00"));
    assert_eq!((c.state, c.breached_at), (ClockState::Breached, Some(bj("2026-11-21T16:00"))));
    let fixed = [Change { at: bj("2026-11-21T10:00"), to: VulnStatus::Fixed }];
    let c = compute(&cal, &p, t, start, &fixed, bj("2026-11-23T09:00"));
    assert_eq!((c.state, c.stopped_at), (ClockState::Met, Some(bj("2026-11-21T10:00"))));
}

#[test]
fn pending_pauses_and_a_reopen_runs_again_without_the_fixed_stretch() {
    let cal = preset("preset-7x24");
    let p = policy();
    let t = target(&p, Severity::Critical).unwrap();
    let start = bj("2026-11-02T08:00");
    let changes = [
        Change { at: bj("2026-11-02T10:00"), to: VulnStatus::Pending },
        Change { at: bj("2026-11-02T14:00"), to: VulnStatus::Fixing },
    ];
    let c = compute(&cal, &p, t, start, &changes[..1], bj("2026-11-02T12:00"));
    assert_eq!((c.state, c.due), (ClockState::Paused, None));
    let c = compute(&cal, &p, t, start, &changes, bj("2026-11-02T15:00"));
    assert_eq!(c.due, Some(bj("2026-11-03T12:00")));
    let reopened = [
        Change { at: bj("2026-11-02T09:00"), to: VulnStatus::Fixed },
        Change { at: bj("2026-11-05T09:00"), to: VulnStatus::Open },
    ];
    let c = compute(&cal, &p, t, start, &reopened, bj("2026-11-05T10:00"));
    assert_eq!(c.state, ClockState::Running);
    // One hour spent before the fix, one since the reopen.
    assert_eq!(c.spent, 2 * 60 * MIN);
    assert_eq!(c.due, Some(bj("2026-11-06T08:00")));
}

fn principal(role: Role) -> Principal {
    Principal { user_id: "u".into(), username: "u".into(), role, unit_id: None, vendor_id: Some("v".into()) }
}

#[test]
fn the_vendor_asks_for_what_excuses_or_pauses_and_only_the_bureau_verifies() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let mv = |to: &str, reason: Option<&str>, until: Option<NaiveDate>| {
        VulnTransitionInput { to: Some(to.into()), reason: reason.map(str::to_string), accepted_until: until }
            .validate(today)
    };
    let engineer = principal(Role::Engineer);
    assert_eq!(mv("fixed", None, None).unwrap().permit(&engineer), Permit::Direct);
    assert_eq!(mv("false_positive", Some("端口未开放"), None).unwrap().permit(&engineer), Permit::Request);
    assert_eq!(mv("verified", None, None).unwrap().permit(&engineer), Permit::Refused);
    assert_eq!(mv("verified", None, None).unwrap().permit(&principal(Role::Admin)), Permit::Direct);
    assert_eq!(mv("fixed", None, None).unwrap().permit(&principal(Role::UnitUser)), Permit::Refused);
    let errs = mv("risk_accepted", None, None).unwrap_err();
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["reason", "accepted_until"]);
    assert!(mv("risk_accepted", Some("系统下线前不再升级"), Some(today)).is_err());
    assert!(mv("risk_accepted", Some("系统下线前不再升级"), NaiveDate::from_ymd_opt(2027, 6, 30)).is_ok());
    assert!(VulnStatus::Verified.next().contains(&VulnStatus::Open));
    assert!(!VulnStatus::Open.next().contains(&VulnStatus::Verified));
}

#[test]
fn an_import_plan_merges_duplicates_reopens_fixed_findings_and_verifies_fixes() {
    let a = finding("s1", Some("nessus:1"), "10.0.0.1", 22);
    let b = finding("s1", Some("nessus:2"), "10.0.0.1", 443);
    let c = finding("s1", Some("nessus:3"), "10.0.0.2", 80);
    let mut dup = a.clone();
    dup.severity = Severity::Critical;
    let incoming = vec![
        Incoming { row: 3, finding: a.clone() },
        Incoming { row: 9, finding: dup },
        Incoming { row: 12, finding: b.clone() },
        Incoming { row: 20, finding: c.clone() },
    ];
    let held = |id: &str, f: &Finding, status| Held {
        id: id.into(),
        system_id: f.system_id.clone(),
        fingerprint: f.fingerprint(),
        status,
        host: f.host.clone(),
        plugin_id: f.plugin_id.clone(),
    };
    let gone = finding("s1", Some("nessus:4"), "10.0.0.1", 8080);
    let pentest = finding("s1", None, "10.0.0.1", 8443);
    let elsewhere = finding("s1", Some("nessus:5"), "10.0.0.9", 22);
    let held = vec![
        held("v-b", &b, VulnStatus::Fixed),
        held("v-c", &c, VulnStatus::Confirmed),
        held("v-gone", &gone, VulnStatus::Fixed),
        held("v-pentest", &pentest, VulnStatus::Fixed),
        held("v-elsewhere", &elsewhere, VulnStatus::Fixed),
    ];
    let scanned: HashSet<(String, String)> =
        [("s1".to_string(), "10.0.0.1".to_string()), ("s1".to_string(), "10.0.0.2".to_string())].into();
    let p = plan(incoming, &held, &scanned, "nessus");
    assert_eq!(p.create.len(), 1);
    assert_eq!(p.create[0].row, 3);
    assert_eq!(p.create[0].finding.severity, Severity::Critical, "the graver duplicate wins");
    assert_eq!(p.reopen.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["v-b"]);
    assert_eq!(p.update.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["v-c"]);
    assert_eq!(p.verify, ["v-gone"]);
    assert_eq!(p.duplicates, 1);
    let n = p.counts();
    assert_eq!((n.create, n.update, n.reopen, n.verify, n.duplicates), (1, 1, 1, 1, 1));
}

#[test]
fn statuses_and_severities_parse_from_lists() {
    assert_eq!(parse_statuses("unresolved").unwrap().len(), 4);
    assert_eq!(parse_statuses("fixed,verified").unwrap(), vec![VulnStatus::Fixed, VulnStatus::Verified]);
    assert_eq!(parse_statuses("done").unwrap_err().field, "status");
    assert_eq!(parse_severities("high,critical").unwrap(), vec![Severity::Critical, Severity::High]);
}
