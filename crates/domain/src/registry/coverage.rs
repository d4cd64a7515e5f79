//! Which contract item answers for a system on a given day. Tickets take their vendor and SLA
//! policy from it, availability its counted causes and target, inspection rates their scope.

use chrono::NaiveDate;

use super::Contract;
use crate::tickets::Cause;

/// A contract item covering a system, with what tickets and availability need from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    pub item_id: String,
    pub contract_id: String,
    pub vendor_id: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub sla_policy_id: Option<String>,
    /// The policy of the fix deadlines of vulnerabilities found on the system.
    pub vulnerability_policy_id: Option<String>,
    pub counted_causes: Vec<Cause>,
    pub availability_target: Option<f64>,
    pub default_assignee_id: Option<String>,
    /// New tickets go to whoever is on duty for the contract first.
    pub assign_to_duty: bool,
}

impl Coverage {
    /// Whether `day` falls in the item's service period (both ends included).
    pub fn serves_on(&self, day: NaiveDate) -> bool {
        self.start_date <= day && day <= self.end_date
    }
}

/// The item a ticket reported on `day` goes to: one in its service period with a policy first,
/// then the one that started last. Out of every service period the ticket still goes to the most
/// recent vendor, but without an SLA policy.
pub fn for_ticket(items: Vec<Coverage>, day: NaiveDate) -> Option<Coverage> {
    let best = items.into_iter().max_by_key(|c| {
        let current = c.serves_on(day);
        (current, current && c.sla_policy_id.is_some(), c.start_date)
    });
    best.map(|mut c| {
        if !c.serves_on(day) {
            c.sla_policy_id = None;
        }
        c
    })
}

/// The first item (in the order given) serving on `day`: whose counted causes and availability
/// target measure that day.
pub fn serving_on(items: &[Coverage], day: NaiveDate) -> Option<&Coverage> {
    items.iter().find(|c| c.serves_on(day))
}

impl Contract {
    /// Whether one of the contract's items covers `system` on `day`.
    pub fn covers(&self, system: &str, day: NaiveDate) -> bool {
        self.items.iter().any(|i| i.start_date <= day && day <= i.end_date && i.system_ids.iter().any(|s| s == system))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn item(id: &str, start: &str, end: &str, policy: Option<&str>) -> Coverage {
        Coverage {
            item_id: id.into(),
            contract_id: "contract".into(),
            vendor_id: format!("vendor-{id}"),
            start_date: d(start),
            end_date: d(end),
            sla_policy_id: policy.map(str::to_string),
            vulnerability_policy_id: None,
            counted_causes: vec![Cause::Vendor],
            availability_target: None,
            default_assignee_id: None,
            assign_to_duty: false,
        }
    }

    #[test]
    fn a_ticket_goes_to_the_item_in_service_with_a_policy() {
        let items = vec![
            item("old", "2025-01-01", "2025-12-31", Some("p-old")),
            item("bare", "2026-03-01", "2026-12-31", None),
            item("sla", "2026-01-01", "2026-12-31", Some("p")),
        ];
        let c = for_ticket(items.clone(), d("2026-05-01")).unwrap();
        assert_eq!((c.item_id.as_str(), c.sla_policy_id.as_deref()), ("sla", Some("p")));
        // Both ends of the period count.
        assert_eq!(for_ticket(items.clone(), d("2026-12-31")).unwrap().item_id, "sla");
        assert_eq!(for_ticket(items.clone(), d("2025-12-31")).unwrap().item_id, "old");
        // Without a policy in service, the one in service that started last.
        let no_policy = vec![item("a", "2026-01-01", "2026-12-31", None), item("b", "2026-02-01", "2026-06-30", None)];
        assert_eq!(for_ticket(no_policy, d("2026-03-01")).unwrap().item_id, "b");
    }

    #[test]
    fn out_of_service_the_latest_vendor_answers_without_a_policy() {
        let items = vec![
            item("old", "2024-01-01", "2024-12-31", Some("p-old")),
            item("new", "2025-01-01", "2025-12-31", Some("p-new")),
        ];
        let c = for_ticket(items.clone(), d("2026-02-01")).unwrap();
        assert_eq!((c.item_id.as_str(), c.sla_policy_id), ("new", None));
        // Before any period too: the latest start, still without a policy.
        assert_eq!(for_ticket(items, d("2023-06-01")).unwrap().item_id, "new");
        assert_eq!(for_ticket(Vec::new(), d("2026-02-01")), None);
    }

    #[test]
    fn the_serving_item_is_the_first_whose_period_holds_the_day() {
        let items = vec![item("a", "2026-01-01", "2026-06-30", None), item("b", "2026-06-01", "2026-12-31", None)];
        assert_eq!(serving_on(&items, d("2026-06-15")).unwrap().item_id, "a");
        assert_eq!(serving_on(&items, d("2026-07-01")).unwrap().item_id, "b");
        assert!(serving_on(&items, d("2027-01-01")).is_none());
    }
}
