//! Payments of a contract: what each milestone comes to after the final assessments'
//! deductions, what was paid (recorded by the bureau with its voucher) and what remains. The
//! bureau records and corrects payments; the auditor and the vendor's manager read them; units
//! and engineers see none of it.

use domain::payments::{FinalAssessment, PaymentInput, PaymentRecord, PaymentSummary, summarize};
use domain::{FieldError, Principal, Role, Scope};

use crate::{App, AppError, Result, audit, bureau_date};

fn may_read(p: &Principal) -> Result<()> {
    if matches!(p.role, Role::Admin | Role::Auditor | Role::VendorPm) { Ok(()) } else { Err(AppError::NotFound) }
}

impl App {
    pub async fn payment_summary(&self, p: &Principal, contract_id: &str) -> Result<PaymentSummary> {
        may_read(p)?;
        store::contracts::get(&self.store, &p.scope(), contract_id).await?.ok_or(AppError::NotFound)?;
        self.summary_of(contract_id).await
    }

    async fn summary_of(&self, contract_id: &str) -> Result<PaymentSummary> {
        // The whole contract, whoever reads: the price is every item's.
        let contract = store::contracts::get(&self.store, &Scope::All, contract_id).await?.ok_or(AppError::NotFound)?;
        let finals: Vec<FinalAssessment> = store::assessments::finals(&self.store, contract_id)
            .await?
            .into_iter()
            .filter_map(|r| {
                let payment = serde_json::from_value(r.final_result?.get("payment")?.clone()).ok()?;
                Some(FinalAssessment { id: r.id, from: r.from, to: r.to, payment })
            })
            .collect();
        let payments = store::payments::list(&self.store, contract_id).await?;
        Ok(summarize(&contract, &finals, payments, bureau_date(self.business_now())))
    }

    /// Records a payment (the bureau). It may not take the paid amount past the contract's total
    /// less what the assessments deducted; a voucher is recorded once per contract.
    pub async fn record_payment(&self, p: &Principal, contract_id: &str, input: PaymentInput) -> Result<PaymentRecord> {
        may_read(p)?;
        store::contracts::get(&self.store, &p.scope(), contract_id).await?.ok_or(AppError::NotFound)?;
        if p.role != Role::Admin {
            return Err(AppError::Forbidden);
        }
        let f = input.validate()?;
        let summary = self.summary_of(contract_id).await?;
        if let (Some(item), Some(index)) = (&f.item_id, f.milestone)
            && !summary.milestones.iter().any(|m| &m.item_id == item && m.index == index)
        {
            return Err(FieldError::new("milestone", "该分项没有这个付款节点", "the item has no such milestone").into());
        }
        let now = self.business_now();
        let record = PaymentRecord {
            id: store::new_id(),
            contract_id: contract_id.to_string(),
            item_id: f.item_id,
            milestone: f.milestone,
            paid_on: f.paid_on,
            amount_fen: f.amount_fen,
            voucher: f.voucher,
            note: f.note,
            created_by: p.user_id.clone(),
            created_at: now,
        };
        let tx = self.store.begin().await?;
        if !store::payments::lock_contract(&tx, contract_id, now).await? {
            return Err(AppError::NotFound);
        }
        // Read again under the lock: a payment recorded meanwhile counts.
        let paid: i64 = store::payments::list(&tx, contract_id).await?.iter().map(|x| x.amount_fen).sum();
        let room = summary.total_fen - summary.deducted_fen - paid;
        if record.amount_fen > room {
            let yuan = |f: i64| format!("{}.{:02}", f / 100, f % 100);
            return Err(FieldError::new(
                "amount_fen",
                format!("超过未付金额（{} 元）", yuan(room.max(0))),
                format!("more than the outstanding amount ({} yuan)", yuan(room.max(0))),
            )
            .into());
        }
        store::payments::insert(&tx, &record).await.map_err(AppError::unique(
            "voucher",
            "该凭证号已在本合同登记过",
            "this voucher is already recorded on the contract",
        ))?;
        audit::<(), _>(&tx, p, "create", "payment", &record.id, None, Some(&record), now).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Removes a payment recorded by mistake (the bureau), audited.
    pub async fn delete_payment(&self, p: &Principal, contract_id: &str, id: &str) -> Result<()> {
        may_read(p)?;
        store::contracts::get(&self.store, &p.scope(), contract_id).await?.ok_or(AppError::NotFound)?;
        let before = store::payments::get(&self.store, contract_id, id).await?.ok_or(AppError::NotFound)?;
        if p.role != Role::Admin {
            return Err(AppError::Forbidden);
        }
        let now = self.business_now();
        let tx = self.store.begin().await?;
        if !store::payments::delete(&tx, id).await? {
            return Err(AppError::NotFound);
        }
        audit::<_, ()>(&tx, p, "delete", "payment", id, Some(&before), None, now).await?;
        tx.commit().await?;
        Ok(())
    }
}
