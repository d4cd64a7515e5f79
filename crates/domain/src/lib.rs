//! Pure rules and types of Yunwei. No IO, no async, no database or HTTP types.
//!
//! `utoipa::ToSchema` derives are allowed here: they describe the shape of the types for the
//! OpenAPI document and add no behaviour (see docs/architecture.md).

pub mod access;
pub mod audit;
pub mod dashboard;
pub mod error;
pub mod list;
pub mod password;
pub mod registry;
pub mod sla;
pub mod tickets;

pub use access::{Principal, Role, Scope};
pub use error::{FieldError, Msg};
