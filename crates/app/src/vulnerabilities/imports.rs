//! Importing scanner output into the ledger: Nessus, OpenVAS/Greenbone, and the spreadsheet
//! exports of Chinese scanners through a saved column mapping. The file is read, every finding
//! placed on a system (one named, a host → system map, or the systems' registered addresses),
//! the plan worked out against the ledger (`domain::vulnerabilities::import`), and either only
//! shown (`dry_run`) or written in one transaction with the import's record and the file kept
//! as evidence. A file with any unusable row writes nothing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use domain::list::{ListQuery, Page};
use domain::vulnerabilities::import::{Counts, Incoming, Plan, plan};
use domain::vulnerabilities::scans::{
    ImportPreview, ImportProblem, PlannedFinding, ScanHeaders, ScanImport, ScanMapping, ScanMappingInput,
};
use domain::vulnerabilities::{Finding, Move, Severity, VulnSource, VulnStatus, identifier};
use domain::{FieldError, Principal, Role, Scope};
use ipnet::IpNet;
use report::scans::{ColumnMapping, ScanError, ScanFile, ScanFinding, ScanSeverity, read_scan};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::clocks::FixRulesCache;
use super::{event, may_work};
use crate::{App, AppError, Result, audit};

/// Scanner files are bigger than attachments: 20,000 findings of Nessus run to tens of MB.
pub const MAX_SCAN_BYTES: usize = 200 * 1024 * 1024;
const SAMPLE: usize = 200;
const PROBLEMS: usize = 500;

pub struct ImportFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Where the findings go.
pub enum ImportTarget {
    /// Every finding to this system.
    System(String),
    /// Host (IP, name) or network (CIDR) → system; hosts it does not name are looked up in
    /// the systems' registered addresses.
    Hosts(BTreeMap<String, String>),
}

/// How an import is asked for, besides its file.
pub struct ImportOptions {
    pub target: ImportTarget,
    /// A mapping given inline for a spreadsheet, or `mapping_id` of a saved one.
    pub mapping: Option<serde_json::Value>,
    pub mapping_id: Option<String>,
    pub source: Option<String>,
    pub dry_run: bool,
}

fn severity(s: ScanSeverity) -> Severity {
    match s {
        ScanSeverity::Critical => Severity::Critical,
        ScanSeverity::High => Severity::High,
        ScanSeverity::Medium => Severity::Medium,
        ScanSeverity::Low => Severity::Low,
    }
}

fn problem(row: usize, column: Option<String>, zh: String) -> ImportProblem {
    ImportProblem { row, column, message: zh }
}

/// The systems findings may be placed on, with what decides it.
struct Placer {
    fixed: Option<String>,
    exact: HashMap<String, String>,
    nets: Vec<(IpNet, String)>,
}

impl Placer {
    fn add(&mut self, key: &str, system: &str) {
        let k = key.trim().to_ascii_lowercase();
        if let Ok(net) = k.parse::<IpNet>() {
            self.nets.push((net, system.to_string()));
        } else {
            self.exact.entry(k).or_insert_with(|| system.to_string());
        }
    }

    fn place(&self, f: &ScanFinding) -> Option<String> {
        if let Some(s) = &self.fixed {
            return Some(s.clone());
        }
        let url_host =
            f.url.as_deref().and_then(|u| url::Url::parse(u).ok()).and_then(|u| u.host_str().map(str::to_string));
        for h in [f.host.as_deref(), f.hostname.as_deref(), url_host.as_deref()].into_iter().flatten() {
            let h = h.trim().to_ascii_lowercase();
            if let Some(s) = self.exact.get(&h) {
                return Some(s.clone());
            }
            if let Ok(ip) = h.parse::<IpAddr>() {
                // The narrowest network wins.
                let best = self.nets.iter().filter(|(n, _)| n.contains(&ip)).max_by_key(|(n, _)| n.prefix_len());
                if let Some((_, s)) = best {
                    return Some(s.clone());
                }
            }
        }
        None
    }
}

