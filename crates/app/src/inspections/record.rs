//! Tasks and records: an engineer completes a task with one result per checklist item; each
//! abnormal result opens (or links) an incident ticket on the system, and the record shows the
//! ticket's outcome once it is resolved.

use std::collections::HashMap;

use chrono::DateTime;
use domain::inspections::plan::Task;
use domain::inspections::plan::TaskFilter;
use domain::inspections::record::RecordFilter;
use domain::inspections::record::{Record, RecordInput, evaluate};
use domain::list::{ListQuery, Page};
use domain::tickets::input::TicketFields;
use domain::tickets::{Channel, Status, TicketType};
use domain::{FieldError, Principal, Role};
use store::inspections::{NewRecord, NewResult};

use crate::tickets::given_time;
use crate::{App, AppError, Result, audit, bureau_date};

impl App {
    pub async fn list_inspection_tasks(&self, p: &Principal, q: &ListQuery, f: &TaskFilter) -> Result<Page<Task>> {
        let mut f = f.clone();
        f.person = f.mine.then(|| (p.user_id.clone(), p.role));
        Ok(store::inspections::list_tasks(&self.store, &p.scope(), q, &f, self.business_now()).await?)
    }

    pub async fn get_inspection_task(&self, p: &Principal, id: &str) -> Result<Task> {
        store::inspections::get_task(&self.store, &p.scope(), id, self.business_now()).await?.ok_or(AppError::NotFound)
    }

    /// Who may inspect: the person the task is for, anyone in its role, the vendor's manager, or
    /// the bureau (back-filling a paper record). Units and auditors read.
    pub(super) fn may_inspect(p: &Principal, t: &Task) -> Result<()> {
        let ok = match p.role {
            Role::Admin | Role::VendorPm => true,
            Role::Engineer => match (&t.assignee_id, t.assignee_role) {
                (Some(a), _) => *a == p.user_id,
                (None, Some(r)) => r == Role::Engineer,
                (None, None) => true,
            },
            Role::UnitUser | Role::Auditor | Role::SecurityAdmin => false,
        };
        if ok { Ok(()) } else { Err(AppError::Forbidden) }
    }

    pub async fn record_inspection(&self, p: &Principal, task_id: &str, input: RecordInput) -> Result<Record> {
        let task = self.get_inspection_task(p, task_id).await?;
        Self::may_inspect(p, &task)?;
        if task.record_id.is_some() {
            return Err(AppError::conflict(None, "该任务已有巡检记录", "the task already has a record"));
        }
        let template =
            store::inspections::get_template(&self.store, &task.template_id).await?.ok_or(AppError::NotFound)?;
        let photos = store::inspections::photos(&self.store, &task.id).await?;
        let mut per_item: HashMap<String, usize> = HashMap::new();
        for ph in &photos {
            *per_item.entry(ph.item_id.clone().unwrap_or_default()).or_default() += 1;
        }
        let now = self.business_now();
        let at = match input.inspected_at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(
                DateTime::parse_from_rfc3339(s)
                    .map_err(|_| {
                        FieldError::new("inspected_at", "时间格式应为 RFC 3339", "must be an RFC 3339 instant")
                    })?
                    .to_utc(),
            ),
        };
        let inspected_at = given_time(p, "inspected_at", at, now)?;
        let auto = self.sources.read(self, p, &task.system_id, &template.items, inspected_at).await?;
        let results = evaluate(&template.items, &input.results, &per_item, &auto)?;
        let location = match &input.location {
            None => None,
            Some(l) => l.check("location").map(|l| Some((l.latitude, l.longitude, l.accuracy)))?,
        };
        let note = domain::error::Checker::default().optional_text("note", input.note.as_deref(), 2000);
        let signature = domain::inspections::record::check_signature("signature", input.signature.as_deref())?;
        // Early or late is kept with the record (the form warns before signing).
        let timing = if inspected_at < task.opens_at {
            "early"
        } else if inspected_at > task.due_at {
            "late"
        } else {
            "on_time"
        };
        // A linked ticket must be an open one of the same system that the inspector can see.
        for (i, r) in results.iter().enumerate() {
            if let Some(tid) = &r.link_ticket {
                let t = store::tickets::get(&self.store, &p.scope(), tid, now).await?;
                if t.is_none_or(|t| t.system_id != task.system_id || t.status == Status::Closed) {
                    return Err(FieldError::new(
                        format!("results[{i}].ticket_id"),
                        "应为该系统未关闭的工单",
                        "must be an open ticket of the same system",
                    )
                    .into());
                }
            }
        }
        let items: HashMap<&str, &domain::inspections::template::Item> =
            template.items.iter().map(|i| (i.id.as_str(), i)).collect();
        let rows: Vec<NewResult> = results
            .iter()
            .filter_map(|r| {
                let item = items.get(r.item_id.as_str())?;
                Some(NewResult {
                    item_id: r.item_id.clone(),
                    item_name: item.name.clone(),
                    group: item.group.clone(),
                    expected: item.range_text().or_else(|| item.expected.clone()),
                    result_type: item.result_type,
                    value: r.value.clone(),
                    unit: item.unit.clone(),
                    abnormal: r.abnormal,
                    automatic: r.automatic,
                    note: r.note.clone(),
                    suggestion: r.suggestion.clone(),
                    ticket_id: r.link_ticket.clone(),
                })
            })
            .collect();
        let abnormal = rows.iter().filter(|r| r.abnormal).count() as i32;
        // 巡检人 is the person's name as the bureau knows it, not a login.
        let inspector = self.person_name(p).await?;
        let record = NewRecord {
            task_id: task.id.clone(),
            plan_id: task.plan_id.clone(),
            system_id: task.system_id.clone(),
            unit_id: task.unit_id.clone(),
            template_id: template.id.clone(),
            template_name: template.name.clone(),
            inspected_on: bureau_date(inspected_at),
            inspected_at,
            inspector: (p.user_id.clone(), inspector),
            note,
            location,
            timing: timing.to_string(),
            signature,
        };
        let tx = self.store.begin().await?;
        let id = store::inspections::insert_record(&tx, &record, &rows, now).await?;
        if !store::inspections::complete(&tx, &task.id, &id, inspected_at, inspected_at <= task.due_at, abnormal)
            .await?
        {
            return Err(AppError::conflict(None, "该任务已有巡检记录", "the task already has a record"));
        }
        // Signed: no photo can join the record afterwards, even one uploading right now.
        store::quotas::close(&tx, super::photos::QUOTA, &task.id).await?;
        audit::<(), _>(
            &tx,
            p,
            "record",
            "inspection_task",
            &task.id,
            None,
            Some(&serde_json::json!({"record_id": id, "abnormal": abnormal})),
            now,
        )
        .await?;
        tx.commit().await?;

