//! A working calendar as the bureau defines it: a time zone, weekly working hours, holiday sets
//! (the State Council schedule) and dated overrides. `CalendarInput` is what a client sends,
//! `CalendarSpec` the validated form that is stored and compiled (`compiled::Calendar`).

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::hours::{Interval, RawHours, WeeklyInput, format_hours, parse_hours};
use crate::error::Checker;
use crate::{FieldError, registry};

pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";
pub const MAX_OVERRIDES: usize = 2000;
/// A calendar warns this many days before its holiday data runs out.
pub const HOLIDAY_WARNING_DAYS: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OverrideKind {
    /// A day off, whatever the weekday.
    Holiday,
    /// A make-up working day (调休), by default with a normal working day's hours.
    Workday,
    /// A day with its own hours.
    Special,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct OverrideInput {
    pub date: Option<String>,
    /// holiday, workday or special
    pub kind: Option<String>,
    /// `[["09:00","12:00"]]`; required for `special`, optional for `workday`, not for `holiday`.
    #[schema(value_type = Option<Vec<Vec<String>>>)]
    pub hours: Option<RawHours>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CalendarInput {
    pub name: Option<String>,
    /// IANA time zone; default Asia/Shanghai.
    pub time_zone: Option<String>,
    pub weekly: Option<WeeklyInput>,
    /// Codes of holiday sets to follow, e.g. `["cn"]` for the State Council schedule.
    #[serde(default)]
    pub holiday_sets: Vec<String>,
    #[serde(default)]
    pub overrides: Vec<OverrideInput>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub date: NaiveDate,
    pub kind: OverrideKind,
    pub hours: Option<Vec<Interval>>,
    pub note: Option<String>,
}

/// A validated calendar definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarSpec {
    pub name: String,
    pub time_zone: String,
    /// Monday first.
    pub weekly: [Vec<Interval>; 7],
    pub holiday_sets: Vec<String>,
    pub overrides: Vec<Override>,
    pub description: Option<String>,
}

/// An override as the API shows and stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OverrideView {
    pub date: NaiveDate,
    pub kind: OverrideKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Vec<String>>>)]
    pub hours: Option<RawHours>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The keys a list of calendars sorts by; by name when none is given.
pub const SORT_KEYS: &[&str] = &["name", "created_at", "updated_at"];

