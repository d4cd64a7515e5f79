use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::monitoring::spec::MonitorInput;

fn ip(s: &str) -> IpAddr {
    s.parse().expect("test address")
}

fn reach() -> Reach {
    Reach::parse("allowlist", &["10.2.0.0/16", "10.0.0.1", "2001:db8::/32", "zw.anyang.gov.cn", "*.ay.gov.cn."])
        .expect("valid entries")
}

fn spec(kind: &str, target: &str, expect: Value) -> MonitorSpec {
    MonitorInput {
        system_id: Some("sys".into()),
        kind: Some(kind.into()),
        target: Some(target.into()),
        expect: Some(expect),
        ..Default::default()
    }
    .validate()
    .expect("valid monitor")
}

fn http(target: &str) -> MonitorSpec {
    spec("http", target, Value::Null)
}

/// The English message of the refusal, or "ok".
fn verdict(r: &Reach, s: &MonitorSpec) -> String {
    match r.check_spec(s) {
        Ok(()) => "ok".into(),
        Err(e) => format!("{}: {}", e.field, e.msg.en),
    }
}

const REFUSED: &str = "target: loopback, link-local, multicast and cloud metadata addresses cannot be monitored";
const BAD_HOST: &str = "target: the host must be a dotted-quad IP (e.g. 10.0.0.1), an IPv6 address or a domain name";
const OUTSIDE_ADDR: &str = "target: the address is outside the system's registered addresses and the allowed networks";
const OUTSIDE_NAME: &str = "target: the name is outside the system's registered domains and the allowed domains";

#[test]
fn forbidden_addresses_in_every_spelling() {
    for s in [
        "127.0.0.1",
        "127.255.255.254",
        "0.0.0.0",
        "0.1.2.3",
        "169.254.169.254",
        "169.254.1.1",
        "224.0.0.1",
        "239.255.255.250",
        "255.255.255.255",
        "100.100.100.200",
        "::1",
        "::",
        "fe80::1",
        "febf:ffff::1",
        "ff02::1",
        "fd00:ec2::254",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:100.100.100.200",
        "::ffff:0.0.0.0",
        "::127.0.0.1",
        "::169.254.169.254",
        "::ffff:0:127.0.0.1",
        "64:ff9b::a9fe:a9fe",
        "64:ff9b::7f00:1",
    ] {
        assert!(forbidden(ip(s)), "{s} is forbidden");
    }
    for s in [
        "10.0.0.1",
        "100.100.100.201",
        "8.8.8.8",
        "172.16.0.1",
        "192.168.1.1",
        "169.253.255.255",
        "169.255.0.0",
        "1.0.0.0",
        "126.255.255.255",
        "128.0.0.0",
        "223.255.255.255",
        "2001:db8::1",
        "fec0::1",
        "fd00:ec2::253",
        "::ffff:10.2.3.4",
        "64:ff9b::808:808",
    ] {
        assert!(!forbidden(ip(s)), "{s} is not forbidden");
    }
}

#[test]
fn addresses_must_be_inside_an_allowed_network() {
    let r = reach();
    for (s, ok) in [
        ("10.2.3.4", true),
        ("10.2.255.255", true),
        ("10.3.0.1", false),
        ("10.0.0.1", true),
        ("10.0.0.2", false),
        ("::ffff:10.2.3.4", true),
        ("2001:db8::5", true),
        ("2001:db9::5", false),
        ("127.0.0.1", false),
    ] {
        assert_eq!(r.allows_addr(ip(s)), ok, "{s}");
    }
    let everything = Reach::parse("allowlist", &["0.0.0.0/0", "::/0"]).expect("valid");
    assert!(everything.allows_addr(ip("8.8.8.8")) && everything.allows_addr(ip("2001:db8::1")));
    for s in ["127.0.0.1", "::ffff:127.0.0.1", "fe80::1", "169.254.169.254", "100.100.100.200", "::", "0.0.0.0"] {
        assert!(!everything.allows_addr(ip(s)), "forbidden wins over 0.0.0.0/0: {s}");
        assert!(everything.forbids(ip(s)));
    }
}

