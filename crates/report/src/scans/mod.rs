//! Vulnerability scanner reports read into one neutral shape: Nessus (.nessus v2), OpenVAS /
//! Greenbone XML, and the xlsx/CSV tables that Chinese scanners (绿盟 RSAS, 启明星辰 天镜, …)
//! export. Pure: bytes in, findings out. Storing, merging duplicates and matching hosts to the
//! registry are the caller's business.

mod ids;
mod mapping;
mod nessus;
mod openvas;
mod rows;
mod table;
mod text;
mod xml;

#[cfg(test)]
mod tests_table;
#[cfg(test)]
mod tests_xml;

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};

pub use mapping::mapping_guess;

/// More findings than any real scan of a bureau's network: a file beyond this is refused rather
/// than swamping the database and the UI.
pub const MAX_FINDINGS: usize = 100_000;

/// Which kind of file the findings came from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ScanFormat {
    Nessus,
    OpenVas,
    Table,
}

impl ScanFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanFormat::Nessus => "nessus",
            ScanFormat::OpenVas => "openvas",
            ScanFormat::Table => "table",
        }
    }
}

/// How bad a finding is. Informational results are not findings, so there is no `Info` here:
/// readers count them in [`ScanFile::informational`] instead.
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord, Hash)]
pub enum ScanSeverity {
    Critical,
    High,
    Medium,
    Low,
}

impl ScanSeverity {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanSeverity::Critical => "critical",
            ScanSeverity::High => "high",
            ScanSeverity::Medium => "medium",
            ScanSeverity::Low => "low",
        }
    }

    /// Nessus' 0–4 scale (also what tables with numeric levels use); `Some(None)` is
    /// informational, `None` is not on the scale.
    pub(crate) fn from_level(level: i64) -> Option<Option<ScanSeverity>> {
        match level {
            4 => Some(Some(ScanSeverity::Critical)),
            3 => Some(Some(ScanSeverity::High)),
            2 => Some(Some(ScanSeverity::Medium)),
            1 => Some(Some(ScanSeverity::Low)),
            0 => Some(None),
            _ => None,
        }
    }

    /// A CVSS-like score as OpenVAS rates it; zero or negative (log, debug, false positive) is
    /// informational.
    pub(crate) fn from_score(score: f32) -> Option<ScanSeverity> {
        if score >= 9.0 {
            Some(ScanSeverity::Critical)
        } else if score >= 7.0 {
            Some(ScanSeverity::High)
        } else if score >= 4.0 {
            Some(ScanSeverity::Medium)
        } else if score > 0.0 {
            Some(ScanSeverity::Low)
        } else {
            None
        }
    }
}

/// One vulnerability on one host (and port) as the scanner reported it.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanFinding {
    /// 1-based line in the XML where the item starts, or the spreadsheet/CSV row (header counts).
    pub row: usize,
    /// IP address or host name as the scanner wrote it.
    pub host: Option<String>,
    /// FQDN / NetBIOS name when given.
    pub hostname: Option<String>,
    /// `None` for port 0 / "general".
    pub port: Option<u16>,
    /// "tcp", "udp", …, lower case.
    pub protocol: Option<String>,
    pub url: Option<String>,
    /// The scanner's check id: Nessus pluginID, OpenVAS NVT oid, the table's mapped column.
    pub plugin_id: Option<String>,
    /// Never empty.
    pub title: String,
    pub severity: ScanSeverity,
    /// CVSS v3 base score when given, else v2.
    pub cvss: Option<f32>,
    /// Upper case, e.g. "CVE-2021-44228"; no duplicates.
    pub cves: Vec<String>,
    /// e.g. "CNVD-2021-95914".
    pub cnvd: Vec<String>,
    /// e.g. "CNNVD-202112-799".
    pub cnnvd: Vec<String>,
    pub description: Option<String>,
    pub solution: Option<String>,
    /// Nessus plugin_output, the OpenVAS result's own description, the table's evidence column.
    pub evidence: Option<String>,
}

/// A whole scanner report.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanFile {
    pub format: ScanFormat,
    /// "Nessus", "OpenVAS" or "Greenbone"; `None` for tables.
    pub scanner: Option<String>,
    /// When the scan started, if the file says.
    pub started_at: Option<DateTime<Utc>>,
    /// Every host the scan covered, including hosts without findings: sorted (IP addresses
    /// numerically, before names), no duplicates.
    pub hosts: Vec<String>,
    /// In file order; duplicates kept (the caller merges).
    pub findings: Vec<ScanFinding>,
    /// Results skipped because they are informational.
    pub informational: usize,
}

