//! Small text rules shared by the readers: trimming and capping machine output, scores, hosts.

use std::net::IpAddr;

/// Titles longer than this are cut: a title is a line in a list, not a document.
pub(crate) const TITLE_CHARS: usize = 500;
/// Descriptions, solutions and evidence longer than this are cut. Scanners sometimes dump a
/// whole HTTP response or file listing into the evidence; the finding does not need all of it.
pub(crate) const LONG_CHARS: usize = 20_000;

/// `s` trimmed and cut to `max` characters, on a character boundary; `None` when blank.
/// Machine output is not refused for being long: it is cut silently.
pub(crate) fn capped(s: &str, max: usize) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    Some(match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((cut, _)) => s[..cut].trim_end().to_string(),
    })
}

/// A long text field (description, solution, evidence).
pub(crate) fn long(s: &str) -> Option<String> {
    capped(s, LONG_CHARS)
}

/// A CVSS score as XML scanners write it; anything not in 0..=10 is ignored (machine output
/// with a broken score still has a usable finding).
pub(crate) fn cvss(s: &str) -> Option<f32> {
    s.trim().parse::<f32>().ok().filter(|v| (0.0..=10.0).contains(v))
}

/// Sorted for people: IPv4 then IPv6 addresses in numeric order, then names alphabetically;
/// duplicates removed.
pub(crate) fn sorted_hosts(mut hosts: Vec<String>) -> Vec<String> {
    hosts.retain(|h| !h.trim().is_empty());
    hosts.sort_by_cached_key(|h| match h.parse::<IpAddr>() {
        Ok(ip) => (0, Some(ip), String::new()),
        Err(_) => (1, None, h.to_lowercase()),
    });
    hosts.dedup();
    hosts
}

/// The protocol part of a port cell or attribute ("tcp", "udp", "icmp"), lower case.
pub(crate) fn protocol(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && s.chars().any(|c| c.is_ascii_alphabetic()))
    .then(|| s.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capping_cuts_on_char_boundaries() {
        assert_eq!(capped("  漏洞  ", 500).as_deref(), Some("漏洞"));
        assert_eq!(capped("   ", 5), None);
        assert_eq!(capped("漏洞扫描结果", 2).as_deref(), Some("漏洞"));
        assert_eq!(long(&"a".repeat(30_000)).map(|s| s.len()), Some(LONG_CHARS));
    }

    #[test]
    fn hosts_sort_numerically_then_by_name() {
        let hosts = ["web01", "10.0.0.10", "10.0.0.9", "10.0.0.10", "::1", "", "App"].map(String::from).to_vec();
        assert_eq!(sorted_hosts(hosts), ["10.0.0.9", "10.0.0.10", "::1", "App", "web01"]);
    }

    #[test]
    fn scores_and_protocols() {
        assert_eq!(cvss(" 7.5 "), Some(7.5));
        assert_eq!(cvss("11"), None);
        assert_eq!(cvss("n/a"), None);
        assert_eq!(protocol("TCP").as_deref(), Some("tcp"));
        assert_eq!(protocol("443"), None);
        assert_eq!(protocol(""), None);
    }
}
