//! The deserializer behind `Query`: a query string's name → value map, with the query's
//! conventions for each type and errors that carry the parameter's name in both languages.

use std::collections::BTreeMap;
use std::fmt;

use domain::FieldError;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

/// Marks a message a parameter type wrote in both languages (`refuse`).
const MARK: &str = "\u{1}yunwei\u{1}";
const SEP: char = '\u{1f}';

/// An error raised by a parameter type in its own words, in Chinese and English.
pub fn refuse<E: de::Error>(zh: &str, en: &str) -> E {
    E::custom(format_args!("{MARK}{zh}{SEP}{en}"))
}

/// Why a value did not decode, and which parameter it was.
#[derive(Debug)]
pub struct QueryError {
    field: Option<String>,
    zh: String,
    en: String,
    missing: bool,
}

impl QueryError {
    fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        QueryError { field: None, zh: zh.into(), en: en.into(), missing: false }
    }

    fn at(mut self, key: &str) -> Self {
        self.field.get_or_insert_with(|| key.to_string());
        self
    }

    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// A required parameter was absent.
    pub fn is_missing(&self) -> bool {
        self.missing
    }

    pub fn into_field_error(self) -> FieldError {
        FieldError::new(self.field.unwrap_or_else(|| "query".to_string()), self.zh, self.en)
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field.as_deref().unwrap_or("query"), self.en)
    }
}

impl std::error::Error for QueryError {}

impl de::Error for QueryError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        let text = msg.to_string();
        match text.strip_prefix(MARK).and_then(|t| t.split_once(SEP)) {
            Some((zh, en)) => QueryError::new(zh, en),
            None => QueryError::new(format!("格式不正确（{text}）"), format!("is malformed ({text})")),
        }
    }

    fn missing_field(field: &'static str) -> Self {
        let e = FieldError::required(field);
        QueryError { field: Some(field.to_string()), zh: e.msg.zh, en: e.msg.en, missing: true }
    }

    fn unknown_variant(_variant: &str, expected: &'static [&'static str]) -> Self {
        QueryError::new(format!("可选值：{}", expected.join("、")), format!("one of: {}", expected.join(", ")))
    }
}

/// The whole query: a struct reads it as a map; a tuple of structs (`Listed`) gives each the
/// whole map, and each takes the names it knows.
pub struct Values<'a>(pub &'a BTreeMap<String, String>);

impl<'de> de::Deserializer<'de> for Values<'_> {
    type Error = QueryError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_map(Entries { iter: self.0.iter(), current: None })
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_seq(Copies { values: self.0, left: len })
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        self.deserialize_tuple(len, visitor)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq map struct enum identifier ignored_any
    }
}

struct Entries<'a> {
    iter: std::collections::btree_map::Iter<'a, String, String>,
    current: Option<(&'a str, &'a str)>,
}

impl<'de> de::MapAccess<'de> for Entries<'_> {
    type Error = QueryError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, QueryError> {
        let Some((k, v)) = self.iter.next() else { return Ok(None) };
        self.current = Some((k, v));
        seed.deserialize(k.as_str().into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, QueryError> {
        let (k, v) = self.current.take().ok_or_else(|| QueryError::new("缺少参数名", "a value without a name"))?;
        seed.deserialize(Value(v)).map_err(|e| e.at(k))
    }
}

struct Copies<'a> {
    values: &'a BTreeMap<String, String>,
    left: usize,
}

impl<'de> de::SeqAccess<'de> for Copies<'_> {
    type Error = QueryError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, QueryError> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(Values(self.values)).map(Some)
    }
}

/// One parameter's (trimmed, non-empty) value, read as the type asks.
struct Value<'a>(&'a str);

macro_rules! integer {
    ($($method:ident $visit:ident $t:ty),+) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
            match self.0.parse::<$t>() {
                Ok(n) => visitor.$visit(n),
                Err(_) => Err(QueryError::new("须为整数", "must be an integer")),
            }
        }
    )+};
}

impl<'de> de::Deserializer<'de> for Value<'_> {
    type Error = QueryError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_str(self.0)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        match self.0 {
            "true" | "1" => visitor.visit_bool(true),
            "false" | "0" => visitor.visit_bool(false),
            _ => Err(QueryError::new("须为 true 或 false", "must be true or false")),
        }
    }

    integer!(deserialize_i8 visit_i8 i8, deserialize_i16 visit_i16 i16, deserialize_i32 visit_i32 i32,
        deserialize_i64 visit_i64 i64, deserialize_u8 visit_u8 u8, deserialize_u16 visit_u16 u16,
        deserialize_u32 visit_u32 u32, deserialize_u64 visit_u64 u64);

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        match self.0.parse::<f64>() {
            Ok(n) if n.is_finite() => visitor.visit_f64(n),
            _ => Err(QueryError::new("须为数字", "must be a number")),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        self.deserialize_f64(visitor)
    }

    /// Only present values reach here: an absent or empty one never does.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        visitor.visit_enum(self.0.into_deserializer())
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}
