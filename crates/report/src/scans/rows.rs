//! Table rows into findings through a column mapping. Unlike XML, a table is often typed or
//! edited by hand, so bad cells are reported row by row (all of them at once) instead of
//! being guessed around.

use super::ids::{IdKind, Ids};
use super::mapping::{SeverityWords, mapping_guess};
use super::table::Grid;
use super::text::{TITLE_CHARS, capped, long, protocol, sorted_hosts};
use super::{ColumnMapping, MAX_FINDINGS, Problem, ScanError, ScanFile, ScanFinding, ScanFormat, file_error, too_many};

/// Chinese exports put a title row or two (report name, scan time) above the header.
const HEADER_WITHIN: usize = 20;

/// The header row for the mapping step: the first near the top in which the guess finds the
/// title and severity, else the first of the widest rows (a title row has fewer cells).
pub(crate) fn header_row(grid: &Grid) -> Vec<String> {
    let top = || grid.rows.iter().take(HEADER_WITHIN).map(|(_, cells)| cells);
    if let Some(cells) = top().find(|cells| {
        let m = mapping_guess(cells);
        !m.title.is_empty() && !m.severity.is_empty()
    }) {
        return cells.clone();
    }
    let width = |cells: &Vec<String>| cells.iter().filter(|c| !c.is_empty()).count();
    let widest = top().map(width).max().unwrap_or(0);
    top().find(|cells| width(cells) == widest).cloned().unwrap_or_default()
}

pub(crate) fn read(grid: &Grid, mapping: Option<&ColumnMapping>) -> Result<ScanFile, ScanError> {
    if grid.rows.is_empty() {
        return Err(file_error("表格是空的", "the table is empty"));
    }
    let guessed;
    let mapping = match mapping {
        Some(m) => m,
        None => {
            guessed = guess(grid)?;
            &guessed
        }
    };
    let words = SeverityWords::new(mapping)?;
    let (header_at, cols) = locate(grid, mapping)?;
    let mut out = ScanFile {
        format: ScanFormat::Table,
        scanner: None,
        started_at: None,
        hosts: Vec::new(),
        findings: Vec::new(),
        informational: 0,
    };
    let mut problems = Vec::new();
    for (row, cells) in &grid.rows[header_at + 1..] {
        let row = *row;
        let title_cell = get(cells, Some(&cols.title));
        let severity_cell = get(cells, Some(&cols.severity));
        // Some exports repeat the header above each host's block.
        if title_cell == Some(cols.title.header.as_str()) && severity_cell == Some(cols.severity.header.as_str()) {
            continue;
        }
        if let Some(h) = get(cells, cols.host.as_ref()) {
            out.hosts.push(h.to_string());
        }
        let before = problems.len();
        let severity = match severity_cell.map(|w| (w, words.level(w))) {
            Some((_, Some(Some(s)))) => Some(s),
            Some((_, Some(None))) => {
                out.informational += 1;
                continue;
            }
            Some((word, None)) => {
                let accepted = words.accepted();
                let h = &cols.severity.header;
                problems.push(cols.severity.problem(
                    row,
                    format!("第 {row} 行“{h}”列：无法识别的风险等级“{word}”（可用：{accepted}；也可在列映射中补充等级词）"),
                    format!("row {row}, column “{h}”: unknown severity “{word}” (accepted: {accepted}; more words can be added to the column mapping)"),
                ));
                None
            }
            None => {
                let h = &cols.severity.header;
                problems.push(cols.severity.problem(
                    row,
                    format!("第 {row} 行“{h}”列为空：每条漏洞都要有风险等级"),
                    format!("row {row}, column “{h}”: empty; every finding needs a severity"),
                ));
                None
            }
        };
        let title = title_cell.and_then(|t| capped(t, TITLE_CHARS));
        if title.is_none() {
            let h = &cols.title.header;
            problems.push(cols.title.problem(
                row,
                format!("第 {row} 行“{h}”列为空：每条漏洞都要有名称"),
                format!("row {row}, column “{h}”: empty; every finding needs a name"),
            ));
        }
        let (port, port_protocol) = match (&cols.port, get(cells, cols.port.as_ref())) {
            (Some(col), Some(v)) => port(v).unwrap_or_else(|| {
                let h = &col.header;
                problems.push(col.problem(
                    row,
                    format!("第 {row} 行“{h}”列：端口“{v}”无效，应为 1–65535，可带协议，如 443/tcp"),
                    format!("row {row}, column “{h}”: invalid port “{v}”; expected 1–65535, optionally with the protocol, e.g. 443/tcp"),
                ));
                (None, None)
            }),
            _ => (None, None),
        };
        let cvss = match (&cols.cvss, get(cells, cols.cvss.as_ref())) {
            (Some(_), Some(v)) if is_placeholder(v) => None,
            (Some(col), Some(v)) => match v.parse::<f32>() {
                Ok(s) if (0.0..=10.0).contains(&s) => Some(s),
                _ => {
                    let h = &col.header;
                    problems.push(col.problem(
                        row,
                        format!("第 {row} 行“{h}”列：CVSS 评分“{v}”无效，应为 0–10 的数字"),
                        format!("row {row}, column “{h}”: invalid CVSS score “{v}”; expected a number from 0 to 10"),
                    ));
                    None
                }
            },
            _ => None,
        };
        let (Some(title), Some(severity)) = (title, severity) else { continue };
        if problems.len() > before {
            continue;
        }
        if out.findings.len() >= MAX_FINDINGS {
            return Err(too_many());
        }
        let mut ids = Ids::default();
        for (col, kinds) in [
            (&cols.identifiers, IdKind::ALL),
            (&cols.cve, &[IdKind::Cve][..]),
            (&cols.cnvd, &[IdKind::Cnvd][..]),
            (&cols.cnnvd, &[IdKind::Cnnvd][..]),
        ] {
            if let Some(v) = get(cells, col.as_ref()) {
                ids.scan(v, kinds);
            }
        }
        out.findings.push(ScanFinding {
            row,
            host: get(cells, cols.host.as_ref()).map(str::to_string),
            hostname: get(cells, cols.hostname.as_ref()).map(str::to_string),
            port,
            protocol: get(cells, cols.protocol.as_ref()).and_then(protocol).or(port_protocol),
            url: get(cells, cols.url.as_ref()).map(str::to_string),
            plugin_id: get(cells, cols.plugin_id.as_ref()).map(str::to_string),
            title,
            severity,
            cvss,
            cves: ids.cves,
            cnvd: ids.cnvd,
            cnnvd: ids.cnnvd,
            description: get(cells, cols.description.as_ref()).and_then(long),
            solution: get(cells, cols.solution.as_ref()).and_then(long),
            evidence: get(cells, cols.evidence.as_ref()).and_then(long),
        });
    }
    if !problems.is_empty() {
        return Err(ScanError::Rows(problems));
    }
    out.hosts = sorted_hosts(out.hosts);
    Ok(out)
}

