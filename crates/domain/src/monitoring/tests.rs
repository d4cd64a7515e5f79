use serde_json::json;

use super::spec::{MonitorInput, MonitorKind, RecordType, StatusRange};
use super::state::{MonitorState, Tracker};

fn input(kind: &str, target: &str, expect: serde_json::Value) -> MonitorInput {
    MonitorInput {
        system_id: Some("sys".into()),
        kind: Some(kind.into()),
        target: Some(target.into()),
        expect: Some(expect),
        ..Default::default()
    }
}

fn fields(r: Result<super::spec::MonitorSpec, Vec<crate::FieldError>>) -> Vec<String> {
    r.err().unwrap_or_default().into_iter().map(|e| e.field).collect()
}

#[test]
fn an_http_monitor_with_its_expectations() {
    let m = input("http", "https://www.ay.gov.cn/", json!({"method": "head", "status": [200, "300-308"], "keyword": "安阳", "max_latency_ms": 2000, "headers": {"X-Probe": "yunwei"}}))
        .validate()
        .unwrap();
    assert_eq!(m.kind, MonitorKind::Http);
    assert_eq!((m.interval_seconds, m.timeout_ms, m.failures_before_down, m.successes_before_up), (60, 10_000, 3, 1));
    assert_eq!(m.expect.method.as_deref(), Some("HEAD"));
    assert_eq!(m.expect.status, [StatusRange { from: 200, to: 200 }, StatusRange { from: 300, to: 308 }]);
    assert!(m.expect.status_ok(302) && !m.expect.status_ok(204));
    assert!(super::spec::Expect::default().status_ok(301), "200–399 by default");
    assert_eq!(m.name, "https://www.ay.gov.cn/");
}

#[test]
fn every_bad_field_is_named() {
    let bad = MonitorInput {
        system_id: None,
        kind: Some("ping".into()),
        target: Some("".into()),
        interval_seconds: Some(0),
        timeout_ms: Some(5),
        failures_before_down: Some(0),
        ..Default::default()
    };
    assert_eq!(
        fields(bad.validate()),
        ["system_id", "kind", "target", "interval_seconds", "timeout_ms", "failures_before_down"]
    );
    assert_eq!(fields(input("http", "ftp://x", json!({})).validate()), ["target"]);
    assert_eq!(
        fields(
            input("http", "http://x", json!({"status": [200, "700", "abc"], "regex": "(unclosed", "port": 1}))
                .validate()
        ),
        ["expect.port", "expect.status[1]", "expect.status[2]", "expect.regex"]
    );
    assert_eq!(fields(input("tcp", "db.local", json!(null)).validate()), ["target"], "a TCP target needs its port");
    assert_eq!(fields(input("tcp", "db.local:70000", json!(null)).validate()), ["target"]);
    assert_eq!(
        fields(input("dns", "bad name.gov.cn", json!({"record_type": "SRV", "server": "nowhere"})).validate()),
        ["target", "expect.record_type", "expect.server"]
    );
    assert_eq!(fields(input("tls", "x:443", json!({"min_days": -1})).validate()), ["expect.min_days"]);
}

#[test]
fn tcp_tls_and_dns_targets() {
    assert_eq!(input("tcp", "10.0.0.5:3306", json!(null)).validate().unwrap().target, "10.0.0.5:3306");
    assert_eq!(input("tls", "www.ay.gov.cn", json!({})).validate().unwrap().target, "www.ay.gov.cn:443");
    assert_eq!(input("tcp", "[::1]:22", json!(null)).validate().unwrap().target, "[::1]:22");
    let d =
        input("dns", "WWW.AY.GOV.CN.", json!({"record_type": "aaaa", "answer": "240e::1", "server": "10.0.0.53:53"}))
            .validate()
            .unwrap();
    assert_eq!((d.target.as_str(), d.expect.record_type), ("www.ay.gov.cn", Some(RecordType::Aaaa)));
    let fast = MonitorInput { interval_seconds: Some(1), ..input("tcp", "a:1", json!(null)) }.validate().unwrap();
    assert_eq!(fast.timeout_ms, 1000, "the timeout defaults to the interval");
}

