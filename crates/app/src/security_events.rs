//! Security events. Vendor staff and the bureau record an event, its steps and its evidence; the
//! bureau closes it. What would move the reporting clock or the handling rate in the vendor's
//! favour is the bureau's alone: lowering the grade, moving the time it was found, taking a
//! system off it, changing a step's time once recorded. Evidence files are kept as uploaded,
//! with their SHA-256, and never replaced or removed.

use chrono::{DateTime, Utc};
use domain::list::{ListQuery, Page};
use domain::security_events::{
    EventEntry, EventFile, EventNoteInput, EventStage, EventStageInput, ReportingClass, SecurityEvent,
    SecurityEventDetail, SecurityEventFields, SecurityEventFilter, SecurityEventInput, report_due, status_of,
};
use domain::{FieldError, Principal, Role};

use crate::files::Upload;
use crate::{App, AppError, Result, audit};

fn may_record(p: &Principal) -> Result<()> {
    match p.role {
        Role::Admin | Role::VendorPm | Role::Engineer => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

fn may_read(p: &Principal) -> Result<()> {
    if p.role == Role::SecurityAdmin { Err(AppError::Forbidden) } else { Ok(()) }
}

fn bureau_only(field: &str) -> AppError {
    FieldError::new(field, "只有数据局可以修改此项", "only the bureau may change this").into()
}

impl App {
    fn entry(&self, p: &Principal, name: &str, event_id: &str, at: DateTime<Utc>, kind: &str) -> EventEntry {
        EventEntry {
            id: store::new_id(),
            event_id: event_id.to_string(),
            at,
            kind: kind.to_string(),
            text: None,
            actor_id: p.user_id.clone(),
            actor_name: name.to_string(),
            recorded_at: self.business_now(),
        }
    }

    /// The affected systems as the caller sees them, each with its unit, and the strictest
    /// reporting class among them.
    async fn event_systems(
        &self,
        p: &Principal,
        ids: &[String],
        kept: &[String],
    ) -> Result<(Vec<(String, String)>, ReportingClass)> {
        let mut units = Vec::new();
        for id in ids {
            let scope = if kept.contains(id) { domain::Scope::All } else { p.scope() };
            let Some(s) = store::systems::get(&self.store, &scope, id).await? else {
                return Err(FieldError::new(
                    "system_ids",
                    format!("信息系统 {id} 不存在"),
                    format!("no such system {id}"),
                )
                .into());
            };
            units.push((s.id, s.unit_id));
        }
        let records = store::dengbao::records(&self.store, ids).await?;
        let class = ReportingClass::strictest(ids.iter().map(|id| {
            records
                .iter()
                .find(|r| &r.system_id == id)
                .and_then(|r| r.fields.reporting_class)
                .unwrap_or(ReportingClass::Other)
        }));
        Ok((units, class))
    }

    /// Linked tickets and findings must be ones the caller sees.
    async fn check_links(&self, p: &Principal, f: &SecurityEventFields) -> Result<()> {
        let now = self.business_now();
        for t in &f.ticket_ids {
            if store::tickets::get(&self.store, &p.scope(), t, now).await?.is_none() {
                return Err(
                    FieldError::new("ticket_ids", format!("工单 {t} 不存在"), format!("no such ticket {t}")).into()
                );
            }
        }
        for v in &f.vulnerability_ids {
            if store::vulnerabilities::get(&self.store, &p.scope(), v).await?.is_none() {
                return Err(FieldError::new(
                    "vulnerability_ids",
                    format!("漏洞 {v} 不存在"),
                    format!("no such finding {v}"),
                )
                .into());
            }
        }
        Ok(())
    }

    fn judged(&self, mut e: SecurityEvent) -> SecurityEvent {
        e.report_late = e.late_at(self.business_now());
        e
    }

    pub async fn list_security_events(
        &self,
        p: &Principal,
        q: &ListQuery,
        f: &SecurityEventFilter,
    ) -> Result<Page<SecurityEvent>> {
        may_read(p)?;
        let mut page = store::security_events::list(&self.store, &p.scope(), q, f).await?;
        page.items = page.items.into_iter().map(|e| self.judged(e)).collect();
        Ok(page)
    }

    async fn event_seen(&self, p: &Principal, id: &str) -> Result<SecurityEvent> {
        may_read(p)?;
        let e = store::security_events::get(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)?;
        Ok(self.judged(e))
    }

    pub async fn get_security_event(&self, p: &Principal, id: &str) -> Result<SecurityEventDetail> {
        let event = self.event_seen(p, id).await?;
        let timeline = store::security_events::timeline(&self.store, id).await?;
        let files = store::security_events::files(&self.store, id).await?;
        Ok(SecurityEventDetail { event, timeline, files })
    }

    pub async fn create_security_event(&self, p: &Principal, input: SecurityEventInput) -> Result<SecurityEventDetail> {
        may_record(p)?;
        let now = self.business_now();
        let f = input.validate(now)?;
        let (units, class) = self.event_systems(p, &f.system_ids, &[]).await?;
        self.check_links(p, &f).await?;
        let name = self.person_name(p).await?;
        let e = SecurityEvent {
            id: store::new_id(),
            title: f.title,
            category: f.category,
            grade: f.grade,
            status: status_of(false, false, false),
            system_ids: f.system_ids,
            description: f.description,
            occurred_at: f.occurred_at,
            found_at: f.found_at,
            reporting_class: class,
            report_due_at: report_due(f.grade, class, f.found_at),
            reported_at: None,
            report_ref: None,
            report_late: None,
            contained_at: None,
            recovered_at: None,
            closed_at: None,
            measures: f.measures,
            lessons: f.lessons,
            ticket_ids: f.ticket_ids,
            vulnerability_ids: f.vulnerability_ids,
            created_by: p.user_id.clone(),
            created_by_name: name.clone(),
            created_at: now,
            updated_at: now,
            revision: 1,
        };
        let tx = self.store.begin().await?;
        store::security_events::insert(&tx, &e, &units).await?;
        store::security_events::add_entry(&tx, &self.entry(p, &name, &e.id, e.found_at, "created")).await?;
        audit::<(), _>(&tx, p, "create", "security_event", &e.id, None, Some(&e), now).await?;
        tx.commit().await?;
        self.get_security_event(p, &e.id).await
    }

    /// Changes the event's account. Vendor staff may raise the grade, add systems and links and
    /// write the measures and lessons; lowering the grade, removing a system and moving the
    /// found or occurred time are the bureau's.
    pub async fn update_security_event(
        &self,
        p: &Principal,
        id: &str,
        input: SecurityEventInput,
    ) -> Result<SecurityEventDetail> {
        let before = self.event_seen(p, id).await?;
        may_record(p)?;
        let now = self.business_now();
        // Times left out keep their value (a form that does not show them moves nothing).
        let input = SecurityEventInput {
            found_at: input.found_at.or(Some(before.found_at)),
            occurred_at: input.occurred_at.or(before.occurred_at),
            ..input
        };
        let f = input.validate(now)?;
        if p.role != Role::Admin {
            if f.grade.rank() > before.grade.rank() {
                return Err(bureau_only("grade"));
            }
            if f.found_at != before.found_at {
                return Err(bureau_only("found_at"));
            }
            if f.occurred_at != before.occurred_at {
                return Err(bureau_only("occurred_at"));
            }
            if before.system_ids.iter().any(|s| !f.system_ids.contains(s)) {
                return Err(bureau_only("system_ids"));
            }
        }
        // Systems and links already on the event stay even when the caller does not see them
        // (an event across two vendors' systems); what is added must be the caller's.
        let (units, class) = self.event_systems(p, &f.system_ids, &before.system_ids).await?;
        let added = SecurityEventFields {
            ticket_ids: f.ticket_ids.iter().filter(|t| !before.ticket_ids.contains(t)).cloned().collect(),
            vulnerability_ids: f
                .vulnerability_ids
                .iter()
                .filter(|v| !before.vulnerability_ids.contains(v))
                .cloned()
                .collect(),
            ..f.clone()
        };
        self.check_links(p, &added).await?;
        let after = SecurityEvent {
            title: f.title,
            category: f.category,
            grade: f.grade,
            system_ids: f.system_ids,
            description: f.description,
            occurred_at: f.occurred_at,
            found_at: f.found_at,
            reporting_class: class,
            report_due_at: report_due(f.grade, class, f.found_at),
            measures: f.measures,
            lessons: f.lessons,
            ticket_ids: f.ticket_ids,
            vulnerability_ids: f.vulnerability_ids,
            updated_at: now,
            revision: before.revision + 1,
            ..before.clone()
        };
        let name = self.person_name(p).await?;
        let entry = self.entry(p, &name, id, now, "updated");
        self.write_event(p, "update", &before, &after, Some(&units), &entry).await
    }

    /// Writes `after` over `before` if nobody wrote first, with its timeline entry and audit.
    async fn write_event(
        &self,
        p: &Principal,
        action: &str,
        before: &SecurityEvent,
        after: &SecurityEvent,
        units: Option<&[(String, String)]>,
        entry: &EventEntry,
    ) -> Result<SecurityEventDetail> {
        let tx = self.store.begin().await?;
        if !store::security_events::update(&tx, after, before.revision, units).await? {
            return Err(AppError::conflict(
                None,
                "事件已被他人修改，请刷新后重试",
                "the event was changed meanwhile; reload and try again",
            ));
        }
        store::security_events::add_entry(&tx, entry).await?;
        audit(&tx, p, action, "security_event", &before.id, Some(before), Some(after), after.updated_at).await?;
        tx.commit().await?;
        self.get_security_event(p, &before.id).await
    }

    /// Records a step: reported (to whom, the number), contained, recovered; closed is the
    /// bureau's. A step's time, once recorded, is changed by the bureau only.
    pub async fn security_event_stage(
        &self,
        p: &Principal,
        id: &str,
        input: EventStageInput,
    ) -> Result<SecurityEventDetail> {
        let before = self.event_seen(p, id).await?;
        may_record(p)?;
        let now = self.business_now();
        let bureau = p.role == Role::Admin;
        if !bureau && input.stage.as_deref().map(str::trim) == Some(EventStage::Closed.as_str()) {
            return Err(AppError::Forbidden);
        }
        let f = input.validate(&before, now, bureau)?;
        let mut after = before.clone();
        match f.stage {
            EventStage::Reported => {
                after.reported_at = Some(f.at);
                after.report_ref = f.report_ref.clone();
            }
            EventStage::Contained => after.contained_at = Some(f.at),
            EventStage::Recovered => after.recovered_at = Some(f.at),
            EventStage::Closed => after.closed_at = Some(f.at),
        }
        after.status = status_of(after.contained_at.is_some(), after.recovered_at.is_some(), after.closed_at.is_some());
        after.updated_at = now;
        after.revision = before.revision + 1;
        let after = self.judged(after);
        let name = self.person_name(p).await?;
        let mut entry = self.entry(p, &name, id, f.at, f.stage.as_str());
        entry.text = match (&f.report_ref, &f.note) {
            (Some(r), Some(n)) => Some(format!("{r}\n{n}")),
            (r, n) => r.clone().or(n.clone()),
        };
        self.write_event(p, f.stage.as_str(), &before, &after, None, &entry).await
    }

    /// A note on the timeline (units too may add what they saw).
    pub async fn security_event_note(
        &self,
        p: &Principal,
        id: &str,
        input: EventNoteInput,
    ) -> Result<SecurityEventDetail> {
        self.event_seen(p, id).await?;
        if p.role == Role::Auditor {
            return Err(AppError::Forbidden);
        }
        let mut c = domain::error::Checker::default();
        let text = c.required_text("text", input.text.as_deref().unwrap_or(""), 4000);
        c.finish()?;
        let now = self.business_now();
        let name = self.person_name(p).await?;
        let mut entry = self.entry(p, &name, id, now, "note");
        entry.text = Some(text);
        let tx = self.store.begin().await?;
        store::security_events::add_entry(&tx, &entry).await?;
        audit::<(), _>(&tx, p, "note", "security_event", id, None, Some(&entry), now).await?;
        tx.commit().await?;
        self.get_security_event(p, id).await
    }

    /// Evidence: kept as uploaded with its SHA-256, never replaced or removed.
    /// Whether `p` may add evidence to the event: asked by the upload handler before it reads a
    /// large body, and again when the file is kept.
    pub async fn may_add_security_event_file(&self, p: &Principal, id: &str) -> Result<()> {
        self.event_seen(p, id).await?;
        if p.role == Role::Auditor {
            return Err(AppError::Forbidden);
        }
        Ok(())
    }

    pub async fn add_security_event_file(&self, p: &Principal, id: &str, file: Upload) -> Result<EventFile> {
        self.may_add_security_event_file(p, id).await?;
        let e = self.evidence(&file)?;
        let now = self.business_now();
        let name = self.person_name(p).await?;
        let f = EventFile {
            id: store::new_id(),
            event_id: id.to_string(),
            file_name: e.file_name,
            content_type: e.content_type.into(),
            size: e.size,
            sha256: e.sha256,
            uploaded_by_name: name.clone(),
            uploaded_at: now,
        };
        let mut entry = self.entry(p, &name, id, now, "evidence");
        entry.text = Some(format!("{} (SHA-256 {})", f.file_name, f.sha256));
        // The file is on disk before the transaction begins: no lock is held while it is written.
        let write = async {
            let tx = self.store.begin().await?;
            store::security_events::add_file(&tx, &f, &p.user_id).await?;
            store::security_events::add_entry(&tx, &entry).await?;
            audit::<(), _>(&tx, p, "attach", "security_event", id, None, Some(&f), now).await?;
            tx.commit().await.map_err(AppError::from)
        };
        self.keep_file("security-events", id, &f.id, &file.bytes, write).await?;
        Ok(f)
    }

    pub async fn security_event_file(&self, p: &Principal, id: &str, file_id: &str) -> Result<(EventFile, Vec<u8>)> {
        self.event_seen(p, id).await?;
        let f = store::security_events::get_file(&self.store, id, file_id).await?.ok_or(AppError::NotFound)?;
        let bytes = self.read_file("security-events", id, &f.id).await?;
        Ok((f, bytes))
    }

    /// The events found in `from..to` on these systems (indicators and reports).
    pub(crate) async fn security_events_between(
        &self,
        systems: &[String],
        span: (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<Vec<SecurityEvent>> {
        let events = store::security_events::found_between(&self.store, systems, span).await?;
        Ok(events.into_iter().map(|e| self.judged(e)).collect())
    }
}
