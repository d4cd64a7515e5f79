//! The simulator's request and answer: due times for a report at a given instant, from inline
//! targets or from a policy's level.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::compiled::Micros;
use super::target::{Explanation, Target};
use crate::FieldError;

pub const MAX_PAUSES: usize = 200;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SimulateInput {
    /// The calendar to count in (default: the policy's).
    pub calendar_id: Option<String>,
    /// RFC 3339, e.g. 2025-09-30T10:00:00+08:00.
    pub reported_at: Option<String>,
    #[serde(default)]
    pub targets: BTreeMap<String, Target>,
    /// Targets that replace `targets` for a report outside working hours.
    #[serde(default)]
    pub out_of_hours_targets: BTreeMap<String, Target>,
    /// `[["from","to"], …]` in RFC 3339: the clocks stop in between.
    #[serde(default)]
    #[schema(value_type = Vec<Vec<String>>)]
    pub pauses: Vec<[String; 2]>,
    /// Instead of inline targets: a policy, its version (default: newest) and a severity level.
    pub policy_id: Option<String>,
    pub policy_version: Option<i32>,
    pub severity: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SimulateResult {
    pub calendar_id: String,
    pub reported_at: DateTime<Utc>,
    /// The report falls inside the calendar's working time.
    pub in_hours: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_version: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// Per metric: the due instant and how it was reached.
    pub due: BTreeMap<String, Explanation>,
}

/// Parses an RFC 3339 instant in the range the registry accepts.
pub fn parse_instant(field: &str, s: &str) -> Result<DateTime<Utc>, FieldError> {
    DateTime::parse_from_rfc3339(s.trim())
        .map_err(|_| {
            FieldError::new(field, "时间格式应为 RFC 3339（如 2025-09-30T10:00:00+08:00）", "must be RFC 3339")
        })
        .and_then(|t| crate::registry::check_year(field, t.date_naive()).map(|_| t.with_timezone(&Utc)))
}

impl SimulateInput {
    /// Inline targets are bounded like a policy level's, and named like its metrics.
    pub fn check_targets(&self, errors: &mut Vec<FieldError>) {
        use super::policy::{MAX_METRICS, is_metric_name};
        for (field, map) in [("targets", &self.targets), ("out_of_hours_targets", &self.out_of_hours_targets)] {
            if map.len() > MAX_METRICS {
                errors.push(FieldError::new(
                    field,
                    format!("最多 {MAX_METRICS} 个指标"),
                    format!("at most {MAX_METRICS} metrics"),
                ));
                continue;
            }
            for (metric, t) in map {
                let f = format!("{field}.{metric}");
                if !is_metric_name(metric) {
                    errors.push(FieldError::new(
                        &f,
                        "指标名只能用小写字母、数字和下划线",
                        "metric names are lower-case letters, digits and _",
                    ));
                } else if let Err(e) = t.validate(&f) {
                    errors.push(e);
                }
            }
        }
    }

    /// The report instant and the pauses; every problem is pushed to `errors`.
    pub fn parse_times(&self, errors: &mut Vec<FieldError>) -> (Option<DateTime<Utc>>, Vec<(Micros, Micros)>) {
        let reported_at = match self.reported_at.as_deref() {
            None => {
                errors.push(FieldError::required("reported_at"));
                None
            }
            Some(s) => parse_instant("reported_at", s).map_err(|e| errors.push(e)).ok(),
        };
        if self.pauses.len() > MAX_PAUSES {
            errors.push(FieldError::new("pauses", format!("最多 {MAX_PAUSES} 段"), format!("at most {MAX_PAUSES}")));
        }
        let mut pauses = Vec::new();
        for (i, [a, b]) in self.pauses.iter().take(MAX_PAUSES).enumerate() {
            match (parse_instant(&format!("pauses[{i}][0]"), a), parse_instant(&format!("pauses[{i}][1]"), b)) {
                (Ok(a), Ok(b)) if a < b => pauses.push((a.timestamp_micros(), b.timestamp_micros())),
                (Ok(_), Ok(_)) => {
                    errors.push(FieldError::new(format!("pauses[{i}]"), "结束须晚于开始", "must end after it starts"))
                }
                (a, b) => errors.extend(a.err().into_iter().chain(b.err())),
            }
        }
        (reported_at, super::walk::normalize_pauses(pauses))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_checked_with_their_paths() {
        let input = SimulateInput {
            reported_at: Some("2025-09-30 10:00".into()),
            pauses: vec![
                ["2025-09-30T11:00:00+08:00".into(), "2025-09-30T10:00:00+08:00".into()],
                ["x".into(), "2025-09-30T10:00:00Z".into()],
            ],
            ..Default::default()
        };
        let mut errors = Vec::new();
        let (at, pauses) = input.parse_times(&mut errors);
        assert!(at.is_none() && pauses.is_empty());
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["reported_at", "pauses[0]", "pauses[1][0]"]);
    }
}
