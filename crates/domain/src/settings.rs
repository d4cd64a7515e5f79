//! Settings with secrets, as channels and sign-in providers take them: a JSON object read key by
//! key (each error named `config.<key>`), the secrets split off so the store can keep them
//! encrypted and the API never sends them back; a secret left out on update keeps its value.

use serde_json::{Map, Value};

use crate::error::{Checker, FieldError};

/// Reads one kind's settings out of the sent object.
pub(crate) struct Fields<'a> {
    pub(crate) c: Checker,
    pub(crate) raw: &'a Map<String, Value>,
    pub(crate) kept: Option<&'a Map<String, Value>>,
    pub(crate) config: Map<String, Value>,
    pub(crate) secrets: Map<String, Value>,
    /// The settings this kind reads; anything else sent is refused.
    pub(crate) seen: Vec<&'static str>,
}

/// The sent `config` as an object (absent: empty); anything else is named.
pub(crate) fn object<'v>(
    c: &mut Checker,
    v: &'v Option<Value>,
    empty: &'v Map<String, Value>,
) -> &'v Map<String, Value> {
    match v {
        None | Some(Value::Null) => empty,
        Some(Value::Object(m)) => m,
        Some(_) => {
            c.push(FieldError::new("config", "须为对象", "must be an object"));
            empty
        }
    }
}

impl<'a> Fields<'a> {
    pub(crate) fn new(c: Checker, raw: &'a Map<String, Value>, kept: Option<&'a Map<String, Value>>) -> Self {
        Fields { c, raw, kept, config: Map::new(), secrets: Map::new(), seen: Vec::new() }
    }

    /// Refuses the keys the kind does not read; answers the checker, the settings and the secrets.
    pub(crate) fn finish(mut self) -> (Checker, Map<String, Value>, Map<String, Value>) {
        let unknown: Vec<String> = self.raw.keys().filter(|k| !self.seen.contains(&k.as_str())).cloned().collect();
        for k in unknown {
            self.c.push(FieldError::new(format!("config.{k}"), "不认识的设置项", "is not a setting of this kind"));
        }
        (self.c, self.config, self.secrets)
    }

    /// A yes/no setting.
    pub(crate) fn flag(&mut self, k: &'static str, default: bool) -> bool {
        self.seen.push(k);
        let v = match self.raw.get(k) {
            None | Some(Value::Null) => default,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.c.push(FieldError::new(Self::field(k), "须为 true 或 false", "must be true or false"));
                default
            }
        };
        self.config.insert(k.to_string(), Value::Bool(v));
        v
    }

    pub(crate) fn field(k: &str) -> String {
        format!("config.{k}")
    }

    pub(crate) fn text(&mut self, k: &'static str, required: bool, max: usize) -> Option<String> {
        self.seen.push(k);
        let v = match self.raw.get(k) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => self.c.optional_text(&Self::field(k), Some(s), max),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(_) => {
                self.c.push(FieldError::new(Self::field(k), "须为文本", "must be text"));
                return None;
            }
        };
        if v.is_none() && required {
            self.c.push(FieldError::required(Self::field(k)));
        }
        if let Some(v) = &v {
            self.config.insert(k.to_string(), Value::String(v.clone()));
        }
        v
    }

    pub(crate) fn url(&mut self, k: &'static str, required: bool) -> Option<String> {
        let v = self.text(k, required, 2000)?;
        match url::Url::parse(&v) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Some(v),
            _ => {
                self.config.remove(k);
                self.c.push(FieldError::new(
                    Self::field(k),
                    "须为 http:// 或 https:// 开头的完整地址",
                    "must be a full http:// or https:// address",
                ));
                None
            }
        }
    }

    /// A secret: the new value, or the stored one when none is sent.
    pub(crate) fn secret(&mut self, k: &'static str, required: bool) {
        self.seen.push(k);
        let sent = match self.raw.get(k) {
            Some(Value::String(s)) if !s.trim().is_empty() => {
                if s.chars().count() > 4000 || crate::error::has_control_chars(s) {
                    self.c.push(FieldError::new(Self::field(k), "格式不正确", "is not valid"));
                    return;
                }
                Some(Value::String(s.trim().to_string()))
            }
            None | Some(Value::Null) | Some(Value::String(_)) => None,
            Some(_) => {
                self.c.push(FieldError::new(Self::field(k), "须为文本", "must be text"));
                return;
            }
        };
        match sent.or_else(|| self.kept.and_then(|m| m.get(k)).cloned()) {
            Some(v) => {
                self.secrets.insert(k.to_string(), v);
            }
            None if required => self.c.push(FieldError::required(Self::field(k))),
            None => {}
        }
    }

    pub(crate) fn choice<T: Copy>(
        &mut self,
        k: &'static str,
        parse: fn(&str) -> Option<T>,
        choices: &str,
        default: T,
    ) -> T {
        let Some(v) = self.text(k, false, 40) else { return default };
        parse(&v).unwrap_or_else(|| {
            self.c.push(FieldError::new(
                Self::field(k),
                format!("须为 {choices}"),
                format!("must be one of {choices}"),
            ));
            default
        })
    }
}
