//! Holiday sets: the shipped State Council schedule and any the bureau adds, edited a year at a
//! time in the UI or imported from CSV or iCalendar.

use chrono::Datelike;
use domain::sla::holidays::{
    CN_CODE, HolidayEntry, HolidayImportReport, HolidaySetDetail, HolidaySetInput, HolidaySetView, LineError,
    parse_ics, parse_table, validate_entries, years,
};
use domain::{FieldError, Msg, Principal};
use serde_json::json;

use crate::import::{ImportError, RowError};
use crate::{App, AppError, Result, audit, require_registry_write, wall_now};

fn line_errors(errors: Vec<LineError>) -> ImportError {
    ImportError::Rows(
        errors.into_iter().map(|e| RowError { row: e.line, column: String::new(), message: e.msg }).collect(),
    )
}

impl App {
    pub async fn list_holiday_sets(&self, _p: &Principal) -> Result<Vec<HolidaySetView>> {
        let mut out = Vec::new();
        for s in store::holidays::sets(&self.store).await? {
            out.push(store::holidays::view(&self.store, &s).await?);
        }
        Ok(out)
    }

    pub async fn get_holiday_set(&self, _p: &Principal, id: &str, year: Option<i32>) -> Result<HolidaySetDetail> {
        let s = store::holidays::set_by_id(&self.store, id).await?.ok_or(AppError::NotFound)?;
        let entries = store::holidays::entries(&self.store, id, year).await?;
        Ok(HolidaySetDetail { set: store::holidays::view(&self.store, &s).await?, entries })
    }

    pub async fn create_holiday_set(&self, p: &Principal, input: HolidaySetInput) -> Result<HolidaySetView> {
        require_registry_write(p)?;
        let (code, name, description) = input.validate()?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        let s = store::holidays::insert_set(&tx, &code, &name, description.as_deref(), t)
            .await
            .map_err(AppError::unique("code", "编号已被使用", "this code is taken"))?;
        let after = json!({"code": s.code, "name": s.name, "description": s.description});
        audit::<(), _>(&tx, p, "create", "holiday_set", &s.id, None, Some(&after), t).await?;
        tx.commit().await?;
        store::holidays::view(&self.store, &s).await.map_err(Into::into)
    }

    pub async fn delete_holiday_set(&self, p: &Principal, id: &str) -> Result<()> {
        require_registry_write(p)?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        let s = store::holidays::set_by_id(&tx, id).await?.ok_or(AppError::NotFound)?;
        if s.code == CN_CODE {
            return Err(AppError::conflict(
                None,
                "内置的国务院节假日数据不能删除",
                "the built-in State Council schedule cannot be deleted",
            ));
        }
        let calendars = store::calendars::list(&tx, &domain::list::ListQuery::default().unpaged()).await?;
        let using: Vec<String> = calendars
            .items
            .into_iter()
            .filter(|c| c.spec.holiday_sets.contains(&s.code))
            .map(|c| c.spec.name)
            .collect();
        if !using.is_empty() {
            return Err(AppError::conflict(
                None,
                format!("日历“{}”仍在使用该数据集，不能删除", using.join("”“")),
                format!("still used by calendars: {}", using.join(", ")),
            ));
        }
        let entries = store::holidays::entries(&tx, id, None).await?;
        store::holidays::delete_set(&tx, id).await?;
        let before = json!({"code": s.code, "name": s.name, "entries": entries});
        audit::<_, ()>(&tx, p, "delete", "holiday_set", id, Some(&before), None, t).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces one year of a set (e.g. the next State Council notice) with `entries`.
    pub async fn put_holiday_year(
        &self,
        p: &Principal,
        id: &str,
        year: i32,
        entries: Vec<HolidayEntry>,
    ) -> Result<HolidaySetDetail> {
        require_registry_write(p)?;
        validate_entries(&entries)?;
        let outside: Vec<FieldError> = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.date.year() != year)
            .map(|(i, _)| {
                FieldError::new(format!("entries[{i}].date"), format!("不在 {year} 年"), format!("is not in {year}"))
            })
            .collect();
        if !outside.is_empty() {
            return Err(AppError::Validation(outside));
        }
        let (from, to) = store::holidays::year_span(year)?;
        self.replace_span(p, id, from, to, entries).await?;
        self.get_holiday_set(p, id, Some(year)).await
    }

    /// Imports a CSV/TSV table or an iCalendar file: the entries from its first date to its last
    /// are replaced, all or nothing (a notice that starts in late December replaces only those
    /// days of the old year); every bad line is reported.
    pub async fn import_holidays(
        &self,
        p: &Principal,
        id: &str,
        bytes: &[u8],
    ) -> std::result::Result<HolidayImportReport, ImportError> {
        require_registry_write(p)?;
        let text = std::str::from_utf8(bytes).map_err(|_| {
            ImportError::File(Msg::new(
                "文件须为 UTF-8 编码的 CSV 或 iCalendar",
                "the file must be UTF-8 CSV or iCalendar",
            ))
        })?;
        let entries = if text.trim_start_matches('\u{feff}').trim_start().starts_with("BEGIN:VCALENDAR") {
            parse_ics(text)
        } else {
            parse_table(text)
        }
        .map_err(line_errors)?;
        if entries.is_empty() {
            return Err(ImportError::File(Msg::new("文件中没有日期", "the file holds no dates")));
        }
        validate_entries(&entries).map_err(AppError::from)?;
        let (Some(from), Some(to)) = (entries.first().map(|e| e.date), entries.last().map(|e| e.date)) else {
            return Err(ImportError::File(Msg::new("文件中没有日期", "the file holds no dates")));
        };
        let report = HolidayImportReport { from, to, years: years(&entries), entries: entries.len() };
        self.replace_span(p, id, from, to, entries).await?;
        Ok(report)
    }

    async fn replace_span(
        &self,
        p: &Principal,
        id: &str,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        entries: Vec<HolidayEntry>,
    ) -> Result<()> {
        let t = wall_now();
        let tx = self.store.begin().await?;
        let set = store::holidays::set_by_id(&tx, id).await?.ok_or(AppError::NotFound)?;
        let before = store::holidays::replace_span(&tx, id, from, to, &entries, true, t).await?;
        let span = json!({"from": from, "to": to});
        let after = json!({"span": span, "entries": entries});
        audit(&tx, p, "update", "holiday_set", id, Some(&json!({"span": span, "entries": before})), Some(&after), t)
            .await?;
        self.recheck_set_followers(&tx, &set.code).await?;
        tx.commit().await?;
        Ok(())
    }
}
