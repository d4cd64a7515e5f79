use serde_json::json;

use super::spec::{Kind, MonitorInput, RecordType, StatusRange};
use super::state::{State, Tracker};

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
    assert_eq!(m.kind, Kind::Http);
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
    let mut t = Tracker::new(State::Unknown, 3, 2);
    assert_eq!(t.observe(true), Some(State::Up), "the first success is up at once");
    assert_eq!(t.observe(false), None);
    assert_eq!(t.observe(false), None);
    assert_eq!(t.observe(true), None, "a success resets the count");
    assert_eq!((t.observe(false), t.observe(false), t.observe(false)), (None, None, Some(State::Down)));
    assert_eq!(t.failures(), 3);
    assert_eq!(t.observe(true), None);
    assert_eq!(t.observe(false), None, "one success is not enough to come back");
    assert_eq!((t.observe(true), t.observe(true)), (None, Some(State::Up)));
    let mut new = Tracker::new(State::Unknown, 1, 1);
    assert_eq!(new.observe(false), Some(State::Down), "a new monitor that fails is down");
}
