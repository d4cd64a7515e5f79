//! The vulnerability ledger (漏洞修复台账, 000 三2): every finding on a system — from a scan, a
//! penetration test, a baseline check, an authority's notice (通报) or found by the vendor — with
//! its identifiers, where it was found, and its lifecycle to a fix the bureau can check. Fix
//! deadlines are SLA clocks (`clock`), computed by the same function as a ticket's; imports of
//! scanner output are planned here (`import`) and written by the store.

pub mod clock;
pub mod import;
pub mod indicators;
pub mod scans;
#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::error::Checker;
use crate::tickets::clocks::ClockState;
use crate::{FieldError, Principal, Role};

text_enum!(
    /// How grave a finding is (the scanners' 危急/高/中/低).
    Severity {
        Critical = "critical" / "危急" / "critical",
        High = "high" / "高危" / "high",
        Medium = "medium" / "中危" / "medium",
        Low = "low" / "低危" / "low",
    }
);

impl Severity {
    /// 1 for critical … 4 for low: the order of a vulnerability policy's level that applies
    /// when no level is named after the severity.
    pub fn rank(self) -> i32 {
        match self {
            Severity::Critical => 1,
            Severity::High => 2,
            Severity::Medium => 3,
            Severity::Low => 4,
        }
    }

    /// The names a policy's level may carry for this severity.
    pub fn level_names(self) -> &'static [&'static str] {
        match self {
            Severity::Critical => &["critical", "危急", "紧急", "严重"],
            Severity::High => &["high", "高危", "高"],
            Severity::Medium => &["medium", "中危", "中"],
            Severity::Low => &["low", "低危", "低"],
        }
    }
}

text_enum!(
    /// Where a finding stands. `pending` (挂起) waits for the unit (a maintenance window, the
    /// software supplier's patch) and pauses the fix clock where the policy says so.
    VulnStatus {
        Open = "open" / "待处理" / "open",
        Confirmed = "confirmed" / "已确认" / "confirmed",
        Fixing = "fixing" / "修复中" / "fixing",
        Pending = "pending" / "挂起" / "pending",
        Fixed = "fixed" / "已修复" / "fixed",
        Verified = "verified" / "已验证" / "verified",
        FalsePositive = "false_positive" / "误报" / "false positive",
        RiskAccepted = "risk_accepted" / "风险接受" / "risk accepted",
    }
);

impl VulnStatus {
    /// Still to be fixed (the fix clock may be running).
    pub fn is_open(self) -> bool {
        matches!(self, VulnStatus::Open | VulnStatus::Confirmed | VulnStatus::Fixing | VulnStatus::Pending)
    }

    /// States in which the fix clock is stopped.
    pub fn stops_clock(self) -> bool {
        matches!(self, VulnStatus::Fixed | VulnStatus::Verified | VulnStatus::FalsePositive | VulnStatus::RiskAccepted)
    }

    /// The moves of the lifecycle table (who may make them is `Move::allowed`).
    pub fn next(self) -> &'static [VulnStatus] {
        use VulnStatus::*;
        match self {
            Open => &[Confirmed, Fixing, Pending, Fixed, FalsePositive, RiskAccepted],
            Confirmed => &[Fixing, Pending, Fixed, FalsePositive, RiskAccepted],
            Fixing => &[Pending, Fixed, FalsePositive, RiskAccepted],
            Pending => &[Fixing, Fixed, FalsePositive, RiskAccepted],
            Fixed => &[Verified, Fixing, Open, FalsePositive, RiskAccepted],
            Verified => &[Open],
            FalsePositive => &[Open],
            RiskAccepted => &[Open],
        }
    }

    /// Moves the vendor may not make alone: the bureau approves them (they stop or pause the
    /// clock the vendor is measured by, or excuse a finding).
    pub fn needs_approval(self) -> bool {
        matches!(self, VulnStatus::Pending | VulnStatus::FalsePositive | VulnStatus::RiskAccepted)
    }
}

text_enum!(
    /// How the finding came to light.
    VulnSource {
        Scan = "scan" / "漏洞扫描" / "vulnerability scan",
        WebScan = "web_scan" / "Web 扫描" / "web scan",
        Pentest = "pentest" / "渗透测试" / "penetration test",
        Baseline = "baseline" / "基线核查" / "baseline check",
        Notice = "notice" / "主管部门通报" / "notice from an authority",
        SelfFound = "self_found" / "自查发现" / "found in-house",
    }
);

