//! OpenVAS / Greenbone XML reports: `report/results/result`, whether the file is a bare
//! `<report>`, a report inside a report (GVM's export wraps the data in a second `<report>`), or
//! a `get_reports_response`. Only results whose parent is `results` are findings: GVM nests
//! other `<result>` elements, e.g. the detection that found the product, inside a result.

use chrono::{DateTime, NaiveDateTime, Utc};
use quick_xml::events::BytesStart;

use super::ids::{IdKind, Ids};
use super::text::{TITLE_CHARS, capped, cvss, long, protocol, sorted_hosts};
use super::xml::{Handler, Here, Path, attr, walk};
use super::{MAX_FINDINGS, ScanError, ScanFile, ScanFinding, ScanFormat, ScanSeverity, too_many};

pub(crate) fn read(src: &str, root: &str) -> Result<ScanFile, ScanError> {
    let mut o = OpenVas { greenbone: root == "get_reports_response", ..OpenVas::default() };
    walk(src, &mut o)?;
    Ok(ScanFile {
        format: ScanFormat::OpenVas,
        scanner: Some(if o.greenbone { "Greenbone" } else { "OpenVAS" }.into()),
        started_at: o.started_at,
        hosts: sorted_hosts(o.hosts),
        findings: o.findings,
        informational: o.informational,
    })
}

#[derive(Default)]
struct OpenVas {
    /// GMP (Greenbone Management Protocol) marks GVM 8 and later, sold and named Greenbone.
    greenbone: bool,
    hosts: Vec<String>,
    findings: Vec<ScanFinding>,
    informational: usize,
    started_at: Option<DateTime<Utc>>,
    /// The result being read and the depth of its children.
    item: Option<(usize, Item)>,
}

#[derive(Default)]
struct Item {
    row: usize,
    name: Option<String>,
    host: Option<String>,
    hostname: Option<String>,
    port: Option<String>,
    oid: Option<String>,
    nvt_name: Option<String>,
    cvss_base: Option<f32>,
    severities_score: Option<f32>,
    /// The `type` of the `severities/severity` being read ("cvss_base_v3", "cvss_base_v2").
    severity_type: Option<String>,
    cvss3: Option<f32>,
    cvss2: Option<f32>,
    tags: Option<String>,
    solution: Option<String>,
    threat: Option<String>,
    severity: Option<String>,
    description: Option<String>,
    ids: Ids,
}

impl Handler for OpenVas {
    fn start(&mut self, path: &Path, e: &BytesStart<'_>, here: &mut Here<'_, '_>) -> Result<(), ScanError> {
        if let Some((depth, item)) = self.item.as_mut() {
            let d = *depth;
            if path.below(d, &["nvt"]) {
                item.oid = attr(e, "oid");
            } else if path.below(d, &["nvt", "severities"]) {
                item.severities_score = attr(e, "score").and_then(|s| cvss(&s));
            } else if path.below(d, &["nvt", "severities", "severity"]) {
                item.severity_type = attr(e, "type");
            } else if path.below(d, &["nvt", "refs", "ref"]) {
                // cert-bund, dfn-cert, url… are other catalogues' ids and links.
                let kind = match attr(e, "type").map(|t| t.to_ascii_lowercase()).as_deref() {
                    Some("cve") => Some(IdKind::Cve),
                    Some("cnvd") => Some(IdKind::Cnvd),
                    Some("cnnvd") => Some(IdKind::Cnnvd),
                    _ => None,
                };
                if let (Some(kind), Some(id)) = (kind, attr(e, "id")) {
                    item.ids.scan(&id, &[kind]);
                }
            }
        } else if path.ends_with(&["results", "result"]) {
            self.item = Some((path.len(), Item { row: here.line(), ..Item::default() }));
        } else if path.ends_with(&["report", "gmp"]) {
            self.greenbone = true;
        }
        Ok(())
    }

