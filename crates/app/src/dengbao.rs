//! The 等保 cycle tracker: the bureau keeps each system's filing and assessments and sets the
//! rectification items and the year's quota; the vendor reports an item done and the bureau
//! closes it (the vendor does not close what it is measured by); units and auditors read their
//! systems' standing.

use chrono::NaiveDate;
use domain::dengbao::{
    DEFAULT_QUOTA, DengbaoAssessment, DengbaoAssessmentInput, DengbaoRecord, DengbaoRecordInput, ItemMoveInput,
    ItemStatus, Programme, QuotaInput, RectItem, RectItemInput, next_due, year_ok,
};
use domain::list::ListQuery;
use domain::registry::System;
use domain::{FieldError, Principal, Role};

use crate::{App, AppError, Result, audit, require_registry_write};

fn first_of(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default()
}

impl App {
    fn dengbao_today(&self) -> NaiveDate {
        crate::bureau_date(self.business_now())
    }

    async fn visible_systems(&self, p: &Principal) -> Result<Vec<System>> {
        if p.role == Role::SecurityAdmin {
            return Err(AppError::Forbidden);
        }
        Ok(self.list_systems(p, &ListQuery::default().unpaged(), &Default::default()).await?.items)
    }

    async fn system_seen(&self, p: &Principal, id: &str) -> Result<System> {
        if p.role == Role::SecurityAdmin {
            return Err(AppError::Forbidden);
        }
        store::systems::get(&self.store, &p.scope(), id).await?.ok_or(AppError::NotFound)
    }

    /// Each system's standing as of `today`; `before` counts only assessments before that day
    /// (the programme of a year asks what was due when the year began).
    async fn standing(
        &self,
        systems: &[System],
        today: NaiveDate,
        before: Option<NaiveDate>,
    ) -> Result<Vec<DengbaoRecord>> {
        standing_in(&self.store, systems, today, before).await
    }

    /// Every system the caller may see with its 等保 standing (optionally one unit's).
    pub async fn dengbao_records(&self, p: &Principal, unit_id: Option<&str>) -> Result<Vec<DengbaoRecord>> {
        let mut systems = self.visible_systems(p).await?;
        if let Some(u) = unit_id {
            systems.retain(|s| s.unit_id == u);
        }
        self.standing(&systems, self.dengbao_today(), None).await
    }

    /// The bureau records a system's filing, and may set the next assessment's day itself.
    pub async fn put_dengbao_record(
        &self,
        p: &Principal,
        system_id: &str,
        input: DengbaoRecordInput,
    ) -> Result<DengbaoRecord> {
        let system = self.system_seen(p, system_id).await?;
        require_registry_write(p)?;
        let f = input.validate()?;
        let before = self.standing(std::slice::from_ref(&system), self.dengbao_today(), None).await?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        store::dengbao::put_record(&tx, system_id, &f, &p.user_id, now).await?;
        let mut after = standing_in(&tx, std::slice::from_ref(&system), self.dengbao_today(), None).await?;
        audit(&tx, p, "update", "dengbao_record", system_id, before.first(), after.first(), now).await?;
        tx.commit().await?;
        after.pop().ok_or(AppError::NotFound)
    }

    pub async fn dengbao_assessments(&self, p: &Principal, system_id: &str) -> Result<Vec<DengbaoAssessment>> {
        let system = self.system_seen(p, system_id).await?;
        Ok(store::dengbao::assessments(&self.store, &[system.id]).await?)
    }

    /// The bureau records an assessment (one a day per system; the same one twice is 409).
    pub async fn add_dengbao_assessment(
        &self,
        p: &Principal,
        system_id: &str,
        input: DengbaoAssessmentInput,
    ) -> Result<DengbaoAssessment> {
        let system = self.system_seen(p, system_id).await?;
        require_registry_write(p)?;
        let f = input.validate(self.dengbao_today())?;
        let now = self.business_now();
        let a = DengbaoAssessment {
            id: store::new_id(),
            system_id: system.id,
            assessed_on: f.assessed_on,
            assessor: f.assessor,
            score: f.score,
            conclusion: f.conclusion,
            notes: f.notes,
            created_by: p.user_id.clone(),
            created_at: now,
        };
        let tx = self.store.begin().await?;
        store::dengbao::insert_assessment(&tx, &a).await.map_err(AppError::unique(
            "assessed_on",
            "该系统当天已有测评记录",
            "the system already has an assessment on that day",
        ))?;
        audit::<(), _>(&tx, p, "create", "dengbao_assessment", &a.id, None, Some(&a), now).await?;
        tx.commit().await?;
        Ok(a)
    }