#[test]
fn names_match_whole_labels_ignoring_case_and_a_trailing_dot() {
    let r = reach();
    for (name, ok) in [
        ("zw.anyang.gov.cn", true),
        ("ZW.Anyang.GOV.cn.", true),
        ("a.b.zw.anyang.gov.cn", true),
        ("xzw.anyang.gov.cn", false),
        ("anyang.gov.cn", false),
        ("ay.gov.cn", true),
        ("www.ay.gov.cn", true),
        ("evil-ay.gov.cn", false),
        ("ay.gov.cn.evil.com", false),
        ("zw.anyang.gov.cn..", false),
        ("10.2.3.4", false),
        ("", false),
        ("www.ay.gov.cn/x", false),
    ] {
        assert_eq!(r.allows_name(name), ok, "{name}");
    }
}

#[test]
fn entries_are_read_as_people_write_them() {
    let r = Reach::parse("allowlist", &[" 10.2.3.4/16 ", "2001:DB8::/32", "*.Gov.CN", "localhost", "安阳.gov.cn"])
        .expect("valid");
    assert_eq!(r.networks(), [ip_net("10.2.0.0/16"), ip_net("2001:db8::/32")]);
    assert_eq!(r.domains(), ["gov.cn", "localhost", "xn--49s287k.gov.cn"]);
    assert!(r.allows_name("www.gov.cn"));
    assert_eq!(verdict(&r, &http("http://安阳.gov.cn/")), "ok");

    let bad = ["10.2.0.0/33", "", "foo bar", "127.0.0.1", "169.254.169.254", "127.0.0.0/8", "0x7f.1", "2130706433"];
    let bad = bad.into_iter().chain(["*.", "a..b", "::ffff:127.0.0.1", "fe80::/64", "http://x.cn", "a.b/c"]);
    let bad: Vec<&str> = bad.collect();
    let errors = Reach::parse("allowlist", &bad).expect_err("all bad");
    let fields: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
    let want: Vec<String> = (0..bad.len()).map(|i| format!("allowlist[{i}]")).collect();
    assert_eq!(fields, want);
    assert!(errors[0].msg.zh.starts_with("应为 IP"), "{:?}", errors[0]);
    assert!(errors[3].msg.zh.contains("始终禁止"), "{:?}", errors[3]);
    assert!(errors[5].msg.en.contains("always refused"), "127.0.0.0/8 allows nothing: {:?}", errors[5]);

    let merged = reach().merge(Reach::parse("bureau", &["192.168.0.0/24", "ay.gov.cn"]).expect("valid"));
    assert!(merged.allows_addr(ip("192.168.0.9")) && merged.allows_addr(ip("10.2.0.1")));
    assert_eq!(merged.domains(), ["ay.gov.cn", "zw.anyang.gov.cn"]);
}

fn ip_net(s: &str) -> IpNet {
    s.parse().expect("test network")
}

#[test]
fn http_targets_are_judged_by_the_host_the_client_will_read() {
    let r = reach();
    for (target, want) in [
        ("http://127.0.0.1:8080/", REFUSED),
        ("http://[::1]/", REFUSED),
        ("http://[::]/", REFUSED),
        ("http://169.254.169.254/latest/meta-data", REFUSED),
        ("http://[::ffff:127.0.0.1]/", REFUSED),
        ("http://[::ffff:a9fe:a9fe]/", REFUSED),
        ("http://[fd00:ec2::254]/latest/meta-data", REFUSED),
        ("http://100.100.100.200/latest/meta-data", REFUSED),
        ("http://0.0.0.0/", REFUSED),
        ("http://10.2.0.9@127.0.0.1/", REFUSED),
        ("http://2130706433/", BAD_HOST),
        ("http://0x7f.1/", BAD_HOST),
        ("http://0x7f000001/", BAD_HOST),
        ("http://127.1/", BAD_HOST),
        ("http://0177.0.0.1/", BAD_HOST),
        ("http://%31%32%37.0.0.1/", BAD_HOST),
        ("http://１２７.０.０.１/", BAD_HOST),
        ("http://167903745/", BAD_HOST), // 10.2.0.1, allowed, but not as people write it
        ("http://10.2.0.1./", BAD_HOST),
        ("http://10.9.9.9/", OUTSIDE_ADDR),
        ("http://www.example.com/", OUTSIDE_NAME),
        ("http://localhost:8080/", OUTSIDE_NAME),
        ("http://127.0.0.1.nip.io/", OUTSIDE_NAME),
        ("http://user@10.2.0.9/", "ok"),
        ("http://user:p%40ss@10.2.0.9:8080/x", "ok"),
        ("http://a@127.0.0.1:80@10.2.0.9/", "ok"),
        ("http://10.2.0.1/", "ok"),
        ("HTTP://ZW.ANYANG.GOV.CN./path?q=1", "ok"),
        ("https://www.ay.gov.cn/", "ok"),
        ("http://[2001:db8::1]:8443/", "ok"),
        ("http://[::ffff:10.2.0.1]/", "ok"),
    ] {
        assert_eq!(verdict(&r, &http(target)), want, "{target}");
    }
    let mut ftp = http("http://10.2.0.1/");
    ftp.target = "ftp://10.2.0.1/".into();
    assert!(r.check_spec(&ftp).is_err());
    assert!(r.check_spec(&http("http://[fe80::1%25eth0]/")).is_err());
}

