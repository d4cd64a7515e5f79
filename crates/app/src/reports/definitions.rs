//! What reports a contract owes (report definitions), set by the bureau — the vendor does not
//! decide its own obligations — and the job that writes each owed report's draft when its
//! period ends. The job and a person meet at the report's unique key, so running it on two
//! servers, twice, or after someone made the report by hand leaves one report.

use chrono::{Duration, NaiveDate};
use domain::reports::templates::{DefinitionInput, ReportDefinition};
use domain::reports::{ReportFields, ReportKind};
use domain::{FieldError, Principal, Role, Scope};

use super::sections;
use crate::{App, AppError, Result, audit, system_principal};

/// No definition catches up more than this many periods at once (a weekly report anchored years
/// back is not 200 drafts in one tick).
const MAX_CATCH_UP: usize = 12;

impl App {
    async fn definition_contract(&self, p: &Principal, contract_id: &str) -> Result<domain::registry::Contract> {
        store::contracts::get(&self.store, &p.scope(), contract_id).await?.ok_or(AppError::NotFound)
    }

    fn checked_definition(
        &self,
        input: &DefinitionInput,
        contract: &domain::registry::Contract,
    ) -> Result<domain::reports::templates::DefinitionSpec> {
        let start = contract
            .items
            .iter()
            .map(|i| i.start_date)
            .min()
            .unwrap_or_else(|| crate::bureau_date(self.business_now()));
        let all = sections::all_keys();
        input.validate(start, |k| sections::section_type(k).is_some(), &all).map_err(AppError::Validation)
    }

    pub async fn report_definitions(&self, p: &Principal, contract_id: &str) -> Result<Vec<ReportDefinition>> {
        self.definition_contract(p, contract_id).await?;
        Ok(store::reports::definitions::of_contract(&self.store, contract_id).await?)
    }

    /// A new definition of the contract's reports (the bureau). One per kind and scope (409).
    pub async fn create_report_definition(
        &self,
        p: &Principal,
        contract_id: &str,
        input: DefinitionInput,
    ) -> Result<ReportDefinition> {
        let contract = self.definition_contract(p, contract_id).await?;
        if p.role != Role::Admin {
            return Err(AppError::Forbidden);
        }
        let spec = self.checked_definition(&input, &contract)?;
        self.check_report_scope(&contract, spec.scope, spec.scope_id.as_deref()).await?;
        let id = store::new_id();
        let now = self.business_now();
        let tx = self.store.begin().await?;
        store::reports::definitions::insert(&tx, &id, contract_id, &spec, &p.user_id, now).await.map_err(
            |e| match e {
                store::StoreError::Conflict(_) => AppError::conflict(
                    Some("kind"),
                    "该合同已有同类型、同范围的报告要求",
                    "the contract already owes this kind of report over this scope",
                ),
                e => e.into(),
            },
        )?;
        audit::<(), _>(&tx, p, "create", "report_definition", &id, None, Some(&spec), now).await?;
        tx.commit().await?;
        store::reports::definitions::get(&self.store, &id).await?.ok_or(AppError::NotFound)
    }

    pub async fn update_report_definition(
        &self,
        p: &Principal,
        id: &str,
        input: DefinitionInput,
    ) -> Result<ReportDefinition> {
        let old = store::reports::definitions::get(&self.store, id).await?.ok_or(AppError::NotFound)?;
        let contract = self.definition_contract(p, &old.contract_id).await?;
        if p.role != Role::Admin {
            return Err(AppError::Forbidden);
        }
        let spec = self.checked_definition(&input, &contract)?;
        self.check_report_scope(&contract, spec.scope, spec.scope_id.as_deref()).await?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        store::reports::definitions::update(&tx, id, &spec, now).await.map_err(|e| match e {
            store::StoreError::Conflict(_) => AppError::conflict(
                Some("kind"),
                "该合同已有同类型、同范围的报告要求",
                "the contract already owes this kind of report over this scope",
            ),
            e => e.into(),
        })?;
        audit(&tx, p, "update", "report_definition", id, Some(&old.spec), Some(&spec), now).await?;
        tx.commit().await?;
        store::reports::definitions::get(&self.store, id).await?.ok_or(AppError::NotFound)
    }