#[test]
fn down_after_n_failures_and_up_after_m_successes() {
    let mut t = Tracker::new(MonitorState::Unknown, 3, 2);
    assert_eq!(t.observe(true), Some(MonitorState::Up), "the first success is up at once");
    assert_eq!(t.observe(false), None);
    assert_eq!(t.observe(false), None);
    assert_eq!(t.observe(true), None, "a success resets the count");
    assert_eq!((t.observe(false), t.observe(false), t.observe(false)), (None, None, Some(MonitorState::Down)));
    assert_eq!(t.failures(), 3);
    assert_eq!(t.observe(true), None);
    assert_eq!(t.observe(false), None, "one success is not enough to come back");
    assert_eq!((t.observe(true), t.observe(true)), (None, Some(MonitorState::Up)));
    let mut new = Tracker::new(MonitorState::Unknown, 1, 1);
    assert_eq!(new.observe(false), Some(MonitorState::Down), "a new monitor that fails is down");
}

mod availability {
    use chrono::{DateTime, NaiveTime, TimeZone, Utc};

    use crate::monitoring::availability::{Interruption, Maintenance, Planned, compute, measured};
    use crate::tickets::{Cause, DEFAULT_COUNTED_CAUSES};

    /// Beijing wall time as an instant.
    fn bj(s: &str) -> DateTime<Utc> {
        let local = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        chrono_tz::Asia::Shanghai.from_local_datetime(&local).unwrap().with_timezone(&Utc)
    }

    fn cut(start: &str, end: Option<&str>, cause: Cause) -> Interruption {
        Interruption { start: bj(start), end: end.map(bj), cause, source: "官网 HTTP".into(), ticket_id: None }
    }

    #[test]
    fn half_an_hour_in_november_against_three_nines() {
        let (from, to) = (bj("2026-11-01 00:00"), bj("2026-12-01 00:00"));
        let a = compute(
            from,
            to,
            to,
            &[cut("2026-11-10 09:00", Some("2026-11-10 09:30"), Cause::Vendor)],
            &[],
            &DEFAULT_COUNTED_CAUSES,
            Some(0.999),
        );
        assert_eq!((a.downtime_seconds, a.excluded_seconds, a.elapsed_seconds), (1800, 0, 2_592_000));
        assert!((a.availability.unwrap() - (1.0 - 1800.0 / 2_592_000.0)).abs() < 1e-12);
        assert_eq!((a.budget_seconds, a.budget_left_seconds), (Some(2592), Some(792)));
        assert_eq!(a.interruptions[0].counted_seconds, 1800);
    }

    #[test]
    fn maintenance_and_excluded_causes_do_not_count() {
        let (from, to) = (bj("2026-11-01 00:00"), bj("2026-12-01 00:00"));
        // Sundays 02:00–04:00 Beijing time; 8 November 2026 is a Sunday.
        let weekly = Maintenance::Weekly {
            weekdays: vec![7],
            at: NaiveTime::from_hms_opt(2, 0, 0).unwrap(),
            minutes: 120,
            time_zone: "Asia/Shanghai".into(),
        };
        let cuts = [
            cut("2026-11-08 03:00", Some("2026-11-08 05:00"), Cause::Vendor), // 1 h inside the window
            cut("2026-11-12 10:00", Some("2026-11-12 11:00"), Cause::Carrier), // the carrier's line
            cut("2026-11-12 10:30", Some("2026-11-12 10:45"), Cause::Vendor), // overlaps it and counts
        ];
        let a = compute(from, to, to, &cuts, &[Planned::always(weekly)], &DEFAULT_COUNTED_CAUSES, Some(0.99));
        assert_eq!(a.downtime_seconds, 3600 + 900);
        assert_eq!(a.excluded_seconds, 3600 + 3600 - 900);
        assert_eq!(a.interruptions.iter().map(|i| i.counted_seconds).collect::<Vec<_>>(), [3600, 0, 900]);
        // A contract that counts carrier outages too.
        let all = compute(from, to, to, &cuts, &[], &[Cause::Vendor, Cause::Carrier], None);
        assert_eq!((all.downtime_seconds, all.excluded_seconds), (7200 + 3600, 0));
    }