text_enum!(
    /// Who sent a notice (通报).
    NoticeOrg {
        Cac = "cac" / "网信部门" / "cyberspace administration",
        Police = "police" / "公安机关" / "public security",
        Telecom = "telecom" / "通信管理局" / "telecom administration",
        Other = "other" / "其他" / "other",
    }
);

pub const TITLE_MAX: usize = 500;
pub const TEXT_MAX: usize = 20_000;
pub const REASON_MAX: usize = 2_000;
/// Findings one bulk action or one approval request may cover.
pub const BULK_MAX: usize = 1_000;
/// Accepted risk is reviewed at least this often (days).
pub const ACCEPT_MAX_DAYS: i64 = 3 * 366;
pub const SORT_KEYS: &[&str] = &["found_at", "severity", "due_at", "updated_at", "last_seen_at"];

/// A finding of the ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Vulnerability {
    pub id: String,
    pub system_id: String,
    /// The system's owner (kept with the row so a unit's list is one indexed equality; it moves
    /// with the system).
    pub unit_id: String,
    pub asset_id: Option<String>,
    pub title: String,
    pub severity: Severity,
    /// CVSS base score (0–10) where the source gives one.
    pub cvss: Option<f64>,
    pub cve: Option<String>,
    pub cnvd: Option<String>,
    pub cnnvd: Option<String>,
    /// Every identifier the sources named (CVE, CNVD, CNNVD), upper case.
    pub identifiers: Vec<String>,
    pub source: VulnSource,
    pub notice_org: Option<NoticeOrg>,
    /// The notice's document number (文号).
    pub notice_number: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub protocol: Option<String>,
    pub url: Option<String>,
    /// The scanner's check (`nessus:19506`, `openvas:1.3.6.1.4.1.25623.1.0.108440`).
    pub plugin_id: Option<String>,
    pub description: Option<String>,
    pub solution: Option<String>,
    pub evidence: Option<String>,
    pub status: VulnStatus,
    pub found_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// How many scans (or entries) reported it.
    pub seen_count: i32,
    pub assignee_id: Option<String>,
    pub ticket_id: Option<String>,
    /// The SLA policy (and version) its fix clock runs under.
    pub policy_id: Option<String>,
    pub policy_version: Option<i32>,
    pub due_at: Option<DateTime<Utc>>,
    pub clock_state: Option<ClockState>,
    /// When the running fix clock turns amber.
    pub risk_at: Option<DateTime<Utc>>,
    pub breached: bool,
    pub fixed_at: Option<DateTime<Utc>>,
    pub verified_at: Option<DateTime<Utc>>,
    /// Why it is a false positive or an accepted risk (the bureau's decision).
    pub decision_reason: Option<String>,
    /// Accepted risk comes back on this day.
    pub accepted_until: Option<NaiveDate>,
    /// The approval request pending about it, if any.
    pub request_id: Option<String>,
    /// The import that last reported it.
    pub import_id: Option<String>,
    pub revision: i32,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Same system, identifier and place: the ledger holds one row per fingerprint.
    #[serde(skip)]
    pub fingerprint: String,
    #[serde(skip)]
    pub next_check_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct VulnerabilityInput {
    pub system_id: Option<String>,
    pub asset_id: Option<String>,
    pub title: Option<String>,
    /// critical, high, medium, low
    pub severity: Option<String>,
    pub cvss: Option<f64>,
    /// `CVE-2021-44228`
    pub cve: Option<String>,
    pub cnvd: Option<String>,
    pub cnnvd: Option<String>,
    /// scan, web_scan, pentest, baseline, notice, self_found (default self_found)
    pub source: Option<String>,
    /// cac, police, telecom, other — for a notice
    pub notice_org: Option<String>,
    pub notice_number: Option<String>,
    pub host: Option<String>,
    pub port: Option<u32>,
    pub protocol: Option<String>,
    pub url: Option<String>,
    pub plugin_id: Option<String>,
    pub description: Option<String>,
    pub solution: Option<String>,
    pub evidence: Option<String>,
    /// When it was found (default now; never in the future).
    pub found_at: Option<DateTime<Utc>>,
    pub assignee_id: Option<String>,
}