    /// Removes a definition; the reports made under it stay.
    pub async fn delete_report_definition(&self, p: &Principal, id: &str) -> Result<()> {
        let old = store::reports::definitions::get(&self.store, id).await?.ok_or(AppError::NotFound)?;
        self.definition_contract(p, &old.contract_id).await?;
        if p.role != Role::Admin {
            return Err(AppError::Forbidden);
        }
        let now = self.business_now();
        let tx = self.store.begin().await?;
        store::reports::definitions::delete(&tx, id).await?;
        audit::<_, ()>(&tx, p, "delete", "report_definition", id, Some(&old.spec), None, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes the draft of every owed report whose period has ended (the job). Returns how many
    /// were made; a report already there (made by hand, or by another server) is left alone.
    pub async fn generate_due_reports(&self) -> Result<usize> {
        let today = crate::bureau_date(self.business_now());
        let system = system_principal();
        let mut made = 0;
        for d in store::reports::definitions::automatic(&self.store).await? {
            let Some(contract) = store::contracts::get(&self.store, &Scope::All, &d.contract_id).await? else {
                continue;
            };
            let end_of_service = contract.items.iter().map(|i| i.end_date).max();
            let created = crate::bureau_date(d.created_at);
            for start in owed_periods(d.spec.kind, d.spec.anchor, created, today, end_of_service) {
                let Ok(period) = d.spec.kind.period(start, None) else { continue };
                let fields = ReportFields {
                    contract_id: d.contract_id.clone(),
                    kind: d.spec.kind,
                    period,
                    scope: d.spec.scope,
                    scope_id: d.spec.scope_id.clone(),
                };
                let exists = store::reports::find_period(
                    &self.store,
                    &d.contract_id,
                    d.spec.kind,
                    d.spec.scope,
                    d.spec.scope_id.as_deref(),
                    start,
                )
                .await?;
                if exists.is_some() {
                    continue;
                }
                let row = match self
                    .new_report(
                        &contract,
                        &fields,
                        Some(d.id.clone()),
                        d.spec.due,
                        Some(d.spec.sections.clone()),
                        &system.user_id,
                    )
                    .await
                {
                    Ok(r) => r,
                    // A scope the contract no longer covers: the definition waits for the bureau.
                    Err(AppError::Validation(e)) => {
                        tracing::warn!(definition = %d.id, errors = ?e.iter().map(|f: &FieldError| f.field.clone()).collect::<Vec<_>>(), "report definition cannot make its report");
                        break;
                    }
                    Err(e) => return Err(e),
                };
                match self.insert_report(&system, row).await {
                    Ok(_) => made += 1,
                    // Another server made it between the look and the insert.
                    Err(AppError::Conflict { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(made)
    }
}

/// The first days of the periods a definition owes by `today`: those that have ended, within
/// the service period, from the last one that ended before the definition was made (a new
/// definition does not owe years of past reports), at most `MAX_CATCH_UP` of them, oldest first.
pub(crate) fn owed_periods(
    kind: ReportKind,
    anchor: NaiveDate,
    created: NaiveDate,
    today: NaiveDate,
    end_of_service: Option<NaiveDate>,
) -> Vec<NaiveDate> {
    let mut ended = Vec::new();
    let mut start = anchor;
    while let Some(next) = kind.next_start(start) {
        let end = next - Duration::days(1);
        if end >= today || end_of_service.is_some_and(|e| start > e) {
            break;
        }
        ended.push((start, end));
        start = next;
    }
    let first = ended.iter().rposition(|(_, end)| *end < created).unwrap_or(0);
    let owed: Vec<NaiveDate> = ended[first..].iter().map(|(s, _)| *s).collect();
    let skip = owed.len().saturating_sub(MAX_CATCH_UP);
    owed[skip..].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn a_new_definition_owes_the_last_ended_period_and_what_follows() {
        let owed = owed_periods(ReportKind::Month, d("2026-01-01"), d("2026-12-03"), d("2026-12-03"), None);
        assert_eq!(owed, [d("2026-11-01")]);
        let owed = owed_periods(ReportKind::Month, d("2026-01-01"), d("2026-10-15"), d("2027-01-01"), None);
        assert_eq!(owed, [d("2026-09-01"), d("2026-10-01"), d("2026-11-01"), d("2026-12-01")]);
        // A period ending today has not ended.
        let owed = owed_periods(ReportKind::Month, d("2026-01-01"), d("2026-01-01"), d("2026-01-31"), None);
        assert!(owed.is_empty());
    }

    #[test]
    fn nothing_after_the_service_period_and_a_bounded_catch_up() {
        let owed =
            owed_periods(ReportKind::Month, d("2026-01-01"), d("2025-01-01"), d("2027-06-01"), Some(d("2026-12-31")));
        assert_eq!(owed.len(), MAX_CATCH_UP);
        assert_eq!(owed.last(), Some(&d("2026-12-01")));
        let owed = owed_periods(ReportKind::Week, d("2020-01-06"), d("2020-01-01"), d("2026-12-03"), None);
        assert_eq!(owed.len(), MAX_CATCH_UP);
    }
}
