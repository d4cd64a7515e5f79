//! When an inspection plan falls due: every frequency the seeds name (daily, every working day,
//! weekly, twice a week, monthly, quarterly, "4 times a year", "3 times in the service period"),
//! on a working calendar, with a rule for occurrences that land on a day off.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde_json::{Map, Value, json};

use crate::error::Checker;
use crate::{FieldError, Msg};

text_enum!(
    /// What a plan does with an occurrence that falls on a day off.
    HolidayRule {
        Skip = "skip" / "跳过" / "skip it",
        NextWorkingDay = "next_working_day" / "顺延到下一个工作日" / "move it to the next working day",
        Keep = "keep" / "照常进行" / "keep it",
    }
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recurrence {
    /// Every working day of the calendar (make-up Saturdays included, holidays not).
    WorkingDay,
    /// Every day of the year.
    Day,
    /// The given weekdays of every week ("twice a week" is two of them).
    Week(Vec<Weekday>),
    /// This day of every month; 29–31 mean the month's last day in shorter months.
    Month { day: u32 },
    /// This day of this month (1–3) of every quarter.
    Quarter { month: u32, day: u32 },
    /// `n` times a calendar year, at the starts of `n` equal parts of it.
    TimesPerYear(u32),
    /// `n` times in the plan's period, at the starts of `n` equal parts of it.
    TimesInPeriod(u32),
}

/// The dates a plan lives in: nothing before `start`, nothing after `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// How far an occurrence may move to reach a working day. The longest run of days off in the
/// State Council's schedules is 9 days (Spring Festival 2026); a month leaves room for a
/// bureau's own closures. An occurrence with no working day within it is dropped.
pub const MAX_MOVE_DAYS: u64 = 31;

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];
const WEEKDAYS_ZH: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];

fn weekday_name(w: Weekday) -> &'static str {
    WEEKDAYS[w.num_days_from_monday() as usize].0
}

fn err(field: &str, zh: impl Into<String>, en: impl Into<String>) -> FieldError {
    FieldError::new(format!("recurrence.{field}"), zh, en)
}

/// A whole number in `lo..=hi` under `key`, or an error naming the field.
fn number(o: &Map<String, Value>, key: &str, lo: u32, hi: u32) -> Result<u32, FieldError> {
    let v = o.get(key).ok_or_else(|| FieldError::required(format!("recurrence.{key}")))?;
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| (lo..=hi).contains(n))
        .ok_or_else(|| err(key, format!("应为 {lo}–{hi} 的整数"), format!("must be a whole number from {lo} to {hi}")))
}

impl Recurrence {
    /// Reads the API's shape: `{"every": "working_day"|"day"}`, `{"every": "week", "weekdays":
    /// ["mon", "thu"]}`, `{"every": "month", "day": 1}`, `{"every": "quarter", "month": 1,
    /// "day": 1}`, `{"times_per_year": 4}` or `{"times_in_period": 3}`.
    pub fn parse(v: &Value) -> Result<Recurrence, FieldError> {
        let Some(o) = v.as_object() else {
            return Err(FieldError::new(
                "recurrence",
                "应为对象，如 {\"every\": \"working_day\"}",
                "must be an object such as {\"every\": \"working_day\"}",
            ));
        };
        if o.contains_key("times_per_year") {
            return Ok(Recurrence::TimesPerYear(number(o, "times_per_year", 1, 366)?));
        }
        if o.contains_key("times_in_period") {
            return Ok(Recurrence::TimesInPeriod(number(o, "times_in_period", 1, 3660)?));
        }
        let every = o.get("every").and_then(Value::as_str).ok_or_else(|| FieldError::required("recurrence.every"))?;
        match every.trim() {
            "working_day" => Ok(Recurrence::WorkingDay),
            "day" => Ok(Recurrence::Day),
            "week" => {
                let names = o
                    .get("weekdays")
                    .and_then(Value::as_array)
                    .ok_or_else(|| FieldError::required("recurrence.weekdays"))?;
                let mut days = BTreeSet::new();
                for (i, n) in names.iter().enumerate() {
                    let w = n.as_str().and_then(|s| WEEKDAYS.iter().find(|(k, _)| *k == s.trim()).map(|(_, w)| *w));
                    let Some(w) = w else {
                        return Err(FieldError::new(
                            format!("recurrence.weekdays[{i}]"),
                            "应为 mon、tue、wed、thu、fri、sat、sun 之一",
                            "must be one of mon, tue, wed, thu, fri, sat, sun",
                        ));
                    };
                    days.insert(w.num_days_from_monday());
                }
                if days.is_empty() {
                    return Err(err("weekdays", "至少选择一天", "pick at least one day"));
                }
                Ok(Recurrence::Week(days.into_iter().map(|d| WEEKDAYS[d as usize].1).collect()))
            }
            "month" => Ok(Recurrence::Month { day: number(o, "day", 1, 31)? }),
            "quarter" => Ok(Recurrence::Quarter { month: number(o, "month", 1, 3)?, day: number(o, "day", 1, 31)? }),
            _ => Err(err(
                "every",
                "应为 working_day、day、week、month、quarter 之一（或给出 times_per_year、times_in_period）",
                "must be one of working_day, day, week, month, quarter (or give times_per_year or times_in_period)",
            )),
        }
    }

