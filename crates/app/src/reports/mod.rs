//! Periodic O&M reports: made for a contract (or one of its items, or one unit's systems) over a
//! period, written from the facts by the section catalogue, completed by the vendor's manager,
//! reviewed by the bureau and issued as files that never change.
//!
//! Who: the bureau (administrators) makes reports, reviews, issues and reissues them; a
//! vendor's manager makes its contracts' reports, writes the narrative and submits; engineers
//! read their vendor's; a unit's users read the issued reports over their own systems (its
//! unit's, and those of a contract or item covering one); auditors read everything.

mod definitions;
mod flow;
mod render;
mod sections;

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use domain::list::{ListQuery, Page};
use domain::registry::Contract;
use domain::reports::{
    DueRule, NarrativeInput, Report, ReportDetail, ReportEvent, ReportFields, ReportFilter, ReportInput, ReportScope,
    ReportStatus, is_overdue,
};
use domain::sla::Target;
use domain::sla::compiled::{instant, micros};
use domain::sla::target::DayAt;
use domain::{FieldError, Principal, Role, Scope};
use store::reports::ReportRow;

use crate::{App, AppError, Result, audit};

/// The files a report is issued as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFile {
    Docx,
    Xlsx,
}

impl ReportFile {
    fn ext(self) -> &'static str {
        match self {
            ReportFile::Docx => "docx",
            ReportFile::Xlsx => "xlsx",
        }
    }
}

fn moved_on() -> AppError {
    AppError::conflict(None, "报告状态已变化，请刷新后重试", "the report has moved on; reload and try again")
}