/// The trimmed, non-blank cell of a mapped column.
fn get<'a>(cells: &'a [String], col: Option<&Col>) -> Option<&'a str> {
    col.and_then(|c| cells.get(c.index)).map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// A mapped column: where it is and what the file calls it.
#[derive(Clone, Debug)]
struct Col {
    index: usize,
    header: String,
}

impl Col {
    fn problem(&self, row: usize, zh: String, en: String) -> Problem {
        Problem { row, column: Some(self.header.clone()), zh, en }
    }
}

struct Cols {
    title: Col,
    severity: Col,
    host: Option<Col>,
    hostname: Option<Col>,
    port: Option<Col>,
    protocol: Option<Col>,
    url: Option<Col>,
    plugin_id: Option<Col>,
    cvss: Option<Col>,
    identifiers: Option<Col>,
    cve: Option<Col>,
    cnvd: Option<Col>,
    cnnvd: Option<Col>,
    description: Option<Col>,
    solution: Option<Col>,
    evidence: Option<Col>,
}

/// The mapping guessed from the first row near the top that has a title and a severity
/// column; otherwise which of the two could not be found.
fn guess(grid: &Grid) -> Result<ColumnMapping, ScanError> {
    let guesses: Vec<ColumnMapping> =
        grid.rows.iter().take(HEADER_WITHIN).map(|(_, cells)| mapping_guess(cells)).collect();
    let found = |m: &ColumnMapping| usize::from(!m.title.is_empty()) + usize::from(!m.severity.is_empty());
    if let Some(m) = guesses.iter().find(|m| found(m) == 2) {
        return Ok(m.clone());
    }
    let best = guesses.iter().max_by_key(|m| found(m)).cloned().unwrap_or_default();
    let mut zh = Vec::new();
    let mut en = Vec::new();
    if best.title.is_empty() {
        zh.push("漏洞名称");
        en.push("the finding's name (title)");
    }
    if best.severity.is_empty() {
        zh.push("风险等级");
        en.push("the severity");
    }
    Err(file_error(
        format!("表格中找不到{}列，请在导入时指定列映射", zh.join("和")),
        format!("no column for {} was recognised; choose the columns in the mapping step", en.join(" and ")),
    ))
}

fn same(header: &str, name: &str) -> bool {
    header.trim().eq_ignore_ascii_case(name.trim())
}

