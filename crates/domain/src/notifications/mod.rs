//! Notifications beyond the bell: channels, who gets what through them, and the delivery log.

pub mod channels;
pub mod routing;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

pub use channels::{ChannelFields, ChannelInput, ChannelKind, NotificationChannel};
pub use routing::{Preferences, PreferencesInput, QuietHours, RoutingRule, RoutingRuleInput};

text_enum!(
    /// Where a delivery stands: waiting (first try or a retry), sent, or given up.
    DeliveryStatus {
        Pending = "pending" / "待发送" / "pending",
        Sent = "sent" / "已发送" / "sent",
        Dead = "dead" / "已放弃" / "given up",
    }
);

/// One attempt to deliver a message through a channel, as the delivery log lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Attempt {
    pub id: String,
    pub delivery_id: String,
    pub channel_id: String,
    pub channel_name: String,
    /// `sent` or `failed`; a delivery not tried yet shows once as `pending`.
    pub status: String,
    /// The attempt's number for its delivery (1 for the first); 0 for one not tried yet.
    pub attempt: i32,
    pub at: DateTime<Utc>,
    /// Why it failed (the receiver's answer, a timeout, a refused connection).
    pub error: Option<String>,
    /// The user the message was for (personal channels).
    pub user_id: Option<String>,
    /// The address used: an e-mail address, a mobile number, a WeCom user id.
    pub address: Option<String>,
    pub kind: String,
    pub title: String,
    /// The delivery's state now (`pending`, `sent`, `dead`).
    pub delivery_status: DeliveryStatus,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// Which rows of the delivery log to list.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub channel_id: Option<String>,
    pub user_id: Option<String>,
    /// `sent`, `failed` or `pending`.
    pub status: Option<String>,
}

/// What a test send did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TestOutcome {
    /// `sent` or `failed`.
    pub status: String,
    pub error: Option<String>,
    pub delivery_id: String,
}

/// A test send's recipient on a personal channel (default: the caller's own address).
#[derive(Debug, Clone, Default, serde::Deserialize, ToSchema)]
pub struct TestInput {
    pub to: Option<String>,
}

/// A message as the channels carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Message {
    pub title: String,
    pub body: String,
    /// Breaches and outages of the most severe level: these pass quiet hours.
    pub urgent: bool,
}

/// How long to wait before attempt `n + 1` after `n` failed ones (n ≥ 1), or `None` to give up:
/// 30 s, 1, 2, 5, 10, 30 minutes, 1, 2, 4 hours — about eight hours in all, so a receiver down
/// overnight still gets the morning's retries.
pub fn retry_after(failed: i32) -> Option<chrono::Duration> {
    const STEPS: [i64; 9] = [30, 60, 120, 300, 600, 1800, 3600, 7200, 14400];
    let i = usize::try_from(failed).ok()?.checked_sub(1)?;
    STEPS.get(i).map(|s| chrono::Duration::seconds(*s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_then_give_up() {
        assert_eq!(retry_after(1), Some(chrono::Duration::seconds(30)));
        assert_eq!(retry_after(2), Some(chrono::Duration::seconds(60)));
        assert_eq!(retry_after(9), Some(chrono::Duration::hours(4)));
        assert_eq!(retry_after(10), None);
        assert_eq!(retry_after(0), None);
    }
}
