//! A monitor as the API receives it (`MonitorInput`) and as the probe runs it (`MonitorSpec`).
//! Every field is checked here, with errors that name it (`expect.status[1]`, `target`, …).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::FieldError;
use crate::error::Checker;

text_enum!(
    /// What a monitor checks.
    MonitorKind {
        Http = "http" / "HTTP(S)" / "HTTP(S)",
        Tcp = "tcp" / "TCP 端口" / "TCP port",
        Dns = "dns" / "DNS 解析" / "DNS resolution",
        Tls = "tls" / "TLS 证书" / "TLS certificate",
    }
);

text_enum!(
    /// A DNS record type a monitor may ask for.
    RecordType {
        A = "A" / "A" / "A",
        Aaaa = "AAAA" / "AAAA" / "AAAA",
        Cname = "CNAME" / "CNAME" / "CNAME",
        Mx = "MX" / "MX" / "MX",
        Txt = "TXT" / "TXT" / "TXT",
    }
);

pub const MIN_INTERVAL_SECONDS: u32 = 1;
pub const MAX_INTERVAL_SECONDS: u32 = 86_400;
pub const DEFAULT_INTERVAL_SECONDS: u32 = 60;
pub const MAX_TIMEOUT_MS: u32 = 60_000;
/// Days before a certificate's expiry at which a TLS monitor fails, unless told otherwise.
pub const DEFAULT_MIN_DAYS: u32 = 14;
const HTTP_METHODS: [&str; 6] = ["GET", "HEAD", "POST", "PUT", "OPTIONS", "PATCH"];
/// What a saved header value reads as: request headers often hold credentials
/// (`Authorization`), so nobody sees them again after saving. Sent back unchanged, it keeps the
/// stored value. Not ASCII, so it can never be a real header value.
pub const SECRET_MASK: &str = "••••••";

/// A monitor as sent by the API.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct MonitorInput {
    pub system_id: Option<String>,
    pub name: Option<String>,
    /// `http`, `tcp`, `dns` or `tls`.
    pub kind: Option<String>,
    /// http: the URL; tcp and tls: `host:port` (tls defaults to port 443); dns: the name.
    pub target: Option<String>,
    /// 1–86,400 (default 60).
    pub interval_seconds: Option<u32>,
    /// 100–60,000 (default the interval, at most 10,000).
    pub timeout_ms: Option<u32>,
    /// Consecutive failures before the monitor is down (default 3).
    pub failures_before_down: Option<u32>,
    /// Consecutive successes before a down monitor is up again (default 1).
    pub successes_before_up: Option<u32>,
    /// Per kind. http: `method`, `headers` {name: value}, `status` [200, "200-299"], `keyword`,
    /// `regex`, `max_latency_ms`. dns: `record_type` (A, AAAA, CNAME, MX, TXT), `answer`,
    /// `server` (`ip:port`). tls: `min_days` (default 14), `issuer` (text the issuer must contain).
    #[schema(value_type = Object)]
    pub expect: Option<Value>,
    pub active: Option<bool>,
    /// Why, when the change goes to the bureau for approval (vendor staff).
    pub reason: Option<String>,
}

/// A status code range, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatusRange {
    pub from: u16,
    pub to: u16,
}

/// What the check must see, by kind; fields of other kinds are absent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = MonitorExpect)]
pub struct Expect {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub headers: std::collections::BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status: Vec<StatusRange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_latency_ms: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_type: Option<RecordType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

impl Expect {
    /// The same with every header value replaced by `SECRET_MASK`, for everything that is shown
    /// or recorded (answers, the audit trail, approval requests).
    pub fn masked(&self) -> Expect {
        Expect { headers: self.headers.keys().map(|k| (k.clone(), SECRET_MASK.to_string())).collect(), ..self.clone() }
    }

