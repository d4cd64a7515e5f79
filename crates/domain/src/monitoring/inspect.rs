//! What monitoring says about a checklist item, so an inspection reads it instead of asking the
//! inspector: `monitor:http` (is the site up, from the system's HTTP monitors) and `monitor:tls`
//! (days until its certificate expires, from its TLS monitors). Pure: the app gathers the
//! system's monitors as the inspector may see them, with their live state, and the system's
//! availability over the last 24 hours.
//!
//! How an item reads, by its result type:
//! - `monitor:http` — normal/abnormal: abnormal when any active HTTP monitor is down now; a
//!   number: the availability over the last 24 hours in percent, judged by the item's range
//!   (and abnormal when a monitor is down now); text: the summary.
//! - `monitor:tls` — a number: days left on the certificate that expires first, judged by the
//!   item's range; normal/abnormal: at least the monitor's `min_days` left. Either is abnormal
//!   when a certificate does not verify.
//!
//! A system without such a monitor, with every one switched off, or with none that has a verdict
//! (or a certificate) yet is not read: the inspector answers and the reason is kept.

use chrono::{DateTime, Utc};

use super::Monitor;
use super::spec::{DEFAULT_MIN_DAYS, MonitorKind};
use super::state::MonitorState;
use crate::Msg;
use crate::inspections::record::{AutoReading, AutoValue};
use crate::inspections::template::{Item, ResultType};

/// The source names checklist items use.
pub const HTTP: &str = "monitor:http";
pub const TLS: &str = "monitor:tls";

/// At most this many monitors are described in a result's note.
const SHOWN: usize = 5;

fn beijing(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Asia::Shanghai).format("%m-%d %H:%M").to_string()
}

/// The active monitors of `kind`, or why there is nothing to read; `what` names them.
fn active<'a>(monitors: &'a [Monitor], kind: MonitorKind, what: (&str, &str)) -> Result<Vec<&'a Monitor>, Msg> {
    let of_kind: Vec<&Monitor> = monitors.iter().filter(|m| m.kind == kind).collect();
    if of_kind.is_empty() {
        return Err(Msg::new(format!("该系统没有 {}", what.0), format!("the system has no {}", what.1)));
    }
    let on: Vec<&Monitor> = of_kind.into_iter().filter(|m| m.active).collect();
    if on.is_empty() {
        return Err(Msg::new(
            format!("该系统的 {}均已停用", what.0),
            format!("the system's {}s are all switched off", what.1),
        ));
    }
    Ok(on)
}

fn photo_unread() -> AutoReading {
    AutoReading::Unread(Msg::new("照片项不能自动读取", "a photo item cannot be read automatically"))
}

/// One monitor in words: its state since when, and its latest check.
fn describe(m: &Monitor) -> String {
    let state = match m.state {
        MonitorState::Up => "正常",
        MonitorState::Down => "异常",
        MonitorState::Unknown => "尚无结论",
    };
    let mut s = format!("{}：{state}", m.name);
    if let (Some(since), MonitorState::Up | MonitorState::Down) = (m.state_since, m.state) {
        s.push_str(&format!("（自 {}）", beijing(since)));
    }
    if let Some(at) = m.last_checked_at {
        let outcome = match (m.last_ok, m.last_error.as_deref()) {
            (Some(true), _) => "成功".to_string(),
            (_, Some(e)) => format!("失败 {e}"),
            _ => "失败".to_string(),
        };
        s.push_str(&format!("，最近检查 {} {outcome}", beijing(at)));
        if let Some(ms) = m.last_latency_ms {
            s.push_str(&format!(" {ms} ms"));
        }
    }
    s
}

fn listed(parts: impl Iterator<Item = String>, total: usize) -> String {
    let mut out: Vec<String> = parts.take(SHOWN).collect();
    if total > SHOWN {
        out.push(format!("另有 {} 个", total - SHOWN));
    }
    out.join("；")
}

/// `monitor:http` for `item`: the system's HTTP monitors (others are ignored) and its
/// availability over the last 24 hours (0–1), when known.
pub fn read_http(item: &Item, monitors: &[Monitor], availability_24h: Option<f64>) -> AutoReading {
    let on = match active(monitors, MonitorKind::Http, ("HTTP 监控", "HTTP monitor")) {
        Ok(on) => on,
        Err(why) => return AutoReading::Unread(why),
    };
    if on.iter().all(|m| m.state == MonitorState::Unknown) {
        return AutoReading::Unread(Msg::new(
            "HTTP 监控尚无结论（尚未检查或刚修改）",
            "the HTTP monitors have no verdict yet (not checked, or just changed)",
        ));
    }
    let down = on.iter().filter(|m| m.state == MonitorState::Down).count();
    let percent = availability_24h.map(|a| (a * 10_000.0).round() / 100.0);
    let mut detail = match down {
        0 => format!("HTTP 监控 {} 个均正常", on.len()),
        n => format!("HTTP 监控 {} 个中 {n} 个异常", on.len()),
    };
    if let Some(p) = percent {
        detail.push_str(&format!("，近 24 小时可用率 {p}%"));
    }
    // The monitors that are down first: they are what the record is about.
    let mut ordered = on.clone();
    ordered.sort_by_key(|m| m.state != MonitorState::Down);
    detail.push_str(&format!("。{}", listed(ordered.iter().map(|m| describe(m)), ordered.len())));
    let fault = down > 0;
    let value = match item.result_type {
        ResultType::NormalAbnormal => AutoValue::Normal(!fault),
        ResultType::Number => match percent {
            Some(p) => AutoValue::Number(p),
            None => {
                return AutoReading::Unread(Msg::new(
                    "该系统的可用率无法计算",
                    "the system's availability could not be computed",
                ));
            }
        },
        ResultType::Text => AutoValue::Text(detail.clone()),
        ResultType::Photo => return photo_unread(),
    };
    AutoReading::Read { value, fault, detail }
}

