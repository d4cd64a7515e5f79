//! Working calendars: the presets, the bureau's own, their month view, and the reference data
//! (presets and the State Council schedule) that every installation starts with.

use chrono::NaiveDate;
use domain::list::{ListQuery, Page};
pub use domain::sla::calendar::SORT_KEYS;
use domain::sla::calendar::{CalendarInput, CalendarView, PRESETS, StoredCalendar, holidays_until, is_preset};
use domain::sla::holidays::{CN_CODE, CN_NAME, CN_TSV, parse_table, years};
use domain::sla::{Calendar, DayView};
use domain::{FieldError, Principal};
use store::Tx;

use crate::{App, AppError, Result, audit, require_registry_write, wall_now};

/// The most days one month-view request may cover.
pub const MAX_VIEW_DAYS: i64 = 400;

fn preset_refused() -> AppError {
    AppError::conflict(
        None,
        "预置日历不能修改或删除，可复制后修改",
        "presets cannot be changed or deleted; copy one instead",
    )
}

/// Today in a calendar's own time zone.
fn today_in(zone: &str) -> NaiveDate {
    domain::sla::calendar::date_in(zone, wall_now())
}

impl App {
    /// Adds what every installation starts with and does not have yet: the preset calendars and
    /// the State Council schedule for the years the `cn` set has no data for and no
    /// administrator has edited (their entries, or their clearing of a year, are never
    /// overwritten). Shipped data, so not in the audit trail.
    pub async fn ensure_reference_data(&self) -> Result<()> {
        let t = wall_now();
        let tx = self.store.begin().await?;
        for p in &PRESETS {
            if store::calendars::get(&tx, p.id).await?.is_none() {
                store::calendars::insert(&tx, Some(p.id), &p.spec(), true, t).await?;
            }
        }
        let set = match store::holidays::sets_by_code(&tx, &[CN_CODE.to_string()]).await?.pop() {
            Some(s) => s,
            None => {
                let desc = "国务院办公厅关于部分节假日安排的通知（随 Yunwei 发布，可由管理员补充下一年）";
                store::holidays::insert_set(&tx, CN_CODE, CN_NAME, Some(desc), t).await?
            }
        };
        let have = store::holidays::years(&tx, &set.id).await?;
        let shipped = parse_table(CN_TSV).map_err(|_| AppError::internal("shipped holiday data does not parse"))?;
        for y in years(&shipped).into_iter().filter(|y| !have.contains(y) && !set.edited_years.contains(y)) {
            let entries: Vec<_> = shipped.iter().filter(|e| chrono::Datelike::year(&e.date) == y).cloned().collect();
            let (from, to) = store::holidays::year_span(y)?;
            store::holidays::replace_span(&tx, &set.id, from, to, &entries, false, t).await?;
        }
        tx.commit().await?;
        self.ensure_builtin_templates().await?;
        self.ensure_builtin_assessment_templates().await
    }

    async fn calendar_view(&self, c: &StoredCalendar) -> Result<CalendarView> {
        let (_, reach) = store::holidays::for_codes(&self.store, &c.spec.holiday_sets).await?;
        Ok(c.view(holidays_until(&reach), today_in(&c.spec.time_zone)))
    }

    /// Every signed-in user may read calendars: due times are explained with them.
    pub async fn list_calendars(&self, _p: &Principal, q: &ListQuery) -> Result<Page<CalendarView>> {
        let page = store::calendars::list(&self.store, q).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for c in &page.items {
            items.push(self.calendar_view(c).await?);
        }
        Ok(Page { items, total: page.total, page: page.page, page_size: page.page_size })
    }

    pub async fn get_calendar(&self, _p: &Principal, id: &str) -> Result<CalendarView> {
        let c = store::calendars::get(&self.store, id).await?.ok_or(AppError::NotFound)?;
        self.calendar_view(&c).await
    }

    /// Asks the clock job to recompute open tickets of every calendar following holiday set `code`.
    pub(crate) async fn recheck_set_followers(&self, tx: &Tx, code: &str) -> Result<()> {
        let ids: Vec<String> = store::calendars::list(tx, &ListQuery::default().unpaged())
            .await?
            .items
            .into_iter()
            .filter(|c| c.spec.holiday_sets.iter().any(|s| s == code))
            .map(|c| c.id)
            .collect();
        store::tickets::recheck_calendars(tx, &ids, self.business_now()).await?;
        for id in &ids {
            store::inspections::mark_plans_on_calendar(tx, id).await?;
        }
        Ok(())
    }

