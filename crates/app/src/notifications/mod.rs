//! Notifications beyond the bell: channels (administrators), the bureau's routing rules and each
//! user's preferences, and the delivery job that routes every notice and sends with retries.

mod channels;
mod dispatch;
pub mod reminders;
mod routing;

pub use dispatch::DeliveryReport;

use domain::notifications::ChannelKind;
use domain::registry::User;

/// The address a personal channel reaches `u` at.
pub(crate) fn address_of(kind: ChannelKind, u: &User, wecom_id: Option<&str>) -> Option<String> {
    match kind {
        ChannelKind::Email => u.email.clone(),
        ChannelKind::Sms => u.phone.as_deref().map(mobile).filter(|p| !p.is_empty()),
        ChannelKind::Wecom => wecom_id.map(str::to_string),
        _ => None,
    }
}

/// A phone number as SMS gateways take it: digits, with a leading `+` kept.
fn mobile(p: &str) -> String {
    let plus = p.trim_start().starts_with('+');
    let digits: String = p.chars().filter(char::is_ascii_digit).collect();
    if plus { format!("+{digits}") } else { digits }
}