/// A checked finding, before the ledger gives it an id.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub system_id: String,
    pub asset_id: Option<String>,
    pub title: String,
    pub severity: Severity,
    pub cvss: Option<f64>,
    pub identifiers: Vec<String>,
    pub source: VulnSource,
    pub notice_org: Option<NoticeOrg>,
    pub notice_number: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub protocol: Option<String>,
    pub url: Option<String>,
    pub plugin_id: Option<String>,
    pub description: Option<String>,
    pub solution: Option<String>,
    pub evidence: Option<String>,
    pub found_at: Option<DateTime<Utc>>,
    pub assignee_id: Option<String>,
}

fn id_ok(prefix: &str, s: &str) -> bool {
    let Some(rest) = s.strip_prefix(prefix) else { return false };
    let mut parts = rest.splitn(2, '-');
    let (a, b) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    (4..=8).contains(&a.len())
        && a.bytes().all(|c| c.is_ascii_digit())
        && (1..=10).contains(&b.len())
        && b.bytes().all(|c| c.is_ascii_digit())
}

/// An identifier as stored (upper case), if it is a CVE, CNVD or CNNVD id.
pub fn identifier(raw: &str) -> Option<String> {
    let s = raw.trim().to_ascii_uppercase();
    ["CVE-", "CNVD-", "CNNVD-"].iter().any(|p| id_ok(p, &s)).then_some(s)
}

fn first_with(ids: &[String], prefix: &str) -> Option<String> {
    ids.iter().find(|i| i.starts_with(prefix)).cloned()
}

impl Finding {
    pub fn cve(&self) -> Option<String> {
        first_with(&self.identifiers, "CVE-")
    }
    pub fn cnvd(&self) -> Option<String> {
        first_with(&self.identifiers, "CNVD-")
    }
    pub fn cnnvd(&self) -> Option<String> {
        first_with(&self.identifiers, "CNNVD-")
    }

    /// What makes two findings the same: the system, the check (the scanner's plugin, else the
    /// first identifier, else the title) and the place (URL, else host and port).
    pub fn fingerprint(&self) -> String {
        let what = self
            .plugin_id
            .clone()
            .or_else(|| self.identifiers.first().cloned())
            .unwrap_or_else(|| normalise(&self.title));
        let place = match (&self.url, &self.host) {
            (Some(u), _) => normalise(u),
            (None, Some(h)) => format!("{}:{}", h.trim().to_ascii_lowercase(), self.port.unwrap_or(0)),
            (None, None) => String::new(),
        };
        let mut h = Sha256::new();
        for part in [self.system_id.as_str(), &what, &place] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        hex::encode(h.finalize())
    }
}

fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

