//! Nessus v2 (.nessus): `NessusClientData_v2/Report/ReportHost` with `HostProperties/tag` and
//! `ReportItem`s. Host properties come first in Nessus' own files, but the items of a host are
//! completed at the host's end so that a reordered file reads the same.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use quick_xml::events::BytesStart;

use super::ids::{IdKind, Ids};
use super::text::{TITLE_CHARS, capped, cvss, long, protocol, sorted_hosts};
use super::xml::{Handler, Here, Path, attr, walk};
use super::{MAX_FINDINGS, ScanError, ScanFile, ScanFinding, ScanFormat, ScanSeverity, too_many};

pub(crate) fn read(src: &str) -> Result<ScanFile, ScanError> {
    let mut n = Nessus::default();
    walk(src, &mut n)?;
    Ok(ScanFile {
        format: ScanFormat::Nessus,
        scanner: Some("Nessus".into()),
        started_at: n.started_at,
        hosts: sorted_hosts(n.hosts),
        findings: n.findings,
        informational: n.informational,
    })
}

#[derive(Default)]
struct Nessus {
    hosts: Vec<String>,
    findings: Vec<ScanFinding>,
    informational: usize,
    started_at: Option<DateTime<Utc>>,
    host: Host,
    /// The `name` of the host property tag being read.
    tag: Option<String>,
    item: Option<Item>,
}

#[derive(Default)]
struct Host {
    name: Option<String>,
    ip: Option<String>,
    fqdn: Option<String>,
    netbios: Option<String>,
    start: Option<String>,
    start_timestamp: Option<String>,
    /// Index in `findings` of the host's first finding.
    first: usize,
}

#[derive(Default)]
struct Item {
    row: usize,
    port: Option<u16>,
    protocol: Option<String>,
    severity: Option<String>,
    plugin_id: Option<String>,
    plugin_name: Option<String>,
    /// The `plugin_name` element, which some exports carry instead of the attribute.
    name_element: Option<String>,
    synopsis: Option<String>,
    description: Option<String>,
    solution: Option<String>,
    output: Option<String>,
    risk_factor: Option<String>,
    cvss3: Option<f32>,
    cvss2: Option<f32>,
    ids: Ids,
}

// Depths in the path: 0 NessusClientData_v2, 1 Report, 2 ReportHost, 3 HostProperties or
// ReportItem, 4 a tag or an item's field.
const HOST: &[&str] = &["NessusClientData_v2", "Report", "ReportHost"];

fn in_host(path: &Path, depth: usize) -> bool {
    path.len() == depth && path.get(0) == HOST[0] && path.get(1) == HOST[1] && path.get(2) == HOST[2]
}

impl Handler for Nessus {
    fn start(&mut self, path: &Path, e: &BytesStart<'_>, here: &mut Here<'_, '_>) -> Result<(), ScanError> {
        if in_host(path, 3) {
            self.host = Host { name: attr(e, "name"), first: self.findings.len(), ..Host::default() };
        } else if in_host(path, 5) && path.get(3) == "HostProperties" && path.get(4) == "tag" {
            self.tag = attr(e, "name");
        } else if in_host(path, 4) && path.get(3) == "ReportItem" {
            self.item = Some(Item {
                row: here.line(),
                // Port 0 is Nessus' "general": the finding is about the host, not a service.
                port: attr(e, "port").and_then(|p| p.parse::<u16>().ok()).filter(|&p| p != 0),
                protocol: attr(e, "protocol").and_then(|p| protocol(&p)),
                severity: attr(e, "severity"),
                plugin_id: attr(e, "pluginID"),
                plugin_name: attr(e, "pluginName"),
                ..Item::default()
            });
        }
        Ok(())
    }

    fn text(&mut self, path: &Path, text: &str) {
        if in_host(path, 5) && path.get(3) == "HostProperties" && path.get(4) == "tag" {
            let slot = match self.tag.as_deref() {
                Some("host-ip") => &mut self.host.ip,
                Some("host-fqdn") => &mut self.host.fqdn,
                Some("netbios-name") => &mut self.host.netbios,
                Some("HOST_START") => &mut self.host.start,
                Some("HOST_START_TIMESTAMP") => &mut self.host.start_timestamp,
                _ => return,
            };
            *slot = Some(text.to_string());
            return;
        }
        let Some(item) = self.item.as_mut().filter(|_| in_host(path, 5) && path.get(3) == "ReportItem") else {
            return;
        };
        match path.get(4) {
            "plugin_name" => item.name_element = capped(text, TITLE_CHARS),
            "synopsis" => item.synopsis = long(text),
            "description" => item.description = long(text),
            "solution" => item.solution = long(text),
            "plugin_output" => item.output = long(text),
            "risk_factor" => item.risk_factor = Some(text.to_string()),
            "cvss3_base_score" => item.cvss3 = cvss(text),
            "cvss_base_score" => item.cvss2 = cvss(text),
            "cve" => item.ids.scan(text, &[IdKind::Cve]),
            // Cross references are mostly IAVA, CWE, MSFT…; Chinese ids are taken when present.
            "xref" => item.ids.scan(text, &[IdKind::Cnvd, IdKind::Cnnvd]),
            _ => {}
        }
    }