        // Abnormal results without a linked ticket open one each. The record is stored first:
        // a failure here leaves the result without its ticket, which the record shows (and an
        // engineer can report by hand), rather than losing the inspection.
        let photos = if rows.iter().any(|r| r.abnormal && r.ticket_id.is_none()) {
            store::inspections::photos(&self.store, &task.id).await?
        } else {
            Vec::new()
        };
        for r in rows.iter().filter(|r| r.abnormal && r.ticket_id.is_none()) {
            // A check item's value is its verdict (normal/abnormal), already said in words.
            let reading = r
                .value
                .as_deref()
                .filter(|v| !matches!(*v, "normal" | "abnormal" | "true" | "false"))
                .map(|v| format!("记录值：{v}{}", r.unit.as_deref().unwrap_or("")));
            let description = [
                Some(format!("{} {}：{}", template.name, record.inspected_on, r.item_name)),
                Some("巡检结果：异常".to_string()),
                reading,
                r.expected.as_ref().map(|e| format!("正常值：{e}")),
                r.note.as_ref().map(|n| format!("情况：{n}")),
                r.suggestion.as_ref().map(|s| format!("处理建议：{s}")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("\n");
            let fields = TicketFields {
                system_id: task.system_id.clone(),
                kind: TicketType::Incident,
                severity: None,
                title: format!("巡检异常：{}", r.item_name).chars().take(200).collect(),
                description: Some(description),
                channel: Channel::Inspection,
                reported_at: None,
                reporter_name: None,
                contact: None,
                assignee_id: None,
            };
            match self.open_ticket(p, fields, inspected_at).await {
                Ok((t, _)) => {
                    let tx = self.store.begin().await?;
                    store::inspections::link_ticket(&tx, &id, &r.item_id, &t.id).await?;
                    tx.commit().await?;
                    // The item's photos go with it, so the engineer sees what the inspector saw.
                    for ph in photos.iter().filter(|ph| ph.item_id.as_deref() == Some(r.item_id.as_str())) {
                        let copied = match self.read_file(super::photos::AREA, &task.id, &ph.id).await {
                            Ok(bytes) => self.carry_photo(p, &t.id, ph, &bytes).await.map(|_| ()),
                            Err(e) => Err(e),
                        };
                        if let Err(e) = copied {
                            tracing::warn!(ticket = %t.id, photo = %ph.id, error = %e.chain(), "could not carry an inspection photo to its ticket");
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(record = %id, item = %r.item_id, error = %e.chain(), "could not open a ticket for an abnormal result")
                }
            }
        }
        self.get_inspection_record(p, &id).await
    }

    pub async fn get_inspection_record(&self, p: &Principal, id: &str) -> Result<Record> {
        let r = store::inspections::get_record(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)?;
        let mut r = self.with_ticket_outcomes(p, vec![r]).await?.remove(0);
        r.signature = store::inspections::signature(&self.store, &r.id).await?;
        Ok(r)
    }

    pub async fn list_inspection_records(
        &self,
        p: &Principal,
        q: &ListQuery,
        f: &RecordFilter,
    ) -> Result<Page<Record>> {
        let page = store::inspections::list_records(&self.store, &p.scope(), q, f).await?;
        let items = self.with_ticket_outcomes(p, page.items).await?;
        Ok(Page { items, ..page })
    }

    /// 异常情况处理结果 and 处理完成日期 come from the linked ticket: its status, and once it is
    /// resolved, when.
    async fn with_ticket_outcomes(&self, p: &Principal, mut records: Vec<Record>) -> Result<Vec<Record>> {
        let now = self.business_now();
        let scope = p.scope();
        for rec in &mut records {
            for r in rec.results.iter_mut() {
                let Some(tid) = &r.ticket_id else { continue };
                let Some(t) = store::tickets::get(&self.store, &scope, tid, now).await? else { continue };
                r.ticket_number = Some(t.number.clone());
                r.ticket_status = Some(t.status.as_str().to_string());
                let done = matches!(t.status, Status::Resolved | Status::Closed);
                r.handling = Some(if done {
                    format!("工单 {} {}", t.number, t.status.label().zh)
                } else {
                    format!("工单 {} 处理中（{}）", t.number, t.status.label().zh)
                });
                r.handled_on = if done { t.resolved_at.map(bureau_date) } else { None };
            }
        }
        Ok(records)
    }
}