impl VulnerabilityInput {
    pub fn validate(&self, now: DateTime<Utc>) -> Result<Finding, Vec<FieldError>> {
        let mut c = Checker::default();
        let system_id = c.required_text("system_id", self.system_id.as_deref().unwrap_or(""), 64);
        let asset_id = c.optional_text("asset_id", self.asset_id.as_deref(), 64);
        let title = c.required_text("title", self.title.as_deref().unwrap_or(""), TITLE_MAX);
        let severity = match self.severity.as_deref().map(str::trim) {
            None | Some("") => {
                c.push(FieldError::required("severity"));
                Severity::Low
            }
            Some(s) => Severity::parse(s).unwrap_or_else(|| {
                c.push(choice_error("severity", &Severity::choices()));
                Severity::Low
            }),
        };
        if let Some(v) = self.cvss
            && !(0.0..=10.0).contains(&v)
        {
            c.push(FieldError::new("cvss", "CVSS 评分须在 0 到 10 之间", "must be between 0 and 10"));
        }
        let mut identifiers = Vec::new();
        for (field, value, prefix) in
            [("cve", &self.cve, "CVE-"), ("cnvd", &self.cnvd, "CNVD-"), ("cnnvd", &self.cnnvd, "CNNVD-")]
        {
            let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else { continue };
            match identifier(v).filter(|i| i.starts_with(prefix)) {
                Some(i) => identifiers.push(i),
                None => c.push(FieldError::new(
                    field,
                    format!("编号格式应为 {prefix}年份-序号，例如 {prefix}2021-44228"),
                    format!("must look like {prefix}YEAR-NUMBER"),
                )),
            }
        }
        let source = match self.source.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => VulnSource::SelfFound,
            Some(s) => VulnSource::parse(s).unwrap_or_else(|| {
                c.push(choice_error("source", &VulnSource::choices()));
                VulnSource::SelfFound
            }),
        };
        let notice_org = self.notice_org.as_deref().map(str::trim).filter(|s| !s.is_empty()).and_then(|s| {
            let o = NoticeOrg::parse(s);
            if o.is_none() {
                c.push(choice_error("notice_org", &NoticeOrg::choices()));
            }
            o
        });
        let notice_number = c.optional_text("notice_number", self.notice_number.as_deref(), 200);
        if source == VulnSource::Notice && notice_org.is_none() {
            c.push(FieldError::new("notice_org", "通报须注明发文部门", "a notice names who sent it"));
        }
        let host = c.optional_text("host", self.host.as_deref(), 255);
        let port = match self.port {
            Some(p) if !(1..=65535).contains(&p) => {
                c.push(FieldError::new("port", "端口须在 1 到 65535 之间", "must be between 1 and 65535"));
                None
            }
            p => p.and_then(|p| u16::try_from(p).ok()),
        };
        let protocol = c.optional_text("protocol", self.protocol.as_deref(), 16).map(|p| p.to_ascii_lowercase());
        let url = c.optional_text("url", self.url.as_deref(), 2000);
        let plugin_id = c.optional_text("plugin_id", self.plugin_id.as_deref(), 200);
        let description = c.optional_text("description", self.description.as_deref(), TEXT_MAX);
        let solution = c.optional_text("solution", self.solution.as_deref(), TEXT_MAX);
        let evidence = c.optional_text("evidence", self.evidence.as_deref(), TEXT_MAX);
        let assignee_id = c.optional_text("assignee_id", self.assignee_id.as_deref(), 64);
        if let Some(t) = self.found_at
            && t > now
        {
            c.push(FieldError::new("found_at", "发现时间不能晚于现在", "cannot be in the future"));
        }
        c.finish()?;
        Ok(Finding {
            system_id,
            asset_id,
            title,
            severity,
            cvss: self.cvss,
            identifiers,
            source,
            notice_org,
            notice_number,
            host,
            port,
            protocol,
            url,
            plugin_id,
            description,
            solution,
            evidence,
            found_at: self.found_at,
            assignee_id,
        })
    }
}

pub fn choice_error(field: &str, choices: &str) -> FieldError {
    FieldError::new(field, format!("取值无效，可选：{choices}"), format!("must be one of: {choices}"))
}

/// A move of one finding (or, in bulk, of several).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct VulnTransitionInput {
    pub to: Option<String>,
    /// Required for pending, false_positive, risk_accepted and reopening.
    pub reason: Option<String>,
    /// `YYYY-MM-DD`: for risk_accepted, when the risk is looked at again (at most three years).
    pub accepted_until: Option<NaiveDate>,
}

/// A checked move.
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    pub to: VulnStatus,
    pub reason: Option<String>,
    pub accepted_until: Option<NaiveDate>,
}

impl VulnTransitionInput {
    pub fn validate(&self, today: NaiveDate) -> Result<Move, Vec<FieldError>> {
        let mut c = Checker::default();
        let to = match self.to.as_deref().map(str::trim) {
            None | Some("") => {
                c.push(FieldError::required("to"));
                None
            }
            Some(s) => {
                let t = VulnStatus::parse(s);
                if t.is_none() {
                    c.push(choice_error("to", &VulnStatus::choices()));
                }
                t
            }
        };
        let reason = c.optional_text("reason", self.reason.as_deref(), REASON_MAX);
        let needs_reason = matches!(
            to,
            Some(VulnStatus::Pending | VulnStatus::FalsePositive | VulnStatus::RiskAccepted | VulnStatus::Open)
        );
        if needs_reason && reason.is_none() {
            c.push(FieldError::new("reason", "请填写原因", "a reason is required"));
        }
        let accepted_until = match (to, self.accepted_until) {
            (Some(VulnStatus::RiskAccepted), None) => {
                c.push(FieldError::new("accepted_until", "风险接受须注明有效期", "accepted risk needs an expiry date"));
                None
            }
            (Some(VulnStatus::RiskAccepted), Some(d)) => {
                if d <= today || (d - today).num_days() > ACCEPT_MAX_DAYS {
                    c.push(FieldError::new(
                        "accepted_until",
                        "有效期须在今天之后、三年之内",
                        "must be after today and within three years",
                    ));
                }
                Some(d)
            }
            (_, Some(_)) => {
                c.push(FieldError::new("accepted_until", "仅风险接受需要有效期", "only accepted risk has an expiry"));
                None
            }
            (_, None) => None,
        };
        c.finish()?;
        Ok(Move { to: to.unwrap_or(VulnStatus::Open), reason, accepted_until })
    }
}

