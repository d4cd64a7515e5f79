//! Holiday data: the dated days off and make-up working days (调休) of a schedule such as the
//! State Council's, read from the shipped TSV, from CSV, or from iCalendar files.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{FieldError, Msg, registry};

/// The State Council schedule shipped with Yunwei (checked against the notices for 2024–2026).
pub const CN_CODE: &str = "cn";
pub const CN_NAME: &str = "国务院节假日安排（中国大陆）";
pub const CN_TSV: &str = include_str!("../../data/cn-holidays.tsv");

pub const MAX_ENTRIES_PER_IMPORT: usize = 5000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HolidayKind {
    /// A day off inside an announced holiday block (weekends inside the block included).
    Holiday,
    /// A make-up working day, usually a Saturday or Sunday.
    Workday,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HolidayEntry {
    pub date: NaiveDate,
    pub kind: HolidayKind,
    /// The festival, e.g. 国庆节; a make-up day carries the name of the block it makes up for.
    pub name: String,
}

/// A holiday set as the API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct HolidaySetView {
    pub id: String,
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    /// Shipped with Yunwei (the State Council schedule); it cannot be deleted.
    pub builtin: bool,
    /// The years the set has data for.
    pub years: Vec<i32>,
    pub covered_until: Option<NaiveDate>,
    pub entries: u64,
}

/// A set with the entries of one year (or all years).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HolidaySetDetail {
    #[serde(flatten)]
    pub set: HolidaySetView,
    pub entries: Vec<HolidayEntry>,
}

/// What an import changed: every entry from its first date to its last was replaced.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HolidayImportReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The years the file touches.
    pub years: Vec<i32>,
    pub entries: usize,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct HolidaySetInput {
    pub code: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
}

impl HolidaySetInput {
    pub fn validate(&self) -> Result<(String, String, Option<String>), Vec<FieldError>> {
        let mut c = crate::error::Checker::default();
        let code = self.code.as_deref().unwrap_or("").trim().to_string();
        if !super::calendar::is_set_code(&code) {
            c.push(FieldError::new(
                "code",
                "编号只能用小写字母、数字和连字符（1–32 位）",
                "lower-case letters, digits and -, 1–32",
            ));
        }
        let name = c.required_text("name", self.name.as_deref().unwrap_or(""), 200);
        let description = c.optional_text("description", self.description.as_deref(), 2000);
        c.finish().map(|_| (code, name, description))
    }
}

/// A problem on one line of an imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub msg: Msg,
}

impl LineError {
    fn new(line: usize, zh: impl Into<String>, en: impl Into<String>) -> Self {
        LineError { line, msg: Msg::new(zh, en) }
    }
}

impl HolidayKind {
    /// `holiday`/`workday`, and the words a Chinese table uses: 休/假/放假, 班/上班/补班/调休上班.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "holiday" | "休" | "假" | "放假" | "休息" | "off" => Some(Self::Holiday),
            "workday" | "班" | "上班" | "补班" | "调休上班" | "work" => Some(Self::Workday),
            _ => None,
        }
    }
}

/// Reads `date kind name` lines separated by tabs or commas. Empty lines, `#` comments and a
/// header line (`date,kind,name`) are skipped; every bad line is reported.
pub fn parse_table(text: &str) -> Result<Vec<HolidayEntry>, Vec<LineError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        let line = i + 1;
        let raw = raw.trim();
        if raw.is_empty() || raw.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = raw.split(['\t', ',']).map(str::trim).collect();
        if line == 1 && cells.first().is_some_and(|c| c.eq_ignore_ascii_case("date") || *c == "日期") {
            continue;
        }
        let [date, kind, name, ..] = cells[..] else {
            errors.push(LineError::new(line, "应有三列：日期、类型、名称", "expected three columns: date, kind, name"));
            continue;
        };
        let date = match registry::parse_date("date", date) {
            Ok(d) => d,
            Err(_) => {
                errors.push(LineError::new(line, format!("日期“{date}”无效"), format!("“{date}” is not a date")));
                continue;
            }
        };
        let Some(kind) = HolidayKind::parse(kind) else {
            errors.push(LineError::new(
                line,
                format!("类型“{kind}”无效，应为 holiday（休）或 workday（班）"),
                format!("“{kind}” is not holiday or workday"),
            ));
            continue;
        };
        out.push(HolidayEntry { date, kind, name: name.to_string() });
    }
    finish(out, errors)
}