    pub async fn dengbao_items(
        &self,
        p: &Principal,
        system_id: Option<&str>,
        status: Option<ItemStatus>,
    ) -> Result<Vec<RectItem>> {
        if p.role == Role::SecurityAdmin {
            return Err(AppError::Forbidden);
        }
        Ok(store::dengbao::items(&self.store, &p.scope(), system_id, status, self.dengbao_today()).await?)
    }

    /// The bureau lists a rectification item with its deadline.
    pub async fn add_dengbao_item(
        &self,
        p: &Principal,
        system_id: Option<&str>,
        input: RectItemInput,
    ) -> Result<RectItem> {
        require_registry_write(p)?;
        let Some(system_id) = system_id.map(str::trim).filter(|s| !s.is_empty()) else {
            return Err(FieldError::required("system_id").into());
        };
        let system = self.system_seen(p, system_id).await?;
        let f = input.validate()?;
        if let Some(a) = &f.assessment_id {
            let known = store::dengbao::assessments(&self.store, std::slice::from_ref(&system.id)).await?;
            if !known.iter().any(|x| &x.id == a) {
                return Err(FieldError::new(
                    "assessment_id",
                    "该系统没有这次测评",
                    "no such assessment of this system",
                )
                .into());
            }
        }
        let now = self.business_now();
        let item = RectItem {
            id: store::new_id(),
            system_id: system.id,
            unit_id: system.unit_id,
            assessment_id: f.assessment_id,
            title: f.title,
            risk: f.risk,
            deadline: f.deadline,
            status: ItemStatus::Open,
            done_at: None,
            done_note: None,
            closed_at: None,
            closed_by_name: None,
            late: self.dengbao_today() > f.deadline,
            created_at: now,
        };
        let tx = self.store.begin().await?;
        store::dengbao::insert_item(&tx, &item, &p.user_id).await?;
        audit::<(), _>(&tx, p, "create", "dengbao_item", &item.id, None, Some(&item), now).await?;
        tx.commit().await?;
        Ok(item)
    }

