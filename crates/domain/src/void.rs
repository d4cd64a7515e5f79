//! Records that are evidence (backup runs, restore drills, security work) are never edited:
//! the bureau voids one with a reason, once, and it stays visible as void.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::FieldError;
use crate::error::Checker;

/// Why the bureau voids a record.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct VoidInput {
    pub reason: Option<String>,
}

impl VoidInput {
    /// The reason, trimmed: required, at most 500 characters.
    pub fn validate(&self) -> Result<String, Vec<FieldError>> {
        let mut c = Checker::default();
        let r = c.required_text("reason", self.reason.as_deref().unwrap_or(""), 500);
        c.finish()?;
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_required() {
        assert_eq!(VoidInput::default().validate().unwrap_err()[0].field, "reason");
        assert_eq!(VoidInput { reason: Some("  重复登记 ".into()) }.validate().unwrap(), "重复登记");
        assert!(VoidInput { reason: Some("长".repeat(501)) }.validate().is_err());
    }
}