/// The header row (index into the grid) and the mapped columns in it.
fn locate(grid: &Grid, m: &ColumnMapping) -> Result<(usize, Cols), ScanError> {
    let (title, severity) = (m.title.trim(), m.severity.trim());
    if title.is_empty() || severity.is_empty() {
        return Err(file_error(
            "列映射不完整：必须指定漏洞名称列和风险等级列",
            "the column mapping is incomplete: the title and severity columns are required",
        ));
    }
    let find = |cells: &[String], name: &str| cells.iter().position(|h| same(h, name));
    let Some((at, (row, cells))) = grid
        .rows
        .iter()
        .take(HEADER_WITHIN)
        .enumerate()
        .find(|(_, (_, cells))| find(cells, title).is_some() && find(cells, severity).is_some())
    else {
        return Err(file_error(
            format!("前 {HEADER_WITHIN} 行中找不到同时含有“{title}”和“{severity}”列的表头行"),
            format!("no header row with both “{title}” and “{severity}” columns in the first {HEADER_WITHIN} rows"),
        ));
    };
    let col = |name: &str| find(cells, name).map(|index| Col { index, header: cells[index].trim().to_string() });
    let optional = |name: &Option<String>| -> Result<Option<Col>, ScanError> {
        let Some(name) = name.as_deref().map(str::trim).filter(|n| !n.is_empty()) else {
            return Ok(None);
        };
        col(name).map(Some).ok_or_else(|| {
            file_error(
                format!("第 {row} 行（表头）中没有列映射指定的“{name}”列"),
                format!("the header row (row {row}) has no “{name}” column, which the column mapping names"),
            )
        })
    };
    let cols = Cols {
        // Both were found just above.
        title: col(title).unwrap_or(Col { index: 0, header: title.to_string() }),
        severity: col(severity).unwrap_or(Col { index: 0, header: severity.to_string() }),
        host: optional(&m.host)?,
        hostname: optional(&m.hostname)?,
        port: optional(&m.port)?,
        protocol: optional(&m.protocol)?,
        url: optional(&m.url)?,
        plugin_id: optional(&m.plugin_id)?,
        cvss: optional(&m.cvss)?,
        identifiers: optional(&m.identifiers)?,
        cve: optional(&m.cve)?,
        cnvd: optional(&m.cnvd)?,
        cnnvd: optional(&m.cnnvd)?,
        description: optional(&m.description)?,
        solution: optional(&m.solution)?,
        evidence: optional(&m.evidence)?,
    };
    Ok((at, cols))
}

/// Cells scanners and people write for "nothing here".
fn is_placeholder(v: &str) -> bool {
    ["-", "--", "—", "/", "无", "n/a", "na", "none", "null"].iter().any(|p| v.trim().eq_ignore_ascii_case(p))
}

/// "443", "443/tcp", "tcp/443", "TCP:443", "general/tcp", "0" → port and protocol; `None`
/// when the cell is not a port.
fn port(v: &str) -> Option<(Option<u16>, Option<String>)> {
    if is_placeholder(v) {
        return Some((None, None));
    }
    let mut number = None;
    let mut proto = None;
    let parts: Vec<&str> = v.split(['/', ':']).map(str::trim).collect();
    if parts.len() > 2 {
        return None;
    }
    for part in parts {
        if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
            if number.is_some() {
                return None;
            }
            number = Some(part.parse::<u32>().ok().filter(|&n| n <= 65_535)?);
        } else if part.eq_ignore_ascii_case("general") {
            // Nessus' word for "not a service": no port.
        } else if let Some(p) = protocol(part).filter(|_| proto.is_none()) {
            proto = Some(p);
        } else {
            return None;
        }
    }
    // Beside a number any word passes ("443/https" is how some scanners name the service);
    // alone it must be a protocol, or the cell is not a port at all ("abc").
    if number.is_none() && proto.as_deref().is_some_and(|p| !["tcp", "udp", "icmp", "sctp", "ip"].contains(&p)) {
        return None;
    }
    // Port 0 is "general" too.
    let number = number.and_then(|n| u16::try_from(n).ok()).filter(|&n| n != 0);
    Some((number, proto))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_cells() {
        let tcp = Some("tcp".to_string());
        assert_eq!(port("443"), Some((Some(443), None)));
        assert_eq!(port("443/tcp"), Some((Some(443), tcp.clone())));
        assert_eq!(port("tcp/443"), Some((Some(443), tcp.clone())));
        assert_eq!(port("TCP:443"), Some((Some(443), tcp.clone())));
        assert_eq!(port("general/tcp"), Some((None, tcp)));
        assert_eq!(port("0"), Some((None, None)));
        assert_eq!(port("-"), Some((None, None)));
        assert_eq!(port("65536"), None);
        assert_eq!(port("80,443"), None);
        assert_eq!(port("1/2/3"), None);
        assert_eq!(port("443/443"), None);
        assert_eq!(port("abc"), None);
        assert_eq!(port("udp"), Some((None, Some("udp".into()))));
        assert_eq!(port("443/https"), Some((Some(443), Some("https".into()))));
    }
}