    /// The vendor reports an item done (with what was done); the bureau closes it or sends it
    /// back to open with a note.
    pub async fn move_dengbao_item(&self, p: &Principal, id: &str, input: ItemMoveInput) -> Result<RectItem> {
        if !matches!(p.role, Role::Admin | Role::VendorPm | Role::Engineer) {
            return Err(AppError::Forbidden);
        }
        let today = self.dengbao_today();
        let (before, revision) =
            store::dengbao::get_item(&self.store, &p.scope(), id, today).await?.ok_or(AppError::NotFound)?;
        let to = input
            .to
            .as_deref()
            .map(str::trim)
            .and_then(ItemStatus::parse)
            .ok_or_else(|| AppError::from(domain::vulnerabilities::choice_error("to", &ItemStatus::choices())))?;
        let note = input
            .note
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.chars().take(2000).collect::<String>());
        let valid = matches!(
            (before.status, to),
            (ItemStatus::Open, ItemStatus::Done)
                | (ItemStatus::Open | ItemStatus::Done, ItemStatus::Closed)
                | (ItemStatus::Done, ItemStatus::Open)
        );
        let may = match to {
            ItemStatus::Done => matches!(p.role, Role::Admin | Role::VendorPm | Role::Engineer),
            ItemStatus::Closed | ItemStatus::Open => p.role == Role::Admin,
        };
        if !may {
            return Err(AppError::Forbidden);
        }
        if !valid {
            return Err(AppError::conflict(
                Some("to"),
                "当前状态不能转到该状态",
                "the item cannot move there from its state",
            ));
        }
        if note.is_none() && matches!(to, ItemStatus::Done | ItemStatus::Open) {
            return Err(
                FieldError::new("note", "请说明整改情况或退回原因", "say what was done, or why it goes back").into()
            );
        }
        let now = self.business_now();
        let mut after = before.clone();
        after.status = to;
        match to {
            ItemStatus::Done => {
                after.done_at = Some(now);
                after.done_note = note;
            }
            ItemStatus::Closed => {
                after.closed_at = Some(now);
                after.closed_by_name = Some(self.person_name(p).await?);
                after.late = crate::bureau_date(now) > after.deadline;
            }
            ItemStatus::Open => {
                after.done_at = None;
                after.done_note = note;
            }
        }
        let tx = self.store.begin().await?;
        if !store::dengbao::move_item(&tx, &after, revision).await? {
            return Err(AppError::conflict(
                None,
                "该整改项刚被他人修改，请刷新后重试",
                "the item changed meanwhile; reload",
            ));
        }
        audit(&tx, p, "transition", "dengbao_item", id, Some(&before), Some(&after), now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The year's programme over the systems the caller may see: those due in the year as it
    /// began (or overdue from before), which of them were assessed in the year and by their
    /// day, against the bureau's quota (004: at least 50 systems a year).
    pub async fn dengbao_programme(&self, p: &Principal, year: i32) -> Result<Programme> {
        let year = year_ok("year", year)?;
        let systems = self.visible_systems(p).await?;
        let start = first_of(year);
        let end = first_of(year + 1);
        let today = self.dengbao_today();
        let as_began = self.standing(&systems, start, Some(start)).await?;
        let now = self.standing(&systems, today, None).await?;
        let ids: Vec<String> = systems.iter().map(|s| s.id.clone()).collect();
        let assessments = store::dengbao::assessments(&self.store, &ids).await?;
        let first_in_year = |s: &str| {
            assessments
                .iter()
                .filter(|a| a.system_id == s && a.assessed_on >= start && a.assessed_on < end)
                .map(|a| a.assessed_on)
                .min()
        };
        let mut due = Vec::new();
        let mut on_schedule = 0;
        for r in as_began {
            let Some(d) = r.next_due_on.filter(|d| *d < end) else { continue };
            if first_in_year(&r.system_id).is_some_and(|a| a <= d.max(start)) {
                on_schedule += 1;
            }
            if let Some(current) = now.iter().find(|x| x.system_id == r.system_id) {
                due.push(DengbaoRecord { next_due_on: Some(d), ..current.clone() });
            }
        }
        let assessed = systems.iter().filter(|s| first_in_year(&s.id).is_some()).count() as u32;
        let quota = store::dengbao::quota(&self.store, year).await?.unwrap_or(DEFAULT_QUOTA);
        Ok(Programme {
            year,
            quota,
            due_count: due.len() as u32,
            due,
            assessed_count: assessed,
            on_schedule_count: on_schedule,
            progress: if quota == 0 { 0.0 } else { f64::from(assessed) / f64::from(quota) },
        })
    }

    /// The bureau sets how many systems a year's programme assesses.
    pub async fn set_dengbao_quota(&self, p: &Principal, year: i32, input: QuotaInput) -> Result<Programme> {
        let year = year_ok("year", year)?;
        require_registry_write(p)?;
        let Some(quota) = input.quota.filter(|q| (1..=100_000).contains(q)) else {
            return Err(
                FieldError::new("quota", "年度测评数量须在 1 到 100000 之间", "must be between 1 and 100000").into()
            );
        };
        let before = store::dengbao::quota(&self.store, year).await?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        store::dengbao::put_quota(&tx, year, quota, &p.user_id, now).await?;
        let key = year.to_string();
        audit(&tx, p, "update", "dengbao_quota", &key, Some(&before), Some(&quota), now).await?;
        tx.commit().await?;
        self.dengbao_programme(p, year).await
    }
}

/// The standing read through `c`, so a write's audit sees the state inside its own transaction.
async fn standing_in(
    c: &impl store::Conn,
    systems: &[System],
    today: NaiveDate,
    before: Option<NaiveDate>,
) -> Result<Vec<DengbaoRecord>> {
    let ids: Vec<String> = systems.iter().map(|s| s.id.clone()).collect();
    let records = store::dengbao::records(c, &ids).await?;
    let assessments = store::dengbao::assessments(c, &ids).await?;
    let items = store::dengbao::open_items(c, &ids, today).await?;
    Ok(systems
        .iter()
        .map(|s| {
            let rec = records.iter().find(|r| r.system_id == s.id);
            let last = assessments.iter().find(|a| a.system_id == s.id && before.is_none_or(|b| a.assessed_on < b));
            let level = s.dengbao_level.unwrap_or(0);
            let f = rec.map(|r| r.fields.clone());
            let filed_on = f.as_ref().and_then(|f| f.filed_on);
            let set = f.as_ref().and_then(|f| f.next_due_set);
            let due = next_due(level, last.map(|a| a.assessed_on), filed_on, set, today);
            let (open, late) = items.iter().find(|x| x.0 == s.id).map_or((0, 0), |x| (x.1, x.2));
            DengbaoRecord {
                system_id: s.id.clone(),
                unit_id: s.unit_id.clone(),
                level,
                filing_number: f.as_ref().and_then(|f| f.filing_number.clone()),
                filed_on,
                last_assessed_on: last.map(|a| a.assessed_on),
                last_assessor: last.map(|a| a.assessor.clone()),
                last_score: last.and_then(|a| a.score),
                last_conclusion: last.map(|a| a.conclusion),
                next_due_set: set,
                next_due_on: due,
                overdue: due.is_some_and(|d| d < today),
                open_items: open,
                late_items: late,
                reporting_class: f.as_ref().and_then(|f| f.reporting_class),
                notes: f.and_then(|f| f.notes),
                updated_at: rec.map(|r| r.updated_at),
            }
        })
        .collect())
}