/// Reads all-day events of an iCalendar file: each VEVENT covers `DTSTART` up to (not
/// including) `DTEND`. A summary saying 班/上班/补班 marks make-up working days; anything else is
/// a holiday, named by its summary with markers such as （休） removed.
pub fn parse_ics(text: &str) -> Result<Vec<HolidayEntry>, Vec<LineError>> {
    let unfolded = icalendar::parser::unfold(text);
    let cal = icalendar::parser::read_calendar(&unfolded).map_err(|e| {
        vec![LineError::new(0, format!("不是有效的 iCalendar 文件：{e}"), format!("not an iCalendar file: {e}"))]
    })?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (n, ev) in cal.components.iter().filter(|c| c.name == "VEVENT").enumerate() {
        let event = n + 1;
        let day = |prop: &str| {
            ev.find_prop(prop).and_then(|p| NaiveDate::parse_from_str(p.val.as_str().get(..8)?, "%Y%m%d").ok())
        };
        let summary = ev.find_prop("SUMMARY").map(|p| p.val.as_str().trim().to_string()).unwrap_or_default();
        let Some(start) = day("DTSTART") else {
            errors.push(LineError::new(
                event,
                format!("第 {event} 个事件缺少全天的 DTSTART"),
                "an event has no all-day DTSTART",
            ));
            continue;
        };
        let end = day("DTEND").filter(|e| *e > start).unwrap_or(start + chrono::Days::new(1));
        if (end - start).num_days() > 60 {
            errors.push(LineError::new(event, "事件跨度超过 60 天", "an event spans more than 60 days"));
            continue;
        }
        let (kind, name) = classify(&summary);
        let mut d = start;
        while d < end {
            out.push(HolidayEntry { date: d, kind, name: name.clone() });
            d = d.succ_opt().unwrap_or(end);
        }
    }
    finish(out, errors)
}

fn classify(summary: &str) -> (HolidayKind, String) {
    let work = ["补班", "上班", "调休上班", "（班）", "(班)", "班"].iter().any(|m| summary.contains(m));
    let mut name = summary.to_string();
    for marker in ["调休上班", "补班", "上班", "（班）", "(班)", "（休）", "(休)", "放假", "假期", "休息", "休", "班"]
    {
        name = name.replace(marker, "");
    }
    let name = name.trim().trim_matches(|c: char| c == '-' || c == '·' || c.is_whitespace()).to_string();
    let name = if name.is_empty() { summary.to_string() } else { name };
    (if work { HolidayKind::Workday } else { HolidayKind::Holiday }, name)
}