/// Which column of a spreadsheet/CSV holds what. Headers as the user's file names them, matched
/// after trimming and case-insensitively for ASCII. An empty name counts as not mapped.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct ColumnMapping {
    /// Required.
    pub title: String,
    /// Required.
    pub severity: String,
    pub host: Option<String>,
    pub hostname: Option<String>,
    pub port: Option<String>,
    /// A column of its own for the protocol (Nessus and OpenVAS CSV exports have one); a port
    /// cell such as "443/tcp" gives the protocol too.
    #[serde(default)]
    pub protocol: Option<String>,
    pub url: Option<String>,
    pub plugin_id: Option<String>,
    pub cvss: Option<String>,
    /// One column with CVE/CNVD/CNNVD ids mixed, classified by prefix.
    pub identifiers: Option<String>,
    pub cve: Option<String>,
    pub cnvd: Option<String>,
    pub cnnvd: Option<String>,
    pub description: Option<String>,
    pub solution: Option<String>,
    pub evidence: Option<String>,
    /// Extra words of the severity column → "critical" | "high" | "medium" | "low" | "info"
    /// (the built-in synonyms always apply).
    #[serde(default)]
    pub severity_words: BTreeMap<String, String>,
}

/// What is wrong, where: Chinese for the bureau's users, English for everyone else.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// 1-based line (XML) or row (table); 0 when it concerns the whole file.
    pub row: usize,
    /// The table's header of the offending column.
    pub column: Option<String>,
    pub zh: String,
    pub en: String,
}

impl Problem {
    pub(crate) fn file(zh: impl Into<String>, en: impl Into<String>) -> Problem {
        Problem { row: 0, column: None, zh: zh.into(), en: en.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}（{}）", self.zh, self.en)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ScanError {
    /// The file cannot be read at all (not XML of a known kind, not xlsx/CSV, corrupt zip,
    /// empty, no header row found…): one message, with the line/row when known.
    File(Problem),
    /// Rows of a table that cannot be used (every bad row listed; the caller refuses the whole
    /// file).
    Rows(Vec<Problem>),
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScanError::File(p) => p.fmt(f),
            ScanError::Rows(ps) => {
                write!(f, "{} 行无法使用（{} rows cannot be used）", ps.len(), ps.len())?;
                match ps.first() {
                    Some(p) => write!(f, "：{p}"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl std::error::Error for ScanError {}

pub(crate) fn file_error(zh: impl Into<String>, en: impl Into<String>) -> ScanError {
    ScanError::File(Problem::file(zh, en))
}

pub(crate) fn too_many() -> ScanError {
    file_error(
        format!("扫描结果超过 {MAX_FINDINGS} 条，请按主机或网段拆分后分别导入"),
        format!("more than {MAX_FINDINGS} findings; split the scan by host or subnet and import the parts"),
    )
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// Old binary Excel (.xls, an OLE compound file): 绿盟 and others still export it.
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Reads a scanner's report: Nessus or OpenVAS XML, or an xlsx/xls/CSV table. A table needs a
/// column mapping; without one the headers are guessed with [`mapping_guess`].
pub fn read_scan(bytes: &[u8], mapping: Option<&ColumnMapping>) -> Result<ScanFile, ScanError> {
    let body = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        None => Err(file_error("文件是空的", "the file is empty")),
        Some(b'<') => xml::read(body),
        Some(_) => rows::read(&table::load(bytes)?, mapping),
    }
}

/// The header row of an xlsx/xls/CSV table, for the UI's mapping step: the row the guessed
/// mapping recognises, else the first of the widest rows near the top (a title row above the
/// header has fewer cells).
pub fn table_headers(bytes: &[u8]) -> Result<Vec<String>, ScanError> {
    let body = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<') {
        return Err(file_error(
            "这是 XML 扫描报告，不是表格，无需指定列",
            "this is an XML scan report, not a table; no columns to map",
        ));
    }
    let mut headers = rows::header_row(&table::load(bytes)?);
    // Spreadsheets pad rows with empty cells; nothing can be mapped to them.
    while headers.last().is_some_and(|h| h.is_empty()) {
        headers.pop();
    }
    if headers.is_empty() {
        return Err(file_error("表格是空的，找不到表头行", "the table is empty: no header row"));
    }
    Ok(headers)
}

/// How the detected file kind is named to users when it cannot be read.
pub(crate) const SUPPORTED_ZH: &str = "支持 Nessus（.nessus）、OpenVAS/Greenbone XML 报告，以及 xlsx/xls/CSV 表格";
pub(crate) const SUPPORTED_EN: &str =
    "supported are Nessus (.nessus), OpenVAS/Greenbone XML reports, and xlsx/xls/CSV tables";

pub(crate) fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(ZIP_MAGIC)
}

pub(crate) fn is_ole(bytes: &[u8]) -> bool {
    bytes.starts_with(OLE_MAGIC)
}