/// What the caller's role may do with a move, once the lifecycle allows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    /// Done at once.
    Direct,
    /// Filed as a request the bureau (or, for a pause, the unit where allowed) decides.
    Request,
    Refused,
}

impl Move {
    /// The bureau makes every move; the vendor works the finding and asks for what excuses or
    /// pauses it; only the bureau verifies a fix by hand or reopens; units and auditors read.
    pub fn permit(&self, p: &Principal) -> Permit {
        match p.role {
            Role::Admin => Permit::Direct,
            Role::VendorPm | Role::Engineer => match self.to {
                VulnStatus::Verified | VulnStatus::Open => Permit::Refused,
                s if s.needs_approval() => Permit::Request,
                _ => Permit::Direct,
            },
            _ => Permit::Refused,
        }
    }
}

/// Several findings at once (the many one scan brings): a move, or a new handler.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct BulkInput {
    #[serde(default)]
    pub ids: Vec<String>,
    /// `transition` or `assign`.
    pub action: Option<String>,
    #[serde(flatten)]
    pub transition: VulnTransitionInput,
    /// For `assign`: an engineer or manager of the vendor (empty: nobody).
    pub assignee_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulkResult {
    /// Findings moved or assigned at once.
    pub done: u64,
    /// The approval request filed for the moves the bureau decides.
    pub request_id: Option<String>,
}

/// What a list of the ledger can be narrowed by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VulnFilter {
    pub system_id: Option<String>,
    pub unit_id: Option<String>,
    pub severities: Vec<Severity>,
    pub statuses: Vec<VulnStatus>,
    pub source: Option<VulnSource>,
    pub assignee_id: Option<String>,
    pub breached: Option<bool>,
    /// The running fix clock turned amber, none breached.
    pub at_risk: Option<bool>,
    /// Found more than this many days ago (open for that long, with an open status filter).
    pub older_than_days: Option<u32>,
    /// Found before this instant (set from `older_than_days`).
    pub found_before: Option<DateTime<Utc>>,
    pub found_from: Option<DateTime<Utc>>,
    pub cve: Option<String>,
    pub import_id: Option<String>,
    /// The instant `at_risk` is judged at (business time).
    pub now: Option<DateTime<Utc>>,
}

/// `open` in a status filter stands for every status still to be fixed.
pub fn parse_statuses(text: &str) -> Result<Vec<VulnStatus>, FieldError> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if part == "unresolved" {
            out.extend(VulnStatus::ALL.iter().copied().filter(|s| s.is_open()));
        } else {
            out.push(
                VulnStatus::parse(part)
                    .ok_or_else(|| choice_error("status", &format!("{}、unresolved", VulnStatus::choices())))?,
            );
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

pub fn parse_severities(text: &str) -> Result<Vec<Severity>, FieldError> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        out.push(Severity::parse(part).ok_or_else(|| choice_error("severity", &Severity::choices()))?);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// One entry of a finding's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VulnEvent {
    pub id: String,
    pub vulnerability_id: String,
    pub at: DateTime<Utc>,
    /// created, transition, seen (a scan reported it again), reopened, assigned, ticket,
    /// escalation, request
    pub kind: String,
    pub from_status: Option<VulnStatus>,
    pub to_status: Option<VulnStatus>,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub note: Option<String>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// A finding with its fix clock as of now and its history.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct VulnDetail {
    #[serde(flatten)]
    pub vulnerability: Vulnerability,
    /// The fix clock (`metric: "fix"`), when the system's contract item names a vulnerability
    /// policy with a target for the severity.
    pub clocks: Vec<crate::tickets::view::ClockView>,
    pub events: Vec<VulnEvent>,
    /// The moves the caller may make now (some as a request to the bureau).
    pub next: Vec<VulnStatus>,
}

/// A ticket for a finding: an existing one of the same system, or a new one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TicketLinkInput {
    /// Link this ticket (of the same system); without it a new ticket is opened.
    pub ticket_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct VulnAssignInput {
    /// An engineer or manager of the vendor maintaining the system; empty for nobody.
    pub assignee_id: Option<String>,
}
