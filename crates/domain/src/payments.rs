//! What a contract has paid, what its assessments deducted and what remains, milestone by
//! milestone. A milestone tied to an assessed period takes the deduction of that period's final
//! assessment (shared among the period's milestones by amount, largest remainder, never more
//! than a milestone's amount); a deduction tied to no milestone still lowers the contract's
//! outstanding amount.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::assessments::Payment;
use crate::error::{Checker, FieldError};
use crate::registry::Contract;

pub const VOUCHER_MAX: usize = 100;

/// A payment made, as the bureau's finance recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PaymentRecord {
    pub id: String,
    pub contract_id: String,
    /// The milestone it pays, when it pays one: the item and the milestone's position (0-based).
    pub item_id: Option<String>,
    pub milestone: Option<u32>,
    pub paid_on: NaiveDate,
    pub amount_fen: i64,
    /// 凭证号: unique within the contract.
    pub voucher: String,
    pub note: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PaymentInput {
    /// `YYYY-MM-DD`
    pub paid_on: Option<String>,
    pub amount_fen: Option<i64>,
    pub voucher: Option<String>,
    pub note: Option<String>,
    pub item_id: Option<String>,
    pub milestone: Option<u32>,
}

/// A payment as checked (the app checks the item and milestone exist).
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentFields {
    pub paid_on: NaiveDate,
    pub amount_fen: i64,
    pub voucher: String,
    pub note: Option<String>,
    pub item_id: Option<String>,
    pub milestone: Option<u32>,
}

impl PaymentInput {
    pub fn validate(&self) -> Result<PaymentFields, Vec<FieldError>> {
        let mut c = Checker::default();
        let paid_on = c.required_date("paid_on", self.paid_on.as_deref());
        let amount_fen = match self.amount_fen {
            Some(a) if a > 0 && a <= crate::registry::MAX_BUDGET_FEN => a,
            Some(_) => {
                c.push(FieldError::new("amount_fen", "金额（分）须为正整数", "a positive number of fen"));
                0
            }
            None => {
                c.push(FieldError::required("amount_fen"));
                0
            }
        };
        let voucher = c.required_text("voucher", self.voucher.as_deref().unwrap_or(""), VOUCHER_MAX);
        let note = c.optional_text("note", self.note.as_deref(), 2000);
        let item_id = c.optional_text("item_id", self.item_id.as_deref(), 64);
        if item_id.is_some() != self.milestone.is_some() {
            c.push(FieldError::new(
                "milestone",
                "付款节点须同时指明分项和节点",
                "name both the item and the milestone",
            ));
        }
        c.finish()?;
        Ok(PaymentFields {
            paid_on: paid_on.unwrap_or_default(),
            amount_fen,
            voucher,
            note,
            item_id,
            milestone: self.milestone,
        })
    }
}