    /// The canonical form, as stored and returned.
    pub fn to_json(&self) -> Value {
        match self {
            Recurrence::WorkingDay => json!({"every": "working_day"}),
            Recurrence::Day => json!({"every": "day"}),
            Recurrence::Week(days) => {
                json!({"every": "week", "weekdays": days.iter().map(|w| weekday_name(*w)).collect::<Vec<_>>()})
            }
            Recurrence::Month { day } => json!({"every": "month", "day": day}),
            Recurrence::Quarter { month, day } => json!({"every": "quarter", "month": month, "day": day}),
            Recurrence::TimesPerYear(n) => json!({"times_per_year": n}),
            Recurrence::TimesInPeriod(n) => json!({"times_in_period": n}),
        }
    }

    /// In words, for lists and the exported records.
    pub fn describe(&self) -> Msg {
        match self {
            Recurrence::WorkingDay => Msg::new("每个工作日", "every working day"),
            Recurrence::Day => Msg::new("每天", "every day"),
            Recurrence::Week(days) => Msg::new(
                format!(
                    "每周{}",
                    days.iter().map(|w| WEEKDAYS_ZH[w.num_days_from_monday() as usize]).collect::<Vec<_>>().join("、")
                ),
                format!("every {}", days.iter().map(|w| w.to_string()).collect::<Vec<_>>().join(", ")),
            ),
            Recurrence::Month { day } => Msg::new(format!("每月 {day} 日"), format!("monthly on day {day}")),
            Recurrence::Quarter { month, day } => Msg::new(
                format!("每季度第 {month} 个月 {day} 日"),
                format!("quarterly, month {month} of the quarter, day {day}"),
            ),
            Recurrence::TimesPerYear(n) => Msg::new(format!("每年 {n} 次"), format!("{n} times a year")),
            Recurrence::TimesInPeriod(n) => Msg::new(format!("服务期内 {n} 次"), format!("{n} times in the period")),
        }
    }

    /// Whether the holiday rule applies (daily recurrences already say which days count).
    pub fn uses_holiday_rule(&self) -> bool {
        !matches!(self, Recurrence::WorkingDay | Recurrence::Day)
    }
}

fn last_day(year: i32, month: u32) -> u32 {
    let next =
        if month == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, month + 1, 1) };
    next.and_then(|d| d.pred_opt()).map_or(28, |d| d.day())
}

/// `day` of the month, or the month's last day when it is shorter.
fn day_of(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day.min(last_day(year, month)))
}

fn days(a: NaiveDate, b: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    a.iter_days().take_while(move |d| *d <= b)
}

/// The starts of `n` equal parts of `first..=last`.
fn parts(first: NaiveDate, last: NaiveDate, n: u32) -> Vec<NaiveDate> {
    let len = (last - first).num_days() + 1;
    (0..i64::from(n)).filter_map(|k| first.checked_add_days(Days::new((k * len / i64::from(n)) as u64))).collect()
}