    fn text(&mut self, path: &Path, text: &str) {
        let Some((d, item)) = self.item.as_mut() else {
            if path.ends_with(&["report", "host", "ip"]) {
                self.hosts.push(text.to_string());
            } else if path.ends_with(&["report", "scan_start"]) {
                self.started_at = instant(text);
            }
            return;
        };
        let d = *d;
        let slot = if path.below(d, &["name"]) {
            &mut item.name
        } else if path.below(d, &["host"]) {
            &mut item.host
        } else if path.below(d, &["host", "hostname"]) {
            &mut item.hostname
        } else if path.below(d, &["port"]) {
            &mut item.port
        } else if path.below(d, &["nvt", "name"]) {
            &mut item.nvt_name
        } else if path.below(d, &["nvt", "tags"]) {
            &mut item.tags
        } else if path.below(d, &["nvt", "solution"]) {
            &mut item.solution
        } else if path.below(d, &["threat"]) {
            &mut item.threat
        } else if path.below(d, &["severity"]) {
            &mut item.severity
        } else if path.below(d, &["description"]) {
            &mut item.description
        } else {
            if path.below(d, &["nvt", "cvss_base"]) {
                item.cvss_base = cvss(text);
            } else if path.below(d, &["nvt", "severities", "severity", "score"]) {
                let kind = item.severity_type.as_deref().unwrap_or("");
                let slot = if kind.contains("v3") {
                    &mut item.cvss3
                } else if kind.contains("v2") {
                    &mut item.cvss2
                } else {
                    // v4 and unknown kinds: the `severities` score stands for them.
                    return;
                };
                *slot = slot.or(cvss(text));
            } else if path.below(d, &["nvt", "cve"]) {
                // OpenVAS 9 and older: a comma list, "NOCVE" when there is none.
                item.ids.scan(text, &[IdKind::Cve]);
            }
            return;
        };
        // Text split by child elements (the host's address before its <hostname>) is kept from
        // the first piece.
        slot.get_or_insert_with(|| text.to_string());
    }

    fn end(&mut self, path: &Path) -> Result<(), ScanError> {
        if let Some((d, _)) = &self.item
            && path.len() == *d
            && let Some((_, item)) = self.item.take()
        {
            self.finish(item)?;
        }
        Ok(())
    }
}

impl OpenVas {
    fn finish(&mut self, item: Item) -> Result<(), ScanError> {
        if let Some(h) = &item.host {
            // A host with only informational results was still scanned.
            self.hosts.push(h.clone());
        }
        let Some(severity) = severity(item.severity.as_deref(), item.threat.as_deref()) else {
            self.informational += 1;
            return Ok(());
        };
        if self.findings.len() >= MAX_FINDINGS {
            return Err(too_many());
        }
        let tags = Tags(item.tags.as_deref().unwrap_or(""));
        let (port, protocol) = port(item.port.as_deref().unwrap_or(""));
        let title = [item.name.as_deref(), item.nvt_name.as_deref(), item.oid.as_deref()]
            .into_iter()
            .flatten()
            .find_map(|t| capped(t, TITLE_CHARS))
            .unwrap_or_else(|| "未命名漏洞".to_string());
        let description = match (tags.get("summary"), tags.get("insight")) {
            (Some(s), Some(i)) => long(&format!("{s}\n\n{i}")),
            (s, i) => s.or(i).and_then(long),
        };
        self.findings.push(ScanFinding {
            row: item.row,
            host: item.host,
            hostname: item.hostname,
            port,
            protocol,
            url: None,
            plugin_id: item.oid,
            title,
            severity,
            cvss: item.cvss3.or(item.cvss2).or(item.severities_score).or(item.cvss_base),
            cves: item.ids.cves,
            cnvd: item.ids.cnvd,
            cnnvd: item.ids.cnnvd,
            description,
            solution: item.solution.as_deref().or(tags.get("solution")).and_then(long),
            evidence: item.description.as_deref().and_then(long),
        });
        Ok(())
    }
}

/// The result's numeric severity decides when present (it already includes overrides); the
/// threat word stands in for reports that lack it.
fn severity(score: Option<&str>, threat: Option<&str>) -> Option<ScanSeverity> {
    if let Some(s) = score.and_then(|s| s.trim().parse::<f32>().ok()) {
        return ScanSeverity::from_score(s);
    }
    match threat.map(|t| t.trim().to_ascii_lowercase()).as_deref() {
        Some("critical") => Some(ScanSeverity::Critical),
        Some("high") => Some(ScanSeverity::High),
        Some("medium") => Some(ScanSeverity::Medium),
        Some("low") => Some(ScanSeverity::Low),
        // Log, Debug, False Positive, or nothing at all.
        _ => None,
    }
}

