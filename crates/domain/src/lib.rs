//! Pure rules and types of Yunwei. No IO, no async, no database or HTTP types.
//!
//! `utoipa::ToSchema` derives are allowed here: they describe the shape of the types for the
//! OpenAPI document and add no behaviour (see docs/architecture.md).

/// An enum stored and sent as snake_case text, with a Chinese and an English label.
macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal / $zh:literal / $en:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize, ::utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s.trim() { $($s => Some($name::$v),)+ _ => None }
            }

            pub fn label(self) -> $crate::Msg {
                match self { $($name::$v => $crate::Msg::new($zh, $en)),+ }
            }

            /// The accepted values, for error messages.
            pub fn choices() -> String {
                [$($s),+].join("、")
            }
        }
    };
}

pub mod access;
pub mod approvals;
pub mod assessments;
pub mod audit;
pub mod backups;
pub mod changes;
pub mod dashboard;
pub mod dengbao;
pub mod duty;
pub mod error;
pub mod geo;
pub mod indicators;
pub mod inspections;
pub mod list;
pub mod monitoring;
pub mod notifications;
pub mod password;
pub mod payments;
pub mod periods;
pub mod registry;
pub mod reports;
pub mod security;
pub mod security_events;
pub mod security_plans;
pub mod settings;
pub mod sla;
pub mod sso;
pub mod tickets;
pub mod today;
pub mod void;
pub mod vulnerabilities;

pub use access::{Principal, Role, Scope};
pub use error::{FieldError, Lang, Msg};
