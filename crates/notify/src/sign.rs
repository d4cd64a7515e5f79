//! The signatures the robots and our webhook carry, as their platforms document them.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn hmac256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// DingTalk: base64 of HMAC-SHA256 keyed by the secret over "timestamp\nsecret" (timestamp in
/// milliseconds); the caller URL-encodes it into the query.
pub fn dingtalk_sign(timestamp_ms: i64, secret: &str) -> String {
    STANDARD.encode(hmac256(secret.as_bytes(), format!("{timestamp_ms}\n{secret}").as_bytes()))
}

/// Feishu: base64 of HMAC-SHA256 keyed by "timestamp\nsecret" over nothing (timestamp in
/// seconds).
pub fn feishu_sign(timestamp_s: i64, secret: &str) -> String {
    STANDARD.encode(hmac256(format!("{timestamp_s}\n{secret}").as_bytes(), b""))
}

/// Our webhook: `sha256=` and the hex HMAC-SHA256 keyed by the secret over "timestamp.body".
pub fn webhook_signature(timestamp_s: i64, body: &[u8], secret: &str) -> String {
    let mut data = format!("{timestamp_s}.").into_bytes();
    data.extend_from_slice(body);
    format!("sha256={}", hex::encode(hmac256(secret.as_bytes(), &data)))
}

pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    hmac256(key, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_the_documented_forms() {
        // Recomputed independently: HMAC-SHA256("SECxyz", "1700000000000\nSECxyz").
        let mut m = HmacSha256::new_from_slice(b"SECxyz").expect("key");
        m.update(b"1700000000000\nSECxyz");
        assert_eq!(dingtalk_sign(1_700_000_000_000, "SECxyz"), STANDARD.encode(m.finalize().into_bytes()));
        let mut m = HmacSha256::new_from_slice(b"1700000000\nabc").expect("key");
        m.update(b"");
        assert_eq!(feishu_sign(1_700_000_000, "abc"), STANDARD.encode(m.finalize().into_bytes()));
        let s = webhook_signature(1, b"{}", "k");
        assert!(s.starts_with("sha256=") && s.len() == 7 + 64);
        assert_ne!(s, webhook_signature(2, b"{}", "k"));
    }
}
