//! What the registry's lists can be narrowed and sorted by, one module per feature. The store
//! turns these into SQL; the API decodes them from its query string.

/// Units: no filters beyond the free text.
pub mod units {
    pub const SORT_KEYS: &[&str] = &["name", "created_at", "updated_at"];
}

/// Vendors: no filters beyond the free text.
pub mod vendors {
    pub const SORT_KEYS: &[&str] = &["name", "created_at", "updated_at"];
}

pub mod users {
    pub const SORT_KEYS: &[&str] = &["username", "display_name", "role", "created_at", "last_login_at"];

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct UserFilter {
        pub role: Option<String>,
        pub unit_id: Option<String>,
        pub vendor_id: Option<String>,
    }
}

pub mod contracts {
    pub const SORT_KEYS: &[&str] = &["name", "code", "signed_on", "created_at", "updated_at"];

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ContractFilter {
        pub vendor_id: Option<String>,
    }
}

pub mod systems {
    pub const SORT_KEYS: &[&str] = &["name", "criticality", "dengbao_level", "created_at", "updated_at"];

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct SystemFilter {
        pub unit_id: Option<String>,
        pub criticality: Option<String>,
        pub dengbao_level: Option<i32>,
    }
}

pub mod assets {
    use chrono::NaiveDate;

    pub const SORT_KEYS: &[&str] = &["name", "kind", "warranty_end", "expires_on", "created_at", "updated_at"];

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct AssetFilter {
        pub kind: Option<String>,
        pub system_id: Option<String>,
        pub unit_id: Option<String>,
        /// Warranty or expiry within `[expiring_from, expiring_before]` (either end optional): the
        /// "expiring soon" board and the dashboard count the same way.
        pub expiring_from: Option<NaiveDate>,
        pub expiring_before: Option<NaiveDate>,
    }
}