impl App {
    async fn placer(&self, p: &Principal, target: &ImportTarget) -> Result<Placer> {
        let mut placer = Placer { fixed: None, exact: HashMap::new(), nets: Vec::new() };
        match target {
            ImportTarget::System(id) => {
                if store::systems::get(&self.store, &p.scope(), id).await?.is_none() {
                    return Err(FieldError::new("system_id", "信息系统不存在", "no such system").into());
                }
                placer.fixed = Some(id.clone());
            }
            ImportTarget::Hosts(map) => {
                for (host, system) in map {
                    if store::systems::get(&self.store, &p.scope(), system).await?.is_none() {
                        let field = format!("hosts.{host}");
                        return Err(FieldError::new(field, "信息系统不存在", "no such system").into());
                    }
                    placer.add(host, system);
                }
                let q = ListQuery { page_size: domain::list::MAX_PAGE_SIZE, ..ListQuery::default() };
                let mut page = 1;
                loop {
                    let systems = self.list_systems(p, &ListQuery { page, ..q.clone() }, &Default::default()).await?;
                    for s in &systems.items {
                        for a in &s.addresses {
                            let a = a.trim();
                            let host = url::Url::parse(a).ok().and_then(|u| u.host_str().map(str::to_string));
                            placer.add(host.as_deref().unwrap_or(a), &s.id);
                        }
                    }
                    if (page * q.page_size) >= systems.total || systems.items.is_empty() {
                        break;
                    }
                    page += 1;
                }
            }
        }
        Ok(placer)
    }

    async fn column_mapping(&self, o: &ImportOptions) -> Result<Option<ColumnMapping>> {
        let raw = match (&o.mapping, &o.mapping_id) {
            (Some(m), _) => m.clone(),
            (None, Some(id)) => {
                let m = store::scans::get_mapping(&self.store, id).await?;
                m.ok_or_else(|| AppError::from(FieldError::new("mapping_id", "列映射不存在", "no such mapping")))?
                    .mapping
            }
            (None, None) => return Ok(None),
        };
        let m: ColumnMapping = serde_json::from_value(raw).map_err(|e| {
            AppError::from(FieldError::new("mapping", format!("列映射无效：{e}"), format!("invalid mapping: {e}")))
        })?;
        if m.title.trim().is_empty() || m.severity.trim().is_empty() {
            return Err(FieldError::new(
                "mapping",
                "列映射须指定漏洞名称列和风险等级列",
                "a mapping names the title and severity columns",
            )
            .into());
        }
        Ok(Some(m))
    }