    #[test]
    fn an_ongoing_interruption_runs_to_now_and_overlaps_merge() {
        let (from, to) = (bj("2026-11-01 00:00"), bj("2026-12-01 00:00"));
        let now = bj("2026-11-22 10:00");
        let cuts = [
            cut("2026-11-22 09:00", None, Cause::Unknown),
            cut("2026-11-22 09:30", Some("2026-11-22 09:40"), Cause::Vendor),
            cut("2026-10-31 23:00", Some("2026-11-01 01:00"), Cause::Vendor), // starts before the period
        ];
        let a = compute(from, to, now, &cuts, &[], &DEFAULT_COUNTED_CAUSES, None);
        assert_eq!(a.downtime_seconds, 3600 + 3600);
        assert_eq!(a.elapsed_seconds, (now - from).num_seconds());
        assert_eq!(a.interruptions[0].seconds, 3600, "clipped to the period");
        let none = compute(from, to, from, &[], &[], &DEFAULT_COUNTED_CAUSES, Some(0.995));
        assert_eq!(none.availability, Some(1.0), "compute alone cannot know nothing was measured");
    }

    #[test]
    fn a_period_is_measured_by_a_result_hour_or_an_interruption() {
        let (a, b) = (bj("2026-11-10 00:00"), bj("2026-11-11 00:00"));
        let hour = |s: &str| bj(s).timestamp() / 3600;
        assert!(!measured(a, b, &[], &[]), "no monitor, no alert, no ticket: no figure");
        assert!(measured(a, b, &[hour("2026-11-10 13:00")], &[]));
        assert!(measured(a, b, &[hour("2026-11-10 23:00")], &[]), "the last hour of the day");
        assert!(!measured(a, b, &[hour("2026-11-11 00:00"), hour("2026-11-09 23:00")], &[]), "hours either side");
        let ticket = cut("2026-11-09 22:00", Some("2026-11-10 01:00"), Cause::Vendor);
        assert!(measured(a, b, &[], &[ticket]), "an outage recorded on a ticket reaches into the day");
        let ended = cut("2026-11-09 22:00", Some("2026-11-10 00:00"), Cause::Vendor);
        assert!(!measured(a, b, &[], &[ended]), "ended as the day began");
        let ongoing = cut("2026-11-01 08:00", None, Cause::Unknown);
        assert!(measured(a, b, &[], &[ongoing]));
    }

    #[test]
    fn weekly_windows_follow_the_zone_and_skip_a_missing_local_time() {
        // 8 March 2026: New York springs forward at 02:00, so 02:30 does not exist that Sunday.
        let w = Maintenance::Weekly {
            weekdays: vec![7],
            at: NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
            minutes: 60,
            time_zone: "America/New_York".into(),
        };
        let from = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 3, 16, 0, 0, 0).unwrap();
        let starts: Vec<_> = w.windows(from, to).into_iter().map(|(s, _)| s).collect();
        assert_eq!(
            starts,
            [Utc.with_ymd_and_hms(2026, 3, 1, 7, 30, 0).unwrap(), Utc.with_ymd_and_hms(2026, 3, 15, 6, 30, 0).unwrap()]
        );
        let once = Maintenance::Once { start: from, end: from + chrono::Duration::hours(1) };
        assert_eq!(once.windows(to, to + chrono::Duration::days(1)), vec![]);
    }

    #[test]
    fn a_window_counts_only_while_it_was_in_effect() {
        let (from, to) = (bj("2026-11-01 00:00"), bj("2026-12-01 00:00"));
        // Every day 02:00–04:00, added on the 15th and ended on the 20th.
        let daily = Maintenance::Weekly {
            weekdays: (1..=7).collect(),
            at: NaiveTime::from_hms_opt(2, 0, 0).unwrap(),
            minutes: 120,
            time_zone: "Asia/Shanghai".into(),
        };
        let planned = Planned { window: daily, from: bj("2026-11-15 03:00"), until: Some(bj("2026-11-20 12:00")) };
        let spans = planned.spans(from, to);
        // Half of the 15th's window (it took effect at 03:00), then the 16th to the 20th.
        assert_eq!(spans.len(), 6);
        assert_eq!(spans[0], (bj("2026-11-15 03:00"), bj("2026-11-15 04:00")));
        assert_eq!(spans[5], (bj("2026-11-20 02:00"), bj("2026-11-20 04:00")));
        // An outage on the 10th is not excused by a window that did not exist yet.
        let cuts = [cut("2026-11-10 02:30", Some("2026-11-10 03:30"), Cause::Vendor)];
        let a = compute(from, to, to, &cuts, &[planned], &DEFAULT_COUNTED_CAUSES, None);
        assert_eq!(a.downtime_seconds, 3600);
    }
}