/// A stored calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CalendarView {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    pub weekly: WeeklyInput,
    pub holiday_sets: Vec<String>,
    pub overrides: Vec<OverrideView>,
    pub description: Option<String>,
    /// Built in and read-only (7x24, 5x8, 5x9, 7x8).
    pub preset: bool,
    /// The last day the attached holiday sets cover; null without holiday sets.
    pub holidays_until: Option<NaiveDate>,
    /// Fewer than 60 days of holiday data are left: add the next State Council notice.
    pub holiday_warning: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A calendar as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCalendar {
    pub id: String,
    pub spec: CalendarSpec,
    pub preset: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How far a calendar's holiday data reaches: the earliest end among its sets (a set without
/// data reaches nowhere). `None` for a calendar that follows no holiday set.
pub fn holidays_until(sets: &[Option<NaiveDate>]) -> Option<Option<NaiveDate>> {
    if sets.is_empty() { None } else { Some(sets.iter().copied().min().flatten()) }
}

impl StoredCalendar {
    /// The API's view; `coverage` from `holidays_until`, `today` in the calendar's zone.
    pub fn view(&self, coverage: Option<Option<NaiveDate>>, today: NaiveDate) -> CalendarView {
        let (until, warning) = match coverage {
            None => (None, false),
            Some(None) => (None, true),
            Some(Some(d)) => (Some(d), (d - today).num_days() < HOLIDAY_WARNING_DAYS),
        };
        let input = self.spec.input();
        CalendarView {
            id: self.id.clone(),
            name: self.spec.name.clone(),
            time_zone: self.spec.time_zone.clone(),
            weekly: input.weekly.unwrap_or_default(),
            holiday_sets: self.spec.holiday_sets.clone(),
            overrides: self.spec.overrides.iter().map(Override::view).collect(),
            description: self.spec.description.clone(),
            preset: self.preset,
            holidays_until: until,
            holiday_warning: warning,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

pub fn is_set_code(s: &str) -> bool {
    (1..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

pub fn parse_time_zone(s: &str) -> Option<chrono_tz::Tz> {
    s.trim().parse().ok()
}

/// The date at instant `now` in `zone` (Asia/Shanghai if the zone is unknown).
pub fn date_in(zone: &str, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&parse_time_zone(zone).unwrap_or(chrono_tz::Asia::Shanghai)).date_naive()
}

impl OverrideKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "holiday" => Some(Self::Holiday),
            "workday" => Some(Self::Workday),
            "special" => Some(Self::Special),
            _ => None,
        }
    }
}

impl CalendarInput {
    pub fn validate(&self) -> Result<CalendarSpec, Vec<FieldError>> {
        let mut c = Checker::default();
        let name = c.required_text("name", self.name.as_deref().unwrap_or(""), 100);
        let time_zone = self.time_zone.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or(DEFAULT_TIME_ZONE);
        if parse_time_zone(time_zone).is_none() {
            c.push(FieldError::new(
                "time_zone",
                "不是有效的 IANA 时区（如 Asia/Shanghai）",
                "is not an IANA time zone (e.g. Asia/Shanghai)",
            ));
        }
        let weekly = match &self.weekly {
            Some(w) => w.parse(&mut c.errors),
            None => {
                c.push(FieldError::required("weekly"));
                Default::default()
            }
        };
        if self.weekly.is_some()
            && c.errors.iter().all(|e| !e.field.starts_with("weekly"))
            && weekly.iter().all(Vec::is_empty)
        {
            c.push(FieldError::new("weekly", "每周至少需要一个工作时段", "at least one working interval a week"));
        }
        let mut holiday_sets = Vec::new();
        for (i, code) in self.holiday_sets.iter().enumerate() {
            let code = code.trim();
            if !is_set_code(code) {
                c.push(FieldError::new(
                    format!("holiday_sets[{i}]"),
                    "节假日数据编号无效",
                    "is not a holiday set code",
                ));
            } else if holiday_sets.iter().any(|x| x == code) {
                c.push(FieldError::new(format!("holiday_sets[{i}]"), "重复", "is listed twice"));
            } else {
                holiday_sets.push(code.to_string());
            }
        }
        let overrides = validate_overrides(&self.overrides, &mut c);
        let description = c.optional_text("description", self.description.as_deref(), 2000);
        c.finish().map(|_| CalendarSpec {
            name,
            time_zone: time_zone.to_string(),
            weekly,
            holiday_sets,
            overrides,
            description,
        })
    }
}

fn validate_overrides(input: &[OverrideInput], c: &mut Checker) -> Vec<Override> {
    if input.len() > MAX_OVERRIDES {
        c.push(FieldError::new(
            "overrides",
            format!("最多 {MAX_OVERRIDES} 个特殊日期"),
            format!("at most {MAX_OVERRIDES} overrides"),
        ));
        return Vec::new();
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, o) in input.iter().enumerate() {
        let at = |f: &str| format!("overrides[{i}].{f}");
        let date = match o.date.as_deref() {
            None => {
                c.push(FieldError::required(at("date")));
                None
            }
            Some(d) => registry::parse_date(&at("date"), d).map_err(|e| c.push(e)).ok(),
        };
        if let Some(d) = date
            && !seen.insert(d)
        {
            c.push(FieldError::new(at("date"), "同一日期只能有一条设置", "this date is listed twice"));
        }
        let kind = match o.kind.as_deref().map(OverrideKind::parse) {
            None => {
                c.push(FieldError::required(at("kind")));
                None
            }
            Some(None) => {
                c.push(FieldError::new(
                    at("kind"),
                    "应为 holiday、workday 或 special",
                    "must be holiday, workday or special",
                ));
                None
            }
            Some(k) => k,
        };
        let hours = o.hours.as_ref().map(|h| parse_hours(&at("hours"), h, &mut c.errors));
        match (kind, &hours) {
            (Some(OverrideKind::Holiday), Some(h)) if !h.is_empty() => {
                c.push(FieldError::new(at("hours"), "节假日没有工作时段", "a holiday has no working hours"))
            }
            (Some(OverrideKind::Special), None) => c.push(FieldError::required(at("hours"))),
            (Some(OverrideKind::Special | OverrideKind::Workday), Some(h))
                if h.is_empty() && o.hours.as_ref().is_some_and(Vec::is_empty) =>
            {
                c.push(FieldError::new(at("hours"), "工作日至少需要一个时段", "a working day needs an interval"))
            }
            _ => {}
        }
        let note = c.optional_text(&at("note"), o.note.as_deref(), 100);
        if let (Some(date), Some(kind)) = (date, kind) {
            let hours = if kind == OverrideKind::Holiday { None } else { hours };
            out.push(Override { date, kind, hours, note });
        }
    }
    out.sort_by_key(|o| o.date);
    out
}

impl Override {
    pub fn view(&self) -> OverrideView {
        OverrideView {
            date: self.date,
            kind: self.kind,
            hours: self.hours.as_deref().map(format_hours),
            note: self.note.clone(),
        }
    }
}

impl OverrideView {
    pub fn input(&self) -> OverrideInput {
        OverrideInput {
            date: Some(self.date.to_string()),
            kind: Some(
                serde_json::to_value(self.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
            ),
            hours: self.hours.clone(),
            note: self.note.clone(),
        }
    }
}

impl CalendarSpec {
    /// The definition as JSON, for the audit trail.
    pub fn input_json(&self) -> serde_json::Value {
        let i = self.input();
        serde_json::json!({
            "name": i.name, "time_zone": i.time_zone, "weekly": i.weekly, "holiday_sets": i.holiday_sets,
            "overrides": self.overrides.iter().map(Override::view).collect::<Vec<_>>(), "description": i.description,
        })
    }

    /// The form a client sends, for round trips through storage and the API.
    pub fn input(&self) -> CalendarInput {
        CalendarInput {
            name: Some(self.name.clone()),
            time_zone: Some(self.time_zone.clone()),
            weekly: Some(WeeklyInput::from_days(&self.weekly)),
            holiday_sets: self.holiday_sets.clone(),
            overrides: self.overrides.iter().map(|o| o.view().input()).collect(),
            description: self.description.clone(),
        }
    }
}

/// A built-in calendar: fixed id, read-only.
pub struct Preset {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub days: [&'static [(u16, u16)]; 7],
    pub holiday_sets: &'static [&'static str],
}

const ALL_DAY: &[(u16, u16)] = &[(0, 1440)];
const FIVE_BY_EIGHT: &[(u16, u16)] = &[(510, 720), (810, 1050)];
const FIVE_BY_NINE: &[(u16, u16)] = &[(510, 1050)];
const NONE: &[(u16, u16)] = &[];

pub const PRESETS: [Preset; 4] = [
    Preset {
        id: "preset-7x24",
        name: "7×24 小时",
        description: "全年无休，全天计时。",
        days: [ALL_DAY; 7],
        holiday_sets: &[],
    },
    Preset {
        id: "preset-5x8",
        name: "5×8 工作日（08:30–12:00，13:30–17:30）",
        description: "周一至周五，按国务院节假日安排（含调休上班日）。",
        days: [FIVE_BY_EIGHT, FIVE_BY_EIGHT, FIVE_BY_EIGHT, FIVE_BY_EIGHT, FIVE_BY_EIGHT, NONE, NONE],
        holiday_sets: &["cn"],
    },
    Preset {
        id: "preset-5x9",
        name: "5×9 工作日（08:30–17:30）",
        description: "周一至周五 08:30–17:30，按国务院节假日安排（江门蓬江区招标文件 001）。",
        days: [FIVE_BY_NINE, FIVE_BY_NINE, FIVE_BY_NINE, FIVE_BY_NINE, FIVE_BY_NINE, NONE, NONE],
        holiday_sets: &["cn"],
    },
    Preset {
        id: "preset-7x8",
        name: "7×8 小时（每天 08:30–12:00，13:30–17:30）",
        description: "每天（含周末和节假日）8 小时。",
        days: [FIVE_BY_EIGHT; 7],
        holiday_sets: &[],
    },
];

impl Preset {
    pub fn spec(&self) -> CalendarSpec {
        CalendarSpec {
            name: self.name.to_string(),
            time_zone: DEFAULT_TIME_ZONE.to_string(),
            weekly: self.days.map(|d| d.iter().map(|&(start, end)| Interval { start, end }).collect()),
            holiday_sets: self.holiday_sets.iter().map(|s| s.to_string()).collect(),
            overrides: Vec::new(),
            description: Some(self.description.to_string()),
        }
    }
}

pub fn is_preset(id: &str) -> bool {
    PRESETS.iter().any(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(pairs: &[(&str, &str)]) -> RawHours {
        pairs.iter().map(|(a, b)| [a.to_string(), b.to_string()]).collect()
    }

    fn valid() -> CalendarInput {
        CalendarInput {
            name: Some("5x8".into()),
            weekly: Some(WeeklyInput { mon: hours(&[("08:30", "12:00"), ("13:30", "17:30")]), ..Default::default() }),
            holiday_sets: vec!["cn".into()],
            overrides: vec![OverrideInput {
                date: Some("2026-02-14".into()),
                kind: Some("workday".into()),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn a_valid_calendar() {
        let s = valid().validate().unwrap();
        assert_eq!(s.time_zone, "Asia/Shanghai");
        assert_eq!(s.weekly[0].len(), 2);
        assert_eq!(s.overrides[0].hours, None);
        assert_eq!(s.input().validate().unwrap(), s, "round trip");
    }

    #[test]
    fn errors_name_their_fields() {
        let mut bad = valid();
        bad.time_zone = Some("Mars/Olympus".into());
        bad.holiday_sets = vec!["CN!".into()];
        bad.overrides = vec![
            OverrideInput { date: Some("2026-02-30".into()), kind: Some("holiday".into()), ..Default::default() },
            OverrideInput { date: Some("2026-03-01".into()), kind: Some("special".into()), ..Default::default() },
            OverrideInput {
                date: Some("2026-03-02".into()),
                kind: Some("holiday".into()),
                hours: Some(hours(&[("09:00", "10:00")])),
                ..Default::default()
            },
            OverrideInput { date: Some("2026-03-02".into()), kind: Some("nap".into()), ..Default::default() },
        ];
        let fields: Vec<String> = bad.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "time_zone",
                "holiday_sets[0]",
                "overrides[0].date",
                "overrides[1].hours",
                "overrides[2].hours",
                "overrides[3].date",
                "overrides[3].kind"
            ]
        );
        let empty = CalendarInput { weekly: Some(WeeklyInput::default()), ..valid() };
        assert_eq!(empty.validate().unwrap_err()[0].field, "weekly");
    }

    #[test]
    fn holiday_coverage_warns_sixty_days_ahead() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let stored = StoredCalendar {
            id: "c".into(),
            spec: valid().validate().unwrap(),
            preset: false,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let cov = holidays_until(&[Some(d("2026-12-31"))]);
        assert!(!stored.view(cov, d("2026-11-01")).holiday_warning, "61 days left");
        assert!(stored.view(cov, d("2026-11-02")).holiday_warning, "59 days left");
        assert!(stored.view(holidays_until(&[Some(d("2027-12-31")), None]), d("2026-11-02")).holiday_warning);
        assert!(!stored.view(holidays_until(&[]), d("2026-11-02")).holiday_warning);
        assert_eq!(stored.view(cov, d("2026-11-02")).holidays_until, Some(d("2026-12-31")));
    }

    #[test]
    fn presets_are_valid() {
        for p in &PRESETS {
            let s = p.spec();
            assert_eq!(s.input().validate().unwrap(), s, "{}", p.id);
        }
    }
}
