//! SeaORM entities: private to the store; repositories translate them to domain types.

pub mod assets;
pub mod audit_head;
pub mod audit_log;
pub mod calendars;
pub mod certificates;
pub mod contract_item_systems;
pub mod contract_items;
pub mod contracts;
pub mod holiday_entries;
pub mod holiday_sets;
pub mod notifications;
pub mod sessions;
pub mod sla_policies;
pub mod sla_policy_versions;
pub mod systems;
pub mod ticket_attachments;
pub mod ticket_clocks;
pub mod ticket_comments;
pub mod ticket_events;
pub mod tickets;
pub mod units;
pub mod users;
pub mod vendors;
