//! Plans that repeat on a working calendar (security plans, backup policies and their restore
//! drills) read their periods one way, with the calendars compiled once for a run over many
//! plans.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::inspections::recurrence::{HolidayRule, Recurrence, Span};
use domain::periods::{Period, next_opening, periods};
use domain::sla::compiled::{Calendar, day_number};

use crate::{App, AppError, Result};

/// What a stored plan says about when it falls due.
pub(crate) struct Planned<'a> {
    pub recurrence: &'a serde_json::Value,
    pub holiday_rule: HolidayRule,
    pub span: Span,
    pub calendar_id: &'a str,
}

/// Compiled calendars by id, read as plans need them.
#[derive(Default)]
pub(crate) struct Calendars(HashMap<String, Calendar>);

impl Calendars {
    pub(crate) async fn get(&mut self, app: &App, id: &str) -> Result<&Calendar> {
        if !self.0.contains_key(id) {
            let (_, cal) = app.compiled_calendar(id).await?;
            self.0.insert(id.to_string(), cal);
        }
        Ok(&self.0[id])
    }

    /// The plan's periods overlapping `range`.
    pub(crate) async fn periods(
        &mut self,
        app: &App,
        plan: &Planned<'_>,
        range: (NaiveDate, NaiveDate),
    ) -> Result<Vec<Period>> {
        let recurrence = stored(plan.recurrence)?;
        let cal = self.get(app, plan.calendar_id).await?;
        Ok(periods(&recurrence, plan.holiday_rule, plan.span, range, |d| cal.plan(day_number(d)).is_working()))
    }

    /// When the plan's first period after `after` opens (midnight in the calendar's zone, as
    /// UTC microseconds), if one does within the reach of a plan.
    pub(crate) async fn next_opening(
        &mut self,
        app: &App,
        plan: &Planned<'_>,
        after: NaiveDate,
    ) -> Result<Option<i64>> {
        let recurrence = stored(plan.recurrence)?;
        let cal = self.get(app, plan.calendar_id).await?;
        let working = |d| cal.plan(day_number(d)).is_working();
        let opens = next_opening(&recurrence, plan.holiday_rule, plan.span, after, working);
        Ok(opens.map(|d| cal.to_utc(day_number(d), 0)))
    }
}

fn stored(v: &serde_json::Value) -> Result<Recurrence> {
    Recurrence::parse(v).map_err(|_| AppError::internal("stored recurrence"))
}