    /// Reads a scanner's file into the ledger, or (`dry_run`) only says what it would do.
    pub async fn import_vulnerabilities(
        &self,
        p: &Principal,
        file: ImportFile,
        o: ImportOptions,
    ) -> Result<ImportPreview> {
        may_work(p)?;
        if file.bytes.is_empty() || file.bytes.len() > MAX_SCAN_BYTES {
            let mb = MAX_SCAN_BYTES / (1024 * 1024);
            return Err(FieldError::new(
                "file",
                format!("文件须大于 0 且不超过 {mb} MB"),
                format!("the file must be non-empty and at most {mb} MB"),
            )
            .into());
        }
        let source = match o.source.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => VulnSource::Scan,
            Some(s) => VulnSource::parse(s).ok_or_else(|| {
                AppError::from(domain::vulnerabilities::choice_error("source", &VulnSource::choices()))
            })?,
        };
        let mapping = self.column_mapping(&o).await?;
        let placer = self.placer(p, &o.target).await?;
        let bytes = file.bytes;
        let scan = tokio::task::spawn_blocking(move || read_scan(&bytes, mapping.as_ref()).map(|s| (s, bytes)))
            .await
            .map_err(|e| AppError::internal_from("scan reader", e))?;
        let (scan, bytes) = match scan {
            Ok(s) => s,
            Err(ScanError::File(pr)) => {
                let at = if pr.row > 0 { format!("第 {} 行：", pr.row) } else { String::new() };
                let at_en = if pr.row > 0 { format!("line {}: ", pr.row) } else { String::new() };
                return Err(FieldError::new("file", format!("{at}{}", pr.zh), format!("{at_en}{}", pr.en)).into());
            }
            Err(ScanError::Rows(rows)) => {
                let problems =
                    rows.into_iter().map(|r| problem(r.row, r.column, format!("{}（{}）", r.zh, r.en))).collect();
                return self.refused(o.dry_run, problems, Counts::default());
            }
        };
        let now = self.business_now();
        let found_at = scan.started_at.filter(|t| *t <= now).unwrap_or(now);
        let mut problems = Vec::new();
        let mut incoming = Vec::new();
        let mut scanned: HashSet<(String, String)> = HashSet::new();
        let scanner = scan.format.as_str();
        for f in &scan.findings {
            let Some(system) = placer.place(f) else {
                let host = f.host.clone().or(f.url.clone()).unwrap_or_else(|| "（无）".into());
                problems.push(problem(f.row, None, format!("主机 {host} 未对应到任何信息系统，请在主机映射中指定")));
                continue;
            };
            incoming.push(Incoming { row: f.row, finding: finding(f, &system, scanner, source, found_at) });
        }
        let systems: Vec<String> = {
            let mut s: Vec<String> = incoming.iter().map(|i| i.finding.system_id.clone()).collect();
            if let Some(f) = &placer.fixed {
                s.push(f.clone());
            }
            s.sort();
            s.dedup();
            s
        };
        for h in &scan.hosts {
            let probe = ScanFinding { host: Some(h.clone()), ..blank(h) };
            if let Some(system) = placer.place(&probe) {
                scanned.insert((system, h.to_ascii_lowercase()));
            }
        }
        let fps: Vec<String> = incoming.iter().map(|i| i.finding.fingerprint()).collect();
        let mut held = store::vulnerabilities::held(&self.store, &fps).await?;
        held.extend(store::vulnerabilities::fixed_on(&self.store, &systems).await?);
        let planned = plan(incoming, &held, &scanned, scanner);
        let mut counts = planned.counts();
        counts.informational = scan.informational as u64;
        if !problems.is_empty() {
            return self.refused(o.dry_run, problems, counts);
        }
        let sample = sample_of(&planned);
        if o.dry_run {
            return Ok(preview(true, counts, Vec::new(), sample, None));
        }
        let only = placer.fixed.clone().or_else(|| (systems.len() == 1).then(|| systems[0].clone()));
        let record = self.write_import(p, &file.name, &scan, &bytes, planned, counts, only, now).await?;
        Ok(preview(false, counts, Vec::new(), sample, Some(record)))
    }

    fn refused(&self, dry_run: bool, problems: Vec<ImportProblem>, counts: Counts) -> Result<ImportPreview> {
        if dry_run {
            let n = problems.len() as u64;
            let shown = problems.into_iter().take(PROBLEMS).collect();
            return Ok(preview(true, Counts { errors: n, ..counts }, shown, Vec::new(), None));
        }
        Err(AppError::Validation(
            problems
                .into_iter()
                .take(PROBLEMS)
                .map(|pr| {
                    let col = pr.column.map(|c| format!("（{c}）")).unwrap_or_default();
                    FieldError::new(
                        "file",
                        format!("第 {} 行{col}：{}", pr.row, pr.message),
                        format!("row {}: {}", pr.row, pr.message),
                    )
                })
                .collect(),
        ))
    }

    #[allow(clippy::too_many_arguments)]
    async fn write_import(
        &self,
        p: &Principal,
        name: &str,
        scan: &ScanFile,
        bytes: &[u8],
        planned: Plan,
        counts: Counts,
        system_id: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<ScanImport> {
        let record = ScanImport {
            id: store::new_id(),
            format: scan.format.as_str().into(),
            scanner: scan.scanner.clone(),
            file_name: crate::files::clean_name(name).unwrap_or_else(|_| "scan".into()),
            sha256: hex::encode(Sha256::digest(bytes)),
            size: bytes.len() as i64,
            system_id,
            vendor_id: p.vendor_id.clone(),
            started_at: scan.started_at,
            hosts: i32::try_from(scan.hosts.len()).unwrap_or(i32::MAX),
            counts,
            created_by: p.user_id.clone(),
            created_by_name: self.person_name(p).await?,
            created_at: now,
        };
        // Policies are read before the write section, once per system.
        let mut policies = HashMap::new();
        for i in &planned.create {
            let s = &i.finding.system_id;
            if !policies.contains_key(s) {
                let at = i.finding.found_at.unwrap_or(now);
                policies.insert(s.clone(), self.fix_policy_for(s, at).await?);
            }
        }
        let units: HashMap<String, String> = {
            let mut m = HashMap::new();
            for s in policies.keys() {
                if let Some(sys) = store::systems::get(&self.store, &Scope::All, s).await? {
                    m.insert(s.clone(), sys.unit_id);
                }
            }
            m
        };
        let mut cache = FixRulesCache::default();
        let tx = self.store.begin().await?;
        store::scans::insert_import(&tx, &record).await?;
        let mut rows = Vec::with_capacity(planned.create.len());
        let mut events = Vec::with_capacity(planned.create.len());
        for i in &planned.create {
            let f = &i.finding;
            let policy = policies.get(&f.system_id).cloned().flatten();
            let unit = units.get(&f.system_id).cloned().unwrap_or_default();
            let mut v = super::new_row(p, f, unit, policy.as_ref(), Some(&record.id), now);
            let terms = self.fix_terms(&v, None, &mut cache).await?;
            let s = self.settle_fix(&tx, &mut v, None, terms.as_ref(), &[], now).await?;
            let mut e = event(p, &record.created_by_name, &v.id, v.found_at, "created");
            e.to_status = Some(VulnStatus::Open);
            e.data = json!({"import_id": record.id, "row": i.row});
            events.push(e);
            rows.push((v, s));
        }
        store::vulnerabilities::insert_many(&tx, &rows).await.map_err(AppError::unique(
            "file",
            "导入期间台账已有变化，请重新导入",
            "the ledger changed during the import; import again",
        ))?;
        store::vulnerabilities::add_events(&tx, &events).await?;
        let seen: Vec<String> = planned.update.iter().chain(planned.reopen.iter()).map(|(id, _)| id.clone()).collect();
        store::vulnerabilities::seen(&tx, &seen, &record.id, now).await?;
        let note = format!("扫描再次发现（{}）", record.file_name);
        let reopen = Move { to: VulnStatus::Open, reason: Some(note), accepted_until: None };
        for (id, i) in &planned.reopen {
            let data = json!({"import_id": record.id, "row": i.row});
            self.move_in(&tx, p, id, &reopen, now, now, None, Some(data)).await?;
        }
        let verify = Move {
            to: VulnStatus::Verified,
            reason: Some(format!("复扫未再发现（{}）", record.file_name)),
            accepted_until: None,
        };
        for id in &planned.verify {
            let data = json!({"by": "rescan", "import_id": record.id});
            self.move_in(&tx, p, id, &verify, now, now, Some(VulnStatus::Fixed), Some(data)).await?;
        }
        audit::<(), _>(&tx, p, "import", "vulnerability_import", &record.id, None, Some(&record), now).await?;
        if self.config.data_dir.is_some() {
            let id = record.id.clone();
            self.keep_file("scans", &id, &id, bytes, async move { tx.commit().await.map_err(AppError::from) }).await?;
        } else {
            tx.commit().await?;
        }
        Ok(record)
    }

    pub async fn list_scan_imports(
        &self,
        p: &Principal,
        q: &ListQuery,
        system_id: Option<&str>,
    ) -> Result<Page<ScanImport>> {
        Ok(store::scans::list_imports(&self.store, &p.scope(), &p.user_id, q, system_id).await?)
    }

    /// The scanner's file an import brought, as it was uploaded.
    pub async fn scan_import_file(&self, p: &Principal, id: &str) -> Result<(ScanImport, Vec<u8>)> {
        let i = store::scans::get_import(&self.store, &p.scope(), &p.user_id, id).await?.ok_or(AppError::NotFound)?;
        let bytes = self.read_file("scans", &i.id, &i.id).await?;
        Ok((i, bytes))
    }

    /// The header row of a spreadsheet export and the mapping guessed from it, for the UI's
    /// mapping step.
    pub async fn scan_headers(&self, p: &Principal, bytes: Vec<u8>) -> Result<ScanHeaders> {
        may_work(p)?;
        let headers = tokio::task::spawn_blocking(move || report::scans::table_headers(&bytes))
            .await
            .map_err(|e| AppError::internal_from("scan reader", e))?
            .map_err(|e| match e {
                ScanError::File(pr) => AppError::from(FieldError::new("file", pr.zh, pr.en)),
                ScanError::Rows(_) => FieldError::new("file", "无法读取表头", "cannot read the header row").into(),
            })?;
        let guess = serde_json::to_value(report::scans::mapping_guess(&headers)).unwrap_or_default();
        Ok(ScanHeaders { headers, guess })
    }

    pub async fn scan_mappings(&self, p: &Principal) -> Result<Vec<ScanMapping>> {
        if matches!(p.role, Role::UnitUser | Role::SecurityAdmin) {
            return Err(AppError::Forbidden);
        }
        Ok(store::scans::mappings(&self.store).await?)
    }

    /// Saves a column mapping under a name (a second of the same name is 409).
    pub async fn save_scan_mapping(
        &self,
        p: &Principal,
        id: Option<&str>,
        input: ScanMappingInput,
    ) -> Result<ScanMapping> {
        may_work(p)?;
        let name = input.name()?;
        let raw = input.mapping.clone().unwrap_or_default();
        let o = ImportOptions {
            target: ImportTarget::Hosts(BTreeMap::new()),
            mapping: Some(raw.clone()),
            mapping_id: None,
            source: None,
            dry_run: true,
        };
        let checked = self.column_mapping(&o).await?.unwrap_or_default();
        let now = self.business_now();
        let tx = self.store.begin().await?;
        let m = match id {
            Some(id) => {
                let before = store::scans::get_mapping(&tx, id).await?.ok_or(AppError::NotFound)?;
                self.may_edit_mapping(p, &before).await?;
                let after = ScanMapping {
                    name,
                    mapping: serde_json::to_value(&checked).unwrap_or(raw),
                    updated_at: now,
                    ..before.clone()
                };
                store::scans::update_mapping(&tx, &after, now).await.map_err(dup_name)?;
                audit(&tx, p, "update", "scan_mapping", id, Some(&before), Some(&after), now).await?;
                after
            }
            None => {
                let m = ScanMapping {
                    id: store::new_id(),
                    name,
                    mapping: serde_json::to_value(&checked).unwrap_or(raw),
                    created_by: p.user_id.clone(),
                    created_at: now,
                    updated_at: now,
                };
                store::scans::insert_mapping(&tx, &m).await.map_err(dup_name)?;
                audit::<(), _>(&tx, p, "create", "scan_mapping", &m.id, None, Some(&m), now).await?;
                m
            }
        };
        tx.commit().await?;
        Ok(m)
    }

    /// Everyone who imports uses every mapping; a mapping is changed or removed by the bureau
    /// or by the staff of the vendor whose member saved it, not by another vendor.
    async fn may_edit_mapping(&self, p: &Principal, m: &ScanMapping) -> Result<()> {
        if p.role == Role::Admin || m.created_by == p.user_id {
            return Ok(());
        }
        let author = store::users::get(&self.store, &Scope::All, &m.created_by).await?;
        match (author.and_then(|a| a.vendor_id), &p.vendor_id) {
            (Some(a), Some(v)) if a == *v => Ok(()),
            _ => Err(AppError::Forbidden),
        }
    }

    pub async fn delete_scan_mapping(&self, p: &Principal, id: &str) -> Result<()> {
        may_work(p)?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        let before = store::scans::get_mapping(&tx, id).await?.ok_or(AppError::NotFound)?;
        self.may_edit_mapping(p, &before).await?;
        store::scans::delete_mapping(&tx, id).await?;
        audit::<_, ()>(&tx, p, "delete", "scan_mapping", id, Some(&before), None, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

fn dup_name(e: store::StoreError) -> AppError {
    AppError::unique("name", "已有同名的列映射", "a mapping of this name exists")(e)
}

fn blank(h: &str) -> ScanFinding {
    ScanFinding {
        row: 0,
        host: None,
        hostname: None,
        port: None,
        protocol: None,
        url: None,
        plugin_id: None,
        title: h.to_string(),
        severity: ScanSeverity::Low,
        cvss: None,
        cves: Vec::new(),
        cnvd: Vec::new(),
        cnnvd: Vec::new(),
        description: None,
        solution: None,
        evidence: None,
    }
}

fn cut(s: &Option<String>, max: usize) -> Option<String> {
    s.as_ref().map(|s| s.trim()).filter(|s| !s.is_empty()).map(|s| s.chars().take(max).collect())
}

/// A scanner's finding as the ledger keeps it.
fn finding(f: &ScanFinding, system: &str, scanner: &str, source: VulnSource, found_at: DateTime<Utc>) -> Finding {
    let identifiers: Vec<String> =
        f.cves.iter().chain(f.cnvd.iter()).chain(f.cnnvd.iter()).filter_map(|i| identifier(i)).collect();
    Finding {
        system_id: system.to_string(),
        asset_id: None,
        title: f.title.chars().take(domain::vulnerabilities::TITLE_MAX).collect(),
        severity: severity(f.severity),
        cvss: f.cvss.map(|c| (f64::from(c) * 10.0).round() / 10.0),
        identifiers,
        source,
        notice_org: None,
        notice_number: None,
        host: cut(&f.host, 255),
        port: f.port,
        protocol: cut(&f.protocol, 16),
        url: cut(&f.url, 2000),
        plugin_id: f.plugin_id.as_deref().map(|id| format!("{scanner}:{}", id.chars().take(200).collect::<String>())),
        description: cut(&f.description, domain::vulnerabilities::TEXT_MAX),
        solution: cut(&f.solution, domain::vulnerabilities::TEXT_MAX),
        evidence: cut(&f.evidence, domain::vulnerabilities::TEXT_MAX),
        found_at: Some(found_at),
        assignee_id: None,
    }
}

fn sample_of(p: &Plan) -> Vec<PlannedFinding> {
    let row = |action: &str, id: Option<&String>, i: &Incoming| PlannedFinding {
        row: i.row,
        action: action.into(),
        system_id: i.finding.system_id.clone(),
        title: i.finding.title.clone(),
        severity: i.finding.severity,
        host: i.finding.host.clone(),
        port: i.finding.port,
        cve: i.finding.cve(),
        vulnerability_id: id.cloned(),
    };
    let mut out: Vec<PlannedFinding> = p.reopen.iter().map(|(id, i)| row("reopen", Some(id), i)).collect();
    out.extend(p.create.iter().map(|i| row("create", None, i)));
    out.extend(p.update.iter().map(|(id, i)| row("update", Some(id), i)));
    out.truncate(SAMPLE);
    out
}

fn preview(
    dry_run: bool,
    c: Counts,
    problems: Vec<ImportProblem>,
    sample: Vec<PlannedFinding>,
    import: Option<ScanImport>,
) -> ImportPreview {
    ImportPreview {
        dry_run,
        create: c.create,
        update: c.update,
        reopen: c.reopen,
        verify: c.verify,
        duplicates: c.duplicates,
        informational: c.informational,
        errors: c.errors,
        problems,
        sample,
        import,
    }
}
