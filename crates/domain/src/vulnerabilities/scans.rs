//! What an import of scanner output leaves behind, and the saved column mappings of the
//! spreadsheet exports of Chinese scanners (the user maps the columns once).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::import::Counts;
use crate::FieldError;
use crate::error::Checker;

/// One import: the file (kept, with its digest), who brought it, and what it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScanImport {
    pub id: String,
    /// nessus, openvas, table
    pub format: String,
    pub scanner: Option<String>,
    pub file_name: String,
    pub sha256: String,
    pub size: i64,
    /// The one system every finding went to (named, or the only one the hosts led to).
    pub system_id: Option<String>,
    /// The vendor of whoever imported it (its staff see the vendor's imports).
    pub vendor_id: Option<String>,
    /// When the scan ran, if the file says.
    pub started_at: Option<DateTime<Utc>>,
    /// Hosts the scan covered.
    pub hosts: i32,
    pub counts: Counts,
    pub created_by: String,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
}

/// A saved column mapping: which column of a spreadsheet export holds what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScanMapping {
    pub id: String,
    /// “绿盟 RSAS 主机漏洞”, “启明天镜”…
    pub name: String,
    /// `{"title": "漏洞名称", "severity": "风险等级", "host": "IP地址", …}`
    #[schema(value_type = Object)]
    pub mapping: serde_json::Value,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ScanMappingInput {
    pub name: Option<String>,
    /// The columns: title and severity are required; host, hostname, port, url, plugin_id,
    /// cvss, identifiers, cve, cnvd, cnnvd, description, solution, evidence optional;
    /// `severity_words` maps the file's own words to critical/high/medium/low/info.
    #[schema(value_type = Object)]
    pub mapping: Option<serde_json::Value>,
}

impl ScanMappingInput {
    /// The name, checked; the mapping is checked by the reader that will use it.
    pub fn name(&self) -> Result<String, Vec<FieldError>> {
        let mut c = Checker::default();
        let name = c.required_text("name", self.name.as_deref().unwrap_or(""), 100);
        if self.mapping.is_none() {
            c.push(FieldError::required("mapping"));
        }
        c.finish()?;
        Ok(name)
    }
}

/// What an import would do (`dry_run`) or did.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ImportPreview {
    pub dry_run: bool,
    pub create: u64,
    pub update: u64,
    pub reopen: u64,
    /// Fixed findings the re-scan no longer reports on a host it covered.
    pub verify: u64,
    pub duplicates: u64,
    pub informational: u64,
    /// How many rows cannot be used (`problems` lists them); with any, nothing is written.
    pub errors: u64,
    pub problems: Vec<ImportProblem>,
    /// The first findings of the plan, for the preview table.
    pub sample: Vec<PlannedFinding>,
    /// The import's record, once written.
    pub import: Option<ScanImport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ImportProblem {
    /// The row (spreadsheet) or line (XML) of the file.
    pub row: usize,
    pub column: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PlannedFinding {
    pub row: usize,
    /// create, update, reopen
    pub action: String,
    pub system_id: String,
    pub title: String,
    pub severity: super::Severity,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub cve: Option<String>,
    /// The ledger's finding it updates or reopens.
    pub vulnerability_id: Option<String>,
}

/// A spreadsheet export's header row and the column mapping guessed from it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ScanHeaders {
    pub headers: Vec<String>,
    /// A mapping (`ScanMappingInput::mapping`'s shape) with the columns recognised.
    #[schema(value_type = Object)]
    pub guess: serde_json::Value,
}
