//! The home page's figures: what the caller may see of the registry, in numbers.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Dashboard {
    /// The bureau's date the figures are counted from.
    pub today: NaiveDate,
    pub units: u64,
    pub vendors: u64,
    pub contracts: u64,
    pub systems: u64,
    pub assets: u64,
    pub assets_expiring: Expiring,
    /// Systems per owner unit, most first.
    pub systems_by_unit: Vec<UnitCount>,
    /// Systems per 等保 level; `level` is null for systems not yet graded.
    pub systems_by_level: Vec<LevelCount>,
    /// Periodic reports past their due date and not submitted (drafts, or returned).
    pub reports_overdue: u64,
}

/// Assets whose warranty or licence/certificate expiry falls in a window from today (each window
/// includes the shorter ones), and those already past.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Expiring {
    pub expired: u64,
    pub within_30: u64,
    pub within_60: u64,
    pub within_90: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UnitCount {
    pub unit_id: String,
    pub unit_name: String,
    pub systems: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LevelCount {
    pub level: Option<i32>,
    pub systems: u64,
}
