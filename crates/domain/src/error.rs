//! Validation messages in both languages the UI speaks.

use serde::Serialize;
use utoipa::ToSchema;

/// The language a reader gets messages in: Chinese unless the client asks for English. The API
/// decides it once per request (`api::error::ClientLang`, from `Accept-Language`) and passes it
/// down as a value; nothing below the API reads headers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// A message in Chinese (the default) and English; the API picks one per request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Msg {
    pub zh: String,
    pub en: String,
}

impl Msg {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self { zh: zh.into(), en: en.into() }
    }

    pub fn pick(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// One invalid field of a request, named by its JSON path (`items[0].budget_fen`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub msg: Msg,
}

impl FieldError {
    pub fn new(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self { field: field.into(), msg: Msg::new(zh, en) }
    }

    pub fn required(field: impl Into<String>) -> Self {
        Self::new(field, "必填", "is required")
    }

    pub fn too_long(field: impl Into<String>, max: usize) -> Self {
        Self::new(field, format!("不能超过 {max} 个字符"), format!("must be at most {max} characters"))
    }

    pub fn control_chars(field: impl Into<String>) -> Self {
        Self::new(field, "包含不允许的控制字符", "contains control characters")
    }

    /// Prefix the field with a parent path, e.g. `name` inside `items[2]`.
    pub fn nested(mut self, parent: &str) -> Self {
        self.field = format!("{parent}.{}", self.field);
        self
    }
}

/// Collects field errors while validating a whole input, so the client sees all of them at once.
#[derive(Debug, Default)]
pub struct Checker {
    pub errors: Vec<FieldError>,
}

impl Checker {
    pub fn push(&mut self, e: FieldError) {
        self.errors.push(e);
    }

    /// Trims `value`, requires it to be non-empty and at most `max` characters.
    pub fn required_text(&mut self, field: &str, value: &str, max: usize) -> String {
        let v = value.trim();
        if has_control_chars(v) {
            self.push(FieldError::control_chars(field));
        } else if v.is_empty() {
            self.push(FieldError::required(field));
        } else if v.chars().count() > max {
            self.push(FieldError::too_long(field, max));
        }
        v.to_string()
    }

    /// Trims an optional text; empty becomes `None`.
    pub fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let v = value.map(str::trim).filter(|v| !v.is_empty())?;
        if has_control_chars(v) {
            self.push(FieldError::control_chars(field));
        } else if v.chars().count() > max {
            self.push(FieldError::too_long(field, max));
        }
        Some(v.to_string())
    }

    /// A telephone number as people write them in China: digits with `+ - ( )` and spaces, an
    /// extension after `转` or `ext`, 5 (a hotline like 12345) to 20 digits in all.
    pub fn optional_phone(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let v = self.optional_text(field, value, 50)?;
        if !is_phone(&v) {
            self.push(FieldError::new(
                field,
                "电话号码格式不正确（如 0372-1234567、13800000000）",
                "is not a telephone number (e.g. 0372-1234567, 13800000000)",
            ));
        }
        Some(v)
    }

    /// An e-mail address: one `@` between a local part and a domain with a dot, no spaces.
    pub fn optional_email(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let v = self.optional_text(field, value, 200)?;
        let ok = match v.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !v.chars().any(char::is_whitespace)
            }
            None => false,
        };
        if !ok {
            self.push(FieldError::new(field, "邮箱格式不正确", "is not an e-mail address"));
        }
        Some(v)
    }

    /// A value of a text enum, or `None` when absent (empty counts as absent); a value that is
    /// not one of `choices` is an error naming the field.
    pub fn optional_choice<T>(
        &mut self,
        field: &str,
        value: Option<&str>,
        parse: fn(&str) -> Option<T>,
        choices: String,
    ) -> Option<T> {
        let v = value.map(str::trim).filter(|s| !s.is_empty())?;
        let parsed = parse(v);
        if parsed.is_none() {
            self.push(FieldError::new(field, format!("应为 {choices} 之一"), format!("must be one of {choices}")));
        }
        parsed
    }

    /// `optional_choice`, and required.
    pub fn choice<T>(
        &mut self,
        field: &str,
        value: Option<&str>,
        parse: fn(&str) -> Option<T>,
        choices: String,
    ) -> Option<T> {
        if value.is_none_or(|v| v.trim().is_empty()) {
            self.push(FieldError::required(field));
            return None;
        }
        self.optional_choice(field, value, parse, choices)
    }

    /// A whole number in `lo..=hi`, if given.
    pub fn optional_range(&mut self, field: &str, value: Option<i64>, lo: i64, hi: i64) -> Option<i64> {
        let v = value?;
        if !(lo..=hi).contains(&v) {
            self.push(FieldError::new(
                field,
                format!("应为 {lo}–{hi} 的整数"),
                format!("must be a whole number from {lo} to {hi}"),
            ));
        }
        Some(v)
    }

    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() { Ok(()) } else { Err(self.errors) }
    }
}

fn is_phone(v: &str) -> bool {
    let lower = v.to_lowercase();
    let (main, ext) = match lower.split_once('转').or_else(|| lower.split_once("ext")) {
        Some((m, e)) => (m.to_string(), Some(e.trim_start_matches(['.', ':', ' ']).to_string())),
        None => (lower.clone(), None),
    };
    // A `+` only in front (a country code).
    let main_ok = main.chars().all(|c| c.is_ascii_digit() || "+-() ".contains(c))
        && !main.trim_start().trim_start_matches('+').contains('+');
    let ext_ok = ext.as_deref().is_none_or(|e| !e.is_empty() && e.len() <= 6 && e.chars().all(|c| c.is_ascii_digit()));
    let digits = main.chars().filter(char::is_ascii_digit).count();
    main_ok && ext_ok && (5..=20).contains(&digits)
}

#[cfg(test)]
mod phone_tests {
    use super::is_phone;

    #[test]
    fn phone_numbers_as_written_in_china() {
        for ok in [
            "13800000000",
            "0372-1234567",
            "(0372) 123 4567",
            "+86 138 0000 0000",
            "12345",
            "0372-1234567转8012",
            "010-12345678 ext. 12",
        ] {
            assert!(is_phone(ok), "{ok}");
        }
        for bad in ["abc-不是电话", "1234", "138-0000-0000-0000-0000-12", "13800000000转", "86+138", "138０００００"]
        {
            assert!(!is_phone(bad), "{bad}");
        }
    }
}

/// Control characters other than tab and line breaks have no place in text a person typed, and
/// PostgreSQL refuses NUL outright.
pub fn has_control_chars(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused() {
        let mut c = Checker::default();
        c.required_text("name", "a\u{0}b", 10);
        c.optional_text("note", Some("x\u{1b}[31m"), 10);
        assert_eq!(c.optional_text("ok", Some("第一行\n第二行\t"), 20).as_deref(), Some("第一行\n第二行"));
        let fields: Vec<_> = c.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "note"]);
    }
}