    /// The calendar compiled with its holiday data, ready for the engine.
    pub async fn compiled_calendar(&self, id: &str) -> Result<(StoredCalendar, Calendar)> {
        let c = store::calendars::get(&self.store, id).await?.ok_or(AppError::NotFound)?;
        let (entries, reach) = store::holidays::for_codes(&self.store, &c.spec.holiday_sets).await?;
        let compiled = Calendar::compile(&c.spec, &entries, holidays_until(&reach).flatten());
        Ok((c, compiled))
    }

    pub async fn calendar_days(
        &self,
        _p: &Principal,
        id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DayView>> {
        let span = (to - from).num_days();
        if !(0..MAX_VIEW_DAYS).contains(&span) {
            return Err(FieldError::new(
                "to",
                format!("须不早于 from，且跨度不超过 {MAX_VIEW_DAYS} 天"),
                format!("must not be before from, and at most {MAX_VIEW_DAYS} days after it"),
            )
            .into());
        }
        let (_, cal) = self.compiled_calendar(id).await?;
        Ok(from.iter_days().take(span as usize + 1).map(|d| cal.day_view(d)).collect())
    }

    pub async fn create_calendar(&self, p: &Principal, input: CalendarInput) -> Result<CalendarView> {
        require_registry_write(p)?;
        let spec = input.validate()?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        check_sets(&tx, &spec.holiday_sets).await?;
        let c = store::calendars::insert(&tx, None, &spec, false, t).await.map_err(duplicate)?;
        audit::<(), _>(&tx, p, "create", "calendar", &c.id, None, Some(&c.spec.input_json()), t).await?;
        tx.commit().await?;
        self.calendar_view(&c).await
    }

    pub async fn update_calendar(&self, p: &Principal, id: &str, input: CalendarInput) -> Result<CalendarView> {
        require_registry_write(p)?;
        if is_preset(id) {
            return Err(preset_refused());
        }
        let spec = input.validate()?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        let before = store::calendars::get(&tx, id).await?.ok_or(AppError::NotFound)?;
        check_sets(&tx, &spec.holiday_sets).await?;
        let c = store::calendars::update(&tx, id, &spec, t).await.map_err(duplicate)?;
        audit(&tx, p, "update", "calendar", id, Some(&before.spec.input_json()), Some(&c.spec.input_json()), t).await?;
        // Open tickets take the new calendar at the clock job's next round.
        store::tickets::recheck_calendars(&tx, &[id.to_string()], self.business_now()).await?;
        store::inspections::mark_plans_on_calendar(&tx, id).await?;
        tx.commit().await?;
        self.calendar_view(&c).await
    }

    pub async fn delete_calendar(&self, p: &Principal, id: &str) -> Result<()> {
        require_registry_write(p)?;
        if is_preset(id) {
            return Err(preset_refused());
        }
        let t = wall_now();
        let tx = self.store.begin().await?;
        let before = store::calendars::get(&tx, id).await?.ok_or(AppError::NotFound)?;
        let used = store::calendars::policies_using(&tx, id).await?;
        if used > 0 {
            return Err(AppError::conflict(
                None,
                format!("仍有 {used} 个 SLA 策略使用该日历，不能删除"),
                format!("{used} SLA policies still use this calendar"),
            ));
        }
        let plans = store::security_plans::using_calendar(&tx, id).await?;
        if plans > 0 {
            return Err(AppError::conflict(
                None,
                format!("仍有 {plans} 个安全检测计划使用该日历，不能删除"),
                format!("{plans} security plans still use this calendar"),
            ));
        }
        let backups = store::backups::using_calendar(&tx, id).await?;
        if backups > 0 {
            return Err(AppError::conflict(
                None,
                format!("仍有 {backups} 个备份策略使用该日历，不能删除"),
                format!("{backups} backup policies still use this calendar"),
            ));
        }
        store::calendars::delete(&tx, id).await?;
        audit::<_, ()>(&tx, p, "delete", "calendar", id, Some(&before.spec.input_json()), None, t).await?;
        tx.commit().await?;
        Ok(())
    }
}

fn duplicate(e: store::StoreError) -> AppError {
    AppError::unique("name", "已存在同名日历", "a calendar with this name exists")(e)
}

/// Every holiday set a calendar names must exist; errors name `holiday_sets[i]`.
async fn check_sets(tx: &Tx, codes: &[String]) -> Result<()> {
    let found = store::holidays::sets_by_code(tx, codes).await?;
    let errors: Vec<FieldError> = codes
        .iter()
        .enumerate()
        .filter(|(_, code)| !found.iter().any(|s| &s.code == *code))
        .map(|(i, _)| FieldError::new(format!("holiday_sets[{i}]"), "没有这个节假日数据集", "no such holiday set"))
        .collect();
    if errors.is_empty() { Ok(()) } else { Err(AppError::Validation(errors)) }
}
