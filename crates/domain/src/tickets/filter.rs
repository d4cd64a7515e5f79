//! What a ticket list can be narrowed and sorted by. The store turns these into SQL; the API
//! decodes them from its query string.

use chrono::{DateTime, Utc};

use super::{Status, TicketType};
use crate::FieldError;

/// The keys a ticket list sorts by; `reported_at` when none is given.
pub const SORT_KEYS: &[&str] = &["reported_at", "next_due_at", "number", "updated_at", "status", "severity"];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketFilter {
    /// Any of these statuses (empty: every status).
    pub statuses: Vec<Status>,
    pub system_id: Option<String>,
    pub unit_id: Option<String>,
    pub vendor_id: Option<String>,
    pub kind: Option<TicketType>,
    /// A level of the ticket's policy.
    pub severity: Option<String>,
    pub assignee_id: Option<String>,
    /// `true`: nobody handles it yet.
    pub unassigned: Option<bool>,
    pub reporter_id: Option<String>,
    /// A clock has breached (or, with `false`, none has).
    pub breached: Option<bool>,
    /// A running clock has reached its at-risk share (`PolicySpec::risk_percent`) and none has
    /// breached.
    pub at_risk: Option<bool>,
    /// Reported at or after.
    pub from: Option<DateTime<Utc>>,
    /// Reported before.
    pub to: Option<DateTime<Utc>>,
}

/// `open` stands for every status but resolved and closed.
pub const OPEN: &str = "open";

/// The statuses a `status` parameter names: one status or several separated by commas, `open`
/// meaning every status that still needs work. Unknown names are refused naming `field`.
pub fn parse_statuses(field: &str, text: &str) -> Result<Vec<Status>, FieldError> {
    let mut out: Vec<Status> = Vec::new();
    for s in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let named: Vec<Status> = match (s, Status::parse(s)) {
            (OPEN, _) => Status::ALL.iter().copied().filter(|s| s.is_open()).collect(),
            (_, Some(st)) => vec![st],
            (_, None) => {
                return Err(FieldError::new(
                    field,
                    format!("可选值：{OPEN}、{}", Status::choices()),
                    format!("one of: {OPEN}, {}", Status::choices()),
                ));
            }
        };
        for n in named {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_name_one_several_or_all_open() {
        assert_eq!(parse_statuses("status", "new").unwrap(), [Status::New]);
        assert_eq!(parse_statuses("status", " new , closed ,").unwrap(), [Status::New, Status::Closed]);
        let open = parse_statuses("status", "open").unwrap();
        assert_eq!(open.len(), Status::ALL.len() - 2);
        assert!(open.iter().all(|s| s.is_open()));
        assert_eq!(parse_statuses("status", "open,new").unwrap(), open, "named twice, listed once");
        assert_eq!(parse_statuses("status", "open,closed").unwrap().len(), Status::ALL.len() - 1);
        assert!(parse_statuses("status", "").unwrap().is_empty());
        let e = parse_statuses("status", "new,lost").unwrap_err();
        assert_eq!(e.field, "status");
        assert!(e.msg.zh.contains("open") && e.msg.zh.contains("resolved"), "{:?}", e.msg);
    }

    #[test]
    fn every_sort_key_is_accepted_and_others_are_not() {
        for key in SORT_KEYS {
            assert!(crate::list::ListQuery::parse(None, None, Some(key), None, None, SORT_KEYS).is_ok(), "{key}");
        }
        assert!(crate::list::ListQuery::parse(None, None, Some("title"), None, None, SORT_KEYS).is_err());
    }
}
