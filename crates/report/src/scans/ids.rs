//! Vulnerability ids (CVE, CNVD, CNNVD) found in free text and normalised.
//!
//! Scanners write ids in every shape: one per element, comma lists, "CVE编号：cve-2021-44228",
//! "无", "-". Looking for the id patterns themselves, rather than splitting and trusting each
//! piece, takes all of these in one rule.

/// Which kinds of id a field may hold.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum IdKind {
    Cve,
    Cnvd,
    Cnnvd,
}

impl IdKind {
    pub(crate) const ALL: &'static [IdKind] = &[IdKind::Cve, IdKind::Cnvd, IdKind::Cnnvd];

    fn prefix(self) -> &'static str {
        match self {
            IdKind::Cve => "CVE-",
            IdKind::Cnvd => "CNVD-",
            IdKind::Cnnvd => "CNNVD-",
        }
    }

    /// Digits of the first group: a year for CVE and CNVD, year and month for CNNVD.
    fn first_digits(self) -> usize {
        match self {
            IdKind::Cve | IdKind::Cnvd => 4,
            IdKind::Cnnvd => 6,
        }
    }
}

/// The ids of one finding, in the order first seen, without duplicates.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Ids {
    pub cves: Vec<String>,
    pub cnvd: Vec<String>,
    pub cnnvd: Vec<String>,
}

impl Ids {
    /// Adds the ids of the given kinds found in `text`; anything else in it is ignored.
    pub(crate) fn scan(&mut self, text: &str, kinds: &[IdKind]) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // Ids start with a letter; a letter or digit just before means a longer word.
            let boundary = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
            if boundary
                && bytes[i].eq_ignore_ascii_case(&b'c')
                && let Some((kind, id, len)) =
                    kinds.iter().find_map(|&k| read_id(&bytes[i..], k).map(|(id, n)| (k, id, n)))
            {
                self.push(kind, id);
                i += len;
                continue;
            }
            i += 1;
        }
    }

    fn push(&mut self, kind: IdKind, id: String) {
        let list = match kind {
            IdKind::Cve => &mut self.cves,
            IdKind::Cnvd => &mut self.cnvd,
            IdKind::Cnnvd => &mut self.cnnvd,
        };
        if !list.contains(&id) {
            list.push(id);
        }
    }
}

/// An id of `kind` at the start of `s`: its normalised form and how many bytes it took.
fn read_id(s: &[u8], kind: IdKind) -> Option<(String, usize)> {
    let prefix = kind.prefix().as_bytes();
    if s.len() < prefix.len() || !s[..prefix.len()].eq_ignore_ascii_case(prefix) {
        return None;
    }
    let digits = |from: usize| s[from..].iter().take_while(|b| b.is_ascii_digit()).count();
    let first = digits(prefix.len());
    if first != kind.first_digits() {
        return None;
    }
    let dash = prefix.len() + first;
    if s.get(dash) != Some(&b'-') {
        return None;
    }
    let second = digits(dash + 1);
    if second == 0 {
        return None;
    }
    let end = dash + 1 + second;
    // Only ASCII letters, digits and dashes were taken, so this is valid UTF-8.
    let id = String::from_utf8_lossy(&s[..end]).to_ascii_uppercase();
    Some((id, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Ids {
        let mut ids = Ids::default();
        ids.scan(text, IdKind::ALL);
        ids
    }

    #[test]
    fn mixed_lists_are_classified_and_normalised() {
        let ids =
            all("cve-2021-44228、CNVD-2021-95914；CNNVD-202112-799,CVE-2021-45046\nCVE-2021-44228 ，cnvd-2020-10487");
        assert_eq!(ids.cves, ["CVE-2021-44228", "CVE-2021-45046"]);
        assert_eq!(ids.cnvd, ["CNVD-2021-95914", "CNVD-2020-10487"]);
        assert_eq!(ids.cnnvd, ["CNNVD-202112-799"]);
    }

    #[test]
    fn placeholders_and_near_misses_are_ignored() {
        assert_eq!(all("无"), Ids::default());
        assert_eq!(all("-"), Ids::default());
        assert_eq!(all("CVE-21-1234 XCVE-2021-1234 CVE-2021- CNNVD-2021-1 MS17-010 CWE-79"), Ids::default());
        assert_eq!(all("CVE编号：CVE-2017-0144（永恒之蓝）").cves, ["CVE-2017-0144"]);
    }

    #[test]
    fn only_the_asked_kinds_are_taken() {
        let mut ids = Ids::default();
        ids.scan("CVE-2021-44228 CNVD-2021-95914", &[IdKind::Cve]);
        assert_eq!(ids.cves, ["CVE-2021-44228"]);
        assert!(ids.cnvd.is_empty());
    }
}