/// The dates the recurrence names in `a..=b`, before the holiday rule.
fn nominal(r: &Recurrence, span: Span, a: NaiveDate, b: NaiveDate) -> Vec<NaiveDate> {
    let months = || {
        let mut out = Vec::new();
        let (mut y, mut m) = (a.year(), a.month());
        while (y, m) <= (b.year(), b.month()) {
            out.push((y, m));
            (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        }
        out
    };
    let within = |d: &NaiveDate| *d >= a && *d <= b;
    match r {
        Recurrence::WorkingDay | Recurrence::Day => days(a, b).collect(),
        Recurrence::Week(wd) => days(a, b).filter(|d| wd.contains(&d.weekday())).collect(),
        Recurrence::Month { day } => {
            months().into_iter().filter_map(|(y, m)| day_of(y, m, *day)).filter(within).collect()
        }
        Recurrence::Quarter { month, day } => months()
            .into_iter()
            .filter(|(_, m)| (m - 1) % 3 == month - 1)
            .filter_map(|(y, m)| day_of(y, m, *day))
            .filter(within)
            .collect(),
        Recurrence::TimesPerYear(n) => (a.year()..=b.year())
            .flat_map(|y| {
                // Parts of whole months when they divide the year (4 → Jan, Apr, Jul, Oct 1st).
                if 12 % n == 0 {
                    (0..*n).filter_map(|k| NaiveDate::from_ymd_opt(y, 1 + k * 12 / n, 1)).collect()
                } else {
                    match (NaiveDate::from_ymd_opt(y, 1, 1), NaiveDate::from_ymd_opt(y, 12, 31)) {
                        (Some(f), Some(l)) => parts(f, l, *n),
                        _ => vec![],
                    }
                }
            })
            .filter(within)
            .collect(),
        Recurrence::TimesInPeriod(n) => match span.end {
            Some(end) if end >= span.start => parts(span.start, end, *n).into_iter().filter(within).collect(),
            _ => vec![],
        },
    }
}

/// When a plan falls due, as the API gives it: its recurrence, the rule for days off and the
/// dates it lives in. Inspection plans and security plans read it alike.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub recurrence: Recurrence,
    pub holiday_rule: HolidayRule,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
}

impl Schedule {
    /// Reads the fields `recurrence`, `holiday_rule` (default: next working day), `start_date`
    /// and `end_date`, pushing an error naming each bad one into `c`.
    pub fn read(
        c: &mut Checker,
        recurrence: Option<&Value>,
        holiday_rule: Option<&str>,
        (start, end): (Option<&str>, Option<&str>),
    ) -> Schedule {
        let recurrence = match recurrence {
            None | Some(Value::Null) => {
                c.push(FieldError::required("recurrence"));
                None
            }
            Some(v) => Recurrence::parse(v).map_err(|e| c.push(e)).ok(),
        };
        let holiday_rule = match holiday_rule.map(str::trim).filter(|s| !s.is_empty()) {
            None => HolidayRule::NextWorkingDay,
            Some(s) => HolidayRule::parse(s).unwrap_or_else(|| {
                c.push(FieldError::new(
                    "holiday_rule",
                    format!("应为 {} 之一", HolidayRule::choices()),
                    format!("must be one of {}", HolidayRule::choices()),
                ));
                HolidayRule::NextWorkingDay
            }),
        };
        let start_date = super::plan::parse_date(c, "start_date", start);
        let end_date = super::plan::parse_date(c, "end_date", end);
        if let (Some(s), Some(e)) = (start_date, end_date)
            && e < s
        {
            c.push(FieldError::new("end_date", "不能早于开始日期", "must not be before start_date"));
        }
        if let (Some(Recurrence::TimesInPeriod(n)), Some(s), Some(e)) = (&recurrence, start_date, end_date)
            && i64::from(*n) > (e - s).num_days() + 1
        {
            c.push(FieldError::new(
                "recurrence.times_in_period",
                "次数多于期间的天数",
                "is more than the days in the period",
            ));
        }
        Schedule { recurrence: recurrence.unwrap_or(Recurrence::WorkingDay), holiday_rule, start_date, end_date }
    }
}

/// The plan's occurrences in `from..=to`: each nominal date, or where it lands under `rule` when
/// it is a day off. The answer for a range is the union of the answers for its pieces, so a job
/// that keeps a sliding window filled never produces a date twice or moves one.
pub fn occurrences(
    r: &Recurrence,
    rule: HolidayRule,
    span: Span,
    from: NaiveDate,
    to: NaiveDate,
    is_working: impl Fn(NaiveDate) -> bool,
) -> Vec<NaiveDate> {
    let lo = from.max(span.start);
    let hi = span.end.map_or(to, |e| to.min(e));
    if lo > hi {
        return vec![];
    }
    match r {
        Recurrence::WorkingDay => return days(lo, hi).filter(|d| is_working(*d)).collect(),
        Recurrence::Day => return days(lo, hi).collect(),
        _ => {}
    }
    // A nominal date up to MAX_MOVE_DAYS before the window may move into it.
    let back = lo.checked_sub_days(Days::new(MAX_MOVE_DAYS)).unwrap_or(lo).max(span.start);
    let mut out = BTreeSet::new();
    for d in nominal(r, span, back, hi) {
        let landed = if is_working(d) {
            Some(d)
        } else {
            match rule {
                HolidayRule::Keep => Some(d),
                HolidayRule::Skip => None,
                HolidayRule::NextWorkingDay => days(d, d + Days::new(MAX_MOVE_DAYS)).find(|x| is_working(*x)),
            }
        };
        if let Some(x) = landed.filter(|x| *x >= lo && *x <= hi) {
            out.insert(x);
        }
    }
    out.into_iter().collect()
}