/// "443/tcp" → (443, tcp); "general/tcp" → (None, tcp); "package" → (None, None).
fn port(s: &str) -> (Option<u16>, Option<String>) {
    match s.trim().split_once('/') {
        Some((number, proto)) => (number.trim().parse::<u16>().ok().filter(|&p| p != 0), protocol(proto)),
        None => (s.trim().parse::<u16>().ok().filter(|&p| p != 0), None),
    }
}

/// The NVT's `tags`: `key=value` pairs joined by `|`. A `|` inside a value (it happens in
/// insight texts) does not start a pair unless one of the keys GVM writes and `=` follow it.
struct Tags<'a>(&'a str);

const TAG_KEYS: &[&str] = &[
    "cvss_base_vector",
    "severity_vector",
    "severity_origin",
    "severity_date",
    "summary",
    "insight",
    "affected",
    "impact",
    "solution",
    "solution_type",
    "solution_method",
    "vuldetect",
    "qod_type",
    "qod",
    "deprecated",
    "creation_date",
    "last_modification",
];

impl<'a> Tags<'a> {
    fn get(&self, key: &str) -> Option<&'a str> {
        let src = self.0;
        let mut starts = Vec::new();
        let mut at = 0;
        for piece in src.split('|') {
            if let Some((k, _)) = piece.split_once('=')
                && TAG_KEYS.contains(&k)
            {
                starts.push((at, k.len()));
            }
            at += piece.len() + 1;
        }
        let i = starts.iter().position(|&(s, len)| &src[s..s + len] == key)?;
        let (s, len) = starts[i];
        let end = starts.get(i + 1).map_or(src.len(), |&(next, _)| next - 1);
        Some(src[s + len + 1..end].trim()).filter(|v| !v.is_empty())
    }
}

/// GVM writes RFC 3339 ("2024-06-04T10:20:31Z", "…+08:00"); OpenVAS 9 and older wrote ctime
/// ("Tue Jun  4 10:20:31 2024") in UTC.
fn instant(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%a %b %d %H:%M:%S %Y"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&joined, f).ok())
        .map(|n| n.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports() {
        assert_eq!(port("443/tcp"), (Some(443), Some("tcp".into())));
        assert_eq!(port("general/tcp"), (None, Some("tcp".into())));
        assert_eq!(port("general/icmp"), (None, Some("icmp".into())));
        assert_eq!(port("package"), (None, None));
        assert_eq!(port(""), (None, None));
    }

    #[test]
    fn tags_split_on_keys_only() {
        let t = Tags("cvss_base_vector=AV:N/AC:L|summary=Weak ciphers|insight=a|b=c is not a key|solution=Upgrade.|x");
        assert_eq!(t.get("summary"), Some("Weak ciphers"));
        assert_eq!(t.get("insight"), Some("a|b=c is not a key"));
        assert_eq!(t.get("solution"), Some("Upgrade.|x"));
        assert_eq!(t.get("impact"), None);
        assert_eq!(Tags("").get("summary"), None);
    }

    #[test]
    fn severity_score_first_then_threat() {
        assert_eq!(severity(Some("9.8"), Some("Low")), Some(ScanSeverity::Critical));
        assert_eq!(severity(Some("0.0"), Some("High")), None);
        assert_eq!(severity(Some("-1"), None), None);
        assert_eq!(severity(None, Some("Medium")), Some(ScanSeverity::Medium));
        assert_eq!(severity(None, Some("False Positive")), None);
    }

    #[test]
    fn start_instants() {
        let at = |s| instant(s).map(|t| t.to_rfc3339());
        assert_eq!(at("2024-06-04T10:20:31+08:00").as_deref(), Some("2024-06-04T02:20:31+00:00"));
        assert_eq!(at("2024-06-04T02:20:31Z").as_deref(), Some("2024-06-04T02:20:31+00:00"));
        assert_eq!(at("Tue Jun  4 02:20:31 2024").as_deref(), Some("2024-06-04T02:20:31+00:00"));
        assert_eq!(at("soon"), None);
    }
}
