//! A report's way through review: the vendor's manager submits it (every narrative section
//! written); the bureau returns it with a note, or accepts it — either noting non-conformities,
//! which the period's assessment proposes as deductions — and an accepted report is issued as
//! files (docx, xlsx and the preview's HTML) with their SHA-256, never changed again; the bureau
//! may reissue it from the facts as they stand, as a new version beside the old.
//!
//! Every move is a guarded update from the statuses it starts from, and a version's number is
//! unique per report: two reviewers acting at once leave one outcome and a conflict.

use domain::reports::{Finding, ReportEvent, ReportStatus, ReportVersion, ReviewInput, is_narrative};
use domain::{FieldError, Principal, Scope};
use store::reports::{Move, ReportRow};

use super::{moved_on, require_reviewer, require_writer};
use crate::{App, AppError, Result, audit};

fn event(
    action: &str,
    note: Option<String>,
    p: &Principal,
    name: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> ReportEvent {
    ReportEvent { action: action.into(), note, actor: p.user_id.clone(), actor_name: name.into(), at }
}

impl App {
    /// Hands the report to the bureau; every narrative section must be written.
    pub async fn submit_report(&self, p: &Principal, id: &str) -> Result<domain::reports::ReportDetail> {
        let r = self.visible_report(p, id).await?;
        require_writer(p, &r)?;
        let missing: Vec<FieldError> = r
            .sections
            .iter()
            .filter(|k| is_narrative(k) && r.narrative.get(*k).is_none_or(|t| t.trim().is_empty()))
            .map(|k| {
                FieldError::new(format!("sections.{k}"), "提交前请填写此章节", "write this section before submitting")
            })
            .collect();
        if !missing.is_empty() {
            return Err(AppError::Validation(missing));
        }
        let now = self.business_now();
        let name = self.person_name(p).await?;
        let tx = self.store.begin().await?;
        let m = Move { submitted_at: Some(now), ..Move::default() };
        let from = [ReportStatus::Draft, ReportStatus::Returned];
        if !store::reports::move_status(&tx, id, &from, ReportStatus::Submitted, &m, now).await? {
            return Err(moved_on());
        }
        store::reports::add_event(&tx, id, &event("submitted", None, p, &name, now)).await?;
        let change = serde_json::json!({"status": "submitted", "late": crate::bureau_date(now) > r.due_on});
        audit(&tx, p, "update", "report", id, Some(&serde_json::json!({"status": r.status})), Some(&change), now)
            .await?;
        tx.commit().await?;
        self.report_detail(&Scope::All, id).await
    }

    /// Sends a submitted report back to the vendor with a note and the non-conformities found.
    pub async fn return_report(
        &self,
        p: &Principal,
        id: &str,
        input: ReviewInput,
    ) -> Result<domain::reports::ReportDetail> {
        require_reviewer(p)?;
        let r = self.visible_report(p, id).await?;
        let (note, findings) = input.validate(true).map_err(AppError::Validation)?;
        let now = self.business_now();
        let name = self.person_name(p).await?;
        let tx = self.store.begin().await?;
        if !store::reports::move_status(
            &tx,
            id,
            &[ReportStatus::Submitted],
            ReportStatus::Returned,
            &Move::default(),
            now,
        )
        .await?
        {
            return Err(moved_on());
        }
        let found = self.note_findings(&tx, p, &name, &r, &findings, now).await?;
        store::reports::add_event(&tx, id, &event("returned", note.clone(), p, &name, now)).await?;
        let change = serde_json::json!({"status": "returned", "note": note, "findings": found.len()});
        audit(&tx, p, "update", "report", id, Some(&serde_json::json!({"status": r.status})), Some(&change), now)
            .await?;
        tx.commit().await?;
        self.report_detail(&Scope::All, id).await
    }

    /// Accepts a submitted report (noting any non-conformities) and issues it as version 1.
    pub async fn accept_report(
        &self,
        p: &Principal,
        id: &str,
        input: ReviewInput,
    ) -> Result<domain::reports::ReportDetail> {
        require_reviewer(p)?;
        let r = self.visible_report(p, id).await?;
        let (note, findings) = input.validate(false).map_err(AppError::Validation)?;
        if r.status != ReportStatus::Submitted {
            return Err(moved_on());
        }
        self.issue(p, &r, 1, note, findings, None).await
    }

    /// Issues an issued report again from the facts as they stand now, as the next version;
    /// the earlier versions stay as they were issued.
    pub async fn reissue_report(
        &self,
        p: &Principal,
        id: &str,
        reason: Option<String>,
    ) -> Result<domain::reports::ReportDetail> {
        require_reviewer(p)?;
        let r = self.visible_report(p, id).await?;
        let mut c = domain::error::Checker::default();
        let reason = c.required_text("reason", reason.as_deref().unwrap_or(""), domain::reports::NOTE_MAX);
        c.finish().map_err(AppError::Validation)?;
        if r.status != ReportStatus::Issued {
            return Err(AppError::conflict(
                None,
                "只有已签发的报告可以重新签发",
                "only an issued report can be reissued",
            ));
        }
        self.issue(p, &r, r.version + 1, None, Vec::new(), Some(reason)).await
    }

    /// Writes version `version`'s files, then in one transaction moves the report to issued,
    /// records the version, the findings and the history; the files go again if that fails.
    async fn issue(
        &self,
        p: &Principal,
        r: &ReportRow,
        version: u32,
        note: Option<String>,
        findings: Vec<(String, bool)>,
        reason: Option<String>,
    ) -> Result<domain::reports::ReportDetail> {
        let now = self.business_now();
        let name = self.person_name(p).await?;
        let doc = std::sync::Arc::new(self.report_document(r, Some((version, now))).await?);
        // The two files are written at once, each on a blocking thread: a year's workbook is
        // a second of CPU work that must not hold up the server's other requests.
        let render = |e: report::ReportError| AppError::internal_from("writing the report", e);
        let joined = |e: tokio::task::JoinError| AppError::internal_from("report task", e);
        let (d, fonts) = (doc.clone(), self.chart_fonts());
        let docx = tokio::task::spawn_blocking(move || report::periodic::write_docx(&d, &fonts));
        let d = doc.clone();
        let xlsx = tokio::task::spawn_blocking(move || report::periodic::write_xlsx(&d));
        let html = report::periodic::write_html(&doc);
        let docx = docx.await.map_err(joined)?.map_err(render)?;
        let xlsx = xlsx.await.map_err(joined)?.map_err(render)?;
        let v = ReportVersion {
            version,
            docx_sha256: self.content_hash(&docx),
            xlsx_sha256: self.content_hash(&xlsx),
            docx_size: docx.len() as u64,
            xlsx_size: xlsx.len() as u64,
            reason: reason.clone(),
            issued_by: p.user_id.clone(),
            issued_by_name: name.clone(),
            issued_at: now,
        };
        let file_id = store::new_id();
        let id = r.id.as_str();
        let store_rows = async {
            let tx = self.store.begin().await?;
            let (from, action) =
                if version == 1 { (ReportStatus::Submitted, "issued") } else { (ReportStatus::Issued, "reissued") };
            let m = Move { issued_at: Some(now), version: Some(version), ..Move::default() };
            if !store::reports::move_status(&tx, id, &[from], ReportStatus::Issued, &m, now).await? {
                return Err(moved_on());
            }
            store::reports::insert_version(&tx, id, &file_id, &v).await.map_err(|e| match e {
                store::StoreError::Conflict(_) => moved_on(),
                e => e.into(),
            })?;
            let found = self.note_findings(&tx, p, &name, r, &findings, now).await?;
            store::reports::add_event(&tx, id, &event(action, note.clone().or(reason.clone()), p, &name, now)).await?;
            let change = serde_json::json!({"status": "issued", "version": version, "docx_sha256": v.docx_sha256,
                "xlsx_sha256": v.xlsx_sha256, "findings": found.len(), "reason": reason});
            audit(
                &tx,
                p,
                "update",
                "report",
                id,
                Some(&serde_json::json!({"status": r.status, "version": r.version})),
                Some(&change),
                now,
            )
            .await?;
            tx.commit().await?;
            Ok(())
        };
        let names = [format!("{file_id}.xlsx"), format!("{file_id}.html"), format!("{file_id}.docx")];
        let xlsx_then_rows = self.keep_file("reports", id, &names[0], &xlsx, store_rows);
        let html_then = self.keep_file("reports", id, &names[1], html.as_bytes(), xlsx_then_rows);
        self.keep_file("reports", id, &names[2], &docx, html_then).await?;
        self.report_detail(&Scope::All, id).await
    }

    /// Records a review's non-conformities and proposes them in the period's draft assessments.
    async fn note_findings(
        &self,
        tx: &store::Tx,
        p: &Principal,
        name: &str,
        r: &ReportRow,
        findings: &[(String, bool)],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Finding>> {
        let mut out = Vec::with_capacity(findings.len());
        for (text, serious) in findings {
            let f = Finding {
                id: store::new_id(),
                report_id: r.id.clone(),
                text: text.clone(),
                serious: *serious,
                created_by: p.user_id.clone(),
                created_by_name: name.to_string(),
                created_at: now,
            };
            store::reports::add_finding(tx, &f).await?;
            audit::<(), _>(tx, p, "create", "report_finding", &f.id, None, Some(&f), now).await?;
            out.push(f);
        }
        crate::assessments::findings::propose_in_drafts(
            tx,
            &r.contract_id,
            r.kind,
            (r.period_start, r.period_end),
            &out,
            now,
        )
        .await?;
        Ok(out)
    }
}