    fn end(&mut self, path: &Path) -> Result<(), ScanError> {
        if in_host(path, 4) && path.get(3) == "ReportItem" {
            if let Some(item) = self.item.take() {
                self.finish_item(item)?;
            }
        } else if in_host(path, 3) {
            self.finish_host();
        }
        Ok(())
    }
}

impl Nessus {
    fn finish_item(&mut self, item: Item) -> Result<(), ScanError> {
        let Some(severity) = severity(item.severity.as_deref(), item.risk_factor.as_deref()) else {
            self.informational += 1;
            return Ok(());
        };
        if self.findings.len() >= MAX_FINDINGS {
            return Err(too_many());
        }
        let title = item
            .plugin_name
            .and_then(|t| capped(&t, TITLE_CHARS))
            .or(item.name_element)
            .or_else(|| item.synopsis.as_deref().and_then(|s| capped(s, TITLE_CHARS)))
            .unwrap_or_else(|| match &item.plugin_id {
                Some(id) => format!("Nessus 插件 {id}"),
                None => "未命名漏洞".to_string(),
            });
        self.findings.push(ScanFinding {
            row: item.row,
            host: None,
            hostname: None,
            port: item.port,
            protocol: item.protocol,
            url: None,
            plugin_id: item.plugin_id,
            title,
            severity,
            cvss: item.cvss3.or(item.cvss2),
            cves: item.ids.cves,
            cnvd: item.ids.cnvd,
            cnnvd: item.ids.cnnvd,
            description: item.description.or(item.synopsis),
            solution: item.solution,
            evidence: item.output,
        });
        Ok(())
    }

    fn finish_host(&mut self) {
        let host = std::mem::take(&mut self.host);
        let address = host.ip.or(host.name);
        let hostname = host.fqdn.or(host.netbios);
        for f in self.findings.iter_mut().skip(host.first) {
            f.host.clone_from(&address);
            f.hostname.clone_from(&hostname);
        }
        if let Some(a) = address {
            self.hosts.push(a);
        }
        let start = host
            .start_timestamp
            .as_deref()
            .and_then(from_timestamp)
            .or_else(|| host.start.as_deref().and_then(from_ctime));
        if let Some(t) = start {
            self.started_at = Some(self.started_at.map_or(t, |s| s.min(t)));
        }
    }
}

/// The `severity` attribute (0–4) decides; `risk_factor` stands in when it is missing. Neither:
/// informational, since a finding cannot be ranked without one.
fn severity(attribute: Option<&str>, risk_factor: Option<&str>) -> Option<ScanSeverity> {
    if let Some(level) = attribute.and_then(|s| s.trim().parse::<i64>().ok()).and_then(ScanSeverity::from_level) {
        return level;
    }
    match risk_factor.map(|r| r.trim().to_ascii_lowercase()).as_deref() {
        Some("critical") => Some(ScanSeverity::Critical),
        Some("high") => Some(ScanSeverity::High),
        Some("medium") => Some(ScanSeverity::Medium),
        Some("low") => Some(ScanSeverity::Low),
        _ => None,
    }
}

/// `HOST_START_TIMESTAMP` (newer Nessus): Unix seconds, exact.
fn from_timestamp(s: &str) -> Option<DateTime<Utc>> {
    Utc.timestamp_opt(s.trim().parse().ok()?, 0).single()
}

/// `HOST_START` ("Tue Jun  4 10:20:31 2024") is the scanner's local time without a zone. The
/// scanners this product reads run in China, which keeps UTC+8 all year, so that is assumed.
fn from_ctime(s: &str) -> Option<DateTime<Utc>> {
    // The weekday is redundant; skipping it spares a refusal over a mismatch.
    let s = s.split_whitespace().skip(1).collect::<Vec<_>>().join(" ");
    let naive = NaiveDateTime::parse_from_str(&s, "%b %d %H:%M:%S %Y").ok()?;
    let china = FixedOffset::east_opt(8 * 3600)?;
    Some(china.from_local_datetime(&naive).single()?.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_times() {
        let t = from_ctime("Tue Jun  4 10:20:31 2024").map(|t| t.to_rfc3339());
        assert_eq!(t.as_deref(), Some("2024-06-04T02:20:31+00:00"));
        assert_eq!(
            from_ctime("Fri Jun 14 10:20:31 2024").map(|t| t.to_rfc3339()).as_deref(),
            Some("2024-06-14T02:20:31+00:00")
        );
        assert_eq!(from_ctime("yesterday"), None);
        assert_eq!(from_timestamp("1717467631").map(|t| t.to_rfc3339()).as_deref(), Some("2024-06-04T02:20:31+00:00"));
    }

    #[test]
    fn severity_attribute_then_risk_factor() {
        assert_eq!(severity(Some("4"), Some("Low")), Some(ScanSeverity::Critical));
        assert_eq!(severity(Some("0"), Some("High")), None);
        assert_eq!(severity(None, Some("Medium")), Some(ScanSeverity::Medium));
        assert_eq!(severity(Some("x"), Some("None")), None);
    }
}