    /// Puts the stored values back where the client sent `SECRET_MASK` ("unchanged"); a masked
    /// header with nothing stored under its name must be typed again.
    pub fn keep_secrets(&mut self, stored: &std::collections::BTreeMap<String, String>) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        for (k, v) in self.headers.iter_mut() {
            if v == SECRET_MASK {
                match stored.get(k) {
                    Some(s) => *v = s.clone(),
                    None => errors.push(FieldError::new(
                        format!("expect.headers.{k}"),
                        "请重新填写该请求头的值",
                        "type this header's value again",
                    )),
                }
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// Status codes that count as up: the given ranges, or 200–399.
    pub fn status_ok(&self, code: u16) -> bool {
        if self.status.is_empty() {
            (200..400).contains(&code)
        } else {
            self.status.iter().any(|r| (r.from..=r.to).contains(&code))
        }
    }
}

/// A checked monitor, ready to run and to store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitorSpec {
    pub system_id: String,
    pub name: String,
    pub kind: MonitorKind,
    pub target: String,
    pub interval_seconds: u32,
    pub timeout_ms: u32,
    pub failures_before_down: u32,
    pub successes_before_up: u32,
    pub expect: Expect,
    pub active: bool,
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn bounded(c: &mut Checker, field: &str, v: Option<u32>, lo: u32, hi: u32, default: u32) -> u32 {
    match v {
        None => default,
        Some(n) if (lo..=hi).contains(&n) => n,
        Some(_) => {
            c.push(FieldError::new(field, format!("应为 {lo}–{hi}"), format!("must be from {lo} to {hi}")));
            default
        }
    }
}

/// `host:port` with a port, or a bare host when `default_port` is given.
fn host_port(c: &mut Checker, target: &str, default_port: Option<u16>) -> String {
    let (host, port) = match target.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') || h.starts_with('[') => (h, Some(p)),
        _ => (target, None),
    };
    let port = match port {
        Some(p) => p.parse::<u16>().ok().filter(|p| *p > 0),
        None => default_port,
    };
    let host_ok = !host.is_empty() && !host.contains(['/', ' ', '?', '#', '@']);
    match port {
        Some(p) if host_ok => format!("{host}:{p}"),
        _ => {
            c.push(FieldError::new(
                "target",
                "应为 主机:端口，如 10.0.0.5:3306",
                "must be host:port, e.g. 10.0.0.5:3306",
            ));
            target.to_string()
        }
    }
}

fn status_ranges(c: &mut Checker, v: &Value) -> Vec<StatusRange> {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let range = match item {
            Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()).map(|n| (n, n)),
            Value::String(s) => match s.trim().split_once('-') {
                Some((a, b)) => a.trim().parse().ok().zip(b.trim().parse().ok()),
                None => s.trim().parse().ok().map(|n| (n, n)),
            },
            _ => None,
        };
        match range {
            Some((from, to)) if (100..=599).contains(&from) && (from..=599).contains(&to) => {
                out.push(StatusRange { from, to })
            }
            _ => c.push(FieldError::new(
                format!("expect.status[{i}]"),
                "应为 100–599 的状态码或范围，如 200 或 \"200-299\"",
                "must be a status code or range from 100 to 599, e.g. 200 or \"200-299\"",
            )),
        }
    }
    out
}

fn expect(c: &mut Checker, kind: MonitorKind, v: Option<&Value>) -> Expect {
    let mut e = Expect::default();
    let Some(v) = v.filter(|v| !v.is_null()) else { return e };
    let Some(o) = v.as_object() else {
        c.push(FieldError::new("expect", "应为对象", "must be an object"));
        return e;
    };
    let allowed: &[&str] = match kind {
        MonitorKind::Http => &["method", "headers", "status", "keyword", "regex", "max_latency_ms"],
        MonitorKind::Tcp => &[],
        MonitorKind::Dns => &["record_type", "answer", "server"],
        MonitorKind::Tls => &["min_days", "issuer"],
    };
    for key in o.keys().filter(|k| !allowed.contains(&k.as_str())) {
        c.push(FieldError::new(format!("expect.{key}"), "此类监控不支持该项", "is not used by this kind of monitor"));
    }
    let short = |c: &mut Checker, key: &str, max: usize| -> Option<String> {
        let s = o.get(key).filter(|v| !v.is_null())?;
        match text(s) {
            Some(t) if t.chars().count() <= max && !crate::error::has_control_chars(&t) => Some(t),
            _ => {
                c.push(FieldError::new(
                    format!("expect.{key}"),
                    format!("应为不超过 {max} 字的文字"),
                    format!("must be text of at most {max} characters"),
                ));
                None
            }
        }
    };
    match kind {
        MonitorKind::Http => {
            e.method = short(c, "method", 10).map(|m| m.to_uppercase());
            if e.method.as_deref().is_some_and(|m| !HTTP_METHODS.contains(&m)) {
                c.push(FieldError::new(
                    "expect.method",
                    format!("可选值：{}", HTTP_METHODS.join("、")),
                    "unsupported method",
                ));
            }
            if let Some(h) = o.get("headers").filter(|v| !v.is_null()) {
                match h.as_object() {
                    Some(map) if map.len() <= 20 => {
                        for (k, v) in map {
                            let ok_name = !k.is_empty()
                                && k.len() <= 100
                                && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                            // Visible ASCII as HTTP allows, or the mask that keeps a stored value.
                            let ok_value = |v: &String| {
                                v == SECRET_MASK
                                    || (v.len() <= 2000
                                        && v.bytes().all(|b| b == b' ' || b == b'\t' || b.is_ascii_graphic()))
                            };
                            match text(v).filter(ok_value) {
                                Some(val) if ok_name => {
                                    e.headers.insert(k.clone(), val);
                                }
                                _ => c.push(FieldError::new(
                                    format!("expect.headers.{k}"),
                                    "请求头无效",
                                    "not a valid header",
                                )),
                            }
                        }
                    }
                    _ => c.push(FieldError::new(
                        "expect.headers",
                        "应为不超过 20 项的对象",
                        "must be an object of at most 20 headers",
                    )),
                }
            }
            if let Some(s) = o.get("status").filter(|v| !v.is_null()) {
                e.status = status_ranges(c, s);
            }
            e.keyword = short(c, "keyword", 500);
            e.regex = short(c, "regex", 500);
            if let Some(r) = &e.regex
                && compile_regex(r).is_err()
            {
                c.push(FieldError::new("expect.regex", "不是有效的正则表达式", "is not a valid regular expression"));
            }
            e.max_latency_ms = o.get("max_latency_ms").filter(|v| !v.is_null()).and_then(|v| {
                let n = v.as_u64().and_then(|n| u32::try_from(n).ok()).filter(|n| (1..=MAX_TIMEOUT_MS).contains(n));
                if n.is_none() {
                    c.push(FieldError::new(
                        "expect.max_latency_ms",
                        format!("应为 1–{MAX_TIMEOUT_MS}"),
                        format!("must be from 1 to {MAX_TIMEOUT_MS}"),
                    ));
                }
                n
            });
        }
        MonitorKind::Tcp => {}
        MonitorKind::Dns => {
            e.record_type = short(c, "record_type", 10).and_then(|t| {
                let r = RecordType::parse(&t.to_uppercase());
                if r.is_none() {
                    c.push(FieldError::new(
                        "expect.record_type",
                        format!("可选值：{}", RecordType::choices()),
                        "unknown record type",
                    ));
                }
                r
            });
            e.answer = short(c, "answer", 500);
            e.server = short(c, "server", 100);
            if let Some(s) = &e.server
                && s.parse::<std::net::SocketAddr>().is_err()
                && s.parse::<std::net::IpAddr>().is_err()
            {
                c.push(FieldError::new("expect.server", "应为 IP 或 IP:端口", "must be an IP address or IP:port"));
            }
        }
        MonitorKind::Tls => {
            e.min_days = o.get("min_days").filter(|v| !v.is_null()).and_then(|v| {
                let n = v.as_u64().and_then(|n| u32::try_from(n).ok()).filter(|n| *n <= 3650);
                if n.is_none() {
                    c.push(FieldError::new("expect.min_days", "应为 0–3650", "must be from 0 to 3650"));
                }
                n
            });
            e.issuer = short(c, "issuer", 200);
        }
    }
    e
}

/// Patterns are compiled with a size limit so a hostile one cannot exhaust memory; the probe
/// compiles them the same way.
pub fn compile_regex(r: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(r).size_limit(1 << 20).build()
}

impl MonitorInput {
    pub fn validate(&self) -> Result<MonitorSpec, Vec<FieldError>> {
        let mut c = Checker::default();
        let system_id = c.required_text("system_id", self.system_id.as_deref().unwrap_or(""), 64);
        let kind = match self.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                c.push(FieldError::required("kind"));
                MonitorKind::Http
            }
            Some(k) => MonitorKind::parse(k).unwrap_or_else(|| {
                c.push(FieldError::new(
                    "kind",
                    format!("可选值：{}", MonitorKind::choices()),
                    "must be http, tcp, dns or tls",
                ));
                MonitorKind::Http
            }),
        };
        let raw = c.required_text("target", self.target.as_deref().unwrap_or(""), 500);
        let target = if raw.is_empty() {
            raw
        } else {
            match kind {
                MonitorKind::Http => {
                    let lower = raw.to_ascii_lowercase();
                    let rest = lower.strip_prefix("http://").or_else(|| lower.strip_prefix("https://"));
                    if rest.is_none_or(|r| r.is_empty() || r.starts_with('/') || r.contains(char::is_whitespace)) {
                        c.push(FieldError::new(
                            "target",
                            "应为 http:// 或 https:// 开头的网址",
                            "must be an http:// or https:// URL",
                        ));
                    }
                    raw
                }
                MonitorKind::Tcp => host_port(&mut c, &raw, None),
                MonitorKind::Tls => host_port(&mut c, &raw, Some(443)),
                MonitorKind::Dns => {
                    let raw = raw.trim_end_matches('.').to_string();
                    let ok = raw.len() <= 253
                        && raw.split('.').all(|l| {
                            !l.is_empty()
                                && l.len() <= 63
                                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                        });
                    if !ok {
                        c.push(FieldError::new(
                            "target",
                            "应为域名，如 www.example.gov.cn",
                            "must be a domain name, e.g. www.example.gov.cn",
                        ));
                    }
                    raw.to_ascii_lowercase()
                }
            }
        };
        let interval = bounded(
            &mut c,
            "interval_seconds",
            self.interval_seconds,
            MIN_INTERVAL_SECONDS,
            MAX_INTERVAL_SECONDS,
            DEFAULT_INTERVAL_SECONDS,
        );
        let timeout_ms =
            bounded(&mut c, "timeout_ms", self.timeout_ms, 100, MAX_TIMEOUT_MS, (interval * 1000).min(10_000));
        let failures_before_down = bounded(&mut c, "failures_before_down", self.failures_before_down, 1, 100, 3);
        let successes_before_up = bounded(&mut c, "successes_before_up", self.successes_before_up, 1, 100, 1);
        let expect = expect(&mut c, kind, self.expect.as_ref());
        let name = c.optional_text("name", self.name.as_deref(), 200).unwrap_or_else(|| target.clone());
        c.finish()?;
        Ok(MonitorSpec {
            system_id,
            name,
            kind,
            target,
            interval_seconds: interval,
            timeout_ms,
            failures_before_down,
            successes_before_up,
            expect,
            active: self.active.unwrap_or(true),
        })
    }
}
