//! HTTP(S): the status is one of the expected ones, the body holds the keyword or matches the
//! pattern, and the answer came in time. Bodies are read only when they are checked, and only
//! the first megabyte.

use std::time::Instant;

use std::collections::HashMap;
use std::sync::Mutex;

use domain::monitoring::spec::{MonitorSpec, compile_regex};
use regex::Regex;
use reqwest::{Client, Method, Response};

use crate::tls::Tls;
use crate::{Outcome, ProbeError, millis};

const MAX_BODY: usize = 1 << 20;
pub(crate) const USER_AGENT: &str = concat!("yunwei-probe/", env!("CARGO_PKG_VERSION"));
/// Redirects followed at most, by the shared client and by restricted checks alike.
pub(crate) const MAX_REDIRECTS: usize = 5;
/// Compiled patterns kept at most; past that the cache starts again.
const MAX_PATTERNS: usize = 10_000;

/// Patterns compiled once, not on every check.
#[derive(Default)]
pub(crate) struct Patterns(Mutex<HashMap<String, Regex>>);

impl Patterns {
    fn get(&self, pattern: &str) -> Result<Regex, regex::Error> {
        if let Some(r) = self.0.lock().ok().and_then(|m| m.get(pattern).cloned()) {
            return Ok(r);
        }
        let r = compile_regex(pattern)?;
        if let Ok(mut m) = self.0.lock() {
            if m.len() >= MAX_PATTERNS {
                m.clear();
            }
            m.insert(pattern.to_string(), r.clone());
        }
        Ok(r)
    }
}

pub(crate) fn client(tls: &Tls) -> Result<Client, ProbeError> {
    Client::builder()
        .use_preconfigured_tls(tls.verifying_config())
        .user_agent(USER_AGENT)
        .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
        .pool_max_idle_per_host(4)
        .build()
        .map_err(|e| ProbeError::Setup(e.to_string()))
}

pub(crate) fn describe(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg = format!("{msg}: {s}");
        source = s.source();
    }
    msg
}

pub(crate) fn method(spec: &MonitorSpec) -> Method {
    spec.expect.method.as_deref().and_then(|m| Method::from_bytes(m.as_bytes()).ok()).unwrap_or(Method::GET)
}

pub(crate) async fn check(client: &Client, patterns: &Patterns, spec: &MonitorSpec, start: Instant) -> Outcome {
    let mut req = client.request(method(spec), &spec.target);
    for (k, v) in &spec.expect.headers {
        req = req.header(k, v);
    }
    match req.send().await {
        Ok(res) => evaluate(res, patterns, spec, start).await,
        Err(err) => Outcome::down(start.elapsed(), describe(&err)),
    }
}

/// Reads the body when it is checked and judges the answer.
pub(crate) async fn evaluate(mut res: Response, patterns: &Patterns, spec: &MonitorSpec, start: Instant) -> Outcome {
    let e = &spec.expect;
    let status = res.status().as_u16();
    let mut body = Vec::new();
    if e.keyword.is_some() || e.regex.is_some() {
        loop {
            match res.chunk().await {
                Ok(Some(chunk)) => {
                    body.extend_from_slice(&chunk[..chunk.len().min(MAX_BODY - body.len())]);
                    if body.len() >= MAX_BODY {
                        break;
                    }
                }
                Ok(None) => break,
                Err(err) => return Outcome { status: Some(status), ..Outcome::down(start.elapsed(), describe(&err)) },
            }
        }
    }
    let latency = start.elapsed();
    let text = String::from_utf8_lossy(&body);
    let error = if !e.status_ok(status) {
        Some(format!("status {status}"))
    } else if e.keyword.as_deref().is_some_and(|k| !text.contains(k)) {
        Some("keyword not found".to_string())
    } else if let Some(pattern) = &e.regex {
        match patterns.get(pattern) {
            Ok(r) if r.is_match(&text) => None,
            Ok(_) => Some("pattern not matched".to_string()),
            Err(err) => Some(format!("bad pattern: {err}")),
        }
    } else if e.max_latency_ms.is_some_and(|max| millis(latency) > max) {
        Some(format!("slow: {} ms", millis(latency)))
    } else {
        None
    };
    Outcome { ok: error.is_none(), latency_ms: millis(latency), error, status: Some(status), cert: None }
}