fn finish(mut out: Vec<HolidayEntry>, mut errors: Vec<LineError>) -> Result<Vec<HolidayEntry>, Vec<LineError>> {
    if out.len() > MAX_ENTRIES_PER_IMPORT {
        errors.push(LineError::new(0, format!("一次最多 {MAX_ENTRIES_PER_IMPORT} 天"), "too many days in one file"));
    }
    out.sort_by_key(|e| e.date);
    for w in out.windows(2) {
        if w[0].date == w[1].date {
            errors.push(LineError::new(0, format!("{} 出现了两次", w[0].date), format!("{} appears twice", w[0].date)));
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Checks entries sent through the API; errors name `entries[i]`.
pub fn validate_entries(entries: &[HolidayEntry]) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut seen = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        if let Err(err) = registry::check_year(&format!("entries[{i}].date"), e.date) {
            errors.push(err);
        }
        if seen.insert(e.date, i).is_some() {
            errors.push(FieldError::new(format!("entries[{i}].date"), "日期重复", "this date is listed twice"));
        }
        let name = e.name.trim();
        if name.is_empty() {
            errors.push(FieldError::required(format!("entries[{i}].name")));
        } else if name.chars().count() > 50 || crate::error::has_control_chars(name) {
            errors.push(FieldError::new(format!("entries[{i}].name"), "名称无效", "is not a valid name"));
        }
    }
    if entries.len() > MAX_ENTRIES_PER_IMPORT {
        errors.push(FieldError::new("entries", "条目过多", "too many entries"));
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// The years entries fall in.
pub fn years(entries: &[HolidayEntry]) -> Vec<i32> {
    let mut y: Vec<i32> = entries.iter().map(|e| e.date.year()).collect();
    y.dedup();
    y.sort_unstable();
    y.dedup();
    y
}

/// The last day a set of entries covers: the end of the latest year it has data for.
pub fn covered_until(entries: &[HolidayEntry]) -> Option<NaiveDate> {
    entries.iter().map(|e| e.date.year()).max().and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31))
}

/// Make-up working days on weekdays are almost certainly typing mistakes in a Chinese schedule.
pub fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_shipped_schedule_parses_and_matches_the_notices_in_shape() {
        let e = parse_table(CN_TSV).unwrap();
        assert_eq!(years(&e), [2024, 2025, 2026]);
        assert_eq!(e.len(), 108);
        assert_eq!(e.iter().filter(|x| x.kind == HolidayKind::Workday).count(), 19);
        assert!(e.iter().filter(|x| x.kind == HolidayKind::Workday).all(|x| is_weekend(x.date)));
        let oct_2025: Vec<_> = e.iter().filter(|x| x.date.year() == 2025 && x.date.month() == 10).collect();
        assert_eq!(oct_2025.iter().filter(|x| x.kind == HolidayKind::Holiday).count(), 8);
        assert!(oct_2025.iter().all(|x| x.name == "国庆节、中秋节"));
        assert_eq!(covered_until(&e), Some(d("2026-12-31")));
    }

    #[test]
    fn csv_with_chinese_kinds_and_every_bad_line_reported() {
        let ok = parse_table("日期,类型,名称\n2027-01-01,休,元旦\n2027-02-06,班,春节\n").unwrap();
        assert_eq!(ok[1], HolidayEntry { date: d("2027-02-06"), kind: HolidayKind::Workday, name: "春节".into() });
        let errs =
            parse_table("2027-13-01,休,元旦\n2027-01-02,睡觉,元旦\n2027-01-03\n2027-01-04,休,x\n2027-01-04,休,x\n")
                .unwrap_err();
        let lines: Vec<usize> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, [1, 2, 3, 0]);
    }

    #[test]
    fn icalendar_events_cover_their_days() {
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n\
            BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20271001\r\nDTEND;VALUE=DATE:20271008\r\nSUMMARY:国庆节 放假\r\nEND:VEVENT\r\n\
            BEGIN:VEVENT\r\nUID:2\r\nDTSTART;VALUE=DATE:20270926\r\nSUMMARY:国庆节 补班\r\nEND:VEVENT\r\n\
            END:VCALENDAR\r\n";
        let e = parse_ics(ics).unwrap();
        assert_eq!(e.len(), 8);
        assert_eq!(e[0], HolidayEntry { date: d("2027-09-26"), kind: HolidayKind::Workday, name: "国庆节".into() });
        assert!(e[1..].iter().all(|x| x.kind == HolidayKind::Holiday && x.name == "国庆节"));
        assert_eq!(e.last().unwrap().date, d("2027-10-07"), "DTEND is exclusive");
        assert!(parse_ics("not a calendar").is_err());
    }
}