/// A vendor's manager of the report's vendor (others who can see it get 403).
fn require_writer(p: &Principal, r: &ReportRow) -> Result<()> {
    if p.role == Role::VendorPm && p.vendor_id.as_deref() == Some(r.vendor_id.as_str()) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn require_reviewer(p: &Principal) -> Result<()> {
    if p.role == Role::Admin { Ok(()) } else { Err(AppError::Forbidden) }
}

/// The contract's service period: its items' first start to last end.
fn service_period(c: &Contract) -> Option<(NaiveDate, NaiveDate)> {
    let from = c.items.iter().map(|i| i.start_date).min()?;
    let to = c.items.iter().map(|i| i.end_date).max()?;
    Some((from, to))
}

impl App {
    /// The fonts of report charts: the system's, and any font file the operator puts in
    /// `<data dir>/fonts/` (a CJK font where the system has none). Loaded once per server.
    pub(crate) fn chart_fonts(&self) -> std::sync::Arc<report::periodic::chart::ChartFonts> {
        self.chart_fonts
            .get_or_init(|| {
            let dir = self.config.data_dir.as_ref().map(|d| d.join("fonts"));
            let files: Vec<std::path::PathBuf> = dir
                .and_then(|d| std::fs::read_dir(d).ok())
                .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect())
                .unwrap_or_default();
            let (fonts, failed) = report::periodic::chart::ChartFonts::load(&files);
            for f in failed {
                tracing::warn!(font = %f, "a chart font could not be read");
            }
            if !fonts.has_chinese() {
                tracing::warn!(
                    "no font with Chinese glyphs: report charts will show their bars without labels; install a CJK font (fonts-noto-cjk) or put one in <data dir>/fonts/"
                );
            }
            std::sync::Arc::new(fonts)
        })
            .clone()
    }

    /// The section catalogue, in the order a report holds them by default.
    pub fn report_sections(&self) -> Vec<domain::reports::SectionInfo> {
        sections::catalogue()
    }

    /// The day a report over a period ending on `end` is due by `rule`, on the bureau's
    /// working calendar for working days.
    pub(crate) async fn report_due(&self, rule: DueRule, end: NaiveDate) -> Result<NaiveDate> {
        if let Some(d) = rule.plain_due(end) {
            return Ok(d);
        }
        let DueRule::WorkingDays { days } = rule else { return Err(AppError::internal("a due rule without a date")) };
        let (_, cal) = self.compiled_calendar(crate::inspections::DEFAULT_CALENDAR).await?;
        // Noon of the period's last day, bureau time: the count starts on the day after it.
        let noon = end.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc() - Duration::hours(8);
        let plan = Target::WorkingDays { days, at: DayAt::EndOfDay }
            .plan(&cal, micros(noon), &mut ())
            .ok_or_else(|| AppError::internal("the bureau's calendar has no working day within reach"))?;
        Ok(crate::bureau_date(instant(plan.due)))
    }

    /// Makes the report of a contract's period and scope; its draft is written from the facts
    /// at once. One per contract, kind, scope and first day: a second is a conflict.
    pub async fn create_report(&self, p: &Principal, input: ReportInput) -> Result<ReportDetail> {
        if !matches!(p.role, Role::Admin | Role::VendorPm) {
            return Err(AppError::Forbidden);
        }
        let fields = input.validate().map_err(AppError::Validation)?;
        let contract = store::contracts::get(&self.store, &p.scope(), &fields.contract_id)
            .await?
            .ok_or_else(|| AppError::from(FieldError::new("contract_id", "合同不存在", "no such contract")))?;
        let row = self.new_report(&contract, &fields, None, fields.kind.default_due(), None, &p.user_id).await?;
        self.insert_report(p, row).await
    }

    /// A new report's row, checked against the contract (scope, service period).
    pub(crate) async fn new_report(
        &self,
        contract: &Contract,
        f: &ReportFields,
        definition_id: Option<String>,
        due: DueRule,
        sections: Option<Vec<String>>,
        by: &str,
    ) -> Result<ReportRow> {
        if let Some((from, to)) = service_period(contract)
            && (f.period.to < from || f.period.from > to)
        {
            return Err(FieldError::new(
                "start",
                format!("报告期间不在合同服务期（{from} 至 {to}）内"),
                format!("the period lies outside the contract's service period ({from} to {to})"),
            )
            .into());
        }
        self.check_report_scope(contract, f.scope, f.scope_id.as_deref()).await?;
        let now = self.business_now();
        Ok(ReportRow {
            id: store::new_id(),
            contract_id: contract.id.clone(),
            vendor_id: contract.vendor_id.clone(),
            definition_id,
            kind: f.kind,
            scope: f.scope,
            scope_id: f.scope_id.clone(),
            period_start: f.period.from,
            period_end: f.period.to,
            due_on: self.report_due(due, f.period.to).await?,
            status: ReportStatus::Draft,
            sections: sections.unwrap_or_else(sections::all_keys),
            narrative: BTreeMap::new(),
            version: 0,
            created_by: by.to_string(),
            created_at: now,
            first_submitted_at: None,
            submitted_at: None,
            issued_at: None,
            updated_at: now,
        })
    }

    /// The item must be the contract's; the unit must own a system the contract covers.
    async fn check_report_scope(&self, contract: &Contract, scope: ReportScope, id: Option<&str>) -> Result<()> {
        let Some(id) = id else { return Ok(()) };
        let ok = match scope {
            ReportScope::Contract => true,
            ReportScope::Item => contract.items.iter().any(|i| i.id == id),
            ReportScope::Unit => {
                let systems: Vec<String> = contract.items.iter().flat_map(|i| i.system_ids.iter().cloned()).collect();
                store::assessments::units::units_of_systems(&self.store, &systems).await?.iter().any(|(u, _)| u == id)
            }
        };
        if ok {
            Ok(())
        } else {
            Err(FieldError::new("scope_id", "该合同不覆盖此分项或单位", "the contract has no such item or unit").into())
        }
    }

    pub(crate) async fn insert_report(&self, p: &Principal, row: ReportRow) -> Result<ReportDetail> {
        let now = row.created_at;
        let name = self.person_name(p).await?;
        let tx = self.store.begin().await?;
        store::reports::insert(&tx, &row).await.map_err(|e| match e {
            store::StoreError::Conflict(_) => AppError::conflict(
                Some("start"),
                "该合同此期间的报告已存在",
                "the contract already has this report for the period",
            ),
            e => e.into(),
        })?;
        let e =
            ReportEvent { action: "created".into(), note: None, actor: p.user_id.clone(), actor_name: name, at: now };
        store::reports::add_event(&tx, &row.id, &e).await?;
        let summary = serde_json::json!({"contract_id": row.contract_id, "kind": row.kind, "scope": row.scope,
            "scope_id": row.scope_id, "period_start": row.period_start, "period_end": row.period_end, "due_on": row.due_on});
        audit::<(), _>(&tx, p, "create", "report", &row.id, None, Some(&summary), now).await?;
        tx.commit().await?;
        self.report_detail(&Scope::All, &row.id).await
    }

    /// A report the caller may read.
    pub(crate) async fn visible_report(&self, p: &Principal, id: &str) -> Result<ReportRow> {
        store::reports::get(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)
    }

    pub async fn report(&self, p: &Principal, id: &str) -> Result<ReportDetail> {
        self.visible_report(p, id).await?;
        self.report_detail(&Scope::All, id).await
    }

    async fn report_detail(&self, scope: &Scope, id: &str) -> Result<ReportDetail> {
        let row = store::reports::get(&self.store, scope, id).await?.ok_or(AppError::NotFound)?;
        let findings = store::reports::findings(&self.store, id).await?;
        let history = store::reports::events(&self.store, id).await?;
        let versions = store::reports::versions(&self.store, id).await?.into_iter().map(|(_, v)| v).collect();
        let report = self.report_view(row).await?;
        Ok(ReportDetail { report, findings, history, versions })
    }

    pub async fn reports(&self, p: &Principal, q: &ListQuery, f: &ReportFilter) -> Result<Page<Report>> {
        let page = store::reports::list(&self.store, &p.scope(), q, f).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for r in page.items {
            items.push(self.report_view(r).await?);
        }
        Ok(Page { items, total: page.total, page: page.page, page_size: page.page_size })
    }

    /// The stored row with the names a reader needs.
    async fn report_view(&self, r: ReportRow) -> Result<Report> {
        let contract = store::contracts::get(&self.store, &Scope::All, &r.contract_id).await?;
        let scope_name = match (r.scope, &r.scope_id) {
            (ReportScope::Item, Some(id)) => {
                contract.as_ref().and_then(|c| c.items.iter().find(|i| &i.id == id)).map(|i| i.name.clone())
            }
            (ReportScope::Unit, Some(id)) => store::units::get(&self.store, &Scope::All, id).await?.map(|u| u.name),
            _ => None,
        };
        let today = crate::bureau_date(self.business_now());
        Ok(Report {
            overdue: is_overdue(r.status, r.due_on, today),
            contract_name: contract.map(|c| c.name).unwrap_or_default(),
            scope_name,
            id: r.id,
            contract_id: r.contract_id,
            vendor_id: r.vendor_id,
            definition_id: r.definition_id,
            kind: r.kind,
            scope: r.scope,
            scope_id: r.scope_id,
            period_start: r.period_start,
            period_end: r.period_end,
            due_on: r.due_on,
            status: r.status,
            sections: r.sections,
            narrative: r.narrative,
            version: r.version,
            created_at: r.created_at,
            first_submitted_at: r.first_submitted_at,
            submitted_at: r.submitted_at,
            issued_at: r.issued_at,
            updated_at: r.updated_at,
        })
    }

    /// Saves the narrative (the sections sent replace theirs; others keep their text) while the
    /// report is with the vendor.
    pub async fn set_report_narrative(&self, p: &Principal, id: &str, input: NarrativeInput) -> Result<ReportDetail> {
        let r = self.visible_report(p, id).await?;
        require_writer(p, &r)?;
        let texts = input.validate(&r.sections).map_err(AppError::Validation)?;
        if !matches!(r.status, ReportStatus::Draft | ReportStatus::Returned) {
            return Err(moved_on());
        }
        let mut narrative = r.narrative.clone();
        narrative.extend(texts);
        let now = self.business_now();
        let tx = self.store.begin().await?;
        let open = [ReportStatus::Draft, ReportStatus::Returned];
        if !store::reports::set_narrative(&tx, id, &narrative, &open, now).await? {
            return Err(moved_on());
        }
        audit(&tx, p, "update", "report_narrative", id, Some(&r.narrative), Some(&narrative), now).await?;
        tx.commit().await?;
        self.report_detail(&Scope::All, id).await
    }

    /// The report as a document: an issued one's files as issued (the latest version, or the
    /// one asked for); any other's written from the facts now, marked as not issued.
    pub async fn report_file(
        &self,
        p: &Principal,
        id: &str,
        file: ReportFile,
        version: Option<u32>,
    ) -> Result<(String, Vec<u8>)> {
        let r = self.visible_report(p, id).await?;
        let name = |v: Option<u32>| {
            let v = v.map_or(String::new(), |v| format!("-v{v}"));
            format!("{}-{}-{}{v}.{}", r.kind.label().zh, r.period_start, r.period_end, file.ext())
        };
        let versions = store::reports::versions(&self.store, id).await?;
        let wanted = version.or((r.version > 0).then_some(r.version));
        if let Some(v) = wanted {
            let Some((file_id, _)) = versions.iter().find(|(_, x)| x.version == v) else {
                return Err(FieldError::new("version", "没有这个版本", "no such version").into());
            };
            let bytes = self.read_file("reports", id, &format!("{file_id}.{}", file.ext())).await?;
            return Ok((name(Some(v)), bytes));
        }
        let doc = self.report_document(&r, None).await?;
        let bytes = match file {
            ReportFile::Docx => report::periodic::write_docx(&doc, &self.chart_fonts()),
            ReportFile::Xlsx => report::periodic::write_xlsx(&doc),
        }
        .map_err(|e| AppError::internal_from("writing the report", e))?;
        Ok((name(None), bytes))
    }

    /// The report as HTML for the preview: an issued one as its latest version was issued (kept
    /// beside its files), any other written from the facts now.
    pub async fn report_preview(&self, p: &Principal, id: &str) -> Result<String> {
        let r = self.visible_report(p, id).await?;
        if r.version > 0
            && let Some((file_id, _)) =
                store::reports::versions(&self.store, id).await?.into_iter().find(|(_, v)| v.version == r.version)
        {
            let bytes = self.read_file("reports", id, &format!("{file_id}.html")).await?;
            return String::from_utf8(bytes).map_err(|e| AppError::internal_from("reading the issued preview", e));
        }
        let doc = self.report_document(&r, None).await?;
        Ok(report::periodic::write_html(&doc))
    }
}