/// `monitor:tls` for `item` at `now`: the system's TLS monitors (others are ignored) and the
/// certificates they last saw.
pub fn read_tls(item: &Item, monitors: &[Monitor], now: DateTime<Utc>) -> AutoReading {
    let on = match active(monitors, MonitorKind::Tls, ("TLS 证书监控", "TLS certificate monitor")) {
        Ok(on) => on,
        Err(why) => return AutoReading::Unread(why),
    };
    let mut seen: Vec<(&Monitor, &super::MonitorCertificate, i64)> = on
        .iter()
        .filter_map(|m| m.cert.as_ref().map(|c| (*m, c, (c.not_after - now).num_seconds().div_euclid(86_400))))
        .collect();
    if seen.is_empty() {
        return AutoReading::Unread(Msg::new(
            "TLS 证书监控尚未读到证书",
            "the TLS certificate monitors have not read a certificate yet",
        ));
    }
    seen.sort_by_key(|(_, _, days)| *days);
    let (_, _, days) = seen[0];
    let untrusted = seen.iter().any(|(_, c, _)| c.chain_error.is_some());
    let enough = seen.iter().all(|(m, _, d)| *d >= i64::from(m.expect.min_days.unwrap_or(DEFAULT_MIN_DAYS)));
    let parts = seen.iter().map(|(m, c, d)| {
        let mut s = format!("{}：", m.name);
        if let Some(subject) = &c.subject {
            s.push_str(&format!("{subject} "));
        }
        s.push_str(&format!(
            "{} 到期（{}）",
            c.not_after.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d"),
            if *d >= 0 { format!("剩余 {d} 天") } else { format!("已过期 {} 天", -d) }
        ));
        if let Some(issuer) = &c.issuer {
            s.push_str(&format!("，签发者 {issuer}"));
        }
        if let Some(e) = &c.chain_error {
            s.push_str(&format!("，证书链校验失败：{e}"));
        }
        s
    });
    let detail = format!("证书最早 {days} 天后到期。{}", listed(parts, seen.len()));
    let value = match item.result_type {
        ResultType::Number => AutoValue::Number(days as f64),
        ResultType::NormalAbnormal => AutoValue::Normal(enough),
        ResultType::Text => AutoValue::Text(detail.clone()),
        ResultType::Photo => return photo_unread(),
    };
    AutoReading::Read { value, fault: untrusted, detail }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::inspections::builtin::BUILTINS;
    use crate::monitoring::MonitorCertificate;
    use crate::monitoring::spec::Expect;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
    }

    fn monitor(name: &str, kind: MonitorKind, state: MonitorState) -> Monitor {
        Monitor {
            id: name.into(),
            system_id: "sys".into(),
            unit_id: "unit".into(),
            name: name.into(),
            kind,
            target: "https://www.ay.gov.cn/".into(),
            interval_seconds: 60,
            timeout_ms: 10_000,
            failures_before_down: 3,
            successes_before_up: 1,
            expect: Expect::default(),
            active: true,
            restricted: false,
            state,
            state_since: Some(now() - Duration::hours(3)),
            last_checked_at: (state != MonitorState::Unknown).then(|| now() - Duration::seconds(30)),
            last_ok: (state != MonitorState::Unknown).then_some(state == MonitorState::Up),
            last_latency_ms: Some(85),
            last_error: (state == MonitorState::Down).then(|| "status 503".into()),
            cert: None,
            created_at: now() - Duration::days(30),
            updated_at: now() - Duration::days(30),
        }
    }

    /// The website checklist's items: reachable (normal/abnormal) and certificate days (≥ 30).
    fn website(n: usize) -> Item {
        BUILTINS.iter().find(|b| b.id == "builtin-website").unwrap().items().remove(n)
    }

    fn unread(r: AutoReading) -> String {
        match r {
            AutoReading::Unread(why) => why.zh,
            other => panic!("read: {other:?}"),
        }
    }

    #[test]
    fn the_website_is_reachable_when_every_active_http_monitor_is_up() {
        let item = website(0);
        assert_eq!(item.source.as_deref(), Some(HTTP));
        let up = monitor("官网首页", MonitorKind::Http, MonitorState::Up);
        let tcp_down = monitor("数据库端口", MonitorKind::Tcp, MonitorState::Down);
        match read_http(&item, &[up.clone(), tcp_down], Some(0.99954)) {
            AutoReading::Read { value, fault, detail } => {
                assert_eq!((value, fault), (AutoValue::Normal(true), false), "other kinds do not count");
                assert!(detail.contains("近 24 小时可用率 99.95%"), "{detail}");
                assert!(
                    detail.contains("官网首页：正常（自 03-02 07:00），最近检查 03-02 09:59 成功 85 ms"),
                    "{detail}"
                );
            }
            other => panic!("{other:?}"),
        }
        let down = monitor("栏目页", MonitorKind::Http, MonitorState::Down);
        let unknown = monitor("新监控", MonitorKind::Http, MonitorState::Unknown);
        match read_http(&item, &[up.clone(), unknown.clone(), down], Some(0.9)) {
            AutoReading::Read { value, fault, detail } => {
                assert_eq!((value, fault), (AutoValue::Normal(false), true));
                assert!(detail.starts_with("HTTP 监控 3 个中 1 个异常"), "{detail}");
                assert!(
                    detail.contains("。栏目页：异常（自 03-02 07:00），最近检查 03-02 09:59 失败 status 503"),
                    "{detail}"
                );
            }
            other => panic!("{other:?}"),
        }
        // A number item reads the availability, judged by its range.
        let pct = Item { result_type: ResultType::Number, min: Some(99.9), ..item.clone() };
        let r = read_http(&pct, std::slice::from_ref(&up), Some(0.9995));
        assert!(
            matches!(r, AutoReading::Read { value: AutoValue::Number(x), fault: false, .. } if x == 99.95),
            "{r:?}"
        );
        let r = read_http(&pct, &[up], None);
        assert_eq!(unread(r), "该系统的可用率无法计算");
        // Nothing to read is said, never taken as normal.
        assert_eq!(unread(read_http(&item, &[], Some(1.0))), "该系统没有 HTTP 监控");
        let off = Monitor { active: false, ..monitor("停用", MonitorKind::Http, MonitorState::Up) };
        assert_eq!(unread(read_http(&item, &[off], Some(1.0))), "该系统的 HTTP 监控均已停用");
        assert!(unread(read_http(&item, &[unknown], Some(1.0))).starts_with("HTTP 监控尚无结论"));
    }

    #[test]
    fn certificate_days_come_from_the_certificate_that_expires_first() {
        let item = website(4);
        assert_eq!((item.source.as_deref(), item.min), (Some(TLS), Some(30.0)));
        let cert = |name: &str, days: i64, chain_error: Option<&str>| Monitor {
            cert: Some(MonitorCertificate {
                not_after: now() + Duration::days(days) + Duration::hours(1),
                issuer: Some("CN=Test CA".into()),
                subject: Some("CN=www.ay.gov.cn".into()),
                chain_error: chain_error.map(Into::into),
            }),
            ..monitor(name, MonitorKind::Tls, MonitorState::Up)
        };
        match read_tls(&item, &[cert("主站", 200, None), cert("备站", 20, None)], now()) {
            AutoReading::Read { value, fault, detail } => {
                assert_eq!((value, fault), (AutoValue::Number(20.0), false));
                assert!(
                    detail.starts_with("证书最早 20 天后到期。备站：CN=www.ay.gov.cn 2026-03-22 到期（剩余 20 天）"),
                    "{detail}"
                );
            }
            other => panic!("{other:?}"),
        }
        // An untrusted certificate is abnormal however long it runs.
        let r = read_tls(&item, &[cert("自签", 300, Some("UnknownIssuer"))], now());
        assert!(
            matches!(&r, AutoReading::Read { value: AutoValue::Number(x), fault: true, detail }
            if *x == 300.0 && detail.contains("证书链校验失败：UnknownIssuer")),
            "{r:?}"
        );
        let expired = read_tls(&item, &[cert("过期", -3, None)], now());
        assert!(
            matches!(&expired, AutoReading::Read { value: AutoValue::Number(x), detail, .. }
            if *x == -3.0 && detail.contains("已过期 3 天")),
            "{expired:?}"
        );
        // Normal/abnormal: at least the monitor's own min_days (14 by default).
        let na = Item { result_type: ResultType::NormalAbnormal, min: None, ..item.clone() };
        assert!(matches!(
            read_tls(&na, &[cert("a", 20, None)], now()),
            AutoReading::Read { value: AutoValue::Normal(true), .. }
        ));
        assert!(matches!(
            read_tls(&na, &[cert("a", 10, None)], now()),
            AutoReading::Read { value: AutoValue::Normal(false), .. }
        ));
        // No TLS monitor, or none has seen a certificate: the inspector answers.
        let http = monitor("官网首页", MonitorKind::Http, MonitorState::Up);
        assert_eq!(unread(read_tls(&item, &[http], now())), "该系统没有 TLS 证书监控");
        let blank = monitor("未检查", MonitorKind::Tls, MonitorState::Unknown);
        assert_eq!(unread(read_tls(&item, &[blank], now())), "TLS 证书监控尚未读到证书");
    }
}
