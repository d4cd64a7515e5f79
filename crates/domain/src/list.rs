//! Paging, sorting and text filters shared by every list.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::FieldError;

pub const DEFAULT_PAGE_SIZE: u64 = 20;
pub const MAX_PAGE_SIZE: u64 = 500;
/// Keeps every offset far inside what the databases accept.
pub const MAX_PAGE: u64 = 1_000_000;
/// Exports are not paged, but are bounded so a careless click cannot exhaust the server.
pub const MAX_EXPORT_ROWS: u64 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    #[default]
    Asc,
    Desc,
}

/// A validated list request: which page, how sorted, and a free-text filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub page: u64,
    pub page_size: u64,
    /// A sort key from the resource's whitelist.
    pub sort: Option<String>,
    pub order: Order,
    /// Free text matched against the resource's name-like columns.
    pub q: Option<String>,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self { page: 1, page_size: DEFAULT_PAGE_SIZE, sort: None, order: Order::Asc, q: None }
    }
}

impl ListQuery {
    /// Builds a query from raw parameters, checking them against the resource's sort keys.
    pub fn parse(
        page: Option<u64>,
        page_size: Option<u64>,
        sort: Option<&str>,
        order: Option<&str>,
        q: Option<&str>,
        sort_keys: &[&str],
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let page = page.unwrap_or(1);
        if page == 0 || page > MAX_PAGE {
            errors.push(FieldError::new(
                "page",
                format!("页码须在 1 到 {MAX_PAGE} 之间"),
                format!("must be between 1 and {MAX_PAGE}"),
            ));
        }
        let page_size = page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        if page_size == 0 || page_size > MAX_PAGE_SIZE {
            errors.push(FieldError::new(
                "page_size",
                format!("每页条数须在 1 到 {MAX_PAGE_SIZE} 之间"),
                format!("must be between 1 and {MAX_PAGE_SIZE}"),
            ));
        }
        let sort = sort.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        if let Some(s) = &sort
            && !sort_keys.contains(&s.as_str())
        {
            errors.push(FieldError::new(
                "sort",
                format!("不支持按该字段排序，可选：{}", sort_keys.join(", ")),
                format!("unknown sort key; one of: {}", sort_keys.join(", ")),
            ));
        }
        let order = match order.map(str::trim) {
            None | Some("") | Some("asc") => Order::Asc,
            Some("desc") => Order::Desc,
            Some(_) => {
                errors.push(FieldError::new("order", "排序方向须为 asc 或 desc", "must be asc or desc"));
                Order::Asc
            }
        };
        let q = q.map(str::trim).filter(|s| !s.is_empty()).map(|s| s.chars().take(100).collect());
        if errors.is_empty() { Ok(Self { page, page_size, sort, order, q }) } else { Err(errors) }
    }

    /// The same filter without paging, for exports.
    pub fn unpaged(&self) -> Self {
        Self { page: 1, page_size: MAX_EXPORT_ROWS, ..self.clone() }
    }

    pub fn offset(&self) -> u64 {
        (self.page.saturating_sub(1)).saturating_mul(self.page_size)
    }
}

/// One page of a list, the shape every collection answers with.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

impl<T> Page<T> {
    /// A small, bounded sub-collection (a contract's items, a person's certificates) as a single
    /// page, so that every collection answers in the same shape.
    pub fn whole(items: Vec<T>) -> Page<T> {
        let total = items.len() as u64;
        Page { items, total, page: 1, page_size: total.max(1) }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            page_size: self.page_size,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_errors() {
        let q = ListQuery::parse(None, None, None, None, Some("  "), &["name"]).unwrap();
        assert_eq!(q, ListQuery::default());
        let errs = ListQuery::parse(Some(0), Some(9999), Some("password"), Some("up"), None, &["name"]).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["page", "page_size", "sort", "order"]);
        let q = ListQuery::parse(Some(3), Some(10), Some("name"), Some("desc"), Some(" 局 "), &["name"]).unwrap();
        assert_eq!((q.offset(), q.order, q.q.as_deref()), (20, Order::Desc, Some("局")));
    }

    /// Every list's sort keys: at least one (so `sort` always has a valid value), no repeats,
    /// and each one accepted by the parser while a near miss is not.
    #[test]
    fn every_list_sorts_by_its_own_keys() {
        use crate::registry::lists;
        let lists: [(&str, &[&str]); 17] = [
            ("tickets", crate::tickets::filter::SORT_KEYS),
            ("approvals", crate::approvals::SORT_KEYS),
            ("audit", crate::audit::SORT_KEYS),
            ("monitors", crate::monitoring::SORT_KEYS),
            ("unmatched alerts", crate::monitoring::intake::UNMATCHED_SORT_KEYS),
            ("inspection templates", crate::inspections::template::SORT_KEYS),
            ("inspection plans", crate::inspections::plan::PLAN_SORT_KEYS),
            ("inspection tasks", crate::inspections::plan::TASK_SORT_KEYS),
            ("inspection records", crate::inspections::record::SORT_KEYS),
            ("sla policies", crate::sla::policy::SORT_KEYS),
            ("calendars", crate::sla::calendar::SORT_KEYS),
            ("units", lists::units::SORT_KEYS),
            ("vendors", lists::vendors::SORT_KEYS),
            ("users", lists::users::SORT_KEYS),
            ("contracts", lists::contracts::SORT_KEYS),
            ("systems", lists::systems::SORT_KEYS),
            ("assets", lists::assets::SORT_KEYS),
        ];
        for (list, keys) in lists {
            assert!(!keys.is_empty(), "{list}");
            let unique: std::collections::HashSet<_> = keys.iter().collect();
            assert_eq!(unique.len(), keys.len(), "{list} repeats a key");
            for key in keys {
                assert!(key.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{list}: {key}");
                assert!(ListQuery::parse(None, None, Some(key), Some("desc"), None, keys).is_ok(), "{list}: {key}");
                let near = format!("{key}s");
                assert!(ListQuery::parse(None, None, Some(&near), None, None, keys).is_err(), "{list}: {near}");
            }
        }
    }
}