text_enum!(
    /// Where a milestone stands.
    MilestoneState {
        /// Its date has not come (or it waits for its condition).
        Scheduled = "scheduled" / "未到期" / "scheduled",
        /// Its period's assessment is not final yet.
        AwaitingAssessment = "awaiting_assessment" / "待考核定稿" / "awaiting the assessment",
        Due = "due" / "应付" / "due",
        Paid = "paid" / "已付清" / "paid",
        /// The assessment left the amount to negotiation.
        Negotiate = "negotiate" / "另行商议" / "to negotiate",
        /// The assessment found a breach of contract.
        Breach = "breach" / "视同违约" / "breach",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MilestoneStatus {
    pub item_id: String,
    pub item_name: String,
    /// Position within the item (0-based).
    pub index: u32,
    pub percent: u32,
    pub condition: String,
    pub due_on: Option<NaiveDate>,
    pub assessed_from: Option<NaiveDate>,
    pub assessed_to: Option<NaiveDate>,
    /// The item's budget × percent.
    pub amount_fen: i64,
    /// The final assessment of its period, once there is one.
    pub assessment_id: Option<String>,
    pub deduction_fen: Option<i64>,
    /// Amount less deduction; absent while negotiated or in breach.
    pub payable_fen: Option<i64>,
    pub paid_fen: i64,
    pub state: MilestoneState,
}

/// A final assessment's period and payment.
#[derive(Debug, Clone, PartialEq)]
pub struct FinalAssessment {
    pub id: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub payment: Payment,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PaymentSummary {
    pub contract_id: String,
    pub total_fen: i64,
    /// What the final assessments deducted.
    pub deducted_fen: i64,
    pub paid_fen: i64,
    /// Total less deducted less paid (never below 0).
    pub outstanding_fen: i64,
    /// A final assessment left an amount to negotiation or found a breach.
    pub negotiate: bool,
    pub breach: bool,
    pub milestones: Vec<MilestoneStatus>,
    pub payments: Vec<PaymentRecord>,
}

/// `total` shared by `weights` in proportion, each part at most its weight (largest remainder).
fn share(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i64 = weights.iter().sum();
    if sum <= 0 || total <= 0 {
        return vec![0; weights.len()];
    }
    let total = total.min(sum);
    let exact: Vec<(i64, i64)> = weights
        .iter()
        .map(|w| {
            let num = i128::from(total) * i128::from(*w);
            let q = i64::try_from(num / i128::from(sum)).unwrap_or(0);
            let r = i64::try_from(num % i128::from(sum)).unwrap_or(0);
            (q, r)
        })
        .collect();
    let mut parts: Vec<i64> = exact.iter().map(|(q, _)| *q).collect();
    let mut left = total - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| exact[b].1.cmp(&exact[a].1).then(a.cmp(&b)));
    for i in order {
        if left == 0 {
            break;
        }
        if parts[i] < weights[i] {
            parts[i] += 1;
            left -= 1;
        }
    }
    parts
}

/// The contract's milestones and payments at `today` (the bureau's day).
pub fn summarize(
    contract: &Contract,
    finals: &[FinalAssessment],
    payments: Vec<PaymentRecord>,
    today: NaiveDate,
) -> PaymentSummary {
    let mut milestones = Vec::new();
    for item in &contract.items {
        for (i, m) in item.milestones.iter().enumerate() {
            let amount = i64::try_from(i128::from(item.budget_fen) * i128::from(m.percent) / 100).unwrap_or(0);
            let index = i as u32;
            let paid = payments
                .iter()
                .filter(|p| p.item_id.as_deref() == Some(item.id.as_str()) && p.milestone == Some(index))
                .map(|p| p.amount_fen)
                .sum();
            milestones.push(MilestoneStatus {
                item_id: item.id.clone(),
                item_name: item.name.clone(),
                index,
                percent: m.percent,
                condition: m.condition.clone(),
                due_on: m.due_on,
                assessed_from: m.assessed_from,
                assessed_to: m.assessed_to,
                amount_fen: amount,
                assessment_id: None,
                deduction_fen: None,
                payable_fen: Some(amount),
                paid_fen: paid,
                state: MilestoneState::Scheduled,
            });
        }
    }
    // The latest final assessment of each period decides it (`finals` come oldest first).
    let finals: Vec<&FinalAssessment> = finals
        .iter()
        .enumerate()
        .filter(|(i, f)| !finals[i + 1..].iter().any(|g| g.from == f.from && g.to == f.to))
        .map(|(_, f)| f)
        .collect();
    for f in &finals {
        let tied: Vec<usize> = milestones
            .iter()
            .enumerate()
            .filter(|(_, m)| m.assessed_from == Some(f.from) && m.assessed_to == Some(f.to))
            .map(|(i, _)| i)
            .collect();
        let weights: Vec<i64> = tied.iter().map(|&i| milestones[i].amount_fen).collect();
        let parts = share(f.payment.deduction_fen.unwrap_or(0), &weights);
        for (&i, part) in tied.iter().zip(parts) {
            let m = &mut milestones[i];
            m.assessment_id = Some(f.id.clone());
            if f.payment.negotiate || f.payment.breach {
                m.deduction_fen = None;
                m.payable_fen = None;
            } else {
                m.deduction_fen = Some(part);
                m.payable_fen = Some(m.amount_fen - part);
            }
        }
    }
    for m in &mut milestones {
        m.state = if m.assessed_from.is_some() && m.assessment_id.is_none() {
            MilestoneState::AwaitingAssessment
        } else if m.assessment_id.is_some() && m.payable_fen.is_none() {
            let breach = finals.iter().any(|f| Some(&f.id) == m.assessment_id.as_ref() && f.payment.breach);
            if breach { MilestoneState::Breach } else { MilestoneState::Negotiate }
        } else if m.payable_fen.is_some_and(|p| m.paid_fen >= p) {
            MilestoneState::Paid
        } else if m.due_on.is_some_and(|d| d > today) {
            MilestoneState::Scheduled
        } else {
            MilestoneState::Due
        };
    }
    let deducted: i64 = finals.iter().filter_map(|f| f.payment.deduction_fen).sum();
    let paid: i64 = payments.iter().map(|p| p.amount_fen).sum();
    PaymentSummary {
        contract_id: contract.id.clone(),
        total_fen: contract.total_fen,
        deducted_fen: deducted,
        paid_fen: paid,
        outstanding_fen: (contract.total_fen - deducted - paid).max(0),
        negotiate: finals.iter().any(|f| f.payment.negotiate),
        breach: finals.iter().any(|f| f.payment.breach),
        milestones,
        payments,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_proportional_capped_and_exact() {
        assert_eq!(share(100, &[1000, 1000, 1000]), vec![34, 33, 33]);
        assert_eq!(share(100, &[1, 1, 1]), vec![1, 1, 1], "capped at each weight");
        assert_eq!(share(7, &[30, 70]), vec![2, 5]);
        assert_eq!(share(500, &[100, 200]), vec![100, 200], "never more than the milestones");
        assert_eq!(share(0, &[10]), vec![0]);
        assert_eq!(share(10, &[]), Vec::<i64>::new());
    }

    #[test]
    fn payments_need_a_date_an_amount_and_a_voucher() {
        let ok = PaymentInput {
            paid_on: Some("2026-10-20".into()),
            amount_fen: Some(100),
            voucher: Some("记-2026-1017".into()),
            ..Default::default()
        };
        assert_eq!(ok.validate().unwrap().amount_fen, 100);
        let bad = PaymentInput { amount_fen: Some(0), milestone: Some(1), ..Default::default() };
        let fields: Vec<String> = bad.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["paid_on", "amount_fen", "voucher", "milestone"]);
    }
}