#[test]
fn tcp_and_tls_targets() {
    let r = reach();
    for (kind, target, want) in [
        ("tcp", "10.2.3.4:3306", "ok"),
        ("tcp", "db.ay.gov.cn:5432", "ok"),
        ("tcp", "DB.AY.GOV.CN.:5432", "ok"),
        ("tcp", "[2001:db8::7]:22", "ok"),
        ("tcp", "127.0.0.1:22", REFUSED),
        ("tcp", "[::1]:22", REFUSED),
        ("tcp", "::1:22", REFUSED),
        ("tcp", "[::ffff:127.0.0.1]:6379", REFUSED),
        ("tcp", "0.0.0.0:22", REFUSED),
        ("tcp", "2130706433:80", BAD_HOST),
        ("tcp", "0x7f.1:80", BAD_HOST),
        ("tcp", "0:80", BAD_HOST),
        ("tcp", "10.9.0.1:22", OUTSIDE_ADDR),
        ("tcp", "localhost:22", OUTSIDE_NAME),
        ("tls", "zw.anyang.gov.cn", "ok"),
        ("tls", "10.2.0.5:8443", "ok"),
        ("tls", "169.254.169.254:443", REFUSED),
        ("tls", "www.baidu.com", OUTSIDE_NAME),
    ] {
        assert_eq!(verdict(&r, &spec(kind, target, Value::Null)), want, "{kind} {target}");
    }
}

#[test]
fn dns_monitors_check_their_server_and_name() {
    let r = reach();
    let dns = |target: &str, expect: Value| spec("dns", target, expect);
    assert_eq!(verdict(&r, &dns("www.ay.gov.cn", json!({"server": "10.2.0.53"}))), "ok");
    assert_eq!(verdict(&r, &dns("www.ay.gov.cn", json!({"server": "[2001:db8::53]:5353"}))), "ok");
    let e = r.check_spec(&dns("www.ay.gov.cn", json!({"server": "127.0.0.1:5353"}))).expect_err("loopback");
    assert_eq!(e.field, "expect.server");
    let e = r.check_spec(&dns("www.ay.gov.cn", json!({"server": "8.8.8.8"}))).expect_err("outside");
    assert_eq!((e.field.as_str(), e.msg.zh.as_str()), ("expect.server", "地址不在本系统登记的地址或允许的网络内"));
    assert_eq!(verdict(&r, &dns("internal.corp", json!({}))), OUTSIDE_NAME);
    assert_eq!(verdict(&r, &dns("1.2.3.4", json!({}))), BAD_HOST);

    // A name outside the allowed domains, judged by what it resolves to.
    let a = dns("internal.corp", json!({"record_type": "A"}));
    assert_eq!(r.names_to_resolve(&a), ["internal.corp"]);
    let with = |addrs: &[&str]| BTreeMap::from([("internal.corp".to_string(), addrs.iter().map(|s| ip(s)).collect())]);
    assert!(r.check_spec_resolved(&a, &with(&["10.2.0.7", "2001:db8::7"])).is_ok());
    for addrs in [&["10.2.0.7", "127.0.0.1"][..], &["10.9.0.1"], &[]] {
        let e = r.check_spec_resolved(&a, &with(addrs)).expect_err("refused");
        assert!(!e.msg.en.contains("127.0.0.1") && !e.msg.en.contains("10.9"), "the answer is not told: {e:?}");
    }
    // TXT answers are not addresses: the name must be an allowed domain.
    let txt = dns("internal.corp", json!({"record_type": "TXT"}));
    assert!(r.names_to_resolve(&txt).is_empty());
    assert_eq!(r.check_spec_resolved(&txt, &with(&["10.2.0.7"])).map_err(|e| e.msg.en), Err(OUTSIDE_NAME[8..].into()));
}

