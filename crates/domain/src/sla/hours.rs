//! Working hours as people write them: `"08:30"`–`"12:00"`, several intervals a day, minute
//! precision, `"24:00"` for the end of the day.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::FieldError;

/// Most intervals one day may have (a split shift has two or three).
pub const MAX_INTERVALS_PER_DAY: usize = 12;

/// `[start, end)` in minutes since local midnight, `0 <= start < end <= 1440`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    pub start: u16,
    pub end: u16,
}

impl Interval {
    pub fn minutes(&self) -> u32 {
        u32::from(self.end - self.start)
    }
}

/// Parses `HH:MM` (00:00–24:00).
pub fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: u16 = h.parse().ok()?;
    let m: u16 = m.parse().ok()?;
    let total = h.checked_mul(60)?.checked_add(m)?;
    (m < 60 && total <= 1440).then_some(total)
}

pub fn format_hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// One day's intervals as written, `[["08:30","12:00"],["13:30","17:30"]]`.
pub type RawHours = Vec<[String; 2]>;

/// Checks and sorts one day's intervals; errors name `field[i]`. Touching intervals are merged,
/// overlapping ones refused (they are almost always a typing mistake).
pub fn parse_hours(field: &str, raw: &[[String; 2]], errors: &mut Vec<FieldError>) -> Vec<Interval> {
    if raw.len() > MAX_INTERVALS_PER_DAY {
        errors.push(FieldError::new(
            field,
            format!("每天最多 {MAX_INTERVALS_PER_DAY} 个时段"),
            format!("at most {MAX_INTERVALS_PER_DAY} intervals a day"),
        ));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, [a, b]) in raw.iter().enumerate() {
        match (parse_hhmm(a), parse_hhmm(b)) {
            (Some(start), Some(end)) if start < end => out.push(Interval { start, end }),
            (Some(_), Some(_)) => errors.push(FieldError::new(
                format!("{field}[{i}]"),
                "结束时间须晚于开始时间",
                "the end must be after the start",
            )),
            _ => errors.push(FieldError::new(
                format!("{field}[{i}]"),
                "时间格式应为 HH:MM（00:00–24:00）",
                "times must be HH:MM (00:00–24:00)",
            )),
        }
    }
    out.sort();
    let mut merged: Vec<Interval> = Vec::with_capacity(out.len());
    for iv in out {
        match merged.last_mut() {
            Some(last) if iv.start < last.end => {
                errors.push(FieldError::new(field, "时段相互重叠", "intervals overlap"));
                return Vec::new();
            }
            Some(last) if iv.start == last.end => last.end = iv.end,
            _ => merged.push(iv),
        }
    }
    merged
}

pub fn format_hours(intervals: &[Interval]) -> RawHours {
    intervals.iter().map(|iv| [format_hhmm(iv.start), format_hhmm(iv.end)]).collect()
}

pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The weekly pattern as written: a key per weekday, missing keys meaning no working hours.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyInput {
    #[serde(default)]
    #[schema(value_type = Vec<Vec<String>>, example = json!([["08:30", "12:00"], ["13:30", "17:30"]]))]
    pub mon: RawHours,
    #[serde(default)]
    #[schema(value_type = Vec<Vec<String>>, example = json!([["08:30", "12:00"], ["13:30", "17:30"]]))]
    pub tue: RawHours,
    #[serde(default)]
    #[schema(value_type = Vec<Vec<String>>, example = json!([["08:30", "12:00"], ["13:30", "17:30"]]))]
    pub wed: RawHours,
    #[serde(default)]
    #[schema(value_type = Vec<Vec<String>>, example = json!([["08:30", "12:00"], ["13:30", "17:30"]]))]
    pub thu: RawHours,
    #[serde(default)]
    #[schema(value_type = Vec<Vec<String>>, example = json!([["08:30", "12:00"], ["13:30", "17:30"]]))]
    pub fri: RawHours,
    #[serde(default)]
    #[schema(value_type = Vec<Vec<String>>, example = json!([["08:30", "12:00"], ["13:30", "17:30"]]))]
    pub sat: RawHours,
    #[serde(default)]
    #[schema(value_type = Vec<Vec<String>>, example = json!([["08:30", "12:00"], ["13:30", "17:30"]]))]
    pub sun: RawHours,
}

impl WeeklyInput {
    pub fn days(&self) -> [&RawHours; 7] {
        [&self.mon, &self.tue, &self.wed, &self.thu, &self.fri, &self.sat, &self.sun]
    }

    pub fn from_days(days: &[Vec<Interval>; 7]) -> Self {
        let f = |i: usize| format_hours(&days[i]);
        WeeklyInput { mon: f(0), tue: f(1), wed: f(2), thu: f(3), fri: f(4), sat: f(5), sun: f(6) }
    }

    /// Every weekday's intervals, Monday first; errors name `weekly.mon[1]`.
    pub fn parse(&self, errors: &mut Vec<FieldError>) -> [Vec<Interval>; 7] {
        let days = self.days();
        std::array::from_fn(|i| parse_hours(&format!("weekly.{}", WEEKDAYS[i]), days[i], errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> RawHours {
        pairs.iter().map(|(a, b)| [a.to_string(), b.to_string()]).collect()
    }

    #[test]
    fn times_of_day() {
        assert_eq!(parse_hhmm("08:30"), Some(510));
        assert_eq!(parse_hhmm("8:05"), Some(485));
        assert_eq!(parse_hhmm("24:00"), Some(1440));
        for bad in ["24:01", "12:60", "1230", "aa:bb", "-1:00", "12:5", ""] {
            assert_eq!(parse_hhmm(bad), None, "{bad}");
        }
        assert_eq!(format_hhmm(1440), "24:00");
    }

    #[test]
    fn intervals_are_sorted_merged_and_checked() {
        let mut e = Vec::new();
        let iv = parse_hours("d", &raw(&[("13:30", "17:30"), ("08:30", "12:00"), ("12:00", "12:30")]), &mut e);
        assert!(e.is_empty());
        assert_eq!(iv, [Interval { start: 510, end: 750 }, Interval { start: 810, end: 1050 }]);
        parse_hours("d", &raw(&[("09:00", "12:00"), ("11:00", "13:00")]), &mut e);
        parse_hours("d", &raw(&[("12:00", "09:00")]), &mut e);
        parse_hours("d", &raw(&[("9", "10:00")]), &mut e);
        let fields: Vec<_> = e.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["d", "d[0]", "d[0]"]);
    }
}