#[test]
fn names_resolved_by_the_caller() {
    let r = reach();
    let s = http("http://portal.example.com:8080/");
    assert_eq!(r.names_to_resolve(&s), ["portal.example.com"]);
    assert!(r.names_to_resolve(&http("http://www.ay.gov.cn/")).is_empty(), "allowed by name: nothing to resolve");
    assert!(r.names_to_resolve(&http("http://10.2.0.1/")).is_empty());
    let resolved = |a: &str| BTreeMap::from([("portal.example.com".to_string(), vec![ip(a)])]);
    assert!(r.check_spec_resolved(&s, &resolved("10.2.8.8")).is_ok());
    assert!(r.check_spec_resolved(&s, &resolved("::ffff:10.2.8.8")).is_ok());
    assert!(r.check_spec_resolved(&s, &resolved("127.0.0.1")).is_err());
    assert!(r.check_spec_resolved(&s, &resolved("169.254.169.254")).is_err());
    assert!(r.check_spec_resolved(&s, &BTreeMap::new()).is_err());
    let tcp = spec("tcp", "Cache.Example.COM.:6379", Value::Null);
    assert_eq!(r.names_to_resolve(&tcp), ["cache.example.com"]);
}

#[test]
fn a_test_may_open_one_loopback_network_and_nothing_else() {
    let r = Reach::default()
        .allowing_loopback_for_tests(ip_net("127.0.0.2/32"))
        .allowing_loopback_for_tests(ip_net("169.254.169.254/32"))
        .allowing_loopback_for_tests(ip_net("0.0.0.0/0"));
    assert!(r.allows_addr(ip("127.0.0.2")) && !r.forbids(ip("127.0.0.2")));
    assert!(r.allows_addr(ip("::ffff:127.0.0.2")));
    for s in ["127.0.0.1", "::1", "169.254.169.254", "10.0.0.1", "0.0.0.0"] {
        assert!(!r.allows_addr(ip(s)), "{s}");
    }
    assert!(Reach::parse("allowlist", &["127.0.0.2"]).is_err(), "entries never open loopback");
}

/// The rule written as a list of networks, to check the bit arithmetic against.
fn forbidden_reference(ip: IpAddr) -> bool {
    let v4 = match ip {
        IpAddr::V4(v4) => Some(v4),
        IpAddr::V6(v6) => {
            let prefixes = ["::ffff:0.0.0.0/96", "::/96", "::ffff:0:0.0.0.0/96", "64:ff9b::/96"];
            prefixes.iter().any(|p| ip_net(p).contains(&ip)).then(|| {
                let o = v6.octets();
                Ipv4Addr::new(o[12], o[13], o[14], o[15])
            })
        }
    };
    let nets: &[&str] = match v4 {
        Some(_) => {
            &["0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "255.255.255.255/32", "100.100.100.200/32"]
        }
        None => &["::/128", "::1/128", "fe80::/10", "ff00::/8", "fd00:ec2::254/128"],
    };
    let ip = v4.map_or(ip, IpAddr::V4);
    nets.iter().any(|n| ip_net(n).contains(&ip))
}

proptest! {
    #[test]
    fn forbidden_matches_the_reference(a in any::<u32>(), hi in any::<u64>(), lo in any::<u64>(), form in 0u8..6) {
        let v4 = Ipv4Addr::from(a);
        let ip = match form {
            0 => IpAddr::V4(v4),
            1 => IpAddr::V6(v4.to_ipv6_mapped()),
            2 => IpAddr::V6(v4.to_ipv6_compatible()),
            3 => IpAddr::V6(std::net::Ipv6Addr::from((0x64_ff9b_u128 << 96) | u128::from(a))),
            4 => IpAddr::V6(std::net::Ipv6Addr::from((u128::from(hi) << 64) | u128::from(lo))),
            _ => IpAddr::V6(std::net::Ipv6Addr::from((0xfe80_u128 << 112) | u128::from(lo))),
        };
        prop_assert_eq!(forbidden(ip), forbidden_reference(ip));
        let r = Reach::parse("n", &["0.0.0.0/0", "::/0"]).expect("valid");
        prop_assert_eq!(r.allows_addr(ip), !forbidden(ip));
    }
}
